//! Hostile filter shapes on a small stack: text nested thousands of levels deep is refused with a
//! typed error (the parser's recursion is bounded by `MAX_FILTER_DEPTH`), and very long or very
//! deep filters are printed, compared, cloned and dropped without recursion.
//!
//! Every case runs on a thread with a 2 MiB stack, the default of a spawned thread and smaller
//! than a main thread's; before the fix each of them aborted the process with a stack overflow.

use wfm_scim::filter::{
    AttrPath, Filter, FilterError, FilterErrorKind, MAX_FILTER_DEPTH, PatchPath,
};
use wfm_scim::{Error, ListQuery};

const STACK: usize = 2 * 1024 * 1024;

/// Run `f` on a thread with a 2 MiB stack; a stack overflow aborts the whole test binary, so a
/// regression cannot pass silently.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn a thread")
        .join()
        .expect("the test thread did not panic")
}

fn leaf(name: &str) -> Filter {
    Filter::pr(AttrPath::parse(name).expect("a valid path"))
}

fn assert_too_deep(e: &FilterError) {
    assert_eq!(
        e.kind(),
        FilterErrorKind::TooDeep {
            limit: MAX_FILTER_DEPTH
        },
        "{e}"
    );
    let text = e.to_string();
    assert!(
        text.contains(&format!("more than {MAX_FILTER_DEPTH} levels"))
            && text.contains("MAX_FILTER_DEPTH")
            && text.contains("remove redundant parentheses"),
        "the message names the limit and what to do: {text}"
    );
    // The nesting that crossed the limit is at column MAX_FILTER_DEPTH + 1 or later.
    assert!(e.column().is_some_and(|c| c > MAX_FILTER_DEPTH), "{e:?}");
}

#[test]
fn two_thousand_nested_parentheses_are_a_typed_error() {
    on_small_stack(|| {
        let n = 2_000;
        let parens = format!("{}userName pr{}", "(".repeat(n), ")".repeat(n));
        assert_too_deep(&Filter::parse(&parens).unwrap_err());

        let nots = format!("{}userName pr{}", "not (".repeat(n), ")".repeat(n));
        assert_too_deep(&Filter::parse(&nots).unwrap_err());

        // Unbalanced: the depth error comes before the missing `)` could be noticed.
        assert_too_deep(&Filter::parse(&"(".repeat(n)).unwrap_err());

        // Inside a value filter, in a filter and in a PATCH path.
        let bracketed = format!("emails[{}type eq \"work\"{}]", "(".repeat(n), ")".repeat(n));
        assert_too_deep(&Filter::parse(&bracketed).unwrap_err());
        assert_too_deep(&PatchPath::parse(&bracketed).unwrap_err());
        assert_too_deep(&PatchPath::parse(&format!("{bracketed}.value")).unwrap_err());

        // A query given the text fails before anything is sent, with the same typed error.
        match ListQuery::new().filter_str(&parens).check() {
            Err(Error::Filter(e)) => assert_too_deep(&e),
            other => panic!("expected Error::Filter, got {other:?}"),
        }
    });
}

#[test]
fn the_limit_is_exact() {
    on_small_stack(|| {
        let nest = |n: usize, inner: &str| format!("{}{inner}{}", "(".repeat(n), ")".repeat(n));
        let at_limit = nest(MAX_FILTER_DEPTH, "a pr");
        assert_eq!(Filter::parse(&at_limit).unwrap(), leaf("a"));
        assert_too_deep(&Filter::parse(&nest(MAX_FILTER_DEPTH + 1, "a pr")).unwrap_err());

        // `not (` opens a level too.
        let nots = |n: usize| format!("{}a pr{}", "not (".repeat(n), ")".repeat(n));
        assert!(Filter::parse(&nots(MAX_FILTER_DEPTH)).is_ok());
        assert_too_deep(&Filter::parse(&nots(MAX_FILTER_DEPTH + 1)).unwrap_err());

        // The brackets of a value filter count as one level.
        let inside = |n: usize| format!("emails[{}]", nest(n, "type pr"));
        assert!(Filter::parse(&inside(MAX_FILTER_DEPTH - 1)).is_ok());
        assert!(PatchPath::parse(&inside(MAX_FILTER_DEPTH - 1)).is_ok());
        assert_too_deep(&Filter::parse(&inside(MAX_FILTER_DEPTH)).unwrap_err());
        assert_too_deep(&PatchPath::parse(&inside(MAX_FILTER_DEPTH)).unwrap_err());

        // Siblings do not add up: only nesting counts.
        let wide = vec![nest(MAX_FILTER_DEPTH, "a pr"); 50].join(" or ");
        assert!(Filter::parse(&wide).is_ok());

        // Other errors keep their kind.
        let e = Filter::parse("userName zz \"x\"").unwrap_err();
        assert_eq!(e.kind(), FilterErrorKind::Syntax);
    });
}

#[test]
fn a_parsed_100_000_term_chain_prints_compares_clones_and_drops() {
    on_small_stack(|| {
        for word in ["or", "and"] {
            let n = 100_000;
            let text = vec!["a pr"; n].join(&format!(" {word} "));
            let parsed = Filter::parse(&text).unwrap();
            // Left-associative chains print without parentheses: the same text back.
            assert_eq!(parsed.to_string(), text);
            let copy = parsed.clone();
            assert_eq!(copy, parsed);
            let debug = format!("{parsed:?}");
            assert_eq!(debug.matches("Present").count(), n);
            drop(copy);
            drop(parsed);
        }
    });
}

#[test]
fn a_built_100_000_term_chain_prints_parses_back_and_drops() {
    on_small_stack(|| {
        let n = 100_000;
        let built = (1..n).fold(leaf("a"), |f, _| f.or(leaf("b")));
        let text = built.to_string();
        assert_eq!(text.len(), "a pr".len() + (n - 1) * " or b pr".len());
        assert!(text.starts_with("a pr or b pr or b pr"), "{}", &text[..40]);
        assert!(!text.contains('('));
        let parsed = Filter::parse(&text).unwrap();
        assert_eq!(parsed, built);
        // Equality really looks at the leaves: change the last one and they differ.
        let other = (1..n - 1)
            .fold(leaf("a"), |f, _| f.or(leaf("b")))
            .or(leaf("c"));
        assert_ne!(other, built);
        // The JSON of a search request carries the same text.
        assert_eq!(
            serde_json::to_value(&built).unwrap(),
            serde_json::Value::String(text)
        );
        drop(parsed);
        drop(other);
        drop(built);
    });
}

#[test]
fn deep_alternating_nesting_from_the_builder_prints_and_drops() {
    on_small_stack(|| {
        let n = 100_000;
        // ((((a pr or b pr) and c pr) or b pr) and c pr) ... : each level needs parentheses.
        let deep = (0..n).fold(leaf("a"), |f, i| {
            if i % 2 == 0 {
                f.or(leaf("b"))
            } else {
                f.and(leaf("c"))
            }
        });
        let text = deep.to_string();
        let opened = n / 2; // every `or` below an `and` is wrapped
        assert_eq!(text.matches('(').count(), opened);
        assert_eq!(text.matches(')').count(), opened);
        assert!(text.starts_with(&format!("{}a pr or b pr) and c pr", "(".repeat(opened))));
        assert!(
            text.ends_with("or b pr) and c pr"),
            "{}",
            &text[text.len() - 40..]
        );
        // Printed, it is text a server could be sent; parsed back, it is refused as too deep.
        let e = Filter::parse(&text).unwrap_err();
        assert_eq!(
            e.kind(),
            FilterErrorKind::TooDeep {
                limit: MAX_FILTER_DEPTH
            }
        );
        let copy = deep.clone();
        assert_eq!(copy, deep);
        assert!(format!("{deep:?}").starts_with("And { left: Or { left: And { left: "));
        drop(copy);
        drop(deep);

        // Right-nested alternation: a pr and (b pr or a pr and (b pr or ... z pr)).
        let right = (0..n).fold(leaf("z"), |f, i| {
            if i % 2 == 0 {
                leaf("a").and(f)
            } else {
                leaf("b").or(f)
            }
        });
        let text = right.to_string();
        // An `or` right of an `and` is wrapped; an `and` right of an `or` binds tighter anyway.
        let opened = n / 2 - 1;
        assert_eq!(text.matches('(').count(), opened);
        assert!(text.starts_with("b pr or a pr and (b pr or a pr and (b pr"));
        assert!(text.ends_with(&format!("b pr or a pr and z pr{}", ")".repeat(opened))));
        drop(right);

        // Negations and a value path around a deep filter.
        let nots = (0..n).fold(leaf("a"), |f, _| !f);
        let text = nots.to_string();
        assert!(text.starts_with("not (not (not ("));
        assert_eq!(text.matches("not (").count(), n);
        drop(nots);
        let inner = (0..n).fold(leaf("type"), |f, i| {
            if i % 2 == 0 {
                f.or(leaf("value"))
            } else {
                f.and(leaf("primary"))
            }
        });
        let vp = Filter::value_path(AttrPath::parse("emails").unwrap(), inner).unwrap();
        let text = vp.to_string();
        assert!(text.starts_with("emails[((((") && text.ends_with(']'));
        drop(vp);
    });
}

//! Hostile nesting and huge feeds, on a thread with a 2 MiB stack (a typical non-main thread):
//! no recursion over the component tree anywhere, so nothing here may overflow the stack.

use ical_feed::read::{self, Component, MAX_DEPTH, ReadErrorKind};

const STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with a 2 MiB stack; a stack overflow would abort the test process.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn a test thread")
        .join()
        .expect("the test thread does not panic")
}

fn nested(depth: usize) -> String {
    let mut s = String::with_capacity(depth * 24);
    for i in 0..depth {
        s.push_str(if i == 0 {
            "BEGIN:VCALENDAR\r\n"
        } else {
            "BEGIN:X-N\r\n"
        });
    }
    s.push_str("X-LEAF:deepest\r\n");
    for i in (0..depth).rev() {
        s.push_str(if i == 0 {
            "END:VCALENDAR\r\n"
        } else {
            "END:X-N\r\n"
        });
    }
    s
}

#[test]
fn sixty_thousand_nested_begins_are_a_typed_error() {
    let err = on_small_stack(|| read::parse(&nested(60_000)).unwrap_err());
    assert_eq!(
        err.kind,
        ReadErrorKind::TooDeep {
            name: "X-N".into(),
            limit: MAX_DEPTH
        }
    );
    // The first BEGIN beyond the limit is on line MAX_DEPTH + 1.
    assert_eq!(err.line, MAX_DEPTH + 1);
    let message = err.to_string();
    assert!(
        message.contains(&format!("more than {MAX_DEPTH} deep")),
        "{message}"
    );
    assert!(
        message.contains("every BEGIN line has its END line"),
        "{message}"
    );

    // Unclosed nesting is refused the same way, before the end of input is reached.
    let unclosed = "BEGIN:VCALENDAR\n".repeat(60_000);
    let err = on_small_stack(move || read::parse_components(&unclosed).unwrap_err());
    assert!(matches!(err.kind, ReadErrorKind::TooDeep { .. }));
}

#[test]
fn the_deepest_allowed_tree_parses_and_round_trips_through_the_traits() {
    on_small_stack(|| {
        let cal = read::parse(&nested(MAX_DEPTH)).expect("MAX_DEPTH levels are allowed");
        let walked: Vec<_> = cal.walk().collect();
        assert_eq!(walked.len(), MAX_DEPTH);
        let (depth, leaf) = walked[MAX_DEPTH - 1];
        assert_eq!(depth, MAX_DEPTH - 1);
        assert_eq!(leaf.property("X-LEAF").unwrap().value, "deepest");
        let copy = cal.clone();
        assert_eq!(copy, cal);
        assert_eq!(
            format!("{copy:?}").matches("Component {").count(),
            MAX_DEPTH
        );
        // One level more is refused.
        let err = read::parse(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(matches!(err.kind, ReadErrorKind::TooDeep { limit, .. } if limit == MAX_DEPTH));
    });
}

#[test]
fn a_hand_built_tree_of_any_depth_drops_clones_compares_and_prints() {
    // The parser bounds depth, but the fields are public: the traits must not recurse either.
    on_small_stack(|| {
        let leaf = || Component {
            name: "X-N".into(),
            properties: vec![],
            components: vec![],
        };
        let mut tree = leaf();
        for _ in 0..60_000 {
            let mut parent = leaf();
            parent.components.push(tree);
            tree = parent;
        }
        let copy = tree.clone();
        assert!(copy == tree);
        let mut other = tree.clone();
        let mut deepest = &mut other;
        while !deepest.components.is_empty() {
            deepest = &mut deepest.components[0];
        }
        deepest.name = "X-OTHER".into();
        assert!(other != tree, "a difference 60,000 levels down is seen");
        assert_eq!(tree.walk().count(), 60_001);
        assert_eq!(tree.walk().last().unwrap().0, 60_000);
        let debug = format!("{tree:?}");
        assert_eq!(debug.matches("Component {").count(), 60_001);
        assert!(debug.ends_with("] }"));
        let pretty = format!("{:#?}", copy);
        assert_eq!(pretty.lines().count(), 2 * 60_001 - 1);
        drop((tree, copy, other));
    });
}

#[test]
fn debug_matches_the_derived_format() {
    let cal = read::parse(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let version = format!("{:?}", cal.properties);
    let uid = format!("{:?}", cal.components[0].properties);
    assert_eq!(
        format!("{cal:?}"),
        format!(
            "Component {{ name: \"VCALENDAR\", properties: {version}, components: [\
             Component {{ name: \"VEVENT\", properties: {uid}, components: [] }}, \
             Component {{ name: \"VTODO\", properties: [], components: [] }}] }}"
        )
    );
}

#[test]
fn a_hundred_thousand_sibling_events_parse_and_drop() {
    let mut feed = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    for i in 0..100_000 {
        feed.push_str(&format!("BEGIN:VEVENT\r\nUID:e{i}@x\r\nEND:VEVENT\r\n"));
    }
    feed.push_str("END:VCALENDAR\r\n");
    on_small_stack(move || {
        let cal = read::parse(&feed).unwrap();
        assert_eq!(cal.components_named("VEVENT").count(), 100_000);
        assert_eq!(
            cal.components[99_999].property("UID").unwrap().value,
            "e99999@x"
        );
        assert_eq!(cal.walk().count(), 1 + 100_000);
        assert!(cal.walk().skip(1).all(|(depth, _)| depth == 1));
        drop(cal);
    });
}

//! Property tests of the filter builder and parser: build → render → parse gives the same
//! filter, for any values (quotes, backslashes, control characters, any Unicode) and shapes.

use proptest::prelude::*;
use wfm_scim::filter::{AttrPath, CompValue, CompareOp, Filter, PatchPath};

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("not".to_owned()),
        Just("pr".to_owned()),
        Just("eq".to_owned()),
    ]
}

fn attr_path() -> impl Strategy<Value = AttrPath> {
    let urn = prop::option::of("urn:[a-z]{1,5}(:[a-zA-Z0-9.-]{1,6}){0,3}");
    (urn, name(), prop::option::of(name())).prop_map(|(urn, name, sub)| {
        let mut text = String::new();
        if let Some(u) = urn {
            text.push_str(&u);
            text.push(':');
        }
        text.push_str(&name);
        if let Some(s) = sub {
            text.push('.');
            text.push_str(&s);
        }
        AttrPath::parse(&text).expect("generated paths follow the ABNF")
    })
}

fn value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        any::<String>().prop_map(CompValue::String),
        "[\"\\\\\\x00-\\x1f a-z]{0,12}".prop_map(CompValue::String),
        any::<bool>().prop_map(CompValue::Bool),
        Just(CompValue::Null),
        any::<i64>().prop_map(CompValue::from),
        any::<f64>().prop_filter_map("finite", CompValue::number),
    ]
}

fn op() -> impl Strategy<Value = CompareOp> {
    prop::sample::select(CompareOp::ALL.to_vec())
}

/// Filters without value paths (what may appear inside brackets).
fn flat_filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        attr_path().prop_map(Filter::pr),
        (attr_path(), op(), value()).prop_map(|(p, o, v)| Filter::compare(p, o, v)),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.prop_map(|f| !f),
        ]
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    let value_path = (attr_path(), flat_filter())
        .prop_filter_map("no sub-attribute before `[`", |(p, f)| {
            Filter::value_path(p, f).ok()
        });
    let leaf = prop_oneof![3 => flat_filter(), 1 => value_path];
    leaf.prop_recursive(3, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.prop_map(|f| !f),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn built_filters_round_trip(f in filter()) {
        let text = f.to_string();
        let parsed = Filter::parse(&text);
        prop_assert_eq!(parsed.as_ref().ok(), Some(&f), "{} -> {:?}", text, parsed);
    }

    #[test]
    fn a_string_value_is_always_one_token(path in attr_path(), s in any::<String>()) {
        // Whatever the value, the filter is one comparison of that exact value.
        let text = Filter::eq(path.clone(), s.as_str()).to_string();
        match &Filter::parse(&text).expect("rendered filters parse") {
            Filter::Compare { path: p, op: CompareOp::Eq, value: CompValue::String(v), .. } => {
                prop_assert_eq!(p, &path);
                prop_assert_eq!(v, &s);
            }
            other => prop_assert!(false, "parsed into {:?}", other),
        }
    }

    #[test]
    fn parsing_any_text_never_panics_and_is_stable(s in "\\PC{0,40}|[a-z\\[\\]()\" .:]{0,40}") {
        if let Ok(f) = Filter::parse(&s) {
            let again = Filter::parse(&f.to_string()).expect("a rendered filter parses");
            prop_assert_eq!(again, f);
        }
        let _ = AttrPath::parse(&s);
        if let Ok(p) = PatchPath::parse(&s) {
            prop_assert_eq!(PatchPath::parse(&p.to_string()).ok(), Some(p));
        }
    }

    #[test]
    fn attribute_paths_never_carry_filter_syntax(s in any::<String>()) {
        if let Ok(p) = AttrPath::parse(&s) {
            let text = p.to_string();
            prop_assert!(!text.contains([' ', '"', '(', ')', '[', ']']), "{}", text);
            prop_assert_eq!(text, s);
        }
    }
}

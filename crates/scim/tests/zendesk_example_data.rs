//! The shipped Zendesk export (`examples/data/zendesk_users.json`) maps as the docs say: who is
//! provisioned, who is skipped and why, who cannot sign in. No server needed.

use wfm_scim::provision::{Row, zendesk};

fn rows() -> Vec<(String, Row)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/data/zendesk_users.json"
    );
    let export = zendesk::read_export(&std::fs::read(path).expect("the example export")).unwrap();
    export
        .iter()
        .map(|r| {
            (
                r["id"].to_string(),
                zendesk::map_row(r, &zendesk::Options::default()),
            )
        })
        .collect()
}

fn row(id: &str) -> Row {
    rows()
        .into_iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no row {id}"))
        .1
}

#[test]
fn the_example_export_decides_access_per_zendesk_fields() {
    // A suspended agent: provisioned, but inactive.
    match row("35445") {
        Row::Provision { user, warnings, .. } => {
            assert!(!user.active);
            assert_eq!(user.user_type.as_deref(), Some("Agent"));
            assert!(
                warnings.iter().any(|w| w.contains("suspended")),
                "{warnings:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // A deleted agent (active: false): inactive too.
    match row("35438") {
        Row::Provision { user, .. } => assert!(!user.active),
        other => panic!("{other:?}"),
    }
    // A shared agent of a partner instance: skipped, with the reason.
    match row("35446") {
        Row::Skip { reason, .. } => assert!(reason.contains("shared agent"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // A light agent: provisioned as such.
    match row("35447") {
        Row::Provision { user, .. } => {
            assert!(user.active);
            assert_eq!(user.user_type.as_deref(), Some("LightAgent"));
        }
        other => panic!("{other:?}"),
    }
    // A customer: skipped. An active agent: active.
    assert!(matches!(row("35440"), Row::Skip { .. }));
    match row("35436") {
        Row::Provision { user, warnings, .. } => {
            assert!(user.active);
            assert!(warnings.is_empty(), "{warnings:?}");
        }
        other => panic!("{other:?}"),
    }
    let all = rows();
    let provisioned = all
        .iter()
        .filter(|(_, r)| matches!(r, Row::Provision { .. }))
        .count();
    let skipped = all
        .iter()
        .filter(|(_, r)| matches!(r, Row::Skip { .. }))
        .count();
    let invalid = all
        .iter()
        .filter(|(_, r)| matches!(r, Row::Invalid { .. }))
        .count();
    assert_eq!((provisioned, skipped, invalid), (7, 2, 3), "{all:#?}");
}

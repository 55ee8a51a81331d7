//! The provisioning report when the server refuses the token: the `scim_provision` command line
//! (a fixed token from `--token` or `SCIM_TOKEN`) says the token cannot be refreshed, and every
//! row ends in exactly one outcome, also when several rows are in flight at once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wfm_auth::StaticToken;
use wfm_scim::provision::{Provisioner, Report, cli, zendesk};
use wfm_scim::{Client, Flavor};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "expired-static-token-3f9a";

/// A server that answers 401 to everything, slowly enough for concurrent rows to overlap.
async fn refusing_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(401)
                .set_delay(Duration::from_millis(30))
                .set_body_json(json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "status": "401", "detail": "token expired"
                })),
        )
        .mount(&server)
        .await;
    server
}

fn agents(n: u64) -> Vec<Value> {
    (1..=n)
        .map(|i| json!({"id": i, "name": format!("Agent {i}"), "email": format!("agent{i}@example.com"), "role": "agent"}))
        .collect()
}

/// Row number → the outcomes that name it; each row must appear exactly once.
fn outcomes_by_row(report: &Report) -> BTreeMap<usize, Vec<&'static str>> {
    let mut by_row: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for f in &report.failed {
        by_row.entry(f.row).or_default().push("failed");
    }
    for s in &report.skipped {
        by_row.entry(s.row).or_default().push("skipped");
    }
    for c in &report.changes {
        by_row.entry(c.row).or_default().push("changed");
    }
    if let Some(why) = &report.aborted {
        let row: usize = why
            .strip_prefix("stopped at row ")
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("`aborted` names its row: {why}"));
        by_row.entry(row).or_default().push("aborted");
    }
    by_row
}

fn assert_one_outcome_per_row(report: &Report) {
    for (row, outcomes) in outcomes_by_row(report) {
        assert_eq!(
            outcomes.len(),
            1,
            "row {row} is listed as {outcomes:?}: {report:#?}"
        );
    }
    assert_eq!(report.accounted(), report.total, "{report:#?}");
}

#[tokio::test]
async fn a_static_token_refused_says_it_cannot_be_refreshed_and_each_row_has_one_outcome() {
    let server = refusing_server().await;
    let dir = std::env::temp_dir().join(format!("scim-outcomes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("zendesk_users.json");
    let mut rows = agents(3);
    rows.insert(1, json!({"id": 99, "name": "No Mail", "role": "agent"}));
    std::fs::write(
        &input,
        serde_json::to_vec(&json!({ "users": rows })).unwrap(),
    )
    .unwrap();

    let args = [
        "--base-url".to_owned(),
        server.uri(),
        "--input".to_owned(),
        input.display().to_string(),
    ];
    let out = cli::run(args, Some(TOKEN.to_owned())).await;
    std::fs::remove_dir_all(&dir).ok();

    assert_eq!(out.exit_code, 3, "stopped early: {}", out.stderr);
    assert!(
        out.stderr.contains("cannot be refreshed: get a new token"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("after a refresh") && !out.stderr.contains("did not help"),
        "a fixed token is never refreshed: {}",
        out.stderr
    );
    assert!(
        !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
        "the token leaked"
    );

    let report: Report = serde_json::from_str(&out.stdout).unwrap();
    assert_one_outcome_per_row(&report);
    let aborted = report.aborted.as_deref().unwrap();
    assert!(
        aborted.starts_with("stopped at row 1 (id 1): "),
        "{aborted}"
    );
    // The bad row is failed; the row that stopped the run is only in `aborted`.
    assert_eq!(
        report.failed.iter().map(|f| f.row).collect::<Vec<_>>(),
        vec![2]
    );
    assert_eq!(report.not_processed, 2);
}

#[tokio::test]
async fn concurrent_rows_stopped_by_a_401_each_end_in_one_outcome() {
    let server = refusing_server().await;
    let client = Client::builder(Flavor::Generic, server.uri())
        .token_provider(Arc::new(StaticToken::new(TOKEN)))
        .build()
        .unwrap();
    let mut rows = agents(8);
    rows.push(json!({"id": 50, "email": "customer@example.com", "role": "end-user"}));
    let report = Provisioner::new(client)
        .concurrency(4)
        .run_zendesk(rows, &zendesk::Options::default())
        .await;
    assert_eq!(report.total, 9);
    assert!(report.aborted.is_some(), "{report:#?}");
    assert_one_outcome_per_row(&report);
    // Rows already in flight when the first 401 came back failed the same way; none of them
    // is the row named in `aborted`.
    assert!((1..=3).contains(&report.failed.len()), "{report:#?}");
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.reason.starts_with("unauthorized")),
        "{report:#?}"
    );
    // The client knows a `StaticToken` cannot be refreshed, so the library says so itself
    // (without `Provisioner::fixed_token`).
    assert!(
        report
            .aborted
            .as_deref()
            .unwrap()
            .contains("cannot be refreshed"),
        "{report:#?}"
    );
}

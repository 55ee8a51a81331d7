//! Runs the `scim_provision` example binary, exactly as a user would, twice on the shipped Zendesk
//! export (`examples/data/zendesk_users.json`) against a real `scim2-server` (PyPI) on 127.0.0.1:
//! the first run creates the agents and lists the bad rows; the second creates and updates
//! nothing, lists the same bad rows, and the server holds each user once.

#[path = "support/examples.rs"]
mod examples;
#[path = "../crates/scim/tests/support/mod.rs"]
mod scim_support;

use futures::TryStreamExt;
use scim_support::{Scim2Server, TOKEN};
use serde_json::Value;
use std::process::Command;
use wfm_scim::{ListQuery, User};

/// Runs the example; returns its exit code and its report.
fn provision(server: &Scim2Server, extra: &[&str]) -> (i32, Value) {
    let input = examples::workspace_root().join("examples/data/zendesk_users.json");
    let out = Command::new(examples::example_binary("scim_provision"))
        .args(["--base-url", server.base_url().as_str(), "--input"])
        .arg(&input)
        .args(extra)
        .env("SCIM_TOKEN", TOKEN) // the documented way to keep the token off the command line
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "the report is not JSON ({e}); stdout: {stdout}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token leaked"
    );
    (out.status.code().expect("an exit code"), report)
}

fn count(report: &Value, field: &str) -> u64 {
    report[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no {field} count in {report:#}"))
}

fn failed_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["failed"]
        .as_array()
        .unwrap_or_else(|| panic!("no failed list in {report:#}"))
        .iter()
        .map(|row| row.to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_run_twice_creates_and_updates_nothing_the_second_time() {
    let server = Scim2Server::start();

    // A dry run on the empty server writes nothing.
    let (code, dry) = provision(&server, &["--dry-run"]);
    let to_create = count(&dry, "created");
    assert!(to_create >= 5, "the export has at least 5 agents: {dry:#}");
    let client = server.client();
    let none: Vec<User> = client.list(ListQuery::new()).try_collect().await.unwrap();
    assert!(none.is_empty(), "a dry run created {} users", none.len());

    let (first_code, first) = provision(&server, &[]);
    assert_eq!(count(&first, "created"), to_create, "{first:#}");
    assert_eq!(count(&first, "updated"), 0, "{first:#}");
    assert!(
        !failed_ids(&first).is_empty(),
        "the export has bad rows: {first:#}"
    );
    assert_eq!(first_code, 1, "exit code 1 when some rows failed");
    assert_eq!(code, first_code, "the dry run foresees the same failures");

    let (second_code, second) = provision(&server, &[]);
    assert_eq!(count(&second, "created"), 0, "{second:#}");
    assert_eq!(count(&second, "updated"), 0, "{second:#}");
    assert_eq!(count(&second, "unchanged"), to_create, "{second:#}");
    assert_eq!(
        failed_ids(&second),
        failed_ids(&first),
        "the same bad rows, reported again"
    );
    assert_eq!(second_code, first_code);

    // Each agent exists once, keyed by its externalId.
    let users: Vec<User> = client.list(ListQuery::new()).try_collect().await.unwrap();
    assert_eq!(users.len() as u64, to_create);
    let mut external_ids: Vec<_> = users.iter().filter_map(|u| u.external_id.clone()).collect();
    external_ids.sort();
    external_ids.dedup();
    assert_eq!(external_ids.len(), users.len(), "one user per externalId");
}

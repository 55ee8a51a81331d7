//! The schedule push (the `genesys_schedule_push` example's logic) against the Genesys stand-in,
//! with the example's own input file.

mod common;

use genesys_wfm::push;
use serde_json::{Value, json};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::genesys::GenesysOrg;
use wfm_sandbox::wiremock::MockServer;

const INPUT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/data/genesys/schedule.json"
);

async fn org(permissions: &[(&str, Option<&str>)]) -> (MockServer, GenesysOrg) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let org = GenesysOrg::mount(&server).await.require_token(&tokens);
    common::populate(&org, 2);
    org.add_activity_code("bu-1", "0", "Phones");
    org.add_activity_code("bu-1", "1", "Lunch");
    for (p, division) in permissions {
        match division {
            Some(d) => org.grant(p, d),
            None => org.grant_everywhere(p),
        }
    }
    (server, org)
}

const ALL: &[(&str, Option<&str>)] = &[
    ("wfm:businessUnit:view", None),
    ("wfm:agent:view", None),
    ("wfm:schedule:view", None),
    ("wfm:schedule:edit", None),
    ("wfm:schedule:add", None),
];

fn args(server: &MockServer, week: &str, input: &str, extra: &[&str]) -> Vec<String> {
    [
        "--base-url",
        &server.uri(),
        "--client-id",
        "id",
        "--client-secret",
        "secret",
        "--business-unit",
        "bu-1",
        "--week",
        week,
        "--input",
        input,
        "--timeout",
        "5",
    ]
    .iter()
    .chain(extra)
    .map(|s| s.to_string())
    .collect()
}

fn input_file(content: &Value) -> tempfile_path::Path {
    tempfile_path::Path::write(content)
}

/// A throwaway input file under the target directory.
mod tempfile_path {
    pub struct Path(pub std::path::PathBuf);
    impl Path {
        pub fn write(content: &serde_json::Value) -> Self {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let dir =
                std::env::temp_dir().join(format!("genesys-push-test-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("input-{n}.json"));
            std::fs::write(&path, content.to_string()).unwrap();
            Self(path)
        }
        pub fn as_str(&self) -> &str {
            self.0.to_str().unwrap()
        }
    }
    impl Drop for Path {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

#[tokio::test]
async fn an_existing_week_is_updated_with_the_schedule_and_agent_versions_and_completes() {
    let (server, org) = org(ALL).await;
    let out = push::run(args(&server, "2026-03-02", INPUT, &[]), |_| None).await;
    assert_eq!(out.exit_code, 0, "{}{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["flow"], "update");
    assert_eq!(report["scheduleId"], "sched-1");
    assert_eq!(report["status"], "Complete");
    assert_eq!(report["agents"], 2);
    assert_eq!(report["shifts"], 2);
    assert_eq!(report["skipped"], json!([]));
    assert!(
        report["operationId"]
            .as_str()
            .unwrap()
            .starts_with("sandbox-operation-")
    );
    let sent = &org.processed()[0];
    assert_eq!(sent["metadata"]["version"], 7);
    assert_eq!(sent["agentSchedules"][0]["metadata"]["version"], 1);
    assert_eq!(sent["description"], "Week 10, from the planner");
    assert!(org.download_requests().iter().all(|r| !r.had_authorization));
}

#[tokio::test]
async fn a_week_without_a_schedule_is_imported_with_one_week_and_a_default_description() {
    let (server, org) = org(ALL).await;
    let mut input: Value = serde_json::from_str(&std::fs::read_to_string(INPUT).unwrap()).unwrap();
    input.as_object_mut().unwrap().remove("description");
    for agent in input["agentSchedules"].as_array_mut().unwrap() {
        for shift in agent["shifts"].as_array_mut().unwrap() {
            let bump = |v: &mut Value| {
                let t = v.as_str().unwrap().replacen("2026-03-0", "2026-03-1", 1);
                *v = Value::String(t);
            };
            bump(&mut shift["startDate"]);
            for a in shift["activities"].as_array_mut().unwrap() {
                bump(&mut a["startDate"]);
            }
        }
    }
    let file = input_file(&input);
    let out = push::run(args(&server, "2026-03-09", file.as_str(), &[]), |_| None).await;
    assert_eq!(out.exit_code, 0, "{}{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["flow"], "import");
    assert!(
        report["scheduleId"]
            .as_str()
            .unwrap()
            .starts_with("sched-import-")
    );
    assert_eq!(org.processed()[0]["weekCount"], 1);
    assert_eq!(org.processed()[0]["description"], push::DEFAULT_DESCRIPTION);
}

#[tokio::test]
async fn a_division_without_schedule_edit_stops_the_push_before_any_write() {
    let (server, org) = org(&[
        ("wfm:businessUnit:view", None),
        ("wfm:agent:view", None),
        ("wfm:schedule:view", None),
        ("wfm:schedule:edit", Some("div-berlin")),
    ])
    .await;
    let out = push::run(args(&server, "2026-03-02", INPUT, &[]), |_| None).await;
    assert_eq!(out.exit_code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("lacks wfm:schedule:edit in division Lisbon (div-lisbon)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("lisbon-0"), "{}", out.stderr);
    assert!(!out.stderr.contains("berlin-0"), "{}", out.stderr);
    assert!(
        out.stderr.contains("grant a role with wfm:schedule:edit"),
        "{}",
        out.stderr
    );
    assert_eq!(org.writes(), Vec::<String>::new());

    // --skip-unpermitted pushes Berlin and lists Lisbon's agent; exit 1.
    let out = push::run(
        args(&server, "2026-03-02", INPUT, &["--skip-unpermitted"]),
        |_| None,
    )
    .await;
    assert_eq!(out.exit_code, 1, "{}{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["status"], "Complete");
    assert_eq!(report["agents"], 1);
    assert_eq!(
        report["skipped"],
        json!([{"userId": "lisbon-0", "permission": "wfm:schedule:edit", "divisionId": "div-lisbon", "divisionName": "Lisbon"}])
    );
    assert_eq!(
        org.processed()[0]["agentSchedules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_write_naming_the_agent_and_shift() {
    let (server, org) = org(ALL).await;
    let base: Value = serde_json::from_str(&std::fs::read_to_string(INPUT).unwrap()).unwrap();
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|v| v["agentSchedules"][0]["userId"] = json!("ghost")),
            "agent ghost is in no management unit",
        ),
        (
            Box::new(|v| {
                v["agentSchedules"][0]["shifts"][0]["activities"][0]["activityCodeId"] = json!("42")
            }),
            "unknown activity code \"42\"",
        ),
        (
            Box::new(|v| {
                v["agentSchedules"][0]["shifts"][0]["activities"][2]["lengthMinutes"] = json!(400)
            }),
            "activity 3",
        ),
        (
            Box::new(|v| {
                v["agentSchedules"][0]["shifts"][0]["startDate"] = json!("2026-03-12T07:00:00Z")
            }),
            "outside the week",
        ),
        (
            Box::new(|v| {
                let copy = v["agentSchedules"][0]["shifts"][0].clone();
                let mut later = copy.clone();
                later["startDate"] = json!("2026-03-03T10:00:00Z");
                later["activities"] = json!([]);
                v["agentSchedules"][0]["shifts"] = json!([copy, later]);
            }),
            "shifts 1 and 2 overlap",
        ),
    ];
    for (change, expected) in cases {
        let mut input = base.clone();
        change(&mut input);
        let file = input_file(&input);
        let out = push::run(args(&server, "2026-03-02", file.as_str(), &[]), |_| None).await;
        assert_eq!(out.exit_code, 2, "{expected}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(expected), "{expected}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    let dir = std::env::temp_dir().join(format!(
        "genesys-push-malformed-{}.json",
        std::process::id()
    ));
    std::fs::write(&dir, "{\"agentSchedules\": [").unwrap();
    let out = push::run(
        args(&server, "2026-03-02", dir.to_str().unwrap(), &[]),
        |_| None,
    )
    .await;
    let _ = std::fs::remove_file(&dir);
    assert_eq!(out.exit_code, 2);
    assert!(
        out.stderr.contains("not a schedule in Genesys' shape"),
        "{}",
        out.stderr
    );
    assert_eq!(org.writes(), Vec::<String>::new());
}

#[tokio::test]
async fn a_dry_run_reads_validates_and_checks_but_writes_nothing() {
    let (server, org) = org(ALL).await;
    let out = push::run(args(&server, "2026-03-02", INPUT, &["--dry-run"]), |_| None).await;
    assert_eq!(out.exit_code, 0, "{}{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["status"], "DryRun");
    assert_eq!(report["flow"], "update");
    assert_eq!(org.writes(), Vec::<String>::new());
    assert!(org.uploads().is_empty());
}

#[tokio::test]
async fn an_error_completion_exits_1_with_the_status() {
    let (server, org) = org(ALL).await;
    org.complete_with(wfm_sandbox::genesys::Completion::Error);
    let out = push::run(args(&server, "2026-03-02", INPUT, &[]), |_| None).await;
    assert_eq!(out.exit_code, 1, "{}{}", out.stdout, out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["status"], "Error");
    assert!(report["operationId"].is_string());
}

//! The `google_calendar_sync` example against the Google Calendar stand-in and its token
//! endpoint: the binary run as a user runs it (report, exit code, a second run that writes
//! nothing, no secret in its output), and its logic in-process (`calendar_google::cli`) for bad
//! arguments, bad input, a bad key file, a refused delegation and a dry run, each with nothing
//! written.

#[path = "support/examples.rs"]
mod examples;

use std::process::Command;

use calendar_google::cli::run;
use serde_json::Value;
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::google::GoogleCalendar;
use wiremock::MockServer;

fn data(name: &str) -> String {
    examples::workspace_root()
        .join("examples/data")
        .join(name)
        .display()
        .to_string()
}

fn key_file() -> String {
    examples::workspace_root()
        .join("crates/calendar-google/tests/data/service-account.json")
        .display()
        .to_string()
}

fn args(
    server: &MockServer,
    tokens: &TokenEndpoint,
    key: &str,
    input: &str,
    extra: &[&str],
) -> Vec<String> {
    let mut a: Vec<String> = [
        "--service-account",
        key,
        "--token-url",
        tokens.url(),
        "--base-url",
        &server.uri(),
        "--input",
        input,
        "--mailbox-map",
        &data("google/mailbox_map.json"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

async fn world() -> (MockServer, TokenEndpoint, GoogleCalendar) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/token").await;
    let google = GoogleCalendar::mount(&server).await.require_token(&tokens);
    (server, tokens, google)
}

fn writes(g: &GoogleCalendar) -> usize {
    g.requests_of("POST") + g.requests_of("PATCH") + g.requests_of("DELETE")
}

/// Runs the example binary; its exit code, stdout and stderr.
async fn run_binary(args: Vec<String>) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(examples::example_binary("google_calendar_sync"))
            .args(&args)
            .output()
            .expect("the example runs");
        (
            out.status.code().expect("an exit code"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_mirrors_the_data_then_writes_nothing_the_second_time() {
    let (server, tokens, google) = world().await;
    let a = args(
        &server,
        &tokens,
        &key_file(),
        &data("google/shifts.json"),
        &["--batch", "50"],
    );
    let (code, stdout, stderr) = run_binary(a.clone()).await;
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["mailboxes"], 2);
    assert_eq!(report["created"], 3, "the cancelled shift has no event");
    assert_eq!(google.events("jane.doe@example.com").len(), 2);
    let sam = google.events("sam.lee@example.com");
    assert_eq!(sam.len(), 1);
    assert_eq!(sam[0]["transparency"], "transparent");
    assert_eq!(sam[0]["start"]["timeZone"], "America/New_York");
    assert_eq!(sam[0]["start"]["dateTime"], "2026-03-30T09:00:00-04:00");
    assert_eq!(sam[0]["id"], calendar_google::event_id("shift-2001"));
    assert_eq!(tokens.requests_for("jane.doe@example.com"), 1);
    // Nothing secret in what it printed.
    let key = std::fs::read_to_string(key_file()).unwrap();
    let private: Value = serde_json::from_str(&key).unwrap();
    let pem_line = private["private_key"]
        .as_str()
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    for issued in tokens.issued() {
        assert!(!stdout.contains(&issued.access_token) && !stderr.contains(&issued.access_token));
    }
    assert!(!stdout.contains(&pem_line) && !stderr.contains(&pem_line));

    google.reset_counts();
    let (code, stdout, stderr) = run_binary(a).await;
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(writes(&google), 0);
}

#[tokio::test]
async fn bad_arguments_bad_input_and_a_bad_key_exit_2_with_nothing_sent() {
    let (server, tokens, google) = world().await;
    let no_key =
        std::env::temp_dir().join(format!("wfm-google-no-key-{}.json", std::process::id()));
    std::fs::write(
        &no_key,
        r#"{"type": "service_account", "client_email": "x@p.iam.gserviceaccount.com", "client_id": "1"}"#,
    )
    .unwrap();
    let no_key = no_key.display().to_string();
    let key = key_file();
    for (key, input, extra, expect) in [
        (key.as_str(), data("shifts_bad_end.json"), vec![], ""),
        (key.as_str(), data("shifts_bad_timezone.json"), vec![], ""),
        (key.as_str(), data("shifts_malformed.json"), vec![], ""),
        (
            key.as_str(),
            data("google/shifts.json"),
            vec!["--conflict", "override"],
            "override",
        ),
        (
            key.as_str(),
            data("google/shifts.json"),
            vec!["--bogus"],
            "--bogus",
        ),
        (
            key.as_str(),
            data("google/shifts.json"),
            vec!["--batch", "5000"],
            "--batch",
        ),
        (
            no_key.as_str(),
            data("google/shifts.json"),
            vec![],
            "`private_key`",
        ),
        (
            "/nonexistent/key.json",
            data("google/shifts.json"),
            vec![],
            "key.json",
        ),
    ] {
        let out = run(args(&server, &tokens, key, &input, &extra)).await;
        assert_eq!(out.exit_code, 2, "{input} {extra:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
        assert!(out.stderr.contains(expect), "{}", out.stderr);
    }
    let _ = std::fs::remove_file(&no_key);
    assert_eq!(google.requests(), 0);
    assert_eq!(tokens.requests(), 0);
}

#[tokio::test]
async fn a_refused_delegation_exits_2_naming_the_fix_before_any_calendar_request() {
    let (server, tokens, google) = world().await;
    tokens.authorise_delegation(Some(&[]));
    let out = run(args(
        &server,
        &tokens,
        &key_file(),
        &data("google/shifts.json"),
        &[],
    ))
    .await;
    assert_eq!(out.exit_code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("domain-wide delegation")
            && out.stderr.contains("112233445566778899000")
            && out.stderr.contains("calendar.events"),
        "{}",
        out.stderr
    );
    assert_eq!(google.requests(), 0);
    assert_eq!(tokens.requests(), 1);
}

#[tokio::test]
async fn a_dry_run_reports_the_plan_and_writes_nothing() {
    let (server, tokens, google) = world().await;
    let out = run(args(
        &server,
        &tokens,
        &key_file(),
        &data("google/shifts.json"),
        &["--dry-run"],
    ))
    .await;
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["dry_run"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(writes(&google), 0);
    assert!(google.events("jane.doe@example.com").is_empty());
}

#[tokio::test]
async fn override_needs_its_own_flag_and_then_reports_the_displaced_events() {
    let (server, tokens, google) = world().await;
    google.insert(
        "jane.doe@example.com",
        serde_json::json!({"summary": "Dentist",
            "start": {"dateTime": "2026-03-30T09:00:00+02:00"},
            "end": {"dateTime": "2026-03-30T10:00:00+02:00"}}),
    );
    let input = data("google/shifts.json");
    let out = run(args(
        &server,
        &tokens,
        &key_file(),
        &input,
        &["--conflict", "override"],
    ))
    .await;
    assert_eq!(out.exit_code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--allow-deleting-their-events"),
        "{}",
        out.stderr
    );
    assert_eq!(google.requests(), 0);
    let out = run(args(
        &server,
        &tokens,
        &key_file(),
        &input,
        &["--conflict", "override", "--allow-deleting-their-events"],
    ))
    .await;
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["displaced"].as_u64()),
        (Some(3), Some(1))
    );
    let jane = google.all_events("jane.doe@example.com");
    let dentist = jane.iter().find(|e| e["summary"] == "Dentist").unwrap();
    assert_eq!(dentist["status"], "cancelled");
}

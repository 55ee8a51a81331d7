//! The conflict policy `override`, the one place the sync deletes events it did not create, on
//! the Graph stand-in through the example's logic: refused without its explicit opt-in (nothing
//! sent); with it, exactly the person's busy events that overlap a shift are deleted (a free
//! one, one outside every shift and ours are kept), once; and a mailbox whose own writes failed
//! loses nothing.

use std::path::PathBuf;

use calendar_graph::cli::run;
use calendar_sync::{CalendarBackend, ConflictPolicy, SyncError, SyncOptions, sync};
use serde_json::{Value, json};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::graph::GraphCalendar;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JANE: &str = "jane.doe@contoso.example";

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
        .display()
        .to_string()
}

fn args(server: &MockServer, token_url: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--client-id",
        "id",
        "--token-url",
        token_url,
        "--base-url",
        &format!("{}/v1.0/", server.uri()),
        "--input",
        &data("graph/shifts.json"),
        "--mailbox-map",
        &data("graph/mailbox_map.json"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// A person's own event, in UTC.
fn theirs(subject: &str, start: &str, end: &str, show_as: &str) -> Value {
    json!({
        "subject": subject,
        "start": {"dateTime": start, "timeZone": "UTC"},
        "end": {"dateTime": end, "timeZone": "UTC"},
        "showAs": show_as,
    })
}

/// Jane's shifts in examples/data/graph/shifts.json: 2026-03-28 21:00Z to 03-29 04:00Z and
/// 2026-03-30 06:00Z to 14:00Z. Her own events: two overlapping busy ones, an overlapping free
/// one, and one on a day without a shift.
fn janes_own_events(graph: &GraphCalendar) -> [String; 4] {
    [
        graph.insert(
            JANE,
            theirs(
                "Dentist",
                "2026-03-30T09:00:00",
                "2026-03-30T10:00:00",
                "busy",
            ),
        ),
        graph.insert(
            JANE,
            theirs(
                "Late call",
                "2026-03-28T20:00:00",
                "2026-03-28T22:00:00",
                "busy",
            ),
        ),
        graph.insert(
            JANE,
            theirs(
                "Reminder",
                "2026-03-30T12:00:00",
                "2026-03-30T12:15:00",
                "free",
            ),
        ),
        graph.insert(
            JANE,
            theirs(
                "Day off trip",
                "2026-04-02T09:00:00",
                "2026-04-02T17:00:00",
                "busy",
            ),
        ),
    ]
}

fn ids(graph: &GraphCalendar, mailbox: &str) -> Vec<String> {
    graph
        .events(mailbox)
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn override_without_its_opt_in_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
    let out = run(
        args(&server, tokens.url(), &["--conflict", "override"]),
        Some("s".into()),
    )
    .await;
    assert_eq!(out.exit_code, 2);
    assert!(
        out.stderr.contains("--allow-deleting-their-events"),
        "{}",
        out.stderr
    );
    assert_eq!((graph.requests(), tokens.requests()), (0, 0));
}

#[tokio::test]
async fn override_deletes_only_the_persons_busy_overlapping_events_once() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
    let [dentist, late_call, reminder, trip] = janes_own_events(&graph);
    let opt_in = ["--conflict", "override", "--allow-deleting-their-events"];

    // A dry run says how many would go and deletes nothing.
    let mut dry = opt_in.to_vec();
    dry.push("--dry-run");
    let out = run(args(&server, tokens.url(), &dry), Some("s".into())).await;
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["displaced"], 2);
    assert_eq!(graph.requests_of("DELETE"), 0);

    let out = run(args(&server, tokens.url(), &opt_in), Some("s".into())).await;
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["displaced"].as_u64()),
        (Some(3), Some(2))
    );
    let left = ids(&graph, JANE);
    assert!(
        !left.contains(&dentist) && !left.contains(&late_call),
        "{left:?}"
    );
    assert!(left.contains(&reminder) && left.contains(&trip), "{left:?}");
    let ours: Vec<Value> = graph
        .events(JANE)
        .into_iter()
        .filter(|e| e.get("singleValueExtendedProperties").is_some())
        .collect();
    assert_eq!(ours.len(), 2, "both of Jane's shifts have their event");
    assert!(ours.iter().all(|e| e["showAs"] == "busy"));

    // A second run: ours are right and nothing of hers overlaps any more.
    graph.reset_counts();
    let out = run(args(&server, tokens.url(), &opt_in), Some("s".into())).await;
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["displaced"], 0);
    assert_eq!(
        graph.requests_of("POST") + graph.requests_of("PATCH") + graph.requests_of("DELETE"),
        0
    );
}

#[tokio::test]
async fn a_mailbox_whose_own_writes_fail_loses_none_of_its_events() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
    let before = janes_own_events(&graph);
    // Jane's creates are refused (a 403 is not retried); her events can still be listed.
    Mock::given(method("POST"))
        .and(path_regex("/users/jane[^/]*/events$"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": {"code": "ErrorAccessDenied", "message": "Access is denied."}
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    let out = run(
        args(
            &server,
            tokens.url(),
            &["--conflict", "override", "--allow-deleting-their-events"],
        ),
        Some("s".into()),
    )
    .await;
    assert_eq!(out.exit_code, 1, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["displaced"], 0);
    assert_eq!(graph.requests_of("DELETE"), 0);
    let left = ids(&graph, JANE);
    assert!(before.iter().all(|id| left.contains(id)), "{left:?}");
}

/// A backend that cannot list a mailbox's events (the trait's defaults).
struct NoWindow;

impl CalendarBackend for NoWindow {
    type Error = std::io::Error;
    fn preflight(&self) -> futures::future::BoxFuture<'_, Result<(), Self::Error>> {
        panic!("override must be refused before the preflight")
    }
    fn list_ours<'a>(
        &'a self,
        _: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<Vec<calendar_sync::OurEvent>, Self::Error>> {
        unreachable!()
    }
    fn create<'a>(
        &'a self,
        _: &'a str,
        _: &'a calendar_sync::Desired,
    ) -> futures::future::BoxFuture<'a, Result<(), Self::Error>> {
        unreachable!()
    }
    fn update<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: &'a calendar_sync::Desired,
    ) -> futures::future::BoxFuture<'a, Result<(), Self::Error>> {
        unreachable!()
    }
    fn delete<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<(), Self::Error>> {
        unreachable!()
    }
}

#[tokio::test]
async fn a_backend_that_cannot_list_a_window_refuses_override_before_any_request() {
    let options = SyncOptions {
        conflict: ConflictPolicy::Override,
        ..SyncOptions::default()
    };
    let err = sync(&NoWindow, &Default::default(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::OverrideUnsupported), "{err}");
    assert!(err.to_string().contains("use `keep` or `busy`"), "{err}");
}

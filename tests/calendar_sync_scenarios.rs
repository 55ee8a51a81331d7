//! The sync engine's scenarios, written once and run against both backends, each on its
//! stateful stand-in over HTTP: Microsoft Graph (`calendar-graph` on `wfm_sandbox::graph`) and
//! Google Calendar (`calendar-google` on `wfm_sandbox::google`).
//!
//! 200 mailboxes × 20 shifts are created once with faults injected (throttling, committed
//! writes whose answer is lost, dropped connections), a rerun writes nothing, a moved shift is
//! one update, a removed and a cancelled shift are one delete each, a person's own events
//! (one overlapping a shift, one an exact untagged copy of a shift) are never touched, a
//! person's edit to one of ours is corrected with one write, and a removed shift that comes
//! back has exactly one event again.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use calendar_sync::{CalendarBackend, SyncOptions, SyncReport, by_mailbox, sync};
use chrono::{TimeZone, Utc};
use ical_feed::Shift;
use serde_json::{Value, json};
use wfm_http::{CircuitBreaker, RetryPolicy};
use wfm_sandbox::TokenEndpoint;
use wiremock::MockServer;

const MAILBOXES: usize = 200;
const SHIFTS: usize = 20;

/// A stand-in and a backend on it: what differs between the two platforms.
trait Harness: Sized {
    type Backend: CalendarBackend;
    /// A stand-in with a little latency and a backend through a front that drops a few
    /// connections.
    async fn start() -> Self;
    fn backend(&self) -> &Self::Backend;
    /// Adds a person's own (untagged) event.
    fn add_theirs(&self, mailbox: &str, subject: &str, start: &str, end: &str, copy_of_shift: bool);
    /// Adds a person's own event that shows them as free.
    fn add_free(&self, mailbox: &str, subject: &str, start: &str, end: &str);
    /// The live events of a mailbox, as the stand-in holds them.
    fn events(&self, mailbox: &str) -> Vec<Value>;
    /// Whether an event carries our tag.
    fn is_ours(event: &Value) -> bool;
    fn subject_of(event: &Value) -> String;
    /// Live events of a mailbox carrying our tag, and the others.
    fn ours(&self, mailbox: &str) -> Vec<Value> {
        self.events(mailbox)
            .into_iter()
            .filter(Self::is_ours)
            .collect()
    }
    fn theirs(&self, mailbox: &str) -> Vec<Value> {
        self.events(mailbox)
            .into_iter()
            .filter(|e| !Self::is_ours(e))
            .collect()
    }
    fn id_of(event: &Value) -> String {
        event["id"].as_str().unwrap_or_default().to_owned()
    }
    /// A person changes the title and free/busy of one of ours.
    fn person_edits(&self, mailbox: &str, id: &str);
    /// Throttling and committed-but-unanswered creates on (or off).
    fn faults(&self, on: bool);
    /// How many injected faults the stand-in and the front produced.
    fn faults_seen(&self) -> usize;
    /// Requests over the platform's own limit that the stand-in saw (Outlook's 4 concurrent
    /// requests per mailbox; Google's requests per user per minute): 0 when the client keeps it.
    fn limit_violations(&self) -> usize;
    /// Creates, updates, deletes received since the last reset.
    fn writes(&self) -> (usize, usize, usize);
    fn reset_counts(&self);
}

fn shift_json(m: usize, s: usize, hour_shift: i64) -> Value {
    let day = Utc.with_ymd_and_hms(2026, 3, 23, 6, 0, 0).unwrap()
        + chrono::Duration::days(s as i64 / 2)
        + chrono::Duration::hours(8 * (s as i64 % 2) + hour_shift);
    let tz = match (m + s) % 3 {
        0 => json!("Europe/Paris"),
        1 => json!("America/New_York"),
        _ => Value::Null,
    };
    json!({
        "id": format!("shift-{m}-{s}"),
        "agent": mailbox(m),
        "start": day.to_rfc3339(),
        "end": (day + chrono::Duration::hours(8)).to_rfc3339(),
        "last_modified": "2026-03-01T00:00:00Z",
        "timezone": tz,
        "summary": "Phone queue",
        "description": "Shift from WFM.\nDo not edit.",
        "location": "Site A",
        "categories": ["Support"],
    })
}

fn mailbox(m: usize) -> String {
    format!("agent-{m}@example.com")
}

fn shifts(edit: impl Fn(usize, usize, &mut Value) -> bool) -> BTreeMap<String, Vec<Shift>> {
    let mut all = Vec::new();
    for m in 0..MAILBOXES {
        for s in 0..SHIFTS {
            let mut v = shift_json(m, s, 0);
            if edit(m, s, &mut v) {
                all.push(v);
            }
        }
    }
    let parsed = ical_feed::json::shifts_from_json(&Value::Array(all).to_string()).unwrap();
    by_mailbox(parsed, &HashMap::new())
}

fn options() -> SyncOptions {
    SyncOptions {
        mailbox_concurrency: MAILBOXES,
        run_id: "scenario-run".into(),
        ..SyncOptions::default()
    }
}

fn assert_clean(report: &SyncReport) {
    assert_eq!(
        report.counts.failed,
        0,
        "{:#?}",
        &report.failures[..report.failures.len().min(3)]
    );
}

fn retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(6)
        .base_delay(Duration::from_millis(20))
}

async fn scenarios<H: Harness>() {
    let h = H::start().await;
    let backend = h.backend();
    let mut theirs_before = Vec::new();
    for m in 0..MAILBOXES {
        let mb = mailbox(m);
        h.add_theirs(
            &mb,
            "Dentist",
            "2026-03-23T09:00:00",
            "2026-03-23T10:00:00",
            false,
        );
        h.add_theirs(
            &mb,
            "Phone queue",
            "2026-03-24T06:00:00",
            "2026-03-24T14:00:00",
            true,
        );
        theirs_before.push(h.theirs(&mb));
    }

    // Run 1, with faults: every shift created once, no duplicate, their events untouched.
    h.faults(true);
    let input = shifts(|_, _, _| true);
    let started = std::time::Instant::now();
    let report = sync(backend, &input, &options()).await.unwrap();
    eprintln!("first run: {:?}", started.elapsed());
    assert_clean(&report);
    assert_eq!(report.counts.created, (MAILBOXES * SHIFTS) as u64);
    assert!(h.faults_seen() > 0, "faults were injected");
    for (m, before) in theirs_before.iter().enumerate() {
        let mb = mailbox(m);
        assert_eq!(h.ours(&mb).len(), SHIFTS, "{mb}: one event per shift");
        assert_eq!(&h.theirs(&mb), before, "{mb}");
    }
    h.faults(false);

    // Run 2: nothing changed, nothing written.
    h.reset_counts();
    let started = std::time::Instant::now();
    let report = sync(backend, &input, &options()).await.unwrap();
    eprintln!("second run: {:?}", started.elapsed());
    assert_clean(&report);
    assert_eq!(h.writes(), (0, 0, 0));
    assert_eq!(report.counts.unchanged, (MAILBOXES * SHIFTS) as u64);

    // Run 3: one shift moved (1 update), one removed and one cancelled (1 delete each).
    h.reset_counts();
    let moved = |m, s, v: &mut Value| {
        if (m, s) == (0, 3) {
            *v = shift_json(0, 3, 1);
        }
        if (m, s) == (2, 7) {
            v["status"] = json!("cancelled");
        }
        (m, s) != (1, 5)
    };
    let input = shifts(moved);
    let report = sync(backend, &input, &options()).await.unwrap();
    assert_clean(&report);
    assert_eq!(h.writes(), (0, 1, 2));
    assert_eq!((report.counts.updated, report.counts.deleted), (1, 2));
    assert_eq!(h.ours(&mailbox(1)).len(), SHIFTS - 1);
    assert_eq!(h.ours(&mailbox(2)).len(), SHIFTS - 1);

    // Run 4: a person edits one of ours: one corrective write, then nothing.
    let mb = mailbox(4);
    let id = H::id_of(&h.ours(&mb)[0]);
    h.person_edits(&mb, &id);
    h.reset_counts();
    let report = sync(backend, &input, &options()).await.unwrap();
    assert_clean(&report);
    assert_eq!(report.counts.updated, 1);
    let (c, u, d) = h.writes();
    assert_eq!((c, d), (0, 0));
    assert!(u <= 1, "at most one write corrects an edit, got {u}");
    let fixed = h.ours(&mb).into_iter().find(|e| H::id_of(e) == id).unwrap();
    assert_eq!(H::subject_of(&fixed), "Phone queue");
    h.reset_counts();
    let report = sync(backend, &input, &options()).await.unwrap();
    assert_clean(&report);
    assert_eq!(h.writes(), (0, 0, 0));

    // Run 5: the removed shift comes back: one event for it again, not two.
    let input = shifts(|m, s, v| moved(m, s, v) || (m, s) == (1, 5));
    let report = sync(backend, &input, &options()).await.unwrap();
    assert_clean(&report);
    assert_eq!(report.counts.created, 1);
    assert_eq!(h.ours(&mailbox(1)).len(), SHIFTS);

    // Through all runs, their events were never touched, and the platform's limit was kept.
    for (m, before) in theirs_before.iter().enumerate() {
        assert_eq!(&h.theirs(&mailbox(m)), before);
    }
    assert_eq!(h.limit_violations(), 0);
}

/// `ConflictPolicy::Override`: a person's busy events overlapping a shift are deleted (after
/// our writes), their free ones and those outside the shifts are kept, a dry run only counts,
/// and a rerun deletes nothing more.
async fn override_scenario<H: Harness>() {
    let h = H::start().await;
    let backend = h.backend();
    let n = 3;
    for m in 0..n {
        let mb = mailbox(m);
        h.add_theirs(
            &mb,
            "Dentist",
            "2026-03-23T09:00:00",
            "2026-03-23T10:00:00",
            false,
        );
        h.add_free(
            &mb,
            "Focus time",
            "2026-03-23T11:00:00",
            "2026-03-23T12:00:00",
        );
        h.add_theirs(
            &mb,
            "Later",
            "2026-03-26T09:00:00",
            "2026-03-26T10:00:00",
            false,
        );
    }
    let input = shifts(|m, s, _| m < n && s < 4);
    let opts = |dry_run| SyncOptions {
        conflict: calendar_sync::ConflictPolicy::Override,
        dry_run,
        ..options()
    };
    let report = sync(backend, &input, &opts(true)).await.unwrap();
    assert_eq!((report.counts.created, report.counts.displaced), (12, 3));
    assert_eq!(h.writes(), (0, 0, 0), "a dry run writes nothing");
    let report = sync(backend, &input, &opts(false)).await.unwrap();
    assert_clean(&report);
    assert_eq!((report.counts.created, report.counts.displaced), (12, 3));
    for m in 0..n {
        let mb = mailbox(m);
        let left: Vec<String> = h.theirs(&mb).iter().map(H::subject_of).collect();
        assert_eq!(left, ["Focus time", "Later"], "{mb}");
        assert_eq!(h.ours(&mb).len(), 4);
    }
    h.reset_counts();
    let report = sync(backend, &input, &opts(false)).await.unwrap();
    assert_eq!((report.counts.displaced, report.counts.unchanged), (0, 12));
    assert_eq!(h.writes(), (0, 0, 0));
}

mod graph {
    use super::*;
    use calendar_graph::scopes::CalendarsReadWrite;
    use calendar_graph::{Client, GraphBackend, graph_platform};
    use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE};
    use wfm_sandbox::DropConnections;
    use wfm_sandbox::graph::GraphCalendar;

    pub struct Graph {
        graph: GraphCalendar,
        front: DropConnections,
        backend: GraphBackend,
        _server: MockServer,
    }

    fn tagged(e: &Value) -> bool {
        e.get("singleValueExtendedProperties").is_some()
    }

    impl Harness for Graph {
        type Backend = GraphBackend;

        async fn start() -> Self {
            let server = MockServer::start().await;
            let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
            let graph = GraphCalendar::mount(&server)
                .await
                .require_token(&tokens)
                .latency(Duration::from_millis(3));
            let front = DropConnections::in_front_of(&server, 3).await.unwrap();
            let credentials = ClientCredentials::new(tokens.url(), "client-id", "client-secret")
                .auth_style(ClientAuth::RequestBody)
                .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE);
            let platform = graph_platform::<CalendarsReadWrite>(credentials)
                .unwrap()
                .retry(retry())
                .timeout(Duration::from_secs(5))
                .circuit_breaker(Some(CircuitBreaker::new(200, Duration::from_secs(5))))
                .build()
                .unwrap();
            let client = Client::new(&platform, format!("{}/v1.0/", front.uri())).unwrap();
            Self {
                graph,
                front,
                backend: GraphBackend::new(client).page_size(50),
                _server: server,
            }
        }
        fn backend(&self) -> &GraphBackend {
            &self.backend
        }
        fn add_theirs(&self, mailbox: &str, subject: &str, start: &str, end: &str, copy: bool) {
            let mut e = json!({"subject": subject,
                "start": {"dateTime": start, "timeZone": "UTC"},
                "end": {"dateTime": end, "timeZone": "UTC"}});
            if copy {
                e["body"] =
                    json!({"contentType": "text", "content": "Shift from WFM.\nDo not edit."});
                e["location"] = json!({"displayName": "Site A"});
                e["showAs"] = json!("tentative");
                e["categories"] = json!(["WFM shift", "Support"]);
            }
            self.graph.insert(mailbox, e);
        }
        fn add_free(&self, mailbox: &str, subject: &str, start: &str, end: &str) {
            self.graph.insert(
                mailbox,
                json!({"subject": subject, "showAs": "free",
                    "start": {"dateTime": start, "timeZone": "UTC"},
                    "end": {"dateTime": end, "timeZone": "UTC"}}),
            );
        }
        fn events(&self, mailbox: &str) -> Vec<Value> {
            self.graph.events(mailbox)
        }
        fn is_ours(e: &Value) -> bool {
            tagged(e)
        }
        fn subject_of(e: &Value) -> String {
            e["subject"].as_str().unwrap_or_default().to_owned()
        }
        fn person_edits(&self, mailbox: &str, id: &str) {
            assert!(self.graph.edit(
                mailbox,
                id,
                json!({"subject": "Lunch with Sam", "showAs": "free"})
            ));
        }
        fn faults(&self, on: bool) {
            self.graph.throttle_every(if on { 97 } else { 0 });
            if on {
                self.graph.lose_answers_after_commit(5);
            }
        }
        fn faults_seen(&self) -> usize {
            self.graph.throttled() + self.graph.lost_answers() + self.front.dropped()
        }
        fn limit_violations(&self) -> usize {
            self.graph.concurrency_violations()
        }
        fn writes(&self) -> (usize, usize, usize) {
            (
                self.graph.requests_of("POST"),
                self.graph.requests_of("PATCH"),
                self.graph.requests_of("DELETE"),
            )
        }
        fn reset_counts(&self) {
            self.graph.reset_counts();
        }
    }
}

mod google {
    use super::*;
    use calendar_google::{
        CalendarEvents, Client, GoogleBackend, delegated_tokens, google_platform, is_slow_down,
    };
    use wfm_auth::google::ServiceAccountKey;
    use wfm_sandbox::DropConnections;
    use wfm_sandbox::google::GoogleCalendar;

    pub struct Google {
        google: GoogleCalendar,
        front: DropConnections,
        backend: GoogleBackend,
        _server: MockServer,
    }

    fn tagged(e: &Value) -> bool {
        e["extendedProperties"]["private"]["wfmSync"] == "v1"
    }

    impl Harness for Google {
        type Backend = GoogleBackend;

        async fn start() -> Self {
            let server = MockServer::start().await;
            let tokens = TokenEndpoint::mount(&server, "/token").await;
            let google = GoogleCalendar::mount(&server)
                .await
                .require_token(&tokens)
                .latency(Duration::from_millis(3));
            let front = DropConnections::in_front_of(&server, 3).await.unwrap();
            let key = ServiceAccountKey::from_json(include_str!(
                "../crates/calendar-google/tests/data/service-account.json"
            ))
            .unwrap()
            .with_token_uri(tokens.url());
            let platform = google_platform::<CalendarEvents>()
                .retry(retry())
                .retryable_answer(is_slow_down)
                .timeout(Duration::from_secs(5))
                .circuit_breaker(Some(CircuitBreaker::new(200, Duration::from_secs(5))))
                .build()
                .unwrap();
            let client = Client::new(
                &platform,
                front.uri(),
                delegated_tokens::<CalendarEvents>(key).unwrap(),
            )
            .unwrap();
            Self {
                google,
                front,
                backend: GoogleBackend::new(client).page_size(50),
                _server: server,
            }
        }
        fn backend(&self) -> &GoogleBackend {
            &self.backend
        }
        fn add_theirs(&self, mailbox: &str, subject: &str, start: &str, end: &str, copy: bool) {
            let mut e = json!({"summary": subject,
                "start": {"dateTime": format!("{start}Z"), "timeZone": "UTC"},
                "end": {"dateTime": format!("{end}Z"), "timeZone": "UTC"}});
            if copy {
                e["description"] = json!("Shift from WFM.\nDo not edit.");
                e["location"] = json!("Site A");
                e["transparency"] = json!("transparent");
            }
            self.google.insert(mailbox, e);
        }
        fn add_free(&self, mailbox: &str, subject: &str, start: &str, end: &str) {
            self.google.insert(
                mailbox,
                json!({"summary": subject, "transparency": "transparent",
                    "start": {"dateTime": format!("{start}Z")},
                    "end": {"dateTime": format!("{end}Z")}}),
            );
        }
        fn events(&self, mailbox: &str) -> Vec<Value> {
            self.google.events(mailbox)
        }
        fn is_ours(e: &Value) -> bool {
            tagged(e)
        }
        fn subject_of(e: &Value) -> String {
            e["summary"].as_str().unwrap_or_default().to_owned()
        }
        fn person_edits(&self, mailbox: &str, id: &str) {
            assert!(self.google.edit(
                mailbox,
                id,
                json!({"summary": "Lunch with Sam", "transparency": "opaque"})
            ));
        }
        fn faults(&self, on: bool) {
            self.google.slow_down_every(if on { 97 } else { 0 });
            if on {
                self.google.drop_after_commit(5);
            }
        }
        fn faults_seen(&self) -> usize {
            self.google.slowed() + self.google.lost_answers() + self.front.dropped()
        }
        fn limit_violations(&self) -> usize {
            self.google.user_limit_violations()
        }
        fn writes(&self) -> (usize, usize, usize) {
            (
                self.google.requests_of("POST"),
                self.google.requests_of("PATCH"),
                self.google.requests_of("DELETE"),
            )
        }
        fn reset_counts(&self) {
            self.google.reset_counts();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn graph_backend_scenarios() {
    scenarios::<graph::Graph>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn google_backend_scenarios() {
    scenarios::<google::Google>().await;
}

#[tokio::test]
async fn graph_backend_override() {
    override_scenario::<graph::Graph>().await;
}

#[tokio::test]
async fn google_backend_override() {
    override_scenario::<google::Google>().await;
}

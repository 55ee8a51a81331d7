//! The sync engine against the stateful Graph stand-in: 200 mailboxes × 20 shifts with 429s,
//! lost answers and dropped connections; reruns, moves, removals, edits, cancellations; the
//! per-mailbox limit; and the start-up permission check.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use base64::Engine as _;
use calendar_graph::scopes::CalendarsReadWrite;
use calendar_graph::sync::{SyncError, SyncOptions, SyncReport, by_mailbox, sync};
use calendar_graph::{Client, Error, GraphBackend, graph_platform};
use chrono::{TimeZone, Utc};
use ical_feed::Shift;
use serde_json::{Value, json};
use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE};
use wfm_http::{CircuitBreaker, RetryPolicy};
use wfm_sandbox::graph::GraphCalendar;
use wfm_sandbox::{DropConnections, TokenEndpoint};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MAILBOXES: usize = 200;
const SHIFTS: usize = 20;

fn credentials(url: &str) -> ClientCredentials {
    ClientCredentials::new(url, "client-id", "client-secret")
        .auth_style(ClientAuth::RequestBody)
        .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE)
}

fn backend(token_url: &str, base: &str) -> GraphBackend {
    let platform = graph_platform::<CalendarsReadWrite>(credentials(token_url))
        .unwrap()
        .retry(
            RetryPolicy::default()
                .max_attempts(6)
                .base_delay(Duration::from_millis(20)),
        )
        .timeout(Duration::from_secs(5))
        // The default breaker (per host, shared by all mailboxes) can open when several
        // injected faults and load-induced timeouts line up on 2 cores; this test is about
        // idempotency, not the breaker.
        .circuit_breaker(Some(CircuitBreaker::new(200, Duration::from_secs(5))))
        .build()
        .unwrap();
    GraphBackend::new(Client::new(&platform, format!("{base}/v1.0/")).unwrap()).page_size(7)
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
        "agent": format!("agent-{m}@contoso.example"),
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

fn writes(graph: &GraphCalendar) -> (usize, usize, usize) {
    (
        graph.requests_of("POST"),
        graph.requests_of("PATCH"),
        graph.requests_of("DELETE"),
    )
}

fn tagged(graph: &GraphCalendar, mailbox: &str) -> Vec<Value> {
    graph
        .events(mailbox)
        .into_iter()
        .filter(|e| e.get("singleValueExtendedProperties").is_some())
        .collect()
}

fn options() -> SyncOptions {
    SyncOptions {
        mailbox_concurrency: MAILBOXES,
        run_id: "test-run".into(),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_mailboxes_created_once_then_stable_then_minimal() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server)
        .await
        .require_token(&tokens)
        .latency(Duration::from_millis(3));
    let front = DropConnections::in_front_of(&server, 3).await.unwrap();
    let backend = backend(tokens.url(), &front.uri());

    // Each person has an event of their own overlapping a shift, and an exact untagged copy of one.
    let mut theirs = Vec::new();
    for m in 0..MAILBOXES {
        let mb = format!("agent-{m}@contoso.example");
        let overlap = graph.insert(
            &mb,
            json!({"subject": "Dentist",
            "start": {"dateTime": "2026-03-23T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-23T10:00:00", "timeZone": "UTC"}}),
        );
        let copy = graph.insert(
            &mb,
            json!({"subject": "Phone queue",
            "body": {"contentType": "text", "content": "Shift from WFM.\nDo not edit."},
            "start": {"dateTime": "2026-03-24T06:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-24T14:00:00", "timeZone": "UTC"},
            "location": {"displayName": "Site A"}, "showAs": "tentative",
            "categories": ["WFM shift", "Support"]}),
        );
        theirs.push((mb, overlap, copy));
    }
    let before: Vec<Vec<Value>> = theirs.iter().map(|(mb, _, _)| graph.events(mb)).collect();

    // Run 1: 429s every 97th request, 5 creates whose answer is lost after the commit.
    graph.throttle_every(97);
    graph.lose_answers_after_commit(5);
    let input = shifts(|_, _, _| true);
    let started = std::time::Instant::now();
    let report = sync(&backend, &input, &options()).await.unwrap();
    let first = started.elapsed();
    assert_clean(&report);
    assert_eq!(report.counts.created, (MAILBOXES * SHIFTS) as u64);
    assert_eq!(graph.lost_answers(), 5);
    assert!(graph.throttled() > 0);
    assert!(front.dropped() >= 1);
    for (i, (mb, _, _)) in theirs.iter().enumerate() {
        let ours = tagged(&graph, mb);
        assert_eq!(
            ours.len(),
            SHIFTS,
            "{mb}: one event per shift, no duplicate"
        );
        let all = graph.events(mb);
        // Their events are exactly as they were.
        assert_eq!(&all[..2], &before[i][..], "{mb}");
    }
    assert!(
        graph.max_in_flight() <= 4,
        "max in flight {}",
        graph.max_in_flight()
    );
    assert_eq!(graph.concurrency_violations(), 0);
    assert_eq!(graph.missing_prefer(), 0);
    eprintln!(
        "first run: {first:?}, {} requests for {} events",
        graph.requests(),
        MAILBOXES * SHIFTS
    );

    // Run 2: nothing changed, nothing written.
    graph.throttle_every(0);
    graph.reset_counts();
    let report = sync(&backend, &input, &options()).await.unwrap();
    assert_clean(&report);
    assert_eq!(writes(&graph), (0, 0, 0));
    assert_eq!(report.counts.unchanged, (MAILBOXES * SHIFTS) as u64);

    // Run 3: one shift moved, one removed, one cancelled.
    graph.reset_counts();
    let input = shifts(|m, s, v| {
        if (m, s) == (0, 3) {
            *v = shift_json(0, 3, 1);
        }
        if (m, s) == (2, 7) {
            v["status"] = json!("cancelled");
        }
        (m, s) != (1, 5)
    });
    let report = sync(&backend, &input, &options()).await.unwrap();
    assert_clean(&report);
    assert_eq!(writes(&graph), (0, 1, 2));
    assert_eq!((report.counts.updated, report.counts.deleted), (1, 2));
    assert_eq!(tagged(&graph, "agent-1@contoso.example").len(), SHIFTS - 1);
    assert_eq!(tagged(&graph, "agent-2@contoso.example").len(), SHIFTS - 1);

    // Run 4: a person edits one of our events: one corrective write, then stability.
    let mb = "agent-4@contoso.example";
    let id = tagged(&graph, mb)[0]["id"].as_str().unwrap().to_owned();
    assert!(graph.edit(
        mb,
        &id,
        json!({"subject": "Lunch with Sam", "showAs": "free"})
    ));
    graph.reset_counts();
    let report = sync(&backend, &input, &options()).await.unwrap();
    assert_clean(&report);
    assert_eq!(writes(&graph), (0, 1, 0));
    let fixed = graph
        .events(mb)
        .into_iter()
        .find(|e| e["id"] == id.as_str())
        .unwrap();
    assert_eq!(fixed["subject"], "Phone queue");
    graph.reset_counts();
    sync(&backend, &input, &options()).await.unwrap();
    assert_eq!(writes(&graph), (0, 0, 0));

    // Through all runs, their events were never touched.
    for (i, (mb, _, _)) in theirs.iter().enumerate() {
        assert_eq!(&graph.events(mb)[..2], &before[i][..], "{mb}");
    }
    assert!(graph.max_in_flight() <= 4);
    assert_eq!(graph.concurrency_violations(), 0);
}

fn jwt(claims: Value) -> String {
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        b.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        b.encode(claims.to_string())
    )
}

#[tokio::test]
async fn a_token_without_calendars_readwrite_stops_the_run_before_any_graph_request() {
    for claims in [
        json!({"aud": "https://graph.microsoft.com", "roles": ["User.Read.All", "Calendars.Read"]}),
        json!({"aud": "https://graph.microsoft.com"}),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/tenant/oauth2/v2.0/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "token_type": "Bearer", "expires_in": 3599, "access_token": jwt(claims.clone())})))
            .mount(&server)
            .await;
        let graph = GraphCalendar::mount(&server).await;
        let backend = backend(
            &format!("{}/tenant/oauth2/v2.0/token", server.uri()),
            &server.uri(),
        );
        let input = shifts(|m, _, _| m == 0);
        let err = sync(&backend, &input, &options()).await.unwrap_err();
        let SyncError::Backend(Error::MissingPermission { missing, .. }) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(missing, &["Calendars.ReadWrite"]);
        assert!(err.to_string().contains("admin consent"), "{err}");
        assert_eq!(graph.requests(), 0);
    }
}

#[tokio::test]
async fn a_jwt_with_calendars_readwrite_passes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/tenant/oauth2/v2.0/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": 3599,
            "access_token": jwt(json!({"roles": ["Calendars.ReadWrite"]}))})))
        .mount(&server)
        .await;
    let graph = GraphCalendar::mount(&server).await;
    let backend = backend(
        &format!("{}/tenant/oauth2/v2.0/token", server.uri()),
        &server.uri(),
    );
    let report = sync(&backend, &shifts(|m, _, _| m == 0), &options())
        .await
        .unwrap();
    assert_eq!(report.counts.created, SHIFTS as u64);
    assert_eq!(graph.requests_of("POST"), SHIFTS);
}

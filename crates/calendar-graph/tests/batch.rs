//! `$batch`: a throttled item is resent alone after its own `Retry-After`, the others never;
//! answers in any order; the limits Graph sets on a batch; next links made relative. And the
//! sync engine with batching against the stand-in, batch items counted against the mailbox.

use std::collections::HashMap;

use futures::StreamExt as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use calendar_graph::batch::BatchRequest;
use calendar_graph::scopes::CalendarsReadWrite;
use calendar_graph::sync::{SyncOptions, by_mailbox, sync};
use calendar_graph::{Client, Error, GraphBackend, InputError, graph_platform};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE, StaticToken};
use wfm_http::{Method, Platform, RetryPolicy, Url};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::graph::GraphCalendar;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(base: &str) -> Client<CalendarsReadWrite> {
    let platform = Platform::<CalendarsReadWrite>::builder()
        .token_provider(StaticToken::new("t"))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(5)))
        .build()
        .unwrap();
    Client::new(&platform, format!("{base}/v1.0/")).unwrap()
}

fn item(id: &str, m: Method, url: &str, body: Option<Value>) -> BatchRequest {
    BatchRequest {
        id: id.into(),
        method: m,
        url: url.into(),
        body,
    }
}

#[tokio::test]
async fn a_throttled_item_alone_is_resent_after_its_own_retry_after() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(move |req: &Request| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let ids: Vec<String> = body["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect();
            // Answers in reverse order; on the first round item "b" is throttled.
            let responses: Vec<Value> = ids
                .iter()
                .rev()
                .map(|id| {
                    if n == 0 && id == "b" {
                        json!({"id": id, "status": 429, "headers": {"Retry-After": "1"},
                            "body": {"error": {"code": "ApplicationThrottled",
                            "message": "Application is over its MailboxConcurrency limit."}}})
                    } else if id == "c" {
                        json!({"id": id, "status": 204, "headers": {}})
                    } else {
                        json!({"id": id, "status": 201, "headers": {"Content-Type": "application/json"},
                            "body": {"id": format!("E-{id}")}})
                    }
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"responses": responses}))
        })
        .mount(&server)
        .await;
    let body = json!({"subject": "x"});
    let requests = [
        item("a", Method::POST, "/users/m/events", Some(body.clone())),
        item("b", Method::PATCH, "/users/m/events/E1", Some(body)),
        item("c", Method::DELETE, "/users/m/events/E2", None),
    ];
    let started = Instant::now();
    let answers = client(&server.uri())
        .batch("m", &requests, 5, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    let statuses: Vec<(String, u16, u32)> = answers
        .iter()
        .map(|a| (a.id.clone(), a.status, a.attempts))
        .collect();
    assert_eq!(
        statuses,
        [
            ("a".into(), 201, 1),
            ("b".into(), 201, 2),
            ("c".into(), 204, 1)
        ]
    );
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    let second: Value = serde_json::from_slice(&sent[1].body).unwrap();
    let second = second["requests"].as_array().unwrap();
    assert_eq!(second.len(), 1, "only the throttled item is resent");
    assert_eq!(second[0]["id"], "b");
    // Items with a body carry their Content-Type; every item asks for UTC and text.
    let first: Value = serde_json::from_slice(&sent[0].body).unwrap();
    for r in first["requests"].as_array().unwrap() {
        assert_eq!(r["headers"]["Prefer"], calendar_graph::PREFER);
        assert_eq!(
            r["headers"]["Content-Type"].as_str().is_some(),
            r.get("body").is_some()
        );
    }
}

#[tokio::test]
async fn batches_graph_would_refuse_are_input_errors_and_next_links_become_relative() {
    let c = client("https://graph.example");
    let too_many: Vec<BatchRequest> = (0..21)
        .map(|i| item(&i.to_string(), Method::GET, "/users/m/events", None))
        .collect();
    let dup = [
        item("A", Method::GET, "/users/m/events", None),
        item("a", Method::GET, "/users/m/events", None),
    ];
    let absolute = [item(
        "1",
        Method::GET,
        "https://graph.example/v1.0/users/m/events",
        None,
    )];
    for bad in [&too_many[..], &dup[..], &absolute[..], &[]] {
        let err = c.batch_once("m", bad).await.unwrap_err();
        assert!(matches!(err, Error::Input(InputError::Batch(_))), "{err}");
    }
    let next: Url = "https://graph.example/v1.0/users/m/events?%24skiptoken=a%2Fb"
        .parse()
        .unwrap();
    assert_eq!(
        c.relative_url(&next).unwrap(),
        "/users/m/events?%24skiptoken=a%2Fb"
    );
    let foreign: Url = "https://evil.example/v1.0/users/m/events".parse().unwrap();
    assert!(c.relative_url(&foreign).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sync_with_batches_creates_once_resends_only_throttled_items_and_respects_the_limit() {
    const MAILBOXES: usize = 40;
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server)
        .await
        .require_token(&tokens)
        .latency(Duration::from_millis(3));
    let platform = graph_platform::<CalendarsReadWrite>(
        ClientCredentials::new(tokens.url(), "id", "secret")
            .auth_style(ClientAuth::RequestBody)
            .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE),
    )
    .unwrap()
    .timeout(Duration::from_secs(5))
    .build()
    .unwrap();
    let backend =
        GraphBackend::new(Client::new(&platform, format!("{}/v1.0/", server.uri())).unwrap())
            .batching(true);
    let mut all = Vec::new();
    for m in 0..MAILBOXES {
        for s in 0..25 {
            let start =
                Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap() + chrono::Duration::days(s);
            all.push(json!({"id": format!("s{m}-{s}"), "agent": format!("a{m}"),
                "start": start.to_rfc3339(), "end": (start + chrono::Duration::hours(8)).to_rfc3339(),
                "last_modified": "2026-03-01T00:00:00Z", "summary": "Queue", "timezone": "Europe/Paris"}));
        }
    }
    let shifts = ical_feed::json::shifts_from_json(&Value::Array(all).to_string()).unwrap();
    let input = by_mailbox(shifts, &HashMap::new());
    let options = SyncOptions {
        mailbox_concurrency: MAILBOXES,
        run_id: "r".into(),
        ..SyncOptions::default()
    };
    graph.throttle_every(31);
    let report = sync(&backend, &input, &options).await.unwrap();
    assert_eq!(report.counts.failed, 0, "{:?}", report.failures.first());
    assert_eq!(report.counts.created, (MAILBOXES * 25) as u64);
    let throttled = graph.throttled();
    assert!(throttled > 0);
    // Lists are not batched: a throttled list page is one more GET (one page per mailbox).
    let throttled_gets = graph.requests_of("GET") - MAILBOXES;
    // Every create item was sent once, plus once more per throttled create item, never more.
    assert_eq!(
        graph.requests_of("POST"),
        MAILBOXES * 25 + (throttled - throttled_gets)
    );
    for m in 0..MAILBOXES {
        assert_eq!(graph.events(&format!("a{m}")).len(), 25);
    }
    let (batches, items) = graph.batches();
    assert!(
        batches >= MAILBOXES * 2,
        "25 writes = 2 batches per mailbox"
    );
    assert!(items >= MAILBOXES * 25);
    assert!(graph.max_in_flight() <= 4);
    assert_eq!(graph.concurrency_violations(), 0);
    graph.throttle_every(0);
    graph.reset_counts();
    let report = sync(&backend, &input, &options).await.unwrap();
    assert_eq!(report.counts.unchanged, (MAILBOXES * 25) as u64);
    assert_eq!(graph.batches(), (0, 0));
    assert_eq!(graph.requests_of("POST"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_batches_for_one_mailbox_never_exceed_its_four_requests_in_flight() {
    let server = MockServer::start().await;
    let graph = GraphCalendar::mount(&server)
        .await
        .latency(Duration::from_millis(100));
    let platform = Platform::<CalendarsReadWrite>::builder()
        .token_provider(StaticToken::new("t"))
        .per_key_rate_limit(calendar_graph::mailbox_limit())
        .build()
        .unwrap();
    let c = Client::new(&platform, format!("{}/v1.0/", server.uri())).unwrap();
    let reads = |prefix: &str| -> Vec<BatchRequest> {
        (0..20)
            .map(|i| {
                item(
                    &format!("{prefix}{i}"),
                    Method::GET,
                    "/users/jane@contoso.example/events?$top=1",
                    None,
                )
            })
            .collect()
    };
    let (a, b) = (reads("a"), reads("b"));
    // Two batches of 20 and a single call for the same mailbox at once: each batch weighs its
    // 20 items, so it holds all 4 of the mailbox's slots while Outlook runs it.
    let single = async {
        c.tagged_events("jane@contoso.example", 10)
            .collect::<Vec<_>>()
            .await
    };
    let (ra, rb, rs) = tokio::join!(
        c.batch_once("jane@contoso.example", &a),
        c.batch_once("jane@contoso.example", &b),
        single
    );
    assert_eq!(ra.unwrap().len(), 20);
    assert_eq!(rb.unwrap().len(), 20);
    assert!(rs.iter().all(Result::is_ok));
    assert_eq!(graph.concurrency_violations(), 0);
    assert_eq!(graph.max_in_flight(), 4);
}

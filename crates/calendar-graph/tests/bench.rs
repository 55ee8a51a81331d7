//! Benchmark: 200 mailboxes × 20 shifts against the Graph stand-in with a fixed latency per
//! request, one request at a time and with `$batch`; wall time against the bound Outlook's
//! per-mailbox limit allows (4 in flight: a list page, then 20 writes 4 at a time = 6 latencies
//! per mailbox, all mailboxes in parallel), and requests per event. Ignored by default:
//!
//! ```text
//! cargo test --release -p calendar-graph --test bench -- --ignored --nocapture
//! ```

use std::collections::HashMap;
use std::time::{Duration, Instant};

use calendar_graph::scopes::CalendarsReadWrite;
use calendar_graph::sync::{SyncOptions, by_mailbox, sync};
use calendar_graph::{Client, GraphBackend, graph_platform};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::graph::GraphCalendar;
use wiremock::MockServer;

const MAILBOXES: usize = 200;
const SHIFTS: usize = 20;
const LATENCY: Duration = Duration::from_millis(50);

async fn one(batching: bool) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server)
        .await
        .require_token(&tokens)
        .latency(LATENCY);
    let platform = graph_platform::<CalendarsReadWrite>(
        ClientCredentials::new(tokens.url(), "id", "secret")
            .auth_style(ClientAuth::RequestBody)
            .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE),
    )
    .unwrap()
    .build()
    .unwrap();
    let backend =
        GraphBackend::new(Client::new(&platform, format!("{}/v1.0/", server.uri())).unwrap())
            .batching(batching);
    let mut all = Vec::new();
    for m in 0..MAILBOXES {
        for s in 0..SHIFTS {
            let start = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap()
                + chrono::Duration::days(s as i64);
            all.push(json!({"id": format!("s{m}-{s}"), "agent": format!("a{m}"),
                "start": start.to_rfc3339(), "end": (start + chrono::Duration::hours(8)).to_rfc3339(),
                "last_modified": "2026-03-01T00:00:00Z", "summary": "Queue", "timezone": "Europe/Paris"}));
        }
    }
    let input = by_mailbox(
        ical_feed::json::shifts_from_json(&Value::Array(all).to_string()).unwrap(),
        &HashMap::new(),
    );
    let options = SyncOptions {
        mailbox_concurrency: MAILBOXES,
        run_id: "bench".into(),
        ..SyncOptions::default()
    };
    for run in ["first (creates)", "second (no change)"] {
        graph.reset_counts();
        let started = Instant::now();
        let report = sync(&backend, &input, &options).await.unwrap();
        let wall = started.elapsed();
        assert_eq!(report.counts.failed, 0);
        let writes = (report.counts.created + report.counts.updated) as u32;
        let per_mailbox_rounds = 1 + (writes as usize / MAILBOXES).div_ceil(4) as u32;
        let bound = LATENCY * per_mailbox_rounds;
        let events = (MAILBOXES * SHIFTS) as f64;
        println!(
            "{} {run}: wall {wall:?} vs bound {bound:?} ({:.2}x); {} HTTP requests ({:.3} per event), {} operations ({:.3} per event); max in flight per mailbox {}",
            if batching { "batch " } else { "single" },
            wall.as_secs_f64() / bound.as_secs_f64(),
            graph.requests(),
            graph.requests() as f64 / events,
            report.requests,
            report.requests as f64 / events,
            graph.max_in_flight(),
        );
        assert!(graph.max_in_flight() <= 4);
        assert_eq!(graph.concurrency_violations(), 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn bench_200_mailboxes_20_shifts() {
    one(false).await;
    one(true).await;
}

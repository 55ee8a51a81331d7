//! Benchmark against the Google Calendar stand-in. Ignored by default:
//!
//! ```text
//! cargo test --release -p calendar-google --test bench -- --ignored --nocapture
//! ```
//!
//! 1. 200 mailboxes × 20 shifts with a fixed latency per request, one call per write and in
//!    batches: wall time against the latency bound (a list page, then 20 writes 4 at a time =
//!    6 latencies per mailbox; one batch = 2), HTTP requests and quota calls per event. At 21
//!    calls per user the per-user limit (600 a minute, a sliding window) never binds.
//! 2. The per-user limit binding: 20 mailboxes × 200 shifts with the limit scaled to 60 calls
//!    per second per user on both sides: wall time against the least time the limit allows
//!    (⌈(calls − 60) / 60⌉ seconds per user: a burst of 60, then 60 a window later, all users in
//!    parallel), and the stand-in's count of
//!    calls over the limit (0 expected).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use calendar_google::{
    CalendarEvents, Client, GoogleBackend, delegated_tokens, google_platform, per_user_limit,
};
use calendar_sync::{SyncOptions, by_mailbox, sync};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use wfm_auth::google::ServiceAccountKey;
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::google::GoogleCalendar;
use wiremock::MockServer;

const LATENCY: Duration = Duration::from_millis(50);

fn input(
    mailboxes: usize,
    shifts: usize,
) -> std::collections::BTreeMap<String, Vec<ical_feed::Shift>> {
    let mut all = Vec::new();
    for m in 0..mailboxes {
        for s in 0..shifts {
            let start = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap()
                + chrono::Duration::hours(12 * s as i64);
            all.push(json!({"id": format!("s{m}-{s}"), "agent": format!("a{m}@example.com"),
                "start": start.to_rfc3339(), "end": (start + chrono::Duration::hours(8)).to_rfc3339(),
                "last_modified": "2026-03-01T00:00:00Z", "summary": "Queue", "timezone": "Europe/Paris"}));
        }
    }
    by_mailbox(
        ical_feed::json::shifts_from_json(&Value::Array(all).to_string()).unwrap(),
        &HashMap::new(),
    )
}

async fn setup(
    latency: Duration,
    per_user: Option<(u32, Duration)>,
) -> (MockServer, GoogleCalendar, Client) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/token").await;
    let mut google = GoogleCalendar::mount(&server)
        .await
        .require_token(&tokens)
        .latency(latency);
    let key = ServiceAccountKey::from_json(include_str!("data/service-account.json"))
        .unwrap()
        .with_token_uri(tokens.url());
    let mut platform = google_platform::<CalendarEvents>();
    if let Some((n, period)) = per_user {
        google = google.user_limit(n as usize, period);
        platform = platform.per_key_rate_limit(per_user_limit(n, period));
    }
    let platform = platform.build().unwrap();
    let client = Client::new(
        &platform,
        server.uri(),
        delegated_tokens::<CalendarEvents>(key).unwrap(),
    )
    .unwrap();
    (server, google, client)
}

async fn latency_bound(batch: usize) {
    let (mailboxes, shifts) = (200, 20);
    let (_server, google, client) = setup(LATENCY, None).await;
    let backend = GoogleBackend::new(client).batching(batch);
    let input = input(mailboxes, shifts);
    let options = SyncOptions {
        mailbox_concurrency: mailboxes,
        run_id: "bench".into(),
        ..SyncOptions::default()
    };
    for run in ["first (creates)", "second (no change)"] {
        google.reset_counts();
        let started = Instant::now();
        let report = sync(&backend, &input, &options).await.unwrap();
        let wall = started.elapsed();
        assert_eq!(report.counts.failed, 0, "{:?}", report.failures.first());
        let writes = (report.counts.created + report.counts.updated) as usize / mailboxes;
        let rounds = 1 + if writes == 0 {
            0
        } else if batch > 0 {
            writes.div_ceil(batch)
        } else {
            writes.div_ceil(4)
        };
        let bound = LATENCY * rounds as u32;
        let events = (mailboxes * shifts) as f64;
        println!(
            "{} {run}: wall {wall:?} vs latency bound {bound:?} ({:.2}x); {} HTTP requests ({:.3} per event); {} quota calls ({:.3} per event); per-user limit violations {}",
            if batch > 0 { "batch " } else { "single" },
            wall.as_secs_f64() / bound.as_secs_f64(),
            google.requests(),
            google.requests() as f64 / events,
            google.calls(),
            google.calls() as f64 / events,
            google.user_limit_violations(),
        );
        assert_eq!(google.user_limit_violations(), 0);
    }
}

async fn user_limit_bound(batch: usize) {
    let (mailboxes, shifts, per_second) = (20, 200, 60u32);
    let (_server, google, client) = setup(
        Duration::from_millis(5),
        Some((per_second, Duration::from_secs(1))),
    )
    .await;
    let backend = GoogleBackend::new(client).batching(batch);
    let input = input(mailboxes, shifts);
    let options = SyncOptions {
        mailbox_concurrency: mailboxes,
        run_id: "bench".into(),
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let report = sync(&backend, &input, &options).await.unwrap();
    let wall = started.elapsed();
    assert_eq!(report.counts.failed, 0, "{:?}", report.failures.first());
    let calls_per_user = google.calls() / mailboxes;
    // A burst of `n` at once, then each next `n` one window later.
    let windows = calls_per_user
        .saturating_sub(per_second as usize)
        .div_ceil(per_second as usize);
    let bound = Duration::from_secs(windows as u64);
    println!(
        "{} per-user limit {per_second}/s: {calls_per_user} calls per user; wall {wall:?} vs limit bound {bound:?} ({:.2}x); violations {}",
        if batch > 0 { "batch " } else { "single" },
        wall.as_secs_f64() / bound.as_secs_f64(),
        google.user_limit_violations(),
    );
    assert_eq!(google.user_limit_violations(), 0);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn bench_200_mailboxes_20_shifts() {
    latency_bound(0).await;
    latency_bound(50).await;
    user_limit_bound(0).await;
    user_limit_bound(50).await;
}

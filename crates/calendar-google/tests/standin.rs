//! `calendar-google` against the stateful Google Calendar stand-in and its token endpoint:
//! idempotent inserts after a dropped connection, Google's 403s (slow-down retried after a
//! backoff, `insufficientPermissions` not retried), delegation refused at the token endpoint,
//! deleted events restored, one token per mailbox, short and empty pages, incremental sync,
//! batches within the per-user limit, and secrets kept out of `Debug` and errors.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use calendar_google::event::NewEvent;
use calendar_google::{
    CalendarEvents, Client, Error, GoogleBackend, delegated_tokens, event_id, google_platform,
    is_slow_down, per_user_limit,
};
use calendar_sync::{SyncError, SyncOptions, SyncReport, by_mailbox, sync};
use chrono::{TimeZone, Utc};
use ical_feed::Shift;
use serde_json::{Value, json};
use wfm_auth::google::{DelegatedTokens, ServiceAccountKey};
use wfm_auth::{AuthError, ErrorMetadata};
use wfm_http::{CircuitBreaker, RetryPolicy};
use wfm_sandbox::DropConnections;
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::google::GoogleCalendar;
use wiremock::MockServer;

const KEY: &str = include_str!("data/service-account.json");
const BACKOFF: Duration = Duration::from_millis(200);

struct World {
    server: MockServer,
    tokens: TokenEndpoint,
    google: GoogleCalendar,
}

async fn world() -> World {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/token").await;
    let google = GoogleCalendar::mount(&server).await.require_token(&tokens);
    World {
        server,
        tokens,
        google,
    }
}

fn tokens_for(w: &World) -> DelegatedTokens {
    let key = ServiceAccountKey::from_json(KEY)
        .unwrap()
        .with_token_uri(w.tokens.url());
    delegated_tokens::<CalendarEvents>(key).unwrap()
}

fn client_at(w: &World, base: &str) -> Client {
    let platform = google_platform::<CalendarEvents>()
        .retry(RetryPolicy::default().max_attempts(4).base_delay(BACKOFF))
        .retryable_answer(is_slow_down)
        .timeout(Duration::from_secs(5))
        .circuit_breaker(Some(CircuitBreaker::new(500, Duration::from_secs(5))))
        .build()
        .unwrap();
    Client::new(&platform, base, tokens_for(w)).unwrap()
}

fn client(w: &World) -> Client {
    client_at(w, &w.server.uri())
}

fn shifts(mailboxes: usize, per: usize, skip: &[(usize, usize)]) -> BTreeMap<String, Vec<Shift>> {
    let mut all = Vec::new();
    for m in 0..mailboxes {
        for s in 0..per {
            if skip.contains(&(m, s)) {
                continue;
            }
            let start = Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap()
                + chrono::Duration::days(s as i64);
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

fn options(concurrency: usize) -> SyncOptions {
    SyncOptions {
        mailbox_concurrency: concurrency,
        run_id: "t".into(),
        ..SyncOptions::default()
    }
}

fn clean(r: &SyncReport) {
    assert_eq!(
        r.counts.failed,
        0,
        "{:?}",
        &r.failures[..r.failures.len().min(3)]
    );
}

fn writes(g: &GoogleCalendar) -> (usize, usize, usize) {
    (
        g.requests_of("POST"),
        g.requests_of("PATCH"),
        g.requests_of("DELETE"),
    )
}

fn one_event(shift: &str) -> NewEvent {
    NewEvent {
        id: Some(event_id(shift)),
        summary: "Queue".into(),
        description: String::new(),
        start: Utc.with_ymd_and_hms(2026, 3, 2, 6, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap(),
        time_zone: None,
        location: None,
        transparent: true,
        categories: vec![],
        tag: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_a_committed_insert_makes_no_duplicate() {
    let w = world().await;
    let front = DropConnections::in_front_of(&w.server, 0).await.unwrap();
    let backend = GoogleBackend::new(client_at(&w, &front.uri()));
    w.google.drop_after_commit(2);
    let input = shifts(1, 5, &[]);
    let report = sync(&backend, &input, &options(1)).await.unwrap();
    clean(&report);
    assert_eq!(report.counts.created, 5);
    assert_eq!(front.dropped(), 2, "two answers never reached the client");
    assert_eq!(w.google.lost_answers(), 2);
    // Each dropped insert was sent again, answered 409 (the id exists), and written over once.
    assert_eq!(writes(&w.google), (7, 2, 0));
    let all = w.google.all_events("a0@example.com");
    assert_eq!(all.len(), 5, "no duplicate");
    let mut ids: Vec<&str> = all.iter().filter_map(|e| e["id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    // And a rerun writes nothing.
    w.google.reset_counts();
    let report = sync(&backend, &input, &options(1)).await.unwrap();
    assert_eq!((report.counts.unchanged, writes(&w.google)), (5, (0, 0, 0)));
}

#[tokio::test]
async fn a_403_user_rate_limit_is_retried_after_a_backoff() {
    let w = world().await;
    let platform = google_platform::<CalendarEvents>()
        .retry(RetryPolicy::default().max_attempts(4).base_delay(BACKOFF))
        .retryable_answer(is_slow_down)
        .build()
        .unwrap();
    let c = Client::new(&platform, w.server.uri(), tokens_for(&w)).unwrap();
    w.google.slow_down_next(3, "userRateLimitExceeded");
    let created = c
        .insert_event("jane@example.com", &one_event("s1"))
        .await
        .unwrap();
    assert!(created.is_some());
    let arrivals = w.google.arrivals("jane@example.com");
    assert_eq!(arrivals.len(), 4, "three 403s, then the insert");
    assert_eq!(platform.stats().retries(), 3);
    // Full-jitter backoff: up to 200, 400 and 800 ms before the 2nd, 3rd and 4th attempts.
    // Three retries at once would take a few milliseconds.
    let waited = arrivals[3] - arrivals[0];
    assert!(
        waited >= Duration::from_millis(20),
        "retried after {waited:?}"
    );
    assert_eq!(w.google.slowed(), 3);
    assert_eq!(w.google.events("jane@example.com").len(), 1);
}

#[tokio::test]
async fn a_403_insufficient_permissions_is_not_retried_and_names_the_delegation_fix() {
    let w = world().await;
    let c = client(&w);
    w.google.deny("jane@example.com");
    let err = c
        .insert_event("jane@example.com", &one_event("s1"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InsufficientPermissions { .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let msg = err.to_string();
    assert!(
        msg.contains("domain-wide delegation")
            && msg.contains("calendar.events")
            && msg.contains("jane@example.com"),
        "{msg}"
    );
    assert_eq!(w.google.arrivals("jane@example.com").len(), 1, "sent once");
}

#[tokio::test]
async fn a_service_account_without_delegation_fails_at_the_token_endpoint_before_any_calendar_request()
 {
    let w = world().await;
    w.tokens.authorise_delegation(Some(&[]));
    let backend = GoogleBackend::new(client(&w)).preflight_as("a0@example.com");
    let err = sync(&backend, &shifts(3, 2, &[]), &options(4))
        .await
        .unwrap_err();
    let SyncError::Backend(e) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(e.as_auth(), Some(AuthError::DelegationRefused { .. })),
        "{e:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("domain-wide delegation")
            && msg.contains("112233445566778899000")
            && msg.contains("https://www.googleapis.com/auth/calendar.events"),
        "{msg}"
    );
    assert_eq!(w.google.requests(), 0, "no Calendar request");
    assert_eq!(w.tokens.requests(), 1);

    // Delegation authorised for another scope only: refused too.
    w.tokens
        .authorise_delegation(Some(&["https://www.googleapis.com/auth/calendar.readonly"]));
    let err = sync(&backend, &shifts(1, 1, &[]), &options(1))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("domain-wide delegation"));
    assert_eq!(w.google.requests(), 0);

    // Authorised: the same backend runs.
    w.tokens
        .authorise_delegation(Some(&["https://www.googleapis.com/auth/calendar.events"]));
    let report = sync(&backend, &shifts(3, 2, &[]), &options(4))
        .await
        .unwrap();
    assert_eq!(report.counts.created, 6);
}

#[tokio::test]
async fn a_removed_shift_that_comes_back_is_restored_not_duplicated() {
    let w = world().await;
    let backend = GoogleBackend::new(client(&w));
    let mb = "a0@example.com";
    sync(&backend, &shifts(1, 3, &[]), &options(1))
        .await
        .unwrap();
    let report = sync(&backend, &shifts(1, 3, &[(0, 1)]), &options(1))
        .await
        .unwrap();
    assert_eq!(report.counts.deleted, 1);
    let id = event_id("s0-1");
    let cancelled = w
        .google
        .all_events(mb)
        .into_iter()
        .find(|e| e["id"] == id.as_str())
        .unwrap();
    assert_eq!(
        cancelled["status"], "cancelled",
        "deleted events keep their id"
    );
    assert_eq!(w.google.events(mb).len(), 2);

    // A cancelled event is not one of ours any more: a rerun deletes nothing again.
    w.google.reset_counts();
    let report = sync(&backend, &shifts(1, 3, &[(0, 1)]), &options(1))
        .await
        .unwrap();
    assert_eq!((report.counts.deleted, writes(&w.google)), (0, (0, 0, 0)));

    // The shift comes back: the insert answers 409, the old event is written over.
    let report = sync(&backend, &shifts(1, 3, &[]), &options(1))
        .await
        .unwrap();
    clean(&report);
    assert_eq!(report.counts.created, 1);
    assert_eq!(writes(&w.google), (1, 1, 0));
    let all = w.google.all_events(mb);
    assert_eq!(all.len(), 3, "no new event");
    let restored = all.iter().find(|e| e["id"] == id.as_str()).unwrap();
    assert_eq!(restored["status"], "confirmed");
    // Stable afterwards.
    w.google.reset_counts();
    let report = sync(&backend, &shifts(1, 3, &[]), &options(1))
        .await
        .unwrap();
    assert_eq!((report.counts.unchanged, writes(&w.google)), (3, (0, 0, 0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_token_request_per_mailbox_under_200_concurrent_mailboxes() {
    let w = world().await;
    let c = client(&w);
    let delegated = c.tokens().unwrap().clone();
    let backend = GoogleBackend::new(c);
    let input = shifts(200, 2, &[]);
    for _ in 0..2 {
        let report = sync(&backend, &input, &options(200)).await.unwrap();
        clean(&report);
    }
    assert_eq!(w.tokens.requests(), 200);
    assert_eq!(delegated.requests_sent(), 200);
    assert_eq!(w.tokens.subjects(), 200);
    assert!((0..200).all(|m| w.tokens.requests_for(&format!("a{m}@example.com")) == 1));
    // Each mailbox used its own token: none touched another user's calendar.
    assert_eq!(w.google.wrong_user(), 0);
    assert_eq!(w.google.events("a7@example.com").len(), 2);
}

#[tokio::test]
async fn short_and_empty_pages_with_a_next_token_are_followed_to_the_end() {
    let w = world().await;
    let backend = GoogleBackend::new(client(&w)).page_size(5);
    let input = shifts(1, 20, &[]);
    sync(&backend, &input, &options(1)).await.unwrap();
    w.google.short_pages(true);
    w.google.reset_counts();
    let report = sync(&backend, &input, &options(1)).await.unwrap();
    assert_eq!(
        (report.counts.unchanged, writes(&w.google)),
        (20, (0, 0, 0))
    );
    // 20 events, 3 a page, an empty page between: 7 full pages and 6 empty ones.
    assert_eq!(w.google.requests_of("GET"), 13);
}

#[tokio::test]
async fn incremental_sync_lists_changes_filters_by_tag_and_resyncs_on_410() {
    let w = world().await;
    let backend = GoogleBackend::new(client(&w))
        .incremental(true)
        .page_size(50);
    let mb = "a0@example.com";
    w.google.insert(
        mb,
        json!({"summary": "Dentist", "start": {"dateTime": "2026-03-02T09:00:00Z"},
        "end": {"dateTime": "2026-03-02T10:00:00Z"}}),
    );
    let input = shifts(1, 4, &[]);
    let report = sync(&backend, &input, &options(1)).await.unwrap();
    assert_eq!(report.counts.created, 4);
    // The next round sees our own four inserts as changes, and nothing to do.
    w.google.reset_counts();
    let report = sync(&backend, &input, &options(1)).await.unwrap();
    assert_eq!((report.counts.unchanged, writes(&w.google)), (4, (0, 0, 0)));
    // A person's edit arrives as a change and is corrected once.
    let id = event_id("s0-2");
    assert!(w.google.edit(mb, &id, json!({"summary": "Mine now"})));
    w.google.reset_counts();
    let report = sync(&backend, &input, &options(1)).await.unwrap();
    assert_eq!((report.counts.updated, writes(&w.google)), (1, (0, 1, 0)));
    // A removed shift: deleted; the cancelled entry that comes back is not mistaken for ours.
    let fewer = shifts(1, 4, &[(0, 3)]);
    let report = sync(&backend, &fewer, &options(1)).await.unwrap();
    assert_eq!(report.counts.deleted, 1);
    w.google.reset_counts();
    let report = sync(&backend, &fewer, &options(1)).await.unwrap();
    assert_eq!((report.counts.unchanged, writes(&w.google)), (3, (0, 0, 0)));
    // An expired sync token (410): a full list, the same result, nothing written.
    w.google.expire_sync_tokens();
    w.google.reset_counts();
    let report = sync(&backend, &fewer, &options(1)).await.unwrap();
    clean(&report);
    assert_eq!((report.counts.unchanged, writes(&w.google)), (3, (0, 0, 0)));
    assert_eq!(
        w.google.requests_of("GET"),
        2,
        "the 410, then the full list"
    );
    // The person's event was never touched.
    assert_eq!(
        w.google
            .events(mb)
            .iter()
            .filter(|e| e["summary"] == "Dentist")
            .count(),
        1
    );
}

#[tokio::test]
async fn sync_token_is_never_combined_with_filters() {
    let w = world().await;
    let c = client(&w);
    let first = c.changes("a0@example.com", None, 10).await.unwrap();
    assert!(first.full && first.sync_token.is_some());
    // The stand-in refuses syncToken with privateExtendedProperty (400), as Google does; the
    // client's incremental call never sends both.
    let again = c
        .changes("a0@example.com", first.sync_token.as_deref(), 10)
        .await
        .unwrap();
    assert!(!again.full && again.events.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_keep_the_per_user_limit_counting_every_part() {
    let w = world().await;
    let google = w.google.clone().user_limit(30, Duration::from_secs(1));
    let platform = google_platform::<CalendarEvents>()
        .retry(RetryPolicy::default().max_attempts(4).base_delay(BACKOFF))
        .timeout(Duration::from_secs(5))
        .circuit_breaker(Some(CircuitBreaker::new(500, Duration::from_secs(5))))
        .per_key_rate_limit(per_user_limit(30, Duration::from_secs(1)))
        .build()
        .unwrap();
    let c = Client::new(&platform, w.server.uri(), tokens_for(&w)).unwrap();
    let backend = GoogleBackend::new(c)
        .batching(25)
        .batch_retry(6, Duration::from_millis(50));
    google.slow_down_every(11);
    let input = shifts(2, 40, &[]);
    let started = std::time::Instant::now();
    let report = sync(&backend, &input, &options(2)).await.unwrap();
    clean(&report);
    assert_eq!(report.counts.created, 80);
    assert_eq!(google.user_limit_violations(), 0, "every part counted");
    assert!(google.slowed() > 0, "slowed parts were resent");
    let (batches, parts) = google.batches();
    assert!(
        batches >= 4 && parts >= 80,
        "{batches} batches, {parts} parts"
    );
    // 41 calls or more per user at 30 a second: at least one window waited for.
    assert!(started.elapsed() >= Duration::from_millis(900));
    for m in 0..2 {
        assert_eq!(google.events(&format!("a{m}@example.com")).len(), 40);
    }
    // A removed shift back in a batch: its insert answers 409 and is resent as a PATCH.
    google.slow_down_every(0);
    let report = sync(&backend, &shifts(2, 40, &[(1, 3)]), &options(2))
        .await
        .unwrap();
    clean(&report);
    assert_eq!(report.counts.deleted, 1, "{report:?}");
    google.reset_counts();
    let report = sync(&backend, &input, &options(2)).await.unwrap();
    clean(&report);
    assert_eq!((report.counts.created, writes(&google)), (1, (1, 1, 0)));
    assert_eq!(google.all_events("a1@example.com").len(), 40);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let w = world().await;
    let c = client(&w);
    let backend = GoogleBackend::new(c.clone());
    c.insert_event("jane@example.com", &one_event("s1"))
        .await
        .unwrap();
    let issued = w.tokens.issued();
    let token = &issued[0].access_token;
    w.google.deny("jane@example.com");
    let err = c
        .insert_event("jane@example.com", &one_event("s2"))
        .await
        .unwrap_err();
    w.tokens.authorise_delegation(Some(&[]));
    let refused = c.preflight("sam@example.com").await.unwrap_err();
    for text in [
        format!("{c:?}"),
        format!("{backend:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{refused:?}"),
        refused.to_string(),
    ] {
        assert!(!text.contains("PRIVATE KEY"), "{text}");
        assert!(!text.contains("MIIE"), "{text}");
        assert!(!text.contains(token.as_str()), "{text}");
    }
}

#[tokio::test]
async fn a_deleted_event_google_refuses_to_restore_gives_way_to_the_shifts_next_id() {
    for batch in [0, 50] {
        let w = world().await;
        let backend = GoogleBackend::new(client(&w)).batching(batch);
        let mb = "a0@example.com";
        sync(&backend, &shifts(1, 3, &[]), &options(1))
            .await
            .unwrap();
        sync(&backend, &shifts(1, 3, &[(0, 1)]), &options(1))
            .await
            .unwrap();
        w.google.forbid_restoring(true);
        w.google.reset_counts();
        let report = sync(&backend, &shifts(1, 3, &[]), &options(1))
            .await
            .unwrap();
        clean(&report);
        assert_eq!(report.counts.created, 1, "batch {batch}");
        // The insert (409), the refused PATCH (403), the insert under the next id.
        assert_eq!(writes(&w.google), (2, 1, 0), "batch {batch}");
        let live: Vec<Value> = w.google.events(mb);
        assert_eq!(live.len(), 3, "one live event per shift");
        assert!(
            live.iter()
                .any(|e| e["id"] == calendar_google::event_id_generation("s0-1", 1).as_str())
        );
        // Stable afterwards; and removing the shift again deletes the new event.
        w.google.reset_counts();
        let report = sync(&backend, &shifts(1, 3, &[]), &options(1))
            .await
            .unwrap();
        assert_eq!((report.counts.unchanged, writes(&w.google)), (3, (0, 0, 0)));
        let report = sync(&backend, &shifts(1, 3, &[(0, 1)]), &options(1))
            .await
            .unwrap();
        assert_eq!(report.counts.deleted, 1);
        assert_eq!(w.google.events(mb).len(), 2);
    }
}

#[tokio::test]
async fn a_client_on_the_platforms_own_token_acts_as_that_token() {
    let server = MockServer::start().await;
    let google = GoogleCalendar::mount(&server).await;
    let platform = google_platform::<CalendarEvents>()
        .token_provider(wfm_auth::StaticToken::new("one user's token"))
        .build()
        .unwrap();
    let c = Client::with_platform_token(&platform, server.uri()).unwrap();
    assert!(c.tokens().is_none());
    let made = c
        .insert_event("jane@example.com", &one_event("s1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(made.id, event_id("s1"));
    let got = c.get_event("jane@example.com", &made.id).await.unwrap();
    assert_eq!((got.summary.as_str(), got.is_cancelled()), ("Queue", false));
    c.delete_event("jane@example.com", &made.id).await.unwrap();
    // Deleted twice: the 410 counts as done; the event reads back as cancelled.
    c.delete_event("jane@example.com", &made.id).await.unwrap();
    let got = c.get_event("jane@example.com", &made.id).await.unwrap();
    assert!(got.is_cancelled());
    // Its id stays taken.
    assert!(
        c.insert_event("jane@example.com", &one_event("s1"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(google.requests_of("DELETE"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expired_or_revoked_are_renewed_once_per_mailbox() {
    let w = world().await;
    let backend = GoogleBackend::new(client(&w));
    let input = shifts(20, 3, &[]);
    sync(&backend, &input, &options(20)).await.unwrap();
    assert_eq!(w.tokens.requests(), 20);
    // Every token is rejected from now on: each mailbox's first call answers 401, its token
    // is renewed once (single flight per subject), and the run goes on.
    w.tokens.expire_all();
    let report = sync(&backend, &shifts(20, 4, &[]), &options(20))
        .await
        .unwrap();
    clean(&report);
    assert_eq!(report.counts.created, 20);
    assert_eq!(w.tokens.requests(), 40);
    assert!((0..20).all(|m| w.tokens.requests_for(&format!("a{m}@example.com")) == 2));
}

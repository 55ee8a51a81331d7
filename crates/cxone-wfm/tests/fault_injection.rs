//! The must-show: 10,000 users against a directory holding creates, updates,
//! reactivations and leavers, with 5% 503s, 2% dropped requests, 429 bursts with Retry-After,
//! a token expiry mid-run and a read-after-create 404 window. Afterwards the server holds the
//! roster exactly, nothing was created twice, no request of any user was sent while a
//! Retry-After the server had announced was running, at most 2 tokens were requested, and a
//! second run writes nothing.
//!
//! "Sent while a Retry-After was running" is judged at the front the client talks to
//! (`DropRequests`), which sees when each request came from the client and when each 429 was
//! delivered to it: a request that comes more than [`IN_FLIGHT`] after a delivered 429 and
//! before its `Retry-After` elapsed is early, whichever user or path it is for. The grace only
//! lets in requests that were already on their way when the 429 was delivered (16 writes are in
//! flight at once); the client's own hold starts when it reads the 429, so it ends no earlier
//! than the window judged here.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use cxone_wfm::roster::parse_csv;
use cxone_wfm::{Engine, Progress};
use wfm_sandbox::cxone::DropRequests;

const N: usize = 10_000;
const EXISTING: usize = 6_000;
const LEAVERS: usize = 500;
/// How late a request already on its way when a 429 was delivered may still come (the burst's
/// `Retry-After` is 1 s; in-flight requests come within a few tens of milliseconds, the rest is
/// room for a loaded machine). A client that does not hold sends hundreds of requests in the
/// rest of the window.
const IN_FLIGHT: Duration = Duration::from_millis(500);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_users_survive_faults_and_converge() {
    let w = world().await;
    // The directory: E0..E5999 exist (every 4th with an old last name, E5800.. inactive),
    // 500 leavers are active, E6000.. are new hires.
    for i in 0..EXISTING {
        let last = if i.is_multiple_of(4) {
            "Old".to_owned()
        } else {
            format!("Last{i}")
        };
        w.wfm.insert_user(server_user(i, &last, i < 5_800));
    }
    for i in 0..LEAVERS {
        let mut leaver = server_user(90_000 + i, "Leaver", true);
        leaver["externalId"] = format!("L{i:04}").into();
        w.wfm.insert_user(leaver);
    }
    let mut csv = HEADER.to_owned();
    for i in 0..N {
        csv.push_str(&roster_line(i));
    }
    let rows = parse_csv(&csv).unwrap();
    assert_eq!(rows.len(), N);

    // The faults.
    w.wfm.fail_rate(0.05);
    // Short bursts (3 answers) while 16 writes are in flight: the others must wait too.
    w.wfm.rate_limit_bursts(1_000, 3, 1);
    w.wfm.read_after_create(Duration::from_millis(300));
    let front = DropRequests::in_front_of(&w.server, 0.02).await.unwrap();
    let client = w.client(&front.uri());

    let expired = Arc::new(AtomicBool::new(false));
    let (tokens, flag) = (w.tokens.clone(), Arc::clone(&expired));
    let engine = Engine::new(client).concurrency(16).on_progress(move |p| {
        if let Progress::Applied { done, total, .. } = p
            && *done >= total / 2
            && !flag.swap(true, Ordering::SeqCst)
        {
            tokens.expire_all(); // every token issued so far stops working mid-run
        }
    });

    let started = Instant::now();
    let report = engine.sync(rows.clone(), role_map()).await.unwrap();
    let first_run = started.elapsed();
    let stats = w.wfm.stats();
    let audit = front.retry_after_audit(IN_FLIGHT);
    eprintln!(
        "first run: {first_run:?}; report counts {:?}, requests {}, retries {}, 429s {}, token refreshes {}, confirmations {}; \
         server {stats:?}; front: received {}, dropped before/after {}/{}, {audit:?}; token requests {}",
        report.counts,
        report.requests,
        report.retries,
        report.rate_limited,
        report.token_refreshes,
        report.confirmations,
        front.received(),
        front.dropped_before(),
        front.dropped_after(),
        w.tokens.requests()
    );
    assert!(
        report.errors.is_empty(),
        "{:?}",
        &report.errors[..report.errors.len().min(5)]
    );
    let c = report.counts;
    assert_eq!(c.created, N - EXISTING);
    assert_eq!(c.deactivated, LEAVERS);
    assert_eq!(c.reactivated, 200);
    assert_eq!(
        c.updated,
        (0..5_800usize).filter(|i| i.is_multiple_of(4)).count()
    );
    assert_eq!(c.unchanged, N - c.created - c.updated - c.reactivated);

    // The faults happened.
    assert!(expired.load(Ordering::SeqCst));
    assert!(stats.injected_503s > 100, "{stats:?}");
    assert!(
        stats.rate_limited > 0 && stats.unauthorized > 0,
        "{stats:?}"
    );
    assert!(stats.window_404s > 0, "{stats:?}");
    assert!(front.dropped_before() > 0 && front.dropped_after() > 0);

    // The server holds the roster exactly, created once each.
    assert!(w.wfm.duplicate_creates().is_empty());
    assert_eq!(stats.creates as usize, N - EXISTING);
    let users = w.wfm.users();
    assert_eq!(users.len(), N + LEAVERS);
    for i in 0..N {
        let have = w.wfm.user(&format!("E{i:05}")).unwrap();
        let want = server_user(i, &format!("Last{i}"), true);
        for k in [
            "firstName",
            "lastName",
            "email",
            "timezone",
            "isActive",
            "roles",
            "skills",
            "location",
        ] {
            assert_eq!(have[k], want[k], "E{i:05} {k}");
        }
    }
    for i in 0..LEAVERS {
        assert_eq!(w.wfm.user(&format!("L{i:04}")).unwrap()["isActive"], false);
    }
    // No request of any user while a Retry-After was running: the 429s were delivered, and
    // nothing but what was already on its way came before they elapsed.
    assert!(audit.announced > 0, "{audit:?}");
    assert_eq!(
        audit.early, 0,
        "requests sent while a Retry-After was running: {audit:?}"
    );
    assert_eq!(
        stats.early_retries, 0,
        "a request was repeated before its Retry-After elapsed"
    );
    // The report counts what went over the wire, the transport's own retries and 429s included.
    // Every request that reached the front was an attempt the platform counted; every 429 the
    // client received is counted, the ones its transport absorbed included; every injected 503
    // was retried by the transport or repeated by the write rules.
    assert!(report.requests >= front.received() as u64, "{report:?}");
    assert_eq!(report.rate_limited, audit.announced as u64, "{report:?}");
    assert!(report.retries >= stats.injected_503s, "{report:?}");
    assert!(report.token_refreshes >= 1, "{report:?}");
    assert!(
        w.tokens.requests() <= 2,
        "{} token requests",
        w.tokens.requests()
    );

    // A second run, faults still on, writes nothing.
    let writes_before = w.wfm.stats().writes;
    let again = engine.sync(rows, role_map()).await.unwrap();
    assert_eq!(w.wfm.stats().writes, writes_before, "the second run wrote");
    assert_eq!(again.counts.unchanged, N);
    assert_eq!(
        again.counts.created + again.counts.updated + again.counts.deactivated,
        0
    );
    assert_eq!(w.wfm.stats().early_retries, 0);
    let audit = front.retry_after_audit(IN_FLIGHT);
    assert_eq!(audit.early, 0, "second run: {audit:?}");
}

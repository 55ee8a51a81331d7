//! The must-show: 10,000 users against a directory holding creates, updates,
//! reactivations and leavers, with 5% 503s, 2% dropped requests, 429 bursts with Retry-After,
//! a token expiry mid-run and a read-after-create 404 window. Afterwards the server holds the
//! roster exactly, nothing was created twice, no request came before its Retry-After, at most
//! 2 tokens were requested, and a second run writes nothing.

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
    w.wfm.rate_limit_bursts(2_500, 16, 1);
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
    eprintln!(
        "first run: {first_run:?}; report counts {:?}, requests {}, retries {}, 429s seen {}, confirmations {}; \
         server {stats:?}; dropped before/after {}/{}; token requests {}",
        report.counts,
        report.requests,
        report.retries,
        report.rate_limited,
        report.confirmations,
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
    assert_eq!(
        stats.early_retries, 0,
        "a request came before its Retry-After elapsed"
    );
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
}

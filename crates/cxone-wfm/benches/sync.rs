//! Benchmarks of the CXone WFM sync (a plain binary: `cargo bench -p cxone-wfm --bench sync`).
//!
//! 1. `plan()` on a 1,000,000-row roster against 1,000,000 server users (10% changed, 1% leavers,
//!    1% new): time, and peak resident memory (Linux `VmHWM`) before and after.
//! 2. Syncing N new users (default 10,000) against the sandbox stand-in allowing R requests per
//!    second (default 1,000, sliding one-second window measured at arrival, 429 with
//!    `Retry-After: 1` beyond it), side by side in one run: the engine with 32 writes in flight
//!    and a client-side limit of 95% of R (`RateLimit::per_second(0.95 R)`), the same engine with
//!    a client-side limit of exactly R, and the guide's "batches of 50 and a pause" (50 users at
//!    once with the guide's optimistic `PUT` then `POST` on 404, waiting out a 429's
//!    `Retry-After`, then a pause of 50/R s). The ceiling is N/R seconds.
//!
//! Environment: `CXONE_BENCH_USERS` (N), `CXONE_BENCH_RATE` (R), `CXONE_BENCH_PLAN_ROWS`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use cxone_wfm::roster::Rules;
use cxone_wfm::scopes::{RolesRead, UsersRead, UsersWrite};
use cxone_wfm::{Client, Engine, Error, User, UserChanges, plan};
use futures::StreamExt;
use wfm_auth::{ClientAuth, ClientCredentials};
use wfm_http::{Platform, RateLimit, RetryPolicy};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::cxone::CxoneWfm;
use wiremock::MockServer;

type Scopes = (UsersRead, UsersWrite, RolesRead);

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size so far, in MiB (Linux), or 0.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn user(i: usize, last: &str) -> User {
    let mut u = User::new(
        format!("EMP-{i:07}"),
        format!("First{i}"),
        last,
        format!("e{i}@example.com"),
        "America/Chicago",
    )
    .with_roles(["role_t1"]);
    u.location = Some("US-Central-01".into());
    u
}

fn bench_plan(rows: usize) {
    let desired: Vec<User> = (0..rows).map(|i| user(i, &format!("Last{i}"))).collect();
    let current: Vec<User> = (rows / 100..rows + rows / 100)
        .map(|i| {
            let last = if i % 10 == 0 {
                "Old".to_owned()
            } else {
                format!("Last{i}")
            };
            user(i, &last)
        })
        .collect();
    let present: HashSet<String> = desired.iter().map(|u| u.external_id.clone()).collect();
    let before = peak_mib();
    let started = Instant::now();
    let p = plan(&desired, &current, &present);
    let took = started.elapsed();
    println!(
        "plan() on {rows} rows vs {} server users: {took:?}; {} creates, {} updates, {} deactivations, {} unchanged; peak RSS {before:.0} MiB with the inputs, {:.0} MiB after planning",
        current.len(),
        p.creates.len(),
        p.updates.len(),
        p.deactivations.len(),
        p.unchanged,
        peak_mib()
    );
}

async fn world(rate: usize, client_rate: usize) -> (MockServer, CxoneWfm, Platform<Scopes>) {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    tokens.grant_scope(Some("wfm.users.read wfm.users.write wfm.roles.read"));
    let wfm = CxoneWfm::mount(&server)
        .await
        .require_token(&tokens)
        .with_roles([("role_t1", "Tier 1")]);
    let platform = Platform::<Scopes>::builder()
        .credentials(
            ClientCredentials::new(tokens.url(), "bench", "secret")
                .auth_style(ClientAuth::RequestBody),
        )
        .rate_limit(RateLimit::per_second(client_rate as u32))
        .retry(RetryPolicy::default().max_attempts(6))
        .circuit_breaker(None)
        .build()
        .unwrap();
    // The server's limit is switched on after the token request, as a tenant's API limit.
    wfm.max_rate(Some(rate as u64));
    (server, wfm, platform)
}

fn roster_rows(n: usize) -> Vec<cxone_wfm::roster::RosterRow> {
    let mut csv = String::from(
        "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId\n",
    );
    for i in 0..n {
        csv.push_str(&format!(
            "EMP-{i:07},First{i},Last{i},e{i}@example.com,America/Chicago,T1,,US-Central-01,\n"
        ));
    }
    cxone_wfm::roster::parse_csv(&csv).unwrap()
}

async fn bench_engine(n: usize, rate: usize, client_rate: usize) {
    let (server, wfm, platform) = world(rate, client_rate).await;
    let client = Client::new(&platform, server.uri()).unwrap();
    let started = Instant::now();
    let report = Engine::new(client)
        .concurrency(32)
        .sync(roster_rows(n), Rules::new([("T1", "role_t1")]))
        .await
        .unwrap();
    let took = started.elapsed();
    let s = wfm.stats();
    let requests = s.requests as f64;
    let ceiling = requests / rate as f64;
    println!(
        "engine (client limit {client_rate}/s): {n} users at R={rate}/s in {took:.2?} ({} created, {} failed); {} requests reached the server; ratio to N/R = {:.3}, to requests/R ({ceiling:.2} s) = {:.3}; 429s {}",
        report.counts.created,
        report.counts.failed,
        s.requests,
        took.as_secs_f64() / (n as f64 / rate as f64),
        took.as_secs_f64() / ceiling,
        s.rate_limited
    );
}

/// The guide's write: an optimistic `PUT` of the whole user, a `POST` on 404; a 429 is waited
/// out as its `Retry-After` says (the transport does so for the `PUT`).
async fn guide_upsert(client: &Client<Scopes>, user: &User) -> Result<(), Error> {
    match client.update_user(&UserChanges::all_of(user)).await {
        Ok(()) => return Ok(()),
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e),
    }
    loop {
        match client.create_user(user).await {
            Err(e) if e.is_rate_limited() => {
                tokio::time::sleep(e.retry_after().unwrap_or(Duration::from_secs(1))).await;
            }
            other => return other,
        }
    }
}

async fn bench_batches(n: usize, rate: usize) {
    // No client-side limit: the guide paces with batches and pauses.
    let (server, wfm, platform) = world(rate, 1_000_000).await;
    let client: Client<Scopes> = Client::new(&platform, server.uri()).unwrap();
    let users: Vec<User> = (0..n).map(|i| user(i, &format!("Last{i}"))).collect();
    let pause = Duration::from_secs_f64(50.0 / rate as f64);
    let started = Instant::now();
    let _ = client.roles().await.unwrap();
    let mut failed = 0;
    for batch in users.chunks(50) {
        let results: Vec<_> = futures::stream::iter(batch)
            .map(|u| guide_upsert(&client, u))
            .buffer_unordered(50)
            .collect()
            .await;
        failed += results.iter().filter(|r| r.is_err()).count();
        tokio::time::sleep(pause).await;
    }
    let took = started.elapsed();
    let s = wfm.stats();
    println!(
        "batches of 50 + {pause:?} pause: {n} users at R={rate}/s in {took:.2?} ({} created, {failed} failed); {} requests, ceiling N/R = {:.2} s, ratio {:.3}; 429s {}",
        s.creates,
        s.requests,
        n as f64 / rate as f64,
        took.as_secs_f64() / (n as f64 / rate as f64),
        s.rate_limited
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rows = env("CXONE_BENCH_PLAN_ROWS", 1_000_000);
    let n = env("CXONE_BENCH_USERS", 10_000);
    let rate = env("CXONE_BENCH_RATE", 1_000);
    bench_plan(rows);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        bench_engine(n, rate, rate * 95 / 100).await;
        bench_engine(n, rate, rate).await;
        bench_batches(n, rate).await;
    });
}

//! Token cache semantics against a wiremock token endpoint: reuse until `expires_in` minus the
//! skew, one request in flight however many tasks ask, forced refresh after a 401 without loops.
//! Expiry is driven by a `ManualClock`, so no test sleeps on the clock it checks.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Sequence, mount_answer, token_requests, token_url};
use serde_json::json;
use tokio::sync::Barrier;
use wfm_auth::clock::ManualClock;
use wfm_auth::{AccessToken, AuthError, ClientCredentials, StaticToken, TokenCache, TokenProvider};
use wiremock::{MockServer, ResponseTemplate};

fn credentials(server: &MockServer) -> ClientCredentials {
    ClientCredentials::new(token_url(server), "client-id", "client-secret")
}

/// Runs `tasks` concurrent `op`s released together by a barrier; returns their results in order.
async fn concurrently<F, Fut>(tasks: usize, op: F) -> Vec<Result<AccessToken, AuthError>>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<AccessToken, AuthError>> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(tasks));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            let fut = op();
            tokio::spawn(async move {
                barrier.wait().await;
                fut.await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks);
    for handle in handles {
        out.push(handle.await.expect("task panicked"));
    }
    out
}

fn secrets(results: &[Result<AccessToken, AuthError>]) -> Vec<String> {
    results
        .iter()
        .map(|r| r.as_ref().expect("token").secret().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_tasks_one_request_then_one_more_after_expiry_minus_skew() {
    let server = MockServer::start().await;
    // The delay keeps the first request in flight while all 200 tasks ask.
    let seq = Sequence::mount(&server, 3600, Duration::from_millis(200)).await;
    let clock = ManualClock::new();
    let cache = TokenCache::builder(credentials(&server))
        .clock(clock.clone())
        .build()
        .unwrap();

    let first = concurrently(200, || {
        let cache = cache.clone();
        async move { cache.token().await }
    })
    .await;
    assert_eq!(
        token_requests(&server).await,
        1,
        "200 concurrent callers, one token request"
    );
    assert!(secrets(&first).iter().all(|s| s == "token-1"));

    // 1 s before `expires_in` minus the default 30 s skew: still the cached token, no request.
    clock.advance(Duration::from_secs(3600 - 30 - 1));
    assert_eq!(cache.token().await.unwrap().secret(), "token-1");
    assert_eq!(token_requests(&server).await, 1);

    // Past `expires_in` minus skew: exactly one more request, whoever asks.
    clock.advance(Duration::from_secs(2));
    let second = concurrently(200, || {
        let cache = cache.clone();
        async move { cache.token().await }
    })
    .await;
    assert_eq!(
        token_requests(&server).await,
        2,
        "one refresh for 200 callers"
    );
    assert!(secrets(&second).iter().all(|s| s == "token-2"));
    assert_eq!(seq.issued.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn skew_is_configurable_and_expiry_is_reported() {
    let server = MockServer::start().await;
    Sequence::mount(&server, 100, Duration::ZERO).await;
    let clock = ManualClock::new();
    let cache = TokenCache::builder(credentials(&server))
        .skew(Duration::from_secs(60))
        .clock(clock.clone())
        .build()
        .unwrap();
    let start = wfm_auth::clock::Clock::now(&clock);

    let token = cache.token().await.unwrap();
    assert_eq!(token.expires_at(), Some(start + Duration::from_secs(100)));
    clock.advance(Duration::from_secs(39));
    assert_eq!(cache.token().await.unwrap().secret(), "token-1");
    clock.advance(Duration::from_secs(1)); // 100 - 60 = 40 s
    assert_eq!(cache.token().await.unwrap().secret(), "token-2");
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn a_lifetime_shorter_than_the_skew_is_used_for_half_of_it() {
    let server = MockServer::start().await;
    Sequence::mount(&server, 20, Duration::ZERO).await; // 20 s <= 30 s skew
    let clock = ManualClock::new();
    let cache = TokenCache::builder(credentials(&server))
        .clock(clock.clone())
        .build()
        .unwrap();

    assert_eq!(cache.token().await.unwrap().secret(), "token-1");
    assert_eq!(
        cache.token().await.unwrap().secret(),
        "token-1",
        "not stale on arrival"
    );
    clock.advance(Duration::from_secs(10));
    assert_eq!(cache.token().await.unwrap().secret(), "token-2");
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn a_token_without_expires_in_is_kept_until_rejected() {
    let server = MockServer::start().await;
    Sequence::mount_with(
        &server,
        Duration::ZERO,
        |n| json!({"access_token": format!("token-{n}"), "token_type": "Bearer"}),
    )
    .await;
    let clock = ManualClock::new();
    let cache = TokenCache::builder(credentials(&server))
        .clock(clock.clone())
        .build()
        .unwrap();

    let token = cache.token().await.unwrap();
    assert_eq!(token.expires_at(), None);
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(cache.token().await.unwrap().secret(), "token-1");
    assert_eq!(cache.refresh(&token).await.unwrap().secret(), "token-2");
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_of_a_rejected_token_from_many_tasks_makes_one_request() {
    let server = MockServer::start().await;
    Sequence::mount(&server, 3600, Duration::from_millis(200)).await;
    let cache = TokenCache::builder(credentials(&server)).build().unwrap();
    let rejected = cache.token().await.unwrap();
    assert_eq!(token_requests(&server).await, 1);

    let refreshed = concurrently(100, || {
        let cache = cache.clone();
        let rejected = rejected.clone();
        async move { cache.refresh(&rejected).await }
    })
    .await;
    assert_eq!(
        token_requests(&server).await,
        2,
        "100 callers reporting the same 401, one new token"
    );
    assert!(secrets(&refreshed).iter().all(|s| s == "token-2"));

    // A late report of the old token gets the newer one without a request.
    assert_eq!(cache.refresh(&rejected).await.unwrap().secret(), "token-2");
    assert_eq!(cache.token().await.unwrap().secret(), "token-2");
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_never_loops_when_the_server_returns_the_same_token() {
    let server = MockServer::start().await;
    Sequence::mount_with(
        &server,
        Duration::from_millis(500),
        |_| json!({"access_token": "always-the-same", "token_type": "bearer", "expires_in": 3600}),
    )
    .await;
    let cache = TokenCache::builder(credentials(&server)).build().unwrap();
    let rejected = cache.token().await.unwrap();

    let refreshed = concurrently(50, || {
        let cache = cache.clone();
        let rejected = rejected.clone();
        async move { cache.refresh(&rejected).await }
    })
    .await;
    assert!(secrets(&refreshed).iter().all(|s| s == "always-the-same"));
    assert_eq!(
        token_requests(&server).await,
        2,
        "one forced refresh, shared by every waiter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_request_is_shared_by_every_waiter_and_retried_later() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(401)
            .set_body_json(json!({"error": "invalid_client", "error_description": "bad secret"}))
            .set_delay(Duration::from_millis(200)),
    )
    .await;
    let cache = TokenCache::builder(credentials(&server)).build().unwrap();

    let results = concurrently(50, || {
        let cache = cache.clone();
        async move { cache.token().await }
    })
    .await;
    assert_eq!(
        token_requests(&server).await,
        1,
        "a failure is not retried by every waiter"
    );
    for result in &results {
        assert!(
            matches!(result, Err(AuthError::InvalidClient { status: 401, .. })),
            "{result:?}"
        );
    }
    // A later call tries again (the secret may have been fixed meanwhile).
    assert!(cache.token().await.is_err());
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn cached_reads_without_a_request() {
    let server = MockServer::start().await;
    Sequence::mount(&server, 3600, Duration::ZERO).await;
    let clock = ManualClock::new();
    let cache = TokenCache::builder(credentials(&server))
        .clock(clock.clone())
        .build()
        .unwrap();
    assert!(cache.cached().is_none());
    let token = cache.token().await.unwrap();
    assert!(cache.cached().expect("cached").same_as(&token));
    clock.advance(Duration::from_secs(3600));
    assert!(cache.cached().is_none(), "stale tokens are not handed out");
    assert_eq!(token_requests(&server).await, 1);
}

#[tokio::test]
async fn static_token_and_custom_providers_share_the_trait() {
    let providers: Vec<Arc<dyn TokenProvider>> = vec![Arc::new(StaticToken::new("fixed"))];
    for provider in providers {
        let token = provider.token().await.unwrap();
        assert_eq!(token.secret(), "fixed");
        assert!(provider.refresh(&token).await.unwrap().same_as(&token));
    }
}

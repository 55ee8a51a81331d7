//! Two promises of the transport, each against a real HTTP server:
//!
//! - a `Retry-After` holds every request under the same limit (the rate key's when per-key
//!   limits are configured, else the whole platform's) until it elapses, not only the request
//!   that was throttled;
//! - [`Transport::with_tokens`] gives one transport its own token source (one per mailbox, for
//!   delegated tokens) while every request still counts against the platform's one budget.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wfm_auth::scope::genesys::Scim;
use wfm_auth::{AccessToken, RolesDecide, StaticToken, TokenProvider, token_fn};
use wfm_http::{Error, Method, Platform, RateLimit, RetryPolicy};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Records the path and arrival instant of every request; answers 429 with `Retry-After` to the
/// first request for `throttled_path`, 200 to everything else.
#[derive(Clone)]
struct Recorder {
    throttled_path: &'static str,
    retry_after_secs: u64,
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
}

impl Recorder {
    fn new(throttled_path: &'static str, retry_after_secs: u64) -> Self {
        Self {
            throttled_path,
            retry_after_secs,
            seen: Arc::default(),
        }
    }

    /// Arrival instants of the requests for `path`, in order.
    fn arrivals(&self, path: &str) -> Vec<Instant> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| *t)
            .collect()
    }
}

impl Respond for Recorder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().unwrap();
        let first = !seen.iter().any(|(p, _)| p == req.url.path());
        seen.push((req.url.path().to_owned(), Instant::now()));
        if first && req.url.path() == self.throttled_path {
            ResponseTemplate::new(429)
                .insert_header("Retry-After", self.retry_after_secs.to_string().as_str())
                .set_body_json(serde_json::json!({"message": "slow down"}))
        } else {
            ResponseTemplate::new(200).set_body_json(serde_json::json!({}))
        }
    }
}

/// Waits until the platform has counted a retry: the throttled request has read its 429 and
/// placed its hold.
async fn until_retrying(platform: &Platform<RolesDecide>) {
    while platform.stats().retries() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_holds_every_request_of_the_platform_until_it_elapses() {
    let server = MockServer::start().await;
    let recorder = Recorder::new("/a", 1);
    Mock::given(method("GET"))
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let platform = Platform::<RolesDecide>::builder()
        .retry(RetryPolicy::default().max_attempts(3))
        .build()
        .unwrap();
    let api = platform.transport(server.uri()).unwrap();

    let a = tokio::spawn({
        let api = api.clone();
        async move { api.request(Method::GET, &["a"]).send().await }
    });
    until_retrying(&platform).await;
    // B is a different request on the same platform, sent while A waits out its Retry-After.
    api.request(Method::GET, &["b"]).send().await.unwrap();
    a.await.unwrap().unwrap();

    let throttled_at = recorder.arrivals("/a")[0];
    let b_at = recorder.arrivals("/b")[0];
    // Retry-After: 1 is whole seconds; allow for the server's and the client's clocks being
    // read at slightly different moments.
    assert!(
        b_at.duration_since(throttled_at) >= Duration::from_millis(950),
        "B reached the server {:?} after the 429 that said Retry-After: 1",
        b_at.duration_since(throttled_at)
    );
    assert_eq!(recorder.arrivals("/a").len(), 2, "A was retried once");
    assert_eq!(platform.stats().throttled(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_per_key_limits_a_retry_after_holds_only_its_own_key() {
    let server = MockServer::start().await;
    let recorder = Recorder::new("/m1/first", 3);
    Mock::given(method("GET"))
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let platform = Platform::<RolesDecide>::builder()
        .retry(RetryPolicy::default().max_attempts(3))
        .per_key_rate_limit(RateLimit::per_second(100).max_concurrent(4))
        .build()
        .unwrap();
    let api = platform.transport(server.uri()).unwrap();

    let first = tokio::spawn({
        let api = api.clone();
        async move {
            api.request(Method::GET, &["m1", "first"])
                .rate_key("m1")
                .send()
                .await
        }
    });
    until_retrying(&platform).await;
    // Another mailbox is not held back by m1's Retry-After ...
    api.request(Method::GET, &["m2", "other"])
        .rate_key("m2")
        .send()
        .await
        .unwrap();
    // ... while a second request of m1 is.
    api.request(Method::GET, &["m1", "second"])
        .rate_key("m1")
        .send()
        .await
        .unwrap();
    first.await.unwrap().unwrap();

    let throttled_at = recorder.arrivals("/m1/first")[0];
    let retried_at = recorder.arrivals("/m1/first")[1];
    let other_at = recorder.arrivals("/m2/other")[0];
    let second_at = recorder.arrivals("/m1/second")[0];
    assert!(
        other_at < retried_at,
        "m2 was served before m1's Retry-After elapsed"
    );
    assert!(
        second_at.duration_since(throttled_at) >= Duration::from_millis(2950),
        "m1's second request reached the server {:?} after the 429 that said Retry-After: 3",
        second_at.duration_since(throttled_at)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_answered_429_is_handed_back_and_still_holds_the_platform() {
    let server = MockServer::start().await;
    let recorder = Recorder::new("/users", 1);
    Mock::given(wiremock::matchers::any())
        .respond_with(recorder.clone())
        .mount(&server)
        .await;
    let platform = Platform::<RolesDecide>::builder().build().unwrap();
    let api = platform.transport(server.uri()).unwrap();

    // A POST is not repeated by the transport: the 429 comes back to the caller at once ...
    let err = api
        .request(Method::POST, &["users"])
        .json(&serde_json::json!({"userName": "a"}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.as_api().map(|e| e.status().as_u16()), Some(429));
    assert_eq!(recorder.arrivals("/users").len(), 1);
    // ... and the platform still waits out its Retry-After before the next request.
    api.request(Method::GET, &["other"]).send().await.unwrap();
    let gap = recorder.arrivals("/other")[0].duration_since(recorder.arrivals("/users")[0]);
    assert!(
        gap >= Duration::from_millis(950),
        "sent {gap:?} after Retry-After: 1"
    );
}

#[tokio::test]
async fn each_transport_with_its_own_tokens_sends_its_own_token_on_one_budget() {
    let server = MockServer::start().await;
    for who in ["alice", "bob"] {
        Mock::given(method("GET"))
            .and(path(format!("/calendars/{who}")))
            .and(header(
                "authorization",
                format!("Bearer token-of-{who}").as_str(),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let platform = Platform::<RolesDecide>::builder()
        .credentials(wfm_auth::ClientCredentials::new(
            format!("{}/never-called", server.uri()),
            "id",
            "secret",
        ))
        .build()
        .unwrap();
    let shared = platform.transport(server.uri()).unwrap();
    for who in ["alice", "bob"] {
        let tokens: Arc<dyn TokenProvider> = Arc::new(StaticToken::new(format!("token-of-{who}")));
        shared
            .with_tokens(tokens)
            .request(Method::GET, &["calendars", who])
            .send()
            .await
            .unwrap();
    }
    // Both went through the platform (its counters), and the platform's own credentials were
    // never asked for a token.
    assert_eq!(platform.stats().requests(), 2);
    let debug = format!(
        "{:?}",
        shared.with_tokens(Arc::new(StaticToken::new("s3cr3t")))
    );
    assert!(!debug.contains("s3cr3t"), "{debug}");
}

#[tokio::test]
async fn a_transports_own_token_is_checked_against_the_platform_scope_set() {
    let server = MockServer::start().await;
    let platform = Platform::<Scim>::builder().build().unwrap();
    let tokens: Arc<dyn TokenProvider> = Arc::new(token_fn(|| async {
        Ok(AccessToken::new("t").with_granted_scopes(["scim:readonly"]))
    }));
    let err = platform
        .transport(server.uri())
        .unwrap()
        .with_tokens(tokens)
        .request(Method::GET, &["Users"])
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("scim"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

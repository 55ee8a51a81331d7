//! The transport's second pass, each against a real HTTP server (the shared budget of several
//! transports is in `shared_budget.rs`): a cancelled half-open trial, no head-of-line blocking between rate
//! keys, capped bodies, pre-signed URLs without the token, the configured timeout and user agent
//! with a caller's own client, and a custom provider's token checked against the scope set.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use wfm_auth::scope::genesys::{Scim, ScimReadonly};
use wfm_auth::{AccessToken, ErrorMetadata, RolesDecide, StaticToken};
use wfm_http::{
    CircuitBreaker, Error, Method, Platform, RateLimit, RetryPolicy, Transport, reqwest,
};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers 200 and counts.
#[derive(Clone, Default)]
struct Count(Arc<AtomicUsize>);

impl Respond for Count {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(serde_json::json!({}))
    }
}

#[tokio::test]
async fn a_cancelled_half_open_trial_does_not_keep_the_circuit_open() {
    let server = MockServer::start().await;
    Mock::given(path("/down"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    Mock::given(path("/up"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let t = Transport::builder(format!("{}/", server.uri()))
        .retry(RetryPolicy::none())
        .circuit_breaker(Some(CircuitBreaker::new(1, Duration::from_millis(100))))
        .build()
        .unwrap();
    assert!(t.request(Method::GET, &["down"]).send().await.is_err());
    assert!(matches!(
        t.request(Method::GET, &["up"]).send().await,
        Err(Error::CircuitOpen { .. })
    ));
    tokio::time::sleep(Duration::from_millis(150)).await;
    // The trial is cancelled by the caller's timeout before it answers.
    let trial = tokio::time::timeout(
        Duration::from_millis(100),
        t.request(Method::GET, &["slow"]).send(),
    )
    .await;
    assert!(trial.is_err(), "the trial was cancelled");
    // The next request becomes the trial, succeeds and closes the circuit.
    let next = t.request(Method::GET, &["up"]).send().await;
    assert!(
        next.is_ok(),
        "the circuit must not stay open forever: {next:?}"
    );
    assert!(t.request(Method::GET, &["up"]).send().await.is_ok());
}

#[tokio::test]
async fn a_busy_rate_key_does_not_block_another_key() {
    let server = MockServer::start().await;
    Mock::given(path("/users/a/events"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(1500)))
        .mount(&server)
        .await;
    Mock::given(path("/users/b/events"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let t = Transport::builder(format!("{}/", server.uri()))
        .rate_limit(RateLimit::unlimited().max_concurrent(2))
        .per_key_rate_limit(RateLimit::unlimited().max_concurrent(1))
        .build()
        .unwrap();
    // Mailbox A: one request in flight, a second one waiting for A's only slot.
    for _ in 0..2 {
        let t = t.clone();
        tokio::spawn(async move {
            t.request(Method::GET, &["users", "a", "events"])
                .rate_key("a")
                .send()
                .await
        });
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Mailbox B has a free platform-wide slot: it must not wait behind A.
    let started = std::time::Instant::now();
    t.request(Method::GET, &["users", "b", "events"])
        .rate_key("b")
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "mailbox B waited {:?} behind mailbox A",
        started.elapsed()
    );
}

#[tokio::test]
async fn success_bodies_are_capped_with_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 2 * 1024 * 1024]))
        .mount(&server)
        .await;
    Mock::given(path("/small"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 1024]))
        .mount(&server)
        .await;
    let t = Transport::builder(server.uri())
        .max_response_body(1024 * 1024)
        .build()
        .unwrap();
    let err = t.request(Method::GET, &["big"]).send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("max_response_body"), "{err}");
    assert_eq!(
        t.request(Method::GET, &["small"])
            .send()
            .await
            .unwrap()
            .bytes()
            .len(),
        1024
    );
}

#[tokio::test]
async fn a_presigned_url_on_another_origin_never_gets_the_token() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(path("/download/abc"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&storage)
        .await;
    Mock::given(path("/download/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_string("schedule"))
        .mount(&storage)
        .await;
    let t = Transport::builder(format!("{}/api/v2/", api.uri()))
        .token_provider(StaticToken::new("bearer-secret"))
        .build()
        .unwrap();
    let url: wfm_http::Url = format!("{}/download/abc?sig=xyz", storage.uri())
        .parse()
        .unwrap();
    assert!(matches!(
        t.request_url(Method::GET, url.clone()).send().await,
        Err(Error::InvalidUrl(_))
    ));
    let body = t.presigned(Method::GET, url).send().await.unwrap();
    assert_eq!(body.bytes().as_ref(), b"schedule");
    let seen = storage.received_requests().await.unwrap();
    assert!(
        seen.iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
}

#[tokio::test]
async fn a_callers_own_client_keeps_the_configured_timeout_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    Mock::given(path("/ua"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let own = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let t = Transport::builder(server.uri())
        .client(own)
        .timeout(Duration::from_millis(300))
        .user_agent("acme-sync/2.1")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = t.request(Method::GET, &["slow"]).send().await.unwrap_err();
    assert!(
        matches!(err, Error::Connection { timeout: true, .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    t.request(Method::GET, &["ua"]).send().await.unwrap();
    let seen = server.received_requests().await.unwrap();
    let ua = seen.last().unwrap().headers.get("user-agent").unwrap();
    assert_eq!(ua.to_str().unwrap(), "acme-sync/2.1");
}

#[tokio::test]
async fn a_custom_providers_token_is_checked_against_the_platform_scope_set() {
    let server = MockServer::start().await;
    let hits = Count::default();
    Mock::given(method("GET"))
        .respond_with(hits.clone())
        .mount(&server)
        .await;
    let narrow = AccessToken::new("t").with_granted_scopes(["scim:readonly"]);
    let platform = Platform::<Scim>::builder()
        .token_provider(StaticToken::from_token(narrow.clone()))
        .build()
        .unwrap();
    let t = platform.transport(server.uri()).unwrap();
    let err = t.request(Method::GET, &["Users"]).send().await.unwrap_err();
    assert_eq!(
        err.missing_scopes(),
        Some(&["scim".to_owned()][..]),
        "{err}"
    );
    assert_eq!(hits.0.load(Ordering::SeqCst), 0, "nothing was sent");
    // The same token satisfies a read-only platform.
    let platform = Platform::<ScimReadonly>::builder()
        .token_provider(StaticToken::from_token(narrow))
        .build()
        .unwrap();
    platform
        .transport(server.uri())
        .unwrap()
        .request(Method::GET, &["Users"])
        .send()
        .await
        .unwrap();
    assert_eq!(
        platform.required_scopes().requirements()[0].name(),
        "scim:readonly"
    );
}

#[tokio::test]
async fn a_static_token_refused_with_401_is_not_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let t = Transport::builder(server.uri())
        .token_provider(StaticToken::new("expired"))
        .build()
        .unwrap();
    let err = t.request(Method::GET, &["x"]).send().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.as_api().unwrap().attempts(),
        1,
        "a static token cannot be refreshed: one attempt"
    );
    assert!(err.advice().unwrap().contains("refused"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_platform_counts_requests_retries_429s_and_refreshes() {
    let server = MockServer::start().await;
    let api = wfm_sandbox::Faults::new(ResponseTemplate::new(200)).rate_limit_first(2, 0);
    Mock::given(path("/users"))
        .respond_with(api.clone())
        .mount(&server)
        .await;
    Mock::given(path("/expired"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let platform = Platform::<RolesDecide>::builder()
        .token_provider(wfm_auth::token_fn(|| async { Ok(AccessToken::new("t")) }))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let a = platform.transport(server.uri()).unwrap();
    let b = platform.transport(format!("{}/", server.uri())).unwrap();
    let before = platform.stats();
    a.request(Method::GET, &["users"]).send().await.unwrap();
    assert!(b.request(Method::GET, &["expired"]).send().await.is_err());
    let run = platform.stats().since(&before);
    assert_eq!(run.requests(), 5, "3 attempts for /users, 2 for /expired");
    assert_eq!(run.retries(), 2);
    assert_eq!(run.throttled(), 2);
    assert_eq!(run.token_refreshes(), 1);
    assert_eq!(a.stats(), b.stats(), "one platform, one set of counters");
}

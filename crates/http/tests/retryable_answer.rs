//! A platform's own slow-down answers: Google Calendar sends its rate limits as a 403 with
//! reason `rateLimitExceeded` / `userRateLimitExceeded` (domain `usageLimits`). A classifier
//! set on the platform makes the transport retry them with backoff, like a 429, and
//! `is_retryable()` agrees; a 403 `insufficientPermissions` is still returned at once.

use std::time::{Duration, Instant};

use serde_json::json;
use wfm_auth::{RolesDecide, StaticToken};
use wfm_http::{ApiError, Method, Platform, RetryPolicy};
use wfm_sandbox::Faults;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn google_slow_down(e: &ApiError) -> bool {
    e.status().as_u16() == 403
        && matches!(
            e.code(),
            Some("rateLimitExceeded" | "userRateLimitExceeded")
        )
}

fn google_403(reason: &str, domain: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(403).set_body_json(json!({"error": {
        "errors": [{"domain": domain, "reason": reason, "message": message}],
        "code": 403, "message": message}}))
}

fn platform() -> Platform<RolesDecide> {
    Platform::<RolesDecide>::builder()
        .token_provider(StaticToken::new("t"))
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(40))
                .max_delay(Duration::from_millis(40)),
        )
        .retryable_answer(google_slow_down)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_403_user_rate_limit_is_retried_after_a_backoff() {
    let server = MockServer::start().await;
    let faults = Faults::new(ResponseTemplate::new(200).set_body_json(json!({"id": "e1"})));
    Mock::given(method("GET"))
        .and(path("/calendar/v3/e"))
        .respond_with(google_403(
            "userRateLimitExceeded",
            "usageLimits",
            "User Rate Limit Exceeded",
        ))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/calendar/v3/e"))
        .respond_with(faults.clone())
        .mount(&server)
        .await;
    let t = platform()
        .transport(format!("{}/calendar/v3/", server.uri()))
        .unwrap();
    let started = Instant::now();
    t.request(Method::GET, &["e"]).send().await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert_eq!(faults.requests(), 1);
    // Two full-jitter backoffs of at most 40 ms each (the policy's, as for a 429).
    assert!(started.elapsed() < Duration::from_secs(5));

    // The same answer to a plain POST (not safe to repeat) is not retried, and says so.
    Mock::given(method("POST"))
        .and(path("/calendar/v3/p"))
        .respond_with(google_403(
            "rateLimitExceeded",
            "usageLimits",
            "Rate Limit Exceeded",
        ))
        .mount(&server)
        .await;
    let err = t.request(Method::POST, &["p"]).send().await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!((api.code(), api.attempts()), (Some("rateLimitExceeded"), 1));
    assert!(api.is_slow_down());
    assert!(!err.is_retryable());
    // Marked idempotent (a client-chosen id), it is retried until the attempts run out.
    let err = t
        .request(Method::POST, &["p"])
        .idempotent()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().attempts(), 4);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_403_insufficient_permissions_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/calendar/v3/e"))
        .respond_with(google_403(
            "insufficientPermissions",
            "global",
            "Request had insufficient authentication scopes.",
        ))
        .mount(&server)
        .await;
    let t = platform()
        .transport(format!("{}/calendar/v3/", server.uri()))
        .unwrap();
    let err = t.request(Method::GET, &["e"]).send().await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.code(), Some("insufficientPermissions"));
    assert_eq!(
        api.message(),
        Some("Request had insufficient authentication scopes.")
    );
    assert_eq!(api.attempts(), 1);
    assert!(!api.is_slow_down());
    assert!(!err.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn without_a_classifier_a_403_is_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/x/e"))
        .respond_with(google_403(
            "userRateLimitExceeded",
            "usageLimits",
            "slow down",
        ))
        .mount(&server)
        .await;
    let t = Platform::<RolesDecide>::builder()
        .token_provider(StaticToken::new("t"))
        .build()
        .unwrap()
        .transport(format!("{}/x/", server.uri()))
        .unwrap();
    let err = t.request(Method::GET, &["e"]).send().await.unwrap_err();
    assert_eq!(err.as_api().unwrap().attempts(), 1);
    assert!(!err.is_retryable());
}

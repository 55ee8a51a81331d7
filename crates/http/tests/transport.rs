//! The transport against real HTTP servers (wiremock and the sandbox): retries, Retry-After,
//! idempotency, path encoding, insecure transport, circuit breaker, rate limits, errors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wfm_auth::StaticToken;
use wfm_http::{CircuitBreaker, Error, Method, RateLimit, RetryPolicy, Transport};
use wfm_sandbox::{DropConnections, Faults};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
}

fn transport(base: &str) -> Transport {
    Transport::builder(format!("{base}/api/v2/"))
        .token_provider(Arc::new(StaticToken::new("static-secret-token")))
        .retry(fast_retries())
        .build()
        .unwrap()
}

async fn mount(server: &MockServer, verb: &str, at: &str, faults: &Faults) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(faults.clone())
        .mount(server)
        .await;
}

fn gaps(arrivals: &[Instant]) -> Vec<Duration> {
    arrivals.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = MockServer::start().await;
    let api =
        Faults::new(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
            .rate_limit_first(1, 2);
    mount(&server, "GET", "/api/v2/users", &api).await;

    let body: serde_json::Value = transport(&server.uri())
        .request(Method::GET, &["users"])
        .send_json()
        .await
        .unwrap();

    assert_eq!(body["ok"], true);
    let arrivals = api.arrivals();
    assert_eq!(arrivals.len(), 2, "one 429, one retry");
    assert!(
        gaps(&arrivals)[0] >= Duration::from_secs(2),
        "retry sent after {:?}",
        gaps(&arrivals)[0]
    );
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start().await;
    // An HTTP-date 3 s ahead has one-second precision: the wait is more than 2 s.
    let api = Faults::new(ResponseTemplate::new(204)).rate_limit_until(1, 3);
    mount(&server, "DELETE", "/api/v2/users/u1", &api).await;

    let resp = transport(&server.uri())
        .request(Method::DELETE, &["users", "u1"])
        .send()
        .await
        .unwrap();

    assert_eq!(resp.status().as_u16(), 204);
    let g = gaps(&api.arrivals());
    assert_eq!(g.len(), 1);
    assert!(
        g[0] >= Duration::from_secs(2),
        "retry sent after {:?}",
        g[0]
    );
}

#[tokio::test]
async fn retry_after_over_the_cap_is_an_error() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(200)).rate_limit_first(1, 3600);
    mount(&server, "GET", "/api/v2/users", &api).await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .retry(RetryPolicy::default().retry_after_cap(Duration::from_secs(5)))
        .build()
        .unwrap();

    let err = t.request(Method::GET, &["users"]).send().await.unwrap_err();

    let Error::RetryAfterTooLong {
        demanded,
        cap,
        source,
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(*demanded, Duration::from_secs(3600));
    assert_eq!(*cap, Duration::from_secs(5));
    assert_eq!(source.status().as_u16(), 429);
    assert_eq!(source.correlation_id(), Some("sandbox-429"));
    assert!(
        err.to_string().contains("retry_after_cap"),
        "says what to do: {err}"
    );
    assert_eq!(
        api.requests(),
        1,
        "no retry when the demand is over the cap"
    );
}

#[tokio::test]
async fn post_503_is_not_retried_unless_marked_idempotent() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(201)).fail_first(1, 503);
    mount(&server, "POST", "/api/v2/users", &api).await;
    let t = transport(&server.uri());

    let err = t
        .request(Method::POST, &["users"])
        .json(&serde_json::json!({"name": "a"}))
        .send()
        .await
        .unwrap_err();
    let api_err = err.as_api().expect("an API error");
    assert_eq!(api_err.status().as_u16(), 503);
    assert_eq!(api_err.attempts(), 1);
    assert!(
        !api_err.is_retryable() && !err.is_retryable(),
        "a plain POST that got a 503 may have been applied: not retryable, as the transport decided"
    );
    assert_eq!(api.requests(), 1);

    let api = Faults::new(ResponseTemplate::new(201)).fail_first(1, 503);
    server.reset().await;
    mount(&server, "POST", "/api/v2/users", &api).await;
    let resp = t
        .request(Method::POST, &["users"])
        .json(&serde_json::json!({"name": "a"}))
        .idempotent()
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(api.requests(), 2, "marked idempotent: retried once");

    // Marked idempotent and out of attempts: the error says it may be sent again.
    let api = Faults::new(ResponseTemplate::new(201)).fail_first(10, 503);
    server.reset().await;
    mount(&server, "POST", "/api/v2/users", &api).await;
    let err = t
        .request(Method::POST, &["users"])
        .idempotent()
        .send()
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "an idempotent POST's 503 is retryable");
}

#[tokio::test]
async fn put_503_is_retried() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(200)).fail_first(2, 503);
    mount(&server, "PUT", "/api/v2/users/u1", &api).await;

    let resp = transport(&server.uri())
        .request(Method::PUT, &["users", "u1"])
        .json(&serde_json::json!({}))
        .send()
        .await;

    assert_eq!(resp.unwrap().status().as_u16(), 200);
    assert_eq!(api.requests(), 3);
}

#[tokio::test]
async fn other_4xx_are_never_retried_and_retries_stop_at_max_attempts() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(200)).fail_first(1, 409);
    mount(&server, "PUT", "/api/v2/a", &api).await;
    let err = transport(&server.uri())
        .request(Method::PUT, &["a"])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.as_api().unwrap().status().as_u16(), 409);
    assert_eq!(api.requests(), 1);

    let api = Faults::new(ResponseTemplate::new(200)).fail_first(10, 502);
    mount(&server, "GET", "/api/v2/b", &api).await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .retry(fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let err = t.request(Method::GET, &["b"]).send().await.unwrap_err();
    let api_err = err.as_api().unwrap();
    assert_eq!((api_err.status().as_u16(), api_err.attempts()), (502, 3));
    assert!(api_err.was_retried());
    assert_eq!(api.requests(), 3);
}

#[tokio::test]
async fn an_id_is_one_percent_encoded_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    transport(&server.uri())
        .request(Method::GET, &["users", "../admin?x=1"])
        .send()
        .await
        .unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].url.path(), "/api/v2/users/..%2Fadmin%3Fx=1");
    assert_eq!(
        received[0].url.query(),
        None,
        "the ? in the id did not start a query"
    );

    for bad in ["..", ".", ""] {
        let err = transport(&server.uri())
            .request(Method::GET, &["users", bad])
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidPathSegment { .. }),
            "{bad:?}: {err:?}"
        );
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "refused ids send nothing"
    );
}

#[tokio::test]
async fn bearer_tokens_never_go_over_plain_http_except_to_loopback() {
    let t = Transport::builder("http://api.example.invalid/api/v2/")
        .token_provider(Arc::new(StaticToken::new("s3cr3t")))
        .build()
        .unwrap();
    let err = t.request(Method::GET, &["users"]).send().await.unwrap_err();
    assert!(
        matches!(&err, Error::InsecureTransport { host } if host == "api.example.invalid"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("s3cr3t"));

    // Loopback over plain http is allowed (wiremock listens on 127.0.0.1).
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    transport(&server.uri())
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        received[0].headers.get("authorization").unwrap(),
        "Bearer static-secret-token"
    );
}

#[tokio::test]
async fn dropped_connections_retry_gets_but_not_posts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;

    let front = DropConnections::in_front_of(&server, 1).await.unwrap();
    let resp = transport(&front.uri())
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(front.dropped(), 1);

    let front = DropConnections::in_front_of(&server, 1).await.unwrap();
    let err = transport(&front.uri())
        .request(Method::POST, &["users"])
        .send()
        .await
        .unwrap_err();
    let Error::Connection {
        method, attempts, ..
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(
        (method.as_str(), *attempts),
        ("POST", 1),
        "a POST that may have arrived is not repeated"
    );
    let posts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(posts, 0);
}

#[tokio::test]
async fn a_post_that_never_connected_is_retried() {
    // Nothing listens on this port: the connection is refused, so the POST certainly never arrived.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let t = Transport::builder(format!("http://{addr}/"))
        .retry(fast_retries().max_attempts(3))
        .build()
        .unwrap();
    let err = t
        .request(Method::POST, &["users"])
        .send()
        .await
        .unwrap_err();
    let Error::Connection { attempts, .. } = err else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(
        attempts, 3,
        "refused connections are retried for any method"
    );
}

#[tokio::test]
async fn slow_answers_time_out_and_gets_are_retried() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(200)).slow_first(1, Duration::from_secs(2));
    mount(&server, "GET", "/api/v2/slow", &api).await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .retry(fast_retries())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let resp = t.request(Method::GET, &["slow"]).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(api.requests(), 2);
}

#[tokio::test]
async fn circuit_opens_after_consecutive_failures_and_fails_fast() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(200)).fail_first(100, 500);
    mount(&server, "GET", "/api/v2/x", &api).await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .retry(RetryPolicy::none())
        .circuit_breaker(Some(CircuitBreaker::new(3, Duration::from_secs(60))))
        .build()
        .unwrap();
    for _ in 0..3 {
        let err = t.request(Method::GET, &["x"]).send().await.unwrap_err();
        assert_eq!(err.as_api().unwrap().status().as_u16(), 500);
    }
    let err = t.request(Method::GET, &["x"]).send().await.unwrap_err();
    let Error::CircuitOpen {
        failures,
        retry_in,
        host,
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!((*failures, host.as_str()), (3, "127.0.0.1"));
    assert!(*retry_in > Duration::from_secs(50));
    assert_eq!(api.requests(), 3, "the open circuit sent nothing");
}

#[tokio::test]
async fn per_key_concurrency_cap() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(200).set_delay(Duration::from_millis(400)));
    mount(&server, "GET", "/api/v2/mailbox", &api).await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .per_key_rate_limit(RateLimit::unlimited().max_concurrent(2))
        .build()
        .unwrap();

    let started = Instant::now();
    let calls = (0..4).map(|_| {
        t.request(Method::GET, &["mailbox"])
            .rate_key("agent@example.com")
            .send()
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    let arrivals = api.arrivals();
    let early = arrivals
        .iter()
        .filter(|a| a.duration_since(started) < Duration::from_millis(300))
        .count();
    assert_eq!(early, 2, "two requests in flight at once for one key");
    assert!(started.elapsed() >= Duration::from_millis(800));

    // Another key is not held back by the first.
    let started = Instant::now();
    let a = t
        .request(Method::GET, &["mailbox"])
        .rate_key("a@example.com")
        .send();
    let b = t
        .request(Method::GET, &["mailbox"])
        .rate_key("b@example.com")
        .send();
    let c = t
        .request(Method::GET, &["mailbox"])
        .rate_key("c@example.com")
        .send();
    let (a, b, c) = tokio::join!(a, b, c);
    for r in [a, b, c] {
        r.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(790),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn client_wide_rate_limit() {
    let server = MockServer::start().await;
    let api = Faults::new(ResponseTemplate::new(200));
    mount(&server, "GET", "/api/v2/r", &api).await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .rate_limit(RateLimit::per_second(5))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..10 {
        t.request(Method::GET, &["r"]).send().await.unwrap();
    }
    // A burst of 5, then one every 200 ms: the 10th goes out after about 1 s.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn low_remaining_quota_slows_the_client_down() {
    let server = MockServer::start().await;
    let low = ResponseTemplate::new(200)
        .insert_header("x-ratelimit-limit", "300")
        .insert_header("x-ratelimit-remaining", "12");
    let api = Faults::new(low);
    mount(&server, "GET", "/api/v2/q", &api).await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .rate_limit(RateLimit::unlimited().low_quota_pause(Duration::from_millis(300)))
        .build()
        .unwrap();
    for _ in 0..4 {
        t.request(Method::GET, &["q"]).send().await.unwrap();
    }
    let g = gaps(&api.arrivals());
    assert!(
        g.iter().all(|d| *d >= Duration::from_millis(280)),
        "paced: {g:?}"
    );
}

#[tokio::test]
async fn api_errors_carry_code_message_correlation_id_and_no_query() {
    let server = MockServer::start().await;
    let body = serde_json::json!({
        "message": "You are missing the following permission(s): wfm:schedule:edit",
        "code": "missing.permissions",
        "status": 403,
        "messageParams": {"permissions": "wfm:schedule:edit"}
    });
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("inin-correlation-id", "corr-42")
                .set_body_json(body),
        )
        .mount(&server)
        .await;

    let err = transport(&server.uri())
        .request(Method::POST, &["workforcemanagement", "schedules"])
        .query("access_token", "query-secret")
        .send()
        .await
        .unwrap_err();

    let api = err.as_api().unwrap();
    assert_eq!(api.status().as_u16(), 403);
    assert_eq!(api.method().as_str(), "POST");
    assert_eq!(api.path(), "/api/v2/workforcemanagement/schedules");
    assert_eq!(api.code(), Some("missing.permissions"));
    assert!(api.message().unwrap().contains("wfm:schedule:edit"));
    assert_eq!(api.correlation_id(), Some("corr-42"));
    assert_eq!(
        api.body_json().unwrap()["messageParams"]["permissions"],
        "wfm:schedule:edit"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(
            !shown.contains("query-secret") && !shown.contains("static-secret-token"),
            "{shown}"
        );
        assert!(
            shown.contains("corr-42") && shown.contains("missing.permissions"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn error_bodies_are_size_capped_and_non_json_is_fine() {
    let server = MockServer::start().await;
    let html = format!("<html>{}</html>", "x".repeat(200_000));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_string(html))
        .mount(&server)
        .await;
    let err = transport(&server.uri())
        .request(Method::GET, &["nope"])
        .send()
        .await
        .unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.body().len(), wfm_http::MAX_ERROR_BODY);
    assert_eq!((api.code(), api.message()), (None, None));
}

#[tokio::test]
async fn authorization_header_cannot_be_overridden() {
    let server = MockServer::start().await;
    let err = transport(&server.uri())
        .request(Method::GET, &["x"])
        .header("Authorization", "Basic abc")
        .send()
        .await;
    assert!(matches!(err, Err(Error::InvalidHeader { .. })));
    assert!(server.received_requests().await.unwrap().is_empty());
}

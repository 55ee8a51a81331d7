//! The captured `tracing` output of whole requests (retries and a failure included) holds the
//! request's span fields and never a secret: not the bearer token, not a query-string secret.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wfm_auth::StaticToken;
use wfm_http::{Method, RetryPolicy, Transport};
use wfm_sandbox::Faults;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tracing_output_of_a_whole_request_has_no_secret() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    let api =
        Faults::new(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
            .fail_first(1, 503);
    Mock::given(path("/api/v2/users/u-1"))
        .respond_with(api)
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/denied"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .token_provider(Arc::new(StaticToken::new("tok-SECRET-1234567890")))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(5)))
        .build()
        .unwrap();

    t.request(Method::PUT, &["users", "u-1"])
        .query("client_secret", "qs-SECRET-abcdef")
        .json(&serde_json::json!({"password": "body-SECRET-xyz"}))
        .send()
        .await
        .unwrap();
    let err = t
        .request(Method::GET, &["denied"])
        .query("api_key", "qs-SECRET-abcdef")
        .send()
        .await
        .unwrap_err();
    tracing::error!(error = %err, debug = ?err, "logged by the caller");

    let out = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        out.contains("wfm_http.request"),
        "a span per request:\n{out}"
    );
    assert!(
        out.contains("/api/v2/users/u-1")
            && out.contains("attempts=2")
            && out.contains("status=200"),
        "{out}"
    );
    assert!(out.contains("status=403"), "{out}");
    for secret in [
        "tok-SECRET-1234567890",
        "qs-SECRET-abcdef",
        "body-SECRET-xyz",
    ] {
        assert!(
            !out.contains(secret),
            "{secret} leaked into tracing output:\n{out}"
        );
    }
}

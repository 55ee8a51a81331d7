//! The captured `tracing` output of a whole request through the token cache and the transport
//! (token fetch, a 401, the forced refresh, the retry) holds no secret. One test per binary:
//! tracing's callsite cache is process-wide, so a subscriber set per thread must be alone.

use std::io::Write;
use std::sync::{Arc, Mutex};

use wfm_auth::{ClientCredentials, TokenCache};
use wfm_http::{Method, Transport};
use wfm_sandbox::{Faults, TokenEndpoint};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "client-SECRET-8c1f2e";

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
async fn tracing_of_token_fetch_refresh_and_request_shows_no_secret() {
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
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let api = Faults::new(ResponseTemplate::new(200)).require_token(&tokens);
    Mock::given(path("/api/v2/users"))
        .respond_with(api)
        .mount(&server)
        .await;
    let credentials = ClientCredentials::new(
        format!("{}/oauth/token", server.uri()),
        "client-id",
        CLIENT_SECRET,
    );
    tracing::info!(credentials = ?credentials, "caller logs the credentials");
    let cache = TokenCache::builder(credentials).build().unwrap();
    let transport = Transport::builder(format!("{}/api/v2/", server.uri()))
        .token_provider(Arc::new(cache))
        .build()
        .unwrap();
    transport
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap();
    tokens.expire_all();
    transport
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap();
    tracing::info!(transport = ?transport, "caller logs the transport");

    let out = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(out.contains("wfm_http.request"), "{out}");
    for secret in [CLIENT_SECRET, "sandbox-token-1", "sandbox-token-2"] {
        assert!(!out.contains(secret), "{secret} leaked:\n{out}");
    }
}

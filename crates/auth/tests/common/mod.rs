//! Helpers shared by the integration tests: a token endpoint on wiremock, JWT building.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const TOKEN_PATH: &str = "/oauth/token";

/// A token endpoint that answers `token-1`, `token-2`, ... with `expires_in`, after `delay`.
pub struct Sequence {
    pub issued: Arc<AtomicUsize>,
}

impl Sequence {
    pub async fn mount(server: &MockServer, expires_in: u64, delay: Duration) -> Self {
        Self::mount_with(server, delay, move |n| json!({ "access_token": format!("token-{n}"), "token_type": "bearer", "expires_in": expires_in })).await
    }

    /// `body(n)` is the JSON of the n-th token response (1-based).
    pub async fn mount_with(
        server: &MockServer,
        delay: Duration,
        body: impl Fn(usize) -> Value + Send + Sync + 'static,
    ) -> Self {
        let issued = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&issued);
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .respond_with(move |_: &Request| {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                ResponseTemplate::new(200)
                    .set_body_json(body(n))
                    .set_delay(delay)
            })
            .mount(server)
            .await;
        Self { issued }
    }
}

/// Mounts one fixed answer for the token endpoint.
pub async fn mount_answer(server: &MockServer, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(answer)
        .mount(server)
        .await;
}

/// Token requests the server received.
pub async fn token_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("request recording is on")
        .iter()
        .filter(|r| r.url.path() == TOKEN_PATH)
        .count()
}

pub fn token_url(server: &MockServer) -> String {
    format!("{}{TOKEN_PATH}", server.uri())
}

/// An unsigned JWT with the given claims (the cache never verifies signatures).
pub fn jwt(claims: Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.c2lnbmF0dXJl")
}

//! An OAuth 2.0 token endpoint that issues distinct tokens, counts requests, and can be told to
//! fail, to grant fewer scopes, or to expire everything it issued.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::lock;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A token endpoint mounted on a [`MockServer`] (`POST <path>`, form-encoded).
///
/// It answers `{"access_token": "sandbox-token-N", "token_type": "bearer", "expires_in": ...}`,
/// plus `scope` when one is set with [`grant_scope`](Self::grant_scope). Cheap to clone; clones
/// share state.
///
/// It is the sandbox's one source of tokens: point a real `wfm_auth::TokenCache`
/// (`ClientCredentials::new(endpoint.url(), …)`) at [`url`](Self::url), and make the stand-ins
/// accept exactly what it issued with [`Faults::require_token`](crate::Faults::require_token)
/// and [`ScimServiceProvider::require_token`](crate::scim::ScimServiceProvider::require_token).
///
/// Its `Debug` shows counts, never a token or a request's credentials.
#[derive(Clone, Default)]
pub struct TokenEndpoint {
    state: Arc<State>,
}

impl fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("url", &self.state.url)
            .field("requests", &self.requests())
            .field("valid_tokens", &lock(&self.state.valid).len())
            .field("expires_in", &self.state.expires_in.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    url: String,
    requests: AtomicUsize,
    expires_in: AtomicU64,
    scope: Mutex<Option<String>>,
    failure: Mutex<Option<(u16, Value)>>,
    valid: Mutex<HashSet<String>>,
    issued: Mutex<Vec<IssuedToken>>,
}

/// What the endpoint saw and answered, for assertions.
///
/// Its `Debug` shows the grant type only: the token, the `Authorization` header (client
/// credentials) and the form (which may hold a client secret) are redacted. Compare the fields
/// themselves in assertions.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The access token issued.
    pub access_token: String,
    /// The request's `grant_type` form field.
    pub grant_type: Option<String>,
    /// The request's `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The request's form body.
    pub form: String,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("access_token", &"<redacted>")
            .field("grant_type", &self.grant_type)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "<redacted>"),
            )
            .field("form", &"<redacted>")
            .finish()
    }
}

impl TokenEndpoint {
    /// Mount a token endpoint at `path` (for example `/oauth/token`); tokens last 3600 s.
    pub async fn mount(server: &MockServer, at: &str) -> Self {
        let endpoint = Self {
            state: Arc::new(State {
                url: format!("{}{at}", server.uri()),
                expires_in: AtomicU64::new(3600),
                ..State::default()
            }),
        };
        Mock::given(method("POST"))
            .and(path(at))
            .respond_with(endpoint.clone())
            .mount(server)
            .await;
        endpoint
    }
    /// The endpoint's full URL (`http://127.0.0.1:PORT/oauth/token`), for a token cache's
    /// credentials; empty for an endpoint made with `default()` and never mounted.
    pub fn url(&self) -> &str {
        &self.state.url
    }
    /// Token requests received so far, failed ones included.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
    /// Every token issued, in order.
    pub fn issued(&self) -> Vec<IssuedToken> {
        lock(&self.state.issued).clone()
    }
    /// Issue tokens that last `seconds` from now on.
    pub fn set_expires_in(&self, seconds: u64) {
        self.state.expires_in.store(seconds, Ordering::SeqCst);
    }
    /// Put `scope` (space-separated) in every answer, or leave it out with `None`.
    pub fn grant_scope(&self, scope: Option<&str>) {
        *lock(&self.state.scope) = scope.map(str::to_owned);
    }
    /// Answer every request with this status and OAuth error body (RFC 6749 §5.2), or stop failing with `None`.
    pub fn fail_with(&self, failure: Option<(u16, &str, &str)>) {
        *lock(&self.state.failure) = failure.map(|(status, error, description)| {
            (
                status,
                json!({"error": error, "error_description": description}),
            )
        });
    }
    /// Make every token issued so far invalid, as if they had expired or been revoked.
    pub fn expire_all(&self) {
        lock(&self.state.valid).clear();
    }
    /// Whether `token` was issued here and is still valid.
    pub fn is_valid(&self, token: &str) -> bool {
        lock(&self.state.valid).contains(token)
    }
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.state.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((status, body)) = lock(&self.state.failure).clone() {
            return ResponseTemplate::new(status).set_body_json(body);
        }
        let form = String::from_utf8_lossy(&request.body).into_owned();
        let grant_type = form
            .split('&')
            .find_map(|kv| kv.strip_prefix("grant_type="))
            .map(str::to_owned);
        let access_token = format!("sandbox-token-{n}");
        lock(&self.state.valid).insert(access_token.clone());
        lock(&self.state.issued).push(IssuedToken {
            access_token: access_token.clone(),
            grant_type,
            authorization: request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            form,
        });
        let mut body = json!({
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": self.state.expires_in.load(Ordering::SeqCst),
        });
        if let Some(scope) = lock(&self.state.scope).clone() {
            body["scope"] = Value::String(scope);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

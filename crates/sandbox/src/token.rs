//! An OAuth 2.0 token endpoint that issues distinct tokens, counts requests, and can be told to
//! fail, to grant fewer scopes, or to expire everything it issued.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A token endpoint mounted on a [`MockServer`] (`POST <path>`, form-encoded).
///
/// It answers `{"access_token": "sandbox-token-N", "token_type": "bearer", "expires_in": ...}`,
/// plus `scope` when one is set with [`grant_scope`](Self::grant_scope). Cheap to clone; clones
/// share state.
#[derive(Clone, Debug, Default)]
pub struct TokenEndpoint {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    requests: AtomicUsize,
    expires_in: AtomicU64,
    scope: Mutex<Option<String>>,
    failure: Mutex<Option<(u16, Value)>>,
    valid: Mutex<HashSet<String>>,
    issued: Mutex<Vec<IssuedToken>>,
}

/// What the endpoint saw and answered, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl TokenEndpoint {
    /// Mount a token endpoint at `path` (for example `/oauth/token`); tokens last 3600 s.
    pub async fn mount(server: &MockServer, at: &str) -> Self {
        let endpoint = Self::default();
        endpoint.state.expires_in.store(3600, Ordering::SeqCst);
        Mock::given(method("POST"))
            .and(path(at))
            .respond_with(endpoint.clone())
            .mount(server)
            .await;
        endpoint
    }
    /// Token requests received so far, failed ones included.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
    /// Every token issued, in order.
    pub fn issued(&self) -> Vec<IssuedToken> {
        self.state
            .issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
    /// Issue tokens that last `seconds` from now on.
    pub fn set_expires_in(&self, seconds: u64) {
        self.state.expires_in.store(seconds, Ordering::SeqCst);
    }
    /// Put `scope` (space-separated) in every answer, or leave it out with `None`.
    pub fn grant_scope(&self, scope: Option<&str>) {
        *self
            .state
            .scope
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = scope.map(str::to_owned);
    }
    /// Answer every request with this status and OAuth error body (RFC 6749 §5.2), or stop failing with `None`.
    pub fn fail_with(&self, failure: Option<(u16, &str, &str)>) {
        *self
            .state
            .failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            failure.map(|(status, error, description)| {
                (
                    status,
                    json!({"error": error, "error_description": description}),
                )
            });
    }
    /// Make every token issued so far invalid, as if they had expired or been revoked.
    pub fn expire_all(&self) {
        self.state
            .valid
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
    /// Whether `token` was issued here and is still valid.
    pub fn is_valid(&self, token: &str) -> bool {
        self.state
            .valid
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(token)
    }
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.state.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((status, body)) = self
            .state
            .failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            return ResponseTemplate::new(status).set_body_json(body);
        }
        let form = String::from_utf8_lossy(&request.body).into_owned();
        let grant_type = form
            .split('&')
            .find_map(|kv| kv.strip_prefix("grant_type="))
            .map(str::to_owned);
        let access_token = format!("sandbox-token-{n}");
        self.state
            .valid
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(access_token.clone());
        self.state
            .issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(IssuedToken {
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
        if let Some(scope) = self
            .state
            .scope
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            body["scope"] = Value::String(scope);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

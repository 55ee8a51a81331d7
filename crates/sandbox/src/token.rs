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
    /// JWT bearer grants (RFC 7523): what each token was issued for.
    delegated: Mutex<std::collections::HashMap<String, Delegated>>,
    /// JWT bearer grants per subject (`sub`), failed ones included.
    subject_requests: Mutex<std::collections::HashMap<String, usize>>,
    /// The scopes domain-wide delegation authorises (`None`: any).
    authorised: Mutex<Option<Vec<String>>>,
}

/// What a JWT bearer assertion asked for.
#[derive(Clone, Default)]
struct Delegated {
    subject: Option<String>,
    scopes: Vec<String>,
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

/// The grant type of RFC 7523 §2.1.
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The scopes and subject of the form's `assertion` (a JWT whose payload is read, not verified).
fn assertion_claims(form: &str) -> Delegated {
    use base64::Engine as _;
    let claims = form
        .split('&')
        .find_map(|kv| kv.strip_prefix("assertion="))
        .map(form_decode)
        .and_then(|jwt| {
            let payload = jwt.split('.').nth(1)?.to_owned();
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload.trim_end_matches('='))
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .unwrap_or(Value::Null);
    Delegated {
        subject: claims["sub"].as_str().map(str::to_owned),
        scopes: claims["scope"]
            .as_str()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    }
}

/// `application/x-www-form-urlencoded` value decoding (`+` is a space).
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .is_some() =>
            {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'%'));
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// JWT bearer grants (RFC 7523), as a Google service account with domain-wide delegation sends
/// them: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`, the JWT's
/// `sub` being the user acted for and `scope` the scopes asked. The assertion's claims are read
/// (its signature is not checked); every token issued for one remembers its subject and scopes.
impl TokenEndpoint {
    /// Authorise only `scopes` for domain-wide delegation, as a super administrator does in
    /// the Google Admin console; `None` (the default) authorises anything. An assertion asking
    /// for a scope outside the list (or `Some(&[])`: no delegation at all) is answered as Google
    /// does: 401 `unauthorized_client`.
    pub fn authorise_delegation(&self, scopes: Option<&[&str]>) {
        *lock(&self.state.authorised) = scopes.map(|s| s.iter().map(|x| (*x).to_owned()).collect());
    }
    /// The subject (`sub`) a token was issued for by a JWT bearer grant.
    pub fn subject_of(&self, token: &str) -> Option<String> {
        lock(&self.state.delegated)
            .get(token)
            .and_then(|d| d.subject.clone())
    }
    /// The scopes a token was issued for by a JWT bearer grant (empty for other grants).
    pub fn scopes_of(&self, token: &str) -> Vec<String> {
        lock(&self.state.delegated)
            .get(token)
            .map(|d| d.scopes.clone())
            .unwrap_or_default()
    }
    /// JWT bearer grants received for `subject`, refused ones included.
    pub fn requests_for(&self, subject: &str) -> usize {
        lock(&self.state.subject_requests)
            .get(subject)
            .copied()
            .unwrap_or(0)
    }
    /// The distinct subjects JWT bearer grants were received for.
    pub fn subjects(&self) -> usize {
        lock(&self.state.subject_requests).len()
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
        // A JWT bearer grant (a Google service account acting for `sub`): read the assertion's
        // claims (the signature is not checked) and refuse scopes delegation does not cover.
        let delegated = grant_type
            .as_deref()
            .filter(|g| form_decode(g) == JWT_BEARER)
            .map(|_| assertion_claims(&form));
        if let Some(d) = &delegated {
            if let Some(sub) = &d.subject {
                *lock(&self.state.subject_requests)
                    .entry(sub.clone())
                    .or_default() += 1;
            }
            let refused = match &*lock(&self.state.authorised) {
                None => false,
                Some(ok) => d.scopes.is_empty() || d.scopes.iter().any(|s| !ok.contains(s)),
            };
            if refused {
                return ResponseTemplate::new(401).set_body_json(json!({
                    "error": "unauthorized_client",
                    "error_description": "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."
                }));
            }
        }
        let access_token = format!("sandbox-token-{n}");
        if let Some(d) = delegated {
            lock(&self.state.delegated).insert(access_token.clone(), d);
        }
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

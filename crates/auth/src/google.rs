//! Google service accounts with domain-wide delegation: the JSON key file Google issues, the JWT
//! bearer grant ([RFC 7523](https://www.rfc-editor.org/rfc/rfc7523), RS256) with `sub` = the
//! mailbox, and [`DelegatedTokens`], a token cache keyed by subject with one token request in
//! flight per subject.
//!
//! ```
//! use wfm_auth::google::{DelegatedTokens, ServiceAccountKey};
//! use wfm_auth::AuthError;
//!
//! // A key whose `private_key` is missing is refused, naming the field and never the key.
//! let err = ServiceAccountKey::from_json(r#"{"type": "service_account",
//!     "client_email": "sync@project.iam.gserviceaccount.com", "client_id": "1234"}"#).unwrap_err();
//! assert!(matches!(err, AuthError::ServiceAccountKey { field: "private_key", .. }));
//! assert!(err.to_string().contains("`private_key`"));
//! ```
//!
//! Each mailbox gets its own token (Google issues delegated tokens per user); 200 mailboxes cost
//! 200 token requests per token lifetime, however many tasks ask at once. See Google's
//! "Using OAuth 2.0 for Server to Server Applications"
//! (<https://developers.google.com/identity/protocols/oauth2/service-account>).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use crate::error::AuthError;
use crate::exchange::{BridgeError, MAX_TOKEN_RESPONSE, excerpt, oauth_error, read_capped};
use crate::token::{AccessToken, TokenProvider};

/// Google's OAuth 2.0 token endpoint, the `token_uri` of every key file.
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// The grant type of RFC 7523 §2.1.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Lifetime asked for in the assertion (Google's maximum, one hour).
const ASSERTION_LIFETIME: u64 = 3600;

/// A service account key: the JSON file Google issues (`type: service_account`). The private key
/// is parsed once and never printed.
#[derive(Clone)]
pub struct ServiceAccountKey {
    client_email: String,
    client_id: String,
    private_key_id: Option<String>,
    token_uri: String,
    key: Arc<EncodingKey>,
}

impl ServiceAccountKey {
    /// Reads a key file's JSON. A field missing or malformed is
    /// [`AuthError::ServiceAccountKey`] naming it (`private_key`, `client_email`, ...).
    pub fn from_json(json: &str) -> Result<Self, AuthError> {
        let bad = |field: &'static str, problem: &str| AuthError::ServiceAccountKey {
            field,
            problem: problem.to_owned(),
        };
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's message names a line and column, never the text.
            bad(
                "(file)",
                &format!(
                    "is not JSON ({:?} error at line {}, column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let obj = v
            .as_object()
            .ok_or_else(|| bad("(file)", "is not a JSON object"))?;
        let text = |field: &'static str| -> Result<Option<String>, AuthError> {
            match obj.get(field) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => {
                    Err(bad(field, "is empty"))
                }
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(field, "is not a string")),
            }
        };
        match text("type")?.as_deref() {
            Some("service_account") | None => {}
            Some(other) => {
                return Err(bad(
                    "type",
                    &format!(
                        "is {other:?}, not \"service_account\" (this is not a service account key)"
                    ),
                ));
            }
        }
        let client_email =
            text("client_email")?.ok_or_else(|| bad("client_email", "is missing"))?;
        if !client_email.contains('@') {
            return Err(bad("client_email", "is not an email address"));
        }
        let client_id = text("client_id")?.ok_or_else(|| bad("client_id", "is missing"))?;
        let pem = text("private_key")?.ok_or_else(|| bad("private_key", "is missing"))?;
        let key = EncodingKey::from_rsa_pem(pem.as_bytes())
            .map_err(|_| bad("private_key", "is not a PEM-encoded RSA private key"))?;
        let token_uri = text("token_uri")?.unwrap_or_else(|| GOOGLE_TOKEN_URL.to_owned());
        url::Url::parse(&token_uri).map_err(|_| bad("token_uri", "is not a URL"))?;
        Ok(Self {
            client_email,
            client_id,
            private_key_id: text("private_key_id")?,
            token_uri,
            key: Arc::new(key),
        })
    }

    /// Reads a key file from disk.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, AuthError> {
        let json =
            std::fs::read_to_string(path.as_ref()).map_err(|e| AuthError::ServiceAccountKey {
                field: "(file)",
                problem: format!("cannot be read ({})", e.kind()),
            })?;
        Self::from_json(&json)
    }

    /// The service account's email (the assertion's `iss`).
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// The OAuth client id, the number a super administrator authorises for domain-wide
    /// delegation in the Admin console.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The token endpoint (the file's `token_uri`).
    pub fn token_uri(&self) -> &str {
        &self.token_uri
    }

    /// Sends tokens to another endpoint (a test stand-in).
    pub fn with_token_uri(mut self, token_uri: impl Into<String>) -> Self {
        self.token_uri = token_uri.into();
        self
    }

    /// The signed assertion (RS256) for `subject` and `scopes`, issued at `now` (Unix seconds).
    pub fn assertion(
        &self,
        subject: &str,
        scopes: &[String],
        now: u64,
    ) -> Result<String, AuthError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.private_key_id.clone();
        let claims = serde_json::json!({
            "iss": self.client_email,
            "sub": subject,
            "scope": scopes.join(" "),
            "aud": self.token_uri,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
        });
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| {
            AuthError::ServiceAccountKey {
                field: "private_key",
                problem: format!("cannot sign an RS256 assertion ({:?})", e.kind()),
            }
        })
    }
}

impl fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("client_id", &self.client_id)
            .field("token_uri", &self.token_uri)
            .field("private_key", &"[redacted]")
            .finish()
    }
}

/// One subject's slot: its token, behind an async lock that makes requests single flight.
#[derive(Default)]
struct Slot {
    token: tokio::sync::Mutex<Option<AccessToken>>,
}

struct Inner {
    key: ServiceAccountKey,
    scopes: Vec<String>,
    skew: Duration,
    http: reqwest::Client,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    requests: std::sync::atomic::AtomicU64,
}

/// Delegated tokens of one service account, one per subject (mailbox), cached until
/// `expires_in` minus a skew. Tasks asking for the same subject at once share one token request;
/// different subjects never wait for each other. Cheap to clone.
#[derive(Clone)]
pub struct DelegatedTokens {
    inner: Arc<Inner>,
}

impl DelegatedTokens {
    /// Tokens for `scopes` (full URLs such as
    /// `https://www.googleapis.com/auth/calendar.events`) signed with `key`.
    pub fn new<I, S>(key: ServiceAccountKey, scopes: I) -> Result<Self, AuthError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| AuthError::Config {
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                key,
                scopes: scopes.into_iter().map(Into::into).collect(),
                skew: crate::DEFAULT_SKEW,
                http,
                slots: Mutex::new(HashMap::new()),
                requests: Default::default(),
            }),
        })
    }

    /// The service account key.
    pub fn key(&self) -> &ServiceAccountKey {
        &self.inner.key
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// Token requests sent so far (all subjects).
    pub fn requests_sent(&self) -> u64 {
        self.inner
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A valid token for `subject`: the cached one, or one new request shared by every task
    /// asking for that subject meanwhile.
    pub async fn token_for(&self, subject: &str) -> Result<AccessToken, AuthError> {
        self.obtain(subject, None).await
    }

    /// A new token for `subject` unless someone already replaced `rejected` (after a 401).
    pub async fn refresh_for(
        &self,
        subject: &str,
        rejected: &AccessToken,
    ) -> Result<AccessToken, AuthError> {
        self.obtain(subject, Some(rejected)).await
    }

    /// A [`TokenProvider`] for one subject, for a transport that acts as that mailbox.
    pub fn provider(&self, subject: impl Into<String>) -> SubjectTokens {
        SubjectTokens {
            tokens: self.clone(),
            subject: subject.into(),
        }
    }

    fn slot(&self, subject: &str) -> Arc<Slot> {
        let mut slots = self.inner.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(subject.to_owned()).or_default().clone()
    }

    async fn obtain(
        &self,
        subject: &str,
        rejected: Option<&AccessToken>,
    ) -> Result<AccessToken, AuthError> {
        let slot = self.slot(subject);
        let mut held = slot.token.lock().await;
        if let Some(t) = held.as_ref() {
            let fresh = t
                .expires_at()
                .is_none_or(|at| at > Instant::now() + self.inner.skew);
            let replaced = rejected.is_none_or(|r| !r.same_as(t));
            if fresh && replaced {
                return Ok(t.clone());
            }
        }
        let token = self.request(subject).await?;
        *held = Some(token.clone());
        Ok(token)
    }

    async fn request(&self, subject: &str) -> Result<AccessToken, AuthError> {
        let inner = &self.inner;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let assertion = inner.key.assertion(subject, &inner.scopes, now)?;
        inner
            .requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sent_at = Instant::now();
        let response = inner
            .http
            .post(&inner.key.token_uri)
            .form(&[
                ("grant_type", JWT_BEARER_GRANT),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| {
                let e = e.without_url();
                AuthError::Transport {
                    detail: e.to_string(),
                    source: Arc::new(e),
                }
            })?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let mut response = response;
        let body = read_capped(&mut response).await.map_err(|e| match e {
            BridgeError::TooLarge => AuthError::ResponseTooLarge {
                limit: MAX_TOKEN_RESPONSE,
            },
            BridgeError::Http(e) => {
                let e = e.without_url();
                AuthError::Transport {
                    detail: e.to_string(),
                    source: Arc::new(e),
                }
            }
        })?;
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        if (200..300).contains(&status) {
            let json = json.ok_or_else(|| AuthError::MalformedResponse {
                detail: "the body is not JSON".into(),
            })?;
            let access = json["access_token"]
                .as_str()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| AuthError::MalformedResponse {
                    detail: "no `access_token`".into(),
                })?;
            let expires_in = json["expires_in"].as_u64().unwrap_or(ASSERTION_LIFETIME);
            return Ok(AccessToken::new(access)
                .with_expires_at(sent_at + Duration::from_secs(expires_in))
                .with_granted_scopes(inner.scopes.iter().cloned()));
        }
        let error = json
            .as_ref()
            .and_then(|j| j["error"].as_str())
            .map(str::to_owned);
        let description = json
            .as_ref()
            .and_then(|j| j["error_description"].as_str())
            .map(str::to_owned);
        Err(match error.as_deref() {
            Some("unauthorized_client") => AuthError::DelegationRefused {
                status,
                client_id: inner.key.client_id.clone(),
                subject: subject.to_owned(),
                scopes: inner.scopes.clone(),
                description,
            },
            Some(code) => oauth_error(status, code, description),
            None => AuthError::UnexpectedResponse {
                status,
                content_type,
                body_excerpt: excerpt(&body),
            },
        })
    }
}

impl fmt::Debug for DelegatedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelegatedTokens")
            .field("key", &self.inner.key)
            .field("scopes", &self.inner.scopes)
            .finish_non_exhaustive()
    }
}

/// The [`TokenProvider`] of one subject of a [`DelegatedTokens`].
#[derive(Clone, Debug)]
pub struct SubjectTokens {
    tokens: DelegatedTokens,
    subject: String,
}

impl SubjectTokens {
    /// The subject (mailbox).
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

#[async_trait]
impl TokenProvider for SubjectTokens {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        self.tokens.token_for(&self.subject).await
    }
    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        self.tokens.refresh_for(&self.subject, rejected).await
    }
}

//! Access tokens and the [`TokenProvider`] trait every transport asks for a bearer token.
//!
//! SKELETON: signatures are fixed (the http crate depends on them); the auth helper completes it.
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};

/// A bearer access token. `Debug` never shows the secret.
#[derive(Clone)]
pub struct AccessToken {
    secret: Arc<SecretString>,
    expires_at: Option<Instant>,
    granted: Arc<[String]>,
}

impl AccessToken {
    /// A token with no known expiry and no granted-scope information.
    pub fn new(secret: impl Into<String>) -> Self {
        Self { secret: Arc::new(SecretString::from(secret.into())), expires_at: None, granted: Arc::from(Vec::new()) }
    }
    /// The secret, to put in an `Authorization` header. Never log it.
    pub fn secret(&self) -> &str {
        self.secret.expose_secret()
    }
    /// Whether two handles hold the same token.
    pub fn same_as(&self, other: &AccessToken) -> bool {
        Arc::ptr_eq(&self.secret, &other.secret) || self.secret() == other.secret()
    }
    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }
    /// The scopes the server granted, if it said.
    pub fn granted_scopes(&self) -> &[String] {
        &self.granted
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken").field("secret", &"[redacted]").field("expires_at", &self.expires_at).finish()
    }
}

/// Why a token could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Placeholder until the auth helper lands the real variants.
    #[error("token request failed: {0}")]
    Other(String),
}

/// A source of bearer tokens: the token cache, a static token, or an integrator's own (a vault,
/// a managed identity).
#[async_trait::async_trait]
pub trait TokenProvider: Send + Sync + 'static {
    /// A valid token, from cache when possible.
    async fn token(&self) -> Result<AccessToken, AuthError>;
    /// Called when an API answered 401 to `rejected`: obtain a fresh token (once, however many
    /// callers report the same rejected token) and return it.
    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError>;
}

/// A fixed bearer token (for tests and for tokens managed elsewhere). `refresh` returns the same token.
#[derive(Clone, Debug)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Wrap a token string.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(AccessToken::new(secret))
    }
}

#[async_trait::async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        Ok(self.0.clone())
    }
    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        Ok(self.0.clone())
    }
}

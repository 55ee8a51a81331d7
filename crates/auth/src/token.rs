//! Access tokens and the [`TokenProvider`] trait every transport asks for a bearer token.
//! [`StaticToken`] is the simplest provider; [`TokenCache`](crate::TokenCache) the usual one.
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use secrecy::{ExposeSecret, SecretString};

pub use crate::error::AuthError;
use crate::secret::REDACTED;

/// A bearer access token. `Debug` and `Display` never show the secret.
///
/// Cheap to clone (one reference count). Compare tokens with [`AccessToken::same_as`].
#[derive(Clone)]
pub struct AccessToken {
    shared: Arc<Shared>,
    expires_at: Option<Instant>,
}

/// What clones of one token share.
#[derive(Clone)]
struct Shared {
    secret: SecretString,
    granted: Box<[String]>,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl AccessToken {
    /// A token with no known expiry and no granted-scope information.
    pub fn new(secret: impl Into<String>) -> Self {
        Self {
            shared: Arc::new(Shared {
                secret: SecretString::from(secret.into()),
                granted: Box::default(),
                extra: serde_json::Map::new(),
            }),
            expires_at: None,
        }
    }

    /// The same token, expiring at `expires_at`.
    pub fn with_expires_at(mut self, expires_at: Instant) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The same token, with the scopes the server granted.
    pub fn with_granted_scopes<I, S>(mut self, granted: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.shared).granted = granted.into_iter().map(Into::into).collect();
        self
    }

    /// The same token, with the token response's other fields (see [`extra`](Self::extra)).
    pub fn with_extra(mut self, extra: serde_json::Map<String, serde_json::Value>) -> Self {
        Arc::make_mut(&mut self.shared).extra = extra;
        self
    }

    /// The token response's fields other than `access_token`, `token_type`, `expires_in`,
    /// `refresh_token` and `scope`: for example NICE CXone's `resource_server_base_uri` (the
    /// API host to use) or an `id_token`. They may be secret: `Debug` shows their names only.
    pub fn extra(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.shared.extra
    }

    /// The secret, to put in an `Authorization` header. Never log it.
    pub fn secret(&self) -> &str {
        self.shared.secret.expose_secret()
    }

    /// Whether two handles hold the same token.
    pub fn same_as(&self, other: &AccessToken) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared) || self.secret() == other.secret()
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// The scopes the server granted, if it said (empty when unknown or not applicable).
    pub fn granted_scopes(&self) -> &[String] {
        &self.shared.granted
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &REDACTED)
            .field("expires_at", &self.expires_at)
            .field("granted", &self.shared.granted)
            .field(
                "extra_fields",
                &self.shared.extra.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bearer token {REDACTED}")
    }
}

/// A source of bearer tokens: the token cache, a static token, or an integrator's own (a vault,
/// a managed identity).
///
/// Implementations must be cheap on the warm path ([`token`](TokenProvider::token) is called
/// before every request) and must not loop: `refresh` is called at most once per rejected request.
///
/// ```
/// use wfm_auth::{AccessToken, AuthError, TokenProvider};
///
/// /// Reads the token another process keeps fresh.
/// struct FromVault;
///
/// #[wfm_auth::async_trait]
/// impl TokenProvider for FromVault {
///     async fn token(&self) -> Result<AccessToken, AuthError> {
///         Ok(AccessToken::new("token-from-the-vault"))
///     }
///     async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, AuthError> {
///         self.token().await
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait TokenProvider: Send + Sync + 'static {
    /// A valid token, from cache when possible.
    async fn token(&self) -> Result<AccessToken, AuthError>;

    /// Called when an API answered 401 to `rejected`: obtain a fresh token (once, however many
    /// callers report the same rejected token) and return it. If the provider already holds a
    /// token other than `rejected`, it returns that one without a new request.
    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError>;

    /// Whether [`refresh`](Self::refresh) can give a token other than the rejected one. A
    /// [`StaticToken`] cannot: a 401 then ends the request at once, and the error says that
    /// the token must be replaced.
    fn can_refresh(&self) -> bool {
        true
    }
}

#[async_trait::async_trait]
impl<T: TokenProvider + ?Sized> TokenProvider for Arc<T> {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        (**self).token().await
    }
    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        (**self).refresh(rejected).await
    }
    fn can_refresh(&self) -> bool {
        (**self).can_refresh()
    }
}

/// A [`TokenProvider`] from an async function, for a vault or a managed identity without
/// writing a trait impl; made by [`token_fn`]. `refresh` calls the function again.
///
/// ```
/// use wfm_auth::{AccessToken, TokenProvider, token_fn};
/// let provider = token_fn(|| async { Ok(AccessToken::new("from-the-vault")) });
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(provider.token().await.unwrap().secret(), "from-the-vault");
/// # });
/// ```
pub struct FnTokenProvider<F>(F);

/// A [`TokenProvider`] that calls `f` for every token (cache inside `f` if it is not cheap).
pub fn token_fn<F, Fut>(f: F) -> FnTokenProvider<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AccessToken, AuthError>> + Send,
{
    FnTokenProvider(f)
}

impl<F> fmt::Debug for FnTokenProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTokenProvider")
    }
}

#[async_trait::async_trait]
impl<F, Fut> TokenProvider for FnTokenProvider<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AccessToken, AuthError>> + Send,
{
    async fn token(&self) -> Result<AccessToken, AuthError> {
        (self.0)().await
    }
    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        (self.0)().await
    }
}

/// A fixed bearer token (for tests and for tokens managed elsewhere). `refresh` returns the same token.
///
/// ```
/// # tokio_test_block(async {
/// use wfm_auth::{StaticToken, TokenProvider};
/// let provider = StaticToken::new("a-token-from-elsewhere");
/// assert_eq!(provider.token().await.unwrap().secret(), "a-token-from-elsewhere");
/// assert_eq!(format!("{provider:?}"), "StaticToken(AccessToken { secret: \"[redacted]\", expires_at: None, granted: [], extra_fields: [] })");
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Wrap a token string.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(AccessToken::new(secret))
    }

    /// Wrap an [`AccessToken`] (e.g. one with known granted scopes).
    pub fn from_token(token: AccessToken) -> Self {
        Self(token)
    }
}

impl fmt::Display for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "static {}", self.0)
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

    fn can_refresh(&self) -> bool {
        false
    }
}

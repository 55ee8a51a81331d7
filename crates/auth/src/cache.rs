//! [`TokenCache`]: tokens from a token endpoint, reused until shortly before they expire.
//! One request in flight however many tasks ask; granted scopes checked on every new token.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use tracing::Instrument as _;

use crate::clock::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::error::{AuthError, GrantSource, NameList};
use crate::exchange::Exchanger;
use crate::granted::{RequiredScopes, ScopeCheck, jwt_granted_scopes};
use crate::scope::ScopeList;
use crate::token::{AccessToken, TokenProvider};

/// How long before `expires_in` runs out a token is replaced, unless [`TokenCacheBuilder::skew`] says otherwise.
pub const DEFAULT_SKEW: Duration = Duration::from_secs(30);

/// Tokens from a token endpoint, cached and shared.
///
/// - **Reuse**: a token is handed out until `expires_in` minus the skew (30 s by default) has
///   passed; then the next caller fetches a new one. A token whose lifetime is not longer than
///   the skew is replaced at half its lifetime; one without `expires_in` is kept until an API
///   rejects it.
/// - **Single flight**: however many tasks ask at once, one token request is in flight; the others
///   wait for it and share its outcome, success or error.
/// - **Refresh on 401**: [`refresh(rejected)`](TokenProvider::refresh) fetches a new token unless
///   the cache already holds one other than `rejected`, so a burst of 401s costs one request. The
///   transport retries the failed call once with the new token, never in a loop.
/// - **Granted scopes**: every new token is checked against the declared scopes
///   ([`require`](TokenCacheBuilder::require)) as the [`ScopeCheck`] says; a shortfall is
///   [`AuthError::InsufficientScope`] and the token is not used.
///
/// The warm path is lock-free (an [`arc_swap`] load, a clock read and one reference-count
/// increment). Cloning the cache is cheap and clones share one cache.
///
/// ```no_run
/// # async fn run() -> Result<(), wfm_auth::AuthError> {
/// use std::time::Duration;
/// use wfm_auth::{ClientCredentials, ScopeCheck, TokenCache, TokenProvider};
/// use wfm_auth::scope::graph::CalendarsReadWrite;
///
/// let cache = TokenCache::builder(ClientCredentials::microsoft_graph("contoso.onmicrosoft.com", "app-id", "app-secret"))
///     .require::<CalendarsReadWrite>()
///     .scope_check(ScopeCheck::JwtClaims)
///     .skew(Duration::from_secs(60))
///     .build()?;
/// let token = cache.token().await?; // fails with InsufficientScope if the app lacks Calendars.ReadWrite
/// # let _ = token; Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenCache {
    inner: Arc<Inner>,
}

impl TokenCache {
    /// Starts configuring a cache for `credentials`.
    pub fn builder(credentials: impl Into<Credentials>) -> TokenCacheBuilder {
        TokenCacheBuilder {
            credentials: credentials.into(),
            skew: DEFAULT_SKEW,
            http: None,
            required: RequiredScopes::none(),
            check: ScopeCheck::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The cached token if it is still fresh, without any request (synchronous, lock-free).
    pub fn cached(&self) -> Option<AccessToken> {
        self.inner.fresh(None)
    }

    /// The scopes every token must be granted.
    pub fn required_scopes(&self) -> &RequiredScopes {
        &self.inner.required
    }

    /// The credentials this cache exchanges.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }
}

#[async_trait::async_trait]
impl TokenProvider for TokenCache {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        if let Some(token) = self.inner.fresh(None) {
            return Ok(token);
        }
        self.inner.obtain(None).await
    }

    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        self.inner.obtain(Some(rejected)).await
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.inner.current.load();
        f.debug_struct("TokenCache")
            .field("credentials", &self.inner.credentials)
            .field("skew", &self.inner.skew)
            .field("scope_check", &self.inner.check)
            .field(
                "required",
                &self
                    .inner
                    .required
                    .requirements()
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>(),
            )
            .field("cached", &current.as_ref().map(|c| &c.token))
            .finish()
    }
}

impl fmt::Display for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token cache for {}", self.inner.credentials)
    }
}

/// Configures a [`TokenCache`]; made by [`TokenCache::builder`].
pub struct TokenCacheBuilder {
    credentials: Credentials,
    skew: Duration,
    http: Option<reqwest::Client>,
    required: RequiredScopes,
    check: ScopeCheck,
    clock: Arc<dyn Clock>,
}

impl TokenCacheBuilder {
    /// Replace tokens this long before they expire (default [`DEFAULT_SKEW`], 30 s).
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// The HTTP client for token requests. Configure it not to follow redirects
    /// (`reqwest::redirect::Policy::none()`) and with a timeout; the default client does both
    /// (30 s timeout, 10 s connect timeout).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Declares the scope set `S` (a scope or a tuple of scopes, usually the client's own scope
    /// parameter): every new token must be granted each of them, or a scope that implies it.
    /// Calling it again adds to the declared set.
    pub fn require<S: ScopeList>(mut self) -> Self {
        self.required = self.required.and::<S>();
        self
    }

    /// Declares exactly the scope set `S`, replacing what [`require`](Self::require) declared:
    /// what a platform does so that its clients' scope set and its cache's are the same.
    pub fn declared_scopes<S: ScopeList>(mut self) -> Self {
        self.required = RequiredScopes::of::<S>();
        self
    }

    /// The HTTP client to use unless [`http_client`](Self::http_client) gave one: a platform
    /// passes its own, so that token requests share its configuration (proxy, TLS, timeouts).
    pub fn default_http_client(mut self, client: reqwest::Client) -> Self {
        self.http.get_or_insert(client);
        self
    }

    /// Where the granted scopes are read (default [`ScopeCheck::FromResponse`]).
    pub fn scope_check(mut self, check: ScopeCheck) -> Self {
        self.check = check;
        self
    }

    /// The clock that decides when a token is stale (default [`SystemClock`]; tests use
    /// [`ManualClock`](crate::clock::ManualClock)).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks the configuration and builds the cache. No request is made until the first
    /// [`token`](TokenProvider::token).
    ///
    /// The token URL must be `https`, or `http` to a loopback address (tests): a client secret
    /// never crosses a network in clear.
    pub fn build(self) -> Result<TokenCache, AuthError> {
        check_token_url(self.credentials.token_url())?;
        let http = match self.http {
            Some(client) => client,
            None => default_http_client()?,
        };
        let exchanger = Exchanger::new(&self.credentials, http)?;
        Ok(TokenCache {
            inner: Arc::new(Inner {
                exchanger,
                credentials: self.credentials,
                current: ArcSwapOption::empty(),
                gate: tokio::sync::Mutex::new(None),
                attempts: AtomicU64::new(0),
                skew: self.skew,
                required: self.required,
                check: self.check,
                clock: self.clock,
            }),
        })
    }
}

impl fmt::Debug for TokenCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCacheBuilder")
            .field("credentials", &self.credentials)
            .field("skew", &self.skew)
            .field("custom_http_client", &self.http.is_some())
            .field("required", &self.required)
            .field("scope_check", &self.check)
            .finish()
    }
}

struct Inner {
    exchanger: Exchanger,
    credentials: Credentials,
    /// The current token; read lock-free on the warm path.
    current: ArcSwapOption<Cached>,
    /// Held while a token request is in flight; holds the error of the last request, if it failed.
    gate: tokio::sync::Mutex<Option<AuthError>>,
    /// Finished token requests, so that waiters can tell one finished while they waited.
    attempts: AtomicU64,
    skew: Duration,
    required: RequiredScopes,
    check: ScopeCheck,
    clock: Arc<dyn Clock>,
}

struct Cached {
    token: AccessToken,
    /// When to replace the token; `None` = until an API rejects it.
    refresh_at: Option<Instant>,
}

impl Inner {
    /// The current token if fresh and not the rejected one.
    fn fresh(&self, rejected: Option<&AccessToken>) -> Option<AccessToken> {
        let current = self.current.load();
        let cached = current.as_ref()?;
        if cached.refresh_at.is_some_and(|at| self.clock.now() >= at) {
            return None;
        }
        if rejected.is_some_and(|r| cached.token.same_as(r)) {
            return None;
        }
        Some(cached.token.clone())
    }

    /// The slow path: one task requests, the others wait for and share its outcome.
    async fn obtain(&self, rejected: Option<&AccessToken>) -> Result<AccessToken, AuthError> {
        let seen = self.attempts.load(Ordering::Acquire);
        if let Some(token) = self.fresh(rejected) {
            return Ok(token);
        }
        let mut last_error = self.gate.lock().await;
        if self.attempts.load(Ordering::Acquire) != seen {
            // A request finished while this task waited: its outcome is this task's too, even if
            // the new token equals the rejected one (never loop on a token endpoint).
            if let Some(error) = last_error.as_ref() {
                return Err(error.clone());
            }
            if let Some(current) = self.current.load().as_ref() {
                return Ok(current.token.clone());
            }
        }
        if let Some(token) = self.fresh(rejected) {
            return Ok(token);
        }
        if rejected.is_some() {
            tracing::debug!("an API rejected the current token; requesting a new one");
        }
        let outcome = self.request().await;
        match &outcome {
            Ok(cached) => {
                self.current.store(Some(Arc::clone(cached)));
                *last_error = None;
            }
            Err(error) => *last_error = Some(error.clone()),
        }
        self.attempts.fetch_add(1, Ordering::Release);
        outcome.map(|cached| cached.token.clone())
    }

    /// One token request, its granted-scope check, and its expiry.
    async fn request(&self) -> Result<Arc<Cached>, AuthError> {
        let span = tracing::debug_span!(
            "wfm_auth.token_request",
            token_url = %self.credentials.token_url(),
            grant_type = self.credentials.grant_type(),
        );
        async {
            tracing::debug!("requesting an access token");
            let issued = self
                .exchanger
                .request()
                .await
                .inspect_err(|e| tracing::warn!(error = %e, "token request failed"))?;
            let obtained_at = self.clock.now();
            let granted = self
                .granted(&issued)
                .inspect_err(|e| tracing::warn!(error = %e, "token rejected"))?;
            let mut token = AccessToken::new(issued.secret)
                .with_granted_scopes(granted)
                .with_extra(issued.extra);
            let mut refresh_at = None;
            if let Some(lifetime) = issued.expires_in {
                token = token.with_expires_at(obtained_at + lifetime);
                let reuse_for = if lifetime > self.skew {
                    lifetime - self.skew
                } else {
                    lifetime / 2
                };
                refresh_at = Some(obtained_at + reuse_for);
            }
            tracing::debug!(
                expires_in_s = issued.expires_in.map(|d| d.as_secs()),
                granted = %NameList(token.granted_scopes()),
                "access token obtained"
            );
            Ok(Arc::new(Cached { token, refresh_at }))
        }
        .instrument(span)
        .await
    }

    /// The granted scopes of a new token, checked against the declared ones.
    fn granted(&self, issued: &crate::exchange::Issued) -> Result<Vec<String>, AuthError> {
        let (granted, source) = match self.check {
            ScopeCheck::NotApplicable => return Ok(issued.scope.clone().unwrap_or_default()),
            ScopeCheck::FromResponse => match &issued.scope {
                Some(scope) => (scope.clone(), GrantSource::ResponseScope),
                None => (
                    self.credentials.requested_scopes().to_vec(),
                    GrantSource::AsRequested,
                ),
            },
            ScopeCheck::JwtClaims => match jwt_granted_scopes(&issued.secret) {
                Ok(granted) => (granted, GrantSource::JwtClaims),
                // Nothing declared: an opaque token is no error, it just tells nothing.
                Err(_) if self.required.requirements().is_empty() => {
                    (Vec::new(), GrantSource::JwtClaims)
                }
                Err(e) => return Err(e),
            },
        };
        self.required.check(&granted, source)?;
        Ok(granted)
    }
}

fn check_token_url(token_url: &str) -> Result<(), AuthError> {
    let url = url::Url::parse(token_url).map_err(|e| AuthError::Config {
        detail: format!(
            "the token URL `{token_url}` does not parse ({e}); give an absolute https URL"
        ),
    })?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(AuthError::Config {
            detail: format!(
                "the token URL `{token_url}` is not https; credentials are only sent over https (or http to a loopback address, for tests)"
            ),
        }),
    }
}

fn default_http_client() -> Result<reqwest::Client, AuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("wfm-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| AuthError::Config {
            detail: format!("the token HTTP client could not be built: {e}"),
        })
}

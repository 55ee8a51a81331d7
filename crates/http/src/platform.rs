//! [`Platform`]: what every transport of one platform shares (one HTTP client configuration, one
//! rate budget, one circuit breaker, one retry policy, one token source) and the scope set its
//! tokens are checked against.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::HeaderValue;
use url::Url;
use wfm_auth::{
    Credentials, RequiredScopes, RolesDecide, ScopeCheck, ScopeList, TokenCache, TokenCacheBuilder,
    TokenProvider,
};

use crate::error::{ApiError, Error};
use crate::limit::{Breakers, CircuitBreaker, Limits, RateLimit};
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The most of a success body read by default (32 MiB); see
/// [`PlatformBuilder::max_response_body`].
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 32 * 1024 * 1024;

/// One platform's shared configuration and budget: an HTTP client, a rate limit (platform-wide
/// and per key), a circuit breaker, a retry policy and a token source, used by every
/// [`Transport`] made from it, whatever its base URL. Cheap to clone; clones share everything.
///
/// `S` is the scope set of the platform's grant (see `wfm_auth::scope`). A token cache built by
/// the platform ([`credentials`](PlatformBuilder::credentials),
/// [`token_cache`](PlatformBuilder::token_cache)) checks every new token against exactly `S`,
/// and the platform crates' clients are built from a `&Platform<S>` and take its `S` as their
/// own: the scope set a client is checked against at compile time and the one its tokens are
/// checked against at run time are the same type.
///
/// Genesys Cloud allows about 300 requests a minute per token, whichever API they go to: one
/// platform with `RateLimit::per_minute(300)` serves the WFM API and the SCIM API together.
///
/// ```no_run
/// use wfm_auth::ClientCredentials;
/// use wfm_auth::scope::genesys::{Scim, WorkforceManagement};
/// use wfm_http::{Method, Platform, RateLimit};
///
/// # async fn demo() -> Result<(), wfm_http::Error> {
/// let genesys = Platform::<(WorkforceManagement, Scim)>::builder()
///     .credentials(ClientCredentials::new("https://login.mypurecloud.de/oauth/token", "id", "secret"))
///     .rate_limit(RateLimit::per_minute(300))
///     .build()?;
/// // Two base URLs, one budget of 300 requests a minute between them.
/// let api = genesys.transport("https://api.mypurecloud.de/api/v2/")?;
/// let scim = genesys.transport("https://api.mypurecloud.de/api/v2/scim/v2/")?;
/// let me: serde_json::Value = api.request(Method::GET, &["tokens", "me"]).send_json().await?;
/// let config: serde_json::Value = scim.request(Method::GET, &["ServiceProviderConfig"]).send_json().await?;
/// # let _ = (me, config); Ok(()) }
/// ```
pub struct Platform<S = RolesDecide> {
    shared: Arc<Shared>,
    scopes: PhantomData<fn() -> S>,
}

impl<S> Clone for Platform<S> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            scopes: PhantomData,
        }
    }
}

impl<S> fmt::Debug for Platform<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Platform")
            .field("scopes", &self.shared.required)
            .field("authenticated", &self.shared.tokens.is_some())
            .field("retry", &self.shared.retry)
            .field("timeout", &self.shared.timeout)
            .finish_non_exhaustive()
    }
}

/// What the transports of one platform share.
pub(crate) struct Shared {
    pub(crate) client: reqwest::Client,
    pub(crate) tokens: Option<Arc<dyn TokenProvider>>,
    pub(crate) cache: Option<TokenCache>,
    /// Checked against the granted scopes a custom provider's tokens carry, if any.
    pub(crate) required: RequiredScopes,
    pub(crate) check_custom_tokens: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Limits,
    pub(crate) breakers: Breakers,
    pub(crate) timeout: Duration,
    pub(crate) user_agent: HeaderValue,
    pub(crate) max_body: usize,
    pub(crate) stats: Counters,
}

/// What a platform's transports have sent, for reports: requests on the wire (every attempt),
/// retries, 429 answers and token refreshes after a 401. Read with [`Platform::stats`].
///
/// ```
/// let platform = wfm_http::Platform::<wfm_auth::RolesDecide>::builder().build()?;
/// let stats = platform.stats();
/// assert_eq!((stats.requests(), stats.retries(), stats.throttled()), (0, 0, 0));
/// # Ok::<(), wfm_http::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    requests: u64,
    retries: u64,
    throttled: u64,
    token_refreshes: u64,
}

impl Stats {
    /// Attempts sent (a retried call counts once per attempt).
    pub fn requests(&self) -> u64 {
        self.requests
    }
    /// Attempts that were sent again after a retryable failure.
    pub fn retries(&self) -> u64 {
        self.retries
    }
    /// 429 answers received.
    pub fn throttled(&self) -> u64 {
        self.throttled
    }
    /// Forced token refreshes after a 401.
    pub fn token_refreshes(&self) -> u64 {
        self.token_refreshes
    }
    /// What happened between `earlier` and `self` (for one run of a long-lived platform).
    pub fn since(&self, earlier: &Stats) -> Stats {
        Stats {
            requests: self.requests.saturating_sub(earlier.requests),
            retries: self.retries.saturating_sub(earlier.retries),
            throttled: self.throttled.saturating_sub(earlier.throttled),
            token_refreshes: self.token_refreshes.saturating_sub(earlier.token_refreshes),
        }
    }
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    token_refreshes: AtomicU64,
}

impl Counters {
    pub(crate) fn sent(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn refreshed(&self) {
        self.token_refreshes.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            token_refreshes: self.token_refreshes.load(Ordering::Relaxed),
        }
    }
}

impl<S: ScopeList> Platform<S> {
    /// Starts configuring a platform whose grant has the scope set `S`.
    pub fn builder() -> PlatformBuilder<S> {
        PlatformBuilder {
            tokens: TokenSource::None,
            scope_check: None,
            client: None,
            retry: RetryPolicy::default(),
            rate: RateLimit::unlimited(),
            per_key: None,
            breaker: Some(CircuitBreaker::default()),
            timeout: Duration::from_secs(60),
            user_agent: concat!("wfm-sdk/", env!("CARGO_PKG_VERSION")).to_owned(),
            max_body: DEFAULT_MAX_RESPONSE_BODY,
            scopes: PhantomData,
        }
    }
}

impl<S> Platform<S> {
    /// A transport for the API under `base` (for example `https://api.mypurecloud.de/api/v2/`),
    /// sharing this platform's client, budget, breaker and tokens. Accepts a [`Url`] or a string.
    pub fn transport(&self, base: impl IntoUrl) -> Result<Transport, Error> {
        Transport::on(Arc::clone(&self.shared), base.into_url()?)
    }

    /// The token source, if the platform has one.
    pub fn tokens(&self) -> Option<&Arc<dyn TokenProvider>> {
        self.shared.tokens.as_ref()
    }

    /// The token cache the platform built, if it was given credentials.
    pub fn token_cache(&self) -> Option<&TokenCache> {
        self.shared.cache.as_ref()
    }

    /// The scopes every token must be granted: those of `S`.
    pub fn required_scopes(&self) -> &RequiredScopes {
        &self.shared.required
    }

    /// What the platform's transports have sent so far: requests, retries, 429s, token refreshes.
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// How many per-key rate limiters are live (keys seen recently); idle ones are forgotten.
    pub fn tracked_rate_keys(&self) -> usize {
        self.shared.limits.tracked_keys()
    }

    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            scopes: PhantomData,
        }
    }
}

enum TokenSource {
    None,
    Credentials(Box<TokenCacheBuilder>),
    Custom(Arc<dyn TokenProvider>),
}

/// Configures a [`Platform`]; made by [`Platform::builder`].
#[must_use]
pub struct PlatformBuilder<S> {
    tokens: TokenSource,
    scope_check: Option<ScopeCheck>,
    client: Option<reqwest::Client>,
    retry: RetryPolicy,
    rate: RateLimit,
    per_key: Option<RateLimit>,
    breaker: Option<CircuitBreaker>,
    timeout: Duration,
    user_agent: String,
    max_body: usize,
    scopes: PhantomData<fn() -> S>,
}

impl<S> fmt::Debug for PlatformBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformBuilder")
            .field("retry", &self.retry)
            .field("rate", &self.rate)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<S: ScopeList> PlatformBuilder<S> {
    /// Tokens from these credentials, through a [`TokenCache`] the platform builds: single
    /// flight, reuse until shortly before expiry, and every new token checked against `S`.
    pub fn credentials(self, credentials: impl Into<Credentials>) -> Self {
        self.token_cache(TokenCache::builder(credentials))
    }

    /// Tokens from a cache configured by you (skew, clock). Its declared scopes are replaced by
    /// exactly `S`, and it uses the platform's HTTP client unless it was given its own.
    pub fn token_cache(mut self, cache: TokenCacheBuilder) -> Self {
        self.tokens = TokenSource::Credentials(Box::new(cache));
        self
    }

    /// Tokens from your own provider (a vault, a managed identity, a [`StaticToken`](wfm_auth::StaticToken)).
    /// A token that carries its granted scopes is checked against `S` before it is used; one
    /// that carries none is used as given.
    pub fn token_provider(mut self, tokens: impl TokenProvider) -> Self {
        self.tokens = TokenSource::Custom(Arc::new(tokens));
        self
    }

    /// Where the token cache reads granted scopes. Default: [`ScopeCheck::FromResponse`], or
    /// [`ScopeCheck::NotApplicable`] for [`RolesDecide`].
    pub fn scope_check(mut self, check: ScopeCheck) -> Self {
        self.scope_check = Some(check);
        self
    }

    /// Use this `reqwest` client (proxies, certificates, pools). The platform's timeout and
    /// user agent are still applied to every request. It should not follow redirects.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// How failed requests are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Also retry the error answers `classify` calls a slow-down (with backoff, like a 429): a
    /// platform's own rate-limit signals, such as Google's 403 with reason
    /// `userRateLimitExceeded`. Sets [`RetryPolicy::retryable_answer`]; call after
    /// [`retry`](Self::retry).
    pub fn retryable_answer(mut self, classify: fn(&ApiError) -> bool) -> Self {
        self.retry = self.retry.retryable_answer(classify);
        self
    }

    /// The platform-wide rate and concurrency limit, shared by all its transports.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate = limit;
        self
    }

    /// The limit applied to each [`rate_key`](crate::RequestBuilder::rate_key) separately (for
    /// example per Graph mailbox), on top of the platform-wide one.
    pub fn per_key_rate_limit(mut self, limit: RateLimit) -> Self {
        self.per_key = Some(limit);
        self
    }

    /// The circuit breaker per host, or `None` to disable it.
    pub fn circuit_breaker(mut self, breaker: Option<CircuitBreaker>) -> Self {
        self.breaker = breaker;
        self
    }

    /// The timeout of one attempt (default 60 s), applied to every request, also with your own client.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header, sent with every request, also with your own client.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// The largest success body read (default [`DEFAULT_MAX_RESPONSE_BODY`], 32 MiB); a larger
    /// one is [`Error::BodyTooLarge`]. Error bodies are read up to
    /// [`MAX_ERROR_BODY`](crate::MAX_ERROR_BODY).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Checks the configuration and builds the platform. No request is made.
    pub fn build(self) -> Result<Platform<S>, Error> {
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::Config(format!(
                "the user agent {:?} is not a valid header value",
                self.user_agent
            ))
        })?;
        let client = match self.client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| Error::Config(e.without_url().to_string()))?,
        };
        let check = self.scope_check.unwrap_or(if S::ROLES_DECIDE {
            ScopeCheck::NotApplicable
        } else {
            ScopeCheck::FromResponse
        });
        let (tokens, cache, check_custom_tokens): (Option<Arc<dyn TokenProvider>>, _, _) =
            match self.tokens {
                TokenSource::None => (None, None, false),
                TokenSource::Credentials(builder) => {
                    let cache = builder
                        .declared_scopes::<S>()
                        .scope_check(check)
                        .default_http_client(client.clone())
                        .build()?;
                    (Some(Arc::new(cache.clone())), Some(cache), false)
                }
                TokenSource::Custom(provider) => (Some(provider), None, !S::ROLES_DECIDE),
            };
        Ok(Platform::from_shared(Arc::new(Shared {
            client,
            tokens,
            cache,
            required: RequiredScopes::of::<S>(),
            check_custom_tokens,
            retry: self.retry,
            limits: Limits::new(&self.rate, self.per_key),
            breakers: Breakers::new(self.breaker),
            timeout: self.timeout,
            user_agent,
            max_body: self.max_body,
            stats: Counters::default(),
        })))
    }
}

/// A base URL given as a [`Url`] or as a string (parsed when the transport is built).
pub trait IntoUrl {
    /// The URL, or [`Error::Config`] saying why the string is not one.
    fn into_url(self) -> Result<Url, Error>;
}

impl IntoUrl for Url {
    fn into_url(self) -> Result<Url, Error> {
        Ok(self)
    }
}

impl IntoUrl for &Url {
    fn into_url(self) -> Result<Url, Error> {
        Ok(self.clone())
    }
}

impl IntoUrl for &str {
    fn into_url(self) -> Result<Url, Error> {
        Url::parse(self).map_err(|e| {
            Error::Config(format!(
                "the URL {self:?} does not parse ({e}); give an absolute http(s) URL"
            ))
        })
    }
}

impl IntoUrl for String {
    fn into_url(self) -> Result<Url, Error> {
        self.as_str().into_url()
    }
}

impl IntoUrl for &String {
    fn into_url(self) -> Result<Url, Error> {
        self.as_str().into_url()
    }
}

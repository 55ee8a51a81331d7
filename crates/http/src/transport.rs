//! The [`Transport`]: one configured HTTP pipeline per platform base URL, and the
//! [`RequestBuilder`] / [`Response`] pair every platform crate sends its calls through.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;
use wfm_auth::{AccessToken, RolesDecide, TokenProvider};

use crate::error::{ApiError, Error, MAX_ERROR_BODY};
use crate::limit::{CircuitBreaker, RateLimit};
use crate::platform::{IntoUrl, Platform, PlatformBuilder, Shared, Stats};
use crate::retry::{RetryPolicy, is_idempotent_method, is_retryable_status as retryable_status};

/// One HTTP pipeline for one platform base URL: bearer tokens, safe retries, rate limits, a
/// circuit breaker and typed errors. Cheap to clone (the state is shared).
///
/// ```no_run
/// use std::sync::Arc;
/// use wfm_auth::StaticToken;
/// use wfm_http::{Method, Transport};
///
/// # async fn demo() -> Result<(), wfm_http::Error> {
/// let transport = Transport::builder("https://api.mypurecloud.ie/api/v2/")
///     .token_provider(Arc::new(StaticToken::new("a-token")))
///     .build()?;
/// // GET https://api.mypurecloud.ie/api/v2/users/a%2Fb : each segment is percent-encoded.
/// let user: serde_json::Value = transport.request(Method::GET, &["users", "a/b"]).send_json().await?;
/// # let _ = user; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
    base: Arc<Url>,
    /// This transport's own token source, in place of the platform's (see
    /// [`Transport::with_tokens`]).
    tokens: Option<Arc<dyn TokenProvider>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("authenticated", &self.token_source().is_some())
            .field("own_tokens", &self.tokens.is_some())
            .field("retry", &self.shared.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Transport`] with a platform of its own; see [`Transport::builder`]. To share one
/// budget between several base URLs, build a [`Platform`] and call [`Platform::transport`].
#[must_use]
pub struct TransportBuilder {
    base: Result<Url, Error>,
    platform: PlatformBuilder<RolesDecide>,
}

impl std::fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base", &self.base.as_ref().map(Url::as_str).ok())
            .field("platform", &self.platform)
            .finish()
    }
}

impl Transport {
    /// Start configuring a transport for the API under `base` (a [`Url`] or a string such as
    /// `"https://api.mypurecloud.com/api/v2/"`), with a budget of its own. A trailing slash is
    /// optional.
    pub fn builder(base: impl IntoUrl) -> TransportBuilder {
        TransportBuilder {
            base: base.into_url(),
            platform: Platform::builder(),
        }
    }

    pub(crate) fn on(shared: Arc<Shared>, mut base: Url) -> Result<Self, Error> {
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL {base} must be an http(s) URL"
            )));
        }
        base.set_query(None);
        base.set_fragment(None);
        Ok(Self {
            shared,
            base: Arc::new(base),
            tokens: None,
        })
    }

    /// The same transport (base URL, and the platform's client, rate limits, breaker and retry
    /// policy) with another token source: for platforms where each user has a token of their
    /// own, such as a Google service account acting for each mailbox through domain-wide
    /// delegation. Requests still count against the platform's one budget; tokens that say
    /// what they were granted are checked against the platform's scope set.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use wfm_auth::{StaticToken, TokenProvider};
    /// use wfm_http::Platform;
    ///
    /// let platform = Platform::<wfm_auth::RolesDecide>::builder().build()?;
    /// let shared = platform.transport("https://www.googleapis.com/calendar/v3/")?;
    /// let alice: Arc<dyn TokenProvider> = Arc::new(StaticToken::new("alice's token"));
    /// let as_alice = shared.with_tokens(alice);
    /// assert_eq!(as_alice.base_url(), shared.base_url());
    /// # Ok::<(), wfm_http::Error>(())
    /// ```
    pub fn with_tokens(&self, tokens: Arc<dyn TokenProvider>) -> Transport {
        Transport {
            shared: Arc::clone(&self.shared),
            base: Arc::clone(&self.base),
            tokens: Some(tokens),
        }
    }

    /// The token source requests use: this transport's own, else the platform's.
    fn token_source(&self) -> Option<&Arc<dyn TokenProvider>> {
        self.tokens.as_ref().or(self.shared.tokens.as_ref())
    }

    /// The base URL requests are relative to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// What this transport's platform has sent so far (all its transports together).
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// The platform this transport belongs to (its budget, client and tokens), to make
    /// transports for other base URLs that share them.
    pub fn platform(&self) -> Platform<RolesDecide> {
        Platform::from_shared(Arc::clone(&self.shared))
    }

    /// A request to the base URL plus `segments`, each percent-encoded as one path segment:
    /// an id such as `a/b`, `../x` or `x?y=1` never changes the path. Empty, `.` and `..`
    /// segments are refused when the request is sent.
    pub fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        let url = join_segments(&self.base, segments);
        RequestBuilder::new(self.clone(), method, url, true)
    }

    /// A request to an absolute URL the platform returned (a Graph `@odata.nextLink`). It must
    /// have the base URL's scheme, host and port, so that the bearer token never leaves for
    /// another origin. For a pre-signed URL on another origin use [`presigned`](Self::presigned).
    pub fn request_url(&self, method: Method, url: Url) -> RequestBuilder {
        let base = &self.base;
        let same_origin = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        let url = if same_origin {
            Ok(url)
        } else {
            Err(Error::InvalidUrl(format!(
                "{} is not on the origin of {}; refusing to send credentials there (use `presigned` for a pre-signed URL)",
                origin_of(&url),
                origin_of(base)
            )))
        };
        RequestBuilder::new(self.clone(), method, url, true)
    }

    /// A request to a pre-signed URL on any origin (a Genesys `downloadUrl` or upload URL, a
    /// storage link): it never carries the bearer token, and counts against the platform's
    /// budget like any other request. It must be `https` (or `http` to loopback).
    pub fn presigned(&self, method: Method, url: Url) -> RequestBuilder {
        let url = if url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url)) {
            Ok(url)
        } else {
            Err(Error::InvalidUrl(format!(
                "{} is not an https URL; pre-signed URLs carry their own credentials and are only fetched over https",
                origin_of(&url)
            )))
        };
        RequestBuilder::new(self.clone(), method, url, false)
    }
}

impl TransportBuilder {
    /// Where bearer tokens come from: any [`TokenProvider`] (a
    /// [`TokenCache`](wfm_auth::TokenCache), a [`StaticToken`](wfm_auth::StaticToken), an
    /// `Arc` of one). Without one, requests carry no `Authorization` header.
    pub fn token_provider(mut self, tokens: impl TokenProvider) -> Self {
        self.platform = self.platform.token_provider(tokens);
        self
    }
    /// Use this `reqwest` client (proxies, certificates, pools). The timeout and user agent set
    /// here still apply to every request. It should not follow redirects.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.platform = self.platform.client(client);
        self
    }
    /// How failed requests are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.platform = self.platform.retry(policy);
        self
    }
    /// The client-wide rate and concurrency limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.platform = self.platform.rate_limit(limit);
        self
    }
    /// The limit applied to each [`rate_key`](RequestBuilder::rate_key) separately (for example
    /// per Graph mailbox), on top of the client-wide one.
    pub fn per_key_rate_limit(mut self, limit: RateLimit) -> Self {
        self.platform = self.platform.per_key_rate_limit(limit);
        self
    }
    /// The circuit breaker per host, or `None` to disable it.
    pub fn circuit_breaker(mut self, breaker: Option<CircuitBreaker>) -> Self {
        self.platform = self.platform.circuit_breaker(breaker);
        self
    }
    /// The timeout of one attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.platform = self.platform.timeout(timeout);
        self
    }
    /// The `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.platform = self.platform.user_agent(agent);
        self
    }
    /// The largest success body read (default 32 MiB).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.platform = self.platform.max_response_body(bytes);
        self
    }
    /// Finish. Fails if the base URL cannot carry paths, or if the HTTP client cannot be built.
    pub fn build(self) -> Result<Transport, Error> {
        let base = self.base?;
        self.platform.build()?.transport(base)
    }
}

/// One request being configured; send it with [`send`](Self::send) or [`send_json`](Self::send_json).
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    transport: Transport,
    method: Method,
    url: Result<Url, Error>,
    headers: HeaderMap,
    body: Option<Bytes>,
    idempotent: bool,
    rate_key: Option<String>,
    weight: usize,
    authenticated: bool,
}

impl RequestBuilder {
    fn new(
        transport: Transport,
        method: Method,
        url: Result<Url, Error>,
        authenticated: bool,
    ) -> Self {
        Self {
            transport,
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent: false,
            rate_key: None,
            weight: 1,
            authenticated,
        }
    }

    /// Append a query parameter (percent-encoded).
    pub fn query(mut self, name: &str, value: impl AsRef<str>) -> Self {
        if let Ok(url) = &mut self.url {
            url.query_pairs_mut().append_pair(name, value.as_ref());
        }
        self
    }

    /// Set a header. The `Authorization` header is the transport's; setting it here is refused.
    pub fn header(mut self, name: &str, value: impl AsRef<str>) -> Self {
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|n| {
                if n == AUTHORIZATION {
                    return Err(
                        "the transport sets Authorization from its token provider".to_owned()
                    );
                }
                let v = HeaderValue::from_str(value.as_ref()).map_err(|e| e.to_string())?;
                Ok((n, v))
            });
        match parsed {
            Ok((n, v)) => {
                self.headers.insert(n, v);
            }
            Err(reason) => {
                self.url = Err(Error::InvalidHeader {
                    name: name.to_owned(),
                    reason,
                })
            }
        }
        self
    }

    /// Send `body` as JSON (`Content-Type: application/json` unless a content type is set).
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.headers
                    .entry(CONTENT_TYPE)
                    .or_insert(HeaderValue::from_static("application/json"));
                self.body = Some(Bytes::from(bytes));
            }
            Err(e) => self.url = Err(Error::Serialize(e.to_string())),
        }
        self
    }

    /// Send raw bytes with a content type.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        self.body = Some(body.into());
        self.header(CONTENT_TYPE.as_str(), content_type)
    }

    /// Mark a POST or PATCH as safe to repeat (it carries an idempotency key, or repeating it
    /// cannot create a duplicate), so that it is retried like a PUT.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Count this request against the per-key limit of `key` (for example a mailbox).
    pub fn rate_key(mut self, key: impl Into<String>) -> Self {
        self.rate_key = Some(key.into());
        self
    }

    /// Count this request as `n` requests (at least 1) against the rate limits, platform-wide
    /// and per key: `n` starts in each window (at most its size) and `n` concurrency slots (at
    /// most the cap). For a batch of `n` calls where the platform counts each call: a Google
    /// Calendar batch counts each part against the per-user quota, and Microsoft Graph runs a
    /// `$batch`'s items against the mailbox's 4 concurrent requests.
    pub fn weight(mut self, n: u32) -> Self {
        self.weight = n.max(1) as usize;
        self
    }

    /// Send the request, retrying as the [`RetryPolicy`] allows. Any 2xx answer, and 304, is
    /// `Ok`; any other status is [`Error::Api`].
    pub async fn send(self) -> Result<Response, Error> {
        let url = self.url?;
        let span = tracing::info_span!(
            "wfm_http.request",
            method = %self.method,
            path = url.path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let exchange = Exchange {
            inner: &self.transport.shared,
            tokens: self.transport.token_source(),
            own_tokens: self.transport.tokens.is_some(),
            method: self.method,
            url,
            headers: self.headers,
            body: self.body,
            idempotent: self.idempotent,
            rate_key: self.rate_key,
            weight: self.weight,
            authenticated: self.authenticated,
        };
        exchange.run().instrument(span).await
    }

    /// Send and decode a JSON answer.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.send().await?.json()
    }
}

/// A success answer, read in full.
#[derive(Debug, Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    method: Method,
    path: String,
}

impl Response {
    /// The status (2xx or 304).
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// All headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// One header as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }
    /// The body decoded from JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            method: self.method.clone(),
            path: self.path.clone(),
            message: e.to_string(),
        })
    }
}

/// One request in flight through the pipeline.
struct Exchange<'a> {
    inner: &'a Shared,
    tokens: Option<&'a Arc<dyn TokenProvider>>,
    /// The tokens are the transport's own, not the platform's cache: check what they grant.
    own_tokens: bool,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    idempotent: bool,
    rate_key: Option<String>,
    weight: usize,
    authenticated: bool,
}

/// What one attempt ended in.
enum Attempt {
    Done(Response),
    Failed(ApiError),
    Unsent(String),
    Lost { message: String, timeout: bool },
    TooLarge,
}

impl Exchange<'_> {
    async fn run(self) -> Result<Response, Error> {
        let started = tokio::time::Instant::now();
        let host = self.url.host_str().unwrap_or_default().to_owned();
        let tokens = self.tokens.filter(|_| self.authenticated);
        let mut token = match tokens {
            Some(tokens) => {
                if self.url.scheme() != "https" && !is_loopback(&self.url) {
                    return Err(Error::InsecureTransport { host });
                }
                Some(self.checked(tokens.token().await?)?)
            }
            None => None,
        };
        let retry_safe = self.idempotent || is_idempotent_method(&self.method);
        let policy = &self.inner.retry;
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let pass = self.inner.breakers.check(&host)?;
            let outcome = self.attempt(token.as_ref()).await;
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            let wait = match outcome {
                Attempt::Done(response) => {
                    pass.record(false);
                    span.record("status", response.status.as_u16());
                    return Ok(response);
                }
                Attempt::TooLarge => {
                    pass.record(false);
                    return Err(Error::BodyTooLarge {
                        method: self.method.clone(),
                        path: self.url.path().to_owned(),
                        limit: self.inner.max_body,
                    });
                }
                Attempt::Failed(mut err) => {
                    err.set_attempts(attempt);
                    err.set_retry_safe(retry_safe);
                    err.set_slow_down(policy.is_retryable_answer(&err));
                    span.record("status", err.status().as_u16());
                    pass.record(err.status().is_server_error());
                    if err.status() == StatusCode::UNAUTHORIZED
                        && !refreshed
                        && let (Some(tokens), Some(rejected)) = (tokens, &token)
                        && tokens.can_refresh()
                    {
                        // The token was rejected, so the request was not applied: one forced
                        // refresh and one more attempt, whatever the method.
                        tracing::info!("API answered 401; refreshing the token once");
                        token = Some(self.checked(tokens.refresh(rejected).await?)?);
                        refreshed = true;
                        self.inner.stats.refreshed();
                        continue;
                    }
                    // The platform said when to come back: no request under the same limit
                    // (this key's, else the whole platform's) starts before then, whether or
                    // not this one is sent again (a POST is handed back to the caller). A
                    // demand longer than the retry cap holds for the cap.
                    if let Some(demanded) = err.retry_after()
                        && (retryable_status(err.status()) || err.is_slow_down())
                    {
                        self.inner.limits.hold(
                            self.rate_key.as_deref(),
                            tokio::time::Instant::now() + demanded.min(policy.cap()),
                        );
                    }
                    if !err.is_retryable() {
                        return Err(err.into());
                    }
                    match err.retry_after() {
                        Some(demanded) if demanded > policy.cap() => {
                            return Err(Error::RetryAfterTooLong {
                                demanded,
                                cap: policy.cap(),
                                source: Box::new(err),
                            });
                        }
                        Some(demanded) => (demanded, err.into()),
                        None => (policy.backoff(attempt), err.into()),
                    }
                }
                Attempt::Unsent(message) => {
                    // The connection was never made: nothing reached the server, any method may go again.
                    pass.record(true);
                    let err = self.connection_error(attempt, message, false, true);
                    (policy.backoff(attempt), err)
                }
                Attempt::Lost { message, timeout } => {
                    pass.record(true);
                    let err = self.connection_error(attempt, message, timeout, retry_safe);
                    if !retry_safe {
                        return Err(err);
                    }
                    (policy.backoff(attempt), err)
                }
            };
            let (delay, err) = wait;
            if attempt >= policy.attempts() || started.elapsed() + delay > policy.elapsed_budget() {
                return Err(err);
            }
            tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
            self.inner.stats.retried();
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self, token: Option<&AccessToken>) -> Attempt {
        let (global, keyed, keyed_limiter) = self
            .inner
            .limits
            .acquire(self.rate_key.as_deref(), self.weight)
            .await;
        let mut req = self
            .inner
            .client
            .request(self.method.clone(), self.url.clone())
            .timeout(self.inner.timeout)
            .headers(self.headers.clone());
        if !self.headers.contains_key(USER_AGENT) {
            req = req.header(USER_AGENT, self.inner.user_agent.clone());
        }
        if let Some(token) = token {
            req = req.bearer_auth(token.secret());
        }
        if let Some(body) = &self.body {
            req = req.body(body.clone());
        }
        // The instant a request leaves the limiter (tests read it on tokio's clock).
        tracing::trace!(target: "wfm_http::send", "request admitted by the rate limits");
        self.inner.stats.sent();
        let result = req.send().await;
        let outcome = match result {
            Err(e) if e.is_connect() => Attempt::Unsent(e.without_url().to_string()),
            Err(e) => Attempt::Lost {
                timeout: e.is_timeout(),
                message: e.without_url().to_string(),
            },
            Ok(resp) => {
                let status = resp.status();
                if status == StatusCode::TOO_MANY_REQUESTS {
                    self.inner.stats.throttled();
                }
                let headers = resp.headers().clone();
                self.inner.limits.global().observe(&headers);
                if let Some(l) = &keyed_limiter {
                    l.observe(&headers);
                }
                let success = status.is_success() || status == StatusCode::NOT_MODIFIED;
                let limit = if success {
                    self.inner.max_body
                } else {
                    MAX_ERROR_BODY
                };
                match read_capped(resp, limit, !success).await {
                    Err(e) => Attempt::Lost {
                        timeout: e.is_timeout(),
                        message: e.without_url().to_string(),
                    },
                    Ok(None) => Attempt::TooLarge,
                    Ok(Some(body)) if success => Attempt::Done(Response {
                        status,
                        headers,
                        body,
                        method: self.method.clone(),
                        path: self.url.path().to_owned(),
                    }),
                    Ok(Some(body)) => Attempt::Failed(ApiError::from_parts(
                        self.method.clone(),
                        self.url.path(),
                        status,
                        &headers,
                        &body,
                        1,
                    )),
                }
            }
        };
        drop((global, keyed));
        outcome
    }

    /// A custom provider's token, checked against the platform's scope set when it says what
    /// it was granted.
    fn checked(&self, token: AccessToken) -> Result<AccessToken, Error> {
        if (self.inner.check_custom_tokens || self.own_tokens) && !token.granted_scopes().is_empty()
        {
            self.inner
                .required
                .check(token.granted_scopes(), wfm_auth::GrantSource::ResponseScope)?;
        }
        Ok(token)
    }

    fn connection_error(
        &self,
        attempts: u32,
        message: String,
        timeout: bool,
        replay_safe: bool,
    ) -> Error {
        Error::Connection {
            method: self.method.clone(),
            path: self.url.path().to_owned(),
            attempts,
            message,
            timeout,
            replay_safe,
        }
    }
}

/// The body, up to `limit` bytes: `None` when it is longer (unless `truncate`, for error bodies,
/// whose start is enough).
async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
    truncate: bool,
) -> Result<Option<Bytes>, reqwest::Error> {
    if !truncate && resp.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > limit {
            if truncate {
                body.extend_from_slice(&chunk[..limit - body.len()]);
                break;
            }
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body.freeze()))
}

/// Append `segments` to `base`'s path, each percent-encoded as one segment.
fn join_segments(base: &Url, segments: &[&str]) -> Result<Url, Error> {
    for s in segments {
        match *s {
            "" => {
                return Err(Error::InvalidPathSegment {
                    segment: String::new(),
                    reason: "an empty segment (is an id missing?)",
                });
            }
            "." | ".." => {
                return Err(Error::InvalidPathSegment {
                    segment: (*s).to_owned(),
                    reason: "dot segments would change the path",
                });
            }
            _ => {}
        }
    }
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|()| Error::Config(format!("base URL {base} cannot carry paths")))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_one_by_one() {
        let base: Url = "https://h/api/v2/".parse().unwrap();
        let url = join_segments(&base, &["users", "../admin?x=1", "a/b", "x#y"]).unwrap();
        assert_eq!(url.path(), "/api/v2/users/..%2Fadmin%3Fx=1/a%2Fb/x%23y");
        assert!(url.query().is_none());
        let base: Url = "https://h/api/v2".parse().unwrap();
        assert_eq!(
            join_segments(&base, &["users"]).unwrap().path(),
            "/api/v2/users"
        );
        for bad in ["", ".", ".."] {
            assert!(matches!(
                join_segments(&base, &["users", bad]),
                Err(Error::InvalidPathSegment { .. })
            ));
        }
    }

    #[test]
    fn loopback_hosts() {
        for (u, expect) in [
            ("http://127.0.0.1:8080/", true),
            ("http://127.9.9.9/", true),
            ("http://[::1]:1/", true),
            ("http://localhost:1/", true),
            ("http://10.0.0.1/", false),
            ("http://example.com/", false),
        ] {
            assert_eq!(is_loopback(&u.parse().unwrap()), expect, "{u}");
        }
    }
}

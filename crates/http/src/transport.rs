//! The [`Transport`]: one configured HTTP pipeline per platform base URL, and the
//! [`RequestBuilder`] / [`Response`] pair every platform crate sends its calls through.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;
use wfm_auth::{AccessToken, TokenProvider};

use crate::error::{ApiError, Error};
use crate::limit::{Breakers, CircuitBreaker, Limits, RateLimit};
use crate::retry::{RetryPolicy, is_idempotent_method, is_retryable_status};

/// One HTTP pipeline for one platform base URL: bearer tokens, safe retries, rate limits, a
/// circuit breaker and typed errors. Cheap to clone (the state is shared).
///
/// ```no_run
/// use std::sync::Arc;
/// use wfm_auth::StaticToken;
/// use wfm_http::{Method, Transport};
///
/// # async fn demo() -> Result<(), wfm_http::Error> {
/// let transport = Transport::builder("https://api.mypurecloud.ie/api/v2/".parse().unwrap())
///     .token_provider(Arc::new(StaticToken::new("a-token")))
///     .build()?;
/// // GET https://api.mypurecloud.ie/api/v2/users/a%2Fb : each segment is percent-encoded.
/// let user: serde_json::Value = transport.request(Method::GET, &["users", "a/b"]).send_json().await?;
/// # let _ = user; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    base: Url,
    client: reqwest::Client,
    tokens: Option<Arc<dyn TokenProvider>>,
    retry: RetryPolicy,
    limits: Limits,
    breakers: Breakers,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("authenticated", &self.tokens.is_some())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Transport`]; see [`Transport::builder`].
#[must_use]
pub struct TransportBuilder {
    base: Url,
    client: Option<reqwest::Client>,
    tokens: Option<Arc<dyn TokenProvider>>,
    retry: RetryPolicy,
    rate: RateLimit,
    per_key: Option<RateLimit>,
    breaker: Option<CircuitBreaker>,
    timeout: Duration,
    user_agent: String,
}

impl Transport {
    /// Start configuring a transport for the API under `base` (for example
    /// `https://api.mypurecloud.com/api/v2/`). A trailing slash is optional.
    pub fn builder(base: Url) -> TransportBuilder {
        TransportBuilder {
            base,
            client: None,
            tokens: None,
            retry: RetryPolicy::default(),
            rate: RateLimit::unlimited(),
            per_key: None,
            breaker: Some(CircuitBreaker::default()),
            timeout: Duration::from_secs(60),
            user_agent: concat!("wfm-sdk/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// The base URL requests are relative to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// A request to the base URL plus `segments`, each percent-encoded as one path segment:
    /// an id such as `a/b`, `../x` or `x?y=1` never changes the path. Empty, `.` and `..`
    /// segments are refused when the request is sent.
    pub fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        let url = join_segments(&self.inner.base, segments);
        RequestBuilder::new(self.clone(), method, url)
    }

    /// A request to an absolute URL the platform returned (a Graph `@odata.nextLink`, a Genesys
    /// `downloadUrl`). It must have the base URL's scheme, host and port, so that the bearer
    /// token never leaves for another origin.
    pub fn request_url(&self, method: Method, url: Url) -> RequestBuilder {
        let base = &self.inner.base;
        let same_origin = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        let url = if same_origin {
            Ok(url)
        } else {
            Err(Error::InvalidUrl(format!(
                "{} is not on the origin of {}; refusing to send credentials there",
                origin_of(&url),
                origin_of(base)
            )))
        };
        RequestBuilder::new(self.clone(), method, url)
    }
}

impl TransportBuilder {
    /// Where bearer tokens come from. Without one, requests carry no `Authorization` header.
    pub fn token_provider(mut self, tokens: Arc<dyn TokenProvider>) -> Self {
        self.tokens = Some(tokens);
        self
    }
    /// Use this `reqwest` client (proxies, certificates, pools). It should not follow redirects.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }
    /// How failed requests are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// The client-wide rate and concurrency limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate = limit;
        self
    }
    /// The limit applied to each [`rate_key`](RequestBuilder::rate_key) separately (for example
    /// per Graph mailbox), on top of the client-wide one.
    pub fn per_key_rate_limit(mut self, limit: RateLimit) -> Self {
        self.per_key = Some(limit);
        self
    }
    /// The circuit breaker per host, or `None` to disable it.
    pub fn circuit_breaker(mut self, breaker: Option<CircuitBreaker>) -> Self {
        self.breaker = breaker;
        self
    }
    /// The timeout of one attempt (default 60 s); used when no client is given.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// The `User-Agent` header; used when no client is given.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }
    /// Finish. Fails if the base URL cannot carry paths, or if the HTTP client cannot be built.
    pub fn build(self) -> Result<Transport, Error> {
        let mut base = self.base;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL {base} must be an http(s) URL"
            )));
        }
        base.set_query(None);
        base.set_fragment(None);
        let client = match self.client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(self.timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|e| Error::Config(e.without_url().to_string()))?,
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                base,
                client,
                tokens: self.tokens,
                retry: self.retry,
                limits: Limits::new(&self.rate, self.per_key),
                breakers: Breakers::new(self.breaker),
            }),
        })
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
}

impl RequestBuilder {
    fn new(transport: Transport, method: Method, url: Result<Url, Error>) -> Self {
        Self {
            transport,
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent: false,
            rate_key: None,
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
            inner: &self.transport.inner,
            method: self.method,
            url,
            headers: self.headers,
            body: self.body,
            idempotent: self.idempotent,
            rate_key: self.rate_key,
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
    inner: &'a Inner,
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    idempotent: bool,
    rate_key: Option<String>,
}

/// What one attempt ended in.
enum Attempt {
    Done(Response),
    Failed(ApiError),
    Unsent(String),
    Lost { message: String, timeout: bool },
}

impl Exchange<'_> {
    async fn run(self) -> Result<Response, Error> {
        let started = tokio::time::Instant::now();
        let host = self.url.host_str().unwrap_or_default().to_owned();
        let mut token = match &self.inner.tokens {
            Some(tokens) => {
                if self.url.scheme() != "https" && !is_loopback(&self.url) {
                    return Err(Error::InsecureTransport { host });
                }
                Some(tokens.token().await?)
            }
            None => None,
        };
        let retry_safe = self.idempotent || is_idempotent_method(&self.method);
        let policy = &self.inner.retry;
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.inner.breakers.check(&host)?;
            let outcome = self.attempt(token.as_ref()).await;
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            let wait = match outcome {
                Attempt::Done(response) => {
                    self.inner.breakers.record(&host, false);
                    span.record("status", response.status.as_u16());
                    return Ok(response);
                }
                Attempt::Failed(mut err) => {
                    err.set_attempts(attempt);
                    span.record("status", err.status().as_u16());
                    self.inner
                        .breakers
                        .record(&host, err.status().is_server_error());
                    if err.status() == StatusCode::UNAUTHORIZED
                        && !refreshed
                        && let (Some(tokens), Some(rejected)) = (&self.inner.tokens, &token)
                    {
                        // The token was rejected, so the request was not applied: one forced
                        // refresh and one more attempt, whatever the method.
                        tracing::info!("API answered 401; refreshing the token once");
                        token = Some(tokens.refresh(rejected).await?);
                        refreshed = true;
                        continue;
                    }
                    if !(retry_safe && is_retryable_status(err.status())) {
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
                    self.inner.breakers.record(&host, true);
                    let err = self.connection_error(attempt, message, false);
                    (policy.backoff(attempt), err)
                }
                Attempt::Lost { message, timeout } => {
                    self.inner.breakers.record(&host, true);
                    let err = self.connection_error(attempt, message, timeout);
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
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self, token: Option<&AccessToken>) -> Attempt {
        let global = self.inner.limits.global().acquire().await;
        let keyed_limiter = self.inner.limits.key(self.rate_key.as_deref());
        let keyed = match &keyed_limiter {
            Some(l) => Some(l.acquire().await),
            None => None,
        };
        let mut req = self
            .inner
            .client
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone());
        if let Some(token) = token {
            req = req.bearer_auth(token.secret());
        }
        if let Some(body) = &self.body {
            req = req.body(body.clone());
        }
        let result = req.send().await;
        let outcome = match result {
            Err(e) if e.is_connect() => Attempt::Unsent(e.without_url().to_string()),
            Err(e) => Attempt::Lost {
                timeout: e.is_timeout(),
                message: e.without_url().to_string(),
            },
            Ok(resp) => {
                let status = resp.status();
                let headers = resp.headers().clone();
                self.inner.limits.global().observe(&headers);
                if let Some(l) = &keyed_limiter {
                    l.observe(&headers);
                }
                match resp.bytes().await {
                    Err(e) => Attempt::Lost {
                        timeout: e.is_timeout(),
                        message: e.without_url().to_string(),
                    },
                    Ok(body) if status.is_success() || status == StatusCode::NOT_MODIFIED => {
                        Attempt::Done(Response {
                            status,
                            headers,
                            body,
                            method: self.method.clone(),
                            path: self.url.path().to_owned(),
                        })
                    }
                    Ok(body) => Attempt::Failed(ApiError::from_parts(
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

    fn connection_error(&self, attempts: u32, message: String, timeout: bool) -> Error {
        Error::Connection {
            method: self.method.clone(),
            path: self.url.path().to_owned(),
            attempts,
            message,
            timeout,
        }
    }
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

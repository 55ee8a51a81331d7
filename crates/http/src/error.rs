//! The transport's typed errors: [`Error`] for everything a request can end in, and
//! [`ApiError`] for a non-success answer of a platform, with its code, message and correlation id.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

/// Everything a request through the [`Transport`](crate::Transport) can end in, other than success.
///
/// ```
/// use wfm_http::Error;
///
/// fn advice(err: &Error) -> &'static str {
///     match err {
///         Error::Api(api) if api.status().as_u16() == 403 => "grant the missing permission",
///         Error::Api(api) if api.is_retryable() => "try again later",
///         Error::CircuitOpen { .. } => "the host is failing; wait for the cool-down",
///         _ => "see the message",
///     }
/// }
/// # let _ = advice;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The platform answered with a non-success status (boxed: it is large, and rare).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No token could be had, or the token lacks a declared scope; no API request was sent.
    #[error("authentication failed before the request was sent: {0}")]
    Auth(#[from] wfm_auth::AuthError),
    /// The request could not be delivered (DNS, connect, TLS, reset, timeout).
    #[error(
        "{method} {path}: connection failed after {attempts} attempt(s): {message}; check the host, the network and the timeout settings"
    )]
    Connection {
        /// The request's method.
        method: Method,
        /// The request's path (never its query string).
        path: String,
        /// Attempts made, the first included.
        attempts: u32,
        /// What the HTTP client said (URLs are stripped from it).
        message: String,
        /// Whether the failure was a timeout.
        timeout: bool,
        /// Whether sending the request again is safe: it never reached the server, or it is
        /// idempotent. A POST lost after it was sent may have been applied.
        replay_safe: bool,
    },
    /// A success answer was longer than the configured limit; it was not read further.
    #[error(
        "{method} {path}: the answer is larger than {limit} bytes; raise PlatformBuilder::max_response_body if it is expected, or ask for smaller pages"
    )]
    BodyTooLarge {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The server asked to wait longer than the configured cap before retrying.
    #[error("{method} {path}: the server asked to retry after {demanded:?}, longer than the cap of {cap:?}; retry later or raise RetryPolicy::retry_after_cap ({source})", method = source.method(), path = source.path())]
    RetryAfterTooLong {
        /// How long the server asked to wait.
        demanded: Duration,
        /// The configured cap.
        cap: Duration,
        /// The answer that carried the demand.
        source: Box<ApiError>,
    },
    /// The circuit breaker of this host is open after repeated failures; nothing was sent.
    #[error(
        "circuit open for {host}: {failures} consecutive failures; requests fail fast for another {retry_in:?}"
    )]
    CircuitOpen {
        /// The host whose circuit is open.
        host: String,
        /// The consecutive failures that opened it.
        failures: u32,
        /// Time left until a trial request is let through.
        retry_in: Duration,
    },
    /// A bearer token would have been sent over plain `http://` to a host that is not loopback.
    #[error(
        "refusing to send a bearer token over plain http to {host}; use https (plain http is allowed only for loopback hosts)"
    )]
    InsecureTransport {
        /// The host the request was for.
        host: String,
    },
    /// A path segment (usually an id) cannot be used safely.
    #[error("invalid path segment {segment:?}: {reason}")]
    InvalidPathSegment {
        /// The offending segment.
        segment: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A URL could not be used (for instance a `nextLink` that points to another host).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// A header name or value given to a request is not valid HTTP.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader {
        /// The header name.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// A request body could not be serialized.
    #[error("could not serialize the request body: {0}")]
    Serialize(String),
    /// A success answer could not be decoded into the expected type.
    #[error("{method} {path}: could not decode the response body: {message}")]
    Decode {
        /// The request's method.
        method: Method,
        /// The request's path.
        path: String,
        /// What the decoder said.
        message: String,
    },
    /// The transport was configured with invalid settings.
    #[error("invalid transport configuration: {0}")]
    Config(String),
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl Error {
    /// The [`ApiError`] inside, if the platform answered.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::RetryAfterTooLong { source, .. } => Some(source),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed and is safe: the rule the
    /// transport itself follows. A POST that got a 503, or whose connection broke after it was
    /// sent, is not retryable (it may have been applied; repeating it could create a duplicate)
    /// unless it was marked [`idempotent`](crate::RequestBuilder::idempotent).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::RetryAfterTooLong { source, .. } => source.retry_safe,
            Error::Connection { replay_safe, .. } => *replay_safe,
            Error::CircuitOpen { .. } => true,
            Error::Auth(e) => wfm_auth::ErrorMetadata::is_retryable(e),
            _ => false,
        }
    }

    /// The authentication error inside, if getting a token failed (no request was sent).
    pub fn as_auth(&self) -> Option<&wfm_auth::AuthError> {
        match self {
            Error::Auth(e) => Some(e),
            _ => None,
        }
    }
}

impl wfm_auth::ErrorMetadata for Error {
    fn status(&self) -> Option<u16> {
        match self {
            Error::Auth(e) => e.status(),
            _ => self.as_api().map(|e| e.status().as_u16()),
        }
    }
    fn platform_code(&self) -> Option<&str> {
        match self {
            Error::Auth(e) => wfm_auth::ErrorMetadata::platform_code(e),
            _ => self.as_api().and_then(ApiError::code),
        }
    }
    fn platform_message(&self) -> Option<&str> {
        match self {
            Error::Auth(e) => e.description(),
            _ => self.as_api().and_then(ApiError::message),
        }
    }
    fn correlation_id(&self) -> Option<&str> {
        self.as_api().and_then(ApiError::correlation_id)
    }
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }
    fn advice(&self) -> Option<&'static str> {
        Some(match self {
            Error::Api(e) => return e.advice(),
            Error::Auth(e) => return wfm_auth::ErrorMetadata::advice(e),
            Error::Connection { .. } => "check the host, the network and the timeout settings",
            Error::BodyTooLarge { .. } => {
                "raise the platform's max_response_body, or ask for smaller pages"
            }
            Error::RetryAfterTooLong { .. } => "the platform asked for a long pause: retry later",
            Error::CircuitOpen { .. } => {
                "the host keeps failing: wait for the cool-down, then retry"
            }
            Error::InsecureTransport { .. } => "use an https base URL",
            Error::InvalidPathSegment { .. } => "pass a real id: empty, `.` and `..` are refused",
            Error::InvalidUrl(_) => {
                "follow only links on the platform's own origin; fetch pre-signed URLs with `presigned`"
            }
            Error::InvalidHeader { .. } => "fix the header name or value",
            Error::Serialize(_) | Error::Decode { .. } => return None,
            Error::Config(_) => "fix the configuration as the message says",
        })
    }
    fn as_auth(&self) -> Option<&wfm_auth::AuthError> {
        Error::as_auth(self)
    }
}

/// The most of an error body kept in an [`ApiError`] (64 KiB).
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// Response headers that carry a request or correlation id, in the order they are looked for.
pub const CORRELATION_HEADERS: &[&str] = &[
    "inin-correlation-id",
    "request-id",
    "client-request-id",
    "x-request-id",
    "x-correlation-id",
];

/// A non-success answer of a platform.
///
/// It keeps what is needed to act on the failure and to quote it to the platform's support:
/// status, method, path (never the query string, which may carry secrets), the platform's error
/// code and message, the correlation id, the attempts made and the raw body (at most
/// [`MAX_ERROR_BODY`] bytes).
///
/// ```
/// use wfm_http::ApiError;
/// use http::{HeaderMap, Method, StatusCode};
///
/// let body = br#"{"code":"missing.permissions","message":"Missing wfm:schedule:edit"}"#;
/// let err = ApiError::from_parts(Method::POST, "/api/v2/x", StatusCode::FORBIDDEN,
///     &HeaderMap::new(), body.as_slice(), 1);
/// assert_eq!(err.code(), Some("missing.permissions"));
/// assert!(!err.is_retryable());
/// ```
#[derive(Clone)]
pub struct ApiError {
    status: StatusCode,
    method: Method,
    path: String,
    code: Option<String>,
    message: Option<String>,
    correlation_id: Option<String>,
    retry_after: Option<Duration>,
    attempts: u32,
    body: Bytes,
    /// Whether the request may be repeated: an idempotent method, or marked idempotent.
    retry_safe: bool,
    /// Whether the platform's classifier called this answer a slow-down
    /// ([`RetryPolicy::retryable_answer`](crate::RetryPolicy::retryable_answer)).
    slow_down: bool,
}

impl ApiError {
    /// Build an error from an answer. The body is parsed for a code and a message in the shapes
    /// the supported platforms use (see [`ErrorDetails::parse`]) and kept up to [`MAX_ERROR_BODY`].
    pub fn from_parts(
        method: Method,
        path: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        attempts: u32,
    ) -> Self {
        let details = ErrorDetails::parse(body);
        let method_for_safety = method.clone();
        let correlation_id = CORRELATION_HEADERS.iter().find_map(|h| {
            headers
                .get(*h)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
        let kept = &body[..body.len().min(MAX_ERROR_BODY)];
        ApiError {
            status,
            method,
            path: path.to_owned(),
            code: details.code,
            message: details.message,
            correlation_id,
            retry_after: crate::retry::parse_retry_after(headers, std::time::SystemTime::now()),
            attempts,
            body: Bytes::copy_from_slice(kept),
            retry_safe: crate::retry::is_idempotent_method(&method_for_safety),
            slow_down: false,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The request's method.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The request's path, without query string.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// The platform's error code (`missing.permissions`, a SCIM `scimType`, Graph's `error.code`).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
    /// The platform's error message.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    /// The correlation or request id the platform returned, to quote to its support.
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }
    /// The wait the server asked for in `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
    /// Attempts made, the first included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// Whether the request was retried before this answer.
    pub fn was_retried(&self) -> bool {
        self.attempts > 1
    }
    /// The raw body, at most [`MAX_ERROR_BODY`] bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
    /// Whether sending the request again may succeed and is safe, as the transport decides:
    /// the status is 429, 502, 503 or 504, and the request is idempotent (GET, PUT, DELETE, ...,
    /// or a POST marked [`idempotent`](crate::RequestBuilder::idempotent)). A plain POST that got
    /// a 503 is not retryable: it may have been applied, and repeating it could duplicate it.
    /// An answer the platform's [`RetryPolicy::retryable_answer`](crate::RetryPolicy::retryable_answer)
    /// classifier calls a slow-down (Google's 403 `userRateLimitExceeded`) counts as a 429.
    pub fn is_retryable(&self) -> bool {
        self.retry_safe && (crate::retry::is_retryable_status(self.status) || self.slow_down)
    }

    /// Whether the platform's classifier called this answer a slow-down.
    pub fn is_slow_down(&self) -> bool {
        self.slow_down
    }

    /// What to do about this answer, in one sentence.
    pub fn advice(&self) -> Option<&'static str> {
        Some(match self.status.as_u16() {
            401 => {
                "the token was refused: check the credentials, and that the base URL is the org's region or tenant"
            }
            403 => {
                "the client lacks a permission or scope for this call: see the platform's message for which"
            }
            404 => "check the id, and that the base URL is the org's region or tenant",
            409 | 412 => "the resource changed or already exists: read it again, then decide",
            429 => "rate limited: slow down and retry after the time the platform asked for",
            500..=599 => "the platform failed: retry later if the request is safe to repeat",
            _ => return None,
        })
    }

    pub(crate) fn set_retry_safe(&mut self, safe: bool) {
        self.retry_safe = safe;
    }
    pub(crate) fn set_slow_down(&mut self, slow_down: bool) {
        self.slow_down = slow_down;
    }
    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.attempts = attempts;
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("correlation_id", &self.correlation_id)
            .field("retry_after", &self.retry_after)
            .field("attempts", &self.attempts)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} answered {}", self.method, self.path, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " [correlation id {id}]")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl wfm_auth::ErrorMetadata for ApiError {
    fn status(&self) -> Option<u16> {
        Some(self.status.as_u16())
    }
    fn platform_code(&self) -> Option<&str> {
        self.code()
    }
    fn platform_message(&self) -> Option<&str> {
        self.message()
    }
    fn correlation_id(&self) -> Option<&str> {
        ApiError::correlation_id(self)
    }
    fn is_retryable(&self) -> bool {
        ApiError::is_retryable(self)
    }
    fn advice(&self) -> Option<&'static str> {
        ApiError::advice(self)
    }
}

/// A platform's error code and message, read from an error body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetails {
    code: Option<String>,
    message: Option<String>,
}

impl ErrorDetails {
    /// The machine-readable code.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The human-readable message.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Read a code and a message from the JSON error shapes of the supported platforms:
    ///
    /// | platform | code | message |
    /// |---|---|---|
    /// | Genesys Cloud | `code` | `message` |
    /// | SCIM (RFC 7644 §3.12) | `scimType` | `detail` |
    /// | Microsoft Graph | `error.code` | `error.message` |
    /// | Google APIs | `error.errors[0].reason` (else `error.status`) | `error.message` |
    /// | OAuth token endpoints | `error` | `error_description` / `description` |
    ///
    /// A body that is not JSON gives neither (its start is still kept in [`ApiError::body`]).
    ///
    /// ```
    /// use wfm_http::ErrorDetails;
    /// let d = ErrorDetails::parse(br#"{"error":{"code":"ErrorItemNotFound","message":"gone"}}"#);
    /// assert_eq!(d.code(), Some("ErrorItemNotFound"));
    /// assert_eq!(d.message(), Some("gone"));
    /// ```
    pub fn parse(body: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
        else {
            return Self::default();
        };
        let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
        if let Some(serde_json::Value::Object(inner)) = map.get("error") {
            // Google's `error.code` is the HTTP status as a number; its reason is the code.
            let reason = inner
                .get("errors")
                .and_then(|e| e.get(0))
                .and_then(|e| text(e.get("reason")));
            return Self {
                code: text(inner.get("code"))
                    .or(reason)
                    .or_else(|| text(inner.get("status"))),
                message: text(inner.get("message")),
            };
        }
        let code = text(map.get("code"))
            .or_else(|| text(map.get("scimType")))
            .or_else(|| text(map.get("error")));
        let message = text(map.get("message"))
            .or_else(|| text(map.get("detail")))
            .or_else(|| text(map.get("error_description")))
            .or_else(|| text(map.get("description")));
        Self { code, message }
    }
}

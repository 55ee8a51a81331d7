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

    /// Whether trying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Connection { .. }
            | Error::RetryAfterTooLong { .. }
            | Error::CircuitOpen { .. } => true,
            _ => false,
        }
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
    /// Whether the status is one that may succeed when retried (429, 502, 503, 504).
    pub fn is_retryable(&self) -> bool {
        crate::retry::is_retryable_status(self.status)
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

/// A platform's error code and message, read from an error body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDetails {
    /// The machine-readable code.
    pub code: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
}

impl ErrorDetails {
    /// Read a code and a message from the JSON error shapes of the supported platforms:
    ///
    /// | platform | code | message |
    /// |---|---|---|
    /// | Genesys Cloud | `code` | `message` |
    /// | SCIM (RFC 7644 §3.12) | `scimType` | `detail` |
    /// | Microsoft Graph | `error.code` | `error.message` |
    /// | OAuth token endpoints | `error` | `error_description` / `description` |
    ///
    /// A body that is not JSON gives neither (its start is still kept in [`ApiError::body`]).
    ///
    /// ```
    /// use wfm_http::ErrorDetails;
    /// let d = ErrorDetails::parse(br#"{"error":{"code":"ErrorItemNotFound","message":"gone"}}"#);
    /// assert_eq!(d.code.as_deref(), Some("ErrorItemNotFound"));
    /// assert_eq!(d.message.as_deref(), Some("gone"));
    /// ```
    pub fn parse(body: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
        else {
            return Self::default();
        };
        let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
        if let Some(serde_json::Value::Object(inner)) = map.get("error") {
            return Self {
                code: text(inner.get("code")),
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

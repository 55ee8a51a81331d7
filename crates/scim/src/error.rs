//! Errors of the SCIM client: the SCIM error schema (RFC 7644 §3.12) parsed from answers, and
//! typed variants for the failures callers act on (version conflict, uniqueness, 403, ...).

use std::fmt;

use wfm_http::{ApiError, StatusCode};

use crate::filter::FilterError;
use crate::flavor::Flavor;

/// The `scimType` of a SCIM error (RFC 7644 §3.12, plus the cursor errors of RFC 9865).
///
/// Values standardised later may get their own variant in a minor release (until then they
/// arrive as [`Other`](ScimType::Other)), so a `match` outside this crate needs a wildcard arm:
///
/// ```compile_fail,E0004
/// use wfm_scim::ScimType;
/// fn retry(t: &ScimType) -> bool {
///     match t {
///         ScimType::InvalidFilter | ScimType::TooMany | ScimType::Uniqueness
///         | ScimType::Mutability | ScimType::InvalidSyntax | ScimType::InvalidPath
///         | ScimType::NoTarget | ScimType::InvalidValue | ScimType::InvalidVers
///         | ScimType::Sensitive | ScimType::InvalidCursor | ScimType::InvalidCount
///         | ScimType::Other(_) => false,
///         ScimType::ExpiredCursor => true,
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScimType {
    /// `invalidFilter`: the filter syntax was invalid or the operator is not supported.
    InvalidFilter,
    /// `tooMany`: the filter yields more results than the server will process.
    TooMany,
    /// `uniqueness`: a value (such as `userName`) is already in use.
    Uniqueness,
    /// `mutability`: an attribute cannot be changed (for example `id`).
    Mutability,
    /// `invalidSyntax`: the request body is not valid for the schema.
    InvalidSyntax,
    /// `invalidPath`: a PATCH path is invalid.
    InvalidPath,
    /// `noTarget`: a PATCH path matched nothing.
    NoTarget,
    /// `invalidValue`: a required value is missing or a value is not compatible.
    InvalidValue,
    /// `invalidVers`: the version (ETag) given does not match the resource's.
    InvalidVers,
    /// `sensitive`: the request cannot be completed because of sensitive information in the URI.
    Sensitive,
    /// `invalidCursor` (RFC 9865).
    InvalidCursor,
    /// `expiredCursor` (RFC 9865).
    ExpiredCursor,
    /// `invalidCount` (RFC 9865).
    InvalidCount,
    /// Any other value, as sent.
    Other(String),
}

impl ScimType {
    /// Read a `scimType` value (case-insensitively).
    pub fn parse(s: &str) -> Self {
        const KNOWN: [(&str, ScimType); 13] = [
            ("invalidFilter", ScimType::InvalidFilter),
            ("tooMany", ScimType::TooMany),
            ("uniqueness", ScimType::Uniqueness),
            ("mutability", ScimType::Mutability),
            ("invalidSyntax", ScimType::InvalidSyntax),
            ("invalidPath", ScimType::InvalidPath),
            ("noTarget", ScimType::NoTarget),
            ("invalidValue", ScimType::InvalidValue),
            ("invalidVers", ScimType::InvalidVers),
            ("sensitive", ScimType::Sensitive),
            ("invalidCursor", ScimType::InvalidCursor),
            ("expiredCursor", ScimType::ExpiredCursor),
            ("invalidCount", ScimType::InvalidCount),
        ];
        KNOWN
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
            .map(|(_, t)| t)
            .unwrap_or_else(|| ScimType::Other(s.to_owned()))
    }

    /// The wire name (`uniqueness`, `invalidVers`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::InvalidCursor => "invalidCursor",
            ScimType::ExpiredCursor => "expiredCursor",
            ScimType::InvalidCount => "invalidCount",
            ScimType::Other(s) => s,
        }
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ScimType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ScimType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ScimType::parse(&String::deserialize(d)?))
    }
}

/// A SCIM error body (`urn:ietf:params:scim:api:messages:2.0:Error`), as it arrives in an error
/// answer or in a Bulk operation's `response`.
///
/// `status` is a string on the wire (`"409"`); a number is accepted too.
///
/// ```
/// use wfm_scim::{ScimErrorBody, ScimType};
/// let body = ScimErrorBody::parse(br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],
///     "status":"409","scimType":"uniqueness","detail":"userName taken"}"#).unwrap();
/// assert_eq!(body.status, Some(409));
/// assert_eq!(body.scim_type, Some(ScimType::Uniqueness));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimErrorBody {
    /// The HTTP status the body states.
    pub status: Option<u16>,
    /// The `scimType`, if given.
    pub scim_type: Option<ScimType>,
    /// The `detail`, if given.
    pub detail: Option<String>,
}

impl ScimErrorBody {
    /// Read a SCIM error body; `None` when the bytes are not a JSON object.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        Self::from_value(&value)
    }

    /// Read a SCIM error body from JSON; `None` when it is not an object.
    pub fn from_value(value: &serde_json::Value) -> Option<Self> {
        let map = value.as_object()?;
        let status = match map.get("status") {
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            _ => None,
        };
        let text = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        Some(Self {
            status,
            scim_type: text("scimType").map(|s| ScimType::parse(&s)),
            detail: text("detail"),
        })
    }
}

/// An error answer of a SCIM service provider: the transport's [`ApiError`] (method, path,
/// status, correlation id, raw body) with the SCIM fields read from the body.
#[derive(Debug, Clone)]
pub struct ScimApiError {
    scim_type: Option<ScimType>,
    detail: Option<String>,
    http: ApiError,
    fixed_token: bool,
}

impl ScimApiError {
    /// Read the SCIM error fields from a transport error.
    pub fn new(http: ApiError) -> Self {
        let body = ScimErrorBody::parse(http.body()).unwrap_or_default();
        Self {
            scim_type: body.scim_type,
            detail: body.detail,
            http,
            fixed_token: false,
        }
    }
    /// Whether the request carried a fixed token, which cannot be refreshed (set by
    /// [`Error::with_fixed_token`]); it decides the advice of [`Error::Unauthorized`].
    pub fn fixed_token(&self) -> bool {
        self.fixed_token
    }
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.http.status()
    }
    /// The `scimType`, if the body had one.
    pub fn scim_type(&self) -> Option<&ScimType> {
        self.scim_type.as_ref()
    }
    /// The SCIM `detail`, or the platform's own message (Genesys `message`) when there is none.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref().or(self.http.message())
    }
    /// The transport's error: method, path, correlation id, attempts, raw body.
    pub fn http(&self) -> &ApiError {
        &self.http
    }
}

impl fmt::Display for ScimApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} answered {}",
            self.http.method(),
            self.http.path(),
            self.http.status()
        )?;
        match (&self.scim_type, self.http.code()) {
            (Some(t), _) => write!(f, " ({t})")?,
            (None, Some(code)) => write!(f, " ({code})")?,
            (None, None) => {}
        }
        if let Some(detail) = self.detail() {
            write!(f, ": {detail}")?;
        }
        if let Some(id) = self.http.correlation_id() {
            write!(f, " [correlation id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScimApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.http)
    }
}

/// What can go wrong with a SCIM call.
///
/// Variants up to [`Unsupported`](Error::Unsupported) are found locally: nothing was sent. The
/// others carry the server's answer ([`ScimApiError`]) or the transport's failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filter, attribute path or PATCH path is malformed; nothing was sent.
    #[error("{0}; nothing was sent")]
    Filter(#[from] FilterError),
    /// The request cannot be built (for example a replace of a resource without `id`); nothing
    /// was sent.
    #[error("invalid SCIM request: {0}; nothing was sent")]
    InvalidRequest(String),
    /// The platform does not offer this operation; nothing was sent.
    #[error("{operation} is not available on {flavor}: {advice}")]
    Unsupported {
        /// The platform.
        flavor: Flavor,
        /// The operation refused.
        operation: &'static str,
        /// What to do instead.
        advice: &'static str,
    },
    /// The resource changed since the version given in `If-Match` (412, or 400 `invalidVers` as
    /// Genesys Cloud answers).
    #[error(
        "version conflict: {0}; the resource changed since it was read: get it again, reapply the change and retry"
    )]
    VersionConflict(Box<ScimApiError>),
    /// A unique attribute (usually `userName`) is already taken (409 `uniqueness`).
    #[error(
        "uniqueness conflict: {0}; another resource already has this userName (or another unique value): search for it by filter and update it instead of creating one"
    )]
    Uniqueness(Box<ScimApiError>),
    /// No resource at this id (404).
    #[error("not found: {0}; check the id (it is the service provider's `id`, not the externalId)")]
    NotFound(Box<ScimApiError>),
    /// The token was refused (401). The transport asked the token provider for a new token once
    /// and retried; a fixed token (such as `wfm_auth::StaticToken`) comes back unchanged, so for
    /// it the message says to get a new one (see [`Error::with_fixed_token`]).
    #[error("unauthorized: {0}; {advice}", advice = unauthorized_advice(.0))]
    Unauthorized(Box<ScimApiError>),
    /// The credential is valid but lacks the rights for this call (403).
    #[error("forbidden: {source}; {advice}")]
    Forbidden {
        /// What the platform needs (roles, permissions or scopes).
        advice: String,
        /// The answer.
        source: Box<ScimApiError>,
    },
    /// The server does not allow this method here (405); on CXone, DELETE: deactivate instead.
    #[error(
        "method not allowed: {0}; the service provider does not offer this operation (CXone has no DELETE: use Client::deactivate)"
    )]
    MethodNotAllowed(Box<ScimApiError>),
    /// Any other error answer; see [`ScimApiError::scim_type`].
    #[error("{0}")]
    Api(Box<ScimApiError>),
    /// The request did not get an answer to map: connection failure, retries exhausted,
    /// undecodable body, circuit open, configuration.
    #[error(transparent)]
    Transport(wfm_http::Error),
}

impl Error {
    /// Map a transport error to a SCIM error, reading the SCIM error body of an answer.
    ///
    /// Mapping order (RFC 7644 §3.12: `scimType` first, status second): `invalidVers` or 412 →
    /// [`VersionConflict`](Error::VersionConflict); `uniqueness`, or 409 without a `scimType`
    /// whose detail does not speak of a version → [`Uniqueness`](Error::Uniqueness); 409 about a
    /// version → `VersionConflict`; 401, 403, 404, 405 → their variants; anything else →
    /// [`Api`](Error::Api).
    pub fn from_http(err: wfm_http::Error, flavor: Flavor) -> Self {
        let wfm_http::Error::Api(api) = err else {
            return Error::Transport(err);
        };
        let e = Box::new(ScimApiError::new(*api));
        let status = e.status().as_u16();
        let mentions_version = e
            .detail()
            .is_some_and(|d| d.to_ascii_lowercase().contains("version"));
        match (e.scim_type(), status) {
            (Some(ScimType::InvalidVers), _) | (_, 412) => Error::VersionConflict(e),
            (Some(ScimType::Uniqueness), _) => Error::Uniqueness(e),
            (None, 409) if mentions_version => Error::VersionConflict(e),
            (None, 409) => Error::Uniqueness(e),
            (_, 401) => Error::Unauthorized(e),
            (_, 403) => {
                let advice = flavor.forbidden_advice(e.http().method().as_str());
                Error::Forbidden { advice, source: e }
            }
            (_, 404) => Error::NotFound(e),
            (_, 405) => Error::MethodNotAllowed(e),
            _ => Error::Api(e),
        }
    }

    /// Say that the request's token is fixed (a `wfm_auth::StaticToken`, a token given on a
    /// command line): it cannot be refreshed, so an [`Unauthorized`](Error::Unauthorized) error
    /// then advises getting a new token instead of speaking of a refresh. Other errors are
    /// returned unchanged.
    ///
    /// ```
    /// # use wfm_http::{ApiError, HeaderMap, Method, StatusCode};
    /// use wfm_scim::{Error, Flavor};
    /// # let answer = wfm_http::Error::Api(Box::new(ApiError::from_parts(Method::GET,
    /// #     "/Users", StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"", 2)));
    /// let e = Error::from_http(answer, Flavor::Generic).with_fixed_token();
    /// assert!(e.to_string().contains("cannot be refreshed: get a new token"));
    /// ```
    #[must_use]
    pub fn with_fixed_token(mut self) -> Self {
        if let Error::Unauthorized(e) = &mut self {
            e.fixed_token = true;
        }
        self
    }

    /// The server's answer, if there was one.
    pub fn api(&self) -> Option<&ScimApiError> {
        match self {
            Error::VersionConflict(e)
            | Error::Uniqueness(e)
            | Error::NotFound(e)
            | Error::Unauthorized(e)
            | Error::MethodNotAllowed(e)
            | Error::Api(e) => Some(e),
            Error::Forbidden { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The `scimType` of the answer, if any.
    pub fn scim_type(&self) -> Option<&ScimType> {
        self.api().and_then(ScimApiError::scim_type)
    }

    /// The HTTP status of the answer, if any.
    pub fn status(&self) -> Option<StatusCode> {
        self.api().map(ScimApiError::status)
    }

    /// Whether the error was found before anything was sent.
    pub fn nothing_sent(&self) -> bool {
        matches!(
            self,
            Error::Filter(_) | Error::InvalidRequest(_) | Error::Unsupported { .. }
        )
    }

    /// Whether the same call may succeed later unchanged (429, 502-504, connection failures).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_retryable(),
            Error::Api(e) => e.http().is_retryable(),
            _ => false,
        }
    }

    /// Whether the next calls are bound to fail the same way (401, 403, no token, connection
    /// lost, circuit open, a long `Retry-After`, insecure or invalid configuration), so a batch
    /// should stop rather than try the next item.
    pub fn is_fatal(&self) -> bool {
        match self {
            Error::Unauthorized(_) | Error::Forbidden { .. } => true,
            Error::Transport(e) => matches!(
                e,
                wfm_http::Error::Auth(_)
                    | wfm_http::Error::Connection { .. }
                    | wfm_http::Error::RetryAfterTooLong { .. }
                    | wfm_http::Error::CircuitOpen { .. }
                    | wfm_http::Error::InsecureTransport { .. }
                    | wfm_http::Error::Config(_)
            ),
            _ => false,
        }
    }
}

impl wfm_auth::ErrorMetadata for Error {
    fn status(&self) -> Option<u16> {
        match self {
            Error::Transport(e) => wfm_auth::ErrorMetadata::status(e),
            _ => self.api().map(|e| e.status().as_u16()),
        }
    }
    fn platform_code(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_code(),
            _ => {
                let api = self.api()?;
                api.scim_type().map(ScimType::as_str).or(api.http().code())
            }
        }
    }
    fn platform_message(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_message(),
            _ => {
                let api = self.api()?;
                api.detail().or(api.http().message())
            }
        }
    }
    fn correlation_id(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => wfm_auth::ErrorMetadata::correlation_id(e),
            _ => self.api()?.http().correlation_id(),
        }
    }
    fn is_retryable(&self) -> bool {
        Error::is_retryable(self)
    }
    fn advice(&self) -> Option<&'static str> {
        Some(match self {
            Error::Transport(e) => return e.advice(),
            Error::Filter(_) => "fix the filter as the message says",
            Error::InvalidRequest(_) => "fix the request as the message says",
            Error::Unsupported { .. } | Error::MethodNotAllowed(_) => {
                "the service provider does not offer this operation: see the message for the alternative"
            }
            Error::VersionConflict(_) => {
                "the resource changed: read it again, reapply the change, send it with the new version"
            }
            Error::Uniqueness(_) => {
                "a resource with this userName or externalId exists: find it and update it instead"
            }
            Error::NotFound(_) => "check the id; the resource may have been deleted",
            Error::Unauthorized(e) => unauthorized_advice(e),
            Error::Forbidden { .. } => {
                "the credential lacks a right for this call: see the message for the role, permission or scope to grant"
            }
            Error::Api(e) => return e.http().advice(),
        })
    }
    fn as_auth(&self) -> Option<&wfm_auth::AuthError> {
        match self {
            Error::Transport(e) => e.as_auth(),
            _ => None,
        }
    }
}

/// What to do about a 401: a fixed token cannot be refreshed; a provider's token was already
/// replaced once by the transport.
fn unauthorized_advice(e: &ScimApiError) -> &'static str {
    if e.fixed_token {
        "the token was refused and, being a fixed token, cannot be refreshed: get a new token (it may have expired or been revoked) and check that the base URL is the right region or tenant"
    } else {
        "the token was refused, and asking the token provider for a new one did not help: check the credentials (a fixed token, such as StaticToken, cannot be refreshed: get a new one) and that the base URL is the right region or tenant"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wfm_http::{HeaderMap, Method};

    fn api(status: u16, body: &str) -> wfm_http::Error {
        wfm_http::Error::Api(Box::new(ApiError::from_parts(
            Method::PUT,
            "/scim/v2/Users/1",
            StatusCode::from_u16(status).unwrap(),
            &HeaderMap::new(),
            body.as_bytes(),
            1,
        )))
    }

    #[test]
    fn maps_scim_type_first_then_status() {
        let e = Error::from_http(
            api(
                400,
                r#"{"status":"400","scimType":"invalidVers","detail":"stale"}"#,
            ),
            Flavor::GenesysCloud,
        );
        assert!(matches!(e, Error::VersionConflict(_)), "{e}");
        let e = Error::from_http(
            api(412, r#"{"status":"412","detail":"changed"}"#),
            Flavor::Generic,
        );
        assert!(matches!(e, Error::VersionConflict(_)));
        let e = Error::from_http(
            api(409, r#"{"status":"409","scimType":"uniqueness"}"#),
            Flavor::Generic,
        );
        assert!(matches!(e, Error::Uniqueness(_)));
        assert_eq!(e.scim_type(), Some(&ScimType::Uniqueness));
        let e = Error::from_http(
            api(
                409,
                r#"{"message":"Version does not match current version."}"#,
            ),
            Flavor::GenesysCloud,
        );
        assert!(matches!(e, Error::VersionConflict(_)));
        let e = Error::from_http(
            api(
                400,
                r#"{"status":400,"scimType":"invalidFilter","detail":"bad"}"#,
            ),
            Flavor::Generic,
        );
        assert_eq!(e.scim_type(), Some(&ScimType::InvalidFilter));
        assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
        assert!(matches!(
            Error::from_http(api(405, ""), Flavor::Cxone),
            Error::MethodNotAllowed(_)
        ));
        assert!(matches!(
            Error::from_http(api(404, "not json"), Flavor::Cxone),
            Error::NotFound(_)
        ));
    }

    #[test]
    fn forbidden_names_what_the_platform_needs() {
        let body = r#"{"code":"missing.permissions","message":"You are missing the following permission(s): directory:user:add","status":403}"#;
        let e = Error::from_http(api(403, body), Flavor::GenesysCloud);
        let text = e.to_string();
        assert!(matches!(e, Error::Forbidden { .. }));
        assert!(
            text.contains("missing.permissions")
                && text.contains("directory:user:edit")
                && text.contains("SCIM Integration"),
            "{text}"
        );
        assert!(e.is_fatal());
    }

    #[test]
    fn unauthorized_advice_depends_on_whether_the_token_can_be_refreshed() {
        let e = Error::from_http(api(401, ""), Flavor::Generic);
        let text = e.to_string();
        assert!(matches!(e, Error::Unauthorized(_)), "{text}");
        assert!(!e.api().unwrap().fixed_token());
        assert!(
            text.contains("asking the token provider for a new one did not help"),
            "{text}"
        );
        let fixed = e.with_fixed_token();
        let text = fixed.to_string();
        assert!(fixed.api().unwrap().fixed_token());
        assert!(
            text.contains("fixed token, cannot be refreshed: get a new token"),
            "{text}"
        );
        assert!(
            !text.contains("refresh:") && !text.contains("after a refresh"),
            "{text}"
        );
        assert!(fixed.is_fatal());
        // Other errors are unchanged.
        let nf = Error::from_http(api(404, ""), Flavor::Generic).with_fixed_token();
        assert!(matches!(nf, Error::NotFound(_)));
        assert!(!nf.api().unwrap().fixed_token());
    }

    #[test]
    fn other_scim_types_are_kept() {
        assert_eq!(ScimType::parse("INVALIDPATH"), ScimType::InvalidPath);
        assert_eq!(ScimType::parse("weird").as_str(), "weird");
    }
}

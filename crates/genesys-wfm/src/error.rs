//! Errors of the Genesys Cloud client: the Genesys error body parsed, and a typed
//! [`MissingPermissions`] for the 403s that say which permission the caller lacks.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use wfm_http::ApiError;

/// What went wrong in a call of this crate.
///
/// Every variant answers the [`ErrorMetadata`](wfm_auth::ErrorMetadata) questions (status,
/// code, correlation id, retryable, advice).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A 403 `missing.permissions` / `missing.any.permissions`: the OAuth client's roles lack a
    /// permission (in the division of the object concerned).
    MissingPermissions(Box<MissingPermissions>),
    /// Any other failure of the transport or answer of the platform (see
    /// [`Error::genesys_body`] for the parsed Genesys error body).
    Http(wfm_http::Error),
    /// An asynchronous operation ended in `Error` or `Canceled`, or never completed.
    Operation {
        /// What was asked (`agent schedule search`).
        operation: &'static str,
        /// The operation id Genesys gave, if any.
        operation_id: Option<String>,
        /// The last status seen (`Error`, `Canceled`, `Processing`).
        status: String,
        /// What to do about it.
        detail: String,
    },
    /// The client is misconfigured (an unknown region, a bad URL).
    Config(String),
}

impl Error {
    /// The typed 403, if this is one.
    pub fn missing_permissions(&self) -> Option<&MissingPermissions> {
        match self {
            Error::MissingPermissions(m) => Some(m),
            _ => None,
        }
    }

    /// The platform's answer, if the platform answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::MissingPermissions(m) => Some(&m.api),
            Error::Http(wfm_http::Error::Api(api)) => Some(&**api),
            _ => None,
        }
    }

    /// The Genesys error body of the answer, if it had one.
    pub fn genesys_body(&self) -> Option<ErrorBody> {
        self.api().and_then(|a| ErrorBody::parse(a.body()))
    }

    /// Turns a transport error into this crate's, recognising the permission 403s. `token_host`
    /// is the login host the token came from, quoted in the advice.
    pub(crate) fn from_http(e: wfm_http::Error, token_host: Option<&str>) -> Self {
        if let wfm_http::Error::Api(api) = &e
            && api.status().as_u16() == 403
            && let Some(body) = ErrorBody::parse(api.body())
            && let Some(any) = match body.code.as_deref() {
                Some("missing.permissions") => Some(false),
                Some("missing.any.permissions") => Some(true),
                _ => None,
            }
        {
            let permissions = body.permissions();
            let division = body.division();
            return Error::MissingPermissions(Box::new(MissingPermissions {
                any,
                permissions,
                division,
                token_host: token_host.map(str::to_owned),
                body,
                api: (**api).clone(),
            }));
        }
        Error::Http(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingPermissions(m) => m.fmt(f),
            Error::Http(e) => e.fmt(f),
            Error::Operation {
                operation,
                operation_id,
                status,
                detail,
            } => {
                write!(f, "the {operation} ended {status}")?;
                if let Some(id) = operation_id {
                    write!(f, " (operation id {id})")?;
                }
                write!(f, ": {detail}")
            }
            Error::Config(m) => write!(f, "configuration: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Http(e) => Some(e),
            Error::MissingPermissions(m) => Some(&m.api),
            _ => None,
        }
    }
}

impl From<wfm_http::Error> for Error {
    fn from(e: wfm_http::Error) -> Self {
        Error::from_http(e, None)
    }
}

impl wfm_auth::ErrorMetadata for Error {
    fn status(&self) -> Option<u16> {
        match self {
            Error::Http(e) => e.status(),
            _ => self.api().map(|a| a.status().as_u16()),
        }
    }
    fn platform_code(&self) -> Option<&str> {
        match self {
            Error::Http(e) => e.platform_code(),
            _ => self.api().and_then(ApiError::code),
        }
    }
    fn platform_message(&self) -> Option<&str> {
        match self {
            Error::Http(e) => e.platform_message(),
            _ => self.api().and_then(ApiError::message),
        }
    }
    fn correlation_id(&self) -> Option<&str> {
        match self {
            Error::Http(e) => e.correlation_id(),
            _ => self.api().and_then(ApiError::correlation_id),
        }
    }
    fn is_retryable(&self) -> bool {
        match self {
            Error::Http(e) => e.is_retryable(),
            Error::Operation { status, .. } => status == "Processing",
            _ => false,
        }
    }
    fn advice(&self) -> Option<&'static str> {
        Some(match self {
            Error::MissingPermissions(_) => {
                "give the OAuth client a role with the missing permission in the division named (client-credentials tokens have no scopes: roles and divisions decide), or run the permission preflight"
            }
            Error::Http(e) => return e.advice(),
            Error::Operation { .. } => {
                "retry later; quote the operation id to Genesys support if it keeps failing"
            }
            Error::Config(_) => "fix the configuration as the message says",
        })
    }
    fn as_auth(&self) -> Option<&wfm_auth::AuthError> {
        match self {
            Error::Http(e) => e.as_auth(),
            _ => None,
        }
    }
}

/// A 403 that names the permissions the caller lacks (`missing.permissions`: all of them are
/// needed; `missing.any.permissions`: any one is enough).
///
/// Its `Display` says what to do:
///
/// ```
/// use genesys_wfm::Error;
/// use wfm_http::{ApiError, HeaderMap, Method, StatusCode};
///
/// let body = br#"{"message":"You must have at least one of the following permissions assigned: [wfm:schedule:edit]",
///   "code":"missing.any.permissions","status":403,"contextId":"ctx-1","messageParams":{}}"#;
/// let api = ApiError::from_parts(Method::POST, "/api/v2/x", StatusCode::FORBIDDEN, &HeaderMap::new(), body, 1);
/// let err = Error::from(wfm_http::Error::Api(Box::new(api)));
/// let missing = err.missing_permissions().unwrap();
/// assert_eq!(missing.permissions(), ["wfm:schedule:edit"]);
/// assert!(err.to_string().contains("grant a role with wfm:schedule:edit"));
/// ```
#[derive(Debug, Clone)]
pub struct MissingPermissions {
    any: bool,
    permissions: Vec<String>,
    division: Option<String>,
    token_host: Option<String>,
    body: ErrorBody,
    api: ApiError,
}

impl MissingPermissions {
    /// The permissions named by Genesys.
    pub fn permissions(&self) -> &[String] {
        &self.permissions
    }
    /// Whether any one of them is enough (`missing.any.permissions`) rather than all.
    pub fn any_is_enough(&self) -> bool {
        self.any
    }
    /// The division concerned, when the answer or the caller's context says.
    pub fn division(&self) -> Option<&str> {
        self.division.as_deref()
    }
    /// The Genesys error body.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
    /// The answer (status, path, correlation id).
    pub fn api_error(&self) -> &ApiError {
        &self.api
    }
}

impl fmt::Display for MissingPermissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = if self.permissions.is_empty() {
            "the permission named in the message".to_owned()
        } else if self.any {
            self.permissions.join(" or ")
        } else {
            self.permissions.join(" and ")
        };
        write!(
            f,
            "{} {} answered 403 ({}): the OAuth client lacks {which}",
            self.api.method(),
            self.api.path(),
            self.body.code.as_deref().unwrap_or("missing.permissions"),
        )?;
        if let Some(d) = &self.division {
            write!(f, " in division {d}")?;
        }
        write!(f, ". Fix: grant a role with {which} to the OAuth client")?;
        match &self.division {
            Some(d) => write!(f, " in division {d}")?,
            None => f.write_str(
                " in the division of every object concerned (the agents' management units)",
            )?,
        }
        f.write_str(
            " (Admin > OAuth > the client > Roles, with the divisions). Client-credentials tokens carry no scopes: roles and divisions decide.",
        )?;
        if let Some(host) = &self.token_host {
            write!(
                f,
                " The token came from {host}: the role must be granted in that org."
            )?;
        }
        if let Some(ctx) = &self.body.context_id {
            write!(f, " [contextId {ctx}]")?;
        }
        if let Some(id) = self.api.correlation_id() {
            write!(f, " [correlation id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for MissingPermissions {}

/// The Genesys Cloud error body (`ErrorBody` in the official SDKs). Unknown fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorBody {
    /// The human-readable message.
    pub message: Option<String>,
    /// The machine code (`missing.permissions`, `not.authorized`, `too.many.requests`).
    pub code: Option<String>,
    /// The HTTP status the body states.
    pub status: Option<u16>,
    /// The message template, before its parameters are put in.
    pub message_with_params: Option<String>,
    /// The template's parameters.
    pub message_params: BTreeMap<String, String>,
    /// The id to quote to Genesys support.
    pub context_id: Option<String>,
    /// An entity the error is about.
    pub entity_id: Option<String>,
    /// That entity's name.
    pub entity_name: Option<String>,
}

impl ErrorBody {
    /// Parse a body; `None` if it is not a JSON object.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        if !value.is_object() {
            return None;
        }
        // Tolerate odd value types (a number in messageParams) rather than fail.
        let mut value = value;
        if let Some(params) = value
            .get_mut("messageParams")
            .and_then(|p| p.as_object_mut())
        {
            for v in params.values_mut() {
                if !v.is_string() {
                    *v = serde_json::Value::String(v.to_string());
                }
            }
        }
        serde_json::from_value(value).ok()
    }

    /// The permissions the body names: from `messageParams`, else from the bracketed list of
    /// the message (`... assigned: [wfm:schedule:edit, wfm:schedule:add]`).
    pub fn permissions(&self) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for (k, v) in &self.message_params {
            if !k.to_ascii_lowercase().contains("division") {
                push_permissions(&mut found, v);
            }
        }
        if found.is_empty()
            && let Some(m) = &self.message
        {
            let list = m
                .rfind('[')
                .map(|i| &m[i..])
                .or_else(|| m.rfind(": ").map(|i| &m[i + 2..]))
                .unwrap_or(m);
            push_permissions(&mut found, list);
        }
        found
    }

    /// A division named in `messageParams` (a key containing `division`), if any.
    pub fn division(&self) -> Option<String> {
        self.message_params
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase().contains("division"))
            .map(|(_, v)| v.clone())
    }
}

/// Adds the permission names found in `text` to `found`, once each.
fn push_permissions(found: &mut Vec<String>, text: &str) {
    for p in text
        .split([',', ' ', '[', ']', '"'])
        .map(str::trim)
        .filter(|p| looks_like_permission(p))
    {
        if !found.iter().any(|f| f == p) {
            found.push(p.to_owned());
        }
    }
}

/// `domain:entity:action`, letters, digits and `_-*` only.
fn looks_like_permission(p: &str) -> bool {
    let parts: Vec<&str> = p.split(':').collect();
    parts.len() >= 2
        && parts.iter().all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*'))
        })
}

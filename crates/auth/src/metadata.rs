//! [`ErrorMetadata`]: one set of questions every error of the SDK answers (status, platform
//! code, message, correlation id, whether to retry, what to do), so callers need not match
//! nested enums of several crates.

use crate::error::AuthError;

/// What every error of the SDK can tell, whichever crate it comes from (`wfm_auth::AuthError`,
/// `wfm_http::Error`, `wfm_scim::Error`, ...).
///
/// ```
/// use wfm_auth::{AuthError, ErrorMetadata, GrantSource};
///
/// let err = AuthError::InsufficientScope {
///     missing: vec!["scim".into()],
///     granted: vec!["scim:readonly".into()],
///     grant_source: GrantSource::ResponseScope,
/// };
/// assert_eq!(err.missing_scopes(), Some(&["scim".to_owned()][..]));
/// assert!(!err.is_retryable());
/// assert!(err.advice().unwrap().contains("grant"));
/// ```
pub trait ErrorMetadata: std::error::Error {
    /// The HTTP status of the answer that caused the error, if an answer did.
    fn status(&self) -> Option<u16> {
        None
    }

    /// The platform's machine-readable error code (`missing.permissions`, a SCIM `scimType`,
    /// Graph's `error.code`, an OAuth `error`).
    fn platform_code(&self) -> Option<&str> {
        None
    }

    /// The platform's human-readable message, if it sent one.
    fn platform_message(&self) -> Option<&str> {
        None
    }

    /// The platform's correlation or request id, to quote to its support.
    fn correlation_id(&self) -> Option<&str> {
        None
    }

    /// Whether sending the same request again later may succeed without changing anything, and
    /// is safe (it cannot create a duplicate). Agrees with what the transport itself retries.
    fn is_retryable(&self) -> bool;

    /// What to do about it, in one sentence.
    fn advice(&self) -> Option<&'static str>;

    /// The authentication error inside, if getting a token was what failed.
    fn as_auth(&self) -> Option<&AuthError> {
        None
    }

    /// The declared scopes a token lacked, if that is what failed.
    fn missing_scopes(&self) -> Option<&[String]> {
        match self.as_auth()? {
            AuthError::InsufficientScope { missing, .. } => Some(missing),
            _ => None,
        }
    }
}

impl ErrorMetadata for AuthError {
    fn status(&self) -> Option<u16> {
        AuthError::status(self)
    }

    fn platform_code(&self) -> Option<&str> {
        match self {
            Self::InvalidClient { .. } => Some("invalid_client"),
            Self::InvalidGrant { .. } => Some("invalid_grant"),
            Self::InvalidScope { .. } => Some("invalid_scope"),
            Self::UnauthorizedClient { .. } | Self::DelegationRefused { .. } => {
                Some("unauthorized_client")
            }
            Self::TokenEndpoint { error, .. } => Some(error),
            _ => None,
        }
    }

    fn platform_message(&self) -> Option<&str> {
        self.description()
    }

    fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::TokenEndpoint { status, .. } | Self::UnexpectedResponse { status, .. } => {
                matches!(status, 429 | 502 | 503 | 504)
            }
            _ => false,
        }
    }

    fn advice(&self) -> Option<&'static str> {
        Some(match self {
            Self::InvalidClient { .. } => {
                "check the client id and secret, and that the OAuth client exists in this region or tenant"
            }
            Self::InvalidGrant { .. } => "check the username and password (or the access key)",
            Self::InvalidScope { .. } => "request only scopes the OAuth client is allowed",
            Self::UnauthorizedClient { .. } => "enable this grant type on the OAuth client",
            Self::TokenEndpoint { .. } => "check the token URL and the grant settings",
            Self::UnexpectedResponse { .. } | Self::MalformedResponse { .. } => {
                "check that the token URL is the platform's OAuth token endpoint"
            }
            Self::ResponseTooLarge { .. } => {
                "check that the token URL is the platform's OAuth token endpoint"
            }
            Self::Transport { .. } => "check the network, the proxy and the token URL, then retry",
            Self::InsufficientScope { .. } => {
                "grant the missing scopes to the OAuth client (and consent to them), or declare fewer"
            }
            Self::GrantedScopesUnreadable { .. } => {
                "read granted scopes from the token response (ScopeCheck::FromResponse) for opaque tokens"
            }
            Self::Config { .. } => "fix the configuration as the message says",
            Self::ServiceAccountKey { .. } => {
                "download a new JSON key for the service account and point the SDK at it"
            }
            Self::DelegationRefused { .. } => {
                "authorise the service account's client id with these scopes under domain-wide delegation in the Google Admin console"
            }
            Self::Custom(_) => return None,
        })
    }

    fn as_auth(&self) -> Option<&AuthError> {
        Some(self)
    }
}

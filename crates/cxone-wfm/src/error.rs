//! [`Error`]: what a call of the WFM client can end in, with the questions the reconcile engine
//! asks of it (absent? already exists? was a lost create applied?).

use std::time::Duration;

use wfm_auth::ErrorMetadata;

/// A failed call of the CXone WFM [`Client`](crate::Client) or of a [`Backend`](crate::Backend).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed or the server answered with an error status.
    #[error(transparent)]
    Transport(#[from] wfm_http::Error),
    /// CXone discovery answered, but without what the flow needs (a `token_endpoint`, an
    /// `id_token` with a `tenantId`, an `api_endpoint`).
    #[error("CXone discovery failed: {0}")]
    Discovery(String),
    /// A SCIM call of the [`ScimBackend`](crate::ScimBackend) failed.
    #[error(transparent)]
    Scim(#[from] wfm_scim::Error),
    /// No user has this `externalId` (a backend that looks users up before writing).
    #[error("no user has the externalId {0:?}")]
    NotFound(String),
    /// UserHub answered the deactivation but listed the user in `notDeletedUserIds`.
    #[error(
        "UserHub did not deactivate the user with externalIdentity {0:?} (listed in notDeletedUserIds)"
    )]
    NotDeactivated(String),
}

impl Error {
    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        ErrorMetadata::status(self)
    }

    /// The server answered 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_)) || self.status() == Some(404)
    }

    /// The server answered 409 (a create for an `externalId` that exists).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// The server answered 429.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// The wait the server asked for (`Retry-After`), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Transport(e) | Error::Scim(wfm_scim::Error::Transport(e)) => {
                e.as_api().and_then(|a| a.retry_after())
            }
            Error::Scim(e) => e.api().and_then(|a| a.http().retry_after()),
            Error::Discovery(_) | Error::NotFound(_) | Error::NotDeactivated(_) => None,
        }
    }

    /// Whether a write may have been applied although it failed: the connection broke after the
    /// request was sent, it timed out, or the server answered 500, 502, 503 or 504. A create
    /// that ends so is checked with a GET before it is sent again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Transport(wfm_http::Error::Connection { .. })
            | Error::Scim(wfm_scim::Error::Transport(wfm_http::Error::Connection { .. })) => true,
            _ => self
                .status()
                .is_some_and(|s| matches!(s, 500 | 502 | 503 | 504)),
        }
    }

    /// Attempts the transport made for the call that failed (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Transport(wfm_http::Error::Connection { attempts, .. })
            | Error::Scim(wfm_scim::Error::Transport(wfm_http::Error::Connection {
                attempts,
                ..
            })) => *attempts,
            Error::Transport(e) | Error::Scim(wfm_scim::Error::Transport(e)) => {
                e.as_api().map_or(1, |a| a.attempts())
            }
            Error::Scim(e) => e.api().map_or(1, |a| a.http().attempts()),
            Error::Discovery(_) | Error::NotFound(_) | Error::NotDeactivated(_) => 1,
        }
    }
}

impl ErrorMetadata for Error {
    fn status(&self) -> Option<u16> {
        match self {
            Error::Transport(e) => e.status(),
            Error::Scim(e) => wfm_auth::ErrorMetadata::status(e),
            Error::NotFound(_) => Some(404),
            Error::Discovery(_) | Error::NotDeactivated(_) => None,
        }
    }
    fn platform_code(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_code(),
            Error::Scim(e) => wfm_auth::ErrorMetadata::platform_code(e),
            Error::Discovery(_) | Error::NotFound(_) | Error::NotDeactivated(_) => None,
        }
    }
    fn platform_message(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_message(),
            Error::Scim(e) => wfm_auth::ErrorMetadata::platform_message(e),
            Error::Discovery(_) | Error::NotFound(_) | Error::NotDeactivated(_) => None,
        }
    }
    fn correlation_id(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.correlation_id(),
            Error::Scim(e) => wfm_auth::ErrorMetadata::correlation_id(e),
            Error::Discovery(_) | Error::NotFound(_) | Error::NotDeactivated(_) => None,
        }
    }
    fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_retryable(),
            Error::Scim(e) => wfm_auth::ErrorMetadata::is_retryable(e),
            Error::Discovery(_) | Error::NotFound(_) | Error::NotDeactivated(_) => false,
        }
    }
    fn advice(&self) -> Option<&'static str> {
        match self {
            Error::Transport(e) if e.status() == Some(400) => Some(
                "the server refused the user: check the fields the message names (an unknown role or skill refuses the whole user)",
            ),
            Error::Transport(e) => ErrorMetadata::advice(e),
            Error::Scim(e) => ErrorMetadata::advice(e),
            Error::NotFound(_) => Some("check the externalId: no user carries it"),
            Error::NotDeactivated(_) => Some(
                "check the user in CXone (Admin > Employees): UserHub refused to deactivate it, for example the API user itself; deactivate it by hand or leave it in the roster",
            ),
            Error::Discovery(_) => Some(
                "check the issuer URL (https://cxone.niceincontact.com, or the FedRAMP issuer) and the access key",
            ),
        }
    }
    fn as_auth(&self) -> Option<&wfm_auth::AuthError> {
        match self {
            Error::Transport(e) => e.as_auth(),
            Error::Scim(e) => wfm_auth::ErrorMetadata::as_auth(e),
            Error::Discovery(_) | Error::NotFound(_) | Error::NotDeactivated(_) => None,
        }
    }
}

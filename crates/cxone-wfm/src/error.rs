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
}

impl Error {
    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        ErrorMetadata::status(self)
    }

    /// The server answered 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
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
            Error::Transport(e) => e.as_api().and_then(|a| a.retry_after()),
            Error::Discovery(_) => None,
        }
    }

    /// Whether a write may have been applied although it failed: the connection broke after the
    /// request was sent, it timed out, or the server answered 500, 502, 503 or 504. A create
    /// that ends so is checked with a GET before it is sent again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Transport(wfm_http::Error::Connection { .. }) => true,
            Error::Transport(e) => e
                .as_api()
                .is_some_and(|a| matches!(a.status().as_u16(), 500 | 502 | 503 | 504)),
            Error::Discovery(_) => false,
        }
    }

    /// Attempts the transport made for the call that failed (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Transport(wfm_http::Error::Connection { attempts, .. }) => *attempts,
            Error::Transport(e) => e.as_api().map_or(1, |a| a.attempts()),
            Error::Discovery(_) => 1,
        }
    }
}

impl ErrorMetadata for Error {
    fn status(&self) -> Option<u16> {
        match self {
            Error::Transport(e) => e.status(),
            Error::Discovery(_) => None,
        }
    }
    fn platform_code(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_code(),
            Error::Discovery(_) => None,
        }
    }
    fn platform_message(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_message(),
            Error::Discovery(_) => None,
        }
    }
    fn correlation_id(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.correlation_id(),
            Error::Discovery(_) => None,
        }
    }
    fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_retryable(),
            Error::Discovery(_) => false,
        }
    }
    fn advice(&self) -> Option<&'static str> {
        match self {
            Error::Transport(e) if e.status() == Some(400) => Some(
                "the server refused the user: check the fields the message names (an unknown role or skill refuses the whole user)",
            ),
            Error::Transport(e) => ErrorMetadata::advice(e),
            Error::Discovery(_) => Some(
                "check the issuer URL (https://cxone.niceincontact.com, or the FedRAMP issuer) and the access key",
            ),
        }
    }
    fn as_auth(&self) -> Option<&wfm_auth::AuthError> {
        match self {
            Error::Transport(e) => e.as_auth(),
            Error::Discovery(_) => None,
        }
    }
}

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
        }
    }

    /// Attempts the transport made for the call that failed (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Transport(wfm_http::Error::Connection { attempts, .. }) => *attempts,
            Error::Transport(e) => e.as_api().map_or(1, |a| a.attempts()),
        }
    }
}

impl ErrorMetadata for Error {
    fn status(&self) -> Option<u16> {
        match self {
            Error::Transport(e) => e.status(),
        }
    }
    fn platform_code(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_code(),
        }
    }
    fn platform_message(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.platform_message(),
        }
    }
    fn correlation_id(&self) -> Option<&str> {
        match self {
            Error::Transport(e) => e.correlation_id(),
        }
    }
    fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_retryable(),
        }
    }
    fn advice(&self) -> Option<&'static str> {
        match self {
            Error::Transport(e) if e.status() == Some(400) => Some(
                "the server refused the user: check the fields the message names (an unknown role or skill refuses the whole user)",
            ),
            Error::Transport(e) => ErrorMetadata::advice(e),
        }
    }
    fn as_auth(&self) -> Option<&wfm_auth::AuthError> {
        match self {
            Error::Transport(e) => e.as_auth(),
        }
    }
}

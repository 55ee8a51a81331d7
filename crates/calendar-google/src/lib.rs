//! One-way mirroring of WFM shifts into Google Calendar on the shared `calendar-sync` engine:
//! a service account with domain-wide delegation acts for each mailbox with its own token,
//! only events carrying our tag are ever written, and a retried insert never duplicates (the
//! event id is chosen from the shift id).
//!
//! ```
//! use std::collections::HashMap;
//! use calendar_google::{delegated_tokens, google_platform, CalendarEvents, Client, GoogleBackend};
//! use calendar_sync::{by_mailbox, sync, SyncOptions};
//! use wfm_auth::google::ServiceAccountKey;
//! use wfm_sandbox::{google::GoogleCalendar, TokenEndpoint};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // A local Google stand-in and token endpoint. In production: the key file Google issued,
//! // `ServiceAccountKey::from_file(path)?`, and `calendar_google::GOOGLE_APIS`.
//! let server = wiremock::MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/token").await;
//! let google = GoogleCalendar::mount(&server).await.require_token(&tokens);
//! # let key_json = include_str!("../tests/data/service-account.json");
//! let key = ServiceAccountKey::from_json(key_json)?.with_token_uri(tokens.url());
//! let platform = google_platform::<CalendarEvents>().build()?;
//! let client = Client::new(&platform, server.uri(), delegated_tokens::<CalendarEvents>(key)?)?;
//! let backend = GoogleBackend::new(client).preflight_as("jane@example.com");
//!
//! // The `ics_feed` example's shift JSON; the mailbox is the agent id (or a mapped address).
//! let shifts = ical_feed::json::shifts_from_json(r#"[{"id": "s1", "agent": "jane@example.com",
//!   "start": "2026-03-30T08:00:00+02:00", "end": "2026-03-30T16:00:00+02:00",
//!   "timezone": "Europe/Paris", "summary": "Day desk", "last_modified": "2026-03-01T10:00:00Z"}]"#)?;
//! let shifts = by_mailbox(shifts, &HashMap::new());
//! let report = sync(&backend, &shifts, &SyncOptions::default()).await?;
//! assert_eq!(report.counts.created, 1);
//! // A second run writes nothing; the event's id is the shift's.
//! let report = sync(&backend, &shifts, &SyncOptions::default()).await?;
//! assert_eq!((report.counts.created, report.counts.unchanged), (0, 1));
//! assert_eq!(google.events("jane@example.com")[0]["id"], calendar_google::event_id("s1"));
//! // One token for the mailbox, asked once.
//! assert_eq!(tokens.requests_for("jane@example.com"), 1);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! - [`Client`]: Events API v3 (insert with a client-chosen id, get, patch, delete, our tagged
//!   events, incremental [`changes`](Client::changes)), each method bounded by the scope it
//!   needs ([`CalendarEvents`], or [`Calendar`] which implies it), each mailbox with its own
//!   delegated token (`wfm_auth::google::DelegatedTokens`).
//! - [`google_platform`]: the project's and the user's rate limits, Google's 403 slow-downs
//!   retried.
//! - [`batch`]: `multipart/mixed` batches, each call counted against the per-user limit.
//! - [`GoogleBackend`]: the engine's backend; [`cli`]: the `google_calendar_sync` example.
//! - [`event_id`]: base32hex (`0-9`, `a-v`), 52 characters, within Google's 5–1024
//!   (<https://developers.google.com/workspace/calendar/api/v3/reference/events/insert>).
//! - [`is_slow_down`]: Google's 403 `rateLimitExceeded` / `userRateLimitExceeded` (domain
//!   `usageLimits`), given to `wfm_http::PlatformBuilder::retryable_answer` so that they are
//!   retried with backoff like a 429
//!   (<https://developers.google.com/workspace/calendar/api/guides/errors>).
//! - [`Error`]: a 403 `insufficientPermissions` names the scope and the domain-wide delegation fix.
#![forbid(unsafe_code)]

mod backend;
pub mod batch;
pub mod cli;
mod client;
pub mod event;

pub use backend::{GoogleBackend, REINSERTS, event_id_generation, new_event};
pub use client::{
    Changes, Client, GOOGLE_APIS, PER_PROJECT_PER_MINUTE, PER_USER_PER_MINUTE, delegated_tokens,
    google_platform, per_user_limit,
};

use sha2::{Digest, Sha256};
use wfm_auth::{AuthError, ErrorMetadata};
use wfm_http::ApiError;

pub use wfm_auth::scope::google::{Calendar, CalendarAppCreated, CalendarEvents, Google};

/// The base32hex alphabet (RFC 4648 §7), lower case as Google's event ids use it.
const BASE32HEX: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

/// The event id of a shift: SHA-256 of the shift id, in lower-case base32hex without padding
/// (52 characters). The same shift always has the same id, so an insert retried after a dropped
/// connection answers 409 instead of making a duplicate, and a removed shift that comes back
/// finds its old (cancelled) event by id.
pub fn event_id(shift_id: &str) -> String {
    let digest = Sha256::digest(format!("wfm-shift\0{shift_id}").as_bytes());
    let mut out = String::with_capacity(52);
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in digest {
        acc = (acc << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32HEX[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32HEX[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Whether an answer is one of Google's slow-down signals sent as a 403: reason
/// `rateLimitExceeded` or `userRateLimitExceeded`. (A 429 is retried by the transport anyway.)
pub fn is_slow_down(err: &ApiError) -> bool {
    err.status().as_u16() == 403
        && matches!(
            err.code(),
            Some("rateLimitExceeded" | "userRateLimitExceeded")
        )
}

/// What a Google Calendar call can end in, other than success.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Google answered 403 `insufficientPermissions`: the token's scopes do not cover the call.
    #[error(
        "Google refused the call for {mailbox:?} (403 insufficientPermissions): the token lacks the scope it needs; \
         request `https://www.googleapis.com/auth/calendar.events` and have a super administrator authorise it for the \
         service account's client id under domain-wide delegation in the Google Admin console"
    )]
    InsufficientPermissions {
        /// The mailbox acted for.
        mailbox: String,
        /// The answer.
        #[source]
        source: Box<wfm_http::Error>,
    },
    /// Any other transport, token or API error (a refused delegation is
    /// [`AuthError::DelegationRefused`] inside).
    #[error(transparent)]
    Http(Box<wfm_http::Error>),
    /// A batch that could not be sent as asked, or whose answer could not be read.
    #[error("Google Calendar batch: {0}")]
    Batch(String),
}

impl Error {
    /// Classifies a transport error for `mailbox`.
    pub fn from_http(err: wfm_http::Error, mailbox: &str) -> Self {
        if let Some(api) = err.as_api()
            && api.status().as_u16() == 403
            && api.code() == Some("insufficientPermissions")
        {
            return Error::InsufficientPermissions {
                mailbox: mailbox.to_owned(),
                source: Box::new(err),
            };
        }
        Error::Http(Box::new(err))
    }

    /// The transport error inside, if any.
    pub fn as_http(&self) -> Option<&wfm_http::Error> {
        match self {
            Error::InsufficientPermissions { source, .. } | Error::Http(source) => Some(source),
            Error::Batch(_) => None,
        }
    }
}

impl ErrorMetadata for Error {
    fn status(&self) -> Option<u16> {
        self.as_http().and_then(ErrorMetadata::status)
    }
    fn platform_code(&self) -> Option<&str> {
        self.as_http().and_then(ErrorMetadata::platform_code)
    }
    fn platform_message(&self) -> Option<&str> {
        self.as_http().and_then(ErrorMetadata::platform_message)
    }
    fn correlation_id(&self) -> Option<&str> {
        self.as_http().and_then(ErrorMetadata::correlation_id)
    }
    fn is_retryable(&self) -> bool {
        match self {
            Error::InsufficientPermissions { .. } | Error::Batch(_) => false,
            Error::Http(e) => e.is_retryable(),
        }
    }
    fn advice(&self) -> Option<&'static str> {
        match self {
            Error::InsufficientPermissions { .. } => Some(
                "authorise https://www.googleapis.com/auth/calendar.events for the service account's client id under domain-wide delegation in the Google Admin console",
            ),
            Error::Http(e) => e.advice(),
            Error::Batch(_) => None,
        }
    }
    fn as_auth(&self) -> Option<&AuthError> {
        self.as_http().and_then(wfm_http::Error::as_auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wfm_http::{ApiError, Method};

    fn google_403(reason: &str) -> ApiError {
        let body = format!(
            r#"{{"error":{{"errors":[{{"domain":"usageLimits","reason":"{reason}","message":"m"}}],"code":403,"message":"m"}}}}"#
        );
        ApiError::from_parts(
            Method::GET,
            "/calendar/v3/calendars/primary/events",
            http_status(403),
            &Default::default(),
            body.as_bytes(),
            1,
        )
    }

    fn http_status(n: u16) -> wfm_http::StatusCode {
        wfm_http::StatusCode::from_u16(n).unwrap()
    }

    #[test]
    fn ids_are_base32hex_within_googles_bounds_and_stable() {
        let a = event_id("s1");
        assert_eq!(a, event_id("s1"));
        assert_ne!(a, event_id("s2"));
        assert!((5..=1024).contains(&a.len()));
        assert!(a.bytes().all(|b| BASE32HEX.contains(&b)));
        assert!(event_id(&"x".repeat(10_000)).len() == 52);
    }

    #[test]
    fn rate_limit_403s_are_slow_downs_and_insufficient_permissions_is_not() {
        assert!(is_slow_down(&google_403("userRateLimitExceeded")));
        assert!(is_slow_down(&google_403("rateLimitExceeded")));
        assert!(!is_slow_down(&google_403("insufficientPermissions")));
        let err = Error::from_http(
            wfm_http::Error::Api(Box::new(google_403("insufficientPermissions"))),
            "jane@example.com",
        );
        assert!(matches!(err, Error::InsufficientPermissions { .. }));
        assert!(!err.is_retryable());
        let msg = err.to_string();
        assert!(
            msg.contains("domain-wide delegation") && msg.contains("calendar.events"),
            "{msg}"
        );
    }
}

//! The crate's typed errors: [`Error`] for Graph calls and sync runs, [`InputError`] for shifts
//! that cannot become events. Both answer the SDK's [`ErrorMetadata`] questions.

use wfm_auth::{AuthError, ErrorMetadata};

/// What a Graph call or a sync step can end in, other than success.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The access token does not carry the application permission the call needs (read from
    /// its `roles` claim before any Graph request). Nothing was sent to Graph.
    #[error(
        "the Microsoft Graph token lacks the application permission(s) {missing:?} in its `roles` claim (granted: {granted:?}); \
         in Entra ID, add the application permission `Calendars.ReadWrite` (Microsoft Graph) to the app registration and \
         grant admin consent for the tenant, then restart"
    )]
    MissingPermission {
        /// The permissions missing, e.g. `["Calendars.ReadWrite"]`.
        missing: Vec<String>,
        /// What the token's `roles` claim holds (empty when it has no `roles` claim).
        granted: Vec<String>,
        /// The token cache's error.
        #[source]
        source: Box<wfm_http::Error>,
    },
    /// Graph answered 403 `ErrorAccessDenied` for a mailbox: the app's access to it is limited
    /// by an application access policy or RBAC for Applications scope that leaves it out.
    #[error(
        "access to mailbox {mailbox:?} is denied (403 ErrorAccessDenied): the mailbox is outside the application access \
         policy (or RBAC for Applications management scope) that limits this app; add it to the policy's group or scope, \
         or drop it from the input"
    )]
    AccessDenied {
        /// The mailbox (user id or UPN).
        mailbox: String,
        /// The answer.
        #[source]
        source: Box<wfm_http::Error>,
    },
    /// Any other transport or API error.
    #[error(transparent)]
    Http(Box<wfm_http::Error>),
    /// A shift could not be turned into an event.
    #[error(transparent)]
    Input(#[from] InputError),
}

pub use calendar_sync::InputError;

impl Error {
    /// Classifies a transport error, naming `mailbox` when Graph denied access to it.
    pub fn from_http(err: wfm_http::Error, mailbox: Option<&str>) -> Self {
        if let Some(AuthError::InsufficientScope {
            missing, granted, ..
        }) = err.as_auth()
        {
            return Error::MissingPermission {
                missing: missing.clone(),
                granted: granted.clone(),
                source: Box::new(err),
            };
        }
        if let (Some(api), Some(mailbox)) = (err.as_api(), mailbox)
            && api.status().as_u16() == 403
            && api.code() == Some("ErrorAccessDenied")
        {
            return Error::AccessDenied {
                mailbox: mailbox.to_owned(),
                source: Box::new(err),
            };
        }
        Error::Http(Box::new(err))
    }

    /// The transport error inside, if any.
    pub fn as_http(&self) -> Option<&wfm_http::Error> {
        match self {
            Error::MissingPermission { source, .. }
            | Error::AccessDenied { source, .. }
            | Error::Http(source) => Some(source.as_ref()),
            Error::Input(_) => None,
        }
    }
}

impl From<wfm_http::Error> for Error {
    fn from(err: wfm_http::Error) -> Self {
        Error::from_http(err, None)
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
            Error::Http(e) => e.is_retryable(),
            _ => false,
        }
    }
    fn advice(&self) -> Option<&'static str> {
        match self {
            Error::MissingPermission { .. } => Some(
                "add the Microsoft Graph application permission Calendars.ReadWrite to the app registration and grant admin consent",
            ),
            Error::AccessDenied { .. } => Some(
                "include the mailbox in the application access policy or RBAC for Applications scope of this app",
            ),
            Error::Http(e) => e.advice(),
            Error::Input(_) => Some("fix the shift input and run again"),
        }
    }
    fn as_auth(&self) -> Option<&AuthError> {
        self.as_http().and_then(wfm_http::Error::as_auth)
    }
}

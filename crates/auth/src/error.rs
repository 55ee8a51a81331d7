//! [`AuthError`]: every way getting a token can fail, each saying what to do next.
//! Token endpoint errors keep the provider's own description; no variant ever holds a secret.

use std::fmt;
use std::sync::Arc;

/// Why a token could not be had.
///
/// Every message ends with what to check or change. Errors are cheap to clone, so that the
/// outcome of one token request can be handed to every task that waited for it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// `invalid_client`: the token endpoint did not accept the client id and secret.
    #[error(
        "the token endpoint rejected the client (HTTP {status}, invalid_client){}: check the client id \
         and secret, that the OAuth client exists in this region or tenant, and how the secret is sent \
         (Basic header or form body)",
        Described(description)
    )]
    InvalidClient {
        /// HTTP status of the token response.
        status: u16,
        /// The provider's `error_description` (or Genesys' `description`).
        description: Option<String>,
    },

    /// `invalid_grant`: the user credentials (password, access key) were not accepted.
    #[error(
        "the token endpoint rejected the grant (HTTP {status}, invalid_grant){}: check the username and \
         password (NICE CXone: the access key id and secret, and that the API user is active)",
        Described(description)
    )]
    InvalidGrant {
        /// HTTP status of the token response.
        status: u16,
        /// The provider's `error_description` (or Genesys' `description`).
        description: Option<String>,
    },

    /// `invalid_scope`: a requested scope is unknown or not allowed for this client.
    #[error(
        "the token endpoint rejected the requested scope (HTTP {status}, invalid_scope){}: request only \
         scopes the OAuth client is allowed (Microsoft Graph client credentials: \
         `https://graph.microsoft.com/.default`; Genesys client credentials: no scope at all)",
        Described(description)
    )]
    InvalidScope {
        /// HTTP status of the token response.
        status: u16,
        /// The provider's `error_description` (or Genesys' `description`).
        description: Option<String>,
    },

    /// `unauthorized_client`: the client may not use this grant type.
    #[error(
        "the OAuth client may not use this grant type (HTTP {status}, unauthorized_client){}: enable the \
         grant type on the OAuth client (Genesys: grant type \"Client Credentials\")",
        Described(description)
    )]
    UnauthorizedClient {
        /// HTTP status of the token response.
        status: u16,
        /// The provider's `error_description` (or Genesys' `description`).
        description: Option<String>,
    },

    /// Another OAuth error code (`invalid_request`, `unsupported_grant_type`, a provider's own).
    #[error(
        "the token endpoint answered HTTP {status} with OAuth error `{error}`{}: check the token URL and \
         the grant settings",
        Described(description)
    )]
    TokenEndpoint {
        /// HTTP status of the token response.
        status: u16,
        /// The OAuth `error` code.
        error: String,
        /// The provider's `error_description` (or Genesys' `description`).
        description: Option<String>,
    },

    /// The token endpoint answered with something that is not an OAuth response (an HTML page from
    /// a proxy, a redirect, an empty body).
    #[error(
        "the token endpoint answered HTTP {status} ({}) with no OAuth error{}: check the token URL and any \
         proxy in between (redirects are never followed)",
        content_type.as_deref().unwrap_or("no content type"),
        Excerpt(body_excerpt)
    )]
    UnexpectedResponse {
        /// HTTP status of the response.
        status: u16,
        /// Its `Content-Type`, if any.
        content_type: Option<String>,
        /// The start of the body (error responses only; at most 200 characters).
        body_excerpt: String,
    },

    /// The token endpoint answered 200 but the body is not a usable token response.
    #[error(
        "the token endpoint's success response could not be read ({detail}): check that the token URL is the OAuth token endpoint"
    )]
    MalformedResponse {
        /// What was wrong (never the body, which may hold a token).
        detail: String,
    },

    /// The token endpoint's answer was longer than a token response can be; nothing of it was kept.
    #[error(
        "the token endpoint's answer is larger than {limit} bytes: check that the token URL is the OAuth token endpoint"
    )]
    ResponseTooLarge {
        /// The most read, in bytes.
        limit: usize,
    },

    /// The token endpoint could not be reached (DNS, TLS, connection, timeout).
    #[error("could not reach the token endpoint: {detail}; check the network, proxy and token URL")]
    Transport {
        /// What failed.
        detail: String,
        /// The underlying error.
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync>,
    },

    /// The token was issued with fewer scopes than the client declared (RFC 6749 §3.3).
    #[error("{}", InsufficientScopeMessage { missing, granted, grant_source })]
    InsufficientScope {
        /// Declared scopes that nothing granted satisfies.
        missing: Vec<String>,
        /// What the server granted.
        granted: Vec<String>,
        /// Where the granted list was read.
        grant_source: GrantSource,
    },

    /// The granted scopes could not be read (e.g. [`ScopeCheck::JwtClaims`](crate::ScopeCheck::JwtClaims)
    /// on a token that is not a JWT).
    #[error("cannot read the granted scopes: {detail}")]
    GrantedScopesUnreadable {
        /// What was wrong.
        detail: String,
    },

    /// The credentials or the cache are misconfigured (a token URL that does not parse, an HTTP
    /// client that cannot be built).
    #[error("invalid auth configuration: {detail}")]
    Config {
        /// What to fix.
        detail: String,
    },

    /// A Google service account key file that cannot be used: not JSON, not a service account
    /// key, or a field missing or malformed. Never carries the key itself.
    #[error(
        "the service account key file is invalid: field `{field}` {problem}; download a new JSON key for the service \
         account (Google Cloud console: IAM & Admin > Service accounts > Keys)"
    )]
    ServiceAccountKey {
        /// The field at fault (`private_key`, `client_email`, `type`, ... or `(file)`).
        field: &'static str,
        /// What is wrong with it (never its value).
        problem: String,
    },

    /// Google's token endpoint refused to issue a delegated token (`unauthorized_client`): the
    /// service account's client id has no domain-wide delegation for these scopes.
    #[error(
        "Google refused a token for {subject:?} (HTTP {status}, unauthorized_client){}: the service account has no \
         domain-wide delegation for these scopes. A super administrator must authorise client id {client_id} with the \
         scopes {} in the Google Admin console (Security > Access and data control > API controls > Domain-wide \
         delegation)",
        Described(description),
        NameList(scopes)
    )]
    DelegationRefused {
        /// HTTP status of the token response (401).
        status: u16,
        /// The service account's OAuth client id (the number the Admin console asks for).
        client_id: String,
        /// The mailbox the token was asked for (`sub`).
        subject: String,
        /// The scopes asked for.
        scopes: Vec<String>,
        /// Google's `error_description`.
        description: Option<String>,
    },

    /// An integrator's own [`TokenProvider`](crate::TokenProvider) failed (a vault, a managed identity).
    #[error("the token source failed: {0}")]
    Custom(#[source] Arc<dyn std::error::Error + Send + Sync>),
}

impl AuthError {
    /// Wraps an integrator's own error, for custom [`TokenProvider`](crate::TokenProvider)s.
    pub fn custom(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Custom(Arc::new(error))
    }

    /// The provider's description of a token endpoint error, if it sent one.
    pub fn description(&self) -> Option<&str> {
        match self {
            Self::InvalidClient { description, .. }
            | Self::InvalidGrant { description, .. }
            | Self::InvalidScope { description, .. }
            | Self::UnauthorizedClient { description, .. }
            | Self::DelegationRefused { description, .. }
            | Self::TokenEndpoint { description, .. } => description.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status of the token endpoint's answer, when the error comes from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::InvalidClient { status, .. }
            | Self::InvalidGrant { status, .. }
            | Self::InvalidScope { status, .. }
            | Self::UnauthorizedClient { status, .. }
            | Self::DelegationRefused { status, .. }
            | Self::TokenEndpoint { status, .. }
            | Self::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Where a token's granted scopes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrantSource {
    /// The token response's `scope` field.
    ResponseScope,
    /// The token response had no `scope`, which RFC 6749 §5.1 says means "as requested".
    AsRequested,
    /// The access token's JWT claims `scp`, `roles` and `scope`.
    JwtClaims,
}

impl fmt::Display for GrantSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ResponseScope => "the token response's `scope`",
            Self::AsRequested => "the requested scopes (the token response had no `scope`)",
            Self::JwtClaims => "the access token's `scp`/`roles` claims",
        })
    }
}

/// `: "description"` or nothing.
struct Described<'a>(&'a Option<String>);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_deref() {
            Some(d) if !d.is_empty() => write!(f, ": \"{d}\""),
            _ => Ok(()),
        }
    }
}

/// `: "excerpt"` or nothing.
struct Excerpt<'a>(&'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.trim().is_empty() {
            Ok(())
        } else {
            write!(f, ": \"{}\"", self.0.trim())
        }
    }
}

struct InsufficientScopeMessage<'a> {
    missing: &'a [String],
    granted: &'a [String],
    grant_source: &'a GrantSource,
}

impl fmt::Display for InsufficientScopeMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the token lacks the declared scope(s) {}; granted ({}): {}. Grant {} to the OAuth client \
             (application permissions also need admin consent) or remove {} from the declared scope set",
            NameList(self.missing),
            self.grant_source,
            NameList(self.granted),
            NameList(self.missing),
            if self.missing.len() == 1 {
                "it"
            } else {
                "them"
            },
        )?;
        if *self.grant_source == GrantSource::AsRequested
            && self.granted.iter().any(|g| g.ends_with("/.default"))
        {
            f.write_str(
                "; `/.default` stands for the permissions consented to the app, which Microsoft lists in the \
                 access token's `roles` claim: use `ScopeCheck::JwtClaims`",
            )?;
        }
        if *self.grant_source == GrantSource::AsRequested && self.granted.is_empty() {
            f.write_str(
                "; the server sent no `scope` and none was requested: for grants that carry no scopes \
                 (Genesys client credentials use roles and divisions) use `ScopeCheck::NotApplicable`",
            )?;
        }
        Ok(())
    }
}

/// `` `a`, `b` `` or `(none)`.
pub(crate) struct NameList<'a, T: AsRef<str>>(pub(crate) &'a [T]);

impl<T: AsRef<str>> fmt::Display for NameList<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(none)");
        }
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{}`", name.as_ref())?;
        }
        Ok(())
    }
}

//! The OAuth scopes of SCIM endpoints, as typed markers of the `wfm-auth` crate.
//!
//! ```
//! use wfm_auth::{ClientCredentials, Grants, ScopeCheck, ScopeSet, TokenCache};
//! use wfm_auth::providers::GenesysCloud;
//! use wfm_scim::scopes::{Scim, ScimReadonly};
//!
//! // A full scope satisfies its read-only twin, at compile time...
//! fn reads_users<S: ScopeSet<GenesysCloud> + Grants<ScimReadonly>>() {}
//! reads_users::<(Scim,)>();
//!
//! // ...and in the check of every token the cache obtains: a token granted fewer scopes is
//! // `AuthError::InsufficientScope` naming `scim`, before any SCIM request is sent.
//! let cache = TokenCache::builder(ClientCredentials::new(
//!     "https://login.mypurecloud.de/oauth/token",
//!     "client-id",
//!     "client-secret",
//! ))
//! .require::<(Scim,)>()
//! .scope_check(ScopeCheck::FromResponse)
//! .build()?;
//! # let _ = cache;
//! # Ok::<(), wfm_auth::AuthError>(())
//! ```
//!
//! Which platform uses them:
//!
//! - **Genesys Cloud**, OAuth clients that act for a user (authorization code, PKCE, implicit,
//!   SAML2 bearer): the client must be granted [`Scim`] to write through `/api/v2/scim/v2`, or
//!   [`ScimReadonly`] to read. Require them on the token cache as above so a missing scope is
//!   found at start-up. A **client-credentials** client has no scopes at all: its role needs the
//!   SCIM permissions (`directory:user:add`, `directory:user:edit`, `directory:user:delete`,
//!   bundled in the built-in "SCIM Integration" role); build its cache with
//!   [`ScopeCheck::NotApplicable`](wfm_auth::ScopeCheck::NotApplicable), and read the
//!   [`Error::Forbidden`](crate::Error::Forbidden) advice if a call is refused. The scope names
//!   come from public material, not an official list: check them against your org's
//!   `GET /api/v2/oauth/scopes`.
//! - **NICE CXone** and generic RFC 7644 servers: SCIM access is decided by the token's
//!   application or user rights, not by scopes the client can ask for; there is nothing to
//!   declare.

pub use wfm_auth::scope::genesys::{Scim, ScimReadonly};

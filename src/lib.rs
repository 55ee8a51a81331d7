//! # wfm-sdk
//!
//! A Rust SDK for contact-center workforce-management integrations: Genesys Cloud WFM, NICE
//! CXone user sync, SCIM 2.0 provisioning, Outlook calendars through Microsoft Graph, Google
//! calendars, and RFC 5545 shift feeds, on one transport (safe retries, `Retry-After`, one rate
//! budget per platform, typed errors) and compile-time typed OAuth scopes. This facade re-exports
//! each member crate behind a feature, so one dependency line brings what an integration needs.
//!
//! To see all of it work first, with no tenant, credentials or network, run the repository's
//! `cargo run --example quickstart`: it provisions, reconciles, pushes and pulls schedules,
//! mirrors calendars and signs a feed on local stand-ins (the `sandbox` feature), and prints a
//! table per step. The repository's `docs/` has the getting-started guide, the troubleshooting
//! guides (each with a test that reproduces its failure) and a map from the endpoints common
//! integration guides name to the real ones.
//!
//! ```
//! use wfm_sdk::prelude::*;
//! use wfm_sdk::scopes::genesys::{Scim, ScimReadonly, WorkforceManagement};
//!
//! // A platform's scope set is a type: the compiler checks each endpoint against it, and the
//! // token cache checks each token against the same set.
//! let genesys = Platform::<(WorkforceManagement, Scim)>::builder()
//!     .credentials(ClientCredentials::new("https://login.mypurecloud.de/oauth/token", "id", "secret"))
//!     .rate_limit(RateLimit::per_minute(300))
//!     .build()?;
//! assert_eq!(genesys.required_scopes().missing(&["scim"]), ["workforce-management"]);
//!
//! fn reads_users<S: Grants<ScimReadonly>>() {}
//! reads_users::<(WorkforceManagement, Scim)>(); // `scim` implies `scim:readonly`
//! # Ok::<(), wfm_sdk::http::Error>(())
//! ```
//!
//! | feature | module | crate | what it does |
//! |---|---|---|---|
//! | `auth` (default) | [`auth`], [`scopes`] | `wfm-auth`, `wfm-scopes` | credentials, token cache, typed scopes |
//! | `http` (default) | [`http`] | `wfm-http` | the one transport: platforms, retries, rate limits, errors, paging |
//! | `genesys` | `genesys` | `genesys-wfm` | Genesys Cloud WFM: schedules, time off, 403 diagnostics, preflight |
//! | `cxone` | `cxone` | `cxone-wfm` | NICE CXone WFM user sync: an idempotent reconcile engine |
//! | `scim` | `scim` | `wfm-scim` | SCIM 2.0 client and Zendesk provisioning |
//! | `calendar-sync` | `calendar_sync` | `calendar-sync` | the shared one-way calendar sync engine |
//! | `calendar-graph` | `graph` | `calendar-graph` | shifts mirrored one way to Outlook calendars |
//! | `calendar-google` | `google` | `calendar-google` | shifts mirrored one way to Google calendars |
//! | `ical` | `ical` | `ical-feed` | RFC 5545 shift feeds with signed feed URLs |
//! | `full` | all of the above | | every production crate |
//! | `sandbox` | `sandbox` | `wfm-sandbox` | local stand-ins of the platforms, for tests (not in `full`) |
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "calendar-google")]
pub use calendar_google as google;
#[cfg(feature = "calendar-graph")]
pub use calendar_graph as graph;
#[cfg(feature = "calendar-sync")]
pub use calendar_sync;
#[cfg(feature = "cxone")]
pub use cxone_wfm as cxone;
#[cfg(feature = "genesys")]
pub use genesys_wfm as genesys;
#[cfg(feature = "ical")]
pub use ical_feed as ical;
#[cfg(feature = "auth")]
pub use wfm_auth as auth;
#[cfg(feature = "auth")]
pub use wfm_auth::scope as scopes;
#[cfg(feature = "http")]
pub use wfm_http as http;
#[cfg(feature = "sandbox")]
pub use wfm_sandbox as sandbox;
#[cfg(feature = "scim")]
pub use wfm_scim as scim;

/// The names most integrations use, in one import: `use wfm_sdk::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "auth")]
    pub use wfm_auth::{
        AccessToken, AuthError, ClientCredentials, ErrorMetadata, Grants, PasswordGrant,
        RolesDecide, Scope, ScopeCheck, ScopeList, ScopeSet, StaticToken, TokenCache,
        TokenProvider, token_fn,
    };
    #[cfg(feature = "http")]
    pub use wfm_http::{Method, Platform, RateLimit, RetryPolicy, Transport};
}

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

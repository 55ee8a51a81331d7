//! Local, stateful stand-ins of the platforms the SDK talks to, built on [`wiremock`], with
//! fault knobs, for this workspace's tests, for examples, and for integrators' own tests.
//!
//! ```
//! use wfm_sandbox::{Faults, TokenEndpoint};
//! use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};
//!
//! # async fn demo() {
//! let server = MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! // The API answers 429 (Retry-After: 1) twice, then 200, and only to tokens the endpoint issued.
//! let api = Faults::new(ResponseTemplate::new(200)).rate_limit_first(2, 1).require_token(&tokens);
//! Mock::given(path("/api/v2/users")).respond_with(api.clone()).mount(&server).await;
//! # let _ = api.arrivals(); }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo());
//! ```
//!
//! Residents so far: an OAuth token endpoint ([`TokenEndpoint`]), an API fault injector
//! ([`Faults`]), a connection dropper ([`DropConnections`]), a SCIM service provider
//! ([`scim`]), a Genesys Cloud org ([`genesys`]), NICE CXone WFM users and UserHub ([`cxone`]),
//! Microsoft Graph calendars ([`graph`]) and Google Calendar ([`google`], with JWT bearer
//! grants at the [`TokenEndpoint`]). Each platform crate adds its own stand-in here.
//!
//! One server is one sandbox world: the [`TokenEndpoint`] is where tokens come from (point a
//! real `wfm_auth::TokenCache` at [`TokenEndpoint::url`]), and every stand-in told to
//! `require_token(&tokens)` accepts exactly the tokens that endpoint issued and still holds
//! valid, and answers 401 to anything else, so a token cache's refresh-on-401 runs for real
//! after [`TokenEndpoint::expire_all`].
#![forbid(unsafe_code)]

pub mod cxone;
mod faults;
pub mod genesys;
pub mod google;
pub mod graph;
pub mod scim;
mod token;

pub use faults::{DropConnections, Faults};
pub use token::{IssuedToken, TokenEndpoint};
pub use wiremock;

/// Locks `m`, carrying on with the data when another thread panicked while holding it (a test's
/// stand-in must keep answering).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
fn bearer_token(request: &wiremock::Request) -> Option<String> {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // The scheme is case-insensitive (RFC 9110 §11.1).
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim())
                .filter(|t| !t.is_empty())
        })
        .map(str::to_owned)
}

//! Credentials, a single-flight token cache and compile-time typed OAuth scopes for WFM integrations.
//!
//! ```
//! use std::marker::PhantomData;
//! use wfm_auth::{declare_provider, declare_scope, AuthError, ClientCredentials, Grants, ScopeCheck, ScopeSet, TokenCache};
//!
//! declare_provider!(/// Genesys Cloud.
//!     pub Genesys = "Genesys Cloud");
//! declare_scope!(/// Read and write WFM data.
//!     pub Wfm: Genesys = "workforce-management");
//! declare_scope!(/// Read WFM data.
//!     pub WfmReadonly: Genesys = "workforce-management:readonly", implied_by Wfm);
//!
//! /// A client whose scope set `S` is part of its type.
//! struct Client<S: ScopeSet<Genesys>> {
//!     tokens: TokenCache,
//!     scopes: PhantomData<S>,
//! }
//!
//! impl<S: ScopeSet<Genesys>> Client<S> {
//!     fn new(credentials: ClientCredentials) -> Result<Self, AuthError> {
//!         // The same set is checked at run time against what each token was granted.
//!         let tokens = TokenCache::builder(credentials).require::<S>().scope_check(ScopeCheck::FromResponse).build()?;
//!         Ok(Self { tokens, scopes: PhantomData })
//!     }
//!     fn read_schedules<I>(&self) -> &'static str where S: Grants<WfmReadonly, I> { "GET .../schedules" }
//!     fn publish_schedules<I>(&self) -> &'static str where S: Grants<Wfm, I> { "POST .../publish" }
//! }
//!
//! let credentials = ClientCredentials::new("https://login.mypurecloud.de/oauth/token", "client-id", "client-secret");
//! let client = Client::<WfmReadonly>::new(credentials)?;
//! assert_eq!(client.read_schedules(), "GET .../schedules");
//! // client.publish_schedules();
//! // error[E0277]: the scope set `WfmReadonly` does not grant the scope `Wfm`
//! # Ok::<(), AuthError>(())
//! ```
//!
//! - [`scope`]: [`Scope`] markers, scope sets as tuples, [`Grants`] (checked by the compiler),
//!   [`declare_scope!`] and [`declare_provider!`] for platform crates.
//! - [`credentials`]: [`ClientCredentials`] (secret in a Basic header or the form body),
//!   [`PasswordGrant`] (NICE CXone access keys); [`StaticToken`] for a ready-made token.
//! - [`TokenCache`]: reuse until `expires_in` minus a skew, single flight, forced refresh after a
//!   401, granted scopes checked ([`ScopeCheck`]) on every new token.
//! - [`TokenProvider`]: what the transport asks for tokens; implement it to plug a vault or a
//!   managed identity.
//! - [`Secret`]: every secret prints as `[redacted]` in `Debug`, `Display` and `tracing`.
//!
//! The guide is `docs/auth.md` in the repository.
#![forbid(unsafe_code)]

pub mod cache;
pub mod clock;
pub mod credentials;
pub mod error;
mod exchange;
pub mod granted;
pub mod providers;
pub mod scope;
pub mod secret;
pub mod token;

pub use cache::{DEFAULT_SKEW, TokenCache, TokenCacheBuilder};
pub use credentials::{
    CXONE_TOKEN_URL, ClientAuth, ClientCredentials, Credentials, MICROSOFT_GRAPH_DEFAULT_SCOPE,
    MICROSOFT_TOKEN_URL, PasswordGrant,
};
pub use error::{AuthError, GrantSource};
pub use granted::{RequiredScopes, ScopeCheck, jwt_granted_scopes};
pub use scope::{Grants, Implies, Provider, Scope, ScopeList, ScopeRequirement, ScopeSet};
pub use secret::Secret;
pub use token::{AccessToken, StaticToken, TokenProvider};

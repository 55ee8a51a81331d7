//! Credentials, a single-flight token cache and compile-time typed OAuth scopes for WFM integrations.
//!
//! ```
//! use std::marker::PhantomData;
//! use wfm_auth::scope::genesys::{GenesysCloud, WorkforceManagement, WorkforceManagementReadonly};
//! use wfm_auth::{AuthError, ClientCredentials, Grants, ScopeCheck, ScopeSet, TokenCache};
//!
//! /// A client whose scope set `S` is part of its type.
//! struct Client<S: ScopeSet<GenesysCloud>> {
//!     tokens: TokenCache,
//!     scopes: PhantomData<S>,
//! }
//!
//! impl<S: ScopeSet<GenesysCloud>> Client<S> {
//!     fn new(credentials: ClientCredentials) -> Result<Self, AuthError> {
//!         // The same set is checked at run time against what each token was granted.
//!         let tokens = TokenCache::builder(credentials).require::<S>().scope_check(ScopeCheck::FromResponse).build()?;
//!         Ok(Self { tokens, scopes: PhantomData })
//!     }
//!     fn read_schedules(&self) -> &'static str where S: Grants<WorkforceManagementReadonly> { "GET .../schedules" }
//!     fn publish_schedules(&self) -> &'static str where S: Grants<WorkforceManagement> { "POST .../publish" }
//! }
//!
//! let credentials = ClientCredentials::new("https://login.mypurecloud.de/oauth/token", "client-id", "client-secret");
//! let client = Client::<WorkforceManagementReadonly>::new(credentials)?;
//! assert_eq!(client.read_schedules(), "GET .../schedules");
//! // client.publish_schedules();
//! // error[E0277]: the scope set `WorkforceManagementReadonly` does not grant the scope `WorkforceManagement`
//! # Ok::<(), AuthError>(())
//! ```
//!
//! The types say what the code needs; the server decides what a token gets (RFC 6749 §3.3), so
//! the same set is checked at run time on every new token, before any API call:
//!
//! ```
//! use serde_json::json;
//! use wfm_auth::scope::genesys::WorkforceManagement;
//! use wfm_auth::{AuthError, ClientCredentials, ScopeCheck, TokenCache, TokenProvider};
//! use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};
//!
//! # async fn demo() -> Result<(), AuthError> {
//! // A token endpoint that grants less than asked: only the read-only twin.
//! let server = MockServer::start().await;
//! Mock::given(path("/oauth/token"))
//!     .respond_with(ResponseTemplate::new(200).set_body_json(json!({
//!         "access_token": "t-1", "token_type": "Bearer", "expires_in": 3600,
//!         "scope": "workforce-management:readonly"})))
//!     .mount(&server)
//!     .await;
//! let url = format!("{}/oauth/token", server.uri());
//! let cache = TokenCache::builder(ClientCredentials::new(url.as_str(), "client-id", "client-secret"))
//!     .require::<WorkforceManagement>()
//!     .scope_check(ScopeCheck::FromResponse)
//!     .build()?;
//! let err = cache.token().await.unwrap_err();
//! assert!(err.to_string().starts_with(
//!     "the token lacks the declared scope(s) `workforce-management`; granted (the token \
//!      response's `scope`): `workforce-management:readonly`. Grant `workforce-management` to the \
//!      OAuth client"
//! ), "{err}");
//! let AuthError::InsufficientScope { missing, granted, .. } = err else { unreachable!() };
//! assert_eq!((missing, granted), (vec!["workforce-management".to_owned()], vec!["workforce-management:readonly".to_owned()]));
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! - [`scope`]: [`Scope`] markers, scope sets as tuples, [`Grants`] (checked by the compiler),
//!   [`RolesDecide`] for grants without scopes, [`declare_scopes!`]; the platforms' scopes
//!   ([`scope::genesys`], [`scope::graph`]). All of it is the dependency-free `wfm-scopes` crate.
//! - [`credentials`]: [`ClientCredentials`] (secret in a Basic header or the form body),
//!   [`PasswordGrant`] (NICE CXone access keys); [`StaticToken`] for a ready-made token.
//! - [`google`]: Google service account keys and domain-wide delegation (RFC 7523 JWT bearer
//!   grant, RS256), tokens cached per mailbox with single flight per mailbox.
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
pub mod google;
pub mod granted;
mod metadata;
pub mod providers;
pub mod scope;
pub mod secret;
pub mod token;

pub use async_trait::async_trait;
pub use cache::{DEFAULT_SKEW, TokenCache, TokenCacheBuilder};
pub use credentials::{
    CXONE_TOKEN_URL, ClientAuth, ClientCredentials, Credentials, MICROSOFT_GRAPH_DEFAULT_SCOPE,
    MICROSOFT_TOKEN_URL, PasswordGrant,
};
pub use error::{AuthError, GrantSource};
pub use granted::{RequiredScopes, ScopeCheck, jwt_granted_scopes};
pub use metadata::ErrorMetadata;
pub use reqwest;
pub use scope::{
    Grants, Provider, RolesDecide, Scope, ScopeList, ScopeNames, ScopeRequirement, ScopeSet,
    declare_scopes,
};
pub use secret::Secret;
pub use token::{AccessToken, FnTokenProvider, StaticToken, TokenProvider, token_fn};

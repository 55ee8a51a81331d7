//! Genesys Cloud workforce management for the WFM SDK: a region-aware client whose methods carry
//! their scope in the signature and their permissions in the docs, typed 403 diagnostics that say
//! which permission is missing and where, schedule reads that give one typed result however
//! Genesys answers, and a permission preflight per division.
//!
//! ```
//! use genesys_wfm::preflight::{self, Operation};
//! use genesys_wfm::{Client, Environment, Region};
//! use wfm_auth::{ClientCredentials, RolesDecide};
//! use wfm_http::{Platform, RateLimit};
//! use wfm_sandbox::TokenEndpoint;
//! use wfm_sandbox::genesys::GenesysOrg;
//!
//! # async fn demo() -> Result<(), genesys_wfm::Error> {
//! // A local stand-in of an org whose OAuth client may edit schedules in Berlin only.
//! let server = wiremock::MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! let org = GenesysOrg::mount(&server).await.require_token(&tokens);
//! org.add_division("div-b", "Berlin");
//! org.add_division("div-l", "Lisbon");
//! org.add_business_unit("bu-1", "Europe", "div-b", "Europe/Berlin", "Monday");
//! org.add_management_unit("bu-1", "mu-b", "Berlin agents", "div-b");
//! org.add_management_unit("bu-1", "mu-l", "Lisbon agents", "div-l");
//! org.add_agent("mu-b", "agent-b");
//! org.add_agent("mu-l", "agent-l");
//! org.grant_everywhere("wfm:agent:view");
//! org.grant("wfm:schedule:edit", "div-b");
//!
//! // In production: `Region::EuCentral1.environment()` (api. and login.mypurecloud.de).
//! assert_eq!(Region::EuCentral1.environment().token_url().as_str(), "https://login.mypurecloud.de/oauth/token");
//! let org_env = Environment::custom(&server.uri())?;
//!
//! // One platform per org: its token cache, its budget of 300 requests a minute.
//! let platform = Platform::<RolesDecide>::builder()
//!     .credentials(ClientCredentials::new(org_env.token_url().as_str(), "client-id", "client-secret"))
//!     .rate_limit(RateLimit::per_minute(300))
//!     .build()?;
//! let client = Client::new(&platform, org_env)?;
//!
//! // What the token is: a client-credentials token has no scopes; roles decide.
//! let me = client.token_info().await?;
//! assert_eq!(me.oauth_client.and_then(|c| c.authorized_grant_type).as_deref(), Some("CLIENT-CREDENTIALS"));
//!
//! // Before pushing schedules: where does the OAuth client lack `wfm:schedule:edit`?
//! let report = preflight::run(&client, "bu-1", &[Operation::UpdateSchedule]).await?;
//! let gaps: Vec<String> = report.missing().map(|gap| gap.to_string()).collect();
//! assert_eq!(gaps.len(), 1);
//! assert!(gaps[0].contains("lacks wfm:schedule:edit in division Lisbon"), "{}", gaps[0]);
//! assert_eq!(report.blocked_agents(Operation::UpdateSchedule).into_iter().collect::<Vec<_>>(), ["agent-l"]);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! # Scopes and roles
//!
//! The client is generic over its grant's scope set ([`scopes`]). A **client-credentials**
//! grant carries no scopes at all: use [`RolesDecide`](wfm_auth::RolesDecide) (the default),
//! every method compiles, and the OAuth client's roles, granted per division, decide at run time.
//! A 403 then arrives as [`Error::MissingPermissions`], naming the permission and what to do;
//! [`preflight`] finds the same gaps before the first write. For a user grant, give the scopes
//! the grant has: a method needing more does not compile.
//!
//! # Regions
//!
//! [`Region`] lists every API host of the official SDKs; [`Environment`] takes a custom base URL
//! too, and derives the login host as the SDKs do (`api.` becomes `login.`).
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cli;
mod client;
pub mod doctor;
pub mod endpoints;
mod error;
pub mod models;
pub mod notifications;
pub mod preflight;
pub mod pull;
pub mod push;
mod region;
pub mod scopes;

pub use client::{
    ADHERENCE_BATCH, Client, ItemStream, PermittedDivisions, ProcessingHook, ScheduleOperation,
    SearchPolicy,
};
pub use error::{Error, ErrorBody, MissingPermissions};
pub use region::{Environment, IntoEnvironment, Region};

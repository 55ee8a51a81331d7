//! Genesys Cloud workforce management for the WFM SDK: a region-aware client whose methods carry
//! their scope in the signature and their permissions in the docs, typed 403 diagnostics that say
//! which permission is missing and where, schedule reads that give one typed result however
//! Genesys answers, and a permission preflight per division.
//!
//! ```no_run
//! use genesys_wfm::{Client, Region, preflight::{self, Operation}};
//! use wfm_auth::{ClientCredentials, RolesDecide};
//! use wfm_http::{Platform, RateLimit};
//!
//! # async fn demo() -> Result<(), genesys_wfm::Error> {
//! // One platform per org: its token cache, its budget of 300 requests a minute.
//! let org = Region::EuCentral1.environment();
//! let platform = Platform::<RolesDecide>::builder()
//!     .credentials(ClientCredentials::new(org.token_url().as_str(), "client-id", "client-secret"))
//!     .rate_limit(RateLimit::per_minute(300))
//!     .build()?;
//! let client = Client::new(&platform, org)?;
//!
//! let me = client.token_info().await?;
//! println!("org {:?}", me.organization.map(|o| o.name));
//!
//! // Before pushing schedules: where does the OAuth client lack `wfm:schedule:edit`?
//! let report = preflight::run(&client, "business-unit-id", &[Operation::UpdateSchedule]).await?;
//! for gap in report.missing() {
//!     eprintln!("{gap}");
//! }
//! # Ok(()) }
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

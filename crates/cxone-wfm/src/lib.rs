//! NICE CXone WFM user sync: a typed client of the WFM user-sync contract and an idempotent
//! reconcile engine that keeps WFM users in step with an HRIS roster (create, update,
//! reactivate, deactivate; never delete), surviving 429s, 5xx, lost connections, token expiry
//! and read-after-create lag without creating duplicates.
//!
//! A whole sync, here against the sandbox's stand-in of the contract (a local server that
//! keeps users, issues tokens, and answers as the contract says):
//!
//! ```
//! use cxone_wfm::roster::{parse_csv, Rules};
//! use cxone_wfm::scopes::{RolesRead, UsersRead, UsersWrite};
//! use cxone_wfm::{Client, Engine};
//! use wfm_auth::{ClientAuth, ClientCredentials};
//! use wfm_http::{Platform, RateLimit};
//! use wfm_sandbox::{TokenEndpoint, cxone::CxoneWfm};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // The stand-in: a token endpoint, the WFM user contract, two roles, one leaver.
//! let server = wiremock::MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! tokens.grant_scope(Some("wfm.users.read wfm.users.write wfm.roles.read"));
//! let wfm = CxoneWfm::mount(&server).await.require_token(&tokens)
//!     .with_roles([("role_t1", "Tier 1"), ("role_unmapped", "Unmapped")]);
//! wfm.insert_user(serde_json::json!({"externalId": "E9", "firstName": "Gone", "lastName": "Away",
//!     "email": "gone@example.com", "timezone": "Etc/UTC", "isActive": true, "roles": ["role_t1"]}));
//!
//! // One platform per tenant (one token cache, one rate budget), and a client on it.
//! let platform = Platform::<(UsersRead, UsersWrite, RolesRead)>::builder()
//!     .credentials(ClientCredentials::new(tokens.url(), "client-id", "client-secret")
//!         .auth_style(ClientAuth::RequestBody))
//!     .rate_limit(RateLimit::per_second(50))
//!     .build()?;
//! let client = Client::new(&platform, server.uri())?;
//!
//! // The HRIS export and the job code -> role id map.
//! let rows = parse_csv(
//!     "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId\n\
//!      E1,Ada,Lovelace,ada@example.com,Europe/London,TIER1,Billing:Advanced,LON,\n\
//!      E2,Alan,Turing,alan@example.com,Central Standard Time,LEAD,,,\n",
//! )?;
//! let rules = Rules::new([("TIER1", "role_t1"), ("LEAD", "role_lead")]) // role_lead: not on the server
//!     .fallback_role("role_unmapped");
//!
//! let report = Engine::new(client)
//!     .on_progress(|p| eprintln!("{p:?}"))
//!     .sync(rows, rules)
//!     .await?;
//! assert_eq!((report.counts.created, report.counts.deactivated), (2, 1));
//! assert_eq!(report.flagged.len(), 1); // E2's role was unknown: sent with the fallback role
//! assert_eq!(wfm.user("E2").unwrap()["timezone"], "America/Chicago"); // a Windows zone, mapped
//! assert_eq!(wfm.user("E9").unwrap()["isActive"], false); // deactivated, never deleted
//! println!("{}", serde_json::to_string_pretty(&report)?);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(demo())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pure layers on their own: rows checked, then planned against what the server holds,
//! without I/O:
//!
//! ```
//! use std::collections::HashSet;
//! use cxone_wfm::roster::{parse_csv, Rules};
//! use cxone_wfm::{plan, Guard, User};
//!
//! // A roster export and the role map (job code -> WFM role id).
//! let rows = parse_csv(
//!     "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId\n\
//!      E1,Ada,Lovelace,ada@example.com,Europe/London,TIER1,Billing:Advanced,LON,\n\
//!      E2,Alan,Turing,alan@example.com,GMT-06:00,LEAD,,,\n",
//! )?;
//! let rules = Rules::new([("TIER1", "role_t1"), ("LEAD", "role_lead")])
//!     .known_roles(["role_t1", "role_lead", "role_unmapped"])
//!     .fallback_role("role_unmapped")
//!     .fallback_timezone("America/Chicago");
//! let roster = rules.validate(rows);
//! // `GMT-06:00` is shared by zones with different DST rules: flagged, fallback zone used.
//! assert_eq!(roster.flagged.len(), 1);
//!
//! // What the server holds now: E1 with an old last name, and a leaver.
//! let mut e1 = roster.users[0].clone();
//! e1.last_name = "Byron".into();
//! let leaver = User::new("E9", "Gone", "Away", "gone@example.com", "Etc/UTC");
//! let plan = plan(&roster.users, &[e1, leaver], &roster.present);
//! assert_eq!(plan.creates.len(), 1);                    // E2
//! assert_eq!(plan.updates[0].fields(), ["lastName"]);   // only what differs
//! assert_eq!(plan.deactivations, ["E9"]);               // isActive: false, never a delete
//! Guard::default().check(&plan)?;                       // 1 <= max(50, 10% of 2)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`Client`]: `PUT`/`POST`/`GET /api/wfm/v2/users`, the paged list as a stream,
//!   `GET /api/wfm/v2/roles`; each method bounded by the scope it needs ([`scopes`]), so
//!   `upsert_user` on a read-only client does not compile.
//! - [`roster`]: CSV and JSON exports read and checked row by row, with typed reasons
//!   ([`roster::RowProblem`]); [`timezone`]: IANA names, Windows names (CLDR `windowsZones`)
//!   and offsets.
//! - [`plan()`] (pure) and the mass-deactivation [`Guard`].
//! - [`Engine`]: the sync over any [`Backend`], with bounded concurrency, the 404/409 rules,
//!   per-user errors, a `Retry-After` that holds the whole run, a [`Report`] whose request,
//!   retry and 429 counts are the platform's (the transport's own retries included), and
//!   [`Progress`] events.
//! - [`discovery`]: NICE CXone's real flow (OpenID and CXone discovery, the access-key
//!   password grant, the tenant's API host).
//! - [`ScimBackend`], [`UserHubBackend`]: the same engine over CXone's real user APIs (SCIM 2.0,
//!   UserHub user management).
//! - `cli` (feature `cli`, off by default): the command-line sync of the `cxone_user_sync`
//!   example (flags, exit codes, an `indicatif` progress bar or plain progress lines).
//!
//! The contract (`/api/wfm/v2/...`, scopes `wfm.users.read`, `wfm.users.write`,
//! `wfm.roles.read`, the client-credentials grant) is the one of the WFM user-sync integration
//! guide our users' middleware targets; it is not in NICE's public API material, whose real
//! back-end grant is an access key (see `docs/cxone-wfm.md` in the repository).
#![forbid(unsafe_code)]

#[cfg(feature = "cli")]
pub mod cli;
mod client;
pub mod discovery;
mod engine;
mod error;
mod model;
mod plan;
pub mod roster;
mod scim_backend;
pub mod timezone;
mod userhub;

pub mod scopes {
    //! The guide's WFM scopes as typed markers (declared in `wfm-scopes`), and
    //! [`RolesDecide`] for grants without scopes.
    //!
    //! ```
    //! use cxone_wfm::scopes::{RolesRead, UsersRead, UsersWrite};
    //! use wfm_auth::ScopeList;
    //! assert_eq!(<(UsersRead, UsersWrite, RolesRead)>::names(), ["wfm.users.read", "wfm.users.write", "wfm.roles.read"]);
    //! ```
    pub use wfm_auth::RolesDecide;
    pub use wfm_scopes::cxone::{NiceCxone, RolesRead, UsersRead, UsersWrite};
}

pub use client::{Client, MAX_PAGE_SIZE, UserStream};
pub use engine::{
    Action, Applied, Backend, Counts, Engine, Phase, Progress, ProgressFn, Report, SyncError,
    UserError, UserStore,
};
pub use error::Error;
pub use model::{MAX_EXTERNAL_ID_LEN, Role, Skill, User, UserChanges};
pub use plan::{Guard, GuardTripped, Plan, plan};
pub use scim_backend::ScimBackend;
pub use userhub::UserHubBackend;

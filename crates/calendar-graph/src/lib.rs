//! One-way mirroring of WFM shifts into Outlook calendars through Microsoft Graph, without
//! update loops: only events carrying our tag are ever written, and a person's edit is
//! corrected once, never echoed back.
//!
//! ```
//! use std::collections::HashMap;
//! use calendar_graph::scopes::CalendarsReadWrite;
//! use calendar_graph::sync::{by_mailbox, sync, SyncOptions};
//! use calendar_graph::{graph_platform, Client, GraphBackend};
//! use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE};
//! use wfm_sandbox::{graph::GraphCalendar, TokenEndpoint};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // A local Graph stand-in. In production: `ClientCredentials::microsoft_graph(tenant, id,
//! // secret)` and `calendar_graph::GRAPH_V1`.
//! let server = wiremock::MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
//! let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
//! let credentials = ClientCredentials::new(tokens.url(), "client-id", "client-secret")
//!     .auth_style(ClientAuth::RequestBody)
//!     .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE);
//! let platform = graph_platform::<CalendarsReadWrite>(credentials)?.build()?;
//! let backend = GraphBackend::new(Client::new(&platform, format!("{}/v1.0/", server.uri()))?);
//!
//! // The `ics_feed` example's shift JSON; the mailbox is the agent id (or a mapped UPN).
//! let shifts = ical_feed::json::shifts_from_json(r#"[{"id": "s1", "agent": "jane@contoso.example",
//!   "start": "2026-03-30T08:00:00+02:00", "end": "2026-03-30T16:00:00+02:00",
//!   "timezone": "Europe/Paris", "summary": "Day desk", "last_modified": "2026-03-01T10:00:00Z"}]"#)?;
//! let shifts = by_mailbox(shifts, &HashMap::new());
//! let report = sync(&backend, &shifts, &SyncOptions::default()).await?;
//! assert_eq!(report.counts.created, 1);
//! // A second run writes nothing.
//! let report = sync(&backend, &shifts, &SyncOptions::default()).await?;
//! assert_eq!((report.counts.created, report.counts.unchanged), (0, 1));
//! assert_eq!(graph.events("jane@contoso.example").len(), 1);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! - [`Client`]: events (create with `transactionId`, get, PATCH, delete), `calendarView` and
//!   our tagged events, each method bounded by the Graph permission it needs.
//! - [`graph_platform`]: a platform with Outlook's per-mailbox limit (4 in flight, 10,000 per
//!   10 minutes) and a best-effort check of the token's `roles` claim.
//! - [`batch`]: `$batch` of up to 20, per-item status, per-item `Retry-After`.
//! - [`delta`]: delta rounds on the primary calendar, resync on 410 / `syncStateNotFound`.
//! - [`tz`]: IANA zones to Windows zone names, from CLDR windowsZones.
//! - [`sync`]: the engine, generic over a [`sync::CalendarBackend`]; [`GraphBackend`] is Graph's.
#![forbid(unsafe_code)]

mod backend;
pub mod batch;
pub mod cli;
mod client;
pub mod delta;
mod error;
pub mod event;
pub mod scopes;
pub mod sync;
pub mod tz;

pub use backend::GraphBackend;
pub use client::{Client, GRAPH_V1, PREFER, graph_platform, mailbox_limit};
pub use error::{Error, InputError};

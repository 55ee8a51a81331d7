//! One-way mirroring of WFM shifts into Outlook calendars through Microsoft Graph, without
//! update loops: only events carrying our tag are ever written, and a person's edit is
//! corrected once, never echoed back.
//!
//! ```no_run
//! use std::collections::HashMap;
//! use calendar_graph::scopes::CalendarsReadWrite;
//! use calendar_graph::sync::{by_mailbox, sync, SyncOptions};
//! use calendar_graph::{graph_platform, Client, GraphBackend, GRAPH_V1};
//! use wfm_auth::ClientCredentials;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let platform = graph_platform::<CalendarsReadWrite>(ClientCredentials::microsoft_graph(
//!     "contoso.onmicrosoft.com", "client-id", "client-secret",
//! ))?
//! .build()?;
//! let backend = GraphBackend::new(Client::new(&platform, GRAPH_V1)?);
//! let shifts = ical_feed::json::shifts_from_json(&std::fs::read_to_string("shifts.json")?)?;
//! let report = sync(&backend, &by_mailbox(shifts, &HashMap::new()), &SyncOptions::default()).await?;
//! println!("{} created, {} updated, {} deleted", report.counts.created, report.counts.updated, report.counts.deleted);
//! # Ok(()) }
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

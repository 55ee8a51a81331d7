//! # wfm-sdk
//!
//! The facade of the workforce-management integration SDK: each member crate is re-exported
//! behind a feature of the same purpose, so one dependency line brings what an integration needs.
//!
//! ```
//! // Typed scopes from the auth crate, reachable through the facade (feature `auth`, on by default).
//! use wfm_sdk::auth::Scope;
//! fn wire_name<S: Scope>() -> &'static str { S::NAME }
//! ```
//!
//! | feature | crate | what it does |
//! |---|---|---|
//! | `auth` (default) | [`wfm-auth`](auth) | credentials, token cache, typed scopes |
//! | `http` (default) | [`wfm-http`](http) | the one transport: retries, rate limits, errors, paging |
//! | `genesys` | `genesys-wfm` | Genesys Cloud WFM |
//! | `cxone` | `cxone-wfm` | NICE CXone WFM user sync |
//! | `scim` | `wfm-scim` | SCIM 2.0 client |
//! | `calendar-graph` | `calendar-graph` | shifts mirrored to Outlook calendars |
//! | `ical` | `ical-feed` | RFC 5545 shift feeds |
//! | `sandbox` | `wfm-sandbox` | local stand-ins of the platforms for tests |
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "calendar-graph")]
pub use calendar_graph;
#[cfg(feature = "cxone")]
pub use cxone_wfm as cxone;
#[cfg(feature = "genesys")]
pub use genesys_wfm as genesys;
#[cfg(feature = "ical")]
pub use ical_feed as ical;
#[cfg(feature = "auth")]
pub use wfm_auth as auth;
#[cfg(feature = "http")]
pub use wfm_http as http;
#[cfg(feature = "sandbox")]
pub use wfm_sandbox as sandbox;
#[cfg(feature = "scim")]
pub use wfm_scim as scim;

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

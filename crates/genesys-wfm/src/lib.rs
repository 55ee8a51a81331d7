//! Genesys Cloud workforce management.
//!
//! This crate is a placeholder until its own issue: it compiles and is published so that the
//! workspace layout is stable. Schedules, users, time off and the permission preflight will land here.

pub mod scopes;

//! Shifts mirrored to Outlook calendars through Microsoft Graph.
//!
//! This crate is a placeholder until its own issue: one-way, tagged, loop-free mirroring will land here.

pub mod scopes;

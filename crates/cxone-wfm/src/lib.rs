//! NICE CXone WFM user sync.
//!
//! This crate is a placeholder until its own issue: the idempotent reconcile engine (create,
//! update, deactivate, never delete) will land here.

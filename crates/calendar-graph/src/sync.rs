//! The one-way sync engine, WFM shifts to calendar events, generic over a [`CalendarBackend`]:
//! the `calendar-sync` crate, re-exported here. [`crate::GraphBackend`] is Microsoft Graph's
//! backend.

pub use calendar_sync::{
    CalendarBackend, ConflictPolicy, Content, Counts, Desired, Failure, OtherEvent, OurEvent,
    Progress, ProgressFn, SyncError, SyncOptions, SyncReport, Write, by_mailbox, desired, sync,
};

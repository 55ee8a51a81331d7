//! Google Calendar API scopes, by the full URLs Google grants
//! (<https://developers.google.com/workspace/calendar/api/auth>). With a service account and
//! domain-wide delegation, a super administrator authorises the same URLs for the account's
//! client id in the Admin console.
//!
//! `calendar.events` (or `calendar`) is what a user's primary calendar needs;
//! `calendar.app.created` covers only secondary calendars the app created, so it suits that mode
//! alone.
//!
//! ```
//! use wfm_scopes::google::{Calendar, CalendarEvents};
//! use wfm_scopes::{Grants, Scope};
//! fn writes_events<S: Grants<CalendarEvents>>() {}
//! writes_events::<Calendar>();
//! assert_eq!(CalendarEvents::NAME, "https://www.googleapis.com/auth/calendar.events");
//! ```

crate::declare_scopes! {
    /// Google (Workspace APIs). Scopes are full URLs.
    pub provider Google = "Google";

    /// See, edit, share and permanently delete all the calendars the user can access.
    pub scope Calendar = "https://www.googleapis.com/auth/calendar";
    /// View and edit events on all the user's calendars (what shift mirroring needs on a primary
    /// calendar).
    pub scope CalendarEvents = "https://www.googleapis.com/auth/calendar.events", implied_by Calendar;
    /// Make secondary calendars and see, edit or delete their events: only calendars the app
    /// created, never a user's primary calendar.
    pub scope CalendarAppCreated = "https://www.googleapis.com/auth/calendar.app.created", implied_by Calendar;
}

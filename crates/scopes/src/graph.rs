//! Microsoft Graph application permissions. They appear in a client-credentials token's `roles`
//! claim; a token cache checks them with `ScopeCheck::JwtClaims`.
//!
//! `Calendars.ReadWrite` (application) lets an app "create, read, update, and delete events of
//! all calendars without a signed-in user"
//! (<https://learn.microsoft.com/en-us/graph/permissions-reference#calendarsreadwrite>).
//! Application permissions reach every mailbox of the tenant; limit them with Exchange RBAC for
//! Applications.
//!
//! ```
//! use wfm_scopes::graph::{CalendarsRead, CalendarsReadWrite};
//! use wfm_scopes::{Grants, Scope};
//! fn reads<S: Grants<CalendarsRead>>() {}
//! reads::<CalendarsReadWrite>();
//! assert_eq!(CalendarsRead::IMPLIED_BY, ["Calendars.ReadWrite"]);
//! ```

crate::declare_scopes! {
    /// Microsoft Graph (Microsoft 365). Application permissions arrive in the token's `roles`
    /// claim.
    pub provider MicrosoftGraph = "Microsoft Graph";

    /// Create, read, update and delete events in all mailboxes' calendars, including their
    /// single-value extended properties (what shift mirroring writes).
    pub scope CalendarsReadWrite = "Calendars.ReadWrite";
    /// Read events in all mailboxes' calendars.
    pub scope CalendarsRead = "Calendars.Read", implied_by CalendarsReadWrite;
}

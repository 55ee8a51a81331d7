//! Microsoft Graph application permissions as typed markers, for clients generic over their scope set.
//! They appear in a client-credentials token's `roles` claim; check them with `ScopeCheck::JwtClaims`.
//!
//! A daemon asks Entra ID for `https://graph.microsoft.com/.default` (see
//! [`ClientCredentials::microsoft_graph`](wfm_auth::ClientCredentials::microsoft_graph)) and gets
//! every application permission consented for the app registration, listed in the access token's
//! `roles` claim. Build the token cache with
//! [`ScopeCheck::JwtClaims`](wfm_auth::ScopeCheck::JwtClaims) and `.require::<S>()` so that a
//! missing permission (or missing admin consent) is a typed error before the first Graph call.
//!
//! Application permissions reach every mailbox of the tenant; limit them with Exchange RBAC for
//! Applications.
//!
//! ```
//! use calendar_graph::scopes::{CalendarsRead, CalendarsReadWrite};
//! use wfm_auth::{Grants, Scope};
//!
//! fn needs_read<S: Grants<CalendarsRead, I>, I>() {}
//! needs_read::<CalendarsReadWrite, _>();
//! assert_eq!(CalendarsRead::IMPLIED_BY, ["Calendars.ReadWrite"]);
//! ```

use wfm_auth::declare_scope;
/// Microsoft Graph, the provider of the permissions in this module (defined in `wfm-auth`).
pub use wfm_auth::providers::MicrosoftGraph;

declare_scope!(
    /// Create, read, update and delete events in all mailboxes' calendars, including their
    /// single-value extended properties (what shift mirroring writes).
    pub CalendarsReadWrite: MicrosoftGraph = "Calendars.ReadWrite"
);
declare_scope!(
    /// Read events in all mailboxes' calendars.
    pub CalendarsRead: MicrosoftGraph = "Calendars.Read", implied_by CalendarsReadWrite
);

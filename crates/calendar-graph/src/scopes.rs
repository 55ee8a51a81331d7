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
//! fn needs_read<S: Grants<CalendarsRead>>() {}
//! needs_read::<CalendarsReadWrite>();
//! assert_eq!(CalendarsRead::IMPLIED_BY, ["Calendars.ReadWrite"]);
//! ```

pub use wfm_auth::scope::graph::{CalendarsRead, CalendarsReadWrite, MicrosoftGraph};

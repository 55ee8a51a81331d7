//! Genesys Cloud OAuth scopes as typed markers, for clients generic over their scope set.
//! Client-credentials tokens carry no scopes (roles and divisions decide): these matter for user grants.
//!
//! Genesys Cloud applies scopes only to OAuth clients that act for a user (authorization code,
//! PKCE, implicit, SAML2 bearer). A **client-credentials** client has no scopes at all: what it may
//! do is decided by the roles assigned to the OAuth client and the divisions they apply in. For
//! such a client, declare the scope set your code needs (the compiler still checks every call
//! against it) and build its token cache with
//! [`ScopeCheck::NotApplicable`](wfm_auth::ScopeCheck::NotApplicable); failures then surface as
//! 403 `missing.permissions` answers, which the permission preflight catches earlier.
//!
//! A scope named `x:readonly` is satisfied by its full twin `x` (Genesys: "A scope with the
//! :readonly suffix is read-only"), at compile time ([`Implies`](wfm_auth::Implies)) and in the
//! run-time granted-scope check ([`Scope::IMPLIED_BY`](wfm_auth::Scope::IMPLIED_BY)).
//!
//! The names below come from public material, not from an official list: check them against
//! your org's `GET /api/v2/oauth/scopes` before relying on them for a user grant.
//!
//! ```
//! use genesys_wfm::scopes::{UsersReadonly, WorkforceManagement, WorkforceManagementReadonly};
//! use wfm_auth::{Grants, Scope, ScopeList};
//!
//! fn needs_read<S: Grants<WorkforceManagementReadonly, I>, I>() {}
//! needs_read::<(WorkforceManagement, UsersReadonly), _>();
//! assert_eq!(<(WorkforceManagement, UsersReadonly)>::names(), ["workforce-management", "users:readonly"]);
//! assert_eq!(WorkforceManagementReadonly::IMPLIED_BY, ["workforce-management"]);
//! ```

use wfm_auth::declare_scope;
/// Genesys Cloud, the provider of the scopes in this module (defined in `wfm-auth`, shared with
/// the SCIM scopes of `wfm-scim`).
pub use wfm_auth::providers::GenesysCloud;

declare_scope!(
    /// Read and write workforce management data: schedules, time off, adherence, management units.
    pub WorkforceManagement: GenesysCloud = "workforce-management"
);
declare_scope!(
    /// Read workforce management data.
    pub WorkforceManagementReadonly: GenesysCloud = "workforce-management:readonly", implied_by WorkforceManagement
);
declare_scope!(
    /// Read and write users.
    pub Users: GenesysCloud = "users"
);
declare_scope!(
    /// Read users.
    pub UsersReadonly: GenesysCloud = "users:readonly", implied_by Users
);
declare_scope!(
    /// Read and write roles, grants and divisions.
    pub Authorization: GenesysCloud = "authorization"
);
declare_scope!(
    /// Read roles, grants and divisions (what the permission preflight reads).
    pub AuthorizationReadonly: GenesysCloud = "authorization:readonly", implied_by Authorization
);

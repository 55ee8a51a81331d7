//! Genesys Cloud OAuth scopes as typed markers, for clients generic over their scope set.
//! Client-credentials tokens carry no scopes (roles and divisions decide): these matter for user grants.
//!
//! Genesys Cloud applies scopes only to OAuth clients that act for a user (authorization code,
//! PKCE, implicit, SAML2 bearer). A **client-credentials** client has no scopes at all: what it may
//! do is decided by the roles assigned to the OAuth client and the divisions they apply in. Give
//! such a client the scope set [`RolesDecide`](wfm_auth::RolesDecide): every endpoint compiles,
//! the token cache checks no scope, and failures surface as 403 `missing.permissions` answers,
//! which a permission preflight catches earlier.
//!
//! A scope named `x:readonly` is satisfied by its full twin `x` (Genesys: "A scope with the
//! :readonly suffix is read-only", <https://help.mypurecloud.com/articles/introduction-to-scopes>),
//! at compile time and in the run-time granted-scope check
//! ([`Scope::IMPLIED_BY`](wfm_auth::Scope::IMPLIED_BY)).
//!
//! The names below come from public material, not from an official list: check them against
//! your org's `GET /api/v2/oauth/scopes` before relying on them for a user grant.
//!
//! ```
//! use genesys_wfm::scopes::{UsersReadonly, WorkforceManagement, WorkforceManagementReadonly};
//! use wfm_auth::{Grants, Scope, ScopeList};
//!
//! fn needs_read<S: Grants<WorkforceManagementReadonly>>() {}
//! needs_read::<(WorkforceManagement, UsersReadonly)>();
//! assert_eq!(<(WorkforceManagement, UsersReadonly)>::names(), ["workforce-management", "users:readonly"]);
//! assert_eq!(WorkforceManagementReadonly::IMPLIED_BY, ["workforce-management"]);
//! ```

pub use wfm_auth::scope::genesys::{
    Authorization, AuthorizationReadonly, GenesysCloud, Notifications, Users, UsersReadonly,
    WorkforceManagement, WorkforceManagementReadonly,
};

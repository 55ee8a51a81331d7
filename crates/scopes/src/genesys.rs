//! Genesys Cloud OAuth scopes. They apply to OAuth clients that act for a user (authorization
//! code, PKCE, implicit, SAML2 bearer); a client-credentials client has none: use
//! [`RolesDecide`](crate::RolesDecide) for it.
//!
//! Genesys documents the naming rule: "A scope with the :readonly suffix is read-only"
//! (<https://help.mypurecloud.com/articles/introduction-to-scopes>), so each `x:readonly` here is
//! granted by its full twin `x`. Scopes only apply to clients not using the client-credentials
//! grant; for those, roles and divisions decide
//! (<https://help.mypurecloud.com/articles/permissions-and-scopes-in-the-public-api>).
//!
//! The names below come from public material, not from an official list: check them against
//! your org's `GET /api/v2/oauth/scopes` before relying on them for a user grant.
//!
//! ```
//! use wfm_scopes::genesys::{Scim, ScimReadonly, WorkforceManagement, WorkforceManagementReadonly};
//! use wfm_scopes::{Grants, Scope};
//! fn reads<S: Grants<WorkforceManagementReadonly> + Grants<ScimReadonly>>() {}
//! reads::<(WorkforceManagement, Scim)>();
//! assert_eq!(ScimReadonly::IMPLIED_BY, ["scim"]);
//! ```

crate::declare_scopes! {
    /// Genesys Cloud (formerly PureCloud). Its scopes apply to user grants only: a
    /// client-credentials token carries none (roles and divisions decide).
    pub provider GenesysCloud = "Genesys Cloud";

    /// Read and write workforce management data: schedules, time off, adherence, management units.
    pub scope WorkforceManagement = "workforce-management";
    /// Read workforce management data (GETs, and the POSTs that search or query).
    pub scope WorkforceManagementReadonly = "workforce-management:readonly", implied_by WorkforceManagement;
    /// Read and write users.
    pub scope Users = "users";
    /// Read users.
    pub scope UsersReadonly = "users:readonly", implied_by Users;
    /// Read and write roles, grants and divisions.
    pub scope Authorization = "authorization";
    /// Read roles, grants and divisions (what a permission preflight reads).
    pub scope AuthorizationReadonly = "authorization:readonly", implied_by Authorization;
    /// Provision users and groups through SCIM (`/api/v2/scim/v2`): create, replace, modify,
    /// delete, and everything [`ScimReadonly`] allows.
    pub scope Scim = "scim";
    /// Read users and groups through SCIM (get, list, discovery).
    pub scope ScimReadonly = "scim:readonly", implied_by Scim;
    /// Create notification channels and subscribe to topics (the websocket that reports when a
    /// schedule import or update completes).
    pub scope Notifications = "notifications";
}

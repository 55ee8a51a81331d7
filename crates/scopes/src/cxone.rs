//! NICE CXone WFM user-sync scopes, as the integration contract of the `cxone-wfm` crate names
//! them.
//!
//! These three names (`wfm.users.read`, `wfm.users.write`, `wfm.roles.read`) are the contract of
//! the WFM user-sync guide that integrators' middleware is written against; they do not appear
//! in NICE's public material. NICE's developer portal documents no per-API OAuth scopes for
//! back-end apps: an access-key token carries none and the API user's security profile decides
//! (<https://developer.niceincontact.com/Documentation/APIAuthenticationAndAuthorization>). Use
//! [`RolesDecide`](crate::RolesDecide) for that grant.
//!
//! The write scope does not imply the read scope: the guide asks for both.
//!
//! ```
//! use wfm_scopes::cxone::{NiceCxone, RolesRead, UsersRead, UsersWrite};
//! use wfm_scopes::{Grants, ScopeList, ScopeSet};
//! fn sync<S: ScopeSet<NiceCxone> + Grants<UsersRead> + Grants<UsersWrite> + Grants<RolesRead>>() {}
//! sync::<(UsersRead, UsersWrite, RolesRead)>();
//! assert_eq!(<(UsersRead, UsersWrite, RolesRead)>::names(), ["wfm.users.read", "wfm.users.write", "wfm.roles.read"]);
//! ```

crate::declare_scopes! {
    /// NICE CXone. Its access-key (password grant) tokens carry no scopes: use
    /// [`RolesDecide`](crate::RolesDecide) for them; the scopes below are the user-sync guide's.
    pub provider NiceCxone = "NICE CXone";

    /// Read WFM users (`GET /api/wfm/v2/users`, `GET /api/wfm/v2/users/{externalId}`).
    pub scope UsersRead = "wfm.users.read";
    /// Create and update WFM users (`POST /api/wfm/v2/users`, `PUT /api/wfm/v2/users/{externalId}`).
    pub scope UsersWrite = "wfm.users.write";
    /// Read WFM roles (`GET /api/wfm/v2/roles`), to check role ids before sending them.
    pub scope RolesRead = "wfm.roles.read";
}

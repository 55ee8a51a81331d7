//! Typed scopes: zero-sized markers, sets of them, and membership checked by the compiler.
//!
//! Everything here is the dependency-free `wfm-scopes` crate, re-exported so that one
//! dependency on `wfm-auth` is enough. Platform scopes: [`genesys`], [`graph`], [`cxone`]; the grants that
//! carry no scopes: [`RolesDecide`].
//!
//! ```
//! use std::marker::PhantomData;
//! use wfm_auth::scope::genesys::{GenesysCloud, Users, WorkforceManagement, WorkforceManagementReadonly};
//! use wfm_auth::{Grants, ScopeList, ScopeSet};
//!
//! struct Client<S: ScopeSet<GenesysCloud>>(PhantomData<S>);
//! impl<S: ScopeSet<GenesysCloud>> Client<S> {
//!     fn read_schedules(&self) -> &'static str where S: Grants<WorkforceManagementReadonly> { "read" }
//!     fn push_schedules(&self) -> &'static str where S: Grants<WorkforceManagement> { "pushed" }
//! }
//!
//! // `WorkforceManagement` implies its read-only twin: both methods compile.
//! let client: Client<(WorkforceManagement, Users)> = Client(PhantomData);
//! assert_eq!(client.read_schedules(), "read");
//! assert_eq!(client.push_schedules(), "pushed");
//! assert_eq!(<(WorkforceManagement, Users)>::names(), ["workforce-management", "users"]);
//! ```

pub use wfm_scopes::{
    Grants, Provider, RolesDecide, Scope, ScopeList, ScopeNames, ScopeRequirement, ScopeSet, cxone,
    declare_scopes, genesys, google, graph,
};

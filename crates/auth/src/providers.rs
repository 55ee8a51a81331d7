//! The platforms whose scopes the SDK declares. Each provider's scopes are declared in one place
//! (the `wfm-scopes` crate), so a client holding Genesys workforce-management and SCIM scopes
//! has one scope set: `(WorkforceManagement, Scim)` is a `ScopeSet<GenesysCloud>`.
//!
//! ```
//! use wfm_auth::providers::GenesysCloud;
//! use wfm_auth::scope::genesys::{Scim, WorkforceManagement};
//! use wfm_auth::{Provider, ScopeSet};
//!
//! fn genesys_client<S: ScopeSet<GenesysCloud>>() {}
//! genesys_client::<(WorkforceManagement, Scim)>();
//! assert_eq!(GenesysCloud::NAME, "Genesys Cloud");
//! ```

pub use wfm_scopes::cxone::NiceCxone;
pub use wfm_scopes::genesys::GenesysCloud;
pub use wfm_scopes::graph::MicrosoftGraph;

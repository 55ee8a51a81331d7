//! The platforms whose scopes the SDK's crates declare, defined once here so that scopes declared
//! in different crates for the same platform make one scope set.
//!
//! Each platform crate declares its own scopes against these providers: `genesys-wfm` the
//! workforce-management and user scopes, `wfm-scim` the SCIM ones, both on [`GenesysCloud`];
//! a client holding `(WorkforceManagement, Scim)` is one `ScopeSet<GenesysCloud>`.
//!
//! ```
//! use wfm_auth::providers::GenesysCloud;
//! use wfm_auth::{Provider, declare_scope, ScopeSet};
//!
//! declare_scope!(/// Read analytics.
//!     pub AnalyticsReadonly: GenesysCloud = "analytics:readonly");
//! fn genesys_client<S: ScopeSet<GenesysCloud>>() {}
//! genesys_client::<(AnalyticsReadonly,)>();
//! assert_eq!(GenesysCloud::NAME, "Genesys Cloud");
//! ```

use crate::declare_provider;

declare_provider!(
    /// Genesys Cloud (formerly PureCloud). Its scopes apply to user grants only: a
    /// client-credentials token carries none (roles and divisions decide).
    pub GenesysCloud = "Genesys Cloud"
);

declare_provider!(
    /// Microsoft Graph (Microsoft 365). Application permissions arrive in the token's `roles`
    /// claim.
    pub MicrosoftGraph = "Microsoft Graph"
);

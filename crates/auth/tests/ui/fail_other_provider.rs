//! A Genesys client configured with a Microsoft Graph scope.
use std::marker::PhantomData;
use wfm_auth::{declare_provider, declare_scope, ScopeSet};

declare_provider!(/// Genesys Cloud.
    pub GenesysCloud = "Genesys Cloud");
declare_scope!(/// Read-only WFM.
    pub WorkforceManagementReadonly: GenesysCloud = "workforce-management:readonly");

declare_provider!(/// Microsoft Graph.
    pub MicrosoftGraph = "Microsoft Graph");
declare_scope!(/// Calendars of all mailboxes.
    pub CalendarsReadWrite: MicrosoftGraph = "Calendars.ReadWrite");

struct GenesysClient<S: ScopeSet<GenesysCloud>>(PhantomData<S>);

fn mirror_shifts(_client: &GenesysClient<(WorkforceManagementReadonly, CalendarsReadWrite)>) {}

fn read_calendars(_client: &GenesysClient<CalendarsReadWrite>) {}

fn main() {}

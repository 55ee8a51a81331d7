//! A Genesys client configured with a Microsoft Graph permission.
use std::marker::PhantomData;
use wfm_scopes::genesys::{GenesysCloud, WorkforceManagementReadonly};
use wfm_scopes::graph::CalendarsReadWrite;
use wfm_scopes::ScopeSet;

struct GenesysClient<S: ScopeSet<GenesysCloud>>(PhantomData<S>);

fn mirror_shifts(_client: &GenesysClient<(WorkforceManagementReadonly, CalendarsReadWrite)>) {}

fn read_calendars(_client: &GenesysClient<CalendarsReadWrite>) {}

fn main() {}

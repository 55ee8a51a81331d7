//! A client holding only the read-only twin calls a write endpoint.
use std::marker::PhantomData;
use wfm_scopes::genesys::{GenesysCloud, UsersReadonly, WorkforceManagement, WorkforceManagementReadonly};
use wfm_scopes::{Grants, ScopeSet};

struct Client<S: ScopeSet<GenesysCloud>>(PhantomData<S>);

impl<S: ScopeSet<GenesysCloud>> Client<S> {
    fn read_schedules(&self) where S: Grants<WorkforceManagementReadonly> {}
    fn publish_schedules(&self) where S: Grants<WorkforceManagement> {}
}

fn main() {
    let client: Client<(WorkforceManagementReadonly, UsersReadonly)> = Client(PhantomData);
    client.read_schedules();
    client.publish_schedules();
}

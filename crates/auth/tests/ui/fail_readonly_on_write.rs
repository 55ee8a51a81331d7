//! A client holding only the read-only twin calls a write endpoint.
use std::marker::PhantomData;
use wfm_auth::{declare_provider, declare_scope, Grants, ScopeSet};

declare_provider!(/// Genesys Cloud.
    pub Genesys = "Genesys Cloud");
declare_scope!(/// Full WFM.
    pub WorkforceManagement: Genesys = "workforce-management");
declare_scope!(/// Read-only WFM.
    pub WorkforceManagementReadonly: Genesys = "workforce-management:readonly", implied_by WorkforceManagement);
declare_scope!(/// Read-only users.
    pub UsersReadonly: Genesys = "users:readonly");

struct Client<S: ScopeSet<Genesys>>(PhantomData<S>);

impl<S: ScopeSet<Genesys>> Client<S> {
    fn read_schedules<I>(&self) where S: Grants<WorkforceManagementReadonly, I> {}
    fn publish_schedules<I>(&self) where S: Grants<WorkforceManagement, I> {}
}

fn main() {
    let client: Client<(WorkforceManagementReadonly, UsersReadonly)> = Client(PhantomData);
    client.read_schedules();
    client.publish_schedules();
}

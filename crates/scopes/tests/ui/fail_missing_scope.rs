//! A client without `UsersReadonly` calls a method that needs it.
use std::marker::PhantomData;
use wfm_scopes::genesys::{GenesysCloud, UsersReadonly, WorkforceManagementReadonly};
use wfm_scopes::{Grants, ScopeSet};

struct Client<S: ScopeSet<GenesysCloud>>(PhantomData<S>);

impl<S: ScopeSet<GenesysCloud>> Client<S> {
    fn list_users(&self) where S: Grants<UsersReadonly> {}
}

fn main() {
    let client: Client<(WorkforceManagementReadonly,)> = Client(PhantomData);
    client.list_users();
}

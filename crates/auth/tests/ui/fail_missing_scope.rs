//! A client without `UsersReadonly` calls a method that needs it.
use std::marker::PhantomData;
use wfm_auth::{declare_provider, declare_scope, Grants, ScopeSet};

declare_provider!(/// Genesys Cloud.
    pub Genesys = "Genesys Cloud");
declare_scope!(/// Read-only WFM.
    pub WfmReadonly: Genesys = "workforce-management:readonly");
declare_scope!(/// Read-only users.
    pub UsersReadonly: Genesys = "users:readonly");

struct Client<S: ScopeSet<Genesys>>(PhantomData<S>);

impl<S: ScopeSet<Genesys>> Client<S> {
    fn list_users<I>(&self) where S: Grants<UsersReadonly, I> {}
}

fn main() {
    let client: Client<(WfmReadonly,)> = Client(PhantomData);
    client.list_users();
}

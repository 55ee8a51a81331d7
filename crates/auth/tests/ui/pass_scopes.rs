//! Scope sets that satisfy their methods: membership in tuples, implication, nesting, 12 elements.
use std::marker::PhantomData;
use wfm_auth::{declare_provider, declare_scope, Grants, Scope, ScopeList, ScopeSet};

declare_provider!(/// Genesys Cloud.
    pub Genesys = "Genesys Cloud");
declare_scope!(/// Full WFM.
    pub Wfm: Genesys = "workforce-management");
declare_scope!(/// Read-only WFM.
    pub WfmReadonly: Genesys = "workforce-management:readonly", implied_by Wfm);
declare_scope!(/// Users.
    pub Users: Genesys = "users");
declare_scope!(/// Read-only users.
    pub UsersReadonly: Genesys = "users:readonly", implied_by Users);
declare_scope!(/// Filler.
    pub A: Genesys = "a");
declare_scope!(/// Filler.
    pub B: Genesys = "b");
declare_scope!(/// Filler.
    pub C: Genesys = "c");
declare_scope!(/// Filler.
    pub D: Genesys = "d");
declare_scope!(/// Filler.
    pub E: Genesys = "e");
declare_scope!(/// Filler.
    pub F: Genesys = "f");
declare_scope!(/// Filler.
    pub G: Genesys = "g");
declare_scope!(/// Filler.
    pub H: Genesys = "h");

struct Client<S: ScopeSet<Genesys>>(PhantomData<S>);

impl<S: ScopeSet<Genesys>> Client<S> {
    fn new() -> Self {
        Client(PhantomData)
    }
    fn read_schedules<I>(&self) where S: Grants<WfmReadonly, I> {}
    fn publish_schedules<I>(&self) where S: Grants<Wfm, I> {}
    fn read_users<I>(&self) where S: Grants<UsersReadonly, I> {}
}

fn main() {
    Client::<Wfm>::new().read_schedules();
    Client::<Wfm>::new().publish_schedules();
    Client::<(WfmReadonly,)>::new().read_schedules();
    Client::<(WfmReadonly, Users)>::new().read_users();
    Client::<(Users, Wfm)>::new().publish_schedules();
    Client::<((Users,), (A, Wfm))>::new().read_schedules();
    let twelve = Client::<(A, B, C, D, E, F, G, H, Users, UsersReadonly2, Wfm, ())>::new();
    twelve.publish_schedules();
    twelve.read_schedules();
    Client::<()>::new();

    assert_eq!(<(Wfm, UsersReadonly)>::names(), ["workforce-management", "users:readonly"]);
    assert_eq!(WfmReadonly::IMPLIED_BY, ["workforce-management"]);
}

declare_scope!(/// Another scope, so the 12-tuple has no duplicate.
    pub UsersReadonly2: Genesys = "users2:readonly");

//! Scope sets that satisfy their methods: membership in tuples, implication, nesting, 12
//! elements, a scope listed with its read-only twin, a scope listed twice, `RolesDecide`, and
//! async methods.
use std::marker::PhantomData;
use wfm_scopes::genesys::{
    Authorization, AuthorizationReadonly, GenesysCloud, Scim, ScimReadonly, Users, UsersReadonly,
    WorkforceManagement as Wfm, WorkforceManagementReadonly as WfmReadonly,
};
use wfm_scopes::{Grants, RolesDecide, Scope, ScopeList, ScopeSet};

struct Client<S: ScopeSet<GenesysCloud>>(PhantomData<S>);

impl<S: ScopeSet<GenesysCloud>> Client<S> {
    fn new() -> Self {
        Client(PhantomData)
    }
    fn read_schedules(&self) where S: Grants<WfmReadonly> {}
    fn publish_schedules(&self) where S: Grants<Wfm> {}
    fn read_users(&self) where S: Grants<UsersReadonly> {}
    async fn publish_async(&self) -> u8 where S: Grants<Wfm> { 1 }
}

fn main() {
    Client::<Wfm>::new().read_schedules();
    Client::<Wfm>::new().publish_schedules();
    Client::<(WfmReadonly,)>::new().read_schedules();
    Client::<(WfmReadonly, Users)>::new().read_users();
    Client::<(Users, Wfm)>::new().publish_schedules();
    Client::<((Users,), (Scim, Wfm))>::new().read_schedules();
    // A scope with its read-only twin, and a scope twice: both compile.
    Client::<(Wfm, WfmReadonly)>::new().read_schedules();
    Client::<(Wfm, WfmReadonly)>::new().publish_schedules();
    Client::<(WfmReadonly, WfmReadonly)>::new().read_schedules();
    let twelve = Client::<(
        Authorization, AuthorizationReadonly, Scim, ScimReadonly, Users, UsersReadonly,
        WfmReadonly, (), Authorization, Scim, Wfm, (Users,),
    )>::new();
    twelve.publish_schedules();
    twelve.read_schedules();
    // Grants with no scopes (client credentials): every endpoint compiles.
    Client::<RolesDecide>::new().publish_schedules();
    Client::<()>::new();
    let client = Client::<Wfm>::new();
    let _future = client.publish_async();

    assert_eq!(<(Wfm, UsersReadonly)>::names(), ["workforce-management", "users:readonly"]);
    assert_eq!(<(Wfm, Wfm, WfmReadonly)>::names(), ["workforce-management", "workforce-management:readonly"]);
    assert_eq!(WfmReadonly::IMPLIED_BY, ["workforce-management"]);
}

//! Typed scopes, end to end and offline: a client generic over its scope set, the calls that
//! compile, what the compiler says about one that does not, and the run-time granted-scope check.
//!
//! `cargo run -q --example typed_scopes`

use std::marker::PhantomData;
use std::sync::Arc;

use genesys_wfm::scopes::{
    GenesysCloud, UsersReadonly, WorkforceManagement, WorkforceManagementReadonly,
};
use wfm_auth::{
    AccessToken, AuthError, GrantSource, Grants, RequiredScopes, ScopeList, ScopeSet, StaticToken,
    TokenProvider,
};

/// A tiny Genesys WFM client: `S` is the scope set its credential is configured with.
struct WfmClient<S: ScopeSet<GenesysCloud>> {
    tokens: Arc<dyn TokenProvider>,
    scopes: PhantomData<S>,
}

impl<S: ScopeSet<GenesysCloud>> WfmClient<S> {
    fn new(tokens: impl TokenProvider) -> Self {
        Self {
            tokens: Arc::new(tokens),
            scopes: PhantomData,
        }
    }

    /// Needs `workforce-management:readonly` (or `workforce-management`).
    async fn read_schedules(&self, business_unit: &str) -> Result<String, AuthError>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        let token = self.tokens.token().await?;
        Ok(format!(
            "POST /api/v2/workforcemanagement/businessunits/{business_unit}/agentschedules/search  ({token})"
        ))
    }

    /// Needs `workforce-management`: the read-only twin is not enough.
    async fn publish_schedules(&self, business_unit: &str) -> Result<String, AuthError>
    where
        S: Grants<WorkforceManagement>,
    {
        let token = self.tokens.token().await?;
        Ok(format!(
            "POST /api/v2/workforcemanagement/businessunits/{business_unit}/schedules/.../update  ({token})"
        ))
    }
}

/// The compiler's message for `publish_schedules` on a read-only client, pinned by the trybuild
/// test `crates/scopes/tests/ui/fail_readonly_on_write.rs`.
const READONLY_ON_WRITE: &str =
    include_str!("../crates/scopes/tests/ui/fail_readonly_on_write.stderr");
/// ... and for a method whose scope is missing altogether.
const MISSING_SCOPE: &str = include_str!("../crates/scopes/tests/ui/fail_missing_scope.stderr");

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AuthError> {
    println!("== Calls that compile ==");
    let planner: WfmClient<(WorkforceManagement, UsersReadonly)> =
        WfmClient::new(StaticToken::new("demo-token"));
    println!(
        "full scope, read : {}",
        planner.read_schedules("bu-1").await?
    );
    println!(
        "full scope, write: {}",
        planner.publish_schedules("bu-1").await?
    );

    let viewer: WfmClient<(WorkforceManagementReadonly, UsersReadonly)> =
        WfmClient::new(StaticToken::new("demo-token"));
    println!(
        "read-only,  read : {}",
        viewer.read_schedules("bu-1").await?
    );
    println!();

    println!("== A call that does not compile ==");
    println!(
        "`viewer.publish_schedules(\"bu-1\")` on WfmClient<(WorkforceManagementReadonly, UsersReadonly)>:"
    );
    println!();
    println!("{}", READONLY_ON_WRITE.trim_end());
    println!();
    println!(
        "The message names the scope the method needs, the set the client has, and the method"
    );
    println!("whose bound asks for it. A missing scope reads the same way:");
    println!();
    println!("{}", MISSING_SCOPE.lines().next().unwrap_or_default());
    println!();

    println!("== The run-time check ==");
    println!(
        "Types say what the code needs; the server decides what the token gets (RFC 6749 §3.3)."
    );
    println!("The token cache checks every new token against the same set:");
    let declared = RequiredScopes::of::<(WorkforceManagement, UsersReadonly)>();
    println!(
        "declared: {:?}",
        <(WorkforceManagement, UsersReadonly)>::names()
    );
    let granted = ["workforce-management:readonly", "users"];
    println!("granted : {granted:?}");
    match declared.check(&granted, GrantSource::ResponseScope) {
        Ok(()) => println!("(unexpectedly sufficient)"),
        Err(error) => println!("error   : {error}"),
    }
    let token =
        AccessToken::new("demo").with_granted_scopes(["workforce-management", "users:readonly"]);
    println!(
        "a token granted {:?} passes: {}",
        token.granted_scopes(),
        declared
            .check(token.granted_scopes(), GrantSource::ResponseScope)
            .is_ok()
    );
    Ok(())
}

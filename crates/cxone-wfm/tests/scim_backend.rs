//! The engine over CXone's SCIM user API (the sandbox's SCIM stand-in, CXone flavour): creates,
//! updates of differing fields, deactivation as `active: false` (never a DELETE), users without
//! an externalId left alone, and a second run that writes nothing.

use std::time::Duration;

use cxone_wfm::roster::{Rules, parse_csv};
use cxone_wfm::{Engine, Role, ScimBackend};
use serde_json::json;
use wfm_auth::{ClientAuth, ClientCredentials};
use wfm_http::{Platform, RetryPolicy};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::scim::{Flavor, ScimServiceProvider};
use wiremock::MockServer;

const ROSTER: &str =
    "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId
E1,Ada,Lovelace,ada@example.com,Europe/London,AGENT,Billing:Advanced,LON,
E2,Alan,Turing,alan@example.com,Europe/London,LEAD,,,
E3,Grace,Hopper,grace@example.com,America/New_York,AGENT,,,
";

fn scim_user(ext: &str, given: &str, family: &str, email: &str, active: bool) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email, "externalId": ext,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": email, "type": "work", "primary": true}],
        "timezone": "Europe/London", "active": active, "roles": [{"value": "role-agent"}],
    })
}

#[tokio::test]
async fn the_engine_syncs_through_cxone_scim() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/auth/token").await;
    let scim = ScimServiceProvider::mount(&server, Flavor::Cxone)
        .await
        .require_token(&tokens);
    // E1 exists with an old family name; E9 has left; a user without externalId is not ours.
    scim.insert_user(scim_user("E1", "Ada", "Byron", "ada@example.com", true));
    scim.insert_user(scim_user("E9", "Old", "Timer", "old@example.com", true));
    let mut unmanaged = scim_user("", "Admin", "Local", "admin@example.com", true);
    unmanaged.as_object_mut().unwrap().remove("externalId");
    scim.insert_user(unmanaged);

    let platform = Platform::builder()
        .credentials(
            ClientCredentials::new(tokens.url(), "id", "secret")
                .auth_style(ClientAuth::BasicHeader),
        )
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let client = wfm_scim::Client::new(&platform, Flavor::Cxone, server.uri()).unwrap();
    let backend = ScimBackend::new(client).with_roles(vec![
        Role {
            id: "role-agent".into(),
            name: "Agent".into(),
        },
        Role {
            id: "role-lead".into(),
            name: "Lead".into(),
        },
    ]);
    let engine = Engine::new(backend);
    let rules = || Rules::new([("AGENT", "role-agent"), ("LEAD", "role-lead")]);

    let report = engine
        .sync(parse_csv(ROSTER).unwrap(), rules())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let c = report.counts;
    assert_eq!(
        (c.created, c.updated, c.deactivated, c.unchanged),
        (2, 1, 1, 0),
        "{c:?}"
    );

    let users = scim.users();
    let by_ext = |e: &str| {
        users
            .iter()
            .find(|u| u["externalId"] == e)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_ext("E1")["name"]["familyName"], "Lovelace");
    assert_eq!(by_ext("E2")["roles"][0]["value"], "role-lead");
    assert_eq!(by_ext("E2")["userName"], "alan@example.com");
    assert_eq!(by_ext("E9")["active"], false);
    assert!(
        users
            .iter()
            .any(|u| u["userName"] == "admin@example.com" && u["active"] == true)
    );
    assert!(!scim.requests().iter().any(|r| r.starts_with("DELETE")));
    // The report counts the requests the platform sent: exactly what the SCIM server received.
    assert_eq!(report.requests, scim.requests().len() as u64, "{report:?}");

    // Skills and location are not carried by SCIM: the second run sees no difference.
    let before = scim.requests().len();
    let again = engine
        .sync(parse_csv(ROSTER).unwrap(), rules())
        .await
        .unwrap();
    assert_eq!(again.counts.unchanged, 3, "{:?}", again.counts);
    let writes: Vec<_> = scim.requests()[before..]
        .iter()
        .filter(|r| !r.starts_with("GET"))
        .cloned()
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(again.requests, (scim.requests().len() - before) as u64);
}

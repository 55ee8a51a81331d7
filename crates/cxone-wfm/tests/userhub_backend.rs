//! The engine over CXone UserHub (the sandbox's UserHub stand-in): create, update, revive,
//! deactivate through `/users/deactivate`, unmanaged users left alone, a second run that writes
//! nothing.

use std::time::Duration;

use cxone_wfm::roster::{Rules, parse_csv};
use cxone_wfm::{Engine, Role, UserHubBackend};
use serde_json::json;
use wfm_auth::ClientCredentials;
use wfm_http::{Platform, RetryPolicy};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::cxone::UserHub;
use wiremock::MockServer;

const ROSTER: &str =
    "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId
E1,Ada,Lovelace,ada@example.com,Europe/London,AGENT,Billing:Advanced,LON,
E2,Alan,Turing,alan@example.com,Europe/London,LEAD,,,
E3,Grace,Hopper,grace@example.com,America/New_York,AGENT,,,
E4,Katherine,Johnson,kj@example.com,America/New_York,RETIRED,,,
";

fn hub_user(ext: &str, first: &str, last: &str, email: &str, status: &str) -> serde_json::Value {
    json!({"externalIdentity": ext, "firstName": first, "lastName": last, "emailAddress": email,
           "userName": email, "timeZone": "Europe/London", "role": "role-agent",
           "secondaryRoleIds": [], "status": status, "assignedGroup": "g", "emailToBeVerified": ""})
}

#[tokio::test]
async fn the_engine_syncs_through_userhub() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/auth/token").await;
    // The tenant's roles, searched by the backend; a create or update naming another role would
    // be a 400 for the whole user.
    let hub = UserHub::mount(&server)
        .await
        .require_token(&tokens)
        .with_roles([("role-agent", "Agent"), ("role-lead", "Lead")]);
    hub.insert_user(hub_user("E1", "Ada", "Byron", "ada@example.com", "ACTIVE"));
    hub.insert_user(hub_user(
        "E2",
        "Alan",
        "Turing",
        "alan@example.com",
        "DELETED",
    ));
    hub.insert_user(hub_user("E9", "Old", "Timer", "old@example.com", "ACTIVE"));
    hub.insert_user(hub_user(
        "",
        "Local",
        "Admin",
        "admin@example.com",
        "ACTIVE",
    ));

    let platform = Platform::<wfm_auth::RolesDecide>::builder()
        .credentials(ClientCredentials::new(tokens.url(), "id", "secret"))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let backend = UserHubBackend::new(&platform, server.uri()).unwrap();
    assert_eq!(
        backend.fetch_roles().await.unwrap(),
        [
            Role {
                id: "role-agent".into(),
                name: "Agent".into()
            },
            Role {
                id: "role-lead".into(),
                name: "Lead".into()
            }
        ]
    );
    let engine = Engine::new(backend);
    let before_run = hub.requests().len();
    // RETIRED maps to a role the tenant does not have: the row gets the fallback role.
    let rules = || {
        Rules::new([
            ("AGENT", "role-agent"),
            ("LEAD", "role-lead"),
            ("RETIRED", "role-retired"),
        ])
        .fallback_role("role-agent")
    };

    let report = engine
        .sync(parse_csv(ROSTER).unwrap(), rules())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let c = report.counts;
    assert_eq!(
        (c.created, c.updated, c.reactivated, c.deactivated),
        (2, 1, 1, 1),
        "{c:?}"
    );
    assert_eq!(report.flagged.len(), 1);
    assert_eq!(
        serde_json::to_value(&report.flagged[0]).unwrap()["reason"],
        "unknown_role"
    );
    let users = hub.users();
    let by_ext = |e: &str| {
        users
            .iter()
            .find(|u| u["externalIdentity"] == e)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_ext("E1")["lastName"], "Lovelace");
    assert_eq!(by_ext("E2")["status"], "ACTIVE");
    assert_eq!(by_ext("E2")["role"], "role-lead");
    assert_eq!(by_ext("E3")["status"], "ACTIVE");
    assert_eq!(by_ext("E4")["role"], "role-agent");
    assert_eq!(by_ext("E9")["status"], "DELETED");
    assert_eq!(
        by_ext("")["status"],
        "ACTIVE",
        "a user without externalIdentity is not ours"
    );

    // The report counts the requests the platform sent: here, exactly what the hub received.
    assert_eq!(report.requests, (hub.requests().len() - before_run) as u64);
    assert_eq!((report.retries, report.rate_limited), (0, 0));

    let before = hub.requests().len();
    let again = engine
        .sync(parse_csv(ROSTER).unwrap(), rules())
        .await
        .unwrap();
    assert_eq!(again.counts.unchanged, 4, "{:?}", again.counts);
    let writes: Vec<String> = hub.requests()[before..]
        .iter()
        .filter(|r| !r.starts_with("GET") && !r.ends_with("/search"))
        .cloned()
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(again.requests, (hub.requests().len() - before) as u64);
}

#[tokio::test]
async fn a_refused_deactivation_is_a_per_user_error() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/auth/token").await;
    let hub = UserHub::mount(&server).await.require_token(&tokens);
    hub.insert_user(hub_user(
        "E1",
        "Ada",
        "Lovelace",
        "ada@example.com",
        "ACTIVE",
    ));
    hub.insert_user(hub_user("API", "Api", "User", "api@example.com", "ACTIVE"));
    hub.insert_user(hub_user("E9", "Old", "Timer", "old@example.com", "ACTIVE"));
    hub.refuse_deactivation("API");
    let platform = Platform::<wfm_auth::RolesDecide>::builder()
        .credentials(ClientCredentials::new(tokens.url(), "id", "secret"))
        .build()
        .unwrap();
    let backend = UserHubBackend::new(&platform, server.uri())
        .unwrap()
        .unchecked_roles();
    let roster = "externalId,firstName,lastName,email,timezone,jobCode\nE1,Ada,Lovelace,ada@example.com,Europe/London,AGENT\n";
    let report = Engine::new(backend)
        .sync(
            parse_csv(roster).unwrap(),
            Rules::new([("AGENT", "role-agent")]),
        )
        .await
        .unwrap();
    assert_eq!(report.counts.deactivated, 1, "{:?}", report.counts);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let e = &report.errors[0];
    assert_eq!(e.external_id, "API");
    assert!(e.message.contains("notDeletedUserIds"), "{}", e.message);
    assert!(e.advice.is_some());
    assert!(!report.all_applied());
    // The run searched no roles (unchecked) and wrote only the two deactivations.
    let requests = hub.requests();
    assert!(
        !requests.iter().any(|r| r.contains("/authorization/")),
        "{requests:?}"
    );
}

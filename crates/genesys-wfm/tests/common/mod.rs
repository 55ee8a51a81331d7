//! One sandbox world per test: a token endpoint, a Genesys org stand-in, and a client on a
//! platform whose token cache gets its tokens from that endpoint.
#![allow(dead_code)]

use std::time::Duration;

use genesys_wfm::{Client, Environment};
use serde_json::json;
use wfm_auth::{ClientCredentials, RolesDecide};
use wfm_http::{Platform, RateLimit, RetryPolicy};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::genesys::GenesysOrg;
use wfm_sandbox::wiremock::MockServer;

pub struct World {
    pub server: MockServer,
    pub tokens: TokenEndpoint,
    pub org: GenesysOrg,
    pub client: Client<RolesDecide>,
}

pub async fn world() -> World {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let org = GenesysOrg::mount(&server).await.require_token(&tokens);
    // A base URL without an `api.` label is its own login URL, as in the official SDKs.
    let env = Environment::custom(&server.uri()).unwrap();
    assert_eq!(env.token_url().as_str(), tokens.url());
    let platform = Platform::<RolesDecide>::builder()
        .credentials(ClientCredentials::new(
            env.token_url().as_str(),
            "id",
            "secret",
        ))
        .rate_limit(RateLimit::per_minute(300))
        .retry(RetryPolicy::default().max_attempts(3))
        .build()
        .unwrap();
    let client = Client::new(&platform, env).unwrap();
    World {
        server,
        tokens,
        org,
        client,
    }
}

/// Two divisions (Berlin, Lisbon), one business unit, one management unit in each, agents
/// `berlin-0..n` and `lisbon-0..n`, and a shift per agent on 2026-03-02.
pub fn populate(org: &GenesysOrg, agents_per_unit: usize) {
    org.add_division("div-berlin", "Berlin");
    org.add_division("div-lisbon", "Lisbon");
    org.add_business_unit("bu-1", "Europe", "div-berlin", "Europe/Berlin", "Monday");
    org.add_management_unit("bu-1", "mu-berlin", "Berlin agents", "div-berlin");
    org.add_management_unit("bu-1", "mu-lisbon", "Lisbon agents", "div-lisbon");
    for (mu, prefix) in [("mu-berlin", "berlin"), ("mu-lisbon", "lisbon")] {
        for i in 0..agents_per_unit {
            let agent = format!("{prefix}-{i}");
            org.add_agent(mu, &agent);
            org.add_shift(
                &agent,
                json!({
                    "id": format!("shift-{agent}"),
                    "startDate": "2026-03-02T08:00:00Z",
                    "lengthMinutes": 480,
                    "activities": [{"startDate": "2026-03-02T08:00:00Z", "lengthMinutes": 480,
                                    "activityCodeId": "0", "description": "Work", "paid": true,
                                    "someFieldGenesysAddsLater": {"x": 1}}],
                    "manuallyEdited": false,
                    "schedule": {"id": "sched-1", "weekDate": "2026-03-02"},
                }),
            );
        }
    }
    org.add_schedule(
        "bu-1",
        "2026-03-02",
        json!({"id": "sched-1", "weekDate": "2026-03-02", "weekCount": 1, "description": "Week 10",
               "published": true, "metadata": {"version": 7, "dateModified": "2026-02-27T10:00:00Z"}}),
    );
}

pub fn quick_search() -> genesys_wfm::SearchPolicy {
    genesys_wfm::SearchPolicy::default().delay(Duration::from_millis(10))
}

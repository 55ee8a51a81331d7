//! A sandbox world for the sync tests: a token endpoint, the CXone WFM stand-in, a platform
//! whose token cache checks the guide's three scopes, and a client.
#![allow(dead_code)]

use std::time::Duration;

use cxone_wfm::Client;
use cxone_wfm::scopes::{RolesRead, UsersRead, UsersWrite};
use serde_json::{Value, json};
use wfm_auth::{ClientAuth, ClientCredentials};
use wfm_http::{Platform, RetryPolicy};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::cxone::CxoneWfm;
use wiremock::MockServer;

pub type Scopes = (UsersRead, UsersWrite, RolesRead);

pub const HEADER: &str =
    "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId\n";

pub struct World {
    pub server: MockServer,
    pub tokens: TokenEndpoint,
    pub wfm: CxoneWfm,
    pub platform: Platform<Scopes>,
}

pub async fn world() -> World {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    tokens.grant_scope(Some("wfm.users.read wfm.users.write wfm.roles.read"));
    let wfm = CxoneWfm::mount(&server)
        .await
        .require_token(&tokens)
        .with_roles([
            ("role_t1", "Tier 1"),
            ("role_t2", "Tier 2"),
            ("role_unmapped", "Unmapped"),
        ]);
    let platform = Platform::<Scopes>::builder()
        .credentials(
            ClientCredentials::new(tokens.url(), "sync-client", "sync-secret")
                .auth_style(ClientAuth::RequestBody),
        )
        .retry(
            RetryPolicy::default()
                .max_attempts(10)
                .base_delay(Duration::from_millis(2))
                .max_delay(Duration::from_millis(40))
                .retry_after_cap(Duration::from_secs(5)),
        )
        .circuit_breaker(None)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    World {
        server,
        tokens,
        wfm,
        platform,
    }
}

impl World {
    pub fn client(&self, base: &str) -> Client<Scopes> {
        Client::new(&self.platform, base).unwrap()
    }
}

pub fn role_map() -> cxone_wfm::roster::Rules {
    cxone_wfm::roster::Rules::new([
        ("T1", "role_t1"),
        ("T2", "role_t2"),
        ("GONE", "role_retired"),
    ])
}

/// The server's form of a roster user `E{i}` as the roster below describes it.
pub fn server_user(i: usize, last_name: &str, active: bool) -> Value {
    json!({
        "externalId": format!("E{i:05}"),
        "firstName": format!("First{i}"),
        "lastName": last_name,
        "email": format!("e{i}@example.com"),
        "timezone": "America/Chicago",
        "isActive": active,
        "roles": [if i.is_multiple_of(2) { "role_t1" } else { "role_t2" }],
        "skills": [{"skillName": "Billing", "proficiency": "Advanced"}],
        "location": "US-Central-01",
    })
}

/// The CSV line of roster user `E{i}`.
pub fn roster_line(i: usize) -> String {
    format!(
        "E{i:05},First{i},Last{i},e{i}@example.com,America/Chicago,{},Billing:Advanced,US-Central-01,\n",
        if i.is_multiple_of(2) { "T1" } else { "T2" }
    )
}

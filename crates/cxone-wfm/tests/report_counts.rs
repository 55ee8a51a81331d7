//! The report's `requests`, `retries` and `rate_limited` include what the transport absorbed:
//! a `PUT` answered 429, then 503, then 200 succeeds for the engine, and the report still shows
//! the 429 and both retries (from `wfm_http::Platform::stats` over the run).

use std::sync::Arc;
use std::time::Duration;

use cxone_wfm::roster::{Rules, parse_csv};
use cxone_wfm::scopes::{RolesRead, UsersRead, UsersWrite};
use cxone_wfm::{Client, Engine};
use serde_json::json;
use wfm_auth::StaticToken;
use wfm_http::{Platform, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ROSTER: &str =
    "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId
E1,Ada,Lovelace,ada@example.com,Europe/London,T1,,,
";

#[tokio::test]
async fn retries_and_429s_inside_the_transport_are_in_the_report() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/wfm/v2/roles"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"roles": [{"id": "r1", "name": "Tier 1"}]})),
        )
        .mount(&server)
        .await;
    // The server holds E1 with an old last name: the plan is one PUT.
    Mock::given(method("GET"))
        .and(path("/api/wfm/v2/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "users": [{"externalId": "E1", "firstName": "Ada", "lastName": "Byron",
                       "email": "ada@example.com", "timezone": "Europe/London",
                       "isActive": true, "roles": ["r1"], "skills": []}],
            "page": 1, "pageSize": 200, "totalCount": 1})))
        .mount(&server)
        .await;
    // The PUT: 429, then 503, then 200 (each answer once, in that order).
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(
            ResponseTemplate::new(429).set_body_json(json!({"message": "Too many requests."})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "Unavailable."})))
        .up_to_n_times(1)
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .with_priority(3)
        .expect(1)
        .mount(&server)
        .await;

    let platform = Platform::<(UsersRead, UsersWrite, RolesRead)>::builder()
        .token_provider(Arc::new(StaticToken::new("t")))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .circuit_breaker(None)
        .build()
        .unwrap();
    let client = Client::new(&platform, server.uri()).unwrap();
    // Something the platform sent before the run is not the run's.
    client.roles().await.unwrap();

    let report = Engine::new(client)
        .sync(parse_csv(ROSTER).unwrap(), Rules::new([("T1", "r1")]))
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.counts.updated, 1);
    // GET /roles, one page of users, and the PUT three times.
    assert_eq!(report.requests, 5, "{report:?}");
    assert_eq!(report.retries, 2, "{report:?}");
    assert_eq!(report.rate_limited, 1, "{report:?}");
    assert_eq!(report.token_refreshes, 0);
    assert_eq!(report.confirmations, 0);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        (&json["requests"], &json["retries"], &json["rateLimited"]),
        (&json!(5), &json!(2), &json!(1))
    );
}

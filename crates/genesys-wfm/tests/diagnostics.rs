//! 403 permission errors, 429 Retry-After and 401 re-mint, through the client.

mod common;

use std::time::{Duration, Instant};

use genesys_wfm::Error;
use wfm_auth::ErrorMetadata;
use wfm_sandbox::wiremock::matchers::{method, path};
use wfm_sandbox::wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn a_403_missing_any_permissions_names_the_permission_the_division_and_the_fix() {
    let w = common::world().await;
    common::populate(&w.org, 2);
    w.org.grant("wfm:agent:view", "div-berlin"); // not in Lisbon

    let err = w
        .client
        .management_unit_users("mu-lisbon")
        .await
        .unwrap_err();
    let missing = err.missing_permissions().expect("a typed 403");
    assert!(missing.any_is_enough());
    assert_eq!(
        missing.permissions(),
        [
            "wfm:agent:view",
            "wfm:schedule:view",
            "wfm:publishedSchedule:view"
        ]
    );
    let text = err.to_string();
    assert!(
        text.contains(
            "GET /api/v2/workforcemanagement/managementunits/mu-lisbon/users answered 403"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "grant a role with wfm:agent:view or wfm:schedule:view or wfm:publishedSchedule:view"
        ),
        "{text}"
    );
    assert!(
        text.contains("Client-credentials tokens carry no scopes"),
        "{text}"
    );
    assert!(text.contains("The token came from 127.0.0.1"), "{text}");
    assert!(text.contains("[contextId sandbox-context-"), "{text}");
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.platform_code(), Some("missing.any.permissions"));
    assert!(
        err.correlation_id()
            .unwrap()
            .starts_with("sandbox-correlation-")
    );
    assert!(!err.is_retryable());
    assert!(err.advice().unwrap().contains("division"));
    assert_eq!(
        err.genesys_body().unwrap().code.as_deref(),
        Some("missing.any.permissions")
    );
    // The permitted division answers.
    assert_eq!(
        w.client.management_unit_users("mu-berlin").await.unwrap(),
        ["berlin-0", "berlin-1"]
    );
}

#[tokio::test]
async fn missing_permissions_from_message_params_and_a_division_parameter() {
    let w = common::world().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/workforcemanagement/businessunits"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "message": "You are missing the following permission(s): wfm:schedule:edit, wfm:schedule:add",
            "code": "missing.permissions", "status": 403,
            "messageParams": {"permissions": "wfm:schedule:edit, wfm:schedule:add", "divisionId": "div-lisbon"},
            "contextId": "ctx-9", "unknownField": true
        })))
        .with_priority(1)
        .mount(&w.server)
        .await;
    let err = w.client.business_units().await.unwrap_err();
    let m = err.missing_permissions().unwrap();
    assert!(!m.any_is_enough());
    assert_eq!(m.permissions(), ["wfm:schedule:edit", "wfm:schedule:add"]);
    assert_eq!(m.division(), Some("div-lisbon"));
    let text = err.to_string();
    assert!(
        text.contains("lacks wfm:schedule:edit and wfm:schedule:add in division div-lisbon"),
        "{text}"
    );
}

#[tokio::test]
async fn other_errors_keep_the_genesys_body() {
    let w = common::world().await;
    let err = w.client.business_unit("nope").await.unwrap_err();
    assert!(matches!(err, Error::Http(_)));
    assert_eq!(err.status(), Some(404));
    assert_eq!(
        err.genesys_body().unwrap().code.as_deref(),
        Some("not.found")
    );
}

#[tokio::test]
async fn a_429_is_retried_after_the_time_genesys_asked_for() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.rate_limit_next(1, 1);
    let started = Instant::now();
    let units = w.client.business_units().await.unwrap();
    assert_eq!(units.len(), 1);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    let calls: Vec<_> = w
        .org
        .requests()
        .into_iter()
        .filter(|r| r == "GET /api/v2/workforcemanagement/businessunits")
        .collect();
    assert_eq!(calls.len(), 2);
}

#[tokio::test]
async fn a_401_re_mints_the_token_once() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.client.token_info().await.unwrap();
    assert_eq!(w.tokens.requests(), 1);
    w.tokens.expire_all();
    let me = w.client.token_info().await.unwrap();
    assert_eq!(
        me.oauth_client.unwrap().authorized_grant_type.as_deref(),
        Some("CLIENT-CREDENTIALS")
    );
    assert_eq!(w.tokens.requests(), 2, "one new token, no more");
    let issued = w.tokens.issued();
    assert_eq!(issued[1].grant_type.as_deref(), Some("client_credentials"));
    assert!(
        issued[1]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Basic ")
    );
}

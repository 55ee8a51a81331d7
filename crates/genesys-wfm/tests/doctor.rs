//! The doctor (the `genesys_doctor` example's logic) against the Genesys stand-in.

mod common;

use genesys_wfm::doctor;
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::genesys::GenesysOrg;
use wfm_sandbox::wiremock::MockServer;

async fn org() -> (MockServer, GenesysOrg) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let org = GenesysOrg::mount(&server).await.require_token(&tokens);
    common::populate(&org, 2);
    (server, org)
}

fn args(server: &MockServer, extra: &[&str]) -> Vec<String> {
    ["--base-url", &server.uri(), "--client-id", "id"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn secret(k: &str) -> Option<String> {
    (k == "GENESYS_CLIENT_SECRET").then(|| "secret".to_owned())
}

#[tokio::test]
async fn names_the_division_where_schedule_edit_is_missing_and_exits_1() {
    let (server, org) = org().await;
    for p in [
        "wfm:businessUnit:view",
        "wfm:agent:view",
        "wfm:schedule:view",
        "wfm:schedule:add",
    ] {
        org.grant_everywhere(p);
    }
    org.grant("wfm:schedule:edit", "div-berlin");
    let out = doctor::run(
        args(&server, &["--business-unit", "bu-1", "--json"]),
        secret,
    )
    .await;
    assert_eq!(out.exit_code, 1, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["organization"]["name"], "Sandbox Org");
    assert_eq!(report["oauthClient"]["grantType"], "CLIENT-CREDENTIALS");
    let gaps = report["businessUnit"]["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["divisionName"], "Lisbon");
    assert_eq!(gaps[0]["permissions"], "wfm:schedule:edit");
    assert_eq!(gaps[0]["agents"], 2);
    let ops = report["operations"].as_array().unwrap();
    let update = ops
        .iter()
        .find(|o| o["name"] == "post_workforcemanagement_businessunit_week_schedule_update")
        .unwrap();
    assert_eq!(update["missingIn"][0]["id"], "div-lisbon");
    let search = ops
        .iter()
        .find(|o| o["name"] == "post_workforcemanagement_businessunit_agentschedules_search")
        .unwrap();
    assert_eq!(search["missingIn"], serde_json::json!([]));
    assert!(org.writes().is_empty());

    let text = doctor::run(args(&server, &["--business-unit", "bu-1"]), secret).await;
    assert!(text.stdout.contains("MISSING wfm:schedule:edit for update schedule: division Lisbon (div-lisbon), 2 agent(s)"), "{}", text.stdout);
    assert!(text.stdout.contains("carry no scopes"));
}

#[tokio::test]
async fn exits_0_when_nothing_is_missing() {
    let (server, org) = org().await;
    for p in [
        "wfm:businessUnit:view",
        "wfm:agent:view",
        "wfm:schedule:view",
        "wfm:schedule:edit",
        "wfm:schedule:add",
        "wfm:realtimeAdherence:view",
        "wfm:timeOffRequest:add",
        "wfm:timeOffRequest:view",
        "wfm:timeOffRequest:edit",
    ] {
        org.grant_everywhere(p);
    }
    let out = doctor::run(args(&server, &["--business-unit", "bu-1"]), secret).await;
    assert_eq!(out.exit_code, 0, "{}{}", out.stdout, out.stderr);
}

#[tokio::test]
async fn bad_arguments_exit_2_and_bad_credentials_exit_3() {
    let (server, _org) = org().await;
    let out = doctor::run(vec!["--region".into(), "eu-west-3".into()], secret).await;
    assert_eq!(out.exit_code, 2);
    assert!(
        out.stderr.contains("not a Genesys Cloud region"),
        "{}",
        out.stderr
    );
    let out = doctor::run(args(&server, &[]), |_| None).await;
    assert_eq!(out.exit_code, 2);
    assert!(out.stderr.contains("GENESYS_CLIENT_SECRET"));
    // A login URL with no token endpoint: the org cannot be asked.
    let out = doctor::run(
        args(&server, &["--login-url", "http://127.0.0.1:9/"]),
        secret,
    )
    .await;
    assert_eq!(out.exit_code, 3, "{out:?}");
    assert!(out.stderr.contains("what to do"), "{}", out.stderr);
}

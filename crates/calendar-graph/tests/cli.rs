//! The `graph_calendar_sync` example's logic (`calendar_graph::cli`) against the Graph stand-in:
//! report and exit codes, a second run that writes nothing, bad input and a token without
//! `Calendars.ReadWrite` with nothing sent to Graph.

use std::path::PathBuf;

use base64::Engine as _;
use calendar_graph::cli::run;
use serde_json::{Value, json};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::graph::GraphCalendar;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
        .display()
        .to_string()
}

fn args(server: &MockServer, token_url: &str, input: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--client-id",
        "id",
        "--token-url",
        token_url,
        "--base-url",
        &format!("{}/v1.0/", server.uri()),
        "--input",
        input,
        "--mailbox-map",
        &data("graph/mailbox_map.json"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[tokio::test]
async fn mirrors_the_example_data_then_writes_nothing_the_second_time() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
    let secret = Some("s".to_owned());
    let a = args(
        &server,
        tokens.url(),
        &data("graph/shifts.json"),
        &["--batch"],
    );
    let out = run(a.clone(), secret.clone()).await;
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["mailboxes"], 2);
    assert_eq!(report["created"], 3, "the cancelled shift has no event");
    assert_eq!(graph.events("jane.doe@contoso.example").len(), 2);
    let sam = graph.events("sam.lee@contoso.example");
    assert_eq!(sam.len(), 1);
    assert_eq!(sam[0]["showAs"], "tentative");
    assert_eq!(sam[0]["start"]["timeZone"], "Eastern Standard Time");

    graph.reset_counts();
    let out = run(a, secret).await;
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (report["created"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(
        graph.requests_of("POST") + graph.requests_of("PATCH") + graph.requests_of("DELETE"),
        0
    );
}

#[tokio::test]
async fn bad_input_and_bad_arguments_exit_2_with_nothing_sent() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
    for (input, extra) in [
        (data("shifts_bad_end.json"), vec![]),
        (data("shifts_bad_timezone.json"), vec![]),
        (data("shifts_malformed.json"), vec![]),
        (data("graph/shifts.json"), vec!["--conflict", "override"]),
        (data("graph/shifts.json"), vec!["--bogus"]),
    ] {
        let out = run(
            args(&server, tokens.url(), &input, &extra),
            Some("s".into()),
        )
        .await;
        assert_eq!(out.exit_code, 2, "{input} {extra:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    assert_eq!(graph.requests(), 0);
    assert_eq!(tokens.requests(), 0);
}

#[tokio::test]
async fn a_token_without_calendars_readwrite_exits_2_before_any_graph_request() {
    let server = MockServer::start().await;
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwt = format!(
        "{}.{}.c2ln",
        b.encode(r#"{"alg":"RS256"}"#),
        b.encode(json!({"roles": ["Calendars.Read"]}).to_string())
    );
    Mock::given(method("POST"))
        .and(path("/t/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "Bearer", "expires_in": 3599, "access_token": jwt}),
        ))
        .mount(&server)
        .await;
    let graph = GraphCalendar::mount(&server).await;
    let token_url = format!("{}/t/token", server.uri());
    let out = run(
        args(&server, &token_url, &data("graph/shifts.json"), &[]),
        Some("s".into()),
    )
    .await;
    assert_eq!(out.exit_code, 2);
    assert!(
        out.stderr.contains("Calendars.ReadWrite") && out.stderr.contains("admin consent"),
        "{}",
        out.stderr
    );
    assert_eq!(graph.requests(), 0);
}

#[tokio::test]
async fn a_named_calendar_gets_the_events_and_the_default_one_stays_as_it_was() {
    use calendar_graph::scopes::CalendarsReadWrite;
    use calendar_graph::sync::{SyncOptions, by_mailbox, sync};
    use calendar_graph::{Client, GraphBackend, graph_platform};
    use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE};

    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
    let platform = graph_platform::<CalendarsReadWrite>(
        ClientCredentials::new(tokens.url(), "id", "secret")
            .auth_style(ClientAuth::RequestBody)
            .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE),
    )
    .unwrap()
    .build()
    .unwrap();
    let client = Client::new(&platform, format!("{}/v1.0/", server.uri()))
        .unwrap()
        .in_calendar("AAMkShifts==");
    let shifts = ical_feed::json::shifts_from_json(
        &std::fs::read_to_string(data("graph/shifts.json")).unwrap(),
    )
    .unwrap();
    let input = by_mailbox(shifts, &std::collections::HashMap::new());
    for batching in [false, true] {
        let backend = GraphBackend::new(client.clone()).batching(batching);
        let report = sync(&backend, &input, &SyncOptions::default())
            .await
            .unwrap();
        assert_eq!(report.counts.failed, 0, "{:?}", report.failures);
    }
    assert_eq!(graph.events("a7/calendars/AAMkShifts==").len(), 2);
    assert_eq!(graph.events("b3/calendars/AAMkShifts==").len(), 1);
    assert!(graph.events("a7").is_empty());
}

//! The schedule pull (the `genesys_schedule_pull` example's logic) against the Genesys stand-in.

mod common;

use genesys_wfm::pull;
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::genesys::{GenesysOrg, SearchAnswer};
use wfm_sandbox::wiremock::MockServer;

async fn org(answer: SearchAnswer) -> (MockServer, GenesysOrg) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let org = GenesysOrg::mount(&server).await.require_token(&tokens);
    common::populate(&org, 2);
    org.grant_everywhere("wfm:publishedSchedule:view");
    org.set_search_answer(answer);
    (server, org)
}

fn args(server: &MockServer, extra: &[&str]) -> Vec<String> {
    [
        "--base-url",
        &server.uri(),
        "--client-id",
        "id",
        "--client-secret",
        "secret",
        "--business-unit",
        "bu-1",
        "--start",
        "2026-03-02T00:00:00Z",
        "--end",
        "2026-03-09T00:00:00+00:00",
    ]
    .iter()
    .chain(extra)
    .map(|s| s.to_string())
    .collect()
}

#[tokio::test]
async fn writes_the_ics_feed_input_with_the_same_bytes_inline_or_by_download_url() {
    let (server, _org) = org(SearchAnswer::Inline).await;
    let inline = pull::run(args(&server, &[]), |_| None).await;
    assert_eq!(inline.exit_code, 0, "{}", inline.stderr);
    let shifts: serde_json::Value = serde_json::from_str(&inline.stdout).unwrap();
    assert_eq!(shifts.as_array().unwrap().len(), 4);
    assert_eq!(
        shifts[0],
        serde_json::json!({
            "id": "shift-berlin-0",
            "agent": "berlin-0",
            "start": "2026-03-02T08:00:00Z",
            "end": "2026-03-02T16:00:00Z",
            "last_modified": "2026-02-27T10:00:00Z",
            "summary": "Work",
        })
    );

    // The ics_feed example's writer accepts it as it is.
    let meta = ical_feed::CalendarMeta::new(ical_feed::DEFAULT_PRODID, "Shifts").unwrap();
    let domain = ical_feed::UidDomain::new("example.com").unwrap();
    let ics = ical_feed::json::write_feed(
        &inline.stdout,
        &meta,
        &domain,
        ical_feed::json::TzMode::Utc,
        Vec::new(),
    )
    .unwrap();
    let ics = String::from_utf8(ics).unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 4);
    assert!(ics.contains("DTSTART:20260302T080000Z"), "{ics}");

    let (server, stand_in) = org(SearchAnswer::DownloadUrl).await;
    let downloaded = pull::run(args(&server, &[]), |_| None).await;
    assert_eq!(downloaded.stdout, inline.stdout);
    assert_eq!(stand_in.download_requests().len(), 1);

    let (server, _org) = org(SearchAnswer::ProcessingThen(1)).await;
    let processing = pull::run(args(&server, &[]), |_| None).await;
    assert_eq!(processing.stdout, inline.stdout);
}

#[tokio::test]
async fn users_filter_and_bad_arguments() {
    let (server, _org) = org(SearchAnswer::Inline).await;
    let one = pull::run(args(&server, &["--users", "lisbon-1"]), |_| None).await;
    let shifts: serde_json::Value = serde_json::from_str(&one.stdout).unwrap();
    assert_eq!(shifts.as_array().unwrap().len(), 1);
    assert_eq!(shifts[0]["agent"], "lisbon-1");

    let bad = pull::run(args(&server, &["--start", "yesterday"]), |_| None).await;
    assert_eq!(bad.exit_code, 2);
    assert!(bad.stderr.contains("RFC 3339"), "{}", bad.stderr);
}

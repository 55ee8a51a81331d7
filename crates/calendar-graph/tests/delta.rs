//! Delta rounds: pages followed to the deltaLink, removals, and a full resync when Graph
//! answers 410 Gone or `syncStateNotFound` to a kept link.

use std::time::Duration;

use calendar_graph::Client;
use calendar_graph::delta::DeltaFrom;
use chrono::{TimeZone, Utc};
use serde_json::json;
use wfm_auth::StaticToken;
use wfm_auth::scope::graph::CalendarsRead;
use wfm_http::{Platform, RetryPolicy, Url};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client<CalendarsRead> {
    let platform = Platform::<CalendarsRead>::builder()
        .token_provider(StaticToken::new("t"))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(5)))
        .build()
        .unwrap();
    Client::new(&platform, format!("{}/v1.0/", server.uri())).unwrap()
}

fn ev(id: &str) -> serde_json::Value {
    json!({"id": id, "subject": "x",
        "start": {"dateTime": "2026-03-02T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-02T10:00:00.0000000", "timeZone": "UTC"}})
}

async fn mount_full_round(server: &MockServer) {
    let next = format!(
        "{}/v1.0/users/m/calendarView/delta?$skiptoken=p2",
        server.uri()
    );
    let delta = format!(
        "{}/v1.0/users/m/calendarView/delta?$deltatoken=d1",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path("/v1.0/users/m/calendarView/delta"))
        .and(query_param("$skiptoken", "p2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [ev("B"), {"id": "C", "@removed": {"reason": "deleted"}}],
            "@odata.deltaLink": delta})))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/m/calendarView/delta"))
        .and(query_param("startDateTime", "2026-03-01T00:00:00Z"))
        .and(query_param("endDateTime", "2026-04-01T00:00:00Z"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [ev("A")], "@odata.nextLink": next})),
        )
        .mount(server)
        .await;
}

fn window() -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    (
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    )
}

#[tokio::test]
async fn a_full_round_follows_pages_to_the_delta_link() {
    let server = MockServer::start().await;
    mount_full_round(&server).await;
    let (start, end) = window();
    let round = client(&server)
        .delta("m", &DeltaFrom::Window { start, end })
        .await
        .unwrap();
    let ids: Vec<&str> = round.changed.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["A", "B"]);
    assert_eq!(round.removed, ["C"]);
    assert!(round.full);
    assert_eq!(round.delta_link.query(), Some("$deltatoken=d1"));
}

#[tokio::test]
async fn a_lost_delta_state_means_a_full_resync() {
    for (status, code) in [(410, "resyncRequired"), (400, "syncStateNotFound")] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(query_param("$deltatoken", "old"))
            .respond_with(ResponseTemplate::new(status).set_body_json(
                json!({"error": {"code": code, "message": "The sync state is gone."}}),
            ))
            .mount(&server)
            .await;
        mount_full_round(&server).await;
        let (start, end) = window();
        let link: Url = format!(
            "{}/v1.0/users/m/calendarView/delta?$deltatoken=old",
            server.uri()
        )
        .parse()
        .unwrap();
        let round = client(&server)
            .delta("m", &DeltaFrom::Link { link, start, end })
            .await
            .unwrap();
        assert!(round.full, "{status}");
        assert_eq!(round.changed.len(), 2);
    }
}

#[tokio::test]
async fn an_incremental_round_is_not_full() {
    let server = MockServer::start().await;
    let delta = format!(
        "{}/v1.0/users/m/calendarView/delta?$deltatoken=d2",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(query_param("$deltatoken", "d1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [], "@odata.deltaLink": delta})),
        )
        .mount(&server)
        .await;
    let (start, end) = window();
    let link: Url = format!(
        "{}/v1.0/users/m/calendarView/delta?$deltatoken=d1",
        server.uri()
    )
    .parse()
    .unwrap();
    let round = client(&server)
        .delta("m", &DeltaFrom::Link { link, start, end })
        .await
        .unwrap();
    assert!(!round.full);
    assert!(round.changed.is_empty());
    assert_eq!(round.delta_link.query(), Some("$deltatoken=d2"));
}

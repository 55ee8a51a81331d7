//! Scripted Graph answers: `@odata.nextLink` followed exactly as given, the `Prefer` header,
//! 403 `ErrorAccessDenied` as a typed error, and a create retried with its `transactionId`.

use std::time::Duration;

use calendar_graph::event::{NewEvent, ShowAs, TAG_PROPERTY_ID, Tag};
use calendar_graph::{Client, Error, PREFER};
use chrono::{TimeZone, Utc};
use futures::TryStreamExt;
use serde_json::json;
use wfm_auth::ErrorMetadata;
use wfm_auth::StaticToken;
use wfm_auth::scope::graph::CalendarsReadWrite;
use wfm_http::{Platform, RetryPolicy};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client<CalendarsReadWrite> {
    let platform = Platform::<CalendarsReadWrite>::builder()
        .token_provider(StaticToken::new("t"))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(5)))
        .build()
        .unwrap();
    Client::new(&platform, format!("{}/v1.0/", server.uri())).unwrap()
}

fn event(id: &str, start: &str) -> serde_json::Value {
    json!({"id": id, "subject": "S",
        "start": {"dateTime": start, "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-02T18:00:00.0000000", "timeZone": "UTC"},
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY_ID, "value": "v1|abcd|shift-1"}]})
}

#[tokio::test]
async fn tagged_events_follow_next_link_exactly_and_read_the_tag_back() {
    let server = MockServer::start().await;
    let next = format!(
        "{}/v1.0/users/a%40b.example/events?%24skiptoken=Zm9v%2Fbar%3D%3D&%24top=2",
        server.uri()
    );
    Mock::given(method("GET"))
        // Exactly as given: the id stays percent-encoded as the link has it.
        .and(path("/v1.0/users/a%40b.example/events"))
        .and(query_param("$skiptoken", "Zm9v/bar=="))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"value": [event("2", "2026-03-03T09:00:00.0000000")]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/a@b.example/events"))
        .and(query_param(
            "$filter",
            format!("singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY_ID}')"),
        ))
        .and(query_param(
            "$expand",
            format!("singleValueExtendedProperties($filter=id eq '{TAG_PROPERTY_ID}')"),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"value": [event("1", "2026-03-02T09:00:00.0000000")], "@odata.nextLink": next}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let events: Vec<_> = client(&server)
        .tagged_events("a@b.example", 2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    for r in server.received_requests().await.unwrap() {
        assert_eq!(r.headers.get("prefer").unwrap(), PREFER);
    }
    assert_eq!(
        events[0].tag,
        Some(Tag {
            shift_id: "shift-1".into(),
            hash: "abcd".into()
        })
    );
    assert_eq!(
        events[1].start,
        Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap()
    );
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [],
            "@odata.nextLink": "https://evil.example/v1.0/users/x/calendarView?$skiptoken=1"})))
        .mount(&server)
        .await;
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let got: Result<Vec<_>, _> = client(&server)
        .calendar_view("x", start, start + chrono::Duration::days(7), 50)
        .try_collect()
        .await;
    assert!(
        got.unwrap_err()
            .to_string()
            .contains("refusing to send credentials")
    );
}

#[tokio::test]
async fn access_denied_names_the_application_access_policy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": {
            "code": "ErrorAccessDenied", "message": "Access to OData is disabled."}})))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_event("outsider@b.example", "AAMk1")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::AccessDenied { ref mailbox, .. } if mailbox == "outsider@b.example")
    );
    assert!(
        err.to_string().contains("application access policy"),
        "{err}"
    );
    assert_eq!(err.status(), Some(403));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_create_is_retried_with_its_transaction_id_after_a_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"error": {"code": "ApplicationThrottled",
                    "message": "Application is over its MailboxConcurrency limit."}})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/users/a/events"))
        .respond_with(ResponseTemplate::new(201).set_body_json(event("E1", "2026-03-02T09:00:00")))
        .mount(&server)
        .await;
    let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let new = NewEvent {
        subject: "Shift".into(),
        body: String::new(),
        start,
        end: start + chrono::Duration::hours(9),
        time_zone: Some(chrono_tz::Tz::Europe__Paris),
        location: None,
        show_as: ShowAs::Busy,
        categories: vec!["WFM shift".into()],
        tag: None,
        transaction_id: Some("txn-1".into()),
    };
    let created = client(&server).create_event("a", &new).await.unwrap();
    assert_eq!(created.id, "E1");
    let posts = server.received_requests().await.unwrap();
    assert_eq!(posts.len(), 2);
    for p in &posts {
        let body: serde_json::Value = serde_json::from_slice(&p.body).unwrap();
        assert_eq!(body["transactionId"], "txn-1");
        assert_eq!(body["start"]["timeZone"], "Romance Standard Time");
        assert_eq!(body["start"]["dateTime"], "2026-03-02T10:00:00");
    }
}

//! The ICS calendar link of the current user (a user grant): made once (repeating the POST
//! returns the same link), read, its feed fetched without the bearer token, and disabled. The
//! link is a credential: `Debug` never shows it.

use genesys_wfm::scopes::WorkforceManagement;
use genesys_wfm::{Client, Environment};
use wfm_auth::{AccessToken, StaticToken};
use wfm_http::Platform;
use wfm_sandbox::wiremock::matchers::{header_exists, method, path, query_param};
use wfm_sandbox::wiremock::{Mock, MockServer, ResponseTemplate};

const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";

#[tokio::test]
async fn the_calendar_link_is_made_read_fetched_without_the_token_and_disabled() {
    let server = MockServer::start().await;
    let link = format!(
        "{}/api/v2/workforcemanagement/calendar/data/ics?calendarId=secret-calendar-id",
        server.uri()
    );
    let answer = serde_json::json!({"calendarUrl": link, "selfUri": "/api/v2/workforcemanagement/calendar/url/ics"});
    for verb in ["GET", "POST"] {
        Mock::given(method(verb))
            .and(path("/api/v2/workforcemanagement/calendar/url/ics"))
            .and(header_exists("authorization"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
            .mount(&server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path("/api/v2/workforcemanagement/calendar/url/ics"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/workforcemanagement/calendar/data/ics"))
        .and(query_param("calendarId", "secret-calendar-id"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/workforcemanagement/calendar/data/ics"))
        .and(query_param("calendarId", "secret-calendar-id"))
        .respond_with(ResponseTemplate::new(200).set_body_string(FEED))
        .mount(&server)
        .await;

    // A user grant with the full WFM scope.
    let token = AccessToken::new("user-token").with_granted_scopes(["workforce-management"]);
    let platform = Platform::<WorkforceManagement>::builder()
        .token_provider(StaticToken::from_token(token))
        .build()
        .unwrap();
    let client: Client<WorkforceManagement> =
        Client::new(&platform, Environment::custom(&server.uri()).unwrap()).unwrap();

    let made = client.create_calendar_link().await.unwrap();
    let again = client.create_calendar_link().await.unwrap();
    assert_eq!(made, again, "repeating the POST returns the same link");
    let read = client.calendar_link().await.unwrap();
    assert_eq!(read.calendar_url.expose(), link);
    let printed = format!("{read:?}");
    assert!(!printed.contains("secret-calendar-id"), "{printed}");

    let feed = client.calendar_feed(&read.calendar_url).await.unwrap();
    assert_eq!(
        feed, FEED,
        "fetched without the bearer token (a token gets 403 here)"
    );

    client.disable_calendar_link().await.unwrap();
    let seen = server.received_requests().await.unwrap();
    let delete = seen
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .count();
    assert_eq!(delete, 1);
}

//! The write rules against scripted answers (wiremock): a 404 on PUT is believed only after a
//! GET confirms it, a POST answered 409 becomes a PUT, a lost POST is checked before it is
//! repeated, a POST answered 429 waits for Retry-After.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cxone_wfm::scopes::{UsersRead, UsersWrite};
use cxone_wfm::{Applied, Client, User};
use serde_json::json;
use wfm_auth::StaticToken;
use wfm_http::{Platform, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn user() -> User {
    User::new("E1", "Ada", "Lovelace", "ada@example.com", "Europe/London").with_roles(["r1"])
}

async fn client(server: &MockServer) -> Client<(UsersRead, UsersWrite)> {
    let platform = Platform::<(UsersRead, UsersWrite)>::builder()
        .token_provider(Arc::new(StaticToken::new("t")))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    Client::new(&platform, server.uri()).unwrap()
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"message": "User not found"}))
}

#[tokio::test]
async fn a_404_contradicted_by_get_is_retried_not_created() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(not_found())
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"externalId": "E1"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server).await;
    assert_eq!(c.upsert_user(&user()).await.unwrap(), Applied::Updated);
}

#[tokio::test]
async fn a_confirmed_404_creates_and_a_409_turns_into_a_put() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(not_found())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(not_found())
        .expect(1)
        .mount(&server)
        .await;
    // Someone created E1 between the GET and the POST.
    Mock::given(method("POST"))
        .and(path("/api/wfm/v2/users"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"message": "exists"})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server).await;
    assert_eq!(c.upsert_user(&user()).await.unwrap(), Applied::Created);
}

#[tokio::test]
async fn a_post_answered_503_is_checked_with_get_before_it_is_repeated() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(not_found())
        .expect(1)
        .mount(&server)
        .await;
    // First GET (confirming the PUT's 404): absent. Second GET (after the POST's 503): present,
    // the POST was applied after all.
    Mock::given(method("GET"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(not_found())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/wfm/v2/users/E1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(user()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/wfm/v2/users"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "busy"})))
        .expect(1) // never repeated: the GET found the user
        .mount(&server)
        .await;
    let c = client(&server).await;
    assert_eq!(c.upsert_user(&user()).await.unwrap(), Applied::Created);
}

#[tokio::test]
async fn a_post_answered_429_waits_for_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(not_found())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(not_found())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"message": "slow down"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(user()))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server).await;
    let started = Instant::now();
    assert_eq!(c.upsert_user(&user()).await.unwrap(), Applied::Created);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_400_is_a_per_user_error_with_the_server_message() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "Role 'r1' does not exist."})),
        )
        .mount(&server)
        .await;
    let c = client(&server).await;
    let err = c.upsert_user(&user()).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(
        err.to_string().contains("Role 'r1' does not exist."),
        "{err}"
    );
    assert!(
        wfm_auth::ErrorMetadata::advice(&err)
            .unwrap()
            .contains("unknown role")
    );
}

#[tokio::test]
async fn the_list_pages_until_an_empty_page() {
    let server = MockServer::start().await;
    let users = |ids: &[&str]| {
        json!({"users": ids.iter().map(|i| json!({"externalId": i, "isActive": true})).collect::<Vec<_>>(),
               "page": 1, "pageSize": 2, "totalCount": 3})
    };
    for (page, body) in [("1", users(&["a", "b"])), ("2", users(&["c"]))] {
        Mock::given(method("GET"))
            .and(path("/api/wfm/v2/users"))
            .and(wiremock::matchers::query_param("page", page))
            .and(wiremock::matchers::query_param("pageSize", "2"))
            .and(wiremock::matchers::query_param("isActive", "true"))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server).await;
    use futures::TryStreamExt;
    let got: Vec<User> = c.users_paged(Some(true), 2).try_collect().await.unwrap();
    let ids: Vec<&str> = got.iter().map(|u| u.external_id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
}

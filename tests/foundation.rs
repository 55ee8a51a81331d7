//! The foundation end to end: the auth crate's token cache behind the http transport, against the
//! sandbox's token endpoint and a scripted API over real HTTP.

use std::sync::Arc;

use genesys_wfm::scopes::{UsersReadonly, WorkforceManagement};
use wfm_auth::{AuthError, ClientCredentials, TokenCache};
use wfm_http::{Error, Method, Transport};
use wfm_sandbox::{Faults, TokenEndpoint};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "client-SECRET-8c1f2e";

async fn setup(api: &Faults) -> (MockServer, TokenEndpoint, Transport) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    tokens.grant_scope(Some("workforce-management users"));
    Mock::given(path("/api/v2/users"))
        .respond_with(api.clone())
        .mount(&server)
        .await;
    let cache = TokenCache::builder(ClientCredentials::new(
        format!("{}/oauth/token", server.uri()),
        "client-id",
        CLIENT_SECRET,
    ))
    .require::<(WorkforceManagement, UsersReadonly)>()
    .build()
    .unwrap();
    let transport = Transport::builder(format!("{}/api/v2/", server.uri()))
        .token_provider(Arc::new(cache))
        .build()
        .unwrap();
    (server, tokens, transport)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_requests_share_one_token_request() {
    let api = Faults::new(ResponseTemplate::new(200));
    let (_server, tokens, transport) = setup(&api).await;
    let api = api.require_token(&tokens);

    let calls = (0..200).map(|_| {
        let t = transport.clone();
        tokio::spawn(async move { t.request(Method::GET, &["users"]).send().await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }

    assert_eq!(
        tokens.requests(),
        1,
        "one token request for 200 concurrent API calls"
    );
    assert_eq!(api.requests(), 200);
    let bearers = api.bearer_tokens();
    assert!(
        bearers
            .iter()
            .all(|b| b.as_deref() == Some("sandbox-token-1"))
    );
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once_and_a_second_401_is_an_error() {
    let api = Faults::new(ResponseTemplate::new(200));
    let (server, tokens, transport) = setup(&api).await;
    let api = api.require_token(&tokens);

    transport
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap();
    tokens.expire_all(); // the platform revokes the token before its expires_in
    transport
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap();
    assert_eq!(tokens.requests(), 2, "exactly one forced refresh");
    assert_eq!(
        api.bearer_tokens(),
        [
            Some("sandbox-token-1".to_owned()),
            Some("sandbox-token-1".to_owned()),
            Some("sandbox-token-2".to_owned())
        ]
    );

    // An API that rejects every token: one refresh, one retry, then a typed 401. No loop.
    let always = Faults::new(
        ResponseTemplate::new(401).set_body_json(serde_json::json!({"code": "bad.credentials"})),
    );
    Mock::given(path("/api/v2/always"))
        .respond_with(always.clone())
        .mount(&server)
        .await;
    let err = transport
        .request(Method::POST, &["always"])
        .send()
        .await
        .unwrap_err();
    let api_err = err.as_api().expect("a typed API error");
    assert_eq!(api_err.status().as_u16(), 401);
    assert_eq!(api_err.code(), Some("bad.credentials"));
    assert_eq!(always.requests(), 2, "the first attempt and one retry");
    assert_eq!(tokens.requests(), 3, "one refresh for that call");
}

#[tokio::test]
async fn narrower_granted_scopes_fail_before_any_api_request() {
    let api = Faults::new(ResponseTemplate::new(200));
    let (_server, tokens, transport) = setup(&api).await;
    tokens.grant_scope(Some("users:readonly"));

    let err = transport
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap_err();

    let Error::Auth(AuthError::InsufficientScope {
        missing, granted, ..
    }) = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(missing, &["workforce-management"]);
    assert_eq!(granted, &["users:readonly"]);
    assert!(err.to_string().contains("workforce-management"), "{err}");
    assert_eq!(api.requests(), 0, "the API endpoint received no request");
}

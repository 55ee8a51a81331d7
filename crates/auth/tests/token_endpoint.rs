//! What goes on the wire per grant (Basic header or form body, CXone's password grant, Graph's
//! `.default` scope) and what comes back as a typed error when the token endpoint says no.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{TOKEN_PATH, mount_answer, token_requests, token_url};
use serde_json::json;
use wfm_auth::{
    AuthError, ClientAuth, ClientCredentials, PasswordGrant, TokenCache, TokenProvider,
};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"access_token": "t", "token_type": "bearer", "expires_in": 3600}))
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[tokio::test]
async fn client_credentials_in_a_basic_header() {
    let server = MockServer::start().await;
    let basic = format!("Basic {}", STANDARD.encode("genesys-client:genesys-secret"));
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", basic.as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let cache = TokenCache::builder(ClientCredentials::new(
        token_url(&server),
        "genesys-client",
        "genesys-secret",
    ))
    .build()
    .unwrap();
    assert_eq!(cache.token().await.unwrap().secret(), "t");

    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        form(&request.body),
        [("grant_type".to_owned(), "client_credentials".to_owned())],
        "no scope, no secret in the body"
    );
}

#[tokio::test]
async fn client_credentials_in_the_form_body_with_graph_default_scope() {
    let server = MockServer::start().await;
    mount_answer(&server, ok()).await;
    let credentials = ClientCredentials::new(token_url(&server), "graph-app", "graph-secret")
        .auth_style(ClientAuth::RequestBody)
        .scope(wfm_auth::MICROSOFT_GRAPH_DEFAULT_SCOPE);
    TokenCache::builder(credentials)
        .build()
        .unwrap()
        .token()
        .await
        .unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    assert!(request.headers.get("authorization").is_none());
    let mut fields = form(&request.body);
    fields.sort();
    assert_eq!(
        fields,
        [
            ("client_id".to_owned(), "graph-app".to_owned()),
            ("client_secret".to_owned(), "graph-secret".to_owned()),
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            (
                "scope".to_owned(),
                "https://graph.microsoft.com/.default".to_owned()
            ),
        ]
    );
}

#[test]
fn microsoft_graph_preset() {
    let c = ClientCredentials::microsoft_graph("contoso.onmicrosoft.com", "app", "secret");
    assert_eq!(
        c.token_url(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert_eq!(
        c.requested_scopes(),
        ["https://graph.microsoft.com/.default"]
    );
}

#[tokio::test]
async fn cxone_password_grant_with_access_key_and_basic_client_auth() {
    let server = MockServer::start().await;
    let basic = format!("Basic {}", STANDARD.encode("cxone-app:cxone-app-secret"));
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(header("authorization", basic.as_str()))
        .and(body_string_contains("grant_type=password"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let grant = PasswordGrant::cxone_access_key(
        token_url(&server),
        "cxone-app",
        "cxone-app-secret",
        "AKID123",
        "key+secret=",
    );
    TokenCache::builder(grant)
        .build()
        .unwrap()
        .token()
        .await
        .unwrap();

    let request = &server.received_requests().await.unwrap()[0];
    let raw = String::from_utf8(request.body.clone()).unwrap();
    assert!(
        raw.contains("password=key%2Bsecret%3D"),
        "access key secret is form-encoded: {raw}"
    );
    let mut fields = form(&request.body);
    fields.sort();
    assert_eq!(
        fields,
        [
            ("grant_type".to_owned(), "password".to_owned()),
            ("password".to_owned(), "key+secret=".to_owned()),
            ("username".to_owned(), "AKID123".to_owned()),
        ]
    );
}

/// An OAuth error answer: `(status, body)`.
async fn error_for(status: u16, body: serde_json::Value) -> AuthError {
    let server = MockServer::start().await;
    mount_answer(&server, ResponseTemplate::new(status).set_body_json(body)).await;
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .build()
        .unwrap();
    let err = cache.token().await.unwrap_err();
    assert_eq!(token_requests(&server).await, 1);
    err
}

#[tokio::test]
async fn oauth_error_codes_become_typed_errors_with_the_description() {
    let err = error_for(
        401,
        json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
    )
    .await;
    assert!(
        matches!(&err, AuthError::InvalidClient { status: 401, description: Some(d) } if d == "Client authentication failed"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("check the client id and secret"),
        "{err}"
    );
    assert!(
        err.to_string().contains("Client authentication failed"),
        "{err}"
    );

    let err = error_for(
        400,
        json!({"error": "invalid_grant", "error_description": "Invalid access key"}),
    )
    .await;
    assert!(
        matches!(&err, AuthError::InvalidGrant { status: 400, description: Some(d) } if d == "Invalid access key"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("access key id and secret"),
        "{err}"
    );

    let err = error_for(400, json!({"error": "invalid_scope", "error_description": "AADSTS70011: The provided value for scope is not valid"})).await;
    assert!(
        matches!(&err, AuthError::InvalidScope { description: Some(d), .. } if d.starts_with("AADSTS70011")),
        "{err:?}"
    );
    assert!(err.to_string().contains(".default"), "{err}");

    let err = error_for(
        400,
        json!({"error": "unauthorized_client", "error_description": "grant not allowed"}),
    )
    .await;
    assert!(
        matches!(&err, AuthError::UnauthorizedClient { description: Some(d), .. } if d == "grant not allowed"),
        "{err:?}"
    );
    assert!(err.to_string().contains("enable the grant type"), "{err}");
}

#[tokio::test]
async fn genesys_description_field_is_read() {
    // Genesys' AuthErrorResponse has `description` (and sometimes `error_description` too).
    let err = error_for(
        400,
        json!({"error": "invalid_client", "description": "client not found"}),
    )
    .await;
    assert_eq!(err.description(), Some("client not found"));
    assert!(err.to_string().contains("\"client not found\""), "{err}");

    let err = error_for(
        401,
        json!({"error": "invalid_grant", "description": "", "error_description": "both sent"}),
    )
    .await;
    assert_eq!(err.description(), Some("both sent"));
}

#[tokio::test]
async fn other_oauth_codes_keep_code_and_description() {
    let err = error_for(
        400,
        json!({"error": "unsupported_grant_type", "error_description": "nope"}),
    )
    .await;
    match err {
        AuthError::TokenEndpoint {
            status,
            error,
            description,
        } => {
            assert_eq!(
                (status, error.as_str(), description.as_deref()),
                (400, "unsupported_grant_type", Some("nope"))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_html_502_from_a_proxy_is_a_typed_error_with_the_status() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(502).set_body_raw(
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            "text/html",
        ),
    )
    .await;
    let err = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    match &err {
        AuthError::UnexpectedResponse {
            status,
            content_type,
            body_excerpt,
        } => {
            assert_eq!(*status, 502);
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(body_excerpt.contains("502 Bad Gateway"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(502));
    assert!(err.to_string().contains("HTTP 502"), "{err}");
}

#[tokio::test]
async fn empty_error_bodies_json_without_error_and_redirects_are_typed() {
    for (answer, status) in [
        (ResponseTemplate::new(503), 503),
        (
            ResponseTemplate::new(500).set_body_json(json!({"message": "internal"})),
            500,
        ),
        (
            ResponseTemplate::new(302)
                .insert_header("location", "https://elsewhere.invalid/oauth/token"),
            302,
        ),
        (
            ResponseTemplate::new(200).set_body_raw("<html>captive portal</html>", "text/html"),
            200,
        ),
    ] {
        let server = MockServer::start().await;
        mount_answer(&server, answer).await;
        let err = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
            .build()
            .unwrap()
            .token()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AuthError::UnexpectedResponse { status: s, .. } if *s == status),
            "{status}: {err:?}"
        );
        assert_eq!(
            token_requests(&server).await,
            1,
            "redirects are not followed"
        );
    }
}

#[tokio::test]
async fn a_malformed_success_body_is_typed_and_does_not_echo_the_token() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "tok-SECRET-42", "token_type": "bearer", "expires_in": "soon"}),
        ),
    )
    .await;
    let err = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::MalformedResponse { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("expires_in"), "{err}");
    assert!(!format!("{err} {err:?}").contains("tok-SECRET-42"));
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = TokenCache::builder(ClientCredentials::new(
        format!("http://127.0.0.1:{port}/oauth/token"),
        "id",
        "secret",
    ))
    .build()
    .unwrap()
    .token()
    .await
    .unwrap_err();
    assert!(matches!(err, AuthError::Transport { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    for url in [
        "http://login.example.com/oauth/token",
        "not a url",
        "ftp://login.example.com/token",
    ] {
        let err = TokenCache::builder(ClientCredentials::new(url, "id", "secret"))
            .build()
            .unwrap_err();
        assert!(matches!(err, AuthError::Config { .. }), "{url}: {err:?}");
    }
    for url in [
        "https://login.example.com/oauth/token",
        "http://127.0.0.1:9/t",
        "http://localhost:9/t",
        "http://[::1]:9/t",
    ] {
        assert!(
            TokenCache::builder(ClientCredentials::new(url, "id", "secret"))
                .build()
                .is_ok(),
            "{url}"
        );
    }
}

#[tokio::test]
async fn extra_response_fields_are_kept_and_never_printed() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "t-secret",
            "token_type": "bearer",
            "expires_in": 3600,
            "refresh_token": "refresh-secret",
            "id_token": "id-token-secret",
            "resource_server_base_uri": "https://api-c32.nice-incontact.com/inContactAPI/"
        })),
    )
    .await;
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .build()
        .unwrap();
    let token = cache.token().await.unwrap();
    assert_eq!(
        token.extra()["resource_server_base_uri"],
        "https://api-c32.nice-incontact.com/inContactAPI/"
    );
    assert!(token.extra().contains_key("id_token"));
    let printed = format!("{token:?} {token} {cache:?}");
    for secret in ["t-secret", "refresh-secret", "id-token-secret"] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
    }
    assert!(printed.contains("resource_server_base_uri"), "{printed}");
}

#[tokio::test]
async fn an_oversized_token_response_is_a_typed_error() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_bytes(vec![b' '; 1024 * 1024]),
    )
    .await;
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .build()
        .unwrap();
    let err = cache.token().await.unwrap_err();
    assert!(
        matches!(err, AuthError::ResponseTooLarge { limit: 65_536 }),
        "{err:?}"
    );
}

//! NICE CXone's real flow against scripted discovery documents and token endpoint: the token
//! endpoint from OpenID discovery, the access-key password grant in Basic auth, the tenant from
//! the id_token, the API host from cxone-configuration.

use base64::Engine as _;
use cxone_wfm::discovery::{AccessKey, connect};
use serde_json::json;
use wfm_http::{Method, Platform};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn discovery_grant_tenant_and_api_host() {
    let server = MockServer::start().await;
    let issuer = server.uri();
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}/auth/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid"],
        })))
        .expect(1)
        .mount(&server)
        .await;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(r#"{"tenantId":"11eb-tenant","area":"na1","iat":1,"exp":3601}"#);
    let basic = base64::engine::general_purpose::STANDARD.encode("app-id:app-secret");
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(header("authorization", format!("Basic {basic}").as_str()))
        .and(body_string_contains("grant_type=password"))
        .and(body_string_contains("username=KEY-ID"))
        .and(body_string_contains("password=key%3Dsecret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "cxone-access",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "r",
            "id_token": format!("eyJhbGciOiJub25lIn0.{claims}.sig"),
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/.well-known/cxone-configuration"))
        .and(query_param("tenantId", "11eb-tenant"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "private": false,
            "api_endpoint": format!("{issuer}/tenant-api"),
            "auth_endpoint": format!("{issuer}/auth"),
            "area": "na1",
            "domain": "niceincontact.com",
            "uhDomain": "x",
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/tenant-api/user-management/v1/users"))
        .and(header("authorization", "Bearer cxone-access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": []})))
        .expect(1)
        .mount(&server)
        .await;

    let key = AccessKey::new("app-id", "app-secret", "KEY-ID", "key=secret");
    assert!(!format!("{key:?}").contains("key=secret"));
    let (platform, found) = connect(&issuer, key, Platform::builder()).await.unwrap();
    assert_eq!(found.token_endpoint, format!("{issuer}/auth/token"));
    assert_eq!(found.tenant_id, "11eb-tenant");
    assert_eq!(found.api_endpoint, format!("{issuer}/tenant-api"));
    assert_eq!(found.area.as_deref(), Some("na1"));
    // The platform's cache holds the token: the first API call does not ask for another.
    let api = platform.transport(found.api_endpoint.as_str()).unwrap();
    let users: serde_json::Value = api
        .request(Method::GET, &["user-management", "v1", "users"])
        .send_json()
        .await
        .unwrap();
    assert_eq!(users["users"], json!([]));
}

#[tokio::test]
async fn a_token_without_a_tenant_is_a_discovery_error() {
    let server = MockServer::start().await;
    let issuer = server.uri();
    Mock::given(path("/.well-known/openid-configuration"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"token_endpoint": format!("{issuer}/auth/token")})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "a", "token_type": "Bearer", "expires_in": 3600}),
        ))
        .mount(&server)
        .await;
    let key = AccessKey::new("a", "b", "c", "d");
    let err = connect(&issuer, key, Platform::builder())
        .await
        .unwrap_err();
    assert!(matches!(err, cxone_wfm::Error::Discovery(_)), "{err}");
    assert!(err.to_string().contains("tenantId"));
}

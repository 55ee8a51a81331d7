//! Google service accounts: the key file's typed errors, the key never shown, the JWT bearer
//! grant (RFC 7523) per subject, single flight per subject under 200 concurrent mailboxes, and a
//! refused delegation named as such.

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;
use wfm_auth::google::{DelegatedTokens, JWT_BEARER_GRANT, ServiceAccountKey};
use wfm_auth::scope::google::CalendarEvents;
use wfm_auth::{AuthError, ErrorMetadata, Scope, TokenProvider};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A throwaway RSA key made for these tests only; it authorises nothing anywhere.
const KEY_FILE: &str = include_str!("data/service-account-test-key.json");

fn key_json() -> Value {
    serde_json::from_str(KEY_FILE).unwrap()
}

fn pem() -> String {
    key_json()["private_key"].as_str().unwrap().to_owned()
}

/// A line from the middle of the PEM: what a leak would show.
fn pem_line() -> String {
    pem().lines().nth(5).unwrap().to_owned()
}

fn without(field: &str) -> String {
    let mut v = key_json();
    v.as_object_mut().unwrap().remove(field);
    v.to_string()
}

#[test]
fn a_missing_or_malformed_field_is_named() {
    for field in ["private_key", "client_email", "client_id"] {
        let err = ServiceAccountKey::from_json(&without(field)).unwrap_err();
        match &err {
            AuthError::ServiceAccountKey { field: f, .. } => assert_eq!(*f, field),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains(&format!("`{field}`")), "{err}");
    }
    let mut v = key_json();
    v["private_key"] = json!("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    let err = ServiceAccountKey::from_json(&v.to_string()).unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::ServiceAccountKey {
                field: "private_key",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("not a key"), "{err}");

    let mut v = key_json();
    v["type"] = json!("authorized_user");
    let err = ServiceAccountKey::from_json(&v.to_string()).unwrap_err();
    assert!(
        matches!(err, AuthError::ServiceAccountKey { field: "type", .. }),
        "{err:?}"
    );

    // A truncated file: the message names a position, not the content.
    let err = ServiceAccountKey::from_json(&KEY_FILE[..KEY_FILE.len() / 2]).unwrap_err();
    assert!(
        matches!(
            err,
            AuthError::ServiceAccountKey {
                field: "(file)",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains(&pem_line()), "{err}");
    assert!(!err.is_retryable());
    assert!(err.advice().is_some());
}

#[test]
fn the_key_never_shows_in_debug() {
    let key = ServiceAccountKey::from_json(KEY_FILE).unwrap();
    assert_eq!(key.client_id(), "112233445566778899000");
    let tokens = DelegatedTokens::new(key.clone(), [CalendarEvents::NAME]).unwrap();
    for text in [
        format!("{key:?}"),
        format!("{key:#?}"),
        format!("{tokens:?}"),
        format!("{:?}", tokens.provider("jane@example.com")),
    ] {
        assert!(!text.contains(&pem_line()), "{text}");
        assert!(!text.contains("PRIVATE KEY"), "{text}");
    }
}

fn form(req: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn claims(assertion: &str) -> Value {
    let part = assertion.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A token endpoint that answers each subject with a token naming it.
async fn token_server() -> MockServer {
    let server = MockServer::start().await;
    let issued = std::sync::atomic::AtomicU64::new(0);
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(move |req: &Request| {
            let n = issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let form = form(req);
            let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
            let sub = claims(assertion)["sub"].as_str().unwrap().to_owned();
            ResponseTemplate::new(200)
                .set_delay(std::time::Duration::from_millis(20))
                .set_body_json(json!({"access_token": format!("ya29.{sub}.{n}"), "expires_in": 3599, "token_type": "Bearer"}))
        })
        .mount(&server)
        .await;
    server
}

fn tokens(server: &MockServer) -> DelegatedTokens {
    let key = ServiceAccountKey::from_json(KEY_FILE)
        .unwrap()
        .with_token_uri(format!("{}/token", server.uri()));
    DelegatedTokens::new(key, [CalendarEvents::NAME]).unwrap()
}

#[tokio::test]
async fn the_jwt_bearer_grant_carries_the_mailbox_as_sub() {
    let server = token_server().await;
    let tokens = tokens(&server);
    let token = tokens.provider("jane@example.com").token().await.unwrap();
    assert!(token.secret().starts_with("ya29.jane@example.com."));

    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    let form = form(&sent[0]);
    assert!(
        form.contains(&("grant_type".into(), JWT_BEARER_GRANT.into())),
        "{form:?}"
    );
    let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(assertion.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "0123456789abcdef");
    let c = claims(assertion);
    assert_eq!(
        c["iss"],
        "calendar-sync@wfm-sdk-tests.iam.gserviceaccount.com"
    );
    assert_eq!(c["sub"], "jane@example.com");
    assert_eq!(c["aud"], format!("{}/token", server.uri()));
    assert_eq!(
        c["scope"],
        "https://www.googleapis.com/auth/calendar.events"
    );
    assert_eq!(
        c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(),
        3600
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_request_per_mailbox_under_200_concurrent_mailboxes() {
    let server = token_server().await;
    let tokens = tokens(&server);
    let mailboxes: Vec<String> = (0..200).map(|i| format!("agent{i}@example.com")).collect();
    // Five tasks per mailbox, all at once, twice over.
    for _ in 0..2 {
        let asks = mailboxes.iter().flat_map(|m| {
            let tokens = tokens.clone();
            (0..5).map(move |_| {
                let tokens = tokens.clone();
                let m = m.clone();
                async move {
                    let t = tokens.token_for(&m).await.unwrap();
                    assert!(t.secret().starts_with(&format!("ya29.{m}.")));
                }
            })
        });
        futures::future::join_all(asks).await;
    }
    assert_eq!(tokens.requests_sent(), 200);
    assert_eq!(server.received_requests().await.unwrap().len(), 200);

    // A 401 on one mailbox's token replaces that one token only, once for all who saw it.
    let stale = tokens.token_for("agent7@example.com").await.unwrap();
    let p = tokens.provider("agent7@example.com");
    let (a, b) = tokio::join!(p.refresh(&stale), p.refresh(&stale));
    assert!(a.unwrap().same_as(&b.unwrap()));
    assert_eq!(tokens.requests_sent(), 201);
}

#[tokio::test]
async fn a_refused_delegation_names_domain_wide_delegation_the_client_id_and_scopes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("jwt-bearer"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "unauthorized_client",
            "error_description": "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."
        })))
        .mount(&server)
        .await;
    let err = tokens(&server)
        .token_for("jane@example.com")
        .await
        .unwrap_err();
    let AuthError::DelegationRefused {
        status,
        client_id,
        subject,
        scopes,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*status, client_id.as_str(), subject.as_str()),
        (401, "112233445566778899000", "jane@example.com")
    );
    assert_eq!(scopes, &["https://www.googleapis.com/auth/calendar.events"]);
    let msg = err.to_string();
    for needle in [
        "domain-wide delegation",
        "112233445566778899000",
        "https://www.googleapis.com/auth/calendar.events",
        "Admin console",
    ] {
        assert!(msg.contains(needle), "{needle}: {msg}");
    }
    assert!(!err.is_retryable());
    assert_eq!(err.platform_code(), Some("unauthorized_client"));
    assert_eq!(err.status(), Some(401));
}

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test] // current-thread runtime: the thread-local subscriber sees every event
async fn traced_token_requests_show_neither_key_nor_assertion_nor_token() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = token_server().await;
    let tokens = tokens(&server);
    tokens.token_for("jane@example.com").await.unwrap();
    let sent = server.received_requests().await.unwrap();
    let form = form(&sent[0]);
    let assertion = form
        .iter()
        .find(|(k, _)| k == "assertion")
        .unwrap()
        .1
        .clone();
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains(&pem_line()));
    assert!(!text.contains(&assertion[assertion.len() - 40..]));
    assert!(!text.contains("ya29.jane"));
}

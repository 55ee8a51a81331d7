//! No secret in `Debug`, `Display` or `tracing` output: every credential and token type is
//! printed with distinctive secret strings, and a token fetch is traced into a buffer.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{mount_answer, token_url};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use wfm_auth::{
    AccessToken, ClientCredentials, Credentials, PasswordGrant, Secret, StaticToken, TokenCache,
    TokenProvider,
};
use wiremock::{MockServer, ResponseTemplate};

const CLIENT_SECRET: &str = "cs-ZEBRA-5f0e1d";
const ACCESS_KEY_SECRET: &str = "aks-OKAPI-9c8b7a";
const ACCESS_TOKEN: &str = "at-NARWHAL-3e2d1c";

fn assert_clean(shown: &str) {
    for secret in [CLIENT_SECRET, ACCESS_KEY_SECRET, ACCESS_TOKEN] {
        assert!(!shown.contains(secret), "`{secret}` leaked into: {shown}");
    }
}

fn debug_and_display<T: std::fmt::Debug + std::fmt::Display>(value: &T) -> String {
    let shown = format!("{value:?}\n{value:#?}\n{value}");
    assert!(
        shown.contains("[redacted]"),
        "no redaction marker in: {shown}"
    );
    shown
}

#[test]
fn debug_and_display_of_every_credential_and_token_type_hide_the_secret() {
    let secret = Secret::from(CLIENT_SECRET);
    assert_clean(&debug_and_display(&secret));
    assert_eq!(secret.expose(), CLIENT_SECRET);

    let cc = ClientCredentials::new(
        "https://login.example.com/oauth/token",
        "client-id",
        CLIENT_SECRET,
    );
    let shown = debug_and_display(&cc);
    assert!(
        shown.contains("client-id"),
        "non-secret fields stay visible: {shown}"
    );
    assert_clean(&shown);

    let pw = PasswordGrant::cxone_access_key(
        "https://cxone.example.com/auth/token",
        "app-id",
        CLIENT_SECRET,
        "AKID",
        ACCESS_KEY_SECRET,
    );
    assert_clean(&debug_and_display(&pw));
    assert_clean(&debug_and_display(&Credentials::from(pw.clone())));
    assert_clean(&debug_and_display(&Credentials::from(cc.clone())));

    let token = AccessToken::new(ACCESS_TOKEN).with_granted_scopes(["users:readonly"]);
    assert_clean(&debug_and_display(&token));
    assert_eq!(token.secret(), ACCESS_TOKEN);
    assert_clean(&debug_and_display(&StaticToken::new(ACCESS_TOKEN)));

    let cache = TokenCache::builder(pw).build().unwrap();
    assert_clean(&debug_and_display(&cache));
    assert_clean(&format!("{:?}", TokenCache::builder(cc)));
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

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test] // current-thread runtime: the thread-local subscriber sees every event
async fn traced_token_fetches_show_no_secret() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let ok = MockServer::start().await;
    mount_answer(
        &ok,
        ResponseTemplate::new(200).set_body_json(json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 3600, "scope": "users:readonly"})),
    )
    .await;
    let grant = PasswordGrant::cxone_access_key(
        token_url(&ok),
        "app-id",
        CLIENT_SECRET,
        "AKID",
        ACCESS_KEY_SECRET,
    );
    let cache = TokenCache::builder(grant).build().unwrap();
    let token = cache.token().await.unwrap();
    tracing::info!(?token, %token, ?cache, "integrator logs what it holds");
    cache.refresh(&token).await.unwrap();

    let failing = MockServer::start().await;
    mount_answer(
        &failing,
        ResponseTemplate::new(401)
            .set_body_json(json!({"error": "invalid_client", "error_description": "bad client"})),
    )
    .await;
    let cache = TokenCache::builder(ClientCredentials::new(
        token_url(&failing),
        "app-id",
        CLIENT_SECRET,
    ))
    .build()
    .unwrap();
    let err = cache.token().await.unwrap_err();
    tracing::error!(error = %err, debug = ?err, "integrator logs the error");

    let logs = buffer.text();
    assert!(
        logs.contains("requesting an access token"),
        "the fetch was traced: {logs}"
    );
    assert!(logs.contains("access token obtained"), "{logs}");
    assert!(logs.contains("token request failed"), "{logs}");
    assert!(
        logs.contains("users:readonly"),
        "granted scopes are traced: {logs}"
    );
    assert_clean(&logs);
}

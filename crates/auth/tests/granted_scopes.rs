//! The run-time granted-scope check: the declared set against the response's `scope`, or against a
//! JWT access token's `scp`/`roles` claims, when a token is obtained and after every refresh.

mod common;

use std::time::Duration;

use common::{Sequence, jwt, mount_answer, token_requests, token_url};
use serde_json::json;
use wfm_auth::clock::ManualClock;
use wfm_auth::{
    AuthError, ClientCredentials, GrantSource, ScopeCheck, TokenCache, TokenProvider,
    declare_scopes,
};
use wiremock::{MockServer, ResponseTemplate};

declare_scopes! {
    /// Genesys-like provider.
    pub provider Genesys = "Genesys Cloud";
    /// Full WFM.
    pub scope Wfm = "workforce-management";
    /// Read-only WFM.
    pub scope WfmReadonly = "workforce-management:readonly", implied_by Wfm;
    /// Users.
    pub scope UsersReadonly = "users:readonly";
}

declare_scopes! {
    /// Graph-like provider.
    pub provider Graph = "Microsoft Graph";
    /// Write calendars.
    pub scope CalendarsReadWrite = "Calendars.ReadWrite";
    /// Read calendars.
    pub scope CalendarsRead = "Calendars.Read", implied_by CalendarsReadWrite;
    /// Read mailbox settings.
    pub scope MailboxSettingsRead = "MailboxSettings.Read";
}

fn ok_body(token: &str, scope: Option<&str>) -> serde_json::Value {
    let mut body = json!({"access_token": token, "token_type": "bearer", "expires_in": 3600});
    if let Some(scope) = scope {
        body["scope"] = json!(scope);
    }
    body
}

fn insufficient(err: AuthError) -> (Vec<String>, Vec<String>, GrantSource, String) {
    let message = err.to_string();
    match err {
        AuthError::InsufficientScope {
            missing,
            granted,
            grant_source,
        } => (missing, granted, grant_source, message),
        other => panic!("expected InsufficientScope, got {other:?}"),
    }
}

#[tokio::test]
async fn a_narrower_response_scope_is_a_typed_error_naming_missing_and_granted() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(ok_body("t", Some("workforce-management:readonly"))),
    )
    .await;
    let cache = TokenCache::builder(
        ClientCredentials::new(token_url(&server), "id", "secret")
            .scope("workforce-management users:readonly"),
    )
    .require::<(Wfm, UsersReadonly)>()
    .build()
    .unwrap();

    let (missing, granted, source, message) = insufficient(cache.token().await.unwrap_err());
    assert_eq!(missing, ["workforce-management", "users:readonly"]);
    assert_eq!(granted, ["workforce-management:readonly"]);
    assert_eq!(source, GrantSource::ResponseScope);
    assert!(
        message.contains("lacks the declared scope(s) `workforce-management`, `users:readonly`"),
        "{message}"
    );
    assert!(
        message.contains("granted (the token response's `scope`): `workforce-management:readonly`"),
        "{message}"
    );
    assert!(
        message.contains("remove them from the declared scope set"),
        "{message}"
    );
    assert!(
        cache.cached().is_none(),
        "an insufficient token is never handed out"
    );
}

#[tokio::test]
async fn a_full_scope_satisfies_its_readonly_twin_at_run_time() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(ok_body("t", Some("workforce-management users:readonly"))),
    )
    .await;
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .require::<(WfmReadonly, UsersReadonly)>()
        .build()
        .unwrap();
    let token = cache.token().await.unwrap();
    assert_eq!(
        token.granted_scopes(),
        ["workforce-management", "users:readonly"]
    );
}

#[tokio::test]
async fn an_absent_scope_means_as_requested() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_json(ok_body("t", None)),
    )
    .await;

    let asked = TokenCache::builder(
        ClientCredentials::new(token_url(&server), "id", "secret").scope("workforce-management"),
    )
    .require::<WfmReadonly>()
    .build()
    .unwrap();
    assert_eq!(
        asked.token().await.unwrap().granted_scopes(),
        ["workforce-management"]
    );

    // Nothing requested, nothing reported, something declared: the message points to NotApplicable.
    let not_asked = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .require::<WfmReadonly>()
        .build()
        .unwrap();
    let (missing, granted, source, message) = insufficient(not_asked.token().await.unwrap_err());
    assert_eq!(
        (missing, granted, source),
        (
            vec!["workforce-management:readonly".to_owned()],
            vec![],
            GrantSource::AsRequested
        )
    );
    assert!(message.contains("ScopeCheck::NotApplicable"), "{message}");

    // Genesys client credentials: roles and divisions, not scopes.
    let genesys = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .require::<WfmReadonly>()
        .scope_check(ScopeCheck::NotApplicable)
        .build()
        .unwrap();
    assert_eq!(genesys.token().await.unwrap().secret(), "t");
}

#[tokio::test]
async fn jwt_roles_array_narrower_than_declared_is_a_typed_error() {
    let server = MockServer::start().await;
    let token = jwt(json!({"aud": "https://graph.microsoft.com", "roles": ["Calendars.Read"]}));
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_json(ok_body(&token, None)),
    )
    .await;
    let cache = TokenCache::builder(
        ClientCredentials::new(token_url(&server), "id", "secret")
            .auth_style(wfm_auth::ClientAuth::RequestBody)
            .scope(wfm_auth::MICROSOFT_GRAPH_DEFAULT_SCOPE),
    )
    .require::<(CalendarsReadWrite, MailboxSettingsRead)>()
    .scope_check(ScopeCheck::JwtClaims)
    .build()
    .unwrap();

    let (missing, granted, source, message) = insufficient(cache.token().await.unwrap_err());
    assert_eq!(missing, ["Calendars.ReadWrite", "MailboxSettings.Read"]);
    assert_eq!(granted, ["Calendars.Read"]);
    assert_eq!(source, GrantSource::JwtClaims);
    assert!(message.contains("`scp`/`roles` claims"), "{message}");
}

#[tokio::test]
async fn jwt_scp_string_is_read_and_implication_applies() {
    let server = MockServer::start().await;
    let token = jwt(json!({"scp": "Calendars.ReadWrite MailboxSettings.Read", "roles": []}));
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_json(ok_body(&token, Some("ignored-by-jwt-check"))),
    )
    .await;
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .require::<(CalendarsRead, MailboxSettingsRead)>()
        .scope_check(ScopeCheck::JwtClaims)
        .build()
        .unwrap();
    let got = cache.token().await.unwrap();
    assert_eq!(
        got.granted_scopes(),
        ["Calendars.ReadWrite", "MailboxSettings.Read"]
    );

    // And a `scp` string that lacks one is the typed error.
    let narrow = MockServer::start().await;
    mount_answer(
        &narrow,
        ResponseTemplate::new(200)
            .set_body_json(ok_body(&jwt(json!({"scp": "Calendars.Read"})), None)),
    )
    .await;
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&narrow), "id", "secret"))
        .require::<(CalendarsRead, MailboxSettingsRead)>()
        .scope_check(ScopeCheck::JwtClaims)
        .build()
        .unwrap();
    let (missing, granted, _, _) = insufficient(cache.token().await.unwrap_err());
    assert_eq!(
        (missing, granted),
        (
            vec!["MailboxSettings.Read".to_owned()],
            vec!["Calendars.Read".to_owned()]
        )
    );
}

#[tokio::test]
async fn graph_default_scope_checked_from_the_response_points_to_jwt_claims() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_json(ok_body(
            &jwt(json!({"roles": ["Calendars.ReadWrite"]})),
            None,
        )),
    )
    .await;
    let cache = TokenCache::builder(
        ClientCredentials::new(token_url(&server), "id", "secret")
            .scope(wfm_auth::MICROSOFT_GRAPH_DEFAULT_SCOPE),
    )
    .require::<CalendarsReadWrite>()
    .build()
    .unwrap();
    let (missing, granted, source, message) = insufficient(cache.token().await.unwrap_err());
    assert_eq!(missing, ["Calendars.ReadWrite"]);
    assert_eq!(granted, ["https://graph.microsoft.com/.default"]);
    assert_eq!(source, GrantSource::AsRequested);
    assert!(message.contains("use `ScopeCheck::JwtClaims`"), "{message}");
}

#[tokio::test]
async fn an_opaque_token_under_jwt_claims_is_a_typed_error() {
    let server = MockServer::start().await;
    mount_answer(
        &server,
        ResponseTemplate::new(200).set_body_json(ok_body("opaque-token", None)),
    )
    .await;
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .require::<CalendarsRead>()
        .scope_check(ScopeCheck::JwtClaims)
        .build()
        .unwrap();
    let err = cache.token().await.unwrap_err();
    assert!(
        matches!(err, AuthError::GrantedScopesUnreadable { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("not a JWT"), "{err}");
}

#[tokio::test]
async fn the_check_runs_again_after_every_refresh() {
    let server = MockServer::start().await;
    // First token has the scope, the second (after expiry) lost it.
    Sequence::mount_with(&server, Duration::ZERO, |n| {
        let scope = if n == 1 {
            "workforce-management"
        } else {
            "users:readonly"
        };
        ok_body(&format!("token-{n}"), Some(scope))
    })
    .await;
    let clock = ManualClock::new();
    let cache = TokenCache::builder(ClientCredentials::new(token_url(&server), "id", "secret"))
        .require::<WfmReadonly>()
        .clock(clock.clone())
        .build()
        .unwrap();
    let first = cache.token().await.unwrap();
    assert_eq!(first.secret(), "token-1");

    clock.advance(Duration::from_secs(3600));
    let (missing, granted, _, _) = insufficient(cache.token().await.unwrap_err());
    assert_eq!(
        (missing, granted),
        (
            vec!["workforce-management:readonly".to_owned()],
            vec!["users:readonly".to_owned()]
        )
    );

    // The forced refresh after a 401 is checked too.
    let (missing, _, _, _) = insufficient(cache.refresh(&first).await.unwrap_err());
    assert_eq!(missing, ["workforce-management:readonly"]);
    assert_eq!(token_requests(&server).await, 3);
}

//! Platform quirks, against the SCIM stand-in of `wfm-sandbox`: Genesys Cloud (base path, quoted
//! ETags, 400 `invalidVers`, 25 per page, 403 advice) and CXone (no DELETE).

use std::sync::Arc;

use futures::TryStreamExt;
use serde_json::json;
use wfm_auth::StaticToken;
use wfm_sandbox::scim::ScimServiceProvider;
use wfm_sandbox::wiremock::MockServer;
use wfm_scim::filter::{AttrPath, Filter, PatchPath};
use wfm_scim::provision::{Provisioner, zendesk};
use wfm_scim::{
    BulkRequest, Client, Error, Flavor, ListQuery, PatchRequest, Resource, ScimType, User,
};

const TOKEN: &str = "sandbox-scim-token";

async fn setup(sandbox: Flavor, client: Flavor) -> (MockServer, ScimServiceProvider, Client) {
    let server = MockServer::start().await;
    let scim = ScimServiceProvider::mount(&server, sandbox)
        .await
        .require_fixed_token(TOKEN);
    let client = Client::builder(client, server.uri())
        .token_provider(Arc::new(StaticToken::new(TOKEN)))
        .build()
        .unwrap();
    (server, scim, client)
}

#[tokio::test]
async fn genesys_paths_quoted_versions_and_invalid_vers() {
    let (_server, scim, client) = setup(Flavor::GenesysCloud, Flavor::GenesysCloud).await;
    let created = client.create(&User::new("ada@example.com")).await.unwrap();
    let id = created.id.clone().unwrap();
    let v1 = created.version().unwrap().to_owned();
    assert_eq!(v1, "1", "the Genesys stand-in keeps meta.version bare");
    assert_eq!(
        scim.requests(),
        vec!["POST /api/v2/scim/v2/users".to_owned()]
    );

    // The bare version is quoted on the way out, so the server accepts it.
    let bump = PatchRequest::new().replace(PatchPath::parse("displayName").unwrap(), json!("Ada"));
    let patched = client
        .modify::<User>(&id, Some(&v1), &bump)
        .await
        .unwrap()
        .expect("Genesys answers 200 with the user");
    assert_eq!(patched.display_name.as_deref(), Some("Ada"));

    // A stale version: Genesys answers 400 invalidVers, which is the same typed conflict as 412.
    for err in [
        client
            .modify::<User>(&id, Some(&v1), &bump)
            .await
            .unwrap_err(),
        client.replace(&created).await.unwrap_err(),
        client.delete::<User>(&id, Some(&v1)).await.unwrap_err(),
    ] {
        assert!(matches!(err, Error::VersionConflict(_)), "{err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
        assert_eq!(err.scim_type(), Some(&ScimType::InvalidVers));
    }
    let current: User = client.get(&id).await.unwrap();
    client.delete::<User>(&id, current.version()).await.unwrap();
    assert!(scim.users().is_empty());
}

#[tokio::test]
async fn genesys_pages_default_to_25_and_lack_bulk_and_search() {
    let (_server, scim, client) = setup(Flavor::GenesysCloud, Flavor::GenesysCloud).await;
    for i in 0..30 {
        scim.insert_user(json!({"userName": format!("agent-{i:02}"), "active": true}));
    }
    scim.insert_user(json!({"userName": "gone", "active": false}));
    let all: Vec<User> = client.list(ListQuery::new()).try_collect().await.unwrap();
    assert_eq!(all.len(), 30, "Genesys lists active users only by default");
    let gets: Vec<String> = scim.requests();
    assert_eq!(gets.len(), 2, "25 + 5: {gets:?}");
    let inactive: Vec<User> = client
        .list(ListQuery::new().filter(Filter::eq(AttrPath::parse("active").unwrap(), false)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(inactive.len(), 1);

    let before = scim.requests().len();
    let search: Result<Vec<User>, Error> = client.search(ListQuery::new()).try_collect().await;
    assert!(matches!(search, Err(Error::Unsupported { .. })));
    let bulk = client
        .bulk(&BulkRequest::new().create("a", &User::new("b")).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(bulk, Error::Unsupported { .. }) && bulk.nothing_sent(),
        "{bulk}"
    );
    assert_eq!(scim.requests().len(), before, "refused locally");
}

#[tokio::test]
async fn genesys_403_says_roles_not_scopes() {
    let (_server, scim, client) = setup(Flavor::GenesysCloud, Flavor::GenesysCloud).await;
    scim.forbid(true);
    let err = client
        .create(&User::new("ada@example.com"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Forbidden { .. }), "{text}");
    for needle in [
        "missing.permissions",
        "directory:user:add",
        "SCIM Integration",
        "not scopes",
        "scim:readonly",
        "sandbox-403",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from: {text}");
    }
    assert!(err.is_fatal());
}

#[tokio::test]
async fn cxone_has_no_delete_so_deactivate() {
    let (_server, scim, client) = setup(Flavor::Cxone, Flavor::Cxone).await;
    let created = client.create(&User::new("ada@example.com")).await.unwrap();
    let id = created.id.clone().unwrap();

    let err = client
        .delete::<User>(&id, created.version())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unsupported {
                flavor: Flavor::Cxone,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("deactivate"), "{err}");
    assert!(
        !scim.requests().iter().any(|r| r.starts_with("DELETE")),
        "nothing sent: {:?}",
        scim.requests()
    );

    let user = client
        .deactivate(&id, created.version())
        .await
        .unwrap()
        .expect("the patched user");
    assert_eq!(user.active, Some(false));
    assert_eq!(scim.users()[0]["active"], false);
    assert!(
        scim.requests()
            .contains(&format!("PATCH /scim/v2/Users/{id}"))
    );

    // A generic client that does not know CXone gets a typed 405 that points to deactivate.
    let server_uri = _server.uri();
    let generic = Client::builder(Flavor::Generic, format!("{server_uri}/scim/v2"))
        .token_provider(Arc::new(StaticToken::new(TOKEN)))
        .build()
        .unwrap();
    let err = generic.delete::<User>(&id, None).await.unwrap_err();
    assert!(matches!(err, Error::MethodNotAllowed(_)), "{err}");
    assert!(err.to_string().contains("deactivate"));
    assert_eq!(scim.users().len(), 1);
}

#[tokio::test]
async fn a_malformed_filter_never_reaches_the_server() {
    let (_server, scim, client) = setup(Flavor::Generic, Flavor::Generic).await;
    // The generic stand-in lives under /v2.
    let client = Client::from_transport(
        wfm_http::Transport::builder(format!("{}/v2/", _server.uri()))
            .token_provider(Arc::new(StaticToken::new(TOKEN)))
            .build()
            .unwrap(),
        client.flavor(),
    );
    for raw in [
        r#"userName zz "x""#,
        r#"userName eq "x" or"#,
        "emails[type eq \"work\"",
        r#"userName eq "unterminated"#,
    ] {
        let r: Result<Vec<User>, Error> = client
            .list(ListQuery::new().filter_str(raw))
            .try_collect()
            .await;
        assert!(matches!(r, Err(Error::Filter(_))), "{raw}");
    }
    assert!(scim.requests().is_empty(), "{:?}", scim.requests());
}

#[tokio::test]
async fn provisioning_against_genesys_is_idempotent_and_stops_on_403() {
    let (_server, scim, client) = setup(Flavor::GenesysCloud, Flavor::GenesysCloud).await;
    let rows = zendesk::read_export(
        serde_json::to_vec(&json!({"users": [
            {"id": 1, "name": "Ada Lovelace", "email": "ada@example.com", "role": "agent", "time_zone": "Paris"},
            {"id": 2, "name": "Grace Hopper", "email": "grace@example.com", "role": "admin", "active": false},
            {"id": 3, "name": "Bad Row", "email": "", "role": "agent"}
        ]}))
        .unwrap()
        .as_slice(),
    )
    .unwrap();
    let provisioner = Provisioner::new(client.clone());
    let first = provisioner
        .run_zendesk(rows.clone(), &zendesk::Options::default())
        .await;
    assert_eq!(
        (
            first.created,
            first.updated,
            first.unchanged,
            first.failed.len()
        ),
        (2, 0, 0, 1),
        "{first:?}"
    );
    // Grace is inactive: Genesys hides inactive users from unfiltered lists, but the
    // externalId search still finds her, so the second run is a no-op too.
    let second = provisioner
        .run_zendesk(rows.clone(), &zendesk::Options::default())
        .await;
    assert_eq!(
        (second.created, second.updated, second.unchanged),
        (0, 0, 2),
        "{second:?}"
    );
    assert_eq!(scim.users().len(), 2);
    assert_eq!(scim.users()[0]["timezone"], "Europe/Paris");

    scim.forbid(true);
    let third = provisioner
        .run_zendesk(rows, &zendesk::Options::default())
        .await;
    let aborted = third.aborted.as_deref().unwrap_or_default();
    assert!(aborted.contains("SCIM Integration"), "{third:?}");
    assert_eq!(
        third.not_processed, 1,
        "the run stops after the first 403: {third:?}"
    );
}

/// Genesys user grants: a token cache that requires the typed `Scim` scope refuses a token
/// granted only `scim:readonly` before any SCIM request leaves, naming what is missing; once the
/// scope is granted the same client works.
#[tokio::test]
async fn a_token_without_the_scim_scope_is_refused_before_any_scim_request() {
    use wfm_auth::{AuthError, ClientCredentials, TokenCache};
    use wfm_sandbox::TokenEndpoint;
    use wfm_scim::scopes::Scim;

    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    tokens.grant_scope(Some("scim:readonly users"));
    let scim = ScimServiceProvider::mount(&server, Flavor::GenesysCloud).await;
    let cache = TokenCache::builder(ClientCredentials::new(
        format!("{}/oauth/token", server.uri()),
        "client-id",
        "client-secret-never-shown",
    ))
    .require::<(Scim,)>()
    .build()
    .unwrap();
    let client = Client::builder(Flavor::GenesysCloud, server.uri())
        .token_provider(Arc::new(cache))
        .build()
        .unwrap();

    let err = client
        .create(&User::new("ada@example.com"))
        .await
        .unwrap_err();
    let Error::Transport(wfm_http::Error::Auth(AuthError::InsufficientScope {
        missing,
        granted,
        ..
    })) = &err
    else {
        panic!("expected InsufficientScope, got {err:?}")
    };
    assert_eq!(missing, &["scim"]);
    assert_eq!(granted, &["scim:readonly", "users"]);
    assert!(err.is_fatal(), "a provisioning run stops on it");
    let message = err.to_string();
    assert!(message.contains("scim"), "{message}");
    assert!(!message.contains("client-secret-never-shown"), "{message}");
    assert!(scim.requests().is_empty(), "no SCIM request was sent");

    tokens.grant_scope(Some("scim users"));
    tokens.expire_all();
    let created = client.create(&User::new("ada@example.com")).await.unwrap();
    assert_eq!(created.user_name.as_deref(), Some("ada@example.com"));
    assert_eq!(
        scim.requests(),
        vec!["POST /api/v2/scim/v2/users".to_owned()]
    );
}

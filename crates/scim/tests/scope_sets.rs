//! A SCIM client's scope set is its platform's: the set the compiler checks each call against
//! and the set each token is checked against cannot differ. (That a `Client<Scim>` cannot be
//! made from a `Platform<ScimReadonly>` is a `compile_fail` doc test on `Client`.)

use wfm_auth::scope::genesys::{Scim, ScimReadonly, Users};
use wfm_auth::{ClientCredentials, ErrorMetadata, RolesDecide, TokenCache};
use wfm_http::Platform;
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::scim::ScimServiceProvider;
use wfm_sandbox::wiremock::MockServer;
use wfm_scim::{Client, Flavor, User};

fn credentials(server: &MockServer) -> ClientCredentials {
    ClientCredentials::new(
        format!("{}/oauth/token", server.uri()),
        "client-id",
        "client-secret",
    )
}

#[tokio::test]
async fn the_cache_checks_exactly_the_clients_scope_set_whatever_the_builder_declared() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    tokens.grant_scope(Some("scim:readonly users"));
    let scim = ScimServiceProvider::mount(&server, Flavor::GenesysCloud)
        .await
        .require_token(&tokens);

    // The builder was told a narrower set than the client's; the platform replaces it by `Scim`.
    let platform = Platform::<Scim>::builder()
        .token_cache(TokenCache::builder(credentials(&server)).require::<ScimReadonly>())
        .build()
        .unwrap();
    let cache = platform.token_cache().unwrap();
    assert_eq!(
        cache
            .required_scopes()
            .requirements()
            .iter()
            .map(|r| r.name())
            .collect::<Vec<_>>(),
        ["scim"]
    );
    let client = Client::new(&platform, Flavor::GenesysCloud, server.uri()).unwrap();
    let err = client
        .create(&User::new("ada@example.com"))
        .await
        .unwrap_err();
    assert_eq!(
        err.missing_scopes(),
        Some(&["scim".to_owned()][..]),
        "{err}"
    );
    assert!(scim.requests().is_empty(), "no SCIM request was sent");

    // A read-only platform's client reads with the same grant.
    let platform = Platform::<(ScimReadonly, Users)>::builder()
        .credentials(credentials(&server))
        .build()
        .unwrap();
    let client = Client::new(&platform, Flavor::GenesysCloud, server.uri()).unwrap();
    let config = client.service_provider_config().await;
    assert!(config.is_ok(), "{config:?}");
}

#[tokio::test]
async fn roles_decide_checks_no_scope_and_every_endpoint_compiles() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    tokens.grant_scope(None);
    let _scim = ScimServiceProvider::mount(&server, Flavor::GenesysCloud)
        .await
        .require_token(&tokens);
    let platform = Platform::<RolesDecide>::builder()
        .credentials(credentials(&server))
        .build()
        .unwrap();
    assert!(platform.required_scopes().requirements().is_empty());
    let client = Client::new(&platform, Flavor::GenesysCloud, server.uri()).unwrap();
    let created = client
        .create(&User::new("grace@example.com"))
        .await
        .unwrap();
    assert_eq!(created.user_name.as_deref(), Some("grace@example.com"));
}

//! One sandbox world: a real `wfm_auth::TokenCache` (client credentials) gets its tokens from the
//! sandbox token endpoint, and the stand-ins on the same server accept exactly those tokens.

use std::sync::Arc;

use serde_json::json;
use wfm_auth::{ClientCredentials, StaticToken, TokenCache, TokenProvider};
use wfm_sandbox::scim::{Flavor, ScimServiceProvider};
use wfm_sandbox::wiremock::matchers::path;
use wfm_sandbox::wiremock::{Mock, MockServer, ResponseTemplate};
use wfm_sandbox::{Faults, TokenEndpoint};
use wfm_scim::{Client, Error, User};

const SECRET: &str = "client-secret-never-shown";

async fn world(flavor: Flavor) -> (MockServer, TokenEndpoint, ScimServiceProvider, TokenCache) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let scim = ScimServiceProvider::mount(&server, flavor)
        .await
        .require_token(&tokens);
    let cache = TokenCache::builder(ClientCredentials::new(tokens.url(), "client-id", SECRET))
        .build()
        .unwrap();
    (server, tokens, scim, cache)
}

fn scim_client(
    flavor: Flavor,
    scim: &ScimServiceProvider,
    tokens: Arc<dyn TokenProvider>,
) -> Client {
    Client::builder(flavor, scim.base_url())
        .token_provider(tokens)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_token_cache_token_creates_and_reads_a_user_on_every_flavour() {
    for flavor in [Flavor::Generic, Flavor::GenesysCloud, Flavor::Cxone] {
        let (_server, tokens, scim, cache) = world(flavor).await;
        let cache = Arc::new(cache);
        let client = scim_client(flavor, &scim, cache.clone());

        let created = client.create(&User::new("ada@example.com")).await.unwrap();
        let id = created.id.clone().unwrap();
        let read: User = client.get(&id).await.unwrap();
        assert_eq!(
            read.user_name.as_deref(),
            Some("ada@example.com"),
            "{flavor:?}"
        );
        assert_eq!(read.id.as_deref(), Some(id.as_str()));
        assert_eq!(scim.users().len(), 1);

        // One token, from the sandbox endpoint, by the client-credentials grant, used twice.
        let issued = tokens.issued();
        assert_eq!(issued.len(), 1, "{flavor:?}");
        assert_eq!(issued[0].grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(
            cache.cached().unwrap().secret(),
            issued[0].access_token,
            "the cache holds the token the endpoint issued"
        );
        assert_eq!(scim.requests().len(), 2);
    }
}

#[tokio::test]
async fn tokens_the_endpoint_did_not_issue_are_refused_with_401() {
    let (server, tokens, scim, cache) = world(Flavor::GenesysCloud).await;
    let good = cache.token().await.unwrap();
    let users = format!("{}/users", scim.base_url());
    let body =
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada"});
    let http = reqwest::Client::new();

    // A forged token, a token shaped like the endpoint's but never issued, and no token at all.
    for bearer in [Some("forged"), Some("sandbox-token-999"), None] {
        let mut request = http.post(&users).json(&body);
        if let Some(b) = bearer {
            request = request.bearer_auth(b);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 401, "{bearer:?}");
        let challenge = answer.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            challenge.contains("invalid_token"),
            bearer.is_some(),
            "{challenge}"
        );
        let json: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(json["code"], "bad.credentials", "the Genesys shape");
    }
    assert!(scim.users().is_empty(), "nothing was created");

    // The same refusal through the real client, with a fixed token of its own.
    let forged = scim_client(
        Flavor::GenesysCloud,
        &scim,
        Arc::new(StaticToken::new("forged")),
    );
    let err = forged
        .create(&User::new("ada@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));

    // The issued token is accepted, whatever the case of the scheme (RFC 9110 §11.1).
    let answer = http
        .post(&users)
        .header("authorization", format!("BEARER {}", good.secret()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);

    // Faults on the same server accept the same tokens and refuse the others.
    let api = Faults::new(ResponseTemplate::new(200)).require_token(&tokens);
    Mock::given(path("/api/v2/users/me"))
        .respond_with(api.clone())
        .mount(&server)
        .await;
    let me = format!("{}/api/v2/users/me", server.uri());
    let ok = http
        .get(&me)
        .bearer_auth(good.secret())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let refused = http.get(&me).bearer_auth("forged").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(api.requests(), 2);
}

#[tokio::test]
async fn after_the_endpoint_expires_its_tokens_the_cache_gets_a_new_one_on_401() {
    let (_server, tokens, scim, cache) = world(Flavor::Cxone).await;
    let client = scim_client(Flavor::Cxone, &scim, Arc::new(cache));
    let created = client.create(&User::new("ada@example.com")).await.unwrap();
    let id = created.id.clone().unwrap();
    let first = tokens.issued()[0].access_token.clone();

    tokens.expire_all();
    assert!(!tokens.is_valid(&first));
    let read: User = client.get(&id).await.unwrap();
    assert_eq!(read.user_name.as_deref(), Some("ada@example.com"));

    let issued = tokens.issued();
    assert_eq!(issued.len(), 2, "one refresh after the 401");
    assert_ne!(issued[1].access_token, first);
    assert!(tokens.is_valid(&issued[1].access_token));
    // POST, then GET refused with the expired token, then GET with the new one.
    assert_eq!(scim.requests().len(), 3, "{:?}", scim.requests());
}

#[tokio::test]
async fn debug_output_never_shows_tokens_or_client_secrets() {
    let (_server, tokens, scim, cache) = world(Flavor::Generic).await;
    let token = cache.token().await.unwrap();
    let api = Faults::new(ResponseTemplate::new(200)).require_token(&tokens);
    let shown = format!(
        "{tokens:?} {:?} {scim:?} {api:?} {:#?}",
        tokens.issued(),
        tokens.issued()
    );
    assert!(!shown.contains(token.secret()), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("client_credentials"), "{shown}");
}

#[tokio::test]
async fn the_fixed_token_option_accepts_that_token_only() {
    let server = MockServer::start().await;
    let scim = ScimServiceProvider::mount(&server, Flavor::Generic)
        .await
        .require_fixed_token("T");
    assert_eq!(scim.base_url(), format!("{}/v2", server.uri()));
    let http = reqwest::Client::new();
    let users = format!("{}/Users", scim.base_url());
    assert_eq!(
        http.get(&users)
            .bearer_auth("T")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        http.get(&users)
            .bearer_auth("U")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert!(!format!("{scim:?}").contains("\"T\""));
}

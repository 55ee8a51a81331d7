//! NICE CXone's real connection flow for back-end apps: the token endpoint from OpenID discovery,
//! the access-key password grant, the tenant from the `id_token`, and the API host from CXone's
//! own discovery document.
//!
//! NICE documents it in "Your first app"
//! (<https://developer.niceincontact.com/Documentation/YourFirstApp>): discover the
//! authentication endpoint (`{issuer}/.well-known/openid-configuration`, `token_endpoint`),
//! authenticate with the app's client id and secret (HTTP Basic) and the API user's access key
//! (`grant_type=password`, `username` = access key id, `password` = access key secret), read the
//! tenant (`tenantId` claim of the `id_token`), then discover the API endpoint
//! (`{issuer}/.well-known/cxone-configuration?tenantId=...`, `api_endpoint`). Access-key tokens
//! carry no scopes (the API user's security profile decides), so the platform is a
//! `Platform<RolesDecide>`.
//!
//! ```no_run
//! use cxone_wfm::discovery::{AccessKey, CXONE_ISSUER, connect};
//! use wfm_http::{Platform, RateLimit};
//!
//! # async fn demo() -> Result<(), cxone_wfm::Error> {
//! let key = AccessKey::new("app-client-id", "app-client-secret", "ACCESS-KEY-ID", "access-key-secret");
//! let builder = Platform::builder().rate_limit(RateLimit::per_second(10));
//! let (platform, endpoints) = connect(CXONE_ISSUER, key, builder).await?;
//! println!("tenant {} on {}", endpoints.tenant_id, endpoints.api_endpoint);
//! let api = platform.transport(endpoints.api_endpoint.as_str())?;
//! # let _ = api; Ok(()) }
//! ```

use base64::Engine as _;
use serde::Deserialize;
use wfm_auth::{PasswordGrant, RolesDecide, Secret, TokenProvider};
use wfm_http::{Method, Platform, PlatformBuilder, Transport};

use crate::error::Error;

/// NICE CXone's global issuer.
pub const CXONE_ISSUER: &str = "https://cxone.niceincontact.com";
/// NICE CXone's FedRAMP (government) issuer.
pub const CXONE_GOV_ISSUER: &str = "https://cxone-gov.niceincontact.com";

/// What discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// The OAuth token endpoint.
    pub token_endpoint: String,
    /// The tenant, from the `id_token`.
    pub tenant_id: String,
    /// The tenant's API host (`https://api-na1.niceincontact.com`).
    pub api_endpoint: String,
    /// The tenant's area (`na1`), if the document says.
    pub area: Option<String>,
}

/// A back-end app's credentials: the registered app's client id and secret, and an API user's
/// access key. `Debug` never shows the secrets.
#[derive(Debug, Clone)]
pub struct AccessKey {
    client_id: String,
    client_secret: Secret,
    key_id: String,
    key_secret: Secret,
}

impl AccessKey {
    /// The app's client id and secret, and the access key id and secret.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        key_id: impl Into<String>,
        key_secret: impl Into<Secret>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            key_id: key_id.into(),
            key_secret: key_secret.into(),
        }
    }

    /// The password grant at `token_endpoint` (client id and secret in a Basic header).
    pub fn grant(&self, token_endpoint: &str) -> PasswordGrant {
        PasswordGrant::cxone_access_key(
            token_endpoint,
            self.client_id.clone(),
            self.client_secret.clone(),
            self.key_id.clone(),
            self.key_secret.clone(),
        )
    }
}

#[derive(Deserialize)]
struct OpenIdConfiguration {
    token_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct CxoneConfiguration {
    api_endpoint: Option<String>,
    area: Option<String>,
}

fn discovery_error(what: String) -> Error {
    Error::Discovery(what)
}

fn unauthenticated(issuer: &str) -> Result<Transport, Error> {
    Ok(Transport::builder(issuer).build()?)
}

/// `GET {issuer}/.well-known/openid-configuration` → `token_endpoint`.
pub async fn token_endpoint(issuer: &str) -> Result<String, Error> {
    let doc: OpenIdConfiguration = unauthenticated(issuer)?
        .request(Method::GET, &[".well-known", "openid-configuration"])
        .send_json()
        .await?;
    doc.token_endpoint.ok_or_else(|| {
        discovery_error(format!(
            "{issuer}/.well-known/openid-configuration has no token_endpoint: check the issuer URL"
        ))
    })
}

/// `GET {issuer}/.well-known/cxone-configuration?tenantId=...` → `api_endpoint` and `area`.
pub async fn api_endpoint(
    issuer: &str,
    tenant_id: &str,
) -> Result<(String, Option<String>), Error> {
    let doc: CxoneConfiguration = unauthenticated(issuer)?
        .request(Method::GET, &[".well-known", "cxone-configuration"])
        .query("tenantId", tenant_id)
        .send_json()
        .await?;
    let api = doc.api_endpoint.ok_or_else(|| {
        discovery_error(format!(
            "the cxone-configuration of tenant {tenant_id} has no api_endpoint"
        ))
    })?;
    Ok((api, doc.area))
}

/// The `tenantId` claim of a JWT `id_token` (read without verifying the signature: this is the
/// client reading its own token).
///
/// ```
/// use base64::Engine as _;
/// let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"tenantId":"11e7-abc"}"#);
/// let jwt = format!("eyJhbGciOiJub25lIn0.{payload}.sig");
/// assert_eq!(cxone_wfm::discovery::tenant_id_of(&jwt).as_deref(), Some("11e7-abc"));
/// assert_eq!(cxone_wfm::discovery::tenant_id_of("not-a-jwt"), None);
/// ```
pub fn tenant_id_of(id_token: &str) -> Option<String> {
    let payload = id_token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims["tenantId"].as_str().map(str::to_owned)
}

/// The whole flow: discover the token endpoint under `issuer` ([`CXONE_ISSUER`]), build a
/// platform from `builder` with the access-key grant, obtain a token, read the tenant from its
/// `id_token`, and discover the tenant's API host. Returns the platform (its token cache holds
/// the token) and what was found.
pub async fn connect(
    issuer: &str,
    key: AccessKey,
    builder: PlatformBuilder<RolesDecide>,
) -> Result<(Platform<RolesDecide>, Endpoints), Error> {
    let issuer = issuer.trim_end_matches('/');
    let token_endpoint = token_endpoint(issuer).await?;
    let platform = builder.credentials(key.grant(&token_endpoint)).build()?;
    let tokens = platform
        .tokens()
        .ok_or_else(|| discovery_error("the platform has no token source".into()))?;
    let token = tokens.token().await.map_err(wfm_http::Error::from)?;
    let tenant_id = token
        .extra()
        .get("id_token")
        .and_then(|v| v.as_str())
        .and_then(tenant_id_of)
        .ok_or_else(|| {
            discovery_error(
                "the token response has no id_token with a tenantId claim: check that the token endpoint is CXone's"
                    .into(),
            )
        })?;
    let (api_endpoint, area) = api_endpoint(issuer, &tenant_id).await?;
    Ok((
        platform,
        Endpoints {
            token_endpoint,
            tenant_id,
            api_endpoint,
            area,
        },
    ))
}

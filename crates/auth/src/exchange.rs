//! One token request: the `oauth2` crate builds and parses it, our reqwest 0.13 client sends it.
//! `oauth2` 5 ships glue for reqwest 0.12 only, so the bridge is its async-function HTTP client.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RequestTokenError,
    ResourceOwnerPassword, ResourceOwnerUsername, StandardRevocableToken, TokenResponse as _,
    TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::credentials::{ClientAuth, Credentials};
use crate::error::AuthError;

/// Longest body excerpt kept in [`AuthError::UnexpectedResponse`].
const EXCERPT_CHARS: usize = 200;

/// The most of a token endpoint's answer read (64 KiB): a token response is far smaller.
pub(crate) const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

/// The token response's fields beyond RFC 6749's, kept for the caller.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ExtraFields(#[serde(default)] serde_json::Map<String, serde_json::Value>);

impl oauth2::ExtraTokenFields for ExtraFields {}

type TokenResponse = oauth2::StandardTokenResponse<ExtraFields, BasicTokenType>;

type OAuthClient = oauth2::Client<
    EndpointError,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What a successful token request returned.
pub(crate) struct Issued {
    pub(crate) secret: String,
    pub(crate) expires_in: Option<Duration>,
    /// The response's `scope`, if present.
    pub(crate) scope: Option<Vec<String>>,
    /// The response's other fields.
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

enum Grant {
    ClientCredentials,
    Password {
        username: ResourceOwnerUsername,
        password: ResourceOwnerPassword,
    },
}

/// Sends token requests for one set of credentials.
pub(crate) struct Exchanger {
    client: OAuthClient,
    grant: Grant,
    scopes: Vec<oauth2::Scope>,
    http: reqwest::Client,
    token_url: String,
}

impl Exchanger {
    pub(crate) fn new(credentials: &Credentials, http: reqwest::Client) -> Result<Self, AuthError> {
        let token_url =
            TokenUrl::new(credentials.token_url().to_owned()).map_err(|e| AuthError::Config {
                detail: format!(
                    "the token URL `{}` does not parse ({e}); give an absolute https URL",
                    credentials.token_url()
                ),
            })?;
        let (client_id, client_secret, auth, grant) = match credentials {
            Credentials::ClientCredentials(c) => (
                &c.client_id,
                c.client_secret.expose(),
                c.auth,
                Grant::ClientCredentials,
            ),
            Credentials::Password(p) => (
                &p.client_id,
                p.client_secret.expose(),
                p.auth,
                Grant::Password {
                    username: ResourceOwnerUsername::new(p.username.clone()),
                    password: ResourceOwnerPassword::new(p.password.expose().to_owned()),
                },
            ),
        };
        let client = oauth2::Client::new(ClientId::new(client_id.clone()))
            .set_client_secret(ClientSecret::new(client_secret.to_owned()))
            .set_auth_type(match auth {
                ClientAuth::BasicHeader => AuthType::BasicAuth,
                ClientAuth::RequestBody => AuthType::RequestBody,
            })
            .set_token_uri(token_url);
        let scopes = credentials
            .requested_scopes()
            .iter()
            .cloned()
            .map(oauth2::Scope::new)
            .collect();
        Ok(Self {
            client,
            grant,
            scopes,
            http,
            token_url: credentials.token_url().to_owned(),
        })
    }

    /// Sends one token request and reads the answer.
    pub(crate) async fn request(&self) -> Result<Issued, AuthError> {
        // The future owns what it uses (a client handle and the response slot), so that it is
        // `Send` for any borrow of the closure.
        let meta = Arc::new(OnceLock::new());
        let send =
            |request: oauth2::HttpRequest| send(self.http.clone(), Arc::clone(&meta), request);
        let scopes = self.scopes.iter().cloned();
        let result = match &self.grant {
            Grant::ClientCredentials => {
                self.client
                    .exchange_client_credentials()
                    .add_scopes(scopes)
                    .request_async(&send)
                    .await
            }
            Grant::Password { username, password } => {
                self.client
                    .exchange_password(username, password)
                    .add_scopes(scopes)
                    .request_async(&send)
                    .await
            }
        };
        match result {
            Ok(response) => Ok(Issued {
                secret: response.access_token().secret().clone(),
                expires_in: response.expires_in(),
                scope: response
                    .scopes()
                    .map(|s| s.iter().map(|s| s.to_string()).collect()),
                extra: response.extra_fields().0.clone(),
            }),
            Err(error) => Err(classify(error, meta.get(), &self.token_url)),
        }
    }
}

/// Status, content type and (for errors) the start of the body of the token response.
struct ResponseMeta {
    status: u16,
    content_type: Option<String>,
    excerpt: String,
}

/// The bridge: `oauth2`'s `http::Request<Vec<u8>>` through our reqwest 0.13 client.
async fn send(
    http: reqwest::Client,
    meta: Arc<OnceLock<ResponseMeta>>,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, BridgeError> {
    let mut request = reqwest::Request::try_from(request)?;
    request.timeout_mut().get_or_insert(Duration::from_secs(30));
    let mut response = http.execute(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_capped(&mut response).await?;
    let _ = meta.set(ResponseMeta {
        status: status.as_u16(),
        content_type: headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from),
        // Never keep a success body: it holds the token.
        excerpt: if status.is_success() {
            String::new()
        } else {
            excerpt(&body)
        },
    });
    let mut out = http::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

/// A token endpoint's answer, read up to [`MAX_TOKEN_RESPONSE`] bytes.
pub(crate) async fn read_capped(response: &mut reqwest::Response) -> Result<Vec<u8>, BridgeError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_TOKEN_RESPONSE as u64)
    {
        return Err(BridgeError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_TOKEN_RESPONSE {
            return Err(BridgeError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The typed error of an OAuth error answer (RFC 6749 §5.2): its `error` code and description.
pub(crate) fn oauth_error(status: u16, code: &str, description: Option<String>) -> AuthError {
    match code {
        "invalid_client" => AuthError::InvalidClient {
            status,
            description,
        },
        "invalid_grant" => AuthError::InvalidGrant {
            status,
            description,
        },
        "invalid_scope" => AuthError::InvalidScope {
            status,
            description,
        },
        "unauthorized_client" => AuthError::UnauthorizedClient {
            status,
            description,
        },
        _ => AuthError::TokenEndpoint {
            status,
            error: code.to_owned(),
            description,
        },
    }
}

/// What the bridge to reqwest can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BridgeError {
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    #[error("the answer is larger than {MAX_TOKEN_RESPONSE} bytes")]
    TooLarge,
}

pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Turns `oauth2`'s error into ours, with the status the bridge saw.
fn classify(
    error: RequestTokenError<BridgeError, EndpointError>,
    meta: Option<&ResponseMeta>,
    token_url: &str,
) -> AuthError {
    let status = meta.map_or(0, |m| m.status);
    let unexpected = || match meta {
        Some(m) => AuthError::UnexpectedResponse {
            status: m.status,
            content_type: m.content_type.clone(),
            body_excerpt: m.excerpt.clone(),
        },
        None => AuthError::MalformedResponse {
            detail: "no response was received".into(),
        },
    };
    match error {
        RequestTokenError::ServerResponse(e) => {
            let description = e.description();
            match e.error.as_deref() {
                Some(code) if !code.is_empty() => oauth_error(status, code, description),
                _ => unexpected(),
            }
        }
        RequestTokenError::Request(BridgeError::TooLarge) => AuthError::ResponseTooLarge {
            limit: MAX_TOKEN_RESPONSE,
        },
        RequestTokenError::Request(BridgeError::Http(e)) => AuthError::Transport {
            detail: transport_detail(&e, token_url),
            source: Arc::new(e.without_url()),
        },
        RequestTokenError::Parse(e, _body) if status == 200 => {
            // The serde path and message only, never the body (it holds the token).
            AuthError::MalformedResponse {
                detail: e.to_string(),
            }
        }
        RequestTokenError::Other(detail) if status == 200 => {
            if meta.is_some_and(|m| {
                m.content_type
                    .as_deref()
                    .is_some_and(|c| !c.contains("json"))
            }) {
                unexpected()
            } else {
                AuthError::MalformedResponse { detail }
            }
        }
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => unexpected(),
    }
}

fn transport_detail(e: &reqwest::Error, token_url: &str) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "reading the response failed"
    } else {
        "request failed"
    };
    let mut detail = format!("POST {token_url} {kind}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    detail
}

/// A token endpoint's JSON error body, read leniently: RFC 6749 §5.2 `error` and
/// `error_description`, and Genesys Cloud's `description`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct EndpointError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

impl EndpointError {
    fn description(&self) -> Option<String> {
        [&self.error_description, &self.description]
            .into_iter()
            .flatten()
            .find(|d| !d.trim().is_empty())
            .cloned()
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error.as_deref().unwrap_or("(no error code)"))?;
        if let Some(d) = self.description() {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl oauth2::ErrorResponse for EndpointError {}

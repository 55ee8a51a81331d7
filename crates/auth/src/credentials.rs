//! Credentials for the token endpoint: OAuth2 client credentials and the password grant.
//! Hand them to [`TokenCache::builder`](crate::TokenCache::builder); for a ready-made token use [`StaticToken`](crate::StaticToken).

use std::fmt;

use crate::secret::Secret;

/// The token endpoint of Microsoft Entra ID, with `{tenant}` to fill in.
pub const MICROSOFT_TOKEN_URL: &str =
    "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";

/// The scope a Microsoft Graph client-credentials request asks for: every application permission
/// consented for the app registration.
pub const MICROSOFT_GRAPH_DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";

/// The global NICE CXone token endpoint (the `token_endpoint` of
/// `https://cxone.niceincontact.com/.well-known/openid-configuration`; the FedRAMP issuer is
/// `https://cxone-gov.niceincontact.com`).
pub const CXONE_TOKEN_URL: &str = "https://cxone.niceincontact.com/auth/token";

/// How the client id and secret reach the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (`client_secret_basic`).
    /// Genesys Cloud and NICE CXone expect this.
    #[default]
    BasicHeader,
    /// `client_id` and `client_secret` as form fields (`client_secret_post`). Microsoft Entra ID
    /// documents this form.
    RequestBody,
}

/// The OAuth2 client-credentials grant (RFC 6749 §4.4): a service acting as itself.
///
/// Genesys Cloud: `https://login.{region domain}/oauth/token`, Basic header, no scope (client
/// credentials tokens carry none: roles and divisions decide). Microsoft Graph:
/// [`ClientCredentials::microsoft_graph`].
///
/// ```
/// use wfm_auth::{ClientAuth, ClientCredentials};
/// let genesys = ClientCredentials::new(
///     "https://login.mypurecloud.de/oauth/token",
///     "3f1c0d4e-client-id",
///     "the-client-secret",
/// )
/// .auth_style(ClientAuth::BasicHeader);
/// assert!(!format!("{genesys:?}").contains("the-client-secret"));
/// ```
#[derive(Clone)]
pub struct ClientCredentials {
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) auth: ClientAuth,
    pub(crate) scopes: Vec<String>,
}

impl ClientCredentials {
    /// Credentials for `token_url`, sent in a Basic header unless [`auth_style`](Self::auth_style)
    /// says otherwise. The URL is checked when the cache is built.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            auth: ClientAuth::default(),
            scopes: Vec::new(),
        }
    }

    /// Microsoft Graph application access: the Entra ID v2 token endpoint of `tenant` (an id or a
    /// verified domain), secret in the form body, scope `https://graph.microsoft.com/.default`.
    /// Check the granted application permissions with
    /// [`ScopeCheck::JwtClaims`](crate::ScopeCheck::JwtClaims) (they are in the `roles` claim).
    pub fn microsoft_graph(
        tenant: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        Self::new(
            MICROSOFT_TOKEN_URL.replace("{tenant}", tenant),
            client_id,
            client_secret,
        )
        .auth_style(ClientAuth::RequestBody)
        .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE)
    }

    /// How to send the client id and secret.
    pub fn auth_style(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Adds a scope to the token request's `scope` parameter (sent space-separated; none by default).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scopes the token request asks for.
    pub fn requested_scopes(&self) -> &[String] {
        &self.scopes
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("auth", &self.auth)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl fmt::Display for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "client credentials of `{}` at {} (secret {})",
            self.client_id, self.token_url, self.client_secret
        )
    }
}

/// The OAuth2 resource-owner password grant (RFC 6749 §4.3), as NICE CXone uses it for back-end
/// apps: the client id and secret of the registered app in a Basic header, and the API user's
/// access key as `username` (access key id) and `password` (access key secret).
///
/// ```
/// use wfm_auth::PasswordGrant;
/// let cxone = PasswordGrant::cxone_access_key(
///     wfm_auth::CXONE_TOKEN_URL,
///     "app-client-id",
///     "app-client-secret",
///     "ACCESS-KEY-ID",
///     "access-key-secret=",
/// );
/// let shown = format!("{cxone:?} {cxone}");
/// assert!(!shown.contains("app-client-secret") && !shown.contains("access-key-secret="));
/// ```
#[derive(Clone)]
pub struct PasswordGrant {
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) auth: ClientAuth,
    pub(crate) username: String,
    pub(crate) password: Secret,
    pub(crate) scopes: Vec<String>,
}

impl PasswordGrant {
    /// A password grant at `token_url`; the client id and secret go in a Basic header unless
    /// [`auth_style`](Self::auth_style) says otherwise.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            auth: ClientAuth::BasicHeader,
            username: username.into(),
            password: password.into(),
            scopes: Vec::new(),
        }
    }

    /// NICE CXone back-end app: `token_url` from the discovery document (usually
    /// [`CXONE_TOKEN_URL`]), the app's client id and secret (Basic header), and an access key
    /// of the API user (Admin > Employees > Access Keys). Characters such as `=` in the key are
    /// form-encoded on the wire.
    pub fn cxone_access_key(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<Secret>,
    ) -> Self {
        Self::new(
            token_url,
            client_id,
            client_secret,
            access_key_id,
            access_key_secret,
        )
    }

    /// How to send the client id and secret.
    pub fn auth_style(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Adds a scope to the token request's `scope` parameter (none by default).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The username (CXone: the access key id, an identifier, not a secret).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The scopes the token request asks for.
    pub fn requested_scopes(&self) -> &[String] {
        &self.scopes
    }
}

impl fmt::Debug for PasswordGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordGrant")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("auth", &self.auth)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl fmt::Display for PasswordGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "password grant of `{}` for `{}` at {} (secrets {})",
            self.client_id, self.username, self.token_url, self.password
        )
    }
}

/// Any credentials a [`TokenCache`](crate::TokenCache) can exchange for tokens.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// The client-credentials grant.
    ClientCredentials(ClientCredentials),
    /// The password grant (NICE CXone access keys).
    Password(PasswordGrant),
}

impl Credentials {
    /// The token endpoint.
    pub fn token_url(&self) -> &str {
        match self {
            Self::ClientCredentials(c) => &c.token_url,
            Self::Password(p) => &p.token_url,
        }
    }

    /// The scopes the token request asks for.
    pub fn requested_scopes(&self) -> &[String] {
        match self {
            Self::ClientCredentials(c) => &c.scopes,
            Self::Password(p) => &p.scopes,
        }
    }

    /// The OAuth `grant_type`.
    pub fn grant_type(&self) -> &'static str {
        match self {
            Self::ClientCredentials(_) => "client_credentials",
            Self::Password(_) => "password",
        }
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ClientCredentials(c) => c.fmt(f),
            Self::Password(p) => p.fmt(f),
        }
    }
}

impl From<ClientCredentials> for Credentials {
    fn from(value: ClientCredentials) -> Self {
        Self::ClientCredentials(value)
    }
}

impl From<PasswordGrant> for Credentials {
    fn from(value: PasswordGrant) -> Self {
        Self::Password(value)
    }
}

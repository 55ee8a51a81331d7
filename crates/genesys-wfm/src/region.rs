//! Where an org lives: the official regions' API hosts, a custom base URL, and the login (OAuth)
//! host derived from the API host the way the official SDKs derive it.
//!
//! The list is the official SDKs' region list (`PureCloudRegionHosts` in the Python, Java, .NET
//! and JavaScript SDKs; regions: <https://help.mypurecloud.com/articles/aws-regions-for-genesys-cloud-deployment/>). There is no guessing:
//! a region that is not in the list (a new one, a gateway, a test server) is a custom base URL.
//! To find an org's region, look at the address you log in at (`apps.mypurecloud.de` is
//! `eu-central-1`), or ask the org's admin (Admin > Organization Settings).

use std::fmt;

use wfm_http::Url;

use crate::error::Error;

macro_rules! regions {
    ($( $(#[$meta:meta])* $Variant:ident = ($sdk:literal, $aws:literal, $domain:literal); )+) => {
        /// A Genesys Cloud region of the official SDKs' list.
        ///
        /// ```
        /// use genesys_wfm::Region;
        /// let r: Region = "eu-central-1".parse().unwrap();
        /// assert_eq!(r, Region::EuCentral1);
        /// assert_eq!(r.api_host(), "api.mypurecloud.de");
        /// assert_eq!(r.login_host(), "login.mypurecloud.de");
        /// assert_eq!(Region::ALL.len(), 18);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Region {
            $( $(#[$meta])* $Variant, )+
        }

        impl Region {
            /// Every region, in the official SDKs' order.
            pub const ALL: &'static [Region] = &[$(Region::$Variant),+];

            /// The SDKs' enum key (`eu_central_1`).
            pub const fn sdk_name(self) -> &'static str {
                match self { $(Region::$Variant => $sdk,)+ }
            }

            /// The AWS-style name (`eu-central-1`), as the Genesys CLI spells it.
            pub const fn aws_name(self) -> &'static str {
                match self { $(Region::$Variant => $aws,)+ }
            }

            /// The region's domain (`mypurecloud.de`).
            pub const fn domain(self) -> &'static str {
                match self { $(Region::$Variant => $domain,)+ }
            }
        }
    };
}

regions! {
    /// us-east-1 (Virginia).
    UsEast1 = ("us_east_1", "us-east-1", "mypurecloud.com");
    /// eu-west-1 (Dublin).
    EuWest1 = ("eu_west_1", "eu-west-1", "mypurecloud.ie");
    /// ap-southeast-2 (Sydney).
    ApSoutheast2 = ("ap_southeast_2", "ap-southeast-2", "mypurecloud.com.au");
    /// ap-northeast-1 (Tokyo).
    ApNortheast1 = ("ap_northeast_1", "ap-northeast-1", "mypurecloud.jp");
    /// eu-central-1 (Frankfurt).
    EuCentral1 = ("eu_central_1", "eu-central-1", "mypurecloud.de");
    /// us-west-2 (Oregon).
    UsWest2 = ("us_west_2", "us-west-2", "usw2.pure.cloud");
    /// ca-central-1 (Canada).
    CaCentral1 = ("ca_central_1", "ca-central-1", "cac1.pure.cloud");
    /// ap-northeast-2 (Seoul).
    ApNortheast2 = ("ap_northeast_2", "ap-northeast-2", "apne2.pure.cloud");
    /// eu-west-2 (London).
    EuWest2 = ("eu_west_2", "eu-west-2", "euw2.pure.cloud");
    /// ap-south-1 (Mumbai).
    ApSouth1 = ("ap_south_1", "ap-south-1", "aps1.pure.cloud");
    /// us-east-2 (FedRAMP).
    UsEast2 = ("us_east_2", "us-east-2", "use2.us-gov-pure.cloud");
    /// sa-east-1 (São Paulo).
    SaEast1 = ("sa_east_1", "sa-east-1", "sae1.pure.cloud");
    /// me-central-1 (UAE).
    MeCentral1 = ("me_central_1", "me-central-1", "mec1.pure.cloud");
    /// ap-northeast-3 (Osaka).
    ApNortheast3 = ("ap_northeast_3", "ap-northeast-3", "apne3.pure.cloud");
    /// eu-central-2 (Zurich).
    EuCentral2 = ("eu_central_2", "eu-central-2", "euc2.pure.cloud");
    /// mx-central-1 (Mexico).
    MxCentral1 = ("mx_central_1", "mx-central-1", "mxc1.pure.cloud");
    /// ap-southeast-1 (Singapore).
    ApSoutheast1 = ("ap_southeast_1", "ap-southeast-1", "apse1.pure.cloud");
    /// eusc-de-east-1 (EU Sovereign Cloud, Germany).
    EuscDeEast1 = ("eusc_de_east_1", "eusc-de-east-1", "edee1.eusc-pure.cloud");
}

impl Region {
    /// The API host (`api.mypurecloud.de`).
    pub fn api_host(self) -> String {
        format!("api.{}", self.domain())
    }

    /// The login (OAuth) host (`login.mypurecloud.de`).
    pub fn login_host(self) -> String {
        format!("login.{}", self.domain())
    }

    /// The region's [`Environment`].
    pub fn environment(self) -> Environment {
        Environment::from(self)
    }

    /// The region whose API host, login host or domain `host` is, if any.
    pub fn from_host(host: &str) -> Option<Region> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let domain = host
            .strip_prefix("api.")
            .or_else(|| host.strip_prefix("login."))
            .unwrap_or(&host);
        Region::ALL.iter().copied().find(|r| r.domain() == domain)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}

impl std::str::FromStr for Region {
    type Err = Error;

    /// Reads `eu-central-1`, `eu_central_1`, `mypurecloud.de` or `api.mypurecloud.de`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim();
        Region::ALL
            .iter()
            .copied()
            .find(|r| t.eq_ignore_ascii_case(r.aws_name()) || t.eq_ignore_ascii_case(r.sdk_name()))
            .or_else(|| Region::from_host(t))
            .ok_or_else(|| {
                Error::Config(format!(
                    "{s:?} is not a Genesys Cloud region of the official list ({}); give the org's API base URL instead (for example https://api.mypurecloud.de)",
                    Region::ALL
                        .iter()
                        .map(|r| r.aws_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }
}

/// An org's API base URL and login (OAuth) URL: a [`Region`], or a custom base URL (a gateway, a
/// new region, a local stand-in).
///
/// The login URL is derived as the official SDKs derive it: the API base URL with its `//api.`
/// label replaced by `//login.`; a base URL without an `api.` label is its own login URL. Override
/// it with [`with_login_url`](Self::with_login_url).
///
/// ```
/// use genesys_wfm::{Environment, Region};
/// let de = Environment::from(Region::EuCentral1);
/// assert_eq!(de.api_url().as_str(), "https://api.mypurecloud.de/");
/// assert_eq!(de.token_url().as_str(), "https://login.mypurecloud.de/oauth/token");
///
/// let local = Environment::custom("http://127.0.0.1:8080").unwrap();
/// assert_eq!(local.token_url().as_str(), "http://127.0.0.1:8080/oauth/token");
/// assert_eq!(local.region(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    api: Url,
    login: Url,
    region: Option<Region>,
}

impl Environment {
    /// A custom API base URL (`https://api.mypurecloud.de`, `http://127.0.0.1:PORT`), the root
    /// the SDK appends `/api/v2/...` to. Its region is recognised when its host is one of the
    /// list's.
    pub fn custom(api_base_url: &str) -> Result<Self, Error> {
        let api = parse_base(api_base_url)?;
        let login = derive_login(&api)?;
        let region = api.host_str().and_then(Region::from_host);
        Ok(Self { api, login, region })
    }

    /// Read a region name (`eu-central-1`, `eu_central_1`) or an API base URL.
    pub fn parse(region_or_url: &str) -> Result<Self, Error> {
        if region_or_url.contains("://") {
            Self::custom(region_or_url)
        } else {
            region_or_url.parse::<Region>().map(Self::from)
        }
    }

    /// The same environment with another login URL (the origin `/oauth/token` is appended to).
    pub fn with_login_url(mut self, login_url: &str) -> Result<Self, Error> {
        self.login = parse_base(login_url)?;
        Ok(self)
    }

    /// The API base URL (`https://api.mypurecloud.de/`).
    pub fn api_url(&self) -> &Url {
        &self.api
    }

    /// The root of the API's version 2 (`https://api.mypurecloud.de/api/v2/`).
    pub fn api_v2_url(&self) -> Url {
        self.api
            .join("api/v2/")
            .expect("a base URL joins a relative path")
    }

    /// The login URL (`https://login.mypurecloud.de/`).
    pub fn login_url(&self) -> &Url {
        &self.login
    }

    /// The OAuth token endpoint (`https://login.mypurecloud.de/oauth/token`), for
    /// `wfm_auth::ClientCredentials::new`.
    pub fn token_url(&self) -> Url {
        self.login
            .join("oauth/token")
            .expect("a base URL joins a relative path")
    }

    /// The official region, when the API host is one of the list's.
    pub fn region(&self) -> Option<Region> {
        self.region
    }
}

impl From<Region> for Environment {
    fn from(region: Region) -> Self {
        let api = Url::parse(&format!("https://{}/", region.api_host())).expect("a valid host");
        let login = Url::parse(&format!("https://{}/", region.login_host())).expect("a valid host");
        Self {
            api,
            login,
            region: Some(region),
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.region {
            Some(r) => write!(f, "{r} ({})", self.api.host_str().unwrap_or_default()),
            None => write!(f, "{}", self.api),
        }
    }
}

/// Something that names an [`Environment`]: a [`Region`], an `Environment`, or a string (a
/// region name or an API base URL, see [`Environment::parse`]).
pub trait IntoEnvironment {
    /// The environment, or [`Error::Config`] saying why the value names none.
    fn into_environment(self) -> Result<Environment, Error>;
}

impl IntoEnvironment for Region {
    fn into_environment(self) -> Result<Environment, Error> {
        Ok(self.into())
    }
}
impl IntoEnvironment for Environment {
    fn into_environment(self) -> Result<Environment, Error> {
        Ok(self)
    }
}
impl IntoEnvironment for &Environment {
    fn into_environment(self) -> Result<Environment, Error> {
        Ok(self.clone())
    }
}
impl IntoEnvironment for &str {
    fn into_environment(self) -> Result<Environment, Error> {
        Environment::parse(self)
    }
}
impl IntoEnvironment for String {
    fn into_environment(self) -> Result<Environment, Error> {
        Environment::parse(&self)
    }
}
impl IntoEnvironment for &String {
    fn into_environment(self) -> Result<Environment, Error> {
        Environment::parse(self)
    }
}
impl IntoEnvironment for Url {
    fn into_environment(self) -> Result<Environment, Error> {
        Environment::custom(self.as_str())
    }
}

/// Parses an absolute http(s) URL and makes its path end with `/` (so joins append).
fn parse_base(s: &str) -> Result<Url, Error> {
    let mut url = Url::parse(s.trim()).map_err(|e| {
        Error::Config(format!(
            "{s:?} is not an absolute URL ({e}); give for example https://api.mypurecloud.de"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::Config(format!("{s:?} is not an http(s) URL")));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The SDKs' rule: a host whose first label is `api` gets `login` instead (`//api.` becomes
/// `//login.`); without an `api.` label the base URL is its own login URL.
fn derive_login(api: &Url) -> Result<Url, Error> {
    let Some(host) = api.host_str() else {
        return Ok(api.clone());
    };
    match host.get(..4) {
        Some(label) if label.eq_ignore_ascii_case("api.") => {
            let mut login = api.clone();
            login
                .set_host(Some(&format!("login.{}", &host[4..])))
                .map_err(|e| {
                    Error::Config(format!("cannot derive the login host of {api}: {e}"))
                })?;
            Ok(login)
        }
        _ => Ok(api.clone()),
    }
}

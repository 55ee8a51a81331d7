//! Platform flavours: where a platform mounts SCIM, how it spells its endpoints and ETags, what it
//! leaves out (CXone has no DELETE), and what a 403 from it means.

use std::fmt;

use url::Url;

/// Which SCIM service provider the client talks to.
///
/// | | [`Generic`](Flavor::Generic) | [`GenesysCloud`](Flavor::GenesysCloud) | [`Cxone`](Flavor::Cxone) |
/// |---|---|---|---|
/// | base path appended to the host | none (give the full base URL) | `/api/v2/scim/v2` | `/scim/v2` |
/// | endpoints | `Users`, `Groups`, `ServiceProviderConfig`, ... | lower case (`users`, `serviceproviderconfig`, ...) as in Genesys's API reference | RFC casing |
/// | version conflict | 412, or 400 `invalidVers` | 400 `invalidVers` | 412, or 400 `invalidVers` |
/// | default page size | the server's | 25 (larger pages may be answered 429) | the server's |
/// | DELETE | yes | yes | **no**: [`Client::delete`](crate::Client::delete) is refused locally; use [`Client::deactivate`](crate::Client::deactivate) |
/// | `/Bulk`, `POST /.search` | yes | **no** (not in Genesys's API reference): refused locally | yes |
///
/// `If-Match` always carries an entity tag: a `meta.version` that is already one (`W/"3"`,
/// `"42"`) is sent as is, a bare one (`42`) is quoted (`"42"`), which is what Genesys expects.
///
/// New platforms may be added in a minor release, so a `match` on a `Flavor` outside this crate
/// needs a wildcard arm:
///
/// ```compile_fail,E0004
/// fn name(f: wfm_scim::Flavor) -> &'static str {
///     match f {
///         wfm_scim::Flavor::Generic => "generic",
///         wfm_scim::Flavor::GenesysCloud => "genesys",
///         wfm_scim::Flavor::Cxone => "cxone",
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Flavor {
    /// Any RFC 7644 service provider; the base URL is used as given.
    #[default]
    Generic,
    /// Genesys Cloud (`https://api.{region}/api/v2/scim/v2`).
    GenesysCloud,
    /// NICE CXone (`https://{api host}/scim/v2`).
    Cxone,
}

impl Flavor {
    /// The path the platform mounts SCIM under, relative to its API host (`""` for
    /// [`Generic`](Flavor::Generic)).
    pub fn base_path(self) -> &'static str {
        match self {
            Flavor::Generic => "",
            Flavor::GenesysCloud => "/api/v2/scim/v2",
            Flavor::Cxone => "/scim/v2",
        }
    }

    /// The SCIM base URL for `url`: the flavour's [`base_path`](Self::base_path) is appended
    /// unless `url` already ends with it; query and fragment are dropped.
    ///
    /// ```
    /// use wfm_scim::Flavor;
    /// let host = "https://api.mypurecloud.de".parse().unwrap();
    /// assert_eq!(Flavor::GenesysCloud.base_url(&host).as_str(), "https://api.mypurecloud.de/api/v2/scim/v2/");
    /// let full = "https://api.mypurecloud.de/api/v2/scim/v2/".parse().unwrap();
    /// assert_eq!(Flavor::GenesysCloud.base_url(&full).as_str(), "https://api.mypurecloud.de/api/v2/scim/v2/");
    /// ```
    pub fn base_url(self, url: &Url) -> Url {
        let mut url = url.clone();
        url.set_query(None);
        url.set_fragment(None);
        let path = url.path().trim_end_matches('/').to_owned();
        let prefix = self.base_path();
        let path = if prefix.is_empty() || path.to_ascii_lowercase().ends_with(prefix) {
            path
        } else {
            format!("{path}{prefix}")
        };
        url.set_path(&format!("{path}/"));
        url
    }

    /// The endpoint name of a resource type or discovery document as this platform spells it
    /// (`"Users"` → `"users"` on Genesys Cloud).
    pub fn endpoint(self, rfc_name: &'static str) -> &'static str {
        if self != Flavor::GenesysCloud {
            return rfc_name;
        }
        match rfc_name {
            "Users" => "users",
            "Groups" => "groups",
            "ServiceProviderConfig" => "serviceproviderconfig",
            "ResourceTypes" => "resourcetypes",
            "Schemas" => "schemas",
            other => other,
        }
    }

    /// The page size used when a query sets none (`Some(25)` on Genesys Cloud, whose API
    /// reference warns that larger pages may exceed internal limits and answer 429).
    pub fn default_count(self) -> Option<u32> {
        match self {
            Flavor::GenesysCloud => Some(25),
            _ => None,
        }
    }

    /// The `If-Match` value for a `meta.version`: sent as is when it is already an entity tag,
    /// quoted otherwise.
    ///
    /// ```
    /// use wfm_scim::Flavor;
    /// assert_eq!(Flavor::GenesysCloud.if_match("42"), "\"42\"");
    /// assert_eq!(Flavor::Generic.if_match("W/\"3\""), "W/\"3\"");
    /// ```
    pub fn if_match(self, version: &str) -> String {
        let v = version.trim();
        let is_tag =
            (v.starts_with("W/\"") || v.starts_with('"')) && v.ends_with('"') && v.len() >= 2;
        if is_tag || v == "*" {
            v.to_owned()
        } else {
            // An ETag cannot hold a `"`; drop any so the header stays one entity tag.
            format!("\"{}\"", v.replace('"', ""))
        }
    }

    /// Why an operation is not offered on this platform, if it is not: `(what, what to do)`.
    pub(crate) fn unsupported(self, op: Operation) -> Option<&'static str> {
        match (self, op) {
            (Flavor::Cxone, Operation::Delete) => Some(
                "CXone has no DELETE for SCIM users; use Client::deactivate (PATCH active=false) instead",
            ),
            (Flavor::GenesysCloud, Operation::Bulk) => Some(
                "Genesys Cloud's SCIM API has no /Bulk endpoint (it is not in its API reference); send the operations one by one",
            ),
            (Flavor::GenesysCloud, Operation::Search) => Some(
                "Genesys Cloud's SCIM API has no POST /.search endpoint; use Client::list (GET with a filter) instead",
            ),
            _ => None,
        }
    }

    /// What this platform needs from the caller's credentials when it answers 403 to `method`.
    pub fn forbidden_advice(self, method: &str) -> String {
        match self {
            Flavor::GenesysCloud => {
                let permission = match method {
                    "POST" => "directory:user:add",
                    "PUT" | "PATCH" => "directory:user:edit",
                    "DELETE" => "directory:user:delete",
                    _ => "directory:user:add, directory:user:edit, directory:user:delete",
                };
                format!(
                    "Genesys Cloud decides SCIM access by roles, not scopes: a client-credentials OAuth client \
                     gets no scopes, so give its role the SCIM permissions ({permission}; the built-in \
                     \"SCIM Integration\" role has them) in the divisions of the users, then get a new token. \
                     With a user grant (code or PKCE), the OAuth client also needs the scope `scim` \
                     (`scim:readonly` for reads) and the user needs the same permissions. There is no \
                     `scim:users:write` scope."
                )
            }
            Flavor::Cxone => "CXone refused the call: the user behind the access key needs a security role that \
                 may view, create and edit users, and SCIM must be enabled for the tenant (ask NICE support \
                 if it is not); then get a new token."
                .to_owned(),
            Flavor::Generic => "the service provider refused the call although the token was accepted: the \
                 credential lacks the rights this operation needs; check the roles or scopes the SCIM service \
                 provider documents for provisioning."
                .to_owned(),
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavor::Generic => "a generic SCIM service provider",
            Flavor::GenesysCloud => "Genesys Cloud",
            Flavor::Cxone => "NICE CXone",
        })
    }
}

impl std::str::FromStr for Flavor {
    type Err = String;
    /// `generic`, `genesys` (or `genesys-cloud`), `cxone`; case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "generic" | "rfc7644" => Ok(Flavor::Generic),
            "genesys" | "genesys-cloud" | "genesyscloud" => Ok(Flavor::GenesysCloud),
            "cxone" | "nice-cxone" => Ok(Flavor::Cxone),
            other => Err(format!(
                "unknown SCIM flavour {other:?}; use generic, genesys or cxone"
            )),
        }
    }
}

/// The operations whose availability depends on the flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Delete,
    Bulk,
    Search,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let u = |s: &str| s.parse::<Url>().unwrap();
        assert_eq!(
            Flavor::Cxone
                .base_url(&u("https://api-c32.nice-incontact.com"))
                .as_str(),
            "https://api-c32.nice-incontact.com/scim/v2/"
        );
        assert_eq!(
            Flavor::Cxone.base_url(&u("https://h/scim/v2")).as_str(),
            "https://h/scim/v2/"
        );
        assert_eq!(
            Flavor::Generic
                .base_url(&u("http://127.0.0.1:8080/v2?x=1"))
                .as_str(),
            "http://127.0.0.1:8080/v2/"
        );
        assert_eq!(
            Flavor::GenesysCloud
                .base_url(&u("https://api.mypurecloud.ie/"))
                .as_str(),
            "https://api.mypurecloud.ie/api/v2/scim/v2/"
        );
    }

    #[test]
    fn if_match_quoting() {
        assert_eq!(Flavor::GenesysCloud.if_match("\"42\""), "\"42\"");
        assert_eq!(Flavor::GenesysCloud.if_match("42"), "\"42\"");
        assert_eq!(Flavor::Generic.if_match("W/\"1\""), "W/\"1\"");
        assert_eq!(Flavor::Generic.if_match("a\"b"), "\"ab\"");
        assert_eq!(Flavor::Generic.if_match("*"), "*");
    }

    #[test]
    fn forbidden_advice_names_the_fix() {
        let g = Flavor::GenesysCloud.forbidden_advice("POST");
        assert!(
            g.contains("directory:user:add")
                && g.contains("SCIM Integration")
                && g.contains("not scopes")
        );
        assert!(Flavor::Cxone.forbidden_advice("GET").contains("CXone"));
    }
}

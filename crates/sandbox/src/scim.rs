//! A stateful SCIM 2.0 service provider (Users) on a [`MockServer`], with the quirks of Genesys
//! Cloud and NICE CXone, for tests and examples that must not touch a real tenant.
//!
//! Its flavour is the client's own [`wfm_scim::Flavor`] (re-exported here as [`Flavor`]), so the
//! stand-in and a [`wfm_scim::Client`] are set up with the same value. It belongs to the sandbox
//! world: [`require_token`](ScimServiceProvider::require_token) makes it accept exactly the
//! tokens a [`TokenEndpoint`] on the same server issued (and still holds valid), so a real
//! `wfm_auth::TokenCache` pointed at [`TokenEndpoint::url`] gets tokens it can use here.
//!
//! ```
//! use wfm_sandbox::TokenEndpoint;
//! use wfm_sandbox::scim::{Flavor, ScimServiceProvider};
//! use wiremock::MockServer;
//!
//! # async fn demo() {
//! let server = MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! let scim = ScimServiceProvider::mount(&server, Flavor::GenesysCloud)
//!     .await
//!     .require_token(&tokens);
//! let http = reqwest::Client::new();
//! let token: serde_json::Value = http
//!     .post(tokens.url())
//!     .form(&[("grant_type", "client_credentials")])
//!     .send()
//!     .await
//!     .unwrap()
//!     .json()
//!     .await
//!     .unwrap();
//! let user = serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada"});
//! let users = format!("{}/users", scim.base_url());
//! let forged = http.post(&users).bearer_auth("made-up").json(&user).send().await.unwrap();
//! assert_eq!(forged.status(), 401);
//! let created = http
//!     .post(&users)
//!     .bearer_auth(token["access_token"].as_str().unwrap())
//!     .json(&user)
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(created.status(), 201);
//! assert_eq!(created.headers()["etag"], "\"1\"");
//! assert_eq!(scim.users().len(), 1);
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo());
//! ```
//!
//! What it serves, under the flavour's base path: `ServiceProviderConfig`, `ResourceTypes`,
//! `Schemas`, and `Users` (list with `filter`/`startIndex`/`count`, create, get, replace, PATCH,
//! delete; `POST /Users/.search` except on Genesys). Filters support `eq`, `ne`, `co`, `sw`,
//! `ew`, `pr`, `and`, `or`, and value paths in PATCH (`emails[type eq "work"].value`). `userName`
//! is unique (case-insensitively): a duplicate is 409 `uniqueness`. Groups and Bulk are not
//! served (501).
//!
//! | | [`Generic`](Flavor::Generic) (and any flavour added later) | [`GenesysCloud`](Flavor::GenesysCloud) | [`Cxone`](Flavor::Cxone) |
//! |---|---|---|---|
//! | base path ([`base_path`]) | `/v2` | `/api/v2/scim/v2` (endpoints matched case-insensitively: `users`) | `/scim/v2` |
//! | `ETag` / `meta.version` | `W/"n"` / `W/"n"` | `"n"` / `n` (bare: the client must quote it) | `W/"n"` / `W/"n"` |
//! | stale `If-Match` | 412 | **400 `invalidVers`** | 412 |
//! | DELETE | 204 | 204 | **405** (deactivate with `active: false` instead) |
//! | list without `count` | all | 25 per page, and only active users unless the filter names `active` | all |
//! | 403 ([`forbid`](ScimServiceProvider::forbid)) | SCIM error | Genesys body: `code` `missing.permissions` | SCIM error |

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{TokenEndpoint, bearer_token, lock};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

pub use wfm_scim::Flavor;

/// The path the stand-in serves `flavor` under: `/api/v2/scim/v2` for Genesys Cloud,
/// `/scim/v2` for CXone, `/v2` for [`Flavor::Generic`] and for any flavour `wfm-scim` adds
/// later (they are served as generic RFC 7644).
///
/// Unlike [`Flavor::base_path`] (empty for `Generic`, whose URL the caller gives in full), the
/// stand-in needs a path of its own for every flavour; [`ScimServiceProvider::base_url`] is the
/// URL to give a client.
pub fn base_path(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::GenesysCloud => "/api/v2/scim/v2",
        Flavor::Cxone => "/scim/v2",
        _ => "/v2",
    }
}

/// How requests must authenticate.
#[derive(Clone)]
enum Auth {
    /// Anything goes.
    Open,
    /// Exactly this bearer token.
    Fixed(String),
    /// A bearer token the endpoint issued and still holds valid.
    Issued(TokenEndpoint),
}

impl Auth {
    fn accepts(&self, bearer: Option<&str>) -> bool {
        match self {
            Auth::Open => true,
            Auth::Fixed(token) => bearer == Some(token.as_str()),
            Auth::Issued(tokens) => bearer.is_some_and(|b| tokens.is_valid(b)),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token itself.
        f.write_str(match self {
            Auth::Open => "Open",
            Auth::Fixed(_) => "Fixed(<redacted>)",
            Auth::Issued(_) => "IssuedBy(TokenEndpoint)",
        })
    }
}

/// The stand-in; cheap to clone, clones share state.
///
/// Its `Debug` shows the flavour, the base URL, how requests authenticate and how many users are
/// stored, never a token.
#[derive(Clone)]
pub struct ScimServiceProvider {
    state: Arc<State>,
}

struct State {
    flavor: Flavor,
    base_url: String,
    store: Mutex<Store>,
    auth: Mutex<Auth>,
    forbidden: Mutex<bool>,
    log: Mutex<Vec<String>>,
}

impl fmt::Debug for ScimServiceProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScimServiceProvider")
            .field("flavor", &self.state.flavor)
            .field("base_url", &self.state.base_url)
            .field("auth", &*lock(&self.state.auth))
            .field("users", &lock(&self.state.store).users.len())
            .field("forbidden", &*lock(&self.state.forbidden))
            .finish()
    }
}

#[derive(Debug, Default)]
struct Store {
    users: Vec<Value>,
    next_id: u64,
    next_version: u64,
}

/// An answer in the making: status, body, extra headers.
type Answer = (u16, Option<Value>, Vec<(&'static str, String)>);

impl ScimServiceProvider {
    /// Mount the stand-in on `server` under [`base_path`]`(flavor)`. It accepts every request
    /// until told otherwise with [`require_token`](Self::require_token).
    pub async fn mount(server: &MockServer, flavor: Flavor) -> Self {
        let sp = Self {
            state: Arc::new(State {
                flavor,
                base_url: format!("{}{}", server.uri(), base_path(flavor)),
                store: Mutex::new(Store::default()),
                auth: Mutex::new(Auth::Open),
                forbidden: Mutex::new(false),
                log: Mutex::new(Vec::new()),
            }),
        };
        let prefix = base_path(flavor).to_ascii_lowercase();
        Mock::given(move |req: &Request| {
            let p = req.url.path().to_ascii_lowercase();
            p == prefix || p.starts_with(&format!("{prefix}/"))
        })
        .respond_with(sp.clone())
        .mount(server)
        .await;
        sp
    }

    /// Answer 401 (in the platform's shape) to requests whose bearer token `tokens` did not
    /// issue, or issued but has since expired ([`TokenEndpoint::expire_all`]), exactly as
    /// [`Faults::require_token`](crate::Faults::require_token) does: the stand-ins of one server
    /// accept the same tokens, the ones a `wfm_auth::TokenCache` gets from [`TokenEndpoint::url`].
    pub fn require_token(self, tokens: &TokenEndpoint) -> Self {
        *lock(&self.state.auth) = Auth::Issued(tokens.clone());
        self
    }

    /// Answer 401 to requests without `Authorization: Bearer <token>`, for this one fixed token.
    ///
    /// Kept for tests that authenticate with a fixed token (a `wfm_auth::StaticToken`), such as
    /// `wfm-scim`'s platform-quirk tests; to test with a real token cache, prefer
    /// [`require_token`](Self::require_token).
    pub fn require_fixed_token(self, token: &str) -> Self {
        *lock(&self.state.auth) = Auth::Fixed(token.to_owned());
        self
    }

    /// Answer 403 (in the platform's shape) to every request while `on`.
    pub fn forbid(&self, on: bool) {
        *lock(&self.state.forbidden) = on;
    }

    /// The flavour.
    pub fn flavor(&self) -> Flavor {
        self.state.flavor
    }

    /// The SCIM base URL the stand-in serves, `{server}{base_path}` without a trailing slash
    /// (`http://127.0.0.1:PORT/api/v2/scim/v2` for Genesys Cloud): the URL to give a
    /// `wfm_scim::Client` of the same flavour.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The users stored, in creation order.
    pub fn users(&self) -> Vec<Value> {
        lock(&self.state.store).users.clone()
    }

    /// Store a user directly (no uniqueness check) and return it with `id` and `meta`.
    pub fn insert_user(&self, user: Value) -> Value {
        let mut store = lock(&self.state.store);
        let mut user = user;
        store.stamp(&mut user, self.state.flavor, "http://sandbox", None);
        store.users.push(user.clone());
        user
    }

    /// The requests received, as `METHOD /path` (no query string).
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.log).clone()
    }

    fn handle(&self, req: &Request) -> Answer {
        let flavor = self.state.flavor;
        let method = req.method.as_str().to_owned();
        let base = base_path(flavor);
        let rest = &req.url.path()[base.len().min(req.url.path().len())..];
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
        let origin = format!(
            "{}://{}",
            req.url.scheme(),
            req.url.host_str().unwrap_or("localhost")
        ) + &req.url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let location_base = format!("{origin}{base}/{}", users_endpoint(flavor));
        let body: Option<Value> = serde_json::from_slice(&req.body).ok();
        let if_match = header(req, "if-match");
        let query = |name: &str| {
            req.url
                .query_pairs()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.into_owned())
        };

        match (
            method.as_str(),
            lower
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
        ) {
            ("GET", ["serviceproviderconfig"]) => (200, Some(self.config()), vec![]),
            ("GET", ["resourcetypes"]) => {
                (200, Some(list(vec![resource_type(flavor)], 1, 1)), vec![])
            }
            ("GET", ["schemas"]) => (
                200,
                Some(list(
                    vec![json!({"id": USER_SCHEMA, "name": "User", "attributes": []})],
                    1,
                    1,
                )),
                vec![],
            ),
            ("GET", ["users"]) => {
                let start = query("startIndex")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1u64);
                let count = query("count").and_then(|s| s.parse().ok());
                self.list_users(query("filter").as_deref(), start, count)
            }
            ("POST", ["users", ".search"]) if flavor != Flavor::GenesysCloud => {
                let b = body.unwrap_or(Value::Null);
                let start = b["startIndex"].as_u64().unwrap_or(1);
                let count = b["count"].as_u64();
                self.list_users(b["filter"].as_str(), start, count)
            }
            ("POST", ["users"]) => match body {
                Some(Value::Object(user)) => self.create(Value::Object(user), &location_base),
                _ => error(400, Some("invalidSyntax"), "the body must be a JSON object"),
            },
            ("GET", ["users", _]) => match self.find(segments[1]) {
                Some(u) => ok_user(flavor, u, 200),
                None => not_found(segments[1]),
            },
            ("PUT", ["users", _]) => match body {
                Some(Value::Object(user)) => self.replace(
                    segments[1],
                    Value::Object(user),
                    if_match.as_deref(),
                    &location_base,
                ),
                _ => error(400, Some("invalidSyntax"), "the body must be a JSON object"),
            },
            ("PATCH", ["users", _]) => match body {
                Some(b) => self.patch(segments[1], &b, if_match.as_deref(), &location_base),
                None => error(400, Some("invalidSyntax"), "the body must be a PatchOp"),
            },
            ("DELETE", ["users", _]) if flavor == Flavor::Cxone => error(
                405,
                None,
                "DELETE is not supported; deactivate the user with PATCH active=false",
            ),
            ("DELETE", ["users", _]) => self.delete(segments[1], if_match.as_deref()),
            (_, ["groups", ..]) | (_, ["bulk", ..]) => {
                error(501, None, "the sandbox serves Users only")
            }
            _ => error(
                404,
                None,
                &format!("no such endpoint: {method} {}", req.url.path()),
            ),
        }
    }

    fn config(&self) -> Value {
        let genesys = self.state.flavor == Flavor::GenesysCloud;
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": if genesys { 25 } else { 200 }},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": true},
            "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token", "description": "sandbox"}]
        })
    }

    fn list_users(&self, filter: Option<&str>, start: u64, count: Option<u64>) -> Answer {
        let flavor = self.state.flavor;
        let parsed = match filter.map(parse_filter).transpose() {
            Ok(f) => f,
            Err(msg) => return error(400, Some("invalidFilter"), &msg),
        };
        let names_active = filter.is_some_and(|f| f.to_ascii_lowercase().contains("active"));
        let store = lock(&self.state.store);
        let matching: Vec<Value> = store
            .users
            .iter()
            .filter(|u| parsed.as_ref().is_none_or(|f| f.matches(u)))
            .filter(|u| {
                flavor != Flavor::GenesysCloud || names_active || u["active"] != json!(false)
            })
            .cloned()
            .collect();
        let total = matching.len() as u64;
        let count = count.or((flavor == Flavor::GenesysCloud).then_some(25));
        let start = start.max(1);
        let page: Vec<Value> = matching
            .into_iter()
            .skip((start - 1) as usize)
            .take(count.map_or(usize::MAX, |c| c as usize))
            .collect();
        (200, Some(list(page, total, start)), vec![])
    }

    fn create(&self, mut user: Value, location_base: &str) -> Answer {
        let flavor = self.state.flavor;
        let Some(name) = user["userName"].as_str().map(str::to_owned) else {
            return error(400, Some("invalidValue"), "userName is required");
        };
        let mut store = lock(&self.state.store);
        if store.user_name_taken(&name, None) {
            return error(
                409,
                Some("uniqueness"),
                &format!("userName {name:?} is already in use"),
            );
        }
        store.stamp(&mut user, flavor, location_base, None);
        store.users.push(user.clone());
        ok_user(flavor, user, 201)
    }

    fn replace(
        &self,
        id: &str,
        mut user: Value,
        if_match: Option<&str>,
        location_base: &str,
    ) -> Answer {
        let flavor = self.state.flavor;
        let mut store = lock(&self.state.store);
        let Some(i) = store.index(id) else {
            return not_found(id);
        };
        if let Some(answer) = version_check(flavor, &store.users[i], if_match) {
            return answer;
        }
        if let Some(name) = user["userName"].as_str()
            && store.user_name_taken(name, Some(id))
        {
            return error(
                409,
                Some("uniqueness"),
                &format!("userName {name:?} is already in use"),
            );
        }
        let created = store.users[i]["meta"]["created"].clone();
        if let Some(map) = user.as_object_mut() {
            map.insert("id".into(), json!(id));
        }
        store.stamp(&mut user, flavor, location_base, Some(created));
        store.users[i] = user.clone();
        ok_user(flavor, user, 200)
    }

    fn patch(&self, id: &str, body: &Value, if_match: Option<&str>, location_base: &str) -> Answer {
        let flavor = self.state.flavor;
        let mut store = lock(&self.state.store);
        let Some(i) = store.index(id) else {
            return not_found(id);
        };
        if let Some(answer) = version_check(flavor, &store.users[i], if_match) {
            return answer;
        }
        if !body["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == PATCH_SCHEMA))
        {
            return error(
                400,
                Some("invalidSyntax"),
                "schemas must hold the PatchOp URN",
            );
        }
        let Some(ops) = body["Operations"].as_array() else {
            return error(400, Some("invalidSyntax"), "Operations is required");
        };
        let mut user = store.users[i].clone();
        for op in ops {
            if let Err((scim_type, msg)) = apply_op(&mut user, op) {
                return error(400, Some(scim_type), &msg);
            }
        }
        if let Some(name) = user["userName"].as_str()
            && store.user_name_taken(name, Some(id))
        {
            return error(
                409,
                Some("uniqueness"),
                &format!("userName {name:?} is already in use"),
            );
        }
        let created = user["meta"]["created"].clone();
        store.stamp(&mut user, flavor, location_base, Some(created));
        store.users[i] = user.clone();
        ok_user(flavor, user, 200)
    }

    fn delete(&self, id: &str, if_match: Option<&str>) -> Answer {
        let flavor = self.state.flavor;
        let mut store = lock(&self.state.store);
        let Some(i) = store.index(id) else {
            return not_found(id);
        };
        if let Some(answer) = version_check(flavor, &store.users[i], if_match) {
            return answer;
        }
        store.users.remove(i);
        (204, None, vec![])
    }

    fn find(&self, id: &str) -> Option<Value> {
        let store = lock(&self.state.store);
        store.index(id).map(|i| store.users[i].clone())
    }
}

impl Respond for ScimServiceProvider {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        lock(&self.state.log).push(format!("{} {}", request.method, request.url.path()));
        let flavor = self.state.flavor;
        let auth = lock(&self.state.auth).clone();
        let bearer = bearer_token(request);
        if !auth.accepts(bearer.as_deref()) {
            let body = match flavor {
                Flavor::GenesysCloud => {
                    json!({"code": "bad.credentials", "message": "Invalid login credentials.", "status": 401})
                }
                _ => scim_error(
                    401,
                    None,
                    "Authorization failure: a valid bearer token is required",
                ),
            };
            // RFC 6750 §3: `error="invalid_token"` when a token was presented and refused.
            let challenge = match bearer {
                Some(_) => "Bearer realm=\"SCIM\", error=\"invalid_token\"",
                None => "Bearer realm=\"SCIM\"",
            };
            return respond((
                401,
                Some(body),
                vec![("www-authenticate", challenge.into())],
            ));
        }
        if *lock(&self.state.forbidden) {
            let method = request.method.as_str();
            let body = match flavor {
                Flavor::GenesysCloud => {
                    let permission = match method {
                        "POST" => "directory:user:add",
                        "DELETE" => "directory:user:delete",
                        _ => "directory:user:edit",
                    };
                    json!({
                        "message": format!("You are missing the following permission(s): {permission}"),
                        "code": "missing.permissions",
                        "status": 403,
                        "messageParams": {"permissions": permission},
                        "contextId": "sandbox-context"
                    })
                }
                _ => scim_error(
                    403,
                    None,
                    "Insufficient permissions to perform this operation.",
                ),
            };
            return respond((
                403,
                Some(body),
                vec![("inin-correlation-id", "sandbox-403".into())],
            ));
        }
        respond(self.handle(request))
    }
}

impl Store {
    fn index(&self, id: &str) -> Option<usize> {
        self.users.iter().position(|u| u["id"].as_str() == Some(id))
    }

    fn user_name_taken(&self, name: &str, except_id: Option<&str>) -> bool {
        self.users.iter().any(|u| {
            u["id"].as_str() != except_id
                && u["userName"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Give `user` an id (if new), a fresh version and `meta`; drop what the client may not set.
    fn stamp(
        &mut self,
        user: &mut Value,
        flavor: Flavor,
        location_base: &str,
        created: Option<Value>,
    ) {
        if !user.is_object() {
            *user = json!({});
        }
        let id = match user["id"].as_str() {
            Some(id) => id.to_owned(),
            None => {
                self.next_id += 1;
                match flavor {
                    Flavor::GenesysCloud => {
                        format!("6a5e1b2c-0000-4000-8000-{:012x}", self.next_id)
                    }
                    _ => format!("sandbox-user-{}", self.next_id),
                }
            }
        };
        self.next_version += 1;
        let now = rfc3339_now();
        let version = match flavor {
            Flavor::GenesysCloud => self.next_version.to_string(),
            _ => format!("W/\"{}\"", self.next_version),
        };
        let created = created
            .filter(|c| !c.is_null())
            .unwrap_or_else(|| json!(now));
        if let Some(map) = user.as_object_mut() {
            map.remove("password");
            map.insert("id".into(), json!(id));
            if !map.contains_key("schemas") {
                map.insert("schemas".into(), json!([USER_SCHEMA]));
            }
            if flavor != Flavor::GenesysCloud && !map.contains_key("active") {
                map.insert("active".into(), json!(true));
            }
            map.insert(
                "meta".into(),
                json!({
                    "resourceType": "User",
                    "created": created,
                    "lastModified": now,
                    "location": format!("{location_base}/{id}"),
                    "version": version,
                }),
            );
        }
    }
}

/// The `ETag` header for a stored user.
fn etag(flavor: Flavor, user: &Value) -> String {
    let v = user["meta"]["version"].as_str().unwrap_or_default();
    match flavor {
        Flavor::GenesysCloud => format!("\"{v}\""),
        _ => v.to_owned(),
    }
}

/// `None` when `if_match` is absent or matches; otherwise the flavour's conflict answer.
fn version_check(flavor: Flavor, user: &Value, if_match: Option<&str>) -> Option<Answer> {
    let given = if_match?.trim();
    let current = etag(flavor, user);
    if given == "*" || given == current {
        return None;
    }
    Some(match flavor {
        Flavor::GenesysCloud => error(
            400,
            Some("invalidVers"),
            &format!("The version {given} does not match the current version {current}"),
        ),
        _ => error(
            412,
            None,
            "Failed to update. Resource has changed on the server",
        ),
    })
}

fn ok_user(flavor: Flavor, user: Value, status: u16) -> Answer {
    let tag = etag(flavor, &user);
    let location = user["meta"]["location"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut headers = vec![("etag", tag)];
    if status == 201 {
        headers.push(("location", location));
    }
    (status, Some(user), headers)
}

fn not_found(id: &str) -> Answer {
    error(404, None, &format!("User {id:?} not found"))
}

fn error(status: u16, scim_type: Option<&str>, detail: &str) -> Answer {
    (status, Some(scim_error(status, scim_type, detail)), vec![])
}

fn scim_error(status: u16, scim_type: Option<&str>, detail: &str) -> Value {
    let mut body =
        json!({"schemas": [ERROR_SCHEMA], "status": status.to_string(), "detail": detail});
    if let Some(t) = scim_type {
        body["scimType"] = json!(t);
    }
    body
}

fn list(resources: Vec<Value>, total: u64, start: u64) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

fn resource_type(flavor: Flavor) -> Value {
    let mut extensions = vec![
        json!({"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}),
    ];
    if flavor == Flavor::GenesysCloud {
        extensions.push(json!({"schema": "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User", "required": false}));
    }
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User", "name": "User", "endpoint": format!("/{}", users_endpoint(flavor)),
        "schema": USER_SCHEMA, "schemaExtensions": extensions
    })
}

fn users_endpoint(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::GenesysCloud => "users",
        _ => "Users",
    }
}

fn respond((status, body, headers): Answer) -> ResponseTemplate {
    let mut t = ResponseTemplate::new(status);
    for (name, value) in headers {
        t = t.insert_header(name, value.as_str());
    }
    match body {
        Some(b) => t.set_body_raw(
            serde_json::to_vec(&b).unwrap_or_default(),
            "application/scim+json",
        ),
        None => t,
    }
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// ---- a small filter evaluator -------------------------------------------------------------

#[derive(Debug)]
enum Cond {
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Present(String),
    Cmp(String, String, Value),
}

impl Cond {
    fn matches(&self, item: &Value) -> bool {
        match self {
            Cond::And(a, b) => a.matches(item) && b.matches(item),
            Cond::Or(a, b) => a.matches(item) || b.matches(item),
            Cond::Not(a) => !a.matches(item),
            Cond::Present(path) => values_at(item, path)
                .iter()
                .any(|v| !v.is_null() && *v != json!("") && *v != json!([])),
            Cond::Cmp(path, op, want) => values_at(item, path).iter().any(|v| compare(v, op, want)),
        }
    }
}

/// The values at `path` (`userName`, `name.givenName`, `emails.value`, `emails` = their values),
/// flattening multi-valued attributes; the schema URN prefix is ignored.
fn values_at(item: &Value, path: &str) -> Vec<Value> {
    let path = path.rsplit_once(':').map_or(path, |(_, p)| p);
    let mut parts = path.splitn(2, '.');
    let head = parts.next().unwrap_or_default();
    let sub = parts.next();
    let Some(v) = get_ci(item, head) else {
        return vec![];
    };
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .filter_map(|x| match (sub, x) {
            (Some(s), _) => get_ci(x, s).cloned(),
            (None, Value::Object(o)) if o.contains_key("value") => o.get("value").cloned(),
            (None, other) => Some(other.clone()),
        })
        .collect()
}

fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn compare(have: &Value, op: &str, want: &Value) -> bool {
    match (have, want) {
        (Value::String(h), Value::String(w)) => {
            let (h, w) = (h.to_lowercase(), w.to_lowercase());
            match op {
                "eq" => h == w,
                "ne" => h != w,
                "co" => h.contains(&w),
                "sw" => h.starts_with(&w),
                "ew" => h.ends_with(&w),
                "gt" => h > w,
                "ge" => h >= w,
                "lt" => h < w,
                "le" => h <= w,
                _ => false,
            }
        }
        (h, w) => match op {
            "eq" => h == w,
            "ne" => h != w,
            _ => false,
        },
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
}

fn tokens(input: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            out.push(Tok::Close);
            i += 1;
        } else if c == '"' {
            let mut j = i + 1;
            let mut esc = false;
            while j < chars.len() && (esc || chars[j] != '"') {
                esc = !esc && chars[j] == '\\';
                j += 1;
            }
            if j >= chars.len() {
                return Err(format!("unterminated string at column {}", i + 1));
            }
            let lit: String = chars[i..=j].iter().collect();
            let s: String = serde_json::from_str(&lit)
                .map_err(|e| format!("bad string at column {}: {e}", i + 1))?;
            out.push(Tok::Str(s));
            i = j + 1;
        } else {
            let mut j = i;
            while j < chars.len()
                && !chars[j].is_whitespace()
                && !matches!(chars[j], '(' | ')' | '"')
            {
                j += 1;
            }
            out.push(Tok::Word(chars[i..j].iter().collect()));
            i = j;
        }
    }
    Ok(out)
}

fn parse_filter(input: &str) -> Result<Cond, String> {
    let toks = tokens(input)?;
    let mut pos = 0;
    let cond = parse_or(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(format!("unexpected {:?}", toks[pos]));
    }
    Ok(cond)
}

fn is_word(t: Option<&Tok>, w: &str) -> bool {
    matches!(t, Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
}

fn parse_or(t: &[Tok], pos: &mut usize) -> Result<Cond, String> {
    let mut left = parse_and(t, pos)?;
    while is_word(t.get(*pos), "or") {
        *pos += 1;
        left = Cond::Or(Box::new(left), Box::new(parse_and(t, pos)?));
    }
    Ok(left)
}

fn parse_and(t: &[Tok], pos: &mut usize) -> Result<Cond, String> {
    let mut left = parse_atom(t, pos)?;
    while is_word(t.get(*pos), "and") {
        *pos += 1;
        left = Cond::And(Box::new(left), Box::new(parse_atom(t, pos)?));
    }
    Ok(left)
}

fn parse_atom(t: &[Tok], pos: &mut usize) -> Result<Cond, String> {
    if is_word(t.get(*pos), "not") && t.get(*pos + 1) == Some(&Tok::Open) {
        *pos += 2;
        let inner = parse_or(t, pos)?;
        if t.get(*pos) != Some(&Tok::Close) {
            return Err("missing )".into());
        }
        *pos += 1;
        return Ok(Cond::Not(Box::new(inner)));
    }
    if t.get(*pos) == Some(&Tok::Open) {
        *pos += 1;
        let inner = parse_or(t, pos)?;
        if t.get(*pos) != Some(&Tok::Close) {
            return Err("missing )".into());
        }
        *pos += 1;
        return Ok(inner);
    }
    let Some(Tok::Word(path)) = t.get(*pos) else {
        return Err("expected an attribute".into());
    };
    *pos += 1;
    let Some(Tok::Word(op)) = t.get(*pos) else {
        return Err(format!("expected an operator after {path}"));
    };
    let op = op.to_ascii_lowercase();
    *pos += 1;
    if op == "pr" {
        return Ok(Cond::Present(path.clone()));
    }
    if !["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"].contains(&op.as_str()) {
        return Err(format!("unknown operator {op:?}"));
    }
    let value = match t.get(*pos) {
        Some(Tok::Str(s)) => json!(s),
        Some(Tok::Word(w)) => serde_json::from_str::<Value>(&w.to_ascii_lowercase())
            .map_err(|_| format!("bad value {w:?}"))?,
        _ => return Err(format!("expected a value after {op}")),
    };
    *pos += 1;
    Ok(Cond::Cmp(path.clone(), op, value))
}

// ---- PATCH --------------------------------------------------------------------------------

/// Apply one PATCH operation; errors are `(scimType, detail)`.
fn apply_op(user: &mut Value, op: &Value) -> Result<(), (&'static str, String)> {
    let kind = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
    let value = op.get("value").cloned();
    let path = op["path"].as_str();
    if !matches!(kind.as_str(), "add" | "replace" | "remove") {
        return Err(("invalidSyntax", format!("unknown op {kind:?}")));
    }
    let Some(path) = path else {
        if kind == "remove" {
            return Err(("noTarget", "remove needs a path".into()));
        }
        let Some(Value::Object(attrs)) = value else {
            return Err((
                "invalidValue",
                "a path-less operation needs an object value".into(),
            ));
        };
        for (k, v) in attrs {
            set(user, &k, None, v, kind == "add");
        }
        return Ok(());
    };
    let (attr, filter, sub) = split_patch_path(path).map_err(|m| ("invalidPath", m))?;
    if attr.eq_ignore_ascii_case("id") || attr.eq_ignore_ascii_case("meta") {
        return Err(("mutability", format!("{attr} is read-only")));
    }
    match filter {
        None => match kind.as_str() {
            "remove" => {
                remove(user, &attr, sub.as_deref());
                Ok(())
            }
            _ => {
                let v = value.ok_or(("invalidValue", "add and replace need a value".to_owned()))?;
                let (a, s) = match attr.split_once('.') {
                    Some((a, s)) => (a.to_owned(), Some(s.to_owned())),
                    None => (attr.clone(), None),
                };
                set(user, &a, s.as_deref(), v, kind == "add");
                Ok(())
            }
        },
        Some(cond) => {
            let Some(Value::Array(items)) = user.as_object_mut().and_then(|m| {
                let key = m.keys().find(|k| k.eq_ignore_ascii_case(&attr)).cloned()?;
                m.get_mut(&key)
            }) else {
                return Err(("noTarget", format!("{attr} has no values")));
            };
            let matched: Vec<usize> = (0..items.len())
                .filter(|&i| cond.matches(&items[i]))
                .collect();
            if matched.is_empty() && kind != "remove" {
                return Err(("noTarget", format!("no value of {attr} matches the filter")));
            }
            for &i in matched.iter().rev() {
                match (kind.as_str(), sub.as_deref()) {
                    ("remove", None) => {
                        items.remove(i);
                    }
                    ("remove", Some(s)) => {
                        if let Some(o) = items[i].as_object_mut() {
                            o.remove(s);
                        }
                    }
                    (_, Some(s)) => items[i][s] = value.clone().unwrap_or(Value::Null),
                    (_, None) => {
                        if let (Some(o), Some(Value::Object(v))) =
                            (items[i].as_object_mut(), value.clone())
                        {
                            o.extend(v);
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

/// `attr[filter].sub` → (attr, filter, sub); `attr` may carry a URN and a dotted sub-attribute.
fn split_patch_path(path: &str) -> Result<(String, Option<Cond>, Option<String>), String> {
    let Some(open) = path.find('[') else {
        return Ok((path.to_owned(), None, None));
    };
    let close = path
        .rfind(']')
        .ok_or_else(|| format!("missing ] in {path:?}"))?;
    let attr = path[..open].to_owned();
    let cond = parse_filter(&path[open + 1..close])?;
    let rest = &path[close + 1..];
    let sub = match rest.strip_prefix('.') {
        Some(s) if !s.is_empty() => Some(s.to_owned()),
        None if rest.is_empty() => None,
        _ => return Err(format!("unexpected {rest:?} after ]")),
    };
    Ok((attr, Some(cond), sub))
}

fn set(user: &mut Value, attr: &str, sub: Option<&str>, value: Value, add: bool) {
    let Some(map) = user.as_object_mut() else {
        return;
    };
    let key = map
        .keys()
        .find(|k| k.eq_ignore_ascii_case(attr))
        .cloned()
        .unwrap_or_else(|| attr.to_owned());
    match sub {
        Some(s) => {
            let entry = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            entry[s] = value;
        }
        None => match (map.get_mut(&key), value) {
            (Some(Value::Array(existing)), Value::Array(new)) if add => existing.extend(new),
            (Some(Value::Object(existing)), Value::Object(new)) => existing.extend(new),
            (_, v) => {
                map.insert(key, v);
            }
        },
    }
}

fn remove(user: &mut Value, attr: &str, _sub: Option<&str>) {
    let Some(map) = user.as_object_mut() else {
        return;
    };
    match attr.split_once('.') {
        Some((a, s)) => {
            if let Some(Value::Object(o)) = map
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(a))
                .map(|(_, v)| v)
            {
                o.remove(s);
            }
        }
        None => {
            if let Some(k) = map.keys().find(|k| k.eq_ignore_ascii_case(attr)).cloned() {
                map.remove(&k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_patches() {
        let user = json!({"userName": "Ada", "active": true, "emails": [{"value": "a@x.io", "type": "work"}]});
        assert!(
            parse_filter(r#"userName eq "ada" and active eq true"#)
                .unwrap()
                .matches(&user)
        );
        assert!(parse_filter(r#"emails[type eq "work"]"#).is_err());
        assert!(
            parse_filter(r#"emails.value co "@x" or title pr"#)
                .unwrap()
                .matches(&user)
        );
        assert!(
            !parse_filter(r#"not (emails eq "a@x.io")"#)
                .unwrap()
                .matches(&user)
        );
        assert!(parse_filter("userName zz \"x\"").is_err());

        let mut u = user.clone();
        apply_op(
            &mut u,
            &json!({"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@x.io"}),
        )
        .unwrap();
        apply_op(
            &mut u,
            &json!({"op": "Replace", "path": "active", "value": false}),
        )
        .unwrap();
        apply_op(&mut u, &json!({"op": "add", "value": {"title": "Lead"}})).unwrap();
        assert_eq!(u["emails"][0]["value"], "b@x.io");
        assert_eq!(u["active"], false);
        assert_eq!(u["title"], "Lead");
        assert!(
            apply_op(
                &mut u,
                &json!({"op": "replace", "path": "id", "value": "x"})
            )
            .is_err()
        );
    }

    #[test]
    fn dates_are_rfc3339() {
        let now = rfc3339_now();
        assert_eq!(now.len(), 20);
        assert!(now.ends_with('Z') && now.starts_with("20"));
    }
}

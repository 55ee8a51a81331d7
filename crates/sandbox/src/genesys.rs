//! A stateful stand-in of a Genesys Cloud org's Platform API (WFM reads, divisions, permitted
//! divisions, `tokens/me`) on a [`MockServer`], with division-aware 403s, a second origin for
//! pre-signed `downloadUrl`s, and the three shapes of an agent schedule search answer.
//!
//! It belongs to the sandbox world: [`require_token`](GenesysOrg::require_token) makes it accept
//! exactly the tokens a [`TokenEndpoint`] on the same server issued and still holds valid.
//! Permissions are granted per division, as Genesys roles are: a call on agents of a division
//! where the caller lacks the permission answers 403 `missing.any.permissions`, in Genesys'
//! error shape, with an `inin-correlation-id` header.
//!
//! ```
//! use wfm_sandbox::TokenEndpoint;
//! use wfm_sandbox::genesys::GenesysOrg;
//! use wiremock::MockServer;
//!
//! # async fn demo() {
//! let server = MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! let org = GenesysOrg::mount(&server).await.require_token(&tokens);
//! org.add_division("div-a", "Berlin");
//! org.add_business_unit("bu-1", "Europe", "div-a", "Europe/Berlin", "Monday");
//! org.add_management_unit("bu-1", "mu-1", "Berlin agents", "div-a");
//! org.add_agent("mu-1", "agent-1");
//! org.grant("wfm:schedule:view", "div-a");
//! let answer = reqwest::Client::new()
//!     .get(format!("{}/api/v2/workforcemanagement/managementunits/mu-1/users", server.uri()))
//!     .bearer_auth("forged")
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(answer.status(), 401);
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo());
//! ```
//!
//! Served (everything under `/api/v2/` except `/api/v2/scim`, which is the SCIM stand-in's):
//! `GET tokens/me`, `GET authorization/divisions` (paged), `GET
//! authorization/divisionspermitted/paged/me?permission=` (paged), `GET
//! workforcemanagement/businessunits[/{id}]`, `GET .../businessunits/{id}/managementunits`, `GET
//! .../managementunits/{id}/users`, `GET .../businessunits/{id}/weeks/{week}/schedules[/{id}]`,
//! `POST .../businessunits/{id}/agentschedules/search` and `POST
//! .../managementunits/{id}/agentschedules/search` (shifts whose `startDate` text falls in the
//! range; dates compare as RFC 3339 UTC text). Anything else is 404 `not.found`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{TokenEndpoint, bearer_token, lock};

/// How agent schedule searches are answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SearchAnswer {
    /// `Complete` with the `result` inline.
    Inline,
    /// `Complete` with a `downloadUrl` on the download origin.
    DownloadUrl,
    /// `Processing` for the first `n` searches, then inline.
    ProcessingThen(u32),
}

/// A Genesys Cloud org on a [`MockServer`]. Cheap to clone; clones share state. Its `Debug`
/// shows counts only.
#[derive(Clone)]
pub struct GenesysOrg {
    state: Arc<State>,
}

impl fmt::Debug for GenesysOrg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = lock(&self.state.data);
        f.debug_struct("GenesysOrg")
            .field("divisions", &data.divisions.len())
            .field("business_units", &data.business_units.len())
            .field("management_units", &data.management_units.len())
            .field("requests", &lock(&self.state.log).len())
            .finish_non_exhaustive()
    }
}

struct State {
    data: Mutex<Data>,
    tokens: Mutex<Option<TokenEndpoint>>,
    log: Mutex<Vec<String>>,
    downloads: Arc<Downloads>,
    download_origin: String,
    correlation: AtomicU64,
    /// The origin of pre-signed URLs, kept alive as long as the org.
    _download_server: MockServer,
}

#[derive(Default)]
struct Data {
    org: (String, String),
    client: (String, String),
    /// id -> name, in insertion order.
    divisions: Vec<(String, String)>,
    /// id -> (name, division, time zone, start day)
    business_units: BTreeMap<String, (String, String, String, String)>,
    /// id -> (business unit, name, division)
    management_units: BTreeMap<String, (String, String, String)>,
    /// management unit -> agents
    agents: BTreeMap<String, BTreeSet<String>>,
    /// permission -> divisions (None: every division)
    grants: BTreeMap<String, Option<BTreeSet<String>>>,
    /// (business unit, week) -> schedules
    schedules: BTreeMap<(String, String), Vec<Value>>,
    /// agent -> shifts
    shifts: BTreeMap<String, Vec<Value>>,
    search: Option<SearchAnswer>,
    processing_left: u32,
    rate_limited: Option<(u32, u64)>,
}

#[derive(Default)]
struct Downloads {
    bodies: Mutex<BTreeMap<String, Value>>,
    log: Mutex<Vec<DownloadRequest>>,
}

/// A request the download origin received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadRequest {
    /// The path.
    pub path: String,
    /// Whether it carried an `Authorization` header (it must not: the URL is pre-signed).
    pub had_authorization: bool,
}

impl Respond for Downloads {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let had_authorization = request.headers.contains_key("authorization");
        let path = request.url.path().to_owned();
        lock(&self.log).push(DownloadRequest {
            path: path.clone(),
            had_authorization,
        });
        if had_authorization {
            // Pre-signed storage refuses a second credential.
            return ResponseTemplate::new(400)
                .set_body_string("Only one auth mechanism allowed; do not send Authorization");
        }
        match lock(&self.bodies).get(&path) {
            Some(body) => ResponseTemplate::new(200).set_body_json(body.clone()),
            None => ResponseTemplate::new(404),
        }
    }
}

const SCHEDULE_VIEW: [&str; 2] = ["wfm:schedule:view", "wfm:publishedSchedule:view"];
const AGENT_VIEW: [&str; 3] = [
    "wfm:agent:view",
    "wfm:schedule:view",
    "wfm:publishedSchedule:view",
];

impl GenesysOrg {
    /// Mounts the org on `server` (under `/api/v2/`, except `/api/v2/scim`) and starts a second
    /// server as the origin of pre-signed download URLs. It accepts every request until told
    /// otherwise with [`require_token`](Self::require_token), and grants nothing.
    pub async fn mount(server: &MockServer) -> Self {
        let download_server = MockServer::start().await;
        let downloads = Arc::new(Downloads::default());
        Mock::given(|_: &Request| true)
            .respond_with(DownloadsHandle(Arc::clone(&downloads)))
            .mount(&download_server)
            .await;
        let org = Self {
            state: Arc::new(State {
                data: Mutex::new(Data {
                    org: ("org-1".into(), "Sandbox Org".into()),
                    client: ("client-1".into(), "Sandbox OAuth client".into()),
                    search: Some(SearchAnswer::Inline),
                    ..Data::default()
                }),
                tokens: Mutex::new(None),
                log: Mutex::new(Vec::new()),
                downloads,
                download_origin: download_server.uri(),
                correlation: AtomicU64::new(0),
                _download_server: download_server,
            }),
        };
        Mock::given(|req: &Request| {
            let p = req.url.path();
            p.starts_with("/api/v2/") && !p.to_ascii_lowercase().starts_with("/api/v2/scim")
        })
        .respond_with(org.clone())
        .mount(server)
        .await;
        org
    }

    /// Accept only tokens `tokens` issued and still holds valid; 401 `bad.credentials` otherwise.
    pub fn require_token(self, tokens: &TokenEndpoint) -> Self {
        *lock(&self.state.tokens) = Some(tokens.clone());
        self
    }

    /// Adds a division.
    pub fn add_division(&self, id: &str, name: &str) {
        lock(&self.state.data)
            .divisions
            .push((id.into(), name.into()));
    }

    /// Adds a business unit in `division` with its settings.
    pub fn add_business_unit(
        &self,
        id: &str,
        name: &str,
        division: &str,
        time_zone: &str,
        start_day: &str,
    ) {
        lock(&self.state.data).business_units.insert(
            id.into(),
            (
                name.into(),
                division.into(),
                time_zone.into(),
                start_day.into(),
            ),
        );
    }

    /// Adds a management unit of `business_unit` in `division`.
    pub fn add_management_unit(&self, business_unit: &str, id: &str, name: &str, division: &str) {
        lock(&self.state.data).management_units.insert(
            id.into(),
            (business_unit.into(), name.into(), division.into()),
        );
    }

    /// Adds an agent to a management unit.
    pub fn add_agent(&self, management_unit: &str, user_id: &str) {
        lock(&self.state.data)
            .agents
            .entry(management_unit.into())
            .or_default()
            .insert(user_id.into());
    }

    /// Grants the OAuth client `permission` in `division` (as a role with that division would).
    pub fn grant(&self, permission: &str, division: &str) {
        let mut data = lock(&self.state.data);
        let entry = data
            .grants
            .entry(permission.into())
            .or_insert_with(|| Some(BTreeSet::new()));
        if let Some(set) = entry {
            set.insert(division.into());
        }
    }

    /// Grants `permission` in every division, present and future.
    pub fn grant_everywhere(&self, permission: &str) {
        lock(&self.state.data)
            .grants
            .insert(permission.into(), None);
    }

    /// Adds a week schedule (a `BuScheduleListItem` JSON object with at least `id`) to the week
    /// `week` (`YYYY-MM-DD`) of a business unit.
    pub fn add_schedule(&self, business_unit: &str, week: &str, schedule: Value) {
        lock(&self.state.data)
            .schedules
            .entry((business_unit.into(), week.into()))
            .or_default()
            .push(schedule);
    }

    /// Adds a published shift (a `BuAgentScheduleShift` JSON object) to an agent.
    pub fn add_shift(&self, user_id: &str, shift: Value) {
        lock(&self.state.data)
            .shifts
            .entry(user_id.into())
            .or_default()
            .push(shift);
    }

    /// How searches are answered from now on.
    pub fn set_search_answer(&self, answer: SearchAnswer) {
        let mut data = lock(&self.state.data);
        data.search = Some(answer);
        data.processing_left = match answer {
            SearchAnswer::ProcessingThen(n) => n,
            _ => 0,
        };
    }

    /// Answer the next `count` requests 429 `too.many.requests` with `Retry-After: seconds`.
    pub fn rate_limit_next(&self, count: u32, seconds: u64) {
        lock(&self.state.data).rate_limited = Some((count, seconds));
    }

    /// Every request received, as `METHOD /path` (no query string).
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.log).clone()
    }

    /// The requests that would change something: every request except GETs and searches.
    pub fn writes(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| !r.starts_with("GET ") && !r.ends_with("/agentschedules/search"))
            .collect()
    }

    /// The requests the download origin received.
    pub fn download_requests(&self) -> Vec<DownloadRequest> {
        lock(&self.state.downloads.log).clone()
    }

    fn forbidden(&self, needs: &[&str], division: &str) -> Option<ResponseTemplate> {
        let data = lock(&self.state.data);
        let held = needs.iter().any(|p| match data.grants.get(*p) {
            Some(None) => true,
            Some(Some(set)) => set.contains(division),
            None => false,
        });
        drop(data);
        (!held).then(|| {
            self.error(
                403,
                "missing.any.permissions",
                &format!(
                    "You must have at least one of the following permissions assigned: [{}]",
                    needs.join(", ")
                ),
            )
        })
    }

    fn error(&self, status: u16, code: &str, message: &str) -> ResponseTemplate {
        let n = self.state.correlation.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(status)
            .insert_header("inin-correlation-id", format!("sandbox-correlation-{n}"))
            .set_body_json(json!({
                "message": message,
                "code": code,
                "status": status,
                "messageParams": {},
                "contextId": format!("sandbox-context-{n}"),
                "details": [],
                "errors": [],
            }))
    }

    fn handle(&self, req: &Request) -> ResponseTemplate {
        let path = req.url.path().trim_end_matches('/');
        let rest = path.strip_prefix("/api/v2/").unwrap_or("");
        let seg: Vec<&str> = rest.split('/').collect();
        let query: BTreeMap<String, String> = req.url.query_pairs().into_owned().collect();
        let method = req.method.as_str();
        match (method, seg.as_slice()) {
            ("GET", ["tokens", "me"]) => {
                let data = lock(&self.state.data);
                let org = json!({"id": data.org.0, "name": data.org.1});
                ok(json!({
                    "organization": org,
                    "homeOrganization": org,
                    "OAuthClient": {
                        "id": data.client.0,
                        "name": data.client.1,
                        "authorizedGrantType": "CLIENT-CREDENTIALS",
                        "organization": org,
                    },
                }))
            }
            ("GET", ["authorization", "divisions"]) => {
                let data = lock(&self.state.data);
                let all: Vec<Value> = data
                    .divisions
                    .iter()
                    .map(|(id, name)| json!({"id": id, "name": name, "homeDivision": false}))
                    .collect();
                ok(paged(all, &query, json!({})))
            }
            ("GET", ["authorization", "divisionspermitted", "paged", "me"]) => {
                let Some(permission) = query.get("permission") else {
                    return self.error(400, "bad.request", "permission is required");
                };
                let data = lock(&self.state.data);
                let grant = data.grants.get(permission);
                let all = matches!(grant, Some(None));
                let listed: Vec<Value> = data
                    .divisions
                    .iter()
                    .filter(|(id, _)| match grant {
                        Some(None) => true,
                        Some(Some(set)) => set.contains(id),
                        None => false,
                    })
                    .map(|(id, name)| json!({"id": id, "name": name, "homeDivision": false}))
                    .collect();
                ok(paged(listed, &query, json!({"allDivsPermitted": all})))
            }
            ("GET", ["workforcemanagement", "businessunits"]) => {
                let data = lock(&self.state.data);
                let entities: Vec<Value> = data
                    .business_units
                    .iter()
                    .map(|(id, (name, div, _, _))| {
                        json!({"id": id, "name": name, "authorized": true, "division": {"id": div}})
                    })
                    .collect();
                ok(json!({"entities": entities}))
            }
            ("GET", ["workforcemanagement", "businessunits", bu]) => {
                let Some((name, div, tz, day)) =
                    lock(&self.state.data).business_units.get(*bu).cloned()
                else {
                    return self.error(404, "not.found", "business unit not found");
                };
                let wfm_any: Vec<String> = lock(&self.state.data)
                    .grants
                    .keys()
                    .filter(|p| p.starts_with("wfm:"))
                    .cloned()
                    .collect();
                let wfm_any: Vec<&str> = wfm_any.iter().map(String::as_str).collect();
                if let Some(denied) = self.forbidden(
                    if wfm_any.is_empty() {
                        &["wfm:businessUnit:view"]
                    } else {
                        &wfm_any
                    },
                    &div,
                ) {
                    return denied;
                }
                ok(json!({
                    "id": bu, "name": name, "division": {"id": div},
                    "settings": {"startDayOfWeek": day, "timeZone": tz, "metadata": {"version": 1}},
                }))
            }
            (
                "GET",
                [
                    "workforcemanagement",
                    "businessunits",
                    bu,
                    "managementunits",
                ],
            ) => {
                let data = lock(&self.state.data);
                let entities: Vec<Value> = data
                    .management_units
                    .iter()
                    .filter(|(_, (b, _, _))| b == bu)
                    .map(|(id, (b, name, div))| {
                        json!({"id": id, "name": name, "businessUnit": {"id": b}, "division": {"id": div}})
                    })
                    .collect();
                ok(json!({"entities": entities}))
            }
            ("GET", ["workforcemanagement", "managementunits", mu, "users"]) => {
                let Some((_, _, div)) = lock(&self.state.data).management_units.get(*mu).cloned()
                else {
                    return self.error(404, "not.found", "management unit not found");
                };
                if let Some(denied) = self.forbidden(&AGENT_VIEW, &div) {
                    return denied;
                }
                let data = lock(&self.state.data);
                let entities: Vec<Value> = data
                    .agents
                    .get(*mu)
                    .into_iter()
                    .flatten()
                    .map(|id| json!({"id": id, "selfUri": format!("/api/v2/users/{id}")}))
                    .collect();
                ok(json!({"entities": entities}))
            }
            (
                "GET",
                [
                    "workforcemanagement",
                    "businessunits",
                    bu,
                    "weeks",
                    week,
                    "schedules",
                    rest @ ..,
                ],
            ) => {
                let Some(div) = lock(&self.state.data)
                    .business_units
                    .get(*bu)
                    .map(|b| b.1.clone())
                else {
                    return self.error(404, "not.found", "business unit not found");
                };
                if let Some(denied) = self.forbidden(&SCHEDULE_VIEW, &div) {
                    return denied;
                }
                let data = lock(&self.state.data);
                let list = data
                    .schedules
                    .get(&((*bu).to_owned(), (*week).to_owned()))
                    .cloned()
                    .unwrap_or_default();
                match rest {
                    [] => ok(json!({"entities": list})),
                    [id] => match list.into_iter().find(|s| s["id"] == *id) {
                        Some(s) => ok(s),
                        None => {
                            drop(data);
                            self.error(404, "not.found", "schedule not found")
                        }
                    },
                    _ => {
                        drop(data);
                        self.error(404, "not.found", "no such resource")
                    }
                }
            }
            (
                "POST",
                [
                    "workforcemanagement",
                    kind @ ("businessunits" | "managementunits"),
                    unit,
                    "agentschedules",
                    "search",
                ],
            ) => self.search(kind, unit, req),
            _ => self.error(404, "not.found", "The requested resource was not found"),
        }
    }

    fn search(&self, kind: &str, unit: &str, req: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let (Some(start), Some(end)) = (body["startDate"].as_str(), body["endDate"].as_str())
        else {
            return self.error(400, "bad.request", "startDate and endDate are required");
        };
        let asked: Option<BTreeSet<String>> = body["userIds"].as_array().map(|ids| {
            ids.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        });
        let data = lock(&self.state.data);
        // The unit's agents with their divisions.
        let mut agents: Vec<(String, String)> = Vec::new();
        let tz = match kind {
            "businessunits" => match data.business_units.get(unit) {
                Some(b) => b.2.clone(),
                None => {
                    drop(data);
                    return self.error(404, "not.found", "business unit not found");
                }
            },
            _ => match data.management_units.get(unit) {
                Some((b, _, _)) => data
                    .business_units
                    .get(b)
                    .map(|b| b.2.clone())
                    .unwrap_or_default(),
                None => {
                    drop(data);
                    return self.error(404, "not.found", "management unit not found");
                }
            },
        };
        for (mu, (bu, _, div)) in &data.management_units {
            let member = match kind {
                "businessunits" => bu == unit,
                _ => mu == unit,
            };
            if member {
                for agent in data.agents.get(mu).into_iter().flatten() {
                    if asked.as_ref().is_none_or(|a| a.contains(agent)) {
                        agents.push((agent.clone(), div.clone()));
                    }
                }
            }
        }
        let mut schedules = Vec::new();
        let mut published = BTreeMap::new();
        for (agent, _) in &agents {
            let shifts: Vec<Value> = data
                .shifts
                .get(agent)
                .into_iter()
                .flatten()
                .filter(|s| {
                    s["startDate"]
                        .as_str()
                        .is_some_and(|d| d >= start && d < end)
                })
                .cloned()
                .collect();
            for s in &shifts {
                if let Some(id) = s["schedule"]["id"].as_str() {
                    published.insert(id.to_owned(), s["schedule"].clone());
                }
            }
            schedules.push(
                json!({"user": {"id": agent}, "shifts": shifts, "fullDayTimeOffMarkers": []}),
            );
        }
        let divisions: BTreeSet<String> = agents.iter().map(|(_, d)| d.clone()).collect();
        let answer = data.search.unwrap_or(SearchAnswer::Inline);
        let processing = data.processing_left;
        drop(data);
        for div in &divisions {
            if let Some(denied) = self.forbidden(&SCHEDULE_VIEW, div) {
                return denied;
            }
        }
        let n = self.state.correlation.fetch_add(1, Ordering::SeqCst) + 1;
        let operation_id = format!("sandbox-operation-{n}");
        if processing > 0 {
            lock(&self.state.data).processing_left = processing - 1;
            return ok(json!({"status": "Processing", "operationId": operation_id, "progress": 0}));
        }
        let result = json!({
            "agentSchedules": schedules,
            "businessUnitTimeZone": tz,
            "publishedSchedules": published.into_values().collect::<Vec<_>>(),
        });
        match answer {
            SearchAnswer::DownloadUrl => {
                let path = format!("/downloads/{operation_id}.json");
                lock(&self.state.downloads.bodies).insert(path.clone(), result);
                ok(json!({
                    "status": "Complete",
                    "operationId": operation_id,
                    "downloadUrl": format!("{}{path}?X-Amz-Signature=sandbox", self.state.download_origin),
                }))
            }
            _ => ok(json!({"status": "Complete", "operationId": operation_id, "result": result})),
        }
    }
}

/// The download origin's responder (shared state with the org).
struct DownloadsHandle(Arc<Downloads>);

impl Respond for DownloadsHandle {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

impl Respond for GenesysOrg {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        lock(&self.state.log).push(format!("{} {}", request.method, request.url.path()));
        if let Some(tokens) = lock(&self.state.tokens).clone() {
            let valid = bearer_token(request).is_some_and(|t| tokens.is_valid(&t));
            if !valid {
                return self.error(401, "bad.credentials", "Invalid login credentials.");
            }
        }
        {
            let mut data = lock(&self.state.data);
            if let Some((count, seconds)) = data.rate_limited {
                data.rate_limited = (count > 1).then(|| (count - 1, seconds));
                drop(data);
                return self
                    .error(
                        429,
                        "too.many.requests",
                        "Rate limit exceeded the maximum [300] requests within [60] seconds",
                    )
                    .insert_header("retry-after", seconds.to_string());
            }
        }
        self.handle(request)
    }
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A Genesys page of `all` (`pageSize` default 25, `pageNumber` 1-based), with `extra` fields.
fn paged(all: Vec<Value>, query: &BTreeMap<String, String>, extra: Value) -> Value {
    let size: usize = query
        .get("pageSize")
        .and_then(|s| s.parse().ok())
        .filter(|s| *s > 0)
        .unwrap_or(25);
    let number: usize = query
        .get("pageNumber")
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1);
    let count = all.len().div_ceil(size).max(1);
    let total = all.len();
    let entities: Vec<Value> = all
        .into_iter()
        .skip((number - 1) * size)
        .take(size)
        .collect();
    let mut page = json!({
        "entities": entities,
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": count,
    });
    if let (Some(p), Some(e)) = (page.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    page
}

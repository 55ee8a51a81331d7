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
//! range, of published schedules; dates compare as RFC 3339 UTC text). Anything else is 404
//! `not.found`.
//!
//! Schedules are written as on Genesys: `POST .../weeks/{week}/schedules/import/uploadurl` (or
//! `.../schedules/{id}/update/uploadurl`), a gzip `PUT` of the body to the pre-signed URL on the
//! storage origin, then `POST .../schedules/import` (or `.../{id}/update`) with the upload key,
//! answered `Processing` and completed on the notification channel. The org gunzips the upload
//! and checks it before it changes anything: agents in no management unit of the business unit
//! (400), a division where the caller lacks the permission (403), a stale schedule or agent
//! version (409). A completed import creates the week's schedule with the uploaded agent
//! schedules; a completed update replaces the shifts of the agents it carries and bumps the
//! versions; a search or query afterwards reads them (see [`Completion`] for the other ends).

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
    /// The notification channels, shared with the websocket server.
    channels: Arc<Mutex<BTreeMap<String, Channel>>>,
    /// `ws://127.0.0.1:PORT` of the websocket server.
    ws_origin: String,
    completion: Mutex<Completion>,
    processed: Mutex<Vec<Value>>,
}

/// How schedule imports and updates complete on the notification channel. `Complete` and
/// `Never` apply the upload to the org (with `Never` the operation runs but its event is lost);
/// `Error` and `Canceled` change nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Completion {
    /// `Complete`, with the schedule.
    Complete,
    /// `Error` (the event carries no message, as on Genesys).
    Error,
    /// `Canceled`.
    Canceled,
    /// No event for the operation at all (only another operation's).
    Never,
}

#[derive(Default)]
struct Channel {
    topics: Vec<String>,
    /// Messages waiting for the websocket to connect.
    queue: Vec<String>,
    sender: Option<tokio::sync::mpsc::UnboundedSender<String>>,
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
    /// business unit -> activity codes
    activity_codes: BTreeMap<String, Vec<Value>>,
    /// agent -> version of its schedule
    agent_versions: BTreeMap<String, i64>,
    /// The last `sandbox-shift-N` given to a shift an upload created.
    shift_ids: u64,
    /// time-off requests, with a `managementUnitId` and an `integrationStatus` of the stand-in's own
    time_off: Vec<Value>,
    rate_limited: Option<(u32, u64)>,
}

#[derive(Default)]
struct Downloads {
    bodies: Mutex<BTreeMap<String, Value>>,
    log: Mutex<Vec<DownloadRequest>>,
    /// upload path -> (the headers the upload must carry, what arrived)
    uploads: Mutex<BTreeMap<String, PendingUpload>>,
}

/// The headers an upload must carry, and what arrived.
type PendingUpload = (BTreeMap<String, String>, Option<Vec<u8>>);

/// An upload the storage origin accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The upload key.
    pub key: String,
    /// The body as received (gzip-compressed).
    pub body: Vec<u8>,
}

impl Upload {
    /// The body as the org reads it: gunzipped and parsed as JSON (`None` when it is not
    /// gzip-compressed JSON).
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&gunzip(&self.body)?).ok()
    }
}

/// A request the storage origin (downloads and uploads) received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadRequest {
    /// The method.
    pub method: String,
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
            method: request.method.to_string(),
            path: path.clone(),
            had_authorization,
        });
        if had_authorization {
            // Pre-signed storage refuses a second credential.
            return ResponseTemplate::new(400)
                .set_body_string("Only one auth mechanism allowed; do not send Authorization");
        }
        if request.method.as_str() == "PUT" {
            let mut uploads = lock(&self.uploads);
            let Some((expected, received)) = uploads.get_mut(&path) else {
                return ResponseTemplate::new(404).set_body_string("NoSuchUpload");
            };
            for (name, value) in expected.iter() {
                let got = request
                    .headers
                    .get(name.as_str())
                    .and_then(|v| v.to_str().ok());
                if got != Some(value.as_str()) {
                    return ResponseTemplate::new(403).set_body_string(format!(
                        "SignatureDoesNotMatch: header {name} must be {value:?}, got {got:?}"
                    ));
                }
            }
            if !request.body.starts_with(&[0x1f, 0x8b]) {
                return ResponseTemplate::new(400).set_body_string("the body is not gzip");
            }
            *received = Some(request.body.clone());
            return ResponseTemplate::new(200);
        }
        match lock(&self.bodies).get(&path) {
            Some(body) => ResponseTemplate::new(200).set_body_json(body.clone()),
            None => ResponseTemplate::new(404),
        }
    }
}

/// The `dateModified` an import or update gives a schedule (a fixed instant, so that runs repeat).
const MODIFIED: &str = "2026-03-01T12:00:00Z";

/// Gunzips an upload, as the storage behind the pre-signed URL hands it to Genesys.
fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
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
        let channels: Arc<Mutex<BTreeMap<String, Channel>>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the notification websocket");
        let ws_origin = format!(
            "ws://{}",
            listener.local_addr().expect("a bound listener's address")
        );
        tokio::spawn(websocket::serve(listener, Arc::clone(&channels)));
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
                channels,
                ws_origin,
                completion: Mutex::new(Completion::Complete),
                processed: Mutex::new(Vec::new()),
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

    /// Adds an activity code to a business unit.
    pub fn add_activity_code(&self, business_unit: &str, id: &str, name: &str) {
        lock(&self.state.data)
            .activity_codes
            .entry(business_unit.into())
            .or_default()
            .push(json!({"id": id, "name": name, "active": true, "category": "OnQueueWork"}));
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

    /// The requests that would change WFM data: every request except GETs, searches and
    /// notification-channel set-up.
    pub fn writes(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| {
                !r.starts_with("GET ")
                    && !r.ends_with("/agentschedules/search")
                    && !r.contains("/api/v2/notifications/")
            })
            .collect()
    }

    /// The requests the download origin received.
    pub fn download_requests(&self) -> Vec<DownloadRequest> {
        lock(&self.state.downloads.log).clone()
    }

    /// How imports and updates complete from now on (default [`Completion::Complete`]).
    pub fn complete_with(&self, completion: Completion) {
        *lock(&self.state.completion) = completion;
    }

    /// The uploads received, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        lock(&self.state.downloads.uploads)
            .iter()
            .filter_map(|(path, (_, body))| {
                Some(Upload {
                    key: path.rsplit('/').next().unwrap_or_default().to_owned(),
                    body: body.clone()?,
                })
            })
            .collect()
    }

    /// The decoded bodies of the imports and updates accepted for processing (every check
    /// passed), in order. Those that completed (or whose event was lost) were also applied.
    pub fn processed(&self) -> Vec<Value> {
        lock(&self.state.processed).clone()
    }

    /// An agent's shifts, as stored: those added with [`add_shift`](Self::add_shift) and those
    /// imports and updates applied, of every schedule (published or not).
    pub fn shifts(&self, user_id: &str) -> Vec<Value> {
        lock(&self.state.data)
            .shifts
            .get(user_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The week schedules of a business unit's week, as stored.
    pub fn schedules(&self, business_unit: &str, week: &str) -> Vec<Value> {
        lock(&self.state.data)
            .schedules
            .get(&(business_unit.to_owned(), week.to_owned()))
            .cloned()
            .unwrap_or_default()
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
            ("GET", ["workforcemanagement", "businessunits", bu, "activitycodes"]) => {
                let data = lock(&self.state.data);
                if !data.business_units.contains_key(*bu) {
                    drop(data);
                    return self.error(404, "not.found", "business unit not found");
                }
                let codes = data.activity_codes.get(*bu).cloned().unwrap_or_default();
                ok(json!({"entities": codes}))
            }
            (
                "POST" | "PATCH",
                [
                    "workforcemanagement",
                    "managementunits",
                    mu,
                    "timeoffrequests",
                    rest @ ..,
                ]
                | [
                    "workforcemanagement",
                    "managementunits",
                    mu,
                    "users",
                    _,
                    "timeoffrequests",
                    rest @ ..,
                ],
            ) => self.time_off(method, mu, &seg, rest, req),
            ("GET", ["workforcemanagement", "agents", agent, "managementunit"]) => {
                let data = lock(&self.state.data);
                let found = data
                    .agents
                    .iter()
                    .find(|(_, members)| members.contains(*agent))
                    .and_then(|(mu, _)| {
                        data.management_units
                            .get(mu)
                            .map(|m| (mu.clone(), m.clone()))
                    });
                drop(data);
                let Some((mu, (bu, _, div))) = found else {
                    return self.error(404, "not.found", "the agent is in no management unit");
                };
                if let Some(denied) = self.forbidden(&AGENT_VIEW, &div) {
                    return denied;
                }
                ok(
                    json!({"user": {"id": agent}, "managementUnit": {"id": mu}, "businessUnit": {"id": bu}}),
                )
            }
            ("GET", ["workforcemanagement", "adherence"]) => {
                let ids: Vec<String> = query
                    .get("userId")
                    .map(|v| {
                        v.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                if ids.is_empty() || ids.len() > 100 {
                    return self.error(
                        400,
                        "bad.request",
                        "User Id(s): Min 1, Max of 100 userIds per request",
                    );
                }
                let data = lock(&self.state.data);
                let records: Vec<Value> = ids
                    .iter()
                    .filter_map(|id| {
                        let (mu, _) = data.agents.iter().find(|(_, m)| m.contains(id))?;
                        Some(json!({
                            "user": {"id": id}, "managementUnit": {"id": mu},
                            "scheduledActivityCategory": "OnQueueWork", "systemPresence": "Available",
                            "routingStatus": "IDLE", "adherenceState": "InAdherence", "impact": "Positive",
                        }))
                    })
                    .collect();
                ok(Value::Array(records))
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
            ("POST", ["notifications", "channels"]) => {
                let n = self.state.correlation.fetch_add(1, Ordering::SeqCst) + 1;
                let id = format!("channel-{n}");
                lock(&self.state.channels).insert(id.clone(), Channel::default());
                ok(json!({
                    "id": id,
                    "connectUri": format!("{}/channels/{id}", self.state.ws_origin),
                    "expires": "2099-01-01T00:00:00Z",
                }))
            }
            ("PUT", ["notifications", "channels", id, "subscriptions"]) => {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let topics: Vec<String> = body
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t["id"].as_str().map(str::to_owned))
                    .collect();
                let mut channels = lock(&self.state.channels);
                let Some(channel) = channels.get_mut(*id) else {
                    drop(channels);
                    return self.error(404, "not.found", "channel not found");
                };
                channel.topics.clone_from(&topics);
                let entities: Vec<Value> = topics
                    .iter()
                    .map(|t| json!({"id": t, "state": "Permitted"}))
                    .collect();
                ok(json!({"entities": entities}))
            }
            (
                "POST",
                [
                    "workforcemanagement",
                    "businessunits",
                    bu,
                    "weeks",
                    week,
                    "schedules",
                    rest @ ..,
                ],
            ) => self.schedule_write(bu, week, rest, req),
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

    /// The upload flow: `import/uploadurl`, `{id}/update/uploadurl`, `import`, `{id}/update`.
    fn schedule_write(
        &self,
        bu: &str,
        week: &str,
        rest: &[&str],
        req: &Request,
    ) -> ResponseTemplate {
        let Some(bu_division) = lock(&self.state.data)
            .business_units
            .get(bu)
            .map(|b| b.1.clone())
        else {
            return self.error(404, "not.found", "business unit not found");
        };
        if let [id, "agentschedules", "query"] = rest {
            return self.query(bu, week, id, req);
        }
        let (permission, schedule_id, step) = match rest {
            ["import", "uploadurl"] => ("wfm:schedule:add", None, "uploadurl"),
            ["import"] => ("wfm:schedule:add", None, "process"),
            [id, "update", "uploadurl"] => ("wfm:schedule:edit", Some(*id), "uploadurl"),
            [id, "update"] => ("wfm:schedule:edit", Some(*id), "process"),
            _ => return self.error(404, "not.found", "no such resource"),
        };
        if let Some(id) = schedule_id
            && !self.schedules(bu, week).iter().any(|s| s["id"] == id)
        {
            return self.error(404, "not.found", "schedule not found");
        }
        if let Some(denied) = self.forbidden(&[permission], &bu_division) {
            return denied;
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        if step == "uploadurl" {
            if body["contentLengthBytes"].as_u64().is_none() {
                return self.error(400, "bad.request", "contentLengthBytes is required");
            }
            let n = self.state.correlation.fetch_add(1, Ordering::SeqCst) + 1;
            let key = format!("upload-{n}");
            let headers: BTreeMap<String, String> = [
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip"),
                ("x-amz-server-side-encryption", "AES256"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
            lock(&self.state.downloads.uploads)
                .insert(format!("/uploads/{key}"), (headers.clone(), None));
            return ok(json!({
                "uploadKey": key,
                "url": format!("{}/uploads/{key}?X-Amz-Signature=sandbox", self.state.download_origin),
                "headers": headers,
                "uploadBodySchema": {},
            }));
        }
        let Some(key) = body["uploadKey"].as_str() else {
            return self.error(400, "bad.request", "uploadKey is required");
        };
        let uploaded = lock(&self.state.downloads.uploads)
            .get(&format!("/uploads/{key}"))
            .and_then(|(_, b)| b.clone());
        let Some(uploaded) = uploaded else {
            return self.error(
                400,
                "bad.request",
                "nothing was uploaded for this uploadKey",
            );
        };
        let Some(upload) = gunzip(&uploaded)
            .and_then(|json| serde_json::from_slice::<Value>(&json).ok())
            .filter(Value::is_object)
        else {
            return self.error(400, "bad.request", "the upload is not gzip-compressed JSON");
        };
        // Every check comes before any change: a refused upload applies nothing.
        let agents: Vec<String> = upload["agentSchedules"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["userId"].as_str().map(str::to_owned))
            .collect();
        let (unknown, divisions) = {
            let data = lock(&self.state.data);
            let mut unknown = Vec::new();
            let mut divisions = BTreeSet::new();
            for agent in &agents {
                // The agent's management unit must belong to this business unit.
                let division = data
                    .agents
                    .iter()
                    .filter(|(_, members)| members.contains(agent))
                    .find_map(|(mu, _)| {
                        data.management_units
                            .get(mu)
                            .filter(|(b, _, _)| b == bu)
                            .map(|(_, _, div)| div.clone())
                    });
                match division {
                    Some(div) => {
                        divisions.insert(div);
                    }
                    None => unknown.push(agent.clone()),
                }
            }
            (unknown, divisions)
        };
        if !unknown.is_empty() {
            return self.error(
                400,
                "bad.request",
                &format!(
                    "These users are in no management unit of business unit {bu}: {}",
                    unknown.join(", ")
                ),
            );
        }
        // Every agent's management-unit division needs the permission.
        for div in &divisions {
            if let Some(denied) = self.forbidden(&[permission], div) {
                return denied;
            }
        }
        if let Some(id) = schedule_id {
            let current = self
                .schedules(bu, week)
                .into_iter()
                .find(|s| s["id"] == id)
                .and_then(|s| s["metadata"]["version"].as_i64())
                .unwrap_or(1);
            if upload["metadata"]["version"].as_i64() != Some(current) {
                return self.error(
                    409,
                    "conflict",
                    "Resource conflict - Unexpected version was provided",
                );
            }
            // An agent schedule's version, when sent, must be the current one too.
            let stale = {
                let data = lock(&self.state.data);
                upload["agentSchedules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|a| {
                        let sent = a["metadata"]["version"].as_i64();
                        let user = a["userId"].as_str().unwrap_or_default();
                        let current = data.agent_versions.get(user).copied().unwrap_or(1);
                        sent.is_some_and(|v| v != current)
                    })
            };
            if stale {
                return self.error(
                    409,
                    "conflict",
                    "Resource conflict - Unexpected version was provided",
                );
            }
        }
        lock(&self.state.processed).push(upload.clone());
        let n = self.state.correlation.fetch_add(1, Ordering::SeqCst) + 1;
        let operation_id = format!("sandbox-operation-{n}");
        let completion = *lock(&self.state.completion);
        // A failed or canceled operation changes nothing; one whose event is lost still ran.
        let stored = matches!(completion, Completion::Complete | Completion::Never)
            .then(|| self.apply(bu, week, schedule_id, &upload, n));
        let event_type = if schedule_id.is_some() {
            "Update"
        } else {
            "Import"
        };
        let topic = format!("v2.workforcemanagement.businessunits.{bu}.schedules");
        // Another operation's event first: clients must match by operationId.
        self.emit(
            &topic,
            json!({"status": "Complete", "operationId": "another-operation", "eventType": "Delete"}),
        );
        let event = match completion {
            Completion::Complete => Some(
                json!({"status": "Complete", "operationId": operation_id, "eventType": event_type, "result": stored}),
            ),
            Completion::Error => Some(
                json!({"status": "Error", "operationId": operation_id, "eventType": event_type}),
            ),
            Completion::Canceled => Some(
                json!({"status": "Canceled", "operationId": operation_id, "eventType": event_type}),
            ),
            Completion::Never => None,
        };
        if let Some(event) = event {
            self.emit(&topic, event);
        }
        ok(json!({"status": "Processing", "operationId": operation_id}))
    }

    /// Applies a checked import (`schedule_id` `None`) or update to the org, as Genesys does when
    /// the operation completes, and returns the schedule as stored.
    ///
    /// An import creates a schedule for the week (`weekCount`, `description`, `published` from
    /// the upload; unpublished unless it says `true`). An update bumps the schedule's version and
    /// `dateModified`, takes a new `description`, and publishes it on `published: true` (a
    /// schedule is unpublished only by publishing another one over it, so `false` is ignored).
    /// Publishing unpublishes the week's other schedules. For each agent schedule uploaded, the
    /// agent's shifts in this schedule are replaced by the uploaded ones (without those marked
    /// `delete: true`; none when the agent schedule itself is marked `delete: true`): a shift
    /// keeps the `id` it was sent with, a new one gets `sandbox-shift-N`. An update also bumps
    /// each uploaded agent's version. Agents not in the upload keep their shifts.
    fn apply(
        &self,
        bu: &str,
        week: &str,
        schedule_id: Option<&str>,
        upload: &Value,
        n: u64,
    ) -> Value {
        let mut data = lock(&self.state.data);
        let id = schedule_id.map_or_else(|| format!("sched-import-{n}"), str::to_owned);
        let publish = upload["published"].as_bool() == Some(true);
        let stored = {
            let list = data
                .schedules
                .entry((bu.to_owned(), week.to_owned()))
                .or_default();
            if publish {
                for other in list.iter_mut().filter(|s| s["id"] != id.as_str()) {
                    other["published"] = json!(false);
                }
            }
            match list.iter_mut().find(|s| s["id"] == id.as_str()) {
                Some(s) => {
                    let version = s["metadata"]["version"].as_i64().unwrap_or(1);
                    s["metadata"]["version"] = json!(version + 1);
                    s["metadata"]["dateModified"] = json!(MODIFIED);
                    if let Some(description) = upload["description"].as_str() {
                        s["description"] = json!(description);
                    }
                    if publish {
                        s["published"] = json!(true);
                    }
                    s.clone()
                }
                None => {
                    let s = json!({
                        "id": id, "weekDate": week,
                        "weekCount": upload["weekCount"].as_u64().unwrap_or(1),
                        "description": upload["description"],
                        "published": publish,
                        "metadata": {"version": 1, "dateModified": MODIFIED},
                    });
                    list.push(s.clone());
                    s
                }
            }
        };
        let reference = json!({"id": id, "weekDate": week});
        for agent in upload["agentSchedules"].as_array().into_iter().flatten() {
            let Some(user) = agent["userId"].as_str() else {
                continue;
            };
            let mut replacement = Vec::new();
            if agent["delete"].as_bool() != Some(true) {
                for shift in agent["shifts"].as_array().into_iter().flatten() {
                    if shift["delete"].as_bool() == Some(true) {
                        continue;
                    }
                    let shift_id = match shift["id"].as_str() {
                        Some(given) => given.to_owned(),
                        None => {
                            data.shift_ids += 1;
                            format!("sandbox-shift-{}", data.shift_ids)
                        }
                    };
                    replacement.push(json!({
                        "id": shift_id,
                        "startDate": shift["startDate"],
                        "lengthMinutes": shift["lengthMinutes"],
                        "activities": shift["activities"].as_array().cloned().unwrap_or_default(),
                        "manuallyEdited": false,
                        "schedule": reference,
                    }));
                }
            }
            let shifts = data.shifts.entry(user.to_owned()).or_default();
            shifts.retain(|s| s["schedule"]["id"] != id.as_str());
            shifts.extend(replacement);
            if schedule_id.is_some() {
                *data.agent_versions.entry(user.to_owned()).or_insert(1) += 1;
            }
        }
        stored
    }

    /// `POST .../weeks/{week}/schedules/{id}/agentschedules/query`: one management unit's agents,
    /// their shifts in the week's schedule and their versions, inline.
    fn query(&self, bu: &str, week: &str, id: &str, req: &Request) -> ResponseTemplate {
        if !self.schedules(bu, week).iter().any(|s| s["id"] == id) {
            return self.error(404, "not.found", "schedule not found");
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let Some(mu) = body["managementUnitId"].as_str() else {
            return self.error(400, "bad.request", "managementUnitId is required");
        };
        let Some((_, _, div)) = lock(&self.state.data).management_units.get(mu).cloned() else {
            return self.error(404, "not.found", "management unit not found");
        };
        if let Some(denied) = self.forbidden(&SCHEDULE_VIEW, &div) {
            return denied;
        }
        let data = lock(&self.state.data);
        let schedules: Vec<Value> = data
            .agents
            .get(mu)
            .into_iter()
            .flatten()
            .map(|agent| {
                let shifts: Vec<Value> = data
                    .shifts
                    .get(agent)
                    .into_iter()
                    .flatten()
                    .filter(|s| s["schedule"]["id"] == id)
                    .cloned()
                    .collect();
                let version = data.agent_versions.get(agent).copied().unwrap_or(1);
                json!({"user": {"id": agent}, "shifts": shifts, "fullDayTimeOffMarkers": [],
                       "metadata": {"version": version}})
            })
            .collect();
        let tz = data.business_units.get(bu).map(|b| b.2.clone());
        drop(data);
        let n = self.state.correlation.fetch_add(1, Ordering::SeqCst) + 1;
        ok(json!({
            "status": "Complete",
            "operationId": format!("sandbox-operation-{n}"),
            "result": {"agentSchedules": schedules, "businessUnitTimeZone": tz},
        }))
    }

    /// Time-off requests: create, query, update, integration status.
    fn time_off(
        &self,
        method: &str,
        mu: &str,
        seg: &[&str],
        rest: &[&str],
        req: &Request,
    ) -> ResponseTemplate {
        let Some((_, _, div)) = lock(&self.state.data).management_units.get(mu).cloned() else {
            return self.error(404, "not.found", "management unit not found");
        };
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let by_user = seg.get(3) == Some(&"users");
        match (method, by_user, rest) {
            ("POST", false, []) => {
                if let Some(denied) = self.forbidden(&["wfm:timeOffRequest:add"], &div) {
                    return denied;
                }
                let mut data = lock(&self.state.data);
                let members = data.agents.get(mu).cloned().unwrap_or_default();
                let mut created = Vec::new();
                for user in body["users"].as_array().into_iter().flatten() {
                    let Some(id) = user["id"].as_str() else {
                        continue;
                    };
                    if !members.contains(id) {
                        drop(data);
                        return self.error(
                            400,
                            "bad.request",
                            "the user is not in the management unit",
                        );
                    }
                    let n = self.state.correlation.fetch_add(1, Ordering::SeqCst) + 1;
                    let full_days = body["fullDayManagementUnitDates"].clone();
                    let request = json!({
                        "id": format!("time-off-{n}"),
                        "user": {"id": id},
                        "isFullDayRequest": full_days.as_array().is_some_and(|d| !d.is_empty()),
                        "activityCodeId": body["activityCodeId"],
                        "status": body["status"],
                        "fullDayManagementUnitDates": full_days,
                        "partialDayStartDateTimes": body["partialDayStartDateTimes"],
                        "dailyDurationMinutes": body["dailyDurationMinutes"],
                        "notes": body["notes"],
                        "metadata": {"version": 1},
                        "managementUnitId": mu,
                    });
                    data.time_off.push(request.clone());
                    created.push(request);
                }
                ok(json!({"id": mu, "timeOffRequests": created}))
            }
            ("POST", false, ["query"]) => {
                if let Some(denied) = self.forbidden(&["wfm:timeOffRequest:view"], &div) {
                    return denied;
                }
                let users: Vec<&str> = body["userIds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let statuses: Vec<&str> = body["statuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let data = lock(&self.state.data);
                let entities: Vec<Value> = data
                    .time_off
                    .iter()
                    .filter(|t| t["managementUnitId"] == mu)
                    .filter(|t| {
                        users.is_empty()
                            || t["user"]["id"].as_str().is_some_and(|u| users.contains(&u))
                    })
                    .filter(|t| {
                        statuses.is_empty()
                            || t["status"].as_str().is_some_and(|s| statuses.contains(&s))
                    })
                    .cloned()
                    .collect();
                ok(json!({"entities": entities}))
            }
            ("PATCH", true, [id]) | ("PATCH", false, [id, "users", _, "integrationstatus"]) => {
                if let Some(denied) = self.forbidden(&["wfm:timeOffRequest:edit"], &div) {
                    return denied;
                }
                let mut data = lock(&self.state.data);
                let Some(request) = data
                    .time_off
                    .iter_mut()
                    .find(|t| t["id"] == *id && t["managementUnitId"] == mu)
                else {
                    drop(data);
                    return self.error(404, "not.found", "time-off request not found");
                };
                if !by_user {
                    request["integrationStatus"] = body["integrationStatus"].clone();
                    let answer = json!({"timeOffRequest": {"id": id}, "integrationStatus": body["integrationStatus"], "user": request["user"]});
                    return ok(answer);
                }
                let current = request["metadata"]["version"].as_i64().unwrap_or(1);
                if body["metadata"]["version"].as_i64() != Some(current) {
                    drop(data);
                    return self.error(409, "conflict", "Version does not match current version.");
                }
                for field in ["status", "notes"] {
                    if !body[field].is_null() {
                        request[field] = body[field].clone();
                    }
                }
                request["metadata"]["version"] = json!(current + 1);
                ok(request.clone())
            }
            _ => self.error(404, "not.found", "no such resource"),
        }
    }

    /// The time-off requests stored (with the stand-in's `managementUnitId` and `integrationStatus`).
    pub fn time_off_requests(&self) -> Vec<Value> {
        lock(&self.state.data).time_off.clone()
    }

    /// Sends an event to every channel subscribed to `topic` (queued until its websocket connects).
    fn emit(&self, topic: &str, body: Value) {
        let message = json!({"topicName": topic, "version": "2", "eventBody": body}).to_string();
        for channel in lock(&self.state.channels).values_mut() {
            if channel.topics.iter().any(|t| t == topic) {
                match &channel.sender {
                    Some(tx) => {
                        let _ = tx.send(message.clone());
                    }
                    None => channel.queue.push(message.clone()),
                }
            }
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
        // Searches read published schedules: shifts of a schedule stored unpublished are left out.
        let unpublished: BTreeSet<&str> = data
            .schedules
            .values()
            .flatten()
            .filter(|s| s["published"] == false)
            .filter_map(|s| s["id"].as_str())
            .collect();
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
                .filter(|s| {
                    !s["schedule"]["id"]
                        .as_str()
                        .is_some_and(|id| unpublished.contains(id))
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

/// A minimal websocket server (RFC 6455) for the notification channels: the handshake, then
/// unmasked text frames from the server; what the client sends is ignored.
mod websocket {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use base64::Engine as _;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::Channel;
    use crate::lock;

    const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    const HEARTBEAT: &str =
        r#"{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}"#;

    pub(super) async fn serve(
        listener: TcpListener,
        channels: Arc<Mutex<BTreeMap<String, Channel>>>,
    ) {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(connection(stream, Arc::clone(&channels)));
        }
    }

    async fn connection(mut stream: TcpStream, channels: Arc<Mutex<BTreeMap<String, Channel>>>) {
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
            if request.len() > 16 * 1024 {
                return;
            }
        }
        let text = String::from_utf8_lossy(&request).into_owned();
        let path = text
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let key = text.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("sec-websocket-key")
                .then(|| value.trim().to_owned())
        });
        let id = path
            .strip_prefix("/channels/")
            .unwrap_or_default()
            .to_owned();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let known = {
            let mut channels = lock(&channels);
            match channels.get_mut(&id) {
                Some(channel) => {
                    let _ = tx.send(HEARTBEAT.to_owned());
                    for message in channel.queue.drain(..) {
                        let _ = tx.send(message);
                    }
                    channel.sender = Some(tx);
                    true
                }
                None => false,
            }
        };
        let Some(key) = key.filter(|_| known) else {
            let _ = stream
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await;
            return;
        };
        let accept = base64::engine::general_purpose::STANDARD
            .encode(sha1(format!("{key}{GUID}").as_bytes()));
        let response = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
        let (mut read, mut write) = stream.into_split();
        // Drain what the client sends (pings, close) so its writes never block.
        tokio::spawn(async move {
            let mut sink = [0u8; 1024];
            while matches!(read.read(&mut sink).await, Ok(n) if n > 0) {}
        });
        while let Some(message) = rx.recv().await {
            if write
                .write_all(&text_frame(message.as_bytes()))
                .await
                .is_err()
            {
                return;
            }
        }
    }

    /// An unmasked, final text frame.
    fn text_frame(payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(n as u8),
            n if n <= 0xffff => {
                frame.push(126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(payload);
        frame
    }

    /// SHA-1 (FIPS 180-4), for the handshake's `Sec-WebSocket-Accept` only.
    fn sha1(data: &[u8]) -> [u8; 20] {
        let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
        let mut message = data.to_vec();
        message.push(0x80);
        while message.len() % 64 != 56 {
            message.push(0);
        }
        message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
        for block in message.chunks(64) {
            let mut w = [0u32; 80];
            for (i, word) in block.chunks(4).enumerate() {
                w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
            }
            for i in 16..80 {
                w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
            }
            let [mut a, mut b, mut c, mut d, mut e] = h;
            for (i, wi) in w.iter().enumerate() {
                let (f, k) = match i {
                    0..=19 => ((b & c) | (!b & d), 0x5A827999),
                    20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                    40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                    _ => (b ^ c ^ d, 0xCA62C1D6),
                };
                let t = a
                    .rotate_left(5)
                    .wrapping_add(f)
                    .wrapping_add(e)
                    .wrapping_add(k)
                    .wrapping_add(*wi);
                e = d;
                d = c;
                c = b.rotate_left(30);
                b = a;
                a = t;
            }
            for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
                *x = x.wrapping_add(y);
            }
        }
        let mut out = [0u8; 20];
        for (i, x) in h.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
        }
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn sha1_and_the_rfc_6455_example_accept_key() {
            use base64::Engine as _;
            let accept =
                super::sha1(b"dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
            assert_eq!(
                base64::engine::general_purpose::STANDARD.encode(accept),
                "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
            );
        }
    }
}

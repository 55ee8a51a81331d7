//! A stateful stand-in of the NICE CXone WFM user-sync contract (`/api/wfm/v2/users`,
//! `/api/wfm/v2/roles`) on a [`MockServer`], with the faults a sync must survive: random 503s,
//! 429 bursts with `Retry-After`, a read-after-create window in which a new user answers 404,
//! and, through [`DropRequests`], connections dropped before or after a request is applied.
//!
//! [`UserHub`] is a stand-in of CXone's UserHub user management (`/user-management/...`), the
//! real user API a sync engine can also target.
//!
//! It belongs to the sandbox world: [`require_token`](CxoneWfm::require_token) makes it accept
//! exactly the tokens a [`TokenEndpoint`] on the same server issued and still holds valid.
//!
//! ```
//! use wfm_sandbox::TokenEndpoint;
//! use wfm_sandbox::cxone::CxoneWfm;
//! use wiremock::MockServer;
//!
//! # async fn demo() {
//! let server = MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! let wfm = CxoneWfm::mount(&server).await.require_token(&tokens).with_roles([("r1", "Agent")]);
//! let http = reqwest::Client::new();
//! let token: serde_json::Value = http.post(tokens.url()).form(&[("grant_type", "client_credentials")])
//!     .send().await.unwrap().json().await.unwrap();
//! let token = token["access_token"].as_str().unwrap();
//! let user = serde_json::json!({"externalId": "E1", "firstName": "Ada", "lastName": "L",
//!     "email": "ada@example.com", "timezone": "Europe/London", "roles": ["r1"]});
//! let url = format!("{}/api/wfm/v2/users", server.uri());
//! assert_eq!(http.post(&url).bearer_auth(token).json(&user).send().await.unwrap().status(), 201);
//! assert_eq!(http.post(&url).bearer_auth(token).json(&user).send().await.unwrap().status(), 409);
//! assert_eq!(http.post(&url).bearer_auth("forged").json(&user).send().await.unwrap().status(), 401);
//! assert_eq!(wfm.users().len(), 1);
//! assert_eq!(wfm.stats().creates, 1);
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo());
//! ```
//!
//! The contract served (the guide's, plus what it leaves open): `GET /users?page=&pageSize=&isActive=`
//! (1-based pages, `pageSize` at most 200, answer `{"users", "page", "pageSize", "totalCount"}`;
//! without `isActive`, everyone), `GET /users/{externalId}` (200 or 404), `PUT
//! /users/{externalId}` (merges the fields sent; 404 when absent), `POST /users` (201; 409 when
//! the `externalId` exists; 400 for a missing required field, an `externalId` over 255
//! characters or an unknown role), `GET /roles` (`{"roles": [{"id", "name"}]}`). Errors are JSON
//! with a `message`. Never a DELETE.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{TokenEndpoint, bearer_token, lock};

/// The path prefix the stand-in serves.
pub const BASE_PATH: &str = "/api/wfm/v2";

/// The CXone WFM user-sync stand-in. Cheap to clone; clones share state. Its `Debug` shows
/// counts, never a token.
#[derive(Clone)]
pub struct CxoneWfm {
    state: Arc<State>,
}

impl fmt::Debug for CxoneWfm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CxoneWfm")
            .field("users", &lock(&self.state.world).users.len())
            .field("knobs", &*lock(&self.state.knobs))
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
struct Knobs {
    max_rate: Option<u64>,
    fail_rate: f64,
    bursts: Option<(u64, u64, u64)>,
    read_after_create: Duration,
}

struct World {
    users: BTreeMap<String, Value>,
    created_at: HashMap<String, Instant>,
    roles: Vec<(String, String)>,
    rng: u64,
    arrivals: u64,
    burst_left: u64,
    deadlines: HashMap<String, Instant>,
    creates_of: HashMap<String, u32>,
    window: std::collections::VecDeque<Instant>,
}

struct State {
    world: Mutex<World>,
    knobs: Mutex<Knobs>,
    tokens: Mutex<Option<TokenEndpoint>>,
    stats: Mutex<CxoneStats>,
}

/// What the stand-in saw and answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CxoneStats {
    /// Requests received (all of them).
    pub requests: u64,
    /// `PUT` and `POST` requests received, whatever they were answered.
    pub writes: u64,
    /// Users created (201).
    pub creates: u64,
    /// Updates applied (`PUT` answered 200).
    pub updates: u64,
    /// `POST`s answered 409.
    pub conflicts: u64,
    /// 404s answered inside the read-after-create window.
    pub window_404s: u64,
    /// Injected 503s.
    pub injected_503s: u64,
    /// 429s answered.
    pub rate_limited: u64,
    /// Requests repeated before the `Retry-After` their earlier 429 asked for had elapsed.
    pub early_retries: u64,
    /// 401s answered (token missing, forged or expired).
    pub unauthorized: u64,
    /// 400s answered.
    pub bad_requests: u64,
}

impl CxoneWfm {
    /// Mounts the stand-in under [`BASE_PATH`] on `server`, with no users, no roles, no faults,
    /// and any token accepted until [`require_token`](Self::require_token).
    pub async fn mount(server: &MockServer) -> Self {
        let wfm = Self {
            state: Arc::new(State {
                world: Mutex::new(World {
                    users: BTreeMap::new(),
                    created_at: HashMap::new(),
                    roles: Vec::new(),
                    rng: 0x9E37_79B9_7F4A_7C15,
                    arrivals: 0,
                    burst_left: 0,
                    deadlines: HashMap::new(),
                    creates_of: HashMap::new(),
                    window: std::collections::VecDeque::new(),
                }),
                knobs: Mutex::new(Knobs {
                    max_rate: None,
                    fail_rate: 0.0,
                    bursts: None,
                    read_after_create: Duration::ZERO,
                }),
                tokens: Mutex::new(None),
                stats: Mutex::new(CxoneStats::default()),
            }),
        };
        Mock::given(|req: &Request| req.url.path().starts_with(BASE_PATH))
            .respond_with(wfm.clone())
            .mount(server)
            .await;
        wfm
    }

    /// Answer 401 to requests whose bearer token `tokens` did not issue or has expired.
    pub fn require_token(self, tokens: &TokenEndpoint) -> Self {
        *lock(&self.state.tokens) = Some(tokens.clone());
        self
    }

    /// The roles `GET /roles` lists, as `(id, name)`; users may only carry these ids (when none
    /// are set, any role is accepted).
    pub fn with_roles<I: IntoIterator<Item = (A, B)>, A: Into<String>, B: Into<String>>(
        self,
        roles: I,
    ) -> Self {
        lock(&self.state.world).roles = roles
            .into_iter()
            .map(|(a, b)| (a.into(), b.into()))
            .collect();
        self
    }

    /// Seeds the random faults (the default seed is fixed, so runs repeat).
    pub fn seed(&self, seed: u64) {
        lock(&self.state.world).rng = seed | 1;
    }

    /// Answer this share of requests (0.0 to 1.0) with 503 before applying them.
    pub fn fail_rate(&self, rate: f64) {
        lock(&self.state.knobs).fail_rate = rate;
    }

    /// After every `every` requests, answer the next `burst` requests 429 with
    /// `Retry-After: retry_after_seconds`; `every == 0` stops the bursts.
    pub fn rate_limit_bursts(&self, every: u64, burst: u64, retry_after_seconds: u64) {
        lock(&self.state.knobs).bursts = (every > 0).then_some((every, burst, retry_after_seconds));
    }

    /// Allow at most `per_second` requests in any one-second window (sliding); more are answered
    /// 429 with `Retry-After: 1`. `None` lifts the limit.
    pub fn max_rate(&self, per_second: Option<u64>) {
        lock(&self.state.knobs).max_rate = per_second;
    }

    /// For `window` after its creation, a user answers 404 to `GET` and `PUT` (eventual
    /// consistency); a `POST` still answers 409.
    pub fn read_after_create(&self, window: Duration) {
        lock(&self.state.knobs).read_after_create = window;
    }

    /// Puts a user in the directory as is (no fault, no validation, outside any window).
    pub fn insert_user(&self, user: Value) {
        let id = user["externalId"].as_str().unwrap_or_default().to_owned();
        lock(&self.state.world).users.insert(id, user);
    }

    /// Every user held, ordered by `externalId`.
    pub fn users(&self) -> Vec<Value> {
        lock(&self.state.world).users.values().cloned().collect()
    }

    /// The user with this `externalId`.
    pub fn user(&self, external_id: &str) -> Option<Value> {
        lock(&self.state.world).users.get(external_id).cloned()
    }

    /// `externalId`s created more than once (never, while 409 guards creates; kept to prove it).
    pub fn duplicate_creates(&self) -> Vec<String> {
        lock(&self.state.world)
            .creates_of
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// What was seen so far.
    pub fn stats(&self) -> CxoneStats {
        *lock(&self.state.stats)
    }

    fn roll(&self) -> f64 {
        let mut w = lock(&self.state.world);
        w.rng ^= w.rng << 13;
        w.rng ^= w.rng >> 7;
        w.rng ^= w.rng << 17;
        (w.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    fn answer(&self, request: &Request) -> (u16, Value, Option<u64>) {
        let st = &self.state;
        let method = request.method.as_str().to_owned();
        {
            let mut s = lock(&st.stats);
            s.requests += 1;
            if method == "PUT" || method == "POST" {
                s.writes += 1;
            }
        }
        let tokens = lock(&st.tokens).clone();
        if let Some(tokens) = tokens
            && !bearer_token(request).is_some_and(|b| tokens.is_valid(&b))
        {
            lock(&st.stats).unauthorized += 1;
            return (401, json!({"message": "Invalid or expired token."}), None);
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let key = format!(
            "{method} {} {}",
            request.url.path(),
            body["externalId"].as_str().unwrap_or_default()
        );
        let knobs = lock(&st.knobs).clone();
        let now = Instant::now();
        {
            let mut w = lock(&st.world);
            if let Some(deadline) = w.deadlines.remove(&key)
                && now < deadline
            {
                lock(&st.stats).early_retries += 1;
            }
            w.arrivals += 1;
            if let Some(limit) = knobs.max_rate {
                while w
                    .window
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
                {
                    w.window.pop_front();
                }
                if w.window.len() as u64 >= limit {
                    w.deadlines.insert(key, now + Duration::from_secs(1));
                    lock(&st.stats).rate_limited += 1;
                    return (429, json!({"message": "Too many requests."}), Some(1));
                }
                w.window.push_back(now);
            }
            if let Some((every, burst, secs)) = knobs.bursts {
                if w.arrivals.is_multiple_of(every) {
                    w.burst_left = burst;
                }
                if w.burst_left > 0 {
                    w.burst_left -= 1;
                    w.deadlines.insert(key, now + Duration::from_secs(secs));
                    lock(&st.stats).rate_limited += 1;
                    return (429, json!({"message": "Too many requests."}), Some(secs));
                }
            }
        }
        if knobs.fail_rate > 0.0 && self.roll() < knobs.fail_rate {
            lock(&st.stats).injected_503s += 1;
            return (
                503,
                json!({"message": "Service unavailable (injected)."}),
                None,
            );
        }
        let path = &request.url.path()[BASE_PATH.len()..];
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
        let answer = match (method.as_str(), seg.as_slice()) {
            ("GET", ["roles"]) => {
                let roles: Vec<Value> = lock(&st.world)
                    .roles
                    .iter()
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect();
                (200, json!({"roles": roles}))
            }
            ("GET", ["users"]) => self.list(request),
            ("POST", ["users"]) => self.create(body, knobs.read_after_create),
            ("GET", ["users", id]) => match self.visible(id, knobs.read_after_create) {
                Some(user) => (200, user),
                None => not_found(id),
            },
            ("PUT", ["users", id]) => self.update(id, body, knobs.read_after_create),
            _ => (
                404,
                json!({"message": format!("no route for {method} {}", request.url.path())}),
            ),
        };
        if answer.0 == 400 {
            lock(&st.stats).bad_requests += 1;
        }
        (answer.0, answer.1, None)
    }

    /// The user, unless absent or inside its read-after-create window.
    fn visible(&self, id: &str, window: Duration) -> Option<Value> {
        let w = lock(&self.state.world);
        let user = w.users.get(id)?.clone();
        if w.created_at.get(id).is_some_and(|t| t.elapsed() < window) {
            lock(&self.state.stats).window_404s += 1;
            return None;
        }
        Some(user)
    }

    fn list(&self, request: &Request) -> (u16, Value) {
        let q: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let page: usize = q
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1);
        let size: usize = q
            .get("pageSize")
            .and_then(|p| p.parse().ok())
            .unwrap_or(200);
        if size == 0 || size > 200 {
            return (
                400,
                json!({"message": "pageSize must be between 1 and 200."}),
            );
        }
        let active = q.get("isActive").map(|v| v == "true");
        let w = lock(&self.state.world);
        let matching = w
            .users
            .values()
            .filter(|u| active.is_none_or(|a| u["isActive"].as_bool().unwrap_or(true) == a));
        let total = matching.clone().count();
        let users: Vec<Value> = matching
            .skip((page - 1) * size)
            .take(size)
            .cloned()
            .collect();
        (
            200,
            json!({"users": users, "page": page, "pageSize": size, "totalCount": total}),
        )
    }

    fn check_fields(&self, user: &Map<String, Value>, create: bool) -> Result<(), String> {
        if create {
            for field in ["externalId", "firstName", "lastName", "email", "timezone"] {
                if user
                    .get(field)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    return Err(format!("{field} is required."));
                }
            }
        }
        if let Some(id) = user.get("externalId").and_then(Value::as_str)
            && id.chars().count() > 255
        {
            return Err("externalId must be at most 255 characters.".into());
        }
        let roles = &lock(&self.state.world).roles;
        if !roles.is_empty()
            && let Some(Value::Array(given)) = user.get("roles")
        {
            let known: HashSet<&str> = roles.iter().map(|(id, _)| id.as_str()).collect();
            if let Some(bad) = given
                .iter()
                .filter_map(Value::as_str)
                .find(|r| !known.contains(r))
            {
                return Err(format!("Role '{bad}' does not exist."));
            }
        }
        Ok(())
    }

    fn create(&self, body: Value, _window: Duration) -> (u16, Value) {
        let Value::Object(mut user) = body else {
            return (400, json!({"message": "The body must be a JSON object."}));
        };
        if let Err(message) = self.check_fields(&user, true) {
            return (400, json!({"message": message}));
        }
        let id = user["externalId"].as_str().unwrap_or_default().to_owned();
        user.entry("isActive").or_insert(Value::Bool(true));
        let mut w = lock(&self.state.world);
        if w.users.contains_key(&id) {
            drop(w);
            lock(&self.state.stats).conflicts += 1;
            return (
                409,
                json!({"message": format!("A user with externalId '{id}' already exists.")}),
            );
        }
        let user = Value::Object(user);
        w.users.insert(id.clone(), user.clone());
        w.created_at.insert(id.clone(), Instant::now());
        *w.creates_of.entry(id).or_default() += 1;
        drop(w);
        lock(&self.state.stats).creates += 1;
        (201, user)
    }

    fn update(&self, id: &str, body: Value, window: Duration) -> (u16, Value) {
        let Value::Object(changes) = body else {
            return (400, json!({"message": "The body must be a JSON object."}));
        };
        if changes
            .get("externalId")
            .and_then(Value::as_str)
            .is_some_and(|b| b != id)
        {
            return (
                400,
                json!({"message": "externalId in the body differs from the path; it is immutable."}),
            );
        }
        if let Err(message) = self.check_fields(&changes, false) {
            return (400, json!({"message": message}));
        }
        if self.visible(id, window).is_none() {
            return not_found(id);
        }
        let mut w = lock(&self.state.world);
        let Some(Value::Object(user)) = w.users.get_mut(id) else {
            return not_found(id);
        };
        for (k, v) in changes {
            user.insert(k, v);
        }
        let user = Value::Object(user.clone());
        drop(w);
        lock(&self.state.stats).updates += 1;
        (200, user)
    }
}

impl Respond for CxoneWfm {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (status, body, retry_after) = self.answer(request);
        let mut t = ResponseTemplate::new(status).set_body_json(body);
        if let Some(secs) = retry_after {
            t = t.insert_header("retry-after", secs.to_string());
        }
        t
    }
}

fn not_found(id: &str) -> (u16, Value) {
    (
        404,
        json!({"message": format!("User '{id}' was not found.")}),
    )
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("x"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTP/1.1 front for a [`MockServer`] that drops a share of requests: half of the drops
/// close the connection before the request is forwarded (it was not applied), half after the
/// server answered (it was applied, and the client never learns it). Everything else is
/// forwarded on a kept-alive upstream connection.
///
/// It also sees what the client sees: when each request came from the client and when each
/// 429 with `Retry-After` was delivered to it, so [`retry_after_audit`](Self::retry_after_audit)
/// can tell whether the client sent anything while it had been told to wait.
#[derive(Debug)]
pub struct DropRequests {
    addr: SocketAddr,
    counters: Arc<DropCounters>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Debug, Default)]
struct DropCounters {
    forwarded: AtomicUsize,
    dropped_before: AtomicUsize,
    dropped_after: AtomicUsize,
    rng: AtomicU64,
    rate_ppm: AtomicU64,
    /// When each request was read from the client.
    arrivals: Mutex<Vec<Instant>>,
    /// When each 429 was delivered to the client, and its `Retry-After`.
    retry_afters: Mutex<Vec<(Instant, Duration)>>,
}

/// What [`DropRequests::retry_after_audit`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryAfterAudit {
    /// 429 answers with a `Retry-After` delivered to the client.
    pub announced: usize,
    /// Requests that came from the client within the grace after such an answer: they were
    /// already on their way when it was delivered.
    pub in_flight: usize,
    /// Requests that came from the client later than the grace after a delivered 429 and before
    /// its `Retry-After` elapsed: sent although the client had been told to wait.
    pub early: usize,
    /// How long after a delivered 429 the latest in-flight request came.
    pub latest_in_flight: Duration,
}

impl DropRequests {
    /// Listens on a free loopback port in front of `server`, dropping `rate` (0.0 to 1.0) of
    /// the requests.
    pub async fn in_front_of(server: &MockServer, rate: f64) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let target = *server.address();
        let counters = Arc::new(DropCounters {
            rng: AtomicU64::new(0x2545_F491_4F6C_DD1D),
            rate_ppm: AtomicU64::new((rate.clamp(0.0, 1.0) * 1e6) as u64),
            ..DropCounters::default()
        });
        let c = Arc::clone(&counters);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let c = Arc::clone(&c);
                tokio::spawn(async move {
                    let _ = relay(client, target, &c).await;
                });
            }
        });
        Ok(Self {
            addr,
            counters,
            task,
        })
    }

    /// The front's base URI, like [`MockServer::uri`].
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the share of requests dropped.
    pub fn set_rate(&self, rate: f64) {
        self.counters
            .rate_ppm
            .store((rate.clamp(0.0, 1.0) * 1e6) as u64, Ordering::SeqCst);
    }

    /// Requests dropped before they were forwarded.
    pub fn dropped_before(&self) -> usize {
        self.counters.dropped_before.load(Ordering::SeqCst)
    }

    /// Requests dropped after the server answered them.
    pub fn dropped_after(&self) -> usize {
        self.counters.dropped_after.load(Ordering::SeqCst)
    }

    /// Requests forwarded and answered.
    pub fn forwarded(&self) -> usize {
        self.counters.forwarded.load(Ordering::SeqCst)
    }

    /// Requests read from the client, dropped ones included.
    pub fn received(&self) -> usize {
        lock(&self.counters.arrivals).len()
    }

    /// Checks every request the client sent against every 429 with `Retry-After` delivered to
    /// it: a request that came more than `in_flight_grace` after such an answer and before its
    /// `Retry-After` elapsed (counted from the delivery, which is no later than the moment the
    /// client read it) is [`early`](RetryAfterAudit::early), whatever user or path it was for.
    /// Requests within the grace were already sent, or admitted, when the answer arrived (with
    /// several requests in flight a client cannot recall them).
    pub fn retry_after_audit(&self, in_flight_grace: Duration) -> RetryAfterAudit {
        let windows = lock(&self.counters.retry_afters).clone();
        let arrivals = lock(&self.counters.arrivals).clone();
        let mut audit = RetryAfterAudit {
            announced: windows.len(),
            ..RetryAfterAudit::default()
        };
        for at in arrivals {
            let (mut inside, mut early) = (None, false);
            for (told, wait) in &windows {
                if at > *told && at < *told + *wait {
                    let after = at - *told;
                    inside = Some(inside.map_or(after, |a: Duration| a.max(after)));
                    early |= after > in_flight_grace;
                }
            }
            if early {
                audit.early += 1;
            } else if let Some(after) = inside {
                audit.in_flight += 1;
                audit.latest_in_flight = audit.latest_in_flight.max(after);
            }
        }
        audit
    }
}

impl Drop for DropRequests {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DropCounters {
    fn roll_ppm(&self) -> u64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        loop {
            let mut y = x;
            y ^= y << 13;
            y ^= y >> 7;
            y ^= y << 17;
            match self
                .rng
                .compare_exchange_weak(x, y, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return y % 1_000_000,
                Err(now) => x = now,
            }
        }
    }
}

async fn relay(mut client: TcpStream, target: SocketAddr, c: &DropCounters) -> std::io::Result<()> {
    let mut upstream: Option<TcpStream> = None;
    let (mut cbuf, mut ubuf) = (Vec::new(), Vec::new());
    loop {
        let Some(request) = read_message(&mut client, &mut cbuf, false).await? else {
            return Ok(());
        };
        lock(&c.arrivals).push(Instant::now());
        let roll = c.roll_ppm();
        let rate = c.rate_ppm.load(Ordering::SeqCst);
        if roll < rate / 2 {
            c.dropped_before.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
        if upstream.is_none() {
            upstream = Some(TcpStream::connect(target).await?);
            ubuf.clear();
        }
        let up = upstream.as_mut().expect("connected above");
        up.write_all(&request).await?;
        let Some(response) = read_message(up, &mut ubuf, true).await? else {
            return Ok(());
        };
        if roll < rate {
            c.dropped_after.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
        c.forwarded.fetch_add(1, Ordering::SeqCst);
        if let Some(wait) = retry_after_of_429(&response) {
            lock(&c.retry_afters).push((Instant::now(), wait));
        }
        client.write_all(&response).await?;
    }
}

/// The `Retry-After` (in seconds) of a 429 response, if it is one and carries one.
fn retry_after_of_429(response: &[u8]) -> Option<Duration> {
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..head_end]).to_ascii_lowercase();
    let mut lines = head.split("\r\n");
    if lines.next()?.split_whitespace().nth(1)? != "429" {
        return None;
    }
    lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim() == "retry-after")
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// One HTTP/1.1 message (head and body, by `Content-Length` or chunked), or `None` at a clean
/// end of stream.
async fn read_message(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    response: bool,
) -> std::io::Result<Option<Vec<u8>>> {
    loop {
        if let Some(len) = message_len(buf, response) {
            return Ok(Some(buf.drain(..len).collect()));
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The length of the complete message at the start of `buf`, if it is all there.
fn message_len(buf: &[u8], response: bool) -> Option<usize> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let bodyless = response
        && head
            .split_whitespace()
            .nth(1)
            .is_some_and(|s| s == "204" || s == "304" || s.starts_with('1'));
    if bodyless {
        return Some(head_end);
    }
    let mut length = 0usize;
    let mut chunked = false;
    for line in head.split("\r\n").skip(1) {
        if let Some((k, v)) = line.split_once(':') {
            match k.trim() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "transfer-encoding" => chunked = v.contains("chunked"),
                _ => {}
            }
        }
    }
    if !chunked {
        return (buf.len() >= head_end + length).then_some(head_end + length);
    }
    let mut at = head_end;
    loop {
        let line_end = at + buf.get(at..)?.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&buf[at..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        at = line_end + 2;
        if size == 0 {
            let trailer_end = buf.get(at..)?.windows(2).position(|w| w == b"\r\n")?;
            return Some(at + trailer_end + 2);
        }
        at += size + 2;
        if at > buf.len() {
            return None;
        }
    }
}

/// A stand-in of CXone's UserHub user management (`/user-management/...`), the shapes of NICE's
/// published user-management API: list (`GET /v1/users`, `{"users": [...]}`), create
/// (`POST /v1/users`, `{"success", "uuid"}`), update (`PUT /v1/users`, id in the body),
/// deactivate (`POST /v1/users/deactivate`, `{"userIds"}` → `{"notDeletedUserIds"}`), revive
/// (`POST /v1/users/{id}/revive`) and search (`POST /v2/users/search` with
/// `{"filter": {"externalIdentity": [...]}}` → `{"totalRecords", "skip", "top", "users"}`).
/// Deactivated users have `status: "DELETED"` and are listed only with `includeDeleted=true`.
/// A create whose `externalIdentity` is taken answers 409 (the real answer is unconfirmed).
/// Roles are searched at `POST /authorization/v1/roles/search` (`{"filter": {"status":
/// ["ACTIVE"]}}` → `{"roles": [{"roleId", "roleName", "status"}]}`); once roles are set with
/// [`with_roles`](UserHub::with_roles), a create or update naming another role answers 400.
#[derive(Clone)]
pub struct UserHub {
    state: Arc<HubState>,
}

struct HubState {
    users: Mutex<Vec<Value>>,
    roles: Mutex<Vec<(String, String)>>,
    protected: Mutex<HashSet<String>>,
    log: Mutex<Vec<String>>,
    tokens: Mutex<Option<TokenEndpoint>>,
}

impl fmt::Debug for UserHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserHub")
            .field("users", &lock(&self.state.users).len())
            .field("requests", &lock(&self.state.log).len())
            .finish_non_exhaustive()
    }
}

impl UserHub {
    /// Mounts the stand-in under `/user-management` on `server`; any token is accepted until
    /// [`require_token`](Self::require_token).
    pub async fn mount(server: &MockServer) -> Self {
        let hub = Self {
            state: Arc::new(HubState {
                users: Mutex::new(Vec::new()),
                roles: Mutex::new(Vec::new()),
                protected: Mutex::new(HashSet::new()),
                log: Mutex::new(Vec::new()),
                tokens: Mutex::new(None),
            }),
        };
        Mock::given(|req: &Request| {
            let path = req.url.path();
            path.starts_with("/user-management/") || path.starts_with("/authorization/")
        })
        .respond_with(hub.clone())
        .mount(server)
        .await;
        hub
    }

    /// The tenant's active roles, as `(roleId, roleName)`: listed by the role search, and the
    /// only ones a create or update may name (when none are set, any role is accepted).
    pub fn with_roles<I: IntoIterator<Item = (A, B)>, A: Into<String>, B: Into<String>>(
        self,
        roles: I,
    ) -> Self {
        *lock(&self.state.roles) = roles
            .into_iter()
            .map(|(a, b)| (a.into(), b.into()))
            .collect();
        self
    }

    /// Answer 401 to requests whose bearer token `tokens` did not issue or has expired.
    pub fn require_token(self, tokens: &TokenEndpoint) -> Self {
        *lock(&self.state.tokens) = Some(tokens.clone());
        self
    }

    /// Stores a user as is, giving it an `id` and `status: "ACTIVE"` when it has none.
    pub fn insert_user(&self, mut user: Value) -> Value {
        let mut users = lock(&self.state.users);
        let n = users.len() + 1;
        if let Value::Object(u) = &mut user {
            u.entry("id").or_insert_with(|| json!(format!("uh-{n:06}")));
            u.entry("status").or_insert_with(|| json!("ACTIVE"));
        }
        users.push(user.clone());
        user
    }

    /// Every user, deactivated ones included.
    pub fn users(&self) -> Vec<Value> {
        lock(&self.state.users).clone()
    }

    /// Deactivations of the user with this `externalIdentity` are refused: its id comes back
    /// in `notDeletedUserIds` (as for the API user itself).
    pub fn refuse_deactivation(&self, external_identity: &str) {
        lock(&self.state.protected).insert(external_identity.to_owned());
    }

    /// The requests received, as `METHOD /path`.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.state.log).clone()
    }

    fn answer(&self, request: &Request) -> (u16, Value) {
        let method = request.method.as_str().to_owned();
        let path = request.url.path().to_owned();
        lock(&self.state.log).push(format!("{method} {path}"));
        let tokens = lock(&self.state.tokens).clone();
        if let Some(tokens) = tokens
            && !bearer_token(request).is_some_and(|b| tokens.is_valid(&b))
        {
            return (
                401,
                json!({"status": 401, "error": "Unauthorized", "message": "invalid token"}),
            );
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let seg: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let roles = lock(&self.state.roles).clone();
        if method != "GET"
            && !roles.is_empty()
            && seg.first() == Some(&"user-management")
            && let Some(role) = body["role"].as_str()
            && !roles.iter().any(|(id, _)| id == role)
        {
            return (
                400,
                json!({"code": "BadRequest", "details": format!("role {role} does not exist")}),
            );
        }
        let mut users = lock(&self.state.users);
        let find = |users: &[Value], id: &str| users.iter().position(|u| u["id"] == id);
        match (method.as_str(), seg.as_slice()) {
            ("GET", ["user-management", "v1", "users"]) => {
                let deleted = request
                    .url
                    .query_pairs()
                    .any(|(k, v)| k == "includeDeleted" && v == "true");
                let list: Vec<Value> = users
                    .iter()
                    .filter(|u| deleted || u["status"] != "DELETED")
                    .cloned()
                    .collect();
                (200, json!({"users": list}))
            }
            ("POST", ["user-management", "v1", "users"]) => {
                for field in ["firstName", "lastName", "emailAddress", "role"] {
                    if body[field].as_str().is_none_or(str::is_empty) {
                        return (
                            400,
                            json!({"code": "BadRequest", "details": format!("{field} is required")}),
                        );
                    }
                }
                let ext = body["externalIdentity"].as_str().unwrap_or_default();
                if !ext.is_empty() && users.iter().any(|u| u["externalIdentity"] == ext) {
                    return (
                        409,
                        json!({"code": "Conflict", "details": format!("externalIdentity {ext} is in use")}),
                    );
                }
                let id = format!("uh-{:06}", users.len() + 1);
                let mut user = body.clone();
                user["id"] = json!(id);
                user["status"] = json!("ACTIVE");
                users.push(user);
                (201, json!({"success": true, "uuid": id}))
            }
            ("PUT", ["user-management", "v1", "users"]) => {
                let id = body["id"].as_str().unwrap_or_default();
                let Some(i) = find(&users, id) else {
                    return (
                        404,
                        json!({"code": "NotFound", "details": format!("user {id} not found")}),
                    );
                };
                let status = users[i]["status"].clone();
                users[i] = body.clone();
                users[i]["status"] = status;
                (200, json!({"success": true}))
            }
            ("POST", ["user-management", "v1", "users", "deactivate"]) => {
                let protected = lock(&self.state.protected).clone();
                let mut missing = Vec::new();
                for id in body["userIds"].as_array().into_iter().flatten() {
                    match find(&users, id.as_str().unwrap_or_default()) {
                        Some(i)
                            if !protected
                                .contains(users[i]["externalIdentity"].as_str().unwrap_or("")) =>
                        {
                            users[i]["status"] = json!("DELETED")
                        }
                        _ => missing.push(id.clone()),
                    }
                }
                (200, json!({"notDeletedUserIds": missing}))
            }
            ("POST", ["user-management", "v1", "users", id, "revive"]) => match find(&users, id) {
                Some(i) => {
                    users[i]["status"] = json!("ACTIVE");
                    (200, json!({"success": true, "uuid": id}))
                }
                None => (
                    404,
                    json!({"code": "NotFound", "details": format!("user {id} not found")}),
                ),
            },
            ("POST", ["authorization", "v1", "roles", "search"]) => {
                let wanted: Vec<&Value> = body["filter"]["status"]
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                let active = json!("ACTIVE");
                let list: Vec<Value> = if wanted.is_empty() || wanted.contains(&&active) {
                    roles
                        .iter()
                        .map(|(id, name)| json!({"roleId": id, "roleName": name, "status": "ACTIVE"}))
                        .collect()
                } else {
                    Vec::new()
                };
                (200, json!({"roles": list}))
            }
            ("POST", ["user-management", "v2", "users", "search"]) => {
                let wanted: Vec<&Value> = body["filter"]["externalIdentity"]
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                let top = body["top"].as_u64().unwrap_or(100) as usize;
                let skip = body["skip"].as_u64().unwrap_or(0) as usize;
                let matching: Vec<Value> = users
                    .iter()
                    .filter(|u| wanted.is_empty() || wanted.contains(&&u["externalIdentity"]))
                    .cloned()
                    .collect();
                let page: Vec<Value> = matching.iter().skip(skip).take(top).cloned().collect();
                (
                    200,
                    json!({"totalRecords": matching.len(), "skip": skip, "top": top, "users": page}),
                )
            }
            _ => (
                404,
                json!({"code": "NotFound", "details": format!("no route for {method} {path}")}),
            ),
        }
    }
}

impl Respond for UserHub {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let (status, body) = self.answer(request);
        ResponseTemplate::new(status).set_body_json(body)
    }
}

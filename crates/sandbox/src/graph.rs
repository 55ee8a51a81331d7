//! A stateful Microsoft Graph calendar stand-in: events of many mailboxes under
//! `/v1.0/users/{id}/events`, our tag property filtered and expanded, `transactionId` creates,
//! paging by absolute `@odata.nextLink`, `$batch` (at most 20 items, each answered on its own,
//! 429 items with their own `Retry-After`), and Outlook's per-mailbox concurrency limit asserted
//! (batch items counted).
//!
//! ```
//! use wfm_sandbox::graph::GraphCalendar;
//! use wfm_sandbox::TokenEndpoint;
//! use wiremock::MockServer;
//!
//! # async fn demo() {
//! let server = MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
//! let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
//! graph.insert("agent-1", serde_json::json!({"subject": "Dentist",
//!     "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
//!     "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"}}));
//! assert_eq!(graph.events("agent-1").len(), 1);
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo());
//! ```
//!
//! `calendarView` answers the events in the window, compared as text for events written in
//! `UTC`; events written in another zone are always included (the caller compares instants).
//!
//! What it does not do: convert time zones (events come back in the zone they were written
//! in; the `Prefer: outlook.timezone` header is only checked for presence), recurrence,
//! `dependsOn` in batches, or delta.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{TokenEndpoint, bearer_token, lock};

/// Outlook's concurrent requests per app and mailbox.
pub const MAILBOX_CONCURRENCY: usize = 4;

/// The stand-in. Cheap to clone; clones share state. Its `Debug` shows counts only.
#[derive(Clone)]
pub struct GraphCalendar {
    state: Arc<State>,
}

impl fmt::Debug for GraphCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphCalendar")
            .field("requests", &self.requests())
            .field("max_in_flight", &self.max_in_flight())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    mailboxes: Mutex<HashMap<String, Vec<Value>>>,
    transactions: Mutex<HashMap<(String, String), String>>,
    next_id: AtomicUsize,
    tokens: Mutex<Option<TokenEndpoint>>,
    latency: Mutex<Duration>,
    in_flight: Mutex<HashMap<String, Vec<Instant>>>,
    max_in_flight: AtomicUsize,
    violations: AtomicUsize,
    requests: AtomicUsize,
    by_method: Mutex<HashMap<String, usize>>,
    throttle_every: AtomicUsize,
    throttled: AtomicUsize,
    items: AtomicUsize,
    batches: AtomicUsize,
    batch_items: AtomicUsize,
    lose_after_commit: AtomicUsize,
    lost: AtomicUsize,
    missing_prefer: AtomicUsize,
}

impl GraphCalendar {
    /// Mounts the stand-in for every path under `/v1.0/users/` on `server`.
    pub async fn mount(server: &MockServer) -> Self {
        let me = Self {
            state: Arc::new(State::default()),
        };
        Mock::given(path_regex(r"^/v1\.0/(users/|\$batch$)"))
            .respond_with(me.clone())
            .mount(server)
            .await;
        me
    }

    /// Answer 401 to bearer tokens `tokens` did not issue (or expired).
    pub fn require_token(self, tokens: &TokenEndpoint) -> Self {
        *lock(&self.state.tokens) = Some(tokens.clone());
        self
    }

    /// Every answer takes `latency` (what makes concurrency observable).
    pub fn latency(self, latency: Duration) -> Self {
        *lock(&self.state.latency) = latency;
        self
    }

    /// Answer every `n`th request (0: none) with 429 `ApplicationThrottled`, `Retry-After: 1`.
    pub fn throttle_every(&self, n: usize) {
        self.state.throttle_every.store(n, Ordering::SeqCst);
    }

    /// The next `n` creates are applied, then their answer never comes in time (a connection
    /// lost after the commit): only a retry with the same `transactionId` avoids a duplicate.
    pub fn lose_answers_after_commit(&self, n: usize) {
        self.state.lose_after_commit.store(n, Ordering::SeqCst);
    }

    /// Adds an event as a person would (no tag unless given), returning its id.
    pub fn insert(&self, mailbox: &str, mut event: Value) -> String {
        let id = self.new_id();
        event["id"] = json!(id);
        lock(&self.state.mailboxes)
            .entry(mailbox.to_owned())
            .or_default()
            .push(event);
        id
    }

    /// Changes fields of an event as a person would in Outlook.
    pub fn edit(&self, mailbox: &str, id: &str, patch: Value) -> bool {
        let mut all = lock(&self.state.mailboxes);
        let Some(e) = all
            .get_mut(mailbox)
            .and_then(|v| v.iter_mut().find(|e| e["id"] == id))
        else {
            return false;
        };
        merge(e, patch);
        true
    }

    /// The events of a mailbox's default calendar (`mailbox`) or of a named one
    /// (`{mailbox}/calendars/{id}`), with their extended properties.
    pub fn events(&self, mailbox: &str) -> Vec<Value> {
        lock(&self.state.mailboxes)
            .get(mailbox)
            .cloned()
            .unwrap_or_default()
    }

    /// Requests received (token-rejected ones included).
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// `$batch` requests received, and the items they held.
    pub fn batches(&self) -> (usize, usize) {
        (
            self.state.batches.load(Ordering::SeqCst),
            self.state.batch_items.load(Ordering::SeqCst),
        )
    }

    /// Requests (direct or batch items) received with `method` (`GET`, `POST`, `PATCH`, `DELETE`).
    pub fn requests_of(&self, method: &str) -> usize {
        lock(&self.state.by_method)
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    /// Forget the request counts (events stay).
    pub fn reset_counts(&self) {
        lock(&self.state.by_method).clear();
        self.state.requests.store(0, Ordering::SeqCst);
        self.state.throttled.store(0, Ordering::SeqCst);
        self.state.batches.store(0, Ordering::SeqCst);
        self.state.batch_items.store(0, Ordering::SeqCst);
    }

    /// The most requests seen in flight at once for one mailbox.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Requests that arrived while [`MAILBOX_CONCURRENCY`] others of the same mailbox were in
    /// flight (each answered 429, as Outlook would). A client that respects the limit sees 0.
    pub fn concurrency_violations(&self) -> usize {
        self.state.violations.load(Ordering::SeqCst)
    }

    /// 429 answers injected by [`throttle_every`](Self::throttle_every).
    pub fn throttled(&self) -> usize {
        self.state.throttled.load(Ordering::SeqCst)
    }

    /// Creates whose answer was lost after the commit.
    pub fn lost_answers(&self) -> usize {
        self.state.lost.load(Ordering::SeqCst)
    }

    /// Requests that lacked `Prefer: outlook.timezone` or `outlook.body-content-type`.
    pub fn missing_prefer(&self) -> usize {
        self.state.missing_prefer.load(Ordering::SeqCst)
    }

    fn new_id(&self) -> String {
        format!(
            "AAMkAD-{}",
            self.state.next_id.fetch_add(1, Ordering::SeqCst) + 1
        )
    }

    fn handle(&self, request: &Request) -> ResponseTemplate {
        let st = &self.state;
        let latency = *lock(&st.latency);
        st.requests.fetch_add(1, Ordering::SeqCst);
        if let Some(tokens) = lock(&st.tokens).clone()
            && !bearer_token(request).is_some_and(|b| tokens.is_valid(&b))
        {
            return Answer::error(
                401,
                "InvalidAuthenticationToken",
                "Access token is empty or invalid.",
            )
            .template();
        }
        if request.url.path().ends_with("/$batch") {
            return self.batch(request, latency);
        }
        let Some((mailbox, rest)) = route(request.url.path()) else {
            return Answer::error(400, "BadRequest", "bad path").template();
        };
        // Outlook's per-mailbox concurrency, counted on arrival.
        if !self.enter(&mailbox, 1, latency) {
            return Answer::throttled().template().set_delay(latency);
        }
        let answer = self.item(request, &mailbox, &rest);
        if answer.lost {
            // Not in flight for the limit any more: the client gave up on it.
            if let Some(ends) = lock(&st.in_flight).get_mut(&mailbox) {
                ends.pop();
            }
            return answer.template().set_delay(Duration::from_secs(30));
        }
        answer.template().set_delay(latency)
    }

    /// Counts `weight` requests in flight for `mailbox` until `latency` from now; `false` (a
    /// violation) when that would exceed [`MAILBOX_CONCURRENCY`].
    fn enter(&self, mailbox: &str, weight: usize, busy_for: Duration) -> bool {
        let st = &self.state;
        let now = Instant::now();
        let mut flights = lock(&st.in_flight);
        let ends = flights.entry(mailbox.to_owned()).or_default();
        ends.retain(|end| *end > now);
        if ends.len() + weight > MAILBOX_CONCURRENCY {
            st.violations.fetch_add(1, Ordering::SeqCst);
            return false;
        }
        ends.extend(std::iter::repeat_n(now + busy_for, weight));
        st.max_in_flight.fetch_max(ends.len(), Ordering::SeqCst);
        true
    }

    /// One request, direct or a batch item, once admitted.
    fn item(&self, request: &Request, mailbox: &str, rest: &[String]) -> Answer {
        let st = &self.state;
        *lock(&st.by_method)
            .entry(request.method.to_string())
            .or_default() += 1;
        let n = st.items.fetch_add(1, Ordering::SeqCst) + 1;
        let every = st.throttle_every.load(Ordering::SeqCst);
        if every > 0 && n.is_multiple_of(every) {
            st.throttled.fetch_add(1, Ordering::SeqCst);
            return Answer::throttled();
        }
        if request.method.as_str() != "DELETE" {
            let prefer = request
                .headers
                .get_all("prefer")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",");
            if !(prefer.contains("outlook.timezone")
                && prefer.contains("outlook.body-content-type"))
            {
                st.missing_prefer.fetch_add(1, Ordering::SeqCst);
            }
        }
        // A named calendar's events are kept apart, under `{mailbox}/calendars/{id}`.
        let (store, rest) = match rest {
            [c, cal, tail @ ..] if c == "calendars" => (format!("{mailbox}/calendars/{cal}"), tail),
            _ => (mailbox.to_owned(), rest),
        };
        let mailbox = store.as_str();
        match (request.method.as_str(), rest) {
            ("GET", [c]) if c == "events" => self.list(request, mailbox),
            ("GET", [c]) if c == "calendarView" => self.list(request, mailbox),
            ("POST", [c]) if c == "events" => self.create(request, mailbox),
            ("GET", [c, id]) if c == "events" => self.get(request, mailbox, id),
            ("PATCH", [c, id]) if c == "events" => self.patch(request, mailbox, id),
            ("DELETE", [c, id]) if c == "events" => {
                let mut all = lock(&st.mailboxes);
                let list = all.entry(mailbox.to_owned()).or_default();
                match list.iter().position(|e| e["id"] == id.as_str()) {
                    Some(i) => {
                        list.remove(i);
                        Answer::new(204, None)
                    }
                    None => Answer::not_found(),
                }
            }
            _ => Answer::error(
                400,
                "BadRequest",
                "the stand-in does not serve this request",
            ),
        }
    }

    /// `POST /v1.0/$batch`: at most 20 items with unique ids; each item counts against its
    /// mailbox's limit (Outlook runs 4 of a batch at a time); answers in reverse order.
    fn batch(&self, request: &Request, latency: Duration) -> ResponseTemplate {
        let st = &self.state;
        st.batches.fetch_add(1, Ordering::SeqCst);
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return Answer::error(400, "BadRequest", "the batch is not JSON").template();
        };
        let items = body["requests"].as_array().cloned().unwrap_or_default();
        if items.is_empty() || items.len() > 20 {
            return Answer::error(400, "BadRequest", "a batch holds 1 to 20 requests").template();
        }
        let mut ids = std::collections::HashSet::new();
        if !items.iter().all(|i| {
            i["id"]
                .as_str()
                .is_some_and(|id| ids.insert(id.to_ascii_lowercase()))
        }) {
            return Answer::error(400, "BadRequest", "batch request ids must be unique").template();
        }
        st.batch_items.fetch_add(items.len(), Ordering::SeqCst);
        let mut per_mailbox: HashMap<String, usize> = HashMap::new();
        for i in &items {
            if let Some((mb, _)) = i["url"].as_str().and_then(route) {
                *per_mailbox.entry(mb).or_default() += 1;
            }
        }
        let rounds = per_mailbox
            .values()
            .map(|k| k.div_ceil(MAILBOX_CONCURRENCY))
            .max()
            .unwrap_or(1)
            .max(1) as u32;
        let busy_for = latency * rounds;
        let admitted: HashMap<String, bool> = per_mailbox
            .iter()
            .map(|(mb, k)| {
                (
                    mb.clone(),
                    self.enter(mb, (*k).min(MAILBOX_CONCURRENCY), busy_for),
                )
            })
            .collect();
        let mut responses = Vec::new();
        for i in items.iter().rev() {
            let id = i["id"].clone();
            let url = i["url"].as_str().unwrap_or_default();
            let answer = match route(url) {
                None => Answer::error(
                    400,
                    "BadRequest",
                    "a batch item url must be relative, e.g. /users/{id}/events",
                ),
                Some((mb, _)) if !admitted[&mb] => Answer::throttled(),
                Some(_)
                    if !i["body"].is_null()
                        && i["headers"]["Content-Type"].as_str().is_none()
                        && i["headers"]["content-type"].as_str().is_none() =>
                {
                    Answer::error(
                        400,
                        "BadRequest",
                        "a batch item with a body needs a Content-Type header",
                    )
                }
                Some((mb, rest)) => {
                    let mut item = Request {
                        url: request
                            .url
                            .join(&format!(
                                "/v1.0{}",
                                if url.starts_with('/') {
                                    url.to_owned()
                                } else {
                                    format!("/{url}")
                                }
                            ))
                            .unwrap_or_else(|_| request.url.clone()),
                        method: i["method"]
                            .as_str()
                            .unwrap_or("GET")
                            .parse()
                            .unwrap_or(wiremock::http::Method::GET),
                        headers: Default::default(),
                        body: if i["body"].is_null() {
                            Vec::new()
                        } else {
                            i["body"].to_string().into_bytes()
                        },
                    };
                    if let Some(h) = i["headers"].as_object() {
                        for (k, v) in h {
                            if let (Ok(k), Some(Ok(v))) = (
                                wiremock::http::HeaderName::from_bytes(k.as_bytes()),
                                v.as_str().map(wiremock::http::HeaderValue::from_str),
                            ) {
                                item.headers.append(k, v);
                            }
                        }
                    }
                    self.item(&item, &mb, &rest)
                }
            };
            responses.push(answer.batch_response(id));
        }
        ResponseTemplate::new(200)
            .set_body_json(json!({"responses": responses}))
            .set_delay(busy_for)
    }

    fn list(&self, request: &Request, mailbox: &str) -> Answer {
        let q: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let filter_id = q.get("$filter").and_then(|f| quoted_after(f, "ep/id eq '"));
        let expand_id = q.get("$expand").and_then(|f| quoted_after(f, "id eq '"));
        let top: usize = q
            .get("$top")
            .and_then(|t| t.parse().ok())
            .unwrap_or(10)
            .clamp(1, 1000);
        let skip: usize = q
            .get("$skiptoken")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let all = self.events(mailbox);
        // calendarView: `startDateTime` / `endDateTime` as RFC 3339 UTC; stored UTC times are
        // `YYYY-MM-DDTHH:MM:SS[.f]`, so the first 19 characters compare as instants.
        let window = match (q.get("startDateTime"), q.get("endDateTime")) {
            (Some(from), Some(to)) if request.url.path().ends_with("/calendarView") => {
                Some((utc_prefix(from), utc_prefix(to)))
            }
            _ => None,
        };
        let matching: Vec<&Value> = all
            .iter()
            .filter(|e| match &filter_id {
                Some(id) => property(e, id).is_some(),
                None => true,
            })
            .filter(|e| match &window {
                Some((from, to)) if e["start"]["timeZone"] == "UTC" => {
                    let start = utc_prefix(e["start"]["dateTime"].as_str().unwrap_or_default());
                    let end = utc_prefix(e["end"]["dateTime"].as_str().unwrap_or_default());
                    start < *to && *from < end
                }
                _ => true,
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(top)
            .map(|e| shaped(e, expand_id.as_deref()))
            .collect();
        let mut body = json!({"value": page});
        if skip + top < matching.len() {
            // Absolute, on the origin the client used (its Host header), as Graph sends it.
            let mut next = request.url.clone();
            if let Some(host) = request.headers.get("host").and_then(|h| h.to_str().ok()) {
                let (name, port) = match host.rsplit_once(':') {
                    Some((n, p)) if !n.ends_with(']') || p.parse::<u16>().is_ok() => {
                        (n, p.parse::<u16>().ok())
                    }
                    _ => (host, None),
                };
                let _ = next.set_host(Some(name));
                let _ = next.set_port(port);
            }
            let kept: Vec<(String, String)> = request
                .url
                .query_pairs()
                .into_owned()
                .filter(|(k, _)| k != "$skiptoken")
                .collect();
            next.query_pairs_mut()
                .clear()
                .extend_pairs(kept)
                .append_pair("$skiptoken", &(skip + top).to_string());
            body["@odata.nextLink"] = json!(next.to_string());
        }
        Answer::new(200, Some(body))
    }

    fn create(&self, request: &Request, mailbox: &str) -> Answer {
        let Ok(mut event) = serde_json::from_slice::<Value>(&request.body) else {
            return Answer::error(400, "RequestBodyRead", "the body is not JSON");
        };
        let txn = event["transactionId"].as_str().map(str::to_owned);
        if let Some(t) = &txn
            && let Some(id) = lock(&self.state.transactions).get(&(mailbox.to_owned(), t.clone()))
            && let Some(existing) = self.events(mailbox).iter().find(|e| e["id"] == id.as_str())
        {
            return Answer::new(201, Some(shaped(existing, None)));
        }
        let id = self.new_id();
        event["id"] = json!(id);
        lock(&self.state.mailboxes)
            .entry(mailbox.to_owned())
            .or_default()
            .push(event.clone());
        if let Some(t) = txn {
            lock(&self.state.transactions).insert((mailbox.to_owned(), t), id);
        }
        let mut answer = Answer::new(201, Some(shaped(&event, None)));
        answer.lost = self
            .state
            .lose_after_commit
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if answer.lost {
            self.state.lost.fetch_add(1, Ordering::SeqCst);
        }
        answer
    }

    fn get(&self, request: &Request, mailbox: &str, id: &str) -> Answer {
        let q: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let expand_id = q.get("$expand").and_then(|f| quoted_after(f, "id eq '"));
        match self.events(mailbox).iter().find(|e| e["id"] == id) {
            Some(e) => Answer::new(200, Some(shaped(e, expand_id.as_deref()))),
            None => Answer::not_found(),
        }
    }

    fn patch(&self, request: &Request, mailbox: &str, id: &str) -> Answer {
        let Ok(patch) = serde_json::from_slice::<Value>(&request.body) else {
            return Answer::error(400, "RequestBodyRead", "the body is not JSON");
        };
        let mut all = lock(&self.state.mailboxes);
        let Some(e) = all
            .get_mut(mailbox)
            .and_then(|v| v.iter_mut().find(|e| e["id"] == id))
        else {
            return Answer::not_found();
        };
        merge(e, patch);
        Answer::new(200, Some(shaped(e, None)))
    }
}

/// An answer, sent on its own or as a batch item.
struct Answer {
    status: u16,
    retry_after: Option<&'static str>,
    body: Option<Value>,
    lost: bool,
}

impl Answer {
    fn new(status: u16, body: Option<Value>) -> Self {
        Self {
            status,
            retry_after: None,
            body,
            lost: false,
        }
    }
    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::new(
            status,
            Some(json!({"error": {"code": code, "message": message}})),
        )
    }
    fn not_found() -> Self {
        Self::error(
            404,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    }
    fn throttled() -> Self {
        let mut a = Self::error(
            429,
            "ApplicationThrottled",
            "Application is over its MailboxConcurrency limit.",
        );
        a.retry_after = Some("1");
        a
    }
    fn template(&self) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.status).insert_header("request-id", "sandbox-graph");
        if let Some(r) = self.retry_after {
            t = t.insert_header("retry-after", r);
        }
        if let Some(b) = &self.body {
            t = t.set_body_json(b.clone());
        }
        t
    }
    fn batch_response(&self, id: Value) -> Value {
        let mut headers = json!({"Content-Type": "application/json"});
        if let Some(r) = self.retry_after {
            headers["Retry-After"] = json!(r);
        }
        let mut v = json!({"id": id, "status": self.status, "headers": headers});
        if let Some(b) = &self.body {
            v["body"] = b.clone();
        }
        v
    }
}

/// `(mailbox, rest)` of `/v1.0/users/{mailbox}/...` or `/users/{mailbox}/...`.
/// The `YYYY-MM-DDTHH:MM:SS` of a date-time string (RFC 3339 or Graph's `dateTime`).
fn utc_prefix(s: &str) -> String {
    s.chars().take(19).collect()
}

fn route(path: &str) -> Option<(String, Vec<String>)> {
    let path = path.split('?').next()?;
    let path = path.strip_prefix("/v1.0").unwrap_or(path);
    let mut segments = path.strip_prefix("/users/")?.split('/').map(percent_decode);
    let mailbox = segments.next().filter(|m| !m.is_empty())?;
    Some((mailbox, segments.collect()))
}

impl Respond for GraphCalendar {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.handle(request)
    }
}

/// Top-level fields replace; extended properties merge by id.
fn merge(event: &mut Value, patch: Value) {
    let Value::Object(fields) = patch else { return };
    for (k, v) in fields {
        if k == "singleValueExtendedProperties" {
            let mut props = event[&k].as_array().cloned().unwrap_or_default();
            for p in v.as_array().cloned().unwrap_or_default() {
                match props.iter_mut().find(|q| q["id"] == p["id"]) {
                    Some(q) => *q = p,
                    None => props.push(p),
                }
            }
            event[&k] = Value::Array(props);
        } else if k != "id" {
            event[&k] = v;
        }
    }
}

/// The event as Graph shows it: extended properties only when expanded by their id.
fn shaped(event: &Value, expand_id: Option<&str>) -> Value {
    let mut out = event.clone();
    if let Value::Object(m) = &mut out {
        m.remove("singleValueExtendedProperties");
    }
    if let Some(id) = expand_id
        && let Some(p) = property(event, id)
    {
        out["singleValueExtendedProperties"] = json!([p]);
    }
    out
}

/// The extended property `id` of an event. The id's name part is case-sensitive.
fn property(event: &Value, id: &str) -> Option<Value> {
    event["singleValueExtendedProperties"]
        .as_array()?
        .iter()
        .find(|p| p["id"].as_str() == Some(id))
        .cloned()
}

fn quoted_after(s: &str, prefix: &str) -> Option<String> {
    let start = s.find(prefix)? + prefix.len();
    let len = s[start..].find('\'')?;
    Some(s[start..start + len].to_owned())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

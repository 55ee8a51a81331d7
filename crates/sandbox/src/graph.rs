//! A stateful Microsoft Graph calendar stand-in: events of many mailboxes under
//! `/v1.0/users/{id}/events`, our tag property filtered and expanded, `transactionId` creates,
//! paging by absolute `@odata.nextLink`, and Outlook's per-mailbox concurrency limit asserted.
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
//! What it does not do: convert time zones (events come back in the zone they were written
//! in; the `Prefer: outlook.timezone` header is only checked for presence), recurrence,
//! `calendarView`, `$batch` or delta.

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
        Mock::given(path_regex("^/v1.0/users/"))
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

    /// The events of a mailbox, with their extended properties.
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

    /// Requests received with `method` (`GET`, `POST`, `PATCH`, `DELETE`).
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
        let n = st.requests.fetch_add(1, Ordering::SeqCst) + 1;
        *lock(&st.by_method)
            .entry(request.method.to_string())
            .or_default() += 1;
        if let Some(tokens) = lock(&st.tokens).clone()
            && !bearer_token(request).is_some_and(|b| tokens.is_valid(&b))
        {
            return error(
                401,
                "InvalidAuthenticationToken",
                "Access token is empty or invalid.",
            );
        }
        let segments: Vec<String> = request
            .url
            .path_segments()
            .map(|s| s.map(percent_decode).collect())
            .unwrap_or_default();
        let [_, _, mailbox, rest @ ..] = segments.as_slice() else {
            return error(400, "BadRequest", "bad path");
        };
        let mailbox = mailbox.clone();
        // Outlook's per-mailbox concurrency, counted on arrival.
        let latency = *lock(&st.latency);
        let now = Instant::now();
        {
            let mut flights = lock(&st.in_flight);
            let ends = flights.entry(mailbox.clone()).or_default();
            ends.retain(|end| *end > now);
            if ends.len() >= MAILBOX_CONCURRENCY {
                st.violations.fetch_add(1, Ordering::SeqCst);
                return throttled().set_delay(latency);
            }
            ends.push(now + latency);
            st.max_in_flight.fetch_max(ends.len(), Ordering::SeqCst);
        }
        let every = st.throttle_every.load(Ordering::SeqCst);
        if every > 0 && n.is_multiple_of(every) {
            st.throttled.fetch_add(1, Ordering::SeqCst);
            return throttled().set_delay(latency);
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
        let answer = match (request.method.as_str(), rest) {
            ("GET", [c]) if c == "events" => self.list(request, &mailbox),
            ("POST", [c]) if c == "events" => return self.create(request, &mailbox, latency),
            ("GET", [c, id]) if c == "events" => self.get(request, &mailbox, id),
            ("PATCH", [c, id]) if c == "events" => self.patch(request, &mailbox, id),
            ("DELETE", [c, id]) if c == "events" => {
                let mut all = lock(&st.mailboxes);
                let list = all.entry(mailbox.clone()).or_default();
                match list.iter().position(|e| e["id"] == id.as_str()) {
                    Some(i) => {
                        list.remove(i);
                        ResponseTemplate::new(204)
                    }
                    None => not_found(),
                }
            }
            _ => error(
                400,
                "BadRequest",
                "the stand-in does not serve this request",
            ),
        };
        answer.set_delay(latency)
    }

    fn list(&self, request: &Request, mailbox: &str) -> ResponseTemplate {
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
        let matching: Vec<&Value> = all
            .iter()
            .filter(|e| match &filter_id {
                Some(id) => property(e, id).is_some(),
                None => true,
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
        ResponseTemplate::new(200).set_body_json(body)
    }

    fn create(&self, request: &Request, mailbox: &str, latency: Duration) -> ResponseTemplate {
        let Ok(mut event) = serde_json::from_slice::<Value>(&request.body) else {
            return error(400, "RequestBodyRead", "the body is not JSON");
        };
        let txn = event["transactionId"].as_str().map(str::to_owned);
        if let Some(t) = &txn
            && let Some(id) = lock(&self.state.transactions).get(&(mailbox.to_owned(), t.clone()))
            && let Some(existing) = self.events(mailbox).iter().find(|e| e["id"] == id.as_str())
        {
            return ResponseTemplate::new(201)
                .set_body_json(shaped(existing, None))
                .set_delay(latency);
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
        let lose = self
            .state
            .lose_after_commit
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if lose {
            self.state.lost.fetch_add(1, Ordering::SeqCst);
            // Not in flight for the limit any more: the client gave up on it.
            if let Some(ends) = lock(&self.state.in_flight).get_mut(mailbox) {
                ends.pop();
            }
            return ResponseTemplate::new(201)
                .set_body_json(shaped(&event, None))
                .set_delay(Duration::from_secs(30));
        }
        ResponseTemplate::new(201)
            .set_body_json(shaped(&event, None))
            .set_delay(latency)
    }

    fn get(&self, request: &Request, mailbox: &str, id: &str) -> ResponseTemplate {
        let q: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let expand_id = q.get("$expand").and_then(|f| quoted_after(f, "id eq '"));
        match self.events(mailbox).iter().find(|e| e["id"] == id) {
            Some(e) => ResponseTemplate::new(200).set_body_json(shaped(e, expand_id.as_deref())),
            None => not_found(),
        }
    }

    fn patch(&self, request: &Request, mailbox: &str, id: &str) -> ResponseTemplate {
        let Ok(patch) = serde_json::from_slice::<Value>(&request.body) else {
            return error(400, "RequestBodyRead", "the body is not JSON");
        };
        let mut all = lock(&self.state.mailboxes);
        let Some(e) = all
            .get_mut(mailbox)
            .and_then(|v| v.iter_mut().find(|e| e["id"] == id))
        else {
            return not_found();
        };
        merge(e, patch);
        ResponseTemplate::new(200).set_body_json(shaped(e, None))
    }
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

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("request-id", "sandbox-graph")
        .set_body_json(json!({"error": {"code": code, "message": message}}))
}

fn not_found() -> ResponseTemplate {
    error(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

fn throttled() -> ResponseTemplate {
    error(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
    )
    .insert_header("retry-after", "1")
}

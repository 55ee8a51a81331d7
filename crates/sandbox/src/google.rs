//! A stateful Google Calendar stand-in (Events API v3): events of many users under
//! `/calendar/v3/calendars/{calendarId}/events`, client-chosen ids (base32hex, 5–1024
//! characters, 409 `duplicate` when taken, deleted ones included), deletion that leaves a
//! `cancelled` event (410 `deleted` when deleted again), `privateExtendedProperty` filters,
//! `pageToken` paging (optionally short and empty pages that still carry a next token),
//! `syncToken` incremental lists (410 `fullSyncRequired` once expired), batches at
//! `/batch/calendar/v3` (`multipart/mixed`, each part answered on its own and counted as one
//! request), Google's error JSON, the 403 `usageLimits` slow-down answers, and the per-user
//! limit (600 requests a minute per user by default) asserted.
//!
//! With [`require_token`](GoogleCalendar::require_token), tokens must come from the
//! [`TokenEndpoint`]; a token issued by a JWT bearer grant (a service account with domain-wide
//! delegation) acts for its subject only: `primary` is that user's calendar, and another user's
//! calendar answers 404 `notFound`.
//!
//! ```
//! use wfm_sandbox::google::GoogleCalendar;
//! use wiremock::MockServer;
//!
//! # async fn demo() {
//! let server = MockServer::start().await;
//! let google = GoogleCalendar::mount(&server).await;
//! google.insert("jane@example.com", serde_json::json!({"summary": "Dentist",
//!     "start": {"dateTime": "2026-03-02T09:00:00Z"}, "end": {"dateTime": "2026-03-02T10:00:00Z"}}));
//! assert_eq!(google.events("jane@example.com").len(), 1);
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo());
//! ```
//!
//! Sources: <https://developers.google.com/workspace/calendar/api/v3/reference/events>,
//! <https://developers.google.com/workspace/calendar/api/guides/sync>,
//! <https://developers.google.com/workspace/calendar/api/guides/batch>,
//! <https://developers.google.com/workspace/calendar/api/guides/errors>,
//! <https://developers.google.com/workspace/calendar/api/guides/quota>.
//!
//! What it does not do: time zones (instants are stored as written), recurrence (so
//! `singleEvents` changes nothing), ETags, or attendees. `timeMin` / `timeMax` filter by
//! overlap.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::DROP_MARK;
use crate::{TokenEndpoint, bearer_token, lock};

/// Google's per-user limit: 600 requests a minute per user per project
/// (<https://developers.google.com/workspace/calendar/api/guides/quota>).
pub const PER_USER_PER_MINUTE: usize = 600;

/// The most calls in one batch request.
pub const MAX_BATCH_PARTS: usize = 1000;

/// The stand-in. Cheap to clone; clones share state. Its `Debug` shows counts only.
#[derive(Clone)]
pub struct GoogleCalendar {
    state: Arc<State>,
}

impl fmt::Debug for GoogleCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleCalendar")
            .field("requests", &self.requests())
            .field("user_limit_violations", &self.user_limit_violations())
            .finish_non_exhaustive()
    }
}

/// One stored event and the change number of its last write.
#[derive(Clone)]
struct Stored {
    event: Value,
    seq: u64,
}

struct State {
    calendars: Mutex<HashMap<String, Vec<Stored>>>,
    seq: AtomicU64,
    next_id: AtomicUsize,
    tokens: Mutex<Option<TokenEndpoint>>,
    latency: Mutex<Duration>,
    requests: AtomicUsize,
    by_method: Mutex<HashMap<String, usize>>,
    batches: AtomicUsize,
    batch_parts: AtomicUsize,
    user_limit: Mutex<(usize, Duration)>,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
    violations: AtomicUsize,
    slow_down_every: AtomicUsize,
    slow_down_next: Mutex<VecDeque<String>>,
    slowed: AtomicUsize,
    items: AtomicUsize,
    drop_after_commit: AtomicUsize,
    marked: AtomicUsize,
    lose_after_commit: AtomicUsize,
    lost: AtomicUsize,
    short_pages: Mutex<bool>,
    sync_epoch: AtomicU64,
    denied: Mutex<HashSet<String>>,
    wrong_user: AtomicUsize,
    forbid_restoring: Mutex<bool>,
    arrivals: Mutex<Vec<(String, Instant)>>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            calendars: Mutex::default(),
            seq: AtomicU64::new(0),
            next_id: AtomicUsize::new(0),
            tokens: Mutex::default(),
            latency: Mutex::default(),
            requests: AtomicUsize::new(0),
            by_method: Mutex::default(),
            batches: AtomicUsize::new(0),
            batch_parts: AtomicUsize::new(0),
            user_limit: Mutex::new((PER_USER_PER_MINUTE, Duration::from_secs(60))),
            windows: Mutex::default(),
            violations: AtomicUsize::new(0),
            slow_down_every: AtomicUsize::new(0),
            slow_down_next: Mutex::default(),
            slowed: AtomicUsize::new(0),
            items: AtomicUsize::new(0),
            drop_after_commit: AtomicUsize::new(0),
            marked: AtomicUsize::new(0),
            lose_after_commit: AtomicUsize::new(0),
            lost: AtomicUsize::new(0),
            short_pages: Mutex::new(false),
            sync_epoch: AtomicU64::new(0),
            denied: Mutex::default(),
            wrong_user: AtomicUsize::new(0),
            forbid_restoring: Mutex::new(false),
            arrivals: Mutex::default(),
        }
    }
}

impl GoogleCalendar {
    /// Mounts the stand-in on `server`: `/calendar/v3/calendars/...` and `/batch/calendar/v3`.
    pub async fn mount(server: &MockServer) -> Self {
        let me = Self {
            state: Arc::new(State::default()),
        };
        Mock::given(path_regex(r"^/(calendar/v3/calendars/|batch/calendar/v3$)"))
            .respond_with(me.clone())
            .mount(server)
            .await;
        me
    }

    /// Answer 401 `authError` to bearer tokens `tokens` did not issue (or expired); a token
    /// from a JWT bearer grant acts for its subject only.
    pub fn require_token(self, tokens: &TokenEndpoint) -> Self {
        *lock(&self.state.tokens) = Some(tokens.clone());
        self
    }

    /// Every answer takes `latency`.
    pub fn latency(self, latency: Duration) -> Self {
        *lock(&self.state.latency) = latency;
        self
    }

    /// The per-user limit asserted: at most `n` requests (batch parts included) per user in any
    /// window of `period` (default [`PER_USER_PER_MINUTE`] a minute). Over it, the request is
    /// answered 403 `userRateLimitExceeded` and counted in
    /// [`user_limit_violations`](Self::user_limit_violations).
    pub fn user_limit(self, n: usize, period: Duration) -> Self {
        *lock(&self.state.user_limit) = (n.max(1), period);
        self
    }

    /// Answer every `n`th request or batch part (0: none) with 403 `rateLimitExceeded`
    /// (domain `usageLimits`), as Google does when the project is over its rate.
    pub fn slow_down_every(&self, n: usize) {
        self.state.slow_down_every.store(n, Ordering::SeqCst);
    }

    /// Answer the next `n` requests or batch parts with 403 `reason` (domain `usageLimits`),
    /// such as `userRateLimitExceeded`.
    pub fn slow_down_next(&self, n: usize, reason: &str) {
        lock(&self.state.slow_down_next).extend(std::iter::repeat_n(reason.to_owned(), n));
    }

    /// The next `n` inserts are stored, then their connection is dropped before the answer
    /// reaches the client, when the client talks through a
    /// [`DropConnections`](crate::DropConnections) front.
    pub fn drop_after_commit(&self, n: usize) {
        self.state.drop_after_commit.store(n, Ordering::SeqCst);
    }

    /// The next `n` inserts are stored, then their answer comes only after 30 s (a client
    /// timeout sees a lost answer).
    pub fn lose_answers_after_commit(&self, n: usize) {
        self.state.lose_after_commit.store(n, Ordering::SeqCst);
    }

    /// Pages hold at most 3 events, and every other page is empty but still has a
    /// `nextPageToken`, as Google's may.
    pub fn short_pages(&self, on: bool) {
        *lock(&self.state.short_pages) = on;
    }

    /// Every sync token issued so far answers 410 `fullSyncRequired` from now on.
    pub fn expire_sync_tokens(&self) {
        self.state.sync_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Calls on `calendar` answer 403 `insufficientPermissions` (a token whose scopes do not
    /// cover the call).
    pub fn deny(&self, calendar: &str) {
        lock(&self.state.denied).insert(calendar.to_owned());
    }

    /// Writing over a deleted (`cancelled`) event answers 403 `forbidden`, as Google has been
    /// reported to answer for events a person deleted in the Calendar UI.
    pub fn forbid_restoring(&self, on: bool) {
        *lock(&self.state.forbid_restoring) = on;
    }

    /// Adds an event as a person would (no tag unless given), returning its id.
    pub fn insert(&self, calendar: &str, mut event: Value) -> String {
        let id = self.new_id();
        event["id"] = json!(id);
        if event["status"].is_null() {
            event["status"] = json!("confirmed");
        }
        let seq = self.next_seq();
        lock(&self.state.calendars)
            .entry(calendar.to_owned())
            .or_default()
            .push(Stored { event, seq });
        id
    }

    /// Changes fields of an event as a person would in Google Calendar (`extendedProperties`
    /// merged by key).
    pub fn edit(&self, calendar: &str, id: &str, patch: Value) -> bool {
        let seq = self.next_seq();
        let mut all = lock(&self.state.calendars);
        let Some(e) = all
            .get_mut(calendar)
            .and_then(|v| v.iter_mut().find(|e| e.event["id"] == id))
        else {
            return false;
        };
        merge(&mut e.event, patch);
        e.seq = seq;
        true
    }

    /// The live events of a calendar (not `cancelled`), in insertion order.
    pub fn events(&self, calendar: &str) -> Vec<Value> {
        self.all_events(calendar)
            .into_iter()
            .filter(|e| e["status"] != "cancelled")
            .collect()
    }

    /// Every event of a calendar, deleted (`cancelled`) ones included.
    pub fn all_events(&self, calendar: &str) -> Vec<Value> {
        lock(&self.state.calendars)
            .get(calendar)
            .map(|v| v.iter().map(|s| s.event.clone()).collect())
            .unwrap_or_default()
    }

    /// HTTP requests received (a batch is one), token-rejected ones included.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Calls (requests or batch parts) received with `method` (`GET`, `POST`, `PATCH`, `PUT`,
    /// `DELETE`), each one as Google's quota counts it.
    pub fn requests_of(&self, method: &str) -> usize {
        lock(&self.state.by_method)
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    /// Calls of every method (requests and batch parts; the batch envelopes themselves not).
    pub fn calls(&self) -> usize {
        lock(&self.state.by_method).values().sum()
    }

    /// Batch requests received, and the parts they held.
    pub fn batches(&self) -> (usize, usize) {
        (
            self.state.batches.load(Ordering::SeqCst),
            self.state.batch_parts.load(Ordering::SeqCst),
        )
    }

    /// Forget the request counts and arrivals (events stay).
    pub fn reset_counts(&self) {
        lock(&self.state.by_method).clear();
        lock(&self.state.arrivals).clear();
        self.state.requests.store(0, Ordering::SeqCst);
        self.state.batches.store(0, Ordering::SeqCst);
        self.state.batch_parts.store(0, Ordering::SeqCst);
        self.state.slowed.store(0, Ordering::SeqCst);
    }

    /// Calls answered 403 `userRateLimitExceeded` because the user was over the per-user limit.
    /// A client that keeps the limit sees 0.
    pub fn user_limit_violations(&self) -> usize {
        self.state.violations.load(Ordering::SeqCst)
    }

    /// 403 slow-down answers injected by [`slow_down_every`](Self::slow_down_every) and
    /// [`slow_down_next`](Self::slow_down_next).
    pub fn slowed(&self) -> usize {
        self.state.slowed.load(Ordering::SeqCst)
    }

    /// Inserts committed whose connection was marked to be dropped, or whose answer was lost.
    pub fn lost_answers(&self) -> usize {
        self.state.marked.load(Ordering::SeqCst) + self.state.lost.load(Ordering::SeqCst)
    }

    /// Calls made with a delegated token on another user's calendar (answered 404).
    pub fn wrong_user(&self) -> usize {
        self.state.wrong_user.load(Ordering::SeqCst)
    }

    /// When each call on `calendar` arrived (requests and batch parts).
    pub fn arrivals(&self, calendar: &str) -> Vec<Instant> {
        lock(&self.state.arrivals)
            .iter()
            .filter(|(c, _)| c == calendar)
            .map(|(_, t)| *t)
            .collect()
    }

    fn new_id(&self) -> String {
        // Server-made ids are base32hex too.
        format!(
            "sbx{:06}",
            self.state.next_id.fetch_add(1, Ordering::SeqCst) + 1
        )
    }

    fn next_seq(&self) -> u64 {
        self.state.seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn handle(&self, request: &Request) -> ResponseTemplate {
        let arrived = Instant::now();
        let st = &self.state;
        let latency = *lock(&st.latency);
        st.requests.fetch_add(1, Ordering::SeqCst);
        let subject = match self.caller(request) {
            Ok(s) => s,
            Err(a) => return a.template().set_delay(latency),
        };
        if request.url.path() == "/batch/calendar/v3" {
            return self
                .batch(request, subject.as_deref(), arrived)
                .set_delay(latency);
        }
        let call = Call {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request.url.query().unwrap_or_default().to_owned(),
            body: request.body.clone(),
        };
        let answer = self.call(&call, subject.as_deref(), arrived);
        if answer.lost {
            return answer.template().set_delay(Duration::from_secs(30));
        }
        answer.template().set_delay(latency)
    }

    /// The subject acting, from the bearer token (`None` when tokens are not checked or the
    /// token is not delegated), or the 401 answer.
    fn caller(&self, request: &Request) -> Result<Option<String>, Answer> {
        let Some(tokens) = lock(&self.state.tokens).clone() else {
            return Ok(None);
        };
        match bearer_token(request) {
            Some(b) if tokens.is_valid(&b) => {
                let scopes = tokens.scopes_of(&b);
                if !scopes.is_empty()
                    && !scopes.iter().any(|s| {
                        s == "https://www.googleapis.com/auth/calendar"
                            || s == "https://www.googleapis.com/auth/calendar.events"
                            || s == "https://www.googleapis.com/auth/calendar.app.created"
                    })
                {
                    return Err(insufficient());
                }
                Ok(tokens.subject_of(&b))
            }
            _ => Err(Answer::error(
                401,
                "global",
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            )),
        }
    }

    /// Counts the call against its user's window; `false` (a violation) when over the limit.
    fn admit(&self, user: &str, now: Instant) -> bool {
        let (n, period) = *lock(&self.state.user_limit);
        let mut windows = lock(&self.state.windows);
        let w = windows.entry(user.to_owned()).or_default();
        while w.front().is_some_and(|t| *t + period <= now) {
            w.pop_front();
        }
        if w.len() >= n {
            self.state.violations.fetch_add(1, Ordering::SeqCst);
            return false;
        }
        w.push_back(now);
        true
    }

    /// One call, direct or a batch part, counted against its user's window as of `arrived`
    /// (when its HTTP request arrived: a batch's parts all count at the batch's arrival).
    fn call(&self, call: &Call, subject: Option<&str>, arrived: Instant) -> Answer {
        let st = &self.state;
        let Some((calendar, rest)) = route(&call.path) else {
            return Answer::error(404, "global", "notFound", "Not Found");
        };
        let calendar = match (calendar.as_str(), subject) {
            ("primary", Some(s)) => s.to_owned(),
            (c, Some(s)) if c != s => {
                st.wrong_user.fetch_add(1, Ordering::SeqCst);
                return Answer::error(404, "global", "notFound", "Not Found");
            }
            (c, _) => c.to_owned(),
        };
        *lock(&st.by_method).entry(call.method.clone()).or_default() += 1;
        lock(&st.arrivals).push((calendar.clone(), Instant::now()));
        if !self.admit(subject.unwrap_or(&calendar), arrived) {
            return slow_down("userRateLimitExceeded");
        }
        if let Some(reason) = lock(&st.slow_down_next).pop_front() {
            st.slowed.fetch_add(1, Ordering::SeqCst);
            return slow_down(&reason);
        }
        let n = st.items.fetch_add(1, Ordering::SeqCst) + 1;
        let every = st.slow_down_every.load(Ordering::SeqCst);
        if every > 0 && n.is_multiple_of(every) {
            st.slowed.fetch_add(1, Ordering::SeqCst);
            return slow_down("rateLimitExceeded");
        }
        if lock(&st.denied).contains(&calendar) {
            return insufficient();
        }
        match (call.method.as_str(), rest.as_slice()) {
            ("GET", []) => self.list(&calendar, &call.query),
            ("POST", []) => self.create(&calendar, &call.body),
            ("GET", [id]) => match self.find(&calendar, id) {
                Some(e) => Answer::new(200, Some(e)),
                None => not_found(),
            },
            ("PATCH", [id]) => self.write(&calendar, id, &call.body, false),
            ("PUT", [id]) => self.write(&calendar, id, &call.body, true),
            ("DELETE", [id]) => self.delete(&calendar, id),
            _ => Answer::error(
                400,
                "global",
                "badRequest",
                "the stand-in does not serve this request",
            ),
        }
    }

    fn find(&self, calendar: &str, id: &str) -> Option<Value> {
        lock(&self.state.calendars)
            .get(calendar)?
            .iter()
            .find(|e| e.event["id"] == id)
            .map(|e| e.event.clone())
    }

    fn create(&self, calendar: &str, body: &[u8]) -> Answer {
        let st = &self.state;
        let Ok(mut event) = serde_json::from_slice::<Value>(body) else {
            return Answer::error(400, "global", "parseError", "Parse Error");
        };
        if !event.is_object() {
            return Answer::error(400, "global", "parseError", "Parse Error");
        }
        let id = match event["id"].as_str() {
            Some(id) if valid_id(id) => id.to_owned(),
            Some(_) => {
                return Answer::error(400, "global", "invalid", "Invalid resource id value.");
            }
            None => self.new_id(),
        };
        if event["start"]["dateTime"].is_null() && event["start"]["date"].is_null() {
            return Answer::error(400, "global", "required", "Missing start time.");
        }
        event["id"] = json!(id);
        if event["status"].is_null() {
            event["status"] = json!("confirmed");
        }
        event["kind"] = json!("calendar#event");
        {
            let seq = self.next_seq();
            let mut all = lock(&st.calendars);
            let list = all.entry(calendar.to_owned()).or_default();
            // Deleted events keep their id: it stays taken.
            if list.iter().any(|e| e.event["id"] == id.as_str()) {
                return Answer::error(
                    409,
                    "global",
                    "duplicate",
                    "The requested identifier already exists.",
                );
            }
            list.push(Stored {
                event: event.clone(),
                seq,
            });
        }
        let mut answer = Answer::new(200, Some(event));
        if take_one(&st.drop_after_commit) {
            st.marked.fetch_add(1, Ordering::SeqCst);
            answer.drop_connection = true;
        } else if take_one(&st.lose_after_commit) {
            st.lost.fetch_add(1, Ordering::SeqCst);
            answer.lost = true;
        }
        answer
    }

    /// PATCH (fields merged) or PUT (fields replaced). A cancelled event is restored by
    /// setting its `status`.
    fn write(&self, calendar: &str, id: &str, body: &[u8], replace: bool) -> Answer {
        let Ok(patch) = serde_json::from_slice::<Value>(body) else {
            return Answer::error(400, "global", "parseError", "Parse Error");
        };
        let forbid = *lock(&self.state.forbid_restoring);
        let seq = self.next_seq();
        let mut all = lock(&self.state.calendars);
        let Some(e) = all
            .get_mut(calendar)
            .and_then(|v| v.iter_mut().find(|e| e.event["id"] == id))
        else {
            return not_found();
        };
        if forbid && e.event["status"] == "cancelled" {
            return Answer::error(403, "global", "forbidden", "Forbidden");
        }
        if replace {
            let mut fresh = patch;
            fresh["id"] = json!(id);
            fresh["kind"] = json!("calendar#event");
            if fresh["status"].is_null() {
                fresh["status"] = e.event["status"].clone();
            }
            e.event = fresh;
        } else {
            merge(&mut e.event, patch);
        }
        e.seq = seq;
        Answer::new(200, Some(e.event.clone()))
    }

    fn delete(&self, calendar: &str, id: &str) -> Answer {
        let seq = self.next_seq();
        let mut all = lock(&self.state.calendars);
        let Some(e) = all
            .get_mut(calendar)
            .and_then(|v| v.iter_mut().find(|e| e.event["id"] == id))
        else {
            return not_found();
        };
        if e.event["status"] == "cancelled" {
            return Answer::error(410, "global", "deleted", "Resource has been deleted");
        }
        e.event["status"] = json!("cancelled");
        e.seq = seq;
        Answer::new(204, None)
    }

    /// `GET .../events`: filters, `showDeleted`, `syncToken`, paging.
    fn list(&self, calendar: &str, query: &str) -> Answer {
        let params: Vec<(String, String)> = url_query(query);
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let filters: Vec<(String, String)> = params
            .iter()
            .filter(|(n, _)| n == "privateExtendedProperty")
            .filter_map(|(_, v)| v.split_once('=').map(|(a, b)| (a.to_owned(), b.to_owned())))
            .collect();
        let sync_from = match get("syncToken") {
            None => None,
            Some(t) => {
                if params.iter().any(|(n, _)| {
                    matches!(
                        n.as_str(),
                        "privateExtendedProperty"
                            | "sharedExtendedProperty"
                            | "timeMin"
                            | "timeMax"
                            | "q"
                            | "iCalUID"
                            | "orderBy"
                            | "updatedMin"
                    )
                }) {
                    return Answer::error(
                        400,
                        "global",
                        "invalid",
                        "Sync token cannot be combined with privateExtendedProperty, sharedExtendedProperty, timeMin, timeMax, q, iCalUID, orderBy or updatedMin.",
                    );
                }
                match t
                    .strip_prefix("sbxsync-")
                    .and_then(|r| r.split_once('-'))
                    .and_then(|(e, n)| Some((e.parse::<u64>().ok()?, n.parse::<u64>().ok()?)))
                {
                    Some((epoch, n)) if epoch == self.state.sync_epoch.load(Ordering::SeqCst) => {
                        Some(n)
                    }
                    Some(_) => {
                        return Answer::error(
                            410,
                            "global",
                            "fullSyncRequired",
                            "Sync token is no longer valid, a full sync is required.",
                        );
                    }
                    None => {
                        return Answer::error(
                            400,
                            "global",
                            "invalid",
                            "Invalid sync token value.",
                        );
                    }
                }
            }
        };
        let show_deleted = sync_from.is_some() || get("showDeleted") == Some("true");
        // `timeMin` / `timeMax`: events ending after the one and starting before the other
        // (all-day events, without `dateTime`, are left out of a window).
        let instant = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
        let (time_min, time_max) = match (get("timeMin").map(instant), get("timeMax").map(instant))
        {
            (Some(None), _) | (_, Some(None)) => {
                return Answer::error(400, "global", "invalid", "Bad Request");
            }
            (a, b) => (a.flatten(), b.flatten()),
        };
        let in_window = |e: &Value| {
            if time_min.is_none() && time_max.is_none() {
                return true;
            }
            let start = e["start"]["dateTime"].as_str().and_then(instant);
            let end = e["end"]["dateTime"].as_str().and_then(instant);
            match (start, end) {
                (Some(s), Some(en)) => {
                    time_min.is_none_or(|m| en > m) && time_max.is_none_or(|m| s < m)
                }
                _ => false,
            }
        };
        let max = get("maxResults")
            .and_then(|m| m.parse::<usize>().ok())
            .unwrap_or(250)
            .clamp(1, 2500);
        // Page tokens: `sbxpage-<position>-<1 when the page is to be empty>`.
        let (position, empty) = match get("pageToken") {
            None => (0, false),
            Some(t) => match t
                .strip_prefix("sbxpage-")
                .and_then(|r| r.split_once('-'))
                .and_then(|(p, e)| Some((p.parse::<usize>().ok()?, e == "1")))
            {
                Some(x) => x,
                None => {
                    return Answer::error(400, "global", "invalid", "Invalid page token value.");
                }
            },
        };
        let now_seq = self.state.seq.load(Ordering::SeqCst);
        let matching: Vec<Value> = lock(&self.state.calendars)
            .get(calendar)
            .map(|v| {
                v.iter()
                    .filter(|s| sync_from.is_none_or(|n| s.seq > n))
                    .filter(|s| show_deleted || s.event["status"] != "cancelled")
                    .filter(|s| in_window(&s.event))
                    .filter(|s| {
                        filters.iter().all(|(k, val)| {
                            s.event["extendedProperties"]["private"][k].as_str() == Some(val)
                        })
                    })
                    .map(|s| s.event.clone())
                    .collect()
            })
            .unwrap_or_default();
        let short = *lock(&self.state.short_pages);
        let take = if short { max.min(3) } else { max };
        let items: Vec<Value> = if empty {
            Vec::new()
        } else {
            matching.iter().skip(position).take(take).cloned().collect()
        };
        let next = position + items.len();
        let mut body = json!({"kind": "calendar#events", "items": items});
        if next < matching.len() {
            // Short pages: an empty page (with a next token) after every full one.
            let e = if short && !empty { "1" } else { "0" };
            body["nextPageToken"] = json!(format!("sbxpage-{next}-{e}"));
        } else {
            let epoch = self.state.sync_epoch.load(Ordering::SeqCst);
            body["nextSyncToken"] = json!(format!("sbxsync-{epoch}-{now_seq}"));
        }
        Answer::new(200, Some(body))
    }

    /// `POST /batch/calendar/v3`: a `multipart/mixed` body of `application/http` parts, each
    /// answered in a part of the same shape with `Content-ID: <response-ID>`.
    fn batch(
        &self,
        request: &Request,
        subject: Option<&str>,
        arrived: Instant,
    ) -> ResponseTemplate {
        let st = &self.state;
        st.batches.fetch_add(1, Ordering::SeqCst);
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let Some(boundary) = boundary_of(&content_type) else {
            return Answer::error(
                400,
                "global",
                "badContent",
                "a batch request needs Content-Type: multipart/mixed; boundary=...",
            )
            .template();
        };
        let parts = split_multipart(&request.body, &boundary);
        if parts.is_empty() || parts.len() > MAX_BATCH_PARTS {
            return Answer::error(400, "global", "invalid", "a batch holds 1 to 1000 calls")
                .template();
        }
        st.batch_parts.fetch_add(parts.len(), Ordering::SeqCst);
        let out_boundary = "batch_sandbox_google";
        let mut out = String::new();
        let mut drop_connection = false;
        for part in parts {
            let (headers, inner) = split_head(&part);
            let content_id = header_value(&headers, "content-id").unwrap_or_default();
            let answer = match parse_http_request(inner) {
                Some(call) => self.call(&call, subject, arrived),
                None => Answer::error(400, "global", "badRequest", "unreadable batch part"),
            };
            drop_connection |= answer.drop_connection;
            out.push_str(&format!(
                "--{out_boundary}\r\nContent-Type: application/http\r\n"
            ));
            if !content_id.is_empty() {
                let id = content_id.trim_start_matches('<').trim_end_matches('>');
                out.push_str(&format!("Content-ID: <response-{id}>\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&format!(
                "HTTP/1.1 {} {}\r\n",
                answer.status,
                reason(answer.status)
            ));
            match &answer.body {
                Some(b) => {
                    let text = b.to_string();
                    out.push_str(&format!(
                        "Content-Type: application/json; charset=UTF-8\r\nContent-Length: {}\r\n\r\n{text}\r\n",
                        text.len()
                    ));
                }
                None => out.push_str("Content-Length: 0\r\n\r\n\r\n"),
            }
        }
        out.push_str(&format!("--{out_boundary}--\r\n"));
        let mut t = ResponseTemplate::new(200).set_body_raw(
            out.into_bytes(),
            &format!("multipart/mixed; boundary={out_boundary}"),
        );
        if drop_connection {
            t = t.insert_header(DROP_MARK, "1");
        }
        t
    }
}

impl Respond for GoogleCalendar {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.handle(request)
    }
}

/// One call: a request or a batch part.
struct Call {
    method: String,
    path: String,
    query: String,
    body: Vec<u8>,
}

/// An answer, sent on its own or as a batch part.
struct Answer {
    status: u16,
    body: Option<Value>,
    lost: bool,
    drop_connection: bool,
}

impl Answer {
    fn new(status: u16, body: Option<Value>) -> Self {
        Self {
            status,
            body,
            lost: false,
            drop_connection: false,
        }
    }
    /// Google's error JSON (<https://developers.google.com/workspace/calendar/api/guides/errors>).
    fn error(status: u16, domain: &str, reason: &str, message: &str) -> Self {
        Self::new(
            status,
            Some(json!({"error": {
                "errors": [{"domain": domain, "reason": reason, "message": message}],
                "code": status,
                "message": message,
            }})),
        )
    }
    fn template(&self) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.status);
        if let Some(b) = &self.body {
            t = t.set_body_json(b.clone());
        }
        if self.drop_connection {
            t = t.insert_header(DROP_MARK, "1");
        }
        t
    }
}

fn not_found() -> Answer {
    Answer::error(404, "global", "notFound", "Not Found")
}

fn slow_down(reason: &str) -> Answer {
    let message = if reason == "userRateLimitExceeded" {
        "User Rate Limit Exceeded"
    } else {
        "Rate Limit Exceeded"
    };
    Answer::error(403, "usageLimits", reason, message)
}

fn insufficient() -> Answer {
    let mut a = Answer::error(
        403,
        "global",
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
    );
    if let Some(b) = a.body.as_mut() {
        b["error"]["errors"][0]["message"] = json!("Insufficient Permission");
        b["error"]["status"] = json!("PERMISSION_DENIED");
    }
    a
}

fn take_one(n: &AtomicUsize) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
        .is_ok()
}

/// Event ids: base32hex (`0-9`, `a-v`), 5 to 1024 characters.
fn valid_id(id: &str) -> bool {
    (5..=1024).contains(&id.len()) && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'v'))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        _ => "Status",
    }
}

/// `(calendarId, [eventId])` of `/calendar/v3/calendars/{calendarId}/events[/{eventId}]`
/// (an absolute URL's path too).
fn route(path: &str) -> Option<(String, Vec<String>)> {
    let path = match path.find("://") {
        Some(i) => &path[path[i + 3..].find('/').map(|j| i + 3 + j)?..],
        None => path,
    };
    let path = path.split('?').next()?;
    let rest = path.strip_prefix("/calendar/v3/calendars/")?;
    let mut segments = rest.split('/').map(percent_decode);
    let calendar = segments.next().filter(|c| !c.is_empty())?;
    if segments.next()? != "events" {
        return None;
    }
    let tail: Vec<String> = segments.collect();
    (tail.len() <= 1 && tail.iter().all(|s| !s.is_empty())).then_some((calendar, tail))
}

/// Top-level fields replace; `extendedProperties.private` / `.shared` merge by key, a `null`
/// value deleting the key.
fn merge(event: &mut Value, patch: Value) {
    let Value::Object(fields) = patch else { return };
    for (k, v) in fields {
        if k == "extendedProperties" {
            for scope in ["private", "shared"] {
                let Some(Value::Object(props)) = v.get(scope).cloned() else {
                    continue;
                };
                if !event["extendedProperties"][scope].is_object() {
                    event["extendedProperties"][scope] = json!({});
                }
                for (pk, pv) in props {
                    if let Some(obj) = event["extendedProperties"][scope].as_object_mut() {
                        if pv.is_null() {
                            obj.remove(&pk);
                        } else {
                            obj.insert(pk, pv);
                        }
                    }
                }
            }
        } else if k != "id" {
            event[&k] = v;
        }
    }
}

fn url_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
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

/// The `boundary` parameter of a `multipart/mixed` content type.
fn boundary_of(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// The parts between `--boundary` lines (RFC 2046 §5.1), without their final line break.
fn split_multipart(body: &[u8], boundary: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut pieces = text.split(delimiter.as_str());
    pieces.next(); // the preamble
    for piece in pieces {
        if piece.starts_with("--") {
            break;
        }
        let piece = piece
            .strip_prefix("\r\n")
            .or_else(|| piece.strip_prefix('\n'));
        if let Some(p) = piece {
            parts.push(p.trim_end_matches(['\r', '\n']).to_owned());
        }
    }
    parts
}

/// Headers (name lower-cased) and the rest, split at the first empty line.
fn split_head(text: &str) -> (Vec<(String, String)>, &str) {
    if let Some(rest) = text
        .strip_prefix("\r\n")
        .or_else(|| text.strip_prefix('\n'))
    {
        return (Vec::new(), rest);
    }
    let (head, rest) = match text.find("\r\n\r\n") {
        Some(i) => (&text[..i], &text[i + 4..]),
        None => match text.find("\n\n") {
            Some(i) => (&text[..i], &text[i + 2..]),
            None => (text, ""),
        },
    };
    let headers = head
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect();
    (headers, rest)
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// A batch part's `METHOD /path?query HTTP/1.1`, headers and body.
fn parse_http_request(text: &str) -> Option<Call> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut words = first.trim_end_matches('\r').split(' ');
    let method = words.next()?.to_owned();
    let target = words.next()?.to_owned();
    let (_, body) = split_head(rest);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Some(Call {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        body: body.as_bytes().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_ids() {
        assert_eq!(
            route("/calendar/v3/calendars/jane%40x.example/events/abc12"),
            Some(("jane@x.example".into(), vec!["abc12".into()]))
        );
        assert_eq!(
            route("https://www.googleapis.com/calendar/v3/calendars/primary/events"),
            Some(("primary".into(), vec![]))
        );
        assert_eq!(route("/calendar/v3/calendars/x/acl"), None);
        assert!(valid_id("0123456789abcdefghijklmnopqrstuv"));
        assert!(!valid_id("abcd"));
        assert!(!valid_id("abcdw"));
    }

    #[test]
    fn multipart_parts_are_split_and_read() {
        let body = "--b\r\nContent-Type: application/http\r\nContent-ID: <item1>\r\n\r\nPOST /calendar/v3/calendars/primary/events?x=1 HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--b--\r\n";
        let parts = split_multipart(body.as_bytes(), "b");
        assert_eq!(parts.len(), 1);
        let (h, inner) = split_head(&parts[0]);
        assert_eq!(header_value(&h, "content-id").as_deref(), Some("<item1>"));
        let call = parse_http_request(inner).unwrap();
        assert_eq!((call.method.as_str(), call.query.as_str()), ("POST", "x=1"));
        assert_eq!(call.body, b"{\"a\":1}");
        let bare =
            parse_http_request("DELETE /calendar/v3/calendars/a/events/abcde HTTP/1.1").unwrap();
        assert_eq!((bare.method.as_str(), bare.body.len()), ("DELETE", 0));
        assert_eq!(
            boundary_of("multipart/mixed; boundary=\"b\"").as_deref(),
            Some("b")
        );
    }

    #[test]
    fn merge_deletes_private_keys_set_to_null() {
        let mut e = json!({"extendedProperties": {"private": {"a": "1", "b": "2"}}});
        merge(
            &mut e,
            json!({"summary": "x", "extendedProperties": {"private": {"a": null, "c": "3"}}}),
        );
        assert_eq!(
            e["extendedProperties"]["private"],
            json!({"b": "2", "c": "3"})
        );
        assert_eq!(e["summary"], "x");
    }
}

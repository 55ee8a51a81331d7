//! Client-side protection of the platforms and of the client itself: rate limits with a
//! concurrency cap (platform-wide and per key), pacing when quota runs low, and a circuit breaker
//! per host.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::Error;

/// A rate and a concurrency cap, applied platform-wide or per key (for example per Graph mailbox).
///
/// The rate is a sliding window: at most `n` requests start in any window of `period`, however
/// the requests are spread (a burst of `n` at once is allowed, then nothing until the oldest of
/// them leaves the window). This is the rule the platforms state ("300 requests per minute per
/// token"), so a client that keeps it is never the cause of a 429. The window keeps one instant
/// per request started in the last `period` (16 bytes each).
///
/// When an answer reports `X-RateLimit-Remaining` under 20 % of `X-RateLimit-Limit`, requests
/// under this limit are paced at least [`low_quota_pause`](Self::low_quota_pause) apart until an
/// answer reports healthy quota again.
///
/// ```
/// use std::time::Duration;
/// use wfm_http::RateLimit;
///
/// // Genesys Cloud: about 300 requests per minute per token.
/// let genesys = RateLimit::per_minute(300);
/// // Microsoft Graph: 4 concurrent requests and 10,000 per 10 minutes per mailbox.
/// let mailbox = RateLimit::per_period(10_000, Duration::from_secs(600)).max_concurrent(4);
/// # let _ = (genesys, mailbox);
/// ```
#[derive(Debug, Clone)]
pub struct RateLimit {
    window: Option<(usize, Duration)>,
    max_concurrent: Option<usize>,
    low_quota_pause: Duration,
    margin: Duration,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::unlimited()
    }
}

impl RateLimit {
    /// No rate and no concurrency cap (pacing on low quota still applies).
    pub fn unlimited() -> Self {
        Self {
            window: None,
            max_concurrent: None,
            low_quota_pause: Duration::from_millis(500),
            margin: Duration::ZERO,
        }
    }
    /// At most `n` requests (at least 1) in any second.
    pub fn per_second(n: u32) -> Self {
        Self::per_period(n, Duration::from_secs(1))
    }
    /// At most `n` requests (at least 1) in any minute.
    pub fn per_minute(n: u32) -> Self {
        Self::per_period(n, Duration::from_secs(60))
    }
    /// At most `n` requests (at least 1) in any window of `period` (a zero period means unlimited).
    pub fn per_period(n: u32, period: Duration) -> Self {
        Self {
            window: (!period.is_zero()).then_some((n.max(1) as usize, period)),
            ..Self::unlimited()
        }
    }
    /// At most `n` requests in flight at once (at least 1).
    pub fn max_concurrent(mut self, n: usize) -> Self {
        self.max_concurrent = Some(n.max(1));
        self
    }
    /// The least time between two requests while quota is low (default 500 ms).
    pub fn low_quota_pause(mut self, pause: Duration) -> Self {
        self.low_quota_pause = pause;
        self
    }
    /// Keeps each request in the window `margin` longer than `period` (default: none). A
    /// request is counted when it leaves the limiter and reaches the server a little later;
    /// where the server enforces the same window strictly (Google Calendar's per-user rate),
    /// a margin keeps two requests counted a period apart here from arriving less than a
    /// period apart there.
    pub fn margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }
}

/// One live limiter built from a [`RateLimit`].
#[derive(Debug)]
pub(crate) struct Limiter {
    /// `n` requests per period, the period already including the margin.
    window: Option<(usize, Duration)>,
    /// The concurrency cap: a semaphore of that many slots, and its size.
    slots: Option<(Arc<Semaphore>, u32)>,
    pause: Duration,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    /// When each request in the current window started, oldest first.
    started: VecDeque<Instant>,
    /// While quota is low: the earliest instant the next request may start.
    paced_until: Option<Instant>,
    /// A `Retry-After` the platform announced: nothing under this limit starts before it.
    held_until: Option<Instant>,
}

impl LimiterState {
    /// Forgets starts older than `period`; if `weight` more do not fit under `n`, when enough
    /// of the oldest will have left the window.
    fn full_until(
        &mut self,
        n: usize,
        period: Duration,
        weight: usize,
        now: Instant,
    ) -> Option<Instant> {
        while self.started.front().is_some_and(|t| *t + period <= now) {
            self.started.pop_front();
        }
        let over = (self.started.len() + weight).checked_sub(n)?;
        if over == 0 {
            return None;
        }
        self.started.get(over - 1).map(|t| *t + period)
    }
}

/// What a request holds while it is in flight.
#[derive(Debug)]
pub(crate) struct Permit {
    _slot: Option<OwnedSemaphorePermit>,
}

impl Limiter {
    pub(crate) fn new(limit: &RateLimit) -> Self {
        Self {
            window: limit.window.map(|(n, period)| (n, period + limit.margin)),
            slots: limit.max_concurrent.map(|n| {
                let n = n.min(Semaphore::MAX_PERMITS);
                (
                    Arc::new(Semaphore::new(n)),
                    u32::try_from(n).unwrap_or(u32::MAX),
                )
            }),
            pause: limit.low_quota_pause,
            state: Mutex::new(LimiterState::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for `weight` concurrency slots (at most the cap), then for room for `weight`
    /// starts in the window (at most `n`) and the low-quota pace.
    pub(crate) async fn acquire(&self, weight: usize) -> Permit {
        let slot = match &self.slots {
            // The semaphore is owned here and never closed.
            Some((sem, cap)) => {
                let many = u32::try_from(weight).unwrap_or(u32::MAX).clamp(1, *cap);
                Arc::clone(sem).acquire_many_owned(many).await.ok()
            }
            None => None,
        };
        let weight = match self.window {
            Some((n, _)) => weight.clamp(1, n),
            None => 1,
        };
        let start = loop {
            let blocked_until = {
                let mut state = self.state();
                let now = Instant::now();
                let held = state.held_until.filter(|until| *until > now);
                match held.or_else(|| {
                    self.window
                        .and_then(|(n, period)| state.full_until(n, period, weight, now))
                }) {
                    Some(until) => until,
                    None => {
                        // Room in the window: take it, keeping the low-quota pace.
                        let start = match state.paced_until {
                            Some(next) => {
                                let start = next.max(now);
                                state.paced_until = Some(start + self.pause);
                                start
                            }
                            None => now,
                        };
                        if self.window.is_some() {
                            state.started.extend(std::iter::repeat_n(start, weight));
                        }
                        break start;
                    }
                }
            };
            tokio::time::sleep_until(blocked_until).await;
        };
        if start > Instant::now() {
            tokio::time::sleep_until(start).await;
        }
        Permit { _slot: slot }
    }

    /// Read `X-RateLimit-Remaining` / `X-RateLimit-Limit` and pace or stop pacing.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
        let (Some(remaining), Some(limit)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-limit"))
        else {
            return;
        };
        let mut state = self.state();
        if limit > 0.0 && remaining < 0.2 * limit {
            if state.paced_until.is_none() {
                tracing::debug!(remaining, limit, "rate-limit quota low; pacing requests");
                state.paced_until = Some(Instant::now() + self.pause);
            }
        } else {
            state.paced_until = None;
        }
    }

    /// Holds every request under this limit until `until` (a `Retry-After` the platform
    /// announced); a later hold extends an earlier one, never shortens it.
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut state = self.state();
        if state.held_until.is_none_or(|held| held < until) {
            state.held_until = Some(until);
        }
    }

    /// Whether nothing remembers this limiter's past: no request in its window, no pacing,
    /// no hold.
    fn is_idle(&self) -> bool {
        let state = self.state();
        let now = Instant::now();
        state.paced_until.is_none_or(|t| t <= now)
            && state.held_until.is_none_or(|t| t <= now)
            && match (self.window, state.started.back()) {
                (Some((_, period)), Some(last)) => *last + period <= now,
                _ => true,
            }
    }
}

/// The platform-wide limiter and the per-key ones, created on first use of each key and
/// forgotten again once idle.
#[derive(Debug)]
pub(crate) struct Limits {
    global: Limiter,
    per_key: Option<RateLimit>,
    keys: Mutex<KeyedLimiters>,
}

#[derive(Debug, Default)]
struct KeyedLimiters {
    map: HashMap<String, Arc<Limiter>>,
    /// Sweep idle keys when the map grows past this size (doubles with the live keys).
    sweep_at: usize,
}

/// The fewest per-key limiters kept before idle ones are swept.
const MIN_SWEEP: usize = 64;

impl Limits {
    pub(crate) fn new(global: &RateLimit, per_key: Option<RateLimit>) -> Self {
        Self {
            global: Limiter::new(global),
            per_key,
            keys: Mutex::new(KeyedLimiters {
                map: HashMap::new(),
                sweep_at: MIN_SWEEP,
            }),
        }
    }

    /// Takes the per-key permit first, then the platform-wide one, so that a request waiting
    /// for its own key's slot never holds a platform-wide slot that another key could use.
    pub(crate) async fn acquire(
        &self,
        key: Option<&str>,
        weight: usize,
    ) -> (Permit, Option<Permit>, Option<Arc<Limiter>>) {
        let keyed = self.key(key);
        let keyed_permit = match &keyed {
            Some(limiter) => Some(limiter.acquire(weight).await),
            None => None,
        };
        let global = self.global.acquire(weight).await;
        (global, keyed_permit, keyed)
    }

    fn key(&self, key: Option<&str>) -> Option<Arc<Limiter>> {
        let (key, template) = (key?, self.per_key.as_ref()?);
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(limiter) = keys.map.get(key) {
            return Some(Arc::clone(limiter));
        }
        if keys.map.len() >= keys.sweep_at {
            // Forget limiters nobody holds and whose window is empty: they know nothing a new
            // one would not. Amortised: the next sweep waits until the map doubles again.
            keys.map
                .retain(|_, l| Arc::strong_count(l) > 1 || !l.is_idle());
            keys.sweep_at = (keys.map.len() * 2).max(MIN_SWEEP);
        }
        let limiter = Arc::new(Limiter::new(template));
        keys.map.insert(key.to_owned(), Arc::clone(&limiter));
        Some(limiter)
    }

    /// Holds the requests of `key` (when per-key limits are configured), else every request of
    /// the platform, until `until`: the scope a platform's `Retry-After` speaks for.
    pub(crate) fn hold(&self, key: Option<&str>, until: Instant) {
        match self.key(key) {
            Some(limiter) => limiter.hold_until(until),
            None => self.global.hold_until(until),
        }
    }

    /// How many per-key limiters are held right now.
    pub(crate) fn tracked_keys(&self) -> usize {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map
            .len()
    }

    pub(crate) fn global(&self) -> &Limiter {
        &self.global
    }
}

/// When a host's circuit opens and for how long.
///
/// After `failure_threshold` consecutive failures (connection errors and 5xx answers) requests to
/// that host fail fast with [`Error::CircuitOpen`] for `cool_down`; then one trial request is let
/// through ("half-open"): its success closes the circuit, its failure opens it again. A trial
/// that is cancelled (a caller's timeout, a `select!`) lets the next request be the trial.
///
/// ```
/// use std::time::Duration;
/// use wfm_http::CircuitBreaker;
/// let breaker = CircuitBreaker::new(5, Duration::from_secs(30));
/// # let _ = breaker;
/// ```
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    failure_threshold: u32,
    cool_down: Duration,
}

impl Default for CircuitBreaker {
    /// Open after 5 consecutive failures, for 30 s.
    fn default() -> Self {
        Self::new(5, Duration::from_secs(30))
    }
}

impl CircuitBreaker {
    /// Open after `failure_threshold` consecutive failures (at least 1), for `cool_down`.
    pub fn new(failure_threshold: u32, cool_down: Duration) -> Self {
        Self {
            failure_threshold: failure_threshold.max(1),
            cool_down,
        }
    }
}

#[derive(Debug, Default)]
struct HostState {
    failures: u32,
    opened_at: Option<Instant>,
    /// The trial in flight, by number, so that only its own guard can end it.
    trial: Option<u64>,
}

/// The live breaker state of every host.
#[derive(Debug)]
pub(crate) struct Breakers {
    config: Option<CircuitBreaker>,
    hosts: Mutex<HashMap<String, HostState>>,
    trials: std::sync::atomic::AtomicU64,
}

/// A request let through by the breaker. If it was the half-open trial and is dropped before
/// its outcome was recorded (the caller's future was cancelled), the trial ends with it.
#[derive(Debug)]
pub(crate) struct Pass<'a> {
    breakers: &'a Breakers,
    host: String,
    trial: Option<u64>,
}

impl Pass<'_> {
    /// Records the outcome of the request and ends the trial, if it was one.
    pub(crate) fn record(mut self, failed: bool) {
        self.trial = None;
        self.breakers.record(&self.host, failed);
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        if let Some(trial) = self.trial {
            let mut hosts = self.breakers.hosts();
            if let Some(state) = hosts.get_mut(&self.host)
                && state.trial == Some(trial)
            {
                tracing::debug!(host = %self.host, "circuit trial cancelled; the next request is the trial");
                state.trial = None;
            }
        }
    }
}

impl Breakers {
    pub(crate) fn new(config: Option<CircuitBreaker>) -> Self {
        Self {
            config,
            hosts: Mutex::new(HashMap::new()),
            trials: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn hosts(&self) -> MutexGuard<'_, HashMap<String, HostState>> {
        self.hosts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Fail fast if the host's circuit is open; let one trial through after the cool-down.
    pub(crate) fn check(&self, host: &str) -> Result<Pass<'_>, Error> {
        let pass = |trial| Pass {
            breakers: self,
            host: host.to_owned(),
            trial,
        };
        let Some(config) = &self.config else {
            return Ok(pass(None));
        };
        let mut hosts = self.hosts();
        let state = hosts.entry(host.to_owned()).or_default();
        let Some(opened_at) = state.opened_at else {
            return Ok(pass(None));
        };
        let open_for = opened_at.elapsed();
        if open_for >= config.cool_down && state.trial.is_none() {
            let trial = self
                .trials
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            state.trial = Some(trial);
            drop(hosts);
            return Ok(pass(Some(trial)));
        }
        Err(Error::CircuitOpen {
            host: host.to_owned(),
            failures: state.failures,
            retry_in: config.cool_down.saturating_sub(open_for),
        })
    }

    fn record(&self, host: &str, failed: bool) {
        let Some(config) = &self.config else { return };
        let mut hosts = self.hosts();
        let state = hosts.entry(host.to_owned()).or_default();
        state.trial = None;
        if failed {
            state.failures += 1;
            if state.failures >= config.failure_threshold {
                if state.opened_at.is_none() || state.failures > config.failure_threshold {
                    tracing::warn!(host, failures = state.failures, "circuit opened");
                }
                state.opened_at = Some(Instant::now());
            }
        } else {
            *state = HostState::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn breaker_opens_then_half_opens() {
        let b = Breakers::new(Some(CircuitBreaker::new(2, Duration::from_secs(10))));
        b.check("h").unwrap().record(true);
        b.check("h").unwrap().record(true);
        let Err(Error::CircuitOpen {
            failures, retry_in, ..
        }) = b.check("h")
        else {
            panic!("expected open")
        };
        assert_eq!(failures, 2);
        assert!(retry_in <= Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(11)).await;
        let trial = b.check("h").expect("one trial after the cool-down");
        assert!(b.check("h").is_err(), "only one trial at a time");
        trial.record(true);
        assert!(b.check("h").is_err(), "a failed trial opens it again");
        tokio::time::advance(Duration::from_secs(11)).await;
        b.check("h").unwrap().record(false);
        assert!(
            b.check("h").is_ok() && b.check("h").is_ok(),
            "a good trial closes it"
        );
        assert!(b.check("other").is_ok(), "per host");
    }

    #[tokio::test(start_paused = true)]
    async fn a_weighted_request_takes_its_weight_of_the_window_and_of_the_slots() {
        let l = Limiter::new(&RateLimit::per_minute(10));
        let t0 = Instant::now();
        drop(l.acquire(6).await);
        drop(l.acquire(4).await);
        assert_eq!(t0.elapsed(), Duration::ZERO);
        // 3 more need the first 6 (started at 0) to leave the window.
        drop(l.acquire(3).await);
        assert_eq!(t0.elapsed(), Duration::from_secs(60));
        // A weight above the window is capped to it rather than waiting forever.
        drop(l.acquire(50).await);
        assert_eq!(t0.elapsed(), Duration::from_secs(120));

        // A batch of 20 holds all 4 slots of a mailbox while it runs.
        let mailbox = Arc::new(Limiter::new(&RateLimit::unlimited().max_concurrent(4)));
        let batch = mailbox.acquire(20).await;
        let m = Arc::clone(&mailbox);
        let single = tokio::spawn(async move { m.acquire(1).await });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!single.is_finished(), "no slot while the batch runs");
        drop(batch);
        single.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_margin_keeps_requests_in_the_window_longer() {
        let l = Limiter::new(&RateLimit::per_minute(2).margin(Duration::from_millis(600)));
        let t0 = Instant::now();
        drop(l.acquire(2).await);
        drop(l.acquire(1).await);
        assert_eq!(t0.elapsed(), Duration::from_millis(60_600));
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_trial_lets_the_next_request_be_the_trial() {
        let b = Breakers::new(Some(CircuitBreaker::new(1, Duration::from_secs(10))));
        b.check("h").unwrap().record(true);
        tokio::time::advance(Duration::from_secs(11)).await;
        let trial = b.check("h").expect("the trial");
        assert!(b.check("h").is_err());
        drop(trial); // cancelled: no outcome recorded
        let second = b.check("h").expect("the next request is the trial");
        assert!(b.check("h").is_err(), "still one trial at a time");
        second.record(false);
        assert!(b.check("h").is_ok(), "closed");
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_admits_n_per_period_however_they_come() {
        let l = Limiter::new(&RateLimit::per_period(3, Duration::from_secs(10)));
        let t0 = Instant::now();
        for _ in 0..3 {
            l.acquire(1).await;
        }
        assert_eq!(t0.elapsed(), Duration::ZERO, "a burst of n at once");
        l.acquire(1).await;
        assert_eq!(
            t0.elapsed(),
            Duration::from_secs(10),
            "the fourth waits for the first to leave the window"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn low_quota_paces_requests() {
        let l = Limiter::new(&RateLimit::unlimited().low_quota_pause(Duration::from_secs(1)));
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", "100".parse().unwrap());
        h.insert("x-ratelimit-remaining", "10".parse().unwrap());
        l.observe(&h);
        let t0 = Instant::now();
        l.acquire(1).await;
        l.acquire(1).await;
        assert!(
            t0.elapsed() >= Duration::from_secs(2),
            "two paced requests: {:?}",
            t0.elapsed()
        );
        h.insert("x-ratelimit-remaining", "90".parse().unwrap());
        l.observe(&h);
        let t1 = Instant::now();
        l.acquire(1).await;
        assert!(
            t1.elapsed() < Duration::from_millis(10),
            "healthy quota stops pacing"
        );
    }

    #[tokio::test]
    async fn concurrency_cap_holds() {
        let l = Arc::new(Limiter::new(&RateLimit::unlimited().max_concurrent(2)));
        let a = l.acquire(1).await;
        let _b = l.acquire(1).await;
        let l2 = Arc::clone(&l);
        let third = tokio::spawn(async move { l2.acquire(1).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!third.is_finished(), "a third request waits for a slot");
        drop(a);
        tokio::time::timeout(Duration::from_secs(1), third)
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn idle_keys_are_forgotten() {
        let limits = Limits::new(
            &RateLimit::unlimited(),
            Some(RateLimit::per_second(5).max_concurrent(4)),
        );
        for i in 0..10_000 {
            let key = format!("mailbox-{i}");
            drop(limits.acquire(Some(&key), 1).await);
            if i % 100 == 99 {
                tokio::time::advance(Duration::from_secs(2)).await;
            }
        }
        assert!(
            limits.tracked_keys() <= 2 * MIN_SWEEP + 100,
            "per-key limiters are swept once idle: {} held",
            limits.tracked_keys()
        );
    }
}

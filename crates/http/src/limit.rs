//! Client-side protection of the platforms and of the client itself: rate limits with a
//! concurrency cap (client-wide and per key), pacing when quota runs low, and a circuit breaker per host.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::Error;

/// A rate and a concurrency cap, applied client-wide or per key (for example per Graph mailbox).
///
/// The rate is a GCRA quota ([`governor`]): `n` requests per period, with bursts up to `n`.
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
    quota: Option<Quota>,
    max_concurrent: Option<usize>,
    low_quota_pause: Duration,
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
            quota: None,
            max_concurrent: None,
            low_quota_pause: Duration::from_millis(500),
        }
    }
    /// `n` requests per second (at least 1).
    pub fn per_second(n: u32) -> Self {
        Self::per_period(n, Duration::from_secs(1))
    }
    /// `n` requests per minute (at least 1).
    pub fn per_minute(n: u32) -> Self {
        Self::per_period(n, Duration::from_secs(60))
    }
    /// `n` requests per `period` (at least 1 request; a zero period means unlimited).
    pub fn per_period(n: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            quota: Quota::with_period(period / burst.get()).map(|q| q.allow_burst(burst)),
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
}

/// One live limiter built from a [`RateLimit`].
#[derive(Debug)]
pub(crate) struct Limiter {
    rate: Option<DefaultDirectRateLimiter>,
    slots: Option<Arc<Semaphore>>,
    pause: Duration,
    /// While quota is low: the earliest instant the next request may start.
    paced_until: Mutex<Option<Instant>>,
}

/// What a request holds while it is in flight.
#[derive(Debug)]
pub(crate) struct Permit {
    _slot: Option<OwnedSemaphorePermit>,
}

impl Limiter {
    pub(crate) fn new(limit: &RateLimit) -> Self {
        Self {
            rate: limit.quota.map(RateLimiter::direct),
            slots: limit.max_concurrent.map(|n| Arc::new(Semaphore::new(n))),
            pause: limit.low_quota_pause,
            paced_until: Mutex::new(None),
        }
    }

    pub(crate) async fn acquire(&self) -> Permit {
        let slot = match &self.slots {
            Some(sem) => Some(
                Arc::clone(sem)
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed"),
            ),
            None => None,
        };
        if let Some(rate) = &self.rate {
            rate.until_ready().await;
        }
        let wait_until = {
            let mut paced = self
                .paced_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            paced.map(|next| {
                let start = next.max(Instant::now());
                *paced = Some(start + self.pause);
                start
            })
        };
        if let Some(at) = wait_until {
            tokio::time::sleep_until(at).await;
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
        let mut paced = self
            .paced_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if limit > 0.0 && remaining < 0.2 * limit {
            if paced.is_none() {
                tracing::debug!(remaining, limit, "rate-limit quota low; pacing requests");
                *paced = Some(Instant::now() + self.pause);
            }
        } else {
            *paced = None;
        }
    }
}

/// The client-wide limiter and the per-key ones, created on first use of each key.
#[derive(Debug)]
pub(crate) struct Limits {
    global: Limiter,
    per_key: Option<RateLimit>,
    keys: Mutex<HashMap<String, Arc<Limiter>>>,
}

impl Limits {
    pub(crate) fn new(global: &RateLimit, per_key: Option<RateLimit>) -> Self {
        Self {
            global: Limiter::new(global),
            per_key,
            keys: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn key(&self, key: Option<&str>) -> Option<Arc<Limiter>> {
        let (key, template) = (key?, self.per_key.as_ref()?);
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(
            keys.entry(key.to_owned())
                .or_insert_with(|| Arc::new(Limiter::new(template))),
        ))
    }

    pub(crate) fn global(&self) -> &Limiter {
        &self.global
    }
}

/// When a host's circuit opens and for how long.
///
/// After `failure_threshold` consecutive failures (connection errors and 5xx answers) requests to
/// that host fail fast with [`Error::CircuitOpen`] for `cool_down`; then one trial request is let
/// through ("half-open"): its success closes the circuit, its failure opens it again.
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
    trial_in_flight: bool,
}

/// The live breaker state of every host.
#[derive(Debug)]
pub(crate) struct Breakers {
    config: Option<CircuitBreaker>,
    hosts: Mutex<HashMap<String, HostState>>,
}

impl Breakers {
    pub(crate) fn new(config: Option<CircuitBreaker>) -> Self {
        Self {
            config,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Fail fast if the host's circuit is open; let one trial through after the cool-down.
    pub(crate) fn check(&self, host: &str) -> Result<(), Error> {
        let Some(config) = &self.config else {
            return Ok(());
        };
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let state = hosts.entry(host.to_owned()).or_default();
        let Some(opened_at) = state.opened_at else {
            return Ok(());
        };
        let open_for = opened_at.elapsed();
        if open_for >= config.cool_down && !state.trial_in_flight {
            state.trial_in_flight = true;
            return Ok(());
        }
        Err(Error::CircuitOpen {
            host: host.to_owned(),
            failures: state.failures,
            retry_in: config.cool_down.saturating_sub(open_for),
        })
    }

    pub(crate) fn record(&self, host: &str, failed: bool) {
        let Some(config) = &self.config else { return };
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let state = hosts.entry(host.to_owned()).or_default();
        state.trial_in_flight = false;
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
        assert!(b.check("h").is_ok());
        b.record("h", true);
        assert!(b.check("h").is_ok());
        b.record("h", true);
        let Err(Error::CircuitOpen {
            failures, retry_in, ..
        }) = b.check("h")
        else {
            panic!("expected open")
        };
        assert_eq!(failures, 2);
        assert!(retry_in <= Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(b.check("h").is_ok(), "one trial after the cool-down");
        assert!(b.check("h").is_err(), "only one trial at a time");
        b.record("h", true);
        assert!(b.check("h").is_err(), "a failed trial opens it again");
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(b.check("h").is_ok());
        b.record("h", false);
        assert!(
            b.check("h").is_ok() && b.check("h").is_ok(),
            "a good trial closes it"
        );
        assert!(b.check("other").is_ok(), "per host");
    }

    #[tokio::test(start_paused = true)]
    async fn low_quota_paces_requests() {
        let l = Limiter::new(&RateLimit::unlimited().low_quota_pause(Duration::from_secs(1)));
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", "100".parse().unwrap());
        h.insert("x-ratelimit-remaining", "10".parse().unwrap());
        l.observe(&h);
        let t0 = Instant::now();
        l.acquire().await;
        l.acquire().await;
        assert!(
            t0.elapsed() >= Duration::from_secs(2),
            "two paced requests: {:?}",
            t0.elapsed()
        );
        h.insert("x-ratelimit-remaining", "90".parse().unwrap());
        l.observe(&h);
        let t1 = Instant::now();
        l.acquire().await;
        assert!(
            t1.elapsed() < Duration::from_millis(10),
            "healthy quota stops pacing"
        );
    }

    #[tokio::test]
    async fn concurrency_cap_holds() {
        let l = Arc::new(Limiter::new(&RateLimit::unlimited().max_concurrent(2)));
        let a = l.acquire().await;
        let _b = l.acquire().await;
        let l2 = Arc::clone(&l);
        let third = tokio::spawn(async move { l2.acquire().await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!third.is_finished(), "a third request waits for a slot");
        drop(a);
        tokio::time::timeout(Duration::from_secs(1), third)
            .await
            .unwrap()
            .unwrap();
    }
}

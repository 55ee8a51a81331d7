//! When and how long to wait before trying a request again: exponential backoff with full
//! jitter, `Retry-After` in both of its forms, and the rule of which requests may be retried.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::error::ApiError;

use http::{HeaderMap, Method, StatusCode};

/// How failed requests are retried.
///
/// Retried: answers 429, 502, 503 and 504, and connection failures; only for GET, HEAD, PUT,
/// DELETE and OPTIONS, or a request marked [`idempotent`](crate::RequestBuilder::idempotent).
/// A POST or PATCH that is not so marked is retried only when it certainly never reached the
/// server (the connection could not be opened). Other 4xx answers are never retried, unless the
/// platform's [`retryable_answer`](Self::retryable_answer) classifier says the answer is a
/// slow-down (Google Calendar sends its rate limits as a 403 with reason `rateLimitExceeded`).
///
/// The wait before attempt *n* + 1 is the server's `Retry-After` when it sent one, else a
/// random duration between zero and `min(max_delay, base_delay * 2^(n-1))` ("full jitter").
/// A `Retry-After` also holds the other requests under the same limit (the request's rate key
/// when per-key limits are configured, else the platform) until it elapses: the server spoke
/// for the budget, not for one request.
///
/// ```
/// use std::time::Duration;
/// use wfm_http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .max_elapsed(Duration::from_secs(30))
///     .retry_after_cap(Duration::from_secs(180));
/// assert_eq!(policy.attempts(), 5);
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_elapsed: Duration,
    retry_after_cap: Duration,
    retryable_answer: Option<fn(&ApiError) -> bool>,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_elapsed", &self.max_elapsed)
            .field("retry_after_cap", &self.retry_after_cap)
            .field("retryable_answer", &self.retryable_answer.is_some())
            .finish()
    }
}

impl Default for RetryPolicy {
    /// 4 attempts, 250 ms base delay, 20 s maximum delay, 2 min in all, `Retry-After` up to 180 s
    /// (the Genesys Cloud SDKs' own limit).
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            max_elapsed: Duration::from_secs(120),
            retry_after_cap: Duration::from_secs(180),
            retryable_answer: None,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// The first backoff step.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }
    /// The longest backoff step.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }
    /// No retry is started when it would end later than this after the first attempt.
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }
    /// The longest `Retry-After` honoured; a longer demand ends the request with
    /// [`Error::RetryAfterTooLong`](crate::Error::RetryAfterTooLong).
    pub fn retry_after_cap(mut self, d: Duration) -> Self {
        self.retry_after_cap = d;
        self
    }
    /// Also retry (with the same backoff, `Retry-After` and budget) the error answers for which
    /// `classify` is true: a platform's own slow-down signals beyond 429, 502, 503 and 504. Only
    /// requests safe to repeat are retried, and [`ApiError::is_retryable`] agrees.
    ///
    /// ```
    /// use wfm_http::{ApiError, RetryPolicy};
    /// fn google_slow_down(e: &ApiError) -> bool {
    ///     e.status().as_u16() == 403 && matches!(e.code(), Some("rateLimitExceeded" | "userRateLimitExceeded"))
    /// }
    /// let policy = RetryPolicy::default().retryable_answer(google_slow_down);
    /// # let _ = policy;
    /// ```
    pub fn retryable_answer(mut self, classify: fn(&ApiError) -> bool) -> Self {
        self.retryable_answer = Some(classify);
        self
    }
    /// Whether the platform's classifier calls this answer a slow-down to retry.
    pub fn is_retryable_answer(&self, err: &ApiError) -> bool {
        self.retryable_answer.is_some_and(|f| f(err))
    }
    /// Attempts in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }
    /// The configured `Retry-After` cap.
    pub fn cap(&self) -> Duration {
        self.retry_after_cap
    }
    /// The total time budget.
    pub fn elapsed_budget(&self) -> Duration {
        self.max_elapsed
    }

    /// The full-jitter backoff before the attempt that follows attempt `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::random_range(0..=nanos))
    }
}

/// Whether a method may be repeated without changing the outcome (RFC 9110 §9.2.2).
pub fn is_idempotent_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Whether an answer's status is worth retrying: 429, 502, 503, 504.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Read `Retry-After` in either form: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
/// A date in the past gives zero; an unreadable value gives `None`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use http::HeaderMap;
/// use wfm_http::parse_retry_after;
///
/// let mut h = HeaderMap::new();
/// h.insert("retry-after", "2".parse().unwrap());
/// assert_eq!(parse_retry_after(&h, SystemTime::now()), Some(Duration::from_secs(2)));
/// h.insert("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap());
/// assert_eq!(parse_retry_after(&h, SystemTime::now()), Some(Duration::ZERO));
/// ```
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_by_the_exponential_ceiling() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_secs(1));
        for _ in 0..200 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
            assert!(p.backoff(3) <= Duration::from_millis(400));
            assert!(p.backoff(30) <= Duration::from_secs(1));
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let p = RetryPolicy::default().base_delay(Duration::from_secs(1));
        let draws: std::collections::HashSet<_> = (0..20).map(|_| p.backoff(4)).collect();
        assert!(draws.len() > 1, "full jitter draws differ");
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::now();
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert("retry-after", "120".parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(120)));
        let later = now + Duration::from_secs(30);
        h.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let d = parse_retry_after(&h, now).unwrap();
        assert!(
            d <= Duration::from_secs(30) && d >= Duration::from_secs(29),
            "{d:?}"
        );
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert("retry-after", "-5".parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), None);
    }

    #[test]
    fn which_statuses_and_methods() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()));
        }
        for s in [400, 401, 403, 404, 409, 412, 500, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(s).unwrap()));
        }
        assert!(is_idempotent_method(&Method::PUT));
        assert!(!is_idempotent_method(&Method::POST));
        assert!(!is_idempotent_method(&Method::PATCH));
    }
}

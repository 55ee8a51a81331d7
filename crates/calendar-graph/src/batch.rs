//! JSON batching (`POST /$batch`): up to 20 requests in one round trip, each answered with its
//! own status, and a retry loop that resends only the items that were throttled, each after its
//! own `Retry-After` (<https://learn.microsoft.com/en-us/graph/json-batching>).
//!
//! Outlook runs at most 4 items of a batch at a time, and each item counts against the
//! mailbox's 4 concurrent requests and its 10,000 per 10 minutes. A batch is sent with the
//! transport's `weight(items)`, so the per-mailbox limiter counts each item: a batch holds all
//! 4 of the mailbox's slots while it runs, and concurrent batches or single calls for the same
//! mailbox wait for it.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::FutureExt;
use serde_json::{Value, json};
use url::Url;
use wfm_auth::scope::graph::{CalendarsReadWrite, MicrosoftGraph};
use wfm_auth::{Grants, ScopeSet};
use wfm_http::{BoxFuture, HeaderMap, Method, StatusCode};

use crate::client::{Client, PREFER};
use crate::error::{Error, InputError};

/// The most requests in one `$batch`.
pub const MAX_BATCH: usize = 20;

/// One request of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRequest {
    /// Unique in the batch (compared case-insensitively).
    pub id: String,
    /// The method.
    pub method: Method,
    /// The URL relative to the API version, e.g. `/users/{id}/events` (see
    /// [`Client::relative_url`] for a next link).
    pub url: String,
    /// A JSON body; sent with `Content-Type: application/json`, as Graph requires.
    pub body: Option<Value>,
}

impl BatchRequest {
    fn to_json(&self) -> Value {
        let mut headers = json!({"Prefer": PREFER});
        let mut v = json!({"id": self.id, "method": self.method.as_str(), "url": self.url});
        if let Some(body) = &self.body {
            headers["Content-Type"] = json!("application/json");
            v["body"] = body.clone();
        }
        v["headers"] = headers;
        v
    }
}

/// One item's answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BatchResponse {
    /// The request's id.
    pub id: String,
    /// Its status.
    pub status: u16,
    /// Its own `Retry-After`, if it had one.
    pub retry_after: Option<Duration>,
    /// Its body (`null` when none).
    pub body: Value,
    /// How many times it was sent.
    pub attempts: u32,
}

impl BatchResponse {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The item's failure as this crate's error (`ErrorAccessDenied` typed), `None` on success.
    pub fn error(&self, method: Method, mailbox: &str) -> Option<Error> {
        if self.is_success() {
            return None;
        }
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        let api = wfm_http::ApiError::from_parts(
            method,
            &format!("/$batch#{}", self.id),
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &HeaderMap::new(),
            &body,
            self.attempts,
        );
        Some(Error::from_http(api.into(), Some(mailbox)))
    }

    fn retryable(&self) -> bool {
        matches!(self.status, 429 | 503 | 504)
    }
}

impl<S: ScopeSet<MicrosoftGraph>> Client<S> {
    /// One `POST /$batch` round for `mailbox` (the rate key): the answers, by id, in any
    /// order. Needs `Calendars.ReadWrite` for writes. The batch itself is retried by the
    /// transport (so put only idempotent items in it: creates with a `transactionId`, PATCH
    /// with absolute values, DELETE, GET).
    pub fn batch_once<'a>(
        &'a self,
        mailbox: &'a str,
        requests: &'a [BatchRequest],
    ) -> BoxFuture<'a, Result<Vec<BatchResponse>, Error>>
    where
        S: Grants<CalendarsReadWrite>,
    {
        async move {
            check(requests)?;
            let body =
                json!({"requests": requests.iter().map(BatchRequest::to_json).collect::<Vec<_>>()});
            let answer: Value = self
                .transport()
                .request(Method::POST, &["$batch"])
                .rate_key(mailbox)
                // Each item counts against the mailbox's limits, as Outlook counts it.
                .weight(requests.len() as u32)
                .idempotent()
                .json(&body)
                .send_json()
                .await
                .map_err(|e| Error::from_http(e, Some(mailbox)))?;
            Ok(answer["responses"]
                .as_array()
                .map(|a| a.iter().filter_map(read_response).collect())
                .unwrap_or_default())
        }
        .boxed()
    }

    /// Sends `requests` as one batch, then resends only the items answered 429/503/504, each
    /// once its own `Retry-After` has passed (1 s when it gave none, `max_wait` at most), up to
    /// `max_attempts` sends per item. An item that succeeded, or failed otherwise, is never
    /// sent again. Answers come back in the order of `requests`.
    pub fn batch<'a>(
        &'a self,
        mailbox: &'a str,
        requests: &'a [BatchRequest],
        max_attempts: u32,
        max_wait: Duration,
    ) -> BoxFuture<'a, Result<Vec<BatchResponse>, Error>>
    where
        S: Grants<CalendarsReadWrite>,
    {
        async move {
            check(requests)?;
            let mut done: HashMap<String, BatchResponse> = HashMap::new();
            let mut attempts: HashMap<&str, u32> = HashMap::new();
            let mut due: Vec<(&BatchRequest, tokio_instant::Instant)> = requests
                .iter()
                .map(|r| (r, tokio_instant::Instant::now()))
                .collect();
            while !due.is_empty() {
                let earliest = due
                    .iter()
                    .map(|(_, t)| *t)
                    .min()
                    .unwrap_or_else(tokio_instant::Instant::now);
                tokio_instant::sleep_until(earliest).await;
                let now = tokio_instant::Instant::now();
                let (ready, later): (Vec<_>, Vec<_>) =
                    due.into_iter().partition(|(_, t)| *t <= now);
                due = later;
                let round: Vec<BatchRequest> = ready.iter().map(|(r, _)| (*r).clone()).collect();
                for (r, _) in &ready {
                    *attempts.entry(r.id.as_str()).or_default() += 1;
                }
                let answers = self.batch_once(mailbox, &round).await?;
                let mut by_id: HashMap<String, BatchResponse> = answers
                    .into_iter()
                    .map(|a| (a.id.to_ascii_lowercase(), a))
                    .collect();
                for (r, _) in ready {
                    let n = attempts.get(r.id.as_str()).copied().unwrap_or(1);
                    let answer =
                        by_id
                            .remove(&r.id.to_ascii_lowercase())
                            .unwrap_or(BatchResponse {
                                id: r.id.clone(),
                                status: 503,
                                retry_after: None,
                                body: Value::Null,
                                attempts: n,
                            });
                    let answer = BatchResponse {
                        attempts: n,
                        ..answer
                    };
                    if answer.retryable() && n < max_attempts {
                        let wait = answer
                            .retry_after
                            .unwrap_or(Duration::from_secs(1))
                            .min(max_wait);
                        due.push((r, tokio_instant::Instant::now() + wait));
                    } else {
                        done.insert(r.id.clone(), answer);
                    }
                }
            }
            Ok(requests.iter().filter_map(|r| done.remove(&r.id)).collect())
        }
        .boxed()
    }

    /// A next link (or any absolute URL on the client's origin) relative to the API version,
    /// for a batch item: `https://graph.microsoft.com/v1.0/users/x/events?$skiptoken=..` →
    /// `/users/x/events?$skiptoken=..`.
    pub fn relative_url(&self, absolute: &Url) -> Result<String, Error> {
        let base = self.transport().base_url();
        let prefix = base.path().trim_end_matches('/');
        if absolute.origin() != base.origin() || !absolute.path().starts_with(prefix) {
            return Err(Error::from(wfm_http::Error::InvalidUrl(format!(
                "{} is not under {base}",
                absolute.origin().ascii_serialization()
            ))));
        }
        let mut out = absolute.path()[prefix.len()..].to_owned();
        if let Some(q) = absolute.query() {
            out.push('?');
            out.push_str(q);
        }
        Ok(out)
    }
}

/// The clock batches wait on (tokio's, so tests may pause it).
mod tokio_instant {
    pub use tokio::time::{Instant, sleep_until};
}

fn check(requests: &[BatchRequest]) -> Result<(), InputError> {
    if requests.is_empty() || requests.len() > MAX_BATCH {
        return Err(InputError::Batch(format!(
            "{} requests; a batch holds 1 to {MAX_BATCH}",
            requests.len()
        )));
    }
    let mut ids = HashSet::new();
    for r in requests {
        if !ids.insert(r.id.to_ascii_lowercase()) {
            return Err(InputError::Batch(format!(
                "the id {:?} is used twice",
                r.id
            )));
        }
        if !r.url.starts_with('/') {
            return Err(InputError::Batch(format!(
                "the url {:?} must be relative to the API version, starting with '/'",
                r.url
            )));
        }
    }
    Ok(())
}

fn read_response(v: &Value) -> Option<BatchResponse> {
    let header = |name: &str| {
        v["headers"].as_object().and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| {
                    v.as_str()
                        .map(str::to_owned)
                        .or_else(|| v.as_u64().map(|n| n.to_string()))
                })
        })
    };
    Some(BatchResponse {
        id: match &v["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        status: v["status"].as_u64()? as u16,
        retry_after: header("retry-after").and_then(|r| {
            let mut h = HeaderMap::new();
            h.insert("retry-after", r.parse().ok()?);
            wfm_http::parse_retry_after(&h, std::time::SystemTime::now())
        }),
        body: v.get("body").cloned().unwrap_or(Value::Null),
        attempts: 1,
    })
}

//! Batches: several calls of one mailbox in one `POST /batch/calendar/v3`, a `multipart/mixed`
//! body of `application/http` parts, each answered with its own status
//! (<https://developers.google.com/workspace/calendar/api/guides/batch>).
//!
//! A batch saves round trips, not quota: each part counts as one request against the per-user
//! and per-project limits, so [`Client::batch_once`] waits for room for every part in the
//! mailbox's window before sending.

use futures::FutureExt;
use serde_json::Value;
use wfm_auth::{Grants, ScopeSet};
use wfm_http::{BoxFuture, HeaderMap, Method, StatusCode};

use crate::client::Client;
use crate::{CalendarEvents, Error, Google};

/// The most calls Google takes in one batch.
pub const MAX_BATCH: usize = 1000;

/// The batch size this crate uses by default (Google advises 50 or fewer).
pub const DEFAULT_BATCH: usize = 50;

/// One call of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchCall {
    /// The method.
    pub method: Method,
    /// The path from the API root, e.g. `/calendar/v3/calendars/{calendarId}/events`
    /// (segments percent-encoded).
    pub path: String,
    /// A JSON body.
    pub body: Option<Value>,
}

/// One call's answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BatchAnswer {
    /// Its status.
    pub status: u16,
    /// Its body (`null` when none or not JSON).
    pub body: Value,
}

impl BatchAnswer {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The answer as a transport error, for [`Error::from_http`] and for retry decisions
    /// ([`crate::is_slow_down`]); `None` on success.
    pub fn api_error(&self, method: Method, path: &str) -> Option<wfm_http::ApiError> {
        if self.is_success() {
            return None;
        }
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        Some(wfm_http::ApiError::from_parts(
            method,
            path,
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &HeaderMap::new(),
            &body,
            1,
        ))
    }
}

/// Percent-encodes one path segment.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl<S: ScopeSet<Google>> Client<S> {
    /// The path of `mailbox`'s events collection, or of one event, for a [`BatchCall`].
    pub fn events_path_of(&self, mailbox: &str, id: Option<&str>) -> String {
        let mut p = format!(
            "/calendar/v3/calendars/{}/events",
            segment(self.calendar_of(mailbox))
        );
        if let Some(id) = id {
            p.push('/');
            p.push_str(&segment(id));
        }
        p
    }

    /// One `POST /batch/calendar/v3` with `mailbox`'s token: the answers, in the order of
    /// `calls`. Scope: [`CalendarEvents`]. The batch counts `calls.len()` requests against the
    /// mailbox's per-user limit. The batch itself is retried by the transport after a lost
    /// answer (put only calls that are safe to replay in it: inserts with a client-chosen id,
    /// absolute PATCHes, DELETEs, GETs); parts that failed are the caller's to resend.
    pub fn batch_once<'a>(
        &'a self,
        mailbox: &'a str,
        calls: &'a [BatchCall],
    ) -> BoxFuture<'a, Result<Vec<BatchAnswer>, Error>>
    where
        S: Grants<CalendarEvents>,
    {
        async move {
            if calls.is_empty() || calls.len() > MAX_BATCH {
                return Err(Error::Batch(format!(
                    "a batch holds 1 to {MAX_BATCH} calls, not {}",
                    calls.len()
                )));
            }
            let boundary = "wfm_sdk_batch_boundary";
            let body = encode(calls, boundary);
            let response = self
                .transport_for(mailbox)
                .request(Method::POST, &["batch", "calendar", "v3"])
                .rate_key(mailbox)
                // Each part counts against the user's quota, as Google counts it.
                .weight(calls.len() as u32)
                .idempotent()
                .body(body, &format!("multipart/mixed; boundary={boundary}"))
                .send()
                .await
                .map_err(|e| Error::from_http(e, mailbox))?;
            let content_type = response.header("content-type").unwrap_or_default();
            let answers = decode(content_type, response.bytes()).ok_or_else(|| {
                Error::Batch(format!(
                    "the batch answer is not multipart/mixed (Content-Type {content_type:?})"
                ))
            })?;
            // Matched by Content-ID (`response-item-N`), else by position.
            let mut out: Vec<Option<BatchAnswer>> = vec![None; calls.len()];
            for (i, (id, answer)) in answers.into_iter().enumerate() {
                let slot = id
                    .and_then(|id| id.strip_prefix("response-item-")?.parse::<usize>().ok())
                    .and_then(|n| n.checked_sub(1))
                    .unwrap_or(i);
                if let Some(s) = out.get_mut(slot) {
                    *s = Some(answer);
                }
            }
            out.into_iter()
                .map(|a| a.ok_or_else(|| Error::Batch("the batch answer lacks a part".into())))
                .collect()
        }
        .boxed()
    }
}

/// The `multipart/mixed` body of `calls`.
fn encode(calls: &[BatchCall], boundary: &str) -> Vec<u8> {
    let mut out = String::new();
    for (i, c) in calls.iter().enumerate() {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <item-{}>\r\n\r\n{} {} HTTP/1.1\r\n",
            i + 1,
            c.method,
            c.path
        ));
        match &c.body {
            Some(b) => {
                let text = b.to_string();
                out.push_str(&format!(
                    "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}\r\n",
                    text.len()
                ));
            }
            None => out.push_str("\r\n"),
        }
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out.into_bytes()
}

/// The parts of a `multipart/mixed` answer: each part's Content-ID (without `<>`) and answer.
fn decode(content_type: &str, body: &[u8]) -> Option<Vec<(Option<String>, BatchAnswer)>> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    let boundary = params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })?;
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    let mut pieces = text.split(delimiter.as_str());
    pieces.next();
    for piece in pieces {
        if piece.starts_with("--") {
            break;
        }
        let (headers, inner) = split_head(piece.trim_start_matches(['\r', '\n']));
        let id = headers
            .iter()
            .find(|(k, _)| k == "content-id")
            .map(|(_, v)| v.trim_start_matches('<').trim_end_matches('>').to_owned());
        let (status_line, rest) = inner.split_once('\n').unwrap_or((inner, ""));
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())?;
        let (_, body) = split_head(rest);
        let body = serde_json::from_str(body.trim()).unwrap_or(Value::Null);
        out.push((id, BatchAnswer { status, body }));
    }
    Some(out)
}

/// Headers (lower-cased names) and the rest, split at the first empty line.
fn split_head(text: &str) -> (Vec<(String, String)>, &str) {
    if let Some(rest) = text
        .strip_prefix("\r\n")
        .or_else(|| text.strip_prefix('\n'))
    {
        return (Vec::new(), rest);
    }
    let (head, rest) = match (text.find("\r\n\r\n"), text.find("\n\n")) {
        (Some(i), _) => (&text[..i], &text[i + 4..]),
        (None, Some(i)) => (&text[..i], &text[i + 2..]),
        (None, None) => (text, ""),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_parts_and_decodes_answers_by_content_id() {
        let calls = vec![
            BatchCall {
                method: Method::POST,
                path: "/calendar/v3/calendars/a%40b/events".into(),
                body: Some(json!({"id": "abcde"})),
            },
            BatchCall {
                method: Method::DELETE,
                path: "/calendar/v3/calendars/a%40b/events/abcde".into(),
                body: None,
            },
        ];
        let body = String::from_utf8(encode(&calls, "B")).unwrap();
        assert!(body.contains(
            "Content-ID: <item-2>\r\n\r\nDELETE /calendar/v3/calendars/a%40b/events/abcde HTTP/1.1"
        ));
        assert!(body.ends_with("--B--\r\n"));
        let answer = "--R\r\nContent-Type: application/http\r\nContent-ID: <response-item-2>\r\n\r\nHTTP/1.1 410 Gone\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":410}}\r\n--R\r\nContent-Type: application/http\r\nContent-ID: <response-item-1>\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{\"id\":\"abcde\"}\r\n--R--\r\n";
        let parts = decode("multipart/mixed; boundary=R", answer.as_bytes()).unwrap();
        assert_eq!(parts[0].0.as_deref(), Some("response-item-2"));
        assert_eq!(parts[0].1.status, 410);
        assert_eq!(parts[1].1.body["id"], "abcde");
        assert!(decode("application/json", b"{}").is_none());
        assert_eq!(segment("a@b/c"), "a%40b%2Fc");
    }
}

//! Fault knobs for scripted APIs: 429 bursts with `Retry-After`, 5xx answers, slow answers,
//! token checks that answer 401, and a TCP front that drops connections.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

use crate::{TokenEndpoint, bearer_token, lock};

/// A [`Respond`] that plays a script of faults, then answers with the normal response.
///
/// Each request that passes the token check (if one is set) takes the next fault of the script;
/// when the script is empty it gets the normal response. Arrival instants and bearer tokens are
/// recorded for assertions. Clones share state. Its `Debug` shows the script and counts, never a
/// bearer token.
///
/// ```
/// use wfm_sandbox::Faults;
/// use wiremock::ResponseTemplate;
/// let api = Faults::new(ResponseTemplate::new(200))
///     .rate_limit_first(1, 2)   // 429, Retry-After: 2
///     .fail_first(2, 503);      // then 503, 503, then 200
/// assert_eq!(api.requests(), 0);
/// ```
#[derive(Clone)]
pub struct Faults {
    state: Arc<FaultState>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("script", &*lock(&self.state.script))
            .field("requires_token", &lock(&self.state.tokens).is_some())
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

struct FaultState {
    ok: ResponseTemplate,
    script: Mutex<VecDeque<Fault>>,
    tokens: Mutex<Option<TokenEndpoint>>,
    arrivals: Mutex<Vec<Instant>>,
    bearers: Mutex<Vec<Option<String>>>,
}

#[derive(Debug, Clone)]
enum Fault {
    Status(u16),
    RetryAfterSeconds(u64),
    RetryAfterDate(u64),
    Slow(Duration),
}

impl Faults {
    /// Answer `ok` once the script is played.
    pub fn new(ok: ResponseTemplate) -> Self {
        Self {
            state: Arc::new(FaultState {
                ok,
                script: Mutex::new(VecDeque::new()),
                tokens: Mutex::new(None),
                arrivals: Mutex::new(Vec::new()),
                bearers: Mutex::new(Vec::new()),
            }),
        }
    }
    fn push(self, n: usize, fault: Fault) -> Self {
        lock(&self.state.script).extend(std::iter::repeat_n(fault, n));
        self
    }
    /// Add `n` answers `429 Too Many Requests` with `Retry-After: <seconds>` to the script.
    pub fn rate_limit_first(self, n: usize, retry_after_seconds: u64) -> Self {
        self.push(n, Fault::RetryAfterSeconds(retry_after_seconds))
    }
    /// Add `n` answers 429 whose `Retry-After` is an HTTP-date `seconds` after the answer.
    pub fn rate_limit_until(self, n: usize, seconds: u64) -> Self {
        self.push(n, Fault::RetryAfterDate(seconds))
    }
    /// Add `n` answers with `status` (for example 503) to the script.
    pub fn fail_first(self, n: usize, status: u16) -> Self {
        self.push(n, Fault::Status(status))
    }
    /// Add `n` normal answers delayed by `delay` (to trip a client timeout).
    pub fn slow_first(self, n: usize, delay: Duration) -> Self {
        self.push(n, Fault::Slow(delay))
    }
    /// Answer 401 to requests whose bearer token `tokens` did not issue or has expired.
    pub fn require_token(self, tokens: &TokenEndpoint) -> Self {
        *lock(&self.state.tokens) = Some(tokens.clone());
        self
    }
    /// Requests received.
    pub fn requests(&self) -> usize {
        lock(&self.state.arrivals).len()
    }
    /// When each request arrived.
    pub fn arrivals(&self) -> Vec<Instant> {
        lock(&self.state.arrivals).clone()
    }
    /// The bearer token of each request (`None` where there was none).
    pub fn bearer_tokens(&self) -> Vec<Option<String>> {
        lock(&self.state.bearers).clone()
    }
}

impl Respond for Faults {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let st = &self.state;
        lock(&st.arrivals).push(Instant::now());
        let bearer = bearer_token(request);
        lock(&st.bearers).push(bearer.clone());
        let tokens = lock(&st.tokens).clone();
        if let Some(tokens) = tokens
            && !bearer.as_deref().is_some_and(|b| tokens.is_valid(b))
        {
            return ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Bearer error=\"invalid_token\"")
                .set_body_json(serde_json::json!({"code": "bad.credentials", "message": "Invalid login credentials."}));
        }
        let next = lock(&st.script).pop_front();
        match next {
            None => st.ok.clone(),
            Some(Fault::Status(status)) => ResponseTemplate::new(status)
                .set_body_json(serde_json::json!({"code": "sandbox.fault", "message": format!("injected {status}")})),
            Some(Fault::RetryAfterSeconds(s)) => too_many().insert_header("retry-after", s.to_string()),
            Some(Fault::RetryAfterDate(s)) => too_many()
                .insert_header("retry-after", httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(s))),
            Some(Fault::Slow(delay)) => st.ok.clone().set_delay(delay),
        }
    }
}

fn too_many() -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("inin-correlation-id", "sandbox-429")
        .set_body_json(
            serde_json::json!({"code": "too.many.requests", "message": "Rate limit exceeded"}),
        )
}

/// The header a stand-in puts on an answer whose connection a [`DropConnections`] front must
/// drop after the stand-in applied the request (see `google::GoogleCalendar::drop_after_commit`).
pub(crate) const DROP_MARK: &str = "x-sandbox-drop-connection";

/// A TCP front for a [`MockServer`]. It drops the first `n` connections after the request
/// arrived, unforwarded (the client cannot know whether it was applied), then forwards
/// everything, except that it drops the connection of every answer a stand-in marked as
/// "applied, answer lost" (the Google stand-in's `drop_after_commit`): the request was
/// applied and the client never reads the answer.
#[derive(Debug)]
pub struct DropConnections {
    addr: SocketAddr,
    dropped: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl DropConnections {
    /// Listen on a free loopback port in front of `server`.
    pub async fn in_front_of(server: &MockServer, n: usize) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let target = *server.address();
        let dropped = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&dropped);
        let accepted = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if accepted.fetch_add(1, Ordering::SeqCst) < n {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let mut buf = [0u8; 1024];
                    let _ = client.read(&mut buf).await;
                    drop(client);
                    continue;
                }
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    if let Ok(upstream) = TcpStream::connect(target).await {
                        forward_unless_marked(client, upstream, &counter).await;
                    }
                });
            }
        });
        Ok(Self {
            addr,
            dropped,
            task,
        })
    }
    /// The front's base URI, like [`MockServer::uri`].
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Connections dropped so far (unforwarded ones and marked answers).
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }
}

/// Forwards both ways until either side closes; an answer carrying [`DROP_MARK`] closes the
/// connection instead of reaching the client (and counts in `dropped`).
async fn forward_unless_marked(client: TcpStream, upstream: TcpStream, dropped: &AtomicUsize) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut up_read, mut up_write) = upstream.into_split();
    let forward = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut up_write).await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match up_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        // Look for the mark across chunk boundaries.
        tail.extend_from_slice(&buf[..n]);
        if tail
            .windows(DROP_MARK.len())
            .any(|w| w.eq_ignore_ascii_case(DROP_MARK.as_bytes()))
        {
            dropped.fetch_add(1, Ordering::SeqCst);
            break;
        }
        if client_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
        let keep = tail.len().saturating_sub(DROP_MARK.len());
        tail.drain(..keep);
    }
    forward.abort();
}

impl Drop for DropConnections {
    fn drop(&mut self) {
        self.task.abort();
    }
}

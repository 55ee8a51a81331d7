//! The one HTTP transport of the WFM SDK: every platform crate sends its calls through a
//! [`Transport`], so retries, rate limits and errors behave the same everywhere.
//!
//! ```
//! use futures::TryStreamExt;
//! use serde_json::{Value, json};
//! use wfm_auth::{ClientCredentials, RolesDecide};
//! use wfm_http::{Method, Page, Platform, RateLimit, RetryPolicy, paginate};
//! use wfm_sandbox::{Faults, TokenEndpoint};
//! use wiremock::matchers::{path, query_param};
//! use wiremock::{Mock, MockServer, ResponseTemplate};
//!
//! # async fn demo() -> Result<(), wfm_http::Error> {
//! // A local stand-in of an API (in production: the platform's host): two pages of users, the
//! // first one answered `429` with `Retry-After: 0` once.
//! let server = MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! for (page, name, throttled) in [(1, "ada", 1), (2, "alan", 0)] {
//!     let answer = ResponseTemplate::new(200)
//!         .set_body_json(json!({"entities": [{"name": name}], "pageCount": 2}));
//!     let api = Faults::new(answer).rate_limit_first(throttled, 0).require_token(&tokens);
//!     Mock::given(path("/api/v2/users"))
//!         .and(query_param("pageNumber", page.to_string()))
//!         .respond_with(api)
//!         .mount(&server)
//!         .await;
//! }
//!
//! // One platform per org: its token cache, retry policy and rate budget, shared by every
//! // transport made from it.
//! let platform = Platform::<RolesDecide>::builder()
//!     .credentials(ClientCredentials::new(tokens.url(), "client-id", "client-secret"))
//!     .retry(RetryPolicy::default().max_attempts(5))
//!     .rate_limit(RateLimit::per_minute(300))
//!     .build()?;
//! let transport = platform.transport(format!("{}/api/v2/", server.uri()))?;
//!
//! // Pages as one stream of users, one page in memory at a time.
//! let users: Vec<Value> = paginate(1u64, |page| {
//!     let t = transport.clone();
//!     async move {
//!         let body: Value = t
//!             .request(Method::GET, &["users"])
//!             .query("pageSize", "100")
//!             .query("pageNumber", page.to_string())
//!             .send_json()
//!             .await?;
//!         let items = body["entities"].as_array().cloned().unwrap_or_default();
//!         let count = body["pageCount"].as_u64().unwrap_or(1);
//!         Ok(Page::from_page_number(items, page, count))
//!     }
//! })
//! .try_collect()
//! .await?;
//! assert_eq!(users, [json!({"name": "ada"}), json!({"name": "alan"})]);
//! // The 429 was waited out and retried; one token served every call.
//! assert_eq!((platform.stats().throttled(), platform.stats().retries()), (1, 1));
//! assert_eq!(tokens.requests(), 1);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! What every request gets:
//!
//! - **Paths that cannot be bent**: each id is percent-encoded as one path segment
//!   ([`Transport::request`]); `.`/`..`/empty segments are refused.
//! - **Safe retries** ([`RetryPolicy`]): 429/502/503/504 and connection failures, exponential
//!   backoff with full jitter, `Retry-After` honoured in both forms up to a cap; only idempotent
//!   methods or requests marked [`idempotent`](RequestBuilder::idempotent). A `Retry-After`
//!   on a 429, 502, 503, 504 or slow-down answer holds every request under the same limit until
//!   it elapses (the rate key's, else the whole platform's), not only the request it answered,
//!   and also when that request is handed back unrepeated (a `POST`).
//! - **One token per user where the platform wants it**: [`Transport::with_tokens`] gives a
//!   transport its own token source (a delegated mailbox's) on the platform's one budget.
//! - **Tokens**: from a [`wfm_auth::TokenProvider`]; a 401 forces one refresh and one retry;
//!   never sent over plain `http://` except to loopback.
//! - **Rate limits** ([`RateLimit`]): client-wide and per key, with a concurrency cap, pacing
//!   when the server reports low remaining quota.
//! - **A circuit breaker per host** ([`CircuitBreaker`]).
//! - **Typed errors** ([`Error`], [`ApiError`]) with the platform's code, message and
//!   correlation id, never a secret.
//! - **Paging as a stream** ([`paginate`]).
//! - **A `tracing` span per request** (`wfm_http.request`: method, path, status, attempts,
//!   duration), with no header, query string or body in it.
#![forbid(unsafe_code)]

mod error;
mod limit;
mod paging;
mod platform;
mod retry;
mod transport;

pub use error::{ApiError, CORRELATION_HEADERS, Error, ErrorDetails, MAX_ERROR_BODY};
/// The future every endpoint method of the platform crates returns: boxed, so that a missing
/// scope is reported once, at the call, and not again at `.await`.
pub use futures::future::BoxFuture;
pub use http::{HeaderMap, Method, StatusCode};
pub use limit::{CircuitBreaker, RateLimit};
pub use paging::{Page, paginate};
pub use platform::{DEFAULT_MAX_RESPONSE_BODY, IntoUrl, Platform, PlatformBuilder, Stats};
/// The one `reqwest` version the transport uses, for [`TransportBuilder::client`] and
/// [`PlatformBuilder::client`]: build your client with this path so the versions match.
pub use reqwest;
pub use retry::{RetryPolicy, is_idempotent_method, is_retryable_status, parse_retry_after};
pub use transport::{RequestBuilder, Response, Transport, TransportBuilder};
pub use url::Url;
pub use wfm_auth::ErrorMetadata;

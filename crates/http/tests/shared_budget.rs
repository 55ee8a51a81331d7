//! Two transports of one platform share one budget of 300 requests a minute, on a paused clock.
//!
//! This test is alone in its binary on purpose: it reads the transport's `wfm_http::send` trace
//! event through a thread-local subscriber, and under `cargo test` other tests on other threads
//! of the same process could make tracing cache "nobody listens" for that event.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tracing_subscriber::layer::SubscriberExt as _;
use wfm_auth::{RolesDecide, StaticToken};
use wfm_http::{Method, Platform, RateLimit, reqwest};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers 200 and counts.
#[derive(Clone, Default)]
struct Count(Arc<AtomicUsize>);

impl Respond for Count {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(serde_json::json!({}))
    }
}

/// Records when each request left the rate limits, on tokio's clock.
struct SendTimes {
    t0: tokio::time::Instant,
    sent: Arc<std::sync::Mutex<Vec<Duration>>>,
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SendTimes {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "wfm_http::send" {
            self.sent.lock().unwrap().push(self.t0.elapsed());
        }
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn two_transports_of_one_platform_share_one_300_per_minute_budget() {
    let server = MockServer::start().await;
    let hits = Count::default();
    Mock::given(method("GET"))
        .respond_with(hits.clone())
        .mount(&server)
        .await;

    // The clock is paused and jumps ahead whenever every task waits, in-flight requests
    // included: no timer other than the rate window's may stand in the way (no connect
    // timeout, a day-long request timeout, no retry delays).
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let genesys = Platform::<RolesDecide>::builder()
        .client(client)
        .token_provider(StaticToken::new("t"))
        .rate_limit(RateLimit::per_minute(300))
        .timeout(Duration::from_secs(24 * 3600))
        .circuit_breaker(None)
        .build()
        .unwrap();
    let api = genesys
        .transport(format!("{}/api/v2/", server.uri()))
        .unwrap();
    let scim = genesys
        .transport(format!("{}/api/v2/scim/v2/", server.uri()))
        .unwrap();

    // 400 requests from each transport, all at once; the transport's `wfm_http::send` event
    // marks when each one left the rate limits, read on tokio's (paused) clock.
    let t0 = tokio::time::Instant::now();
    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorder = SendTimes {
        t0,
        sent: Arc::clone(&sent),
    };
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(recorder));
    // While requests are on the wire and no limiter waits, a paused clock would jump straight
    // to the next timer, the request timeout; a ticker makes it advance a millisecond at a
    // time instead, as a real clock would while the server answers.
    let ticker = tokio::spawn(async {
        loop {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let mut tasks = Vec::new();
    for i in 0..800 {
        let t = if i % 2 == 0 {
            api.clone()
        } else {
            scim.clone()
        };
        tasks.push(tokio::spawn(async move {
            t.request(Method::GET, &["users"]).send().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    ticker.abort();
    let mut done = sent.lock().unwrap().clone();
    assert_eq!(done.len(), 800);
    done.sort();
    let in_first_minute = done
        .iter()
        .filter(|d| **d < Duration::from_secs(60))
        .count();
    assert_eq!(
        in_first_minute, 300,
        "the two transports together sent 300 in the first minute"
    );
    let in_second_minute = done
        .iter()
        .filter(|d| **d >= Duration::from_secs(60) && **d < Duration::from_secs(120))
        .count();
    assert_eq!(in_second_minute, 300);
    // Any 60-second window: at most 300.
    for (i, start) in done.iter().enumerate() {
        let window = done[i..]
            .iter()
            .take_while(|d| **d < *start + Duration::from_secs(60))
            .count();
        assert!(
            window <= 300,
            "{window} requests in the minute from {start:?}"
        );
    }
    assert_eq!(hits.0.load(Ordering::SeqCst), 800);
}

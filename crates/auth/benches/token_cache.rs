//! The warm path of the token cache under contention: ns per `token()` call with 1, 2 and 8 tasks
//! calling at once, against cloning an `Arc<String>` (the floor of handing out a shared token).
//!
//! `cargo bench -p wfm-auth --bench token_cache -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wfm_auth::{ClientCredentials, TokenCache, TokenProvider};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Calls per task per measured batch, so that spawning costs are spread thin.
const CALLS_PER_TASK: u64 = 20_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(8)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs `tasks` tasks at once, each made by `task` and making `CALLS_PER_TASK` calls, `iters`
/// times; returns the wall time divided by `CALLS_PER_TASK`: the time of one call in each task
/// while all tasks call concurrently.
async fn contended<F, Fut>(iters: u64, tasks: usize, task: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let barrier = Arc::new(tokio::sync::Barrier::new(tasks + 1));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let work = task();
                let barrier = Arc::clone(&barrier);
                tokio::spawn(async move {
                    barrier.wait().await;
                    work.await;
                })
            })
            .collect();
        barrier.wait().await;
        let start = Instant::now();
        for handle in handles {
            handle.await.expect("task");
        }
        total += start.elapsed();
    }
    total / CALLS_PER_TASK as u32
}

fn warm_cache(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"access_token": "bench-token", "token_type": "bearer", "expires_in": 86_400}),
            ))
            .mount(&server),
    );
    let cache = TokenCache::builder(ClientCredentials::new(
        format!("{}/oauth/token", server.uri()),
        "id",
        "secret",
    ))
    .build()
    .expect("cache");
    rt.block_on(cache.token()).expect("warm the cache");
    let shared = Arc::new(String::from("bench-token"));

    let mut group = c.benchmark_group("warm_token");
    for tasks in [1usize, 2, 8] {
        // Time = one call in each task; throughput = calls per second across all tasks.
        group.throughput(Throughput::Elements(tasks as u64));
        group.bench_with_input(
            BenchmarkId::new("TokenCache::token", tasks),
            &tasks,
            |b, &tasks| {
                b.to_async(&rt).iter_custom(|iters| {
                    contended(iters, tasks, || {
                        let cache = cache.clone();
                        async move {
                            for _ in 0..CALLS_PER_TASK {
                                std::hint::black_box(cache.token().await.expect("token"));
                            }
                        }
                    })
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("TokenCache::cached", tasks),
            &tasks,
            |b, &tasks| {
                b.to_async(&rt).iter_custom(|iters| {
                    contended(iters, tasks, || {
                        let cache = cache.clone();
                        async move {
                            for _ in 0..CALLS_PER_TASK {
                                std::hint::black_box(cache.cached().expect("warm"));
                            }
                        }
                    })
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("baseline_arc_string_clone", tasks),
            &tasks,
            |b, &tasks| {
                b.to_async(&rt).iter_custom(|iters| {
                    contended(iters, tasks, || {
                        let shared = Arc::clone(&shared);
                        async move {
                            for _ in 0..CALLS_PER_TASK {
                                std::hint::black_box(Arc::clone(std::hint::black_box(&shared)));
                            }
                        }
                    })
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, warm_cache);
criterion_main!(benches);

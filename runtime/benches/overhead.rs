//! What the SDK costs on top of HTTP, against the fake Lark server on 127.0.0.1:
//!
//! - `call/sdk` vs `call/bare_reqwest`: one JSON call through `Client::call` (URL
//!   building, cached token, envelope check, decoding) against the same request made with
//!   reqwest and decoded by hand; the ratio is printed before the criterion runs;
//! - `token/cache_hit`: a tenant token from a warm cache;
//! - `token/cold_cache_1000_concurrent`: 1,000 concurrent calls on a new client, which
//!   must make exactly one token request (asserted on every iteration).
//!
//! Run with `cargo bench -p lark-runtime --features fake --bench overhead`.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_runtime::{Client, Endpoint, HttpMethod, Request, ResponseKind, Scopes, TokenKind};
use serde_json::{Value, json};

const PATH: &str = "/open-apis/bench/v1/things/:id";
static GET_THING: Endpoint = Endpoint {
    id: "bench.v1.thing.get",
    method: HttpMethod::Get,
    path: PATH,
    tokens: &[TokenKind::Tenant],
    scopes: Scopes::Unknown,
    response: ResponseKind::Data,
    doc_url: "",
};

fn request() -> Request {
    let mut request = Request::new(&GET_THING);
    request.path_param("id", "t1".to_owned());
    request
}

fn client(fake: &FakeLark) -> Client {
    Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET).base_url(fake.base_url()).build().expect("client")
}

async fn sdk_call(client: &Client) {
    let thing: Value = client.call(request()).await.expect("sdk call");
    assert_eq!(thing["id"], "t1");
}

async fn bare_call(http: &reqwest::Client, url: &str, token: &str) {
    let body = http.get(url).bearer_auth(token).send().await.expect("bare call").bytes().await.expect("body");
    let reply: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(reply["data"]["id"], "t1");
}

/// Mean time per call over `n` sequential calls.
async fn mean<F: std::future::Future<Output = ()>>(n: u32, mut call: impl FnMut() -> F) -> Duration {
    let started = Instant::now();
    for _ in 0..n {
        call().await;
    }
    started.elapsed() / n
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let fake = rt.block_on(FakeLark::start());
    fake.route(HttpMethod::Get, PATH, |r| FakeResponse::data(json!({ "id": r.path_param("id") })));
    let sdk = client(&fake);
    let token = rt.block_on(sdk.tenant_access_token()).expect("token");
    let http = reqwest::Client::new();
    let url = format!("{}/open-apis/bench/v1/things/t1", fake.base_url());

    // Interleaved rounds, so that drift in the machine's load hits both sides alike.
    let (mut sdk_total, mut bare_total) = (Duration::ZERO, Duration::ZERO);
    rt.block_on(async {
        mean(500, || sdk_call(&sdk)).await;
        mean(500, || bare_call(&http, &url, &token)).await;
        for _ in 0..5 {
            sdk_total += mean(1000, || sdk_call(&sdk)).await;
            bare_total += mean(1000, || bare_call(&http, &url, &token)).await;
            fake.clear_requests();
        }
    });
    println!(
        "overhead: sdk call {:?}, bare reqwest {:?}, ratio {:.3}",
        sdk_total / 5,
        bare_total / 5,
        sdk_total.as_secs_f64() / bare_total.as_secs_f64()
    );

    let mut group = c.benchmark_group("call");
    group.bench_function("sdk", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            fake.clear_requests();
            let sdk = sdk.clone();
            async move { mean(iters as u32, || sdk_call(&sdk)).await * iters as u32 }
        })
    });
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            fake.clear_requests();
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            async move { mean(iters as u32, || bare_call(&http, &url, &token)).await * iters as u32 }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("token");
    group.bench_function("cache_hit", |b| {
        b.to_async(&rt).iter(|| async { sdk.tenant_access_token().await.expect("token") })
    });
    group.sample_size(10);
    group.bench_function("cold_cache_1000_concurrent", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let fake = &fake;
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    fake.clear_requests();
                    let cold = client(fake);
                    let started = Instant::now();
                    let mut tasks = tokio::task::JoinSet::new();
                    for _ in 0..1000 {
                        let cold = cold.clone();
                        tasks.spawn(async move { sdk_call(&cold).await });
                    }
                    while let Some(done) = tasks.join_next().await {
                        done.expect("call task");
                    }
                    total += started.elapsed();
                    assert_eq!(fake.token_requests(), 1, "1,000 cold calls make one token request");
                }
                total
            }
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = overhead;
    config = config();
    targets = benches
}
criterion_main!(overhead);

//! Cost of one webhook request: signature check, decryption, envelope parsing, token
//! check, deduplication and dispatch to a typed handler, for a typical encrypted
//! `im.message.receive_v1` push.
//!
//! `cargo bench -p lark-runtime --bench webhook`; with `--features redis`, also with
//! deduplication on a `redis-server` of its own on loopback (the bench starts it).

mod push;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use lark_runtime::webhook::Webhook;
use push::{push, webhook};

type Group<'a> = BenchmarkGroup<'a, WallTime>;

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime");
    let mut group = c.benchmark_group("webhook/im.message.receive_v1");

    deduplicated(&mut group, "encrypted, deduplicated", &runtime, &webhook(true));

    let plain = webhook(false);
    let request = push("ev_same");
    group.bench_function("encrypted, no dedupe", |b| {
        b.to_async(&runtime).iter(|| async { assert_eq!(plain.handle(request.clone()).await.status(), 200) })
    });
    redis(&mut group);
    group.finish();
}

/// A fresh event id per request, so that deduplication records each one; the encryption
/// and signing of the test push happen outside the measurement.
fn deduplicated(group: &mut Group<'_>, name: &str, runtime: &tokio::runtime::Runtime, webhook: &Webhook) {
    let mut n = 0u64;
    group.bench_function(name, |b| {
        b.to_async(runtime).iter_batched(
            || {
                n += 1;
                push(&format!("ev_{n}"))
            },
            |request| async { assert_eq!(webhook.handle(request).await.status(), 200) },
            BatchSize::SmallInput,
        )
    });
}

/// The deduplicated case again with the claim and the "done" mark on Redis: two round
/// trips over loopback per request, on a runtime with a worker for the connection.
#[cfg(feature = "redis")]
fn redis(group: &mut Group<'_>) {
    use lark_runtime::shared::RedisStore;
    use lark_runtime::shared::testing::LocalRedis;

    let server = match LocalRedis::start() {
        Ok(server) => server,
        Err(e) => return eprintln!("skipped the Redis case: {e}"),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let store = runtime.block_on(RedisStore::connect(&server.url())).expect("connect to redis-server").prefix("bench");
    deduplicated(group, "encrypted, deduplicated on Redis", &runtime, &push::webhook_with(store.dedupe()));
}

#[cfg(not(feature = "redis"))]
fn redis(_: &mut Group<'_>) {
    eprintln!("the Redis case needs `--features redis`");
}

criterion_group!(benches, bench);
criterion_main!(benches);

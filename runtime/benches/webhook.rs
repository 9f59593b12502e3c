//! Cost of one webhook request: signature check, decryption, envelope parsing, token
//! check, deduplication and dispatch to a typed handler, for a typical encrypted
//! `im.message.receive_v1` push.
//!
//! `cargo bench -p lark-runtime --bench webhook`; with `--features redis`, also with
//! deduplication on a `redis-server` of its own on loopback (the bench starts it).

mod push;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use push::{push, webhook};

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime");
    let mut group = c.benchmark_group("webhook/im.message.receive_v1");

    // A fresh event id per request, so that deduplication records each one; the
    // encryption and signing of the test push happen outside the measurement.
    let deduped = webhook(true);
    let mut n = 0u64;
    group.bench_function("encrypted, deduplicated", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                n += 1;
                push(&format!("ev_{n}"))
            },
            |request| async { assert_eq!(deduped.handle(request).await.status(), 200) },
            BatchSize::SmallInput,
        )
    });

    let plain = webhook(false);
    let request = push("ev_same");
    group.bench_function("encrypted, no dedupe", |b| {
        b.to_async(&runtime).iter(|| async { assert_eq!(plain.handle(request.clone()).await.status(), 200) })
    });
    redis(&mut group);
    group.finish();
}

/// The deduplicated case again with the claim and the "done" mark on Redis: two round
/// trips over loopback per request, on a runtime with a worker for the connection.
#[cfg(feature = "redis")]
fn redis(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    use lark_runtime::shared::RedisStore;
    use lark_runtime::shared::testing::LocalRedis;

    let server = match LocalRedis::start() {
        Ok(server) => server,
        Err(e) => return eprintln!("skipped the Redis case: {e}"),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let store = runtime.block_on(RedisStore::connect(&server.url())).expect("connect to redis-server").prefix("bench");
    let webhook = push::webhook_with(store.dedupe());
    let mut n = 0u64;
    group.bench_function("encrypted, deduplicated on Redis", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                n += 1;
                push(&format!("ev_{n}"))
            },
            |request| async { assert_eq!(webhook.handle(request).await.status(), 200) },
            BatchSize::SmallInput,
        )
    });
}

#[cfg(not(feature = "redis"))]
fn redis(_: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    eprintln!("the Redis case needs `--features redis`");
}

criterion_group!(benches, bench);
criterion_main!(benches);

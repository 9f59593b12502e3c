//! Cost of one webhook request: signature check, decryption, envelope parsing, token
//! check, deduplication and dispatch to a typed handler, for a typical encrypted
//! `im.message.receive_v1` push.
//!
//! `cargo bench -p lark-runtime --bench webhook`

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
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Replicas sharing tokens, tickets and deduplication through a real `redis-server`,
//! started here on a free loopback port. Outside CI a missing `redis-server` skips these
//! tests with a message; in CI (`CI` set) it fails them.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::builder;
use lark_runtime::event::{Dispatcher, EventContext, HandlerError};
use lark_runtime::fake::{FakeLark, FakeResponse};
use lark_runtime::shared::testing::LocalRedis;
use lark_runtime::shared::{DedupeFailure, RedisStore};
use lark_runtime::webhook::Webhook;
use lark_runtime::webhook::testing::{Push, v2_envelope};
use lark_runtime::{AppType, Client, HttpMethod};
use serde_json::{Value, json};

const THINGS: &str = "/open-apis/x/v1/things";

/// A `redis-server` of this test's own, stopped on drop.
struct Redis {
    server: LocalRedis,
}

impl Redis {
    fn start() -> Option<Redis> {
        match LocalRedis::start() {
            Ok(server) => Some(Redis { server }),
            Err(e) if std::env::var_os("CI").is_some() => panic!("CI must run the Redis tests: redis-server: {e}"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("skipped: redis-server is not installed ({e}); `.ci/run` installs it");
                None
            }
            Err(e) => panic!("redis-server: {e}"),
        }
    }

    async fn store(&self, prefix: &str) -> RedisStore {
        RedisStore::connect(&self.server.url()).await.expect("connect to redis-server").prefix(prefix)
    }

    fn stop(&mut self) {
        self.server.stop();
    }
}

async fn fake() -> FakeLark {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, THINGS, |_| FakeResponse::data(json!({ "ok": true })));
    fake
}

async fn replica(fake: &FakeLark, store: &RedisStore) -> Client {
    builder(fake).token_cache(store.token_cache()).build().unwrap()
}

async fn call(client: &Client) -> lark_runtime::Result<Value> {
    client.raw(HttpMethod::Get, THINGS).send().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_fetch_one_token_started_together_and_in_turn() {
    let Some(redis) = Redis::start() else { return };
    for (prefix, together) in [("together", true), ("in-turn", false)] {
        let fake = fake().await;
        // A slow token endpoint: replicas started together all miss before any token is
        // cached, so only the shared lock keeps them to one request.
        let slow = lark_runtime::fake::Fault::Delay(Duration::from_millis(300));
        fake.inject(slow.on(HttpMethod::Post, "/open-apis/auth/v3/tenant_access_token/internal").times(3));
        let store = redis.store(prefix).await;
        let replicas = [replica(&fake, &store).await, replica(&fake, &store).await, replica(&fake, &store).await];
        if together {
            let calls = replicas.iter().map(call);
            for result in futures_util::future::join_all(calls).await {
                result.expect("every replica's call succeeds");
            }
        } else {
            for client in &replicas {
                call(client).await.expect("every replica's call succeeds");
            }
        }
        assert_eq!(fake.token_requests(), 1, "{prefix}: one token request for three replicas");
    }
}

#[tokio::test]
async fn a_ticket_pushed_to_one_replica_serves_another() {
    let Some(redis) = Redis::start() else { return };
    let fake = fake().await;
    let store = redis.store("tickets").await;
    let store_app = |cache| builder(&fake).app_type(AppType::Store).token_cache(cache).build().unwrap();
    let (first, second) = (store_app(store.token_cache()), store_app(store.token_cache()));
    first.set_app_ticket(fake.push_app_ticket());
    // The ticket is written to the shared cache in the background.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let reply = second.raw(HttpMethod::Get, THINGS).tenant_key("tenant-a").send::<Value>().await;
    reply.expect("the second replica used the first one's ticket");
    assert_eq!(fake.app_ticket_resends(), 0, "nobody had to ask the platform for a ticket again");
}

/// A webhook replica whose handler counts runs and fails while `fail` is above zero.
fn receiver(store: &RedisStore, failure: DedupeFailure, runs: &Arc<AtomicUsize>, fail: &Arc<AtomicUsize>) -> Webhook {
    let (runs, fail) = (Arc::clone(runs), Arc::clone(fail));
    let dispatcher = Dispatcher::new().on_raw("im.message.receive_v1", move |_ctx: EventContext| {
        let (runs, fail) = (Arc::clone(&runs), Arc::clone(&fail));
        async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            runs.fetch_add(1, Ordering::SeqCst);
            if fail.load(Ordering::SeqCst) > 0 {
                fail.fetch_sub(1, Ordering::SeqCst);
                return Err(HandlerError::msg("the handler failed"));
            }
            Ok(())
        }
    });
    Webhook::builder().dedupe(store.dedupe().on_failure(failure)).build(dispatcher)
}

async fn deliver(receivers: &[Webhook], event_id: &str) -> Vec<u16> {
    let body = v2_envelope("im.message.receive_v1", event_id, "tok", r#"{"message":{}}"#);
    let pushes = receivers.iter().map(|r| {
        let request = Push::new(body.clone()).request();
        async move { r.handle(request).await.status().as_u16() }
    });
    futures_util::future::join_all(pushes).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_receivers_handle_an_event_once_and_a_failure_lets_the_retry_through() {
    let Some(redis) = Redis::start() else { return };
    let store = redis.store("dedupe").await;
    let (runs, fail) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let receivers: Vec<Webhook> = (0..3).map(|_| receiver(&store, DedupeFailure::Open, &runs, &fail)).collect();

    let mut statuses = deliver(&receivers, "ev_1").await;
    statuses.sort_unstable();
    assert_eq!(runs.load(Ordering::SeqCst), 1, "handled once; statuses {statuses:?}");
    assert_eq!(statuses, [200, 503, 503], "the copies arriving during the run are asked to come back");
    assert_eq!(deliver(&receivers, "ev_1").await, [200, 200, 200], "later redeliveries are acknowledged");
    assert_eq!(runs.load(Ordering::SeqCst), 1, "and not handled again");

    fail.store(1, Ordering::SeqCst);
    let first = deliver(&receivers[..1], "ev_2").await;
    assert_eq!(first, [500], "the failed handler answers 500");
    let retry = deliver(&receivers[1..2], "ev_2").await;
    assert_eq!(retry, [200], "the platform's retry reaches another replica and is handled");
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_redis_stopped_calls_still_succeed_and_dedupe_follows_its_mode() {
    let Some(mut redis) = Redis::start() else { return };
    let fake = fake().await;
    let store = redis.store("outage").await;
    let client = replica(&fake, &store).await;
    call(&client).await.expect("with Redis up");
    let (runs, fail) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let open = receiver(&store, DedupeFailure::Open, &runs, &fail);
    let closed = receiver(&store, DedupeFailure::Closed, &runs, &fail);

    redis.stop();
    fake.revoke_tokens();
    let started = std::time::Instant::now();
    call(&client).await.expect("with Redis down the client fetches its own token");
    assert!(started.elapsed() < Duration::from_secs(3), "no hang: {:?}", started.elapsed());
    assert_eq!(fake.token_requests(), 2);

    assert_eq!(deliver(std::slice::from_ref(&open), "ev_3").await, [200], "open: handled anyway");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(deliver(std::slice::from_ref(&closed), "ev_4").await, [500], "closed: pushed again later");
    assert_eq!(runs.load(Ordering::SeqCst), 1, "closed: not handled");
}

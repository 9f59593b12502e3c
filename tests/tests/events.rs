//! Events and callbacks of the generated SDK, end to end through the webhook handler.
//!
//! Every event and callback type in `spec/` must have a sample push (the plaintext
//! envelope as the platform sends it). Each sample is encrypted, signed, pushed through
//! `Webhook::handle` and must reach a typed handler registered through the generated
//! catalogue walk, so adding an event without a sample, or with a payload model that does
//! not fit its sample, fails here.
//!
//! Samples live apart by where they come from:
//! - `tests/fixtures/events/real/<type>.json`: the example push of the official event
//!   page, with its source in `real/sources/*.tsv`. Only these prove that `spec/` has the
//!   platform's field types: a wrong type there fails to decode one of them.
//! - `tests/fixtures/events/synthesised/<type>.json`: made from our own payload model, so
//!   they only prove that the type is wired up. A type with a real sample has no
//!   synthesised one.
//!
//! `cargo test -p lark-tests --test events -- --ignored write_missing_samples` writes a
//! synthesised sample for each type that has neither (its event id says so); replace it
//! with a real push when you have one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lark_generator::ir;
use lark_runtime::event::{Callback, CatalogueVisitor, Envelope, Event, EventContext};
use lark_runtime::webhook::Webhook;
use lark_runtime::webhook::testing::{Push, v2_envelope};
use lark_sdk::EventDispatcher;
use serde_json::{Value, json};

const KEY: &str = "sample-encrypt-key";
const SYNTHESISED: &str = "synthesised-from-spec";

/// Real pushes, copied from the official event pages.
const REAL: &str = "real";
/// Pushes made from our own payload models.
const MADE: &str = "synthesised";

/// How many types have a real sample; raise it as real samples arrive, never lower it.
const REAL_SAMPLES_AT_LEAST: usize = 221;

fn samples_dir(kind: &str) -> PathBuf {
    lark_tests::workspace_root().join("tests/fixtures/events").join(kind)
}

/// The real sample of a type if there is one, else the synthesised one.
fn sample_path(type_string: &str) -> PathBuf {
    let real = samples_dir(REAL).join(format!("{type_string}.json"));
    if real.exists() { real } else { samples_dir(MADE).join(format!("{type_string}.json")) }
}

/// The types with a sample of this kind, read from the file names.
fn sampled(kind: &str) -> BTreeSet<String> {
    let entries = fs::read_dir(samples_dir(kind)).unwrap_or_else(|e| panic!("tests/fixtures/events/{kind}: {e}"));
    entries
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_owned))
        .collect()
}

/// Every event and callback type of the catalogue, with its envelope, read from `spec/`.
fn catalogue() -> ir::Catalogue {
    let spec = lark_tests::workspace_root().join("spec");
    lark_generator::catalogue(&spec).unwrap_or_else(|e| panic!("the catalogue must load:\n{e}"))
}

fn spec_types(catalogue: &ir::Catalogue) -> BTreeMap<String, ir::Envelope> {
    let versions = catalogue.services.iter().flat_map(|s| &s.versions);
    let mut types = BTreeMap::new();
    for v in versions {
        types.extend(v.events.iter().map(|e| (e.event_type.clone(), e.envelope)));
        types.extend(v.callbacks.iter().map(|c| (c.callback_type.clone(), c.envelope)));
    }
    types
}

/// Checks each type's sample against its typed payload and registers a typed handler
/// that records which types reached it.
struct Samples {
    dispatcher: EventDispatcher,
    envelopes: BTreeMap<String, Envelope>,
    bodies: BTreeMap<String, String>,
    problems: Vec<String>,
    reached: Arc<Mutex<BTreeSet<String>>>,
}

impl Samples {
    /// The sample of `type_string`, checked for its envelope; `None` after recording why not.
    fn load(&mut self, type_string: &str, envelope: Envelope) -> Option<Value> {
        self.envelopes.insert(type_string.to_owned(), envelope);
        let path = sample_path(type_string);
        let Ok(text) = fs::read_to_string(&path) else {
            self.problems.push(format!("{type_string}: no sample at {}", path.display()));
            return None;
        };
        let sample: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                self.problems.push(format!("{type_string}: the sample is not JSON: {e}"));
                return None;
            }
        };
        let named = match envelope {
            Envelope::V2 => sample["header"]["event_type"].as_str(),
            _ => sample["event"]["type"].as_str(),
        };
        if named != Some(type_string) {
            self.problems.push(format!("{type_string}: the sample is not a {envelope:?} push of this type"));
            return None;
        }
        self.bodies.insert(type_string.to_owned(), text);
        Some(sample["event"].clone())
    }

    fn reached_by(&self) -> impl Fn(&EventContext) + Send + Sync + 'static {
        let reached = self.reached.clone();
        move |ctx| {
            reached.lock().unwrap().insert(ctx.event_type().to_owned());
        }
    }
}

impl CatalogueVisitor for Samples {
    fn event<E: Event>(&mut self) {
        let payload = self.load(E::EVENT_TYPE, E::ENVELOPE);
        if let Some(Err(e)) = payload.map(serde_json::from_value::<E>) {
            self.problems.push(format!("{}: the sample does not decode: {e}", E::EVENT_TYPE));
        }
        let reached = self.reached_by();
        let dispatcher = std::mem::take(&mut self.dispatcher);
        self.dispatcher = dispatcher.on(move |ctx, _event: E| {
            reached(&ctx);
            async { Ok(()) }
        });
    }

    fn callback<C: Callback>(&mut self) {
        let payload = self.load(C::CALLBACK_TYPE, C::ENVELOPE);
        if let Some(Err(e)) = payload.map(serde_json::from_value::<C>) {
            self.problems.push(format!("{}: the sample does not decode: {e}", C::CALLBACK_TYPE));
        }
        // Callback answers need a value of the response type, which a generic test cannot
        // make; the raw route runs the same pipeline and decodes the payload itself.
        let reached = self.reached_by();
        let dispatcher = std::mem::take(&mut self.dispatcher);
        self.dispatcher = dispatcher.on_raw(C::CALLBACK_TYPE, move |ctx| {
            // Only the outcome crosses into the future: payload types need not be `Send`.
            let decoded = ctx.event_as::<C>().map(drop);
            if decoded.is_ok() {
                reached(&ctx);
            }
            async move { decoded.map_err(Into::into) }
        });
    }
}

#[tokio::test]
async fn every_catalogued_event_and_callback_has_a_sample_that_decodes() {
    let catalogue = catalogue();
    let expected = spec_types(&catalogue);
    let mut samples = Samples {
        dispatcher: EventDispatcher::new(),
        envelopes: BTreeMap::new(),
        bodies: BTreeMap::new(),
        problems: Vec::new(),
        reached: Arc::default(),
    };
    lark_sdk::visit_catalogue(&mut samples);

    let walked: BTreeSet<&String> = samples.envelopes.keys().collect();
    let in_spec: BTreeSet<&String> = expected.keys().collect();
    assert_eq!(walked, in_spec, "the generated catalogue walk must cover spec/ exactly; run `cargo xtask gen`");
    for (type_string, envelope) in &expected {
        let walked = samples.envelopes[type_string];
        let same = matches!((envelope, walked), (ir::Envelope::V1, Envelope::V1) | (ir::Envelope::V2, Envelope::V2));
        assert!(same, "{type_string}: spec says {envelope:?}, the generated code {walked:?}");
    }

    // Samples are independent pushes; deduplication has its own tests.
    let webhook = Webhook::builder().encrypt_key(KEY).no_dedupe().build(std::mem::take(&mut samples.dispatcher));
    for (type_string, body) in &samples.bodies {
        let response = webhook.handle(Push::new(body.clone()).encrypt_and_sign(KEY).request()).await;
        if response.status() != 200 {
            samples.problems.push(format!("{type_string}: the webhook answered {}", response.status()));
        }
    }
    let reached = samples.reached.lock().unwrap().clone();
    for type_string in samples.bodies.keys().filter(|t| !reached.contains(*t)) {
        samples.problems.push(format!("{type_string}: the push never reached its typed handler"));
    }
    let real = sampled(REAL);
    let proven = reached
        .iter()
        .filter(|t| real.contains(*t) && !samples.problems.iter().any(|p| p.starts_with(&format!("{t}:"))))
        .count();
    println!("{proven} of {} event and callback types decode a real sample", expected.len());
    assert!(
        samples.problems.is_empty(),
        "{} of {} types have a problem (write missing samples with \
         `cargo test -p lark-tests --test events -- --ignored write_missing_samples`):\n{}",
        samples.problems.len(),
        expected.len(),
        samples.problems.join("\n")
    );
}

#[test]
fn every_sample_belongs_to_a_catalogued_type() {
    let expected = spec_types(&catalogue());
    let (real, made) = (sampled(REAL), sampled(MADE));
    let orphans: Vec<_> = real.iter().chain(&made).filter(|t| !expected.contains_key(*t)).collect();
    assert!(orphans.is_empty(), "samples without an event or callback in spec/: {orphans:?}");
    let both: Vec<_> = real.intersection(&made).collect();
    assert!(both.is_empty(), "these types have a real sample: delete their synthesised one: {both:?}");
}

/// A real sample is a push from an official page: not made by `write_missing_samples`,
/// and listed with where it was found.
#[test]
fn real_samples_are_real_and_say_where_they_come_from() {
    let real = sampled(REAL);
    let mut sourced = BTreeSet::new();
    let mut problems = Vec::new();
    for entry in fs::read_dir(samples_dir(REAL).join("sources")).expect("real/sources exists") {
        let text = fs::read_to_string(entry.expect("entry").path()).expect("readable");
        for line in text.lines() {
            // `<type>\t<where the example was read>\t<the official page, or ->`
            let mut columns = line.split('\t');
            match (columns.next(), columns.next()) {
                (Some(type_string), Some(url)) if url.starts_with("https://") => {
                    if !sourced.insert(type_string.to_owned()) {
                        problems.push(format!("{type_string}: listed twice in real/sources"));
                    }
                }
                _ => problems.push(format!("real/sources: `{line}` does not name a type and a URL")),
            }
        }
    }
    for type_string in &real {
        let text = fs::read_to_string(samples_dir(REAL).join(format!("{type_string}.json"))).expect("readable");
        if text.contains(SYNTHESISED) {
            problems.push(format!("{type_string}: synthesised, not real"));
        }
        if !sourced.contains(type_string) {
            problems.push(format!("{type_string}: no line in real/sources/*.tsv"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        real.len() >= REAL_SAMPLES_AT_LEAST,
        "only {} real samples; {REAL_SAMPLES_AT_LEAST} were here before",
        real.len()
    );
}

#[tokio::test]
async fn generated_methods_register_typed_handlers_and_typed_answers() {
    use lark_runtime::message::card::{Card, CardAnswer, Element, Toast};

    let texts = Arc::new(Mutex::new(Vec::new()));
    let keep = texts.clone();
    let dispatcher = EventDispatcher::new()
        .on_im_message_receive_v1(move |ctx, event| {
            let content = event.message.and_then(|m| m.content).unwrap_or_default();
            keep.lock().unwrap().push(format!("{}:{content}", ctx.event_id().unwrap_or_default()));
            async { Ok(()) }
        })
        .on_card_action_trigger(|_ctx, event| async move {
            let tag = event.action.and_then(|a| a.tag).unwrap_or_default();
            let answer = CardAnswer::toast(Toast::info(format!("clicked {tag}")));
            // A select answers with a card that breaks a rule: the callback fails instead.
            let broken = Card::new().element(Element::markdown("x").id("not ok"));
            Ok(if tag == "select_static" { answer.card(broken) } else { answer })
        });
    let webhook = Webhook::builder().encrypt_key(KEY).verification_token("tok").build(dispatcher);

    let message = v2_envelope("im.message.receive_v1", "ev_9", "tok", r#"{"message":{"content":"{\"text\":\"hi\"}"}}"#);
    let response = webhook.handle(Push::new(message).encrypt_and_sign(KEY).request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(*texts.lock().unwrap(), [r#"ev_9:{"text":"hi"}"#]);

    let click = v2_envelope("card.action.trigger", "ev_10", "tok", r#"{"action":{"tag":"button","value":{}}}"#);
    let response = webhook.handle(Push::new(click).encrypt_and_sign(KEY).request()).await;
    assert_eq!(response.status(), 200);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body, json!({ "toast": { "type": "info", "content": "clicked button" } }));

    let select = v2_envelope("card.action.trigger", "ev_11", "tok", r#"{"action":{"tag":"select_static"}}"#);
    let response = webhook.handle(Push::new(select).encrypt_and_sign(KEY).request()).await;
    assert_eq!(response.status(), 500, "an invalid card in an answer is a failed callback, not a broken card");
}

/// Writes a synthesised sample for every type without one. Not a check: run it by hand.
#[test]
#[ignore = "writes files; run by hand when events are added"]
fn write_missing_samples() {
    let catalogue = catalogue();
    fs::create_dir_all(samples_dir(MADE)).expect("create tests/fixtures/events/synthesised");
    for service in &catalogue.services {
        for version in &service.versions {
            let kinds = version.events.iter().map(|e| (&e.event_type, e.envelope, &e.payload));
            let callbacks = version.callbacks.iter().map(|c| (&c.callback_type, c.envelope, &c.payload));
            for (type_string, envelope, payload) in kinds.chain(callbacks) {
                let path = sample_path(type_string);
                if path.exists() {
                    continue;
                }
                let path = samples_dir(MADE).join(format!("{type_string}.json"));
                let event = synthesise(version, &ir::Type::Model(payload.clone()), 0);
                let push = envelope_around(type_string, envelope, event);
                let text = serde_json::to_string_pretty(&push).expect("JSON") + "\n";
                fs::write(&path, text).expect("write sample");
                println!("wrote {}", path.display());
            }
        }
    }
}

fn envelope_around(type_string: &str, envelope: ir::Envelope, mut event: Value) -> Value {
    let id = format!("{SYNTHESISED}:{type_string}");
    match envelope {
        ir::Envelope::V2 => json!({
            "schema": "2.0",
            "header": {
                "event_id": id,
                "event_type": type_string,
                "create_time": "1700000000000",
                "token": "sample-token",
                "app_id": "cli_sample",
                "tenant_key": "tenant_sample",
            },
            "event": event,
        }),
        ir::Envelope::V1 => {
            if let Value::Object(fields) = &mut event {
                fields.insert("type".into(), json!(type_string));
                fields.entry("app_id").or_insert(json!("cli_sample"));
                fields.entry("tenant_key").or_insert(json!("tenant_sample"));
            }
            json!({ "uuid": id, "token": "sample-token", "ts": "1700000000.0", "type": "event_callback", "event": event })
        }
    }
}

/// A value of `ty` with every field filled, nested models included (to a depth of 4).
fn synthesise(version: &ir::Version, ty: &ir::Type, depth: usize) -> Value {
    match ty {
        ir::Type::String => json!("sample"),
        ir::Type::Bool => json!(true),
        ir::Type::I32 | ir::Type::I64 => json!(1),
        ir::Type::F64 => json!(1.5),
        ir::Type::Int64String => json!("1700000000000"),
        ir::Type::Json | ir::Type::File => json!({ "key": "value" }),
        ir::Type::List(item) => json!([synthesise(version, item, depth)]),
        ir::Type::Map(item) => json!({ "key": synthesise(version, item, depth) }),
        ir::Type::Enum(name) => match version.enums.iter().find(|e| &e.rust == name) {
            Some(e) => match (e.repr, e.variants.first()) {
                (ir::EnumRepr::Int, Some(v)) => v.wire.parse::<i64>().map_or(json!(0), |n| json!(n)),
                (ir::EnumRepr::String, Some(v)) => json!(v.wire),
                (_, None) => Value::Null,
            },
            None => Value::Null,
        },
        ir::Type::Model(name) => {
            let Some(model) = version.models.iter().find(|m| &m.rust == name).filter(|_| depth < 4) else {
                return json!({});
            };
            let fields = model.fields.iter().map(|f| (f.wire.clone(), synthesise(version, &f.ty, depth + 1)));
            Value::Object(fields.collect())
        }
    }
}

//! The layouts a decrypted push can have, read into one [`EventContext`].
//!
//! - v2: `{"schema":"2.0","header":{event_id,event_type,create_time,token,app_id,tenant_key},"event":{..}}`
//! - v1: `{"uuid","token","ts","type":"event_callback","event":{"type":"..",..}}`
//! - URL check: `{"challenge","token","type":"url_verification"}`
//! - legacy card action: `{open_id,user_id,open_message_id,open_chat_id,tenant_key,token,action}`
//!
//! Duplicate keys are refused (serde's derive does that), so a body cannot show one token
//! to the check and another to the handler.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::Rejection;
use crate::event::{Decode, Envelope, EventContext, EventHeader, LEGACY_CARD_ACTION, Payload};

/// A push, read.
#[derive(Debug)]
pub(crate) enum Push {
    /// The platform checks the URL; answer with the challenge.
    UrlVerification { challenge: String, token: Option<String> },
    /// An event or callback. `token` is the verification token the envelope carries;
    /// legacy card actions carry none (their `token` field is a card update token).
    Event { ctx: EventContext, token: Option<String> },
}

/// The envelope as sent. Text the checks only compare is borrowed from the JSON; what
/// the header keeps is owned.
#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    schema: Option<Cow<'a, str>>,
    #[serde(borrow)]
    header: Option<WireHeader<'a>>,
    #[serde(borrow)]
    event: Option<&'a RawValue>,
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    challenge: Option<String>,
    token: Option<String>,
    uuid: Option<String>,
    #[serde(default, deserialize_with = "text")]
    ts: Option<String>,
    tenant_key: Option<String>,
    app_id: Option<String>,
}

#[derive(Deserialize)]
struct WireHeader<'a> {
    event_id: Option<String>,
    #[serde(borrow)]
    event_type: Option<Cow<'a, str>>,
    // The platform sends a string; a number would still be the same fact, so take both
    // rather than lose the event.
    #[serde(default, deserialize_with = "text")]
    create_time: Option<String>,
    token: Option<String>,
    app_id: Option<String>,
    tenant_key: Option<String>,
}

/// The fields of a v1 `event` object the envelope needs.
#[derive(Deserialize)]
struct V1Event {
    #[serde(rename = "type")]
    kind: Option<String>,
    app_id: Option<String>,
    tenant_key: Option<String>,
}

/// Reads a push that arrived at the event endpoint. `decoder` gives the decoder of a
/// typed handler's payload type, if one handles the type.
pub(crate) fn event(json: String, decoder: impl Fn(&str) -> Option<Decode>) -> Result<Push, Rejection> {
    if let Some((header, token, span, payload)) = compact_v2(&json, decoder) {
        return Ok(Push::Event { ctx: EventContext::decoded(header, json, span, payload), token });
    }
    let wire: Wire = serde_json::from_str(&json).map_err(|e| Rejection::json(&e))?;
    if wire.kind.as_deref() == Some("url_verification") {
        return url_verification(wire);
    }
    let (header, event, token) = match &wire.schema {
        Some(schema) if schema != "2.0" => return Err(Rejection::UnsupportedSchema),
        Some(_) => v2(wire)?,
        None if wire.kind.as_deref() == Some("event_callback") => v1(wire)?,
        None => return Err(Rejection::MalformedEnvelope("neither a v2 envelope, a v1 event nor a URL check")),
    };
    Ok(Push::Event { ctx: EventContext::new(header, json, event), token })
}

/// The platform's own layout of a v2 push, `{"schema":"2.0","header":{..},"event":{..}}`
/// without spaces, for a type a typed handler takes: the header is read, then the payload
/// straight into the handler's type, whose decoding checks every byte of its JSON. That
/// reads the payload once instead of twice (checked as raw JSON, then decoded).
///
/// Anything else, a payload that does not decode included, is `None` and takes the
/// general path, so that every push gets the answer it would get there.
fn compact_v2(
    json: &str,
    decoder: impl Fn(&str) -> Option<Decode>,
) -> Option<(EventHeader, Option<String>, Range<usize>, Payload)> {
    const HEAD: &str = r#"{"schema":"2.0","header":"#;
    const EVENT: &str = r#","event":"#;
    let mut headers = serde_json::Deserializer::from_str(json.strip_prefix(HEAD)?).into_iter::<WireHeader>();
    let h = headers.next()?.ok()?;
    let after_header = HEAD.len() + headers.byte_offset();
    json.get(after_header..)?.strip_prefix(EVENT)?.strip_suffix('}')?;
    let span = after_header + EVENT.len()..json.len() - 1;
    let event_type = h.event_type.filter(|t| !t.is_empty())?;
    let payload = decoder(&event_type)?(json.get(span.clone())?).ok()?;
    let header = EventHeader {
        event_id: Some(non_empty(h.event_id)?),
        event_type: event_type.into_owned(),
        create_time: h.create_time,
        tenant_key: h.tenant_key,
        app_id: h.app_id,
        envelope: Envelope::V2,
    };
    Some((header, h.token, span, payload))
}

/// Reads a push that arrived at the legacy card endpoint.
pub(crate) fn card(json: String) -> Result<Push, Rejection> {
    let wire: Wire = serde_json::from_str(&json).map_err(|e| Rejection::json(&e))?;
    if wire.kind.as_deref() == Some("url_verification") {
        return url_verification(wire);
    }
    if wire.schema.is_some() || wire.header.is_some() {
        return Err(Rejection::MalformedEnvelope("a v2 push at the legacy card endpoint; use the event endpoint"));
    }
    let header = EventHeader {
        event_id: None,
        event_type: LEGACY_CARD_ACTION.to_owned(),
        create_time: None,
        tenant_key: wire.tenant_key,
        app_id: wire.app_id,
        envelope: Envelope::LegacyCard,
    };
    // The payload is the whole body, which `from_str` above has already validated.
    let payload = RawValue::from_string(json.clone()).map_err(|e| Rejection::json(&e))?;
    Ok(Push::Event { ctx: EventContext::new(header, json, payload), token: None })
}

/// What an event envelope yields: its header, its payload and the token it carries.
type Parts = (EventHeader, Box<RawValue>, Option<String>);

fn url_verification(wire: Wire) -> Result<Push, Rejection> {
    let challenge = wire.challenge.ok_or(Rejection::MalformedEnvelope("a URL check without a challenge"))?;
    Ok(Push::UrlVerification { challenge, token: wire.token })
}

fn v2(wire: Wire) -> Result<Parts, Rejection> {
    let h = wire.header.ok_or(Rejection::MalformedEnvelope("a v2 envelope without a header"))?;
    let event_id = non_empty(h.event_id).ok_or(Rejection::MalformedEnvelope("header.event_id is missing"))?;
    let event_type = h.event_type.filter(|t| !t.is_empty());
    let event_type = event_type.ok_or(Rejection::MalformedEnvelope("header.event_type is missing"))?;
    let event = wire.event.ok_or(Rejection::MalformedEnvelope("a v2 envelope without an event"))?;
    let header = EventHeader {
        event_id: Some(event_id),
        event_type: event_type.into_owned(),
        create_time: h.create_time,
        tenant_key: h.tenant_key,
        app_id: h.app_id,
        envelope: Envelope::V2,
    };
    Ok((header, event.to_owned(), h.token))
}

fn v1(wire: Wire) -> Result<Parts, Rejection> {
    let uuid = non_empty(wire.uuid).ok_or(Rejection::MalformedEnvelope("a v1 event without a uuid"))?;
    let event = wire.event.ok_or(Rejection::MalformedEnvelope("a v1 envelope without an event"))?;
    let inner: V1Event = serde_json::from_str(event.get())
        .map_err(|_| Rejection::MalformedEnvelope("a v1 event that is not an object of strings"))?;
    let event_type = non_empty(inner.kind).ok_or(Rejection::MalformedEnvelope("event.type is missing"))?;
    let header = EventHeader {
        event_id: Some(uuid),
        event_type,
        create_time: wire.ts,
        tenant_key: inner.tenant_key,
        app_id: inner.app_id,
        envelope: Envelope::V1,
    };
    Ok((header, event.to_owned(), wire.token))
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// A string or a number, as text (`null` or absent: none).
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Text;

    impl<'de> Visitor<'de> for Text {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // Written the way JSON writes it, as `serde_json::Number` would.
            Ok(serde_json::Number::from_f64(v).map(|n| n.to_string()))
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_any(Text)
        }
    }

    deserializer.deserialize_option(Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No typed handler: every push takes the general path.
    fn none(_: &str) -> Option<Decode> {
        None
    }

    fn ctx(push: Push) -> (EventContext, Option<String>) {
        match push {
            Push::Event { ctx, token } => (ctx, token),
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn v2_envelope() {
        let json = r#"{"schema":"2.0","header":{"event_id":"e1","event_type":"im.message.receive_v1",
            "create_time":"1700000000000","token":"tok","app_id":"cli_1","tenant_key":"t1"},"event":{"a":1}}"#;
        let (ctx, token) = ctx(event(json.to_owned(), none).unwrap());
        assert_eq!(token.as_deref(), Some("tok"));
        assert_eq!(ctx.event_id(), Some("e1"));
        assert_eq!(ctx.event_type(), "im.message.receive_v1");
        assert_eq!(ctx.create_time_ms(), Some(1_700_000_000_000));
        assert_eq!((ctx.app_id(), ctx.tenant_key()), (Some("cli_1"), Some("t1")));
        assert_eq!(ctx.raw_event().get(), r#"{"a":1}"#);
        assert_eq!(ctx.raw_json(), json);
        assert_eq!(ctx.envelope(), Envelope::V2);
    }

    /// A typed handler for type `t` whose payload is a map of small numbers.
    fn typed(event_type: &str) -> Option<Decode> {
        let decode: Decode =
            |text| serde_json::from_str::<std::collections::BTreeMap<String, u8>>(text).map(|m| Box::new(m) as Payload);
        (event_type == "t").then_some(decode)
    }

    #[test]
    fn the_platforms_layout_is_decoded_once_and_everything_reads_the_same_either_way() {
        let header = r#"{"event_id":"e","event_type":"t","create_time":"17","token":"k","app_id":"a"}"#;
        let v2 = |event: &str| format!(r#"{{"schema":"2.0","header":{header},"event":{event}}}"#);
        let cases = [
            (v2(r#"{"a":1}"#), true),
            (v2(r#"{"a":1,"b":"é"}"#), false), // "b" is no number: the handler errs later
            (v2(r#"{"a":1} "#), true),
            (v2(r#"{"a":1},"event":{"a":2}"#), false),
            (v2(r#"{"a":1},"extra":true"#), false),
            (v2(r#"{"a":300}"#), false),
            (v2(r#"{"a":1"#), false),
            (format!(r#"{{"schema":"2.0","header":{header}}}"#), false),
            (format!(r#"{{"schema": "2.0","header":{header},"event":{{"a":1}}}}"#), false),
            (format!(r#"{{"schema":"2.0","header":{header},"event":{{"a":1}}}}x"#), false),
            (format!(r#"{{"schema":"2.0","header":{header},"event":{{"a":1}}}} "#), false),
            (v2(r#"{"a":1}"#).replace(r#""e""#, r#""""#), false),
            (v2(r#"{"a":1}"#).replace(r#""t""#, r#""u""#), false),
            (v2(r#"{"a":1}"#).replace(r#""token":"k""#, r#""token":"k\"},\"event\":{""#), true),
            (v2(r#"{"a":1}"#).replace(r#""app_id":"a""#, r#""app_id":"a","app_id":"b""#), false),
            (v2(r#"{"a":1}"#).replace("2.0", "3.0"), false),
        ];
        for (json, decoded_early) in cases {
            let fast = event(json.clone(), typed);
            let general = event(json.clone(), none);
            match (fast, general) {
                (Ok(fast), Ok(general)) => {
                    let ((fast, fast_token), (general, general_token)) = (ctx(fast), ctx(general));
                    assert_eq!(fast.take_decoded().is_some(), decoded_early, "{json}");
                    assert_eq!((fast.header(), &fast_token), (general.header(), &general_token), "{json}");
                    assert_eq!(fast.raw_json(), general.raw_json());
                    assert_eq!(fast.raw_event().get(), general.raw_event().get(), "{json}");
                    let as_value = |c: &EventContext| c.event_as::<serde_json::Value>().unwrap();
                    assert_eq!(as_value(&fast), as_value(&general), "{json}");
                }
                (Err(fast), Err(general)) => {
                    assert!(!decoded_early, "{json}");
                    assert_eq!(fast, general, "{json}");
                }
                (fast, general) => panic!("{json}: {fast:?} but {general:?}"),
            }
        }
    }

    #[test]
    fn v1_envelope() {
        let json = r#"{"uuid":"u1","token":"tok","ts":"1502199207.7171419","type":"event_callback",
            "event":{"type":"app_ticket","app_id":"cli_1","app_ticket":"tk","tenant_key":"t"}}"#;
        let (ctx, token) = ctx(event(json.to_owned(), none).unwrap());
        assert_eq!(token.as_deref(), Some("tok"));
        assert_eq!(ctx.event_id(), Some("u1"));
        assert_eq!(ctx.event_type(), "app_ticket");
        assert_eq!(ctx.create_time(), Some("1502199207.7171419"));
        assert_eq!((ctx.app_id(), ctx.tenant_key()), (Some("cli_1"), Some("t")));
        assert_eq!(ctx.envelope(), Envelope::V1);
    }

    #[test]
    fn create_time_is_text_from_a_string_a_number_or_nothing() {
        let with = |value: &str| {
            let json = format!(
                r#"{{"schema":"2.0","header":{{"event_id":"e","event_type":"x","create_time":{value}}},"event":{{}}}}"#
            );
            event(json, none).map(|push| ctx(push).0.create_time().map(str::to_owned))
        };
        assert_eq!(with(r#""17""#), Ok(Some("17".into())));
        assert_eq!(with("-3"), Ok(Some("-3".into())));
        assert_eq!(with("1.5"), Ok(Some("1.5".into())));
        assert_eq!(with("null"), Ok(None));
        assert_eq!(with("true").map_err(|e| e.code()), Err("malformed_json"));
        assert_eq!(with("{}").map_err(|e| e.code()), Err("malformed_json"));
    }

    #[test]
    fn numbers_where_strings_are_usual_still_read() {
        let json =
            r#"{"schema":"2.0","header":{"event_id":"e","event_type":"x","create_time":1700000000000},"event":{}}"#;
        assert_eq!(ctx(event(json.to_owned(), none).unwrap()).0.create_time(), Some("1700000000000"));
    }

    #[test]
    fn url_verification_reads_challenge_and_token() {
        let push = event(r#"{"challenge":"c1","token":"tok","type":"url_verification"}"#.to_owned(), none).unwrap();
        assert!(matches!(push, Push::UrlVerification { ref challenge, ref token }
            if challenge == "c1" && token.as_deref() == Some("tok")));
        assert!(matches!(
            card(r#"{"challenge":"c","type":"url_verification"}"#.to_owned()).unwrap(),
            Push::UrlVerification { .. }
        ));
    }

    #[test]
    fn legacy_card_action_is_the_whole_body() {
        let json = r#"{"open_id":"ou","tenant_key":"t","token":"c-update","action":{"tag":"button"}}"#;
        let (ctx, token) = ctx(card(json.to_owned()).unwrap());
        assert_eq!(token, None, "the card update token is not a verification token");
        assert_eq!(ctx.event_type(), LEGACY_CARD_ACTION);
        assert_eq!(ctx.event_id(), None);
        assert_eq!(ctx.tenant_key(), Some("t"));
        assert_eq!(ctx.raw_event().get(), json);
    }

    #[test]
    fn malformed_envelopes_are_refused() {
        let cases = [
            ("[]", "malformed_json"),
            ("{", "malformed_json"),
            (r#"{"token":"a","token":"b","type":"url_verification","challenge":"c"}"#, "malformed_json"),
            (r#"{"type":"url_verification"}"#, "malformed_envelope"),
            (r#"{"schema":"3.0","header":{},"event":{}}"#, "unsupported_schema"),
            (r#"{"schema":"2.0","event":{}}"#, "malformed_envelope"),
            (r#"{"schema":"2.0","header":{"event_type":"x"},"event":{}}"#, "malformed_envelope"),
            (r#"{"schema":"2.0","header":{"event_id":"","event_type":"x"},"event":{}}"#, "malformed_envelope"),
            (r#"{"schema":"2.0","header":{"event_id":"e"},"event":{}}"#, "malformed_envelope"),
            (r#"{"schema":"2.0","header":{"event_id":"e","event_type":"x"}}"#, "malformed_envelope"),
            (r#"{"type":"event_callback","event":{"type":"x"}}"#, "malformed_envelope"),
            (r#"{"type":"event_callback","uuid":"u","event":{}}"#, "malformed_envelope"),
            (r#"{"type":"event_callback","uuid":"u","event":[1]}"#, "malformed_envelope"),
            (r#"{"type":"event_callback","uuid":"u"}"#, "malformed_envelope"),
            (r#"{"hello":"world"}"#, "malformed_envelope"),
        ];
        for (json, code) in cases {
            assert_eq!(event(json.to_owned(), none).unwrap_err().code(), code, "{json}");
        }
        let v2 = r#"{"schema":"2.0","header":{"event_id":"e","event_type":"x"},"event":{}}"#;
        assert_eq!(card(v2.to_owned()).unwrap_err().code(), "malformed_envelope");
    }

    #[test]
    fn json_errors_do_not_quote_the_body() {
        let err = event(r#"{"token": 12345678, "type":"url_verification"}"#.to_owned(), none).unwrap_err();
        assert!(!err.to_string().contains("12345678"), "{err}");
    }
}

//! The layouts a decrypted push can have, read into one [`EventContext`].
//!
//! - v2: `{"schema":"2.0","header":{event_id,event_type,create_time,token,app_id,tenant_key},"event":{..}}`
//! - v1: `{"uuid","token","ts","type":"event_callback","event":{"type":"..",..}}`
//! - URL check: `{"challenge","token","type":"url_verification"}`
//! - legacy card action: `{open_id,user_id,open_message_id,open_chat_id,tenant_key,token,action}`
//!
//! Duplicate keys are refused (serde's derive does that), so a body cannot show one token
//! to the check and another to the handler.

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::Rejection;
use crate::event::{Envelope, EventContext, EventHeader, LEGACY_CARD_ACTION};

/// A push, read.
#[derive(Debug)]
pub(crate) enum Push {
    /// The platform checks the URL; answer with the challenge.
    UrlVerification { challenge: String, token: Option<String> },
    /// An event or callback. `token` is the verification token the envelope carries;
    /// legacy card actions carry none (their `token` field is a card update token).
    Event { ctx: EventContext, token: Option<String> },
}

#[derive(Deserialize)]
struct Wire {
    schema: Option<String>,
    header: Option<WireHeader>,
    event: Option<Box<RawValue>>,
    #[serde(rename = "type")]
    kind: Option<String>,
    challenge: Option<String>,
    token: Option<String>,
    uuid: Option<String>,
    #[serde(default, deserialize_with = "text")]
    ts: Option<String>,
    tenant_key: Option<String>,
    app_id: Option<String>,
}

#[derive(Deserialize)]
struct WireHeader {
    event_id: Option<String>,
    event_type: Option<String>,
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

/// Reads a push that arrived at the event endpoint.
pub(crate) fn event(json: String) -> Result<Push, Rejection> {
    let wire: Wire = serde_json::from_str(&json).map_err(|e| Rejection::json(&e))?;
    if wire.kind.as_deref() == Some("url_verification") {
        return url_verification(wire);
    }
    if let Some(schema) = &wire.schema {
        if schema != "2.0" {
            return Err(Rejection::UnsupportedSchema);
        }
        return v2(wire, json);
    }
    if wire.kind.as_deref() == Some("event_callback") {
        return v1(wire, json);
    }
    Err(Rejection::MalformedEnvelope("neither a v2 envelope, a v1 event nor a URL check"))
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

fn url_verification(wire: Wire) -> Result<Push, Rejection> {
    let challenge = wire.challenge.ok_or(Rejection::MalformedEnvelope("a URL check without a challenge"))?;
    Ok(Push::UrlVerification { challenge, token: wire.token })
}

fn v2(wire: Wire, json: String) -> Result<Push, Rejection> {
    let h = wire.header.ok_or(Rejection::MalformedEnvelope("a v2 envelope without a header"))?;
    let event_id = non_empty(h.event_id).ok_or(Rejection::MalformedEnvelope("header.event_id is missing"))?;
    let event_type = non_empty(h.event_type).ok_or(Rejection::MalformedEnvelope("header.event_type is missing"))?;
    let event = wire.event.ok_or(Rejection::MalformedEnvelope("a v2 envelope without an event"))?;
    let header = EventHeader {
        event_id: Some(event_id),
        event_type,
        create_time: h.create_time,
        tenant_key: h.tenant_key,
        app_id: h.app_id,
        envelope: Envelope::V2,
    };
    Ok(Push::Event { ctx: EventContext::new(header, json, event), token: h.token })
}

fn v1(wire: Wire, json: String) -> Result<Push, Rejection> {
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
    Ok(Push::Event { ctx: EventContext::new(header, json, event), token: wire.token })
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// A string or a number, as text.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        String(String),
        Number(serde_json::Number),
    }
    Ok(Option::<Text>::deserialize(deserializer)?.map(|t| match t {
        Text::String(s) => s,
        Text::Number(n) => n.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let (ctx, token) = ctx(event(json.to_owned()).unwrap());
        assert_eq!(token.as_deref(), Some("tok"));
        assert_eq!(ctx.event_id(), Some("e1"));
        assert_eq!(ctx.event_type(), "im.message.receive_v1");
        assert_eq!(ctx.create_time_ms(), Some(1_700_000_000_000));
        assert_eq!((ctx.app_id(), ctx.tenant_key()), (Some("cli_1"), Some("t1")));
        assert_eq!(ctx.raw_event().get(), r#"{"a":1}"#);
        assert_eq!(ctx.raw_json(), json);
        assert_eq!(ctx.envelope(), Envelope::V2);
    }

    #[test]
    fn v1_envelope() {
        let json = r#"{"uuid":"u1","token":"tok","ts":"1502199207.7171419","type":"event_callback",
            "event":{"type":"app_ticket","app_id":"cli_1","app_ticket":"tk","tenant_key":"t"}}"#;
        let (ctx, token) = ctx(event(json.to_owned()).unwrap());
        assert_eq!(token.as_deref(), Some("tok"));
        assert_eq!(ctx.event_id(), Some("u1"));
        assert_eq!(ctx.event_type(), "app_ticket");
        assert_eq!(ctx.create_time(), Some("1502199207.7171419"));
        assert_eq!((ctx.app_id(), ctx.tenant_key()), (Some("cli_1"), Some("t")));
        assert_eq!(ctx.envelope(), Envelope::V1);
    }

    #[test]
    fn numbers_where_strings_are_usual_still_read() {
        let json =
            r#"{"schema":"2.0","header":{"event_id":"e","event_type":"x","create_time":1700000000000},"event":{}}"#;
        assert_eq!(ctx(event(json.to_owned()).unwrap()).0.create_time(), Some("1700000000000"));
    }

    #[test]
    fn url_verification_reads_challenge_and_token() {
        let push = event(r#"{"challenge":"c1","token":"tok","type":"url_verification"}"#.to_owned()).unwrap();
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
            assert_eq!(event(json.to_owned()).unwrap_err().code(), code, "{json}");
        }
        let v2 = r#"{"schema":"2.0","header":{"event_id":"e","event_type":"x"},"event":{}}"#;
        assert_eq!(card(v2.to_owned()).unwrap_err().code(), "malformed_envelope");
    }

    #[test]
    fn json_errors_do_not_quote_the_body() {
        let err = event(r#"{"token": 12345678, "type":"url_verification"}"#.to_owned()).unwrap_err();
        assert!(!err.to_string().contains("12345678"), "{err}");
    }
}

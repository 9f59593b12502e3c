//! Turning a reply into data or an error.
//!
//! All of this is non-generic; the only generic step, [`decode`], is one `serde_json` call.

use serde::de::DeserializeOwned;

use crate::core::endpoint::{ResponseKind, Scopes, Target};
use crate::core::error::{Error, RATE_LIMITED_CODE, Result, USER_TOKEN_CODES};
use crate::core::excerpt::excerpt;
use crate::wire::download::{self, Download};
use crate::wire::envelope::Envelope;
use crate::wire::transport::Reply;

/// Turns a reply into an error when it is one: a non-zero code, or a non-2xx status.
pub(crate) fn check(reply: &Reply, endpoint: &'static str, scopes: Scopes) -> Result<()> {
    match &reply.envelope {
        Ok(env) if env.code.is_some_and(|c| c != 0) => {
            let error = Box::new(env.api_error(&reply.head, endpoint, scopes));
            Err(if USER_TOKEN_CODES.contains(&error.code) { Error::UserToken(error) } else { Error::Api(error) })
        }
        // A throttled reply without a Lark body still deserves the typed error.
        _ if reply.head.status == 429 => {
            let mut error = Envelope::default().api_error(&reply.head, endpoint, scopes);
            error.code = RATE_LIMITED_CODE;
            error.msg = "too many requests".to_owned();
            Err(Error::Api(Box::new(error)))
        }
        _ if !reply.head.is_success() => {
            Err(Error::Http { status: reply.head.status, endpoint, body_excerpt: excerpt(&reply.body) })
        }
        _ => Ok(()),
    }
}

/// The JSON text the response type is read from.
pub(crate) fn json_text(reply: Reply, endpoint: &Target<'_>) -> Result<Box<str>> {
    check(&reply, endpoint.id, endpoint.scopes)?;
    let envelope = reply.envelope.map_err(|message| Error::decode(endpoint.id, message, &reply.body))?;
    Ok(match endpoint.response {
        // A successful call with nothing to say may omit `data` or send null.
        ResponseKind::Data => envelope.data.map_or_else(|| "{}".into(), Box::<str>::from),
        ResponseKind::Empty => "{}".into(),
        ResponseKind::Flat | ResponseKind::Binary => {
            std::str::from_utf8(&reply.body).map_err(|e| Error::decode(endpoint.id, e, &reply.body))?.into()
        }
    })
}

/// Reads the response type from JSON text: the one generic step of a call.
pub(crate) fn decode<T: DeserializeOwned>(endpoint: &'static str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::decode(endpoint, e, text.as_bytes()))
}

/// A file reply; a JSON error envelope in its place becomes an error.
pub(crate) fn file(reply: Reply, endpoint: &Target<'_>) -> Result<Download> {
    check(&reply, endpoint.id, endpoint.scopes)?;
    Ok(Download {
        file_name: reply.head.content_disposition.as_deref().and_then(download::file_name),
        content_type: reply.head.content_type,
        bytes: reply.body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::{Endpoint, HttpMethod, TokenKind};
    use crate::wire::head::Head;
    use bytes::Bytes;
    use serde::Deserialize;

    static EP: Endpoint = Endpoint {
        id: "im.v1.message.create",
        method: HttpMethod::Post,
        path: "/open-apis/im/v1/messages",
        tokens: &[TokenKind::Tenant],
        scopes: Scopes::Known { any: &["im:message"], all: &[] },
        response: ResponseKind::Data,
        doc_url: "",
    };

    static FLAT: Endpoint = Endpoint { response: ResponseKind::Flat, ..EP };

    fn reply(status: u16, log_id: Option<&str>, body: &str) -> Reply {
        let content_type = Some("application/json; charset=utf-8".to_owned());
        Reply {
            envelope: Envelope::parse(content_type.as_deref(), body.as_bytes()),
            head: Head {
                status,
                log_id: log_id.map(str::to_owned),
                content_type,
                content_disposition: None,
                content_length: None,
                retry_after: None,
            },
            body: Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    fn json_text(reply: Reply, endpoint: &'static Endpoint) -> Result<Box<str>> {
        super::json_text(reply, &Target::of(endpoint))
    }

    fn file(reply: Reply, endpoint: &'static Endpoint) -> Result<Download> {
        super::file(reply, &Target::of(endpoint))
    }

    #[test]
    fn data_is_taken_from_the_envelope() {
        let r = reply(200, None, r#"{"code":0,"msg":"ok","data":{"message_id":"om_1"}}"#);
        let v: serde_json::Value = decode(EP.id, &json_text(r, &EP).unwrap()).unwrap();
        assert_eq!(v["message_id"], "om_1");
    }

    #[test]
    fn missing_or_null_data_reads_as_an_empty_object() {
        for body in [r#"{"code":0,"msg":"ok"}"#, r#"{"code":0,"data":null}"#] {
            assert_eq!(&*json_text(reply(200, None, body), &EP).unwrap(), "{}");
        }
    }

    #[test]
    fn flat_replies_decode_from_the_whole_body() {
        let body = r#"{"code":0,"msg":"ok","expire":7200}"#;
        assert_eq!(&*json_text(reply(200, None, body), &FLAT).unwrap(), body);
    }

    #[test]
    fn nonzero_code_is_an_api_error_with_details() {
        let body = r#"{"code":99991672,"msg":"Access denied","error":{
            "log_id":"body-log","troubleshooter":"https://example.com/t",
            "permission_violations":[{"type":"action_scope_required","subject":"im:message","description":"need it"}],
            "field_violations":[{"field":"receive_id","value":"x","description":"bad id"}],
            "helps":[{"url":"https://example.com/h","description":"help"}]}}"#;
        let err = json_text(reply(400, None, body), &EP).unwrap_err();
        let api = err.api_error().expect("an API error");
        assert!(matches!(err, Error::Api(_)));
        assert_eq!(api.code, 99991672);
        assert_eq!(api.http_status, 400);
        assert_eq!(api.log_id.as_deref(), Some("body-log"));
        assert_eq!(api.troubleshooter.as_deref(), Some("https://example.com/t"));
        assert_eq!(api.permission_violations[0].subject, "im:message");
        assert_eq!(api.permission_violations[0].kind, "action_scope_required");
        assert_eq!(api.field_violations[0].field, "receive_id");
        assert_eq!(api.helps[0].url, "https://example.com/h");
        assert!(api.is_permission_denied());
        let text = err.to_string();
        assert!(text.contains("grant `im:message`"), "{text}");
        assert!(text.contains("field `receive_id`: bad id"), "{text}");
    }

    #[test]
    fn header_log_id_wins_and_odd_error_shapes_are_tolerated() {
        let body = r#"{"code":20026,"error":"invalid_grant","error_description":"bad refresh token"}"#;
        let err = json_text(reply(400, Some("hdr-log"), body), &EP).unwrap_err();
        let api = err.api_error().unwrap();
        assert_eq!(err.log_id(), Some("hdr-log"));
        assert_eq!(api.msg, "bad refresh token");
        assert!(api.permission_violations.is_empty());
    }

    #[test]
    fn malformed_json_is_a_decode_error_with_an_excerpt() {
        let err = json_text(reply(200, None, r#"{"code":0,"data":{"#), &EP).unwrap_err();
        match err {
            Error::Decode { endpoint, body_excerpt, .. } => {
                assert_eq!(endpoint, EP.id);
                assert_eq!(body_excerpt, r#"{"code":0,"data":{"#);
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn wrong_data_shape_is_a_decode_error() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Out {
            count: u32,
        }
        let r = reply(200, None, r#"{"code":0,"data":{"count":"many"}}"#);
        let err = decode::<Out>(EP.id, &json_text(r, &EP).unwrap()).unwrap_err();
        assert!(matches!(&err, Error::Decode { body_excerpt, .. } if body_excerpt.contains("many")));
    }

    #[test]
    fn non_json_error_pages_are_http_errors() {
        let mut r = reply(502, None, "<html>bad gateway</html>");
        r.head.content_type = Some("text/html".to_owned());
        r.envelope = Envelope::parse(Some("text/html"), &r.body);
        let err = json_text(r, &EP).unwrap_err();
        assert!(
            matches!(&err, Error::Http { status: 502, body_excerpt, .. } if body_excerpt.contains("bad gateway")),
            "{err:?}"
        );
    }

    #[test]
    fn a_json_error_in_place_of_a_file_is_an_api_error() {
        let r = reply(400, Some("l"), r#"{"code":234001,"msg":"no such file"}"#);
        assert_eq!(file(r, &EP).unwrap_err().code(), Some(234001));
    }

    #[test]
    fn rejected_user_tokens_are_a_typed_error() {
        for code in [99991668, 99991677] {
            let body = format!(r#"{{"code":{code},"msg":"token expired"}}"#);
            let err = json_text(reply(401, None, &body), &EP).unwrap_err();
            assert!(matches!(err, Error::UserToken(_)), "{err:?}");
            assert!(err.to_string().contains("sign in again"), "{err}");
        }
    }

    #[test]
    fn a_bare_429_is_a_rate_limit_error() {
        let mut r = reply(429, None, "slow down");
        r.head.content_type = Some("text/plain".to_owned());
        r.head.retry_after = Some(std::time::Duration::from_secs(3));
        r.envelope = Envelope::parse(Some("text/plain"), &r.body);
        let err = json_text(r, &EP).unwrap_err();
        assert!(err.is_rate_limited(), "{err:?}");
        assert_eq!(err.api_error().unwrap().retry_after, Some(std::time::Duration::from_secs(3)));
        assert!(err.to_string().contains("wait 3000 ms"), "{err}");
    }
}

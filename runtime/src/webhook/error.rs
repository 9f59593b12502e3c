//! Why a push was refused.

use http::StatusCode;

/// Why the webhook handler refused a request. Each variant maps to a 4xx status and a
/// short stable code; none carries a secret or a piece of the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The request was not a POST.
    #[error("only POST is accepted")]
    MethodNotAllowed,
    /// The body is larger than the configured limit.
    #[error("the body is larger than the {limit}-byte limit")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read to the end (the client went away, or sent a broken
    /// chunked encoding).
    #[error("the body could not be read")]
    BodyUnreadable,
    /// A signature header is missing (the names are the constants in this module), or the
    /// request is unsigned although an encrypt key is configured and it is not a URL check.
    #[error("the `{0}` header is missing")]
    MissingHeader(&'static str),
    /// A signature header is not text, or the timestamp is not a number of seconds.
    #[error("the `{0}` header is malformed")]
    BadHeader(&'static str),
    /// The signature does not match the body, the headers and the configured secret.
    #[error("the signature does not match the request")]
    BadSignature,
    /// The signed timestamp is outside the freshness window.
    #[error("the request timestamp is {skew_secs} s away from now, more than the {max_secs} s allowed")]
    StaleTimestamp {
        /// How far the timestamp is from now, in seconds.
        skew_secs: u64,
        /// The configured window, in seconds.
        max_secs: u64,
    },
    /// The body (or the decrypted body) is not JSON of the expected shape.
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The `encrypt` field is not canonical standard base64.
    #[error("the encrypted data is not strict standard base64")]
    BadBase64,
    /// The encrypted data is not an IV followed by whole AES blocks.
    #[error("the encrypted data is not an IV followed by whole AES blocks")]
    BadCiphertextLength,
    /// The decrypted data does not end in valid PKCS#7 padding, usually a wrong encrypt key.
    #[error("the decrypted data has invalid padding; is the encrypt key right?")]
    BadPadding,
    /// The body is encrypted but no encrypt key is configured.
    #[error("the body is encrypted but no encrypt key is configured")]
    EncryptKeyMissing,
    /// An encrypt key is configured but the body is not encrypted.
    #[error("an encrypt key is configured but the body is not encrypted")]
    NotEncrypted,
    /// The verification token is absent or different from the configured one.
    #[error("the verification token is missing or wrong")]
    BadToken,
    /// The JSON parses but is not an envelope the platform sends; says what is wrong.
    #[error("the envelope is malformed: {0}")]
    MalformedEnvelope(&'static str),
    /// A `schema` other than `2.0`.
    #[error("the envelope schema is not 2.0")]
    UnsupportedSchema,
}

impl Rejection {
    /// The HTTP status to answer with: 405, 413, 401 for anything about authenticity,
    /// 400 for the rest. All are 4xx: the platform's retries would not fix the request.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Rejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::MissingHeader(_)
            | Rejection::BadSignature
            | Rejection::StaleTimestamp { .. }
            | Rejection::BadToken => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// A short stable name for logs, metrics and the response body, e.g. `"bad_signature"`.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::MethodNotAllowed => "method_not_allowed",
            Rejection::BodyTooLarge { .. } => "body_too_large",
            Rejection::BodyUnreadable => "body_unreadable",
            Rejection::MissingHeader(_) => "missing_header",
            Rejection::BadHeader(_) => "bad_header",
            Rejection::BadSignature => "bad_signature",
            Rejection::StaleTimestamp { .. } => "stale_timestamp",
            Rejection::MalformedJson(_) => "malformed_json",
            Rejection::BadBase64 => "bad_base64",
            Rejection::BadCiphertextLength => "bad_ciphertext_length",
            Rejection::BadPadding => "bad_padding",
            Rejection::EncryptKeyMissing => "encrypt_key_missing",
            Rejection::NotEncrypted => "not_encrypted",
            Rejection::BadToken => "bad_token",
            Rejection::MalformedEnvelope(_) => "malformed_envelope",
            Rejection::UnsupportedSchema => "unsupported_schema",
        }
    }

    /// A JSON error without the offending text: serde's messages can quote values from
    /// the body, and the body can hold the verification token.
    pub(crate) fn json(e: &serde_json::Error) -> Self {
        let what = match e.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Eof => "unexpected end",
        };
        Rejection::MalformedJson(format!("{what} at line {} column {}", e.line(), e.column()))
    }
}

//! Request signatures and their timestamps.
//!
//! Events: lowercase hex SHA-256 over `timestamp + nonce + encrypt_key` followed by the raw
//! body. Legacy card actions: lowercase hex SHA-1 over `timestamp + nonce +
//! verification_token` followed by the raw body. Both hash the body bytes exactly as
//! received; hashing re-serialised JSON would let a tampered body through.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName};
use ring::digest;
use subtle::ConstantTimeEq;

use super::Rejection;
use crate::core::hex::hex;

/// Header with the request time in seconds since the Unix epoch.
pub const TIMESTAMP_HEADER: &str = "X-Lark-Request-Timestamp";
/// Header with a random nonce.
pub const NONCE_HEADER: &str = "X-Lark-Request-Nonce";
/// Header with the hex signature.
pub const SIGNATURE_HEADER: &str = "X-Lark-Signature";

/// The three signature headers of one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signed<'a> {
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
}

/// The signature headers: `None` when all three are absent, an error when only some are
/// there or one is not text.
pub(crate) fn headers(map: &HeaderMap) -> Result<Option<Signed<'_>>, Rejection> {
    // Looked up by their lowercase `HeaderName`s, which saves parsing each name per request.
    let get = |(name, header): (&'static str, HeaderName)| match map.get(header) {
        None => Ok(None),
        Some(v) => v.to_str().map(Some).map_err(|_| Rejection::BadHeader(name)),
    };
    let timestamp = (TIMESTAMP_HEADER, HeaderName::from_static("x-lark-request-timestamp"));
    let nonce = (NONCE_HEADER, HeaderName::from_static("x-lark-request-nonce"));
    let signature = (SIGNATURE_HEADER, HeaderName::from_static("x-lark-signature"));
    match (get(timestamp)?, get(nonce)?, get(signature)?) {
        (None, None, None) => Ok(None),
        (Some(timestamp), Some(nonce), Some(signature)) => Ok(Some(Signed { timestamp, nonce, signature })),
        (None, _, _) => Err(Rejection::MissingHeader(TIMESTAMP_HEADER)),
        (_, None, _) => Err(Rejection::MissingHeader(NONCE_HEADER)),
        (_, _, None) => Err(Rejection::MissingHeader(SIGNATURE_HEADER)),
    }
}

/// The signature the platform puts on an event push.
pub fn event_signature(timestamp: &str, nonce: &str, encrypt_key: &str, body: &[u8]) -> String {
    sign(&digest::SHA256, [timestamp, nonce, encrypt_key], body)
}

/// The signature the platform puts on a legacy card action.
pub fn card_signature(timestamp: &str, nonce: &str, verification_token: &str, body: &[u8]) -> String {
    // SHA-1 is the platform's choice for this old callback, not ours.
    sign(&digest::SHA1_FOR_LEGACY_USE_ONLY, [timestamp, nonce, verification_token], body)
}

/// Compares in constant time, so response timing reveals nothing about how many leading
/// characters of a forged signature were right.
pub(crate) fn matches(expected: &str, given: &str) -> bool {
    bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// Checks that the signed timestamp lies within `max_skew` of `now`, in either direction.
pub(crate) fn check_fresh(timestamp: &str, max_skew: Duration, now: SystemTime) -> Result<(), Rejection> {
    let sent: u64 = timestamp.trim().parse().map_err(|_| Rejection::BadHeader(TIMESTAMP_HEADER))?;
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let skew = now.abs_diff(sent);
    if skew > max_skew.as_secs() {
        return Err(Rejection::StaleTimestamp { skew_secs: skew, max_secs: max_skew.as_secs() });
    }
    Ok(())
}

fn sign(algorithm: &'static digest::Algorithm, parts: [&str; 3], body: &[u8]) -> String {
    let mut ctx = digest::Context::new(algorithm);
    for part in parts {
        ctx.update(part.as_bytes());
    }
    ctx.update(body);
    hex(ctx.finish().as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_signature_is_sha256_over_the_parts_then_the_body() {
        // Known answers from `printf '12k{}' | sha256sum` and `printf '12t{}' | sha1sum`.
        assert_eq!(
            event_signature("1", "2", "k", b"{}"),
            "a2c08cfc1732e85c101a8e8b6dfeddbe44d732caedfb06a1dd08711e6398a656"
        );
        assert_eq!(card_signature("1", "2", "t", b"{}"), "3cf1ee2992e55d81c82e7df895b1c65500b9404d");
    }

    #[test]
    fn the_header_names_are_the_public_ones_in_lowercase() {
        for name in [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER] {
            let mut map = HeaderMap::new();
            map.insert(TIMESTAMP_HEADER, "1".parse().unwrap());
            map.insert(NONCE_HEADER, "2".parse().unwrap());
            map.insert(SIGNATURE_HEADER, "3".parse().unwrap());
            map.insert(name, http::HeaderValue::from_bytes(b"\xff").unwrap());
            assert_eq!(headers(&map).unwrap_err(), Rejection::BadHeader(name), "{name}");
        }
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }

    #[test]
    fn comparison_needs_equal_text() {
        assert!(matches("abc", "abc"));
        assert!(!matches("abc", "abd"));
        assert!(!matches("abc", "ab"));
        assert!(!matches("abc", "ABC"));
    }

    #[test]
    fn headers_all_or_nothing() {
        let mut map = HeaderMap::new();
        assert!(headers(&map).unwrap().is_none());
        map.insert("x-lark-request-timestamp", "1".parse().unwrap());
        assert_eq!(headers(&map).unwrap_err(), Rejection::MissingHeader(NONCE_HEADER));
        map.insert("X-LARK-REQUEST-NONCE", "n".parse().unwrap());
        assert_eq!(headers(&map).unwrap_err(), Rejection::MissingHeader(SIGNATURE_HEADER));
        map.insert("x-lark-signature", "s".parse().unwrap());
        let signed = headers(&map).unwrap().unwrap();
        assert_eq!((signed.timestamp, signed.nonce, signed.signature), ("1", "n", "s"));
        map.insert("x-lark-signature", http::HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(headers(&map).unwrap_err(), Rejection::BadHeader(SIGNATURE_HEADER));
    }

    #[test]
    fn freshness_window_both_ways() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let window = Duration::from_secs(300);
        assert!(check_fresh("1000000", window, now).is_ok());
        assert!(check_fresh("999700", window, now).is_ok());
        assert!(check_fresh("1000300", window, now).is_ok());
        assert_eq!(
            check_fresh("999699", window, now),
            Err(Rejection::StaleTimestamp { skew_secs: 301, max_secs: 300 })
        );
        assert!(matches!(check_fresh("1000301", window, now), Err(Rejection::StaleTimestamp { .. })));
        assert_eq!(check_fresh("soon", window, now), Err(Rejection::BadHeader(TIMESTAMP_HEADER)));
        assert_eq!(check_fresh("-5", window, now), Err(Rejection::BadHeader(TIMESTAMP_HEADER)));
    }
}

//! The start of a reply body for an error message, with secrets blanked out.
//!
//! Token endpoints and the OAuth endpoints answer with access and refresh tokens, so any
//! error that quotes a body must not quote those values.

/// Longest excerpt kept in an error, in bytes (before the ellipsis).
pub(crate) const LIMIT: usize = 512;

const REDACTED: &[u8] = b"<redacted>";

/// The start of `body`, at most [`LIMIT`] bytes cut on a character boundary, with the
/// string values of secret-looking JSON keys replaced by `<redacted>`.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let redacted = redact(body, LIMIT + 1);
    if redacted.len() <= LIMIT {
        return String::from_utf8_lossy(&redacted).into_owned();
    }
    let mut cut = &redacted[..LIMIT];
    // Drop a character split by the cut rather than showing a replacement character.
    if let Err(e) = std::str::from_utf8(cut)
        && e.error_len().is_none()
    {
        cut = &cut[..e.valid_up_to()];
    }
    let mut text = String::from_utf8_lossy(cut).into_owned();
    text.push('…');
    text
}

/// Whether a JSON key names a secret. Page tokens are cursors, not credentials, and are
/// useful when debugging pagination.
fn is_secret_key(key: &[u8]) -> bool {
    let key = String::from_utf8_lossy(key).to_ascii_lowercase();
    !key.ends_with("page_token") && ["token", "secret", "password", "ticket"].iter().any(|word| key.contains(word))
}

/// Copies `body` until the output holds `limit` bytes, blanking the string value of every
/// secret-looking key. Works on truncated or invalid JSON too: it only tracks strings.
fn redact(body: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(limit.min(body.len()));
    let mut i = 0;
    let mut secret_value_next = false;
    while i < body.len() && out.len() < limit {
        let byte = body[i];
        if byte != b'"' {
            if !byte.is_ascii_whitespace() && byte != b':' {
                secret_value_next = false;
            }
            out.push(byte);
            i += 1;
            continue;
        }
        let end = string_end(body, i);
        let content = &body[i + 1..end.min(body.len()).max(i + 1)];
        let after = end + 1;
        if secret_value_next {
            out.push(b'"');
            out.extend_from_slice(REDACTED);
            out.push(b'"');
            secret_value_next = false;
        } else {
            out.extend_from_slice(&body[i..after.min(body.len())]);
            let next = body[after.min(body.len())..].iter().find(|b| !b.is_ascii_whitespace());
            secret_value_next = next == Some(&b':') && is_secret_key(content);
        }
        i = after;
    }
    out
}

/// The index of the quote closing the string that opens at `start`, or `body.len()` if it
/// never closes.
fn string_end(body: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < body.len() {
        match body[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    body.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_blanked() {
        let body = br#"{"code":0,"access_token":"u-abc","refresh_token" : "ur-\"x","app_secret":"s","expire":7200,"page_token":"p1","data":{"tenant_access_token":"t-1"}}"#;
        let text = excerpt(body);
        for secret in ["u-abc", "ur-", "\"s\"", "t-1"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains(r#""access_token":"<redacted>""#), "{text}");
        assert!(text.contains(r#""expire":7200"#), "{text}");
        assert!(text.contains(r#""page_token":"p1""#), "{text}");
    }

    #[test]
    fn truncated_secrets_are_blanked_too() {
        let text = excerpt(br#"{"access_token":"u-abc"#);
        assert_eq!(text, r#"{"access_token":"<redacted>""#);
    }

    #[test]
    fn ordinary_values_and_non_json_pass_through() {
        assert_eq!(excerpt(br#"{"msg":"token expired"}"#), r#"{"msg":"token expired"}"#);
        assert_eq!(excerpt(b"<html>502</html>"), "<html>502</html>");
    }

    #[test]
    fn long_bodies_are_capped_on_a_char_boundary() {
        let mut bytes = b"x".to_vec();
        bytes.extend_from_slice("é".repeat(400).as_bytes()); // 801 bytes
        let text = excerpt(&bytes);
        assert!(text.ends_with('…'));
        assert!(!text.contains('\u{FFFD}'));
        assert!(text.len() <= LIMIT + '…'.len_utf8());
        assert_eq!(excerpt(b"short"), "short");
    }
}

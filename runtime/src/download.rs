//! Downloaded files and the `Content-Disposition` header that names them.

use bytes::Bytes;
use percent_encoding::percent_decode_str;

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Download {
    /// The file name from `Content-Disposition` (`filename*` first, then `filename`), with
    /// any directory part removed. Still treat it as untrusted input before using it as a
    /// path.
    pub file_name: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The file's bytes.
    pub bytes: Bytes,
}

/// The file name a `Content-Disposition` header carries.
///
/// RFC 6266 says `filename*` (RFC 5987, `charset'lang'percent-encoded`) wins over
/// `filename`; an undecodable `filename*` falls back to `filename`.
pub(crate) fn file_name(header: &[u8]) -> Option<String> {
    // Some servers put raw UTF-8 in the header despite the RFC; accept it.
    let header = String::from_utf8_lossy(header);
    let params = params(&header);
    let extended = params.iter().find(|(k, _)| k == "filename*").and_then(|(_, v)| decode_extended(v));
    let name = extended.or_else(|| params.iter().find(|(k, _)| k == "filename").map(|(_, v)| v.clone()))?;
    // Keep only the last path component: a name is not a place to write to.
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    (!base.is_empty()).then(|| base.to_owned())
}

/// The `name=value` parameters after the first `;` of a header such as
/// `Content-Disposition`, names lowercased, quoted values unescaped.
pub(crate) fn params(header: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = match header.find(';') {
        Some(i) => &header[i + 1..],
        None => return out,
    };
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        if rest.is_empty() {
            return out;
        }
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        let name = rest[..name_end].trim().to_ascii_lowercase();
        rest = &rest[name_end..];
        let Some(after_eq) = rest.strip_prefix('=') else {
            continue; // a flag without a value
        };
        let after_eq = after_eq.trim_start();
        let (value, remaining) = match after_eq.strip_prefix('"') {
            Some(quoted) => unquote(quoted),
            None => {
                let end = after_eq.find(';').unwrap_or(after_eq.len());
                (after_eq[..end].trim().to_owned(), &after_eq[end..])
            }
        };
        out.push((name, value));
        rest = remaining;
    }
}

/// Reads a quoted string whose opening quote is already consumed; returns the value and
/// what follows the closing quote.
fn unquote(s: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, &s[i + 1..]),
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            _ => value.push(c),
        }
    }
    (value, "") // unterminated: take what there is
}

/// Decodes an RFC 5987 value `charset'language'percent-encoded`.
fn decode_extended(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let encoded = pieces.next()?;
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(h: &str) -> Option<String> {
        file_name(h.as_bytes())
    }

    #[test]
    fn extended_name_is_percent_decoded() {
        assert_eq!(name("attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20v2.pdf").as_deref(), Some("报告 v2.pdf"));
        assert_eq!(name("attachment; filename*=iso-8859-1'en'caf%E9.txt").as_deref(), Some("café.txt"));
    }

    #[test]
    fn plain_names_quoted_or_not() {
        assert_eq!(name("attachment; filename=a.txt").as_deref(), Some("a.txt"));
        assert_eq!(
            name(r#"attachment; filename="my \"best\" file; v1.txt""#).as_deref(),
            Some(r#"my "best" file; v1.txt"#)
        );
        assert_eq!(name("inline;filename = b.png ;size=3").as_deref(), Some("b.png"));
    }

    #[test]
    fn extended_wins_over_plain_in_either_order() {
        let both = "attachment; filename=\"fallback.txt\"; filename*=UTF-8''r%C3%A9el.txt";
        assert_eq!(name(both).as_deref(), Some("réel.txt"));
        let reversed = "attachment; filename*=UTF-8''r%C3%A9el.txt; filename=fallback.txt";
        assert_eq!(name(reversed).as_deref(), Some("réel.txt"));
    }

    #[test]
    fn bad_extended_falls_back_to_plain() {
        let h = "attachment; filename*=UTF-8''%FF%FE; filename=\"ok.txt\"";
        assert_eq!(name(h).as_deref(), Some("ok.txt"));
        assert_eq!(name("attachment; filename*=koi8-r''x").as_deref(), None);
    }

    #[test]
    fn missing_or_empty_name_is_none() {
        assert_eq!(name("attachment"), None);
        assert_eq!(name("attachment; size=10"), None);
        assert_eq!(name("attachment; filename=\"\""), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn directories_are_stripped() {
        assert_eq!(name("attachment; filename=\"../../etc/passwd\"").as_deref(), Some("passwd"));
        assert_eq!(name("attachment; filename=C:\\x\\y.doc").as_deref(), Some("y.doc"));
    }

    #[test]
    fn raw_utf8_in_the_header_is_accepted() {
        assert_eq!(name("attachment; filename=\"文件.txt\"").as_deref(), Some("文件.txt"));
    }
}

//! Turning an endpoint's path template and parameters into a URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::core::endpoint::Target;
use crate::core::error::{Error, Result};

/// Everything but RFC 3986 unreserved characters is encoded, in path segments and in
/// query keys and values alike, so a value can never split a segment or a pair.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Builds `base + path?query`, filling the template's `:placeholders` from `params`.
///
/// Every parameter must match a placeholder and every placeholder must have a non-empty
/// value; generated code guarantees both, so a mismatch is reported rather than guessed at.
pub(crate) fn build<K: AsRef<str>>(
    base: &str,
    endpoint: &Target<'_>,
    params: &[(K, String)],
    query: &[(K, String)],
) -> Result<String> {
    if let Some((name, _)) = params.iter().find(|(name, _)| !placeholders(endpoint.path).any(|p| p == name.as_ref())) {
        return Err(Error::encode(
            endpoint.id,
            format!("path parameter `{}` has no placeholder in `{}`", name.as_ref(), endpoint.path),
        ));
    }
    let mut url = String::with_capacity(base.len() + endpoint.path.len() + 32);
    url.push_str(base);
    for (i, segment) in endpoint.path.split('/').enumerate() {
        // The template starts with '/', so the first piece is empty.
        if i > 0 {
            url.push('/');
        }
        let Some(name) = segment.strip_prefix(':') else {
            url.push_str(segment);
            continue;
        };
        let value = params
            .iter()
            .rev()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Error::encode(endpoint.id, format!("path parameter `{name}` is not set")))?;
        if value.is_empty() {
            return Err(Error::encode(endpoint.id, format!("path parameter `{name}` is empty")));
        }
        url.extend(utf8_percent_encode(value, COMPONENT));
    }
    for (i, (name, value)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.extend(utf8_percent_encode(name.as_ref(), COMPONENT));
        url.push('=');
        url.extend(utf8_percent_encode(value, COMPONENT));
    }
    Ok(url)
}

fn placeholders(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|s| s.strip_prefix(':'))
}

/// The pairs of a query string (without `?`), in order and percent-decoded; form
/// encoding writes spaces as `+`, so `+` reads as a space and a literal `+` arrives as
/// `%2B`. Bad UTF-8 is replaced: a query is read leniently.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    let decode =
        |part: &str| percent_encoding::percent_decode_str(&part.replace('+', " ")).decode_utf8_lossy().into_owned();
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::{Endpoint, HttpMethod, ResponseKind, Scopes};

    static EP_DEF: Endpoint = Endpoint {
        id: "test.v1.thing.get",
        method: HttpMethod::Get,
        path: "/open-apis/test/v1/things/:thing_id/items/:item_id",
        tokens: &[],
        scopes: Scopes::Unknown,
        response: ResponseKind::Data,
        doc_url: "",
    };

    fn build(
        base: &str,
        endpoint: &'static Endpoint,
        params: &[(&'static str, String)],
        query: &[(&'static str, String)],
    ) -> Result<String> {
        super::build(base, &Target::of(endpoint), params, query)
    }

    fn params(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn encodes_each_segment() {
        let url = build("http://h", &EP_DEF, &params(&[("item_id", "a/b c"), ("thing_id", "t-1_x.y~z")]), &[]).unwrap();
        assert_eq!(url, "http://h/open-apis/test/v1/things/t-1_x.y~z/items/a%2Fb%20c");
    }

    #[test]
    fn encodes_unicode_and_reserved_characters() {
        let url = build("http://h", &EP_DEF, &params(&[("thing_id", "名?#%"), ("item_id", "..")]), &[]).unwrap();
        assert_eq!(url, "http://h/open-apis/test/v1/things/%E5%90%8D%3F%23%25/items/..");
    }

    #[test]
    fn repeats_query_keys() {
        let url = build(
            "http://h",
            &EP_DEF,
            &params(&[("thing_id", "1"), ("item_id", "2")]),
            &params(&[("ids", "a"), ("ids", "b b"), ("q", "x&y=z")]),
        )
        .unwrap();
        assert!(url.ends_with("/things/1/items/2?ids=a&ids=b%20b&q=x%26y%3Dz"), "{url}");
    }

    #[test]
    fn missing_empty_and_unknown_params_are_errors() {
        let missing = build("http://h", &EP_DEF, &params(&[("thing_id", "1")]), &[]).unwrap_err();
        assert!(missing.to_string().contains("`item_id` is not set"), "{missing}");
        let empty = build("http://h", &EP_DEF, &params(&[("thing_id", ""), ("item_id", "2")]), &[]).unwrap_err();
        assert!(empty.to_string().contains("`thing_id` is empty"), "{empty}");
        let unknown = build("http://h", &EP_DEF, &params(&[("thing_id", "1"), ("item_id", "2"), ("nope", "3")]), &[])
            .unwrap_err();
        assert!(matches!(unknown, Error::Encode { .. }));
        assert!(unknown.to_string().contains("`nope`"), "{unknown}");
    }
}

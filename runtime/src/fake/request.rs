//! What the fake server saw: one recorded request.

use bytes::Bytes;
use percent_encoding::percent_decode_str;

use crate::core::endpoint::HttpMethod;

/// A request the fake server received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FakeRequest {
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path exactly as sent, still percent-encoded.
    pub path: String,
    /// The values of the matched route's `:placeholders`, percent-decoded.
    pub path_params: Vec<(String, String)>,
    /// The query pairs in order, percent-decoded; repeated keys stay repeated.
    pub query: Vec<(String, String)>,
    /// The headers in order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Bytes,
    /// The parts of a `multipart/form-data` body; empty for other bodies.
    pub parts: Vec<FakePart>,
    /// What the fake answered, once it has.
    pub reply: Option<FakeReply>,
    /// The request's number, the one in its log id.
    pub(crate) seq: u64,
}

/// What the fake answered a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakeReply {
    /// The HTTP status.
    pub status: u16,
    /// The envelope's `code`, when the body had one.
    pub code: Option<i64>,
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FakePart {
    /// The form field name.
    pub name: String,
    /// The file name, for file parts.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, if it has one.
    pub content_type: Option<String>,
    /// The part's content.
    pub bytes: Bytes,
}

impl FakePart {
    /// The content as text (lossy for invalid UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

impl FakeRequest {
    /// A request as the server would record it, for testing a
    /// [`FakeFallback`](super::FakeFallback) without a server: `path` still
    /// percent-encoded, `query` the raw query string, header names lowercase.
    pub fn from_parts(
        method: HttpMethod,
        path: &str,
        query: Option<&str>,
        headers: Vec<(String, String)>,
        body: impl Into<Bytes>,
    ) -> Self {
        Self::new(method, path, query, headers, body.into())
    }

    pub(crate) fn new(
        method: HttpMethod,
        path: &str,
        query: Option<&str>,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> Self {
        let mut request = FakeRequest {
            method,
            path: path.to_owned(),
            path_params: Vec::new(),
            query: query.map(crate::wire::url::query_pairs).unwrap_or_default(),
            headers,
            body,
            parts: Vec::new(),
            reply: None,
            seq: 0,
        };
        if let Some(boundary) = request.header("content-type").and_then(boundary) {
            request.parts = parse_multipart(&request.body, &boundary);
        }
        request
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        find(&self.query, name)
    }

    /// Every value of a query parameter, in order.
    pub fn query_values(&self, name: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The decoded value of a path placeholder of the matched route.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        find(&self.path_params, name)
    }

    /// A header's value; the name is matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        find(&self.headers, &name)
    }

    /// The token after `Bearer ` in the `Authorization` header.
    pub fn bearer_token(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }

    /// The body parsed as JSON, or `Value::Null` when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }

    /// The multipart part with this field name.
    pub fn part(&self, name: &str) -> Option<&FakePart> {
        self.parts.iter().find(|p| p.name == name)
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Decodes a percent-encoded component (the fake is lenient: bad UTF-8 is replaced).
pub(crate) fn decode(component: &str) -> String {
    percent_decode_str(component).decode_utf8_lossy().into_owned()
}

fn boundary(content_type: &str) -> Option<String> {
    if !content_type.trim_start().to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    crate::wire::download::params(content_type).into_iter().find(|(k, _)| k == "boundary").map(|(_, v)| v)
}

/// A small multipart reader, enough for what reqwest sends; malformed input yields the
/// parts read so far.
fn parse_multipart(body: &Bytes, boundary: &str) -> Vec<FakePart> {
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut parts = Vec::new();
    // The first delimiter may open the body without the leading CRLF.
    let Some(first) = position(body, &delimiter[2..], 0) else {
        return parts;
    };
    let mut pos = first + delimiter.len() - 2;
    loop {
        if body[pos..].starts_with(b"--") {
            return parts;
        }
        let start = pos + 2; // past the CRLF after the delimiter
        let (Some(end), Some(split)) = (position(body, &delimiter, start), position(body, b"\r\n\r\n", start)) else {
            return parts;
        };
        if split > end {
            return parts;
        }
        let head = String::from_utf8_lossy(&body[start..split]);
        let mut part =
            FakePart { name: String::new(), file_name: None, content_type: None, bytes: body.slice(split + 4..end) };
        for line in head.split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.eq_ignore_ascii_case("content-disposition") {
                for (k, v) in crate::wire::download::params(value) {
                    match k.as_str() {
                        "name" => part.name = v,
                        "filename" => part.file_name = Some(v),
                        _ => {}
                    }
                }
            } else if name.eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            }
        }
        parts.push(part);
        pos = end + delimiter.len();
    }
}

fn position(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_read() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file_type\"\r\n\r\nstream\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\
Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n\x02\r\n--XyZ--\r\n",
        );
        let headers = vec![("content-type".to_owned(), "multipart/form-data; boundary=XyZ".to_owned())];
        let r = FakeRequest::new(HttpMethod::Post, "/x", None, headers, body);
        assert_eq!(r.parts.len(), 2);
        assert_eq!(r.part("file_type").unwrap().text(), "stream");
        let file = r.part("file").unwrap();
        assert_eq!(file.file_name.as_deref(), Some("a.bin"));
        assert_eq!(file.content_type.as_deref(), Some("application/octet-stream"));
        assert_eq!(&file.bytes[..], b"\x00\x01\r\n\x02");
    }

    #[test]
    fn query_is_decoded_in_order() {
        let r = FakeRequest::new(
            HttpMethod::Get,
            "/x",
            Some("k=a&k=b%20c&plus=1+2&lit=%2B&flag"),
            Vec::new(),
            Bytes::new(),
        );
        assert_eq!(r.query_values("k"), ["a", "b c"]);
        assert_eq!(r.query_value("plus"), Some("1 2"));
        assert_eq!(r.query_value("lit"), Some("+"));
        assert_eq!(r.query_value("flag"), Some(""));
    }
}

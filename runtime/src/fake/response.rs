//! What a fake route answers.

use bytes::Bytes;
use percent_encoding::utf8_percent_encode;
use serde_json::{Value, json};

/// A reply from a fake route. Every reply also gets an `X-Tt-Logid` header unless it
/// sets one itself.
#[derive(Debug, Clone)]
pub struct FakeResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl FakeResponse {
    /// HTTP 200 with the usual envelope `{"code":0,"msg":"success","data":data}`.
    pub fn data(data: Value) -> Self {
        Self::json(json!({"code": 0, "msg": "success", "data": data}))
    }

    /// HTTP 200 with this JSON body as it is, for endpoints whose reply has no `data`.
    pub fn json(body: Value) -> Self {
        FakeResponse {
            status: 200,
            headers: vec![("content-type".to_owned(), "application/json; charset=utf-8".to_owned())],
            body: Bytes::from(body.to_string()),
        }
    }

    /// HTTP 400 with an error envelope `{"code":code,"msg":msg,"error":{..}}`; change the
    /// status with [`status`](Self::status).
    pub fn api_error(code: i64, msg: &str) -> Self {
        Self::json(json!({"code": code, "msg": msg, "error": {}})).status(400)
    }

    /// HTTP 200 with a file. A file name is sent in `Content-Disposition` both as
    /// `filename*` (UTF-8) and as an ASCII `filename` fallback.
    pub fn binary(bytes: impl Into<Bytes>, content_type: &str, file_name: Option<&str>) -> Self {
        let mut headers = vec![("content-type".to_owned(), content_type.to_owned())];
        if let Some(name) = file_name {
            headers.push(("content-disposition".to_owned(), disposition(name)));
        }
        FakeResponse { status: 200, headers, body: bytes.into() }
    }

    /// Sets the HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The HTTP status it answers with.
    pub fn http_status(&self) -> u16 {
        self.status
    }

    /// The body it answers with.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The status and the envelope's `code`, for the record of requests.
    pub(crate) fn summary(&self) -> super::request::FakeReply {
        let code = serde_json::from_slice::<Value>(&self.body).ok().and_then(|v| v["code"].as_i64());
        super::request::FakeReply { status: self.status, code }
    }

    /// Sets a header, replacing one of the same name.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into().to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
        self
    }
}

fn disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let encoded = utf8_percent_encode(name, crate::wire::url::COMPONENT);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_round_trips_through_the_client_parser() {
        let header = disposition("报告 \"final\".pdf");
        assert!(header.contains("filename=\"__ _final_.pdf\""), "{header}");
        assert_eq!(crate::wire::download::file_name(header.as_bytes()).as_deref(), Some("报告 \"final\".pdf"));
    }
}

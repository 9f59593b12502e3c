//! A request being assembled by generated code.

use std::fmt;

use bytes::Bytes;

use crate::core::endpoint::Endpoint;
use crate::core::error::{ContentError, FieldViolation};
use crate::wire::upload::Form;

/// A request being assembled: the endpoint, its path and query parameters and its body.
///
/// It is deliberately not generic over the body type: the body is serialised as soon as it
/// is set, so every endpoint shares one copy of the sending code.
pub struct Request {
    endpoint: &'static Endpoint,
    pub(crate) path_params: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Body,
    /// A serialisation failure, kept until the call is awaited so that building a request
    /// never fails.
    pub(crate) encode_error: Option<String>,
    /// Content that breaks a documented rule, reported when the call is awaited.
    pub(crate) content_error: Option<ContentError>,
    /// Required fields the body leaves out, reported when the call is awaited.
    pub(crate) violations: Vec<FieldViolation>,
    /// Whether the call may be repeated even though its method is not idempotent.
    pub(crate) retry_safe: bool,
}

/// The body of a request.
pub(crate) enum Body {
    None,
    Json(Bytes),
    Multipart(Form),
}

impl Body {
    /// Whether the body can be sent again (a reader can be read only once).
    pub(crate) fn is_replayable(&self) -> bool {
        match self {
            Body::None | Body::Json(_) => true,
            Body::Multipart(form) => form.is_replayable(),
        }
    }

    /// The body kind and size for `Debug`; never its content, which can hold credentials
    /// (the OAuth endpoints take a client secret) or be megabytes.
    pub(crate) fn describe(&self) -> String {
        match self {
            Body::None => "none".to_owned(),
            Body::Json(bytes) => format!("JSON, {} bytes", bytes.len()),
            Body::Multipart(form) => format!("multipart, {} parts", form.part_count()),
        }
    }
}

impl Request {
    /// A request for `endpoint` with no parameters and no body.
    pub fn new(endpoint: &'static Endpoint) -> Self {
        Request {
            endpoint,
            path_params: Vec::new(),
            query: Vec::new(),
            body: Body::None,
            encode_error: None,
            content_error: None,
            violations: Vec::new(),
            retry_safe: false,
        }
    }

    /// The endpoint this request is for.
    pub fn endpoint(&self) -> &'static Endpoint {
        self.endpoint
    }

    /// Sets the value of the `:name` placeholder in the path; it is percent-encoded as one
    /// path segment, so it may contain `/` or spaces. Setting a name twice keeps the last.
    pub fn path_param(&mut self, name: &'static str, value: String) {
        match self.path_params.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.path_params.push((name, value)),
        }
    }

    /// Appends a query parameter. Calling it again with the same name repeats the key
    /// (`k=a&k=b`), which is how the platform takes arrays.
    pub fn query(&mut self, name: &'static str, value: String) {
        self.query.push((name, value));
    }

    /// Sets a JSON body. A value that fails to serialise is reported when the call is
    /// awaited, as [`Error::Encode`](crate::Error::Encode).
    pub fn json_body<T: serde::Serialize + ?Sized>(&mut self, body: &T) {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Body::Json(Bytes::from(bytes)),
            Err(e) => self.encode_error = Some(format!("the JSON body does not serialise: {e}")),
        }
    }

    /// Refuses to send: awaiting the call gives [`Error::Content`](crate::Error::Content)
    /// with this error, and nothing reaches the network.
    pub fn reject(&mut self, error: ContentError) {
        self.content_error = Some(error);
    }

    /// Checks the JSON body against fields the endpoint requires that its types cannot
    /// enforce: each rule lists dotted paths of sibling fields, one of which must be sent
    /// (`&["members.id"]`, `&["user_id", "open_id"]`). A body that breaks a rule makes the
    /// awaited call fail with [`Error::Invalid`](crate::Error::Invalid), naming every
    /// missing field, and nothing reaches the network.
    pub fn require(&mut self, rules: &[&[&str]]) {
        let Body::Json(bytes) = &self.body else { return };
        // Only endpoints with such rules pay for this second look at the body.
        if let Ok(body) = serde_json::from_slice(bytes) {
            self.violations = crate::wire::required::missing(&body, rules);
        }
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart_body(&mut self, form: Form) {
        self.body = Body::Multipart(form);
    }

    /// Marks the request safe to send more than once, so that server errors and lost
    /// connections are retried even for POST and PATCH. Generated code calls it when the
    /// request carries an idempotency key (such as the `uuid` of a message), which makes
    /// the platform ignore a repeat.
    pub fn set_retry_safe(&mut self) {
        self.retry_safe = true;
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("endpoint", &self.endpoint.id)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("body", &format_args!("{}", self.body.describe()))
            .field("retry_safe", &self.retry_safe)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::{HttpMethod, ResponseKind, Scopes};
    use std::collections::BTreeMap;

    static EP: Endpoint = Endpoint {
        id: "t.v1.x.create",
        method: HttpMethod::Post,
        path: "/open-apis/t/v1/x/:id",
        tokens: &[],
        scopes: Scopes::Unknown,
        response: ResponseKind::Data,
        doc_url: "",
    };

    #[test]
    fn path_param_keeps_the_last_value() {
        let mut r = Request::new(&EP);
        r.path_param("id", "a".to_owned());
        r.path_param("id", "b".to_owned());
        assert_eq!(r.path_params, vec![("id", "b".to_owned())]);
    }

    #[test]
    fn json_body_is_serialised_at_once() {
        let mut r = Request::new(&EP);
        r.json_body(&serde_json::json!({"client_secret": "hush"}));
        assert!(matches!(&r.body, Body::Json(b) if &b[..] == br#"{"client_secret":"hush"}"#));
        assert!(r.encode_error.is_none());
        let debug = format!("{r:?}");
        assert!(debug.contains("JSON, 24 bytes") && !debug.contains("hush"), "{debug}");
    }

    #[test]
    fn json_body_failure_is_kept_for_later() {
        // A map with non-string keys cannot be JSON.
        let mut bad = BTreeMap::new();
        bad.insert((1, 2), 3);
        let mut r = Request::new(&EP);
        r.json_body(&bad);
        assert!(r.encode_error.unwrap().contains("does not serialise"));
    }
}

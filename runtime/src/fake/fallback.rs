//! What answers the requests no registered route takes: by default a 404, or a
//! [`FakeFallback`] such as one that knows every endpoint of a catalogue.

use super::request::FakeRequest;
use super::response::FakeResponse;

/// Answers requests that no route registered on the [`FakeLark`](super::FakeLark) takes.
///
/// Registered routes still win; faults fire before either. The fallback is told who
/// called, so it can decide by the endpoint whether the token kind is right.
pub trait FakeFallback: Send + Sync + 'static {
    /// The answer, or `None` for a request the fallback does not know either (the fake
    /// then answers 404 with an error envelope).
    fn answer(&self, request: &FakeRequest, caller: &Caller) -> Option<FakeResponse>;
}

/// Who sent a request, as the fake's token check sees its `Authorization` header.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Caller {
    /// No access token.
    Anonymous,
    /// A valid tenant access token.
    Tenant,
    /// A valid app access token.
    App,
    /// A valid user access token, and who it was issued to when the fake knows (the
    /// subject of [`FakeLark::sign_in_as`](super::FakeLark::sign_in_as)).
    User(Option<String>),
    /// A token the platform would refuse (unknown, revoked, expired), and that refusal.
    Refused(FakeResponse),
}

impl Caller {
    /// The platform's answer to a call without a token (code 99991661).
    pub fn missing_token() -> FakeResponse {
        FakeResponse::api_error(
            99991661,
            "Missing access token for authorization. Please make a request with token attached.",
        )
    }
}

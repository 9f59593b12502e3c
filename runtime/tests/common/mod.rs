//! Helpers shared by the integration tests: endpoint descriptions and clients that retry
//! with millisecond delays, so that the suite stays fast.

#![allow(dead_code)] // each test crate uses its own subset

use std::time::Duration;

use lark_runtime::fake::FakeLark;
use lark_runtime::{Client, ClientBuilder, Endpoint, HttpMethod, ResponseKind, RetryPolicy, Scopes, TokenKind};

pub const fn endpoint(
    id: &'static str,
    method: HttpMethod,
    path: &'static str,
    tokens: &'static [TokenKind],
    response: ResponseKind,
) -> Endpoint {
    Endpoint {
        id,
        method,
        path,
        tokens,
        scopes: Scopes::Known { any: &["test:read"], all: &[] },
        response,
        doc_url: "",
    }
}

pub const TENANT_OR_USER: &[TokenKind] = &[TokenKind::Tenant, TokenKind::User];

/// Retries fast: 2 ms base delay, four attempts; rate-limit waits up to 400 ms are honoured.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().base_delay(Duration::from_millis(2)).max_delay(Duration::from_millis(400)).max_attempts(4)
}

pub fn builder(fake: &FakeLark) -> ClientBuilder {
    Client::builder(FakeLark::APP_ID, FakeLark::APP_SECRET).base_url(fake.base_url()).retry_policy(fast_retries())
}

pub fn client(fake: &FakeLark) -> Client {
    builder(fake).build().expect("client")
}

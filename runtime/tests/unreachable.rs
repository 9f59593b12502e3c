//! A call that gets no answer says why: refused, a name that does not resolve, a TLS
//! failure or a timeout, with the whole chain of causes. Nothing leaves the machine: the
//! servers are on 127.0.0.1 and names resolve through the client's own resolver.

mod common;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use common::{TENANT_OR_USER, endpoint};
use lark_runtime::{Client, Error, HttpMethod, Request, ResponseKind};

static THINGS: lark_runtime::Endpoint =
    endpoint("x.v1.thing.list", HttpMethod::Get, "/open-apis/x/v1/things", TENANT_OR_USER, ResponseKind::Data);

async fn call(base_url: &str, http: Option<reqwest::Client>) -> Error {
    let mut builder = Client::builder("cli_test", "secret-value-7")
        .base_url(base_url)
        .timeout(Duration::from_millis(300))
        .retry_policy(common::fast_retries());
    if let Some(http) = http {
        builder = builder.http_client(http);
    }
    let client = builder.build().expect("client");
    client.call::<serde_json::Value>(Request::new(&THINGS)).await.expect_err("nothing answers")
}

/// A loopback port nobody listens on: bound, then released.
fn closed_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

#[tokio::test]
async fn a_refused_connection_says_so_and_shows_the_os_error() {
    let err = call(&format!("http://{}", closed_port()), None).await;
    let text = err.to_string();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(text.starts_with("could not reach the Lark server: the connection was refused"), "{text}");
    assert!(text.contains("Connection refused"), "the operating system's words: {text}");
    assert!(!text.contains("secret-value-7"), "{text}");
}

/// Fails every lookup, as a resolver does for a name under `.invalid`, without asking anyone.
struct NoSuchHost;

impl reqwest::dns::Resolve for NoSuchHost {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let error = std::io::Error::new(std::io::ErrorKind::NotFound, format!("no such host: {}", name.as_str()));
        Box::pin(std::future::ready(Err(Box::new(error) as Box<dyn std::error::Error + Send + Sync>)))
    }
}

#[tokio::test]
async fn a_name_that_does_not_resolve_says_so() {
    let http = reqwest::Client::builder().dns_resolver(Arc::new(NoSuchHost)).build().unwrap();
    let err = call("http://open.lark.invalid", Some(http)).await;
    let text = err.to_string();
    assert!(text.starts_with("could not reach the Lark server: the host name did not resolve"), "{text}");
    assert!(text.contains("no such host: open.lark.invalid"), "the resolver's words: {text}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_says_so() {
    // Accepts connections and reads nothing, so the request waits for its timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let err = call(&format!("http://{addr}"), None).await;
    held.abort();
    let text = err.to_string();
    assert!(err.is_timeout(), "{err:?}");
    assert!(text.starts_with("could not reach the Lark server: the request timed out"), "{text}");
}

#[tokio::test]
async fn https_to_a_plain_server_is_a_tls_failure() {
    // Answers anything with plain HTTP, which a TLS client cannot read as a handshake.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
        }
    });
    let err = call(&format!("https://{addr}"), None).await;
    server.abort();
    let text = err.to_string();
    assert!(text.starts_with("could not reach the Lark server: the TLS handshake failed"), "{text}");
}

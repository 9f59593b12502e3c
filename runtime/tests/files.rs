//! Uploads from memory, disk and readers; streamed downloads with their file name.

mod common;

use std::time::Duration;

use common::{TENANT_OR_USER, client, endpoint};
use futures_util::StreamExt;
use lark_runtime::fake::{FakeLark, FakeResponse, Fault};
use lark_runtime::{Endpoint, Error, Form, HttpMethod, Request, ResponseKind, UploadFile};
use serde_json::{Value, json};

const FILES: &str = "/open-apis/test/v1/files";
const FILE: &str = "/open-apis/test/v1/files/:file_key";
static UPLOAD: Endpoint = endpoint("test.v1.file.create", HttpMethod::Post, FILES, TENANT_OR_USER, ResponseKind::Data);
static DOWNLOAD: Endpoint = endpoint("test.v1.file.get", HttpMethod::Get, FILE, TENANT_OR_USER, ResponseKind::Binary);

fn upload(file: UploadFile) -> Request {
    let mut form = Form::new();
    form.text("file_type", "stream".to_owned());
    form.file("file", file);
    let mut request = Request::new(&UPLOAD);
    request.multipart_body(form);
    request
}

fn download(key: &str) -> Request {
    let mut request = Request::new(&DOWNLOAD);
    request.path_param("file_key", key.to_owned());
    request
}

/// 300 KiB of varied bytes: several chunks, and no accidental multipart boundary.
fn big() -> Vec<u8> {
    (0..300 * 1024u32).map(|i| (i.wrapping_mul(31) % 251) as u8).collect()
}

async fn fake() -> FakeLark {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Post, FILES, |r| {
        FakeResponse::data(json!({ "size": r.part("file").map_or(0, |p| p.bytes.len()) }))
    });
    fake.route(HttpMethod::Get, FILE, |r| match r.path_param("file_key") {
        Some("missing") => FakeResponse::api_error(234003, "file not found"),
        _ => FakeResponse::binary(big(), "application/octet-stream", Some("报告 2024.bin")),
    });
    fake
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lark-files-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[tokio::test]
async fn a_file_on_disk_is_streamed_and_resent_whole_on_retry() {
    let fake = fake().await;
    let path = temp("upload.bin");
    tokio::fs::write(&path, big()).await.unwrap();
    let file = UploadFile::from_path(&path).await.unwrap().content_type("application/octet-stream");
    fake.inject(Fault::Status(503).on(HttpMethod::Post, FILES));
    let reply: Value = client(&fake).call(upload(file)).retry_safe().await.unwrap();
    assert_eq!(reply["size"], big().len());
    let sent = fake.requests_to(HttpMethod::Post, FILES);
    assert_eq!(sent.len(), 2);
    for request in sent {
        let part = request.part("file").unwrap();
        assert_eq!(part.file_name.as_deref(), Some("upload.bin"));
        assert_eq!(&part.bytes[..], &big()[..]);
    }
    tokio::fs::remove_dir_all(path.parent().unwrap()).await.unwrap();
}

#[tokio::test]
async fn a_reader_is_uploaded_with_or_without_a_length() {
    let fake = fake().await;
    let client = client(&fake);
    let data = big();
    let sized = UploadFile::from_reader("sized.bin", std::io::Cursor::new(data.clone())).length(data.len() as u64);
    let reply: Value = client.call(upload(sized)).await.unwrap();
    assert_eq!(reply["size"], data.len());
    let unsized_file = UploadFile::from_reader("chunked.bin", std::io::Cursor::new(data.clone()));
    let reply: Value = client.call(upload(unsized_file)).await.unwrap();
    assert_eq!(reply["size"], data.len());
    let sent = fake.requests_to(HttpMethod::Post, FILES);
    assert_eq!(sent[1].part("file").unwrap().file_name.as_deref(), Some("chunked.bin"));
    assert_eq!(&sent[1].part("file").unwrap().bytes[..], &data[..]);
    assert_eq!(sent[1].part("file_type").unwrap().text(), "stream");
}

#[tokio::test]
async fn in_memory_bytes_upload_with_their_length() {
    let fake = fake().await;
    let file = UploadFile::from_bytes("empty.txt", Vec::new());
    assert!(file.is_empty());
    let reply: Value = client(&fake).call(upload(file)).await.unwrap();
    assert_eq!(reply["size"], 0);
    let sent = fake.requests_to(HttpMethod::Post, FILES).pop().unwrap();
    assert_eq!(sent.part("file").unwrap().file_name.as_deref(), Some("empty.txt"));
}

#[tokio::test]
async fn a_download_streams_with_its_name_type_and_length() {
    let fake = fake().await;
    let mut stream = client(&fake).download(download("f1")).stream().await.unwrap();
    assert_eq!(stream.file_name.as_deref(), Some("报告 2024.bin"));
    assert_eq!(stream.content_type.as_deref(), Some("application/octet-stream"));
    assert_eq!(stream.content_length, Some(big().len() as u64));
    let mut received = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert_eq!(received, big());
    // A body read whole before it is handed over arrives as one chunk; 300 KiB read off
    // the socket as it comes arrives in several.
    assert!(chunks > 1, "the body came in {chunks} chunk(s): it was buffered, not streamed");
    assert!(format!("{stream:?}").contains("报告"));
}

#[tokio::test]
async fn a_download_is_saved_to_disk_or_read_whole() {
    let fake = fake().await;
    let client = client(&fake);
    let path = temp("saved.bin");
    let saved = client.download(download("f1")).save_to(&path).await.unwrap();
    assert_eq!((saved.len, saved.file_name.as_deref()), (big().len() as u64, Some("报告 2024.bin")));
    assert_eq!(tokio::fs::read(&path).await.unwrap(), big());
    let whole = client.download(download("f1")).stream().await.unwrap().into_download().await.unwrap();
    assert_eq!(&whole.bytes[..], &big()[..]);

    let nowhere = path.parent().unwrap().join("no/such/dir/file.bin");
    let err = client.download(download("f1")).save_to(&nowhere).await.unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    tokio::fs::remove_dir_all(path.parent().unwrap()).await.unwrap();
}

#[tokio::test]
async fn download_errors_are_typed_and_failures_before_the_body_are_retried() {
    let fake = fake().await;
    let client = client(&fake);
    let err = client.download(download("missing")).stream().await.unwrap_err();
    assert_eq!(err.code(), Some(234003));
    assert!(err.log_id().is_some());
    let path = temp("never.bin");
    let err = client.download(download("missing")).save_to(&path).await.unwrap_err();
    assert_eq!(err.code(), Some(234003));
    assert!(!path.exists(), "nothing is written for an error reply");

    fake.inject(Fault::Status(502).on(HttpMethod::Get, FILE));
    fake.inject(Fault::Delay(Duration::from_millis(300)).on(HttpMethod::Get, FILE));
    let stream = client.download(download("f2")).timeout(Duration::from_millis(150)).stream().await;
    // 502, then too slow, then the file: three requests, the last one streamed.
    assert_eq!(stream.unwrap().into_download().await.unwrap().bytes.len(), big().len());
    let attempts =
        fake.requests_to(HttpMethod::Get, FILE).iter().filter(|r| r.path_param("file_key") == Some("f2")).count();
    assert_eq!(attempts, 3);
}

#[tokio::test]
async fn raw_calls_download_and_stream_too() {
    let fake = fake().await;
    let client = client(&fake);
    let file = client.raw(HttpMethod::Get, FILE).path_param("file_key", "f3").download().await.unwrap();
    assert_eq!(file.file_name.as_deref(), Some("报告 2024.bin"));
    let stream = client.raw(HttpMethod::Get, FILE).path_param("file_key", "f4").download_stream().await.unwrap();
    assert_eq!(stream.content_length, Some(big().len() as u64));
}

//! Multipart bodies for upload endpoints: files from memory, from disk or from a reader.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::core::error::{Error, Result};

/// A file to upload: a name, where its bytes come from, and optionally a MIME type.
///
/// - [`from_bytes`](Self::from_bytes): bytes in memory, reference-counted, so a retry
///   resends them without copying;
/// - [`from_path`](Self::from_path): a file on disk, streamed (not loaded into memory) and
///   reopened for each attempt, so it can be retried too;
/// - [`from_reader`](Self::from_reader): any `AsyncRead`, streamed once. It cannot be
///   replayed, so a call carrying one is never retried once sending began.
///
/// ```no_run
/// # async fn run() -> lark_runtime::Result<()> {
/// use lark_runtime::UploadFile;
///
/// let in_memory = UploadFile::from_bytes("hello.txt", "hello").content_type("text/plain");
/// let on_disk = UploadFile::from_path("report.pdf").await?;
/// let socket = tokio::io::empty(); // any AsyncRead: a socket, a decoder, a child's stdout
/// let streamed = UploadFile::from_reader("data.bin", socket).length(0);
/// # let _ = (in_memory, on_disk, streamed);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct UploadFile {
    file_name: String,
    content_type: Option<String>,
    source: Source,
}

type BoxedReader = Box<dyn AsyncRead + Send + Unpin>;

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    Path {
        path: PathBuf,
        len: u64,
    },
    /// Taken out on first use; clones share the slot, so only one attempt gets it.
    Reader {
        reader: Arc<Mutex<Option<BoxedReader>>>,
        len: Option<u64>,
    },
}

/// Size of each chunk read from a file or reader.
const CHUNK: usize = 64 * 1024;

impl UploadFile {
    /// A file held in memory.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        UploadFile { file_name: file_name.into(), content_type: None, source: Source::Bytes(bytes.into()) }
    }

    /// A file on disk; its name on disk becomes the uploaded file name. Only its size is
    /// read now: the content is streamed when the call is sent, and read again on retry.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Config(format!("{} does not name a file", path.display())))?;
        let meta = tokio::fs::metadata(path).await.map_err(|source| Error::Io { path: path.to_owned(), source })?;
        if !meta.is_file() {
            return Err(Error::Config(format!("{} is not a regular file", path.display())));
        }
        let source = Source::Path { path: path.to_owned(), len: meta.len() };
        Ok(UploadFile { file_name, content_type: None, source })
    }

    /// A file streamed from `reader`, read once while the call is sent. Set its size with
    /// [`length`](Self::length) when known: the part is then sent with a length rather than
    /// chunked. A call with such a file is not retried once sending began.
    pub fn from_reader(file_name: impl Into<String>, reader: impl AsyncRead + Send + 'static) -> Self {
        let reader: BoxedReader = Box::new(Box::pin(reader));
        let source = Source::Reader { reader: Arc::new(Mutex::new(Some(reader))), len: None };
        UploadFile { file_name: file_name.into(), content_type: None, source }
    }

    /// Declares the size of a file made with [`from_reader`](Self::from_reader); ignored
    /// for the other kinds, whose size is known.
    pub fn length(mut self, len: u64) -> Self {
        if let Source::Reader { len: slot, .. } = &mut self.source {
            *slot = Some(len);
        }
        self
    }

    /// Sets the MIME type sent with the file; without it the part is
    /// `application/octet-stream`.
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// The file name sent to the server.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The bytes, for a file made with [`from_bytes`](Self::from_bytes).
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The size in bytes, when known.
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::Path { len, .. } => Some(*len),
            Source::Reader { len, .. } => *len,
        }
    }

    /// Whether the file is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The MIME type set with [`content_type`](Self::content_type), if any.
    pub fn mime(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Whether the file can be sent a second time.
    pub(crate) fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Reader { .. })
    }

    /// The part body for one attempt, with its length when known.
    async fn body(&self, endpoint: &'static str) -> Result<(reqwest::Body, Option<u64>)> {
        Ok(match &self.source {
            Source::Bytes(bytes) => (reqwest::Body::from(bytes.clone()), Some(bytes.len() as u64)),
            Source::Path { path, len } => {
                let file =
                    tokio::fs::File::open(path).await.map_err(|source| Error::Io { path: path.clone(), source })?;
                (reqwest::Body::wrap_stream(chunks(file)), Some(*len))
            }
            Source::Reader { reader, len } => {
                let taken = reader.lock().unwrap_or_else(|e| e.into_inner()).take();
                let reader = taken.ok_or_else(|| {
                    Error::encode(endpoint, format!("file `{}` was streamed from a reader already", self.file_name))
                })?;
                (reqwest::Body::wrap_stream(chunks(reader)), *len)
            }
        })
    }
}

/// The content of `reader` as a stream of chunks, ending after the first error.
fn chunks(
    reader: impl AsyncRead + Send + Unpin + 'static,
) -> impl futures_core::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures_util::stream::unfold(Some(reader), |state| async move {
        let mut reader = state?;
        let mut buf = BytesMut::with_capacity(CHUNK);
        match reader.read_buf(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(buf.freeze()), Some(reader))),
            Err(e) => Some((Err(e), None)),
        }
    })
}

impl fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bytes can be megabytes; their length says enough.
        let source = match &self.source {
            Source::Bytes(_) => "memory",
            Source::Path { .. } => "path",
            Source::Reader { .. } => "reader",
        };
        f.debug_struct("UploadFile")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("source", &format_args!("{source}"))
            .field("len", &self.len())
            .finish()
    }
}

/// A `multipart/form-data` body: text fields and files, in the order added.
#[derive(Debug, Clone, Default)]
pub struct Form {
    parts: Vec<(&'static str, FormValue)>,
}

#[derive(Debug, Clone)]
enum FormValue {
    Text(String),
    File(UploadFile),
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Form::default()
    }

    /// Adds a text field.
    pub fn text(&mut self, name: &'static str, value: String) {
        self.parts.push((name, FormValue::Text(value)));
    }

    /// Adds a file field.
    pub fn file(&mut self, name: &'static str, file: UploadFile) {
        self.parts.push((name, FormValue::File(file)));
    }

    pub(crate) fn part_count(&self) -> usize {
        self.parts.len()
    }

    /// Whether every file in the form can be sent again.
    pub(crate) fn is_replayable(&self) -> bool {
        self.parts.iter().all(|(_, v)| !matches!(v, FormValue::File(f) if !f.is_replayable()))
    }

    /// Builds the reqwest form; called once per attempt because a reqwest form is consumed
    /// by sending it.
    pub(crate) async fn to_reqwest(&self, endpoint: &'static str) -> Result<reqwest::multipart::Form> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &self.parts {
            let part = match value {
                FormValue::Text(text) => reqwest::multipart::Part::text(text.clone()),
                FormValue::File(file) => {
                    let (body, len) = file.body(endpoint).await?;
                    let part = match len {
                        Some(len) => reqwest::multipart::Part::stream_with_length(body, len),
                        None => reqwest::multipart::Part::stream(body),
                    };
                    let mime = file.mime().unwrap_or("application/octet-stream");
                    part.file_name(file.file_name.clone()).mime_str(mime).map_err(|_| {
                        Error::encode(endpoint, format!("file `{name}` has an invalid content type `{mime}`"))
                    })?
                }
            };
            form = form.part(*name, part);
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_length_not_bytes() {
        let file = UploadFile::from_bytes("a.txt", vec![7u8; 1000]).content_type("text/plain");
        let text = format!("{file:?}");
        assert!(text.contains("a.txt") && text.contains("len: Some(1000)"), "{text}");
        assert!(!text.contains("7, 7"), "{text}");
    }

    #[tokio::test]
    async fn bad_mime_is_an_encode_error() {
        let mut form = Form::new();
        form.file("f", UploadFile::from_bytes("a", "x").content_type("not a mime\n"));
        let err = form.to_reqwest("ep").await.unwrap_err();
        assert!(matches!(err, Error::Encode { endpoint: "ep", .. }), "{err}");
    }

    #[tokio::test]
    async fn from_path_reads_the_size_and_name_but_not_the_content() {
        let dir = std::env::temp_dir().join(format!("lark-upload-{}", std::process::id()));
        tokio::fs::create_dir_all(&dir).await.unwrap();
        let path = dir.join("report.csv");
        tokio::fs::write(&path, b"a,b\n").await.unwrap();
        let file = UploadFile::from_path(&path).await.unwrap();
        assert_eq!(file.file_name(), "report.csv");
        assert_eq!(file.len(), Some(4));
        assert!(file.bytes().is_none() && file.is_replayable());
        let missing = UploadFile::from_path(dir.join("nope")).await.unwrap_err();
        assert!(matches!(missing, Error::Io { .. }), "{missing}");
        let not_a_file = UploadFile::from_path(&dir).await.unwrap_err();
        assert!(matches!(not_a_file, Error::Config(_)), "{not_a_file}");
        tokio::fs::remove_dir_all(&dir).await.unwrap();
    }

    #[tokio::test]
    async fn a_reader_is_used_once() {
        let file = UploadFile::from_reader("r.bin", &b"abc"[..]).length(3);
        assert!(!file.is_replayable());
        let mut form = Form::new();
        form.file("file", file);
        assert!(!form.is_replayable());
        form.to_reqwest("ep").await.unwrap();
        let again = form.to_reqwest("ep").await.unwrap_err();
        assert!(again.to_string().contains("streamed from a reader already"), "{again}");
    }

    #[tokio::test]
    async fn chunks_end_after_an_error() {
        use futures_util::StreamExt;
        struct Failing;
        impl AsyncRead for Failing {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
                _: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Err(std::io::Error::other("disk on fire")))
            }
        }
        let items: Vec<_> = chunks(Failing).collect().await;
        assert_eq!(items.len(), 1);
        assert!(items[0].is_err());
    }
}

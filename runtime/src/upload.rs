//! Multipart bodies for upload endpoints.

use std::fmt;
use std::path::Path;

use bytes::Bytes;

use crate::error::{Error, Result};

/// A file to upload: a name, the bytes, and optionally a MIME type.
///
/// The bytes are reference-counted, so cloning is cheap and a call can be resent
/// (after a token refresh) without copying the file.
#[derive(Clone)]
pub struct UploadFile {
    file_name: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl UploadFile {
    /// A file held in memory.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        UploadFile { file_name: file_name.into(), content_type: None, bytes: bytes.into() }
    }

    /// Sets the MIME type sent with the file; without it the part is
    /// `application/octet-stream`.
    pub fn content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// Reads a file from disk; its name on disk becomes the uploaded file name.
    pub async fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Config(format!("{} does not name a file", path.display())))?;
        let bytes = tokio::fs::read(path).await.map_err(|source| Error::Io { path: path.to_owned(), source })?;
        Ok(UploadFile::from_bytes(file_name, bytes))
    }

    /// The file name sent to the server.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The bytes of the file.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The MIME type set with [`content_type`](Self::content_type), if any.
    pub fn mime(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}

impl fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bytes can be megabytes; their length says enough.
        f.debug_struct("UploadFile")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
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

    /// Builds the reqwest form; called once per attempt because a reqwest form is consumed
    /// by sending it.
    pub(crate) fn to_reqwest(&self, endpoint: &'static str) -> Result<reqwest::multipart::Form> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &self.parts {
            let part = match value {
                FormValue::Text(text) => reqwest::multipart::Part::text(text.clone()),
                FormValue::File(file) => {
                    let len = file.bytes.len() as u64;
                    let body = reqwest::Body::from(file.bytes.clone());
                    let mime = file.mime().unwrap_or("application/octet-stream");
                    reqwest::multipart::Part::stream_with_length(body, len)
                        .file_name(file.file_name.clone())
                        .mime_str(mime)
                        .map_err(|_| {
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
        assert!(text.contains("a.txt") && text.contains("len: 1000"), "{text}");
        assert!(!text.contains("7, 7"), "{text}");
    }

    #[test]
    fn bad_mime_is_an_encode_error() {
        let mut form = Form::new();
        form.file("f", UploadFile::from_bytes("a", "x").content_type("not a mime\n"));
        let err = form.to_reqwest("ep").unwrap_err();
        assert!(matches!(err, Error::Encode { endpoint: "ep", .. }), "{err}");
    }

    #[tokio::test]
    async fn from_path_reads_the_file_and_its_name() {
        let dir = std::env::temp_dir().join(format!("lark-upload-{}", std::process::id()));
        tokio::fs::create_dir_all(&dir).await.unwrap();
        let path = dir.join("report.csv");
        tokio::fs::write(&path, b"a,b\n").await.unwrap();
        let file = UploadFile::from_path(&path).await.unwrap();
        assert_eq!(file.file_name(), "report.csv");
        assert_eq!(&file.bytes()[..], b"a,b\n");
        let missing = UploadFile::from_path(dir.join("nope")).await.unwrap_err();
        assert!(matches!(missing, Error::Io { .. }), "{missing}");
        tokio::fs::remove_dir_all(&dir).await.unwrap();
    }
}

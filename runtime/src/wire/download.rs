//! Downloaded files and the `Content-Disposition` header that names them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use percent_encoding::percent_decode_str;
use tokio::io::AsyncWriteExt;

use crate::core::error::{Error, Result};
use crate::wire::head::Head;
use crate::wire::transport::{Reply, Response};

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Download {
    /// The file name from `Content-Disposition` (`filename*` first, then `filename`), with
    /// any directory part removed. Still treat it as untrusted input before using it as a
    /// path.
    pub file_name: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The file's bytes.
    pub bytes: Bytes,
}

/// A download whose body is still arriving: what the server said about the file, and its
/// bytes as a stream of chunks (`Stream<Item = Result<Bytes>>`). Nothing is buffered
/// beyond the chunk in hand.
#[non_exhaustive]
pub struct DownloadStream {
    /// The file name from `Content-Disposition` (`filename*` first, then `filename`),
    /// without any directory part. Untrusted input: check it before using it as a path.
    pub file_name: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The `Content-Length` header, if the server sent one.
    pub content_length: Option<u64>,
    body: Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>,
}

/// A file written by [`DownloadStream::save_to`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedFile {
    /// Where it was written.
    pub path: PathBuf,
    /// The file name the server gave, if any.
    pub file_name: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// How many bytes were written.
    pub len: u64,
}

impl DownloadStream {
    pub(crate) fn new(endpoint: &'static str, response: Response) -> Self {
        let Response { head, inner } = response;
        let body = inner.bytes_stream().map(move |chunk| {
            chunk.map_err(|e| {
                tracing::debug!(endpoint, error = %e, "download interrupted");
                Error::Transport(e)
            })
        });
        DownloadStream::with_head(head, Box::pin(body))
    }

    /// A stream over a reply that was read whole (a file sent as JSON).
    pub(crate) fn from_reply(reply: Reply) -> Self {
        let body = futures_util::stream::iter([Ok(reply.body)]);
        DownloadStream::with_head(reply.head, Box::pin(body))
    }

    fn with_head(head: Head, body: Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>) -> Self {
        DownloadStream {
            file_name: head.content_disposition.as_deref().and_then(file_name),
            content_type: head.content_type,
            content_length: head.content_length,
            body,
        }
    }

    /// Reads the rest of the file into memory.
    pub async fn into_download(mut self) -> Result<Download> {
        let mut bytes = Vec::with_capacity(self.content_length.unwrap_or(0).min(16 << 20) as usize);
        while let Some(chunk) = self.body.next().await {
            bytes.extend_from_slice(&chunk?);
        }
        Ok(Download { file_name: self.file_name, content_type: self.content_type, bytes: bytes.into() })
    }

    /// Writes the rest of the file to `path` (created or truncated). A partly written file
    /// is removed when the download or a write fails.
    pub async fn save_to(mut self, path: impl AsRef<Path>) -> Result<SavedFile> {
        let path = path.as_ref();
        let io_error = |source| Error::Io { path: path.to_owned(), source };
        let mut file = tokio::fs::File::create(path).await.map_err(io_error)?;
        let mut len = 0u64;
        let written: Result<()> = async {
            while let Some(chunk) = self.body.next().await {
                let chunk = chunk?;
                file.write_all(&chunk).await.map_err(io_error)?;
                len += chunk.len() as u64;
            }
            file.flush().await.map_err(io_error)
        }
        .await;
        drop(file);
        if let Err(e) = written {
            // Best effort: the download error matters more than a failed clean-up.
            let _ = tokio::fs::remove_file(path).await;
            return Err(e);
        }
        Ok(SavedFile { path: path.to_owned(), file_name: self.file_name, content_type: self.content_type, len })
    }
}

impl Stream for DownloadStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for DownloadStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadStream")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// The file name a `Content-Disposition` header carries.
///
/// RFC 6266 says `filename*` (RFC 5987, `charset'lang'percent-encoded`) wins over
/// `filename`; an undecodable `filename*` falls back to `filename`.
pub(crate) fn file_name(header: &[u8]) -> Option<String> {
    // Some servers put raw UTF-8 in the header despite the RFC; accept it.
    let header = String::from_utf8_lossy(header);
    let params = params(&header);
    let extended = params.iter().find(|(k, _)| k == "filename*").and_then(|(_, v)| decode_extended(v));
    let name = extended.or_else(|| params.iter().find(|(k, _)| k == "filename").map(|(_, v)| v.clone()))?;
    // Keep only the last path component: a name is not a place to write to.
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    (!base.is_empty()).then(|| base.to_owned())
}

/// The `name=value` parameters after the first `;` of a header such as
/// `Content-Disposition`, names lowercased, quoted values unescaped.
pub(crate) fn params(header: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = match header.find(';') {
        Some(i) => &header[i + 1..],
        None => return out,
    };
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        if rest.is_empty() {
            return out;
        }
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        let name = rest[..name_end].trim().to_ascii_lowercase();
        rest = &rest[name_end..];
        let Some(after_eq) = rest.strip_prefix('=') else {
            continue; // a flag without a value
        };
        let after_eq = after_eq.trim_start();
        let (value, remaining) = match after_eq.strip_prefix('"') {
            Some(quoted) => unquote(quoted),
            None => {
                let end = after_eq.find(';').unwrap_or(after_eq.len());
                (after_eq[..end].trim().to_owned(), &after_eq[end..])
            }
        };
        out.push((name, value));
        rest = remaining;
    }
}

/// Reads a quoted string whose opening quote is already consumed; returns the value and
/// what follows the closing quote.
fn unquote(s: &str) -> (String, &str) {
    let mut value = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (value, &s[i + 1..]),
            '\\' => {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            }
            _ => value.push(c),
        }
    }
    (value, "") // unterminated: take what there is
}

/// Decodes an RFC 5987 value `charset'language'percent-encoded`.
fn decode_extended(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let encoded = pieces.next()?;
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(h: &str) -> Option<String> {
        file_name(h.as_bytes())
    }

    #[test]
    fn extended_name_is_percent_decoded() {
        assert_eq!(name("attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20v2.pdf").as_deref(), Some("报告 v2.pdf"));
        assert_eq!(name("attachment; filename*=iso-8859-1'en'caf%E9.txt").as_deref(), Some("café.txt"));
    }

    #[test]
    fn plain_names_quoted_or_not() {
        assert_eq!(name("attachment; filename=a.txt").as_deref(), Some("a.txt"));
        assert_eq!(
            name(r#"attachment; filename="my \"best\" file; v1.txt""#).as_deref(),
            Some(r#"my "best" file; v1.txt"#)
        );
        assert_eq!(name("inline;filename = b.png ;size=3").as_deref(), Some("b.png"));
    }

    #[test]
    fn extended_wins_over_plain_in_either_order() {
        let both = "attachment; filename=\"fallback.txt\"; filename*=UTF-8''r%C3%A9el.txt";
        assert_eq!(name(both).as_deref(), Some("réel.txt"));
        let reversed = "attachment; filename*=UTF-8''r%C3%A9el.txt; filename=fallback.txt";
        assert_eq!(name(reversed).as_deref(), Some("réel.txt"));
    }

    #[test]
    fn bad_extended_falls_back_to_plain() {
        let h = "attachment; filename*=UTF-8''%FF%FE; filename=\"ok.txt\"";
        assert_eq!(name(h).as_deref(), Some("ok.txt"));
        assert_eq!(name("attachment; filename*=koi8-r''x").as_deref(), None);
    }

    #[test]
    fn missing_or_empty_name_is_none() {
        assert_eq!(name("attachment"), None);
        assert_eq!(name("attachment; size=10"), None);
        assert_eq!(name("attachment; filename=\"\""), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn directories_are_stripped() {
        assert_eq!(name("attachment; filename=\"../../etc/passwd\"").as_deref(), Some("passwd"));
        assert_eq!(name("attachment; filename=C:\\x\\y.doc").as_deref(), Some("y.doc"));
    }

    #[test]
    fn raw_utf8_in_the_header_is_accepted() {
        assert_eq!(name("attachment; filename=\"文件.txt\"").as_deref(), Some("文件.txt"));
    }
}

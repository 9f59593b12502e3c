//! Calls in flight: [`Call`] for JSON replies, [`DownloadCall`] for files.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::path::Path;
use std::pin::Pin;

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::client::options::{CallOptions, option_setters};
use crate::core::endpoint::{ResponseKind, Target};
use crate::core::error::{Error, Result};
use crate::wire::decode;
use crate::wire::download::{Download, DownloadStream, SavedFile};
use crate::wire::exchange::{Outcome, Prepared};
use crate::wire::request::Request;

/// A call in flight: set per-call options, then `.await` it.
///
/// ```no_run
/// # async fn run(client: lark_runtime::Client, request: lark_runtime::Request) -> lark_runtime::Result<()> {
/// use std::time::Duration;
///
/// let reply: serde_json::Value = client
///     .call(request)
///     .request_id("order-42")
///     .timeout(Duration::from_secs(5))
///     .await?;
/// # let _ = reply;
/// # Ok(())
/// # }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'c, T> {
    client: &'c Client,
    request: Request,
    options: CallOptions,
    output: PhantomData<fn() -> T>,
}

impl<'c, T> Call<'c, T> {
    pub(crate) fn new(client: &'c Client, request: Request) -> Self {
        Call { client, request, options: CallOptions::default(), output: PhantomData }
    }

    option_setters!();
}

impl<'c, T: DeserializeOwned + Send + 'static> IntoFuture for Call<'c, T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        let Call { client, request, options, .. } = self;
        Box::pin(async move {
            // Checked before the URL, so that the advice comes first.
            not_a_file(&Target::of(request.endpoint()))?;
            let prepared = client.prepare(&request)?;
            let text = client.call_json(&prepared, &options).await?;
            decode::decode(prepared.target.id, &text)
        })
    }
}

/// A file download in flight: set per-call options, then `.await` it for the whole file
/// in memory, or use [`stream`](Self::stream) or [`save_to`](Self::save_to) for large
/// files.
#[must_use = "a download does nothing until it is awaited"]
pub struct DownloadCall<'c> {
    client: &'c Client,
    request: Request,
    options: CallOptions,
}

impl<'c> DownloadCall<'c> {
    pub(crate) fn new(client: &'c Client, request: Request) -> Self {
        DownloadCall { client, request, options: CallOptions::default() }
    }

    option_setters!();

    /// Starts the download and returns as soon as the headers arrive, with the body as a
    /// stream of chunks. Failures before the body (including error replies) are retried
    /// like any call; once the stream is handed over nothing is retried. The call's
    /// timeout covers the whole body, so raise it for large files.
    ///
    /// ```no_run
    /// # async fn run(client: lark_runtime::Client, request: lark_runtime::Request) -> lark_runtime::Result<()> {
    /// use futures_util::StreamExt;
    ///
    /// let mut file = client.download(request).stream().await?;
    /// println!("{:?} ({:?} bytes)", file.file_name, file.content_length);
    /// while let Some(chunk) = file.next().await {
    ///     let chunk = chunk?;
    ///     // write the chunk somewhere
    /// #   let _ = chunk;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stream(self) -> Result<DownloadStream> {
        self.client.open_stream(&self.client.prepare(&self.request)?, &self.options).await
    }

    /// Streams the file to `path` (created or truncated) and returns what the server said
    /// about it. A partly written file is removed on failure.
    pub async fn save_to(self, path: impl AsRef<Path>) -> Result<SavedFile> {
        self.stream().await?.save_to(path).await
    }
}

impl<'c> IntoFuture for DownloadCall<'c> {
    type Output = Result<Download>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Download>> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let prepared = self.client.prepare(&self.request)?;
            let reply = self.client.execute_read(&prepared, &self.options).await?;
            decode::file(reply, &prepared.target)
        })
    }
}

impl Client {
    /// Sends a download and returns as soon as the headers of a successful reply arrive.
    pub(crate) async fn open_stream(&self, call: &Prepared<'_>, options: &CallOptions) -> Result<DownloadStream> {
        match self.execute(call, options, true).await? {
            Outcome::Streaming(response) => Ok(DownloadStream::new(call.target.id, response)),
            // A JSON reply in place of a file: an error envelope, or a file that is JSON.
            Outcome::Read(reply) => {
                decode::check(&reply, call.target.id, call.target.scopes)?;
                Ok(DownloadStream::from_reply(reply))
            }
        }
    }

    /// Sends a call and returns the JSON text its response type is read from.
    pub(crate) async fn call_json(&self, call: &Prepared<'_>, options: &CallOptions) -> Result<Box<str>> {
        not_a_file(&call.target)?;
        let reply = self.execute_read(call, options).await?;
        decode::json_text(reply, &call.target)
    }
}

fn not_a_file(target: &Target<'_>) -> Result<()> {
    if target.response == ResponseKind::Binary {
        return Err(Error::Config(format!(
            "{} returns a file: use `Client::download` instead of `Client::call`",
            target.id
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::{Endpoint, HttpMethod, Scopes};

    #[test]
    fn call_futures_are_send() {
        fn assert_send<F: Future + Send>(_: F) {}
        let client = Client::builder("a", "b").build().unwrap();
        static EP: Endpoint = Endpoint {
            id: "t.v1.x.get",
            method: HttpMethod::Get,
            path: "/open-apis/t/v1/x",
            tokens: &[],
            scopes: Scopes::Unknown,
            response: ResponseKind::Data,
            doc_url: "",
        };
        assert_send(client.call::<serde_json::Value>(Request::new(&EP)).into_future());
        assert_send(client.download(Request::new(&EP)).into_future());
        assert_send(client.download(Request::new(&EP)).stream());
        assert_send(client.download(Request::new(&EP)).save_to("x"));
    }
}

//! Paginated lists as streams: of pages ([`Pages`]) or of items ([`Items`]).
//!
//! A generated list request implements [`PageRequest`] and its response [`Page`]; the
//! generated API then offers one line, `self.client.paginate(request)`, returning a
//! [`Paginator`]. Paging stops when the server says `has_more: false` or sends no (or an
//! empty) page token, which is how the platform ends some lists despite `has_more: true`.
//! A server that repeats a token or never stops is cut off with [`Error::Pagination`].

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::client::options::{CallOptions, option_setters};
use crate::core::error::{Error, Result};
use crate::wire::decode;
use crate::wire::request::Request;

/// A list request that can ask for a given page. Generated for every paginated endpoint.
pub trait PageRequest: Clone + Send + 'static {
    /// The response of one page.
    type Page: Page;

    /// Sets the cursor of the page to fetch; `None` for the first page.
    fn set_page_token(&mut self, token: Option<String>);

    /// The request to send for the current cursor.
    fn to_request(&self) -> Request;
}

/// One page of a list response. Generated for every paginated endpoint's response.
pub trait Page: DeserializeOwned + Send + 'static {
    /// What the list holds.
    type Item: Send + 'static;

    /// The server's `has_more`.
    fn has_more(&self) -> Option<bool>;

    /// The cursor of the next page (`page_token` or `next_page_token`).
    fn next_page_token(&self) -> Option<&str>;

    /// The items of this page.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A paginated list ready to be walked: set per-call options (they apply to every page),
/// then take [`items`](Self::items) or [`pages`](Self::pages).
///
/// ```no_run
/// # async fn run<R: lark_runtime::PageRequest>(client: lark_runtime::Client, request: R) -> lark_runtime::Result<()> {
/// use futures_util::TryStreamExt;
///
/// let mut users = client.paginate(request).max_pages(100).items();
/// while let Some(user) = users.try_next().await? {
///     // one item at a time; the next page is fetched when this one runs out
/// #   let _ = user;
/// }
/// # Ok(())
/// # }
/// ```
#[must_use = "a paginator does nothing until its stream is polled"]
pub struct Paginator<R> {
    client: Client,
    request: R,
    options: CallOptions,
    max_pages: usize,
}

impl Client {
    /// Walks a paginated list; see [`Paginator`].
    pub fn paginate<R: PageRequest>(&self, request: R) -> Paginator<R> {
        let max_pages = self.inner.max_pages;
        Paginator { client: self.clone(), request, options: CallOptions::default(), max_pages }
    }
}

impl<R: PageRequest> Paginator<R> {
    option_setters!();

    /// Stops with [`Error::Pagination`] after this many pages (default: the client's
    /// [`max_pages`](crate::ClientBuilder::max_pages)).
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// The pages, whole.
    pub fn pages(self) -> Pages<R::Page> {
        let Paginator { client, request, options, max_pages } = self;
        let endpoint = request.to_request().endpoint().id;
        let cursor = Cursor { endpoint, pages: 0, max_pages, token: None, stop: None };
        let stream = futures_util::stream::try_unfold(
            (client, request, options, cursor),
            |(client, mut request, options, mut cursor)| async move {
                match cursor.stop.take() {
                    Some(Stop::Done) => return Ok(None),
                    Some(Stop::Error(e)) => return Err(e),
                    None => {}
                }
                request.set_page_token(cursor.token.clone());
                let text = client.page_text(&request.to_request(), &options).await?;
                let page: R::Page = decode::decode(cursor.endpoint, &text)?;
                cursor.advance(page.has_more(), page.next_page_token());
                Ok(Some((page, (client, request, options, cursor))))
            },
        );
        Pages { inner: Box::pin(stream) }
    }

    /// The items of every page, in order.
    pub fn items(self) -> Items<<R::Page as Page>::Item> {
        let pages = self.pages().map(|page| page.map(Page::into_items));
        Items { pages: Box::pin(pages), buffer: Vec::new().into_iter() }
    }
}

impl Client {
    /// The JSON text of one page; non-generic.
    async fn page_text(&self, request: &Request, options: &CallOptions) -> Result<Box<str>> {
        self.call_json(&self.prepare(request)?, options).await
    }
}

/// Why paging ends before the next fetch.
enum Stop {
    Done,
    Error(Error),
}

/// Where a walk is; the decisions it makes are the same for every endpoint.
struct Cursor {
    endpoint: &'static str,
    pages: usize,
    max_pages: usize,
    /// The token the last page was fetched with; `None` for the first.
    token: Option<String>,
    stop: Option<Stop>,
}

impl Cursor {
    /// Records a page and decides about the next one. A decision to stop takes effect on
    /// the next poll, so the page just read is still delivered.
    fn advance(&mut self, has_more: Option<bool>, next: Option<&str>) {
        self.pages += 1;
        let next = next.filter(|t| !t.is_empty());
        let Some(next) = next.filter(|_| has_more != Some(false)) else {
            self.stop = Some(Stop::Done);
            return;
        };
        let fail = |reason: String| {
            Some(Stop::Error(Error::Pagination { endpoint: self.endpoint, pages: self.pages, reason }))
        };
        if self.token.as_deref() == Some(next) {
            self.stop = fail(format!("the server sent page_token `{next}` twice in a row, which would loop forever"));
        } else if self.pages >= self.max_pages {
            self.stop = fail(format!(
                "the list has more than {} pages; raise the cap with `.max_pages(n)` if that is expected",
                self.max_pages
            ));
        } else {
            self.token = Some(next.to_owned());
        }
    }
}

/// The pages of a list, as a `Stream<Item = Result<P>>`; it ends after the last page or
/// after the first error.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<P> {
    inner: Pin<Box<dyn Stream<Item = Result<P>> + Send>>,
}

impl<P> Stream for Pages<P> {
    type Item = Result<P>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<P> fmt::Debug for Pages<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

/// The items of a list, page after page, as a `Stream<Item = Result<T>>`; it ends after
/// the last item or after the first error.
#[must_use = "streams do nothing unless polled"]
pub struct Items<T> {
    pages: Pin<Box<dyn Stream<Item = Result<Vec<T>>> + Send>>,
    buffer: std::vec::IntoIter<T>,
}

// Nothing in `Items` is pinned structurally: the page stream is boxed and the buffer is a
// plain iterator, so moving an `Items` is always fine, whatever `T` is.
impl<T> Unpin for Items<T> {}

impl<T> Stream for Items<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match this.pages.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(items))) => this.buffer = items.into_iter(),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").field("buffered", &self.buffer.len()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(max_pages: usize) -> Cursor {
        Cursor { endpoint: "t.v1.x.list", pages: 0, max_pages, token: None, stop: None }
    }

    fn stopped(c: &Cursor) -> Option<&str> {
        match &c.stop {
            None => None,
            Some(Stop::Done) => Some("done"),
            Some(Stop::Error(_)) => Some("error"),
        }
    }

    #[test]
    fn ends_on_has_more_false_or_a_missing_or_empty_token() {
        for (has_more, token) in [(Some(false), Some("p2")), (Some(true), None), (Some(true), Some("")), (None, None)] {
            let mut c = cursor(10);
            c.advance(has_more, token);
            assert_eq!(stopped(&c), Some("done"), "{has_more:?} {token:?}");
        }
        let mut c = cursor(10);
        c.advance(None, Some("p2"));
        assert_eq!((stopped(&c), c.token.as_deref()), (None, Some("p2")));
    }

    #[test]
    fn a_repeated_token_or_too_many_pages_is_an_error() {
        let mut c = cursor(10);
        c.advance(Some(true), Some("p2"));
        c.advance(Some(true), Some("p2"));
        assert_eq!(stopped(&c), Some("error"));
        let mut capped = cursor(2);
        capped.advance(Some(true), Some("p2"));
        assert_eq!(stopped(&capped), None);
        capped.advance(Some(true), Some("p3"));
        let Some(Stop::Error(e)) = &capped.stop else { panic!("expected an error") };
        assert!(e.to_string().contains("more than 2 pages"), "{e}");
    }
}

//! A ready route that serves a list page by page, quirks included.

use serde_json::{Value, json};

use super::request::FakeRequest;
use super::response::FakeResponse;

/// How the last page of a [`FakePages`] list says it is the last.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LastPage {
    /// `has_more: false` and no `page_token` (the usual case).
    #[default]
    NoToken,
    /// `has_more: false` and `page_token: ""`.
    EmptyToken,
    /// `has_more: true` and `page_token: ""`: a quirk some endpoints have, which sends
    /// naive clients into an endless loop.
    EmptyTokenButHasMore,
}

/// A list served in pages by [`FakeLark::route_pages`](super::FakeLark::route_pages):
/// `page_size` comes from the query (default [`page_size`](Self::page_size)), cursors are
/// `p1`, `p2`, … and the items sit under `items`.
#[derive(Debug, Clone)]
pub struct FakePages {
    items: Vec<Value>,
    page_size: usize,
    last: LastPage,
}

impl FakePages {
    /// A list of these items, 20 to a page.
    pub fn new(items: Vec<Value>) -> Self {
        FakePages { items, page_size: 20, last: LastPage::NoToken }
    }

    /// The page size when the request does not set `page_size`.
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// How the last page ends the list.
    pub fn last_page(mut self, last: LastPage) -> Self {
        self.last = last;
        self
    }

    pub(crate) fn answer(&self, request: &FakeRequest) -> FakeResponse {
        let size = request.query_value("page_size").and_then(|s| s.parse().ok()).unwrap_or(self.page_size).max(1);
        let start = match request.query_value("page_token") {
            None => 0,
            Some(token) => match token.strip_prefix('p').and_then(|n| n.parse::<usize>().ok()) {
                Some(page) => page * size,
                None => return FakeResponse::api_error(99992402, "invalid page_token"),
            },
        };
        let end = (start + size).min(self.items.len());
        let items = self.items.get(start..end).unwrap_or_default();
        let data = if end < self.items.len() {
            json!({"items": items, "has_more": true, "page_token": format!("p{}", end / size)})
        } else {
            match self.last {
                LastPage::NoToken => json!({"items": items, "has_more": false}),
                LastPage::EmptyToken => json!({"items": items, "has_more": false, "page_token": ""}),
                LastPage::EmptyTokenButHasMore => json!({"items": items, "has_more": true, "page_token": ""}),
            }
        };
        FakeResponse::data(data)
    }
}

//! Paged lists of remembered things: `page_size` items from the `page_token` on.

use lark_runtime::fake::FakeRequest;
use serde_json::{Map, Value, json};

/// One page of `items`, with `has_more` and `page_token` set: the token is the offset of
/// the next page, and the last page has an empty one.
pub(crate) fn page(
    items: Vec<Value>,
    request: &FakeRequest,
    default_size: usize,
    max_size: usize,
) -> Map<String, Value> {
    let size = request
        .query_value("page_size")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(default_size)
        .min(max_size);
    let from = request.query_value("page_token").and_then(|t| t.strip_prefix("p")?.parse::<usize>().ok()).unwrap_or(0);
    let total = items.len();
    let end = from.saturating_add(size).min(total);
    let slice: Vec<Value> = items.into_iter().skip(from).take(end.saturating_sub(from)).collect();
    let has_more = end < total;
    let mut map = Map::new();
    map.insert("items".to_owned(), Value::Array(slice));
    map.insert("has_more".to_owned(), json!(has_more));
    map.insert("page_token".to_owned(), json!(if has_more { format!("p{end}") } else { String::new() }));
    map
}

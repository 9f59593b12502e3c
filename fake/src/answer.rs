//! Answers made up from the response schema, the same for the same request.
//!
//! Every field of the answer is filled to a few levels deep (below that only required
//! ones), lists have two items, ids look like the platform's by their field name, int64
//! values travel as strings, enums take a known value, and paged lists hold five items
//! in all, served `page_size` at a time.

use lark_runtime::fake::{FakeRequest, FakeResponse};
use serde_json::{Map, Value, json};

use crate::catalogue::{Answer, Catalogue, Operation};

/// Items in every paged list.
const TOTAL_ITEMS: usize = 5;
/// Levels below which only required fields are filled.
const FULL_DEPTH: usize = 4;

pub(crate) fn answer(
    catalogue: &Catalogue,
    op: &Operation,
    path: &[(String, String)],
    request: &FakeRequest,
) -> FakeResponse {
    let seed =
        fnv(&[op.id.as_bytes(), request.path.as_bytes(), format!("{:?}", request.query).as_bytes(), &request.body]);
    let mut maker = Maker { catalogue, seed, counter: 0 };
    match &op.answer {
        Answer::Binary => {
            let name = path.last().map_or("file", |(_, v)| v.as_str());
            let bytes = format!("fake Lark file for {} {}\n", op.id, request.path).into_bytes();
            FakeResponse::binary(bytes, "application/octet-stream", Some(&format!("{name}.bin")))
        }
        Answer::Empty => FakeResponse::json(json!({"code": 0, "msg": "success", "data": {}})),
        Answer::Flat(schema) => {
            let mut body = maker.value(schema, "", 0);
            if let Value::Object(map) = &mut body {
                map.insert("code".to_owned(), json!(0));
                map.insert("msg".to_owned(), json!("success"));
            }
            FakeResponse::json(body)
        }
        Answer::Data(schema) => {
            let mut data = maker.value(schema, "", 0);
            if let (Some(pages), Value::Object(map)) = (&op.pages, &mut data) {
                page(&mut maker, schema, pages, map, request);
            }
            FakeResponse::data(data)
        }
    }
}

/// Cuts the item list to the requested page and sets the cursor fields.
fn page(
    maker: &mut Maker<'_>,
    schema: &Value,
    pages: &crate::catalogue::Pages,
    map: &mut Map<String, Value>,
    request: &FakeRequest,
) {
    let size = request.query_value("page_size").and_then(|s| s.parse::<usize>().ok()).filter(|s| *s > 0).unwrap_or(20);
    let start = request.query_value("page_token").and_then(|t| t.parse::<usize>().ok()).unwrap_or(0).min(TOTAL_ITEMS);
    let end = (start + size).min(TOTAL_ITEMS);
    let schema = maker.catalogue.resolve(schema);
    let items_schema = &schema["properties"][&pages.items]["items"];
    let items: Vec<Value> = (start..end).map(|i| maker.item(items_schema, &pages.items, i)).collect();
    map.insert(pages.items.clone(), Value::Array(items));
    map.insert(pages.has_more.clone(), Value::Bool(end < TOTAL_ITEMS));
    let next = if end < TOTAL_ITEMS { end.to_string() } else { String::new() };
    map.insert(pages.next_page_token.clone(), Value::String(next));
}

struct Maker<'a> {
    catalogue: &'a Catalogue,
    seed: u64,
    counter: u64,
}

impl Maker<'_> {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        fnv(&[&self.seed.to_le_bytes(), &self.counter.to_le_bytes()])
    }

    /// The `index`th item of a paged list: its own seed, so pages never repeat an item.
    fn item(&mut self, schema: &Value, name: &str, index: usize) -> Value {
        let saved = (self.seed, self.counter);
        self.seed = fnv(&[b"page", &(index as u64).to_le_bytes()]) ^ saved.0.rotate_left(7);
        self.counter = 0;
        let value = self.value(schema, name, 1);
        (self.seed, self.counter) = saved;
        value
    }

    fn value(&mut self, schema: &Value, name: &str, depth: usize) -> Value {
        let schema = self.catalogue.resolve(schema);
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(known) = schema["anyOf"].get(0).and_then(|k| k["enum"].as_array()).filter(|k| !k.is_empty()) {
            return known[(self.next() as usize) % known.len()].clone();
        }
        if let Some(parts) = schema["allOf"].as_array() {
            let mut merged = Map::new();
            for part in parts {
                if let Value::Object(map) = self.value(part, name, depth) {
                    merged.extend(map);
                }
            }
            return Value::Object(merged);
        }
        match schema["type"].as_str() {
            Some("object") => {
                let mut map = Map::new();
                let required: Vec<&str> =
                    schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                for (field, inner) in schema["properties"].as_object().into_iter().flatten() {
                    if depth < FULL_DEPTH || required.contains(&field.as_str()) {
                        map.insert(field.clone(), self.value(inner, field, depth + 1));
                    }
                }
                Value::Object(map)
            }
            Some("array") if depth < FULL_DEPTH => {
                Value::Array((0..2).map(|_| self.value(&schema["items"], name, depth + 1)).collect())
            }
            Some("array") => Value::Array(Vec::new()),
            Some("string") if schema["format"] == "int64" => Value::String(self.int64(name).to_string()),
            Some("string") if schema.get("contentMediaType").is_some() => Value::String(String::new()),
            Some("string") => Value::String(self.string(name)),
            Some("integer") if schema["format"] == "int64" => json!(self.int64(name)),
            Some("integer") => json!(self.next() % 100),
            Some("number") => json!((self.next() % 1000) as f64 / 10.0),
            Some("boolean") => Value::Bool(self.next().is_multiple_of(2)),
            _ => json!({}),
        }
    }

    /// Timestamps look like milliseconds since the epoch; other numbers are small.
    fn int64(&mut self, name: &str) -> i64 {
        let n = self.next();
        if name.ends_with("time") || name.ends_with("_at") || name.contains("timestamp") {
            1_700_000_000_000 + (n % 100_000_000) as i64
        } else {
            (n % 10_000) as i64
        }
    }

    /// Ids shaped like the platform's, by field name; other text names its field.
    fn string(&mut self, name: &str) -> String {
        let hex = format!("{:016x}", self.next());
        let prefix = match name {
            "message_id" | "parent_id" | "root_id" | "upper_message_id" | "thread_message_id" => "om_",
            "chat_id" | "open_chat_id" => "oc_",
            "open_id" => "ou_",
            "union_id" => "on_",
            "open_department_id" | "department_id" | "parent_department_id" => "od-",
            "file_key" | "file_token" => "file_v3_",
            "image_key" => "img_v3_",
            "app_id" => "cli_",
            "thread_id" => "omt_",
            "user_id" | "tenant_key" | "event_id" => "",
            "email" | "enterprise_email" => return format!("user-{}@example.com", &hex[..6]),
            _ if name.ends_with("_url") || name == "url" || name == "avatar" => {
                return format!("https://example.com/fake/{}", &hex[..8]);
            }
            _ if name.ends_with("_id") || name == "id" => "fake_",
            _ => {
                return if name.is_empty() {
                    format!("fake-{}", &hex[..8])
                } else {
                    format!("fake {name} {}", &hex[..4])
                };
            }
        };
        format!("{prefix}{hex}")
    }
}

/// FNV-1a over the parts: stable across runs and platforms.
pub(crate) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

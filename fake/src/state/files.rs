//! Files and images: what is uploaded downloads the same, by its key or as a resource of
//! the message that carries it.

use lark_runtime::fake::{FakeRequest, FakeResponse};
use serde_json::json;

use super::codes::*;
use super::model::File;
use super::{Store, refuse};

pub(super) fn answer(store: &mut Store, operation: &str, request: &FakeRequest) -> Option<FakeResponse> {
    let key = request.path_param("file_key").or(request.path_param("image_key")).unwrap_or_default().to_owned();
    Some(match operation {
        "im.v1.file.create" => upload(store, request, "file", false),
        "im.v1.image.create" => upload(store, request, "image", true),
        "im.v1.file.get" | "im.v1.image.get" => match store.files.iter().find(|f| f.key == key) {
            Some(file) => download(file),
            None => refuse(RESOURCE_NOT_FOUND, format!("the resource {key} does not exist")),
        },
        "im.v1.message_resource.get" => {
            let id = request.path_param("message_id").unwrap_or_default();
            let at = match store.message(id) {
                Ok(at) => at,
                Err(refusal) => return Some(refusal),
            };
            match store.files.iter().find(|f| f.key == key) {
                Some(file) if store.messages[at].content.contains(&key) => download(file),
                _ => refuse(NOT_IN_MESSAGE, "File not in message."),
            }
        }
        _ => return None,
    })
}

fn upload(store: &mut Store, request: &FakeRequest, part: &str, image: bool) -> FakeResponse {
    let Some(upload) = request.part(part) else {
        return refuse(INVALID_PARAM, format!("no `{part}` part"));
    };
    let name = request.part("file_name").map(|p| p.text()).or_else(|| upload.file_name.clone()).unwrap_or_default();
    let key = store.id(if image { "img_v3_" } else { "file_v3_" });
    store.files.push(File { key: key.clone(), name, bytes: upload.bytes.clone(), image });
    FakeResponse::data(if image { json!({"image_key": key}) } else { json!({"file_key": key}) })
}

fn download(file: &File) -> FakeResponse {
    let kind = if file.image { "image/png" } else { "application/octet-stream" };
    let name = if file.name.is_empty() { None } else { Some(file.name.as_str()) };
    FakeResponse::binary(file.bytes.clone(), kind, name)
}

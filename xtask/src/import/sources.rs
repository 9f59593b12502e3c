//! What the two extractor scripts print, as serde types, and how they are run.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use super::upstream::run;

/// `extract_py.py` output.
#[derive(Debug, Deserialize)]
pub struct Python {
    pub services: Vec<PyService>,
    pub callbacks: PyCallbacks,
}

/// One `lark_oapi/api/<service>/<version>/` folder.
#[derive(Debug, Deserialize)]
pub struct PyService {
    pub service: String,
    pub version: String,
    pub endpoints: Vec<PyEndpoint>,
    /// Class name → `[wire name, Python type]` in declaration order.
    pub models: BTreeMap<String, Vec<(String, String)>>,
    pub events: Vec<PyEvent>,
}

#[derive(Debug, Deserialize)]
pub struct PyEndpoint {
    pub resource: String,
    pub method: String,
    pub http_method: Option<String>,
    pub uri: Option<String>,
    pub tokens: Vec<String>,
    pub path: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub body: Option<String>,
    pub response: Option<String>,
    pub multipart: bool,
    pub download: bool,
}

#[derive(Debug, Deserialize)]
pub struct PyEvent {
    pub class: String,
    pub data: String,
    /// The event type, when the dispatcher registers it.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PyCallbacks {
    pub models: BTreeMap<String, Vec<(String, String)>>,
    pub items: Vec<PyCallback>,
}

#[derive(Debug, Deserialize)]
pub struct PyCallback {
    #[serde(rename = "type")]
    pub callback_type: String,
    pub data: String,
    pub response: String,
}

/// `extract_ts.js` output.
#[derive(Debug, Deserialize)]
pub struct Node {
    pub endpoints: Vec<NodeEndpoint>,
    pub events: NodeEvents,
}

#[derive(Debug, Deserialize)]
pub struct NodeEndpoint {
    /// `project/version/resource/apiName`.
    pub id: String,
    pub doc: String,
    pub method: String,
    pub url: String,
    pub multipart: bool,
    pub download: bool,
    pub iterator: bool,
    pub data: Option<Ts>,
    pub params: Option<Ts>,
    #[serde(default)]
    pub params_optional: bool,
    pub path: Option<Ts>,
    pub response: Option<Ts>,
    #[serde(flatten)]
    pub notes: Notes,
}

/// What the JSDoc of an endpoint or event states besides its types.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Notes {
    /// The official title, in Chinese (a few words, e.g. 创建会话).
    pub title: Option<String>,
    /// Present when the platform no longer recommends the item: the official pages its
    /// notice links (the replacements; for a legacy event, its own page).
    pub deprecated: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub struct NodeEvents {
    pub v2: Vec<NodeEvent>,
    pub v1: Vec<NodeEvent>,
}

#[derive(Debug, Deserialize)]
pub struct NodeEvent {
    pub key: String,
    pub payload: Ts,
    #[serde(flatten)]
    pub notes: Notes,
}

/// A wire type as the Node declarations write it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "t", rename_all = "lowercase")]
pub enum Ts {
    String,
    Number,
    Boolean,
    Any,
    File,
    Enum { base: String, values: Vec<serde_json::Value> },
    Array { of: Box<Ts> },
    Map { of: Box<Ts> },
    Object { fields: Vec<TsField> },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TsField {
    pub name: String,
    pub optional: bool,
    #[serde(rename = "type")]
    pub ty: Ts,
}

impl Ts {
    pub fn fields(&self) -> &[TsField] {
        match self {
            Ts::Object { fields } => fields,
            _ => &[],
        }
    }

    pub fn field(&self, name: &str) -> Option<&TsField> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// Runs `extract_py.py` on a wheel or a directory holding `lark_oapi/`.
pub fn python(script_dir: &Path, package: &Path) -> Result<Python, String> {
    let mut command = Command::new("python3");
    command.arg(script_dir.join("extract_py.py")).arg(package);
    let out = run(&mut command, "reading the Python package")?;
    serde_json::from_slice(&out).map_err(|e| format!("extract_py.py printed unexpected JSON: {e}"))
}

/// Runs `extract_ts.js` on an npm tarball or an unpacked package directory.
pub fn node(script_dir: &Path, typescript: &Path, package: &Path) -> Result<Node, String> {
    let mut command = Command::new("node");
    command.arg(script_dir.join("extract_ts.js")).arg(typescript).arg(package);
    let out = run(&mut command, "reading the Node package")?;
    serde_json::from_slice(&out).map_err(|e| format!("extract_ts.js printed unexpected JSON: {e}"))
}

//! Source positions of YAML nodes, keyed by their dotted spec path.
//!
//! serde_yaml reports positions for syntax and type errors but its values carry no
//! spans, so the semantic checks in `validate` look positions up here instead. The
//! index comes from yaml-rust2's event parser over the same text.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Dotted path (`resources.message.methods.create.http`, `[0]` for list items) to
/// 1-based line and column of the node's key (or of the item, inside lists).
#[derive(Debug, Default, Clone)]
pub struct Locations {
    positions: BTreeMap<String, (usize, usize)>,
}

impl Locations {
    /// Indexes `text`. Unparsable text yields an empty index: serde_yaml reports
    /// the syntax error itself, with its own position.
    pub fn index(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        let _ = parser.load(&mut builder, false);
        Locations { positions: builder.positions }
    }

    /// Position of exactly `path`, if the file has that node.
    pub fn get(&self, path: &str) -> Option<(usize, usize)> {
        self.positions.get(path).copied()
    }

    /// Position of `path`, or of its nearest indexed ancestor, or the file start.
    pub fn find(&self, path: &str) -> (usize, usize) {
        let mut path = path;
        loop {
            if let Some(&pos) = self.positions.get(path) {
                return pos;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return (1, 1),
            }
        }
    }
}

enum Frame {
    /// A mapping; `key` is set between a key and its value.
    Map {
        path: String,
        key: Option<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    positions: BTreeMap<String, (usize, usize)>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
}

impl Builder {
    /// The path of the node that starts now, recording its position; `None` when the
    /// node is a mapping key.
    fn enter(&mut self, scalar: Option<&str>, mapping: bool, mark: Marker) -> Option<String> {
        let pos = (mark.line(), mark.col() + 1);
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(join(path, &k)),
                None => {
                    let k = scalar.unwrap_or("?").to_owned();
                    // A mapping inside a list starts where its first key does.
                    self.positions.entry(path.clone()).or_insert(pos);
                    self.positions.insert(join(path, &k), pos);
                    *key = Some(k);
                    None
                }
            },
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                // yaml-rust2 marks a block mapping after its first key; its key is recorded instead.
                if !mapping {
                    self.positions.insert(p.clone(), pos);
                }
                Some(p)
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) => {
                self.enter(Some(&value), false, mark);
            }
            Event::Alias(_) => {
                self.enter(None, false, mark);
            }
            Event::MappingStart(..) => {
                if let Some(path) = self.enter(None, true, mark) {
                    self.stack.push(Frame::Map { path, key: None });
                }
            }
            Event::SequenceStart(..) => {
                if let Some(path) = self.enter(None, false, mark) {
                    self.stack.push(Frame::Seq { path, next: 0 });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_items() {
        let text = "a:\n  b: 1\n  c:\n    - x\n    - y: 2\n";
        let loc = Locations::index(text);
        assert_eq!(loc.find("a"), (1, 1));
        assert_eq!(loc.find("a.b"), (2, 3));
        assert_eq!(loc.find("a.c[1]"), (5, 7));
        assert_eq!(loc.find("a.c[1].y"), (5, 7));
        assert_eq!(loc.find("a.b.missing"), (2, 3));
        assert_eq!(loc.find("nope"), (1, 1));
    }
}

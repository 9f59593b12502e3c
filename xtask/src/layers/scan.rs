//! Finding the paths a Rust file takes into its own crate.
//!
//! The file is read as tokens (proc-macro2's lexer), so comments, doc comments and string
//! literals never count, while macro bodies (`$crate::…`) do. A `use` tree is expanded
//! into one path per leaf, and `super::` chains are resolved against the module the file
//! (or an inline `mod { … }` in it) defines.

use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};

/// Every path into the crate that `source` takes, as absolute segments from the crate root
/// (`crate::http::url::build` gives `["http", "url", "build"]`). `module` is the module the
/// file defines, e.g. `["http", "url"]` for `src/http/url.rs`.
pub fn crate_paths(source: &str, module: &[String]) -> Result<Vec<Vec<String>>, String> {
    let tokens = TokenStream::from_str(source).map_err(|e| format!("does not lex as Rust: {e}"))?;
    let mut found = Vec::new();
    walk(tokens, module, &mut found);
    Ok(found)
}

fn walk(tokens: TokenStream, module: &[String], found: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        // An inline module: paths inside it are relative to a deeper module.
        if let Some((name, body)) = inline_module(&tokens, i) {
            let mut inner = module.to_vec();
            inner.push(name);
            walk(body.stream(), &inner, found);
            i += 3;
            continue;
        }
        let start = match (ident_at(&tokens, i).as_deref(), tokens.get(i.wrapping_sub(1))) {
            // `$crate` in a macro body, or plain `crate`; but not the `crate` of `pub(crate)`.
            (Some("crate"), _) if is_path_sep(&tokens, i + 1) => Some((Vec::new(), i + 3)),
            // A `super` that starts a path (not one after `::`, counted below).
            (Some("super"), previous) if !is_sep_end(previous) && is_path_sep(&tokens, i + 1) => {
                let mut base = module.to_vec();
                let mut j = i;
                while ident_at(&tokens, j).as_deref() == Some("super") && is_path_sep(&tokens, j + 1) {
                    base.pop();
                    j += 3;
                }
                Some((base, j))
            }
            _ => None,
        };
        match start {
            Some((base, next)) => {
                let mut leaves = Vec::new();
                i = tree(&tokens, next, base, &mut leaves);
                found.extend(leaves.into_iter().map(|leaf| leaf.path).filter(|p| !p.is_empty()));
            }
            None => {
                if let TokenTree::Group(group) = &tokens[i] {
                    walk(group.stream(), module, found);
                }
                i += 1;
            }
        }
    }
}

/// One leaf of a use tree: the path, and the name it is visible under (`as` renames it).
pub struct Leaf {
    pub path: Vec<String>,
    pub name: Option<String>,
}

/// Reads a path or use tree starting at `i` (after `crate::`), pushing one leaf per path;
/// returns the index after it.
fn tree(tokens: &[TokenTree], mut i: usize, mut prefix: Vec<String>, leaves: &mut Vec<Leaf>) -> usize {
    loop {
        match tokens.get(i) {
            Some(TokenTree::Ident(ident)) => {
                let name = ident.to_string();
                // `self` in a use tree names the module itself.
                if name != "self" {
                    prefix.push(name.trim_start_matches("r#").to_owned());
                }
                if is_path_sep(tokens, i + 1) {
                    i += 3;
                    continue;
                }
                let (name, next) = match (ident_at(tokens, i + 1).as_deref(), ident_at(tokens, i + 2)) {
                    (Some("as"), Some(alias)) => (Some(alias), i + 3),
                    _ => (prefix.last().cloned(), i + 1),
                };
                leaves.push(Leaf { path: prefix, name });
                return next;
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                for branch in branches(group) {
                    tree(&branch, 0, prefix.clone(), leaves);
                }
                return i + 1;
            }
            // `*`, a generic argument list, or the end: the path so far is the leaf.
            _ => {
                leaves.push(Leaf { path: prefix, name: None });
                return i;
            }
        }
    }
}

/// The crate root's own view: the modules it declares (`mod x;`) and what its `use` items
/// make visible there, by name (`pub use client::Client` gives `Client` → `client::Client`).
pub fn crate_root(source: &str) -> Result<(Vec<String>, Vec<Leaf>), String> {
    let tokens: Vec<TokenTree> =
        TokenStream::from_str(source).map_err(|e| format!("does not lex as Rust: {e}"))?.into_iter().collect();
    let (mut modules, mut uses) = (Vec::new(), Vec::new());
    for i in 0..tokens.len() {
        match ident_at(&tokens, i).as_deref() {
            Some("mod") => modules.extend(ident_at(&tokens, i + 1)),
            Some("use") => {
                // `use crate::x` and `use x` name the same module at the root.
                let start = if ident_at(&tokens, i + 1).as_deref() == Some("crate") { i + 4 } else { i + 1 };
                tree(&tokens, start, Vec::new(), &mut uses);
            }
            _ => {}
        }
    }
    Ok((modules, uses))
}

/// The comma-separated branches of a `{ … }` use group.
fn branches(group: &Group) -> Vec<Vec<TokenTree>> {
    let mut out = vec![Vec::new()];
    for token in group.stream() {
        match &token {
            TokenTree::Punct(p) if p.as_char() == ',' => out.push(Vec::new()),
            _ => out.last_mut().expect("never empty").push(token),
        }
    }
    out.retain(|b| !b.is_empty());
    out
}

/// `mod name { … }` at `i`.
fn inline_module(tokens: &[TokenTree], i: usize) -> Option<(String, &Group)> {
    match (ident_at(tokens, i)?.as_str(), ident_at(tokens, i + 1)?, tokens.get(i + 2)?) {
        ("mod", name, TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => Some((name, body)),
        _ => None,
    }
}

fn ident_at(tokens: &[TokenTree], i: usize) -> Option<String> {
    match tokens.get(i) {
        Some(TokenTree::Ident(ident)) => Some(ident.to_string()),
        _ => None,
    }
}

/// Whether `tokens[i..]` starts with `::`.
fn is_path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(
        (tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// Whether the token before is the second `:` of a `::`, i.e. `super` continues a path.
fn is_sep_end(previous: Option<&TokenTree>) -> bool {
    matches!(previous, Some(TokenTree::Punct(p)) if p.as_char() == ':')
}

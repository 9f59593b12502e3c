//! The field type grammar: `string`, `list<T>`, `map<T>`, model and enum names.

/// Types the platform uses that need no declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    String,
    Bool,
    Int32,
    Int64,
    Float64,
    /// A file part of a multipart body.
    File,
    /// Any JSON value, kept as `serde_json::Value`.
    Json,
}

/// A parsed `type:` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    Builtin(Builtin),
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>),
    /// A model or enum declared in the same file.
    Named(String),
}

impl TypeExpr {
    /// Parses the grammar; the error says what was expected.
    pub fn parse(text: &str) -> Result<TypeExpr, String> {
        let text = text.trim();
        for (prefix, wrap) in [("list<", TypeExpr::List as fn(_) -> _), ("map<", TypeExpr::Map)] {
            if let Some(rest) = text.strip_prefix(prefix) {
                let inner = rest.strip_suffix('>').ok_or_else(|| format!("`{text}` is missing its closing `>`"))?;
                return Ok(wrap(Box::new(TypeExpr::parse(inner)?)));
            }
        }
        let builtin = match text {
            "string" => Builtin::String,
            "bool" => Builtin::Bool,
            "int32" => Builtin::Int32,
            "int64" => Builtin::Int64,
            "float64" => Builtin::Float64,
            "file" => Builtin::File,
            "json" => Builtin::Json,
            _ => {
                let valid = text.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && text.chars().all(|c| c.is_ascii_alphanumeric());
                return if valid {
                    Ok(TypeExpr::Named(text.to_owned()))
                } else {
                    Err(format!("`{text}` is not a type"))
                };
            }
        };
        Ok(TypeExpr::Builtin(builtin))
    }

    /// The innermost type of lists and maps.
    pub fn leaf(&self) -> &TypeExpr {
        match self {
            TypeExpr::List(inner) | TypeExpr::Map(inner) => inner.leaf(),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_grammar() {
        assert_eq!(TypeExpr::parse("int64"), Ok(TypeExpr::Builtin(Builtin::Int64)));
        assert_eq!(
            TypeExpr::parse("list<map<Message>>"),
            Ok(TypeExpr::List(Box::new(TypeExpr::Map(Box::new(TypeExpr::Named("Message".into()))))))
        );
        assert_eq!(TypeExpr::parse("list<int64"), Err("`list<int64` is missing its closing `>`".into()));
        assert_eq!(TypeExpr::parse("strnig"), Err("`strnig` is not a type".into()));
    }
}

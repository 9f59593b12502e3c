//! Body fields an endpoint requires that the request's types cannot enforce, checked
//! before anything is sent.
//!
//! A model that several requests send (a create and a patch) can only mark the fields
//! every one of them needs; and "either of two fields" has no type at all. Generated
//! code lists such rules per endpoint and [`missing`] finds the ones a body breaks, named
//! the way the platform's field-validation error names fields.

use serde_json::{Map, Value};

use crate::core::error::FieldViolation;

/// The rules `body` breaks. Each rule lists dotted paths of sibling fields, one of which
/// must be sent in every object the rule reaches: a path through a list applies to each
/// item, and a path below a field that is not sent does not apply.
pub fn missing(body: &Value, rules: &[&[&str]]) -> Vec<FieldViolation> {
    let mut violations = Vec::new();
    for alternatives in rules {
        let Some(first) = alternatives.first() else { continue };
        let parent: Vec<&str> = match first.rsplit_once('.') {
            Some((parent, _)) => parent.split('.').collect(),
            None => Vec::new(),
        };
        let leaves: Vec<&str> = alternatives.iter().map(|p| p.rsplit_once('.').map_or(*p, |(_, leaf)| leaf)).collect();
        let mut objects = Vec::new();
        reach(body, &parent, String::new(), &mut objects);
        for (at, object) in objects {
            if leaves.iter().any(|leaf| object.get(*leaf).is_some_and(|v| !v.is_null())) {
                continue;
            }
            let fields: Vec<String> = leaves.iter().map(|leaf| join(&at, leaf)).collect();
            let description = if fields.len() == 1 {
                "required by this endpoint, but not set".to_owned()
            } else {
                format!("one of {} is required by this endpoint, but none is set", fields.join(", "))
            };
            violations.push(FieldViolation { field: fields.join(" | "), value: String::new(), description });
        }
    }
    violations
}

/// Every object at `segments` below `value`, with its concrete path (`members[2]`).
fn reach<'a>(value: &'a Value, segments: &[&str], at: String, out: &mut Vec<(String, &'a Map<String, Value>)>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                reach(item, segments, format!("{at}[{i}]"), out);
            }
        }
        Value::Object(object) => match segments.split_first() {
            None => out.push((at, object)),
            Some((first, rest)) => {
                if let Some(inner) = object.get(*first) {
                    reach(inner, rest, join(&at, first), out);
                }
            }
        },
        _ => {}
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(body: Value, rules: &[&[&str]]) -> Vec<String> {
        missing(&body, rules).into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn a_top_level_field_must_be_sent_and_not_null() {
        let rules: &[&[&str]] = &[&["start_time"], &["end_time"]];
        assert!(fields(json!({"start_time": {}, "end_time": {}}), rules).is_empty());
        assert_eq!(fields(json!({"start_time": {}, "end_time": null}), rules), ["end_time"]);
        assert_eq!(fields(json!({}), rules), ["start_time", "end_time"]);
    }

    #[test]
    fn a_nested_field_is_checked_in_every_item_where_its_parent_is_sent() {
        let rules: &[&[&str]] = &[&["members.id"]];
        assert!(fields(json!({}), rules).is_empty(), "no members, nothing to check");
        assert_eq!(
            fields(json!({"members": [{"id": "ou_1"}, {"role": "assignee"}, {"id": "ou_3"}]}), rules),
            ["members[1].id"]
        );
        let deep: &[&[&str]] = &[&["table.fields.property.location.input_type"]];
        let body = json!({"table": {"fields": [{"property": {"location": {}}}, {"property": {}}]}});
        assert_eq!(fields(body, deep), ["table.fields[0].property.location.input_type"]);
        let lists: &[&[&str]] = &[&["rows.id"]];
        assert_eq!(fields(json!({"rows": [[{"id": 1}], [{}]]}), lists), ["rows[1][0].id"]);
    }

    #[test]
    fn one_of_two_alternatives_is_enough() {
        let rules: &[&[&str]] = &[&["user_id", "open_id"]];
        assert!(fields(json!({"open_id": "ou_1"}), rules).is_empty());
        assert!(fields(json!({"user_id": "u", "open_id": "ou_1"}), rules).is_empty());
        let violations = missing(&json!({"form": "[]"}), rules);
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].field, "user_id | open_id");
        assert!(violations[0].description.contains("one of user_id, open_id"), "{}", violations[0].description);
    }

    #[test]
    fn a_body_of_another_shape_breaks_nothing_it_cannot_reach() {
        // A wrong shape is the server's to reject; the check only names what is missing.
        let rules: &[&[&str]] = &[&["members.id"]];
        assert!(fields(json!({"members": "not a list"}), rules).is_empty());
        assert!(fields(json!([1, 2]), &[&["id"]]).is_empty());
    }
}

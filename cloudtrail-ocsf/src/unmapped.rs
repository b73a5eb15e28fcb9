//! `unmapped` as Security Lake writes it: a flat map of text.
//!
//! Keys are the dotted CloudTrail paths (`userIdentity.sessionContext.sessionIssuer.type`); an array
//! adds `[]` to its key and its leaves are joined with commas into one value
//! (`requestParameters.subnets[]` = `"subnet-1,subnet-2"`); scalars are their JSON text without quotes
//! (`true`, `42`), a JSON `null` is `"null"`, and an empty object or array is `"{}"` / `"[]"` so that nothing
//! disappears.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// The flat map being built: leaves under one key are joined with commas as they arrive.
#[derive(Default)]
pub(crate) struct Unmapped {
    leaves: BTreeMap<String, String>,
    /// The key of the value being flattened, grown and cut back in place rather than rebuilt per member.
    key: String,
}

impl Unmapped {
    /// Adds `value` under `key`, flattened.
    pub fn add(&mut self, key: &str, value: &Value) {
        self.key.clear();
        self.key.push_str(key);
        self.flatten(value);
    }

    /// Adds every member of an object under `prefix.`.
    pub fn add_members(&mut self, prefix: &str, members: &Map<String, Value>) {
        for (name, member) in members {
            self.key.clear();
            self.key.push_str(prefix);
            self.key.push('.');
            self.key.push_str(name);
            self.flatten(member);
        }
    }

    /// Adds a text value as is.
    pub fn add_text(&mut self, key: &str, text: &str) {
        leaf(&mut self.leaves, key, text);
    }

    /// Flattens `value` under the current key.
    fn flatten(&mut self, value: &Value) {
        match value {
            Value::Object(members) if members.is_empty() => leaf(&mut self.leaves, &self.key, "{}"),
            Value::Object(members) => {
                let length = self.key.len();
                for (name, member) in members {
                    self.key.push('.');
                    self.key.push_str(name);
                    self.flatten(member);
                    self.key.truncate(length);
                }
            }
            Value::Array(items) if items.is_empty() => leaf(&mut self.leaves, &self.key, "[]"),
            Value::Array(items) => {
                let length = self.key.len();
                self.key.push_str("[]");
                for item in items {
                    self.flatten(item);
                }
                self.key.truncate(length);
            }
            Value::String(text) => leaf(&mut self.leaves, &self.key, text),
            Value::Null => leaf(&mut self.leaves, &self.key, "null"),
            Value::Bool(flag) => leaf(
                &mut self.leaves,
                &self.key,
                if *flag { "true" } else { "false" },
            ),
            Value::Number(number) => leaf(&mut self.leaves, &self.key, &number.to_string()),
        }
    }

    /// The flat map.
    pub fn finish(self) -> BTreeMap<String, String> {
        self.leaves
    }
}

/// Adds one leaf; a key met again (array items) gets the value after a comma.
fn leaf(leaves: &mut BTreeMap<String, String>, key: &str, text: &str) {
    match leaves.get_mut(key) {
        Some(joined) => {
            joined.push(',');
            joined.push_str(text);
        }
        None => {
            leaves.insert(key.to_owned(), text.to_owned());
        }
    }
}

/// Removes and returns the member at `path` of an object, then removes the objects the removal left
/// empty, so consumed members leave no `{}` behind.
pub(crate) fn take(
    object: &mut Map<String, Value>,
    path: &[&str],
    keep: impl Fn(&Value) -> bool,
) -> Option<Value> {
    let (first, rest) = path.split_first()?;
    if rest.is_empty() {
        if !object.get(*first).is_some_and(&keep) {
            return None;
        }
        return object.remove(*first);
    }
    let child = object.get_mut(*first)?.as_object_mut()?;
    let taken = take(child, rest, keep)?;
    if child.is_empty() {
        object.remove(*first);
    }
    Some(taken)
}

/// Removes and returns a non-empty string member at `path`.
pub(crate) fn take_str(object: &mut Map<String, Value>, path: &[&str]) -> Option<String> {
    match take(object, path, |value| {
        value.as_str().is_some_and(|text| !text.is_empty())
    })? {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// Reads a flag written as a boolean or as `"true"` / `"false"` (any case).
pub(crate) fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Removes and returns a flag member at `path` when it reads as one.
pub(crate) fn take_flag(object: &mut Map<String, Value>, path: &[&str]) -> Option<bool> {
    take(object, path, |value| flag(value).is_some())
        .as_ref()
        .and_then(flag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_as_security_lake_does() {
        let mut unmapped = Unmapped::default();
        unmapped.add(
            "responseElements",
            &json!({
                "loadBalancers": [
                    {"availabilityZones": [{"subnetId": "s-1"}, {"subnetId": "s-2"}]},
                    {"availabilityZones": [{"subnetId": "s-3"}]}
                ],
                "ok": true, "count": 3, "none": null, "empty": {}, "list": []
            }),
        );
        let map = unmapped.finish();
        assert_eq!(
            map.get("responseElements.loadBalancers[].availabilityZones[].subnetId")
                .map(String::as_str),
            Some("s-1,s-2,s-3")
        );
        assert_eq!(
            map.get("responseElements.ok").map(String::as_str),
            Some("true")
        );
        assert_eq!(
            map.get("responseElements.count").map(String::as_str),
            Some("3")
        );
        assert_eq!(
            map.get("responseElements.none").map(String::as_str),
            Some("null")
        );
        assert_eq!(
            map.get("responseElements.empty").map(String::as_str),
            Some("{}")
        );
        assert_eq!(
            map.get("responseElements.list").map(String::as_str),
            Some("[]")
        );
        assert_eq!(map.len(), 6);
    }

    #[test]
    fn taking_prunes_emptied_parents_only() {
        let mut object = json!({"a": {"b": {"c": "x"}, "d": 1}, "e": ""})
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            take_str(&mut object, &["a", "b", "c"]).as_deref(),
            Some("x")
        );
        assert_eq!(take_str(&mut object, &["e"]), None, "empty strings stay");
        assert_eq!(Value::Object(object), json!({"a": {"d": 1}, "e": ""}));
    }
}

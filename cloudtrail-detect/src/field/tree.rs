//! [`Node`]: a record's JSON payload as rules read it, parsed once per record and borrowing its strings
//! from the record's text.
//!
//! Conditions reach into `requestParameters` and the other payloads by path. A `serde_json::Value` made
//! for that owns every key and string and keeps objects in ordered maps, so most of the cost of testing
//! a payload went into building and dropping it. A node borrows each string that holds no escape,
//! keeps an object's members in the order written (the last of duplicate keys wins, as with `Value`),
//! and is turned into a `Value` only where a path ends on an object or number, whose text must be what
//! it was before (compact, keys sorted).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One JSON value of a payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'e> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'e, str>),
    Array(Vec<Node<'e>>),
    Object(Vec<(Cow<'e, str>, Node<'e>)>),
}

impl<'e> Node<'e> {
    /// A payload's tree from its JSON text, borrowing what it can.
    pub(crate) fn parse(text: &'e str) -> Result<Node<'e>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// A payload's tree from JSON text that does not live as long as the record (a payload written as a
    /// JSON string inside the record, by exports): every string is owned.
    pub(crate) fn parse_owned(text: &str) -> Result<Node<'static>, serde_json::Error> {
        Node::deserialize(&mut serde_json::Deserializer::from_reader(text.as_bytes()))
    }

    /// A tree owning what `value` held.
    pub(crate) fn from_value(value: Value) -> Node<'static> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::String(Cow::Owned(s)),
            Value::Array(items) => Node::Array(items.into_iter().map(Node::from_value).collect()),
            Value::Object(members) => Node::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Node::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// The member `key` of an object (the last one written, when a key repeats).
    pub(crate) fn member(&self, key: &str) -> Option<&Node<'e>> {
        match self {
            Node::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The `serde_json::Value` of this node, for the text of an object or number leaf.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(members) => {
                let mut map = Map::new();
                for (k, v) in members {
                    map.insert(k.to_string(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // serde_json gives only finite numbers; a non-finite one would be JSON null, as in `Value`.
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Node::String(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Node::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Node::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(key) = map.next_key_seed(Key)? {
            members.push((key, map.next_value()?));
        }
        Ok(Node::Object(members))
    }
}

/// An object key, borrowed when it holds no escape.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// JSON values of every kind, with escapes, repeated keys and nesting.
    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            "[a-z\"\\\\\u{e9}\n ]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(("[a-c\"]{1,2}", inner), 0..5)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn a_tree_holds_what_a_value_holds(value in json()) {
            // Compared with what serde_json reads back from the same text (floats may differ in
            // their last digit from the value written).
            let text = value.to_string();
            let read: Value = serde_json::from_str(&text).unwrap();
            let node = Node::parse(&text).unwrap();
            prop_assert_eq!(node.to_value(), read.clone());
            prop_assert_eq!(Node::parse_owned(&text).unwrap().to_value(), read.clone());
            prop_assert_eq!(Node::from_value(read.clone()).to_value(), read);
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_the_last_repeated_key_wins() {
        let text = r#"{"a":"plain","b":"esc\"aped","a":"again"}"#;
        let node = Node::parse(text).unwrap();
        assert!(matches!(node.member("b"), Some(Node::String(Cow::Owned(s))) if s == "esc\"aped"));
        assert!(matches!(
            node.member("a"),
            Some(Node::String(Cow::Borrowed("again")))
        ));
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(value["a"], "again");
        assert!(node.member("c").is_none());
        assert!(Node::parse("{").is_err());
    }
}

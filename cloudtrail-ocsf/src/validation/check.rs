//! The walk over a record: each object against its definition, each value against its type.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::schema::{Attribute, Definition, Requirement, Schema};
use super::{Problem, Violation};
use crate::version::OcsfVersion;

/// The generic object type (`unmapped`): any members, checked only for nulls.
const ANY_OBJECT: &str = "object";

/// `activity_id` / `status_id` value whose sibling holds the source's own text.
const OTHER: &str = "99";

struct Walk<'s> {
    schema: &'s Schema,
    profiles: HashSet<&'s str>,
    violations: Vec<Violation>,
}

/// Every violation of `record`.
pub(crate) fn record(schema: &Schema, version: OcsfVersion, record: &Value) -> Vec<Violation> {
    let mut walk = Walk {
        schema,
        profiles: HashSet::new(),
        violations: Vec::new(),
    };
    let Some(members) = record.as_object() else {
        walk.report("", Problem::NotAnObject);
        return walk.violations;
    };
    let class_uid = members.get("class_uid");
    let class = class_uid
        .and_then(Value::as_i64)
        .and_then(|uid| schema.classes.get(&uid.to_string()));
    let Some(class) = class else {
        walk.report(
            "class_uid",
            Problem::UnknownClass {
                found: class_uid.map_or_else(|| "absent".to_owned(), Value::to_string),
            },
        );
        return walk.violations;
    };
    let metadata = members.get("metadata");
    if let Some(profiles) = metadata
        .and_then(|m| m.get("profiles"))
        .and_then(Value::as_array)
    {
        walk.profiles = profiles
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|name| known_profile(name))
            .collect();
    }
    if let Some(found) = metadata.and_then(|m| m.get("version"))
        && found.as_str() != Some(version.as_str())
    {
        walk.report(
            "metadata.version",
            Problem::VersionMismatch {
                expected: version.as_str(),
                found: found.to_string(),
            },
        );
    }
    walk.type_uid(members, class);
    walk.object("", members, class);
    walk.violations
}

/// Profiles as `'static` names, so the set outlives the record (unknown names declare nothing).
fn known_profile(name: &str) -> Option<&'static str> {
    const PROFILES: &[&str] = &[
        "cloud",
        "datetime",
        "host",
        "container",
        "linux",
        "load_balancer",
        "network_proxy",
        "security_control",
        "osint",
        "date_time",
        "data_classification",
        "incident",
        "trace",
    ];
    PROFILES.iter().copied().find(|profile| *profile == name)
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Walk<'_> {
    fn report(&mut self, path: &str, problem: Problem) {
        self.violations.push(Violation {
            path: path.to_owned(),
            problem,
        });
    }

    /// `type_uid = class_uid * 100 + activity_id`, and `type_name` = "<class>: <activity>".
    fn type_uid(&mut self, members: &Map<String, Value>, class: &Definition) {
        let class_uid = members.get("class_uid").and_then(Value::as_i64);
        let activity_id = members.get("activity_id").and_then(Value::as_i64);
        let (Some(class_uid), Some(activity_id)) = (class_uid, activity_id) else {
            return;
        };
        let expected = class_uid * 100 + activity_id;
        if let Some(found) = members.get("type_uid")
            && found.as_i64() != Some(expected)
        {
            self.report(
                "type_uid",
                Problem::TypeMismatch {
                    expected: expected.to_string(),
                    found: found.to_string(),
                },
            );
        }
        let activity_caption = class
            .attributes
            .get("activity_id")
            .and_then(|attribute| attribute.enum_values.as_ref())
            .and_then(|values| values.get(&activity_id.to_string()))
            .cloned()
            .flatten();
        if let (Some(class_caption), Some(activity_caption), Some(found)) = (
            class.caption.as_deref(),
            activity_caption,
            members.get("type_name"),
        ) {
            let expected = format!("{class_caption}: {activity_caption}");
            if found.as_str() != Some(expected.as_str()) {
                self.report(
                    "type_name",
                    Problem::TypeMismatch {
                        expected,
                        found: found.to_string(),
                    },
                );
            }
        }
    }

    fn object(&mut self, path: &str, members: &Map<String, Value>, definition: &Definition) {
        for (name, value) in members {
            let here = join(path, name);
            let Some(attribute) = definition.attributes.get(name) else {
                self.report(&here, Problem::UnknownAttribute);
                continue;
            };
            if let Some(profile) = &attribute.profile
                && !self.profiles.contains(profile.as_str())
            {
                self.report(
                    &here,
                    Problem::ProfileNotDeclared {
                        profile: profile.clone(),
                    },
                );
            }
            self.attribute(&here, value, attribute);
        }
        for (name, attribute) in &definition.attributes {
            let gated_out = attribute
                .profile
                .as_deref()
                .is_some_and(|profile| !self.profiles.contains(profile));
            if attribute.requirement == Requirement::Required
                && !gated_out
                && !members.contains_key(name)
            {
                self.report(&join(path, name), Problem::MissingRequired);
            }
            if let (Some(sibling), Some(values)) = (&attribute.sibling, &attribute.enum_values) {
                self.sibling(path, members, name, sibling, values);
            }
        }
        let present = |names: &[String]| {
            names
                .iter()
                .filter(|name| members.get(name.as_str()).is_some_and(|v| !v.is_null()))
                .count()
        };
        let constraints = &definition.constraints;
        if !constraints.at_least_one.is_empty() && present(&constraints.at_least_one) == 0 {
            self.report(
                path,
                Problem::AtLeastOne {
                    attributes: constraints.at_least_one.clone(),
                },
            );
        }
        if !constraints.just_one.is_empty() {
            let found = present(&constraints.just_one);
            if found != 1 {
                self.report(
                    path,
                    Problem::JustOne {
                        attributes: constraints.just_one.clone(),
                        found,
                    },
                );
            }
        }
    }

    /// The caption sibling of an enumerated attribute names the value's caption (except for Other,
    /// whose sibling is the source's own label).
    fn sibling(
        &mut self,
        path: &str,
        members: &Map<String, Value>,
        name: &str,
        sibling: &str,
        values: &std::collections::HashMap<String, Option<String>>,
    ) {
        let Some(value) = members.get(name).and_then(enum_key) else {
            return;
        };
        if value == OTHER {
            return;
        }
        let (Some(Some(caption)), Some(found)) = (values.get(&value), members.get(sibling)) else {
            return;
        };
        if found.as_str() != Some(caption.as_str()) {
            self.report(
                &join(path, sibling),
                Problem::SiblingMismatch {
                    sibling: sibling.to_owned(),
                    expected: caption.clone(),
                    found: found
                        .as_str()
                        .map_or_else(|| found.to_string(), str::to_owned),
                },
            );
        }
    }

    fn attribute(&mut self, path: &str, value: &Value, attribute: &Attribute) {
        if value.is_null() {
            self.report(path, Problem::ExplicitNull);
            return;
        }
        if attribute.array {
            let Some(items) = value.as_array() else {
                self.report(
                    path,
                    Problem::WrongType {
                        expected: format!("array of {}", self.type_label(attribute)),
                        found: json_kind(value),
                    },
                );
                return;
            };
            for (index, item) in items.iter().enumerate() {
                let here = format!("{path}[{index}]");
                if item.is_null() {
                    self.report(&here, Problem::ExplicitNull);
                } else {
                    self.single(&here, item, attribute);
                }
            }
        } else {
            self.single(path, value, attribute);
        }
    }

    fn type_label(&self, attribute: &Attribute) -> String {
        attribute
            .object
            .clone()
            .unwrap_or_else(|| attribute.type_name.clone())
    }

    fn single(&mut self, path: &str, value: &Value, attribute: &Attribute) {
        if let Some(object) = &attribute.object {
            let Some(members) = value.as_object() else {
                self.report(
                    path,
                    Problem::WrongType {
                        expected: object.clone(),
                        found: json_kind(value),
                    },
                );
                return;
            };
            if object == ANY_OBJECT {
                self.no_nulls(path, value);
                return;
            }
            match self.schema.objects.get(object) {
                Some(definition) => self.object(path, members, definition),
                None => self.report(
                    path,
                    Problem::SchemaUnavailable(format!("object {object} is not in the schema")),
                ),
            }
            return;
        }
        self.scalar(path, value, &attribute.type_name);
        if let Some(values) = &attribute.enum_values
            && let Some(key) = enum_key(value)
            && !values.contains_key(&key)
        {
            self.report(
                path,
                Problem::NotInEnum {
                    value: value.to_string(),
                },
            );
        }
    }

    /// Explicit nulls inside a generic object.
    fn no_nulls(&mut self, path: &str, value: &Value) {
        match value {
            Value::Null => self.report(path, Problem::ExplicitNull),
            Value::Object(members) => {
                for (name, member) in members {
                    self.no_nulls(&join(path, name), member);
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.no_nulls(&format!("{path}[{index}]"), item);
                }
            }
            _ => {}
        }
    }

    fn scalar(&mut self, path: &str, value: &Value, type_name: &str) {
        let chain = self.schema.type_chain(type_name);
        let Some((_, base)) = chain.last() else {
            self.report(
                path,
                Problem::SchemaUnavailable(format!("type {type_name} is not in the schema")),
            );
            return;
        };
        let wrong = |expected: &str| Problem::WrongType {
            expected: expected.to_owned(),
            found: json_kind(value),
        };
        match base.base.as_str() {
            "json_t" => {}
            "boolean_t" => {
                if !value.is_boolean() {
                    self.report(path, wrong(type_name));
                }
            }
            "float_t" => {
                if !value.is_number() {
                    self.report(path, wrong(type_name));
                }
            }
            "integer_t" | "long_t" => {
                let Some(number) = value.as_i64() else {
                    self.report(path, wrong(type_name));
                    return;
                };
                let in_i32 = i32::try_from(number).is_ok();
                let range = chain.iter().find_map(|(_, def)| def.range);
                let in_range = range.is_none_or(|(low, high)| (low..=high).contains(&number));
                if (base.base == "integer_t" && !in_i32) || !in_range {
                    self.report(
                        path,
                        Problem::OutOfRange {
                            type_name: type_name.to_owned(),
                            value: number.to_string(),
                        },
                    );
                }
            }
            _ => {
                let Some(text) = value.as_str() else {
                    self.report(path, wrong(type_name));
                    return;
                };
                if let Some((limited, max_len)) = chain
                    .iter()
                    .find_map(|(name, def)| def.max_len.map(|max| (*name, max)))
                {
                    let length = text.chars().count();
                    if length > max_len {
                        self.report(
                            path,
                            Problem::TooLong {
                                type_name: limited.to_owned(),
                                max_len,
                                length,
                            },
                        );
                    }
                }
                let pattern = chain
                    .iter()
                    .find_map(|(name, _)| self.schema.patterns.get(*name).map(|re| (*name, re)));
                // The schema's ip_t pattern leaves its dots unescaped (`205.8.181` matches), so an
                // address must also read as one: IPv4 or IPv6, with an optional `%zone`.
                let not_an_ip = chain.iter().any(|(name, _)| *name == "ip_t") && !is_ip(text);
                if not_an_ip {
                    self.report(
                        path,
                        Problem::Pattern {
                            type_name: "ip_t".to_owned(),
                            value: text.to_owned(),
                        },
                    );
                } else if let Some((patterned, regex)) = pattern
                    && !regex.is_match(text)
                {
                    self.report(
                        path,
                        Problem::Pattern {
                            type_name: patterned.to_owned(),
                            value: text.to_owned(),
                        },
                    );
                }
            }
        }
    }
}

/// An IPv4 or IPv6 address, optionally with a zone (`fe80::1%eth0`) and surrounding blanks, which the
/// schema's pattern allows.
fn is_ip(text: &str) -> bool {
    let trimmed = text.trim();
    let address = trimmed
        .split_once('%')
        .map_or(trimmed, |(address, _)| address);
    address.parse::<std::net::IpAddr>().is_ok()
}

/// An enumerated value as the schema keys it: integers and strings as text.
fn enum_key(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::schema::load;
    use serde_json::json;

    #[test]
    fn just_one_counts_the_present_attributes() {
        // No class of the three has a `just_one` at its own level, so a small schema stands in.
        let schema = load(
            &json!({
                "classes": {"6003": {"caption": "API Activity", "attributes": {
                    "class_uid": {"requirement": "required", "type": "integer_t"},
                    "a": {"requirement": "optional", "type": "string_t"},
                    "b": {"requirement": "optional", "type": "string_t"}
                }, "constraints": {"just_one": ["a", "b"]}}},
                "objects": {},
                "types": {"string_t": {"base": "string_t"}, "integer_t": {"base": "integer_t"}}
            })
            .to_string(),
        )
        .unwrap();
        let problems = |value: Value| -> Vec<Problem> {
            record(&schema, OcsfVersion::V1_1_0, &value)
                .into_iter()
                .map(|violation| violation.problem)
                .collect()
        };
        assert_eq!(problems(json!({"class_uid": 6003, "a": "x"})), vec![]);
        let both = problems(json!({"class_uid": 6003, "a": "x", "b": "y"}));
        assert!(
            matches!(both.as_slice(), [Problem::JustOne { found: 2, .. }]),
            "{both:?}"
        );
        let none = problems(json!({"class_uid": 6003}));
        assert!(
            matches!(none.as_slice(), [Problem::JustOne { found: 0, .. }]),
            "{none:?}"
        );
    }
}

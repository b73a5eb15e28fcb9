//! Sigma `detection` sections: selections and their modifiers compiled to [`Condition`]s.

use yaml_rust2::Yaml;

use super::SigmaError;
use super::document::{get, scalar};
use super::expr;
use crate::condition::{Condition, FieldTest, field, on};
use crate::field::{Field, Payload};
use crate::matcher::{Comparison, Matcher};

/// Compiles a detection (or filter) section: its selections, then its condition over them.
pub(crate) fn compile(detection: &Yaml, member: &str) -> Result<Condition, SigmaError> {
    let Some(map) = detection.as_hash() else {
        return Err(SigmaError::Shape {
            member: member.to_owned(),
            expected: "must be a map of selections and a condition",
        });
    };
    let mut selections = Vec::new();
    for (key, value) in map {
        let Some(name) = key.as_str() else {
            return Err(SigmaError::Shape {
                member: format!("{member}.{key:?}"),
                expected: "must be named by a string",
            });
        };
        match name {
            "condition" | "rules" => {}
            "timeframe" => {
                return Err(SigmaError::Shape {
                    member: format!("{member}.timeframe"),
                    expected: "belongs to Sigma 1.0 aggregations; write a correlation rule instead",
                });
            }
            _ => selections.push((
                name.to_owned(),
                selection(value, &format!("{member}.{name}"))?,
            )),
        }
    }
    let conditions = match get(detection, "condition") {
        Yaml::Array(items) => items
            .iter()
            .map(|c| {
                c.as_str().map(str::to_owned).ok_or(SigmaError::Shape {
                    member: format!("{member}.condition"),
                    expected: "must be a string or a list of strings",
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Yaml::String(text) => vec![text.clone()],
        Yaml::BadValue if selections.len() == 1 => vec![selections[0].0.clone()],
        Yaml::BadValue => return Err(SigmaError::Missing("detection.condition")),
        _ => {
            return Err(SigmaError::Shape {
                member: format!("{member}.condition"),
                expected: "must be a string or a list of strings",
            });
        }
    };
    let mut compiled = conditions
        .iter()
        .map(|text| expr::parse(text, &selections))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if compiled.len() == 1 {
        compiled.remove(0)
    } else {
        Condition::Any(compiled)
    })
}

/// A selection: a map (every entry), a list of maps (any map), or keywords (any keyword).
fn selection(value: &Yaml, member: &str) -> Result<Condition, SigmaError> {
    match value {
        Yaml::Hash(map) => {
            let mut all = Vec::with_capacity(map.len());
            for (key, values) in map {
                let key = scalar(key).ok_or_else(|| SigmaError::Shape {
                    member: member.to_owned(),
                    expected: "must have string keys",
                })?;
                all.push(entry(&key, values)?);
            }
            Ok(one_or(all, Condition::All))
        }
        Yaml::Array(items) if items.iter().all(|i| i.as_hash().is_some()) => {
            let any = items
                .iter()
                .map(|i| selection(i, member))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(one_or(any, Condition::Any))
        }
        Yaml::Array(items) => {
            let keywords = items
                .iter()
                .map(|i| {
                    scalar(i).ok_or_else(|| SigmaError::Shape {
                        member: member.to_owned(),
                        expected: "must be a list of maps or a list of keywords, not a mix",
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(keyword(keywords))
        }
        other => match scalar(other) {
            Some(word) => Ok(keyword(vec![word])),
            None => Err(SigmaError::Shape {
                member: member.to_owned(),
                expected: "must be a map, a list of maps or keywords",
            }),
        },
    }
}

/// Keywords match anywhere in the record's JSON text.
fn keyword(words: Vec<String>) -> Condition {
    let patterns: Vec<String> = words.iter().map(|w| format!("*{}*", glob(w))).collect();
    on(Field::Path(Payload::Record, Vec::new())).glob(patterns)
}

fn one_or(mut items: Vec<Condition>, many: fn(Vec<Condition>) -> Condition) -> Condition {
    if items.len() == 1 {
        items.remove(0)
    } else {
        many(items)
    }
}

/// How values are compared, from the modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
    Regex,
    Cidr,
    Exists,
    Compare(Comparison),
    FieldRef,
}

/// One `field|modifiers: values` entry.
fn entry(key: &str, values: &Yaml) -> Result<Condition, SigmaError> {
    let mut parts = key.split('|');
    let name = parts.next().unwrap_or_default().to_owned();
    let unsupported = |modifier: &str, reason: &'static str| SigmaError::Modifier {
        field: name.clone(),
        modifier: modifier.to_owned(),
        reason,
    };
    let bad_value = |reason: String| SigmaError::Value {
        field: name.clone(),
        reason,
    };
    let mut how = How::Equals;
    let (mut all, mut cased) = (false, false);
    let mut regex_flags = String::new();
    let mut base64: Option<bool> = None; // Some(offsets)
    for modifier in parts {
        let set = |how: &mut How, to: How| {
            if *how != How::Equals {
                return Err(unsupported(
                    modifier,
                    "only one comparison modifier per field",
                ));
            }
            *how = to;
            Ok(())
        };
        match modifier {
            "contains" => set(&mut how, How::Contains)?,
            "startswith" => set(&mut how, How::StartsWith)?,
            "endswith" => set(&mut how, How::EndsWith)?,
            "re" => set(&mut how, How::Regex)?,
            "cidr" => set(&mut how, How::Cidr)?,
            "exists" => set(&mut how, How::Exists)?,
            "fieldref" => set(&mut how, How::FieldRef)?,
            "lt" => set(&mut how, How::Compare(Comparison::Less))?,
            "lte" => set(&mut how, How::Compare(Comparison::LessOrEqual))?,
            "gt" => set(&mut how, How::Compare(Comparison::Greater))?,
            "gte" => set(&mut how, How::Compare(Comparison::GreaterOrEqual))?,
            "i" | "m" | "s" if how == How::Regex => regex_flags.push_str(modifier),
            "all" => all = true,
            "cased" => cased = true,
            "base64" => base64 = Some(false),
            "base64offset" => base64 = Some(true),
            "windash" => {
                return Err(unsupported(
                    modifier,
                    "it rewrites Windows command-line flags, and CloudTrail records have no command lines",
                ));
            }
            "wide" | "utf16" | "utf16le" | "utf16be" => {
                return Err(unsupported(
                    modifier,
                    "CloudTrail text is UTF-8 JSON; there is no UTF-16 to match",
                ));
            }
            "expand" => {
                return Err(unsupported(
                    modifier,
                    "placeholders need a deployment's values; substitute them before loading",
                ));
            }
            _ => return Err(unsupported(modifier, "unknown modifier")),
        }
    }
    if name.is_empty() {
        return Err(bad_value("a field name is required".to_owned()));
    }
    let field_name = name.clone();
    let target = || {
        let test = field(&field_name);
        if cased { test.cased() } else { test }
    };

    // Values: a list means any of them (all of them with `all`); `null` means the field is absent.
    let items: Vec<&Yaml> = match values {
        Yaml::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    if items.is_empty() {
        return Err(bad_value("an empty list of values".to_owned()));
    }
    let mut tests = Vec::with_capacity(items.len());
    let mut texts = Vec::new();
    for item in &items {
        match item {
            Yaml::Null => {
                if how != How::Equals {
                    return Err(bad_value("`null` cannot take a modifier".to_owned()));
                }
                tests.push(target().exists().not());
            }
            other => texts.push(scalar(other).ok_or_else(|| {
                bad_value("values must be strings, numbers, booleans or null".to_owned())
            })?),
        }
    }
    if let Some(offsets) = base64 {
        if !matches!(
            how,
            How::Equals | How::Contains | How::StartsWith | How::EndsWith
        ) {
            return Err(unsupported(
                "base64",
                "it applies to plain and contains/startswith/endswith values",
            ));
        }
        if offsets && (how != How::Contains || all) {
            return Err(unsupported(
                "base64offset",
                "it needs `contains` and cannot be combined with `all`",
            ));
        }
        // With offsets, the three encodings of each value are alternatives.
        texts = texts
            .iter()
            .flat_map(|t| encode_base64(t.as_bytes(), offsets))
            .collect();
        // A value too short to own a whole base64 character at some alignment (one byte) would give
        // an empty pattern there, which every text contains.
        if offsets && texts.iter().any(String::is_empty) {
            return Err(bad_value(
                "a `base64offset` value must be at least two bytes: shorter ones have an alignment \
                 with no base64 character of their own, and would match every record"
                    .to_owned(),
            ));
        }
    }
    if !texts.is_empty() {
        match how {
            How::Exists => {
                let [flag] = texts.as_slice() else {
                    return Err(bad_value(
                        "`exists` takes one value, true or false".to_owned(),
                    ));
                };
                match flag.as_str() {
                    "true" => tests.push(target().exists()),
                    "false" => tests.push(target().exists().not()),
                    _ => return Err(bad_value("`exists` takes true or false".to_owned())),
                }
            }
            How::Regex => {
                let prefix = regex_prefix(&regex_flags);
                for text in &texts {
                    let test = target().cased();
                    tests.push(
                        test.regex(&format!("{prefix}{text}"))
                            .map_err(|e| bad_value(e.to_string()))?,
                    );
                }
            }
            How::Cidr => tests.push(
                target()
                    .cidr(&texts)
                    .map_err(|e| bad_value(e.to_string()))?,
            ),
            How::Compare(comparison) => {
                for text in &texts {
                    let bound = text
                        .parse::<f64>()
                        .map_err(|_| bad_value(format!("{text:?} is not a number")))?;
                    tests.push(target().compare(comparison, bound));
                }
            }
            How::FieldRef => {
                for text in &texts {
                    tests.push(Condition::SameValue {
                        field: Field::parse(&name),
                        other: Field::parse(text),
                        cased,
                    });
                }
            }
            How::Equals | How::Contains | How::StartsWith | How::EndsWith => {
                tests.extend(text_tests(how, &texts, all, target));
            }
        }
    }
    Ok(if all {
        one_or(tests, Condition::All)
    } else {
        one_or(tests, Condition::Any)
    })
}

/// Equality and substring tests, as plain matchers when there are no wildcards, as globs otherwise.
fn text_tests(
    how: How,
    texts: &[String],
    all: bool,
    target: impl Fn() -> FieldTest,
) -> Vec<Condition> {
    let wild = texts.iter().any(|t| has_wildcard(t));
    if wild {
        let patterns: Vec<String> = texts
            .iter()
            .map(|t| {
                let g = glob(t);
                match how {
                    How::Contains => format!("*{g}*"),
                    How::StartsWith => format!("{g}*"),
                    How::EndsWith => format!("*{g}"),
                    _ => g,
                }
            })
            .collect();
        return if all {
            patterns.into_iter().map(|p| target().glob([p])).collect()
        } else {
            vec![target().glob(patterns)]
        };
    }
    let plain: Vec<String> = texts.iter().map(|t| unescape(t)).collect();
    if all {
        return match how {
            How::Contains => vec![target().contains_all(plain)],
            _ => plain
                .into_iter()
                .map(|p| text_test(how, vec![p], &target))
                .collect(),
        };
    }
    vec![text_test(how, plain, &target)]
}

fn text_test(how: How, values: Vec<String>, target: &impl Fn() -> FieldTest) -> Condition {
    match how {
        How::Contains => target().contains(values),
        How::StartsWith => target().starts_with(values),
        How::EndsWith => target().ends_with(values),
        _ => target().matches(Matcher::Equals(values)),
    }
}

fn regex_prefix(flags: &str) -> String {
    if flags.is_empty() {
        String::new()
    } else {
        let mut unique: Vec<char> = flags.chars().collect();
        unique.sort_unstable();
        unique.dedup();
        format!("(?{})", unique.into_iter().collect::<String>())
    }
}

/// Whether a Sigma value has an unescaped `*` or `?`.
fn has_wildcard(value: &str) -> bool {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if matches!(chars.peek(), Some('*' | '?' | '\\')) {
                    chars.next();
                }
            }
            '*' | '?' => return true,
            _ => {}
        }
    }
    false
}

/// A Sigma value as the engine's glob: Sigma escapes only `*`, `?` and `\`; any other backslash is a
/// literal backslash.
fn glob(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next @ ('*' | '?' | '\\')) => {
                    out.push('\\');
                    out.push(next);
                    chars.next();
                }
                _ => out.push_str("\\\\"),
            },
            other => out.push(other),
        }
    }
    out
}

/// A Sigma value without wildcards, its escapes resolved.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&next @ ('*' | '?' | '\\'))) => {
                out.push(next);
                chars.next();
            }
            (other, _) => out.push(other),
        }
    }
    out
}

/// Base64 of `bytes`; with `offsets`, the three encodings a value gets at the three alignments inside a
/// longer encoded text, each trimmed to the characters that do not depend on its neighbours.
fn encode_base64(bytes: &[u8], offsets: bool) -> Vec<String> {
    if !offsets {
        return vec![base64(bytes)];
    }
    (0..3usize)
        .map(|shift| {
            let mut padded = vec![0u8; shift];
            padded.extend_from_slice(bytes);
            let encoded = base64(&padded);
            let start = [0, 2, 3][shift];
            let end_trim = [0, 3, 2][(bytes.len() + shift) % 3];
            let end = encoded.trim_end_matches('=').len();
            let end = if end_trim == 0 {
                end
            } else {
                encoded.len() - end_trim
            };
            encoded
                .get(start..end.max(start))
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_offsets() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        // The three offsets of "curl" all occur in encodings of text that contains it.
        let variants = encode_base64(b"curl", true);
        for prefix in ["", "a", "ab"] {
            let text = format!("{prefix}curl http://x");
            let encoded = base64(text.as_bytes());
            assert!(
                variants
                    .iter()
                    .any(|v| !v.is_empty() && encoded.contains(v.as_str())),
                "{encoded} has none of {variants:?}"
            );
        }
    }

    #[test]
    fn escapes() {
        assert!(has_wildcard("a*b"));
        assert!(!has_wildcard(r"a\*b"));
        assert_eq!(glob(r"a\*b\x"), r"a\*b\\x");
        assert_eq!(unescape(r"a\*b\\c\d"), r"a*b\c\d");
    }
}

//! Reading Sigma YAML documents: which kind each is, its metadata, and its detection compiled.

use yaml_rust2::{Yaml, YamlLoader};

use super::SigmaError;
use super::correlation::CorrelationSpec;
use super::detection;
use super::meta::Meta;
use crate::condition::Condition;

/// One Sigma document, its detection already compiled.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) meta: Meta,
    pub(crate) body: Body,
}

/// What a document holds.
#[derive(Debug)]
pub(crate) enum Body {
    /// A detection rule.
    Detection(Condition),
    /// A filter: its condition is added to the named rules.
    Filter {
        rules: Vec<String>,
        condition: Condition,
    },
    /// A correlation rule, resolved once every document is loaded.
    Correlation(CorrelationSpec),
}

/// A document that failed: its title or id when known, and why.
pub(crate) type Failed = (Option<String>, SigmaError);

/// How deeply a Sigma document may nest (real rules nest four or five levels).
pub(crate) const MAX_NESTING: usize = 100;

/// Parses every document of a YAML text.
pub(crate) fn parse(text: &str) -> Result<Vec<Result<Document, Failed>>, SigmaError> {
    // The YAML tree is recursive: refuse absurd nesting before building it.
    if nesting(text) > MAX_NESTING {
        return Err(SigmaError::Shape {
            member: "document".to_owned(),
            expected: "nests more than 100 levels deep",
        });
    }
    let documents = YamlLoader::load_from_str(text).map_err(SigmaError::Yaml)?;
    Ok(documents
        .iter()
        .filter(|d| !matches!(d, Yaml::Null))
        .map(|d| {
            let meta = Meta::read(d);
            let label = meta.label();
            read(d, meta).map_err(|error| (label, error))
        })
        .collect())
}

/// An upper estimate of a YAML text's nesting: flow brackets open at once, or on one line its indentation
/// plus the block-sequence dashes that start it. (Brackets inside quoted text count too, which can only
/// overestimate.)
fn nesting(text: &str) -> usize {
    let mut deepest = 0;
    let mut flow = 0usize;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let mut rest = &line[indent..];
        let mut block = indent;
        while let Some(next) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("? ")) {
            block += 1;
            rest = next.trim_start_matches(' ');
        }
        deepest = deepest.max(block);
        for byte in line.bytes() {
            match byte {
                b'[' | b'{' => {
                    flow += 1;
                    deepest = deepest.max(flow + block);
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    deepest
}

fn read(yaml: &Yaml, meta: Meta) -> Result<Document, SigmaError> {
    if yaml.as_hash().is_none() {
        return Err(SigmaError::Shape {
            member: "document".to_owned(),
            expected: "must be a map",
        });
    }
    if let Some(action) = get(yaml, "action").as_str() {
        return Err(SigmaError::Shape {
            member: format!("action: {action}"),
            expected: "(a Sigma 1.0 rule collection) is not supported; write each rule whole",
        });
    }
    let body = if !get(yaml, "correlation").is_badvalue() {
        Body::Correlation(CorrelationSpec::read(get(yaml, "correlation"))?)
    } else if !get(yaml, "filter").is_badvalue() {
        check_logsource(yaml)?;
        let filter = get(yaml, "filter");
        let rules = strings(get(filter, "rules"), "filter.rules")?;
        let condition = detection::compile(filter, "filter")?;
        Body::Filter { rules, condition }
    } else {
        check_logsource(yaml)?;
        let detection = get(yaml, "detection");
        if detection.is_badvalue() {
            return Err(SigmaError::Missing("detection"));
        }
        Body::Detection(detection::compile(detection, "detection")?)
    };
    if meta.title.is_empty() && meta.id.is_none() && meta.name.is_none() {
        return Err(SigmaError::Missing("title"));
    }
    Ok(Document { meta, body })
}

/// Accepts `product: aws` with `service: cloudtrail` (or no service).
fn check_logsource(yaml: &Yaml) -> Result<(), SigmaError> {
    let logsource = get(yaml, "logsource");
    if logsource.is_badvalue() {
        return Err(SigmaError::Missing("logsource"));
    }
    let product = get(logsource, "product").as_str().unwrap_or_default();
    let service = get(logsource, "service").as_str();
    let category = get(logsource, "category").as_str();
    let aws = product.eq_ignore_ascii_case("aws");
    let cloudtrail = service.is_none_or(|s| s.eq_ignore_ascii_case("cloudtrail"));
    if aws && cloudtrail && category.is_none() {
        return Ok(());
    }
    let described = [
        ("product", Some(product)),
        ("service", service),
        ("category", category),
    ]
    .iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| format!("{k}: {v}")))
    .collect::<Vec<_>>()
    .join(", ");
    Err(SigmaError::Logsource(format!("{{{described}}}")))
}

/// A member of a map (`BadValue` when absent or not a map).
pub(crate) fn get<'y>(yaml: &'y Yaml, key: &str) -> &'y Yaml {
    &yaml[key]
}

/// A scalar as text: strings as they are, numbers and booleans as written.
pub(crate) fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string or a list of strings (absent: empty).
pub(crate) fn strings(yaml: &Yaml, member: &str) -> Result<Vec<String>, SigmaError> {
    let shape = || SigmaError::Shape {
        member: member.to_owned(),
        expected: "must be a string or a list of strings",
    };
    match yaml {
        Yaml::BadValue | Yaml::Null => Ok(Vec::new()),
        Yaml::Array(items) => items.iter().map(|i| scalar(i).ok_or_else(shape)).collect(),
        other => scalar(other).map(|s| vec![s]).ok_or_else(shape),
    }
}

//! Reading Sigma YAML documents: which kind each is, its metadata, and its detection compiled.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;
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

/// How many YAML nodes a file may make the loader build, aliases expanded and anchored nodes counted
/// twice (it keeps a copy of each); SigmaHQ's CloudTrail rules build 20 to 60. The loader copies an
/// anchored node at every alias, so a few lines of nested aliases ("billion laughs") would otherwise
/// build gigabytes.
pub(crate) const MAX_EXPANDED_NODES: u64 = 100_000;

/// How many bytes of scalar text a file may make the loader build, counted the same way (an anchored
/// long string aliased many times).
pub(crate) const MAX_EXPANDED_BYTES: u64 = 4 << 20;

/// Parses every document of a YAML text.
pub(crate) fn parse(text: &str) -> Result<Vec<Result<Document, Failed>>, SigmaError> {
    // The YAML tree is recursive: refuse absurd nesting before building it.
    if nesting(text) > MAX_NESTING {
        return Err(SigmaError::Shape {
            member: "document".to_owned(),
            expected: "nests more than 100 levels deep",
        });
    }
    // Count what the loader would build, aliases expanded, before letting it build anything.
    let expanded = expanded_size(text)?;
    if expanded.nodes > MAX_EXPANDED_NODES || expanded.bytes > MAX_EXPANDED_BYTES {
        return Err(SigmaError::AliasExpansion {
            nodes: MAX_EXPANDED_NODES,
            bytes: MAX_EXPANDED_BYTES,
        });
    }
    if expanded.depth > MAX_NESTING {
        return Err(SigmaError::Shape {
            member: "document".to_owned(),
            expected: "nests more than 100 levels deep once its aliases are expanded",
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

/// The size of what the YAML loader builds from a text: nodes with every alias expanded, plus the copy
/// it keeps of each anchored node; and the depth of the expanded tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Expanded {
    pub(crate) nodes: u64,
    /// Bytes of scalar text.
    pub(crate) bytes: u64,
    pub(crate) depth: usize,
}

/// Walks the parser's events (linear in the text, nothing built) and adds up, for every alias, the size
/// of the node it names. Sizes saturate: a bomb reads as `u64::MAX` nodes, never overflows. The event
/// pass holds one entry per open collection and per anchor, so its own memory is linear in the text.
pub(crate) fn expanded_size(text: &str) -> Result<Expanded, SigmaError> {
    #[derive(Default)]
    struct Counter {
        /// Open collections: their anchor id and what they hold so far.
        open: Vec<(usize, Expanded)>,
        /// Anchored nodes by id.
        anchors: std::collections::HashMap<usize, Expanded>,
        total: Expanded,
        /// The copy the loader keeps of every anchored node.
        copies: Expanded,
    }
    impl Counter {
        fn close(&mut self, anchor: usize, node: Expanded) {
            if anchor > 0 {
                self.anchors.insert(anchor, node);
                self.copies.nodes = self.copies.nodes.saturating_add(node.nodes);
                self.copies.bytes = self.copies.bytes.saturating_add(node.bytes);
            }
            // A document's root adds no level of its own: depth counts collections, leaves are 0.
            let (parent, level) = match self.open.last_mut() {
                Some((_, parent)) => (parent, 1),
                None => (&mut self.total, 0),
            };
            parent.nodes = parent.nodes.saturating_add(node.nodes);
            parent.bytes = parent.bytes.saturating_add(node.bytes);
            parent.depth = parent.depth.max(node.depth.saturating_add(level));
        }
    }
    impl MarkedEventReceiver for Counter {
        fn on_event(&mut self, event: Event, _mark: Marker) {
            let leaf = Expanded {
                nodes: 1,
                bytes: 0,
                depth: 0,
            };
            match event {
                Event::Scalar(text, _, anchor, _) => self.close(
                    anchor,
                    Expanded {
                        bytes: text.len() as u64,
                        ..leaf
                    },
                ),
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    self.open.push((anchor, leaf));
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some((anchor, node)) = self.open.pop() {
                        self.close(anchor, node);
                    }
                }
                Event::Alias(id) => {
                    let node = self.anchors.get(&id).copied().unwrap_or(leaf);
                    self.close(0, node);
                }
                _ => {}
            }
        }
    }
    let mut counter = Counter::default();
    Parser::new_from_str(text)
        .load(&mut counter, true)
        .map_err(SigmaError::Yaml)?;
    Ok(Expanded {
        nodes: counter.total.nodes.saturating_add(counter.copies.nodes),
        bytes: counter.total.bytes.saturating_add(counter.copies.bytes),
        depth: counter.total.depth,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `levels` lines of ten aliases to the line before: 10^levels leaves once expanded.
    fn nested_aliases(levels: usize) -> String {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..levels {
            let aliases = vec![format!("*a{}", level - 1); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
        }
        text
    }

    #[test]
    fn the_expanded_size_counts_aliases_without_building_them() {
        let text = nested_aliases(9);
        let size = expanded_size(&text).unwrap();
        assert!(size.nodes > 1_000_000_000, "{size:?}");
        assert!(matches!(
            parse(&text),
            Err(SigmaError::AliasExpansion { .. })
        ));
        // Plain YAML counts each node once, anchored ones twice (the loader's copy).
        assert_eq!(
            expanded_size("a: [x, y]\nb: &b {c: d}\ne: *b\n").unwrap(),
            Expanded {
                // root, a, [ ], x, y, b, { }, c, d, e, alias (3) + copy of the anchored map (3)
                nodes: 16,
                bytes: 11,
                depth: 2
            }
        );
        // Saturation, not overflow: 30 levels would be 10^30.
        assert_eq!(expanded_size(&nested_aliases(30)).unwrap().nodes, u64::MAX);
    }
}

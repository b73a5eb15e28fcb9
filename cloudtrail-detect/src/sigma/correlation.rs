//! Sigma correlation rules, and compiling a loader's documents together: filters applied to the rules
//! they name, correlations resolved to the rules (or correlations) they correlate.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::Duration;
use yaml_rust2::Yaml;

use super::document::{Body, Document, get, scalar, strings};
use super::{LoadFailure, SigmaError, SigmaRules};
use crate::condition::Condition;
use crate::field::Field;
use crate::rule::{Input, Rule, RuleKind};

/// The correlation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    EventCount,
    ValueCount,
    Temporal,
    TemporalOrdered,
}

/// A correlation document, read but not yet resolved.
#[derive(Debug)]
pub(crate) struct CorrelationSpec {
    kind: Type,
    rules: Vec<String>,
    group_by: Vec<String>,
    timespan: Duration,
    min: usize,
    max: Option<usize>,
    field: Option<String>,
    /// Alias name, then (rule reference, field) pairs.
    aliases: Vec<(String, Vec<(String, String)>)>,
    generate: bool,
}

impl CorrelationSpec {
    pub(crate) fn read(yaml: &Yaml) -> Result<CorrelationSpec, SigmaError> {
        let shape = |member: &str, expected: &'static str| SigmaError::Shape {
            member: format!("correlation.{member}"),
            expected,
        };
        let kind = match get(yaml, "type").as_str() {
            Some("event_count") => Type::EventCount,
            Some("value_count") => Type::ValueCount,
            Some("temporal") => Type::Temporal,
            Some("temporal_ordered") => Type::TemporalOrdered,
            Some(_) => {
                return Err(shape(
                    "type",
                    "must be event_count, value_count, temporal or temporal_ordered (value_sum, value_avg, value_percentile and value_median are not supported)",
                ));
            }
            None => return Err(SigmaError::Missing("correlation.type")),
        };
        let rules = strings(get(yaml, "rules"), "correlation.rules")?;
        if rules.is_empty() {
            return Err(SigmaError::Missing("correlation.rules"));
        }
        let group_by = strings(get(yaml, "group-by"), "correlation.group-by")?;
        let span = [get(yaml, "timespan"), get(yaml, "timeframe")]
            .into_iter()
            .find_map(scalar)
            .ok_or(SigmaError::Missing("correlation.timespan"))?;
        let timespan = parse_timespan(&span).ok_or_else(|| {
            shape(
                "timespan",
                "must be a number and a unit: 30s, 5m, 1h, 2d, 1w",
            )
        })?;
        let condition = get(yaml, "condition");
        let bound = |key: &str| -> Result<Option<usize>, SigmaError> {
            match get(condition, key) {
                Yaml::BadValue => Ok(None),
                Yaml::Integer(n) if *n >= 0 => Ok(usize::try_from(*n).ok()),
                _ => Err(shape("condition", "bounds must be non-negative integers")),
            }
        };
        let (mut min, mut max) = (1usize, None::<usize>);
        let mut bounded = false;
        if let Some(n) = bound("gte")? {
            min = min.max(n);
            bounded = true;
        }
        if let Some(n) = bound("gt")? {
            min = min.max(n + 1);
            bounded = true;
        }
        if let Some(n) = bound("lte")? {
            max = Some(max.map_or(n, |m| m.min(n)));
            bounded = true;
        }
        if let Some(n) = bound("lt")? {
            if n == 0 {
                return Err(shape("condition", "`lt: 0` can never hold"));
            }
            max = Some(max.map_or(n - 1, |m| m.min(n - 1)));
            bounded = true;
        }
        if let Some(n) = bound("eq")? {
            min = min.max(n);
            max = Some(max.map_or(n, |m| m.min(n)));
            bounded = true;
        }
        if !get(condition, "neq").is_badvalue() {
            return Err(shape("condition", "`neq` is not supported"));
        }
        if max.is_some_and(|m| m < min) {
            return Err(shape("condition", "describes an empty range"));
        }
        let field = get(condition, "field").as_str().map(str::to_owned);
        match kind {
            Type::EventCount | Type::ValueCount if !bounded => {
                return Err(shape("condition", "needs gt, gte, lt, lte or eq"));
            }
            Type::ValueCount if field.is_none() => {
                return Err(SigmaError::Missing("correlation.condition.field"));
            }
            _ => {}
        }
        let mut aliases = Vec::new();
        if let Some(map) = get(yaml, "aliases").as_hash() {
            for (alias, fields) in map {
                let (Some(alias), Some(fields)) = (alias.as_str(), fields.as_hash()) else {
                    return Err(shape("aliases", "must map each alias to {rule: field}"));
                };
                let pairs = fields
                    .iter()
                    .map(|(rule, field)| match (scalar(rule), field.as_str()) {
                        (Some(rule), Some(field)) => Ok((rule, field.to_owned())),
                        _ => Err(shape("aliases", "must map each alias to {rule: field}")),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                aliases.push((alias.to_owned(), pairs));
            }
        }
        let generate = match get(yaml, "generate") {
            Yaml::Boolean(b) => *b,
            Yaml::BadValue => false,
            _ => return Err(shape("generate", "must be true or false")),
        };
        Ok(CorrelationSpec {
            kind,
            rules,
            group_by,
            timespan,
            min,
            max,
            field,
            aliases,
            generate,
        })
    }
}

/// `30s`, `5m`, `1h`, `2d`, `1w`.
fn parse_timespan(text: &str) -> Option<Duration> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let number: i64 = text[..text.len() - unit.len_utf8()].trim().parse().ok()?;
    if number <= 0 {
        return None;
    }
    match unit {
        's' => Duration::try_seconds(number),
        'm' => Duration::try_minutes(number),
        'h' => Duration::try_hours(number),
        'd' => Duration::try_days(number),
        'w' => Duration::try_weeks(number),
        _ => None,
    }
}

/// Where a compiled document came from, for failures.
struct Origin {
    source: PathBuf,
    document: usize,
}

/// Compiles documents: filters onto their rules, detections to rules, correlations to rules that follow
/// the rules they chain on.
pub(crate) fn compile(
    documents: Vec<(PathBuf, usize, Document)>,
    mut failures: Vec<LoadFailure>,
) -> SigmaRules {
    let mut origins = Vec::with_capacity(documents.len());
    let mut docs = Vec::with_capacity(documents.len());
    for (source, document, doc) in documents {
        origins.push(Origin { source, document });
        docs.push(doc);
    }
    let fail = |failures: &mut Vec<LoadFailure>, i: usize, doc: &Document, error: SigmaError| {
        failures.push(LoadFailure {
            source: origins[i].source.clone(),
            document: origins[i].document,
            rule: doc.meta.label(),
            error,
        });
    };

    // Filters: each adds its condition to the rules it names (every rule when it names none).
    let mut filtered: Vec<Option<Condition>> = docs
        .iter()
        .map(|d| match &d.body {
            Body::Detection(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    for (i, doc) in docs.iter().enumerate() {
        let Body::Filter { rules, condition } = &doc.body else {
            continue;
        };
        let mut missing = None;
        let targets: Vec<usize> = if rules.is_empty() {
            (0..docs.len()).filter(|&j| filtered[j].is_some()).collect()
        } else {
            let mut targets = Vec::new();
            for reference in rules {
                let found: Vec<usize> = (0..docs.len())
                    .filter(|&j| filtered[j].is_some() && docs[j].meta.is_named(reference))
                    .collect();
                if found.is_empty() {
                    missing.get_or_insert_with(|| reference.clone());
                }
                targets.extend(found);
            }
            targets
        };
        if let Some(reference) = missing {
            fail(&mut failures, i, doc, SigmaError::UnknownRule(reference));
        }
        for j in targets {
            if let Some(c) = filtered[j].take() {
                filtered[j] = Some(c.and(condition.clone()));
            }
        }
    }

    // Which rules are referenced by a correlation that does not generate them.
    let find = |reference: &str| -> Option<usize> {
        docs.iter().position(|d| {
            matches!(d.body, Body::Detection(_) | Body::Correlation(_))
                && d.meta.is_named(reference)
        })
    };
    let mut silent = HashSet::new();
    for doc in &docs {
        if let Body::Correlation(spec) = &doc.body
            && !spec.generate
        {
            silent.extend(spec.rules.iter().filter_map(|r| find(r)));
        }
    }

    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for (i, doc) in docs.iter().enumerate() {
        let (Body::Detection(_), Some(condition)) = (&doc.body, &filtered[i]) else {
            continue;
        };
        if silent.contains(&i) {
            continue;
        }
        let id = doc.meta.rule_id();
        if !ids.insert(id.clone()) {
            fail(
                &mut failures,
                i,
                doc,
                SigmaError::Rule(crate::error::RuleError::DuplicateId(id)),
            );
            continue;
        }
        out.push(
            doc.meta
                .apply(Rule::new(&id, &doc.meta.title, condition.clone())),
        );
    }

    // Correlations, depth first so that chained ones come first.
    let mut state = vec![State::Todo; docs.len()];
    for i in 0..docs.len() {
        if matches!(docs[i].body, Body::Correlation(_)) {
            let mut resolver = Resolver {
                docs: &docs,
                filtered: &filtered,
                silent: &silent,
                state: &mut state,
                ids: &mut ids,
                out: &mut out,
                find: &find,
            };
            if let Err((j, error)) = resolver.resolve(i) {
                fail(&mut failures, j, &docs[j], error);
            }
        }
    }
    SigmaRules {
        rules: out,
        failures,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Todo,
    Visiting,
    Done,
    Failed,
}

struct Resolver<'a, F> {
    docs: &'a [Document],
    filtered: &'a [Option<Condition>],
    silent: &'a HashSet<usize>,
    state: &'a mut Vec<State>,
    ids: &'a mut HashSet<String>,
    out: &'a mut Vec<Rule>,
    find: &'a F,
}

impl<F: Fn(&str) -> Option<usize>> Resolver<'_, F> {
    /// Compiles correlation `i` after the correlations it chains on; on failure, the document to blame.
    fn resolve(&mut self, i: usize) -> Result<(), (usize, SigmaError)> {
        match self.state[i] {
            State::Done => return Ok(()),
            State::Failed => return Err((i, SigmaError::UnknownRule(self.docs[i].meta.rule_id()))),
            State::Visiting => return Err((i, SigmaError::Cycle(self.docs[i].meta.rule_id()))),
            State::Todo => {}
        }
        let doc = &self.docs[i];
        let Body::Correlation(spec) = &doc.body else {
            return Ok(());
        };
        self.state[i] = State::Visiting;
        let result = self.build(i, spec);
        self.state[i] = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result.map_err(|error| (i, error))
    }

    fn build(&mut self, i: usize, spec: &CorrelationSpec) -> Result<(), SigmaError> {
        let doc = &self.docs[i];
        let mut inputs = Vec::with_capacity(spec.rules.len());
        for reference in &spec.rules {
            let j =
                (self.find)(reference).ok_or_else(|| SigmaError::UnknownRule(reference.clone()))?;
            let target = &self.docs[j];
            let condition = match &target.body {
                Body::Correlation(_) => {
                    self.resolve(j).map_err(|(_, e)| match e {
                        SigmaError::Cycle(id) => SigmaError::Cycle(id),
                        _ => SigmaError::UnknownRule(reference.clone()),
                    })?;
                    None
                }
                _ => Some(
                    self.filtered[j]
                        .clone()
                        .ok_or_else(|| SigmaError::UnknownRule(reference.clone()))?,
                ),
            };
            // Aliased group fields differ per input; others are the same for all.
            let own_name = |r: &str| target.meta.is_named(r);
            let group_by = (!spec.aliases.is_empty()).then(|| {
                spec.group_by
                    .iter()
                    .map(|name| {
                        let pair = spec
                            .aliases
                            .iter()
                            .find(|(alias, _)| alias == name)
                            .and_then(|(_, pairs)| pairs.iter().find(|(r, _)| own_name(r)));
                        pair.map_or_else(|| Field::parse(name), |(_, f)| Field::parse(f))
                    })
                    .collect()
            });
            inputs.push(Input {
                rule_id: target.meta.rule_id(),
                condition,
                group_by,
            });
        }
        let group_by: Vec<Field> = if spec.group_by.is_empty() {
            vec![Field::Global]
        } else {
            spec.group_by
                .iter()
                .map(|name| Field::parse(name))
                .collect()
        };
        let conditions: Vec<Condition> =
            inputs.iter().filter_map(|i| i.condition.clone()).collect();
        let kind = match spec.kind {
            Type::EventCount => RuleKind::Threshold {
                group_by,
                window: spec.timespan,
                count: spec.min,
                at_most: spec.max,
            },
            Type::ValueCount => RuleKind::ValueCount {
                group_by,
                field: Field::parse(spec.field.as_deref().unwrap_or_default()),
                window: spec.timespan,
                count: spec.min,
                at_most: spec.max,
            },
            Type::Temporal | Type::TemporalOrdered => RuleKind::Sequence {
                steps: inputs
                    .iter()
                    .map(|i| i.condition.clone().unwrap_or(Condition::Any(Vec::new())))
                    .collect(),
                group_by,
                window: spec.timespan,
                ordered: spec.kind == Type::TemporalOrdered,
            },
        };
        let id = doc.meta.rule_id();
        if !self.ids.insert(id.clone()) {
            return Err(SigmaError::Rule(crate::error::RuleError::DuplicateId(id)));
        }
        let mut rule = doc
            .meta
            .apply(Rule::new(&id, &doc.meta.title, Condition::Any(conditions)))
            .kind(kind);
        rule.inputs = inputs;
        rule.report = !self.silent.contains(&i);
        self.out.push(rule);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("5m"), Some(Duration::minutes(5)));
        assert_eq!(parse_timespan("30s"), Some(Duration::seconds(30)));
        assert_eq!(parse_timespan("2d"), Some(Duration::days(2)));
        assert_eq!(parse_timespan("0m"), None);
        assert_eq!(parse_timespan("5x"), None);
        assert_eq!(parse_timespan(""), None);
    }
}

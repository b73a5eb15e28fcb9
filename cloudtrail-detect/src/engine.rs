//! [`RuleSet`]: rules compiled and indexed by event name, matched against records; [`Match`] is what one
//! record contributes.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use cloudtrail_model::Event;

use crate::condition::Evidence;
use crate::error::RuleError;
use crate::field::{EventView, Field};
use crate::rule::{Rule, RuleKind, Severity};

/// The largest `count` (and `at_most`) a threshold or value-count rule may ask for: a window holds at
/// most that many timestamps or distinct values, so the bound keeps a rule file from asking for unbounded
/// windows.
pub const MAX_WINDOW_COUNT: usize = 10_000;

/// Tells rule sets apart, so that a correlator refuses matches made by another set.
static NEXT_RULE_SET: AtomicU64 = AtomicU64::new(1);

/// One record meeting one rule's condition: what the correlator needs, owned (matches are rare).
///
/// Made by [`RuleSet::matches`] only (new fields are not a breaking change); a match remembers which set
/// made it, and a [`Correlator`](crate::Correlator) of another set refuses it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Match {
    /// Index of the rule in its [`RuleSet`].
    pub rule: usize,
    /// The record's event time.
    pub time: Option<DateTime<Utc>>,
    /// The record's `eventID`.
    pub event_id: String,
    /// The acting principal's entity id.
    pub entity: String,
    /// The caller's account.
    pub account: Option<String>,
    /// The record's `awsRegion`.
    pub region: Option<String>,
    /// `userIdentity.arn`, for suppressions by ARN pattern.
    pub arn: Option<String>,
    /// The group key, for correlation rules.
    pub group: String,
    /// The counted or watched value, for value-count and first-seen rules.
    pub value: Option<String>,
    /// The sequence steps this record meets, for sequence rules; for rules compiled from several
    /// ([`Rule::inputs`](crate::Rule::inputs)), the inputs it meets.
    pub steps: Vec<usize>,
    /// The severity for this record, after escalations.
    pub severity: Severity,
    /// Why the rule's condition held.
    pub evidence: Vec<Evidence>,
    /// The [`RuleSet`] that made the match.
    pub(crate) rule_set: u64,
}

impl Match {
    /// The bytes this match holds on the heap (its texts, steps and evidence; shared texts of the rule
    /// not counted): what a buffer of matches bounds itself by.
    pub fn heap_bytes(&self) -> usize {
        let text = |t: &Option<String>| t.as_ref().map_or(0, String::capacity);
        self.event_id.capacity()
            + self.entity.capacity()
            + self.group.capacity()
            + text(&self.account)
            + text(&self.region)
            + text(&self.arn)
            + text(&self.value)
            + self.steps.capacity() * std::mem::size_of::<usize>()
            + self.evidence.capacity() * std::mem::size_of::<Evidence>()
            + self
                .evidence
                .iter()
                .map(|e| e.value.capacity())
                .sum::<usize>()
    }
}

/// Rules ready to match: indexed by the event names their conditions require, so that a record is tested
/// only against rules that can match it plus the rules that name no event. `Send + Sync`: share one set
/// between threads.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    by_event_name: HashMap<String, Vec<usize>>,
    any_event_name: Vec<usize>,
    /// For each rule id, the (rule, input) pairs its findings feed.
    chained: HashMap<String, Vec<(usize, usize)>>,
    /// This set's identity, copied into its matches (clones share it: they hold the same rules).
    id: u64,
}

impl RuleSet {
    /// Checks and indexes rules: ids must be unique, thresholds and counts positive and at most
    /// [`MAX_WINDOW_COUNT`], sequences non-empty, a dormancy silence positive, and a chained input must
    /// name a rule that comes earlier in the list (so chains have no cycles).
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet, RuleError> {
        let mut ids = HashSet::new();
        let mut by_event_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut any_event_name = Vec::new();
        let mut chained: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (index, rule) in rules.iter().enumerate() {
            if !ids.insert(rule.id.as_str()) {
                return Err(RuleError::DuplicateId(rule.id.clone()));
            }
            let invalid = |reason: &str| RuleError::Invalid {
                rule: rule.id.clone(),
                reason: reason.to_owned(),
            };
            match &rule.kind {
                RuleKind::Threshold { count: 0, .. } | RuleKind::ValueCount { count: 0, .. } => {
                    return Err(invalid("a count of zero"));
                }
                RuleKind::Sequence { steps, .. } if steps.is_empty() => {
                    return Err(invalid("a sequence without steps"));
                }
                RuleKind::Dormant { silence, .. } if *silence <= chrono::Duration::zero() => {
                    // Every record after the first would be "back after a silence".
                    return Err(invalid("a dormancy silence that is not positive"));
                }
                RuleKind::Threshold {
                    count,
                    at_most: Some(max),
                    ..
                }
                | RuleKind::ValueCount {
                    count,
                    at_most: Some(max),
                    ..
                } if max < count => {
                    return Err(invalid("an empty count range"));
                }
                RuleKind::Threshold { count, at_most, .. }
                | RuleKind::ValueCount { count, at_most, .. }
                    if (*count).max(at_most.unwrap_or(0)) > MAX_WINDOW_COUNT =>
                {
                    return Err(invalid(&format!(
                        "a count above {MAX_WINDOW_COUNT} (windows are bounded)"
                    )));
                }
                _ => {}
            }
            for (position, input) in rule.inputs.iter().enumerate() {
                if input.condition.is_none() {
                    if !ids.contains(input.rule_id.as_str()) || input.rule_id == rule.id {
                        return Err(invalid(&format!(
                            "chained rule {:?} must come before the rule it feeds",
                            input.rule_id
                        )));
                    }
                    chained
                        .entry(input.rule_id.clone())
                        .or_default()
                        .push((index, position));
                }
            }
            match rule.condition.event_names() {
                Some(names) => {
                    let mut names: Vec<String> =
                        names.into_iter().map(|n| n.to_ascii_lowercase()).collect();
                    names.sort();
                    names.dedup();
                    for name in names {
                        by_event_name.entry(name).or_default().push(index);
                    }
                }
                None => any_event_name.push(index),
            }
        }
        Ok(RuleSet {
            rules,
            by_event_name,
            any_event_name,
            chained,
            id: NEXT_RULE_SET.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Whether `m` was made by this set (or a clone of it).
    pub fn made(&self, m: &Match) -> bool {
        m.rule_set == self.id && m.rule < self.rules.len()
    }

    /// This set's identity, which its matches carry (a restored state's matches are given it).
    pub(crate) fn identity(&self) -> u64 {
        self.id
    }

    /// The rules, in the order given.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The (rule, input) pairs that the findings of rule `id` feed, for chained correlations.
    pub fn chained_from(&self, id: &str) -> &[(usize, usize)] {
        self.chained.get(id).map_or(&[], Vec::as_slice)
    }

    /// Rules that name no event and are tested against every record.
    pub fn unindexed(&self) -> usize {
        self.any_event_name.len()
    }

    /// Adds the matches of one record to `out`.
    pub fn matches(&self, event: &Event<'_>, out: &mut Vec<Match>) {
        let view = EventView::new(event);
        let indexed = event.event_name().and_then(|name| {
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                // Lower-cased on the stack: event names are short, and this runs for every record.
                let mut buffer = [0u8; 64];
                match buffer.get_mut(..name.len()) {
                    Some(lowered) => {
                        lowered.copy_from_slice(name.as_bytes());
                        lowered.make_ascii_lowercase();
                        std::str::from_utf8(lowered)
                            .ok()
                            .and_then(|lowered| self.by_event_name.get(lowered))
                    }
                    None => self.by_event_name.get(&name.to_ascii_lowercase()),
                }
            } else {
                self.by_event_name.get(name)
            }
        });
        for &index in indexed.into_iter().flatten().chain(&self.any_event_name) {
            let rule = &self.rules[index];
            if !rule.condition.holds(&view) {
                continue;
            }
            out.push(self.make_match(index, rule, &view));
        }
    }

    fn make_match(&self, index: usize, rule: &Rule, view: &EventView<'_, '_>) -> Match {
        let event = view.event();
        let mut evidence = Vec::new();
        rule.condition.explain(view, &mut evidence);
        // Matches wait for the watermark by the thousand: hold no spare evidence slots.
        evidence.shrink_to_fit();
        let severity = rule
            .escalations
            .iter()
            .find(|(condition, _)| condition.holds(view))
            .map_or(rule.severity, |(_, severity)| *severity);
        let entity = view.entity().to_string();
        // Inputs this record meets, for rules compiled from several; their group fields win (aliases).
        let inputs: Vec<usize> = rule
            .inputs
            .iter()
            .enumerate()
            .filter(|(_, input)| input.condition.as_ref().is_some_and(|c| c.holds(view)))
            .map(|(i, _)| i)
            .collect();
        let alias = inputs
            .first()
            .and_then(|&i| rule.inputs[i].group_by.as_deref());
        let key = |fields: &[Field]| -> String {
            let fields = alias.unwrap_or(fields);
            match fields {
                [] => return entity.clone(),
                [only] => {
                    return view
                        .values(only)
                        .first()
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                }
                _ => {}
            }
            fields
                .iter()
                .map(|f| {
                    view.values(f)
                        .first()
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join("|")
        };
        let (group, value, steps) = match &rule.kind {
            RuleKind::Single { .. } => (indicator_group(&entity, &evidence), None, inputs),
            RuleKind::Threshold { group_by, .. } | RuleKind::Dormant { group_by, .. } => {
                (key(group_by), None, inputs)
            }
            RuleKind::ValueCount {
                group_by, field, ..
            }
            | RuleKind::FirstSeen {
                group_by, field, ..
            } => (
                key(group_by),
                view.values(field).first().map(|v| v.to_string()),
                inputs,
            ),
            RuleKind::Sequence {
                steps, group_by, ..
            } => (
                key(group_by),
                None,
                steps
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.holds(view))
                    .map(|(i, _)| i)
                    .collect(),
            ),
        };
        Match {
            rule: index,
            time: event.event_time(),
            event_id: event.event_id().unwrap_or_default().to_owned(),
            account: event.account_id().map(str::to_owned),
            region: event.aws_region().map(str::to_owned),
            arn: event
                .user_identity
                .as_ref()
                .and_then(|i| i.arn.clone())
                .map(|a| a.into_owned()),
            entity,
            group,
            value,
            steps,
            severity,
            evidence,
            rule_set: self.id,
        }
    }
}

/// A single-record rule's group: the entity, and the indicators its evidence names (list and line), so
/// that each indicator a principal meets is a finding of its own.
fn indicator_group(entity: &str, evidence: &[Evidence]) -> String {
    let mut group = entity.to_owned();
    for indicator in evidence.iter().filter_map(|e| e.indicator.as_deref()) {
        group.push('\u{1f}');
        group.push_str(&indicator.list);
        group.push(':');
        group.push_str(&indicator.line.to_string());
    }
    group
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::field;

    fn refused(kind: RuleKind, reason: &str) {
        let rule = Rule::new("r", "r", field("eventName").exists()).kind(kind);
        match RuleSet::new(vec![rule]) {
            Err(RuleError::Invalid { rule, reason: why }) => {
                assert_eq!(rule, "r");
                assert!(why.contains(reason), "{why}");
            }
            other => panic!("{reason}: {other:?}"),
        }
    }

    #[test]
    fn rules_that_cannot_mean_anything_are_refused() {
        let threshold = |count, at_most| RuleKind::Threshold {
            group_by: Vec::new(),
            count,
            at_most,
            window: Duration::minutes(5),
        };
        refused(threshold(0, None), "a count of zero");
        refused(threshold(5, Some(4)), "an empty count range");
        refused(threshold(MAX_WINDOW_COUNT + 1, None), "windows are bounded");
        refused(
            RuleKind::Sequence {
                steps: Vec::new(),
                group_by: Vec::new(),
                window: Duration::minutes(5),
                ordered: true,
            },
            "a sequence without steps",
        );
        for silence in [Duration::zero(), Duration::days(-1)] {
            refused(
                RuleKind::Dormant {
                    group_by: Vec::new(),
                    silence,
                },
                "a dormancy silence that is not positive",
            );
        }
        let fine = Rule::new("r", "r", field("eventName").exists()).kind(RuleKind::Dormant {
            group_by: Vec::new(),
            silence: Duration::seconds(1),
        });
        assert!(RuleSet::new(vec![fine]).is_ok());
    }
}

//! [`Rule`]: a detection, its metadata, and whether it judges single records or correlates them.

use std::fmt;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::condition::Condition;
use crate::field::Field;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, not alarming.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// A MITRE ATT&CK reference: tactic and technique ids, with the ATT&CK version they are numbered in.
///
/// ATT&CK v19 renumbered the defence-impairment techniques (T1562.001 and T1562.008 became T1685 and
/// T1685.002); rules that use them carry both numberings, each with its version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Mitre {
    /// Tactic id, e.g. `TA0005`.
    pub tactic: String,
    /// Technique id, e.g. `T1562.008`.
    pub technique: String,
    /// ATT&CK version the ids belong to, e.g. `18`.
    pub attack_version: String,
}

/// Whether a rule judges each record alone or correlates several, on event time.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RuleKind {
    /// Each matching record is a finding; repeats for the same entity within `dedup` join one finding
    /// (for the same entity and indicator, when the condition tests [indicator lists](crate::ioc)).
    Single {
        /// How long after its first record a finding keeps absorbing repeats.
        dedup: Duration,
    },
    /// At least `count` matching records for the same group within `window`.
    Threshold {
        /// What groups records (empty: the acting principal).
        group_by: Vec<Field>,
        /// The window.
        window: Duration,
        /// How many records make a finding.
        count: usize,
        /// With an upper bound, the count must fall in `count..=at_most`: the window is then judged when it
        /// closes (tumbling windows starting at a group's first record), not as soon as `count` is reached.
        at_most: Option<usize>,
    },
    /// At least `count` distinct values of `field` for the same group within `window`.
    ValueCount {
        /// What groups records (empty: the acting principal).
        group_by: Vec<Field>,
        /// Whose distinct values are counted.
        field: Field,
        /// The window.
        window: Duration,
        /// How many distinct values make a finding.
        count: usize,
        /// With an upper bound, the number of distinct values must fall in `count..=at_most`, judged when
        /// the window closes.
        at_most: Option<usize>,
    },
    /// Every step, by the same group, within `window` of the first; in the order given when `ordered`.
    Sequence {
        /// The steps; the rule's condition must hold too.
        steps: Vec<Condition>,
        /// What groups records (empty: the acting principal).
        group_by: Vec<Field>,
        /// The window.
        window: Duration,
        /// Whether the steps must happen in order.
        ordered: bool,
    },
    /// A value of `field` a group has not shown before. Values seen within `learning` of the first record
    /// the correlator processes are learned without findings.
    FirstSeen {
        /// What groups records (empty: the acting principal).
        group_by: Vec<Field>,
        /// The value.
        field: Field,
        /// How long the correlator learns before reporting new values.
        learning: Duration,
    },
    /// A group acting again after at least `silence` without a record: its first record after the
    /// silence is a finding (a group's very first record is not: there is nothing to compare with).
    /// The time of each group's latest record is kept for
    /// [`DORMANT_MEMORY_DAYS`](crate::DORMANT_MEMORY_DAYS), across runs with the persisted state
    /// ([`Correlator::save_state`](crate::Correlator::save_state)).
    Dormant {
        /// What groups records (empty: the acting principal).
        group_by: Vec<Field>,
        /// How long a group must have been silent.
        silence: Duration,
    },
}

/// A detection rule: metadata, the condition a record must meet, and how matching records become
/// findings.
///
/// Built with [`Rule::new`] and its builder methods; the fields stay public to read and to change, and
/// new ones are not a breaking change.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id, e.g. `aws-cloudtrail-tampering`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What it detects and why it matters.
    pub description: String,
    /// Base severity.
    pub severity: Severity,
    /// Raised severities: the first condition that holds for a record sets its severity.
    pub escalations: Vec<(Condition, Severity)>,
    /// `stable`, `test`, `experimental`, ...
    pub status: String,
    /// ATT&CK references.
    pub mitre: Vec<Mitre>,
    /// Where to read more.
    pub references: Vec<String>,
    /// Known benign causes.
    pub false_positives: Vec<String>,
    /// Free tags (Stratus technique ids, sources).
    pub tags: Vec<String>,
    /// The condition a record must meet.
    pub condition: Condition,
    /// How matching records become findings.
    pub kind: RuleKind,
    /// The rules this one correlates, when it was compiled from several (Sigma correlation rules); empty
    /// for rules written with one condition.
    pub inputs: Vec<Input>,
    /// Whether findings are reported. Rules that only feed a chained correlation (Sigma's
    /// `generate: false`) set it to false: their findings still count as matches of the rules they feed.
    pub report: bool,
}

/// One rule a correlation rule is built from.
///
/// A record meets the input when `condition` holds; an input without a condition is another correlation
/// rule, whose findings count as matches (chaining). An input's `group_by`, when set, replaces the rule's
/// group fields for records that meet it (Sigma aliases: the same group value under different names).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Input {
    /// The input rule's id (or Sigma name).
    pub rule_id: String,
    /// What a record must meet; `None` for a chained correlation rule.
    pub condition: Option<Condition>,
    /// Group fields for records meeting this input, when they differ from the rule's.
    pub group_by: Option<Vec<Field>>,
}

impl Mitre {
    /// A reference to `technique` under `tactic`, numbered in ATT&CK `attack_version`.
    pub fn new(tactic: &str, technique: &str, attack_version: &str) -> Mitre {
        Mitre {
            tactic: tactic.to_owned(),
            technique: technique.to_owned(),
            attack_version: attack_version.to_owned(),
        }
    }
}

impl Input {
    /// An input named `rule_id`: records meeting `condition`, or (`None`) the findings of the chained
    /// correlation rule of that id; `group_by` replaces the rule's group fields for its records.
    pub fn new(rule_id: &str, condition: Option<Condition>, group_by: Option<Vec<Field>>) -> Input {
        Input {
            rule_id: rule_id.to_owned(),
            condition,
            group_by,
        }
    }
}

impl Rule {
    /// A single-record rule with a one-hour dedup period, medium severity and no metadata yet.
    pub fn new(id: &str, title: &str, condition: Condition) -> Rule {
        Rule {
            id: id.to_owned(),
            title: title.to_owned(),
            description: String::new(),
            severity: Severity::Medium,
            escalations: Vec::new(),
            status: "stable".to_owned(),
            mitre: Vec::new(),
            references: Vec::new(),
            false_positives: Vec::new(),
            tags: Vec::new(),
            condition,
            kind: RuleKind::Single {
                dedup: Duration::hours(1),
            },
            inputs: Vec::new(),
            report: true,
        }
    }

    /// Sets the base severity.
    pub fn severity(mut self, severity: Severity) -> Rule {
        self.severity = severity;
        self
    }

    /// Raises the severity to `severity` for records that also meet `condition`.
    pub fn escalate(mut self, condition: Condition, severity: Severity) -> Rule {
        self.escalations.push((condition, severity));
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: &str) -> Rule {
        self.description = description.to_owned();
        self
    }

    /// Adds an ATT&CK reference in ATT&CK v18 numbering; T1562.001 and T1562.008 also get their v19 ids.
    pub fn mitre(mut self, tactic: &str, technique: &str) -> Rule {
        self.mitre.push(Mitre {
            tactic: tactic.to_owned(),
            technique: technique.to_owned(),
            attack_version: "18".to_owned(),
        });
        let renumbered = match technique {
            "T1562.001" => Some("T1685"),
            "T1562.008" => Some("T1685.002"),
            _ => None,
        };
        if let Some(v19) = renumbered {
            self.mitre.push(Mitre {
                tactic: tactic.to_owned(),
                technique: v19.to_owned(),
                attack_version: "19".to_owned(),
            });
        }
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: &str) -> Rule {
        self.tags.push(tag.to_owned());
        self
    }

    /// Adds a known benign cause.
    pub fn false_positive(mut self, text: &str) -> Rule {
        self.false_positives.push(text.to_owned());
        self
    }

    /// Makes the rule a threshold: `count` matching records per acting principal within `window`.
    pub fn threshold(mut self, count: usize, window: Duration) -> Rule {
        self.kind = RuleKind::Threshold {
            group_by: Vec::new(),
            window,
            count,
            at_most: None,
        };
        self
    }

    /// Sets the dedup period of a single-record rule.
    pub fn dedup(mut self, dedup: Duration) -> Rule {
        if let RuleKind::Single { dedup: period } = &mut self.kind {
            *period = dedup;
        }
        self
    }

    /// Sets how matching records become findings.
    pub fn kind(mut self, kind: RuleKind) -> Rule {
        self.kind = kind;
        self
    }
}

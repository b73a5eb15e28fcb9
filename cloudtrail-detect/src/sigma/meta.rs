//! Sigma rule metadata: ids, level, tags (ATT&CK references among them) and the rest.

use yaml_rust2::Yaml;

use super::document::{get, scalar, strings};
use crate::rule::{Mitre, Rule, Severity};

/// The metadata of a Sigma document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) status: Option<String>,
    pub(crate) level: Option<Severity>,
    pub(crate) tags: Vec<String>,
    pub(crate) references: Vec<String>,
    pub(crate) false_positives: Vec<String>,
}

impl Meta {
    /// Reads what is there; malformed metadata is left empty rather than failing the rule.
    pub(crate) fn read(yaml: &Yaml) -> Meta {
        let text = |key: &str| scalar(get(yaml, key)).filter(|s| !s.is_empty());
        Meta {
            id: text("id"),
            name: text("name"),
            title: text("title").unwrap_or_default(),
            description: text("description").unwrap_or_default(),
            status: text("status"),
            level: text("level").and_then(|l| severity(&l)),
            tags: strings(get(yaml, "tags"), "tags").unwrap_or_default(),
            references: strings(get(yaml, "references"), "references").unwrap_or_default(),
            false_positives: strings(get(yaml, "falsepositives"), "falsepositives")
                .unwrap_or_default(),
        }
    }

    /// The title, else the id, for messages.
    pub(crate) fn label(&self) -> Option<String> {
        (!self.title.is_empty())
            .then(|| self.title.clone())
            .or_else(|| self.id.clone())
            .or_else(|| self.name.clone())
    }

    /// Whether `reference` (from a filter or correlation) names this document, by id or name.
    pub(crate) fn is_named(&self, reference: &str) -> bool {
        self.id.as_deref() == Some(reference) || self.name.as_deref() == Some(reference)
    }

    /// The rule id: the Sigma id, else the name, else the title.
    pub(crate) fn rule_id(&self) -> String {
        self.id
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| self.title.clone())
    }

    /// Copies the metadata onto a compiled rule.
    pub(crate) fn apply(&self, mut rule: Rule) -> Rule {
        rule.description = self.description.clone();
        rule.severity = self.level.unwrap_or(Severity::Medium);
        rule.status = self
            .status
            .clone()
            .unwrap_or_else(|| "experimental".to_owned());
        rule.references = self.references.clone();
        rule.false_positives = self.false_positives.clone();
        rule.mitre = mitre(&self.tags);
        rule.tags = std::iter::once("sigma".to_owned())
            .chain(self.name.iter().map(|n| format!("sigma-name:{n}")))
            .chain(self.tags.iter().cloned())
            .collect();
        rule
    }
}

/// Sigma levels: `informational`, `low`, `medium`, `high`, `critical`.
fn severity(level: &str) -> Option<Severity> {
    Some(match level.to_ascii_lowercase().as_str() {
        "informational" | "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

/// Enterprise ATT&CK tactic ids by Sigma tag name (from attack.mitre.org/tactics/enterprise). ATT&CK v19
/// split Defense Evasion into Stealth and Defense Impairment; those tags are kept by name.
const TACTICS: &[(&str, &str)] = &[
    ("reconnaissance", "TA0043"),
    ("resource-development", "TA0042"),
    ("initial-access", "TA0001"),
    ("execution", "TA0002"),
    ("persistence", "TA0003"),
    ("privilege-escalation", "TA0004"),
    ("defense-evasion", "TA0005"),
    ("credential-access", "TA0006"),
    ("discovery", "TA0007"),
    ("lateral-movement", "TA0008"),
    ("collection", "TA0009"),
    ("command-and-control", "TA0011"),
    ("exfiltration", "TA0010"),
    ("impact", "TA0040"),
];

/// ATT&CK references from Sigma tags. Sigma does not pair tactics with techniques, so each tag becomes
/// its own reference with the other id empty: `attack.t1078.004` gives technique `T1078.004`,
/// `attack.persistence` gives tactic `TA0003` (and `attack.stealth`, which has no id here, `stealth`).
/// SigmaHQ tags follow ATT&CK v19 naming.
fn mitre(tags: &[String]) -> Vec<Mitre> {
    let reference = |tactic: &str, technique: &str| Mitre {
        tactic: tactic.to_owned(),
        technique: technique.to_owned(),
        attack_version: "19".to_owned(),
    };
    tags.iter()
        .filter_map(|tag| {
            let name = tag.to_ascii_lowercase();
            let name = name.strip_prefix("attack.")?;
            let technique = name.strip_prefix('t').filter(|rest| {
                rest.split('.')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            });
            if technique.is_some() {
                return Some(reference("", &name.to_ascii_uppercase()));
            }
            // Groups (g0001), software (s0001) and other tags are not ATT&CK references here.
            if name.len() == 5
                && (name.starts_with('g') || name.starts_with('s'))
                && name[1..].bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            match TACTICS.iter().find(|(n, _)| *n == name) {
                Some((_, id)) => Some(reference(id, "")),
                None if name == "stealth" || name == "defense-impairment" => {
                    Some(reference(name, ""))
                }
                None => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_attack_references() {
        let tags: Vec<String> = [
            "attack.persistence",
            "attack.t1078.004",
            "attack.stealth",
            "attack.g0016",
            "cve.2021-1234",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let refs = mitre(&tags);
        let pairs: Vec<(&str, &str)> = refs
            .iter()
            .map(|m| (m.tactic.as_str(), m.technique.as_str()))
            .collect();
        assert_eq!(pairs, [("TA0003", ""), ("", "T1078.004"), ("stealth", "")]);
        assert_eq!(severity("informational"), Some(Severity::Info));
        assert_eq!(severity("bogus"), None);
    }
}

//! The built-in rule pack, one module per ATT&CK tactic or family, each rule's fixtures in
//! `tests/data/pack/<module>.jsonl`.
//!
//! | module | holds |
//! |---|---|
//! | `notebook` | the hunting notebook's seven rules |
//! | `initial_access` | console sign-ins without MFA, root activity |
//! | `execution` | commands on instances, user data, Instance Connect, serial console |
//! | `persistence` | IAM users, roles, keys, login profiles, trust policies, Lambda backdoors |
//! | `privilege_escalation` | IAM policies and their versions |
//! | `defense_evasion` | logs and their destinations destroyed, shortened or cut off; organisation guardrails lifted |
//! | `security_services` | Config, GuardDuty, Security Hub, Macie, Inspector, Detective, Access Analyzer, WAF, Bedrock guardrails turned off |
//! | `network_controls` | security groups and network ACLs opened to the internet or deleted, Network Firewall taken down |
//! | `data_protection` | S3 public access blocks, versioning, MFA delete, encryption defaults, KMS key policies weakened |
//! | `credential_access` | secrets, parameters, password data, sign-in brute force |
//! | `discovery` | enumeration, VPC endpoint denials |
//! | `exfiltration` | snapshots, images and data shared out |
//! | `impact` | destruction and encryption of data and backups |
//! | `llm` | AI assistants and Bedrock |
//! | `baselines` | a principal's own habits, across runs: silence, user-agent family, network, region ([`baseline_rules`], not in [`builtin_rules`]) |
//! | `helpers` | tactic ids and condition shorthands the families share |

mod baselines;
mod credential_access;
mod data_protection;
mod defense_evasion;
mod discovery;
mod execution;
mod exfiltration;
mod helpers;
mod impact;
mod initial_access;
mod llm;
mod network_controls;
mod notebook;
mod persistence;
mod privilege_escalation;
mod security_services;

use crate::rule::Rule;

/// Every built-in rule. Each has positive and negative fixtures in the crate's tests
/// (`tests/data/pack/`); the table below, generated from the rules and their fixtures by
/// `tests/coverage.rs`, says which Stratus Red Team techniques they cover.
///
#[doc = include_str!("../../COVERAGE.md")]
pub fn builtin_rules() -> Vec<Rule> {
    let families: &[fn() -> Vec<Rule>] = &[
        notebook::rules,
        initial_access::rules,
        execution::rules,
        persistence::rules,
        privilege_escalation::rules,
        defense_evasion::rules,
        security_services::rules,
        network_controls::rules,
        data_protection::rules,
        impact::rules,
        credential_access::rules,
        discovery::rules,
        exfiltration::rules,
        llm::rules,
    ];
    families.iter().flat_map(|family| family()).collect()
}

/// The baseline rules (`pack/baselines.rs`): a principal's first call after a long silence, a long-term key
/// used again after one, and the first use of a user-agent family, a source network or a region by a
/// principal. They learn from every call a principal makes itself, so they are meant for runs that carry
/// their state from one day to the next ([`Correlator::save_state`](crate::Correlator::save_state); `hunt
/// --state` adds them) and are not part of [`builtin_rules`]: testing every record costs them about
/// four fifths of the pack's matching speed (`DETECT_CPU_PASSES` in `benches/detect.rs`, 2026-12-02:
/// 270K records per CPU-second without them, 56K with them, over 20,000 generated records). Their
/// fixtures are in `tests/data/pack/baselines.jsonl` and `tests/data/pack_sequences.jsonl`.
pub fn baseline_rules() -> Vec<Rule> {
    baselines::rules()
}

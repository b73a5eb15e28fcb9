//! What a principal usually does, learned from its own records and kept across runs with the persisted
//! state (`hunt --state`): activity after a long silence, a new user-agent family, a new source network,
//! a new region.

use chrono::Duration;

use super::helpers::{DEFENSE_EVASION, INITIAL_ACCESS, instance_session, workstation_agent};
use crate::condition::{Condition, field};
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

/// Calls a principal makes itself: not an AWS service acting for it (`invokedBy`), not a service
/// identity, not a service-linked role (whose activity follows the service's schedule, not a person's).
fn own_calls() -> Condition {
    field("userIdentity.invokedBy")
        .exists()
        .not()
        .and(field("userIdentity.type").equals([
            "IAMUser",
            "Root",
            "AssumedRole",
            "FederatedUser",
            "IdentityCenterUser",
            "SAMLUser",
            "WebIdentityUser",
        ]))
        .and(
            field("userIdentity.sessionContext.sessionIssuer.arn")
                .contains([":role/aws-service-role/"])
                .not(),
        )
}

/// A person (or a person's long-term key) rather than a role session.
fn person() -> Condition {
    field("userIdentity.type").equals(["IAMUser", "Root", "IdentityCenterUser", "FederatedUser"])
}

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-principal-active-after-silence",
            "Principal active again after 45 days without a call",
            own_calls(),
        )
        .description("A principal that had made no call for at least 45 days acted again: forgotten users and roles are what intruders with old credentials use, and what nobody watches. 45 days is the age at which AWS Security Hub's control IAM.22 calls credentials unused. Needs history: kept across runs with `hunt --state` (each principal's latest call, for up to 400 days); a principal's very first call is not a finding.")
        .false_positive("Seasonal jobs and people back from leave")
        .severity(Severity::Low)
        .escalate(person(), Severity::Medium)
        .kind(RuleKind::Dormant {
            group_by: Vec::new(),
            silence: Duration::days(45),
        })
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-access-key-active-after-silence",
            "Long-term access key used again after 45 days unused",
            own_calls().and(
                field("userIdentity.accessKeyId")
                    .cased()
                    .starts_with(["AKIA"]),
            ),
        )
        .description("An IAM user's or the root user's long-term access key (AKIA...) was used after at least 45 days unused, even if its user stayed active with another key: an old key found in a repository, an image or a laptop backup. Needs history (`hunt --state`).")
        .false_positive("Break-glass keys used in an incident; rarely run scripts")
        .severity(Severity::Medium)
        .kind(RuleKind::Dormant {
            group_by: vec![Field::parse("userIdentity.accessKeyId")],
            silence: Duration::days(45),
        })
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-principal-new-user-agent-family",
            "Principal calling with a client or operating system it had not used",
            own_calls().and(field("userAgent").exists()),
        )
        .description("After two weeks of learning, a principal called with a user-agent family (client and operating system, versions left out: `aws-cli/macos`, `boto3/linux`, `console`) it had not used: the same credentials in another tool on another kind of machine, as when an instance role's session that always called from the instance's Linux SDK turns up in a CLI on a Mac. Raised for instance sessions calling from a workstation or an offensive distribution. Kept across runs with `hunt --state`; a family unused for 90 days is new again.")
        .false_positive("Upgrades from one SDK to another, new laptops, new CI images")
        .severity(Severity::Low)
        .escalate(instance_session().and(workstation_agent()), Severity::High)
        .escalate(field("userAgent").contains(["kali", "parrot", "pentoo", "blackarch"]), Severity::Medium)
        .kind(RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::UserAgentFamily,
            learning: Duration::days(14),
        })
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-principal-new-source-network",
            "Principal calling from a network it had not used",
            own_calls(),
        )
        .description("After two weeks of learning, a principal called from a network (the /24 of an IPv4 address, the /48 of an IPv6 one) it had not called from. Calls made through AWS services (a host name or `AWS Internal` as source) do not count. Medium for an EC2 instance's role session, whose calls come from its instance (or the NAT in front of it): a new network there is its credentials used elsewhere. Kept across runs with `hunt --state`; a network unused for 90 days is new again.")
        .false_positive("People travelling or working from home, new NAT gateways, mobile networks")
        .severity(Severity::Info)
        .escalate(instance_session(), Severity::Medium)
        .kind(RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::SourceNetwork,
            learning: Duration::days(14),
        })
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-principal-new-region",
            "Principal calling in a region it had not used",
            own_calls().and(field("awsRegion").exists()),
        )
        .description("After two weeks of learning, a principal made a call in a region it had not used before: enumeration across every region, or a foothold where nobody looks. Global services log in us-east-1, so a principal's first IAM or STS call may show it. Kept across runs with `hunt --state`; a region unused for 90 days is new again.")
        .false_positive("Expansion to new regions; tools that sweep every region on purpose")
        .severity(Severity::Info)
        .kind(RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::AwsRegion,
            learning: Duration::days(14),
        })
        .mitre(DEFENSE_EVASION, "T1535"),
    ]
}

//! Defense evasion (TA0005) on network controls: security groups and network ACLs opened to the whole
//! internet, network ACLs and their entries deleted, AWS Network Firewall taken down.
//!
//! A network is the whole internet when its prefix length is 0, whatever its base address: AWS accepts
//! `208.236.235.254/0` (Stratus Red Team sends it) as it accepts `0.0.0.0/0` and `::/0`. The CIDR text
//! ends in `/0` exactly then (a longer prefix such as `/10` has a digit before its last `0`, not a `/`).
//! Revoking rules and adding egress rules narrow or keep access and are not flagged.

use crate::condition::{Condition, field};
use crate::rule::{Rule, Severity};

use super::helpers::{DEFENSE_EVASION, call};

/// One of the CIDR fields has prefix length 0 (the whole IPv4 or IPv6 internet).
fn whole_internet(paths: &[&str]) -> Condition {
    Condition::Any(
        paths
            .iter()
            .map(|path| field(path).ends_with(["/0"]))
            .collect(),
    )
}

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-ec2-security-group-open-to-world",
            "Security group opened to the whole internet",
            call("ec2", &["AuthorizeSecurityGroupIngress"])
                .and(whole_internet(&[
                    // The older query form: one rule in top-level members.
                    "requestParameters.cidrIp",
                    "requestParameters.cidrIpv6",
                    "requestParameters.ipPermissions.items.ipRanges.items.cidrIp",
                    "requestParameters.ipPermissions.items.ipv6Ranges.items.cidrIpv6",
                ]))
                .or(call("ec2", &["ModifySecurityGroupRules"]).and(whole_internet(&[
                    "requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv4",
                    "requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv6",
                ]))),
        )
        .description("An ingress rule (new, or an existing rule modified) admits a network with prefix length 0: the whole IPv4 or IPv6 internet, whatever base address is written.")
        .false_positive("public web servers opened on 80/443 by their owners")
        .severity(Severity::Medium)
        .tag("stratus:aws.exfiltration.ec2-security-group-open-port-22-ingress")
        .mitre(DEFENSE_EVASION, "T1562.007"),
        Rule::new(
            "aws-ec2-network-acl-open-to-world",
            "Network ACL ingress entry allows the whole internet",
            call("ec2", &["CreateNetworkAclEntry", "ReplaceNetworkAclEntry"])
                .and(field("requestParameters.ruleAction").equals(["allow"]))
                .and(field("requestParameters.egress").equals(["false"]))
                .and(whole_internet(&[
                    "requestParameters.cidrBlock",
                    "requestParameters.ipv6CidrBlock",
                ])),
        )
        .description("A network ACL entry allows inbound traffic from a network with prefix length 0; all protocols or all ports raise the severity.")
        .false_positive("public subnets allowing 80/443 from anywhere")
        .severity(Severity::Low)
        .escalate(
            field("requestParameters.aclProtocol").equals(["-1"]).or(
                field("requestParameters.portRange.from")
                    .less_than(1.0)
                    .and(field("requestParameters.portRange.to").greater_than(65534.0)),
            ),
            Severity::Medium,
        )
        .mitre(DEFENSE_EVASION, "T1562.007"),
        Rule::new(
            "aws-ec2-network-acl-deleted",
            "Network ACL or network ACL entry deleted",
            call("ec2", &["DeleteNetworkAcl", "DeleteNetworkAclEntry"]),
        )
        .description("Deleting an entry can remove the deny that kept traffic out; an ACL is deleted once no subnet uses it, often after its subnets were moved to the default ACL, which allows all traffic.")
        .false_positive("network teardown")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.007"),
        Rule::new(
            "aws-network-firewall-deleted",
            "Network Firewall, its policy or a rule group deleted, or a subnet taken out of it",
            call(
                "network-firewall",
                &[
                    "DeleteFirewall",
                    "DeleteFirewallPolicy",
                    "DeleteRuleGroup",
                    "DisassociateSubnets",
                ],
            ),
        )
        .false_positive("network teardown")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.007"),
    ]
}

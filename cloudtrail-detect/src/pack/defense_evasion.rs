//! Defense evasion (TA0005): logging, monitoring and network controls turned off or weakened.

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::{DEFENSE_EVASION, names};

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-ec2-security-group-open-to-world",
            "Security group opened to the whole internet",
            names(&["AuthorizeSecurityGroupIngress"]).and(
                field("requestParameters.ipPermissions.items.ipRanges.items.cidrIp")
                    .equals(["0.0.0.0/0"])
                    .or(
                        field("requestParameters.ipPermissions.items.ipv6Ranges.items.cidrIpv6")
                            .equals(["::/0"]),
                    ),
            ),
        )
        .severity(Severity::Medium)
        .tag("stratus:aws.exfiltration.ec2-security-group-open-port-22-ingress")
        .mitre(DEFENSE_EVASION, "T1562.007"),
        Rule::new(
            "aws-organizations-leave",
            "Account tried to leave its AWS Organization",
            names(&["LeaveOrganization"]),
        )
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.organizations-leave")
        .mitre(DEFENSE_EVASION, "T1666"),
        Rule::new(
            "aws-vpc-flow-logs-deleted",
            "VPC flow logs deleted",
            names(&["DeleteFlowLogs"]),
        )
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.vpc-remove-flow-logs")
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-dns-query-logs-deleted",
            "Route 53 Resolver query logging deleted",
            names(&[
                "DeleteResolverQueryLogConfig",
                "DisassociateResolverQueryLogConfig",
            ]),
        )
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.dns-delete-logs")
        .mitre(DEFENSE_EVASION, "T1562.008"),
    ]
}

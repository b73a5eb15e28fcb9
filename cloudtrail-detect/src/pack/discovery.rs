//! Discovery (TA0007): enumeration, and requests denied by VPC endpoint policies.

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::DISCOVERY;

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-vpc-endpoint-access-denied",
            "Request denied by a VPC endpoint policy",
            field("errorCode")
                .equals(["VpceAccessDenied"])
                .and(field("eventType").equals(["AwsVpceEvent"])),
        )
        .severity(Severity::Medium)
        .mitre(DISCOVERY, "T1580"),
    ]
}

//! Exfiltration (TA0010): snapshots, images and data shared with other accounts or made public.

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::{EXFILTRATION, names};

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-ebs-snapshot-shared",
            "EBS snapshot shared with another account or made public",
            names(&["ModifySnapshotAttribute"])
                .and(field("requestParameters.createVolumePermission.add.items").exists()),
        )
        .severity(Severity::High)
        .tag("stratus:aws.exfiltration.ec2-share-ebs-snapshot")
        .mitre(EXFILTRATION, "T1537"),
    ]
}

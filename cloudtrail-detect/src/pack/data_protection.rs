//! Defense evasion (TA0005) on data protections: S3 public access blocks removed or weakened, versioning
//! suspended, MFA delete turned off, default bucket encryption deleted, EBS encryption by default turned
//! off, KMS key policies and rotation changed. Turning a protection back on (a block set to true,
//! versioning `Enabled`, MFA delete `Enabled`) is not flagged.

use crate::condition::{Condition, field};
use crate::rule::{Rule, Severity};

use super::helpers::{DEFENSE_EVASION, IMPACT, call, succeeded};

/// The four settings of an S3 public access block (bucket or account).
const PUBLIC_ACCESS_BLOCK_SETTINGS: [&str; 4] = [
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];

pub(super) fn rules() -> Vec<Rule> {
    let weakened_setting = Condition::Any(
        PUBLIC_ACCESS_BLOCK_SETTINGS
            .iter()
            .map(|setting| {
                field(&format!(
                    "requestParameters.PublicAccessBlockConfiguration.{setting}"
                ))
                .equals(["false"])
            })
            .collect(),
    );
    let put_weakened = call(
        "s3",
        &["PutBucketPublicAccessBlock", "PutAccountPublicAccessBlock"],
    )
    .and(weakened_setting);
    vec![
        Rule::new(
            "aws-s3-public-access-block-removed",
            "S3 public access block deleted or weakened",
            call(
                "s3",
                &[
                    "DeleteBucketPublicAccessBlock",
                    "DeleteAccountPublicAccessBlock",
                ],
            )
            .or(put_weakened),
        )
        .description("The public access block is what stops a bucket policy or ACL from making data public; deleting it, or setting one of its four settings to false, allows public exposure. Account-level changes (`s3-control` host) cover every bucket.")
        .false_positive("buckets meant to serve public content")
        .severity(Severity::Medium)
        .escalate(
            field("eventName").equals([
                "DeleteAccountPublicAccessBlock",
                "PutAccountPublicAccessBlock",
            ])
            .and(succeeded()),
            Severity::High,
        )
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-s3-versioning-suspended",
            "S3 bucket versioning suspended",
            call("s3", &["PutBucketVersioning"])
                .and(field("requestParameters.VersioningConfiguration.Status").equals(["Suspended"])),
        )
        .description("With versioning suspended, overwritten and deleted objects are no longer kept: a step before destroying or ransoming data.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001")
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-s3-mfa-delete-disabled",
            "S3 MFA delete disabled",
            call("s3", &["PutBucketVersioning"])
                .and(field("requestParameters.VersioningConfiguration.MfaDelete").equals(["Disabled"])),
        )
        .description("MFA delete requires the root user's MFA to delete object versions or change versioning; turning it off removes that protection.")
        .false_positive("PutBucketVersioning calls that restate MfaDelete Disabled on buckets that never had it")
        .severity(Severity::Low)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-s3-default-encryption-deleted",
            "S3 bucket default encryption configuration deleted",
            call("s3", &["DeleteBucketEncryption"]),
        )
        .description("The bucket falls back to SSE-S3; objects written under a customer-managed KMS key policy lose that key's access control for new writes.")
        .severity(Severity::Low)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-ec2-ebs-default-encryption-disabled",
            "EBS encryption by default disabled",
            call("ec2", &["DisableEbsEncryptionByDefault"]),
        )
        .description("New EBS volumes and snapshot copies in the region are created unencrypted, so they can be shared outside the account.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-kms-key-policy-changed",
            "KMS key policy replaced",
            call("kms", &["PutKeyPolicy"]),
        )
        .description("A key policy decides who can use and manage the key. Bypassing the lockout safety check can leave the account unable to manage its own key (a ransom lever).")
        .false_positive("key administrators updating policies")
        .severity(Severity::Low)
        .escalate(
            field("requestParameters.bypassPolicyLockoutSafetyCheck")
                .equals(["true"])
                .and(succeeded()),
            Severity::High,
        )
        .mitre(DEFENSE_EVASION, "T1562.001")
        .mitre(IMPACT, "T1486"),
        Rule::new(
            "aws-kms-key-rotation-disabled",
            "KMS automatic key rotation disabled",
            call("kms", &["DisableKeyRotation"]),
        )
        .severity(Severity::Low)
        .mitre(DEFENSE_EVASION, "T1562.001"),
    ]
}

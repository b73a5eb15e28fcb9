//! Impact (TA0040): destruction and encryption of data and of its backups — RDS and Aurora databases,
//! EFS file systems, DynamoDB tables, AWS Backup vaults, plans and recovery points, S3 objects deleted in
//! bursts or re-encrypted with a key only the caller holds (SSE-C), ransom notes, buckets, AMIs, EBS
//! snapshots, Route 53 hosted zones, secrets deleted without recovery, KMS keys disabled or scheduled for
//! deletion. Reversals (EnableKey, CancelKeyDeletion, deletion protection turned on) are not flagged.
//!
//! S3 object deletions and copies are data events: they are only in trails that log S3 data events.

use chrono::Duration;

use crate::condition::{Condition, field};
use crate::rule::{Rule, Severity};

use super::helpers::{IMPACT, call, names, source, sources, succeeded};

/// The request header that asks S3 to encrypt with a key the caller supplies (SSE-C).
const SSE_C_ALGORITHM: &str = "requestParameters.x-amz-server-side-encryption-customer-algorithm";
/// The same header in the response, as S3 echoes it.
const SSE_C_RESPONSE: &str = "responseElements.x-amz-server-side-encryption-customer-algorithm";

/// A database deletion that also deletes its automated backups: `deleteAutomatedBackups` defaults to
/// true for DeleteDBInstance and DeleteDBCluster, so only an explicit `false` keeps them.
fn deletes_automated_backups() -> Condition {
    field("requestParameters.deleteAutomatedBackups")
        .equals(["false"])
        .not()
}

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-rds-instance-deleted",
            "RDS database instance deleted",
            call("rds", &["DeleteDBInstance"]),
        )
        .description("A database instance was deleted; without a final snapshot and with its automated backups deleted too (the default), its data is gone.")
        .false_positive("test databases torn down by their owners")
        .severity(Severity::Medium)
        .escalate(
            field("requestParameters.skipFinalSnapshot")
                .equals(["true"])
                .and(deletes_automated_backups())
                .and(succeeded()),
            Severity::High,
        )
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-rds-cluster-deleted",
            "RDS or Aurora cluster deleted",
            call("rds", &["DeleteDBCluster", "DeleteGlobalCluster"]),
        )
        .false_positive("test clusters torn down by their owners")
        .severity(Severity::Medium)
        .escalate(
            field("requestParameters.skipFinalSnapshot")
                .equals(["true"])
                .and(deletes_automated_backups())
                .and(succeeded()),
            Severity::High,
        )
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-rds-deletion-protection-disabled",
            "RDS deletion protection turned off",
            call("rds", &["ModifyDBInstance", "ModifyDBCluster"])
                .and(field("requestParameters.deletionProtection").equals(["false"])),
        )
        .description("Deletion protection is the switch that must be turned off before a database can be deleted.")
        .severity(Severity::Medium)
        .escalate(
            field("requestParameters.backupRetentionPeriod")
                .equals(["0"])
                .and(succeeded()),
            Severity::High,
        )
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-rds-backup-deleted",
            "RDS snapshot or automated backup deleted",
            call(
                "rds",
                &[
                    "DeleteDBSnapshot",
                    "DeleteDBClusterSnapshot",
                    "DeleteDBInstanceAutomatedBackup",
                    "DeleteDBClusterAutomatedBackup",
                ],
            ),
        )
        .false_positive("snapshot retention jobs")
        .severity(Severity::Low)
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-efs-file-system-deleted",
            "EFS file system deleted",
            call("elasticfilesystem", &["DeleteFileSystem"]),
        )
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-dynamodb-table-deleted",
            "DynamoDB table or backup deleted",
            call("dynamodb", &["DeleteTable", "DeleteBackup"]),
        )
        .false_positive("stack teardown")
        .severity(Severity::Low)
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-backup-vault-deleted",
            "AWS Backup vault deleted",
            call("backup", &["DeleteBackupVault"]),
        )
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-backup-recovery-point-deleted",
            "AWS Backup recovery point deleted",
            call("backup", &["DeleteRecoveryPoint"]),
        )
        .false_positive("manual clean-up of expired recovery points")
        .severity(Severity::Low)
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-backup-recovery-points-deleted-burst",
            "Many AWS Backup recovery points deleted by one principal",
            call("backup", &["DeleteRecoveryPoint"]),
        )
        .description("Ten or more recovery points deleted by one principal within 10 minutes: backups destroyed before a ransom or a wipe.")
        .severity(Severity::High)
        .threshold(10, Duration::minutes(10))
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-backup-plan-deleted",
            "AWS Backup plan or selection deleted",
            call("backup", &["DeleteBackupPlan", "DeleteBackupSelection"]),
        )
        .description("No new backups are taken of the resources the plan or selection covered.")
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-backup-vault-protection-removed",
            "AWS Backup vault access policy or vault lock removed",
            call(
                "backup",
                &[
                    "DeleteBackupVaultAccessPolicy",
                    "DeleteBackupVaultLockConfiguration",
                ],
            ),
        )
        .description("Vault access policies (typically denying backup:DeleteRecoveryPoint) and vault locks keep recovery points from being deleted; removing them makes deletion possible.")
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-backup-vault-policy-changed",
            "AWS Backup vault access policy replaced",
            call("backup", &["PutBackupVaultAccessPolicy"]),
        )
        .description("A new vault policy can drop the deny that protected recovery points, or deny restores to the account's own roles; one record cannot tell which, so this is context.")
        .severity(Severity::Low)
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-s3-objects-batch-deleted",
            "S3 objects deleted in a batch (DeleteObjects)",
            call("s3", &["DeleteObjects"]),
        )
        .description("One DeleteObjects call removes up to 1,000 keys or versions: emptying a bucket takes one request, so a single call is worth seeing. S3 data events must be logged.")
        .false_positive("clean-up jobs and tools emptying buckets before deleting them")
        .severity(Severity::Low)
        .tag("stratus:aws.impact.s3-ransomware-batch-deletion")
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-s3-batch-deletion-burst",
            "Many S3 DeleteObjects calls by one principal",
            call("s3", &["DeleteObjects"]),
        )
        .description("Ten or more multi-object deletions (up to 1,000 keys each) by one principal within 10 minutes. S3 data events must be logged.")
        .false_positive("clean-up jobs emptying buckets")
        .severity(Severity::Medium)
        .threshold(10, Duration::minutes(10))
        .tag("stratus:aws.impact.s3-ransomware-batch-deletion")
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-s3-object-deletion-burst",
            "Many S3 objects deleted one by one by one principal",
            call("s3", &["DeleteObject"]),
        )
        .description("Twenty or more DeleteObject calls by one principal within 5 minutes (a script walking a bucket, object by object and version by version). S3 data events must be logged.")
        .false_positive("applications that delete their own temporary objects")
        .severity(Severity::Medium)
        .threshold(20, Duration::minutes(5))
        .tag("stratus:aws.impact.s3-ransomware-individual-deletion")
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-s3-object-lock-bypassed",
            "S3 Object Lock governance retention bypassed",
            names(&["DeleteObject", "DeleteObjects", "PutObjectRetention"])
                .and(source("s3"))
                .and(field("requestParameters.x-amz-bypass-governance-retention").equals(["true"])),
        )
        .description("The caller used s3:BypassGovernanceRetention to delete locked object versions or shorten their retention: the protection meant to survive a compromised account was overridden.")
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-s3-sse-c-encryption",
            "S3 object written or copied with a customer-supplied key (SSE-C)",
            names(&["CopyObject", "PutObject", "CreateMultipartUpload", "UploadPart", "UploadPartCopy"])
                .and(sources(&["s3", "s3-outposts"]))
                .and(
                    field(SSE_C_ALGORITHM)
                        .exists()
                        .or(field(SSE_C_RESPONSE).exists())
                        .or(field("additionalEventData.SSEApplied").equals(["SSE_C"])),
                ),
        )
        .description("Objects rewritten with SSE-C can only be read with the key the caller supplied and AWS does not keep: the 2025 Codefinger ransomware re-encrypted buckets this way with stolen keys. Few organisations use SSE-C at all.")
        .false_positive("applications built on SSE-C")
        .severity(Severity::Medium)
        .escalate(
            field("eventName").equals(["CopyObject"]).and(succeeded()),
            Severity::High,
        )
        .tag("stratus:aws.impact.s3-ransomware-client-side-encryption")
        .mitre(IMPACT, "T1486"),
        Rule::new(
            "aws-s3-ransom-note-uploaded",
            "S3 object with a ransom-note name uploaded",
            call("s3", &["PutObject"]).and(field("requestParameters.key").contains([
                "ransom",
                "how_to_decrypt",
                "how-to-decrypt",
                "decrypt_files",
                "decrypt-files",
                "how_to_recover",
                "how-to-recover",
                "recover_files",
                "recover-files",
                "restore_files",
                "restore-files",
                "your_files",
                "your-files",
                "files-deleted",
                "files_deleted",
                "files-encrypted",
                "files_encrypted",
            ])),
        )
        .description("Ransomware leaves a note beside the data it destroyed or encrypted, with a name meant to be read (HOW_TO_DECRYPT_FILES.txt, RECOVER_FILES, FILES-DELETED.txt as Stratus Red Team writes, ...).")
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .mitre(IMPACT, "T1486"),
        Rule::new(
            "aws-s3-bucket-deleted",
            "S3 bucket deleted",
            call("s3", &["DeleteBucket"]),
        )
        .false_positive("stack teardown")
        .severity(Severity::Low)
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-ec2-ami-deregistered",
            "EC2 AMI deregistered",
            call("ec2", &["DeregisterImage"]),
        )
        .description("Deregistered images can no longer launch instances; an attacker removes the golden images recovery depends on.")
        .false_positive("image pipelines retiring old AMIs")
        .severity(Severity::Low)
        .tag("stratus:aws.impact.ec2-deregister-ami")
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-ec2-snapshot-deletion-burst",
            "Many EBS snapshots deleted by one principal",
            call("ec2", &["DeleteSnapshot"]),
        )
        .description("Ten or more snapshot deletions by one principal within 10 minutes: backups destroyed in bulk.")
        .false_positive("snapshot retention scripts (Data Lifecycle Manager acts as its own service role)")
        .severity(Severity::Medium)
        .threshold(10, Duration::minutes(10))
        .mitre(IMPACT, "T1490"),
        Rule::new(
            "aws-ec2-instance-termination-burst",
            "Many EC2 instance terminations by one principal",
            call("ec2", &["TerminateInstances"]),
        )
        .description("Ten or more TerminateInstances calls by one principal within 10 minutes.")
        .false_positive("Auto Scaling and batch schedulers (their own service roles)")
        .severity(Severity::Medium)
        .threshold(10, Duration::minutes(10))
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-route53-hosted-zone-deleted",
            "Route 53 hosted zone deleted",
            call("route53", &["DeleteHostedZone"]),
        )
        .description("Deleting a hosted zone takes down every name in it; a recreated zone gets new name servers.")
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-secretsmanager-secret-force-deleted",
            "Secrets Manager secret deleted without a recovery window",
            call("secretsmanager", &["DeleteSecret"])
                .and(field("requestParameters.forceDeleteWithoutRecovery").equals(["true"])),
        )
        .description("A secret deleted with ForceDeleteWithoutRecovery cannot be restored; a normal deletion waits 7 to 30 days.")
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-kms-key-deletion-scheduled",
            "KMS key scheduled for deletion",
            call("kms", &["ScheduleKeyDeletion"]),
        )
        .description("Once the waiting period ends, everything encrypted under the key is unreadable; CancelKeyDeletion reverses it until then.")
        .false_positive("key clean-up by key administrators")
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1485")
        .mitre(IMPACT, "T1486"),
        Rule::new(
            "aws-kms-key-disabled",
            "KMS key disabled",
            call("kms", &["DisableKey"]),
        )
        .description("Data encrypted under a disabled key cannot be decrypted until the key is enabled again.")
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-kms-imported-key-material-deleted",
            "KMS imported key material deleted",
            call("kms", &["DeleteImportedKeyMaterial"]),
        )
        .description("The key is unusable until the same material is imported again; whoever holds it holds the data.")
        .severity(Severity::Medium)
        .mitre(IMPACT, "T1485"),
    ]
}

//! Defense evasion (TA0005): logs and their destinations destroyed, shortened or cut off — CloudTrail
//! Lake, S3 lifecycle rules on log buckets, CloudWatch log groups, alarms and subscriptions, VPC flow
//! logs, Route 53 Resolver query logs, S3 server access logging, WAF logging, Bedrock invocation logging,
//! RDS activity streams, EventBridge rules — and an account leaving its organisation or its SCPs, and
//! compute launched in a region its principal had not used (T1535).
//!
//! The trail itself (DeleteTrail, StopLogging, UpdateTrail, event selectors) is `aws-cloudtrail-tampering`
//! in `notebook`; the security services are in `security_services`, network controls in
//! `network_controls`, S3, EBS and KMS protections in `data_protection`.

use chrono::Duration;

use crate::condition::field;
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{DEFENSE_EVASION, IMPACT, call, names, sources, succeeded};

/// Names that suggest a resource holds logs or security records (log groups, buckets): deleting or
/// shortening those is rarely routine.
const LOG_LIKE: [&str; 7] = [
    "cloudtrail",
    "trail",
    "flowlog",
    "flow-log",
    "audit",
    "security",
    "guardduty",
];

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-compute-launched-in-new-region",
            "Compute launched in a region new for the principal",
            names(&[
                "RunInstances",
                "RequestSpotInstances",
                "RequestSpotFleet",
                "CreateFleet",
                "CreateKeyPair",
                "ImportKeyPair",
                "CreateFunction20150331",
            ])
            .and(field("userIdentity.invokedBy").exists().not()),
        )
        .description("After two weeks of learning where each principal works, it launched instances or a function (or made an instance key pair) in a region it had not used: intruders run miners and footholds in regions nobody watches. Kept across runs with `hunt --state`; a region unused for 90 days is new again. AWS services launching on a principal's behalf (invokedBy: Auto Scaling, EC2 Fleet) do not count.")
        .false_positive("Expansion to a new region, disaster-recovery drills")
        .severity(Severity::Low)
        .kind(RuleKind::FirstSeen {
            group_by: Vec::new(),
            field: Field::parse("awsRegion"),
            learning: Duration::days(14),
        })
        .mitre(DEFENSE_EVASION, "T1535"),
        Rule::new(
            "aws-organizations-leave",
            "Account tried to leave its AWS Organization",
            names(&["LeaveOrganization"]),
        )
        .description("An account left (or tried to leave) its organisation, escaping its SCPs, organisation trail and delegated security services.")
        .severity(Severity::High)
        .tag("stratus:aws.defense-evasion.organizations-leave")
        .mitre(DEFENSE_EVASION, "T1666"),
        Rule::new(
            "aws-organizations-scp-removed",
            "Service control policy detached, deleted or policy type disabled",
            call("organizations", &["DetachPolicy", "DeletePolicy", "DisablePolicyType"]),
        )
        .description("Detaching or deleting an organisation policy, or disabling a policy type, lifts the guardrails (region, service, logging protections) it enforced on the accounts below.")
        .false_positive("policy restructuring by the organisation's administrators")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-vpc-flow-logs-deleted",
            "VPC flow logs deleted",
            names(&["DeleteFlowLogs"]),
        )
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .tag("stratus:aws.defense-evasion.vpc-remove-flow-logs")
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-dns-query-logs-deleted",
            "Route 53 Resolver or hosted-zone query logging deleted",
            names(&[
                "DeleteResolverQueryLogConfig",
                "DisassociateResolverQueryLogConfig",
                "DeleteQueryLoggingConfig",
            ]),
        )
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .tag("stratus:aws.defense-evasion.dns-delete-logs")
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-cloudtrail-lake-deleted",
            "CloudTrail Lake event data store deleted or its ingestion stopped",
            call(
                "cloudtrail",
                &["DeleteEventDataStore", "StopEventDataStoreIngestion"],
            ),
        )
        .description("A CloudTrail Lake event data store was deleted or stopped ingesting events: the account's queryable audit history stops growing or goes away after the retention window.")
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-s3-lifecycle-short-expiration",
            "S3 lifecycle rule deletes objects within a week",
            call("s3", &["PutBucketLifecycle", "PutBucketLifecycleConfiguration"])
                .and(field("requestParameters.LifecycleConfiguration.Rule.Status").equals(["Enabled"]))
                .and(
                    field("requestParameters.LifecycleConfiguration.Rule.Expiration.Days")
                        .less_than(8.0)
                        .or(field(
                            "requestParameters.LifecycleConfiguration.Rule.NoncurrentVersionExpiration.NoncurrentDays",
                        )
                        .less_than(8.0)),
                ),
        )
        .description("An enabled lifecycle rule expires current or noncurrent object versions within 7 days. On a log bucket (CloudTrail, flow logs) it erases the record of an intrusion; on a data bucket it is destruction on a timer.")
        .false_positive("scratch and temporary-upload buckets with a short expiry")
        .severity(Severity::Medium)
        .escalate(
            field("requestParameters.bucketName")
                .contains(LOG_LIKE)
                .and(succeeded()),
            Severity::High,
        )
        .tag("stratus:aws.defense-evasion.cloudtrail-lifecycle-rule")
        .mitre(DEFENSE_EVASION, "T1562.008")
        .mitre(IMPACT, "T1485"),
        Rule::new(
            "aws-cloudwatch-log-group-deleted",
            "CloudWatch Logs log group deleted",
            call("logs", &["DeleteLogGroup"]),
        )
        .description("A log group and every event in it were deleted; groups that hold CloudTrail, flow logs or audit logs raise the severity.")
        .false_positive("stack teardown deleting the log groups of its own functions")
        .severity(Severity::Medium)
        .escalate(
            field("requestParameters.logGroupName")
                .contains(LOG_LIKE)
                .and(succeeded()),
            Severity::High,
        )
        .mitre(DEFENSE_EVASION, "T1562.008")
        .mitre(DEFENSE_EVASION, "T1070"),
        Rule::new(
            "aws-cloudwatch-log-stream-deleted",
            "CloudWatch Logs log stream deleted",
            call("logs", &["DeleteLogStream"]),
        )
        .description("One stream of a log group was deleted with its events: an intruder can remove the part of a log that shows them.")
        .severity(Severity::Low)
        .escalate(
            field("requestParameters.logGroupName").contains(LOG_LIKE),
            Severity::Medium,
        )
        .mitre(DEFENSE_EVASION, "T1070"),
        Rule::new(
            "aws-cloudwatch-log-retention-shortened",
            "CloudWatch Logs retention set below a week",
            call("logs", &["PutRetentionPolicy"])
                .and(field("requestParameters.retentionInDays").less_than(7.0)),
        )
        .description("A log group's retention was set to less than 7 days (1, 3 or 5): its events expire before most investigations begin.")
        .false_positive("debug log groups kept short on purpose")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-cloudwatch-log-subscription-deleted",
            "CloudWatch Logs subscription filter or destination deleted",
            call("logs", &["DeleteSubscriptionFilter", "DeleteDestination"]),
        )
        .description("A subscription filter (or its destination) that forwards a log group to a SIEM, a stream or another account was deleted: the copy outside the account stops.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-cloudwatch-metric-filter-deleted",
            "CloudWatch Logs metric filter deleted",
            call("logs", &["DeleteMetricFilter"]),
        )
        .description("Metric filters turn log lines (root sign-ins, CloudTrail changes, policy changes) into the metrics that alarms watch; deleting one silences its alarm.")
        .severity(Severity::Low)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-cloudwatch-alarms-deleted",
            "CloudWatch alarms deleted",
            call("monitoring", &["DeleteAlarms"]),
        )
        .false_positive("stack teardown deleting its own alarms")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-cloudwatch-alarm-actions-disabled",
            "CloudWatch alarm actions disabled",
            call("monitoring", &["DisableAlarmActions"]),
        )
        .description("The alarms still evaluate but no longer notify or act.")
        .false_positive("maintenance windows that mute alarms")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-eventbridge-rule-disabled-or-deleted",
            "EventBridge rule disabled or deleted",
            call("events", &["DisableRule", "DeleteRule"]),
        )
        .description("EventBridge rules route security findings and CloudTrail events to responders; disabling or deleting one stops that routing. (RemoveTargets is flagged by aws-guardduty-tampering.)")
        .false_positive("stack teardown deleting its own rules")
        .severity(Severity::Medium)
        .escalate(
            field("requestParameters.name").contains(["guardduty", "securityhub", "security-hub", "cloudtrail", "alert", "incident"]).and(succeeded()),
            Severity::High,
        )
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-s3-access-logging-disabled",
            "S3 server access logging disabled",
            call("s3", &["PutBucketLogging"])
                .and(
                    field("requestParameters.BucketLoggingStatus.xmlns")
                        .exists()
                        .or(field("requestParameters.logging").equals([""])),
                )
                .and(field("requestParameters.BucketLoggingStatus.LoggingEnabled.TargetBucket").exists().not())
                .and(field("requestParameters.logging.targetBucket").exists().not()),
        )
        .description("PutBucketLogging with an empty BucketLoggingStatus (no LoggingEnabled) turns off server access logging for the bucket.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-waf-logging-deleted",
            "WAF logging configuration deleted",
            names(&["DeleteLoggingConfiguration"]).and(sources(&["wafv2", "waf", "waf-regional"])),
        )
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-bedrock-invocation-logging-deleted",
            "Bedrock model invocation logging deleted",
            call("bedrock", &["DeleteModelInvocationLoggingConfiguration"]),
        )
        .description("Without invocation logging, prompts and responses of Bedrock models (and their abuse) are no longer recorded.")
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .mitre(DEFENSE_EVASION, "T1562.008"),
        Rule::new(
            "aws-rds-activity-stream-stopped",
            "RDS database activity stream stopped",
            call("rds", &["StopActivityStream"]),
        )
        .description("Database activity streams are the database's audit log; stopping one hides what is done with the data.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.008"),
    ]
}

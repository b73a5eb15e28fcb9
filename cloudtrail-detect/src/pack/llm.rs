//! Non-human callers and large language models: calls made through AI coding assistants, writes by
//! workload identities propagated through trusted identity propagation, Bedrock model access and
//! invocation (LLMjacking: stolen keys used to enable and call models at the victim's expense).

use chrono::Duration;

use crate::condition::{Condition, field};
use crate::rule::{Rule, Severity};

use super::helpers::{
    DISCOVERY, EXECUTION, IMPACT, INITIAL_ACCESS, names, sensitive_write, source, sources,
    workstation_agent,
};

/// Calls that run a Bedrock model.
const INVOCATIONS: [&str; 4] = [
    "InvokeModel",
    "InvokeModelWithResponseStream",
    "Converse",
    "ConverseStream",
];

/// Services that hold data: object, table, warehouse and catalogue stores.
const DATA_STORES: [&str; 8] = [
    "s3",
    "dynamodb",
    "rds",
    "redshift",
    "redshift-data",
    "glue",
    "lakeformation",
    "secretsmanager",
];

/// A caller that applications rarely are: an IAM user or the root user (long-term keys, the usual
/// LLMjacking loot), or a desktop client.
fn person() -> Condition {
    field("userIdentity.type")
        .equals(["IAMUser", "Root"])
        .or(workstation_agent())
}

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-bedrock-model-access-requested",
            "Bedrock model access requested or agreement accepted",
            names(&[
                "PutFoundationModelEntitlement",
                "PutUseCaseForModelAccess",
                "CreateFoundationModelAgreement",
            ])
            .and(source("bedrock")),
        )
        .description("Access to a foundation model was switched on (entitlement, use-case form, marketplace agreement): the first step of LLMjacking, where stolen keys enable models to run or resell them. Deleting an agreement is not flagged.")
        .false_positive("teams onboarding a new model")
        .severity(Severity::Medium)
        .tag("stratus:aws.impact.bedrock-invoke-model")
        .mitre(IMPACT, "T1496.004"),
        Rule::new(
            "aws-bedrock-invoke-by-person",
            "Bedrock model invoked by an IAM user, the root user or a desktop client",
            names(&INVOCATIONS).and(source("bedrock")).and(person()),
        )
        .description("Applications invoke models with role sessions; an IAM user's long-term key, the root user or a laptop invoking a model may be someone else using the account's models.")
        .false_positive("developers trying models from their machines")
        .severity(Severity::Low)
        .tag("stratus:aws.impact.bedrock-invoke-model")
        .mitre(IMPACT, "T1496.004"),
        Rule::new(
            "aws-bedrock-invoke-burst",
            "Burst of Bedrock model invocations by one principal",
            names(&INVOCATIONS).and(source("bedrock")),
        )
        .description("Fifty or more invocations within 10 minutes by one principal (invocations are management events in CloudTrail): models driven at volume.")
        .false_positive("applications built on Bedrock; batch jobs")
        .severity(Severity::Low)
        .threshold(50, Duration::minutes(10))
        .tag("stratus:aws.impact.bedrock-invoke-model")
        .mitre(IMPACT, "T1496.004"),
        Rule::new(
            "aws-bedrock-model-availability-probe",
            "Bedrock model availability probed repeatedly",
            names(&["GetFoundationModelAvailability", "ListFoundationModelAgreementOffers"]).and(source("bedrock")),
        )
        .description("Five or more availability or agreement-offer checks within 15 minutes: which models the keys can enable, as LLMjacking tools check before turning them on.")
        .false_positive("the Bedrock console's model-access page")
        .severity(Severity::Low)
        .threshold(5, Duration::minutes(15))
        .tag("stratus:aws.impact.bedrock-invoke-model")
        .mitre(DISCOVERY, "T1526"),
        Rule::new(
            "aws-workload-identity-write",
            "Workload identity wrote to IAM, logging, a security service or a data store",
            field("userIdentity.onBehalfOf.subjectType")
                .equals(["workload"])
                .and(field("readOnly").equals(["false"]))
                .and(sensitive_write().or(sources(&DATA_STORES))),
        )
        .description("A request made on behalf of a workload (trusted identity propagation's `onBehalfOf.subjectType = workload`, a non-human caller vouched for by Identity Center or an IAM OIDC or SAML provider) changed data or security posture. Data-store writes are what such jobs do and stay Low; writes to IAM, STS, logging and security services are raised: a propagated workload identity is a credential that can be replayed.")
        .false_positive("ETL and analytics jobs writing their output; provisioning pipelines that run as workloads")
        .severity(Severity::Low)
        .escalate(sensitive_write(), Severity::High)
        .mitre(INITIAL_ACCESS, "T1078.004"),
        Rule::new(
            "aws-ai-assistant-activity",
            "Call made through an AI coding assistant",
            field("userAgent").contains(["exec-env/amazonq-for-", "app/amazonq-for-cli", "acp-client/kiro"]),
        )
        .description("Amazon Q Developer or Kiro ran this call. Reads are informational; writes are raised, and writes to IAM, STS, logging and security services more.")
        .severity(Severity::Info)
        .escalate(sensitive_write(), Severity::High)
        .escalate(field("readOnly").equals(["false"]), Severity::Medium)
        .mitre(EXECUTION, "T1059.009"),
    ]
}

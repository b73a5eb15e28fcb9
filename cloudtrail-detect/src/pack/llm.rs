//! AI assistants and large language models: calls made through AI coding assistants, Bedrock model
//! access and invocation.

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::{EXECUTION, sensitive_write};

pub(super) fn rules() -> Vec<Rule> {
    vec![
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

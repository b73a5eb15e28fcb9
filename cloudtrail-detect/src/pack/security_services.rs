//! Defense evasion (TA0005) against the security services: AWS Config, GuardDuty filters and IP lists,
//! Security Hub, Macie, Inspector, Detective, IAM Access Analyzer, WAF web ACLs and Bedrock guardrails
//! turned off, deleted or told to look away. (GuardDuty detectors and members are
//! `aws-guardduty-tampering` in `notebook`.)

use crate::condition::field;
use crate::rule::{Rule, Severity};

use super::helpers::{DEFENSE_EVASION, call, names, sources, succeeded};

pub(super) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-config-recording-stopped",
            "AWS Config recorder stopped or deleted, or its delivery channel deleted",
            call(
                "config",
                &[
                    "StopConfigurationRecorder",
                    "DeleteConfigurationRecorder",
                    "DeleteDeliveryChannel",
                    "DeleteServiceLinkedConfigurationRecorder",
                ],
            ),
        )
        .description("AWS Config stops recording resource changes (or stops delivering them): configuration history and the rules evaluated on it go blind.")
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-config-rule-deleted",
            "AWS Config rule, conformance pack or remediation deleted",
            call(
                "config",
                &[
                    "DeleteConfigRule",
                    "DeleteOrganizationConfigRule",
                    "DeleteConformancePack",
                    "DeleteOrganizationConformancePack",
                    "DeleteRemediationConfiguration",
                    "DeleteConfigurationAggregator",
                    "DeleteAggregationAuthorization",
                ],
            ),
        )
        .false_positive("compliance teams retiring rules")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-guardduty-findings-auto-archived",
            "GuardDuty filter created or changed to archive findings automatically",
            call("guardduty", &["CreateFilter", "UpdateFilter"])
                .and(field("requestParameters.action").equals(["ARCHIVE"])),
        )
        .description("A suppression rule (filter with action ARCHIVE) archives matching findings as they arrive: nobody sees them.")
        .false_positive("suppression of findings an organisation has accepted as expected")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-guardduty-ip-lists-weakened",
            "GuardDuty trusted IP list created or changed, or a threat list deleted",
            call("guardduty", &["CreateIPSet", "UpdateIPSet", "DeleteThreatIntelSet"]),
        )
        .description("GuardDuty raises no findings for addresses on a trusted IP list; deleting a threat list stops findings for the addresses on it. Adding an attacker's addresses to the trusted list is a quiet way in.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-securityhub-disabled",
            "Security Hub disabled, or standards or product integrations turned off",
            call(
                "securityhub",
                &[
                    "DisableSecurityHub",
                    "BatchDisableStandards",
                    "DisableImportFindingsForProduct",
                    "DisableOrganizationAdminAccount",
                    "DisassociateFromAdministratorAccount",
                    "DisassociateFromMasterAccount",
                ],
            ),
        )
        .severity(Severity::Medium)
        .escalate(succeeded(), Severity::High)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-securityhub-insight-or-automation-deleted",
            "Security Hub insight, action target or automation rule deleted, or findings updated",
            call(
                "securityhub",
                &[
                    "DeleteInsight",
                    "DeleteActionTarget",
                    "BatchDeleteAutomationRules",
                    "UpdateFindings",
                ],
            ),
        )
        .description("Deleting the insights and custom actions analysts work from, or rewriting findings, hides what Security Hub has seen.")
        .severity(Severity::Low)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-securityhub-findings-suppressed",
            "Security Hub automation rule or finding update suppresses findings",
            call(
                "securityhub",
                &["CreateAutomationRule", "BatchUpdateAutomationRules", "BatchUpdateFindings"],
            )
            .and(
                field("requestParameters.actions.findingFieldsUpdate.workflow.status")
                    .equals(["SUPPRESSED"])
                    .or(field("requestParameters.workflow.status").equals(["SUPPRESSED"]))
                    .or(field("requestParameters.updateAutomationRulesRequestItems.actions.findingFieldsUpdate.workflow.status").equals(["SUPPRESSED"])),
            ),
        )
        .description("Findings set to the SUPPRESSED workflow status drop out of the default views; an automation rule does it to every future finding that matches.")
        .false_positive("triage of accepted findings")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-macie-disabled",
            "Macie disabled, paused or membership removed",
            names(&[
                "DisableMacie",
                "DisassociateFromAdministratorAccount",
                "DisassociateFromMasterAccount",
                "DisassociateMember",
                "DeleteMember",
                "DisableOrganizationAdminAccount",
            ])
            .and(sources(&["macie2", "macie"]))
            .or(call("macie2", &["UpdateMacieSession"])
                .and(field("requestParameters.status").equals(["PAUSED"]))),
        )
        .description("Macie stops discovering sensitive data: disabled, paused (UpdateMacieSession with status PAUSED), or an account taken out of its administrator's view.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-inspector-disabled",
            "Amazon Inspector scanning disabled or member removed",
            call(
                "inspector2",
                &["Disable", "DisassociateMember", "DisableDelegatedAdminAccount"],
            ),
        )
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-detective-graph-deleted",
            "Detective behaviour graph deleted or membership removed",
            call(
                "detective",
                &["DeleteGraph", "DisassociateMembership", "DisableOrganizationAdminAccount"],
            ),
        )
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-access-analyzer-deleted",
            "IAM Access Analyzer analyzer deleted",
            call("access-analyzer", &["DeleteAnalyzer"]),
        )
        .description("Without the analyzer, resources shared outside the account or organisation are no longer reported.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-access-analyzer-archive-rule",
            "IAM Access Analyzer archive rule created or changed",
            call("access-analyzer", &["CreateArchiveRule", "UpdateArchiveRule"]),
        )
        .description("An archive rule archives matching findings (external or public access) automatically, now and in future.")
        .false_positive("archiving accepted cross-account access")
        .severity(Severity::Low)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-waf-web-acl-deleted",
            "WAF web ACL, rule group or classic rule deleted",
            names(&["DeleteWebACL", "DeleteRuleGroup"])
                .and(sources(&["wafv2", "waf", "waf-regional"]))
                .or(names(&["DeleteRule", "DeleteRateBasedRule"]).and(sources(&["waf", "waf-regional"]))),
        )
        .false_positive("stack teardown")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-waf-web-acl-disassociated",
            "WAF web ACL disassociated from a resource",
            names(&["DisassociateWebACL"]).and(sources(&["wafv2", "waf-regional"])),
        )
        .description("The load balancer, API or distribution is no longer protected by the web ACL.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-waf-web-acl-rules-removed",
            "WAF web ACL updated with no rules, or classic WAF rules removed",
            names(&["UpdateWebACL"])
                .and(sources(&["wafv2"]))
                .and(field("requestParameters.defaultAction").exists().or(field("requestParameters.id").exists()))
                .and(field("requestParameters.rules.name").exists().not())
                .or(names(&["UpdateWebACL", "UpdateRuleGroup"])
                    .and(sources(&["waf", "waf-regional"]))
                    .and(field("requestParameters.updates.action").equals(["DELETE"]))),
        )
        .description("A WAFv2 UpdateWebACL carries the whole rule list: with none left the ACL only applies its default action. Classic WAF updates say DELETE for each rule removed. What a remaining list no longer holds cannot be told from one record.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
        Rule::new(
            "aws-bedrock-guardrail-deleted",
            "Bedrock guardrail deleted",
            call("bedrock", &["DeleteGuardrail"]),
        )
        .description("Guardrails filter what Bedrock models accept and return; without one, prompts and outputs it blocked go through.")
        .severity(Severity::Medium)
        .mitre(DEFENSE_EVASION, "T1562.001"),
    ]
}

//! Privilege escalation (TA0004): IAM policies attached, put or changed, policy versions, administrator
//! policies, passwords reset and groups joined, permissions boundaries removed, and roles passed to new
//! compute (what CloudTrail shows of `iam:PassRole`: the role named in the create call).

use chrono::Duration;

use crate::condition::field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{
    PRIVILEGE_ESCALATION, UPDATE_FUNCTION_CONFIGURATION, for_another_user, names,
    policy_allows_everything, source,
};

/// Where IAM logs the policy text of `Put*Policy`, `CreatePolicy` and `CreatePolicyVersion`.
const POLICY_DOCUMENT: &str = "requestParameters.policyDocument";

pub(super) fn rules() -> Vec<Rule> {
    let mut rules = iam_policies();
    rules.extend(iam_identities());
    rules.extend(roles_passed());
    rules
}

fn iam_policies() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-iam-policy-changed",
            "IAM policy attached, put or changed",
            names(&[
                "AttachUserPolicy",
                "AttachRolePolicy",
                "AttachGroupPolicy",
                "PutUserPolicy",
                "PutRolePolicy",
                "PutGroupPolicy",
                "CreatePolicy",
                "CreatePolicyVersion",
                "SetDefaultPolicyVersion",
            ])
            .and(source("iam")),
        )
        .description("Permissions were added to a user, group or role, or a managed policy changed. Detaching and deleting policies take permissions away and do not raise it.")
        .severity(Severity::Low)
        .escalate(
            field("requestParameters.policyArn").ends_with([":policy/AdministratorAccess"]),
            Severity::High,
        )
        .tag("stratus:aws.persistence.iam-create-admin-user")
        .tag("stratus:aws.persistence.iam-create-backdoor-role")
        .mitre(PRIVILEGE_ESCALATION, "T1098.003"),
        Rule::new(
            "aws-iam-policy-allows-everything",
            "IAM policy written that allows every action",
            names(&[
                "PutUserPolicy",
                "PutRolePolicy",
                "PutGroupPolicy",
                "CreatePolicy",
                "CreatePolicyVersion",
            ])
            .and(source("iam"))
            .and(policy_allows_everything(POLICY_DOCUMENT)),
        )
        .description("An inline or managed policy with `\"Effect\": \"Allow\"` and `\"Action\": \"*\"`: administrator rights that do not show as AdministratorAccess. Deny-all policies (`\"Effect\": \"Deny\"`) do not raise it.")
        .false_positive("Break-glass roles provisioned by infrastructure code")
        .severity(Severity::High)
        .mitre(PRIVILEGE_ESCALATION, "T1098.003"),
        Rule::new(
            "aws-iam-policy-version-set-default",
            "Managed policy given a new default version",
            names(&["CreatePolicyVersion", "SetDefaultPolicyVersion"])
                .and(source("iam"))
                .and(
                    names(&["SetDefaultPolicyVersion"])
                        .or(field("requestParameters.setAsDefault").equals(["true"])),
                ),
        )
        .description("Whoever can create or switch policy versions can rewrite the permissions of everyone the policy is attached to, themselves included (a classic IAM escalation path). A version created without becoming the default changes nothing yet.")
        .false_positive("Infrastructure code updating customer-managed policies")
        .severity(Severity::Medium)
        .escalate(policy_allows_everything(POLICY_DOCUMENT), Severity::High)
        .mitre(PRIVILEGE_ESCALATION, "T1098.003"),
        Rule::new(
            "aws-iam-permissions-boundary-removed",
            "Permissions boundary removed from a user or role",
            names(&[
                "DeleteUserPermissionsBoundary",
                "DeleteRolePermissionsBoundary",
            ])
            .and(source("iam")),
        )
        .description("A permissions boundary caps what a principal's policies can grant; removing it lets every attached policy take full effect.")
        .severity(Severity::Medium)
        .mitre(PRIVILEGE_ESCALATION, "T1098.003"),
    ]
}

fn iam_identities() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-iam-login-profile-updated-for-other-user",
            "Console password of another IAM user changed",
            names(&["UpdateLoginProfile"])
                .and(source("iam"))
                .and(for_another_user()),
        )
        .description("A principal set another IAM user's console password and can now sign in as that user, with its permissions. Users changing their own password call ChangePassword, which does not raise it.")
        .false_positive("Administrators resetting forgotten passwords")
        .severity(Severity::Medium)
        .tag("stratus:aws.privilege-escalation.iam-update-user-login-profile")
        .mitre(PRIVILEGE_ESCALATION, "T1098"),
        Rule::new(
            "aws-iam-user-added-to-group",
            "IAM user added to a group",
            names(&["AddUserToGroup"]).and(source("iam")),
        )
        .description("Group membership carries the group's policies; groups named admin are raised.")
        .severity(Severity::Low)
        .escalate(
            field("requestParameters.groupName").contains(["admin"]),
            Severity::Medium,
        )
        .mitre(PRIVILEGE_ESCALATION, "T1098.007"),
    ]
}

/// Lambda names with the API-version suffixes CloudTrail appends.
const CREATE_FUNCTION: &[&str] = &["CreateFunction", "CreateFunction20150331"];
const RUN_FUNCTION: &[&str] = &[
    "Invoke",
    "CreateEventSourceMapping",
    "CreateEventSourceMapping20150331",
];

fn roles_passed() -> Vec<Rule> {
    let mut function_steps = CREATE_FUNCTION.to_vec();
    function_steps.extend_from_slice(RUN_FUNCTION);
    vec![
        Rule::new(
            "aws-lambda-created-and-run-by-creator",
            "Lambda function created with a role, then run by its creator",
            names(&function_steps).and(source("lambda")),
        )
        .description("The same principal created a function (passing it a role) and invoked it or wired it to an event source within an hour: running code with a role the principal may not hold itself (iam:PassRole with lambda:CreateFunction).")
        .false_positive("Developers testing the functions they deploy")
        .severity(Severity::Medium)
        .kind(RuleKind::Sequence {
            steps: vec![names(CREATE_FUNCTION), names(RUN_FUNCTION)],
            group_by: Vec::new(),
            window: Duration::hours(1),
            ordered: true,
        })
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
        Rule::new(
            "aws-lambda-function-role-changed",
            "Lambda function given a different execution role",
            names(UPDATE_FUNCTION_CONFIGURATION)
            .and(source("lambda"))
            .and(field("requestParameters.role").exists()),
        )
        .description("The function now runs with the role named (iam:PassRole with lambda:UpdateFunctionConfiguration): whoever can change its code acts with that role.")
        .false_positive("Deployments that set the role with every configuration update")
        .severity(Severity::Medium)
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
        Rule::new(
            "aws-iam-role-added-to-instance-profile",
            "Role added to an instance profile",
            names(&["AddRoleToInstanceProfile"]).and(source("iam")),
        )
        .description("Instances using the profile now act with the role (iam:PassRole with iam:AddRoleToInstanceProfile). RemoveRoleFromInstanceProfile does not raise it.")
        .severity(Severity::Low)
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
        Rule::new(
            "aws-glue-dev-endpoint-changed",
            "Glue development endpoint created or its SSH keys changed",
            names(&["CreateDevEndpoint", "UpdateDevEndpoint"]).and(source("glue")),
        )
        .description("A Glue development endpoint runs with the role passed to it and accepts SSH with the keys given; creating one, or adding a key to one, hands its role to whoever holds the key.")
        .severity(Severity::Medium)
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
        Rule::new(
            "aws-ec2-instance-profile-changed",
            "Instance profile attached to or replaced on a running instance",
            names(&[
                "AssociateIamInstanceProfile",
                "ReplaceIamInstanceProfileAssociation",
            ])
            .and(source("ec2")),
        )
        .description("An instance received a (different) role; code on the instance now acts with it.")
        .severity(Severity::Low)
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
        Rule::new(
            "aws-ec2-instance-launched-with-profile",
            "Instance launched with an instance profile",
            names(&["RunInstances"])
                .and(source("ec2"))
                .and(field("requestParameters.iamInstanceProfile").exists()),
        )
        .description("Context: the role passed to a new instance (iam:PassRole with ec2:RunInstances).")
        .severity(Severity::Info)
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
        Rule::new(
            "aws-cloudformation-stack-with-service-role",
            "CloudFormation stack created or updated with a service role",
            names(&["CreateStack", "UpdateStack", "CreateStackSet", "UpdateStackSet"])
                .and(source("cloudformation"))
                .and(
                    field("requestParameters.roleARN")
                        .exists()
                        .or(field("requestParameters.administrationRoleARN").exists()),
                ),
        )
        .description("Context: the stack runs with the role passed to it, whatever its caller may do.")
        .severity(Severity::Info)
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
        Rule::new(
            "aws-ecs-task-definition-with-role",
            "ECS task definition registered with a task or execution role",
            names(&["RegisterTaskDefinition"])
                .and(source("ecs"))
                .and(
                    field("requestParameters.taskRoleArn")
                        .exists()
                        .or(field("requestParameters.executionRoleArn").exists()),
                ),
        )
        .description("Context: tasks of this definition run with the roles passed to it.")
        .severity(Severity::Info)
        .mitre(PRIVILEGE_ESCALATION, "T1548.005"),
    ]
}

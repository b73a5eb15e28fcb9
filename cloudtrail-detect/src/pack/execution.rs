//! Execution (TA0002) and lateral movement (TA0008): commands and sessions on instances, user data,
//! unusual launches, EC2 Instance Connect and serial console keys, SageMaker lifecycle scripts, and the
//! other ways into a running workload (ECS Exec, Glue development endpoints, CloudShell, Lambda invokes).

use chrono::Duration;

use crate::condition::field;
use crate::field::Field;
use crate::rule::{Rule, RuleKind, Severity};

use super::helpers::{
    EXECUTION, IMPACT, LATERAL_MOVEMENT, PERSISTENCE, PRIVILEGE_ESCALATION, failed, names, source,
    workstation_agent,
};

pub(super) fn rules() -> Vec<Rule> {
    let mut rules = instances();
    rules.extend(remote_access());
    rules.extend(services());
    rules
}

/// `count` distinct values of `path` for one principal within `minutes` (the request's first value when
/// it holds several).
fn distinct(path: &str, minutes: i64, count: usize) -> RuleKind {
    RuleKind::ValueCount {
        group_by: Vec::new(),
        field: Field::parse(path),
        window: Duration::minutes(minutes),
        count,
        at_most: None,
    }
}

/// Instance types an intruder launches to mine or to train: GPU (p, g), machine-learning accelerator
/// (inf, trn, dl), FPGA (f), video transcoding (vt), high-memory (u-, x1) and HPC families. No other EC2
/// family starts with these letters.
const UNUSUAL_INSTANCE_TYPES: [&str; 10] = [
    "p*.*", "g*.*", "inf*.*", "trn*.*", "dl*.*", "f*.*", "vt*.*", "u-*", "x1*.*", "hpc*.*",
];

/// Sizes that are unusual whatever the family.
const HUGE_SIZES: [&str; 7] = [
    "*.metal*",
    "*.24xlarge",
    "*.32xlarge",
    "*.48xlarge",
    "*.56xlarge",
    "*.96xlarge",
    "*.112xlarge",
];

/// Commands and sessions on EC2 instances, user data, launches.
fn instances() -> Vec<Rule> {
    let send_command = names(&["SendCommand"]).and(source("ssm"));
    let start_session = names(&["StartSession"]).and(source("ssm"));
    let mut unusual_types = Vec::from(UNUSUAL_INSTANCE_TYPES);
    unusual_types.extend(HUGE_SIZES);
    vec![
        Rule::new(
            "aws-ssm-send-command",
            "SSM SendCommand ran a document on instances",
            send_command.clone(),
        )
        .description("Systems Manager Run Command executes a document on managed instances as root or SYSTEM. Shell and PowerShell documents (AWS-RunShellScript, AWS-RunPowerShellScript) run arbitrary commands and are raised.")
        .false_positive("patching and configuration management (AWS-RunPatchBaseline, State Manager)")
        .severity(Severity::Low)
        .escalate(
            field("requestParameters.documentName").equals(["AWS-RunShellScript", "AWS-RunPowerShellScript"]),
            Severity::Medium,
        )
        .tag("stratus:aws.execution.ssm-send-command")
        .tag("stratus:aws.credential-access.ec2-steal-instance-credentials")
        .mitre(EXECUTION, "T1651"),
        Rule::new(
            "aws-ssm-send-command-many-instances",
            "SSM SendCommand sent to three or more instances at once",
            send_command.clone()
                .and(field("responseElements.command.targetCount").greater_than(2.0)),
        )
        .description("One Run Command call targeting three or more instances (targetCount in the response): commands pushed across a fleet.")
        .false_positive("fleet-wide maintenance through Run Command")
        .severity(Severity::Medium)
        .tag("stratus:aws.execution.ssm-send-command")
        .mitre(EXECUTION, "T1651"),
        Rule::new(
            "aws-ssm-send-command-instance-spread",
            "SSM SendCommand to several instances in separate calls",
            send_command,
        )
        .description("One principal sends commands to three or more distinct instances within 10 minutes (by each call's first instance id).")
        .false_positive("scripts that loop over instances for maintenance")
        .severity(Severity::Medium)
        .kind(distinct("requestParameters.instanceIds", 10, 3))
        .tag("stratus:aws.execution.ssm-send-command")
        .mitre(EXECUTION, "T1651"),
        Rule::new(
            "aws-ssm-start-session",
            "SSM Session Manager session started on an instance",
            start_session.clone(),
        )
        .description("An interactive shell (or port forwarding) on a managed instance through Session Manager.")
        .false_positive("administrators using Session Manager instead of SSH")
        .severity(Severity::Low)
        .tag("stratus:aws.execution.ssm-start-session")
        .mitre(EXECUTION, "T1651")
        .mitre(LATERAL_MOVEMENT, "T1021.007"),
        Rule::new(
            "aws-ssm-start-session-many-instances",
            "SSM sessions started on several instances",
            start_session,
        )
        .description("One principal opens sessions on three or more distinct instances within 10 minutes.")
        .false_positive("operators working through a fleet")
        .severity(Severity::Medium)
        .kind(distinct("requestParameters.target", 10, 3))
        .tag("stratus:aws.execution.ssm-start-session")
        .mitre(LATERAL_MOVEMENT, "T1021.007"),
        Rule::new(
            "aws-ec2-user-data-modified",
            "EC2 instance user data replaced",
            names(&["ModifyInstanceAttribute"]).and(field("requestParameters.userData").exists()),
        )
        .description("User data runs as root when the instance next starts: replacing it on a stopped instance and starting it runs the intruder's script (CloudTrail hides the content as <sensitiveDataRemoved>). Other attribute changes are not flagged.")
        .false_positive("infrastructure code that updates bootstrap scripts in place")
        .severity(Severity::Medium)
        .escalate(failed(), Severity::Low)
        .tag("stratus:aws.execution.ec2-user-data")
        .mitre(EXECUTION, "T1059.009")
        .mitre(PERSISTENCE, "T1037"),
        Rule::new(
            "aws-ec2-unusual-instance-type",
            "EC2 instances of an unusual type launched or attempted",
            names(&["RunInstances"]).and(
                field("requestParameters.instanceType")
                    .glob(unusual_types.iter().copied())
                    .or(field("requestParameters.instanceType.value").glob(unusual_types.iter().copied())),
            ),
        )
        .description("GPU, accelerator, FPGA, high-memory, bare-metal or the largest sizes: what intruders launch for cryptomining or model training. Denied attempts are flagged too (they show the intent and the stolen credentials).")
        .false_positive("machine-learning and HPC teams")
        .severity(Severity::Medium)
        .tag("stratus:aws.execution.ec2-launch-unusual-instances")
        .mitre(IMPACT, "T1496.001"),
        Rule::new(
            "aws-ec2-many-instances-launched",
            "Ten or more EC2 instances requested in one call",
            names(&["RunInstances"])
                .and(field("requestParameters.instancesSet.items.maxCount").greater_than(9.0))
                .and(field("userIdentity.invokedBy").exists().not()),
        )
        .description("A RunInstances call asking for ten or more instances, by a principal rather than an AWS service (Auto Scaling and EC2 Fleet launch through invokedBy).")
        .false_positive("batch jobs and load tests launched by hand")
        .severity(Severity::Low)
        .tag("stratus:aws.execution.ec2-launch-unusual-instances")
        .mitre(IMPACT, "T1496.001"),
    ]
}

/// Remote access to instances through EC2 Instance Connect and the serial console.
fn remote_access() -> Vec<Rule> {
    let connect_key = names(&["SendSSHPublicKey"])
        .and(field("eventSource").equals(["ec2-instance-connect.amazonaws.com"]));
    vec![
        Rule::new(
            "aws-ec2-instance-connect-key",
            "SSH key pushed with EC2 Instance Connect",
            connect_key.clone(),
        )
        .description("A public key is installed on the instance for 60 seconds: whoever holds the private key can sign in as the named OS user.")
        .false_positive("administrators using EC2 Instance Connect")
        .severity(Severity::Low)
        .tag("stratus:aws.lateral-movement.ec2-instance-connect")
        .mitre(LATERAL_MOVEMENT, "T1021.004"),
        Rule::new(
            "aws-ec2-instance-connect-many-instances",
            "SSH keys pushed to several instances with EC2 Instance Connect",
            connect_key,
        )
        .description("One principal pushes keys to three or more distinct instances within 10 minutes: movement across the fleet.")
        .false_positive("operators working through a fleet")
        .severity(Severity::Medium)
        .kind(distinct("requestParameters.instanceId", 10, 3))
        .tag("stratus:aws.lateral-movement.ec2-instance-connect")
        .mitre(LATERAL_MOVEMENT, "T1021.004"),
        Rule::new(
            "aws-ec2-serial-console-enabled",
            "EC2 serial console access enabled for the account",
            names(&["EnableSerialConsoleAccess"]),
        )
        .description("Serial console access bypasses the network and security groups; it is off by default. Disabling it is not flagged.")
        .false_positive("recovery of an instance that no longer boots")
        .severity(Severity::Medium)
        .escalate(failed(), Severity::Low)
        .tag("stratus:aws.lateral-movement.ec2-serial-console-send-ssh-public-key")
        .mitre(LATERAL_MOVEMENT, "T1021"),
        Rule::new(
            "aws-ec2-serial-console-key",
            "SSH key pushed to an instance's serial console",
            names(&["SendSerialConsoleSSHPublicKey"]),
        )
        .description("A key for the EC2 serial console: a shell on the instance without any network path to it.")
        .false_positive("recovery of an instance that no longer boots")
        .severity(Severity::Medium)
        .tag("stratus:aws.lateral-movement.ec2-serial-console-send-ssh-public-key")
        .mitre(LATERAL_MOVEMENT, "T1021.004"),
    ]
}

/// Code run through managed services.
fn services() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-sagemaker-lifecycle-config",
            "SageMaker lifecycle configuration created or attached",
            names(&[
                "CreateNotebookInstanceLifecycleConfig",
                "UpdateNotebookInstanceLifecycleConfig",
                "CreateStudioLifecycleConfig",
            ])
            .or(names(&["UpdateNotebookInstance", "CreateNotebookInstance"])
                .and(field("requestParameters.lifecycleConfigName").exists())),
        )
        .description("A lifecycle script runs as root on the notebook instance at its next start, with the instance's execution role: attaching one to a stopped notebook and starting it runs code as that role.")
        .false_positive("data-science platform teams provisioning notebooks")
        .severity(Severity::Medium)
        .escalate(failed(), Severity::Low)
        .tag("stratus:aws.execution.sagemaker-update-lifecycle-config")
        .mitre(EXECUTION, "T1059")
        .mitre(PRIVILEGE_ESCALATION, "T1098"),
        Rule::new(
            "aws-ecs-execute-command",
            "Shell opened in an ECS container (ECS Exec)",
            names(&["ExecuteCommand"]).and(source("ecs")),
        )
        .description("ECS Exec runs a command or an interactive shell inside a running container, with the task's role credentials at hand.")
        .false_positive("developers debugging their services")
        .severity(Severity::Low)
        .mitre(EXECUTION, "T1609"),
        Rule::new(
            "aws-glue-dev-endpoint",
            "Glue development endpoint created or given a new key",
            names(&["CreateDevEndpoint", "UpdateDevEndpoint"]).and(source("glue")),
        )
        .description("A Glue development endpoint is a machine reachable over SSH with the key given and the role passed to it: code execution as that role.")
        .false_positive("data engineers using development endpoints (a deprecated feature)")
        .severity(Severity::Medium)
        .escalate(failed(), Severity::Low)
        .mitre(EXECUTION, "T1059")
        .mitre(PRIVILEGE_ESCALATION, "T1098"),
        Rule::new(
            "aws-cloudshell-activity",
            "CloudShell environment or session used",
            names(&["CreateEnvironment", "CreateSession", "StartEnvironment", "PutCredentials", "GetFileDownloadUrls", "GetFileUploadUrls"])
                .and(source("cloudshell")),
        )
        .description("A shell in the browser with the console user's credentials; file downloads move data out through it.")
        .false_positive("administrators using CloudShell")
        .severity(Severity::Info)
        .escalate(names(&["GetFileDownloadUrls"]), Severity::Low)
        .mitre(EXECUTION, "T1059.009"),
        Rule::new(
            "aws-lambda-invoked-from-workstation",
            "Lambda function invoked by the root user or from a workstation",
            names(&["Invoke"]).and(source("lambda")).and(
                field("userIdentity.type")
                    .equals(["Root"])
                    .or(workstation_agent()),
            ),
        )
        .description("Functions are normally invoked by services and applications; the root user or a desktop SDK calling Invoke may be running a function to use its role (data event).")
        .false_positive("developers testing their functions")
        .severity(Severity::Low)
        .mitre(EXECUTION, "T1648"),
    ]
}

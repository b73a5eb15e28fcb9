//! Planted attack activity: scenarios an attacker would leave in CloudTrail, each with its ground truth.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::actor::{self, Actor};
use crate::families;
use crate::record::{Call, record};
use crate::rng::Rng;

/// One planted record, as the ground truth file lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlantedEvent {
    /// The scenario it belongs to, e.g. `cloudtrail_tampering`.
    pub scenario: String,
    /// The MITRE ATT&CK technique the scenario shows (empty when none applies).
    pub technique: String,
    /// The record's `eventID`.
    pub event_id: String,
    /// Its `eventName`.
    pub event_name: String,
    /// Its `eventSource`.
    pub event_source: String,
    /// The acting principal, as `cloudtrail_model::Event::entity_id` names it.
    pub entity: String,
}

/// The scenarios planted, in the order they are planted: (name, ATT&CK technique).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("suspicious_user_agent", ""),
    ("root_console_login", "T1078.004"),
    ("console_signin_failures", "T1110.001"),
    ("secrets_manager_reads", "T1555.006"),
    ("assume_role_brute_force", "T1110"),
    ("cloudtrail_tampering", "T1562.008"),
    ("guardduty_tampering", "T1562.001"),
    ("iam_persistence", "T1098"),
    ("ai_assistant_writes", "T1059.009"),
    ("identity_center_signin_failures", "T1110"),
    ("vpc_endpoint_denials", "T1580"),
    ("ebs_snapshot_shared", "T1537"),
    ("security_group_opened", "T1562.007"),
    ("lambda_backdoor", "T1546"),
    ("leave_organization", "T1666"),
    ("flow_logs_deleted", "T1562.008"),
    ("dns_query_logs_deleted", "T1562.008"),
    ("ec2_password_data", "T1552.005"),
    ("ssm_parameters_decrypted", "T1552"),
    // The scenarios of the rule families beyond the notebook's (module `families`).
    ("config_recorder_stopped", "T1562.001"),
    ("cloudwatch_alarms_silenced", "T1562.001"),
    ("trail_log_group_deleted", "T1562.008"),
    ("kms_key_destroyed", "T1485"),
    ("waf_and_eventbridge_deleted", "T1562.001"),
    ("s3_public_access_block_removed", "T1530"),
    ("bedrock_invocation_logging_deleted", "T1562.008"),
    ("ami_shared", "T1537"),
    ("rds_snapshot_shared", "T1537"),
    ("s3_replication_to_foreign_bucket", "T1537"),
    ("traffic_mirroring", "T1020"),
    ("rds_database_deleted", "T1485"),
    ("efs_file_system_deleted", "T1485"),
    ("backup_vault_destroyed", "T1490"),
    ("s3_mass_deletion", "T1485"),
    ("s3_sse_c_ransom", "T1486"),
    ("policy_version_set_default", "T1098.003"),
    ("federation_providers_added", "T1484.002"),
    ("roles_anywhere_trust_anchor", "T1098.003"),
    ("identity_center_assignment", "T1098.003"),
    ("federation_token_issued", "T1098.001"),
    ("ssm_send_command_fleet", "T1651"),
    ("ssm_start_session", "T1651"),
    ("instance_connect_keys", "T1021.004"),
    ("user_data_modified", "T1059.009"),
    ("console_login_without_mfa", "T1078.004"),
    ("bedrock_model_abuse", "T1496.004"),
    ("instance_credentials_off_instance", "T1552.005"),
    ("discovery_burst", "T1580"),
    ("permission_error_burst", "T1580"),
    ("workload_identity_writes", "T1078.004"),
    ("secrets_batch_retrieval", "T1555.006"),
];

const ATTACKER_UA: &str = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/distrib#kali.2024";
const AI_UA: &str = "aws-cli/2.36.19 md/awscrt#0.27.6 ua/2.1 os/linux#6.12.48 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython exec-env/AmazonQ-For-CLI Version/2.19.2 acp-client/kiro-tui m/E,b,Z md/command#ec2.run-instances";

fn iso(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The records of scenario `index` (of [`SCENARIOS`]) around `at`, in `account` and `region`.
pub(crate) fn plant(
    rng: &mut Rng,
    index: usize,
    account: &str,
    region: &str,
    at: DateTime<Utc>,
) -> (Vec<Value>, Vec<PlantedEvent>) {
    let (scenario, technique) = SCENARIOS[index % SCENARIOS.len()];
    // One address per scenario (203.0.113.200 to .254), so an indicator list can name one scenario's.
    let attacker_ip = format!("203.0.113.{}", 200 + index % 55);
    let role_session = |rng: &mut Rng, role: &str| {
        actor::assumed_role(
            rng,
            account,
            role,
            "compromised",
            &iso(at - Duration::minutes(30)),
        )
    };
    let role_entity = |role: &str| format!("arn:aws:sts::{account}:assumed-role/{role}");
    let mallory = |rng: &mut Rng| Actor {
        identity: actor::iam_user(rng, account, "mallory"),
        source_ip: attacker_ip.clone(),
        user_agent: ATTACKER_UA.to_owned(),
    };
    let mallory_entity = format!("arn:aws:iam::{account}:user/mallory");
    let as_role = |rng: &mut Rng, role: &str| Actor {
        identity: role_session(rng, role),
        source_ip: attacker_ip.clone(),
        user_agent: actor::USER_AGENTS[0].to_owned(),
    };
    let mut records = Vec::new();
    let entity;
    let step = |actor: Actor,
                rng: &mut Rng,
                records: &mut Vec<Value>,
                source: &str,
                name: &str,
                request: Value,
                response: Value,
                minute: i64| {
        let time = iso(at + Duration::seconds(minute * 17 + rng.below(15) as i64));
        let value = record(
            rng,
            Call::management(actor, source, name, false, request, response),
            account,
            region,
            &time,
        );
        records.push(value);
    };
    match scenario {
        name if families::handles(name) => {
            let (planted, acting) =
                families::plant(rng, name, account, region, at, &attacker_ip).unwrap_or_default();
            records = planted;
            entity = acting;
        }
        "suspicious_user_agent" => {
            for (i, name) in ["GetCallerIdentity", "ListBuckets", "DescribeInstances"]
                .iter()
                .enumerate()
            {
                let source = match *name {
                    "GetCallerIdentity" => "sts.amazonaws.com",
                    "ListBuckets" => "s3.amazonaws.com",
                    _ => "ec2.amazonaws.com",
                };
                step(
                    mallory(rng),
                    rng,
                    &mut records,
                    source,
                    name,
                    Value::Null,
                    Value::Null,
                    i as i64,
                );
            }
            entity = mallory_entity.clone();
        }
        "root_console_login" => {
            let actor = Actor {
                identity: actor::root(account),
                source_ip: attacker_ip.clone(),
                user_agent: actor::USER_AGENTS[5].to_owned(),
            };
            step(
                actor,
                rng,
                &mut records,
                "signin.amazonaws.com",
                "ConsoleLogin",
                Value::Null,
                json!({"ConsoleLogin": "Success"}),
                0,
            );
            if let Some(last) = records.last_mut() {
                last["eventType"] = json!("AwsConsoleSignIn");
                last["awsRegion"] = json!("us-east-1");
                last["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"});
            }
            entity = format!("arn:aws:iam::{account}:root");
        }
        "console_signin_failures" => {
            for i in 0..6 {
                let actor = Actor {
                    identity: json!({"type": "IAMUser", "accountId": account, "accessKeyId": "", "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
                    source_ip: attacker_ip.clone(),
                    user_agent: actor::USER_AGENTS[5].to_owned(),
                };
                step(
                    actor,
                    rng,
                    &mut records,
                    "signin.amazonaws.com",
                    "ConsoleLogin",
                    Value::Null,
                    json!({"ConsoleLogin": "Failure"}),
                    i,
                );
                if let Some(last) = records.last_mut() {
                    last["eventType"] = json!("AwsConsoleSignIn");
                    last["errorMessage"] = json!("Failed authentication");
                    last["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"});
                }
            }
            entity = format!("source_ip:{attacker_ip}");
        }
        "secrets_manager_reads" => {
            for i in 0..5 {
                let secret =
                    format!("arn:aws:secretsmanager:{region}:{account}:secret:prod/db-{i}-AbCdEf");
                step(
                    as_role(rng, "LambdaExecution"),
                    rng,
                    &mut records,
                    "secretsmanager.amazonaws.com",
                    "GetSecretValue",
                    json!({"secretId": secret}),
                    Value::Null,
                    i,
                );
            }
            entity = role_entity("LambdaExecution");
        }
        "assume_role_brute_force" => {
            for i in 0..12 {
                let target = format!(
                    "arn:aws:iam::{account}:role/{}",
                    ["Admin", "OrganizationAccountAccessRole", "Deploy", "root"][i % 4]
                );
                step(
                    mallory(rng),
                    rng,
                    &mut records,
                    "sts.amazonaws.com",
                    "AssumeRole",
                    json!({"roleArn": target, "roleSessionName": "x"}),
                    Value::Null,
                    i as i64 / 4,
                );
                if let Some(last) = records.last_mut() {
                    last["errorCode"] = json!("AccessDenied");
                    last["errorMessage"] = json!(format!(
                        "User: arn:aws:iam::{account}:user/mallory is not authorized to perform: sts:AssumeRole on resource: {target}"
                    ));
                }
            }
            entity = mallory_entity.clone();
        }
        "cloudtrail_tampering" => {
            let trail = format!("arn:aws:cloudtrail:{region}:{account}:trail/management-events");
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "cloudtrail.amazonaws.com",
                "PutEventSelectors",
                json!({"trailName": trail, "eventSelectors": [{"readWriteType": "ReadOnly", "includeManagementEvents": false, "dataResources": []}]}),
                Value::Null,
                0,
            );
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "cloudtrail.amazonaws.com",
                "UpdateTrail",
                json!({"name": trail, "s3BucketName": "attacker-bucket"}),
                Value::Null,
                1,
            );
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "cloudtrail.amazonaws.com",
                "StopLogging",
                json!({"name": trail}),
                Value::Null,
                2,
            );
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "cloudtrail.amazonaws.com",
                "DeleteTrail",
                json!({"name": trail}),
                Value::Null,
                3,
            );
            entity = role_entity("ci-deployer");
        }
        "guardduty_tampering" => {
            let detector = rng.token(32).to_lowercase();
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "guardduty.amazonaws.com",
                "UpdateDetector",
                json!({"detectorId": detector, "enable": false}),
                Value::Null,
                0,
            );
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "guardduty.amazonaws.com",
                "DeleteDetector",
                json!({"detectorId": detector}),
                Value::Null,
                1,
            );
            entity = role_entity("ci-deployer");
        }
        "iam_persistence" => {
            let user_id = format!("AIDA{}", rng.token(17));
            step(
                mallory(rng),
                rng,
                &mut records,
                "iam.amazonaws.com",
                "CreateUser",
                json!({"userName": "backup-svc"}),
                json!({"user": {"userName": "backup-svc", "userId": user_id, "arn": format!("arn:aws:iam::{account}:user/backup-svc")}}),
                0,
            );
            step(
                mallory(rng),
                rng,
                &mut records,
                "iam.amazonaws.com",
                "AttachUserPolicy",
                json!({"userName": "backup-svc", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
                Value::Null,
                1,
            );
            let key_id = format!("AKIA{}", rng.token(16));
            step(
                mallory(rng),
                rng,
                &mut records,
                "iam.amazonaws.com",
                "CreateAccessKey",
                json!({"userName": "backup-svc"}),
                json!({"accessKey": {"accessKeyId": key_id, "status": "Active", "userName": "backup-svc"}}),
                2,
            );
            step(
                mallory(rng),
                rng,
                &mut records,
                "iam.amazonaws.com",
                "CreateLoginProfile",
                json!({"userName": "backup-svc", "passwordResetRequired": false}),
                Value::Null,
                3,
            );
            step(
                mallory(rng),
                rng,
                &mut records,
                "iam.amazonaws.com",
                "UpdateAssumeRolePolicy",
                json!({"roleName": "AppServer", "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::999999999999:root\"},\"Action\":\"sts:AssumeRole\"}]}"}),
                Value::Null,
                4,
            );
            entity = mallory_entity.clone();
        }
        "ai_assistant_writes" => {
            let actor = |rng: &mut Rng| Actor {
                identity: role_session(rng, "DataPipeline"),
                source_ip: attacker_ip.clone(),
                user_agent: AI_UA.to_owned(),
            };
            step(
                actor(rng),
                rng,
                &mut records,
                "ec2.amazonaws.com",
                "RunInstances",
                json!({"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 8, "maxCount": 8}]}, "instanceType": "p4d.24xlarge"}),
                Value::Null,
                0,
            );
            step(
                actor(rng),
                rng,
                &mut records,
                "iam.amazonaws.com",
                "CreateRole",
                json!({"roleName": "q-helper", "assumeRolePolicyDocument": "{}"}),
                Value::Null,
                1,
            );
            entity = role_entity("DataPipeline");
        }
        "identity_center_signin_failures" => {
            for i in 0..4 {
                let actor = Actor {
                    identity: json!({"type": "Unknown", "principalId": account, "arn": "", "accountId": account, "accessKeyId": "", "userName": "victim.user"}),
                    source_ip: attacker_ip.clone(),
                    user_agent: actor::USER_AGENTS[5].to_owned(),
                };
                step(
                    actor,
                    rng,
                    &mut records,
                    "signin.amazonaws.com",
                    "CredentialVerification",
                    Value::Null,
                    Value::Null,
                    i,
                );
                if let Some(last) = records.last_mut() {
                    last["eventType"] = json!("AwsServiceEvent");
                    last["awsRegion"] = json!("us-east-1");
                    last["serviceEventDetails"] = json!({"CredentialVerification": "Failure"});
                    last["additionalEventData"] =
                        json!({"AuthWorkflowID": rng.uuid(), "CredentialType": "PASSWORD"});
                }
            }
            entity = format!("source_ip:{attacker_ip}");
        }
        "vpc_endpoint_denials" => {
            for i in 0..3 {
                let actor = Actor {
                    identity: json!({"type": "AWSAccount", "principalId": "AIDAEXAMPLEOUTSIDER", "accountId": "999999999999"}),
                    source_ip: "10.9.0.10".to_owned(),
                    user_agent: String::new(),
                };
                step(
                    actor,
                    rng,
                    &mut records,
                    "s3.amazonaws.com",
                    "GetObject",
                    Value::Null,
                    Value::Null,
                    i,
                );
                if let Some(last) = records.last_mut() {
                    last["eventType"] = json!("AwsVpceEvent");
                    last["eventCategory"] = json!("NetworkActivity");
                    last["errorCode"] = json!("VpceAccessDenied");
                    last["errorMessage"] =
                        json!("The request was denied due to a VPC endpoint policy");
                    last["vpcEndpointId"] = json!("vpce-0badc0ffee0000001");
                    last["vpcEndpointAccountId"] = json!(account);
                    if let Some(object) = last.as_object_mut() {
                        for member in [
                            "userAgent",
                            "requestParameters",
                            "responseElements",
                            "readOnly",
                            "managementEvent",
                            "tlsDetails",
                        ] {
                            object.remove(member);
                        }
                    }
                }
            }
            entity = "source_ip:10.9.0.10".to_owned();
        }
        "ebs_snapshot_shared" => {
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "ec2.amazonaws.com",
                "ModifySnapshotAttribute",
                json!({"snapshotId": "snap-0123456789abcdef0", "attributeType": "CREATE_VOLUME_PERMISSION", "createVolumePermission": {"add": {"items": [{"userId": "999999999999"}]}}}),
                json!({"_return": true}),
                0,
            );
            entity = role_entity("ci-deployer");
        }
        "security_group_opened" => {
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "ec2.amazonaws.com",
                "AuthorizeSecurityGroupIngress",
                json!({"groupId": "sg-0123456789abcdef0", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
                json!({"_return": true}),
                0,
            );
            entity = role_entity("ci-deployer");
        }
        "lambda_backdoor" => {
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "lambda.amazonaws.com",
                "AddPermission20150331v2",
                json!({"functionName": "worker", "statementId": "backdoor", "action": "lambda:InvokeFunction", "principal": "*"}),
                json!({"statement": "{\"Sid\":\"backdoor\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"lambda:InvokeFunction\"}"}),
                0,
            );
            entity = role_entity("ci-deployer");
        }
        "leave_organization" => {
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "organizations.amazonaws.com",
                "LeaveOrganization",
                Value::Null,
                Value::Null,
                0,
            );
            entity = role_entity("ci-deployer");
        }
        "flow_logs_deleted" => {
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "ec2.amazonaws.com",
                "DeleteFlowLogs",
                json!({"DeleteFlowLogsRequest": {"FlowLogId": {"tag": 1, "content": "fl-0123456789abcdef0"}}}),
                Value::Null,
                0,
            );
            entity = role_entity("ci-deployer");
        }
        "dns_query_logs_deleted" => {
            step(
                as_role(rng, "ci-deployer"),
                rng,
                &mut records,
                "route53resolver.amazonaws.com",
                "DeleteResolverQueryLogConfig",
                json!({"resolverQueryLogConfigId": "rqlc-0123456789abcdef"}),
                Value::Null,
                0,
            );
            entity = role_entity("ci-deployer");
        }
        "ec2_password_data" => {
            for i in 0..3 {
                let instance = format!("i-0{}", rng.token(16).to_lowercase());
                step(
                    mallory(rng),
                    rng,
                    &mut records,
                    "ec2.amazonaws.com",
                    "GetPasswordData",
                    json!({"instanceId": instance}),
                    Value::Null,
                    i,
                );
            }
            entity = mallory_entity.clone();
        }
        "ssm_parameters_decrypted" => {
            step(
                mallory(rng),
                rng,
                &mut records,
                "ssm.amazonaws.com",
                "GetParameters",
                json!({"names": ["/prod/db/password", "/prod/api/key"], "withDecryption": true}),
                Value::Null,
                0,
            );
            entity = mallory_entity.clone();
        }
        _ => {
            step(
                mallory(rng),
                rng,
                &mut records,
                "secretsmanager.amazonaws.com",
                "BatchGetSecretValue",
                json!({"filters": [{"key": "tag-key", "values": ["!tagKeyThatWillNeverExist"]}]}),
                Value::Null,
                0,
            );
            entity = mallory_entity.clone();
        }
    }
    let truth = records
        .iter()
        .map(|r| PlantedEvent {
            scenario: scenario.to_owned(),
            technique: technique.to_owned(),
            event_id: r["eventID"].as_str().unwrap_or_default().to_owned(),
            event_name: r["eventName"].as_str().unwrap_or_default().to_owned(),
            event_source: r["eventSource"].as_str().unwrap_or_default().to_owned(),
            entity: entity.clone(),
        })
        .collect();
    (records, truth)
}

//! Planted scenarios for the rule families beyond the hunting notebook's: logging and monitoring silenced,
//! keys and backups destroyed, data shared out or encrypted for ransom, federation and Identity Center
//! backdoors, commands and shells on instances, instance credentials used off the instance, bursts of
//! discovery and of denied calls, and writes by workload identities.
//!
//! The records copy the shapes of the real records the built-in pack's fixtures keep (Stratus Red Team
//! detonation logs, Panther test records, the AWS user guides' examples), with the documentation's
//! account ids, addresses and identifiers. Every scenario acts as a principal of its own, which background
//! traffic never uses, so the records a counting rule gathers for it are the planted ones only.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::actor::{self, Actor};
use crate::record::{Call, record};
use crate::rng::Rng;

/// The scenarios this module plants, by name; [`crate::SCENARIOS`] orders them among the others and gives
/// their ATT&CK techniques.
pub(crate) const NAMES: &[&str] = &[
    "config_recorder_stopped",
    "cloudwatch_alarms_silenced",
    "trail_log_group_deleted",
    "kms_key_destroyed",
    "waf_and_eventbridge_deleted",
    "s3_public_access_block_removed",
    "bedrock_invocation_logging_deleted",
    "ami_shared",
    "rds_snapshot_shared",
    "s3_replication_to_foreign_bucket",
    "traffic_mirroring",
    "rds_database_deleted",
    "efs_file_system_deleted",
    "backup_vault_destroyed",
    "s3_mass_deletion",
    "s3_sse_c_ransom",
    "policy_version_set_default",
    "federation_providers_added",
    "roles_anywhere_trust_anchor",
    "identity_center_assignment",
    "federation_token_issued",
    "ssm_send_command_fleet",
    "ssm_start_session",
    "instance_connect_keys",
    "user_data_modified",
    "console_login_without_mfa",
    "bedrock_model_abuse",
    "instance_credentials_off_instance",
    "discovery_burst",
    "permission_error_burst",
    "workload_identity_writes",
];

/// The AWS CLI on a Mac, as CloudTrail records it (the shape of Stratus Red Team's
/// `aws.credential-access.ec2-steal-instance-credentials` detonation log).
const MAC_CLI: &str =
    "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/s3.ls";
/// The AWS CLI v2's newer form on a Mac (`os/macos`).
const MAC_CLI_2: &str = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp";
/// An SDK on a Linux host outside AWS.
const LINUX_SDK: &str = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36";
/// The foreign account data is shared with (a documentation id no background record uses).
const FOREIGN_ACCOUNT: &str = "999999999999";

fn iso(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The acting principal of an identity, as `cloudtrail_model::Event::entity_id` names it: a role's ARN
/// without its session, else the identity's ARN.
fn entity_of(identity: &Value) -> String {
    let arn = identity["arn"].as_str().unwrap_or_default();
    if identity["type"] == "AssumedRole"
        && let Some((role, _session)) = arn.rsplit_once('/')
    {
        return role.to_owned();
    }
    arn.to_owned()
}

/// A scenario being planted: its records so far and where they happen.
struct Plant<'a> {
    rng: &'a mut Rng,
    account: &'a str,
    region: &'a str,
    at: DateTime<Utc>,
    records: Vec<Value>,
}

impl Plant<'_> {
    /// A management call by `actor`, a few seconds after the previous one.
    fn make(
        &mut self,
        actor: &Actor,
        source: &str,
        name: &str,
        read_only: bool,
        request: Value,
        response: Value,
    ) -> Value {
        let step = self.records.len() as i64;
        let time = iso(self.at + Duration::seconds(step * 9 + self.rng.below(8) as i64));
        record(
            self.rng,
            Call::management(actor.clone(), source, name, read_only, request, response),
            self.account,
            self.region,
            &time,
        )
    }

    /// A management call, kept as made.
    fn add(
        &mut self,
        actor: &Actor,
        source: &str,
        name: &str,
        read_only: bool,
        request: Value,
        response: Value,
    ) {
        let value = self.make(actor, source, name, read_only, request, response);
        self.records.push(value);
    }

    /// An S3 object-level call (a data event), with the members S3 adds to those.
    fn s3_data(
        &mut self,
        actor: &Actor,
        name: &str,
        read_only: bool,
        bucket: &str,
        key: &str,
        extra: Value,
    ) -> Value {
        let mut request = json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{}.amazonaws.com", self.region), "key": key});
        if let (Some(request), Some(extra)) = (request.as_object_mut(), extra.as_object()) {
            request.extend(extra.clone());
        }
        let mut value = self.make(
            actor,
            "s3.amazonaws.com",
            name,
            read_only,
            request,
            Value::Null,
        );
        value["eventCategory"] = json!("Data");
        value["managementEvent"] = json!(false);
        value["additionalEventData"] = json!({
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": self.rng.token(56),
            "bytesTransferredOut": if read_only { self.rng.between(2_000, 900_000) } else { 0 }
        });
        value["resources"] = json!([
            {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
            {"accountId": self.account, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}
        ]);
        value
    }
}

/// Whether this module plants `scenario`.
pub(crate) fn handles(scenario: &str) -> bool {
    NAMES.contains(&scenario)
}

/// The records of `scenario` around `at` and the entity acting in them, or `None` when this module does
/// not plant it.
pub(crate) fn plant(
    rng: &mut Rng,
    scenario: &str,
    account: &str,
    region: &str,
    at: DateTime<Utc>,
    attacker_ip: &str,
) -> Option<(Vec<Value>, String)> {
    let created = iso(at - Duration::minutes(40));
    let user = |rng: &mut Rng, name: &str, user_agent: &str| Actor {
        identity: actor::iam_user(rng, account, name),
        source_ip: attacker_ip.to_owned(),
        user_agent: user_agent.to_owned(),
    };
    let role = |rng: &mut Rng, name: &str, session: &str, user_agent: &str| Actor {
        identity: actor::assumed_role(rng, account, name, session, &created),
        source_ip: attacker_ip.to_owned(),
        user_agent: user_agent.to_owned(),
    };
    let cli = actor::USER_AGENTS[0];
    let console = actor::USER_AGENTS[5];
    let instance = |rng: &mut Rng| format!("i-0{}", rng.token(16).to_lowercase());
    let mut p = Plant {
        rng,
        account,
        region,
        at,
        records: Vec::new(),
    };
    let who: Actor;
    match scenario {
        "config_recorder_stopped" => {
            who = role(p.rng, "platform-admin", "terraform", cli);
            let request = json!({"configurationRecorderName": "default"});
            p.add(
                &who,
                "config.amazonaws.com",
                "StopConfigurationRecorder",
                false,
                request,
                Value::Null,
            );
            p.add(
                &who,
                "config.amazonaws.com",
                "DeleteDeliveryChannel",
                false,
                json!({"deliveryChannelName": "default"}),
                Value::Null,
            );
        }
        "cloudwatch_alarms_silenced" => {
            who = role(p.rng, "platform-admin", "terraform", cli);
            let alarms = json!(["RootAccountUsageAlarm", "CloudTrailChangesAlarm"]);
            p.add(
                &who,
                "monitoring.amazonaws.com",
                "DisableAlarmActions",
                false,
                json!({"alarmNames": alarms}),
                Value::Null,
            );
            p.add(
                &who,
                "monitoring.amazonaws.com",
                "DeleteAlarms",
                false,
                json!({"alarmNames": alarms}),
                Value::Null,
            );
        }
        "trail_log_group_deleted" => {
            who = user(p.rng, "mallory", cli);
            let group = format!("aws-cloudtrail-logs-{account}-1a2b3c4d");
            p.add(
                &who,
                "logs.amazonaws.com",
                "DeleteLogGroup",
                false,
                json!({"logGroupName": group}),
                Value::Null,
            );
        }
        "kms_key_destroyed" => {
            who = user(p.rng, "mallory", cli);
            let key_id = p.rng.uuid();
            let key = format!("arn:aws:kms:{region}:{account}:key/{key_id}");
            let resources = json!([{"accountId": account, "type": "AWS::KMS::Key", "ARN": key}]);
            let mut disable = p.make(
                &who,
                "kms.amazonaws.com",
                "DisableKey",
                false,
                json!({"keyId": key_id}),
                Value::Null,
            );
            disable["resources"] = resources.clone();
            p.records.push(disable);
            let mut schedule = p.make(
                &who,
                "kms.amazonaws.com",
                "ScheduleKeyDeletion",
                false,
                json!({"pendingWindowInDays": 7, "keyId": key_id}),
                json!({"keyId": key, "keyState": "PendingDeletion", "deletionDate": "May 28, 2024, 4:12:09 PM", "pendingWindowInDays": 7}),
            );
            schedule["resources"] = resources;
            p.records.push(schedule);
        }
        "waf_and_eventbridge_deleted" => {
            who = role(p.rng, "platform-admin", "terraform", cli);
            let acl_id = p.rng.uuid();
            let lock = p.rng.uuid();
            p.add(
                &who,
                "wafv2.amazonaws.com",
                "DeleteWebACL",
                false,
                json!({"name": "web", "scope": "REGIONAL", "id": acl_id, "lockToken": lock}),
                Value::Null,
            );
            p.add(
                &who,
                "events.amazonaws.com",
                "DeleteRule",
                false,
                json!({"name": "guardduty-findings-to-sns", "force": true}),
                Value::Null,
            );
        }
        "s3_public_access_block_removed" => {
            who = user(p.rng, "mallory", cli);
            let bucket = format!("{account}-customer-exports");
            p.add(
                &who,
                "s3.amazonaws.com",
                "DeleteBucketPublicAccessBlock",
                false,
                json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "publicAccessBlock": ""}),
                Value::Null,
            );
        }
        "bedrock_invocation_logging_deleted" => {
            who = role(p.rng, "ml-platform", "cleanup", console);
            p.add(
                &who,
                "bedrock.amazonaws.com",
                "DeleteModelInvocationLoggingConfiguration",
                false,
                Value::Null,
                Value::Null,
            );
        }
        "ami_shared" => {
            who = user(p.rng, "mallory", cli);
            let image = format!("ami-0{}", p.rng.token(16).to_lowercase());
            let request_id = p.rng.uuid();
            p.add(
                &who,
                "ec2.amazonaws.com",
                "ModifyImageAttribute",
                false,
                json!({"imageId": image, "attributeType": "launchPermission", "launchPermission": {"add": {"items": [{"userId": FOREIGN_ACCOUNT}]}}}),
                json!({"requestId": request_id, "_return": true}),
            );
        }
        "rds_snapshot_shared" => {
            who = user(p.rng, "mallory", cli);
            p.add(
                &who,
                "rds.amazonaws.com",
                "ModifyDBSnapshotAttribute",
                false,
                json!({"dBSnapshotIdentifier": "orders-db-2024-05", "attributeName": "restore", "valuesToAdd": [FOREIGN_ACCOUNT]}),
                json!({"dBSnapshotIdentifier": "orders-db-2024-05", "dBSnapshotAttributes": [{"attributeName": "restore", "attributeValues": [FOREIGN_ACCOUNT]}]}),
            );
        }
        "s3_replication_to_foreign_bucket" => {
            who = user(p.rng, "mallory", cli);
            let bucket = format!("{account}-app-data");
            p.add(
                &who,
                "s3.amazonaws.com",
                "PutBucketReplication",
                false,
                json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "replication": "", "ReplicationConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Role": format!("arn:aws:iam::{account}:role/s3-replication"), "Rule": {"ID": "sync", "Status": "Enabled", "Priority": 1, "DeleteMarkerReplication": {"Status": "Disabled"}, "Filter": {"Prefix": ""}, "Destination": {"Bucket": "arn:aws:s3:::exfil-drop-999999999999", "Account": FOREIGN_ACCOUNT}}}}),
                Value::Null,
            );
        }
        "traffic_mirroring" => {
            who = user(p.rng, "mallory", cli);
            let target = format!("tmt-0{}", p.rng.token(16).to_lowercase());
            let filter = format!("tmf-0{}", p.rng.token(16).to_lowercase());
            let eni = format!("eni-0{}", p.rng.token(16).to_lowercase());
            let token = p.rng.uuid();
            p.add(
                &who,
                "ec2.amazonaws.com",
                "CreateTrafficMirrorSession",
                false,
                json!({"CreateTrafficMirrorSessionRequest": {"ClientToken": token, "NetworkInterfaceId": eni, "SessionNumber": 1, "TrafficMirrorFilterId": filter, "TrafficMirrorTargetId": target}}),
                json!({"CreateTrafficMirrorSessionResponse": {"clientToken": token, "trafficMirrorSession": {"networkInterfaceId": eni, "sessionNumber": 1, "trafficMirrorFilterId": filter, "trafficMirrorTargetId": target, "ownerId": account}}}),
            );
        }
        "rds_database_deleted" => {
            who = user(p.rng, "mallory", cli);
            p.add(
                &who,
                "rds.amazonaws.com",
                "ModifyDBInstance",
                false,
                json!({"dBInstanceIdentifier": "orders-db", "deletionProtection": false, "applyImmediately": true}),
                json!({"dBInstanceIdentifier": "orders-db", "dBInstanceStatus": "available", "deletionProtection": false}),
            );
            p.add(
                &who,
                "rds.amazonaws.com",
                "DeleteDBSnapshot",
                false,
                json!({"dBSnapshotIdentifier": "orders-db-2024-05"}),
                json!({"dBSnapshotIdentifier": "orders-db-2024-05", "status": "deleted", "snapshotType": "manual"}),
            );
            p.add(
                &who,
                "rds.amazonaws.com",
                "DeleteDBInstance",
                false,
                json!({"dBInstanceIdentifier": "orders-db", "skipFinalSnapshot": true, "deleteAutomatedBackups": true}),
                json!({"dBInstanceIdentifier": "orders-db", "dBInstanceStatus": "deleting"}),
            );
        }
        "efs_file_system_deleted" => {
            who = user(p.rng, "mallory", cli);
            let fs = format!("fs-0{}", p.rng.token(16).to_lowercase());
            p.add(
                &who,
                "elasticfilesystem.amazonaws.com",
                "DeleteFileSystem",
                false,
                json!({"fileSystemId": fs}),
                Value::Null,
            );
        }
        "backup_vault_destroyed" => {
            who = role(p.rng, "backup-operator", "cleanup", LINUX_SDK);
            for _ in 0..11 {
                let snapshot = format!(
                    "arn:aws:ec2:{region}::snapshot/snap-0{}",
                    p.rng.token(16).to_lowercase()
                );
                p.add(
                    &who,
                    "backup.amazonaws.com",
                    "DeleteRecoveryPoint",
                    false,
                    json!({"backupVaultName": "prod-vault", "recoveryPointArn": snapshot}),
                    Value::Null,
                );
            }
            p.add(
                &who,
                "backup.amazonaws.com",
                "DeleteBackupVault",
                false,
                json!({"backupVaultName": "prod-vault"}),
                Value::Null,
            );
        }
        "s3_mass_deletion" => {
            who = role(p.rng, "backup-operator", "purge", LINUX_SDK);
            let bucket = format!("{account}-reports");
            for _ in 0..12 {
                let key = format!("daily/{}.json", p.rng.token(12).to_lowercase());
                let value = p.s3_data(
                    &who,
                    "DeleteObjects",
                    false,
                    &bucket,
                    &key,
                    json!({"delete": ""}),
                );
                p.records.push(value);
            }
        }
        "s3_sse_c_ransom" => {
            who = user(p.rng, "mallory", LINUX_SDK);
            let bucket = format!("{account}-app-data");
            for _ in 0..3 {
                let key = format!("exports/{}.json", p.rng.token(12).to_lowercase());
                let value = p.s3_data(
                    &who,
                    "CopyObject",
                    false,
                    &bucket,
                    &key,
                    json!({"x-amz-copy-source": format!("{bucket}/{key}"), "x-amz-server-side-encryption-customer-algorithm": "AES256"}),
                );
                p.records.push(value);
            }
            let mut note = p.s3_data(
                &who,
                "PutObject",
                false,
                &bucket,
                "HOW_TO_DECRYPT_FILES.txt",
                Value::Null,
            );
            note["additionalEventData"]["bytesTransferredIn"] = json!(2048);
            note["additionalEventData"]["SSEApplied"] = json!("SSE_S3");
            p.records.push(note);
        }
        "policy_version_set_default" => {
            who = user(p.rng, "mallory", cli);
            let policy = format!("arn:aws:iam::{account}:policy/reporting-read");
            p.add(
                &who,
                "iam.amazonaws.com",
                "CreatePolicyVersion",
                false,
                json!({"policyArn": policy, "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}", "setAsDefault": true}),
                json!({"policyVersion": {"versionId": "v3", "isDefaultVersion": true, "createDate": "May 20, 2024, 10:15:02 AM"}}),
            );
            p.add(
                &who,
                "iam.amazonaws.com",
                "SetDefaultPolicyVersion",
                false,
                json!({"policyArn": policy, "versionId": "v3"}),
                Value::Null,
            );
        }
        "federation_providers_added" => {
            who = user(p.rng, "mallory", cli);
            p.add(
                &who,
                "iam.amazonaws.com",
                "CreateSAMLProvider",
                false,
                json!({"sAMLMetadataDocument": "<?xml version=\"1.0\"?><md:EntityDescriptor entityID=\"https://idp.example.net/saml\">...</md:EntityDescriptor>", "name": "partner-idp"}),
                json!({"sAMLProviderArn": format!("arn:aws:iam::{account}:saml-provider/partner-idp")}),
            );
            p.add(
                &who,
                "iam.amazonaws.com",
                "CreateOpenIDConnectProvider",
                false,
                json!({"url": "https://token.actions.githubusercontent.com", "clientIDList": ["sts.amazonaws.com"], "thumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"]}),
                json!({"openIDConnectProviderArn": format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")}),
            );
        }
        "roles_anywhere_trust_anchor" => {
            who = user(p.rng, "mallory", cli);
            let anchor = p.rng.uuid();
            let profile = p.rng.uuid();
            p.add(
                &who,
                "rolesanywhere.amazonaws.com",
                "CreateTrustAnchor",
                false,
                json!({"enabled": true, "name": "partner-ca", "source": {"sourceData": {"x509CertificateData": "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEXAMPLE\n-----END CERTIFICATE-----"}, "sourceType": "CERTIFICATE_BUNDLE"}}),
                json!({"trustAnchor": {"enabled": true, "name": "partner-ca", "trustAnchorArn": format!("arn:aws:rolesanywhere:{region}:{account}:trust-anchor/{anchor}"), "trustAnchorId": anchor}}),
            );
            p.add(
                &who,
                "rolesanywhere.amazonaws.com",
                "CreateProfile",
                false,
                json!({"enabled": true, "name": "partner-profile", "roleArns": [format!("arn:aws:iam::{account}:role/AppServer")]}),
                json!({"profile": {"enabled": true, "name": "partner-profile", "profileArn": format!("arn:aws:rolesanywhere:{region}:{account}:profile/{profile}"), "profileId": profile}}),
            );
        }
        "identity_center_assignment" => {
            who = role(
                p.rng,
                "AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b",
                "mallory@example.com",
                console,
            );
            let instance_arn = "arn:aws:sso:::instance/ssoins-7223b7e5f1d1e4d2";
            let permission_set =
                "arn:aws:sso:::permissionSet/ssoins-7223b7e5f1d1e4d2/ps-ae5d1fa1f80b684e";
            p.add(
                &who,
                "sso.amazonaws.com",
                "CreatePermissionSet",
                false,
                json!({"name": "BreakGlass", "instanceArn": instance_arn, "sessionDuration": "PT12H", "tags": []}),
                json!({"permissionSet": {"name": "BreakGlass", "permissionSetArn": permission_set, "createdDate": "May 20, 2024, 12:48:16 AM", "sessionDuration": "PT12H"}}),
            );
            let status = p.rng.uuid();
            p.add(
                &who,
                "sso.amazonaws.com",
                "CreateAccountAssignment",
                false,
                json!({"instanceArn": instance_arn, "targetId": account, "targetType": "AWS_ACCOUNT", "permissionSetArn": permission_set, "principalType": "USER", "principalId": "94482488-3041-7026-18f3-0000000000ee"}),
                json!({"accountAssignmentCreationStatus": {"status": "IN_PROGRESS", "requestId": status, "targetId": account, "targetType": "AWS_ACCOUNT", "permissionSetArn": permission_set, "principalType": "USER", "principalId": "94482488-3041-7026-18f3-0000000000ee"}}),
            );
            let provisioning = p.rng.uuid();
            p.add(
                &who,
                "sso.amazonaws.com",
                "ProvisionPermissionSet",
                false,
                json!({"instanceArn": instance_arn, "permissionSetArn": permission_set, "targetId": account, "targetType": "AWS_ACCOUNT"}),
                json!({"permissionSetProvisioningStatus": {"status": "IN_PROGRESS", "requestId": provisioning, "accountId": account, "permissionSetArn": permission_set}}),
            );
        }
        "federation_token_issued" => {
            who = user(p.rng, "mallory", LINUX_SDK);
            let key = format!("ASIA{}", p.rng.token(16));
            let token = p.rng.token(60);
            p.add(
                &who,
                "sts.amazonaws.com",
                "GetFederationToken",
                false,
                json!({"name": "backup", "durationSeconds": 129600, "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}),
                json!({"credentials": {"accessKeyId": key, "sessionToken": token, "expiration": "May 22, 2024, 10:15:02 PM"}, "federatedUser": {"federatedUserId": format!("{account}:backup"), "arn": format!("arn:aws:sts::{account}:federated-user/backup")}, "packedPolicySize": 6}),
            );
        }
        "ssm_send_command_fleet" => {
            who = user(p.rng, "mallory", cli);
            let instances: Vec<String> = (0..4).map(|_| instance(p.rng)).collect();
            let command = p.rng.uuid();
            p.add(
                &who,
                "ssm.amazonaws.com",
                "SendCommand",
                false,
                json!({"documentName": "AWS-RunShellScript", "instanceIds": instances, "interactive": false, "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
                json!({"command": {"commandId": command, "documentName": "AWS-RunShellScript", "documentVersion": "$DEFAULT", "instanceIds": instances, "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS", "status": "Pending", "statusDetails": "Pending", "targetCount": 4, "completedCount": 0, "errorCount": 0, "deliveryTimedOutCount": 0, "maxConcurrency": "50", "maxErrors": "0", "interactive": false, "timeoutSeconds": 3600}}),
            );
        }
        "ssm_start_session" => {
            who = user(p.rng, "mallory", cli);
            let target = instance(p.rng);
            let session = format!("mallory-{}", p.rng.token(26).to_lowercase());
            p.add(
                &who,
                "ssm.amazonaws.com",
                "StartSession",
                false,
                json!({"target": target}),
                json!({"sessionId": session, "streamUrl": format!("wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session}?role=publish_subscribe&cell-number=AAEAAQ"), "tokenValue": "Value hidden due to security reasons."}),
            );
        }
        "instance_connect_keys" => {
            who = user(p.rng, "mallory", cli);
            let key =
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtAlK45MAEWZ7MUY2QEmi3M6W+peGL3VCrc0qH54xRu";
            let target = instance(p.rng);
            let request_id = p.rng.uuid();
            p.add(
                &who,
                "ec2-instance-connect.amazonaws.com",
                "SendSSHPublicKey",
                false,
                json!({"instanceId": target, "instanceOSUser": "ec2-user", "sSHPublicKey": key}),
                json!({"requestId": request_id, "success": true}),
            );
            let request_id = p.rng.uuid();
            p.add(
                &who,
                "ec2.amazonaws.com",
                "EnableSerialConsoleAccess",
                false,
                json!({"EnableSerialConsoleAccessRequest": ""}),
                json!({"EnableSerialConsoleAccessResponse": {"requestId": request_id, "serialConsoleAccessEnabled": true, "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/"}}),
            );
            let request_id = p.rng.uuid();
            p.add(
                &who,
                "ec2-instance-connect.amazonaws.com",
                "SendSerialConsoleSSHPublicKey",
                false,
                json!({"instanceId": target, "monitorMode": false, "sSHPublicKey": key, "serialPort": 0}),
                json!({"requestId": request_id, "success": true}),
            );
        }
        "user_data_modified" => {
            who = user(p.rng, "mallory", cli);
            let target = instance(p.rng);
            let request_id = p.rng.uuid();
            p.add(
                &who,
                "ec2.amazonaws.com",
                "ModifyInstanceAttribute",
                false,
                json!({"instanceId": target, "userData": "<sensitiveDataRemoved>"}),
                json!({"requestId": request_id, "_return": true}),
            );
        }
        "console_login_without_mfa" => {
            who = Actor {
                identity: actor::iam_user(p.rng, account, "carol"),
                source_ip: attacker_ip.to_owned(),
                user_agent: console.to_owned(),
            };
            let mut value = p.make(
                &who,
                "signin.amazonaws.com",
                "ConsoleLogin",
                false,
                Value::Null,
                json!({"ConsoleLogin": "Success"}),
            );
            value["eventType"] = json!("AwsConsoleSignIn");
            value["awsRegion"] = json!("us-east-1");
            value["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true", "MobileVersion": "No", "MFAUsed": "No"});
            value["userIdentity"]["accessKeyId"] = json!("");
            p.records.push(value);
        }
        "bedrock_model_abuse" => {
            who = user(p.rng, "mallory", LINUX_SDK);
            let model = "anthropic.claude-3-sonnet-20240229-v1:0";
            p.add(
                &who,
                "bedrock.amazonaws.com",
                "PutFoundationModelEntitlement",
                false,
                json!({"modelId": model}),
                json!({"status": "SUCCESS"}),
            );
            for _ in 0..3 {
                let mut value = p.make(
                    &who,
                    "bedrock.amazonaws.com",
                    "InvokeModel",
                    true,
                    json!({"modelId": model}),
                    Value::Null,
                );
                value["additionalEventData"] = json!({"inputTokens": 812, "outputTokens": 1024});
                p.records.push(value);
            }
        }
        "instance_credentials_off_instance" => {
            let session = instance(p.rng);
            who = role(p.rng, "WebServer", &session, MAC_CLI);
            p.add(
                &who,
                "sts.amazonaws.com",
                "GetCallerIdentity",
                true,
                Value::Null,
                Value::Null,
            );
            let mut list = p.make(
                &who,
                "s3.amazonaws.com",
                "ListBuckets",
                true,
                json!({"Host": format!("s3.{region}.amazonaws.com")}),
                Value::Null,
            );
            list["additionalEventData"] = json!({"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": p.rng.token(56), "bytesTransferredOut": 2048});
            p.records.push(list);
            let bucket = format!("{account}-app-data");
            let listing = p.s3_data(
                &who,
                "ListObjects",
                true,
                &bucket,
                "",
                json!({"list-type": "2", "prefix": "", "delimiter": "/"}),
            );
            p.records.push(listing);
            let mut agent = who.clone();
            agent.user_agent = MAC_CLI_2.to_owned();
            for _ in 0..3 {
                let key = format!("exports/{}.json", p.rng.token(12).to_lowercase());
                let value = p.s3_data(&agent, "GetObject", true, &bucket, &key, Value::Null);
                p.records.push(value);
            }
        }
        "discovery_burst" => {
            who = user(p.rng, "audit-temp", LINUX_SDK);
            let reads: &[(&str, &str)] = &[
                ("iam", "GetAccountAuthorizationDetails"),
                ("iam", "ListUsers"),
                ("iam", "ListRoles"),
                ("iam", "ListPolicies"),
                ("iam", "ListGroups"),
                ("iam", "GetAccountSummary"),
                ("s3", "ListBuckets"),
                ("ec2", "DescribeInstances"),
                ("ec2", "DescribeVpcs"),
                ("ec2", "DescribeSubnets"),
                ("ec2", "DescribeSecurityGroups"),
                ("ec2", "DescribeSnapshots"),
                ("lambda", "ListFunctions20150331"),
                ("rds", "DescribeDBInstances"),
                ("secretsmanager", "ListSecrets"),
                ("ssm", "DescribeParameters"),
                ("kms", "ListKeys"),
                ("cloudtrail", "DescribeTrails"),
                ("guardduty", "ListDetectors"),
                ("organizations", "DescribeOrganization"),
                ("sts", "GetCallerIdentity"),
                ("dynamodb", "ListTables"),
            ];
            for (service, name) in reads {
                p.add(
                    &who,
                    &format!("{service}.amazonaws.com"),
                    name,
                    true,
                    Value::Null,
                    Value::Null,
                );
            }
        }
        "permission_error_burst" => {
            who = role(p.rng, "qa-runner", "probe", LINUX_SDK);
            let denied: &[(&str, &str)] = &[
                ("iam", "ListUsers"),
                ("iam", "ListRoles"),
                ("iam", "GetAccountAuthorizationDetails"),
                ("secretsmanager", "ListSecrets"),
                ("ssm", "DescribeParameters"),
                ("ec2", "DescribeInstances"),
                ("ec2", "DescribeSnapshots"),
                ("s3", "ListBuckets"),
                ("rds", "DescribeDBInstances"),
                ("kms", "ListKeys"),
                ("lambda", "ListFunctions20150331"),
                ("cloudtrail", "DescribeTrails"),
            ];
            let arn = who.identity["arn"].as_str().unwrap_or_default().to_owned();
            for (service, name) in denied {
                let mut value = p.make(
                    &who,
                    &format!("{service}.amazonaws.com"),
                    name,
                    true,
                    Value::Null,
                    Value::Null,
                );
                if *service == "ec2" {
                    value["errorCode"] = json!("Client.UnauthorizedOperation");
                    value["errorMessage"] =
                        json!("You are not authorized to perform this operation.");
                } else {
                    value["errorCode"] = json!("AccessDenied");
                    value["errorMessage"] = json!(format!(
                        "User: {arn} is not authorized to perform: {service}:{name} because no identity-based policy allows the {service}:{name} action"
                    ));
                }
                p.records.push(value);
            }
        }
        "workload_identity_writes" => {
            let mut identity =
                actor::assumed_role(p.rng, account, "DataAnalystRole", "etl-nightly", &created);
            identity["invokedBy"] = json!("elasticmapreduce.amazonaws.com");
            identity["onBehalfOf"] = json!({
                "subject": "etl-nightly@example.com",
                "subjectType": "workload",
                "issuer": "https://idp.example.com",
                "federatedProviderArn": format!("arn:aws:iam::{account}:oidc-provider/idp.example.com")
            });
            who = Actor {
                identity,
                source_ip: "elasticmapreduce.amazonaws.com".to_owned(),
                user_agent: "elasticmapreduce.amazonaws.com".to_owned(),
            };
            let key = format!("AKIA{}", p.rng.token(16));
            p.add(
                &who,
                "iam.amazonaws.com",
                "CreateAccessKey",
                false,
                json!({"userName": "reporting"}),
                json!({"accessKey": {"accessKeyId": key, "status": "Active", "userName": "reporting", "createDate": "May 20, 2024, 2:04:11 AM"}}),
            );
            let bucket = format!("{account}-reports");
            let value = p.s3_data(
                &who,
                "PutObject",
                false,
                &bucket,
                "curated/2024/05/20.parquet",
                Value::Null,
            );
            p.records.push(value);
        }
        _ => return None,
    }
    Some((p.records, entity_of(&who.identity)))
}

//! Background records: the ordinary traffic of an account, in realistic proportions and shapes.

use serde_json::{Value, json};

use crate::actor::{self, Actor};
use crate::rng::Rng;

/// The members every record has, filled in around a payload.
pub(crate) struct Call<'a> {
    pub(crate) actor: Actor,
    pub(crate) source: &'a str,
    pub(crate) name: &'a str,
    pub(crate) read_only: Option<bool>,
    pub(crate) category: &'a str,
    pub(crate) event_type: &'a str,
    pub(crate) request: Value,
    pub(crate) response: Value,
}

impl<'a> Call<'a> {
    /// A management API call (`AwsApiCall`, category `Management`).
    pub(crate) fn management(
        actor: Actor,
        source: &'a str,
        name: &'a str,
        read_only: bool,
        request: Value,
        response: Value,
    ) -> Self {
        Call {
            actor,
            source,
            name,
            read_only: Some(read_only),
            category: "Management",
            event_type: "AwsApiCall",
            request,
            response,
        }
    }
}

/// Builds a whole record around a call.
pub(crate) fn record(
    rng: &mut Rng,
    call: Call<'_>,
    account: &str,
    region: &str,
    time: &str,
) -> Value {
    let mut record = json!({
        "eventVersion": *rng.pick(&["1.08", "1.09", "1.10", "1.11"]),
        "userIdentity": call.actor.identity,
        "eventTime": time,
        "eventSource": call.source,
        "eventName": call.name,
        "awsRegion": region,
        "sourceIPAddress": call.actor.source_ip,
        "userAgent": call.actor.user_agent,
        "requestParameters": call.request,
        "responseElements": call.response,
        "requestID": rng.uuid(),
        "eventID": rng.uuid(),
        "eventType": call.event_type,
        "recipientAccountId": account,
        "eventCategory": call.category,
    });
    if let Some(read_only) = call.read_only {
        record["readOnly"] = json!(read_only);
    }
    if call.category == "Management" {
        record["managementEvent"] = json!(true);
    } else if call.category == "Data" {
        record["managementEvent"] = json!(false);
    }
    if call.actor.user_agent.contains('/') || call.actor.user_agent.contains('.') {
        let host = format!(
            "{}.{region}.amazonaws.com",
            call.source.trim_end_matches(".amazonaws.com")
        );
        record["tlsDetails"] = json!({
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": host
        });
    }
    record
}

fn instance_id(rng: &mut Rng) -> String {
    format!("i-0{}", rng.token(16).to_lowercase())
}

/// One background record at `time`.
pub(crate) fn background(
    rng: &mut Rng,
    account: &str,
    region: &str,
    time: &str,
    created: &str,
) -> Value {
    let roll = rng.below(1000);
    // Rarer, differently shaped events first.
    if roll < 25 {
        return console_sign_in(rng, account, time);
    }
    if roll < 45 {
        return vpce_event(rng, account, region, time);
    }
    if roll < 60 {
        return kms_rotation(rng, account, region, time);
    }
    if roll < 75 {
        return identity_center_portal(rng, account, time);
    }
    let actor = actor::background(rng, account, created);
    let mut call = api_call(rng, actor, account, region);
    // Some calls fail, as in any real account; never on STS, whose denials the planted brute force owns.
    let failure = rng.below(100);
    let failure = if call.source == "sts.amazonaws.com" {
        99
    } else {
        failure
    };
    let (code, message) = match failure {
        0..=3 => (
            "AccessDenied",
            "User is not authorized to perform this operation",
        ),
        4 => ("ThrottlingException", "Rate exceeded"),
        _ => ("", ""),
    };
    let mut value = if code.is_empty() {
        record(rng, call, account, region, time)
    } else {
        call.response = Value::Null;
        let code = if call.source == "ec2.amazonaws.com" && code == "AccessDenied" {
            "Client.UnauthorizedOperation"
        } else {
            code
        };
        let mut value = record(rng, call, account, region, time);
        value["errorCode"] = json!(code);
        value["errorMessage"] = json!(message);
        value
    };
    if value["eventSource"] == "s3.amazonaws.com" && value["eventCategory"] == "Data" {
        value["additionalEventData"] = json!({
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": rng.token(56),
            "bytesTransferredOut": rng.between(200, 5_000_000)
        });
    }
    value
}

fn api_call<'a>(rng: &mut Rng, actor: Actor, account: &str, region: &str) -> Call<'a> {
    match rng.below(20) {
        0..=3 => {
            let ids: Vec<Value> = (0..rng.between(1, 3))
                .map(|_| json!({"instanceId": instance_id(rng)}))
                .collect();
            Call::management(
                actor,
                "ec2.amazonaws.com",
                "DescribeInstances",
                true,
                json!({"instancesSet": {"items": ids}, "filterSet": {"items": [{"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}}]}}),
                Value::Null,
            )
        }
        4 => Call::management(
            actor,
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            true,
            json!({"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": format!("sg-0{}", rng.token(16).to_lowercase())}]}, "filterSet": {}}),
            Value::Null,
        ),
        5 => {
            let id = instance_id(rng);
            Call::management(
                actor,
                "ec2.amazonaws.com",
                "RunInstances",
                false,
                json!({"instancesSet": {"items": [{"imageId": "ami-0c55b159cbfafe1f0", "minCount": 1, "maxCount": 1}]}, "instanceType": "t3.micro", "blockDeviceMapping": {}, "monitoring": {"enabled": false}, "disableApiTermination": false, "clientToken": rng.uuid()}),
                json!({"requestId": rng.uuid(), "reservationId": format!("r-0{}", rng.token(16).to_lowercase()), "ownerId": account, "instancesSet": {"items": [{"instanceId": id, "imageId": "ami-0c55b159cbfafe1f0", "instanceState": {"code": 0, "name": "pending"}, "privateDnsName": format!("ip-10-0-{}-{}.{region}.compute.internal", rng.below(255), rng.below(255)), "instanceType": "t3.micro", "launchTime": 1_726_046_908_000u64}]}}),
            )
        }
        6..=9 => {
            let bucket = format!(
                "{account}-{}",
                rng.pick(&["app-data", "logs", "artifacts", "reports"])
            );
            let key = format!(
                "{}/{}.json",
                rng.pick(&["2024", "daily", "exports"]),
                rng.token(12).to_lowercase()
            );
            let name = *rng.pick(&["GetObject", "GetObject", "PutObject", "HeadObject"]);
            let mut call = Call::management(
                actor,
                "s3.amazonaws.com",
                name,
                name != "PutObject",
                json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "key": key}),
                Value::Null,
            );
            call.category = "Data";
            call
        }
        10 => Call::management(
            actor,
            "s3.amazonaws.com",
            "ListBuckets",
            true,
            json!({"Host": format!("s3.{region}.amazonaws.com")}),
            Value::Null,
        ),
        11 => Call::management(
            actor,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            true,
            Value::Null,
            Value::Null,
        ),
        12 => {
            let role = format!(
                "arn:aws:iam::{account}:role/{}",
                rng.pick(&["AppServer", "DataPipeline"])
            );
            Call::management(
                actor,
                "sts.amazonaws.com",
                "AssumeRole",
                true,
                json!({"roleArn": role, "roleSessionName": format!("session-{}", rng.below(40)), "durationSeconds": 3600}),
                json!({"credentials": {"accessKeyId": format!("ASIA{}", rng.token(16)), "sessionToken": rng.token(60), "expiration": "Oct 8, 2024, 4:15:32 PM"}, "assumedRoleUser": {"assumedRoleId": format!("AROA{}:session", rng.token(17)), "arn": format!("{role}/session")}}),
            )
        }
        13 | 14 => {
            let name = *rng.pick(&["Decrypt", "GenerateDataKey", "Encrypt"]);
            Call::management(
                actor,
                "kms.amazonaws.com",
                name,
                name == "Decrypt",
                json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": format!("arn:aws:kms:{region}:{account}:key/{}", rng.uuid()), "encryptionContext": {"aws:lambda:FunctionArn": format!("arn:aws:lambda:{region}:{account}:function:worker")}}),
                Value::Null,
            )
        }
        15 => {
            let mut call = Call::management(
                actor,
                "lambda.amazonaws.com",
                "Invoke",
                false,
                json!({"functionName": format!("arn:aws:lambda:{region}:{account}:function:{}", rng.pick(&["worker", "thumbnailer", "api"])), "invocationType": "RequestResponse"}),
                Value::Null,
            );
            call.category = "Data";
            call
        }
        16 => Call::management(
            actor,
            "iam.amazonaws.com",
            rng.pick::<&str>(&[
                "ListRoles",
                "GetUser",
                "ListAttachedRolePolicies",
                "GetRole",
            ]),
            true,
            json!({"roleName": rng.pick(&["AppServer", "DataPipeline"])}),
            Value::Null,
        ),
        17 => {
            let mut call = Call::management(
                actor,
                "dynamodb.amazonaws.com",
                rng.pick::<&str>(&["GetItem", "PutItem", "Query"]),
                true,
                json!({"tableName": "orders", "key": {"pk": {"S": rng.token(10)}}}),
                Value::Null,
            );
            call.category = "Data";
            call
        }
        18 => Call::management(
            actor,
            "logs.amazonaws.com",
            rng.pick::<&str>(&["CreateLogStream", "DescribeLogGroups"]),
            false,
            json!({"logGroupName": "/aws/lambda/worker", "logStreamName": format!("2024/05/01/[$LATEST]{}", rng.token(32).to_lowercase())}),
            Value::Null,
        ),
        _ => Call::management(
            actor,
            "monitoring.amazonaws.com",
            "GetMetricData",
            true,
            json!({"metricDataQueries": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization"}, "period": 300, "stat": "Average"}}], "startTime": "May 1, 2024, 12:00:00 AM", "endTime": "May 1, 2024, 1:00:00 AM"}),
            Value::Null,
        ),
    }
}

fn console_sign_in(rng: &mut Rng, account: &str, time: &str) -> Value {
    let user = *rng.pick(&["alice", "bob"]);
    let actor = Actor {
        identity: actor::iam_user(rng, account, user),
        source_ip: actor::client_ip(rng),
        user_agent: actor::USER_AGENTS[5].to_owned(),
    };
    let mut value = record(
        rng,
        Call {
            actor,
            source: "signin.amazonaws.com",
            name: "ConsoleLogin",
            read_only: Some(false),
            category: "Management",
            event_type: "AwsConsoleSignIn",
            request: Value::Null,
            response: json!({"ConsoleLogin": "Success"}),
        },
        account,
        "us-east-1",
        time,
    );
    value["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes"});
    value
}

fn vpce_event(rng: &mut Rng, account: &str, region: &str, time: &str) -> Value {
    let actor = Actor {
        identity: actor::assumed_role(rng, account, "AppServer", "i-0a1b2c3d4e5f60718", time),
        source_ip: format!("10.0.{}.{}", rng.below(255), rng.between(1, 254)),
        user_agent: String::new(),
    };
    let mut value = record(
        rng,
        Call {
            actor,
            source: "s3.amazonaws.com",
            name: "ListObjects",
            read_only: None,
            category: "NetworkActivity",
            event_type: "AwsVpceEvent",
            request: Value::Null,
            response: Value::Null,
        },
        account,
        region,
        time,
    );
    // Network activity events carry no user agent, payloads, readOnly or managementEvent.
    if let Some(object) = value.as_object_mut() {
        for member in [
            "userAgent",
            "requestParameters",
            "responseElements",
            "tlsDetails",
        ] {
            object.remove(member);
        }
    }
    value["sharedEventID"] = json!(rng.uuid());
    value["vpcEndpointId"] = json!(format!("vpce-0{}", rng.token(16).to_lowercase()));
    value["vpcEndpointAccountId"] = json!(account);
    value
}

fn kms_rotation(rng: &mut Rng, account: &str, region: &str, time: &str) -> Value {
    let key = format!("arn:aws:kms:{region}:{account}:key/{}", rng.uuid());
    json!({
        "eventVersion": "1.11",
        "userIdentity": {"accountId": account, "invokedBy": "AWS Internal"},
        "eventTime": time,
        "eventSource": "kms.amazonaws.com",
        "eventName": "RotateKey",
        "awsRegion": region,
        "sourceIPAddress": "AWS Internal",
        "userAgent": "AWS Internal",
        "requestParameters": null,
        "responseElements": null,
        "eventID": rng.uuid(),
        "readOnly": false,
        "resources": [{"accountId": account, "type": "AWS::KMS::Key", "ARN": key}],
        "eventType": "AwsServiceEvent",
        "managementEvent": true,
        "recipientAccountId": account,
        "serviceEventDetails": {"keyId": key},
        "eventCategory": "Management"
    })
}

fn identity_center_portal(rng: &mut Rng, account: &str, time: &str) -> Value {
    let user = rng.below(20);
    let actor = Actor {
        identity: actor::identity_center_user(rng, account, user),
        source_ip: actor::client_ip(rng),
        user_agent: actor::USER_AGENTS[5].to_owned(),
    };
    let name = *rng.pick(&["ListAccounts", "ListAccountRoles", "GetRoleCredentials"]);
    let mut value = record(
        rng,
        Call {
            actor,
            source: "sso.amazonaws.com",
            name,
            read_only: Some(true),
            category: "Management",
            event_type: "AwsServiceEvent",
            request: Value::Null,
            response: Value::Null,
        },
        account,
        "us-east-1",
        time,
    );
    value["serviceEventDetails"] = json!({"account_id": account, "role_name": "ReadOnly"});
    value
}

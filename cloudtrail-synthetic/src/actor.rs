//! Who makes the calls in a synthetic account: identities as CloudTrail writes them, with their addresses
//! and clients.

use serde_json::{Value, json};

use crate::rng::Rng;

/// A caller: its `userIdentity`, where it calls from and with which client.
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub(crate) identity: Value,
    pub(crate) source_ip: String,
    pub(crate) user_agent: String,
}

/// Background user agents: CLIs, SDKs, the console, Terraform. None carries an offensive-distribution
/// marker or an AI-assistant marker, so planted activity is the only such activity.
pub(crate) const USER_AGENTS: &[&str] = &[
    "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0-25-amd64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#ec2.describe-instances",
    "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.220-209.869.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144",
    "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.58.2",
    "aws-sdk-java/2.26.25 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.59.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "console.amazonaws.com",
    "aws-sdk-js/3.614.0 ua/2.0 os/linux#5.10.219 lang/js md/nodejs#20.15.1 api/dynamodb#3.614.0",
];

/// Documentation address ranges (RFC 5737) for callers outside AWS.
pub(crate) fn client_ip(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["192.0.2", "198.51.100", "203.0.113"]);
    format!("{prefix}.{}", rng.between(1, 254))
}

const ROLES: &[&str] = &[
    "AppServer",
    "DataPipeline",
    "ci-deployer",
    "LambdaExecution",
    "AWSReservedSSO_ReadOnly_5c1e8a2f9d",
];
const USERS: &[&str] = &["alice", "bob", "build-bot", "reporting"];
const SERVICES: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "cloudformation.amazonaws.com",
    "config.amazonaws.com",
    "autoscaling.amazonaws.com",
];

/// A session of one of the account's roles.
pub(crate) fn assumed_role(
    rng: &mut Rng,
    account: &str,
    role: &str,
    session: &str,
    created: &str,
) -> Value {
    let role_id = format!("AROA{}", role_key(account, role));
    let mut context = json!({
        "sessionIssuer": {
            "type": "Role",
            "principalId": role_id,
            "arn": format!("arn:aws:iam::{account}:role/{role}"),
            "accountId": account,
            "userName": role
        },
        "attributes": {"creationDate": created, "mfaAuthenticated": "false"}
    });
    if role == "AppServer" {
        context["ec2RoleDelivery"] = json!("2.0");
    }
    json!({
        "type": "AssumedRole",
        "principalId": format!("{role_id}:{session}"),
        "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
        "accountId": account,
        "accessKeyId": format!("ASIA{}", rng.token(16)),
        "sessionContext": context
    })
}

/// An IAM user with long-term keys.
pub(crate) fn iam_user(rng: &mut Rng, account: &str, user: &str) -> Value {
    json!({
        "type": "IAMUser",
        "principalId": format!("AIDA{}", role_key(account, user)),
        "arn": format!("arn:aws:iam::{account}:user/{user}"),
        "accountId": account,
        "accessKeyId": format!("AKIA{}", rng.token(16)),
        "userName": user
    })
}

/// The account's root user.
pub(crate) fn root(account: &str) -> Value {
    json!({
        "type": "Root",
        "principalId": account,
        "arn": format!("arn:aws:iam::{account}:root"),
        "accountId": account,
        "accessKeyId": ""
    })
}

/// An IAM Identity Center user in the 2025 shape.
pub(crate) fn identity_center_user(rng: &mut Rng, account: &str, user_number: u64) -> Value {
    json!({
        "type": "IdentityCenterUser",
        "accountId": account,
        "onBehalfOf": {
            "userId": format!("94482488-3041-7026-18f3-{:012x}", user_number),
            "identityStoreArn": format!("arn:aws:identitystore::{account}:identitystore/d-9067642ac7")
        },
        "credentialId": rng.uuid()
    })
}

/// A stable id for a principal: the same name in the same account always gets the same id.
fn role_key(account: &str, name: &str) -> String {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in account.bytes().chain(name.bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016X}").chars().take(17).collect()
}

/// A background caller of the kind CloudTrail records most: mostly role sessions, then users and services.
pub(crate) fn background(rng: &mut Rng, account: &str, created: &str) -> Actor {
    let roll = rng.below(100);
    let user_agent = (*rng.pick(USER_AGENTS)).to_owned();
    if roll < 62 {
        let role = *rng.pick(ROLES);
        let session = if role == "AppServer" {
            format!("i-0{}", rng.token(16).to_lowercase())
        } else {
            format!("session-{}", rng.below(40))
        };
        Actor {
            identity: assumed_role(rng, account, role, &session, created),
            source_ip: client_ip(rng),
            user_agent,
        }
    } else if roll < 80 {
        let user = *rng.pick(USERS);
        Actor {
            identity: iam_user(rng, account, user),
            source_ip: client_ip(rng),
            user_agent,
        }
    } else {
        let service = (*rng.pick(SERVICES)).to_owned();
        Actor {
            identity: json!({"type": "AWSService", "invokedBy": service}),
            source_ip: service.clone(),
            user_agent: service,
        }
    }
}

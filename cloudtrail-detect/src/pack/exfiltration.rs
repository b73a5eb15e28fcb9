//! Exfiltration (TA0010): snapshots, images and data shared with other accounts or made public, data
//! copied out by replication, mirroring and DataSync, and instance credentials used off their instance.

use crate::condition::{Condition, field};
use crate::rule::{Rule, Severity};

use super::helpers::{
    COLLECTION, CREDENTIAL_ACCESS, DEFENSE_EVASION, EXFILTRATION, INITIAL_ACCESS, assumed_role,
    failed, instance_session, names, workstation_agent,
};

pub(super) fn rules() -> Vec<Rule> {
    let mut rules = sharing();
    rules.extend(s3());
    rules.extend(copies());
    rules
}

/// Any value of `path` is `all`: the resource is shared with every AWS account.
fn to_everyone(path: &str) -> Condition {
    field(path).equals(["all"])
}

/// Accounts (or `all`) added to the restore attribute of an RDS DB or cluster snapshot (`event`): they can
/// restore the database. `valuesToRemove` alone is not a share.
fn rds_snapshot_shared(id: &str, event: &str, what: &str) -> Rule {
    Rule::new(
        id,
        &format!("{what} shared with another account or made public"),
        names(&[event])
            .and(field("requestParameters.attributeName").equals(["restore"]))
            .and(field("requestParameters.valuesToAdd").exists()),
    )
    .description(&format!("Accounts (or all) were added to the {what}'s restore attribute: they can restore the database. valuesToRemove alone is not flagged."))
    .false_positive("snapshots shared on purpose with a backup account")
    .severity(Severity::High)
    .escalate(failed(), Severity::Low)
    .escalate(to_everyone("requestParameters.valuesToAdd"), Severity::Critical)
    .tag("stratus:aws.exfiltration.rds-share-snapshot")
    .mitre(EXFILTRATION, "T1537")
}

/// Snapshots, images and databases shared with other accounts or made public.
fn sharing() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-ebs-snapshot-shared",
            "EBS snapshot shared with another account or made public",
            names(&["ModifySnapshotAttribute"]).and(
                field("requestParameters.createVolumePermission.add.items.userId")
                    .exists()
                    .or(to_everyone("requestParameters.createVolumePermission.add.items.group")),
            ),
        )
        .description("A createVolumePermission was added to an EBS snapshot: the account (userId) or everyone (group all) it names can copy the volume. Removing a permission is not flagged.")
        .false_positive("snapshots shared on purpose with a backup or disaster-recovery account")
        .severity(Severity::High)
        .escalate(failed(), Severity::Low)
        .escalate(to_everyone("requestParameters.createVolumePermission.add.items.group"), Severity::Critical)
        .tag("stratus:aws.exfiltration.ec2-share-ebs-snapshot")
        .mitre(EXFILTRATION, "T1537"),
        Rule::new(
            "aws-ec2-ami-shared",
            "AMI shared with another account or made public",
            names(&["ModifyImageAttribute"]).and(
                field("requestParameters.launchPermission.add.items.userId")
                    .exists()
                    .or(to_everyone("requestParameters.launchPermission.add.items.group"))
                    .or(field("requestParameters.launchPermission.add.items.organizationArn").exists())
                    .or(field("requestParameters.launchPermission.add.items.organizationalUnitArn").exists()),
            ),
        )
        .description("A launch permission was added to an AMI: the account, organisation or everyone it names can launch it and read its volumes. Removing a permission is not flagged.")
        .false_positive("golden images published to the organisation's other accounts")
        .severity(Severity::High)
        .escalate(failed(), Severity::Low)
        .escalate(to_everyone("requestParameters.launchPermission.add.items.group"), Severity::Critical)
        .tag("stratus:aws.exfiltration.ec2-share-ami")
        .mitre(EXFILTRATION, "T1537"),
        rds_snapshot_shared(
            "aws-rds-snapshot-shared",
            "ModifyDBSnapshotAttribute",
            "RDS snapshot",
        ),
        rds_snapshot_shared(
            "aws-rds-cluster-snapshot-shared",
            "ModifyDBClusterSnapshotAttribute",
            "RDS cluster snapshot",
        ),
        Rule::new(
            "aws-rds-made-public",
            "RDS database created, restored or modified to be publicly accessible",
            names(&[
                "ModifyDBInstance",
                "ModifyDBCluster",
                "CreateDBInstance",
                "CreateDBCluster",
                "CreateDBInstanceReadReplica",
                "RestoreDBInstanceFromDBSnapshot",
                "RestoreDBInstanceToPointInTime",
                "RestoreDBClusterFromSnapshot",
                "RestoreDBClusterToPointInTime",
            ])
            .and(field("requestParameters.publiclyAccessible").equals(["true"])),
        )
        .description("publiclyAccessible true gives the database a public address: it can be reached from the internet where its security groups allow. Setting it to false is not flagged.")
        .false_positive("development databases reached from outside on purpose")
        .severity(Severity::High)
        .escalate(failed(), Severity::Low)
        .mitre(EXFILTRATION, "T1537")
        .mitre(DEFENSE_EVASION, "T1578.005"),
    ]
}

/// The value of `path` is a bare 12-digit account id (a policy principal written without its ARN).
fn account_id(path: &str) -> Condition {
    // A constant pattern: it always compiles; an empty `Any` (never true) keeps this free of unwrap.
    field(path)
        .regex("^[0-9]{12}$")
        .unwrap_or(Condition::Any(Vec::new()))
}

/// Statements of a bucket policy in `requestParameters.bucketPolicy`.
fn statement(member: &str) -> String {
    format!("requestParameters.bucketPolicy.Statement.{member}")
}

/// S3 buckets opened to other accounts or to everyone.
fn s3() -> Vec<Rule> {
    let grants_everyone = field(&statement("Principal"))
        .equals(["*"])
        .or(field(&statement("Principal.AWS")).equals(["*"]));
    let public_group = "acs.amazonaws.com/groups/global/";
    vec![
        Rule::new(
            "aws-s3-bucket-policy-public",
            "Bucket policy allows everyone (Principal *)",
            names(&["PutBucketPolicy"])
                .and(field(&statement("Effect")).equals(["Allow"]))
                .and(grants_everyone),
        )
        .description("The new bucket policy has an Allow statement for Principal \"*\" or {\"AWS\": \"*\"}: anyone, in any account, gets the actions it lists unless a Condition narrows them. Policies whose statements carry conditions (organisation, VPC endpoint, source IP, TLS) are kept at Low, because a Deny for insecure transport also names Principal *.")
        .false_positive("public website buckets; statements narrowed by aws:PrincipalOrgID or aws:SourceVpce conditions")
        .severity(Severity::High)
        .escalate(failed(), Severity::Low)
        .escalate(field(&statement("Condition")).exists(), Severity::Low)
        .tag("stratus:aws.exfiltration.s3-backdoor-bucket-policy")
        .mitre(EXFILTRATION, "T1537")
        .mitre(EXFILTRATION, "T1567"),
        Rule::new(
            "aws-s3-bucket-policy-account-principal",
            "Bucket policy grants a whole AWS account",
            names(&["PutBucketPolicy"])
                .and(field(&statement("Effect")).equals(["Allow"]))
                .and(
                    field(&statement("Principal.AWS"))
                        .ends_with([":root"])
                        .or(account_id(&statement("Principal.AWS"))),
                ),
        )
        .description("The new bucket policy allows an account principal (arn:aws:iam::<account>:root or a bare account id): every identity that account lets through can read or write the bucket. This is how a bucket is backdoored for an outside account; the rule cannot tell the bucket owner's account from a foreign one, hence Medium.")
        .false_positive("cross-account access for log shipping or a data lake; the bucket owner's own account named as root")
        .severity(Severity::Medium)
        .escalate(failed(), Severity::Low)
        .tag("stratus:aws.exfiltration.s3-backdoor-bucket-policy")
        .mitre(EXFILTRATION, "T1537"),
        Rule::new(
            "aws-s3-acl-public",
            "Bucket or object ACL grants AllUsers or AuthenticatedUsers",
            names(&["PutBucketAcl", "PutObjectAcl"]).and(
                field("requestParameters.x-amz-acl")
                    .equals(["public-read", "public-read-write", "authenticated-read"])
                    .or(field("requestParameters.AccessControlPolicy.AccessControlList.Grant.Grantee.URI").contains([public_group]))
                    .or(field("requestParameters.x-amz-grant-read").contains([public_group]))
                    .or(field("requestParameters.x-amz-grant-write").contains([public_group]))
                    .or(field("requestParameters.x-amz-grant-read-acp").contains([public_group]))
                    .or(field("requestParameters.x-amz-grant-write-acp").contains([public_group]))
                    .or(field("requestParameters.x-amz-grant-full-control").contains([public_group])),
            ),
        )
        .description("A canned ACL (public-read, public-read-write, authenticated-read) or a grant to the AllUsers or AuthenticatedUsers group: anyone on the internet, or any AWS account, can read (or write) it. A private ACL is not flagged.")
        .false_positive("public website assets on buckets without Block Public Access")
        .severity(Severity::High)
        .escalate(failed(), Severity::Low)
        .mitre(EXFILTRATION, "T1537")
        .mitre(EXFILTRATION, "T1567"),
        Rule::new(
            "aws-s3-replication-configured",
            "S3 bucket replication configured",
            names(&["PutBucketReplication"]),
        )
        .description("Every new object of the bucket will be copied to the destination bucket, which may belong to another account (ReplicationConfiguration.Rule.Destination.Account). Deleting replication is not flagged here.")
        .false_positive("cross-region or backup replication set up by infrastructure code")
        .severity(Severity::Medium)
        .escalate(failed(), Severity::Low)
        .mitre(EXFILTRATION, "T1537"),
    ]
}

/// Remote administration ports the rule below watches: SSH and RDP.
const ADMIN_PORTS: [f64; 2] = [22.0, 3389.0];

/// A security-group permission written with members `<prefix>fromPort`, `<prefix>toPort`,
/// `<prefix>ipProtocol` lets in a remote administration port: its range covers 22 or 3389, or it allows
/// every protocol (`-1`). `cidrs` are the paths of its address ranges; any `/0` (IPv4 or IPv6, whatever
/// the base address: `208.236.235.254/0` included) is the whole internet.
fn admin_port_open(prefix: &str, cidrs: &[&str]) -> Condition {
    let member = |name: &str| field(&format!("{prefix}{name}"));
    let mut ports = member("ipProtocol").equals(["-1"]);
    for port in ADMIN_PORTS {
        ports = ports.or(member("fromPort")
            .less_than(port + 0.5)
            .and(member("toPort").greater_than(port - 0.5)));
    }
    let mut world = Condition::Any(Vec::new());
    for cidr in cidrs {
        world = world.or(field(&format!("{prefix}{cidr}")).ends_with(["/0"]));
    }
    world.and(ports)
}

/// Data copied out of the account: traffic mirroring, DataSync, instance credentials used elsewhere.
fn copies() -> Vec<Rule> {
    vec![
        Rule::new(
            "aws-ec2-admin-port-open-to-world",
            "SSH or RDP opened to the whole internet",
            names(&["AuthorizeSecurityGroupIngress"]).and(
                admin_port_open("requestParameters.", &["cidrIp", "cidrIpv6"]).or(admin_port_open(
                    "requestParameters.ipPermissions.items.",
                    &["ipRanges.items.cidrIp", "ipv6Ranges.items.cidrIpv6"],
                )),
            ),
        )
        .description("An ingress permission lets any address (a /0, IPv4 or IPv6, whatever its base address) reach port 22 or 3389, or every port. Both request forms are read: the older top-level cidrIp/fromPort/toPort and ipPermissions items. With several permissions in one call, their ports and ranges are not paired.")
        .false_positive("bastion hosts opened to the internet on purpose")
        .severity(Severity::High)
        .escalate(failed(), Severity::Low)
        .tag("stratus:aws.exfiltration.ec2-security-group-open-port-22-ingress")
        .mitre(EXFILTRATION, "T1048")
        .mitre(DEFENSE_EVASION, "T1562.007"),
        Rule::new(
            "aws-ec2-traffic-mirroring",
            "VPC traffic mirroring created or changed",
            names(&[
                "CreateTrafficMirrorSession",
                "ModifyTrafficMirrorSession",
                "CreateTrafficMirrorTarget",
                "CreateTrafficMirrorFilter",
                "CreateTrafficMirrorFilterRule",
                "ModifyTrafficMirrorFilterRule",
                "ModifyTrafficMirrorFilterNetworkServices",
            ]),
        )
        .description("Traffic mirroring copies every packet of a network interface to a target interface or load balancer: a way to capture traffic, credentials included, inside the VPC.")
        .false_positive("network monitoring appliances and IDS deployments")
        .severity(Severity::Medium)
        .mitre(EXFILTRATION, "T1020")
        .mitre(COLLECTION, "T1040"),
        Rule::new(
            "aws-datasync-location-outside-aws",
            "DataSync location created outside AWS storage",
            names(&[
                "CreateLocationObjectStorage",
                "CreateLocationAzureBlob",
                "CreateLocationHdfs",
                "CreateLocationNfs",
                "CreateLocationSmb",
            ]),
        )
        .description("A DataSync location on another cloud, an object store or a file server reached through an agent: a task between it and S3, EFS or FSx copies data out of the account.")
        .false_positive("migrations from on-premises storage")
        .severity(Severity::Medium)
        .mitre(EXFILTRATION, "T1537"),
        Rule::new(
            "aws-datasync-task-created",
            "DataSync task created or started",
            names(&["CreateTask", "StartTaskExecution", "UpdateTask"])
                .and(field("eventSource").equals(["datasync.amazonaws.com"])),
        )
        .description("A DataSync task copies between two locations; with a location outside the account it moves data out in bulk.")
        .false_positive("scheduled backups and migrations")
        .severity(Severity::Low)
        .mitre(EXFILTRATION, "T1537"),
        Rule::new(
            "aws-ec2-instance-credentials-off-instance",
            "EC2 instance role credentials used from a workstation",
            assumed_role()
                .and(workstation_agent())
                .and(instance_session()),
        )
        .description("The role session is an EC2 instance profile's (named after its instance id, or delivered by the metadata service) but the user agent is a desktop one (macOS, Windows, Kali): the credentials were taken from the instance, typically through SSRF or a shell, and are used from a laptop, for instance to list and download S3.")
        .false_positive("developers who copy instance credentials to their machines for debugging")
        .severity(Severity::High)
        .mitre(EXFILTRATION, "T1537")
        .mitre(CREDENTIAL_ACCESS, "T1552.005")
        .mitre(INITIAL_ACCESS, "T1078.004"),
    ]
}

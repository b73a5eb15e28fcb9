//! The 57 SigmaHQ CloudTrail rules (cloudtrail-detect/tests/data/sigma/rules, DRL 1.1, by their authors named there) written
//! with the Rust builder, to compare matching speed with the same rules compiled from Sigma.

use cloudtrail_detect::{Condition, Field, Rule, field};

/// The rules, with the SigmaHQ ids.
pub fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            "59b70e4d-dd17-44a9-b740-acf07ae3eb6a",
            "AWS Bedrock Guardrail Deleted",
            field("eventName")
                .equals(["DeleteGuardrail"])
                .and(field("eventSource").equals(["bedrock.amazonaws.com"])),
        ),
        Rule::new(
            "1c722651-254a-4b04-a9f4-99b62a2d0a1f",
            "AWS Bedrock Guardrail Updated",
            field("eventName")
                .equals(["UpdateGuardrail"])
                .and(field("eventSource").equals(["bedrock.amazonaws.com"])),
        ),
        Rule::new(
            "39c9f26d-6e3b-4dbb-9c7a-4154b0281112",
            "AWS Bucket Deleted",
            (field("eventName").equals(["DeleteBucket"])).and(
                (field("errorCode").equals(["Success"])).or(field("errorCode").exists().not()),
            ),
        ),
        Rule::new(
            "6393e346-1977-46ef-8987-ad414a145fad",
            "AWS ConsoleLogin Failed Authentication",
            field("eventName")
                .equals(["ConsoleLogin"])
                .and(field("errorMessage").equals(["Failed authentication"])),
        ),
        Rule::new(
            "77caf516-34e5-4df9-b4db-20744fea0a60",
            "AWS Successful Console Login Without MFA",
            field("eventName")
                .equals(["ConsoleLogin"])
                .and(field("additionalEventData.MFAUsed").equals(["NO"]))
                .and(field("responseElements.ConsoleLogin").equals(["Success"])),
        ),
        Rule::new(
            "4db60cc0-36fb-42b7-9b58-a5b53019fb74",
            "AWS CloudTrail Important Change",
            field("eventSource")
                .equals(["cloudtrail.amazonaws.com"])
                .and(field("eventName").equals(["StopLogging", "UpdateTrail", "DeleteTrail"])),
        ),
        Rule::new(
            "d2656e78-c069-4571-8220-9e0ab5913f19",
            "AWS GuardDuty Detector Deleted Or Updated",
            ((field("eventSource").equals(["guardduty.amazonaws.com"])).and(
                (field("eventName").equals(["DeleteDetector"])).or(field("eventName")
                    .equals(["UpdateDetector"])
                    .and(field("requestParameters.enable").equals(["false"]))),
            ))
            .and((field("errorCode").equals(["Success"])).or(field("errorCode").exists().not())),
        ),
        Rule::new(
            "e1f7febb-7b94-4234-b5c6-00fb8500f5dd",
            "New Network ACL Entry Added",
            field("eventSource")
                .equals(["ec2.amazonaws.com"])
                .and(field("eventName").equals(["CreateNetworkAclEntry"])),
        ),
        Rule::new(
            "c803b2ce-c4a2-4836-beae-b112010390b1",
            "New Network Route Added",
            field("eventSource")
                .equals(["ec2.amazonaws.com"])
                .and(field("eventName").equals(["CreateRoute"])),
        ),
        Rule::new(
            "a840e606-7c8c-4684-9bc1-eb6b6155127f",
            "PUA - AWS TruffleHog Execution",
            field("userAgent").equals(["TruffleHog"]),
        ),
        Rule::new(
            "a5ffb6ea-c784-4e01-b30a-deb6e58ca2ab",
            "AWS EnableRegion Command Monitoring",
            field("eventName")
                .equals(["EnableRegion"])
                .and(field("eventSource").equals(["account.amazonaws.com"])),
        ),
        Rule::new(
            "6fb77778-040f-4015-9440-572aa9b6b580",
            "Ingress/Egress Security Group Modification",
            field("eventSource")
                .equals(["ec2.amazonaws.com"])
                .and(field("eventName").equals([
                    "AuthorizeSecurityGroupEgress",
                    "AuthorizeSecurityGroupIngress",
                    "RevokeSecurityGroupEgress",
                    "RevokeSecurityGroupIngress",
                ])),
        ),
        Rule::new(
            "7a4409fc-f8ca-45f6-8006-127d779eaad9",
            "LoadBalancer Security Group Modification",
            field("eventSource")
                .equals(["elasticloadbalancing.amazonaws.com"])
                .and(
                    field("eventName")
                        .equals(["ApplySecurityGroupsToLoadBalancer", "SetSecurityGroups"]),
                ),
        ),
        Rule::new(
            "14f3f1c8-02d5-43a2-a191-91ffb52d3015",
            "RDS Database Security Group Modification",
            field("eventSource")
                .equals(["rds.amazonaws.com"])
                .and(field("eventName").equals([
                    "AuthorizeDBSecurityGroupIngress",
                    "CreateDBSecurityGroup",
                    "DeleteDBSecurityGroup",
                    "RevokeDBSecurityGroupIngress",
                ])),
        ),
        Rule::new(
            "38e7f511-3f74-41d4-836e-f57dfa18eead",
            "Potential Malicious Usage of CloudTrail System Manager",
            (field("eventName")
                .equals(["SendCommand"])
                .and(field("eventSource").equals(["ssm.amazonaws.com"])))
            .and((field("errorCode").equals(["Success"])).or(field("errorCode").exists().not())),
        ),
        Rule::new(
            "e386b9b5-af12-450e-afff-761730fb8a98",
            "AWS VPC Flow Logs Deleted",
            (field("eventName").equals(["DeleteFlowLogs"])).and(
                (field("errorCode").equals(["Success"])).or(field("errorCode").exists().not()),
            ),
        ),
        Rule::new(
            "07330162-dba1-4746-8121-a9647d49d297",
            "AWS Config Disabling Channel/Recorder",
            field("eventSource").equals(["config.amazonaws.com"]).and(
                field("eventName").equals(["DeleteDeliveryChannel", "StopConfigurationRecorder"]),
            ),
        ),
        Rule::new(
            "f8103686-e3e8-46f3-be72-65f7fcb4aa53",
            "AWS Console GetSigninToken Potential Abuse",
            (field("eventSource")
                .equals(["signin.amazonaws.com"])
                .and(field("eventName").equals(["GetSigninToken"])))
            .and((field("userAgent").contains(["Jersey/${project.version}"])).not()),
        ),
        Rule::new(
            "20f754db-d025-4a8f-9d74-e0037e999a9a",
            "SES Identity Has Been Deleted",
            field("eventSource")
                .equals(["ses.amazonaws.com"])
                .and(field("eventName").equals(["DeleteIdentity"])),
        ),
        Rule::new(
            "ccd6a6c8-bb4e-4a91-9d2a-07e632819374",
            "AWS SAML Provider Deletion Activity",
            field("eventSource")
                .equals(["iam.amazonaws.com"])
                .and(field("eventName").equals(["DeleteSAMLProvider"]))
                .and(field("status").equals(["success"])),
        ),
        Rule::new(
            "a136ac98-b2bc-4189-a14d-f0d0388e57a7",
            "AWS S3 Bucket Versioning Disable",
            field("eventSource")
                .equals(["s3.amazonaws.com"])
                .and(field("eventName").equals(["PutBucketVersioning"]))
                .and(field("requestParameters").contains(["Suspended"])),
        ),
        Rule::new(
            "16124c2d-e40b-4fcc-8f2c-5ab7870a2223",
            "AWS EC2 Disable EBS Encryption",
            field("eventSource")
                .equals(["ec2.amazonaws.com"])
                .and(field("eventName").equals(["DisableEbsEncryptionByDefault"])),
        ),
        Rule::new(
            "92f84194-8d9a-4ee0-8699-c30bfac59780",
            "AWS Key Pair Import Activity",
            field("eventSource")
                .equals(["ec2.amazonaws.com"])
                .and(field("eventName").equals(["ImportKeyPair"])),
        ),
        Rule::new(
            "1ab3c5ed-5baf-417b-bb6b-78ca33f6c3df",
            "AWS EC2 Startup Shell Script Change",
            field("eventSource")
                .equals(["ec2.amazonaws.com"])
                .and(field("requestParameters.attribute").equals(["userData"]))
                .and(field("eventName").equals(["ModifyInstanceAttribute"])),
        ),
        Rule::new(
            "54b9a76a-3c71-4673-b4b3-2edb4566ea7b",
            "AWS EC2 VM Export Failure",
            (field("eventName")
                .equals(["CreateInstanceExportTask"])
                .and(field("eventSource").equals(["ec2.amazonaws.com"])))
            .and(
                ((field("errorMessage").exists())
                    .or(field("errorCode").exists())
                    .or(field("responseElements").contains(["Failure"])))
                .not(),
            ),
        ),
        Rule::new(
            "b94bf91e-c2bf-4047-9c43-c6810f43baad",
            "AWS ECS Task Definition That Queries The Credential Endpoint",
            field("eventSource")
                .equals(["ecs.amazonaws.com"])
                .and(field("eventName").equals([
                    "DescribeTaskDefinition",
                    "RegisterTaskDefinition",
                    "RunTask",
                ]))
                .and(
                    field("requestParameters.containerDefinitions.command")
                        .contains(["$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]),
                ),
        ),
        Rule::new(
            "25cb1ba1-8a19-4a23-a198-d252664c8cef",
            "AWS EFS Fileshare Modified or Deleted",
            field("eventSource")
                .equals(["elasticfilesystem.amazonaws.com"])
                .and(field("eventName").equals(["DeleteFileSystem"])),
        ),
        Rule::new(
            "6a7ba45c-63d8-473e-9736-2eaabff79964",
            "AWS EFS Fileshare Mount Modified or Deleted",
            field("eventSource")
                .equals(["elasticfilesystem.amazonaws.com"])
                .and(field("eventName").equals(["DeleteMountTarget"])),
        ),
        Rule::new(
            "33d50d03-20ec-4b74-a74e-1e65a38af1c0",
            "AWS EKS Cluster Created or Deleted",
            field("eventSource")
                .equals(["eks.amazonaws.com"])
                .and(field("eventName").equals(["CreateCluster", "DeleteCluster"])),
        ),
        Rule::new(
            "4ae68615-866f-4304-b24b-ba048dfa5ca7",
            "AWS ElastiCache Security Group Created",
            field("eventSource")
                .equals(["elasticache.amazonaws.com"])
                .and(field("eventName").equals(["CreateCacheSecurityGroup"])),
        ),
        Rule::new(
            "7c797da2-9cf2-4523-ba64-33b06339f0cc",
            "AWS ElastiCache Security Group Modified or Deleted",
            field("eventSource")
                .equals(["elasticache.amazonaws.com"])
                .and(field("eventName").equals([
                    "DeleteCacheSecurityGroup",
                    "AuthorizeCacheSecurityGroupIngress",
                    "RevokeCacheSecurityGroupIngress",
                    "AuthorizeCacheSecurityGroupEgress",
                    "RevokeCacheSecurityGroupEgress",
                ])),
        ),
        Rule::new(
            "f305fd62-beca-47da-ad95-7690a0620084",
            "Potential Bucket Enumeration on AWS",
            (field("eventSource")
                .equals(["s3.amazonaws.com"])
                .and(field("eventName").equals(["ListBuckets"])))
            .and((field("userIdentity.type").equals(["AssumedRole"])).not()),
        ),
        Rule::new(
            "6e61ee20-ce00-4f8d-8aee-bedd8216f7e3",
            "AWS GuardDuty Important Change",
            field("eventSource")
                .equals(["guardduty.amazonaws.com"])
                .and(field("eventName").equals(["CreateIPSet"])),
        ),
        Rule::new(
            "0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2",
            "AWS IAM Backdoor Users Keys",
            (field("eventSource")
                .equals(["iam.amazonaws.com"])
                .and(field("eventName").equals(["CreateAccessKey"])))
            .and(
                (field("userIdentity.arn").contains(["responseElements.accessKey.userName"])).not(),
            ),
        ),
        Rule::new(
            "db014773-b1d3-46bd-ba26-133337c0ffee",
            "AWS IAM S3Browser LoginProfile Creation",
            field("eventSource")
                .equals(["iam.amazonaws.com"])
                .and(field("eventName").equals(["GetLoginProfile", "CreateLoginProfile"]))
                .and(field("userAgent").contains(["S3 Browser"])),
        ),
        Rule::new(
            "db014773-d9d9-4792-91e5-133337c0ffee",
            "AWS IAM S3Browser User or AccessKey Creation",
            field("eventSource")
                .equals(["iam.amazonaws.com"])
                .and(field("eventName").equals(["CreateUser", "CreateAccessKey"]))
                .and(field("userAgent").contains(["S3 Browser"])),
        ),
        Rule::new(
            "1279262f-1464-422f-ac0d-5b545320c526",
            "AWS KMS Imported Key Material Usage",
            field("eventSource")
                .equals(["kms.amazonaws.com"])
                .and(field("eventName").equals(["ImportKeyMaterial", "DeleteImportedKeyMaterial"])),
        ),
        Rule::new(
            "ec541962-c05a-4420-b9ea-84de072d18f4",
            "New AWS Lambda Function URL Configuration Created",
            field("eventSource")
                .equals(["lambda.amazonaws.com"])
                .and(field("eventName").equals(["CreateFunctionUrlConfig"])),
        ),
        Rule::new(
            "97fbabf8-8e1b-47a2-b7d5-a418d2b95e3d",
            "AWS New Lambda Layer Attached",
            field("eventSource")
                .equals(["lambda.amazonaws.com"])
                .and(field("eventName").starts_with(["UpdateFunctionConfiguration"]))
                .and(field("requestParameters.layers").exists()),
        ),
        Rule::new(
            "4990c2e3-f4b8-45e3-bc3c-30b14ff0ed26",
            "AWS Glue Development Endpoint Activity",
            field("eventSource")
                .equals(["glue.amazonaws.com"])
                .and(field("eventName").equals([
                    "CreateDevEndpoint",
                    "DeleteDevEndpoint",
                    "UpdateDevEndpoint",
                ])),
        ),
        Rule::new(
            "8a63cdd4-6207-414a-85bc-7e032bd3c1a2",
            "AWS RDS Master Password Change",
            field("eventSource")
                .equals(["rds.amazonaws.com"])
                .and(field("responseElements.pendingModifiedValues.masterUserPassword").exists())
                .and(field("eventName").equals(["ModifyDBInstance"])),
        ),
        Rule::new(
            "457cc9ac-d8e6-4d1d-8c0e-251d0f11a74c",
            "Modification or Deletion of an AWS RDS Cluster",
            field("eventSource")
                .equals(["rds.amazonaws.com"])
                .and(field("eventName").equals(["ModifyDBCluster", "DeleteDBCluster"])),
        ),
        Rule::new(
            "c3f265c7-ff03-4056-8ab2-d486227b4599",
            "Restore Public AWS RDS Instance",
            field("eventSource")
                .equals(["rds.amazonaws.com"])
                .and(field("responseElements.publiclyAccessible").equals(["true"]))
                .and(field("eventName").equals(["RestoreDBInstanceFromDBSnapshot"])),
        ),
        Rule::new(
            "8ad1600d-e9dc-4251-b0ee-a65268f29add",
            "AWS Root Credentials",
            (field("userIdentity.type").equals(["Root"]))
                .and((field("eventType").equals(["AwsServiceEvent"])).not()),
        ),
        Rule::new(
            "3940b5f1-3f46-44aa-b746-ebe615b879e0",
            "AWS Route 53 Domain Transfer Lock Disabled",
            field("eventSource")
                .equals(["route53.amazonaws.com"])
                .and(field("eventName").equals(["DisableDomainTransferLock"])),
        ),
        Rule::new(
            "b056de1a-6e6e-4e40-a67e-97c9808cf41b",
            "AWS Route 53 Domain Transferred to Another Account",
            field("eventSource")
                .equals(["route53.amazonaws.com"])
                .and(field("eventName").equals(["TransferDomainToAnotherAwsAccount"])),
        ),
        Rule::new(
            "78b3756a-7804-4ef7-8555-7b9024a02e2d",
            "AWS S3 Data Management Tampering",
            field("eventSource")
                .equals(["s3.amazonaws.com"])
                .and(field("eventName").equals([
                    "PutBucketLogging",
                    "PutBucketWebsite",
                    "PutEncryptionConfiguration",
                    "PutLifecycleConfiguration",
                    "PutReplicationConfiguration",
                    "ReplicateObject",
                    "RestoreObject",
                ])),
        ),
        Rule::new(
            "a607e1fe-74bf-4440-a3ec-b059b9103157",
            "AWS SecurityHub Findings Evasion",
            field("eventSource")
                .equals(["securityhub.amazonaws.com"])
                .and(field("eventName").equals([
                    "BatchUpdateFindings",
                    "DeleteInsight",
                    "UpdateFindings",
                    "UpdateInsight",
                ])),
        ),
        Rule::new(
            "abae8fec-57bd-4f87-aff6-6e3db989843d",
            "AWS Snapshot Backup Exfiltration",
            field("eventSource")
                .equals(["ec2.amazonaws.com"])
                .and(field("eventName").equals(["ModifySnapshotAttribute"])),
        ),
        Rule::new(
            "d3adb3ef-b7e7-4003-9092-1924c797db35",
            "AWS Identity Center Identity Provider Change",
            field("eventSource")
                .equals(["sso-directory.amazonaws.com", "sso.amazonaws.com"])
                .and(field("eventName").equals([
                    "AssociateDirectory",
                    "DisableExternalIdPConfigurationForDirectory",
                    "DisassociateDirectory",
                    "EnableExternalIdPConfigurationForDirectory",
                ])),
        ),
        Rule::new(
            "905d389b-b853-46d0-9d3d-dea0d3a3cd49",
            "AWS STS AssumeRole Misuse",
            field("userIdentity.type")
                .equals(["AssumedRole"])
                .and(field("userIdentity.sessionContext.sessionIssuer.type").equals(["Role"])),
        ),
        Rule::new(
            "9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d",
            "AWS STS GetCallerIdentity Enumeration Via TruffleHog",
            field("eventSource")
                .equals(["sts.amazonaws.com"])
                .and(field("eventName").equals(["GetCallerIdentity"]))
                .and(field("userAgent").contains(["TruffleHog"])),
        ),
        Rule::new(
            "b45ab1d2-712f-4f01-a751-df3826969807",
            "AWS STS GetSessionToken Misuse",
            field("eventSource")
                .equals(["sts.amazonaws.com"])
                .and(field("eventName").equals(["GetSessionToken"]))
                .and(field("userIdentity.type").equals(["IAMUser"])),
        ),
        Rule::new(
            "f43f5d2f-3f2a-4cc8-b1af-81fde7dbaf0e",
            "AWS Suspicious SAML Activity",
            (field("eventSource")
                .equals(["sts.amazonaws.com"])
                .and(field("eventName").equals(["AssumeRoleWithSAML"])))
            .or(field("eventSource")
                .equals(["iam.amazonaws.com"])
                .and(field("eventName").equals(["UpdateSAMLProvider"]))),
        ),
        Rule::new(
            "352a918a-34d8-4882-8470-44830c507aa3",
            "Malicious Usage Of IMDS Credentials Outside Of AWS Infrastructure",
            field("userIdentity.arn")
                .cased()
                .regex(".+:assumed-role/aws:.+")
                .expect("a valid regex")
                .and(
                    field("eventSource")
                        .equals(["ssm.amazonaws.com"])
                        .or(field("eventName").equals(["RegisterManagedInstance"]))
                        .or(field("sourceIPAddress").equals(["AWS Internal"]))
                        .not(),
                ),
        ),
        Rule::new(
            "db014773-7375-4f4e-b83b-133337c0ffee",
            "AWS IAM S3Browser Templated S3 Bucket Policy Creation",
            field("eventSource")
                .equals(["iam.amazonaws.com"])
                .and(field("eventName").equals(["PutUserPolicy"]))
                .and(field("userAgent").contains(["S3 Browser"]))
                .and(field("requestParameters").glob([r#"*"arn:aws:s3:::<YOUR-BUCKET-NAME>/*"*"#]))
                .and(field("requestParameters").glob([r#"*"s3:GetObject"*"#]))
                .and(field("requestParameters").glob([r#"*"Allow"*"#])),
        ),
        Rule::new(
            "055fb148-60f8-462d-ad16-26926ce050f1",
            "AWS User Login Profile Was Modified",
            field("eventSource")
                .equals(["iam.amazonaws.com"])
                .and(field("eventName").equals(["UpdateLoginProfile"]))
                .and(
                    Condition::SameValue {
                        field: Field::parse("userIdentity.arn"),
                        other: Field::parse("requestParameters.userName"),
                        cased: false,
                    }
                    .not(),
                ),
        ),
    ]
}

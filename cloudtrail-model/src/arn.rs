//! [`Arn`]: Amazon Resource Names split into their parts.

use std::fmt;

/// An ARN, `arn:<partition>:<service>:<region>:<account>:<resource>`, borrowed from its text.
///
/// ```
/// use cloudtrail_model::Arn;
///
/// let arn = Arn::parse("arn:aws:sts::111122223333:assumed-role/Deployer/ci-run-42")?;
/// assert_eq!(arn.service, "sts");
/// assert_eq!(arn.account_id, "111122223333");
/// assert_eq!(arn.resource_type(), Some("assumed-role"));
/// assert_eq!(arn.resource_id(), "Deployer/ci-run-42");
/// # Ok::<(), cloudtrail_model::ArnError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: &'a str,
    /// The service namespace: `iam`, `sts`, `s3`, ...
    pub service: &'a str,
    /// The region; empty for global resources.
    pub region: &'a str,
    /// The account; empty for some resources (S3 buckets).
    pub account_id: &'a str,
    /// Everything after the fifth colon: `role/path/Name`, `bucket/key`, `function:name:alias`.
    pub resource: &'a str,
}

/// Why a text is not an ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArnError {
    /// The text does not start with `arn:`.
    #[error("not an ARN: {0:?} does not start with \"arn:\"")]
    MissingPrefix(String),
    /// The text has fewer than six colon-separated parts, or an empty partition, service or resource.
    #[error("not an ARN: {0:?} lacks a partition, service or resource")]
    MissingParts(String),
}

impl<'a> Arn<'a> {
    /// Splits an ARN into its parts.
    pub fn parse(text: &'a str) -> Result<Self, ArnError> {
        let rest = text
            .strip_prefix("arn:")
            .ok_or_else(|| ArnError::MissingPrefix(text.to_owned()))?;
        let mut parts = rest.splitn(5, ':');
        let missing = || ArnError::MissingParts(text.to_owned());
        let partition = parts.next().ok_or_else(missing)?;
        let service = parts.next().ok_or_else(missing)?;
        let region = parts.next().ok_or_else(missing)?;
        let account_id = parts.next().ok_or_else(missing)?;
        let resource = parts.next().ok_or_else(missing)?;
        if partition.is_empty() || service.is_empty() || resource.is_empty() {
            return Err(missing());
        }
        Ok(Arn {
            partition,
            service,
            region,
            account_id,
            resource,
        })
    }

    /// The resource type: the resource up to its first `/` or `:` (`role`, `assumed-role`, `function`),
    /// or `None` when the resource has no separator (an S3 bucket name).
    pub fn resource_type(&self) -> Option<&'a str> {
        let end = self.resource.find(['/', ':'])?;
        Some(&self.resource[..end])
    }

    /// The resource without its type: `Deployer/ci-run-42` for `assumed-role/Deployer/ci-run-42`.
    pub fn resource_id(&self) -> &'a str {
        match self.resource.find(['/', ':']) {
            Some(end) => &self.resource[end + 1..],
            None => self.resource,
        }
    }

    /// The last path segment of the resource: the name of a role, user or function.
    pub fn resource_name(&self) -> &'a str {
        let id = self.resource_id();
        id.rsplit(['/', ':']).next().unwrap_or(id)
    }
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account_id, self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_shape() {
        let role = Arn::parse("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123").unwrap();
        assert_eq!(role.resource_type(), Some("role"));
        assert_eq!(role.resource_name(), "AWSReservedSSO_Admin_0123");
        let bucket = Arn::parse("arn:aws:s3:::my-bucket").unwrap();
        assert_eq!(bucket.account_id, "");
        assert_eq!(bucket.resource_type(), None);
        assert_eq!(bucket.resource_name(), "my-bucket");
        let function =
            Arn::parse("arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f:$LATEST")
                .unwrap();
        assert_eq!(function.partition, "aws-us-gov");
        assert_eq!(function.resource_id(), "f:$LATEST");
        assert_eq!(
            function.to_string(),
            "arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f:$LATEST"
        );
    }

    #[test]
    fn rejects_non_arns() {
        assert!(matches!(Arn::parse(""), Err(ArnError::MissingPrefix(_))));
        assert!(matches!(
            Arn::parse("arn:aws:iam"),
            Err(ArnError::MissingParts(_))
        ));
        assert!(matches!(
            Arn::parse("arn:aws:iam::123:"),
            Err(ArnError::MissingParts(_))
        ));
    }
}

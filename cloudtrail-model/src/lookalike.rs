//! [`Lookalike`]: JSON that has CloudTrail's member names but is not CloudTrail.

use std::fmt;

use crate::event::Event;

/// A record-shaped object from another source (see [`Event::lookalike`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lookalike {
    /// An Amazon S3 Event Notification (`eventSource` `aws:s3`, `eventVersion` 2.x, an `s3` member).
    S3EventNotification,
    /// An Alibaba Cloud ActionTrail record (`eventVersion` `1`, `acsRegion` or `serviceName`, or an
    /// `*.aliyuncs.com` event source).
    AlibabaActionTrail,
}

impl Lookalike {
    /// The top-level members [`Event::lookalike`] reads: a projected read that is to tell lookalikes
    /// keeps them (see [`crate::Projection`]).
    pub const MEMBERS: &'static [&'static str] = &[
        "eventSource",
        "eventVersion",
        "s3",
        "acsRegion",
        "serviceName",
    ];
}

impl fmt::Display for Lookalike {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lookalike::S3EventNotification => {
                "an Amazon S3 Event Notification, not a CloudTrail record"
            }
            Lookalike::AlibabaActionTrail => {
                "an Alibaba Cloud ActionTrail record, not a CloudTrail record"
            }
        })
    }
}

impl Event<'_> {
    /// Says whether this object is a known lookalike rather than a CloudTrail record.
    ///
    /// Readers use this to reject such input with a clear error instead of delivering it as CloudTrail.
    /// It reads the members [`Lookalike::MEMBERS`] names.
    pub fn lookalike(&self) -> Option<Lookalike> {
        let has = |name: &str| self.other.iter().any(|(key, _)| key == name);
        let source = self.event_source().unwrap_or("");
        if source.starts_with("aws:")
            || (has("s3") && self.event_version().is_some_and(|(major, _)| major >= 2))
        {
            return Some(Lookalike::S3EventNotification);
        }
        if has("acsRegion") || has("serviceName") || source.ends_with(".aliyuncs.com") {
            return Some(Lookalike::AlibabaActionTrail);
        }
        None
    }
}

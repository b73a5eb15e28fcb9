//! [`SourceAddress`]: what `sourceIPAddress` holds, which is not always an IP address.

use std::net::IpAddr;

use crate::event::Event;

/// `sourceIPAddress` read for what it is (see [`Event::source_address`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceAddress<'r> {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// `AWS Internal` or `AWS Internal/<n>`: AWS acting on its own.
    AwsInternal,
    /// The host name of an AWS service calling on the principal's behalf (`ec2.amazonaws.com`).
    Service(&'r str),
    /// A comma-separated chain of addresses (`"81.2.69.142, 192.168.10.10"`); the first is the client.
    Chain {
        /// The first address of the chain.
        client: IpAddr,
        /// The whole text.
        text: &'r str,
    },
    /// Anything else, including the empty string and redactions.
    Other(&'r str),
}

impl<'r> SourceAddress<'r> {
    /// Reads a `sourceIPAddress` value.
    pub fn parse(text: &'r str) -> Self {
        if let Ok(ip) = text.parse::<IpAddr>() {
            return SourceAddress::Ip(ip);
        }
        if text.starts_with("AWS Internal") {
            return SourceAddress::AwsInternal;
        }
        if let Some((first, _)) = text.split_once(',')
            && let Ok(client) = first.trim().parse::<IpAddr>()
        {
            return SourceAddress::Chain { client, text };
        }
        if !text.contains(' ') && text.ends_with(".amazonaws.com") {
            return SourceAddress::Service(text);
        }
        SourceAddress::Other(text)
    }

    /// The client IP address, when there is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match *self {
            SourceAddress::Ip(ip) | SourceAddress::Chain { client: ip, .. } => Some(ip),
            _ => None,
        }
    }
}

impl Event<'_> {
    /// `sourceIPAddress` read for what it is: an IP address, `AWS Internal`, a service, a chain, or other.
    pub fn source_address(&self) -> Option<SourceAddress<'_>> {
        self.source_ip_address().map(SourceAddress::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_observed_form() {
        assert_eq!(
            SourceAddress::parse("192.0.2.1").ip(),
            Some([192, 0, 2, 1].into())
        );
        assert!(matches!(
            SourceAddress::parse("2001:db8::1"),
            SourceAddress::Ip(IpAddr::V6(_))
        ));
        assert_eq!(
            SourceAddress::parse("AWS Internal/2"),
            SourceAddress::AwsInternal
        );
        assert_eq!(
            SourceAddress::parse("ec2.amazonaws.com"),
            SourceAddress::Service("ec2.amazonaws.com")
        );
        assert_eq!(
            SourceAddress::parse("81.2.69.142, 192.168.10.10").ip(),
            Some([81, 2, 69, 142].into())
        );
        assert_eq!(
            SourceAddress::parse("redacted"),
            SourceAddress::Other("redacted")
        );
        assert_eq!(SourceAddress::parse(""), SourceAddress::Other(""));
    }
}

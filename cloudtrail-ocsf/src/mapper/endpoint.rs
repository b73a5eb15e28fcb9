//! `src_endpoint`: `sourceIPAddress` read for what it is, and the VPC endpoint.

use std::borrow::Cow;
use std::net::IpAddr;

use cloudtrail_model::SourceAddress;

use super::Mapping;
use crate::record::NetworkEndpoint;

impl<'a> Mapping<'_, 'a> {
    /// `src_endpoint`: an IP address as `ip`, anything else (`ecs.amazonaws.com`, `AWS Internal`) as
    /// `domain` and `svc_name`, the VPC endpoint as `uid`.
    pub(super) fn src_endpoint(
        &mut self,
        source: &'a Option<Cow<'a, str>>,
        vpc_endpoint_id: Option<&'a str>,
    ) -> Option<NetworkEndpoint<'a>> {
        let mut endpoint = NetworkEndpoint {
            uid: vpc_endpoint_id.map(Cow::Borrowed),
            ..NetworkEndpoint::default()
        };
        if let Some(text) = self.text(source, "sourceIPAddress") {
            match SourceAddress::parse(text) {
                SourceAddress::Ip(_) => {
                    endpoint.ip = Some(Cow::Borrowed(text));
                    self.observe("src_endpoint.ip", "IP Address", 2, text.to_owned());
                }
                SourceAddress::Chain { client, .. } => {
                    // The first address is the client; the whole chain stays in `unmapped`.
                    endpoint.ip = Some(Cow::Owned(client.to_string()));
                    self.observe("src_endpoint.ip", "IP Address", 2, client.to_string());
                    self.unmapped.add_text("sourceIPAddress", text);
                }
                _ => {
                    endpoint.domain = Some(Cow::Borrowed(text));
                    // `domain` alone does not satisfy the endpoint's `at_least_one`; the calling
                    // service is what `svc_name` names.
                    endpoint.svc_name = Some(Cow::Borrowed(text));
                    if is_host_name(text) {
                        self.observe("src_endpoint.domain", "Hostname", 1, text.to_owned());
                    }
                }
            }
        }
        (endpoint != NetworkEndpoint::default()).then_some(endpoint)
    }
}

/// Whether `text` is a DNS host name (`ecs.amazonaws.com`), as opposed to `AWS Internal` or free text.
fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.parse::<IpAddr>().is_err()
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert!(is_host_name("ecs.amazonaws.com"));
        assert!(!is_host_name("AWS Internal"));
        assert!(!is_host_name("192.0.2.1"));
        assert!(!is_host_name("-bad.example"));
    }
}

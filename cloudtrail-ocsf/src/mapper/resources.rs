//! `resources[]`: each CloudTrail resource's ARN, type and owning account.
//!
//! The ARN is kept whole as `uid` in every release: OCSF 1.1.0 defines `resource_uid_t` with a 64-character
//! limit but gives that type to no attribute (`resource_details.uid` is `string_t` there); from 1.5.0
//! `uid` is `resource_uid_t`, which by then has no limit.

use std::borrow::Cow;

use super::Mapping;
use crate::record::{Account, Owner, ResourceDetails};

impl<'a> Mapping<'_, 'a> {
    /// `resources[]`: ARN, type and owning account; other members stay unmapped as `resources[].<name>`.
    pub(super) fn resources(
        &mut self,
        resources: &'a [cloudtrail_model::Resource<'a>],
    ) -> Vec<ResourceDetails<'a>> {
        let mut details = Vec::with_capacity(resources.len());
        for resource in resources {
            let arn = self.part(resource.arn.as_deref(), "ARN");
            let resource_type = self.part(resource.resource_type.as_deref(), "type");
            let account = self.part(resource.account_id.as_deref(), "accountId");
            for (name, value) in &resource.other {
                self.serialized(&format!("resources[].{name}"), Some(value));
            }
            let mut entry = ResourceDetails {
                owner: account.map(|uid| Owner {
                    account: Account {
                        uid: Cow::Borrowed(uid),
                    },
                }),
                type_name: resource_type.map(Cow::Borrowed),
                ..ResourceDetails::default()
            };
            if let Some(arn) = arn {
                entry.uid = Some(Cow::Borrowed(arn));
                self.observe("resources.uid", "Resource UID", 10, arn.to_owned());
            }
            if entry.uid.is_none() && entry.name.is_none() {
                // A resource needs a name or uid: without an ARN its parts stay unmapped.
                if let Some(resource_type) = resource_type {
                    self.unmapped.add_text("resources[].type", resource_type);
                }
                if let Some(account) = account {
                    self.unmapped.add_text("resources[].accountId", account);
                }
                continue;
            }
            details.push(entry);
        }
        details
    }

    /// One member of a resource: placed unless empty or too long, else kept as `resources[].<key>`.
    fn part(&mut self, text: Option<&'a str>, key: &str) -> Option<&'a str> {
        let text = text?;
        if text.is_empty() || !self.fits(text) {
            self.unmapped.add_text(&format!("resources[].{key}"), text);
            return None;
        }
        Some(text)
    }
}

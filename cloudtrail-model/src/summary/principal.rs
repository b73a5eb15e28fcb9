//! [`PrincipalSummary`]: what one acting principal did.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::event::Event;
use crate::outcome::Outcome;
use crate::user_agent::{AiAssistant, Client, UserAgent};

use super::SummaryOptions;
use super::top::TopCounts;

/// What one acting principal ([`Event::acting_principal`]) did: when, how often, from where, with which
/// keys and clients, and how much of it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PrincipalSummary {
    /// The earliest event time seen.
    pub first_seen: Option<DateTime<Utc>>,
    /// The latest event time seen.
    pub last_seen: Option<DateTime<Utc>>,
    /// Records by this principal.
    pub events: u64,
    /// Calls refused by an access control ([`Outcome::Denied`]).
    pub denied: u64,
    /// Calls that failed for another reason ([`Outcome::Failure`]).
    pub failed: u64,
    /// Console sign-ins that used MFA (`additionalEventData.MFAUsed = Yes`).
    pub console_logins_with_mfa: u64,
    /// Console sign-ins without MFA.
    pub console_logins_without_mfa: u64,
    /// `eventSource` values.
    pub event_sources: TopCounts,
    /// `eventName` values.
    pub event_names: TopCounts,
    /// `eventName` values of the calls that were denied or failed.
    pub refused_event_names: TopCounts,
    /// `awsRegion` values.
    pub regions: TopCounts,
    /// `sourceIPAddress` values.
    pub source_addresses: TopCounts,
    /// User-agent families ([`user_agent_family`]).
    pub user_agents: TopCounts,
    /// `userIdentity.accessKeyId` values.
    pub access_keys: TopCounts,
    /// Accounts the principal acted in (`recipientAccountId`, else `userIdentity.accountId`).
    pub accounts: TopCounts,
}

impl PrincipalSummary {
    pub(super) fn new(options: &SummaryOptions) -> PrincipalSummary {
        let values = options.values_per_principal;
        PrincipalSummary {
            first_seen: None,
            last_seen: None,
            events: 0,
            denied: 0,
            failed: 0,
            console_logins_with_mfa: 0,
            console_logins_without_mfa: 0,
            event_sources: TopCounts::new(values),
            event_names: TopCounts::new(values),
            refused_event_names: TopCounts::new(values),
            regions: TopCounts::new(values),
            source_addresses: TopCounts::new(values),
            user_agents: TopCounts::new(values),
            access_keys: TopCounts::new(values),
            accounts: TopCounts::new(values),
        }
    }

    pub(super) fn add(&mut self, event: &Event<'_>, time: Option<DateTime<Utc>>, outcome: Outcome) {
        self.events += 1;
        if let Some(time) = time {
            self.first_seen = Some(self.first_seen.map_or(time, |first| first.min(time)));
            self.last_seen = Some(self.last_seen.map_or(time, |last| last.max(time)));
        }
        match outcome {
            Outcome::Denied => self.denied += 1,
            Outcome::Failure => self.failed += 1,
            Outcome::Success => {}
        }
        let name = event.event_name();
        if let Some(name) = name {
            self.event_names.add(name, 1);
            if outcome != Outcome::Success {
                self.refused_event_names.add(name, 1);
            }
        }
        if name == Some("ConsoleLogin") {
            let mfa = event
                .additional_event_data
                .as_ref()
                .and_then(|data| data.member_str("MFAUsed"));
            match mfa.as_deref() {
                Some("Yes") => self.console_logins_with_mfa += 1,
                Some(_) => self.console_logins_without_mfa += 1,
                None => {}
            }
        }
        add_some(&mut self.event_sources, event.event_source());
        add_some(&mut self.regions, event.aws_region());
        add_some(&mut self.source_addresses, event.source_ip_address());
        if let Some(agent) = event.user_agent() {
            self.user_agents.add(&user_agent_family(agent), 1);
        }
        let identity = event.user_identity.as_deref();
        add_some(
            &mut self.access_keys,
            identity.and_then(|i| i.access_key_id.as_deref()),
        );
        add_some(&mut self.accounts, event.account_id());
    }

    pub(super) fn merge(&mut self, other: &PrincipalSummary) {
        self.first_seen = earliest(self.first_seen, other.first_seen);
        self.last_seen = latest(self.last_seen, other.last_seen);
        self.events += other.events;
        self.denied += other.denied;
        self.failed += other.failed;
        self.console_logins_with_mfa += other.console_logins_with_mfa;
        self.console_logins_without_mfa += other.console_logins_without_mfa;
        self.event_sources.merge(&other.event_sources);
        self.event_names.merge(&other.event_names);
        self.refused_event_names.merge(&other.refused_event_names);
        self.regions.merge(&other.regions);
        self.source_addresses.merge(&other.source_addresses);
        self.user_agents.merge(&other.user_agents);
        self.access_keys.merge(&other.access_keys);
        self.accounts.merge(&other.accounts);
    }
}

pub(super) fn add_some(top: &mut TopCounts, value: Option<&str>) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        top.add(value, 1);
    }
}

pub(super) fn earliest(
    a: Option<DateTime<Utc>>,
    b: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(super) fn latest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// A user agent's family, coarse enough to compare calls: `aws-cli`, `sdk:<name>`, `powershell`,
/// `terraform`, `console`, `browser`, `aws-service:<host>`, `aws-internal` or `other`; prefixed with
/// `ai:<assistant> ` when an AI assistant's marker is present and suffixed with ` (<distribution>)`
/// when the agent names an offensive Linux distribution.
pub fn user_agent_family(text: &str) -> String {
    let agent = UserAgent::parse(text);
    let mut family = match agent.client {
        Client::AwsCli { .. } => "aws-cli".to_owned(),
        Client::Sdk { name } => format!("sdk:{name}"),
        Client::PowerShell => "powershell".to_owned(),
        Client::Terraform => "terraform".to_owned(),
        Client::Console => "console".to_owned(),
        Client::Browser => "browser".to_owned(),
        Client::AwsService { service } => format!("aws-service:{service}"),
        Client::AwsInternal => "aws-internal".to_owned(),
        _ => "other".to_owned(),
    };
    let assistant = match agent.ai_assistant {
        Some(AiAssistant::AmazonQCli { .. }) => Some("amazonq-cli"),
        Some(AiAssistant::AmazonQIde { .. }) => Some("amazonq-ide"),
        Some(AiAssistant::Kiro) => Some("kiro"),
        None => None,
    };
    if let Some(assistant) = assistant {
        family = format!("ai:{assistant} {family}");
    }
    if let Some(distribution) = agent.offensive_distribution {
        family = format!("{family} ({})", distribution.as_str());
    }
    family
}

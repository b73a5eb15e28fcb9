//! [`Outcome`]: whether a request succeeded, failed or was denied.

use std::fmt;

use crate::event::Event;

/// The outcome of a request (see [`Event::outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The request succeeded.
    Success,
    /// The request failed for a reason other than authorisation (including failed sign-ins).
    Failure,
    /// The request was refused by an access control (IAM, SCP, VPC endpoint or resource policy).
    Denied,
}

impl Outcome {
    /// `success`, `failure` or `denied`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error codes that mean an access control refused the request. Codes are compared ignoring case, and any
/// code containing `AccessDenied` or `Unauthorized` also counts (`Client.UnauthorizedOperation`,
/// `AccessDeniedException`, `VpceAccessDenied`).
const DENIED_CODES: &[&str] = &[
    "Forbidden",
    "AuthorizationError",
    "AuthFailure",
    "NotAuthorized",
];

impl Event<'_> {
    /// The outcome of the request:
    ///
    /// 1. an `errorCode` that names an authorisation refusal (`AccessDenied*`, `*Unauthorized*`,
    ///    `VpceAccessDenied`, `Forbidden`, `AuthFailure`, ...) is [`Outcome::Denied`]; any other
    ///    `errorCode` is [`Outcome::Failure`];
    /// 2. sign-in events report their result in `responseElements` (`{"ConsoleLogin":"Failure"}`) and
    ///    IAM Identity Center events in `serviceEventDetails` (`{"CredentialVerification":"Failure"}`),
    ///    with no `errorCode`: a member named after the event, or any member, whose value is `Failure`
    ///    is [`Outcome::Failure`];
    /// 3. an `errorMessage` without an `errorCode` is [`Outcome::Failure`];
    /// 4. otherwise [`Outcome::Success`].
    pub fn outcome(&self) -> Outcome {
        if let Some(code) = self.error_code() {
            return if is_denied_code(code) {
                Outcome::Denied
            } else {
                Outcome::Failure
            };
        }
        if self.reports_failure() {
            return Outcome::Failure;
        }
        if self.error_message().is_some() {
            return Outcome::Failure;
        }
        Outcome::Success
    }

    /// Looks for `"Failure"` in the small result objects of sign-in and service events. Only those event
    /// types are looked at, so API calls pay nothing for it.
    fn reports_failure(&self) -> bool {
        let signin = matches!(
            self.event_source(),
            Some("signin.amazonaws.com" | "sso.amazonaws.com" | "sso-oauth.amazonaws.com")
        );
        let service_event = matches!(
            self.event_type(),
            Some(crate::EventType::AwsServiceEvent | crate::EventType::AwsConsoleSignIn)
        );
        if !signin && !service_event {
            return false;
        }
        [&self.response_elements, &self.service_event_details]
            .into_iter()
            .flatten()
            .filter(|blob| blob.is_object())
            .any(|blob| {
                blob.parse::<std::collections::BTreeMap<std::borrow::Cow<'_, str>, serde_json::Value>>()
                    .map(|members| {
                        members.values().any(|value| {
                            value.as_str().is_some_and(|v| v.eq_ignore_ascii_case("Failure"))
                        })
                    })
                    .unwrap_or(false)
            })
    }
}

/// True when an error code names an authorisation refusal (see [`Event::outcome`]).
pub fn is_denied_code(code: &str) -> bool {
    let lower = code.to_ascii_lowercase();
    lower.contains("accessdenied")
        || lower.contains("unauthorized")
        || DENIED_CODES
            .iter()
            .any(|denied| lower == denied.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(json: &str) -> Outcome {
        Event::from_json(json).unwrap().outcome()
    }

    #[test]
    fn reads_error_codes() {
        assert_eq!(outcome(r#"{"errorCode":"AccessDenied"}"#), Outcome::Denied);
        assert_eq!(
            outcome(r#"{"errorCode":"Client.UnauthorizedOperation"}"#),
            Outcome::Denied
        );
        assert_eq!(
            outcome(r#"{"errorCode":"VpceAccessDenied"}"#),
            Outcome::Denied
        );
        assert_eq!(
            outcome(r#"{"errorCode":"ThrottlingException"}"#),
            Outcome::Failure
        );
        assert_eq!(outcome(r#"{"errorCode":"NoSuchBucket"}"#), Outcome::Failure);
        assert_eq!(outcome(r#"{"errorCode":""}"#), Outcome::Success);
        assert_eq!(outcome(r#"{}"#), Outcome::Success);
    }

    #[test]
    fn reads_sign_in_results_without_error_code() {
        let failed = r#"{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn",
            "responseElements":{"ConsoleLogin":"Failure"},"errorMessage":"Failed authentication"}"#;
        assert_eq!(outcome(failed), Outcome::Failure);
        let ok = r#"{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"}}"#;
        assert_eq!(outcome(ok), Outcome::Success);
        let idc = r#"{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","eventType":"AwsServiceEvent",
            "serviceEventDetails":{"CredentialVerification":"Failure"}}"#;
        assert_eq!(outcome(idc), Outcome::Failure);
    }
}

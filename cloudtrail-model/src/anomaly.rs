//! [`Anomaly`]: values that did not fit their modelled type, kept and reported instead of failing the record.

use std::fmt;

use crate::event::Event;
use crate::flag::Flag;
use crate::json::{JsonKind, RawJson};

/// One value in a record that does not fit the model (see [`Event::anomalies`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Where: a dotted path of JSON member names, e.g. `userIdentity.sessionContext.attributes.creationDate`.
    pub path: String,
    /// What.
    pub kind: AnomalyKind,
}

/// What was unusual about a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnomalyKind {
    /// The value's JSON type is not the modelled one; it is kept verbatim in the enclosing `other` list.
    UnexpectedType {
        /// What was found.
        found: JsonKind,
    },
    /// A time member whose text is not a time (`"redacted"`, `"..."`).
    UnreadableTime {
        /// The text.
        text: String,
    },
    /// A yes/no member whose text is neither `true` nor `false`.
    NotABoolean {
        /// The text.
        text: String,
    },
    /// A yes/no member written as the other JSON type than CloudTrail uses (`"True"` for `readOnly`,
    /// `true` for `mfaAuthenticated`), as exports do. It reads correctly.
    BooleanSpelling {
        /// The JSON type found.
        found: JsonKind,
    },
    /// An enumerated value spelt other than CloudTrail spells it (`AWSServiceEvent`); it reads as the
    /// known value.
    UnusualSpelling {
        /// The text.
        text: String,
    },
    /// A payload that should be an object (or `null`) is another JSON type, typically an object serialised
    /// into a string by an export.
    PayloadNotObject {
        /// What was found.
        found: JsonKind,
    },
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = &self.path;
        match &self.kind {
            AnomalyKind::UnexpectedType { found } => {
                write!(f, "{path}: unexpected {found}, kept as written")
            }
            AnomalyKind::UnreadableTime { text } => write!(f, "{path}: {text:?} is not a time"),
            AnomalyKind::NotABoolean { text } => write!(f, "{path}: {text:?} is not true or false"),
            AnomalyKind::BooleanSpelling { found } => {
                write!(f, "{path}: yes/no value written as a {found}")
            }
            AnomalyKind::UnusualSpelling { text } => write!(f, "{path}: unusual spelling {text:?}"),
            AnomalyKind::PayloadNotObject { found } => {
                write!(f, "{path}: payload is a {found}, not an object")
            }
        }
    }
}

/// Collects anomalies with their paths.
struct Collector(Vec<Anomaly>);

impl Collector {
    fn push(&mut self, prefix: &str, name: &str, kind: AnomalyKind) {
        let path = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        };
        self.0.push(Anomaly { path, kind });
    }

    fn unfit<'v>(
        &mut self,
        prefix: &str,
        members: impl Iterator<Item = (&'v str, &'v RawJson<'v>)>,
    ) {
        for (name, value) in members {
            self.push(
                prefix,
                name,
                AnomalyKind::UnexpectedType {
                    found: value.kind(),
                },
            );
        }
    }

    /// `canonical_string` says whether CloudTrail writes this flag as a string (else as a boolean).
    fn flag(&mut self, prefix: &str, name: &str, flag: Option<&Flag<'_>>, canonical_string: bool) {
        match flag {
            Some(Flag::Text(text)) if flag.and_then(Flag::value).is_none() => self.push(
                prefix,
                name,
                AnomalyKind::NotABoolean {
                    text: text.to_string(),
                },
            ),
            Some(Flag::Text(_)) if !canonical_string => self.push(
                prefix,
                name,
                AnomalyKind::BooleanSpelling {
                    found: JsonKind::String,
                },
            ),
            Some(Flag::Bool(_)) if canonical_string => self.push(
                prefix,
                name,
                AnomalyKind::BooleanSpelling {
                    found: JsonKind::Bool,
                },
            ),
            _ => {}
        }
    }

    fn time(&mut self, prefix: &str, name: &str, time: Option<&crate::Timestamp<'_>>) {
        if let Some(time) = time.filter(|t| t.utc().is_none()) {
            self.push(
                prefix,
                name,
                AnomalyKind::UnreadableTime {
                    text: time.as_str().to_owned(),
                },
            );
        }
    }

    fn spelling(
        &mut self,
        prefix: &str,
        name: &str,
        written: Option<&str>,
        reads_as: Option<&str>,
    ) {
        if let (Some(written), Some(reads_as)) = (written, reads_as) {
            // An unknown value reads as itself; only a known value spelt differently is unusual.
            if written != reads_as {
                self.push(
                    prefix,
                    name,
                    AnomalyKind::UnusualSpelling {
                        text: written.to_owned(),
                    },
                );
            }
        }
    }

    fn payload(&mut self, name: &str, payload: Option<&RawJson<'_>>) {
        if let Some(found) = payload
            .map(RawJson::kind)
            .filter(|kind| !matches!(kind, JsonKind::Object | JsonKind::Null))
        {
            self.push("", name, AnomalyKind::PayloadNotObject { found });
        }
    }
}

impl Event<'_> {
    /// Values in this record that do not fit the model, with where they are. Each one is kept (the record
    /// still serialises back to its input); this says which typed accessors will not see them.
    ///
    /// Computed on demand by walking the record: parsing pays nothing for it.
    ///
    /// ```
    /// use cloudtrail_model::{AnomalyKind, Event};
    ///
    /// let event = Event::from_json(r#"{"eventTime":"redacted","readOnly":"True","resources":null}"#)?;
    /// let found: Vec<String> = event.anomalies().iter().map(ToString::to_string).collect();
    /// assert_eq!(found, [
    ///     "resources: unexpected null, kept as written",
    ///     "eventTime: \"redacted\" is not a time",
    ///     "readOnly: yes/no value written as a string",
    /// ]);
    /// assert_eq!(event.read_only(), Some(true));
    /// # Ok::<(), cloudtrail_model::ParseError>(())
    /// ```
    pub fn anomalies(&self) -> Vec<Anomaly> {
        let mut c = Collector(Vec::new());
        c.unfit("", self.unfit_members());
        c.time("", "eventTime", self.event_time.as_ref());
        c.flag("", "readOnly", self.read_only.as_ref(), false);
        c.flag("", "managementEvent", self.management_event.as_ref(), false);
        c.flag(
            "",
            "sessionCredentialFromConsole",
            self.session_credential_from_console.as_ref(),
            true,
        );
        c.spelling(
            "",
            "eventType",
            self.event_type.as_ref().map(|t| t.as_str()),
            self.event_type().as_ref().map(|t| t.as_str()),
        );
        c.spelling(
            "",
            "eventCategory",
            self.event_category.as_ref().map(|t| t.as_str()),
            self.event_category().as_ref().map(|t| t.as_str()),
        );
        for (name, payload) in [
            ("requestParameters", &self.request_parameters),
            ("responseElements", &self.response_elements),
            ("additionalEventData", &self.additional_event_data),
            ("serviceEventDetails", &self.service_event_details),
        ] {
            c.payload(name, payload.as_ref());
        }
        if let Some(resources) = &self.resources {
            for (i, resource) in resources.iter().enumerate() {
                c.unfit(&format!("resources[{i}]"), resource.unfit_members());
            }
        }
        if let Some(tls) = &self.tls_details {
            c.unfit("tlsDetails", tls.unfit_members());
        }
        if let Some(addendum) = &self.addendum {
            c.unfit("addendum", addendum.unfit_members());
        }
        if let Some(window) = &self.time_window {
            c.unfit("timeWindow", window.unfit_members());
            c.time("timeWindow", "windowStart", window.window_start.as_ref());
            c.time("timeWindow", "windowEnd", window.window_end.as_ref());
        }
        if let Some(summary) = &self.summary {
            c.unfit("summary", summary.unfit_members());
        }
        if let Some(insight) = &self.insight_details {
            c.unfit("insightDetails", insight.unfit_members());
            if let Some(context) = &insight.insight_context {
                c.unfit("insightDetails.insightContext", context.unfit_members());
            }
        }
        if let Some(identity) = &self.user_identity {
            let p = "userIdentity";
            c.unfit(p, identity.unfit_members());
            c.spelling(
                p,
                "type",
                identity.identity_type.as_ref().map(|t| t.as_str()),
                identity.identity_type().as_ref().map(|t| t.as_str()),
            );
            if let Some(on_behalf_of) = &identity.on_behalf_of {
                let p = "userIdentity.onBehalfOf";
                c.unfit(p, on_behalf_of.unfit_members());
                c.spelling(
                    p,
                    "subjectType",
                    on_behalf_of.subject_type.as_ref().map(|t| t.as_str()),
                    on_behalf_of.subject_type().as_ref().map(|t| t.as_str()),
                );
            }
            if let Some(scope) = &identity.in_scope_of {
                c.unfit("userIdentity.inScopeOf", scope.unfit_members());
            }
            if let Some(session) = &identity.session_context {
                let p = "userIdentity.sessionContext";
                c.unfit(p, session.unfit_members());
                c.flag(p, "assumedRoot", session.assumed_root.as_ref(), true);
                if let Some(attributes) = &session.attributes {
                    let p = "userIdentity.sessionContext.attributes";
                    c.unfit(p, attributes.unfit_members());
                    c.time(p, "creationDate", attributes.creation_date.as_ref());
                    c.flag(
                        p,
                        "mfaAuthenticated",
                        attributes.mfa_authenticated.as_ref(),
                        true,
                    );
                }
                if let Some(issuer) = &session.session_issuer {
                    c.unfit(
                        "userIdentity.sessionContext.sessionIssuer",
                        issuer.unfit_members(),
                    );
                }
                if let Some(web) = &session.web_id_federation_data {
                    c.unfit(
                        "userIdentity.sessionContext.webIdFederationData",
                        web.unfit_members(),
                    );
                }
            }
        }
        c.0
    }
}

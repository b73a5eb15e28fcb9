//! [`Condition`]: the boolean expressions rules are made of, and the builder to write them in Rust.

use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::error::RuleError;
use crate::field::{EventView, Field};
use crate::ioc::{Indicator, IndicatorKind, IocSet};
use crate::matcher::{Comparison, Matcher, Network};

/// The most memory a rule's compiled regular expression may take (the `regex` crate's `size_limit`):
/// 1 MiB, a tenth of the crate's default. Rule files come from anywhere; a pattern such as
/// `(\w{100}){100}` compiles to far more and is refused with an error naming the rule.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The most memory one regular expression's lazy DFA cache may take while matching (`dfa_size_limit`),
/// per thread that matches: 1 MiB. Past it the matcher falls back to a slower engine, not to more memory.
pub const REGEX_DFA_SIZE_LIMIT: usize = 1 << 20;

/// How deeply a rule's regular expression may nest groups and repetitions (`nest_limit`; the crate's
/// default is 250).
pub const REGEX_NEST_LIMIT: u32 = 64;

/// One test: a field, a matcher, and whether text comparison keeps letter case.
#[derive(Debug, Clone)]
pub struct Test {
    /// What is read.
    pub field: Field,
    /// How it is tested.
    pub matcher: Matcher,
    /// Whether letter case matters.
    pub cased: bool,
    /// The matcher in words, made the first time a match is explained (explanations are built for
    /// every match, and a matcher of many values is long to format).
    description: OnceLock<Arc<str>>,
    /// The field's CloudTrail name, made the first time a match is explained.
    field_name: OnceLock<Arc<str>>,
    /// The explanation of the negated test (`not (eventName equals [...])`), made the first time a
    /// `not` of this test is explained.
    negated: OnceLock<Arc<str>>,
    /// For a case-insensitive `contains` of several strings, one automaton that finds any of them in a
    /// single pass over the value (rules test user agents for many markers on every record).
    searcher: OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl Test {
    /// A test of `field` with `matcher` (values already lower-cased unless `cased`).
    pub fn new(field: Field, matcher: Matcher, cased: bool) -> Test {
        Test {
            field,
            matcher,
            cased,
            description: OnceLock::new(),
            field_name: OnceLock::new(),
            negated: OnceLock::new(),
            searcher: OnceLock::new(),
        }
    }

    /// The matcher in words (`equals ["stoplogging"]`), as explanations give it.
    pub fn description(&self) -> &str {
        self.shared_description()
    }

    fn shared_description(&self) -> &Arc<str> {
        self.description
            .get_or_init(|| Arc::from(self.matcher.to_string()))
    }

    /// The field's CloudTrail name (`eventName`, `requestParameters.bucketName`), as explanations give it.
    pub fn field_name(&self) -> &str {
        self.shared_field_name()
    }

    fn shared_field_name(&self) -> &Arc<str> {
        self.field_name
            .get_or_init(|| Arc::from(self.field.to_string()))
    }

    /// Whether a value already in the patterns' case passes: the same answer as
    /// [`Matcher::test_prepared`], through one automaton for a `contains` of several strings.
    fn test_prepared(&self, value: &str) -> bool {
        if let Matcher::Contains(options) = &self.matcher
            && options.len() > 1
            && let Some(searcher) = self
                .searcher
                .get_or_init(|| aho_corasick::AhoCorasick::new(options).ok())
        {
            return searcher.is_match(value);
        }
        self.matcher.test_prepared(value)
    }

    /// The values the test looks at: every value for `exists`, only scalars for every other matcher (an
    /// object is not a string; see [`EventView::scalar_values`]).
    fn values<'v>(&self, view: &'v EventView<'_, '_>) -> Vec<std::borrow::Cow<'v, str>> {
        match self.matcher {
            Matcher::Exists => view.values(&self.field),
            _ => view.scalar_values(&self.field),
        }
    }
}

/// A boolean expression over a record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Condition {
    /// Every condition holds (true when empty).
    All(Vec<Condition>),
    /// At least one condition holds (false when empty).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
    /// A test on one field.
    Test(Test),
    /// Two fields hold an equal value (Sigma's `fieldref`).
    SameValue {
        /// The field tested.
        field: Field,
        /// The field it is compared with.
        other: Field,
        /// Whether letter case matters.
        cased: bool,
    },
    /// The record member of `kind` is on one of the indicator lists (see [`crate::ioc::indicator`]).
    Indicator {
        /// The lists.
        set: Arc<IocSet>,
        /// Which members are looked up.
        kind: IndicatorKind,
    },
}

/// Why a condition held: a test that passed and the value it saw.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Evidence {
    /// The field, as its CloudTrail name (shared with the rule: explaining a match does not copy it).
    #[serde(serialize_with = "serialize_text")]
    pub field: Arc<str>,
    /// The test, in words (`equals ["StopLogging"]`; shared with the rule like `field`).
    #[serde(serialize_with = "serialize_text")]
    pub test: Arc<str>,
    /// The value that passed (empty for negated tests, which hold because nothing matched).
    pub value: String,
    /// For a [`Condition::Indicator`], the indicator the value matched, with its list and line.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_indicator"
    )]
    pub indicator: Option<Arc<Indicator>>,
}

fn serialize_text<S: serde::Serializer>(text: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

fn serialize_indicator<S: serde::Serializer>(
    indicator: &Option<Arc<Indicator>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&indicator.as_deref(), serializer)
}

impl Evidence {
    /// Evidence that `test` on `field` held for `value` (`field` is empty for what a correlation counted).
    pub fn new(field: &str, test: &str, value: &str) -> Evidence {
        Evidence::shared(Arc::from(field), Arc::from(test), value)
    }

    /// Evidence whose field name and test text are shared (a rule's own, cloned without copying).
    pub fn shared(field: Arc<str>, test: Arc<str>, value: &str) -> Evidence {
        Evidence {
            field,
            test,
            value: value.to_owned(),
            indicator: None,
        }
    }

    /// The same evidence naming the indicator it matched.
    pub fn with_indicator(mut self, indicator: Arc<Indicator>) -> Evidence {
        self.indicator = Some(indicator);
        self
    }
}

/// Starts a test on a field: `field("eventName").equals(["StopLogging"])`.
pub fn field(name: &str) -> FieldTest {
    FieldTest {
        field: Field::parse(name),
        cased: false,
    }
}

/// Starts a test on a typed field: `on(Field::Outcome).equals(["denied"])`.
pub fn on(field: Field) -> FieldTest {
    FieldTest {
        field,
        cased: false,
    }
}

/// A field waiting for its matcher (see [`field`]).
#[derive(Debug, Clone)]
pub struct FieldTest {
    field: Field,
    cased: bool,
}

fn strings<I, S>(values: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    values.into_iter().map(Into::into).collect()
}

impl FieldTest {
    /// Compare letter case exactly (the default ignores ASCII case).
    pub fn cased(mut self) -> Self {
        self.cased = true;
        self
    }

    /// The test with this matcher.
    pub fn matches(self, matcher: Matcher) -> Condition {
        let matcher = if self.cased {
            matcher
        } else {
            matcher.lowered()
        };
        Condition::Test(Test::new(self.field, matcher, self.cased))
    }

    /// Equal to one of the values.
    pub fn equals<I: IntoIterator<Item = S>, S: Into<String>>(self, values: I) -> Condition {
        self.matches(Matcher::Equals(strings(values)))
    }

    /// Contains one of the values.
    pub fn contains<I: IntoIterator<Item = S>, S: Into<String>>(self, values: I) -> Condition {
        self.matches(Matcher::Contains(strings(values)))
    }

    /// Contains every one of the values.
    pub fn contains_all<I: IntoIterator<Item = S>, S: Into<String>>(self, values: I) -> Condition {
        self.matches(Matcher::ContainsAll(strings(values)))
    }

    /// Starts with one of the values.
    pub fn starts_with<I: IntoIterator<Item = S>, S: Into<String>>(self, values: I) -> Condition {
        self.matches(Matcher::StartsWith(strings(values)))
    }

    /// Ends with one of the values.
    pub fn ends_with<I: IntoIterator<Item = S>, S: Into<String>>(self, values: I) -> Condition {
        self.matches(Matcher::EndsWith(strings(values)))
    }

    /// Matches one of the glob patterns (`*`, `?`, `\` escapes).
    pub fn glob<I: IntoIterator<Item = S>, S: Into<String>>(self, patterns: I) -> Condition {
        self.matches(Matcher::Glob(strings(patterns)))
    }

    /// Matches the regular expression (case-insensitive unless [`FieldTest::cased`]).
    pub fn regex(self, pattern: &str) -> Result<Condition, RuleError> {
        let source = if self.cased {
            pattern.to_owned()
        } else {
            format!("(?i){pattern}")
        };
        let regex = regex::RegexBuilder::new(&source)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
            .nest_limit(REGEX_NEST_LIMIT)
            .build()
            .map_err(|error| RuleError::Regex {
                pattern: pattern.to_owned(),
                error,
            })?;
        // Case is handled by the regex itself; values are not lower-cased for it.
        Ok(Condition::Test(Test::new(
            self.field,
            Matcher::Regex(regex),
            true,
        )))
    }

    /// An IP address inside one of the networks.
    pub fn cidr<I: IntoIterator<Item = S>, S: AsRef<str>>(
        self,
        networks: I,
    ) -> Result<Condition, RuleError> {
        let networks = networks
            .into_iter()
            .map(|n| {
                Network::parse(n.as_ref()).ok_or_else(|| RuleError::Network(n.as_ref().to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.cased().matches(Matcher::Cidr(networks)))
    }

    /// The field has a value.
    pub fn exists(self) -> Condition {
        self.cased().matches(Matcher::Exists)
    }

    /// A number greater than the bound.
    pub fn greater_than(self, bound: f64) -> Condition {
        self.cased()
            .matches(Matcher::Number(Comparison::Greater, bound))
    }

    /// A number less than the bound.
    pub fn less_than(self, bound: f64) -> Condition {
        self.cased()
            .matches(Matcher::Number(Comparison::Less, bound))
    }

    /// A number compared with the bound.
    pub fn compare(self, comparison: Comparison, bound: f64) -> Condition {
        self.cased().matches(Matcher::Number(comparison, bound))
    }
}

impl Condition {
    /// Both conditions.
    pub fn and(self, other: Condition) -> Condition {
        match self {
            Condition::All(mut all) => {
                all.push(other);
                Condition::All(all)
            }
            first => Condition::All(vec![first, other]),
        }
    }

    /// Either condition.
    pub fn or(self, other: Condition) -> Condition {
        match self {
            Condition::Any(mut any) => {
                any.push(other);
                Condition::Any(any)
            }
            first => Condition::Any(vec![first, other]),
        }
    }

    /// The opposite condition.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Condition {
        Condition::Not(Box::new(self))
    }

    /// Whether the condition holds for a record.
    pub fn holds(&self, view: &EventView<'_, '_>) -> bool {
        match self {
            Condition::All(all) => all.iter().all(|c| c.holds(view)),
            Condition::Any(any) => any.iter().any(|c| c.holds(view)),
            Condition::Not(inner) => !inner.holds(view),
            Condition::Test(test) => {
                if !test.cased
                    && test.matcher.lowers_value()
                    && let Some(value) = view.lowered(&test.field)
                {
                    return value.is_some_and(|value| test.test_prepared(value));
                }
                view.any_value(
                    &test.field,
                    matches!(test.matcher, Matcher::Exists),
                    |value| test.matcher.test(value, test.cased),
                )
            }
            Condition::SameValue { .. } => self.same_value(view).is_some(),
            Condition::Indicator { set, kind } => set.find(*kind, view.event()).is_some(),
        }
    }

    /// For [`Condition::SameValue`], the value both fields hold.
    fn same_value(&self, view: &EventView<'_, '_>) -> Option<String> {
        let Condition::SameValue {
            field,
            other,
            cased,
        } = self
        else {
            return None;
        };
        let others = view.scalar_values(other);
        view.scalar_values(field)
            .iter()
            .find(|value| {
                others.iter().any(|o| {
                    if *cased {
                        o == *value
                    } else {
                        o.eq_ignore_ascii_case(value)
                    }
                })
            })
            .map(|value| value.to_string())
    }

    /// Whether the condition holds, adding the tests that made it hold to `evidence`.
    pub fn explain(&self, view: &EventView<'_, '_>, evidence: &mut Vec<Evidence>) -> bool {
        match self {
            Condition::All(all) => {
                let mark = evidence.len();
                let holds = all.iter().all(|c| c.explain(view, evidence));
                if !holds {
                    evidence.truncate(mark);
                }
                holds
            }
            Condition::Any(any) => any.iter().any(|c| {
                let mark = evidence.len();
                let holds = c.explain(view, evidence);
                if !holds {
                    evidence.truncate(mark);
                }
                holds
            }),
            Condition::Not(inner) => {
                let mut ignored = Vec::new();
                let holds = !inner.explain(view, &mut ignored);
                if holds {
                    match inner.as_ref() {
                        Condition::Test(test) => {
                            let text = test
                                .negated
                                .get_or_init(|| Arc::from(format!("not ({inner})")));
                            evidence.push(Evidence::shared(Arc::from(""), Arc::clone(text), ""));
                        }
                        _ => evidence.push(Evidence::new("", &format!("not ({inner})"), "")),
                    }
                }
                holds
            }
            Condition::Test(test) => {
                let values = test.values(view);
                match values
                    .iter()
                    .find(|value| test.matcher.test(value, test.cased))
                {
                    Some(value) => {
                        evidence.push(Evidence::shared(
                            Arc::clone(test.shared_field_name()),
                            Arc::clone(test.shared_description()),
                            value,
                        ));
                        true
                    }
                    None => false,
                }
            }
            Condition::SameValue { field, other, .. } => match self.same_value(view) {
                Some(value) => {
                    evidence.push(Evidence::new(
                        &field.to_string(),
                        &format!("equals the value of {other}"),
                        &value,
                    ));
                    true
                }
                None => false,
            },
            Condition::Indicator { set, kind } => match set.find(*kind, view.event()) {
                Some(hit) => {
                    let indicator = hit.indicator;
                    let test = format!(
                        "on indicator list {} line {}: {} {}",
                        indicator.list, indicator.line, indicator.kind, indicator.value
                    );
                    evidence.push(
                        Evidence::new(hit.field, &test, hit.value)
                            .with_indicator(Arc::clone(indicator)),
                    );
                    true
                }
                None => false,
            },
        }
    }

    /// The event names (lower-cased) a record must have for the condition to hold, when the condition says
    /// so; `None` when any event name could do. The engine indexes rules by these.
    pub fn event_names(&self) -> Option<Vec<String>> {
        match self {
            Condition::Test(Test {
                field: Field::EventName,
                matcher: Matcher::Equals(names),
                cased,
                ..
            }) => Some(
                names
                    .iter()
                    .map(|n| {
                        if *cased {
                            n.to_ascii_lowercase()
                        } else {
                            n.clone()
                        }
                    })
                    .collect(),
            ),
            Condition::All(all) => all.iter().find_map(Condition::event_names),
            Condition::Any(any) => {
                let mut names = Vec::new();
                for condition in any {
                    names.extend(condition.event_names()?);
                }
                Some(names)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, items: &[Condition], word: &str| {
            f.write_str("(")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                write!(f, "{item}")?;
            }
            f.write_str(")")
        };
        match self {
            Condition::All(all) => join(f, all, "and"),
            Condition::Any(any) => join(f, any, "or"),
            Condition::Not(inner) => write!(f, "not {inner}"),
            Condition::Test(test) => write!(f, "{} {}", test.field, test.description()),
            Condition::SameValue { field, other, .. } => write!(f, "{field} equals {other}"),
            Condition::Indicator { set, kind } => {
                write!(f, "{kind} on an indicator list ({} loaded)", set.len())
            }
        }
    }
}

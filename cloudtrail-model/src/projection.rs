//! [`Projection`]: reading only the members of a record that a consumer uses.

use std::fmt;
use std::sync::Arc;

use serde::Deserializer;
use serde::de::DeserializeSeed;

use crate::error::ParseError;
use crate::event::Event;
use crate::skip::MemberFilter;

// One bit per modelled member.
const _: () = assert!(Event::FIELDS.len() <= 64);

/// The top-level members of a record that a read keeps: the others are read past, not built.
///
/// A consumer that reads a few members of every record (a count by identity type, a rule set that tests
/// `eventName` and `userIdentity.arn`) names them, and a projected read ([`Event::from_json_projected`],
/// [`ProjectedEvent`], and the reader's `ReaderOptions::with_projection`) parses those and skips the rest
/// of the record. The skip still reads every byte with the checks the whole parse makes: a projected read
/// fails exactly where the whole parse fails, with the same error, and a record it accepts is one the
/// whole parse accepts.
///
/// The record read is an ordinary [`Event`] whose members outside the projection are `None` (and whose
/// [`Event::other`] holds only the unknown members named, and modelled members named whose value did not
/// fit). It says so: [`Event::projection`] is `Some`, [`Event::is_whole`] is false, and serialising it is
/// an error, so that it cannot be written out as if it were the record.
///
/// Members are named as in the JSON, by path: `eventName`, `userIdentity`, or `userIdentity.arn` and
/// `requestParameters.bucketName[0]` (a path keeps its whole top-level member, the part before the first
/// `.` or `[`). A name the model does not know (`p_log_type`) keeps that unknown member in
/// [`Event::other`]; [`Projection::with_member`] takes a name as it is, for unknown members whose name
/// holds a `.`.
///
/// ```
/// use cloudtrail_model::{Event, Projection};
///
/// let json = r#"{"eventName":"CreateUser","userIdentity":{"type":"IAMUser"},"requestParameters":{"userName":"x"}}"#;
/// let projection = Projection::of(["eventName", "userIdentity.type"]);
/// let event = Event::from_json_projected(json, &projection)?;
///
/// assert_eq!(event.event_name(), Some("CreateUser"));
/// assert!(event.user_identity.is_some());
/// assert!(event.request_parameters.is_none(), "not asked for");
/// assert!(!event.is_whole());
/// assert!(serde_json::to_string(&event).is_err(), "a projected record is not written out");
///
/// // Damage in a member that was skipped is still found, where the whole parse finds it.
/// let damaged = r#"{"eventName":"CreateUser","requestParameters":{"userName":x}}"#;
/// let error = Event::from_json_projected(damaged, &projection).unwrap_err();
/// assert_eq!(error.offset(), Event::from_json(damaged).unwrap_err().offset());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Projection {
    /// Bit `i` keeps `Event::FIELDS[i]`.
    modelled: u64,
    /// Unknown member names kept, sorted and without repeats; shared, so that keeping a projected
    /// record ([`Event::into_owned`]) does not copy them.
    other: Arc<[Box<str>]>,
}

impl Projection {
    /// A projection that keeps no member: a read under it only checks that each record is a JSON object.
    pub fn new() -> Self {
        Projection::default()
    }

    /// A projection that keeps the top-level members named by `paths` (see [`Projection::with`]).
    pub fn of<I, S>(paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        paths
            .into_iter()
            .fold(Projection::new(), |projection, path| {
                projection.with(path.as_ref())
            })
    }

    /// Adds the top-level member a path names: the part of `path` before its first `.` or `[`
    /// (`userIdentity.sessionContext.sessionIssuer.arn` keeps `userIdentity`).
    pub fn with(self, path: &str) -> Self {
        let end = path.find(['.', '[']).unwrap_or(path.len());
        self.with_member(&path[..end])
    }

    /// Adds the top-level member of exactly this name.
    pub fn with_member(mut self, name: &str) -> Self {
        match Event::FIELDS.iter().position(|field| *field == name) {
            Some(index) => self.modelled |= 1 << index,
            None => {
                if let Err(at) = self.other.binary_search_by(|kept| kept.as_ref().cmp(name)) {
                    let mut other = self.other.to_vec();
                    other.insert(at, name.into());
                    self.other = other.into();
                }
            }
        }
        self
    }

    /// The members either projection keeps.
    pub fn union(mut self, other: &Projection) -> Self {
        self.modelled |= other.modelled;
        for name in other.other.iter() {
            self = self.with_member(name);
        }
        self
    }

    /// Whether the top-level member a path names (as [`Projection::with`] reads it) is kept.
    pub fn contains(&self, path: &str) -> bool {
        let end = path.find(['.', '[']).unwrap_or(path.len());
        self.contains_member(&path[..end])
    }

    /// Whether the top-level member of exactly this name is kept.
    pub fn contains_member(&self, name: &str) -> bool {
        match Event::FIELDS.iter().position(|field| *field == name) {
            Some(index) => self.modelled >> index & 1 == 1,
            None => self.keeps_other(name),
        }
    }

    /// The names of the members kept: modelled ones in [`Event::FIELDS`] order, then the others sorted.
    pub fn members(&self) -> impl Iterator<Item = &str> + '_ {
        Event::FIELDS
            .iter()
            .enumerate()
            .filter(|(index, _)| self.modelled >> index & 1 == 1)
            .map(|(_, name)| *name)
            .chain(self.other.iter().map(AsRef::as_ref))
    }

    /// The number of members kept.
    pub fn len(&self) -> usize {
        self.modelled.count_ones() as usize + self.other.len()
    }

    /// Whether no member is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn keeps_other(&self, name: &str) -> bool {
        // Few names, usually none: a scan beats a search.
        self.other.iter().any(|kept| kept.as_ref() == name)
    }
}

impl fmt::Debug for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.members()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Projection {
    fn from_iter<I: IntoIterator<Item = S>>(paths: I) -> Self {
        Projection::of(paths)
    }
}

impl MemberFilter for Projection {
    #[inline]
    fn modelled(&self, field: usize) -> bool {
        self.modelled >> field & 1 == 1
    }

    #[inline]
    fn other(&self, key: &str) -> bool {
        !self.other.is_empty() && self.keeps_other(key)
    }
}

/// The error a projected record gives when serialised: it is not the whole record.
pub(crate) struct RefusedSerialisation<'p>(pub(crate) &'p Projection);

impl fmt::Display for RefusedSerialisation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a projected record holds only the members {:?}: serialising it would not give the record",
            self.0
        )
    }
}

/// Reads one record under a [`Projection`], as a `serde` seed: `ProjectedEvent(&projection)
/// .deserialize(&mut deserializer)` is what `Event::deserialize(&mut deserializer)` is for a whole
/// record, for use inside your own `serde` visitors (a stream of records, an envelope).
///
/// ```
/// use cloudtrail_model::{Event, ProjectedEvent, Projection};
/// use serde::de::DeserializeSeed;
///
/// let projection = Projection::of(["eventSource"]);
/// let mut deserializer = serde_json::Deserializer::from_str(r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#);
/// let event: Event<'_> = ProjectedEvent(&projection).deserialize(&mut deserializer)?;
/// assert_eq!(event.event_source(), Some("s3.amazonaws.com"));
/// assert_eq!(event.event_name(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ProjectedEvent<'p>(pub &'p Projection);

impl<'de: 'p, 'p> DeserializeSeed<'de> for ProjectedEvent<'p> {
    type Value = Event<'p>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Event<'p>, D::Error> {
        Event::read_projected(deserializer, self.0)
    }
}

impl<'a> Event<'a> {
    /// Parses one record from JSON text under a projection: the members it keeps are parsed as
    /// [`Event::from_json`] parses them, the others are read past and left `None`.
    ///
    /// Fails exactly when [`Event::from_json`] fails, with the same error; see [`Projection`].
    pub fn from_json_projected(
        text: &'a str,
        projection: &'a Projection,
    ) -> Result<Self, ParseError> {
        crate::event::parse_with(text, |deserializer| {
            Event::read_projected(deserializer, projection)
        })
    }

    /// [`Event::from_slice`] under a projection (see [`Event::from_json_projected`]).
    pub fn from_slice_projected(
        bytes: &'a [u8],
        projection: &'a Projection,
    ) -> Result<Self, ParseError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::from_json_projected(text, projection),
            Err(error) => Err(ParseError::Utf8 {
                offset: error.valid_up_to(),
            }),
        }
    }

    /// The projection the record was read under, `None` for a whole record. The members it does not
    /// keep are absent from the record whatever the input held.
    pub fn projection(&self) -> Option<&Projection> {
        self.projection.as_deref()
    }

    /// Whether the record was read whole (not under a [`Projection`]): only then does serialising it
    /// give back its input.
    pub fn is_whole(&self) -> bool {
        self.projection.is_none()
    }

    /// Whether the record holds its member of this name as the input had it: always for a whole
    /// record, and for a projected one when its projection keeps the member (which may still be
    /// absent from the input).
    pub fn holds(&self, path: &str) -> bool {
        self.projection()
            .is_none_or(|projection| projection.contains(path))
    }
}

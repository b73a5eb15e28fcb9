//! The JSON building blocks every record type is made of: raw JSON kept verbatim ([`RawJson`]),
//! members the model does not know ([`Members`]), and the lenient single-pass deserialisation that keeps a
//! value which does not fit its modelled type instead of failing the record.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::skip::{Checked, SkipItems};

/// A JSON value kept exactly as it was written: the open-ended blobs (`requestParameters`,
/// `responseElements`, ...) and every member the model does not know.
///
/// A parsed record borrows the text from its input; [`RawJson::into_owned`] copies it for keeping.
/// Parsing into a [`serde_json::Value`] or a type of your own happens only when you ask
/// ([`RawJson::to_value`], [`RawJson::parse`]), so records you filter out cost nothing.
#[derive(Clone)]
pub struct RawJson<'a>(Cow<'a, RawValue>);

impl<'a> RawJson<'a> {
    /// The JSON text, exactly as it appeared in the input.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// Wraps JSON text, checking that it is one valid JSON value.
    pub fn from_string(json: String) -> Result<RawJson<'static>, serde_json::Error> {
        RawValue::from_string(json).map(|raw| RawJson(Cow::Owned(raw)))
    }

    /// Serialises a [`Value`] into raw JSON text.
    pub fn from_value(value: &Value) -> RawJson<'static> {
        match serde_json::value::to_raw_value(value) {
            Ok(raw) => RawJson(Cow::Owned(raw)),
            // Serialising a `Value` cannot fail: its keys are strings and its numbers finite.
            Err(_) => unreachable!("a serde_json::Value always serialises"),
        }
    }

    /// The JSON literal `null`.
    pub fn null() -> RawJson<'static> {
        RawJson(Cow::Owned(null_raw()))
    }

    /// True for the literal `null`.
    pub fn is_null(&self) -> bool {
        self.get() == "null"
    }

    /// True when the value is a JSON object.
    pub fn is_object(&self) -> bool {
        self.get().starts_with('{')
    }

    /// True when the value is a JSON string.
    pub fn is_string(&self) -> bool {
        self.get().starts_with('"')
    }

    /// The kind of JSON value this is, from its first character.
    pub fn kind(&self) -> JsonKind {
        match self.get().as_bytes().first() {
            Some(b'{') => JsonKind::Object,
            Some(b'[') => JsonKind::Array,
            Some(b'"') => JsonKind::String,
            Some(b't' | b'f') => JsonKind::Bool,
            Some(b'n') => JsonKind::Null,
            _ => JsonKind::Number,
        }
    }

    /// Parses the value into a [`serde_json::Value`].
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.get())
    }

    /// Parses the value into any type that can borrow from it.
    pub fn parse<'s, T: Deserialize<'s>>(&'s self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.get())
    }

    /// The value of one member when this is an object, found without building the whole object.
    ///
    /// Returns `None` when this is not an object, the member is absent, or the text is malformed.
    pub fn member(&self, name: &str) -> Option<&RawValue> {
        if !self.is_object() {
            return None;
        }
        let members: Vec<(Cow<'_, str>, &RawValue)> =
            serde_json::from_str::<MemberList<'_>>(self.get()).ok()?.0;
        members
            .into_iter()
            .rev()
            .find_map(|(key, value)| (key == name).then_some(value))
    }

    /// The string value of one member when this is an object and that member is a string.
    pub fn member_str(&self, name: &str) -> Option<Cow<'_, str>> {
        let raw = self.member(name)?;
        serde_json::from_str::<Cow<'_, str>>(raw.get()).ok()
    }

    /// Copies borrowed text so the value outlives its input.
    pub fn into_owned(self) -> RawJson<'static> {
        match self.0 {
            Cow::Borrowed(raw) => RawJson(Cow::Owned(raw.to_owned())),
            Cow::Owned(raw) => RawJson(Cow::Owned(raw)),
        }
    }
}

fn null_raw() -> Box<RawValue> {
    match RawValue::from_string("null".to_owned()) {
        Ok(raw) => raw,
        Err(_) => unreachable!("`null` is valid JSON"),
    }
}

/// The kind of a JSON value, as [`RawJson::kind`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonKind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonKind::Object => "object",
            JsonKind::Array => "array",
            JsonKind::String => "string",
            JsonKind::Number => "number",
            JsonKind::Bool => "boolean",
            JsonKind::Null => "null",
        })
    }
}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson").field(&self.get()).finish()
    }
}

impl fmt::Display for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl PartialEq for RawJson<'_> {
    /// Two raw values are equal when they are the same JSON value, whatever their spacing or member order.
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
            || matches!((self.to_value(), other.to_value()), (Ok(a), Ok(b)) if a == b)
    }
}

impl Serialize for RawJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawJson<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(deserializer).map(|raw| RawJson(Cow::Borrowed(raw)))
    }
}

/// Members of an object as (key, raw value) pairs, in input order; used to look up one member cheaply.
struct MemberList<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for MemberList<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = MemberList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value::<&RawValue>()?));
                }
                Ok(MemberList(members))
            }
        }
        deserializer.deserialize_map(ListVisitor)
    }
}

/// The members of an object that the model does not know, or whose value did not fit the modelled type,
/// kept verbatim and in input order so that serialising the record gives back the input.
pub type Members<'a> = Vec<(Cow<'a, str>, RawJson<'a>)>;

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(CowStrVisitor).map(Key)
    }
}

/// Deserialises a string as `Cow`, borrowing when the input allows it.
pub(crate) struct CowStrVisitor;

impl<'de> Visitor<'de> for CowStrVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// The outcome of reading one member leniently: the modelled type, or the value as it was.
pub(crate) enum Fit<T> {
    Typed(T),
    Raw(Value),
}

/// A type that can be read from whichever JSON value appears, saying when the value does not fit.
///
/// Each method receives one kind of JSON value; the defaults say "does not fit", and the value is then
/// kept raw by the caller. Implementations only override the kinds they accept.
pub(crate) trait Lenient<'de>: Sized {
    fn from_str(v: Cow<'de, str>) -> Result<Self, Cow<'de, str>> {
        Err(v)
    }
    fn from_bool(_v: bool) -> Option<Self> {
        None
    }
    fn from_number(_v: serde_json::Number) -> Option<Self> {
        None
    }
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Fit<Self>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Fit::Raw)
    }
    fn from_seq<A: SeqAccess<'de>>(seq: A) -> Result<Fit<Self>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Fit::Raw)
    }
    /// Reads past one value of this type without keeping it, with the checks its parse makes (see
    /// [`crate::skip::Skip`]). The default is for types whose parse builds a `Value` of anything but a
    /// string, number or boolean: every string and number is checked as a `Value` checks it.
    fn skip<D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(Checked)
    }
}

/// A raw member always fits: it is whatever JSON value appears, kept as text.
impl<'de: 'a, 'a> Deserialize<'de> for Fit<RawJson<'a>> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawJson::deserialize(deserializer).map(Fit::Typed)
    }
}

impl<'de, T: Lenient<'de>> Deserialize<'de> for Fit<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FitVisitor(PhantomData))
    }
}

struct FitVisitor<T>(PhantomData<T>);

impl<T> FitVisitor<T> {
    fn string<'de>(v: Cow<'de, str>) -> Fit<T>
    where
        T: Lenient<'de>,
    {
        match T::from_str(v) {
            Ok(t) => Fit::Typed(t),
            Err(v) => Fit::Raw(Value::String(v.into_owned())),
        }
    }

    fn number<'de>(n: serde_json::Number) -> Fit<T>
    where
        T: Lenient<'de>,
    {
        match T::from_number(n.clone()) {
            Some(t) => Fit::Typed(t),
            None => Fit::Raw(Value::Number(n)),
        }
    }
}

impl<'de, T: Lenient<'de>> Visitor<'de> for FitVisitor<T> {
    type Value = Fit<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Self::string(Cow::Borrowed(v)))
    }
    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Self::string(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Self::string(Cow::Owned(v)))
    }
    fn visit_bool<E: ::serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(T::from_bool(v).map_or(Fit::Raw(Value::Bool(v)), Fit::Typed))
    }
    fn visit_i64<E: ::serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Self::number(v.into()))
    }
    fn visit_u64<E: ::serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Self::number(v.into()))
    }
    fn visit_f64<E: ::serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        match serde_json::Number::from_f64(v) {
            Some(n) => Ok(Self::number(n)),
            None => Err(E::custom("non-finite number")),
        }
    }
    fn visit_unit<E: ::serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Fit::Raw(Value::Null))
    }
    fn visit_none<E: ::serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Fit::Raw(Value::Null))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::from_map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::from_seq(seq)
    }
}

impl<'de: 'a, 'a> Lenient<'de> for Cow<'a, str> {
    fn from_str(v: Cow<'de, str>) -> Result<Self, Cow<'de, str>> {
        Ok(v)
    }
}

impl<'de> Lenient<'de> for serde_json::Number {
    fn from_number(v: serde_json::Number) -> Option<Self> {
        Some(v)
    }
}

impl<'de, T: Lenient<'de> + Serialize> Lenient<'de> for Vec<T> {
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Fit<Self>, A::Error> {
        let mut typed = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        let mut raw: Option<Vec<Value>> = None;
        while let Some(item) = seq.next_element::<Fit<T>>()? {
            match (item, raw.as_mut()) {
                (Fit::Typed(t), None) => typed.push(t),
                (Fit::Typed(t), Some(values)) => values.push(to_value::<T, A::Error>(&t)?),
                (Fit::Raw(v), None) => {
                    // One item does not fit: keep the whole array as it was, items already read included.
                    let mut values = typed
                        .drain(..)
                        .map(|t| to_value::<T, A::Error>(&t))
                        .collect::<Result<Vec<_>, _>>()?;
                    values.push(v);
                    raw = Some(values);
                }
                (Fit::Raw(v), Some(values)) => values.push(v),
            }
        }
        Ok(match raw {
            Some(values) => Fit::Raw(Value::Array(values)),
            None => Fit::Typed(typed),
        })
    }
    fn skip<D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(SkipItems::<T>::new())
    }
}

fn to_value<T: Serialize, E: de::Error>(t: &T) -> Result<Value, E> {
    serde_json::to_value(t).map_err(E::custom)
}

/// Turns a value borrowed from its input into one that owns its data.
pub trait IntoOwned {
    /// The owning form, usually the same type with the `'static` lifetime.
    type Output;
    /// Copies whatever is borrowed.
    fn into_owned(self) -> Self::Output;
}

impl IntoOwned for Cow<'_, str> {
    type Output = Cow<'static, str>;
    fn into_owned(self) -> Self::Output {
        Cow::Owned(Cow::into_owned(self))
    }
}

impl IntoOwned for RawJson<'_> {
    type Output = RawJson<'static>;
    fn into_owned(self) -> Self::Output {
        RawJson::into_owned(self)
    }
}

impl IntoOwned for serde_json::Number {
    type Output = serde_json::Number;
    fn into_owned(self) -> Self::Output {
        self
    }
}

impl<T: IntoOwned> IntoOwned for Box<T> {
    type Output = Box<T::Output>;
    fn into_owned(self) -> Self::Output {
        Box::new((*self).into_owned())
    }
}

/// Rare, large members are boxed to keep the record small to move.
impl<'de, T: Lenient<'de>> Lenient<'de> for Box<T> {
    fn from_str(v: Cow<'de, str>) -> Result<Self, Cow<'de, str>> {
        T::from_str(v).map(Box::new)
    }
    fn from_bool(v: bool) -> Option<Self> {
        T::from_bool(v).map(Box::new)
    }
    fn from_number(v: serde_json::Number) -> Option<Self> {
        T::from_number(v).map(Box::new)
    }
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Fit<Self>, A::Error> {
        Ok(match T::from_map(map)? {
            Fit::Typed(t) => Fit::Typed(Box::new(t)),
            Fit::Raw(v) => Fit::Raw(v),
        })
    }
    fn from_seq<A: SeqAccess<'de>>(seq: A) -> Result<Fit<Self>, A::Error> {
        Ok(match T::from_seq(seq)? {
            Fit::Typed(t) => Fit::Typed(Box::new(t)),
            Fit::Raw(v) => Fit::Raw(v),
        })
    }
    fn skip<D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
        T::skip(deserializer)
    }
}

impl<T: IntoOwned> IntoOwned for Vec<T> {
    type Output = Vec<T::Output>;
    fn into_owned(self) -> Self::Output {
        self.into_iter().map(IntoOwned::into_owned).collect()
    }
}

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Output = Option<T::Output>;
    fn into_owned(self) -> Self::Output {
        self.map(IntoOwned::into_owned)
    }
}

pub(crate) fn members_into_owned(members: Members<'_>) -> Members<'static> {
    members
        .into_iter()
        .map(|(key, value)| (IntoOwned::into_owned(key), value.into_owned()))
        .collect()
}

/// How an object's duplicated keys are resolved while it is read, in time linear in its size.
///
/// The rule is serde_json's (`serde_json::Value` keeps the last of duplicated keys), so that a record
/// still serialises to a value equal to its input:
///
/// - a **modelled** member given twice keeps its last value, typed or not: an earlier value that did
///   not fit its type and went to `other` is dropped from `other`;
/// - an **unknown** member given twice is kept twice in `other`, in input order, and written back twice;
///   whoever reads the output takes the last, as they would have from the input.
///
/// Dropping an earlier unfit value does not search `other` (that made a record of `n` duplicated keys
/// cost `n²` comparisons): the tracker remembers where each modelled member's unfit value sits, marks
/// superseded ones, and removes them all in one pass when the object ends. Nothing is allocated unless
/// a modelled member fails to fit.
pub(crate) struct Duplicates<const N: usize> {
    /// Per modelled member, the index in `other` of its current unfit value; allocated on first use.
    unfit_at: Option<Box<[Option<usize>; N]>>,
    /// Indices in `other` of values a later occurrence superseded.
    superseded: Vec<usize>,
}

impl<const N: usize> Duplicates<N> {
    pub(crate) fn new() -> Self {
        Duplicates {
            unfit_at: None,
            superseded: Vec::new(),
        }
    }

    /// Member `field` got a typed value: an earlier unfit value of it is superseded.
    #[inline]
    pub(crate) fn typed(&mut self, field: usize) {
        if let Some(slots) = &mut self.unfit_at
            && let Some(at) = slots[field].take()
        {
            self.superseded.push(at);
        }
    }

    /// Member `field` did not fit and its value is pushed to `members` now.
    pub(crate) fn unfit<'a>(
        &mut self,
        field: usize,
        members: &mut Members<'a>,
        key: Cow<'a, str>,
        value: Value,
    ) {
        let slots = self.unfit_at.get_or_insert_with(|| Box::new([None; N]));
        if let Some(at) = slots[field].replace(members.len()) {
            self.superseded.push(at);
        }
        members.push((key, RawJson::from_value(&value)));
    }

    /// Removes the superseded values from `members`, in one pass.
    pub(crate) fn finish(self, members: &mut Members<'_>) {
        if self.superseded.is_empty() {
            return;
        }
        let mut keep = vec![true; members.len()];
        for at in self.superseded {
            keep[at] = false;
        }
        #[cfg(test)]
        visits::add(members.len());
        let mut index = 0;
        members.retain(|_| {
            let kept = keep[index];
            index += 1;
            kept
        });
    }
}

/// The index of `name` in `fields`, at compile time (a modelled member's slot in [`Duplicates`]).
pub(crate) const fn field_index(fields: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < fields.len() {
        if bytes_equal(fields[i].as_bytes(), name.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("not a modelled member")
}

const fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Counts the members visited when superseded values are removed, so tests can assert the linear bound.
#[cfg(test)]
pub(crate) mod visits {
    use std::cell::Cell;

    thread_local! {
        static VISITS: Cell<usize> = const { Cell::new(0) };
    }

    pub(crate) fn add(n: usize) {
        VISITS.with(|v| v.set(v.get() + n));
    }

    /// Visits since the last call.
    pub(crate) fn take() -> usize {
        VISITS.with(|v| v.replace(0))
    }
}

/// Declares a JSON object type: its modelled members (each optional, with its JSON name), a `members`
/// list for everything else, lenient single-pass deserialisation, lossless serialisation and `into_owned`.
///
/// With `projected as <field>;` after the members (records only), the type also holds the projection it
/// was read under in that private field (`None` for a whole object), can be read under one
/// (`read_projected`), and refuses to serialise when it holds one.
macro_rules! json_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> {
            $(
                $(#[$fmeta:meta])*
                $json:literal => $field:ident : $ty:ty,
            )*
        }
        $(projected as $projection:ident;)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct $name<'a> {
            $(
                $(#[$fmeta])*
                pub $field: Option<$ty>,
            )*
            /// Members not modelled above, or whose value did not fit the modelled type, kept verbatim in
            /// input order.
            pub other: $crate::json::Members<'a>,
            $(
                /// The projection the object was read under; `None` when it was read whole.
                pub(crate) $projection: Option<::std::borrow::Cow<'a, $crate::projection::Projection>>,
            )?
        }

        impl $name<'_> {
            /// The JSON names of the modelled members, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$($json),*];

            /// Copies whatever is borrowed from the input, so the value can be kept.
            pub fn into_owned(self) -> $name<'static> {
                $name {
                    $($field: $crate::json::IntoOwned::into_owned(self.$field),)*
                    other: $crate::json::members_into_owned(self.other),
                    $(
                        $projection: self
                            .$projection
                            .map(|projection| ::std::borrow::Cow::Owned(projection.into_owned())),
                    )?
                }
            }

            /// Members whose JSON name is modelled but whose value did not fit, as (name, value) pairs.
            pub fn unfit_members(&self) -> impl Iterator<Item = (&str, &$crate::json::RawJson<'_>)> {
                self.other
                    .iter()
                    .filter(|(key, _)| Self::FIELDS.contains(&key.as_ref()))
                    .map(|(key, value)| (key.as_ref(), value))
            }
        }

        impl<'a> $name<'a> {
            /// Reads the members of an object, keeping those `filter` keeps and reading past the others
            /// with the checks their parse would make.
            #[inline(always)]
            fn read_members<'de: 'a, A: ::serde::de::MapAccess<'de>, F: $crate::skip::MemberFilter>(
                mut map: A,
                filter: &F,
            ) -> Result<Self, A::Error> {
                const NAMES: &[&str] = &[$($json),*];
                let mut out = $name::default();
                let mut duplicates = $crate::json::Duplicates::<{ NAMES.len() }>::new();
                while let Some($crate::json::Key(key)) = map.next_key()? {
                    match key.as_ref() {
                        $(
                            $json => {
                                const FIELD: usize = $crate::json::field_index(NAMES, $json);
                                if !filter.modelled(FIELD) {
                                    map.next_value_seed($crate::skip::SkipSeed::<$ty>::new())?;
                                    continue;
                                }
                                match map.next_value::<$crate::json::Fit<$ty>>()? {
                                    $crate::json::Fit::Typed(value) => {
                                        duplicates.typed(FIELD);
                                        out.$field = Some(value);
                                    }
                                    $crate::json::Fit::Raw(value) => {
                                        out.$field = None;
                                        duplicates.unfit(FIELD, &mut out.other, key, value);
                                    }
                                }
                            }
                        )*
                        _ => {
                            if filter.other(&key) {
                                let value = map.next_value::<$crate::json::RawJson<'a>>()?;
                                out.other.push((key, value));
                            } else {
                                map.next_value::<::serde::de::IgnoredAny>()?;
                            }
                        }
                    }
                }
                duplicates.finish(&mut out.other);
                Ok(out)
            }

            $(
                /// Reads a record under `projection` from a deserializer positioned at it: the members it
                /// names are parsed, the others read past with the checks their parse would make.
                pub(crate) fn read_projected<'de: 'a, D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                    projection: &'a $crate::projection::Projection,
                ) -> Result<Self, D::Error> {
                    struct ProjectedVisitor<'a>(&'a $crate::projection::Projection);
                    impl<'de: 'a, 'a> ::serde::de::Visitor<'de> for ProjectedVisitor<'a> {
                        type Value = $name<'a>;
                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            // The whole parse's words, so that both fail with the same message.
                            f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                        }
                        fn visit_map<A: ::serde::de::MapAccess<'de>>(
                            self,
                            map: A,
                        ) -> Result<Self::Value, A::Error> {
                            let mut out = $name::read_members(map, self.0)?;
                            out.$projection = Some(::std::borrow::Cow::Borrowed(self.0));
                            Ok(out)
                        }
                    }
                    deserializer.deserialize_map(ProjectedVisitor(projection))
                }
            )?
        }

        impl<'a> $crate::json::IntoOwned for $name<'a> {
            type Output = $name<'static>;
            fn into_owned(self) -> Self::Output {
                $name::into_owned(self)
            }
        }

        impl<'de: 'a, 'a> $crate::json::Lenient<'de> for $name<'a> {
            fn from_map<A: ::serde::de::MapAccess<'de>>(
                map: A,
            ) -> Result<$crate::json::Fit<Self>, A::Error> {
                Self::read_members(map, &$crate::skip::Everything).map($crate::json::Fit::Typed)
            }

            fn skip<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
                // What `Fit<Self>` reads: an object member by member, anything else as a `Value`.
                struct SkipVisitor<'a>(::std::marker::PhantomData<&'a ()>);
                impl<'de: 'a, 'a> ::serde::de::Visitor<'de> for SkipVisitor<'a> {
                    type Value = ();
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("any JSON value")
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<(), A::Error> {
                        while let Some($crate::json::Key(key)) = map.next_key()? {
                            match key.as_ref() {
                                $(
                                    $json => map.next_value_seed($crate::skip::SkipSeed::<$ty>::new())?,
                                )*
                                _ => {
                                    map.next_value::<::serde::de::IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(())
                    }
                    fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
                        ::serde::de::Visitor::visit_seq($crate::skip::Checked, seq)
                    }
                    $crate::skip::checked_scalars!();
                }
                deserializer.deserialize_any(SkipVisitor::<'a>(::std::marker::PhantomData))
            }
        }

        impl<'de: 'a, 'a> ::serde::Deserialize<'de> for $name<'a> {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor<'a>(::std::marker::PhantomData<&'a ()>);
                impl<'de: 'a, 'a> ::serde::de::Visitor<'de> for ObjectVisitor<'a> {
                    type Value = $name<'a>;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<Self::Value, A::Error> {
                        $name::read_members(map, &$crate::skip::Everything)
                    }
                }
                deserializer.deserialize_map(ObjectVisitor(::std::marker::PhantomData))
            }
        }

        impl ::serde::Serialize for $name<'_> {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                $(
                    if let Some(projection) = &self.$projection {
                        return Err(::serde::ser::Error::custom(
                            $crate::projection::RefusedSerialisation(projection),
                        ));
                    }
                )?
                let mut map = serializer.serialize_map(None)?;
                $(
                    if let Some(value) = &self.$field {
                        map.serialize_entry($json, value)?;
                    }
                )*
                for (key, value) in &self.other {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    };
}

pub(crate) use json_object;

#[cfg(test)]
mod tests {
    use super::visits;
    use crate::Event;

    /// `distinct` unknown members, then `repeats` alternations of an unfit and a typed `eventName`: the
    /// shape that cost `distinct x repeats` comparisons when each duplicate searched `other`.
    fn adversarial(distinct: usize, repeats: usize) -> String {
        let mut text = String::from("{");
        for i in 0..distinct {
            text.push_str(&format!("\"k{i}\":0,"));
        }
        for i in 0..repeats {
            text.push_str(&format!("\"eventName\":{i},\"eventName\":\"n{i}\","));
        }
        text.push_str("\"eventName\":7}");
        text
    }

    #[test]
    fn duplicated_keys_cost_one_pass_over_the_object() {
        let (distinct, repeats) = (20_000, 20_000);
        let text = adversarial(distinct, repeats);
        visits::take();
        let event = Event::from_json(&text).unwrap();
        // One removal pass over `other`, whose size is bounded by the number of keys: linear.
        let visited = visits::take();
        assert!(visited <= distinct + 2 * repeats + 1, "{visited}");
        assert!(visited >= distinct, "the pass did not run: {visited}");
        // The last value wins, as it does for serde_json::Value, and the record still round-trips.
        assert_eq!(event.event_name, None);
        assert_eq!(event.other.len(), distinct + 1);
        assert_eq!(event.other[distinct].0, "eventName");
        assert_eq!(event.other[distinct].1.get(), "7");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&event).unwrap(), value);
    }

    #[test]
    fn a_typed_last_value_drops_every_earlier_unfit_one() {
        visits::take();
        let event =
            Event::from_json(r#"{"eventName":1,"x":0,"eventName":[2],"eventName":"last","x":1}"#)
                .unwrap();
        assert_eq!(event.event_name(), Some("last"));
        // Unknown duplicates are all kept, in order; a reader of the output takes the last, as from
        // the input.
        let kept: Vec<_> = event
            .other
            .iter()
            .map(|(k, v)| format!("{k}={}", v.get()))
            .collect();
        assert_eq!(kept, ["x=0", "x=1"]);
        // The two unfit `eventName` values and the two `x` were visited once, together.
        assert_eq!(visits::take(), 4);
    }
}

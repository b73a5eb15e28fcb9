//! Reading past a member without building it, with the checks its parse makes: what a projected read
//! ([`crate::Projection`]) does with the members it does not keep.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use crate::json::{Lenient, RawJson};

/// Reading past a member's value without building it, with exactly the checks its parse makes, so that
/// a projected read ([`crate::Projection`]) fails where the whole parse fails, at the same byte and with
/// the same message.
///
/// Raw members and unknown members are parsed by serde_json's skip (a `RawValue` is that skip with the
/// text kept), so they are skipped with [`IgnoredAny`]: the fastest skip serde_json has, which checks
/// the JSON syntax but not what `\u` escapes decode to. A typed member's parse goes further: its strings
/// are decoded (a lone surrogate escape is an error), its numbers read (one out of range is an error)
/// and its nesting counted against serde_json's depth limit; its skip (`Lenient::skip`) reads every
/// string and number as its parse does, and reads past the raw and unknown members inside it with
/// [`IgnoredAny`] again.
pub(crate) trait Skip<'de> {
    /// Reads past one value.
    fn skip<D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error>;
}

impl<'de> Skip<'de> for RawJson<'_> {
    #[inline]
    fn skip<D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
        IgnoredAny::deserialize(deserializer).map(drop)
    }
}

impl<'de, T: Lenient<'de>> Skip<'de> for T {
    #[inline]
    fn skip<D: Deserializer<'de>>(deserializer: D) -> Result<(), D::Error> {
        <T as Lenient<'de>>::skip(deserializer)
    }
}

/// [`Skip::skip`] as a seed, for `next_value_seed` and `next_element_seed`.
pub(crate) struct SkipSeed<T>(PhantomData<T>);

impl<T> SkipSeed<T> {
    pub(crate) fn new() -> Self {
        SkipSeed(PhantomData)
    }
}

impl<'de, T: Skip<'de>> DeserializeSeed<'de> for SkipSeed<T> {
    type Value = ();
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        T::skip(deserializer)
    }
}

/// The scalar cases of a skipping visitor: every string, number and literal is accepted (serde_json
/// checked it on the way in).
macro_rules! checked_scalars {
    () => {
        fn visit_bool<E: ::serde::de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E: ::serde::de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E: ::serde::de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E: ::serde::de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E: ::serde::de::Error>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E: ::serde::de::Error>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_none<E: ::serde::de::Error>(self) -> Result<(), E> {
            Ok(())
        }
    };
}
pub(crate) use checked_scalars;

/// Reads past any value as parsing it into a [`Value`] would: strings decoded, numbers read, object keys
/// decoded, nesting counted against serde_json's depth limit.
pub(crate) struct Checked;

impl<'de> Deserialize<'de> for Checked {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Checked).map(|()| Checked)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<Checked>()?.is_some() {
            map.next_value::<Checked>()?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(())
    }
    checked_scalars!();
}

/// Which members of an object a read keeps: all of them (nested objects, whole records), or those a
/// [`crate::Projection`] names.
pub(crate) trait MemberFilter {
    /// Whether the modelled member at this index of the type's `FIELDS` is kept.
    fn modelled(&self, field: usize) -> bool;
    /// Whether an unknown member of this name is kept.
    fn other(&self, key: &str) -> bool;
}

/// Keeps every member.
pub(crate) struct Everything;

impl MemberFilter for Everything {
    #[inline(always)]
    fn modelled(&self, _: usize) -> bool {
        true
    }
    #[inline(always)]
    fn other(&self, _: &str) -> bool {
        true
    }
}

/// The elements of an array of `T`, each read past as `T` is (see [`Skip`]).
pub(crate) struct SkipItems<T>(PhantomData<T>);

impl<T> SkipItems<T> {
    pub(crate) fn new() -> Self {
        SkipItems(PhantomData)
    }
}

impl<'de, T: Lenient<'de>> Visitor<'de> for SkipItems<T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(SkipSeed::<T>::new())?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        Checked.visit_map(map)
    }
    checked_scalars!();
}

//! [`Flag`]: a boolean that CloudTrail and its exporters write as either a JSON boolean or a string.

use std::borrow::Cow;

use serde::{Serialize, Serializer};

use crate::json::{IntoOwned, Lenient};

/// A yes/no member as it was written: a JSON boolean, or a string such as `"true"` or `"False"`.
///
/// `readOnly` and `managementEvent` are booleans in raw logs but strings in some exports;
/// `mfaAuthenticated` and `sessionCredentialFromConsole` are strings in raw logs but booleans in some
/// exports. The written form is kept so the record serialises back unchanged; [`Flag::value`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag<'a> {
    /// A JSON boolean.
    Bool(bool),
    /// A JSON string.
    Text(Cow<'a, str>),
}

impl Flag<'_> {
    /// The boolean meaning: JSON booleans as they are, strings `true`/`false` in any letter case.
    /// `None` for any other string.
    pub fn value(&self) -> Option<bool> {
        match self {
            Flag::Bool(b) => Some(*b),
            Flag::Text(text) if text.eq_ignore_ascii_case("true") => Some(true),
            Flag::Text(text) if text.eq_ignore_ascii_case("false") => Some(false),
            Flag::Text(_) => None,
        }
    }

    /// True only when the flag reads as true.
    pub fn is_true(&self) -> bool {
        self.value() == Some(true)
    }
}

impl From<bool> for Flag<'_> {
    fn from(value: bool) -> Self {
        Flag::Bool(value)
    }
}

impl Serialize for Flag<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Flag::Bool(b) => serializer.serialize_bool(*b),
            Flag::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de: 'a, 'a> Lenient<'de> for Flag<'a> {
    fn from_str(v: Cow<'de, str>) -> Result<Self, Cow<'de, str>> {
        Ok(Flag::Text(v))
    }
    fn from_bool(v: bool) -> Option<Self> {
        Some(Flag::Bool(v))
    }
}

impl IntoOwned for Flag<'_> {
    type Output = Flag<'static>;
    fn into_owned(self) -> Self::Output {
        match self {
            Flag::Bool(b) => Flag::Bool(b),
            Flag::Text(text) => Flag::Text(IntoOwned::into_owned(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_booleans_and_their_string_spellings() {
        assert_eq!(Flag::Bool(false).value(), Some(false));
        assert_eq!(Flag::Text("True".into()).value(), Some(true));
        assert_eq!(Flag::Text("false".into()).value(), Some(false));
        assert_eq!(Flag::Text("FALSE".into()).value(), Some(false));
        assert_eq!(Flag::Text("yes".into()).value(), None);
        assert!(!Flag::Text("...".into()).is_true());
    }
}

//! Writing the `_other` column: a JSON object, nested like the record, of what the typed columns do not
//! hold. Written into one reused buffer; an object with nothing in it is rolled back, so a record the
//! columns hold whole costs a few pushes and no allocation.

use std::fmt::Write;

use cloudtrail_model::{Flag, Members};

/// A JSON object being written into a buffer, opened only when its first member arrives.
pub(crate) struct ObjectWriter<'b> {
    buf: &'b mut String,
    opened: bool,
}

impl<'b> ObjectWriter<'b> {
    /// Starts an object at the end of `buf` (which the caller has cleared or positioned).
    pub(crate) fn new(buf: &'b mut String) -> Self {
        ObjectWriter { buf, opened: false }
    }

    /// Writes `"name":` after an opening brace or a comma.
    fn key(&mut self, name: &str) {
        self.buf.push(if self.opened { ',' } else { '{' });
        self.opened = true;
        push_json_string(self.buf, name);
        self.buf.push(':');
    }

    /// A member whose value is JSON text, written verbatim.
    pub(crate) fn raw(&mut self, name: &str, json: &str) {
        self.key(name);
        self.buf.push_str(json);
    }

    /// A member whose value is a string.
    pub(crate) fn string(&mut self, name: &str, value: &str) {
        self.key(name);
        push_json_string(self.buf, value);
    }

    /// A member whose value is a boolean.
    pub(crate) fn boolean(&mut self, name: &str, value: bool) {
        self.key(name);
        self.buf.push_str(if value { "true" } else { "false" });
    }

    /// Every member of a model `other` list, verbatim.
    pub(crate) fn members(&mut self, members: &Members<'_>) {
        for (name, value) in members {
            self.raw(name, value.get());
        }
    }

    /// A flag as written, when that is not the form its column implies (see [`FlagForm`]).
    pub(crate) fn flag(&mut self, name: &str, flag: Option<&Flag<'_>>, form: FlagForm) {
        match (flag, form) {
            (None, _) | (Some(Flag::Bool(_)), FlagForm::Bool) => {}
            (Some(Flag::Text(text)), FlagForm::LowerCaseText)
                if text == "true" || text == "false" => {}
            (Some(Flag::Bool(value)), _) => self.boolean(name, *value),
            (Some(Flag::Text(text)), _) => self.string(name, text),
        }
    }

    /// A nested object, kept only when `fill` writes something into it. `name` is one of the model's
    /// member names, which need no escaping.
    pub(crate) fn nested(&mut self, name: &'static str, fill: impl FnOnce(&mut ObjectWriter<'_>)) {
        let mark = self.buf.len();
        let was_opened = self.opened;
        self.buf.push(if self.opened { ',' } else { '{' });
        self.opened = true;
        self.buf.push('"');
        self.buf.push_str(name);
        self.buf.push_str("\":");
        let mut inner = ObjectWriter::new(self.buf);
        fill(&mut inner);
        if inner.finish() {
            return;
        }
        self.buf.truncate(mark);
        self.opened = was_opened;
    }

    /// Closes the object; returns whether it had any member (an empty one writes nothing).
    pub(crate) fn finish(self) -> bool {
        if self.opened {
            self.buf.push('}');
        }
        self.opened
    }
}

/// How a yes/no member is usually written, which its `Boolean` column implies: any other written form is
/// kept in `_other`.
#[derive(Clone, Copy)]
pub(crate) enum FlagForm {
    /// A JSON boolean (`managementEvent`, `readOnly`).
    Bool,
    /// The strings `"true"` and `"false"` (`mfaAuthenticated`, `assumedRoot`,
    /// `sessionCredentialFromConsole`).
    LowerCaseText,
}

/// Appends `value` as a JSON string literal.
pub(crate) fn push_json_string(buf: &mut String, value: &str) {
    buf.push('"');
    let mut start = 0;
    for (i, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        buf.push_str(&value[start..i]);
        if escape.is_empty() {
            // Writing to a String cannot fail.
            let _ = write!(buf, "\\u{byte:04x}");
        } else {
            buf.push_str(escape);
        }
        start = i + 1;
    }
    buf.push_str(&value[start..]);
    buf.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_json() {
        let mut buf = String::new();
        push_json_string(&mut buf, "a\"b\\c\nd\u{1}é");
        let back: String = serde_json::from_str(&buf).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn empty_nested_objects_leave_nothing() {
        let mut buf = String::new();
        let mut object = ObjectWriter::new(&mut buf);
        object.nested("a", |a| a.nested("b", |_| {}));
        assert!(!object.finish());
        assert_eq!(buf, "");

        let mut object = ObjectWriter::new(&mut buf);
        object.string("x", "1");
        object.nested("a", |_| {});
        object.nested("b", |b| b.boolean("c", true));
        assert!(object.finish());
        assert_eq!(buf, r#"{"x":"1","b":{"c":true}}"#);
    }

    #[test]
    fn flags_in_their_usual_form_are_not_kept() {
        let mut buf = String::new();
        let mut object = ObjectWriter::new(&mut buf);
        object.flag("a", Some(&Flag::Bool(true)), FlagForm::Bool);
        object.flag(
            "b",
            Some(&Flag::Text("false".into())),
            FlagForm::LowerCaseText,
        );
        object.flag("c", None, FlagForm::Bool);
        object.flag(
            "d",
            Some(&Flag::Text("True".into())),
            FlagForm::LowerCaseText,
        );
        object.flag("e", Some(&Flag::Text("true".into())), FlagForm::Bool);
        object.flag("f", Some(&Flag::Bool(false)), FlagForm::LowerCaseText);
        object.finish();
        assert_eq!(buf, r#"{"d":"True","e":"true","f":false}"#);
    }
}

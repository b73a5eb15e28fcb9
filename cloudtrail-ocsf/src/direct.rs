//! Arrow columns filled straight from a record's `Serialize` form: a serde `Serializer` that walks the
//! OCSF Arrow schema beside the record and appends each value to its column, with no JSON text in
//! between. It reads what `arrow_json`'s strict decoder read before (a member outside the schema is an
//! error, a member a record leaves out is a null) and builds the same arrays; `tests/arrow.rs` checks
//! the two give equal batches for every corpus record at every release.

use std::fmt;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Int32Array, Int64Array, ListArray, MapArray, StringArray, StructArray,
    TimestampMillisecondArray,
};
use arrow_schema::{ArrowError, DataType, FieldRef, Fields, TimeUnit};
use serde::Serialize;
use serde::ser::{self, Impossible};

/// Why a value could not be appended: a member outside the schema or a value of another type.
#[derive(Debug)]
pub(crate) struct Refused(pub(crate) String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

impl ser::Error for Refused {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Refused(message.to_string())
    }
}

/// Which rows are valid (not null), one flag per row.
#[derive(Default)]
struct Validity(Vec<bool>);

impl Validity {
    fn push(&mut self, valid: bool) {
        self.0.push(valid);
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn take(&mut self) -> Option<arrow_buffer::NullBuffer> {
        let flags = std::mem::take(&mut self.0);
        if flags.iter().all(|valid| *valid) {
            None
        } else {
            Some(arrow_buffer::NullBuffer::from(flags))
        }
    }
}

/// One column being built; every kind keeps `len()` rows (a null struct, list or map row holds null
/// children or no items).
enum Column {
    Utf8 {
        offsets: Vec<i32>,
        bytes: Vec<u8>,
        valid: Validity,
    },
    Int32 {
        values: Vec<i32>,
        valid: Validity,
    },
    Int64 {
        values: Vec<i64>,
        valid: Validity,
    },
    Timestamp {
        values: Vec<i64>,
        valid: Validity,
        zone: Option<Arc<str>>,
    },
    Boolean {
        values: Vec<bool>,
        valid: Validity,
    },
    Struct {
        fields: Fields,
        children: Vec<Column>,
        /// Which children the struct being serialised has given a value (the rest get a null).
        filled: Vec<bool>,
        valid: Validity,
    },
    List {
        item: FieldRef,
        offsets: Vec<i32>,
        values: Box<Column>,
        valid: Validity,
    },
    Map {
        entries: FieldRef,
        sorted: bool,
        offsets: Vec<i32>,
        keys: Box<Column>,
        values: Box<Column>,
        valid: Validity,
    },
}

fn unsupported(data_type: &DataType) -> ArrowError {
    ArrowError::NotYetImplemented(format!("no direct column for {data_type}"))
}

impl Column {
    /// An empty column of `data_type` (the types [`crate::ocsf_arrow_schema`] uses).
    fn new(data_type: &DataType) -> Result<Column, ArrowError> {
        Ok(match data_type {
            DataType::Utf8 => Column::Utf8 {
                offsets: vec![0],
                bytes: Vec::new(),
                valid: Validity::default(),
            },
            DataType::Int32 => Column::Int32 {
                values: Vec::new(),
                valid: Validity::default(),
            },
            DataType::Int64 => Column::Int64 {
                values: Vec::new(),
                valid: Validity::default(),
            },
            DataType::Timestamp(TimeUnit::Millisecond, zone) => Column::Timestamp {
                values: Vec::new(),
                valid: Validity::default(),
                zone: zone.clone(),
            },
            DataType::Boolean => Column::Boolean {
                values: Vec::new(),
                valid: Validity::default(),
            },
            DataType::Struct(fields) => Column::Struct {
                fields: fields.clone(),
                children: fields
                    .iter()
                    .map(|field| Column::new(field.data_type()))
                    .collect::<Result<_, _>>()?,
                filled: vec![false; fields.len()],
                valid: Validity::default(),
            },
            DataType::List(item) => Column::List {
                item: item.clone(),
                offsets: vec![0],
                values: Box::new(Column::new(item.data_type())?),
                valid: Validity::default(),
            },
            DataType::Map(entries, sorted) => {
                let DataType::Struct(pair) = entries.data_type() else {
                    return Err(unsupported(data_type));
                };
                let (Some(key), Some(value)) = (pair.first(), pair.get(1)) else {
                    return Err(unsupported(data_type));
                };
                Column::Map {
                    entries: entries.clone(),
                    sorted: *sorted,
                    offsets: vec![0],
                    keys: Box::new(Column::new(key.data_type())?),
                    values: Box::new(Column::new(value.data_type())?),
                    valid: Validity::default(),
                }
            }
            other => return Err(unsupported(other)),
        })
    }

    fn valid_mut(&mut self) -> &mut Validity {
        match self {
            Column::Utf8 { valid, .. }
            | Column::Int32 { valid, .. }
            | Column::Int64 { valid, .. }
            | Column::Timestamp { valid, .. }
            | Column::Boolean { valid, .. }
            | Column::Struct { valid, .. }
            | Column::List { valid, .. }
            | Column::Map { valid, .. } => valid,
        }
    }

    /// Rows held.
    fn len(&mut self) -> usize {
        self.valid_mut().len()
    }

    /// Appends a null row.
    fn push_null(&mut self) {
        match self {
            Column::Utf8 { offsets, valid, .. }
            | Column::List { offsets, valid, .. }
            | Column::Map { offsets, valid, .. } => {
                let end = offsets.last().copied().unwrap_or(0);
                offsets.push(end);
                valid.push(false);
            }
            Column::Int32 { values, valid } => {
                values.push(0);
                valid.push(false);
            }
            Column::Int64 { values, valid } | Column::Timestamp { values, valid, .. } => {
                values.push(0);
                valid.push(false);
            }
            Column::Boolean { values, valid } => {
                values.push(false);
                valid.push(false);
            }
            Column::Struct {
                children, valid, ..
            } => {
                for child in children {
                    child.push_null();
                }
                valid.push(false);
            }
        }
    }

    /// Cuts the column back to `rows` rows (after a record that failed half way).
    fn truncate(&mut self, rows: usize) {
        match self {
            Column::Utf8 {
                offsets,
                bytes,
                valid,
            } => {
                offsets.truncate(rows + 1);
                bytes.truncate(end_of(offsets));
                valid.0.truncate(rows);
            }
            Column::Int32 { values, valid } => {
                values.truncate(rows);
                valid.0.truncate(rows);
            }
            Column::Int64 { values, valid } | Column::Timestamp { values, valid, .. } => {
                values.truncate(rows);
                valid.0.truncate(rows);
            }
            Column::Boolean { values, valid } => {
                values.truncate(rows);
                valid.0.truncate(rows);
            }
            Column::Struct {
                children, valid, ..
            } => {
                for child in children {
                    child.truncate(rows);
                }
                valid.0.truncate(rows);
            }
            Column::List {
                offsets,
                values,
                valid,
                ..
            } => {
                offsets.truncate(rows + 1);
                values.truncate(end_of(offsets));
                valid.0.truncate(rows);
            }
            Column::Map {
                offsets,
                keys,
                values,
                valid,
                ..
            } => {
                offsets.truncate(rows + 1);
                keys.truncate(end_of(offsets));
                values.truncate(end_of(offsets));
                valid.0.truncate(rows);
            }
        }
    }

    /// The rows as an array of `data_type`; the column is left empty.
    fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            Column::Utf8 {
                offsets,
                bytes,
                valid,
            } => {
                let offsets = std::mem::replace(offsets, vec![0]);
                let bytes = std::mem::take(bytes);
                Arc::new(StringArray::try_new(
                    arrow_buffer::OffsetBuffer::new(offsets.into()),
                    bytes.into(),
                    valid.take(),
                )?)
            }
            Column::Int32 { values, valid } => {
                Arc::new(Int32Array::new(std::mem::take(values).into(), valid.take()))
            }
            Column::Int64 { values, valid } => {
                Arc::new(Int64Array::new(std::mem::take(values).into(), valid.take()))
            }
            Column::Timestamp {
                values,
                valid,
                zone,
            } => Arc::new(
                TimestampMillisecondArray::new(std::mem::take(values).into(), valid.take())
                    .with_timezone_opt(zone.clone()),
            ),
            Column::Boolean { values, valid } => {
                let values = std::mem::take(values);
                Arc::new(BooleanArray::new(values.into(), valid.take()))
            }
            Column::Struct {
                fields,
                children,
                valid,
                ..
            } => {
                let columns = children
                    .iter_mut()
                    .map(Column::finish)
                    .collect::<Result<Vec<_>, _>>()?;
                Arc::new(StructArray::try_new(fields.clone(), columns, valid.take())?)
            }
            Column::List {
                item,
                offsets,
                values,
                valid,
            } => {
                let offsets = std::mem::replace(offsets, vec![0]);
                Arc::new(ListArray::try_new(
                    item.clone(),
                    arrow_buffer::OffsetBuffer::new(offsets.into()),
                    values.finish()?,
                    valid.take(),
                )?)
            }
            Column::Map {
                entries,
                sorted,
                offsets,
                keys,
                values,
                valid,
            } => {
                let offsets = std::mem::replace(offsets, vec![0]);
                let DataType::Struct(pair) = entries.data_type() else {
                    return Err(unsupported(entries.data_type()));
                };
                let pairs = StructArray::try_new(
                    pair.clone(),
                    vec![keys.finish()?, values.finish()?],
                    None,
                )?;
                Arc::new(MapArray::try_new(
                    entries.clone(),
                    arrow_buffer::OffsetBuffer::new(offsets.into()),
                    pairs,
                    valid.take(),
                    *sorted,
                )?)
            }
        })
    }
}

/// The last offset, as an index.
fn end_of(offsets: &[i32]) -> usize {
    offsets
        .last()
        .and_then(|end| usize::try_from(*end).ok())
        .unwrap_or(0)
}

/// The next offset after `len` items, refused past `i32::MAX` (Arrow's 32-bit offsets).
fn offset(len: usize) -> Result<i32, Refused> {
    i32::try_from(len).map_err(|_| Refused("more than 2 GiB in one column".into()))
}

/// The struct built for a whole record: one child per top-level schema field.
pub(crate) struct Rows {
    root: Column,
    rows: usize,
    /// Bytes appended (text, values, offsets and flags), for the memory estimate.
    bytes: usize,
}

impl Rows {
    pub(crate) fn new(fields: &Fields) -> Result<Rows, ArrowError> {
        Ok(Rows {
            root: Column::new(&DataType::Struct(fields.clone()))?,
            rows: 0,
            bytes: 0,
        })
    }

    /// Appends one record; on error nothing of it stays.
    pub(crate) fn push<T: Serialize + ?Sized>(&mut self, record: &T) -> Result<usize, Refused> {
        let before = self.bytes;
        match record.serialize(Into {
            column: &mut self.root,
            bytes: &mut self.bytes,
        }) {
            Ok(()) => {
                self.rows += 1;
                Ok(self.bytes - before)
            }
            Err(error) => {
                self.root.truncate(self.rows);
                self.bytes = before;
                Err(error)
            }
        }
    }

    /// Rows held.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The rows' columns (one per top-level field); the builder is left empty.
    pub(crate) fn finish(&mut self) -> Result<Vec<ArrayRef>, ArrowError> {
        self.rows = 0;
        self.bytes = 0;
        let Column::Struct {
            children, valid, ..
        } = &mut self.root
        else {
            return Err(ArrowError::SchemaError(
                "the record columns are not a struct".into(),
            ));
        };
        valid.0.clear();
        children.iter_mut().map(Column::finish).collect()
    }
}

/// Serialises one value into one column.
struct Into<'c> {
    column: &'c mut Column,
    bytes: &'c mut usize,
}

impl Into<'_> {
    fn refuse(&self, what: &str) -> Refused {
        let kind = match self.column {
            Column::Utf8 { .. } => "a string",
            Column::Int32 { .. } => "a 32-bit integer",
            Column::Int64 { .. } => "a 64-bit integer",
            Column::Timestamp { .. } => "a timestamp",
            Column::Boolean { .. } => "a boolean",
            Column::Struct { .. } => "a struct",
            Column::List { .. } => "a list",
            Column::Map { .. } => "a map",
        };
        Refused(format!("{what} where the schema has {kind}"))
    }

    fn integer(self, value: i128) -> Result<(), Refused> {
        let out_of_range = || Refused(format!("{value} is out of the column's range"));
        match self.column {
            Column::Int32 { values, valid } => {
                values.push(i32::try_from(value).map_err(|_| out_of_range())?);
                valid.push(true);
                *self.bytes += 5;
            }
            Column::Int64 { values, valid } | Column::Timestamp { values, valid, .. } => {
                values.push(i64::try_from(value).map_err(|_| out_of_range())?);
                valid.push(true);
                *self.bytes += 9;
            }
            _ => return Err(self.refuse("an integer")),
        }
        Ok(())
    }
}

impl<'c> ser::Serializer for Into<'c> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Items<'c>;
    type SerializeTuple = Impossible<(), Refused>;
    type SerializeTupleStruct = Impossible<(), Refused>;
    type SerializeTupleVariant = Impossible<(), Refused>;
    type SerializeMap = Entries<'c>;
    type SerializeStruct = Members<'c>;
    type SerializeStructVariant = Impossible<(), Refused>;

    fn serialize_bool(self, v: bool) -> Result<(), Refused> {
        match self.column {
            Column::Boolean { values, valid } => {
                values.push(v);
                valid.push(true);
                *self.bytes += 2;
                Ok(())
            }
            _ => Err(self.refuse("a boolean")),
        }
    }

    fn serialize_i8(self, v: i8) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Refused> {
        self.integer(v.into())
    }

    fn serialize_f32(self, _: f32) -> Result<(), Refused> {
        Err(self.refuse("a floating-point number"))
    }

    fn serialize_f64(self, _: f64) -> Result<(), Refused> {
        Err(self.refuse("a floating-point number"))
    }

    fn serialize_char(self, v: char) -> Result<(), Refused> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Refused> {
        match self.column {
            Column::Utf8 {
                offsets,
                bytes,
                valid,
            } => {
                bytes.extend_from_slice(v.as_bytes());
                offsets.push(offset(bytes.len())?);
                valid.push(true);
                *self.bytes += v.len() + 5;
                Ok(())
            }
            _ => Err(self.refuse("a string")),
        }
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Refused> {
        Err(self.refuse("bytes"))
    }

    fn serialize_none(self) -> Result<(), Refused> {
        self.column.push_null();
        *self.bytes += 5;
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Refused> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Refused> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Refused> {
        Err(self.refuse("an enum variant"))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'c>, Refused> {
        match self.column {
            Column::List {
                offsets,
                values,
                valid,
                ..
            } => Ok(Items {
                offsets,
                values,
                valid,
                bytes: self.bytes,
            }),
            _ => Err(self.refuse("a sequence")),
        }
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Refused> {
        Err(self.refuse("a tuple"))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        Err(self.refuse("a tuple"))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        Err(self.refuse("an enum variant"))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Entries<'c>, Refused> {
        match self.column {
            Column::Map {
                offsets,
                keys,
                values,
                valid,
                ..
            } => Ok(Entries {
                offsets,
                keys,
                values,
                valid,
                bytes: self.bytes,
                pending_key: false,
            }),
            _ => Err(self.refuse("a map")),
        }
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'c>, Refused> {
        match self.column {
            Column::Struct {
                fields,
                children,
                filled,
                valid,
            } => {
                filled.fill(false);
                Ok(Members {
                    fields,
                    children,
                    filled,
                    valid,
                    cursor: 0,
                    bytes: self.bytes,
                })
            }
            _ => Err(self.refuse("an object")),
        }
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        Err(self.refuse("an enum variant"))
    }
}

/// The items of one list row.
struct Items<'c> {
    offsets: &'c mut Vec<i32>,
    values: &'c mut Column,
    valid: &'c mut Validity,
    bytes: &'c mut usize,
}

impl ser::SerializeSeq for Items<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        value.serialize(Into {
            column: self.values,
            bytes: self.bytes,
        })
    }

    fn end(self) -> Result<(), Refused> {
        let end = offset(self.values.len())?;
        self.offsets.push(end);
        self.valid.push(true);
        *self.bytes += 5;
        Ok(())
    }
}

/// The entries of one map row.
struct Entries<'c> {
    offsets: &'c mut Vec<i32>,
    keys: &'c mut Column,
    values: &'c mut Column,
    valid: &'c mut Validity,
    bytes: &'c mut usize,
    pending_key: bool,
}

impl ser::SerializeMap for Entries<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Refused> {
        self.pending_key = true;
        key.serialize(Into {
            column: self.keys,
            bytes: self.bytes,
        })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        if !self.pending_key {
            return Err(Refused("a map value without its key".into()));
        }
        self.pending_key = false;
        value.serialize(Into {
            column: self.values,
            bytes: self.bytes,
        })
    }

    fn end(self) -> Result<(), Refused> {
        if self.pending_key {
            return Err(Refused("a map key without its value".into()));
        }
        let end = offset(self.keys.len())?;
        self.offsets.push(end);
        self.valid.push(true);
        *self.bytes += 5;
        Ok(())
    }
}

/// The members of one struct row.
struct Members<'c> {
    fields: &'c Fields,
    children: &'c mut Vec<Column>,
    filled: &'c mut Vec<bool>,
    valid: &'c mut Validity,
    /// Where the last member was found: members come in the schema's order, so the next is usually
    /// the next field.
    cursor: usize,
    bytes: &'c mut usize,
}

impl ser::SerializeStruct for Members<'_> {
    type Ok = ();
    type Error = Refused;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        let count = self.fields.len();
        let found = (0..count)
            .map(|step| (self.cursor + step) % count)
            .find(|&index| self.fields[index].name() == key)
            .ok_or_else(|| Refused(format!("member {key} is not in the schema")))?;
        if self.filled[found] {
            return Err(Refused(format!("member {key} given twice")));
        }
        self.filled[found] = true;
        self.cursor = found + 1;
        value.serialize(Into {
            column: &mut self.children[found],
            bytes: self.bytes,
        })
    }

    fn skip_field(&mut self, _: &'static str) -> Result<(), Refused> {
        // A skipped member is left unfilled, so it gets its null at `end`.
        Ok(())
    }

    fn end(self) -> Result<(), Refused> {
        for (child, filled) in self.children.iter_mut().zip(self.filled.iter()) {
            if !filled {
                child.push_null();
                *self.bytes += 5;
            }
        }
        self.valid.push(true);
        *self.bytes += 1;
        Ok(())
    }
}

//! Rebuilding a record from a flat row, by the rule the `flat` module documents.

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMillisecondType;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use cloudtrail_ocsf::flat::{OTHER_COLUMN, render_time};
use serde_json::{Map, Value};

/// Columns (by path) holding JSON text.
const JSON_COLUMNS: &[&str] = &[
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "edgeDeviceDetails",
    "eventContext",
    "insightDetails",
    "timeWindow",
    "summary",
    "userIdentity.sessionContext.webIdFederationData.attributes",
    "addendum.updatedFields",
];

/// Flags whose usual written form is a JSON boolean; every other flag is written `"true"`/`"false"`.
const BOOLEAN_FLAGS: &[&str] = &["managementEvent", "readOnly"];

fn cell(array: &dyn Array, row: usize, path: &str) -> Option<Value> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => {
            let text = array.as_string::<i32>().value(row);
            if JSON_COLUMNS.contains(&path) {
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
            } else {
                Value::String(text.to_owned())
            }
        }
        DataType::Boolean => {
            let value = array.as_boolean().value(row);
            if BOOLEAN_FLAGS.contains(&path) {
                Value::Bool(value)
            } else {
                Value::String(value.to_string())
            }
        }
        DataType::Timestamp(..) => {
            let millis = array.as_primitive::<TimestampMillisecondType>().value(row);
            let mut text = String::new();
            render_time(millis, &mut text);
            Value::String(text)
        }
        DataType::Struct(fields) => {
            let array = array.as_struct();
            let mut object = Map::new();
            for (field, child) in fields.iter().zip(array.columns()) {
                let child_path = format!("{path}.{}", field.name());
                if let Some(value) = cell(child.as_ref(), row, &child_path) {
                    object.insert(field.name().clone(), value);
                }
            }
            Value::Object(object)
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>().value(row);
            Value::Array(
                (0..list.len())
                    .map(|i| cell(list.as_ref(), i, path).unwrap_or(Value::Null))
                    .collect(),
            )
        }
        other => panic!("{path}: unexpected type {other}"),
    })
}

/// Merges `over` into `base`: objects member by member, anything else replacing.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// The record a flat row holds, rebuilt by the documented rule.
pub fn rebuild(batch: &RecordBatch, row: usize) -> Value {
    let mut record = Map::new();
    let mut other = None;
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if field.name() == OTHER_COLUMN {
            other = cell(column.as_ref(), row, "")
                .map(|v| serde_json::from_str::<Value>(v.as_str().unwrap()).unwrap());
            continue;
        }
        if let Some(value) = cell(column.as_ref(), row, field.name()) {
            record.insert(field.name().clone(), value);
        }
    }
    let mut record = Value::Object(record);
    if let Some(other) = other {
        assert!(other.is_object(), "_other is not an object: {other}");
        merge(&mut record, other);
    }
    record
}

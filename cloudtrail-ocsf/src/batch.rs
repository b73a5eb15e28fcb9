//! [`OcsfBatchBuilder`]: OCSF records of one class and release into Arrow `RecordBatch`es.
//!
//! Each row's values go straight from the mapped record into the schema's columns (see `direct`): no
//! JSON text in between. A record member the schema does not hold is an error, never a silently dropped
//! column (what `arrow_json`'s strict mode did before, and `tests/arrow.rs` checks the batches are the
//! ones its decoder builds). The `json_t` members become their JSON text as written in the CloudTrail
//! record.

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

use crate::class::OcsfClass;
use crate::columns::ocsf_arrow_schema;
use crate::direct::Rows;
use crate::error::record_name;
use crate::record::{ArrowForm, OcsfEvent};
use crate::version::OcsfVersion;

/// Why a record could not join a batch.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OcsfArrowError {
    /// The record is of another class than the batch.
    #[error("{} is {record}, the batch holds {batch}", record_name(.event_uid))]
    ClassMismatch {
        /// The batch's class.
        batch: OcsfClass,
        /// The record's class.
        record: OcsfClass,
        /// The record's `metadata.uid`.
        event_uid: Option<String>,
    },
    /// The record was mapped for another OCSF release than the batch's.
    #[error("{} is OCSF {record}, the batch holds {batch}", record_name(.event_uid))]
    VersionMismatch {
        /// The batch's release.
        batch: OcsfVersion,
        /// The record's release.
        record: OcsfVersion,
        /// The record's `metadata.uid`.
        event_uid: Option<String>,
    },
    /// Arrow refused the row (a member outside the schema, a value of the wrong type).
    #[error("{} does not fit the {class} Arrow schema: {source}", record_name(.event_uid))]
    Arrow {
        /// The batch's class.
        class: OcsfClass,
        /// The record's `metadata.uid` (`None` when building the batch itself failed).
        event_uid: Option<String>,
        /// What Arrow reported.
        source: ArrowError,
    },
}

/// Builds Arrow batches of one OCSF class at one release; reusable after [`finish`](Self::finish).
///
/// ```
/// use cloudtrail_model::Event;
/// use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfBatchBuilder, OcsfClass, OcsfVersion};
///
/// let event = Event::from_json(r#"{"eventTime": "2024-06-01T12:00:00Z", "eventName": "ListBuckets",
///   "eventSource": "s3.amazonaws.com", "sourceIPAddress": "192.0.2.1",
///   "userIdentity": {"type": "Root", "accountId": "111122223333"}}"#)?;
/// let record = Mapper::new(MappingOptions::default()).map(&event)?;
/// let mut builder = OcsfBatchBuilder::new(OcsfClass::ApiActivity, OcsfVersion::V1_1_0);
/// builder.push(&record)?;
/// let batch = builder.finish()?;
/// assert_eq!(batch.num_rows(), 1);
/// assert_eq!(batch.schema(), cloudtrail_ocsf::ocsf_arrow_schema(OcsfClass::ApiActivity, OcsfVersion::V1_1_0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OcsfBatchBuilder {
    class: OcsfClass,
    version: OcsfVersion,
    schema: SchemaRef,
    /// The columns, or why they could not be made for the schema (reported at each use).
    rows: Result<Rows, String>,
}

impl std::fmt::Debug for OcsfBatchBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcsfBatchBuilder")
            .field("class", &self.class)
            .field("version", &self.version)
            .field("rows", &self.len())
            .finish()
    }
}

impl OcsfBatchBuilder {
    /// Bytes a builder holds once its first row is in (its column tree and each column's first
    /// allocation), beyond what the OCSF writer counts per row: about 5 KiB per one-row partition by
    /// the process's resident growth in `tests/memory.rs`, which fails when the count falls short (it
    /// was 48 KiB with an `arrow_json` decoder per builder).
    pub const EMPTY_BYTES: usize = 12 << 10;

    /// An empty builder for `class` at `version`.
    pub fn new(class: OcsfClass, version: OcsfVersion) -> Self {
        let schema = ocsf_arrow_schema(class, version);
        // Making the columns fails only for a type the direct columns lack; the schema is fixed and
        // tested, but the error is kept and returned by push/finish rather than panicking here.
        let rows = Rows::new(schema.fields()).map_err(|error| error.to_string());
        OcsfBatchBuilder {
            class,
            version,
            schema,
            rows,
        }
    }

    /// The class of the batch.
    pub fn class(&self) -> OcsfClass {
        self.class
    }

    /// The schema every batch of this builder has.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Adds one record: it must be of the builder's class and release.
    pub fn push(&mut self, record: &OcsfEvent<'_>) -> Result<(), OcsfArrowError> {
        self.push_counted(record).map(|_| ())
    }

    /// [`push`](Self::push), returning the bytes the row's values took in the columns.
    pub(crate) fn push_counted(&mut self, record: &OcsfEvent<'_>) -> Result<usize, OcsfArrowError> {
        let event_uid = || record.metadata.uid.as_deref().map(str::to_owned);
        if record.class() != self.class {
            return Err(OcsfArrowError::ClassMismatch {
                batch: self.class,
                record: record.class(),
                event_uid: event_uid(),
            });
        }
        if record.version() != self.version {
            return Err(OcsfArrowError::VersionMismatch {
                batch: self.version,
                record: record.version(),
                event_uid: event_uid(),
            });
        }
        let class = self.class;
        let arrow = |source| OcsfArrowError::Arrow {
            class,
            event_uid: event_uid(),
            source,
        };
        self.rows_mut()
            .map_err(arrow)?
            .push(&ArrowForm(record))
            .map_err(|refused| arrow(ArrowError::JsonError(refused.0)))
    }

    fn rows_mut(&mut self) -> Result<&mut Rows, ArrowError> {
        self.rows
            .as_mut()
            .map_err(|message| ArrowError::SchemaError(message.clone()))
    }

    /// How many records wait for [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.rows.as_ref().map_or(0, Rows::rows)
    }

    /// Whether no record waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The batch of every record pushed since the last call (possibly empty, with the same schema);
    /// the builder is then empty and ready for reuse.
    pub fn finish(&mut self) -> Result<RecordBatch, OcsfArrowError> {
        let class = self.class;
        let arrow = |source| OcsfArrowError::Arrow {
            class,
            event_uid: None,
            source,
        };
        let columns = self.rows_mut().map_err(arrow)?.finish().map_err(arrow)?;
        RecordBatch::try_new(self.schema.clone(), columns).map_err(arrow)
    }
}

#[cfg(test)]
mod tests {
    //! The direct columns against what `arrow_json`'s strict decoder built from each record's Arrow-form
    //! JSON text before: equal batches for every corpus, sample and generated record at every release.

    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{Array, ArrayRef, ListArray, StructArray, TimestampMillisecondArray};
    use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
    use cloudtrail_model::Event;

    use super::*;
    use crate::{Mapper, MappingOptions};

    /// The decoding schema: timestamps as Int64 (arrow_json needs a zone database for `"UTC"`).
    fn plain(data_type: &DataType) -> DataType {
        match data_type {
            DataType::Timestamp(_, _) => DataType::Int64,
            DataType::Struct(fields) => DataType::Struct(plain_fields(fields)),
            DataType::List(item) => DataType::List(Arc::new(plain_field(item))),
            other => other.clone(),
        }
    }

    fn plain_field(field: &Field) -> Field {
        field.clone().with_data_type(plain(field.data_type()))
    }

    fn plain_fields(fields: &Fields) -> Fields {
        fields.iter().map(|field| plain_field(field)).collect()
    }

    /// A decoded column given the schema's timestamp types back.
    fn retype(array: ArrayRef, target: &DataType) -> ArrayRef {
        match target {
            DataType::Timestamp(TimeUnit::Millisecond, zone) => {
                let ints = array.as_primitive::<Int64Type>();
                Arc::new(
                    TimestampMillisecondArray::new(ints.values().clone(), ints.nulls().cloned())
                        .with_timezone_opt(zone.clone()),
                )
            }
            DataType::Struct(fields) => {
                let structure = array.as_struct();
                let columns = structure
                    .columns()
                    .iter()
                    .zip(fields.iter())
                    .map(|(column, field)| retype(column.clone(), field.data_type()))
                    .collect();
                Arc::new(StructArray::new(
                    fields.clone(),
                    columns,
                    structure.nulls().cloned(),
                ))
            }
            DataType::List(item) => {
                let list = array.as_list::<i32>();
                Arc::new(ListArray::new(
                    item.clone(),
                    list.offsets().clone(),
                    retype(list.values().clone(), item.data_type()),
                    list.nulls().cloned(),
                ))
            }
            _ => array,
        }
    }

    fn through_arrow_json(
        records: &[OcsfEvent<'_>],
        class: OcsfClass,
        version: OcsfVersion,
    ) -> RecordBatch {
        let schema = ocsf_arrow_schema(class, version);
        let decoding = Arc::new(Schema::new(plain_fields(schema.fields())));
        let mut decoder = arrow_json::ReaderBuilder::new(decoding)
            .with_strict_mode(true)
            .build_decoder()
            .unwrap();
        let forms: Vec<ArrowForm<'_, '_>> = records.iter().map(ArrowForm).collect();
        decoder.serialize(&forms).unwrap();
        let decoded = decoder.flush().unwrap().unwrap();
        let columns = decoded
            .columns()
            .iter()
            .zip(schema.fields().iter())
            .map(|(column, field)| retype(column.clone(), field.data_type()))
            .collect();
        RecordBatch::try_new(schema, columns).unwrap()
    }

    fn texts() -> Vec<String> {
        let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));
        let mut texts = Vec::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("corpus"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                if line.trim().is_empty() {
                    continue;
                }
                let key = match name.as_str() {
                    "panther_expectations.jsonl" => "event",
                    "eventbridge-envelopes.jsonl" => "detail",
                    _ => {
                        texts.push(line.to_owned());
                        continue;
                    }
                };
                let members: BTreeMap<String, &serde_json::value::RawValue> =
                    serde_json::from_str(line).unwrap();
                texts.push(members[key].get().to_owned());
            }
        }
        for dir in ["samples", "on_behalf_of"] {
            for entry in std::fs::read_dir(data.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.to_string_lossy();
                if name.ends_with(".cloudtrail.json")
                    || (dir == "on_behalf_of" && name.ends_with(".json"))
                {
                    texts.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let config = cloudtrail_synthetic::GeneratorConfig {
            records: 3_000,
            seed: 7,
            ..cloudtrail_synthetic::GeneratorConfig::default()
        };
        texts.extend(cloudtrail_synthetic::records(&config));
        texts
    }

    #[test]
    fn direct_columns_equal_what_arrow_json_decoded() {
        let texts = texts();
        let events: Vec<Event<'_>> = texts
            .iter()
            .filter_map(|t| Event::from_json(t).ok())
            .collect();
        assert!(events.len() > 3_000, "{} records", events.len());
        for version in OcsfVersion::ALL {
            let mapper = Mapper::new(MappingOptions::for_version(version));
            let mut by_class: BTreeMap<OcsfClass, Vec<OcsfEvent<'_>>> = BTreeMap::new();
            for event in &events {
                if let Ok(record) = mapper.map(event) {
                    by_class.entry(record.class()).or_default().push(record);
                }
            }
            assert_eq!(by_class.len(), OcsfClass::ALL.len(), "{version}");
            for (class, records) in &by_class {
                let mut builder = OcsfBatchBuilder::new(*class, version);
                for record in records {
                    builder.push(record).unwrap();
                }
                let direct = builder.finish().unwrap();
                let decoded = through_arrow_json(records, *class, version);
                assert_eq!(direct.num_rows(), records.len());
                for (index, field) in direct.schema().fields().iter().enumerate() {
                    assert_eq!(
                        direct.column(index).as_ref(),
                        decoded.column(index).as_ref(),
                        "{class} at {version}: column {}",
                        field.name()
                    );
                }
                assert_eq!(direct, decoded, "{class} at {version}");
            }
        }
    }

    #[test]
    fn a_refused_record_leaves_the_rows_before_it() {
        let text = r#"{"eventTime": "2024-06-01T12:00:00Z", "eventName": "ListBuckets",
          "eventSource": "s3.amazonaws.com", "sourceIPAddress": "192.0.2.1",
          "userIdentity": {"type": "Root", "accountId": "111122223333"}}"#;
        let event = Event::from_json(text).unwrap();
        let record = Mapper::new(MappingOptions::default()).map(&event).unwrap();
        // A schema without `time`: the record's `time` member is outside it, after most columns
        // already took a value.
        let schema = ocsf_arrow_schema(OcsfClass::ApiActivity, OcsfVersion::V1_1_0);
        let fields: Fields = schema
            .fields()
            .iter()
            .filter(|field| field.name() != "time")
            .cloned()
            .collect();
        let mut rows = Rows::new(&fields).unwrap();
        rows.push(&ArrowForm(&record)).unwrap_err();
        assert_eq!(rows.rows(), 0);
        let mut full = Rows::new(schema.fields()).unwrap();
        full.push(&ArrowForm(&record)).unwrap();
        full.push(&ArrowForm(&record)).unwrap();
        let columns = full.finish().unwrap();
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        assert_eq!(batch.num_rows(), 2);
        // Cut back after a failure half way, every column has the rows before it and no more.
        let columns = rows.finish().unwrap();
        assert!(columns.iter().all(|column| column.is_empty()));
    }
}

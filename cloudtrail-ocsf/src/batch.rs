//! [`OcsfBatchBuilder`]: OCSF records of one class and release into Arrow `RecordBatch`es.
//!
//! Rows go through `arrow_json`'s decoder in strict mode, so a record member the schema does not hold is
//! an error, never a silently dropped column. The `json_t` members become their JSON text as written in
//! the CloudTrail record.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{
    Array, ArrayRef, ListArray, RecordBatch, StructArray, TimestampMillisecondArray,
};
use arrow_json::reader::Decoder;
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

use crate::class::OcsfClass;
use crate::columns::ocsf_arrow_schema;
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
    /// The decoder, or why arrow_json could not build one for the schema (reported at each use).
    decoder: Result<Decoder, String>,
    rows: usize,
}

impl std::fmt::Debug for OcsfBatchBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcsfBatchBuilder")
            .field("class", &self.class)
            .field("version", &self.version)
            .field("rows", &self.rows)
            .finish()
    }
}

/// The schema rows are decoded with: the OCSF schema with each `Timestamp` as `Int64`. arrow_json would
/// need a time-zone database to build a decoder for a `"UTC"` zone; the milliseconds are the same
/// either way, and [`retype`] gives the columns their timestamp type after decoding.
fn decoding_schema(schema: &SchemaRef) -> SchemaRef {
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
    Arc::new(Schema::new(plain_fields(schema.fields())))
}

/// Gives a decoded column the type of the OCSF schema (`Int64` → `Timestamp(ms, "UTC")`, inside
/// structs and lists too).
fn retype(array: ArrayRef, target: &DataType) -> Result<ArrayRef, ArrowError> {
    let mismatch = || ArrowError::SchemaError(format!("decoded column is not {target}"));
    match target {
        DataType::Timestamp(TimeUnit::Millisecond, zone) => {
            let ints = array.as_primitive_opt::<Int64Type>().ok_or_else(mismatch)?;
            let times =
                TimestampMillisecondArray::new(ints.values().clone(), ints.nulls().cloned())
                    .with_timezone_opt(zone.clone());
            Ok(Arc::new(times))
        }
        DataType::Struct(fields) => {
            let structure = array.as_struct_opt().ok_or_else(mismatch)?;
            let columns = structure
                .columns()
                .iter()
                .zip(fields.iter())
                .map(|(column, field)| retype(column.clone(), field.data_type()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Arc::new(StructArray::try_new(
                fields.clone(),
                columns,
                structure.nulls().cloned(),
            )?))
        }
        DataType::List(item) => {
            let list = array.as_list_opt::<i32>().ok_or_else(mismatch)?;
            let values = retype(list.values().clone(), item.data_type())?;
            Ok(Arc::new(ListArray::try_new(
                item.clone(),
                list.offsets().clone(),
                values,
                list.nulls().cloned(),
            )?))
        }
        _ => Ok(array),
    }
}

fn decoder(schema: &SchemaRef) -> Result<Decoder, ArrowError> {
    arrow_json::ReaderBuilder::new(decoding_schema(schema))
        .with_strict_mode(true)
        // `serialize` takes any number of rows; the batch size only sizes the tape reserved up front,
        // for that many rows of every top-level member: 1,024 rows took about 1.3 MiB per builder, and
        // a writer keeps a builder per partition and class.
        .with_batch_size(64)
        .build_decoder()
}

impl OcsfBatchBuilder {
    /// Bytes a builder holds once its first row is in (the decoder's tape reserved for 64 rows and its
    /// column decoders), beyond the per-row estimate the OCSF writer makes: about 38 KiB per one-row
    /// partition by the process's resident growth in `tests/memory.rs`, which fails when the count
    /// falls short.
    pub const EMPTY_BYTES: usize = 48 << 10;

    /// An empty builder for `class` at `version`.
    pub fn new(class: OcsfClass, version: OcsfVersion) -> Self {
        let schema = ocsf_arrow_schema(class, version);
        // Building a decoder fails only for a schema arrow_json cannot read; ours is fixed and tested,
        // but the error is kept and returned by push/finish rather than panicking here.
        let decoder = decoder(&schema).map_err(|error| error.to_string());
        OcsfBatchBuilder {
            class,
            version,
            schema,
            decoder,
            rows: 0,
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
        self.decoder_mut()
            .map_err(|source| OcsfArrowError::Arrow {
                class,
                event_uid: event_uid(),
                source,
            })?
            .serialize(&[ArrowForm(record)])
            .map_err(|source| OcsfArrowError::Arrow {
                class: self.class,
                event_uid: event_uid(),
                source,
            })?;
        self.rows += 1;
        Ok(())
    }

    fn decoder_mut(&mut self) -> Result<&mut Decoder, ArrowError> {
        self.decoder
            .as_mut()
            .map_err(|message| ArrowError::SchemaError(message.clone()))
    }

    /// How many records wait for [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no record waits.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
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
        self.rows = 0;
        let Some(decoded) = self.decoder_mut().map_err(arrow)?.flush().map_err(arrow)? else {
            return Ok(RecordBatch::new_empty(self.schema.clone()));
        };
        let columns = decoded
            .columns()
            .iter()
            .zip(self.schema.fields().iter())
            .map(|(column, field)| retype(column.clone(), field.data_type()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(arrow)?;
        RecordBatch::try_new(self.schema.clone(), columns).map_err(arrow)
    }
}

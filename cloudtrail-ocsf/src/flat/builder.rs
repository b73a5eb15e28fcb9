//! [`FlatBatchBuilder`]: borrowed records appended straight into the flat layout's Arrow columns.

use std::fmt::Write;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, StringBuilder, TimestampMillisecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::ArrowError;
use chrono::{DateTime, Utc};
use cloudtrail_model::{Event, Timestamp};

use super::columns::{
    AddendumColumns, IdentityColumns, ResourcesColumns, TlsColumns, put, put_flag,
};
use super::other::{FlagForm, ObjectWriter};
use super::schema::flat_schema;

/// Bytes a row costs beyond its text (offsets, validity bits, fixed-width values), for
/// [`FlatBatchBuilder::approx_bytes`].
const ROW_OVERHEAD: usize = 256;

/// Why a record could not be added to a flat batch, or a batch not built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlatError {
    /// A member could not be serialised to JSON text (its column or `_other`).
    #[error("cannot write `{member}` as JSON: {source}")]
    Json {
        /// The member.
        member: &'static str,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// Arrow refused the columns (a bug in the layout if it ever happens).
    #[error("cannot build the flat batch: {source}")]
    Arrow {
        /// What Arrow said.
        #[from]
        source: ArrowError,
    },
}

/// Builds flat-layout [`RecordBatch`]es ([`flat_schema`](super::flat_schema)) from borrowed records.
///
/// Each [`push`](FlatBatchBuilder::push) appends the record's members to the column builders directly;
/// the only per-record work beyond copying text is writing `_other`, into a reused buffer, and only for
/// records that have something to put there.
///
/// ```
/// use cloudtrail_model::Event;
/// use cloudtrail_ocsf::flat::FlatBatchBuilder;
///
/// let event = Event::from_json(r#"{"eventTime":"2024-05-01T12:00:00Z","eventName":"GetObject","x":1}"#)?;
/// let mut builder = FlatBatchBuilder::new();
/// builder.push(&event)?;
/// let batch = builder.finish()?;
/// assert_eq!(batch.num_rows(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FlatBatchBuilder {
    event_version: StringBuilder,
    user_identity: IdentityColumns,
    event_time: TimestampMillisecondBuilder,
    event_source: StringBuilder,
    event_name: StringBuilder,
    aws_region: StringBuilder,
    source_ip_address: StringBuilder,
    user_agent: StringBuilder,
    error_code: StringBuilder,
    error_message: StringBuilder,
    request_parameters: StringBuilder,
    response_elements: StringBuilder,
    additional_event_data: StringBuilder,
    request_id: StringBuilder,
    event_id: StringBuilder,
    event_type: StringBuilder,
    api_version: StringBuilder,
    management_event: BooleanBuilder,
    read_only: BooleanBuilder,
    resources: ResourcesColumns,
    recipient_account_id: StringBuilder,
    service_event_details: StringBuilder,
    shared_event_id: StringBuilder,
    vpc_endpoint_id: StringBuilder,
    vpc_endpoint_account_id: StringBuilder,
    event_category: StringBuilder,
    addendum: AddendumColumns,
    session_credential_from_console: BooleanBuilder,
    edge_device_details: StringBuilder,
    tls_details: TlsColumns,
    insight_details: StringBuilder,
    event_context: StringBuilder,
    aggregated_event_id: StringBuilder,
    aggregated_account_id: StringBuilder,
    time_window: StringBuilder,
    summary: StringBuilder,
    other: StringBuilder,
    /// `_other` of the record being pushed.
    other_text: String,
    /// `insightDetails` and, when it must be kept whole, `resources`, serialised.
    json_text: Vec<u8>,
    /// A time rendered in the column's form, to compare with the written form.
    time_text: String,
    rows: usize,
    bytes: usize,
}

impl Default for FlatBatchBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for FlatBatchBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlatBatchBuilder")
            .field("rows", &self.rows)
            .field("approx_bytes", &self.approx_bytes())
            .finish_non_exhaustive()
    }
}

impl FlatBatchBuilder {
    /// Bytes a builder holds once its first row is in (each column's first allocation, rounded up to
    /// Arrow's 64 bytes, and the reused text buffers), beyond what [`approx_bytes`](Self::approx_bytes)
    /// counts for that row: about 21 KiB per one-row partition by the process's resident growth in
    /// `tests/memory.rs`, which fails when the count falls short (it was 334 KiB when every column
    /// reserved 1,024 rows).
    pub const EMPTY_BYTES: usize = 32 << 10;

    /// An empty builder.
    pub fn new() -> Self {
        FlatBatchBuilder {
            event_version: StringBuilder::with_capacity(0, 0),
            user_identity: IdentityColumns::default(),
            event_time: TimestampMillisecondBuilder::with_capacity(0).with_timezone("UTC"),
            event_source: StringBuilder::with_capacity(0, 0),
            event_name: StringBuilder::with_capacity(0, 0),
            aws_region: StringBuilder::with_capacity(0, 0),
            source_ip_address: StringBuilder::with_capacity(0, 0),
            user_agent: StringBuilder::with_capacity(0, 0),
            error_code: StringBuilder::with_capacity(0, 0),
            error_message: StringBuilder::with_capacity(0, 0),
            request_parameters: StringBuilder::with_capacity(0, 0),
            response_elements: StringBuilder::with_capacity(0, 0),
            additional_event_data: StringBuilder::with_capacity(0, 0),
            request_id: StringBuilder::with_capacity(0, 0),
            event_id: StringBuilder::with_capacity(0, 0),
            event_type: StringBuilder::with_capacity(0, 0),
            api_version: StringBuilder::with_capacity(0, 0),
            management_event: BooleanBuilder::with_capacity(0),
            read_only: BooleanBuilder::with_capacity(0),
            resources: ResourcesColumns::default(),
            recipient_account_id: StringBuilder::with_capacity(0, 0),
            service_event_details: StringBuilder::with_capacity(0, 0),
            shared_event_id: StringBuilder::with_capacity(0, 0),
            vpc_endpoint_id: StringBuilder::with_capacity(0, 0),
            vpc_endpoint_account_id: StringBuilder::with_capacity(0, 0),
            event_category: StringBuilder::with_capacity(0, 0),
            addendum: AddendumColumns::default(),
            session_credential_from_console: BooleanBuilder::with_capacity(0),
            edge_device_details: StringBuilder::with_capacity(0, 0),
            tls_details: TlsColumns::default(),
            insight_details: StringBuilder::with_capacity(0, 0),
            event_context: StringBuilder::with_capacity(0, 0),
            aggregated_event_id: StringBuilder::with_capacity(0, 0),
            aggregated_account_id: StringBuilder::with_capacity(0, 0),
            time_window: StringBuilder::with_capacity(0, 0),
            summary: StringBuilder::with_capacity(0, 0),
            other: StringBuilder::with_capacity(0, 0),
            other_text: String::new(),
            json_text: Vec::new(),
            time_text: String::new(),
            rows: 0,
            bytes: 0,
        }
    }

    /// Rows pushed since the last [`finish`](FlatBatchBuilder::finish).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row has been pushed since the last [`finish`](FlatBatchBuilder::finish).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// An estimate of the memory the buffered rows take: their text plus a fixed cost per row.
    pub fn approx_bytes(&self) -> usize {
        self.bytes + self.rows * ROW_OVERHEAD
    }

    /// Appends one record. On error nothing is appended.
    pub fn push(&mut self, event: &Event<'_>) -> Result<(), FlatError> {
        // The fallible part first, so that a failure leaves every column as it was.
        self.json_text.clear();
        let insight_end = match &event.insight_details {
            Some(insight) => {
                serde_json::to_writer(&mut self.json_text, &**insight).map_err(|source| {
                    FlatError::Json {
                        member: "insightDetails",
                        source,
                    }
                })?;
                Some(self.json_text.len())
            }
            None => None,
        };
        let resources_kept_whole = event
            .resources
            .as_ref()
            .is_some_and(|items| items.iter().any(|item| !item.other.is_empty()));
        if resources_kept_whole {
            serde_json::to_writer(&mut self.json_text, &event.resources).map_err(|source| {
                FlatError::Json {
                    member: "resources",
                    source,
                }
            })?;
        }
        let (insight_text, resources_text) = {
            // serde_json writes UTF-8; a failure here would be a serde_json bug, reported, not a panic.
            let text = std::str::from_utf8(&self.json_text).map_err(|error| FlatError::Json {
                member: "insightDetails",
                source: serde::ser::Error::custom(error),
            })?;
            match insight_end {
                Some(end) => (text.get(..end), text.get(end..)),
                None => (None, Some(text)),
            }
        };
        let resources_text = resources_text.filter(|_| resources_kept_whole);
        // Aggregated events' window and summary (rare: one record per five minutes of data events).
        let window_text = match &event.time_window {
            Some(window) => {
                Some(
                    serde_json::to_string(&**window).map_err(|source| FlatError::Json {
                        member: "timeWindow",
                        source,
                    })?,
                )
            }
            None => None,
        };
        let summary_text = match &event.summary {
            Some(summary) => {
                Some(
                    serde_json::to_string(&**summary).map_err(|source| FlatError::Json {
                        member: "summary",
                        source,
                    })?,
                )
            }
            None => None,
        };

        let time = event
            .event_time
            .as_ref()
            .map(|t| column_time(t, &mut self.time_text));
        self.other_text.clear();
        let mut other = ObjectWriter::new(&mut self.other_text);
        if let Some((_, false)) = time
            && let Some(written) = &event.event_time
        {
            other.string("eventTime", written.as_str());
        }
        write_other(&mut other, event, resources_text);
        let has_other = other.finish();

        let bytes = &mut self.bytes;
        put(&mut self.event_version, event.event_version.as_ref(), bytes);
        self.user_identity
            .push(event.user_identity.as_deref(), bytes);
        self.event_time.append_option(time.and_then(|(ms, _)| ms));
        put(&mut self.event_source, event.event_source.as_ref(), bytes);
        put(&mut self.event_name, event.event_name.as_ref(), bytes);
        put(&mut self.aws_region, event.aws_region.as_ref(), bytes);
        put(
            &mut self.source_ip_address,
            event.source_ip_address.as_ref(),
            bytes,
        );
        put(&mut self.user_agent, event.user_agent.as_ref(), bytes);
        put(&mut self.error_code, event.error_code.as_ref(), bytes);
        put(&mut self.error_message, event.error_message.as_ref(), bytes);
        put(
            &mut self.request_parameters,
            event.request_parameters.as_ref(),
            bytes,
        );
        put(
            &mut self.response_elements,
            event.response_elements.as_ref(),
            bytes,
        );
        put(
            &mut self.additional_event_data,
            event.additional_event_data.as_ref(),
            bytes,
        );
        put(&mut self.request_id, event.request_id.as_ref(), bytes);
        put(&mut self.event_id, event.event_id.as_ref(), bytes);
        put(&mut self.event_type, event.event_type.as_ref(), bytes);
        put(&mut self.api_version, event.api_version.as_ref(), bytes);
        put_flag(&mut self.management_event, event.management_event.as_ref());
        put_flag(&mut self.read_only, event.read_only.as_ref());
        self.resources.push(event.resources.as_ref(), bytes);
        put(
            &mut self.recipient_account_id,
            event.recipient_account_id.as_ref(),
            bytes,
        );
        put(
            &mut self.service_event_details,
            event.service_event_details.as_ref(),
            bytes,
        );
        put(
            &mut self.shared_event_id,
            event.shared_event_id.as_ref(),
            bytes,
        );
        put(
            &mut self.vpc_endpoint_id,
            event.vpc_endpoint_id.as_ref(),
            bytes,
        );
        put(
            &mut self.vpc_endpoint_account_id,
            event.vpc_endpoint_account_id.as_ref(),
            bytes,
        );
        put(
            &mut self.event_category,
            event.event_category.as_ref(),
            bytes,
        );
        self.addendum.push(event.addendum.as_deref(), bytes);
        put_flag(
            &mut self.session_credential_from_console,
            event.session_credential_from_console.as_ref(),
        );
        put(
            &mut self.edge_device_details,
            event.edge_device_details.as_ref(),
            bytes,
        );
        self.tls_details.push(event.tls_details.as_ref(), bytes);
        match insight_text {
            Some(text) => {
                *bytes += text.len();
                self.insight_details.append_value(text);
            }
            None => self.insight_details.append_null(),
        }
        put(&mut self.event_context, event.event_context.as_ref(), bytes);
        put(
            &mut self.aggregated_event_id,
            event.aggregated_event_id.as_ref(),
            bytes,
        );
        put(
            &mut self.aggregated_account_id,
            event.aggregated_account_id.as_ref(),
            bytes,
        );
        for (column, text) in [
            (&mut self.time_window, &window_text),
            (&mut self.summary, &summary_text),
        ] {
            match text {
                Some(text) => {
                    *bytes += text.len();
                    column.append_value(text);
                }
                None => column.append_null(),
            }
        }
        if has_other {
            *bytes += self.other_text.len();
            self.other.append_value(&self.other_text);
        } else {
            self.other.append_null();
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows pushed so far as one batch; the builder is left empty, ready for more.
    pub fn finish(&mut self) -> Result<RecordBatch, FlatError> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.event_version.finish()),
            self.user_identity.finish()?,
            Arc::new(self.event_time.finish()),
            Arc::new(self.event_source.finish()),
            Arc::new(self.event_name.finish()),
            Arc::new(self.aws_region.finish()),
            Arc::new(self.source_ip_address.finish()),
            Arc::new(self.user_agent.finish()),
            Arc::new(self.error_code.finish()),
            Arc::new(self.error_message.finish()),
            Arc::new(self.request_parameters.finish()),
            Arc::new(self.response_elements.finish()),
            Arc::new(self.additional_event_data.finish()),
            Arc::new(self.request_id.finish()),
            Arc::new(self.event_id.finish()),
            Arc::new(self.event_type.finish()),
            Arc::new(self.api_version.finish()),
            Arc::new(self.management_event.finish()),
            Arc::new(self.read_only.finish()),
            self.resources.finish()?,
            Arc::new(self.recipient_account_id.finish()),
            Arc::new(self.service_event_details.finish()),
            Arc::new(self.shared_event_id.finish()),
            Arc::new(self.vpc_endpoint_id.finish()),
            Arc::new(self.vpc_endpoint_account_id.finish()),
            Arc::new(self.event_category.finish()),
            self.addendum.finish()?,
            Arc::new(self.session_credential_from_console.finish()),
            Arc::new(self.edge_device_details.finish()),
            self.tls_details.finish()?,
            Arc::new(self.insight_details.finish()),
            Arc::new(self.event_context.finish()),
            Arc::new(self.aggregated_event_id.finish()),
            Arc::new(self.aggregated_account_id.finish()),
            Arc::new(self.time_window.finish()),
            Arc::new(self.summary.finish()),
            Arc::new(self.other.finish()),
        ];
        self.rows = 0;
        self.bytes = 0;
        Ok(RecordBatch::try_new(flat_schema(), columns)?)
    }
}

/// `eventTime` for its column: the instant in milliseconds (`None` when the text is not a time), and
/// whether the text is exactly what [`render_time`] writes for that value, so that it needs no copy in
/// `_other`.
fn column_time(time: &Timestamp<'_>, scratch: &mut String) -> (Option<i64>, bool) {
    let Some(utc) = time.utc() else {
        return (None, false);
    };
    let millis = utc.timestamp_millis();
    let text = time.as_str().as_bytes();
    // The raw-log form, which `Timestamp` has already checked digit by digit.
    let raw_log_form = text.len() == 20
        && text[4] == b'-'
        && text[7] == b'-'
        && text[10] == b'T'
        && text[13] == b':'
        && text[16] == b':'
        && text[19] == b'Z';
    if raw_log_form {
        return (Some(millis), true);
    }
    scratch.clear();
    render_time(millis, scratch);
    (Some(millis), scratch.as_bytes() == text)
}

/// Writes an `eventTime` column value as CloudTrail writes times: `2024-05-01T12:00:00Z`, or with
/// milliseconds (`2024-05-01T12:00:00.250Z`) when it has them. This is the form the flat layout reads as
/// needing no copy in `_other`.
pub fn render_time(millis: i64, out: &mut String) {
    let Some(utc) = DateTime::<Utc>::from_timestamp_millis(millis) else {
        return;
    };
    // Writing to a String cannot fail.
    let _ = if millis.rem_euclid(1000) == 0 {
        write!(out, "{}", utc.format("%Y-%m-%dT%H:%M:%SZ"))
    } else {
        write!(out, "{}", utc.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
    };
}

/// Everything of the record the typed columns do not hold, nested as in the record.
fn write_other(other: &mut ObjectWriter<'_>, event: &Event<'_>, resources: Option<&str>) {
    other.members(&event.other);
    if let Some(identity) = &event.user_identity {
        other.nested("userIdentity", |o| {
            o.members(&identity.other);
            if let Some(session) = &identity.session_context {
                o.nested("sessionContext", |o| {
                    o.members(&session.other);
                    if let Some(attributes) = &session.attributes {
                        o.nested("attributes", |o| {
                            o.members(&attributes.other);
                            o.flag(
                                "mfaAuthenticated",
                                attributes.mfa_authenticated.as_ref(),
                                FlagForm::LowerCaseText,
                            );
                        });
                    }
                    if let Some(issuer) = &session.session_issuer {
                        o.nested("sessionIssuer", |o| o.members(&issuer.other));
                    }
                    if let Some(web) = &session.web_id_federation_data {
                        o.nested("webIdFederationData", |o| o.members(&web.other));
                    }
                    o.flag(
                        "assumedRoot",
                        session.assumed_root.as_ref(),
                        FlagForm::LowerCaseText,
                    );
                });
            }
            if let Some(on_behalf_of) = &identity.on_behalf_of {
                o.nested("onBehalfOf", |o| o.members(&on_behalf_of.other));
            }
            if let Some(in_scope_of) = &identity.in_scope_of {
                o.nested("inScopeOf", |o| o.members(&in_scope_of.other));
            }
        });
    }
    other.flag(
        "managementEvent",
        event.management_event.as_ref(),
        FlagForm::Bool,
    );
    other.flag("readOnly", event.read_only.as_ref(), FlagForm::Bool);
    other.flag(
        "sessionCredentialFromConsole",
        event.session_credential_from_console.as_ref(),
        FlagForm::LowerCaseText,
    );
    if let Some(resources) = resources {
        other.raw("resources", resources);
    }
    if let Some(addendum) = &event.addendum {
        other.nested("addendum", |o| o.members(&addendum.other));
    }
    if let Some(tls) = &event.tls_details {
        other.nested("tlsDetails", |o| o.members(&tls.other));
    }
}

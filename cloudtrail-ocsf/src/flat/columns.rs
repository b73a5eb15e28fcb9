//! Column builders for the flat layout's nested members: one small type per CloudTrail object, each
//! appending a borrowed model value straight into Arrow builders.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, NullBufferBuilder, OffsetBufferBuilder, StringBuilder};
use arrow_array::{ArrayRef, ListArray, StructArray};
use arrow_schema::ArrowError;
use cloudtrail_model::{
    Addendum, EventCategory, EventType, Flag, IdentityType, InScopeOf, OnBehalfOf, RawJson,
    Resource, SessionAttributes, SessionContext, SessionIssuer, SubjectType, Timestamp, TlsDetails,
    UserIdentity, WebIdFederationData,
};

use super::schema;

/// A model value that a `Utf8` column holds as text: strings, open enums, times and raw JSON as written.
pub(crate) trait AsText {
    fn text(&self) -> &str;
}

impl AsText for Cow<'_, str> {
    fn text(&self) -> &str {
        self
    }
}

impl AsText for RawJson<'_> {
    fn text(&self) -> &str {
        self.get()
    }
}

impl AsText for Timestamp<'_> {
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl AsText for IdentityType<'_> {
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl AsText for SubjectType<'_> {
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl AsText for EventType<'_> {
    fn text(&self) -> &str {
        self.as_str()
    }
}

impl AsText for EventCategory<'_> {
    fn text(&self) -> &str {
        self.as_str()
    }
}

/// Appends a text value (or null), counting its bytes toward the builder's size estimate.
pub(crate) fn put<T: AsText>(column: &mut StringBuilder, value: Option<&T>, bytes: &mut usize) {
    match value {
        Some(value) => {
            let text = value.text();
            *bytes += text.len();
            column.append_value(text);
        }
        None => column.append_null(),
    }
}

/// Appends a flag's meaning (`Flag::value`): null when absent or neither `true` nor `false`.
pub(crate) fn put_flag(column: &mut BooleanBuilder, value: Option<&Flag<'_>>) {
    column.append_option(value.and_then(Flag::value));
}

fn finish_text(column: &mut StringBuilder) -> ArrayRef {
    Arc::new(column.finish())
}

fn finish_flag(column: &mut BooleanBuilder) -> ArrayRef {
    Arc::new(column.finish())
}

/// Declares the columns of an object whose members are all text: a validity buffer and one `Utf8`
/// builder per member, in schema order. Most records lack most of these objects, so the children's
/// nulls for absent objects are appended in runs, when the next present object (or the end) comes.
macro_rules! text_object {
    ($name:ident, $model:ident, $fields:path, [$($field:ident),* $(,)?]) => {
        pub(crate) struct $name {
            valid: NullBufferBuilder,
            /// Absent objects whose children's nulls are not appended yet.
            pending_nulls: usize,
            $($field: StringBuilder,)*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    valid: NullBufferBuilder::new(0),
                    pending_nulls: 0,
                    $($field: StringBuilder::with_capacity(0, 0),)*
                }
            }
        }

        impl $name {
            fn catch_up(&mut self) {
                if self.pending_nulls > 0 {
                    $(self.$field.append_nulls(self.pending_nulls);)*
                    self.pending_nulls = 0;
                }
            }

            pub(crate) fn push(&mut self, value: Option<&$model<'_>>, bytes: &mut usize) {
                match value {
                    Some(value) => {
                        self.catch_up();
                        self.valid.append_non_null();
                        $(put(&mut self.$field, value.$field.as_ref(), bytes);)*
                    }
                    None => {
                        self.valid.append_null();
                        self.pending_nulls += 1;
                    }
                }
            }

            pub(crate) fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
                self.catch_up();
                let children = vec![$(finish_text(&mut self.$field)),*];
                Ok(Arc::new(StructArray::try_new($fields(), children, self.valid.finish())?))
            }
        }
    };
}

text_object!(
    IssuerColumns,
    SessionIssuer,
    schema::session_issuer_fields,
    [issuer_type, principal_id, arn, account_id, user_name]
);
text_object!(
    WebIdColumns,
    WebIdFederationData,
    schema::web_id_fields,
    [federated_provider, attributes]
);
text_object!(
    OnBehalfOfColumns,
    OnBehalfOf,
    schema::on_behalf_of_fields,
    [
        user_id,
        identity_store_arn,
        identity_center_instance_arn,
        subject,
        subject_type,
        issuer,
        federated_provider_arn
    ]
);
text_object!(
    InScopeOfColumns,
    InScopeOf,
    schema::in_scope_of_fields,
    [
        source_arn,
        source_account,
        issuer_type,
        credentials_issued_to
    ]
);
text_object!(
    AddendumColumns,
    Addendum,
    schema::addendum_fields,
    [
        reason,
        updated_fields,
        original_request_id,
        original_event_id
    ]
);
text_object!(
    TlsColumns,
    TlsDetails,
    schema::tls_fields,
    [
        tls_version,
        cipher_suite,
        client_provided_host_header,
        key_exchange
    ]
);
text_object!(
    ResourceColumns,
    Resource,
    schema::resource_fields,
    [arn, account_id, resource_type]
);

/// `sessionContext.attributes`.
pub(crate) struct AttributesColumns {
    valid: NullBufferBuilder,
    creation_date: StringBuilder,
    mfa_authenticated: BooleanBuilder,
}

impl Default for AttributesColumns {
    fn default() -> Self {
        AttributesColumns {
            valid: NullBufferBuilder::new(0),
            creation_date: StringBuilder::with_capacity(0, 0),
            mfa_authenticated: BooleanBuilder::with_capacity(0),
        }
    }
}

impl AttributesColumns {
    fn push(&mut self, value: Option<&SessionAttributes<'_>>, bytes: &mut usize) {
        self.valid.append(value.is_some());
        put(
            &mut self.creation_date,
            value.and_then(|v| v.creation_date.as_ref()),
            bytes,
        );
        put_flag(
            &mut self.mfa_authenticated,
            value.and_then(|v| v.mfa_authenticated.as_ref()),
        );
    }

    fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let children = vec![
            finish_text(&mut self.creation_date),
            finish_flag(&mut self.mfa_authenticated),
        ];
        Ok(Arc::new(StructArray::try_new(
            schema::attributes_fields(),
            children,
            self.valid.finish(),
        )?))
    }
}

/// `userIdentity.sessionContext`.
pub(crate) struct SessionColumns {
    valid: NullBufferBuilder,
    attributes: AttributesColumns,
    session_issuer: IssuerColumns,
    web_id_federation_data: WebIdColumns,
    source_identity: StringBuilder,
    ec2_role_delivery: StringBuilder,
    assumed_root: BooleanBuilder,
}

impl Default for SessionColumns {
    fn default() -> Self {
        SessionColumns {
            valid: NullBufferBuilder::new(0),
            attributes: AttributesColumns::default(),
            session_issuer: IssuerColumns::default(),
            web_id_federation_data: WebIdColumns::default(),
            source_identity: StringBuilder::with_capacity(0, 0),
            ec2_role_delivery: StringBuilder::with_capacity(0, 0),
            assumed_root: BooleanBuilder::with_capacity(0),
        }
    }
}

impl SessionColumns {
    fn push(&mut self, value: Option<&SessionContext<'_>>, bytes: &mut usize) {
        self.valid.append(value.is_some());
        self.attributes
            .push(value.and_then(|v| v.attributes.as_ref()), bytes);
        self.session_issuer
            .push(value.and_then(|v| v.session_issuer.as_ref()), bytes);
        self.web_id_federation_data
            .push(value.and_then(|v| v.web_id_federation_data.as_ref()), bytes);
        put(
            &mut self.source_identity,
            value.and_then(|v| v.source_identity.as_ref()),
            bytes,
        );
        put(
            &mut self.ec2_role_delivery,
            value.and_then(|v| v.ec2_role_delivery.as_ref()),
            bytes,
        );
        put_flag(
            &mut self.assumed_root,
            value.and_then(|v| v.assumed_root.as_ref()),
        );
    }

    fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let children = vec![
            self.attributes.finish()?,
            self.session_issuer.finish()?,
            self.web_id_federation_data.finish()?,
            finish_text(&mut self.source_identity),
            finish_text(&mut self.ec2_role_delivery),
            finish_flag(&mut self.assumed_root),
        ];
        Ok(Arc::new(StructArray::try_new(
            schema::session_context_fields(),
            children,
            self.valid.finish(),
        )?))
    }
}

/// `userIdentity`.
pub(crate) struct IdentityColumns {
    valid: NullBufferBuilder,
    identity_type: StringBuilder,
    principal_id: StringBuilder,
    arn: StringBuilder,
    account_id: StringBuilder,
    access_key_id: StringBuilder,
    user_name: StringBuilder,
    session_context: SessionColumns,
    invoked_by: StringBuilder,
    identity_provider: StringBuilder,
    on_behalf_of: OnBehalfOfColumns,
    credential_id: StringBuilder,
    in_scope_of: InScopeOfColumns,
}

impl Default for IdentityColumns {
    fn default() -> Self {
        IdentityColumns {
            valid: NullBufferBuilder::new(0),
            identity_type: StringBuilder::with_capacity(0, 0),
            principal_id: StringBuilder::with_capacity(0, 0),
            arn: StringBuilder::with_capacity(0, 0),
            account_id: StringBuilder::with_capacity(0, 0),
            access_key_id: StringBuilder::with_capacity(0, 0),
            user_name: StringBuilder::with_capacity(0, 0),
            session_context: SessionColumns::default(),
            invoked_by: StringBuilder::with_capacity(0, 0),
            identity_provider: StringBuilder::with_capacity(0, 0),
            on_behalf_of: OnBehalfOfColumns::default(),
            credential_id: StringBuilder::with_capacity(0, 0),
            in_scope_of: InScopeOfColumns::default(),
        }
    }
}

impl IdentityColumns {
    pub(crate) fn push(&mut self, value: Option<&UserIdentity<'_>>, bytes: &mut usize) {
        self.valid.append(value.is_some());
        put(
            &mut self.identity_type,
            value.and_then(|v| v.identity_type.as_ref()),
            bytes,
        );
        put(
            &mut self.principal_id,
            value.and_then(|v| v.principal_id.as_ref()),
            bytes,
        );
        put(&mut self.arn, value.and_then(|v| v.arn.as_ref()), bytes);
        put(
            &mut self.account_id,
            value.and_then(|v| v.account_id.as_ref()),
            bytes,
        );
        put(
            &mut self.access_key_id,
            value.and_then(|v| v.access_key_id.as_ref()),
            bytes,
        );
        put(
            &mut self.user_name,
            value.and_then(|v| v.user_name.as_ref()),
            bytes,
        );
        self.session_context
            .push(value.and_then(|v| v.session_context.as_ref()), bytes);
        put(
            &mut self.invoked_by,
            value.and_then(|v| v.invoked_by.as_ref()),
            bytes,
        );
        put(
            &mut self.identity_provider,
            value.and_then(|v| v.identity_provider.as_ref()),
            bytes,
        );
        self.on_behalf_of
            .push(value.and_then(|v| v.on_behalf_of.as_ref()), bytes);
        put(
            &mut self.credential_id,
            value.and_then(|v| v.credential_id.as_ref()),
            bytes,
        );
        self.in_scope_of
            .push(value.and_then(|v| v.in_scope_of.as_ref()), bytes);
    }

    pub(crate) fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let children = vec![
            finish_text(&mut self.identity_type),
            finish_text(&mut self.principal_id),
            finish_text(&mut self.arn),
            finish_text(&mut self.account_id),
            finish_text(&mut self.access_key_id),
            finish_text(&mut self.user_name),
            self.session_context.finish()?,
            finish_text(&mut self.invoked_by),
            finish_text(&mut self.identity_provider),
            self.on_behalf_of.finish()?,
            finish_text(&mut self.credential_id),
            self.in_scope_of.finish()?,
        ];
        Ok(Arc::new(StructArray::try_new(
            schema::user_identity_fields(),
            children,
            self.valid.finish(),
        )?))
    }
}

/// `resources`: a list of `{ARN, accountId, type}`.
pub(crate) struct ResourcesColumns {
    valid: NullBufferBuilder,
    offsets: OffsetBufferBuilder<i32>,
    items: ResourceColumns,
}

impl Default for ResourcesColumns {
    fn default() -> Self {
        ResourcesColumns {
            valid: NullBufferBuilder::new(0),
            offsets: OffsetBufferBuilder::new(0),
            items: ResourceColumns::default(),
        }
    }
}

impl ResourcesColumns {
    pub(crate) fn push(&mut self, value: Option<&Vec<Resource<'_>>>, bytes: &mut usize) {
        self.valid.append(value.is_some());
        let items = value.map_or(&[][..], Vec::as_slice);
        self.offsets.push_length(items.len());
        for item in items {
            self.items.push(Some(item), bytes);
        }
    }

    pub(crate) fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        let offsets = std::mem::replace(&mut self.offsets, OffsetBufferBuilder::new(0)).finish();
        Ok(Arc::new(ListArray::try_new(
            schema::resource_item(),
            offsets,
            self.items.finish()?,
            self.valid.finish(),
        )?))
    }
}

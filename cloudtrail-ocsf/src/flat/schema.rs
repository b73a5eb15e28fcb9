//! The flat layout's Arrow schema: [`flat_schema`].

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

/// The column holding, as a JSON object, whatever of a record the typed columns do not (see the
/// [module docs](crate::flat)).
pub const OTHER_COLUMN: &str = "_other";

/// The column the writer sorts rows by.
pub const TIME_COLUMN: &str = "eventTime";

fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn flag(name: &str) -> Field {
    Field::new(name, DataType::Boolean, true)
}

fn object(name: &str, fields: Fields) -> Field {
    Field::new(name, DataType::Struct(fields), true)
}

pub(crate) fn attributes_fields() -> Fields {
    Fields::from(vec![text("creationDate"), flag("mfaAuthenticated")])
}

pub(crate) fn session_issuer_fields() -> Fields {
    Fields::from(vec![
        text("type"),
        text("principalId"),
        text("arn"),
        text("accountId"),
        text("userName"),
    ])
}

pub(crate) fn web_id_fields() -> Fields {
    Fields::from(vec![text("federatedProvider"), text("attributes")])
}

pub(crate) fn session_context_fields() -> Fields {
    Fields::from(vec![
        object("attributes", attributes_fields()),
        object("sessionIssuer", session_issuer_fields()),
        object("webIdFederationData", web_id_fields()),
        text("sourceIdentity"),
        text("ec2RoleDelivery"),
        flag("assumedRoot"),
    ])
}

pub(crate) fn on_behalf_of_fields() -> Fields {
    Fields::from(vec![
        text("userId"),
        text("identityStoreArn"),
        text("identityCenterInstanceArn"),
        text("subject"),
        text("subjectType"),
        text("issuer"),
        text("federatedProviderArn"),
    ])
}

pub(crate) fn in_scope_of_fields() -> Fields {
    Fields::from(vec![
        text("sourceArn"),
        text("sourceAccount"),
        text("issuerType"),
        text("credentialsIssuedTo"),
    ])
}

pub(crate) fn user_identity_fields() -> Fields {
    Fields::from(vec![
        text("type"),
        text("principalId"),
        text("arn"),
        text("accountId"),
        text("accessKeyId"),
        text("userName"),
        object("sessionContext", session_context_fields()),
        text("invokedBy"),
        text("identityProvider"),
        object("onBehalfOf", on_behalf_of_fields()),
        text("credentialId"),
        object("inScopeOf", in_scope_of_fields()),
    ])
}

pub(crate) fn resource_fields() -> Fields {
    Fields::from(vec![text("ARN"), text("accountId"), text("type")])
}

/// The item field of the `resources` list.
pub(crate) fn resource_item() -> Arc<Field> {
    Arc::new(Field::new(
        "item",
        DataType::Struct(resource_fields()),
        true,
    ))
}

pub(crate) fn addendum_fields() -> Fields {
    Fields::from(vec![
        text("reason"),
        text("updatedFields"),
        text("originalRequestID"),
        text("originalEventID"),
    ])
}

pub(crate) fn tls_fields() -> Fields {
    Fields::from(vec![
        text("tlsVersion"),
        text("cipherSuite"),
        text("clientProvidedHostHeader"),
        text("keyExchange"),
    ])
}

/// The flat CloudTrail layout's schema: one nullable column per top-level CloudTrail member, in the order
/// `cloudtrail_model::Event` declares them, with CloudTrail's names, then [`OTHER_COLUMN`].
///
/// | column | Arrow type |
/// |---|---|
/// | `eventVersion`, `eventSource`, `eventName`, `awsRegion`, `sourceIPAddress`, `userAgent`, `errorCode`, `errorMessage`, `requestID`, `eventID`, `eventType`, `apiVersion`, `recipientAccountId`, `sharedEventID`, `vpcEndpointId`, `vpcEndpointAccountId`, `eventCategory`, and aggregated events' `eventId` and `accountId` | `Utf8` |
/// | `userIdentity` | `Struct` of `type`, `principalId`, `arn`, `accountId`, `accessKeyId`, `userName` (`Utf8`), `sessionContext` (`Struct` of `attributes` {`creationDate`: `Utf8`, `mfaAuthenticated`: `Boolean`}, `sessionIssuer` {`type`, `principalId`, `arn`, `accountId`, `userName`}, `webIdFederationData` {`federatedProvider`, `attributes`: JSON text}, `sourceIdentity`, `ec2RoleDelivery`, `assumedRoot`: `Boolean`), `invokedBy`, `identityProvider`, `onBehalfOf` {`userId`, `identityStoreArn`, `identityCenterInstanceArn`, `subject`, `subjectType`, `issuer`, `federatedProviderArn`}, `credentialId`, `inScopeOf` {`sourceArn`, `sourceAccount`, `issuerType`, `credentialsIssuedTo`} |
/// | `eventTime` | `Timestamp(Millisecond, "UTC")` |
/// | `requestParameters`, `responseElements`, `additionalEventData`, `serviceEventDetails`, `edgeDeviceDetails`, `eventContext`, `insightDetails`, aggregated events' `timeWindow` and `summary` | `Utf8`, JSON text |
/// | `managementEvent`, `readOnly`, `sessionCredentialFromConsole` | `Boolean` |
/// | `resources` | `List` of `Struct` {`ARN`, `accountId`, `type`} |
/// | `addendum` | `Struct` {`reason`, `updatedFields` (JSON text), `originalRequestID`, `originalEventID`} |
/// | `tlsDetails` | `Struct` {`tlsVersion`, `cipherSuite`, `clientProvidedHostHeader`, `keyExchange`} |
/// | `_other` | `Utf8`, a JSON object: see the [module docs](crate::flat) |
pub fn flat_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                text("eventVersion"),
                object("userIdentity", user_identity_fields()),
                Field::new(
                    "eventTime",
                    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
                    true,
                ),
                text("eventSource"),
                text("eventName"),
                text("awsRegion"),
                text("sourceIPAddress"),
                text("userAgent"),
                text("errorCode"),
                text("errorMessage"),
                text("requestParameters"),
                text("responseElements"),
                text("additionalEventData"),
                text("requestID"),
                text("eventID"),
                text("eventType"),
                text("apiVersion"),
                flag("managementEvent"),
                flag("readOnly"),
                Field::new("resources", DataType::List(resource_item()), true),
                text("recipientAccountId"),
                text("serviceEventDetails"),
                text("sharedEventID"),
                text("vpcEndpointId"),
                text("vpcEndpointAccountId"),
                text("eventCategory"),
                object("addendum", addendum_fields()),
                flag("sessionCredentialFromConsole"),
                text("edgeDeviceDetails"),
                object("tlsDetails", tls_fields()),
                text("insightDetails"),
                text("eventContext"),
                text("eventId"),
                text("accountId"),
                text("timeWindow"),
                text("summary"),
                text(OTHER_COLUMN),
            ]))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use cloudtrail_model::Event;

    use super::*;

    #[test]
    fn has_one_column_per_modelled_member_then_other() {
        let schema = flat_schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let mut expected: Vec<&str> = Event::FIELDS.to_vec();
        expected.push(OTHER_COLUMN);
        assert_eq!(names, expected);
    }

    #[test]
    fn user_identity_has_every_modelled_member() {
        use cloudtrail_model::{SessionContext, UserIdentity};
        let names =
            |fields: &Fields| -> Vec<String> { fields.iter().map(|f| f.name().clone()).collect() };
        assert_eq!(names(&user_identity_fields()), UserIdentity::FIELDS);
        assert_eq!(names(&session_context_fields()), SessionContext::FIELDS);
    }
}

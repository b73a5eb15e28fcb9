//! The smaller typed elements of a record: [`Resource`], [`TlsDetails`] and [`Addendum`].

use std::borrow::Cow;

use crate::json::{RawJson, json_object};

json_object! {
    /// One item of `resources`. Any member may be missing; the ARN key is spelt `ARN` in raw logs.
    pub struct Resource<'a> {
        /// `ARN` of the resource.
        "ARN" => arn: Cow<'a, str>,
        /// `accountId` that owns the resource (commonly absent for S3 objects).
        "accountId" => account_id: Cow<'a, str>,
        /// `type`: `AWS::<service>::<type>`.
        "type" => resource_type: Cow<'a, str>,
    }
}

json_object! {
    /// `tlsDetails`: the TLS session of the request; partial objects occur.
    pub struct TlsDetails<'a> {
        /// `tlsVersion`: `TLSv1.2`, `TLSv1.3`.
        "tlsVersion" => tls_version: Cow<'a, str>,
        /// `cipherSuite`.
        "cipherSuite" => cipher_suite: Cow<'a, str>,
        /// `clientProvidedHostHeader`: the host name the client asked for.
        "clientProvidedHostHeader" => client_provided_host_header: Cow<'a, str>,
        /// `keyExchange`: e.g. `X25519MLKEM768`, `x25519`.
        "keyExchange" => key_exchange: Cow<'a, str>,
    }
}

json_object! {
    /// `addendum`: why a record was delivered late or updated.
    pub struct Addendum<'a> {
        /// `reason`: `DELIVERY_DELAY`, `UPDATED_DATA` or `SERVICE_OUTAGE`.
        "reason" => reason: Cow<'a, str>,
        /// `updatedFields`: the updated members (a string in CloudTrail Lake's schema).
        "updatedFields" => updated_fields: RawJson<'a>,
        /// `originalRequestID` of the updated record.
        "originalRequestID" => original_request_id: Cow<'a, str>,
        /// `originalEventID` of the updated record.
        "originalEventID" => original_event_id: Cow<'a, str>,
    }
}

//! [`ocsf_arrow_schema`]: the Arrow schema of one class at one release, as Security Lake lays it out.
//!
//! Nested structs with the OCSF attribute names (lower-case snake_case), `time` Int64 milliseconds,
//! `*_dt` `Timestamp(Millisecond, "UTC")`, ids Int32 and `type_uid` Int64, `unmapped` `Map<Utf8, Utf8>`,
//! `observables` / `resources` / `policies` lists of structs, and the `json_t` members
//! (`api.request.data`, `api.response.data`) as JSON text. The schema holds every attribute the mapper can
//! produce for the class at the release, so it is the same for every batch: an attribute a batch lacks is
//! a null column, never a different schema.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

use crate::class::OcsfClass;
use crate::version::OcsfVersion;

fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn int32(name: &str) -> Field {
    Field::new(name, DataType::Int32, true)
}

fn int64(name: &str) -> Field {
    Field::new(name, DataType::Int64, true)
}

fn boolean(name: &str) -> Field {
    Field::new(name, DataType::Boolean, true)
}

fn datetime(name: &str) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        true,
    )
}

fn structure(name: &str, fields: Vec<Field>) -> Field {
    Field::new(name, DataType::Struct(Fields::from(fields)), true)
}

fn list_of(name: &str, fields: Vec<Field>) -> Field {
    let item = Field::new("item", DataType::Struct(Fields::from(fields)), true);
    Field::new(name, DataType::List(Arc::new(item)), true)
}

fn account(name: &str) -> Field {
    structure(name, vec![text("uid")])
}

fn user(name: &str, version: OcsfVersion) -> Field {
    let mut fields = vec![account("account")];
    if version >= OcsfVersion::V1_8_0 {
        fields.push(list_of("programmatic_credentials", vec![text("uid")]));
    } else {
        fields.push(text("credential_uid"));
    }
    fields.extend([text("name"), text("type"), text("uid"), text("uid_alt")]);
    structure(name, fields)
}

fn session(name: &str) -> Field {
    structure(
        name,
        vec![
            int64("created_time"),
            datetime("created_time_dt"),
            text("credential_uid"),
            boolean("is_mfa"),
            text("issuer"),
            text("uid"),
            text("uid_alt"),
        ],
    )
}

fn endpoint(name: &str) -> Field {
    structure(
        name,
        vec![text("domain"), text("ip"), text("svc_name"), text("uid")],
    )
}

fn policy_fields() -> Vec<Field> {
    vec![text("name"), text("uid")]
}

/// The Arrow schema of `class` at `version`: the same for every batch of that pair.
pub fn ocsf_arrow_schema(class: OcsfClass, version: OcsfVersion) -> SchemaRef {
    let mut actor = vec![];
    if version >= OcsfVersion::V1_5_0 {
        actor.push(text("app_name"));
    }
    let mut idp = vec![];
    if version >= OcsfVersion::V1_5_0 {
        idp.push(text("issuer"));
    }
    idp.extend([text("name"), text("uid")]);
    actor.push(structure("idp", idp));
    if version < OcsfVersion::V1_5_0 {
        actor.push(text("invoked_by"));
    }
    actor.push(session("session"));
    actor.push(user("user", version));

    let mut fields = vec![
        int32("activity_id"),
        text("activity_name"),
        structure("actor", actor),
        structure(
            "api",
            vec![
                text("operation"),
                structure("request", vec![text("data"), text("uid")]),
                structure(
                    "response",
                    vec![text("data"), text("error"), text("message")],
                ),
                structure("service", vec![text("name")]),
                text("version"),
            ],
        ),
        text("category_name"),
        int32("category_uid"),
        text("class_name"),
        int32("class_uid"),
        structure(
            "cloud",
            vec![account("account"), text("provider"), text("region")],
        ),
    ];
    if class == OcsfClass::Authentication {
        fields.push(endpoint("dst_endpoint"));
    }
    fields.push(structure("http_request", vec![text("user_agent")]));
    if class == OcsfClass::Authentication {
        fields.push(boolean("is_mfa"));
    }
    fields.push(structure(
        "metadata",
        vec![
            text("event_code"),
            structure(
                "product",
                vec![
                    structure("feature", vec![text("name")]),
                    text("name"),
                    text("vendor_name"),
                    text("version"),
                ],
            ),
            Field::new(
                "profiles",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                true,
            ),
            text("uid"),
            text("version"),
        ],
    ));
    fields.push(list_of(
        "observables",
        vec![text("name"), text("type"), int32("type_id"), text("value")],
    ));
    if class == OcsfClass::AccountChange {
        if version >= OcsfVersion::V1_5_0 {
            fields.push(list_of("policies", policy_fields()));
        } else {
            fields.push(structure("policy", policy_fields()));
        }
    }
    if class == OcsfClass::ApiActivity {
        fields.push(list_of(
            "resources",
            vec![
                text("name"),
                structure("owner", vec![account("account")]),
                text("type"),
                text("uid"),
            ],
        ));
    }
    if class == OcsfClass::Authentication {
        fields.push(structure("service", vec![text("name")]));
        fields.push(session("session"));
    }
    fields.extend([
        text("severity"),
        int32("severity_id"),
        endpoint("src_endpoint"),
        text("status"),
        int32("status_id"),
        int64("time"),
        datetime("time_dt"),
        text("type_name"),
        int64("type_uid"),
        unmapped(),
    ]);
    if class != OcsfClass::ApiActivity {
        fields.push(user("user", version));
    }
    Arc::new(Schema::new(fields))
}

/// `unmapped`: `Map<Utf8, Utf8>` with Parquet's standard `key_value` / `key` / `value` names.
fn unmapped() -> Field {
    let entries = Field::new(
        "key_value",
        DataType::Struct(Fields::from(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("value", DataType::Utf8, true),
        ])),
        false,
    );
    Field::new("unmapped", DataType::Map(Arc::new(entries), false), true)
}

//! Shared HTTP mechanics: problem documents, authentication, bodies and parameters, ETags,
//! idempotency, paging, CSV and the middleware around every request.

pub mod access;
pub mod auth;
pub mod collect;
pub mod crud;
pub mod csv;
pub mod docs;
pub mod etag;
pub mod export;
pub mod fallback;
pub mod idempotency;
pub mod json;
pub mod jwks;
pub mod middleware;
pub mod operation;
pub mod paging;
pub mod path;
pub mod problem;
pub mod reply;
pub mod strict;
pub mod validate;
pub mod xlsx;

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};

/// The extractors that are one request header each, declared in the document as that header
/// (the extractor is the type): its name, whether it is required, the bounds of its length, an
/// example and what it does.
macro_rules! header_params {
    ($($extractor:ty => $name:literal, $required:expr, $length:expr, $example:literal,
        $description:literal;)*) => {$(
        impl utoipa::IntoParams for $extractor {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                vec![header_parameter($name, $description, $required, $length, $example)]
            }
        }
    )*};
}

header_params! {
    etag::IfMatch => "If-Match", true, None, "\"1\"",
        "The ETag you read; the change is refused with 412 if the resource has changed since.";
    idempotency::IdempotencyKey => "Idempotency-Key", false, Some((1, 255)),
        "5f0c2a8e-3d1b-4c6e-9a7f-2b8d4e6f1a3c",
        "A key of your choosing (a UUID, say), 1–255 visible ASCII characters. A retry with the same key and body returns the first response instead of writing twice; keys live 24 hours.";
}

fn header_parameter(
    name: &str,
    description: &str,
    required: bool,
    length: Option<(usize, usize)>,
    example: &str,
) -> Parameter {
    let required = if required {
        utoipa::openapi::Required::True
    } else {
        utoipa::openapi::Required::False
    };
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .description(Some(description))
        .required(required)
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(length.map(|(min, _)| min))
                .max_length(length.map(|(_, max)| max)),
        ))
        .example(Some(serde_json::json!(example)))
        .build()
}

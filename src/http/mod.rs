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
pub mod paging;
pub mod path;
pub mod problem;
pub mod reply;
pub mod strict;
pub mod validate;
pub mod xlsx;

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::ObjectBuilder;

/// A request header as the document declares it, for the extractors that are headers
/// (`If-Match`, `Idempotency-Key`).
fn header_parameter(
    name: &str,
    description: &str,
    required: bool,
    schema: ObjectBuilder,
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
        .schema(Some(schema))
        .example(Some(serde_json::json!(example)))
        .build()
}

//! The problem responses and headers operations name in their `responses(...)` and `params(...)`
//! (as `d::NotFound`), each the `Problem` document with its own description and example. The
//! responses every operation shares are added by `app::docs::finish`, not named by each handler.
//! Each wraps the `Problem` that is serialised, so the schema is that type's.

use utoipa::ToResponse;

use super::problem::Problem;

/// The request is not valid: a field, parameter or the body itself (see `errors`).
#[derive(ToResponse)]
#[response(
    description = "The request is not valid; `errors` names each field or parameter with a JSON pointer (a path or query that is not UTF-8 once decoded too). A request that is not well-formed HTTP/1.1 is refused with type `malformed-request` before any operation. / Begäran är inte giltig.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/validation-failed", "title": "The request is not valid", "status": 400, "detail": "'name' is required.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "errors": [{"pointer": "/name", "code": "required", "detail": "'name' is required."}]})
)]
pub struct BadRequest(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "No valid bearer token: missing, malformed, expired, or for another issuer or audience. / Ingen giltig token.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "A bearer token is required (Authorization: Bearer <token>).", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Unauthorized(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The token is valid but its roles (or unit) do not permit this. / Rollen medger inte åtgärden.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/forbidden", "title": "The operation is not permitted", "status": 403, "detail": "This operation needs one of the roles: admin.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Forbidden(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "No such resource. / Resursen finns inte.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/not-found", "title": "The resource was not found", "status": 404, "detail": "No unit with that identifier exists.", "instance": "/api/v1/units/XYZ", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct NotFound(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The request conflicts with the resource's current state. / Begäran strider mot resursens tillstånd.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/conflict", "title": "The request conflicts with the resource's state", "status": 409, "detail": "A unit with code KFN already exists.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Conflict(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "Activation is blocked by the policy's rules; `errors` names each rule and partner. / Aktiveringen är spärrad.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/activation-blocked", "title": "Activation is blocked", "status": 409, "detail": "1 rule blocks activation; see errors.", "instance": "/api/v1/agreements/0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e/activate", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "errors": [{"pointer": "/partnerIds/0", "code": "EXCEPTION_BY_KOMMUNSTYRELSEN", "detail": "The partner does not meet the requirements and no exception is in force."}]})
)]
pub struct ActivationBlocked(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "If-Match does not name the resource's current ETag: it changed since it was read. / Resursen har ändrats.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/version-mismatch", "title": "The resource has changed", "status": 412, "detail": "The resource has changed since you read it; it is now at ETag \"3\". Read it again and reapply your change.", "instance": "/api/v1/units/KFN", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct PreconditionFailed(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "If-Match is required for this operation. / If-Match krävs.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/precondition-required", "title": "If-Match is required", "status": 428, "detail": "This operation needs an If-Match header with the resource's ETag, so that it cannot overwrite a change you have not seen.", "instance": "/api/v1/units/KFN", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct PreconditionRequired(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The Idempotency-Key was used before with another body. / Idempotensnyckeln har använts för en annan begäran.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/idempotency-key-reused", "title": "The idempotency key was used with another request", "status": 422, "detail": "This Idempotency-Key was used with a different request body. Use a new key for a new request.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct IdempotencyKeyReused(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "A replay of an Idempotency-Key whose created resource has since been deleted (or, for a contact, erased); nothing was created. / Det som nyckeln skapade har tagits bort.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/gone", "title": "The resource is gone", "status": 410, "detail": "What this Idempotency-Key created has since been deleted, and its stored response with it. Nothing was created now; use a new key to create it again.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Gone(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The body is larger than the operation accepts. / Innehållet är för stort.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/payload-too-large", "title": "The request body is too large", "status": 413, "detail": "The request body is larger than this operation accepts.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct PayloadTooLarge(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The body is not JSON. / Innehållet är inte JSON.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "The body must be JSON: Content-Type application/json (or application/merge-patch+json for PATCH).", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct UnsupportedMediaType(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "Too many requests from this caller; wait `Retry-After` seconds. / För många begäranden.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait.")),
    example = json!({"type": "https://samverkan.boras.se/problems/rate-limited", "title": "Too many requests", "status": 429, "detail": "Too many requests from this caller. Try again in 2 s.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct TooManyRequests(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The database is not reachable; retry after `Retry-After` seconds. / Tjänsten är tillfälligt otillgänglig.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait.")),
    example = json!({"type": "https://samverkan.boras.se/problems/service-unavailable", "title": "The service is temporarily unavailable", "status": 503, "detail": "The database is not reachable. Try again shortly.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Unavailable(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The request line is longer than the service takes (8 KiB). / Begärans första rad är för lång.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/uri-too-long", "title": "The request line is too long", "status": 414, "detail": "The request line is longer than this service takes (8192 bytes).", "instance": "", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct UriTooLong(pub Problem);

#[derive(ToResponse)]
#[response(
    description = "The request's header fields are larger than the service takes (16 KiB in all, or more than 64 fields). / Begärans huvudfält är för stora.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/header-fields-too-large", "title": "The request header fields are too large", "status": 431, "detail": "The request's header fields are larger than this service takes (16384 bytes in all).", "instance": "", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct HeaderFieldsTooLarge(pub Problem);

/// The headers the routes name in `params(...)`: the extractors document themselves.
pub use crate::http::etag::IfMatch as IfMatchHeader;
pub use crate::http::idempotency::IdempotencyKey as IdempotencyKeyHeader;

/// Any request may fail inside the service; the error is logged and the caller gets a problem.
#[derive(ToResponse)]
#[response(
    description = "The request could not be completed; the error is logged under the request id. / Ett internt fel inträffade.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/internal-error", "title": "An internal error occurred", "status": 500, "detail": "The request could not be completed. The error has been logged.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct InternalError(pub Problem);

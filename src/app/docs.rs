//! The parts of the OpenAPI document that every operation shares: the document's info (DIGG's
//! documentation rules), the security scheme, the problem responses and the common headers.

// The response types exist only for the document; their fields are never read.
#![allow(dead_code)]

use serde_json::{Map, Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::http::problem::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Samverkan",
        description = include_str!("../../docs/api-description.md"),
        terms_of_service = "https://samverkan.boras.se/terms",
        contact(name = "Borås Stad, Stadsledningskansliet", url = "https://www.boras.se", email = "samverkan@boras.se"),
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    components(
        schemas(Problem),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, ActivationBlocked,
            PreconditionFailed, PreconditionRequired, IdempotencyKeyReused, PayloadTooLarge,
            UnsupportedMediaType, TooManyRequests, Unavailable, InternalError
        ),
    ),
    modifiers(&Security),
    tags(
        (name = "Policy", description = "Internationell policy as data: requirements, purposes, global goals and the rule catalogue. / Policyn som data."),
        (name = "Units", description = "The city's units: nämnder, förvaltningar and companies. / Borås Stads enheter."),
        (name = "Countries", description = "ISO 3166-1 countries with Swedish and English names and their current standing. / Länder."),
        (name = "Assessments", description = "How a country, or a partner city or region, stands against the three requirements; drafted and published by coordinators under four eyes. / Bedömningar."),
        (name = "Indicators", description = "Published index values (Freedom House, V-Dem, EIU, WJP, WGI, OHCHR, UD) imported as CSV. / Indikatorer."),
        (name = "Partners", description = "The parties the city collaborates with. / Samarbetsparter."),
        (name = "Contacts", description = "Partners' contact persons: personal data, for officers, coordinators and the board secretary only. / Kontaktpersoner."),
        (name = "Eligibility", description = "May a unit collaborate with a partner on a date, and why: the policy's precondition and exception. / Behörighet."),
        (name = "Agreements", description = "The collaborations: registered as drafts, activated only when the policy's rules hold, kept true while active. / Samarbeten."),
        (name = "Exceptions", description = "Requests to Kommunstyrelsen for an exception for one agreement and partner, and the decisions on them. / Undantag."),
        (name = "Reports", description = "Follow-up for Kommunstyrelsen: active agreements by purpose, goal, unit, country and type; sister cities; funding; what needs review or expires. JSON or CSV. / Uppföljning."),
        (name = "Change feed", description = "Every change, in order, for integrations. / Ändringsloggen."),
        (name = "Webhooks", description = "Subscriptions that receive the change log's events as signed callbacks (Standard Webhooks), and their deliveries; admin only. / Webhooks."),
        (name = "Service", description = "Identity, health and metrics; no token needed. / Tjänstens status."),
    ),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT from the city's identity provider (RS256/ES256) or, in development, from `samverkan token` (HS256). Claims: `sub`, `iss`, `aud`, `exp`, `roles` (reader, officer, coordinator, board_secretary, admin) and, for officers, `unit`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The request is not valid: a field, parameter or the body itself (see `errors`).
#[derive(ToResponse)]
#[response(
    description = "The request is not valid; `errors` names each field or parameter with a JSON pointer. / Begäran är inte giltig.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/validation-failed", "title": "The request is not valid", "status": 400, "detail": "'name' is required.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "errors": [{"pointer": "/name", "code": "required", "detail": "'name' is required."}]})
)]
pub struct BadRequest(Problem);

#[derive(ToResponse)]
#[response(
    description = "No valid bearer token: missing, malformed, expired, or for another issuer or audience. / Ingen giltig token.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/unauthorized", "title": "Authentication is required", "status": 401, "detail": "A bearer token is required (Authorization: Bearer <token>).", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Unauthorized(Problem);

#[derive(ToResponse)]
#[response(
    description = "The token is valid but its roles (or unit) do not permit this. / Rollen medger inte åtgärden.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/forbidden", "title": "The operation is not permitted", "status": 403, "detail": "This operation needs one of the roles: admin.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Forbidden(Problem);

#[derive(ToResponse)]
#[response(
    description = "No such resource. / Resursen finns inte.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/not-found", "title": "The resource was not found", "status": 404, "detail": "No unit with that identifier exists.", "instance": "/api/v1/units/XYZ", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct NotFound(Problem);

#[derive(ToResponse)]
#[response(
    description = "The request conflicts with the resource's current state. / Begäran strider mot resursens tillstånd.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/conflict", "title": "The request conflicts with the resource's state", "status": 409, "detail": "A unit with code KFN already exists.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Conflict(Problem);

#[derive(ToResponse)]
#[response(
    description = "Activation is blocked by the policy's rules; `errors` names each rule and partner. / Aktiveringen är spärrad.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/activation-blocked", "title": "Activation is blocked", "status": 409, "detail": "1 rule blocks activation; see errors.", "instance": "/api/v1/agreements/0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e/activate", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "errors": [{"pointer": "/partnerIds/0", "code": "EXCEPTION_BY_KOMMUNSTYRELSEN", "detail": "The partner does not meet the requirements and no exception is in force."}]})
)]
pub struct ActivationBlocked(Problem);

#[derive(ToResponse)]
#[response(
    description = "If-Match does not name the resource's current ETag: it changed since it was read. / Resursen har ändrats.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/version-mismatch", "title": "The resource has changed", "status": 412, "detail": "The resource has changed since you read it; it is now at ETag \"3\". Read it again and reapply your change.", "instance": "/api/v1/units/KFN", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct PreconditionFailed(Problem);

#[derive(ToResponse)]
#[response(
    description = "If-Match is required for this operation. / If-Match krävs.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/precondition-required", "title": "If-Match is required", "status": 428, "detail": "This operation needs an If-Match header with the resource's ETag, so that it cannot overwrite a change you have not seen.", "instance": "/api/v1/units/KFN", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct PreconditionRequired(Problem);

#[derive(ToResponse)]
#[response(
    description = "The Idempotency-Key was used before with another body. / Idempotensnyckeln har använts för en annan begäran.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/idempotency-key-reused", "title": "The idempotency key was used with another request", "status": 422, "detail": "This Idempotency-Key was used with a different request body. Use a new key for a new request.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct IdempotencyKeyReused(Problem);

#[derive(ToResponse)]
#[response(
    description = "The body is larger than the operation accepts. / Innehållet är för stort.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/payload-too-large", "title": "The request body is too large", "status": 413, "detail": "The request body is larger than this operation accepts.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct PayloadTooLarge(Problem);

#[derive(ToResponse)]
#[response(
    description = "The body is not JSON. / Innehållet är inte JSON.",
    content_type = "application/problem+json",
    example = json!({"type": "https://samverkan.boras.se/problems/unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "The body must be JSON: Content-Type application/json (or application/merge-patch+json for PATCH).", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct UnsupportedMediaType(Problem);

#[derive(ToResponse)]
#[response(
    description = "Too many requests from this caller; wait `Retry-After` seconds. / För många begäranden.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait.")),
    example = json!({"type": "https://samverkan.boras.se/problems/rate-limited", "title": "Too many requests", "status": 429, "detail": "Too many requests from this caller. Try again in 2 s.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct TooManyRequests(Problem);

#[derive(ToResponse)]
#[response(
    description = "The database is not reachable; retry after `Retry-After` seconds. / Tjänsten är tillfälligt otillgänglig.",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait.")),
    example = json!({"type": "https://samverkan.boras.se/problems/service-unavailable", "title": "The service is temporarily unavailable", "status": 503, "detail": "The database is not reachable. Try again shortly.", "instance": "/api/v1/units", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"})
)]
pub struct Unavailable(Problem);

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
pub struct InternalError(Problem);

/// What every operation shares, added once over the assembled document (so that each handler
/// documents only what is its own) and the `servers` entry for `public_url`:
/// - the error responses every operation can give: 500 always; 401 and 403 where a token is
///   needed; 429 under `/api/` (the rate limit's scope); 503 where the database is read; 400
///   where the operation takes a body or query parameters;
/// - request bodies derived from `Option<T>` are optional bodies, not nullable ones (the service
///   refuses a JSON `null`; it takes no body or an object), so generated clients may omit them;
/// - every `201` links to the operations that take the new resource's id (OpenAPI `links`);
/// - a nullable property of a schema that only responses use is `required`: serde sends `None`
///   as `null` (no response type skips a field), so the field is always there.
pub fn finish(doc: utoipa::openapi::OpenApi, public_url: &str) -> utoipa::openapi::OpenApi {
    let mut doc = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    doc["servers"] =
        json!([{"url": public_url, "description": "This service (SAMVERKAN_PUBLIC_URL)."}]);
    common_errors(&mut doc);
    optional_bodies(&mut doc);
    links(&mut doc);
    always_sent(&mut doc);
    serde_json::from_value(doc).expect("the finished OpenAPI document deserialises")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations_mut(doc: &mut Value) -> impl Iterator<Item = (&String, &mut Value)> {
    doc["paths"]
        .as_object_mut()
        .expect("paths")
        .iter_mut()
        .flat_map(|(path, item)| {
            item.as_object_mut()
                .expect("a path item")
                .iter_mut()
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .map(move |(_, op)| (path, op))
        })
}

fn common_errors(doc: &mut Value) {
    for (path, op) in operations_mut(doc) {
        let secured = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        });
        let takes_input = op.get("requestBody").is_some()
            || op["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
        let responses = op["responses"].as_object_mut().expect("responses");
        let mut add = |status: &str, name: &str| {
            responses
                .entry(status)
                .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
        };
        if takes_input {
            add("400", "BadRequest");
        }
        if secured {
            add("401", "Unauthorized");
            add("403", "Forbidden");
            add("503", "Unavailable");
        }
        if path.starts_with("/api/") {
            add("429", "TooManyRequests");
        }
        add("500", "InternalError");
    }
}

fn optional_bodies(doc: &mut Value) {
    for (_, op) in operations_mut(doc) {
        let Some(body) = op.get_mut("requestBody") else {
            continue;
        };
        let mut optional = false;
        for media in body["content"]
            .as_object_mut()
            .into_iter()
            .flat_map(|c| c.values_mut())
        {
            let schema = &mut media["schema"];
            if let Some([one, null]) = schema["oneOf"].as_array().map(Vec::as_slice)
                && null == &json!({"type": "null"})
                && one.get("$ref").is_some()
            {
                *schema = one.clone();
                optional = true;
            }
        }
        if optional {
            body["required"] = Value::Bool(false);
        }
    }
}

/// `/partners/{id}` from `/partners/{id}/contacts/{contactId}`: the names of a template's
/// parameters.
fn parameters(template: &str) -> Vec<&str> {
    template
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

fn links(doc: &mut Value) {
    let templates: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    for collection in &templates {
        if doc["paths"][collection]["post"]["responses"]
            .get("201")
            .is_none()
        {
            continue;
        }
        let outer = parameters(collection);
        let mut links = Map::new();
        for template in &templates {
            let Some(rest) = template.strip_prefix(&format!("{collection}/{{")) else {
                continue;
            };
            let new = rest.split('}').next().unwrap_or_default();
            if new.is_empty() || outer.contains(&new) {
                continue;
            }
            let key = if new == "code" { "code" } else { "id" };
            for (method, op) in doc["paths"][template].as_object().expect("a path item") {
                let Some(operation_id) = op["operationId"]
                    .as_str()
                    .filter(|_| METHODS.contains(&method.as_str()))
                else {
                    continue;
                };
                // Only operations whose every path parameter is known: the new id, or one the
                // creating request itself had (`/partners/{id}/contacts/{contactId}` needs a
                // contact, which creating a partner does not give).
                if parameters(template)
                    .iter()
                    .any(|name| *name != new && !outer.contains(name))
                {
                    continue;
                }
                let mut params = Map::new();
                for name in parameters(template) {
                    let value = if name == new {
                        format!("$response.body#/{key}")
                    } else {
                        format!("$request.path.{name}")
                    };
                    params.insert(name.to_string(), Value::String(value));
                }
                links.insert(
                    operation_id.to_string(),
                    json!({"operationId": operation_id, "parameters": params, "description": format!("`{operation_id}` with the {key} of what was created.")}),
                );
            }
        }
        if !links.is_empty() {
            doc["paths"][collection]["post"]["responses"]["201"]["links"] = Value::Object(links);
        }
    }
}

/// Adds to `out` the names of the component schemas `value` refers to, transitively.
fn referenced(schemas: &Value, value: &Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref"
                    && let Some(name) = child
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    if out.insert(name.to_string()) {
                        referenced(schemas, &schemas[name], out);
                    }
                } else if key != "example" && key != "examples" {
                    referenced(schemas, child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| referenced(schemas, v, out)),
        _ => {}
    }
}

fn is_nullable(schema: &Value) -> bool {
    schema["type"]
        .as_array()
        .is_some_and(|t| t.contains(&json!("null")))
        || schema["oneOf"]
            .as_array()
            .is_some_and(|o| o.contains(&json!({"type": "null"})))
}

/// Marks nullable properties required, in `schema` and the object schemas inside it.
fn require_nullable(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut() {
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            let nullable: Vec<String> = props
                .iter()
                .filter(|(_, s)| is_nullable(s))
                .map(|(name, _)| name.clone())
                .collect();
            let required = map
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
                .expect("required is an array");
            for name in nullable {
                if !required.contains(&json!(name)) {
                    required.push(json!(name));
                }
            }
        }
        for (key, child) in map.iter_mut() {
            if key != "example" && key != "examples" && key != "required" {
                require_nullable(child);
            }
        }
    } else if let Some(items) = schema.as_array_mut() {
        items.iter_mut().for_each(require_nullable);
    }
}

fn always_sent(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let mut inputs = std::collections::BTreeSet::new();
    for (_, op) in operations_mut(doc) {
        referenced(&schemas, &op["requestBody"], &mut inputs);
        referenced(&schemas, &op["parameters"], &mut inputs);
    }
    for (name, schema) in doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas")
    {
        if !inputs.contains(name) {
            require_nullable(schema);
        }
    }
}

//! The OpenAPI document as a whole: its info (DIGG's documentation rules), the security scheme,
//! the shared problem responses (`http::docs`) and what every operation shares (`finish`).

use serde_json::{Map, Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::docs::*;
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
            PreconditionFailed, PreconditionRequired, IdempotencyKeyReused, Gone, PayloadTooLarge,
            UriTooLong, HeaderFieldsTooLarge, UnsupportedMediaType, TooManyRequests, Unavailable, InternalError
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
                        "A JWT from the city's identity provider (RS256/ES256) or, in development, from `samverkan token` (HS256). Claims: `sub`, `iss`, `aud`, `exp`, `roles` (reader, officer, coordinator, board_secretary, admin) and, for officers, `unit`; the deployment may name other claims for roles and unit and map the provider's role names to these (SAMVERKAN_JWT_ROLES_CLAIM, SAMVERKAN_JWT_UNIT_CLAIM, SAMVERKAN_JWT_ROLE_MAP). A refused token answers 401 with `WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"…\"`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// What every operation shares, added once over the assembled document (so that each handler
/// documents only what is its own) and the `servers` entry for `public_url`:
/// - the bearer token every operation needs unless it says otherwise ([`BearerByDefault`]);
/// - the error responses every operation can give ([`CommonErrors`]);
/// - request bodies derived from `Option<T>` are optional bodies, not nullable ones (the service
///   refuses a JSON `null`; it takes no body or an object), so generated clients may omit them;
/// - every `201` links to the operations that take the new resource's id (OpenAPI `links`);
/// - a nullable property of a schema that only responses use is `required`: serde sends `None`
///   as `null` (no response type skips a field), so the field is always there.
pub fn finish(
    mut doc: utoipa::openapi::OpenApi,
    public_url: &str,
    oidc_issuer: Option<&str>,
) -> utoipa::openapi::OpenApi {
    Conventions.modify(&mut doc);
    BearerByDefault.modify(&mut doc);
    CommonErrors.modify(&mut doc);
    let mut doc = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    doc["servers"] =
        json!([{"url": public_url, "description": "This service (SAMVERKAN_PUBLIC_URL)."}]);
    open_id_connect(&mut doc, public_url, oidc_issuer);
    optional_bodies(&mut doc);
    links(&mut doc);
    always_sent(&mut doc);
    serde_json::from_value(doc).expect("the finished OpenAPI document deserialises")
}

/// The `openIdConnect` scheme beside `bearerAuth`, accepted wherever a bearer token is: the
/// configured issuer's discovery document; without one (HS256 or a key file), a placeholder under
/// `SAMVERKAN_PUBLIC_URL`, so that the document stays valid and the committed one stable (it is
/// built, like `servers`, from the default public URL) and the URL visibly belongs to this
/// deployment, not to a made-up provider.
fn open_id_connect(doc: &mut Value, public_url: &str, oidc_issuer: Option<&str>) {
    let (url, description) = match oidc_issuer {
        Some(issuer) => (
            format!(
                "{}/.well-known/openid-configuration",
                issuer.trim_end_matches('/')
            ),
            "The city's identity provider (SAMVERKAN_OIDC_ISSUER): its tokens are bearer tokens, as in bearerAuth.",
        ),
        None => (
            format!("{public_url}/.well-known/openid-configuration"),
            "The city's identity provider, when SAMVERKAN_OIDC_ISSUER is set: the URL is then the provider's discovery document. Without it (this document) the URL is a placeholder under SAMVERKAN_PUBLIC_URL and tokens are sent as in bearerAuth.",
        ),
    };
    doc["components"]["securitySchemes"]["openIdConnect"] = json!({
        "type": "openIdConnect",
        "openIdConnectUrl": url,
        "description": description,
    });
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::Array(security)) = op.get_mut("security")
                && security.iter().any(|r| r.get("bearerAuth").is_some())
            {
                security.push(json!({"openIdConnect": []}));
            }
        }
    }
}

/// Every operation of the document, with its path.
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&String, &mut utoipa::openapi::path::Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        .map(move |op| (path, op))
    })
}

/// What the service's conventions make true of every operation, written here once instead of on
/// each handler: every POST takes an `Idempotency-Key`; every PATCH and DELETE takes `If-Match`
/// (after its path parameters); a GET whose 200 carries an `ETag` answers 304 to a matching
/// `If-None-Match`; a `201` of a collection whose items have their own path (`/partners` and
/// `/partners/{id}`) carries the new resource's `ETag` and `Location`.
pub struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::http::etag::IfMatch;
        use crate::http::idempotency::IdempotencyKey;
        use utoipa::IntoParams;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::path::Operation;
        use utoipa::openapi::response::ResponseBuilder;

        fn located(created: &mut utoipa::openapi::Response) {
            use utoipa::openapi::header::HeaderBuilder;
            use utoipa::openapi::schema::{ObjectBuilder, Type};
            for (name, description) in [
                ("ETag", "The new resource's version."),
                ("Location", "The new resource's URL."),
            ] {
                created.headers.entry(name.into()).or_insert_with(|| {
                    RefOr::T(
                        HeaderBuilder::new()
                            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                            .description(Some(description))
                            .build(),
                    )
                });
            }
        }
        fn ensure(op: &mut Operation, header: Vec<utoipa::openapi::path::Parameter>) {
            let parameters = op.parameters.get_or_insert_with(Vec::new);
            for p in header {
                let named = |q: &RefOr<utoipa::openapi::path::Parameter>| matches!(q, RefOr::T(q) if q.name == p.name);
                if !parameters.iter().any(named) {
                    parameters.push(RefOr::T(p));
                }
            }
        }
        let paths: Vec<String> = openapi.paths.paths.keys().cloned().collect();
        let has_items = |path: &str| {
            let items = format!("{path}/{{");
            paths.iter().any(|p| p.starts_with(&items))
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            if let Some(op) = item.post.as_mut() {
                ensure(op, IdempotencyKey::into_params(|| None));
                if let Some(RefOr::T(created)) = op.responses.responses.get_mut("201")
                    && has_items(path)
                {
                    located(created);
                }
            }
            for op in [item.patch.as_mut(), item.delete.as_mut()]
                .into_iter()
                .flatten()
            {
                ensure(op, IfMatch::into_params(|| None));
            }
            if let Some(op) = item.get.as_mut() {
                let tagged = match op.responses.responses.get("200") {
                    Some(RefOr::T(ok)) => ok.headers.contains_key("ETag"),
                    _ => false,
                };
                if tagged {
                    op.responses
                        .responses
                        .entry("304".into())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description("Not modified since the ETag in If-None-Match.")
                                    .build(),
                            )
                        });
                }
            }
        }
    }
}

/// Every operation needs a bearer token unless it says otherwise (`security(())`, the public
/// ones): the requirement is written on each operation, so a reader of one operation sees it.
pub struct BearerByDefault;

impl Modify for BearerByDefault {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::SecurityRequirement;
        for (_, op) in operations(openapi) {
            op.security.get_or_insert_with(|| {
                vec![SecurityRequirement::new("bearerAuth", Vec::<String>::new())]
            });
        }
    }
}

/// The error responses an operation gives by what it takes, added to each (unless it names its
/// own) so that a handler documents only what is its own: 500 always; 401, 403 and 503 where a
/// token is needed (the database is read); 429 under `/api/` (the rate limit's scope); 400, 414
/// and 431 always (the service's own refusals of a malformed request, a path or query that is not
/// UTF-8, a request line or head over its limits: `http::strict`); 413 and 415 with a body; 404
/// with a path parameter; 412 and 428 with `If-Match`; 422 with `Idempotency-Key`; 410 on a keyed
/// create of a resource that can be deleted (a replay after the deletion, `idempotency::forget`).
pub struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{Ref, RefOr};
        let deletable: Vec<String> = (openapi.paths.paths.iter())
            .filter(|(_, item)| item.delete.is_some())
            .map(|(path, _)| path.clone())
            .collect();
        for (path, op) in operations(openapi) {
            let creates_deletable = op.responses.responses.contains_key("201")
                && deletable.iter().any(|d| {
                    d.strip_prefix(path.as_str())
                        .and_then(|rest| rest.strip_prefix("/{"))
                        .is_some_and(|rest| !rest.contains('/'))
                });
            let secured = op.security.as_ref().is_some_and(|s| {
                s.iter().any(|r| {
                    serde_json::to_value(r)
                        .is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                })
            });
            let parameters: Vec<_> = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) => Some((p.parameter_in.clone(), p.name.as_str())),
                    RefOr::Ref(_) => None,
                })
                .collect();
            let takes = |place: ParameterIn, name: Option<&str>| {
                parameters
                    .iter()
                    .any(|(i, n)| *i == place && name.is_none_or(|name| *n == name))
            };
            let mut add = |status: &str, name: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            };
            add("400", "BadRequest");
            add("414", "UriTooLong");
            add("431", "HeaderFieldsTooLarge");
            if op.request_body.is_some() {
                add("413", "PayloadTooLarge");
                add("415", "UnsupportedMediaType");
            }
            if takes(ParameterIn::Path, None) {
                add("404", "NotFound");
            }
            if takes(ParameterIn::Header, Some("If-Match")) {
                add("412", "PreconditionFailed");
                add("428", "PreconditionRequired");
            }
            if takes(ParameterIn::Header, Some("Idempotency-Key")) {
                add("422", "IdempotencyKeyReused");
                if creates_deletable {
                    add("410", "Gone");
                }
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

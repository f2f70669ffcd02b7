//! The contract check: every response a test receives is held against the committed
//! `openapi/openapi.json` (DESIGN, "The document is the wire").
//!
//! For each response, `check`:
//! 1. finds the operation (path template + method); a path or method the document does not know
//!    must answer a problem document, validated as `Problem`, unless it is on the short
//!    `OUTSIDE_THE_DOCUMENT` list below;
//! 2. finds the declared response for the status (else `NXX`, else `default`): an undeclared
//!    status fails;
//! 3. requires every header the declared response names (ETag, Location, Retry-After, …; one
//!    whose description begins "Sent with MEDIA/TYPE [and MEDIA/TYPE] only" only with those): the
//!    document promises them, so a client may rely on them;
//! 4. requires the `Content-Type` to be one the response declares (a body with no declared
//!    content fails; so does declared content with an empty body);
//! 5. validates a JSON body against the declared schema with the JSON Schema validator
//!    (draft 2020-12, formats asserted), where every object schema that does not say otherwise is
//!    closed (`additionalProperties: false`): an undeclared property is a failure, not an extra.
//!
//! Validators are compiled once per (schema location) per test binary. Every checked response
//! appends one line to `target/contract-check/<sqlite|postgres>.log`; the number of responses
//! validated on a database is
//!
//! ```text
//! cat target/contract-check/sqlite.log | wc -l      # and postgres.log
//! ```
//!
//! (remove the folder before a run to count that run only).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};

use actix_web::http::Method;
use actix_web::http::header::HeaderMap;
use serde_json::{Map, Value, json};

use super::Backend;

/// Responses the document cannot describe, and why. Nothing else is exempt.
const OUTSIDE_THE_DOCUMENT: &[(&str, &str)] = &[
    // Swagger UI: HTML, scripts and styles served for people, and the redirect to it.
    ("GET", "/docs"),
    ("GET", "/docs/"),
    // The document itself: it is the schema, not an instance of one.
    ("GET", "/openapi.json"),
];

static CONTRACT: LazyLock<Contract> = LazyLock::new(Contract::load);

struct Contract {
    /// The committed document, with every object schema closed (see `close`).
    doc: Value,
    /// Path templates split in segments; `None` for a `{parameter}` segment.
    templates: Vec<(String, Vec<Option<String>>)>,
    /// Compiled validators by the JSON pointer of their schema in `doc`.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Contract {
    fn load() -> Contract {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut doc: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
        close(&mut doc, false);
        let templates = doc["paths"]
            .as_object()
            .expect("the document has paths")
            .keys()
            .map(|t| {
                let segments = t
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect();
                (t.clone(), segments)
            })
            .collect();
        Contract {
            doc,
            templates,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The template that matches `path`, preferring literal segments over parameters
    /// (`/agreements/compliance` before `/agreements/{id}`).
    fn template(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        self.templates
            .iter()
            .filter(|(_, t)| {
                t.len() == segments.len()
                    && t.iter().zip(&segments).all(|(t, s)| match t {
                        Some(literal) => literal == s,
                        None => !s.is_empty(),
                    })
            })
            .max_by_key(|(_, t)| t.iter().filter(|s| s.is_some()).count())
            .map(|(name, _)| name.as_str())
    }

    /// Follows a `$ref` inside the document (`#/components/...`).
    fn resolve<'a>(&'a self, value: &'a Value) -> (&'a Value, Option<String>) {
        match value["$ref"].as_str() {
            Some(reference) => {
                let pointer = reference.trim_start_matches('#');
                let target = self.doc.pointer(pointer).unwrap_or_else(|| {
                    panic!("the document refers to {reference}, which it lacks")
                });
                (target, Some(pointer.to_string()))
            }
            None => (value, None),
        }
    }

    fn validator(&self, pointer: &str) -> Arc<jsonschema::Validator> {
        if let Some(v) = self.validators.lock().unwrap().get(pointer) {
            return v.clone();
        }
        let mut schema = self
            .doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("no schema at {pointer}"))
            .clone();
        // The components travel with each schema, so that `#/components/schemas/…` resolves.
        let root = schema.as_object_mut().expect("a schema object");
        root.insert(
            "components".into(),
            json!({"schemas": self.doc["components"]["schemas"].clone()}),
        );
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("the schema at {pointer} does not compile: {e}"));
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .unwrap()
            .insert(pointer.to_string(), validator.clone());
        validator
    }
}

/// Closes every object schema that does not declare `additionalProperties`, so that a property
/// the document does not declare fails validation. The branches of an `allOf` are left open and
/// the `allOf` itself is closed with `unevaluatedProperties: false` (each branch sees only its
/// own properties, so closing the branches would refuse every instance). Examples are data, not
/// schemas, and are left alone.
fn close(value: &mut Value, in_all_of: bool) {
    match value {
        Value::Object(map) => {
            if map.contains_key("allOf") {
                for branch in map["allOf"].as_array_mut().unwrap() {
                    assert!(
                        branch.get("$ref").is_none(),
                        "an allOf branch is a $ref; the contract check cannot close it: {branch}"
                    );
                    close(branch, true);
                }
                map.entry("unevaluatedProperties")
                    .or_insert(Value::Bool(false));
            }
            if is_object_schema(map) && !in_all_of {
                map.entry("additionalProperties")
                    .or_insert(Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                if key == "allOf" || key == "example" || key == "examples" {
                    continue;
                }
                close(child, false);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| close(v, false)),
        _ => {}
    }
}

fn is_object_schema(map: &Map<String, Value>) -> bool {
    map.get("properties").is_some_and(Value::is_object)
        || map.get("type") == Some(&Value::String("object".into()))
        || map
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.contains(&Value::String("object".into())))
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Holds one response against the document; panics with what differs, and counts it.
pub fn check(
    backend: Backend,
    method: &Method,
    uri: &str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) {
    match verify(method, uri, status, headers, body) {
        Ok(Some(operation)) => record(backend, method, &operation, status),
        Ok(None) => {}
        Err(what) => panic!(
            "contract check: {method} {uri} answered {status} ({}), which the document does not allow: {what}\nbody: {}",
            headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("no Content-Type"),
            String::from_utf8_lossy(&body[..body.len().min(2000)])
        ),
    }
}

/// What `check` checks: `Ok(Some(operation))` for a validated response, `Ok(None)` for one on
/// the `OUTSIDE_THE_DOCUMENT` list, `Err(what differs)` otherwise.
pub fn verify(
    method: &Method,
    uri: &str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>, String> {
    let contract = &*CONTRACT;
    let path = uri.split(['?', '#']).next().unwrap_or(uri);
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let operation = contract.template(path).and_then(|template| {
        let op = &contract.doc["paths"][template][method.as_str().to_ascii_lowercase()];
        op.is_object().then_some((template, op))
    });
    let Some((template, op)) = operation else {
        // Outside the document: an unknown path, or a method the path does not have.
        if OUTSIDE_THE_DOCUMENT.iter().any(|(m, p)| {
            *m == method.as_str() && (path == *p || (p.ends_with('/') && path.starts_with(p)))
        }) {
            return Ok(None);
        }
        if content_type.as_deref() != Some("application/problem+json") {
            return Err(
                "the operation is not in the document, and the answer is not a problem document"
                    .into(),
            );
        }
        validate_json(contract, "/components/schemas/Problem", body)?;
        return Ok(Some(format!("(outside) {path}")));
    };

    let responses = &op["responses"];
    let declared = [
        status.to_string(),
        format!("{}XX", status / 100),
        "default".to_string(),
    ]
    .into_iter()
    .find(|key| responses.get(key).is_some());
    let Some(key) = declared else {
        return Err(format!(
            "status {status} is not declared for {} {template} (declared: {})",
            method,
            responses
                .as_object()
                .map(|r| r.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ));
    };
    let (response, reference) = contract.resolve(&responses[&key]);
    let base = reference.unwrap_or_else(|| {
        format!(
            "/paths/{}/{}/responses/{}",
            escape(template),
            method.as_str().to_ascii_lowercase(),
            escape(&key)
        )
    });

    if let Some(declared_headers) = response["headers"].as_object() {
        for (name, header) in declared_headers {
            // A header sent with some media types only says so in its description ("Sent with
            // text/csv and application/vnd…sheet only: …", the export headers): it is required
            // exactly with those types. utoipa's header object cannot carry `required`, so the
            // condition is in the text.
            let condition = header["description"]
                .as_str()
                .and_then(|d| d.strip_prefix("Sent with "))
                .and_then(|d| d.split_once(" only"))
                .map(|(media_types, _)| media_types);
            let expected = match condition {
                Some(media_types) => media_types
                    .split(" and ")
                    .any(|media_type| content_type.as_deref() == Some(media_type)),
                None => true,
            };
            if expected && !headers.contains_key(name.as_str()) {
                return Err(format!("the declared header {name} is missing"));
            }
        }
    }

    let content = response["content"].as_object();
    match (content, content_type.as_deref()) {
        (None, _) if body.is_empty() => {}
        (None, _) => return Err("the response declares no content, but a body was sent".into()),
        (Some(_), None) if body.is_empty() => {
            return Err("the response declares content, but none was sent".into());
        }
        (Some(_), None) => return Err("a body without a Content-Type".into()),
        (Some(content), Some(ct)) => {
            if !content.contains_key(ct) {
                return Err(format!(
                    "Content-Type {ct} is not declared (declared: {})",
                    content.keys().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            if (ct == "application/json" || ct.ends_with("+json"))
                && content[ct].get("schema").is_some()
            {
                let pointer = format!("{base}/content/{}/schema", escape(ct));
                validate_json(contract, &pointer, body)?;
            }
        }
    }
    Ok(Some(template.to_string()))
}

fn validate_json(contract: &Contract, pointer: &str, body: &[u8]) -> Result<(), String> {
    let instance: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    validate_value(contract, pointer, &instance)
}

/// Validates `instance` against the (closed) schema at `pointer` in the committed document, as
/// the check does for bodies; for tests of the document's own examples.
pub fn validate_example(pointer: &str, instance: &Value) -> Result<(), String> {
    validate_value(&CONTRACT, pointer, instance)
}

fn validate_value(contract: &Contract, pointer: &str, instance: &Value) -> Result<(), String> {
    let validator = contract.validator(pointer);
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(10)
        .map(|e| format!("  at '{}': {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the body does not validate against {pointer}:\n{}",
            errors.join("\n")
        ))
    }
}

/// One line per validated response, appended (O_APPEND: whole lines from many threads and
/// processes).
fn record(backend: Backend, method: &Method, template: &str, status: u16) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/contract-check");
    let name = match backend {
        Backend::Sqlite => "sqlite.log",
        Backend::Postgres => "postgres.log",
    };
    let _ = std::fs::create_dir_all(dir);
    let line = format!("{method} {template} {status}\n");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(format!("{dir}/{name}"))
    {
        let _ = file.write_all(line.as_bytes());
    }
}

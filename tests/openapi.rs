//! The OpenAPI document is an artifact under review: the committed file must be what the code
//! serves, and every operation must meet the documentation rules integrators rely on.

use serde_json::Value;

mod common;

fn document() -> Value {
    serde_json::from_str(&samverkan::app::openapi_json()).unwrap()
}

/// The committed document is the snapshot of the code's, reviewed as a diff in every change (what
/// an `insta` snapshot would be; the plain file is what integrators download and generate from).
#[test]
fn the_committed_document_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap();
    let generated = samverkan::app::openapi_json();
    if committed == generated {
        return;
    }
    let (old, new): (Vec<_>, Vec<_>) = (committed.lines().collect(), generated.lines().collect());
    let first = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let around = |lines: &[&str]| -> String {
        let from = first.saturating_sub(3);
        lines[from..lines.len().min(first + 4)]
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{:>6} {l}\n", from + i + 1))
            .collect()
    };
    panic!(
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json` \
         and review the diff. First difference at line {}:\n--- committed\n{}+++ generated\n{}",
        first + 1,
        around(&old),
        around(&new)
    );
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                ops.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

#[test]
fn every_operation_is_documented_for_integrators() {
    let doc = document();
    let info = &doc["info"];
    for field in ["description", "termsOfService"] {
        assert!(info[field].is_string(), "info.{field} is missing");
    }
    for field in ["name", "url", "email"] {
        assert!(
            info["contact"][field].is_string(),
            "info.contact.{field} is missing"
        );
    }
    assert!(info["license"]["name"].is_string());

    let mut ids = std::collections::HashSet::new();
    for (method, path, op) in operations(&doc) {
        let name = format!("{method} {path}");
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no operationId"));
        assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{name} has no tag"
        );
        assert!(
            op["summary"].is_string() || op["description"].is_string(),
            "{name} has no description"
        );
        assert!(
            op["security"].is_array(),
            "{name} states no security requirement"
        );
        let responses = op["responses"].as_object().unwrap();
        for (status, response) in responses {
            let description = response["description"].as_str().or_else(|| {
                let reference = response["$ref"].as_str()?;
                let key = reference.rsplit('/').next()?;
                doc["components"]["responses"][key]["description"].as_str()
            });
            assert!(
                description.is_some_and(|d| !d.is_empty()),
                "{name} {status} has no description"
            );
        }
        let secured = !op["security"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.as_object().is_some_and(|o| o.is_empty()));
        if secured {
            assert!(
                responses.contains_key("401"),
                "{name} does not document 401"
            );
            assert!(
                responses.contains_key("403"),
                "{name} does not document 403"
            );
        }
        if path.contains('{') {
            assert!(
                responses.contains_key("404"),
                "{name} does not document 404"
            );
        }
        if ["PATCH", "PUT", "DELETE"].contains(&method.as_str()) {
            assert!(
                responses.contains_key("412") && responses.contains_key("428"),
                "{name} does not document 412/428"
            );
        }
        let ok = responses
            .iter()
            .find(|(s, _)| s.starts_with('2'))
            .unwrap_or_else(|| panic!("{name} has no success response"));
        let content = &ok.1["content"];
        if let Some(content) = content.as_object() {
            for (media, body) in content {
                // A binary body (a workbook) has no text to show; its schema describes it.
                let binary = body["schema"]["contentMediaType"].is_string();
                let has_example = binary
                    || body["example"] != Value::Null
                    || body["examples"] != Value::Null
                    || {
                        let schema_ref = body["schema"]["$ref"].as_str().unwrap_or("");
                        let key = schema_ref.rsplit('/').next().unwrap_or("");
                        doc["components"]["schemas"][key]["example"] != Value::Null
                    };
                assert!(has_example, "{name} {} {media} has no example", ok.0);
            }
        }
    }
}

#[test]
fn paging_parameters_default_as_digg_says() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        for param in op["parameters"].as_array().cloned().unwrap_or_default() {
            match param["name"].as_str() {
                Some("page") => assert_eq!(param["schema"]["default"], 1, "{method} {path}"),
                Some("limit") if path != "/api/v1/events" => {
                    assert_eq!(param["schema"]["default"], 20, "{method} {path}")
                }
                _ => {}
            }
        }
    }
}

/// The schema a `$ref` points at, or the value itself.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{r} does not resolve")),
        None => value,
    }
}

fn is_camel_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Every property name of every schema reachable from `value` (examples are data: skipped).
fn property_names(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(props) = map.get("properties").and_then(Value::as_object) {
                for name in props.keys() {
                    out.push((at.to_string(), name.clone()));
                }
            }
            for (key, child) in map {
                if key != "example" && key != "examples" {
                    property_names(child, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                property_names(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// DIGG's documentation rules, as issue 10 lists them: every operation and response described,
/// every request body with an example, every operation with its errors, camelCase throughout.
#[test]
fn the_document_follows_diggs_documentation_rules() {
    let doc = document();
    let mut faults = Vec::new();
    for (method, path, op) in operations(&doc) {
        let name = format!("{method} {path}");
        if op["description"]
            .as_str()
            .is_none_or(|d| d.trim().is_empty())
        {
            faults.push(format!("{name}: the operation has no description"));
        }
        let responses = op["responses"].as_object().unwrap();
        for (status, response) in responses {
            if resolve(&doc, response)["description"]
                .as_str()
                .is_none_or(|d| d.trim().is_empty())
            {
                faults.push(format!("{name} {status}: the response has no description"));
            }
        }
        if let Some(body) = op.get("requestBody") {
            for (media, content) in resolve(&doc, body)["content"].as_object().unwrap() {
                let has_example = content.get("example").is_some()
                    || content.get("examples").is_some()
                    || resolve(&doc, &content["schema"]).get("example").is_some();
                if !has_example {
                    faults.push(format!("{name}: the {media} request body has no example"));
                }
            }
        }
        let secured = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
        });
        let takes_input = op.get("requestBody").is_some()
            || op["parameters"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["in"] == "query"));
        let mut expected = vec!["500"];
        if secured {
            expected.extend(["401", "403", "503"]);
        }
        if takes_input {
            expected.push("400");
        }
        if path.starts_with("/api/") {
            expected.push("429");
        }
        for status in expected {
            if !responses.contains_key(status) {
                faults.push(format!(
                    "{name}: the error response {status} is not documented"
                ));
            }
        }
        for param in op["parameters"].as_array().cloned().unwrap_or_default() {
            let param = resolve(&doc, &param);
            let pname = param["name"].as_str().unwrap_or_default();
            if param["in"] != "header" && !is_camel_case(pname) {
                faults.push(format!("{name}: the parameter '{pname}' is not camelCase"));
            }
        }
    }
    let mut names = Vec::new();
    property_names(&doc["paths"], "#/paths", &mut names);
    property_names(&doc["components"], "#/components", &mut names);
    for (at, name) in names {
        if !is_camel_case(&name) {
            faults.push(format!("{at}: the property '{name}' is not camelCase"));
        }
    }
    assert!(
        faults.is_empty(),
        "the document breaks DIGG's documentation rules:\n{}",
        faults.join("\n")
    );
}

/// Every example in the document validates against its schema, with the contract check's rules
/// (closed objects, formats): an example is what a client developer copies.
#[test]
fn every_example_is_valid_against_its_schema() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let escape = |k: &str| k.replace('~', "~0").replace('/', "~1");
    let mut faults = Vec::new();
    let mut check = |schema_at: String, example: &Value, at: String| {
        if let Err(e) = common::contract::validate_example(&schema_at, example) {
            faults.push(format!("{at}: {e}"));
        }
    };
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(example) = schema.get("example") {
            let at = format!("/components/schemas/{}", escape(name));
            check(at.clone(), example, at);
        }
    }
    let mut media_types: Vec<String> = Vec::new();
    for (name, response) in doc["components"]["responses"].as_object().unwrap() {
        for media in response["content"]
            .as_object()
            .into_iter()
            .flat_map(|c| c.keys())
        {
            media_types.push(format!(
                "/components/responses/{}/content/{}",
                escape(name),
                escape(media)
            ));
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let base = format!("/paths/{}/{method}", escape(path));
            for media in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flat_map(|c| c.keys())
            {
                media_types.push(format!("{base}/requestBody/content/{}", escape(media)));
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                for media in response["content"]
                    .as_object()
                    .into_iter()
                    .flat_map(|c| c.keys())
                {
                    media_types.push(format!(
                        "{base}/responses/{status}/content/{}",
                        escape(media)
                    ));
                }
            }
        }
    }
    for at in media_types {
        let media = doc.pointer(&at).unwrap();
        let json = at.contains("json");
        if let (Some(example), true, true) =
            (media.get("example"), media.get("schema").is_some(), json)
        {
            check(format!("{at}/schema"), example, at.clone());
        }
    }
    assert!(
        faults.is_empty(),
        "examples that do not validate:\n{}",
        faults.join("\n")
    );
}

/// The served document names the running service (`SAMVERKAN_PUBLIC_URL`) in `servers`; the
/// committed one names the default.
async fn the_served_document_names_the_public_url(app: common::TestApp) {
    let res = app.get("/openapi.json").send().await;
    res.assert_status(200);
    assert_eq!(
        res.json()["servers"],
        serde_json::json!([{"url": "https://samverkan.test", "description": "This service (SAMVERKAN_PUBLIC_URL)."}])
    );
    assert_eq!(
        document()["servers"][0]["url"],
        samverkan::app::DOCUMENT_PUBLIC_URL
    );
}

both!(the_served_document_names_the_public_url);

//! The OpenAPI document is an artifact under review: the committed file must be what the code
//! serves, and every operation must meet the documentation rules integrators rely on.

use serde_json::Value;

fn document() -> Value {
    serde_json::from_str(&samverkan::app::openapi_json()).unwrap()
}

#[test]
fn the_committed_document_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap();
    let generated = samverkan::app::openapi_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json` and review the diff"
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
                let has_example =
                    body["example"] != Value::Null || body["examples"] != Value::Null || {
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

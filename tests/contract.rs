//! The contract check itself: it must refuse what the document does not allow (these responses
//! are made up; no server is involved), or the thousands of responses it passes prove nothing.

mod common;

use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use common::contract::verify;
use serde_json::{Value, json};

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

fn problem(status: u16) -> Value {
    json!({
        "type": "https://samverkan.boras.se/problems/conflict",
        "title": "The request conflicts with the resource's state",
        "status": status,
        "detail": "A unit with code KS already exists.",
        "instance": "/api/v1/units",
        "requestId": "01a22a2b-eb2b-7073-a975-6cec80438562"
    })
}

fn example(schema: &str) -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["components"]["schemas"][schema]["example"].clone()
}

fn problem_json() -> HeaderMap {
    headers(&[("content-type", "application/problem+json")])
}

#[test]
fn a_problem_as_documented_passes() {
    let body = problem(409).to_string();
    let operation = verify(
        &Method::POST,
        "/api/v1/units",
        409,
        &problem_json(),
        body.as_bytes(),
    );
    assert_eq!(operation, Ok(Some("/api/v1/units".to_string())));
}

#[test]
fn an_undeclared_property_fails_as_request_id_did() {
    let mut body = problem(409);
    let id = body.as_object_mut().unwrap().remove("requestId").unwrap();
    body["request_id"] = id;
    let e = verify(
        &Method::POST,
        "/api/v1/units",
        409,
        &problem_json(),
        body.to_string().as_bytes(),
    )
    .unwrap_err();
    assert!(e.contains("request_id") && e.contains("requestId"), "{e}");
}

#[test]
fn an_undeclared_status_fails() {
    let body = problem(418).to_string();
    let e = verify(
        &Method::GET,
        "/api/v1/units",
        418,
        &problem_json(),
        body.as_bytes(),
    )
    .unwrap_err();
    assert!(e.contains("status 418 is not declared"), "{e}");
}

#[test]
fn a_declared_header_that_is_missing_fails() {
    let body = example("Unit").to_string();
    let json = headers(&[("content-type", "application/json")]);
    let e = verify(&Method::POST, "/api/v1/units", 201, &json, body.as_bytes()).unwrap_err();
    assert!(e.contains("header ETag is missing"), "{e}");
    let complete = headers(&[
        ("content-type", "application/json"),
        ("etag", "\"1\""),
        ("location", "/api/v1/units/KFN"),
    ]);
    assert!(
        verify(
            &Method::POST,
            "/api/v1/units",
            201,
            &complete,
            body.as_bytes()
        )
        .is_ok()
    );
}

#[test]
fn an_undeclared_content_type_fails() {
    let html = headers(&[("content-type", "text/html"), ("etag", "\"1\"")]);
    let e = verify(&Method::GET, "/api/v1/units/KFN", 200, &html, b"<p>KFN</p>").unwrap_err();
    assert!(e.contains("text/html is not declared"), "{e}");
}

#[test]
fn an_id_that_is_not_a_uuid_fails() {
    let mut partner = example("Partner");
    let json = headers(&[("content-type", "application/json"), ("etag", "\"1\"")]);
    let path = format!("/api/v1/partners/{}", partner["id"].as_str().unwrap());
    assert!(
        verify(
            &Method::GET,
            &path,
            200,
            &json,
            partner.to_string().as_bytes()
        )
        .is_ok()
    );
    partner["id"] = json!("partner-1");
    let e = verify(
        &Method::GET,
        &path,
        200,
        &json,
        partner.to_string().as_bytes(),
    )
    .unwrap_err();
    assert!(e.contains("/id") && e.contains("uuid"), "{e}");
}

#[test]
fn outside_the_document_only_a_problem_passes() {
    let body = problem(404).to_string();
    assert_eq!(
        verify(
            &Method::GET,
            "/nowhere",
            404,
            &problem_json(),
            body.as_bytes()
        ),
        Ok(Some("(outside) /nowhere".to_string()))
    );
    let text = headers(&[("content-type", "text/plain")]);
    assert!(verify(&Method::GET, "/nowhere", 404, &text, b"Not Found").is_err());
    // Swagger UI is on the short list of what the document cannot describe.
    let html = headers(&[("content-type", "text/html")]);
    assert_eq!(
        verify(
            &Method::GET,
            "/docs/index.html",
            200,
            &html,
            b"<html></html>"
        ),
        Ok(None)
    );
}

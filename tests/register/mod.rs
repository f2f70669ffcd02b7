//! Builders for a small register: units, partners, published assessments, agreements and
//! exceptions, created through the API as the roles that may create them.
#![allow(dead_code)]

use serde_json::{Value, json};

use crate::common::{TestApp, TestResponse, create_unit};

pub const MEETS: [&str; 3] = ["MEETS", "MEETS", "MEETS"];
pub const FAILS_DEMOCRACY: [&str; 3] = ["MEETS", "DOES_NOT_MEET", "MEETS"];

/// The units KS (executive board), KFN (a committee below it) and BOLAG (a company).
pub async fn units(app: &TestApp) {
    create_unit(app, "KS", "EXECUTIVE_BOARD", None).await;
    create_unit(app, "KFN", "COMMITTEE", Some("KS")).await;
    create_unit(app, "KFF", "ADMINISTRATION", Some("KFN")).await;
    create_unit(app, "SKOL", "COMMITTEE", Some("KS")).await;
    create_unit(app, "BOLAG", "COMPANY", None).await;
}

pub async fn partner(app: &TestApp, name: &str, kind: &str, country: &str) -> String {
    let res = app
        .post("/api/v1/partners")
        .role("coordinator")
        .json(&json!({"name": name, "kind": kind, "countryCode": country, "city": name}))
        .send()
        .await;
    res.assert_status(201);
    res.json()["id"].as_str().unwrap().to_string()
}

fn judgement(verdict: &str) -> Value {
    json!({"verdict": verdict, "rationale": format!("Judged {verdict} for the test.")})
}

/// Drafts an assessment of `subject` (`{"countryCode": ..}` or `{"partnerId": ..}`) as one
/// coordinator and publishes it as another (four eyes). Returns its id.
pub async fn publish(
    app: &TestApp,
    subject: Value,
    verdicts: [&str; 3],
    assessed_at: &str,
    valid_until: &str,
) -> String {
    let mut body = json!({
        "humanRights": judgement(verdicts[0]),
        "democracy": judgement(verdicts[1]),
        "ruleOfLaw": judgement(verdicts[2]),
        "assessedAt": assessed_at,
        "validUntil": valid_until,
    });
    for (k, v) in subject.as_object().unwrap() {
        body[k] = v.clone();
    }
    let drafted = app
        .post("/api/v1/assessments")
        .bearer(&app.token_for("cora.coordinator", &["coordinator"], None))
        .json(&body)
        .send()
        .await;
    drafted.assert_status(201);
    let id = drafted.json()["id"].as_str().unwrap().to_string();
    let published = app
        .post(&format!("/api/v1/assessments/{id}/publish"))
        .bearer(&app.token_for("per.coordinator", &["coordinator"], None))
        .if_match(drafted.etag())
        .send()
        .await;
    published.assert_status(200);
    id
}

/// A country assessment valid from 2026-01-01 for two years.
pub async fn country(app: &TestApp, code: &str, verdicts: [&str; 3]) -> String {
    publish(
        app,
        json!({"countryCode": code}),
        verdicts,
        "2026-01-01",
        "2027-12-31",
    )
    .await
}

/// A draft agreement registered by an officer of `unit`; `extra` overrides the defaults.
pub async fn agreement(app: &TestApp, unit: &str, partners: &[&str], extra: Value) -> Value {
    let mut body = json!({
        "title": "Kunskapsutbyte",
        "type": "KNOWLEDGE_EXCHANGE",
        "unitCode": unit,
        "partnerIds": partners,
        "purposes": ["KNOWLEDGE_EXCHANGE"],
        "sdgs": [4, 11],
        "startDate": "2026-12-01",
        "endDate": "2027-12-01",
        "caseNumber": "KS 2026-00001",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app
        .post("/api/v1/agreements")
        .officer_of(unit)
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

pub async fn activate(app: &TestApp, agreement: &Value, unit: &str) -> TestResponse {
    let id = agreement["id"].as_str().unwrap();
    app.post(&format!("/api/v1/agreements/{id}/activate"))
        .officer_of(unit)
        .if_match(agreement["version"].as_i64().unwrap())
        .send()
        .await
}

/// Requests an exception as an officer of `unit`, returns the request.
pub async fn request_exception(app: &TestApp, agreement: &str, partner: &str, unit: &str) -> Value {
    let res = app
        .post("/api/v1/exceptions")
        .officer_of(unit)
        .json(&json!({"agreementId": agreement, "partnerId": partner, "justification": "Viktigt kulturutbyte.", "caseNumber": "KS 2026-00456"}))
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

/// Records a decision as the board secretary.
pub async fn decide(
    app: &TestApp,
    exception: &Value,
    decision: &str,
    valid_from: Option<&str>,
    valid_until: Option<&str>,
) -> TestResponse {
    let id = exception["id"].as_str().unwrap();
    let mut body = json!({"decision": decision, "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 448"});
    if let Some(f) = valid_from {
        body["validFrom"] = json!(f);
    }
    if let Some(u) = valid_until {
        body["validUntil"] = json!(u);
    }
    app.post(&format!("/api/v1/exceptions/{id}/decision"))
        .role("board_secretary")
        .if_match(exception["version"].as_i64().unwrap())
        .json(&body)
        .send()
        .await
}

pub fn codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect()
}

/// A partner created with any fields (`extra` overrides the defaults), as a coordinator.
pub async fn partner_with(app: &TestApp, name: &str, country: &str, extra: Value) -> String {
    let mut body = json!({"name": name, "kind": "CITY", "countryCode": country, "city": name});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app
        .post("/api/v1/partners")
        .role("coordinator")
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    res.json()["id"].as_str().unwrap().to_string()
}

/// An assessment drafted by a coordinator and left unpublished; `body` holds the subject and
/// anything else to set. Returns its id.
pub async fn draft_assessment(app: &TestApp, body: Value, verdicts: [&str; 3]) -> String {
    let mut full = json!({
        "humanRights": judgement(verdicts[0]),
        "democracy": judgement(verdicts[1]),
        "ruleOfLaw": judgement(verdicts[2]),
        "assessedAt": "2026-11-01",
        "validUntil": "2027-11-01",
    });
    for (k, v) in body.as_object().unwrap() {
        full[k] = v.clone();
    }
    let res = app
        .post("/api/v1/assessments")
        .bearer(&app.token_for("cora.coordinator", &["coordinator"], None))
        .json(&full)
        .send()
        .await;
    res.assert_status(201);
    res.json()["id"].as_str().unwrap().to_string()
}

/// Activates a draft and asserts it became active; returns the active agreement.
pub async fn active(app: &TestApp, agreement: &Value, unit: &str) -> Value {
    let res = activate(app, agreement, unit).await;
    res.assert_status(200);
    res.json()
}

/// Ends an active agreement (or cancels a draft or active one, with `action = "cancel"`) as an
/// officer of `unit`; returns it.
pub async fn close(app: &TestApp, agreement: &Value, unit: &str, action: &str) -> Value {
    let id = agreement["id"].as_str().unwrap();
    let res = app
        .post(&format!("/api/v1/agreements/{id}/{action}"))
        .officer_of(unit)
        .if_match(agreement["version"].as_i64().unwrap())
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

/// Revokes a granted exception as the board secretary; returns it.
pub async fn revoke(app: &TestApp, exception: &Value, reason: &str) -> Value {
    let id = exception["id"].as_str().unwrap();
    let res = app
        .post(&format!("/api/v1/exceptions/{id}/revoke"))
        .role("board_secretary")
        .if_match(exception["version"].as_i64().unwrap())
        .json(&json!({"decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-25", "protocolParagraph": "§ 91", "reason": reason}))
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

/// Withdraws a pending exception request as an officer of `unit`; returns it.
pub async fn withdraw(app: &TestApp, exception: &Value, unit: &str) -> Value {
    let id = exception["id"].as_str().unwrap();
    let res = app
        .post(&format!("/api/v1/exceptions/{id}/withdraw"))
        .officer_of(unit)
        .if_match(exception["version"].as_i64().unwrap())
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

/// Adds a contact to a partner as a coordinator; returns it.
pub async fn contact(app: &TestApp, partner: &str, body: Value) -> Value {
    let res = app
        .post(&format!("/api/v1/partners/{partner}/contacts"))
        .role("coordinator")
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

/// Creates a webhook subscription as admin; returns (id, secret).
pub async fn webhook(app: &TestApp, body: Value) -> (String, String) {
    let res = app
        .post("/api/v1/webhooks")
        .role("admin")
        .json(&body)
        .send()
        .await;
    res.assert_status(201);
    let body = res.json();
    (
        body["id"].as_str().unwrap().to_string(),
        body["secret"].as_str().unwrap().to_string(),
    )
}

/// Imports index values (CSV with the import's header) as a coordinator.
pub async fn import_indicators(app: &TestApp, csv: &str) {
    app.post("/api/v1/indicators")
        .role("coordinator")
        .raw("text/csv", csv.to_string())
        .send()
        .await
        .assert_status(201);
}

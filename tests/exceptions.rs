//! Exception requests and decisions: who may file, decide, revoke and withdraw, and what a
//! decision must say.

mod common;
mod register;

use common::TestApp;
use register::{FAILS_DEMOCRACY, agreement, country, decide, partner, request_exception, units};
use serde_json::{Value, json};

async fn setup(app: &TestApp) -> (String, String) {
    units(app).await;
    country(app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(app, "Minsk", "CITY", "BY").await;
    let a = agreement(app, "KFN", &[&p], json!({})).await;
    (a["id"].as_str().unwrap().to_string(), p)
}

async fn a_request_is_filed_once_per_agreement_and_partner(app: TestApp) {
    let (a, p) = setup(&app).await;
    let x = request_exception(&app, &a, &p, "KFN").await;
    assert_eq!(x["status"], "REQUESTED");
    assert_eq!(x["requestedBy"], "officer-KFN");
    assert!(x["decision"].is_null());
    let again = app
        .post("/api/v1/exceptions")
        .officer_of("KFN")
        .json(&json!({"agreementId": a, "partnerId": p, "justification": "Igen.", "caseNumber": "KS 2"}))
        .send()
        .await;
    again.assert_problem(409, "conflict");
    let waiting = app
        .get("/api/v1/exceptions?status=REQUESTED")
        .role("board_secretary")
        .send()
        .await
        .json();
    assert_eq!(waiting["totalItems"], 1);
}

async fn a_request_names_a_party_of_an_agreement_that_exists(app: TestApp) {
    let (a, _) = setup(&app).await;
    let other = partner(&app, "Gomel", "CITY", "BY").await;
    let res = app
        .post("/api/v1/exceptions")
        .officer_of("KFN")
        .json(
            &json!({"agreementId": a, "partnerId": other, "justification": "x", "caseNumber": "y"}),
        )
        .send()
        .await;
    assert_eq!(
        res.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
        "/partnerId"
    );
    let res = app
        .post("/api/v1/exceptions")
        .officer_of("KFN")
        .json(&json!({"agreementId": "nope", "partnerId": other, "justification": "x", "caseNumber": "y"}))
        .send()
        .await;
    assert_eq!(
        res.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
        "/agreementId"
    );
    let res = app
        .post("/api/v1/exceptions")
        .officer_of("KFN")
        .json(&json!({"agreementId": a, "partnerId": other, "caseNumber": "y"}))
        .send()
        .await;
    assert_eq!(
        res.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
        "/justification"
    );
}

async fn a_decision_by_a_delegate_names_the_delegation_and_a_denial_has_no_validity(app: TestApp) {
    let (a, p) = setup(&app).await;
    let x = request_exception(&app, &a, &p, "KFN").await;
    let id = x["id"].as_str().unwrap();
    let url = format!("/api/v1/exceptions/{id}/decision");
    let delegate = json!({"decision": "GRANTED", "decidingBody": "DELEGATE", "decidedAt": "2026-11-20", "protocolParagraph": "§ 3"});
    let res = app
        .post(&url)
        .role("board_secretary")
        .if_match(1)
        .json(&delegate)
        .send()
        .await;
    assert_eq!(
        res.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
        "/delegationReference"
    );
    let denial = json!({"decision": "DENIED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 3", "validUntil": "2027-01-01"});
    let res = app
        .post(&url)
        .role("board_secretary")
        .if_match(1)
        .json(&denial)
        .send()
        .await;
    assert_eq!(
        res.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
        "/validUntil"
    );
    let backwards = json!({"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 3", "validFrom": "2026-12-01", "validUntil": "2026-11-30"});
    app.post(&url)
        .role("board_secretary")
        .if_match(1)
        .json(&backwards)
        .send()
        .await
        .assert_problem(400, "validation-failed");
    // Nothing was recorded by the refusals.
    let read = app
        .get(&format!("/api/v1/exceptions/{id}"))
        .role("reader")
        .send()
        .await;
    assert_eq!(read.etag(), 1);
    assert_eq!(read.json()["status"], "REQUESTED");
}

async fn only_the_board_secretary_decides_and_revokes(app: TestApp) {
    let (a, p) = setup(&app).await;
    let x = request_exception(&app, &a, &p, "KFN").await;
    let id = x["id"].as_str().unwrap();
    let body = json!({"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 448"});
    for role in ["reader", "officer", "coordinator", "admin"] {
        app.post(&format!("/api/v1/exceptions/{id}/decision"))
            .role(role)
            .if_match(1)
            .json(&body)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    app.post(&format!("/api/v1/exceptions/{id}/decision"))
        .role("board_secretary")
        .json(&body)
        .send()
        .await
        .assert_problem(428, "precondition-required");
    let granted = decide(&app, &x, "GRANTED", None, None).await;
    granted.assert_status(200);
    let granted = granted.json();
    assert_eq!(granted["status"], "GRANTED");
    assert_eq!(granted["decision"]["validFrom"], "2026-11-20");
    assert_eq!(granted["decision"]["recordedBy"], "board_secretary-user");
    let revoke = json!({"decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-10", "protocolParagraph": "§ 9", "reason": "Fel."});
    let early = app
        .post(&format!("/api/v1/exceptions/{id}/revoke"))
        .role("board_secretary")
        .if_match(2)
        .json(&revoke)
        .send()
        .await;
    assert_eq!(
        early.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
        "/decidedAt"
    );
    let mut revoke: Value = revoke;
    revoke["decidedAt"] = json!("2026-11-25");
    app.post(&format!("/api/v1/exceptions/{id}/revoke"))
        .role("coordinator")
        .if_match(2)
        .json(&revoke)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let revoked = app
        .post(&format!("/api/v1/exceptions/{id}/revoke"))
        .role("board_secretary")
        .if_match(2)
        .json(&revoke)
        .send()
        .await;
    revoked.assert_status(200);
    assert_eq!(revoked.json()["status"], "REVOKED");
    assert_eq!(revoked.json()["decision"]["decision"], "GRANTED");
    app.post(&format!("/api/v1/exceptions/{id}/revoke"))
        .role("board_secretary")
        .if_match(3)
        .json(&revoke)
        .send()
        .await
        .assert_problem(409, "conflict");
    let history = app
        .get(&format!("/api/v1/exceptions/{id}/history"))
        .role("reader")
        .send()
        .await
        .json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["REQUESTED", "GRANTED", "REVOKED"]);
}

async fn the_requesting_unit_withdraws_a_pending_request(app: TestApp) {
    let (a, p) = setup(&app).await;
    let x = request_exception(&app, &a, &p, "KFN").await;
    let id = x["id"].as_str().unwrap();
    app.post(&format!("/api/v1/exceptions/{id}/withdraw"))
        .officer_of("SKOL")
        .if_match(1)
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.post(&format!("/api/v1/exceptions/{id}/withdraw"))
        .officer_of("KFN")
        .if_match(5)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    let withdrawn = app
        .post(&format!("/api/v1/exceptions/{id}/withdraw"))
        .officer_of("KFN")
        .if_match(1)
        .send()
        .await;
    withdrawn.assert_status(200);
    assert_eq!(withdrawn.json()["status"], "WITHDRAWN");
    decide(
        &app,
        &json!({"id": id, "version": 2}),
        "GRANTED",
        None,
        None,
    )
    .await
    .assert_problem(409, "conflict");
    // A new request may follow a withdrawn one.
    request_exception(&app, &a, &p, "KFN").await;
    app.get("/api/v1/exceptions/nope")
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
}

both!(
    a_request_is_filed_once_per_agreement_and_partner,
    a_request_names_a_party_of_an_agreement_that_exists,
    a_decision_by_a_delegate_names_the_delegation_and_a_denial_has_no_validity,
    only_the_board_secretary_decides_and_revokes,
    the_requesting_unit_withdraws_a_pending_request,
);

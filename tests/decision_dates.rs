//! Dates in decisions are facts, not plans (DESIGN "Second edition"): a decision's and a
//! revocation's `decidedAt`, and an assessment's `assessedAt`, are not after today in Stockholm.

mod common;
mod register;

use chrono::Days;
use common::TestApp;
use register::{FAILS_DEMOCRACY, agreement, country, partner, request_exception, units};
use serde_json::{Value, json};

fn today() -> String {
    samverkan::policy::today().to_string()
}

fn tomorrow() -> String {
    samverkan::policy::today()
        .checked_add_days(Days::new(1))
        .unwrap()
        .to_string()
}

async fn requested(app: &TestApp) -> Value {
    units(app).await;
    country(app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(app, "Minsk", "CITY", "BY").await;
    let a = agreement(app, "KFN", &[&p], json!({})).await;
    request_exception(app, a["id"].as_str().unwrap(), &p, "KFN").await
}

async fn post(app: &TestApp, path: &str, version: i64, body: &Value) -> common::TestResponse {
    app.post(path)
        .role("board_secretary")
        .if_match(version)
        .json(body)
        .send()
        .await
}

async fn a_decision_or_revocation_dated_tomorrow_is_refused_today_is_accepted(app: TestApp) {
    let x = requested(&app).await;
    let id = x["id"].as_str().unwrap();
    let decision = |day: String| json!({"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": day, "protocolParagraph": "§ 448"});
    let path = format!("/api/v1/exceptions/{id}/decision");
    let problem = post(&app, &path, 1, &decision(tomorrow()))
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/decidedAt");
    assert_eq!(problem["errors"][0]["code"], "in-the-future");
    let granted = post(&app, &path, 1, &decision(today())).await;
    granted.assert_status(200);
    assert_eq!(granted.json()["decision"]["decidedAt"], today().as_str());

    let revocation = |day: String| json!({"decidingBody": "KOMMUNSTYRELSEN", "decidedAt": day, "protocolParagraph": "§ 9", "reason": "Villkoren uppfylls inte."});
    let path = format!("/api/v1/exceptions/{id}/revoke");
    let problem = post(&app, &path, 2, &revocation(tomorrow()))
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/decidedAt");
    assert_eq!(problem["errors"][0]["code"], "in-the-future");
    let revoked = post(&app, &path, 2, &revocation(today())).await;
    revoked.assert_status(200);
    assert_eq!(revoked.json()["status"], "REVOKED");
}

async fn an_assessment_dated_tomorrow_is_refused_today_is_accepted(app: TestApp) {
    let body = |day: String| {
        let verdict = json!({"verdict": "MEETS", "rationale": "Judged on the evidence."});
        json!({
            "countryCode": "NO", "humanRights": verdict, "democracy": verdict, "ruleOfLaw": verdict,
            "indicators": [{"source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total-score", "value": 98, "category": "Free"}],
            "assessedAt": day
        })
    };
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&body(tomorrow()))
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/assessedAt");
    assert_eq!(problem["errors"][0]["code"], "in-the-future");
    let res = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&body(today()))
        .send()
        .await;
    res.assert_status(201);
    assert_eq!(res.json()["assessedAt"], today().as_str());
}

both!(
    a_decision_or_revocation_dated_tomorrow_is_refused_today_is_accepted,
    an_assessment_dated_tomorrow_is_refused_today_is_accepted,
);

//! Agreements end with a record (DESIGN "Agreements end with a record"): ending and cancelling
//! keep when, why and on which day, and the change log and history carry them.

mod common;
mod register;

use chrono::Days;
use common::{TestApp, TestResponse};
use register::{MEETS, activate, agreement, country, partner, units};
use serde_json::{Value, json};

/// An active agreement of KFN that started on `start`.
async fn active_since(app: &TestApp, start: &str) -> Value {
    units(app).await;
    country(app, "NO", MEETS).await;
    let p = partner(app, "Oslo", "CITY", "NO").await;
    let a = agreement(app, "KFN", &[&p], json!({"startDate": start})).await;
    let res = activate(app, &a, "KFN").await;
    res.assert_status(200);
    res.json()
}

async fn act(app: &TestApp, agreement: &Value, action: &str, body: Option<Value>) -> TestResponse {
    let id = agreement["id"].as_str().unwrap();
    let call = app
        .post(&format!("/api/v1/agreements/{id}/{action}"))
        .officer_of("KFN")
        .if_match(agreement["version"].as_i64().unwrap());
    match body {
        Some(body) => call.json(&body).send().await,
        None => call.send().await,
    }
}

fn today() -> chrono::NaiveDate {
    samverkan::policy::today()
}

async fn history(app: &TestApp, agreement: &Value) -> Value {
    let id = agreement["id"].as_str().unwrap();
    app.get(&format!("/api/v1/agreements/{id}/history"))
        .role("reader")
        .send()
        .await
        .json()
}

async fn a_draft_has_no_activation_end_or_cancellation_record(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    for field in [
        "activatedAt",
        "activatedBy",
        "endedAt",
        "endReason",
        "cancelledAt",
        "cancelReason",
    ] {
        assert_eq!(a.get(field), Some(&Value::Null), "{field} in {a}");
    }
    let activated = activate(&app, &a, "KFN").await.json();
    assert_eq!(activated["activatedBy"], "officer-KFN");
    assert!(activated["activatedAt"].is_string());
    assert_eq!(activated["endedAt"], Value::Null);
}

async fn ending_with_a_date_and_a_reason_records_both(app: TestApp) {
    let a = active_since(&app, "2026-01-01").await;
    let day = today().checked_sub_days(Days::new(3)).unwrap().to_string();
    let res = act(
        &app,
        &a,
        "end",
        Some(json!({"endDate": day, "reason": "  Programmet är genomfört. "})),
    )
    .await;
    res.assert_status(200);
    let ended = res.json();
    assert_eq!(ended["status"], "ENDED");
    assert_eq!(ended["endDate"], day.as_str());
    assert_eq!(ended["endReason"], "Programmet är genomfört.");
    assert!(ended["endedAt"].is_string(), "{ended}");
    assert_eq!(ended["cancelledAt"], Value::Null);
    assert_eq!(ended["activatedBy"], "officer-KFN");

    // The change log and the history carry the record.
    let history = history(&app, &a).await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "ENDED");
    assert_eq!(last["data"]["endReason"], "Programmet är genomfört.");
    assert_eq!(last["data"]["endDate"], day.as_str());
    let changed: Vec<&str> = last["changedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for field in ["status", "endDate", "endedAt", "endReason"] {
        assert!(changed.contains(&field), "{field} not in {changed:?}");
    }
    let events = app
        .get("/api/v1/events?after=0&limit=100")
        .role("admin")
        .send()
        .await
        .json();
    let ended_event = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "ENDED")
        .expect("an ENDED event")
        .clone();
    assert_eq!(ended_event["data"]["endReason"], "Programmet är genomfört.");
}

async fn an_empty_body_ends_today_and_cancels_without_a_reason(app: TestApp) {
    let a = active_since(&app, "2026-01-01").await;
    let res = act(&app, &a, "end", None).await;
    res.assert_status(200);
    let ended = res.json();
    assert_eq!(ended["endDate"], today().to_string());
    assert_eq!(ended["endReason"], Value::Null);

    let p = partner(&app, "Bergen", "CITY", "NO").await;
    let b = agreement(&app, "KFN", &[&p], json!({})).await;
    let res = act(&app, &b, "cancel", Some(json!({}))).await;
    res.assert_status(200);
    let cancelled = res.json();
    assert_eq!(cancelled["status"], "CANCELLED");
    assert!(cancelled["cancelledAt"].is_string());
    assert_eq!(cancelled["cancelReason"], Value::Null);
    assert_eq!(cancelled["endedAt"], Value::Null);
}

async fn ending_in_the_future_or_before_the_start_is_refused_and_changes_nothing(app: TestApp) {
    let a = active_since(&app, "2026-01-01").await;
    let tomorrow = today().checked_add_days(Days::new(1)).unwrap().to_string();
    let problem = act(&app, &a, "end", Some(json!({"endDate": tomorrow})))
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/endDate");
    assert_eq!(problem["errors"][0]["code"], "in-the-future");
    let problem = act(&app, &a, "end", Some(json!({"endDate": "2025-12-31"})))
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/endDate");
    assert_eq!(problem["errors"][0]["code"], "before-start");
    let problem = act(&app, &a, "end", Some(json!({"reason": "", "until": 1})))
        .await
        .assert_problem(400, "validation-failed");
    assert!(!problem["errors"].as_array().unwrap().is_empty());

    let id = a["id"].as_str().unwrap();
    let read = app
        .get(&format!("/api/v1/agreements/{id}"))
        .role("reader")
        .send()
        .await;
    assert_eq!(read.json()["status"], "ACTIVE");
    assert_eq!(read.json()["endDate"], "2027-12-01");
    assert_eq!(read.etag(), a["version"].as_i64().unwrap());
}

async fn cancelling_with_a_reason_records_it(app: TestApp) {
    let a = active_since(&app, "2026-01-01").await;
    let res = act(
        &app,
        &a,
        "cancel",
        Some(json!({"reason": "Partnern drog sig ur."})),
    )
    .await;
    res.assert_status(200);
    let cancelled = res.json();
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["cancelReason"], "Partnern drog sig ur.");
    assert!(cancelled["cancelledAt"].is_string());
    assert_eq!(cancelled["endReason"], Value::Null);
    // Cancelling keeps the planned end date: only ending records the day it ended.
    assert_eq!(cancelled["endDate"], "2027-12-01");
    let history = history(&app, &a).await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "CANCELLED");
    assert_eq!(last["data"]["cancelReason"], "Partnern drog sig ur.");
}

both!(
    a_draft_has_no_activation_end_or_cancellation_record,
    ending_with_a_date_and_a_reason_records_both,
    an_empty_body_ends_today_and_cancels_without_a_reason,
    ending_in_the_future_or_before_the_start_is_refused_and_changes_nothing,
    cancelling_with_a_reason_records_it,
);

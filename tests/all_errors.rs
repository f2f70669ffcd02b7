//! All errors at once (DESIGN "Second edition"): a body or a query with several faults answers
//! 400 once, with one `errors` item per fault, each with its JSON pointer and code, and changes
//! nothing.

mod common;
mod register;

use common::{TestApp, TestResponse};
use register::{FAILS_DEMOCRACY, MEETS, agreement, country, partner, units};
use serde_json::{Value, json};

/// The `(pointer, code)` of every item, sorted.
fn items(problem: &Value) -> Vec<(String, String)> {
    let mut items: Vec<(String, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            assert!(e["detail"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
            (
                e["pointer"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    items.sort();
    items
}

fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    v.sort();
    v
}

async fn refused(res: TestResponse) -> Vec<(String, String)> {
    items(&res.assert_problem(400, "validation-failed"))
}

async fn a_unit_with_six_faults_gets_six_items(app: TestApp) {
    let before = app.event_count().await;
    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(&json!({
            "code": "bad code", "type": "PLANET", "nameEn": 5,
            "parentCode": "", "validFrom": "2026-13-01", "version": 3
        }))
        .send()
        .await;
    assert_eq!(
        refused(res).await,
        expect(&[
            ("/code", "invalid-unit-code"),
            ("/name", "required"),
            ("/nameEn", "invalid-type"),
            ("/type", "invalid-value"),
            ("/parentCode", "invalid-unit-code"),
            ("/validFrom", "invalid-value"),
            ("/version", "unknown-field"),
        ])
    );
    assert_eq!(app.event_count().await, before);
}

async fn a_partner_with_several_faults_gets_an_item_each(app: TestApp) {
    let res = app
        .post("/api/v1/partners")
        .role("coordinator")
        .json(&json!({
            "kind": "TOWN", "countryCode": "ZZZ", "website": "ftp://x", "archived": "no", "id": "x"
        }))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/archived",
            "/countryCode",
            "/id",
            "/kind",
            "/name",
            "/website"
        ],
        "{got:?}"
    );
    assert!(got.contains(&("/name".into(), "required".into())));
    assert!(got.contains(&("/id".into(), "unknown-field".into())));
}

async fn a_contact_with_several_faults_gets_an_item_each(app: TestApp) {
    units(&app).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let res = app
        .post(&format!("/api/v1/partners/{p}/contacts"))
        .role("coordinator")
        .json(&json!({"email": "not-an-email", "phone": true, "retentionUntil": "soon", "x": 1}))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec!["/email", "/name", "/phone", "/retentionUntil", "/x"],
        "{got:?}"
    );
}

async fn an_assessment_with_faults_at_every_depth_gets_an_item_each(app: TestApp) {
    let res = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&json!({
            "countryCode": "NO",
            "humanRights": {"verdict": "MEETS", "rationale": ""},
            "democracy": {"verdict": "MAYBE", "rationale": "Ok."},
            "indicators": [{"source": "FREEDOM_HOUSE", "value": "high"}, {"nope": 1}],
            "assessedAt": "yesterday"
        }))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/assessedAt",
            "/democracy/verdict",
            "/humanRights/rationale",
            "/indicators/0/value",
            "/indicators/1/nope",
            "/ruleOfLaw",
        ],
        "{got:?}"
    );
    assert!(got.contains(&("/ruleOfLaw".into(), "required".into())));
}

async fn an_agreement_with_six_faults_gets_six_items(app: TestApp) {
    units(&app).await;
    let before = app.event_count().await;
    let res = app
        .post("/api/v1/agreements")
        .officer_of("KFN")
        .json(&json!({
            "type": "FRIENDSHIP", "unitCode": "KFN", "purposes": ["KNOWLEDGE_EXCHANGE", "FUN"],
            "sdgs": [4, 18], "startDate": "2026-02-30", "caseNumber": 12, "status": "ACTIVE"
        }))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/caseNumber",
            "/purposes/1",
            "/sdgs/1",
            "/startDate",
            "/status",
            "/title",
            "/type",
        ],
        "{got:?}"
    );
    assert!(got.contains(&("/title".into(), "required".into())));
    assert!(got.contains(&("/status".into(), "unknown-field".into())));
    assert_eq!(app.event_count().await, before);
}

async fn an_exception_request_and_a_decision_name_every_fault(app: TestApp) {
    units(&app).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(&app, "Minsk", "CITY", "BY").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let res = app
        .post("/api/v1/exceptions")
        .officer_of("KFN")
        .json(&json!({"agreementId": a["id"], "justification": " ", "caseNumber": "", "status": "GRANTED"}))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec!["/caseNumber", "/justification", "/partnerId", "/status"],
        "{got:?}"
    );
    let x = register::request_exception(&app, a["id"].as_str().unwrap(), &p, "KFN").await;
    let id = x["id"].as_str().unwrap();
    let res = app
        .post(&format!("/api/v1/exceptions/{id}/decision"))
        .role("board_secretary")
        .if_match(1)
        .json(&json!({"decision": "PERHAPS", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-31", "validFrom": 7}))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec![
            "/decidedAt",
            "/decision",
            "/protocolParagraph",
            "/validFrom"
        ],
        "{got:?}"
    );
}

async fn a_webhook_with_several_faults_gets_an_item_each(app: TestApp) {
    let res = app
        .post("/api/v1/webhooks")
        .role("admin")
        .json(&json!({"description": 1, "eventTypes": "AGREEMENT", "active": "yes", "secret": "s"}))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec!["/active", "/description", "/eventTypes", "/secret", "/url"],
        "{got:?}"
    );
}

async fn a_merge_patch_with_several_faults_gets_an_item_each(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let id = a["id"].as_str().unwrap();
    let res = app
        .patch(&format!("/api/v1/agreements/{id}"))
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(&json!({"title": "", "sdgs": [0], "endDate": "later", "id": "x"}))
        .send()
        .await;
    let got = refused(res).await;
    let pointers: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        vec!["/endDate", "/id", "/sdgs/0", "/title"],
        "{got:?}"
    );
}

async fn a_query_with_three_faults_gets_three_items(app: TestApp) {
    let res = app
        .get("/api/v1/agreements?limit=0&page=x&status=NOPE")
        .role("reader")
        .send()
        .await;
    assert_eq!(
        refused(res).await,
        expect(&[
            ("/query/limit", "invalid-value"),
            ("/query/page", "invalid-value"),
            ("/query/status", "invalid-value"),
        ])
    );
    let res = app
        .get("/api/v1/agreements?type=X&purpose=Y&updatedSince=never&stauts=ACTIVE")
        .role("reader")
        .send()
        .await;
    assert_eq!(
        refused(res).await,
        expect(&[
            ("/query/purpose", "invalid-value"),
            ("/query/stauts", "unknown-parameter"),
            ("/query/type", "invalid-value"),
            ("/query/updatedSince", "invalid-value"),
        ])
    );
}

/// Id filters are UUIDs: an empty or malformed one is refused, never read as "no filter"
/// (schemathesis found `?partnerId=` answered 200 with every agreement).
async fn id_filters_that_are_not_uuids_are_refused(app: TestApp) {
    for list in ["agreements", "exceptions", "assessments"] {
        let res = app
            .get(&format!("/api/v1/{list}?partnerId="))
            .role("reader")
            .send()
            .await;
        assert_eq!(
            refused(res).await,
            expect(&[("/query/partnerId", "invalid-id")]),
            "{list}"
        );
    }
    let res = app
        .get("/api/v1/exceptions?agreementId=x&partnerId=01a22a64")
        .role("reader")
        .send()
        .await;
    assert_eq!(
        refused(res).await,
        expect(&[
            ("/query/agreementId", "invalid-id"),
            ("/query/partnerId", "invalid-id")
        ])
    );
    app.get("/api/v1/agreements?partnerId=01a22a64-2d2c-7703-a5a2-0381a470a04e")
        .role("reader")
        .send()
        .await
        .assert_status(200);
}

both!(
    id_filters_that_are_not_uuids_are_refused,
    a_unit_with_six_faults_gets_six_items,
    a_partner_with_several_faults_gets_an_item_each,
    a_contact_with_several_faults_gets_an_item_each,
    an_assessment_with_faults_at_every_depth_gets_an_item_each,
    an_agreement_with_six_faults_gets_six_items,
    an_exception_request_and_a_decision_name_every_fault,
    a_webhook_with_several_faults_gets_an_item_each,
    a_merge_patch_with_several_faults_gets_an_item_each,
    a_query_with_three_faults_gets_three_items,
);

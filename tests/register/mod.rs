//! Builders for a small register: units, partners, published assessments, agreements and
//! exceptions, created through the API as the roles that may create them.
#![allow(dead_code)]

use serde_json::{Value, json};

use crate::common::{Call, TestApp, TestResponse, create_unit};

pub const MEETS: [&str; 3] = ["MEETS", "MEETS", "MEETS"];
pub const FAILS_DEMOCRACY: [&str; 3] = ["MEETS", "DOES_NOT_MEET", "MEETS"];

/// Who sends a set-up request: a caller with one role, an officer of a unit, or any token (for
/// set-ups where the person matters, such as four eyes).
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    Role(&'a str),
    Officer(&'a str),
    Token(&'a str),
}

impl By<'_> {
    pub fn on<'c>(self, call: Call<'c>) -> Call<'c> {
        match self {
            By::Role(role) => call.role(role),
            By::Officer(unit) => call.officer_of(unit),
            By::Token(token) => call.bearer(token),
        }
    }
}

/// `defaults` with the fields of `extra` over them.
pub fn merged(mut defaults: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        defaults[k] = v.clone();
    }
    defaults
}

/// POSTs `body` to `path` as `by`, asserts 201 Created and returns what was created.
pub async fn created(app: &TestApp, by: By<'_>, path: &str, body: &Value) -> Value {
    let res = by.on(app.post(path)).json(body).send().await;
    res.assert_status(201);
    res.json()
}

/// POSTs an action (`/activate`, `/publish`, `/decision`, …) with the If-Match of `version` as
/// `by`, asserts 200 OK and returns the changed resource.
pub async fn acted(
    app: &TestApp,
    by: By<'_>,
    path: &str,
    version: i64,
    body: Option<&Value>,
) -> Value {
    let mut call = by.on(app.post(path)).if_match(version);
    if let Some(body) = body {
        call = call.json(body);
    }
    let res = call.send().await;
    res.assert_status(200);
    res.json()
}

/// The id of a created resource.
pub fn id(resource: &Value) -> String {
    resource["id"].as_str().unwrap().to_string()
}

/// A date `days` from today (negative: in the past), for set-ups that need a date only to lie
/// before or after today.
pub fn in_days(days: i64) -> String {
    (samverkan::policy::today() + chrono::Duration::days(days)).to_string()
}

/// The units KS (executive board), KFN (a committee below it) and BOLAG (a company).
pub async fn units(app: &TestApp) {
    create_unit(app, "KS", "EXECUTIVE_BOARD", None).await;
    create_unit(app, "KFN", "COMMITTEE", Some("KS")).await;
    create_unit(app, "KFF", "ADMINISTRATION", Some("KFN")).await;
    create_unit(app, "SKOL", "COMMITTEE", Some("KS")).await;
    create_unit(app, "BOLAG", "COMPANY", None).await;
}

pub async fn partner(app: &TestApp, name: &str, kind: &str, country: &str) -> String {
    partner_with(app, name, country, json!({"kind": kind})).await
}

/// A partner created as `by`: the city Exampleby in Norway unless `fields` says otherwise;
/// returns it.
pub async fn partner_by(app: &TestApp, by: By<'_>, fields: Value) -> Value {
    let body = merged(
        json!({"name": "Exampleby", "kind": "CITY", "countryCode": "NO"}),
        fields,
    );
    created(app, by, "/api/v1/partners", &body).await
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
    id(&published(app, subject, verdicts, assessed_at, valid_until).await)
}

/// As `publish`, but returns the published assessment.
pub async fn published(
    app: &TestApp,
    subject: Value,
    verdicts: [&str; 3],
    assessed_at: &str,
    valid_until: &str,
) -> Value {
    let fields = merged(
        json!({"assessedAt": assessed_at, "validUntil": valid_until}),
        subject,
    );
    let cora = app.token_for("cora.coordinator", &["coordinator"], None);
    let draft = draft_by(app, By::Token(&cora), fields, verdicts).await;
    let per = app.token_for("per.coordinator", &["coordinator"], None);
    publish_draft(app, By::Token(&per), &draft).await
}

/// Publishes a draft assessment as `by`; returns the published assessment.
pub async fn publish_draft(app: &TestApp, by: By<'_>, draft: &Value) -> Value {
    let path = format!("/api/v1/assessments/{}/publish", id(draft));
    acted(app, by, &path, draft["version"].as_i64().unwrap(), None).await
}

/// A country assessment valid from 2026-01-01 through 2027-12-31 (the sweep's tests count on that
/// end), or through a year from today once that is later, so that it never runs out under a test.
pub async fn country(app: &TestApp, code: &str, verdicts: [&str; 3]) -> String {
    let until = in_days(365).max("2027-12-31".to_string());
    publish(
        app,
        json!({"countryCode": code}),
        verdicts,
        "2026-01-01",
        &until,
    )
    .await
}

/// A draft agreement registered by an officer of `unit`; `extra` overrides the defaults.
pub async fn agreement(app: &TestApp, unit: &str, partners: &[&str], extra: Value) -> Value {
    agreement_by(app, By::Officer(unit), unit, partners, extra).await
}

/// A draft agreement of `unit` registered as `by`; `extra` overrides the defaults.
pub async fn agreement_by(
    app: &TestApp,
    by: By<'_>,
    unit: &str,
    partners: &[&str],
    extra: Value,
) -> Value {
    let defaults = json!({
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
    created(app, by, "/api/v1/agreements", &merged(defaults, extra)).await
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
    request_exception_by(app, By::Officer(unit), agreement, partner).await
}

/// Requests an exception as `by`, returns the request.
pub async fn request_exception_by(
    app: &TestApp,
    by: By<'_>,
    agreement: &str,
    partner: &str,
) -> Value {
    let body = json!({"agreementId": agreement, "partnerId": partner, "justification": "Viktigt kulturutbyte.", "caseNumber": "KS 2026-00456"});
    created(app, by, "/api/v1/exceptions", &body).await
}

/// Records a decision as the board secretary.
pub async fn decide(
    app: &TestApp,
    exception: &Value,
    decision: &str,
    valid_from: Option<&str>,
    valid_until: Option<&str>,
) -> TestResponse {
    decide_by(
        app,
        By::Role("board_secretary"),
        exception,
        decision,
        valid_from,
        valid_until,
    )
    .await
}

/// Records a decision as `by`.
pub async fn decide_by(
    app: &TestApp,
    by: By<'_>,
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
    by.on(app.post(&format!("/api/v1/exceptions/{id}/decision")))
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
    let fields = merged(
        json!({"name": name, "countryCode": country, "city": name}),
        extra,
    );
    id(&partner_by(app, By::Role("coordinator"), fields).await)
}

/// An assessment drafted by a coordinator and left unpublished, assessed a month ago and valid
/// for eleven months more; `body` holds the subject and anything else to set. Returns its id.
pub async fn draft_assessment(app: &TestApp, body: Value, verdicts: [&str; 3]) -> String {
    let fields = merged(
        json!({"assessedAt": in_days(-30), "validUntil": in_days(335)}),
        body,
    );
    let cora = app.token_for("cora.coordinator", &["coordinator"], None);
    id(&draft_by(app, By::Token(&cora), fields, verdicts).await)
}

/// An assessment drafted as `by` with the three `verdicts` and `fields` (the subject, dates,
/// anything else); returns the draft.
pub async fn draft_by(app: &TestApp, by: By<'_>, fields: Value, verdicts: [&str; 3]) -> Value {
    let body = merged(
        json!({
            "humanRights": judgement(verdicts[0]),
            "democracy": judgement(verdicts[1]),
            "ruleOfLaw": judgement(verdicts[2]),
        }),
        fields,
    );
    created(app, by, "/api/v1/assessments", &body).await
}

/// Activates a draft and asserts it became active; returns the active agreement.
pub async fn active(app: &TestApp, agreement: &Value, unit: &str) -> Value {
    active_by(app, By::Officer(unit), agreement).await
}

/// Activates a draft as `by` and asserts it became active; returns the active agreement.
pub async fn active_by(app: &TestApp, by: By<'_>, agreement: &Value) -> Value {
    let path = format!("/api/v1/agreements/{}/activate", id(agreement));
    acted(app, by, &path, agreement["version"].as_i64().unwrap(), None).await
}

/// Ends an active agreement (or cancels a draft or active one, with `action = "cancel"`) as an
/// officer of `unit`; returns it.
pub async fn close(app: &TestApp, agreement: &Value, unit: &str, action: &str) -> Value {
    let path = format!("/api/v1/agreements/{}/{action}", id(agreement));
    let version = agreement["version"].as_i64().unwrap();
    acted(app, By::Officer(unit), &path, version, None).await
}

/// Revokes a granted exception as the board secretary; returns it.
pub async fn revoke(app: &TestApp, exception: &Value, reason: &str) -> Value {
    let path = format!("/api/v1/exceptions/{}/revoke", id(exception));
    let version = exception["version"].as_i64().unwrap();
    let body = json!({"decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-25", "protocolParagraph": "§ 91", "reason": reason});
    acted(
        app,
        By::Role("board_secretary"),
        &path,
        version,
        Some(&body),
    )
    .await
}

/// Withdraws a pending exception request as an officer of `unit`; returns it.
pub async fn withdraw(app: &TestApp, exception: &Value, unit: &str) -> Value {
    let path = format!("/api/v1/exceptions/{}/withdraw", id(exception));
    let version = exception["version"].as_i64().unwrap();
    acted(app, By::Officer(unit), &path, version, None).await
}

/// Adds a contact to a partner as a coordinator; returns it.
pub async fn contact(app: &TestApp, partner: &str, body: Value) -> Value {
    contact_by(app, By::Role("coordinator"), partner, body).await
}

/// Adds a contact to a partner as `by`; returns it.
pub async fn contact_by(app: &TestApp, by: By<'_>, partner: &str, body: Value) -> Value {
    created(
        app,
        by,
        &format!("/api/v1/partners/{partner}/contacts"),
        &body,
    )
    .await
}

/// Creates a webhook subscription as admin; returns (id, secret).
pub async fn webhook(app: &TestApp, body: Value) -> (String, String) {
    let body = created(app, By::Role("admin"), "/api/v1/webhooks", &body).await;
    (
        body["id"].as_str().unwrap().to_string(),
        body["secret"].as_str().unwrap().to_string(),
    )
}

/// Imports index values (CSV with the import's header) as a coordinator; returns the import.
pub async fn import_indicators(app: &TestApp, csv: &str) -> Value {
    let res = app
        .post("/api/v1/indicators")
        .role("coordinator")
        .raw("text/csv", csv.to_string())
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

/// Moves an assessment's publication (and the supersession of its predecessor) to `instant`
/// (`YYYY-MM-DD HH:MM:SS`, UTC), into the past, straight in the database.
pub async fn published_on(app: &TestApp, id: &str, instant: &str) {
    use diesel::prelude::*;
    use samverkan::db::schema::assessments;
    let id = id.to_string();
    let when = chrono::NaiveDateTime::parse_from_str(instant, "%Y-%m-%d %H:%M:%S").unwrap();
    app.with_db(move |c| {
        diesel::update(assessments::table.find(&id))
            .set(assessments::published_at.eq(Some(when)))
            .execute(c)?;
        diesel::update(assessments::table.filter(assessments::superseded_by.eq(&id)))
            .set(assessments::superseded_at.eq(Some(when)))
            .execute(c)?;
        Ok(())
    })
    .await;
}

//! Eligibility of a partner on a date, served as data with its reasons, and answered for past
//! dates as the register stood then.

mod common;
mod register;

use chrono::NaiveDateTime;
use common::TestApp;
use diesel::prelude::*;
use register::{
    FAILS_DEMOCRACY, MEETS, agreement, country, decide, partner, publish, published_on,
    request_exception, units,
};
use samverkan::db::schema::exceptions;
use serde_json::{Value, json};

async fn eligibility(app: &TestApp, partner: &str, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/partners/{partner}/eligibility?{query}"))
        .role("reader")
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

async fn the_four_answers_explain_themselves(app: TestApp) {
    units(&app).await;
    let oslo = partner(&app, "Oslo", "CITY", "NO").await;
    let e = eligibility(&app, &oslo, "unitCode=KFN").await;
    assert_eq!(e["status"], "ASSESSMENT_REQUIRED");
    assert_eq!(e["failingRequirements"], json!(["ASSESSMENT_REQUIRED"]));
    assert_eq!(e["missingAssessments"], json!(["COUNTRY"]));
    let no = country(&app, "NO", MEETS).await;
    let e = eligibility(&app, &oslo, "unitCode=KFN").await;
    assert_eq!(e["status"], "ELIGIBLE");
    assert_eq!(e["assessments"][0]["id"], no);
    assert_eq!(e["assessments"][0]["subject"], "COUNTRY");
    assert_eq!(e["unitCode"], "KFN");
    // Published today: on an earlier date nothing had been published yet.
    assert_eq!(
        eligibility(&app, &oslo, "date=2026-06-01").await["status"],
        "ASSESSMENT_REQUIRED"
    );

    country(&app, "BY", FAILS_DEMOCRACY).await;
    let minsk = partner(&app, "Minsk", "CITY", "BY").await;
    let e = eligibility(&app, &minsk, "").await;
    assert_eq!(e["status"], "EXCEPTION_REQUIRED");
    assert_eq!(e["failingRequirements"], json!(["DEMOCRACY"]));
}

async fn partner_assessment_stricter_a_city_needs_both_itself_and_its_country(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let oslo = partner(&app, "Oslo", "CITY", "NO").await;
    publish(
        &app,
        json!({"partnerId": oslo}),
        ["DOES_NOT_MEET", "MEETS", "MEETS"],
        "2026-01-01",
        "2027-12-31",
    )
    .await;
    let e = eligibility(&app, &oslo, "").await;
    assert_eq!(e["status"], "EXCEPTION_REQUIRED");
    assert_eq!(e["failingRequirements"], json!(["HUMAN_RIGHTS"]));
    assert_eq!(e["assessments"].as_array().unwrap().len(), 2);
    assert_eq!(e["assessments"][1]["subject"], "PARTNER");
}

async fn a_past_date_answers_as_the_register_stood_then(app: TestApp) {
    units(&app).await;
    let oslo = partner(&app, "Oslo", "CITY", "NO").await;
    let first = country(&app, "NO", MEETS).await;
    published_on(&app, &first, "2026-03-01 10:00:00").await;
    let second = publish(
        &app,
        json!({"countryCode": "NO"}),
        FAILS_DEMOCRACY,
        "2026-01-01",
        "2027-12-31",
    )
    .await;
    published_on(&app, &second, "2026-06-01 10:00:00").await;

    assert_eq!(
        eligibility(&app, &oslo, "date=2026-02-15").await["status"],
        "ASSESSMENT_REQUIRED"
    );
    let spring = eligibility(&app, &oslo, "date=2026-04-01").await;
    assert_eq!(spring["status"], "ELIGIBLE");
    assert_eq!(spring["assessments"][0]["id"], first);
    let summer = eligibility(&app, &oslo, "date=2026-07-01").await;
    assert_eq!(summer["status"], "EXCEPTION_REQUIRED");
    assert_eq!(summer["assessments"][0]["id"], second);
    // "By the end of that date", in Stockholm: published 10:00 UTC on 1 June counts for 1 June.
    assert_eq!(
        eligibility(&app, &oslo, "date=2026-06-01").await["status"],
        "EXCEPTION_REQUIRED"
    );
    assert_eq!(
        eligibility(&app, &oslo, "date=2026-05-31").await["status"],
        "ELIGIBLE"
    );
}

async fn a_past_date_counts_decisions_and_revocations_from_the_day_they_were_made(app: TestApp) {
    units(&app).await;
    let by = country(&app, "BY", FAILS_DEMOCRACY).await;
    published_on(&app, &by, "2026-01-02 08:00:00").await;
    let minsk = partner(&app, "Minsk", "CITY", "BY").await;
    let a = agreement(&app, "KFN", &[&minsk], json!({})).await;
    let id = a["id"].as_str().unwrap().to_string();
    let x = request_exception(&app, &id, &minsk, "KFN").await;
    let xid = x["id"].as_str().unwrap().to_string();
    // The request was filed on 10 November.
    let when = at("2026-11-10 09:00:00");
    let row = xid.clone();
    app.with_db(move |c| {
        diesel::update(exceptions::table.find(&row))
            .set(exceptions::created_at.eq(when))
            .execute(c)?;
        Ok(())
    })
    .await;
    decide(&app, &x, "GRANTED", Some("2026-11-20"), Some("2027-06-30"))
        .await
        .assert_status(200);
    app.post(&format!("/api/v1/exceptions/{xid}/revoke"))
        .role("board_secretary")
        .if_match(2)
        .json(&json!({"decidingBody": "DELEGATE", "delegationReference": "KS delegationsordning 3.2", "decidedAt": "2026-11-24", "protocolParagraph": "§ 12", "reason": "Ny bedömning."}))
        .send()
        .await
        .assert_status(200);

    let q = |date: &str| format!("agreementId={id}&date={date}");
    let before = eligibility(&app, &minsk, &q("2026-11-05")).await;
    assert_eq!(before["status"], "EXCEPTION_REQUIRED");
    assert_eq!(before["pendingRequests"], json!([]));
    let pending = eligibility(&app, &minsk, &q("2026-11-15")).await;
    assert_eq!(pending["status"], "EXCEPTION_REQUIRED");
    assert_eq!(pending["pendingRequests"], json!([xid]));
    let granted = eligibility(&app, &minsk, &q("2026-11-21")).await;
    assert_eq!(granted["status"], "ELIGIBLE_BY_EXCEPTION");
    assert_eq!(granted["exception"]["id"], xid);
    assert_eq!(
        eligibility(&app, &minsk, &q("2026-11-24")).await["status"],
        "EXCEPTION_REQUIRED"
    );
}

async fn bad_eligibility_questions_are_refused(app: TestApp) {
    units(&app).await;
    let oslo = partner(&app, "Oslo", "CITY", "NO").await;
    app.get(&format!(
        "/api/v1/partners/{oslo}/eligibility?date=yesterday"
    ))
    .role("reader")
    .send()
    .await
    .assert_problem(400, "validation-failed");
    app.get(&format!(
        "/api/v1/partners/{oslo}/eligibility?unitCode=NOPE"
    ))
    .role("reader")
    .send()
    .await
    .assert_problem(400, "validation-failed");
    app.get(&format!(
        "/api/v1/partners/{oslo}/eligibility?agreementId=nope"
    ))
    .role("reader")
    .send()
    .await
    .assert_problem(400, "validation-failed");
    app.get("/api/v1/partners/nope/eligibility")
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("/api/v1/partners/{oslo}/eligibility"))
        .send()
        .await
        .assert_problem(401, "unauthorized");
    app.get(&format!("/api/v1/partners/{oslo}/eligibility"))
        .bearer(&app.token_for("nobody", &[], None))
        .send()
        .await
        .assert_problem(403, "forbidden");
}

both!(
    the_four_answers_explain_themselves,
    partner_assessment_stricter_a_city_needs_both_itself_and_its_country,
    a_past_date_answers_as_the_register_stood_then,
    a_past_date_counts_decisions_and_revocations_from_the_day_they_were_made,
    bad_eligibility_questions_are_refused,
);

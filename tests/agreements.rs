//! Agreements and the policy's rules on them, each test named after the rule it proves.

mod common;
mod register;

use common::TestApp;
use register::{
    By, FAILS_DEMOCRACY, MEETS, activate, agreement, codes, country, decide, id, partner,
    request_exception, request_exception_by, revoke, units,
};
use serde_json::json;

async fn activation_is_refused_when_a_partner_needs_an_exception(app: TestApp) {
    units(&app).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(&app, "Minsk", "CITY", "BY").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let problem = activate(&app, &a, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
    assert_eq!(codes(&problem), vec!["EXCEPTION_BY_KOMMUNSTYRELSEN"]);
    assert_eq!(problem["errors"][0]["partnerId"], p);
    assert_eq!(problem["errors"][0]["pointer"], "/partnerIds/0");
    // Refused means unchanged.
    let read = app
        .get(&format!("/api/v1/agreements/{}", a["id"].as_str().unwrap()))
        .officer_of("KFN")
        .send()
        .await;
    assert_eq!(read.json()["status"], "DRAFT");
    assert_eq!(read.etag(), 1);
}

async fn assessment_required_blocks_activation_and_an_exception_does_not_replace_it(app: TestApp) {
    units(&app).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let problem = activate(&app, &a, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
    assert_eq!(codes(&problem), vec!["ASSESSMENT_REQUIRED"]);
    let x = request_exception(&app, a["id"].as_str().unwrap(), &p, "KFN").await;
    decide(&app, &x, "GRANTED", Some("2026-11-20"), None)
        .await
        .assert_status(200);
    let problem = activate(&app, &a, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
    assert_eq!(codes(&problem), vec!["ASSESSMENT_REQUIRED"]);
}

async fn purpose_required_partner_required_and_start_date_required(app: TestApp) {
    units(&app).await;
    let a = agreement(&app, "KFN", &[], json!({"purposes": [], "startDate": null})).await;
    let problem = activate(&app, &a, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
    assert_eq!(
        codes(&problem),
        vec![
            "PURPOSE_REQUIRED",
            "PARTNER_REQUIRED",
            "START_DATE_REQUIRED"
        ]
    );
}

async fn project_type_has_project_purpose_and_project_several_parties(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let a = agreement(&app, "KFN", &[&p], json!({"type": "PROJECT"})).await;
    let problem = activate(&app, &a, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
    assert_eq!(codes(&problem), vec!["PROJECT_TYPE_HAS_PROJECT_PURPOSE"]);
    let b = agreement(
        &app,
        "KFN",
        &[&p],
        json!({"type": "PROJECT", "purposes": ["PROJECT_COLLABORATION"]}),
    )
    .await;
    let problem = activate(&app, &b, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
    assert_eq!(codes(&problem), vec!["PROJECT_SEVERAL_PARTIES"]);
}

async fn project_external_funding_is_a_warning_kept_with_the_agreement(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    country(&app, "FI", MEETS).await;
    let p1 = partner(&app, "Oslo", "CITY", "NO").await;
    let p2 = partner(&app, "Tampere", "CITY", "FI").await;
    let a = agreement(
        &app,
        "KFN",
        &[&p1, &p2],
        json!({"type": "PROJECT", "purposes": ["PROJECT_COLLABORATION"], "fundings": [{"source": "OWN", "amount": "10000.50", "currency": "SEK"}]}),
    )
    .await;
    assert_eq!(a["warnings"][0]["rule"], "PROJECT_EXTERNAL_FUNDING");
    assert_eq!(a["fundings"][0]["amount"], "10000.50");
    let active = activate(&app, &a, "KFN").await;
    active.assert_status(200);
    let body = active.json();
    assert_eq!(body["status"], "ACTIVE");
    assert_eq!(body["warnings"][0]["rule"], "PROJECT_EXTERNAL_FUNDING");
    assert_eq!(body["compliance"]["status"], "COMPLIANT");
}

async fn exception_by_kommunstyrelsen_granted_for_the_agreement_allows_activation(app: TestApp) {
    units(&app).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(&app, "Minsk", "CITY", "BY").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let id = a["id"].as_str().unwrap();
    let x = request_exception(&app, id, &p, "KFN").await;
    assert_eq!(x["unitCode"], "KFN");
    let eligibility = app
        .get(&format!(
            "/api/v1/partners/{p}/eligibility?agreementId={id}"
        ))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(eligibility["status"], "EXCEPTION_REQUIRED");
    assert_eq!(eligibility["pendingRequests"][0], x["id"]);
    decide(&app, &x, "GRANTED", Some("2026-11-20"), Some("2027-12-31"))
        .await
        .assert_status(200);
    let eligibility = app
        .get(&format!(
            "/api/v1/partners/{p}/eligibility?agreementId={id}"
        ))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(eligibility["status"], "ELIGIBLE_BY_EXCEPTION");
    assert_eq!(eligibility["exception"]["id"], x["id"]);
    activate(&app, &a, "KFN").await.assert_status(200);
    // The exception is for this agreement only.
    let b = agreement(&app, "KFN", &[&p], json!({})).await;
    activate(&app, &b, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
}

async fn exception_decided_by_other_nobody_decides_their_own_request(app: TestApp) {
    units(&app).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(&app, "Minsk", "CITY", "BY").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let both = app.token_for("dual", &["officer", "board_secretary"], Some("KFN"));
    let x = request_exception_by(&app, By::Token(&both), &id(&a), &p).await;
    let refused = app
        .post(&format!("/api/v1/exceptions/{}/decision", x["id"].as_str().unwrap()))
        .bearer(&both)
        .if_match(1)
        .json(&json!({"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 1"}))
        .send()
        .await;
    let problem = refused.assert_problem(403, "forbidden");
    assert_eq!(codes(&problem), vec!["EXCEPTION_DECIDED_BY_OTHER"]);
    // Decisions are immutable once recorded.
    decide(&app, &x, "DENIED", None, None)
        .await
        .assert_status(200);
    let again = decide(
        &app,
        &json!({"id": x["id"], "version": 2}),
        "GRANTED",
        None,
        None,
    )
    .await;
    again.assert_problem(409, "conflict");
}

async fn an_officer_cannot_act_for_another_unit(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let other = app
        .post("/api/v1/agreements")
        .officer_of("SKOL")
        .json(&json!({"title": "X", "type": "OTHER", "unitCode": "KFN", "partnerIds": [p], "purposes": ["PROFILING"]}))
        .send()
        .await;
    other.assert_problem(403, "forbidden");
    // A unit below one's own is one's own.
    let below = agreement(&app, "KFN", &[&p], json!({"unitCode": "KFF"})).await;
    assert_eq!(below["unitCode"], "KFF");
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let id = a["id"].as_str().unwrap();
    app.post(&format!("/api/v1/agreements/{id}/activate"))
        .officer_of("SKOL")
        .if_match(1)
        .send()
        .await
        .assert_problem(404, "not-found");
    activate(&app, &a, "KFN").await.assert_status(200);
    app.post(&format!("/api/v1/agreements/{id}/end"))
        .officer_of("SKOL")
        .if_match(2)
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.patch(&format!("/api/v1/agreements/{id}"))
        .officer_of("SKOL")
        .if_match(2)
        .merge_patch(&json!({"title": "Kapat"}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.post("/api/v1/exceptions")
        .officer_of("SKOL")
        .json(&json!({"agreementId": id, "partnerId": p, "justification": "x", "caseNumber": "y"}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    // Readers read active agreements but do not write.
    app.get(&format!("/api/v1/agreements/{id}"))
        .role("reader")
        .send()
        .await
        .assert_status(200);
    app.post(&format!("/api/v1/agreements/{id}/end"))
        .role("reader")
        .if_match(2)
        .send()
        .await
        .assert_problem(403, "forbidden");
}

async fn drafts_are_not_shown_to_readers(app: TestApp) {
    units(&app).await;
    let a = agreement(&app, "KFN", &[], json!({})).await;
    let id = a["id"].as_str().unwrap();
    app.get(&format!("/api/v1/agreements/{id}"))
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        app.get("/api/v1/agreements")
            .role("reader")
            .send()
            .await
            .json()["totalItems"],
        0
    );
    assert_eq!(
        app.get("/api/v1/agreements")
            .role("coordinator")
            .send()
            .await
            .json()["totalItems"],
        1
    );
    let feed = app
        .get("/api/v1/events?entityType=AGREEMENT")
        .role("reader")
        .send()
        .await
        .json();
    assert!(feed["items"][0]["data"].is_null());
}

async fn active_agreements_stay_true_a_change_that_breaks_the_rules_is_refused(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let good = partner(&app, "Oslo", "CITY", "NO").await;
    let bad = partner(&app, "Minsk", "CITY", "BY").await;
    let a = agreement(&app, "KFN", &[&good], json!({})).await;
    activate(&app, &a, "KFN").await.assert_status(200);
    let id = a["id"].as_str().unwrap();
    let refused = app
        .patch(&format!("/api/v1/agreements/{id}"))
        .officer_of("KFN")
        .if_match(2)
        .merge_patch(&json!({"partnerIds": [good, bad]}))
        .send()
        .await;
    assert_eq!(
        codes(&refused.assert_problem(409, "activation-blocked")),
        vec!["EXCEPTION_BY_KOMMUNSTYRELSEN"]
    );
    let read = app
        .get(&format!("/api/v1/agreements/{id}"))
        .role("reader")
        .send()
        .await;
    assert_eq!(read.etag(), 2);
    assert_eq!(read.json()["partnerIds"], json!([good]));
    // A description may change freely.
    app.patch(&format!("/api/v1/agreements/{id}"))
        .officer_of("KFN")
        .if_match(2)
        .merge_patch(&json!({"description": "Utökat med skolutbyte."}))
        .send()
        .await
        .assert_status(200);
    // Read-only fields are refused.
    app.patch(&format!("/api/v1/agreements/{id}"))
        .officer_of("KFN")
        .if_match(3)
        .merge_patch(&json!({"status": "DRAFT"}))
        .send()
        .await
        .assert_problem(400, "validation-failed");
}

async fn compliance_a_new_failing_assessment_puts_an_active_agreement_under_review(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    activate(&app, &a, "KFN").await.assert_status(200);
    let id = a["id"].as_str().unwrap();
    let c = app
        .get(&format!("/api/v1/agreements/{id}/compliance"))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(c["status"], "COMPLIANT");
    register::publish(
        &app,
        json!({"countryCode": "NO"}),
        FAILS_DEMOCRACY,
        "2026-11-01",
        "2027-11-01",
    )
    .await;
    let c = app
        .get(&format!("/api/v1/agreements/{id}/compliance"))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(c["status"], "REVIEW_REQUIRED");
    assert_eq!(c["reasons"][0]["code"], "FAILING_ASSESSMENT");
    let found = app
        .get("/api/v1/agreements?compliance=REVIEW_REQUIRED")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(found["totalItems"], 1);
    assert_eq!(found["items"][0]["id"], id);
    let none = app
        .get("/api/v1/agreements?compliance=COMPLIANT")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(none["totalItems"], 0);
}

async fn compliance_a_revoked_exception_puts_an_active_agreement_under_review(app: TestApp) {
    units(&app).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(&app, "Minsk", "CITY", "BY").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    let x = request_exception(&app, a["id"].as_str().unwrap(), &p, "KFN").await;
    let granted = decide(&app, &x, "GRANTED", Some("2026-11-20"), None).await;
    granted.assert_status(200);
    activate(&app, &a, "KFN").await.assert_status(200);
    revoke(&app, &granted.json(), "Villkoren uppfylldes inte.").await;
    let c = app
        .get(&format!(
            "/api/v1/agreements/{}/compliance",
            a["id"].as_str().unwrap()
        ))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(c["status"], "REVIEW_REQUIRED");
    assert_eq!(c["reasons"][0]["code"], "EXCEPTION_REVOKED");
}

async fn scope_committees_and_administrations_a_company_gets_warnings_not_refusals(app: TestApp) {
    units(&app).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(&app, "Minsk", "CITY", "BY").await;
    let a = app
        .post("/api/v1/agreements")
        .role("coordinator")
        .json(&json!({"title": "Bolagets utbyte", "type": "OTHER", "unitCode": "BOLAG", "partnerIds": [p], "purposes": ["PROFILING"], "startDate": "2026-12-01"}))
        .send()
        .await;
    a.assert_status(201);
    let a = a.json();
    assert_eq!(a["boundByPolicy"], false);
    let active = app
        .post(&format!(
            "/api/v1/agreements/{}/activate",
            a["id"].as_str().unwrap()
        ))
        .role("coordinator")
        .if_match(1)
        .send()
        .await;
    active.assert_status(200);
    assert_eq!(
        active.json()["warnings"][0]["rule"],
        "EXCEPTION_BY_KOMMUNSTYRELSEN"
    );
}

async fn sister_city_partner_and_derived_sister_city(app: TestApp) {
    units(&app).await;
    country(&app, "FI", MEETS).await;
    let p = partner(&app, "Tampere", "CITY", "FI").await;
    let knowledge = agreement(&app, "KFN", &[&p], json!({"purposes": ["SISTER_CITIES"]})).await;
    assert_eq!(knowledge["warnings"][0]["rule"], "SISTER_CITY_PARTNER");
    let sister = agreement(
        &app,
        "KFN",
        &[&p],
        json!({"type": "SISTER_CITY", "purposes": ["SISTER_CITIES"], "startDate": "2026-12-01"}),
    )
    .await;
    activate(&app, &sister, "KFN").await.assert_status(200);
    let partner_now = app
        .get(&format!("/api/v1/partners/{p}"))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(partner_now["sisterCity"], true);
    assert_eq!(partner_now["sisterCitySince"], "2026-12-01");
}

/// `sisterCitySince` is the earliest start of the partner's active `SISTER_CITY` agreements, the
/// day of activation (UTC, as stored) standing in for a missing start date; an ended one and
/// another type do not count. Once the partner is a sister city, the purpose `SISTER_CITIES`
/// draws no `SISTER_CITY_PARTNER` warning.
async fn sister_city_since_is_the_earliest_active_start_else_the_day_of_activation(app: TestApp) {
    units(&app).await;
    country(&app, "FI", MEETS).await;
    let p = partner(&app, "Tampere", "CITY", "FI").await;
    let sister = |start: &str, case: &str| {
        json!({"type": "SISTER_CITY", "purposes": ["SISTER_CITIES"], "startDate": start,
               "endDate": null, "caseNumber": case})
    };
    let later = agreement(&app, "KFN", &[&p], sister("2026-12-01", "KS 2026-00011")).await;
    activate(&app, &later, "KFN").await.assert_status(200);
    let earlier = agreement(&app, "KFN", &[&p], sister("2025-03-01", "KS 2026-00012")).await;
    activate(&app, &earlier, "KFN").await.assert_status(200);
    let ended = agreement(&app, "KFN", &[&p], sister("2020-01-01", "KS 2026-00013")).await;
    let ended_now = activate(&app, &ended, "KFN").await;
    ended_now.assert_status(200);
    app.post(&format!("/api/v1/agreements/{}/end", id(&ended)))
        .officer_of("KFN")
        .if_match(ended_now.etag())
        .json(&json!({}))
        .send()
        .await
        .assert_status(200);
    let other = agreement(
        &app,
        "KFN",
        &[&p],
        json!({"startDate": "2019-01-01", "endDate": null, "caseNumber": "KS 2026-00014"}),
    )
    .await;
    activate(&app, &other, "KFN").await.assert_status(200);
    let path = format!("/api/v1/partners/{p}");
    let read = app.get(&path).role("reader").send().await.json();
    assert_eq!(read["sisterCity"], true);
    assert_eq!(read["sisterCitySince"], "2025-03-01");

    // An active agreement without a start date (none can be made through the API): its day of
    // activation counts, the UTC date as stored.
    let (earlier_id, activated) = (
        id(&earlier),
        chrono::NaiveDate::from_ymd_opt(2024, 6, 30)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap(),
    );
    app.with_db(move |c| {
        use diesel::prelude::*;
        use samverkan::db::schema::agreements as a;
        diesel::update(a::table.find(&earlier_id))
            .set((
                a::start_date.eq(None::<chrono::NaiveDate>),
                a::activated_at.eq(Some(activated)),
            ))
            .execute(c)?;
        Ok(())
    })
    .await;
    let read = app.get(&path).role("reader").send().await.json();
    assert_eq!(read["sisterCitySince"], "2024-06-30");

    let knowledge = agreement(
        &app,
        "KFN",
        &[&p],
        json!({"purposes": ["SISTER_CITIES"], "caseNumber": "KS 2026-00015"}),
    )
    .await;
    assert_eq!(knowledge["warnings"], json!([]));
}

async fn a_late_registration_is_checked_for_today_and_marked_retroactive(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let a = agreement(&app, "KFN", &[&p], json!({"startDate": "2019-05-01"})).await;
    let active = activate(&app, &a, "KFN").await;
    active.assert_status(200);
    assert_eq!(active.json()["registeredRetroactively"], true);
}

async fn actions_follow_the_life_cycle_and_need_if_match(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    // Started already: an agreement ends (today, by default) on or after its start date.
    let a = agreement(&app, "KFN", &[&p], json!({"startDate": "2026-01-01"})).await;
    let id = a["id"].as_str().unwrap();
    app.post(&format!("/api/v1/agreements/{id}/activate"))
        .officer_of("KFN")
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.post(&format!("/api/v1/agreements/{id}/activate"))
        .officer_of("KFN")
        .if_match(9)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    app.post(&format!("/api/v1/agreements/{id}/end"))
        .officer_of("KFN")
        .if_match(1)
        .send()
        .await
        .assert_problem(409, "conflict");
    // A retried activation with the same key replays instead of failing its precondition.
    let first = app
        .post(&format!("/api/v1/agreements/{id}/activate"))
        .officer_of("KFN")
        .if_match(1)
        .header("Idempotency-Key", "act-1")
        .send()
        .await;
    first.assert_status(200);
    let replay = app
        .post(&format!("/api/v1/agreements/{id}/activate"))
        .officer_of("KFN")
        .if_match(1)
        .header("Idempotency-Key", "act-1")
        .send()
        .await;
    replay.assert_status(200);
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    app.post(&format!("/api/v1/agreements/{id}/end"))
        .officer_of("KFN")
        .if_match(2)
        .send()
        .await
        .assert_status(200);
    app.post(&format!("/api/v1/agreements/{id}/cancel"))
        .officer_of("KFN")
        .if_match(3)
        .send()
        .await
        .assert_problem(409, "conflict");
    app.patch(&format!("/api/v1/agreements/{id}"))
        .officer_of("KFN")
        .if_match(3)
        .merge_patch(&json!({"title": "Nytt"}))
        .send()
        .await
        .assert_problem(409, "conflict");
    app.delete(&format!("/api/v1/agreements/{id}"))
        .officer_of("KFN")
        .if_match(3)
        .send()
        .await
        .assert_problem(409, "conflict");
    let history = app
        .get(&format!("/api/v1/agreements/{id}/history"))
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
    assert_eq!(actions, vec!["CREATED", "ACTIVATED", "ENDED"]);
    assert_eq!(history["items"][1]["actor"], "officer-KFN");
    assert!(
        history["items"][1]["changedFields"]
            .as_array()
            .unwrap()
            .contains(&json!("status"))
    );
}

async fn bad_agreement_input_names_the_field(app: TestApp) {
    units(&app).await;
    let res = app
        .post("/api/v1/agreements")
        .officer_of("KFN")
        .json(&json!({"title": "X", "type": "OTHER", "unitCode": "KFN", "partnerIds": ["nope"], "sdgs": [18], "fundings": [{"source": "EU", "amount": "1.234", "currency": "SEK"}]}))
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/sdgs/0");
    let res = app
        .post("/api/v1/agreements")
        .officer_of("KFN")
        .json(&json!({"title": "X", "type": "OTHER", "unitCode": "KFN", "fundings": [{"source": "EU", "amount": "1.234", "currency": "SEK"}]}))
        .send()
        .await;
    assert_eq!(
        res.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
        "/fundings/0/amount"
    );
    let res = app
        .post("/api/v1/agreements")
        .officer_of("KFN")
        .json(&json!({"title": "X", "type": "OTHER", "unitCode": "KFN", "partnerIds": ["nope"]}))
        .send()
        .await;
    assert_eq!(
        res.assert_problem(400, "validation-failed")["errors"][0]["code"],
        "unknown-partner"
    );
    assert_eq!(
        app.get("/api/v1/agreements")
            .role("coordinator")
            .send()
            .await
            .json()["totalItems"],
        0
    );
}

/// An agreement's lists (partners in their order, purposes, goals, funding lines in their order)
/// read the same whichever statement loads them: the write's answer, `GET /agreements/{id}`, a page
/// of the list, and again after a change.
async fn an_agreements_lists_read_the_same_by_every_path(app: TestApp) {
    units(&app).await;
    let first = partner(&app, "Ålesund", "CITY", "NO").await;
    let second = partner(&app, "Tromsø", "CITY", "NO").await;
    let third = partner(&app, "Åbo", "CITY", "FI").await;
    let created = agreement(
        &app,
        "KFN",
        &[&third, &first, &second],
        json!({
            "purposes": ["SISTER_CITIES", "KNOWLEDGE_EXCHANGE"],
            "sdgs": [17, 3, 11],
            "fundings": [
                {"source": "EU", "programme": "Interreg \"Öresund\" \\ del; 2: 100%", "amount": "1500.50", "currency": "EUR"},
                {"source": "OWN", "amount": "20000.00", "currency": "SEK"},
                {"source": "REGIONAL", "programme": "Västra Götaland", "amount": "0.05", "currency": "SEK"},
            ],
        }),
    )
    .await;
    let lists =
        |a: &serde_json::Value| json!([a["partnerIds"], a["purposes"], a["sdgs"], a["fundings"]]);
    assert_eq!(
        created["partnerIds"],
        json!([third, first, second]),
        "partners keep their order"
    );
    assert_eq!(created["sdgs"], json!([3, 11, 17]));
    assert_eq!(
        created["fundings"][0]["programme"],
        "Interreg \"Öresund\" \\ del; 2: 100%"
    );
    assert!(created["fundings"][1]["programme"].is_null());
    let id = id(&created);
    let mut expected = lists(&created);
    for version in [1, 2] {
        let read = app
            .get(&format!("/api/v1/agreements/{id}"))
            .officer_of("KFN")
            .send()
            .await
            .json();
        let page = app
            .get(&format!("/api/v1/agreements?partnerId={second}&limit=5"))
            .officer_of("KFN")
            .send()
            .await
            .json();
        assert_eq!(page["items"][0]["id"], id.as_str());
        assert_eq!(lists(&read), expected, "GET, version {version}");
        assert_eq!(
            lists(&page["items"][0]),
            expected,
            "a page, version {version}"
        );
        if version == 1 {
            let changed = app
                .patch(&format!("/api/v1/agreements/{id}"))
                .officer_of("KFN")
                .if_match(1)
                .merge_patch(&json!({
                    "partnerIds": [second, first],
                    "sdgs": [5],
                    "fundings": [],
                }))
                .send()
                .await;
            changed.assert_status(200);
            let changed = changed.json();
            assert_eq!(changed["partnerIds"], json!([second, first]));
            assert_eq!(changed["sdgs"], json!([5]));
            assert_eq!(changed["fundings"], json!([]));
            assert_eq!(changed["purposes"], created["purposes"]);
            expected = lists(&changed);
        }
    }
}

both!(
    an_agreements_lists_read_the_same_by_every_path,
    activation_is_refused_when_a_partner_needs_an_exception,
    assessment_required_blocks_activation_and_an_exception_does_not_replace_it,
    purpose_required_partner_required_and_start_date_required,
    project_type_has_project_purpose_and_project_several_parties,
    project_external_funding_is_a_warning_kept_with_the_agreement,
    exception_by_kommunstyrelsen_granted_for_the_agreement_allows_activation,
    exception_decided_by_other_nobody_decides_their_own_request,
    an_officer_cannot_act_for_another_unit,
    drafts_are_not_shown_to_readers,
    active_agreements_stay_true_a_change_that_breaks_the_rules_is_refused,
    compliance_a_new_failing_assessment_puts_an_active_agreement_under_review,
    compliance_a_revoked_exception_puts_an_active_agreement_under_review,
    scope_committees_and_administrations_a_company_gets_warnings_not_refusals,
    sister_city_partner_and_derived_sister_city,
    sister_city_since_is_the_earliest_active_start_else_the_day_of_activation,
    a_late_registration_is_checked_for_today_and_marked_retroactive,
    actions_follow_the_life_cycle_and_need_if_match,
    bad_agreement_input_names_the_field,
);

//! The follow-up reports for Kommunstyrelsen: what they count, for which period and unit, what
//! they flag, and their CSV form. Dates are relative to today so the tests hold on any day.

mod common;
mod register;

use chrono::{Days, NaiveDate};
use common::TestApp;
use register::{
    FAILS_DEMOCRACY, MEETS, activate, agreement, close, id, partner, publish, request_exception,
    units,
};
use serde_json::{Value, json};

fn today() -> NaiveDate {
    samverkan::policy::today()
}

fn plus(days: i64) -> String {
    let t = today();
    let d = if days >= 0 {
        t.checked_add_days(Days::new(days as u64))
    } else {
        t.checked_sub_days(Days::new((-days) as u64))
    };
    d.unwrap().to_string()
}

/// A country assessment in force from a month ago until `valid_for` days from today.
async fn country(app: &TestApp, code: &str, verdicts: [&str; 3], valid_for: i64) -> String {
    publish(
        app,
        json!({"countryCode": code}),
        verdicts,
        &plus(-30),
        &plus(valid_for),
    )
    .await
}

/// A draft agreement starting today.
async fn draft(app: &TestApp, unit: &str, partners: &[&str], extra: Value) -> Value {
    let mut body = json!({"startDate": plus(0), "endDate": plus(365)});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    agreement(app, unit, partners, body).await
}

async fn active(app: &TestApp, unit: &str, partners: &[&str], extra: Value) -> Value {
    let a = draft(app, unit, partners, extra).await;
    let res = activate(app, &a, unit).await;
    res.assert_status(200);
    res.json()
}

async fn end(app: &TestApp, agreement: &Value, unit: &str) {
    close(app, agreement, unit, "end").await;
}

async fn report(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).role("reader").send().await;
    res.assert_status(200);
    res.json()
}

fn count(items: &Value, key: &str) -> i64 {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .map(|i| i["count"].as_i64().unwrap())
        .unwrap_or(0)
}

/// KS, KFN (with KFF below it), SKOL and BOLAG; Norway and Finland meet the requirements.
/// Active: a sister-city agreement of KFN with Oslo and a project of SKOL with Oslo and Tampere.
/// A draft of KFN and an agreement of KFF that has ended are not active today.
async fn register(app: &TestApp) -> (String, String, Value, Value, Value) {
    units(app).await;
    country(app, "NO", MEETS, 400).await;
    country(app, "FI", MEETS, 400).await;
    let oslo = partner(app, "Oslo", "CITY", "NO").await;
    let tampere = partner(app, "Tampere", "CITY", "FI").await;
    let sister = active(
        app,
        "KFN",
        &[&oslo],
        json!({"type": "SISTER_CITY", "purposes": ["SISTER_CITIES", "KNOWLEDGE_EXCHANGE"], "sdgs": [4, 11],
               "fundings": [{"source": "OWN", "amount": "50000.10", "currency": "SEK"},
                            {"source": "REGIONAL", "amount": "0.20", "currency": "SEK"}]}),
    )
    .await;
    let project = active(
        app,
        "SKOL",
        &[&oslo, &tampere],
        json!({"type": "PROJECT", "purposes": ["PROJECT_COLLABORATION"], "sdgs": [4],
               "fundings": [{"source": "EU", "amount": "100.05", "currency": "EUR"},
                            {"source": "OWN", "amount": "0.90", "currency": "SEK"}]}),
    )
    .await;
    draft(app, "KFN", &[&tampere], json!({"purposes": ["PROFILING"]})).await;
    let ended = active(app, "KFF", &[&tampere], json!({"purposes": ["PROFILING"]})).await;
    end(app, &ended, "KFF").await;
    (oslo, tampere, sister, project, ended)
}

async fn summary_counts_active_agreements_by_purpose_goal_unit_country_and_type(app: TestApp) {
    let (oslo, _, sister, _, _) = register(&app).await;
    let r = report(&app, "/api/v1/reports/summary").await;
    assert_eq!(
        r["period"],
        json!({"type": "DATE", "from": plus(0), "to": plus(0)})
    );
    assert_eq!(r["activeAgreements"], 2);
    assert_eq!(count(&r["byPurpose"], "SISTER_CITIES"), 1);
    assert_eq!(count(&r["byPurpose"], "KNOWLEDGE_EXCHANGE"), 1);
    assert_eq!(count(&r["byPurpose"], "PROJECT_COLLABORATION"), 1);
    assert_eq!(count(&r["byPurpose"], "PROFILING"), 0);
    assert_eq!(r["byPurpose"].as_array().unwrap().len(), 7);
    assert_eq!(count(&r["bySdg"], "4"), 2);
    assert_eq!(count(&r["bySdg"], "11"), 1);
    assert_eq!(r["bySdg"].as_array().unwrap().len(), 17);
    assert_eq!(
        r["byUnit"],
        json!([{"key": "KFN", "label": "Enhet KFN", "count": 1}, {"key": "SKOL", "label": "Enhet SKOL", "count": 1}])
    );
    assert_eq!(count(&r["byCountry"], "NO"), 2, "once per agreement");
    assert_eq!(count(&r["byCountry"], "FI"), 1);
    assert_eq!(r["byCountry"][1]["label"], "Norge");
    assert_eq!(count(&r["byType"], "SISTER_CITY"), 1);
    assert_eq!(count(&r["byType"], "PROJECT"), 1);
    assert_eq!(count(&r["byType"], "KNOWLEDGE_EXCHANGE"), 0);
    assert_eq!(r["sisterCities"].as_array().unwrap().len(), 1);
    assert_eq!(r["sisterCities"][0]["partnerId"], oslo);
    assert_eq!(r["sisterCities"][0]["since"], plus(0));
    assert_eq!(r["sisterCities"][0]["agreementIds"], json!([sister["id"]]));
}

async fn funding_is_summed_exactly_per_currency_with_the_external_share(app: TestApp) {
    register(&app).await;
    let r = report(&app, "/api/v1/reports/summary").await;
    assert_eq!(
        r["funding"],
        json!([
            {"currency": "EUR", "total": "100.05", "external": "100.05", "own": "0.00",
             "externalSharePercent": "100.00", "bySource": [{"source": "EU", "amount": "100.05", "lines": 1}]},
            {"currency": "SEK", "total": "50001.20", "external": "0.20", "own": "50001.00",
             "externalSharePercent": "0.00", "bySource": [
                {"source": "REGIONAL", "amount": "0.20", "lines": 1},
                {"source": "OWN", "amount": "50001.00", "lines": 2}]}
        ])
    );
}

async fn a_past_date_counts_what_was_active_then_and_a_range_what_was_active_at_any_moment(
    app: TestApp,
) {
    register(&app).await;
    let yesterday = report(&app, &format!("/api/v1/reports/summary?date={}", plus(-1))).await;
    assert_eq!(yesterday["activeAgreements"], 0, "all were activated today");
    assert_eq!(yesterday["funding"], json!([]));
    let range = report(
        &app,
        &format!("/api/v1/reports/summary?from={}&to={}", plus(-7), plus(0)),
    )
    .await;
    assert_eq!(range["period"]["type"], "RANGE");
    assert_eq!(
        range["activeAgreements"], 3,
        "the ended one was active today"
    );
    assert_eq!(count(&range["byUnit"], "KFF"), 1);
    let before = report(
        &app,
        &format!("/api/v1/reports/summary?from={}&to={}", plus(-7), plus(-1)),
    )
    .await;
    assert_eq!(before["activeAgreements"], 0);
}

async fn the_unit_filter_takes_the_unit_and_the_units_below_it(app: TestApp) {
    register(&app).await;
    let kfn = report(
        &app,
        &format!(
            "/api/v1/reports/summary?unitCode=KFN&from={}&to={}",
            plus(0),
            plus(0)
        ),
    )
    .await;
    assert_eq!(kfn["unitCode"], "KFN");
    assert_eq!(kfn["activeAgreements"], 2, "KFN's own and KFF's");
    let skol = report(&app, "/api/v1/reports/summary?unitCode=SKOL").await;
    assert_eq!(skol["activeAgreements"], 1);
    assert_eq!(skol["sisterCities"], json!([]));
    let problem = app
        .get("/api/v1/reports/summary?unitCode=NOPE")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["code"], "unknown-unit");
    let problem = app
        .get("/api/v1/reports/compliance?unitCode=no%20such")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/query/unitCode");
}

async fn invalid_or_conflicting_parameters_are_refused(app: TestApp) {
    let cases = [
        (
            "/api/v1/reports/summary?date=2026-01-01&from=2026-01-01&to=2026-02-01",
            "/query/date",
            "conflicting-parameters",
        ),
        (
            "/api/v1/reports/summary?from=2026-01-01",
            "/query/to",
            "required",
        ),
        (
            "/api/v1/reports/summary?to=2026-01-01",
            "/query/from",
            "required",
        ),
        (
            "/api/v1/reports/summary?from=2026-02-01&to=2026-01-01",
            "/query/to",
            "before-start",
        ),
        ("/api/v1/reports/summary?date=yesterday", "/query/date", ""),
        (
            "/api/v1/reports/summary?limit=5",
            "/query/limit",
            "unknown-parameter",
        ),
        (
            "/api/v1/reports/compliance?expiresWithinDays=0",
            "/query/expiresWithinDays",
            "out-of-range",
        ),
        (
            "/api/v1/reports/compliance?expiresWithinDays=3651",
            "/query/expiresWithinDays",
            "out-of-range",
        ),
        (
            "/api/v1/reports/compliance?expiresWithinDays=30&from=2026-01-01&to=2026-02-01",
            "/query/expiresWithinDays",
            "conflicting-parameters",
        ),
        (
            "/api/v1/reports/compliance?status=ACTIVE",
            "/query/status",
            "unknown-parameter",
        ),
    ];
    for (path, pointer, code) in cases {
        let problem = app
            .get(path)
            .role("reader")
            .send()
            .await
            .assert_problem(400, "validation-failed");
        assert_eq!(
            problem["errors"][0]["pointer"], pointer,
            "{path}: {problem}"
        );
        if !code.is_empty() {
            assert_eq!(problem["errors"][0]["code"], code, "{path}: {problem}");
        }
    }
    let ok = report(&app, "/api/v1/reports/compliance?expiresWithinDays=3650").await;
    assert_eq!(
        ok["window"]["to"],
        today()
            .checked_add_days(Days::new(3650))
            .unwrap()
            .to_string()
    );
}

/// Records a grant from today until `days` from today, as the board secretary.
async fn grant(app: &TestApp, exception: &Value, days: i64) {
    let id = exception["id"].as_str().unwrap();
    app.post(&format!("/api/v1/exceptions/{id}/decision"))
        .role("board_secretary")
        .if_match(exception["version"].as_i64().unwrap())
        .json(
            &json!({"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": plus(0),
                      "protocolParagraph": "§ 12", "validFrom": plus(0), "validUntil": plus(days)}),
        )
        .send()
        .await
        .assert_status(200);
}

async fn request(app: &TestApp, agreement: &Value, partner: &str, unit: &str) -> Value {
    request_exception(app, &id(agreement), partner, unit).await
}

async fn compliance_lists_review_expiries_and_waiting_requests_with_their_ids(app: TestApp) {
    units(&app).await;
    let no_first = country(&app, "NO", MEETS, 400).await;
    let fi = country(&app, "FI", MEETS, 30).await;
    country(&app, "BY", FAILS_DEMOCRACY, 400).await;
    let oslo = partner(&app, "Oslo", "CITY", "NO").await;
    let tampere = partner(&app, "Tampere", "CITY", "FI").await;
    let minsk = partner(&app, "Minsk", "CITY", "BY").await;
    let with_fi = active(&app, "KFN", &[&tampere], json!({})).await;
    // An agreement allowed by an exception that expires in 20 days.
    let by_exception = draft(&app, "KFN", &[&minsk], json!({})).await;
    let x = request(&app, &by_exception, &minsk, "KFN").await;
    grant(&app, &x, 20).await;
    activate(&app, &by_exception, "KFN")
        .await
        .assert_status(200);
    // An active agreement that a new, failing assessment of Norway puts under review.
    let reviewed = active(&app, "SKOL", &[&oslo], json!({"title": "Skolutbyte"})).await;
    let no_failing = country(&app, "NO", FAILS_DEMOCRACY, 400).await;
    assert_ne!(no_first, no_failing);
    // A request still waiting for Kommunstyrelsen.
    let waiting_on = draft(&app, "KFN", &[&minsk], json!({})).await;
    let waiting = request(&app, &waiting_on, &minsk, "KFN").await;

    let r = report(&app, "/api/v1/reports/compliance").await;
    assert_eq!(r["asOf"], plus(0));
    assert_eq!(r["window"], json!({"from": plus(0), "to": plus(90)}));
    let review = r["underReview"].as_array().unwrap();
    assert_eq!(review.len(), 1, "{r}");
    assert_eq!(review[0]["agreementId"], reviewed["id"]);
    assert_eq!(review[0]["title"], "Skolutbyte");
    assert_eq!(review[0]["reasons"][0]["code"], "FAILING_ASSESSMENT");
    assert_eq!(review[0]["reasons"][0]["partnerId"], oslo);
    assert_eq!(r["overdue"], json!([]));
    let assessments = r["expiringAssessments"].as_array().unwrap();
    assert_eq!(
        assessments.len(),
        1,
        "only Finland's expires within 90 days: {r}"
    );
    assert_eq!(assessments[0]["assessmentId"], fi);
    assert_eq!(assessments[0]["daysLeft"], 30);
    assert_eq!(assessments[0]["expired"], false);
    assert_eq!(assessments[0]["agreementIds"], json!([with_fi["id"]]));
    let exceptions = r["expiringExceptions"].as_array().unwrap();
    assert_eq!(exceptions.len(), 1);
    assert_eq!(exceptions[0]["exceptionId"], x["id"]);
    assert_eq!(exceptions[0]["agreementId"], by_exception["id"]);
    assert_eq!(exceptions[0]["daysLeft"], 20);
    let requests = r["waitingRequests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["exceptionId"], waiting["id"]);
    assert_eq!(requests[0]["agreementId"], waiting_on["id"]);
    assert_eq!(requests[0]["daysWaiting"], 0);

    // A narrower window leaves the expiries out.
    let narrow = report(&app, "/api/v1/reports/compliance?expiresWithinDays=10").await;
    assert_eq!(narrow["expiringAssessments"], json!([]));
    assert_eq!(narrow["expiringExceptions"], json!([]));
    assert_eq!(narrow["underReview"].as_array().unwrap().len(), 1);
    // A unit sees its own agreements, and the assessments they rest on.
    let skol = report(&app, "/api/v1/reports/compliance?unitCode=SKOL").await;
    assert_eq!(skol["underReview"].as_array().unwrap().len(), 1);
    assert_eq!(skol["expiringAssessments"], json!([]));
    assert_eq!(skol["expiringExceptions"], json!([]));
    assert_eq!(skol["waitingRequests"], json!([]));
    let kfn = report(&app, "/api/v1/reports/compliance?unitCode=KS").await;
    assert_eq!(kfn["expiringAssessments"].as_array().unwrap().len(), 1);
    assert_eq!(kfn["waitingRequests"].as_array().unwrap().len(), 1);
    // Yesterday nothing of this had happened yet.
    let before = report(
        &app,
        &format!("/api/v1/reports/compliance?date={}", plus(-1)),
    )
    .await;
    for list in [
        "underReview",
        "expiringAssessments",
        "expiringExceptions",
        "waitingRequests",
    ] {
        assert_eq!(before[list], json!([]), "{list}");
    }
    // A range lists the expiries inside it.
    let range = report(
        &app,
        &format!(
            "/api/v1/reports/compliance?from={}&to={}",
            plus(0),
            plus(25)
        ),
    )
    .await;
    assert_eq!(range["asOf"], plus(25));
    assert_eq!(range["expiringExceptions"][0]["expired"], true);
    assert_eq!(range["expiringExceptions"][0]["daysLeft"], -5);
}

async fn an_active_agreement_past_its_end_date_is_reported_overdue(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS, 400).await;
    let oslo = partner(&app, "Oslo", "CITY", "NO").await;
    let late = active(
        &app,
        "KFN",
        &[&oslo],
        json!({"startDate": plus(-60), "endDate": plus(-3)}),
    )
    .await;
    let r = report(&app, "/api/v1/reports/compliance").await;
    assert_eq!(r["overdue"][0]["agreementId"], late["id"]);
    assert_eq!(r["overdue"][0]["daysOverdue"], 3);
    assert_eq!(r["underReview"], json!([]));
}

async fn reports_come_as_csv_with_formula_cells_escaped(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS, 400).await;
    let evil = partner(&app, "=HYPERLINK(\"http://x\")", "CITY", "NO").await;
    active(
        &app,
        "KFN",
        &[&evil],
        json!({"type": "SISTER_CITY", "purposes": ["SISTER_CITIES"], "title": "@SUM(A1)",
               "fundings": [{"source": "EU", "amount": "10.00", "currency": "EUR"}]}),
    )
    .await;
    country(&app, "NO", FAILS_DEMOCRACY, 400).await;
    let res = app
        .get("/api/v1/reports/summary")
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let text = res.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("section,key,label,count,currency,amount,percent,date")
    );
    assert!(text.contains("ACTIVE_AGREEMENTS,,,1,,,,\n"), "{text}");
    // Labels follow the response's language: English by default, Swedish when asked for.
    assert!(
        text.contains("PURPOSE,SISTER_CITIES,Developing the work with sister cities,1,,,,\n"),
        "{text}"
    );
    let swedish = app
        .get("/api/v1/reports/summary")
        .role("reader")
        .header("Accept", "text/csv")
        .header("Accept-Language", "sv")
        .send()
        .await;
    assert_eq!(swedish.header("content-language").as_deref(), Some("sv"));
    assert!(
        swedish
            .text()
            .contains("PURPOSE,SISTER_CITIES,Utveckling av arbetet med vänorter,1,,,,\n"),
        "{}",
        swedish.text()
    );
    assert!(
        text.contains(&format!(
            "SISTER_CITY,{evil},\"'=HYPERLINK(\"\"http://x\"\")\",1,,,,{}\n",
            plus(0)
        )),
        "{text}"
    );
    assert!(
        text.contains("FUNDING_TOTAL,EXTERNAL,,,EUR,10.00,100.00,\n"),
        "{text}"
    );

    let res = app
        .get("/api/v1/reports/compliance")
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    res.assert_status(200);
    let text = res.text();
    assert!(
        text.starts_with("section,id,agreementId,partnerId,unitCode,countryCode,caseNumber,title,code,detail,date,days\n"),
        "{text}"
    );
    let review: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("UNDER_REVIEW,"))
        .collect();
    assert_eq!(review.len(), 1, "{text}");
    assert!(
        review[0].contains(",'@SUM(A1),FAILING_ASSESSMENT,"),
        "{text}"
    );
    // An empty report still has its header.
    let empty = app
        .get(&format!("/api/v1/reports/compliance?date={}", plus(-1)))
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    assert_eq!(empty.text().lines().count(), 1);
}

both!(
    summary_counts_active_agreements_by_purpose_goal_unit_country_and_type,
    funding_is_summed_exactly_per_currency_with_the_external_share,
    a_past_date_counts_what_was_active_then_and_a_range_what_was_active_at_any_moment,
    the_unit_filter_takes_the_unit_and_the_units_below_it,
    invalid_or_conflicting_parameters_are_refused,
    compliance_lists_review_expiries_and_waiting_requests_with_their_ids,
    an_active_agreement_past_its_end_date_is_reported_overdue,
    reports_come_as_csv_with_formula_cells_escaped,
);

//! Countries carry their standing: the outcome of their published assessment, or NOT_ASSESSED.

mod common;
mod register;

use common::TestApp;
use register::{in_days, published};
use serde_json::{Value, json};

/// Drafts as one coordinator and publishes as another; returns the published assessment.
async fn assess(app: &TestApp, country: &str, democracy: &str, valid_until: &str) -> Value {
    let subject = json!({"countryCode": country});
    let verdicts = ["MEETS", democracy, "MEETS"];
    published(app, subject, verdicts, "2026-01-01", valid_until).await
}

async fn a_country_is_not_assessed_until_an_assessment_is_published(app: TestApp) {
    let res = app.get("/api/v1/countries/NO").role("reader").send().await;
    res.assert_status(200);
    assert_eq!(res.json()["standing"]["outcome"], "NOT_ASSESSED");
    assert!(res.json()["standing"]["assessmentId"].is_null());
    let tag = res.header("etag").unwrap();
    app.get("/api/v1/countries/NO")
        .role("reader")
        .header("If-None-Match", &tag)
        .send()
        .await
        .assert_status(304);

    let a = assess(&app, "NO", "MEETS", &in_days(300)).await;
    let res = app.get("/api/v1/countries/NO").role("reader").send().await;
    let standing = &res.json()["standing"];
    assert_eq!(standing["outcome"], "MEETS_REQUIREMENTS");
    assert_eq!(standing["assessmentId"], a["id"]);
    assert_eq!(standing["validUntil"], in_days(300));
    assert_eq!(standing["expired"], false);
    // The representation changed, so the old tag no longer matches.
    assert_ne!(res.header("etag").unwrap(), tag);

    let b = assess(&app, "NO", "UNCERTAIN", &in_days(300)).await;
    let standing = app
        .get("/api/v1/countries/NO")
        .role("reader")
        .send()
        .await
        .json()["standing"]
        .clone();
    assert_eq!(standing["outcome"], "DOES_NOT_MEET_REQUIREMENTS");
    assert_eq!(standing["assessmentId"], b["id"]);
    assert_eq!(standing["failingRequirements"], json!(["DEMOCRACY"]));
}

async fn countries_are_filtered_by_standing_and_expiry(app: TestApp) {
    assess(&app, "NO", "MEETS", &in_days(20)).await;
    assess(&app, "DK", "MEETS", &in_days(200)).await;
    assess(&app, "SE", "DOES_NOT_MEET", &in_days(10)).await;
    let fi = assess(&app, "FI", "MEETS", &in_days(5)).await;
    // Time passes: FI's assessment runs out (nothing publishes an assessment already expired).
    let id = fi["id"].as_str().unwrap().to_string();
    let yesterday = samverkan::policy::today() - chrono::Duration::days(1);
    app.with_db(move |c| {
        use diesel::prelude::*;
        use samverkan::db::schema::assessments as a;
        diesel::update(a::table.find(id))
            .set(a::valid_until.eq(yesterday))
            .execute(c)?;
        Ok(())
    })
    .await;

    let codes = |q: &'static str| {
        let app = &app;
        async move {
            let res = app
                .get(&format!("/api/v1/countries?{q}"))
                .role("reader")
                .send()
                .await;
            res.assert_status(200);
            let body = res.json();
            let codes: Vec<String> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["code"].as_str().unwrap().to_string())
                .collect();
            (codes, body["totalItems"].as_i64().unwrap())
        }
    };
    let (meets, _) = codes("outcome=MEETS_REQUIREMENTS").await;
    assert_eq!(meets, vec!["DK", "FI", "NO"]);
    let (fails, _) = codes("outcome=DOES_NOT_MEET_REQUIREMENTS").await;
    assert_eq!(fails, vec!["SE"]);
    let (soon, _) = codes("expiresWithinDays=30").await;
    assert_eq!(soon, vec!["NO", "SE"]);
    let (soon_meeting, _) = codes("expiresWithinDays=30&outcome=MEETS_REQUIREMENTS").await;
    assert_eq!(soon_meeting, vec!["NO"]);
    let (expired, _) = codes("expired=true").await;
    assert_eq!(expired, vec!["FI"]);
    let (_, not_assessed) = codes("outcome=NOT_ASSESSED&limit=1").await;
    let (_, all) = codes("limit=1").await;
    assert_eq!(not_assessed, all - 4);

    app.get("/api/v1/countries?outcome=GOOD")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    app.get("/api/v1/countries?expiresWithinDays=-1")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    let csv = app
        .get("/api/v1/countries?outcome=MEETS_REQUIREMENTS")
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    assert!(
        csv.text()
            .lines()
            .next()
            .unwrap()
            .contains("standing.outcome")
    );
    assert_eq!(csv.text().lines().count(), 4);
}

async fn a_country_needs_a_token_and_a_valid_code(app: TestApp) {
    app.get("/api/v1/countries/NO")
        .send()
        .await
        .assert_problem(401, "unauthorized");
    app.get("/api/v1/countries")
        .send()
        .await
        .assert_problem(401, "unauthorized");
    app.get("/api/v1/countries/XX")
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/countries/no")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    let found = app
        .get("/api/v1/countries?q=norge")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(found["items"][0]["code"], "NO");
    assert_eq!(found["items"][0]["nameEn"], "Norway");
}

both!(
    a_country_is_not_assessed_until_an_assessment_is_published,
    countries_are_filtered_by_standing_and_expiry,
    a_country_needs_a_token_and_a_valid_code,
);

//! Answers reads keep between requests (`db::derived`): an agreement's lists and compliance, a
//! partner's eligibility. Each instance keeps its own; a write made through any instance, or time
//! itself, must show in the next read of every instance.

mod common;
mod register;

use common::TestApp;
use register::{FAILS_DEMOCRACY, MEETS, activate, agreement, country, partner, units};
use serde_json::{Value, json};

fn officer<'a>(app: &'a TestApp, path: &str) -> common::Call<'a> {
    app.get(path).officer_of("KFN")
}

async fn read(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).role("reader").send().await;
    res.assert_status(200);
    res.json()
}

async fn a_read_sees_a_new_assessment_published_through_another_instance(first: TestApp) {
    let second = TestApp::start_on(first.backend, first.database.clone()).await;
    units(&first).await;
    country(&first, "NO", MEETS).await;
    let p = partner(&first, "Oslo", "CITY", "NO").await;
    let a = agreement(&first, "KFN", &[&p], json!({})).await;
    activate(&first, &a, "KFN").await.assert_status(200);
    let id = a["id"].as_str().unwrap();
    let one = format!("/api/v1/agreements/{id}");
    let page = "/api/v1/agreements?status=ACTIVE";
    let eligibility = format!("/api/v1/partners/{p}/eligibility?agreementId={id}");
    // Read twice, so that the first instance has kept its answers.
    for _ in 0..2 {
        assert_eq!(
            read(&first, &one).await["compliance"]["status"],
            "COMPLIANT"
        );
        assert_eq!(
            read(&first, page).await["items"][0]["compliance"]["status"],
            "COMPLIANT"
        );
        assert_eq!(read(&first, &eligibility).await["status"], "ELIGIBLE");
    }

    register::publish(
        &second,
        json!({"countryCode": "NO"}),
        FAILS_DEMOCRACY,
        "2026-11-01",
        "2027-11-01",
    )
    .await;

    let got = read(&first, &one).await;
    assert_eq!(got["compliance"]["status"], "REVIEW_REQUIRED", "{got}");
    assert_eq!(
        got["compliance"]["reasons"][0]["code"],
        "FAILING_ASSESSMENT"
    );
    assert_eq!(
        read(&first, page).await["items"][0]["compliance"]["status"],
        "REVIEW_REQUIRED"
    );
    let compliance = read(&first, &format!("{one}/compliance")).await;
    assert_eq!(compliance["status"], "REVIEW_REQUIRED");
    let got = read(&first, &eligibility).await;
    assert_eq!(got["status"], "EXCEPTION_REQUIRED", "{got}");
    assert_eq!(got["failingRequirements"], json!(["DEMOCRACY"]));
}

async fn a_read_sees_an_agreement_changed_through_another_instance(first: TestApp) {
    let second = TestApp::start_on(first.backend, first.database.clone()).await;
    units(&first).await;
    country(&first, "NO", MEETS).await;
    country(&first, "DK", MEETS).await;
    let oslo = partner(&first, "Oslo", "CITY", "NO").await;
    let aarhus = partner(&first, "Aarhus", "CITY", "DK").await;
    let a = agreement(&first, "KFN", &[&oslo], json!({})).await;
    let id = a["id"].as_str().unwrap();
    let one = format!("/api/v1/agreements/{id}");
    for _ in 0..2 {
        let got = officer(&first, &one).send().await.json();
        assert_eq!(got["partnerIds"], json!([oslo]));
    }

    let changed = second
        .patch(&one)
        .officer_of("KFN")
        .if_match(a["version"].as_i64().unwrap())
        .merge_patch(&json!({"partnerIds": [aarhus, oslo], "sdgs": [17]}))
        .send()
        .await;
    changed.assert_status(200);

    let got = officer(&first, &one).send().await.json();
    assert_eq!(got["partnerIds"], json!([aarhus, oslo]), "{got}");
    assert_eq!(got["sdgs"], json!([17]));
    assert_eq!(got["version"], a["version"].as_i64().unwrap() + 1);
    let page = officer(&first, "/api/v1/agreements?unitCode=KFN")
        .send()
        .await
        .json();
    assert_eq!(page["items"][0]["partnerIds"], json!([aarhus, oslo]));
}

async fn a_read_sees_a_unit_become_a_company_through_another_instance(first: TestApp) {
    let second = TestApp::start_on(first.backend, first.database.clone()).await;
    units(&first).await;
    country(&first, "NO", MEETS).await;
    let p = partner(&first, "Oslo", "CITY", "NO").await;
    agreement(&first, "SKOL", &[&p], json!({})).await;
    let page = "/api/v1/agreements?unitCode=SKOL";
    for _ in 0..2 {
        let got = first.get(page).role("coordinator").send().await.json();
        assert_eq!(got["items"][0]["boundByPolicy"], true);
    }
    let unit = second.get("/api/v1/units/SKOL").role("reader").send().await;
    unit.assert_status(200);
    second
        .patch("/api/v1/units/SKOL")
        .role("admin")
        .if_match(unit.etag())
        .merge_patch(&json!({"type": "COMPANY", "parentCode": null}))
        .send()
        .await
        .assert_status(200);
    let got = first.get(page).role("coordinator").send().await.json();
    assert_eq!(got["items"][0]["boundByPolicy"], false, "{got}");
}

both!(
    a_read_sees_a_new_assessment_published_through_another_instance,
    a_read_sees_an_agreement_changed_through_another_instance,
    a_read_sees_a_unit_become_a_company_through_another_instance,
);

//! One language per response (DESIGN "Second edition"): `Accept-Language` chooses Swedish or
//! English (English by default), every response says `Content-Language`, and every sentence in it
//! follows, while machine fields keep their codes.

mod common;
mod register;

use common::{TestApp, TestResponse};
use register::{FAILS_DEMOCRACY, MEETS, activate, agreement, country, partner, units};
use serde_json::json;

async fn get(app: &TestApp, path: &str, lang: Option<&str>) -> TestResponse {
    let call = app.get(path).role("reader");
    match lang {
        Some(lang) => call.header("Accept-Language", lang).send().await,
        None => call.send().await,
    }
}

fn no_code(text: &str) {
    for code in [
        "HUMAN_RIGHTS",
        "DEMOCRACY",
        "RULE_OF_LAW",
        "COUNTRY",
        "PARTNER",
    ] {
        assert!(!text.contains(code), "a code in a sentence: {text}");
    }
}

async fn eligibility_explains_itself_in_the_language_asked_for(app: TestApp) {
    units(&app).await;
    country(&app, "BY", FAILS_DEMOCRACY).await;
    let p = partner(&app, "Minsk", "CITY", "BY").await;
    let path = format!("/api/v1/partners/{p}/eligibility?unitCode=KFN");

    let sv = get(&app, &path, Some("sv-SE,sv;q=0.9,en;q=0.5")).await;
    sv.assert_status(200);
    assert_eq!(sv.header("content-language").as_deref(), Some("sv"));
    let body = sv.json();
    assert_eq!(body["status"], "EXCEPTION_REQUIRED");
    assert_eq!(body["failingRequirements"], json!(["DEMOCRACY"]));
    let text = body["explanation"].as_str().unwrap();
    assert!(text.contains("kravet på demokrati"), "{text}");
    no_code(text);

    let en = get(&app, &path, None).await;
    assert_eq!(en.header("content-language").as_deref(), Some("en"));
    let text = en.json()["explanation"].as_str().unwrap().to_string();
    assert!(text.contains("the requirement of democracy"), "{text}");
    no_code(&text);
    assert_eq!(en.json()["failingRequirements"], json!(["DEMOCRACY"]));
}

async fn compliance_reasons_follow_the_language_asked_for(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let a = agreement(&app, "KFN", &[&p], json!({})).await;
    activate(&app, &a, "KFN").await.assert_status(200);
    register::publish(
        &app,
        json!({"countryCode": "NO"}),
        FAILS_DEMOCRACY,
        "2026-11-01",
        "2027-11-01",
    )
    .await;
    let id = a["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/agreements/{id}/compliance"),
        format!("/api/v1/agreements/{id}"),
    ] {
        let sv = get(&app, &path, Some("sv")).await;
        sv.assert_status(200);
        assert_eq!(sv.header("content-language").as_deref(), Some("sv"));
        let body = sv.json();
        let compliance = if body.get("compliance").is_some() {
            body["compliance"].clone()
        } else {
            body.clone()
        };
        assert_eq!(compliance["reasons"][0]["code"], "FAILING_ASSESSMENT");
        let detail = compliance["reasons"][0]["detail"].as_str().unwrap();
        assert_eq!(
            detail, "Parten uppfyller inte längre kravet på demokrati.",
            "{path}"
        );

        let en = get(&app, &path, Some("en")).await;
        assert_eq!(en.header("content-language").as_deref(), Some("en"));
        let body = en.json();
        let compliance = if body.get("compliance").is_some() {
            body["compliance"].clone()
        } else {
            body.clone()
        };
        assert_eq!(
            compliance["reasons"][0]["detail"],
            "The partner no longer meets the requirement of democracy."
        );
    }
}

async fn every_response_says_its_language(app: TestApp) {
    for (lang, expected) in [
        (None, "en"),
        (Some("sv"), "sv"),
        (Some("de, sv;q=0.5"), "sv"),
    ] {
        for path in ["/api/v1/units", "/api/v1/policy", "/api/v1/nowhere"] {
            let res = get(&app, path, lang).await;
            assert_eq!(
                res.header("content-language").as_deref(),
                Some(expected),
                "{path} {lang:?}"
            );
        }
    }
    // A problem's texts follow too, and a Swedish count is written in Swedish.
    let res = app
        .get("/api/v1/agreements?limit=0&page=x")
        .role("reader")
        .header("Accept-Language", "sv")
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["detail"], "Begäran har 2 fel.");
}

/// A warning is kept in both languages and sent in the one asked for; the change log keeps its
/// English text whatever the language of the request that wrote it.
async fn warnings_follow_the_reader_and_the_change_log_stays_english(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let p = partner(&app, "Oslo", "ORGANISATION", "NO").await;
    let res = app
        .post("/api/v1/agreements")
        .officer_of("KFN")
        .header("Accept-Language", "sv")
        .json(
            &json!({"title": "Vänort utan vänort", "type": "OTHER", "unitCode": "KFN",
            "partnerIds": [p], "purposes": ["SISTER_CITIES"], "startDate": "2026-01-01"}),
        )
        .send()
        .await;
    res.assert_status(201);
    let id = res.json()["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/agreements/{id}/activate"))
        .officer_of("KFN")
        .header("Accept-Language", "sv")
        .if_match(1)
        .send()
        .await
        .assert_status(200);
    let path = format!("/api/v1/agreements/{id}");
    let sv = get(&app, &path, Some("sv")).await.json();
    let en = get(&app, &path, Some("en")).await.json();
    let (sv, en) = (&sv["warnings"][0], &en["warnings"][0]);
    assert_eq!(sv["rule"], en["rule"], "{sv} {en}");
    assert_ne!(sv["detail"], en["detail"], "{sv} {en}");
    assert!(sv.get("detailSv").is_none() && en.get("detailSv").is_none());

    let feed = app
        .get("/api/v1/events?after=0&limit=100")
        .role("coordinator")
        .header("Accept-Language", "sv")
        .send()
        .await
        .json();
    let created = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["entityId"] == id.as_str())
        .expect("the agreement's activation event");
    assert_eq!(created["data"]["warnings"][0]["detail"], en["detail"]);
}

both!(
    warnings_follow_the_reader_and_the_change_log_stays_english,
    eligibility_explains_itself_in_the_language_asked_for,
    compliance_reasons_follow_the_language_asked_for,
    every_response_says_its_language,
);

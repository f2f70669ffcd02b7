//! The policy's rule catalogue, and a test named after every rule in it. The last test keeps that
//! true: it fails when a rule of `GET /policy` has no test whose name contains its code.

mod common;
mod register;

use common::TestApp;
use register::{By, MEETS, agreement, country, draft_by, id, partner, units};
use serde_json::{Value, json};

async fn policy(app: &TestApp) -> Value {
    let res = app.get("/api/v1/policy").role("reader").send().await;
    res.assert_status(200);
    res.json()
}

async fn rule(app: &TestApp, code: &str) -> Value {
    policy(app).await["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code} is not in the catalogue"))
        .clone()
}

/// A country failing exactly one requirement needs an exception, and the answer names that one:
/// by its code in the machine fields, in words in the sentence.
async fn failing_alone(app: &TestApp, verdicts: [&str; 3], code: &str, words: &str) {
    units(app).await;
    country(app, "BY", verdicts).await;
    let p = partner(app, "Minsk", "CITY", "BY").await;
    let e = app
        .get(&format!("/api/v1/partners/{p}/eligibility"))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(e["status"], "EXCEPTION_REQUIRED");
    assert_eq!(e["failingRequirements"], json!([code]));
    let a = agreement(app, "KFN", &[&p], json!({})).await;
    let blocked = register::activate(app, &a, "KFN")
        .await
        .assert_problem(409, "activation-blocked");
    let detail = blocked["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains(words), "{detail}");
    assert!(!detail.contains(code), "{detail}");
    assert_eq!(rule(app, code).await["level"], "REQUIREMENT");
}

async fn human_rights_a_country_that_does_not_respect_them_needs_an_exception(app: TestApp) {
    failing_alone(
        &app,
        ["DOES_NOT_MEET", "MEETS", "MEETS"],
        "HUMAN_RIGHTS",
        "human rights",
    )
    .await;
}

async fn democracy_a_country_that_is_not_one_needs_an_exception(app: TestApp) {
    failing_alone(
        &app,
        ["MEETS", "UNCERTAIN", "MEETS"],
        "DEMOCRACY",
        "democracy",
    )
    .await;
}

async fn rule_of_law_a_country_that_does_not_uphold_it_needs_an_exception(app: TestApp) {
    failing_alone(
        &app,
        ["MEETS", "MEETS", "DOES_NOT_MEET"],
        "RULE_OF_LAW",
        "the rule of law",
    )
    .await;
}

async fn assessment_four_eyes_whoever_drafted_cannot_publish(app: TestApp) {
    let cora = app.token_for("cora", &["coordinator"], None);
    let draft = draft_by(&app, By::Token(&cora), json!({"countryCode": "NO"}), MEETS).await;
    let id = id(&draft);
    let refused = app
        .post(&format!("/api/v1/assessments/{id}/publish"))
        .bearer(&cora)
        .if_match(1)
        .send()
        .await;
    let body = refused.assert_problem(403, "forbidden");
    assert!(body.to_string().contains("ASSESSMENT_FOUR_EYES"), "{body}");
    let per = app.token_for("per", &["coordinator"], None);
    app.post(&format!("/api/v1/assessments/{id}/publish"))
        .bearer(&per)
        .if_match(1)
        .send()
        .await
        .assert_status(200);
}

async fn policy_validity_the_policy_reports_its_standing_and_validity(app: TestApp) {
    let p = policy(&app).await;
    assert_eq!(p["metadata"]["validUntil"], "2027-12-31");
    assert_eq!(p["metadata"]["adoptedOn"], "2023-06-21");
    assert_eq!(p["metadata"]["adoptedBy"], "KOMMUNFULLMAKTIGE");
    // Today (2026) it is in force; the pure rule that turns it DUE_FOR_REVISION after 2027 is unit-tested.
    let expected =
        if samverkan::policy::today() <= chrono::NaiveDate::from_ymd_opt(2027, 12, 31).unwrap() {
            "IN_FORCE"
        } else {
            "DUE_FOR_REVISION"
        };
    assert_eq!(p["metadata"]["standing"], expected);
    let info = app.get("/api-info").send().await.json();
    assert_eq!(info["policy"]["standing"], expected);
    assert_eq!(rule(&app, "POLICY_VALIDITY").await["level"], "GUIDANCE");
}

async fn global_goals_an_agreement_names_goals_from_1_to_17(app: TestApp) {
    let p = policy(&app).await;
    let sdgs = p["sdgs"].as_array().unwrap();
    assert_eq!(sdgs.len(), 17);
    assert_eq!(
        sdgs.iter().filter(|s| s["namedInPolicy"] == true).count(),
        12
    );
    units(&app).await;
    let ok = agreement(&app, "KFN", &[], json!({"sdgs": [1, 10, 17]})).await;
    assert_eq!(ok["sdgs"], json!([1, 10, 17]));
    for bad in [0, 18] {
        let res = app
            .post("/api/v1/agreements")
            .officer_of("KFN")
            .json(&json!({"title": "X", "type": "OTHER", "unitCode": "KFN", "sdgs": [bad]}))
            .send()
            .await;
        assert_eq!(
            res.assert_problem(400, "validation-failed")["errors"][0]["pointer"],
            "/sdgs/0"
        );
    }
}

/// A guidance rule is served with its level and the sentence it comes from, so the catalogue
/// covers the whole policy; the service cannot check it.
async fn listed_as_guidance(app: &TestApp, code: &str, words: &str) {
    let r = rule(app, code).await;
    assert_eq!(r["level"], "GUIDANCE");
    assert!(r["sourceSv"].as_str().unwrap().contains(words), "{r}");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/internationell-policy.txt"
    ))
    .unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains(r["sourceSv"].as_str().unwrap().trim_end_matches('.')));
}

async fn international_work_in_all_operations_is_listed_as_guidance(app: TestApp) {
    listed_as_guidance(&app, "INTERNATIONAL_WORK_IN_ALL_OPERATIONS", "naturlig del").await;
}

async fn competitive_and_sustainable_boras_is_listed_as_guidance(app: TestApp) {
    listed_as_guidance(
        &app,
        "COMPETITIVE_AND_SUSTAINABLE_BORAS",
        "konkurrenskraftigt",
    )
    .await;
}

async fn development_criteria_is_listed_as_guidance(app: TestApp) {
    listed_as_guidance(&app, "DEVELOPMENT_CRITERIA", "samma kriterier").await;
}

async fn values_permeate_assignments_is_listed_as_guidance(app: TestApp) {
    listed_as_guidance(&app, "VALUES_PERMEATE_ASSIGNMENTS", "genomsyra").await;
}

both!(
    human_rights_a_country_that_does_not_respect_them_needs_an_exception,
    democracy_a_country_that_is_not_one_needs_an_exception,
    rule_of_law_a_country_that_does_not_uphold_it_needs_an_exception,
    assessment_four_eyes_whoever_drafted_cannot_publish,
    policy_validity_the_policy_reports_its_standing_and_validity,
    global_goals_an_agreement_names_goals_from_1_to_17,
    international_work_in_all_operations_is_listed_as_guidance,
    competitive_and_sustainable_boras_is_listed_as_guidance,
    development_criteria_is_listed_as_guidance,
    values_permeate_assignments_is_listed_as_guidance,
);

/// Every rule code of the catalogue appears, in lower case, in the name of a test that runs on
/// both databases (an `async fn` handed to `both!`) in this directory.
#[test]
fn every_rule_in_the_catalogue_is_proved_by_a_test_named_after_it() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            let Some(both) = source.rfind("\nboth!(") else {
                continue;
            };
            let listed = &source[both..];
            names.extend(
                listed
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|w| w.contains('_'))
                    .map(str::to_string),
            );
        }
    }
    let missing: Vec<&str> = samverkan::policy::catalogue::rules()
        .iter()
        .map(|r| r.code)
        .filter(|code| !names.iter().any(|n| n.contains(&code.to_lowercase())))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a test named after them: {missing:?}"
    );
}

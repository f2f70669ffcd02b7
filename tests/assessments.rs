//! Assessments: coordinators draft, another coordinator publishes (four eyes), publishing
//! supersedes, published ones are immutable, drafts are for coordinators' eyes only, and the
//! register answers what was published at a past instant.

mod common;
mod register;

use common::TestApp;
use register::{By, created, partner_by, publish_draft};
use samverkan::assessments::{AssessmentStatus, Subject, store};
use serde_json::{Value, json};

fn verdict(v: &str) -> Value {
    json!({"verdict": v, "rationale": format!("Judged {v} on the evidence.")})
}

fn draft_body(country: &str, hr: &str, dem: &str, rol: &str) -> Value {
    json!({
        "countryCode": country,
        "humanRights": verdict(hr), "democracy": verdict(dem), "ruleOfLaw": verdict(rol),
        "indicators": [{"source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total-score", "value": 98, "category": "Free"}],
        "assessedAt": "2026-01-15", "validUntil": "2099-01-15"
    })
}

/// A draft by `cora` (a coordinator).
async fn draft(app: &TestApp, body: &Value) -> Value {
    let cora = app.token_for("cora", &["coordinator"], None);
    created(app, By::Token(&cora), "/api/v1/assessments", body).await
}

fn path(a: &Value) -> String {
    format!("/api/v1/assessments/{}", a["id"].as_str().unwrap())
}

/// Publishes as `per`, a coordinator who did not draft it.
async fn publish(app: &TestApp, a: &Value) -> Value {
    let per = app.token_for("per", &["coordinator"], None);
    publish_draft(app, By::Token(&per), a).await
}

async fn a_draft_is_published_by_another_coordinator_and_supersedes_the_last(app: TestApp) {
    let first = draft(&app, &draft_body("NO", "MEETS", "MEETS", "MEETS")).await;
    assert_eq!(first["status"], "DRAFT");
    assert_eq!(first["outcome"], "MEETS_REQUIREMENTS");
    assert_eq!(first["draftedBy"], json!(["cora"]));
    let cora = app.token_for("cora", &["coordinator"], None);
    let res = app
        .post(&format!("{}/publish", path(&first)))
        .bearer(&cora)
        .if_match(1)
        .send()
        .await;
    let problem = res.assert_problem(403, "forbidden");
    assert_eq!(problem["errors"][0]["code"], "ASSESSMENT_FOUR_EYES");

    let published = publish(&app, &first).await;
    assert_eq!(published["status"], "PUBLISHED");
    assert_eq!(published["publishedBy"], "per");
    assert!(published["publishedAt"].is_string());
    assert_eq!(published["version"], 2);

    let second = draft(&app, &draft_body("NO", "MEETS", "UNCERTAIN", "MEETS")).await;
    let second = publish(&app, &second).await;
    let old = app.get(&path(&first)).role("reader").send().await.json();
    assert_eq!(old["status"], "SUPERSEDED");
    assert_eq!(old["supersededBy"], second["id"]);
    assert_eq!(old["supersededAt"], second["publishedAt"]);

    let history = app
        .get("/api/v1/countries/NO/assessments")
        .role("reader")
        .send()
        .await;
    history.assert_status(200);
    let items = history.json()["items"].as_array().unwrap().clone();
    let ids: Vec<&Value> = items.iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, vec![&second["id"], &first["id"]]);

    // The feed lists a draft's events only to those who may read drafts (coordinators).
    for (role, expected) in [
        ("reader", vec!["PUBLISHED", "SUPERSEDED", "PUBLISHED"]),
        (
            "coordinator",
            vec!["CREATED", "PUBLISHED", "CREATED", "SUPERSEDED", "PUBLISHED"],
        ),
    ] {
        let feed = app.get("/api/v1/events").role(role).send().await.json();
        let actions: Vec<&str> = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entityType"] == "ASSESSMENT")
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, expected, "{role}");
    }
}

async fn whoever_edited_a_draft_cannot_publish_it(app: TestApp) {
    let a = draft(&app, &draft_body("DK", "MEETS", "MEETS", "UNCERTAIN")).await;
    let per = app.token_for("per", &["coordinator"], None);
    let edited = app
        .patch(&path(&a))
        .bearer(&per)
        .if_match(1)
        .merge_patch(&json!({"ruleOfLaw": verdict("MEETS")}))
        .send()
        .await;
    edited.assert_status(200);
    assert_eq!(edited.json()["draftedBy"], json!(["cora", "per"]));
    assert_eq!(edited.json()["outcome"], "MEETS_REQUIREMENTS");
    let res = app
        .post(&format!("{}/publish", path(&a)))
        .bearer(&per)
        .if_match(2)
        .send()
        .await;
    let problem = res.assert_problem(403, "forbidden");
    assert_eq!(problem["errors"][0]["code"], "ASSESSMENT_FOUR_EYES");
    let olle = app.token_for("olle", &["coordinator"], None);
    app.post(&format!("{}/publish", path(&a)))
        .bearer(&olle)
        .if_match(2)
        .send()
        .await
        .assert_status(200);
}

async fn the_outcome_is_derived_and_uncertain_fails(app: TestApp) {
    let a = draft(
        &app,
        &draft_body("SE", "MEETS", "UNCERTAIN", "DOES_NOT_MEET"),
    )
    .await;
    assert_eq!(a["outcome"], "DOES_NOT_MEET_REQUIREMENTS");
    assert_eq!(
        a["failingRequirements"],
        json!(["DEMOCRACY", "RULE_OF_LAW"])
    );
    let res = app
        .patch(&path(&a))
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({"outcome": "MEETS_REQUIREMENTS"}))
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/outcome");
    assert_eq!(problem["errors"][0]["code"], "unknown-field");
}

async fn valid_until_defaults_to_a_year_after_assessed_at(app: TestApp) {
    let mut body = draft_body("FI", "MEETS", "MEETS", "MEETS");
    body.as_object_mut().unwrap().remove("validUntil");
    let a = draft(&app, &body).await;
    assert_eq!(a["assessedAt"], "2026-01-15");
    assert_eq!(a["validUntil"], "2027-01-15");
    let changed = app
        .patch(&path(&a))
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({"assessedAt": "2025-06-01", "validUntil": null}))
        .send()
        .await;
    changed.assert_status(200);
    assert_eq!(changed.json()["validUntil"], "2026-06-01");
    let res = app
        .patch(&path(&a))
        .role("coordinator")
        .if_match(2)
        .merge_patch(&json!({"validUntil": "2024-01-01"}))
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/validUntil");
}

async fn drafts_are_seen_by_coordinators_only(app: TestApp) {
    let a = draft(&app, &draft_body("NO", "MEETS", "MEETS", "MEETS")).await;
    for role in ["reader", "officer", "board_secretary", "admin"] {
        app.get(&path(&a))
            .role(role)
            .send()
            .await
            .assert_problem(404, "not-found");
        let list = app
            .get("/api/v1/assessments?status=DRAFT")
            .role(role)
            .send()
            .await;
        assert_eq!(list.json()["totalItems"], 0, "{role}");
        let history = app
            .get("/api/v1/countries/NO/assessments")
            .role(role)
            .send()
            .await;
        assert_eq!(history.json()["totalItems"], 0, "{role}");
        let feed = app.get("/api/v1/events").role(role).send().await.json();
        assert!(feed["items"][0]["data"].is_null(), "{role}: {feed}");
    }
    app.get(&path(&a))
        .role("coordinator")
        .send()
        .await
        .assert_status(200);
    let list = app
        .get("/api/v1/assessments?status=DRAFT")
        .role("coordinator")
        .send()
        .await;
    assert_eq!(list.json()["totalItems"], 1);
    let feed = app
        .get("/api/v1/events")
        .role("coordinator")
        .send()
        .await
        .json();
    assert_eq!(feed["items"][0]["data"]["status"], "DRAFT");
}

async fn published_assessments_are_immutable(app: TestApp) {
    let a = draft(&app, &draft_body("NO", "MEETS", "MEETS", "MEETS")).await;
    let published = publish(&app, &a).await;
    app.patch(&path(&a))
        .role("coordinator")
        .if_match(2)
        .merge_patch(&json!({"democracy": verdict("UNCERTAIN")}))
        .send()
        .await
        .assert_problem(409, "conflict");
    app.delete(&path(&a))
        .role("coordinator")
        .if_match(2)
        .send()
        .await
        .assert_problem(409, "conflict");
    let olle = app.token_for("olle", &["coordinator"], None);
    app.post(&format!("{}/publish", path(&a)))
        .bearer(&olle)
        .if_match(2)
        .send()
        .await
        .assert_problem(409, "conflict");
    let now = app.get(&path(&a)).role("reader").send().await.json();
    assert_eq!(now, published);
}

async fn a_draft_that_has_run_out_is_not_published(app: TestApp) {
    let mut body = draft_body("NO", "MEETS", "MEETS", "MEETS");
    body["assessedAt"] = json!("2020-01-01");
    body["validUntil"] = json!("2020-12-31");
    let a = draft(&app, &body).await;
    let per = app.token_for("per", &["coordinator"], None);
    app.post(&format!("{}/publish", path(&a)))
        .bearer(&per)
        .if_match(1)
        .send()
        .await
        .assert_problem(409, "conflict");
    let still = app.get(&path(&a)).role("coordinator").send().await.json();
    assert_eq!(still["status"], "DRAFT");
}

async fn a_draft_can_be_deleted(app: TestApp) {
    let a = draft(&app, &draft_body("NO", "MEETS", "MEETS", "MEETS")).await;
    app.delete(&path(&a))
        .role("coordinator")
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.delete(&path(&a))
        .role("coordinator")
        .if_match(3)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    app.delete(&path(&a))
        .role("coordinator")
        .if_match(1)
        .send()
        .await
        .assert_status(204);
    app.get(&path(&a))
        .role("coordinator")
        .send()
        .await
        .assert_problem(404, "not-found");
}

async fn only_coordinators_write_assessments(app: TestApp) {
    let body = draft_body("NO", "MEETS", "MEETS", "MEETS");
    for role in ["reader", "officer", "board_secretary", "admin"] {
        app.post("/api/v1/assessments")
            .role(role)
            .json(&body)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    app.post("/api/v1/assessments")
        .json(&body)
        .send()
        .await
        .assert_problem(401, "unauthorized");
    let a = draft(&app, &body).await;
    app.patch(&path(&a))
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(&json!({"democracy": verdict("UNCERTAIN")}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.post(&format!("{}/publish", path(&a)))
        .role("board_secretary")
        .if_match(1)
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.delete(&path(&a))
        .role("admin")
        .if_match(1)
        .send()
        .await
        .assert_problem(403, "forbidden");
}

async fn publishing_needs_if_match_and_replays_with_its_key(app: TestApp) {
    let a = draft(&app, &draft_body("NO", "MEETS", "MEETS", "MEETS")).await;
    let per = app.token_for("per", &["coordinator"], None);
    let url = format!("{}/publish", path(&a));
    app.post(&url)
        .bearer(&per)
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.post(&url)
        .bearer(&per)
        .if_match(7)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    let first = app
        .post(&url)
        .bearer(&per)
        .if_match(1)
        .header("Idempotency-Key", "pub-1")
        .send()
        .await;
    first.assert_status(200);
    // A retry of the same request replays, although the ETag has moved on.
    let replay = app
        .post(&url)
        .bearer(&per)
        .if_match(1)
        .header("Idempotency-Key", "pub-1")
        .send()
        .await;
    replay.assert_status(200);
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(replay.json(), first.json());
    app.post(&url)
        .bearer(&per)
        .if_match(1)
        .header("Idempotency-Key", "pub-1")
        .json(&json!({}))
        .send()
        .await
        .assert_problem(422, "idempotency-key-reused");
}

async fn an_unknown_assessment_is_not_found(app: TestApp) {
    let missing = "/api/v1/assessments/0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e";
    app.get(missing)
        .role("coordinator")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.patch(missing)
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({}))
        .send()
        .await
        .assert_problem(404, "not-found");
    app.post(&format!("{missing}/publish"))
        .role("coordinator")
        .if_match(1)
        .send()
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/countries/XX/assessments")
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
}

async fn bad_assessment_input_names_the_field(app: TestApp) {
    let res = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&json!({"partnerId": null, "humanRights": verdict("MEETS"), "democracy": verdict("MEETS"), "ruleOfLaw": verdict("MEETS")}))
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/countryCode");

    let mut bad = draft_body("NO", "MEETS", "MEETS", "MAYBE");
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&bad)
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/ruleOfLaw/verdict");

    bad = draft_body("NO", "MEETS", "MEETS", "MEETS");
    bad["indicators"] = json!([{"source": "VDEM", "edition": "v15"}]);
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&bad)
        .send()
        .await
        .assert_problem(400, "validation-failed");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        vec!["/indicators/0/metric", "/indicators/0/value"]
    );

    bad = draft_body("NO", "MEETS", "MEETS", "MEETS");
    bad["assessedAt"] = json!("2999-01-01");
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&bad)
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/assessedAt");

    bad = draft_body("XX", "MEETS", "MEETS", "MEETS");
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&bad)
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["code"], "unknown-country");
    assert_eq!(app.event_count().await, 0);
}

async fn a_partner_city_is_assessed_on_its_own_but_not_a_university(app: TestApp) {
    let coordinator = By::Role("coordinator");
    let city = partner_by(&app, coordinator, json!({})).await;
    let uni = json!({"name": "Example University", "kind": "UNIVERSITY"});
    let uni = partner_by(&app, coordinator, uni).await;
    let mut body = draft_body("NO", "MEETS", "MEETS", "MEETS");
    body.as_object_mut().unwrap().remove("countryCode");
    body["partnerId"] = uni["id"].clone();
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&body)
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["code"], "partner-not-assessable");

    body["partnerId"] = city["id"].clone();
    body["countryCode"] = json!("DK");
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&body)
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["code"], "country-mismatch");

    body.as_object_mut().unwrap().remove("countryCode");
    let city_draft = draft(&app, &body).await;
    assert_eq!(city_draft["countryCode"], "NO");
    assert_eq!(city_draft["partnerId"], city["id"]);
    let country = draft(&app, &draft_body("NO", "MEETS", "MEETS", "MEETS")).await;
    // Two subjects: publishing one does not supersede the other.
    publish(&app, &country).await;
    publish(&app, &city_draft).await;
    let list = app
        .get("/api/v1/assessments?status=PUBLISHED&countryCode=NO")
        .role("reader")
        .send()
        .await;
    assert_eq!(list.json()["totalItems"], 2);
    let by_partner = app
        .get(&format!(
            "/api/v1/assessments?partnerId={}",
            city["id"].as_str().unwrap()
        ))
        .role("reader")
        .send()
        .await;
    assert_eq!(by_partner.json()["totalItems"], 1);
    let history = app
        .get("/api/v1/countries/NO/assessments")
        .role("reader")
        .send()
        .await;
    assert_eq!(history.json()["totalItems"], 1);
    let all = app
        .get("/api/v1/countries/NO/assessments?includePartners=true")
        .role("reader")
        .send()
        .await;
    assert_eq!(all.json()["totalItems"], 2);
    // A partner that has been assessed is referred to: it is archived, not deleted.
    app.delete(&format!(
        "/api/v1/partners/{}",
        city["id"].as_str().unwrap()
    ))
    .role("coordinator")
    .if_match(1)
    .send()
    .await
    .assert_problem(409, "conflict");
}

async fn the_assessment_published_at_a_past_instant_is_found_as_it_stood(app: TestApp) {
    let before_any = samverkan::db::now();
    let first = draft(&app, &draft_body("NO", "MEETS", "MEETS", "MEETS")).await;
    publish(&app, &first).await;
    let_the_clock_move().await;
    let between = samverkan::db::now();
    let_the_clock_move().await;
    let second = draft(&app, &draft_body("NO", "MEETS", "UNCERTAIN", "MEETS")).await;
    publish(&app, &second).await;
    let after = samverkan::db::now();

    let no = Subject::Country("NO".into());
    let se = Subject::Country("SE".into());
    let (at_start, at_between, at_after, many) = app
        .with_db(move |c| {
            Ok((
                store::published_as_of(c, &no, before_any)?,
                store::published_as_of(c, &no, between)?,
                store::published_as_of(c, &no, after)?,
                store::published_as_of_many(c, &[no.clone(), se.clone()], between)?,
            ))
        })
        .await;
    assert!(at_start.is_none());
    let then = at_between.unwrap();
    assert_eq!(then.id, first["id"].as_str().unwrap());
    // It has been superseded since, but at that instant it was the published one.
    assert_eq!(then.status, AssessmentStatus::Published);
    assert!(then.superseded_by.is_none());
    assert!(then.verdicts().failing_requirements().is_empty());
    let now = at_after.unwrap();
    assert_eq!(now.id, second["id"].as_str().unwrap());
    assert_eq!(now.verdicts().failing_requirements(), vec!["DEMOCRACY"]);
    assert_eq!(many.len(), 1);
    assert_eq!(many[&Subject::Country("NO".into())].id, then.id);
    assert!(
        now.facts()
            .is_valid_on(chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap())
    );
}

/// Lets the clock move on by a few milliseconds, so that instants taken around a write differ.
async fn let_the_clock_move() {
    std::thread::sleep(std::time::Duration::from_millis(5));
}

both!(
    a_draft_is_published_by_another_coordinator_and_supersedes_the_last,
    whoever_edited_a_draft_cannot_publish_it,
    the_outcome_is_derived_and_uncertain_fails,
    valid_until_defaults_to_a_year_after_assessed_at,
    drafts_are_seen_by_coordinators_only,
    published_assessments_are_immutable,
    a_draft_that_has_run_out_is_not_published,
    a_draft_can_be_deleted,
    only_coordinators_write_assessments,
    publishing_needs_if_match_and_replays_with_its_key,
    an_unknown_assessment_is_not_found,
    bad_assessment_input_names_the_field,
    a_partner_city_is_assessed_on_its_own_but_not_a_university,
    the_assessment_published_at_a_past_instant_is_found_as_it_stood,
);

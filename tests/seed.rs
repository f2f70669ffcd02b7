//! `samverkan seed --demo`: run as a process on a fresh database, then read through the API of an
//! in-process app on the same database. The demo shows every feature, is labelled as
//! illustrative, is written to the change log, and is refused on a database that holds data.

mod common;

use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use common::{Backend, TestApp, TestDatabase, create_unit};
use serde_json::Value;

fn seed(database: &TestDatabase, args: &[&str]) -> Output {
    let dir = std::env::temp_dir().join("samverkan-seed-tests");
    std::fs::create_dir_all(&dir).unwrap();
    Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .args(args)
        .current_dir(&dir)
        .env_clear()
        .env("DATABASE_URL", &database.raw_url)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

async fn items(app: &TestApp, path: &str, role: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let res = app
        .get(&format!("{path}{sep}limit=100"))
        .role(role)
        .send()
        .await;
    res.assert_status(200);
    let body = res.json();
    assert!(body["totalItems"].as_i64().unwrap() <= 100, "{path}");
    body["items"].as_array().unwrap().clone()
}

fn with<'a>(list: &'a [Value], field: &str, value: &str) -> Vec<&'a Value> {
    list.iter().filter(|i| i[field] == value).collect()
}

async fn non_demo_events(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use samverkan::db::schema::events;
    app.with_db(|c| {
        Ok(events::table
            .filter(events::actor.not_like("demo-seed%"))
            .count()
            .get_result::<i64>(c)?)
    })
    .await
}

async fn seed_demo_fills_an_empty_database_with_every_feature_labelled_as_illustrative(
    backend: Backend,
) {
    let database = Arc::new(TestDatabase::create(backend));
    let out = seed(&database, &["seed", "--demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Illustrativ demodata"),
        "{}",
        text(&out.stdout)
    );
    let app = TestApp::start_on(backend, database.clone()).await;

    let units = items(&app, "/api/v1/units", "reader").await;
    assert_eq!(units.len(), 9);
    assert_eq!(with(&units, "type", "COMPANY").len(), 1);
    assert_eq!(with(&units, "code", "KS")[0]["name"], "Kommunstyrelsen");

    let partners = items(&app, "/api/v1/partners", "reader").await;
    assert_eq!(partners.len(), 6);
    assert!(
        partners
            .iter()
            .all(|p| p["name"].as_str().unwrap().contains("exempel")),
        "{partners:?}"
    );
    let sister: Vec<&Value> = partners
        .iter()
        .filter(|p| p["sisterCity"] == true)
        .collect();
    assert_eq!(sister.len(), 2, "Drammen and Tammerfors");
    let contacts = items(
        &app,
        &format!(
            "/api/v1/partners/{}/contacts",
            sister[0]["id"].as_str().unwrap()
        ),
        "coordinator",
    )
    .await;
    assert_eq!(contacts.len(), 1);
    assert!(contacts[0]["retentionUntil"].is_string());

    let assessments = items(&app, "/api/v1/assessments", "coordinator").await;
    assert_eq!(assessments.len(), 7);
    assert_eq!(with(&assessments, "status", "SUPERSEDED").len(), 1);
    assert_eq!(
        with(&assessments, "outcome", "DOES_NOT_MEET_REQUIREMENTS").len(),
        2,
        "one country and one partner city fail a requirement"
    );
    for a in &assessments {
        // Four eyes: published by someone who did not draft it.
        assert!(
            !a["draftedBy"]
                .as_array()
                .unwrap()
                .contains(&a["publishedBy"])
        );
        assert!(
            a["humanRights"]["rationale"]
                .as_str()
                .unwrap()
                .contains("Illustrativ demodata")
        );
    }

    let agreements = items(&app, "/api/v1/agreements", "coordinator").await;
    assert_eq!(agreements.len(), 9);
    for (status, n) in [("DRAFT", 1), ("ACTIVE", 6), ("ENDED", 1), ("CANCELLED", 1)] {
        assert_eq!(with(&agreements, "status", status).len(), n, "{status}");
    }
    for a in &agreements {
        assert!(a["title"].as_str().unwrap().ends_with("(exempel)"), "{a}");
        assert!(
            a["description"]
                .as_str()
                .unwrap()
                .contains("Illustrativ demodata — inte verkliga beslut eller bedömningar")
        );
        assert!(
            a["caseNumber"].as_str().unwrap().starts_with("DEMO-"),
            "{a}"
        );
    }
    let review = items(
        &app,
        "/api/v1/agreements?compliance=REVIEW_REQUIRED",
        "reader",
    )
    .await;
    assert_eq!(review.len(), 1);
    assert_eq!(
        review[0]["compliance"]["reasons"][0]["code"],
        "FAILING_ASSESSMENT"
    );
    assert_eq!(
        agreements
            .iter()
            .filter(|a| a["boundByPolicy"] == false)
            .count(),
        1,
        "the company's agreement"
    );

    let exceptions = items(&app, "/api/v1/exceptions", "reader").await;
    assert_eq!(exceptions.len(), 2);
    let granted = with(&exceptions, "status", "GRANTED");
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0]["decision"]["decidingBody"], "KOMMUNSTYRELSEN");
    assert_ne!(
        granted[0]["requestedBy"],
        granted[0]["decision"]["recordedBy"]
    );
    assert_eq!(with(&exceptions, "status", "REQUESTED").len(), 1);
    let by_exception = granted[0]["agreementId"].as_str().unwrap();
    let partner = granted[0]["partnerId"].as_str().unwrap();
    let eligibility = app
        .get(&format!(
            "/api/v1/partners/{partner}/eligibility?agreementId={by_exception}"
        ))
        .role("reader")
        .send()
        .await;
    eligibility.assert_status(200);
    assert_eq!(eligibility.json()["status"], "ELIGIBLE_BY_EXCEPTION");

    let summary = app
        .get("/api/v1/reports/summary")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(summary["activeAgreements"], 6);
    assert_eq!(summary["sisterCities"].as_array().unwrap().len(), 2);
    let sek = summary["funding"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["currency"] == "SEK")
        .unwrap();
    assert_eq!(sek["total"], "677000.00");
    assert_eq!(sek["external"], "175000.00");
    assert_eq!(sek["externalSharePercent"], "25.85");
    let compliance = app
        .get("/api/v1/reports/compliance")
        .role("reader")
        .send()
        .await
        .json();
    for (list, n) in [
        ("underReview", 1),
        ("expiringAssessments", 1),
        ("expiringExceptions", 1),
        ("waitingRequests", 1),
    ] {
        assert_eq!(
            compliance[list].as_array().unwrap().len(),
            n,
            "{list}: {compliance}"
        );
    }

    // The change log shows the demo data, written by the demo actors only.
    assert!(app.event_count().await > 40);
    assert_eq!(non_demo_events(&app).await, 0);
    let history = app
        .get(&format!("/api/v1/agreements/{by_exception}/history"))
        .role("reader")
        .send()
        .await
        .json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["CREATED", "ACTIVATED"]);
}

async fn a_second_seed_is_refused_and_changes_nothing(backend: Backend) {
    let database = Arc::new(TestDatabase::create(backend));
    assert!(seed(&database, &["seed", "--demo"]).status.success());
    let app = TestApp::start_on(backend, database.clone()).await;
    let events = app.event_count().await;
    let again = seed(&database, &["seed", "--demo"]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("already holds data"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(app.event_count().await, events);
    assert_eq!(items(&app, "/api/v1/units", "reader").await.len(), 9);
    assert_eq!(
        items(&app, "/api/v1/agreements", "coordinator").await.len(),
        9
    );
}

async fn seed_is_refused_on_a_database_that_holds_any_data(backend: Backend) {
    let database = Arc::new(TestDatabase::create(backend));
    let app = TestApp::start_on(backend, database.clone()).await;
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let events = app.event_count().await;
    let out = seed(&database, &["seed", "--demo"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Nothing was changed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(app.event_count().await, events);
    assert_eq!(items(&app, "/api/v1/units", "reader").await.len(), 1);
    assert!(items(&app, "/api/v1/partners", "reader").await.is_empty());
}

#[test]
fn seed_without_demo_prints_usage_and_fails() {
    let database = TestDatabase::create(Backend::Sqlite);
    let out = seed(&database, &["seed"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("usage: samverkan seed --demo"),
        "{}",
        text(&out.stderr)
    );
}

on_both!(
    seed_demo_fills_an_empty_database_with_every_feature_labelled_as_illustrative,
    a_second_seed_is_refused_and_changes_nothing,
    seed_is_refused_on_a_database_that_holds_any_data,
);

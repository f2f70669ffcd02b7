//! Units: admin writes, every role reads.

mod common;
mod register;

use common::{TestApp, create_unit};
use register::By;
use serde_json::json;

async fn a_unit_is_created_read_changed_and_deleted(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let created = create_unit(&app, "KFN", "COMMITTEE", Some("KS")).await;
    assert_eq!(created["parentCode"], "KS");
    assert_eq!(created["version"], 1);

    let read = app.get("/api/v1/units/KFN").role("reader").send().await;
    read.assert_status(200);
    assert_eq!(read.etag(), 1);
    assert_eq!(read.json()["name"], "Enhet KFN");

    let changed = app
        .patch("/api/v1/units/KFN")
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"nameEn": "Culture Committee", "validUntil": "2027-12-31"}))
        .send()
        .await;
    changed.assert_status(200);
    assert_eq!(changed.etag(), 2);
    assert_eq!(changed.json()["nameEn"], "Culture Committee");

    app.delete("/api/v1/units/KS")
        .role("admin")
        .if_match(1)
        .send()
        .await
        .assert_problem(409, "conflict");
    app.delete("/api/v1/units/KFN")
        .role("admin")
        .if_match(2)
        .send()
        .await
        .assert_status(204);
    app.get("/api/v1/units/KFN")
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
}

async fn a_stale_if_match_is_refused_and_a_missing_one_required(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let patch = json!({"nameEn": "Board"});
    app.patch("/api/v1/units/KS")
        .role("admin")
        .merge_patch(&patch)
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.patch("/api/v1/units/KS")
        .role("admin")
        .if_match(7)
        .merge_patch(&patch)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    let unchanged = app.get("/api/v1/units/KS").role("reader").send().await;
    assert_eq!(unchanged.etag(), 1);
    assert!(unchanged.json()["nameEn"].is_null());
}

async fn bad_input_names_the_field_and_changes_nothing(app: TestApp) {
    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(&json!({"code": "kfn", "name": "", "type": "COMMITTEE"}))
        .send()
        .await;
    let body = res.assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/code");

    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(&json!({"code": "KFN", "name": "Kultur", "type": "COMMITTEE", "version": 4}))
        .send()
        .await;
    let body = res.assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/version");
    assert_eq!(body["errors"][0]["code"], "unknown-field");

    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(&json!({"code": "KFN", "name": "Kultur", "type": "COMMITTEE", "parentCode": "NOPE"}))
        .send()
        .await;
    let body = res.assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/parentCode");

    let list = app.get("/api/v1/units").role("reader").send().await;
    assert_eq!(list.json()["totalItems"], 0);
    let feed = app.get("/api/v1/events").role("reader").send().await;
    assert_eq!(feed.json()["items"].as_array().unwrap().len(), 0);
}

async fn a_unit_cannot_be_placed_below_itself(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    create_unit(&app, "KFN", "COMMITTEE", Some("KS")).await;
    let res = app
        .patch("/api/v1/units/KS")
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"parentCode": "KFN"}))
        .send()
        .await;
    let body = res.assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["code"], "cycle");
}

async fn a_duplicate_code_is_a_conflict(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(&json!({"code": "KS", "name": "Igen", "type": "EXECUTIVE_BOARD"}))
        .send()
        .await;
    res.assert_problem(409, "conflict");
}

async fn lists_page_filter_and_export_csv(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    for code in ["A1", "A2", "A3"] {
        create_unit(&app, code, "COMMITTEE", Some("KS")).await;
    }
    let page = app
        .get("/api/v1/units?type=COMMITTEE&limit=2&page=2")
        .role("reader")
        .send()
        .await;
    page.assert_status(200);
    let body = page.json();
    assert_eq!(body["totalItems"], 3);
    assert_eq!(body["totalPages"], 2);
    assert_eq!(body["items"][0]["code"], "A3");

    let csv = app
        .get("/api/v1/units?parentCode=KS")
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert_eq!(csv.header("x-total-count").as_deref(), Some("3"));
    assert_eq!(csv.text().lines().count(), 4);

    app.get("/api/v1/units?limit=500")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    app.get("/api/v1/units?colour=red")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    let found = app
        .get("/api/v1/units?q=enhet%20a2")
        .role("reader")
        .send()
        .await;
    assert_eq!(found.json()["totalItems"], 1);
}

async fn csv_cells_that_look_like_formulas_are_escaped(app: TestApp) {
    let formula = json!({"code": "X", "name": "=HYPERLINK(\"http://evil\")", "type": "COMPANY"});
    register::created(&app, By::Role("admin"), "/api/v1/units", &formula).await;
    let csv = app
        .get("/api/v1/units")
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    assert!(csv.text().contains("'=HYPERLINK"), "{}", csv.text());
}

both!(
    a_unit_is_created_read_changed_and_deleted,
    a_stale_if_match_is_refused_and_a_missing_one_required,
    bad_input_names_the_field_and_changes_nothing,
    a_unit_cannot_be_placed_below_itself,
    a_duplicate_code_is_a_conflict,
    lists_page_filter_and_export_csv,
    csv_cells_that_look_like_formulas_are_escaped,
);

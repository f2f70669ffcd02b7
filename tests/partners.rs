//! Partners: officers and coordinators write, everybody reads; country, kind and archiving are
//! the coordinator's; a partner anything refers to is archived, never deleted.

mod common;
mod register;

use common::TestApp;
use register::{By, contact, partner_by};
use serde_json::{Value, json};

async fn create_partner(app: &TestApp, name: &str, kind: &str, country: &str) -> Value {
    let fields =
        json!({"name": name, "kind": kind, "countryCode": country, "city": format!("{name} stad")});
    partner_by(app, By::Role("coordinator"), fields).await
}

fn path(p: &Value) -> String {
    format!("/api/v1/partners/{}", p["id"].as_str().unwrap())
}

async fn a_partner_is_created_read_changed_and_archived(app: TestApp) {
    let res = app
        .post("/api/v1/partners")
        .officer_of("KFN")
        .json(&json!({
            "name": "Example Kommune", "kind": "CITY", "countryCode": "NO", "city": "Exampleby",
            "externalIds": {"euPic": "999999999"}, "website": "https://www.example.org/"
        }))
        .send()
        .await;
    res.assert_status(201);
    let created = res.json();
    assert_eq!(created["version"], 1);
    assert_eq!(created["sisterCity"], false);
    assert!(created["sisterCitySince"].is_null());
    assert_eq!(created["archived"], false);
    assert_eq!(created["externalIds"]["euPic"], "999999999");
    assert_eq!(
        res.header("location").unwrap(),
        format!("https://samverkan.test{}", path(&created))
    );
    let id = created["id"].as_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7);

    let read = app.get(&path(&created)).role("reader").send().await;
    read.assert_status(200);
    assert_eq!(read.etag(), 1);
    assert_eq!(read.json()["name"], "Example Kommune");

    let changed = app
        .patch(&path(&created))
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(
            &json!({"website": null, "externalIds": {"organisationNumber": "NO-974760673"}}),
        )
        .send()
        .await;
    changed.assert_status(200);
    let body = changed.json();
    assert!(body["website"].is_null());
    assert_eq!(body["externalIds"]["euPic"], "999999999");
    assert_eq!(body["externalIds"]["organisationNumber"], "NO-974760673");

    let archived = app
        .patch(&path(&created))
        .role("coordinator")
        .if_match(2)
        .merge_patch(&json!({"archived": true}))
        .send()
        .await;
    archived.assert_status(200);
    assert_eq!(archived.json()["archived"], true);

    let feed = app.get("/api/v1/events").role("reader").send().await.json();
    let actions: Vec<(&str, &str)> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entityType"] == "PARTNER")
        .map(|e| {
            (
                e["entityId"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![(id, "CREATED"), (id, "UPDATED"), (id, "ARCHIVED")]
    );
}

async fn only_coordinators_change_country_kind_or_archive(app: TestApp) {
    let p = create_partner(&app, "Exampleby", "CITY", "NO").await;
    let res = app
        .patch(&path(&p))
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(&json!({"countryCode": "DK", "kind": "REGION", "name": "Renamed"}))
        .send()
        .await;
    let body = res.assert_problem(403, "forbidden");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, vec!["/countryCode", "/kind"]);
    app.patch(&path(&p))
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(&json!({"archived": true}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    // Sending a field unchanged is not changing it.
    app.patch(&path(&p))
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(&json!({"countryCode": "NO", "name": "Renamed"}))
        .send()
        .await
        .assert_status(200);
    let res = app
        .post("/api/v1/partners")
        .officer_of("KFN")
        .json(&json!({"name": "X", "kind": "OTHER", "countryCode": "NO", "archived": true}))
        .send()
        .await;
    let body = res.assert_problem(403, "forbidden");
    assert_eq!(body["errors"][0]["pointer"], "/archived");
    let moved = app
        .patch(&path(&p))
        .role("coordinator")
        .if_match(2)
        .merge_patch(&json!({"countryCode": "DK", "kind": "REGION"}))
        .send()
        .await;
    moved.assert_status(200);
    assert_eq!(moved.json()["countryCode"], "DK");
}

async fn readers_board_secretaries_and_admins_cannot_write_partners(app: TestApp) {
    let body = json!({"name": "X", "kind": "OTHER", "countryCode": "NO"});
    for role in ["reader", "board_secretary", "admin"] {
        app.post("/api/v1/partners")
            .role(role)
            .json(&body)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    app.post("/api/v1/partners")
        .json(&body)
        .send()
        .await
        .assert_problem(401, "unauthorized");
    app.get("/api/v1/partners")
        .send()
        .await
        .assert_problem(401, "unauthorized");
    let p = create_partner(&app, "Exampleby", "CITY", "NO").await;
    app.delete(&path(&p))
        .officer_of("KFN")
        .if_match(1)
        .send()
        .await
        .assert_problem(403, "forbidden");
}

async fn bad_partner_input_names_the_field(app: TestApp) {
    for (body, pointer, code) in [
        (
            json!({"name": "X", "kind": "OTHER", "countryCode": "XX"}),
            "/countryCode",
            "unknown-country",
        ),
        (
            json!({"name": "X", "kind": "PLANET", "countryCode": "NO"}),
            "/kind",
            "invalid-value",
        ),
        (
            json!({"name": "X", "kind": "OTHER", "countryCode": "NO", "website": "ftp://x.org"}),
            "/website",
            "invalid-url",
        ),
        (
            json!({"name": "X", "kind": "OTHER", "countryCode": "NO", "externalIds": {"euPic": "12"}}),
            "/externalIds/euPic",
            "invalid-eu-pic",
        ),
        (
            json!({"name": "X", "kind": "OTHER", "countryCode": "NO", "sisterCity": true}),
            "/sisterCity",
            "unknown-field",
        ),
    ] {
        let res = app
            .post("/api/v1/partners")
            .role("coordinator")
            .json(&body)
            .send()
            .await;
        let problem = res.assert_problem(400, "validation-failed");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    app.get("/api/v1/partners/not-a-uuid")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(app.event_count().await, 0);
}

async fn an_unknown_partner_is_not_found(app: TestApp) {
    let missing = "/api/v1/partners/0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e";
    app.get(missing)
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.patch(missing)
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({"name": "Y"}))
        .send()
        .await
        .assert_problem(404, "not-found");
    app.delete(missing)
        .role("coordinator")
        .if_match(1)
        .send()
        .await
        .assert_problem(404, "not-found");
}

async fn changes_need_the_current_etag(app: TestApp) {
    let p = create_partner(&app, "Exampleby", "CITY", "NO").await;
    let patch = json!({"city": "Elsewhere"});
    app.patch(&path(&p))
        .role("coordinator")
        .merge_patch(&patch)
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.patch(&path(&p))
        .role("coordinator")
        .if_match(9)
        .merge_patch(&patch)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    app.delete(&path(&p))
        .role("coordinator")
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.delete(&path(&p))
        .role("coordinator")
        .if_match(9)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    let unchanged = app.get(&path(&p)).role("reader").send().await.json();
    assert_eq!(unchanged["city"], "Exampleby stad");
}

async fn a_referred_partner_is_archived_not_deleted(app: TestApp) {
    let kept = create_partner(&app, "Kept", "CITY", "NO").await;
    let kari = json!({"name": "Kari Example", "retentionUntil": "2099-12-31"});
    contact(&app, &register::id(&kept), kari).await;
    app.delete(&path(&kept))
        .role("coordinator")
        .if_match(1)
        .send()
        .await
        .assert_problem(409, "conflict");
    app.get(&path(&kept))
        .role("reader")
        .send()
        .await
        .assert_status(200);

    let mistake = create_partner(&app, "Mistake", "OTHER", "NO").await;
    app.delete(&path(&mistake))
        .role("coordinator")
        .if_match(1)
        .send()
        .await
        .assert_status(204);
    app.get(&path(&mistake))
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
}

async fn a_reused_idempotency_key_with_another_body_is_refused(app: TestApp) {
    let first = app
        .post("/api/v1/partners")
        .role("coordinator")
        .header("Idempotency-Key", "p-1")
        .json(&json!({"name": "A", "kind": "OTHER", "countryCode": "NO"}))
        .send()
        .await;
    first.assert_status(201);
    let replay = app
        .post("/api/v1/partners")
        .role("coordinator")
        .header("Idempotency-Key", "p-1")
        .json(&json!({"name": "A", "kind": "OTHER", "countryCode": "NO"}))
        .send()
        .await;
    replay.assert_status(201);
    assert_eq!(replay.json()["id"], first.json()["id"]);
    app.post("/api/v1/partners")
        .role("coordinator")
        .header("Idempotency-Key", "p-1")
        .json(&json!({"name": "B", "kind": "OTHER", "countryCode": "NO"}))
        .send()
        .await
        .assert_problem(422, "idempotency-key-reused");
    let list = app.get("/api/v1/partners").role("reader").send().await;
    assert_eq!(list.json()["totalItems"], 1);
}

async fn search_ignores_case_in_swedish_letters_too(app: TestApp) {
    create_partner(&app, "Ålesund kommune", "CITY", "NO").await;
    create_partner(&app, "Örebro läns vänort", "REGION", "NO").await;
    for (q, found) in [
        ("%C3%A5lesund", 1),            // ålesund
        ("%C3%85LESUND", 1),            // ÅLESUND
        ("%C3%96REBRO%20L%C3%84NS", 1), // ÖREBRO LÄNS
        ("v%C3%A4nort", 1),             // vänort
        ("alesund", 0),                 // å is not a
    ] {
        let res = app
            .get(&format!("/api/v1/partners?q={q}"))
            .role("reader")
            .send()
            .await;
        res.assert_status(200);
        assert_eq!(res.json()["totalItems"], found, "q={q}");
    }
}

async fn lists_filter_and_export_csv(app: TestApp) {
    create_partner(&app, "Oslo Example", "CITY", "NO").await;
    create_partner(&app, "Viken Example", "REGION", "NO").await;
    let old = create_partner(&app, "Aarhus Example", "UNIVERSITY", "DK").await;
    app.patch(&path(&old))
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({"archived": true}))
        .send()
        .await
        .assert_status(200);

    let count = |q: &'static str| {
        let app = &app;
        async move {
            let res = app
                .get(&format!("/api/v1/partners?{q}"))
                .role("reader")
                .send()
                .await;
            res.assert_status(200);
            res.json()["totalItems"].as_i64().unwrap()
        }
    };
    assert_eq!(count("countryCode=NO").await, 2);
    assert_eq!(count("kind=REGION").await, 1);
    assert_eq!(count("archived=true").await, 1);
    assert_eq!(count("archived=false&countryCode=NO").await, 2);
    assert_eq!(count("q=viken").await, 1);
    assert_eq!(count("q=OSLO%20EXAMPLE%20stad").await, 1);
    // No SISTER_CITY agreement is active, so no partner is a sister city.
    assert_eq!(count("sisterCity=true").await, 0);
    assert_eq!(count("sisterCity=false&limit=1").await, 3);

    let page = app
        .get("/api/v1/partners?limit=2&page=2")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(page["items"][0]["name"], "Aarhus Example");
    assert_eq!(page["totalPages"], 2);

    app.get("/api/v1/partners?kind=PLANET")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");
    app.get("/api/v1/partners?countryCode=no")
        .role("reader")
        .send()
        .await
        .assert_problem(400, "validation-failed");

    let csv = app
        .get("/api/v1/partners?countryCode=NO")
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let text = csv.text();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().next().unwrap().contains("externalIds.euPic"));
}

both!(
    a_partner_is_created_read_changed_and_archived,
    only_coordinators_change_country_kind_or_archive,
    readers_board_secretaries_and_admins_cannot_write_partners,
    bad_partner_input_names_the_field,
    an_unknown_partner_is_not_found,
    changes_need_the_current_etag,
    a_referred_partner_is_archived_not_deleted,
    a_reused_idempotency_key_with_another_body_is_refused,
    lists_filter_and_export_csv,
    search_ignores_case_in_swedish_letters_too,
);

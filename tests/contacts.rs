//! Contacts are personal data: officers, coordinators and the board secretary read them, officers
//! and coordinators write them, their events carry ids only, and deleting one erases it.

mod common;
mod register;

use common::TestApp;
use register::{By, contact_by, id, partner_by};
use serde_json::{Value, json};

async fn partner(app: &TestApp) -> String {
    let p = partner_by(
        app,
        By::Role("coordinator"),
        json!({"name": "Example Kommune"}),
    )
    .await;
    format!("/api/v1/partners/{}", id(&p))
}

async fn add_contact(app: &TestApp, partner: &str) -> Value {
    let partner = partner.trim_start_matches("/api/v1/partners/");
    let kari = json!({
        "name": "Kari Example", "role": "International coordinator",
        "email": "kari@example.org", "phone": "+47 22 00 00 00", "retentionUntil": "2099-12-31"
    });
    contact_by(app, By::Officer("KFN"), partner, kari).await
}

async fn contacts_are_read_by_officers_coordinators_and_the_board_secretary_only(app: TestApp) {
    let p = partner(&app).await;
    let c = add_contact(&app, &p).await;
    let one = format!("{p}/contacts/{}", c["id"].as_str().unwrap());
    for role in ["coordinator", "board_secretary"] {
        let list = app.get(&format!("{p}/contacts")).role(role).send().await;
        list.assert_status(200);
        assert_eq!(list.json()["items"][0]["email"], "kari@example.org");
        app.get(&one).role(role).send().await.assert_status(200);
    }
    app.get(&one)
        .officer_of("KFN")
        .send()
        .await
        .assert_status(200);
    for role in ["reader", "admin"] {
        app.get(&format!("{p}/contacts"))
            .role(role)
            .send()
            .await
            .assert_problem(403, "forbidden");
        app.get(&one)
            .role(role)
            .send()
            .await
            .assert_problem(403, "forbidden");
        let csv = app
            .get(&format!("{p}/contacts"))
            .role(role)
            .header("Accept", "text/csv")
            .send()
            .await;
        csv.assert_problem(403, "forbidden");
        assert!(!csv.text().contains("Kari"));
    }
    app.get(&format!("{p}/contacts"))
        .send()
        .await
        .assert_problem(401, "unauthorized");
    // The partner itself never carries its contacts.
    let partner_body = app.get(&p).role("reader").send().await.text();
    assert!(!partner_body.contains("Kari"), "{partner_body}");
    let csv = app
        .get(&format!("{p}/contacts"))
        .role("board_secretary")
        .header("Accept", "text/csv")
        .send()
        .await;
    csv.assert_status(200);
    assert!(csv.text().contains("kari@example.org"));
}

async fn the_board_secretary_readers_and_admins_cannot_write_contacts(app: TestApp) {
    let p = partner(&app).await;
    let c = add_contact(&app, &p).await;
    let one = format!("{p}/contacts/{}", c["id"].as_str().unwrap());
    for role in ["board_secretary", "reader", "admin"] {
        app.post(&format!("{p}/contacts"))
            .role(role)
            .json(&json!({"name": "X", "retentionUntil": "2099-01-01"}))
            .send()
            .await
            .assert_problem(403, "forbidden");
        app.patch(&one)
            .role(role)
            .if_match(1)
            .merge_patch(&json!({"name": "Y"}))
            .send()
            .await
            .assert_problem(403, "forbidden");
        app.delete(&one)
            .role(role)
            .if_match(1)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
}

async fn contact_events_carry_ids_and_erasing_removes_the_person(app: TestApp) {
    let p = partner(&app).await;
    let c = add_contact(&app, &p).await;
    let id = c["id"].as_str().unwrap();
    let one = format!("{p}/contacts/{id}");
    let changed = app
        .patch(&one)
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({"phone": null, "email": "kari.new@example.org"}))
        .send()
        .await;
    changed.assert_status(200);
    assert!(changed.json()["phone"].is_null());
    app.delete(&one)
        .officer_of("KFN")
        .if_match(2)
        .send()
        .await
        .assert_status(204);
    app.get(&one)
        .role("coordinator")
        .send()
        .await
        .assert_problem(404, "not-found");

    let feed = app.get("/api/v1/events").role("coordinator").send().await;
    let text = feed.text();
    for personal in ["Kari", "kari", "+47", "International coordinator"] {
        assert!(!text.contains(personal), "{personal} leaked into {text}");
    }
    let events: Vec<Value> = feed.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entityType"] == "CONTACT")
        .cloned()
        .collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["CREATED", "UPDATED", "ERASED"]);
    assert_eq!(events[2]["data"]["id"], id);
    let stored: i64 = app
        .with_db(|c| {
            use diesel::prelude::*;
            use samverkan::db::schema::contacts;
            Ok(contacts::table.count().get_result(c)?)
        })
        .await;
    assert_eq!(stored, 0);
}

async fn contacts_past_their_retention_date_are_erased_by_the_sweep(app: TestApp) {
    let p = partner(&app).await;
    add_contact(&app, &p).await;
    let later = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap();
    let erased = app
        .with_db(move |c| samverkan::contacts::store::erase_past_retention(c, "system", later))
        .await;
    assert_eq!(erased, 1);
    let list = app
        .get(&format!("{p}/contacts"))
        .role("coordinator")
        .send()
        .await;
    assert_eq!(list.json()["totalItems"], 0);
}

async fn bad_contact_input_names_the_field(app: TestApp) {
    let p = partner(&app).await;
    for (body, pointer) in [
        (json!({"name": "Kari"}), "/retentionUntil"),
        (
            json!({"name": "Kari", "retentionUntil": "2000-01-01"}),
            "/retentionUntil",
        ),
        (
            json!({"name": "Kari", "retentionUntil": "2099-01-01", "email": "kari"}),
            "/email",
        ),
        (
            json!({"name": "Kari", "retentionUntil": "2099-01-01", "phone": "ring"}),
            "/phone",
        ),
        (json!({"name": "", "retentionUntil": "2099-01-01"}), "/name"),
    ] {
        let res = app
            .post(&format!("{p}/contacts"))
            .role("coordinator")
            .json(&body)
            .send()
            .await;
        let problem = res.assert_problem(400, "validation-failed");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{problem}");
    }
}

async fn contacts_of_unknown_partners_or_other_partners_are_not_found(app: TestApp) {
    let p = partner(&app).await;
    let other = partner(&app).await;
    let c = add_contact(&app, &p).await;
    let id = c["id"].as_str().unwrap();
    app.get(&format!("{other}/contacts/{id}"))
        .role("coordinator")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.delete(&format!("{other}/contacts/{id}"))
        .role("coordinator")
        .if_match(1)
        .send()
        .await
        .assert_problem(404, "not-found");
    let missing = "/api/v1/partners/0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e/contacts";
    app.get(missing)
        .role("coordinator")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.post(missing)
        .role("coordinator")
        .json(&json!({"name": "X", "retentionUntil": "2099-01-01"}))
        .send()
        .await
        .assert_problem(404, "not-found");
}

async fn contact_changes_need_the_current_etag_and_keys_are_not_reused(app: TestApp) {
    let p = partner(&app).await;
    let c = add_contact(&app, &p).await;
    let one = format!("{p}/contacts/{}", c["id"].as_str().unwrap());
    app.patch(&one)
        .role("coordinator")
        .merge_patch(&json!({"name": "Y"}))
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.patch(&one)
        .role("coordinator")
        .if_match(5)
        .merge_patch(&json!({"name": "Y"}))
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    app.delete(&one)
        .role("coordinator")
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.delete(&one)
        .role("coordinator")
        .if_match(5)
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    let body = json!({"name": "A", "retentionUntil": "2099-01-01"});
    app.post(&format!("{p}/contacts"))
        .role("coordinator")
        .header("Idempotency-Key", "c-1")
        .json(&body)
        .send()
        .await
        .assert_status(201);
    app.post(&format!("{p}/contacts"))
        .role("coordinator")
        .header("Idempotency-Key", "c-1")
        .json(&json!({"name": "B", "retentionUntil": "2099-01-01"}))
        .send()
        .await
        .assert_problem(422, "idempotency-key-reused");
}

async fn erasing_a_contact_also_forgets_the_response_an_idempotency_key_kept(app: TestApp) {
    use diesel::prelude::*;
    use samverkan::db::schema::idempotency_keys as k;
    let p = partner(&app).await;
    let res = app
        .post(&format!("{p}/contacts"))
        .officer_of("KFN")
        .header("Idempotency-Key", "contact-1")
        .json(&json!({"name": "Kari Nordmann", "email": "kari@example.org", "retentionUntil": "2099-12-31"}))
        .send()
        .await;
    res.assert_status(201);
    let id = res.json()["id"].as_str().unwrap().to_string();
    let stored = |app: &TestApp| {
        let state = app.state.clone();
        async move {
            state
                .db
                .read(|c| -> Result<_, samverkan::http::problem::ApiError> {
                    Ok(k::table
                        .select(k::response_body)
                        .load::<Option<String>>(c)?
                        .into_iter()
                        .flatten()
                        .filter(|b| b.contains("Kari Nordmann"))
                        .count())
                })
                .await
                .unwrap()
        }
    };
    assert_eq!(stored(&app).await, 1);
    app.delete(&format!("{p}/contacts/{id}"))
        .officer_of("KFN")
        .if_match(1)
        .send()
        .await
        .assert_status(204);
    assert_eq!(
        stored(&app).await,
        0,
        "the person's data outlived the erasure"
    );
}

both!(
    erasing_a_contact_also_forgets_the_response_an_idempotency_key_kept,
    contacts_are_read_by_officers_coordinators_and_the_board_secretary_only,
    the_board_secretary_readers_and_admins_cannot_write_contacts,
    contact_events_carry_ids_and_erasing_removes_the_person,
    contacts_past_their_retention_date_are_erased_by_the_sweep,
    bad_contact_input_names_the_field,
    contacts_of_unknown_partners_or_other_partners_are_not_found,
    contact_changes_need_the_current_etag_and_keys_are_not_reused,
);

//! `Idempotency-Key` on POST (here `POST /api/v1/units`): replay, 422 for another body, 409 while
//! in flight, 24 h lifetime, scoped by caller, authorisation before replay, and failures release
//! the key.

mod common;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use samverkan::db::schema::{events, idempotency_keys as k, units};
use serde_json::{Value, json};

use common::{TestApp, TestResponse, create_unit};

fn unit(code: &str) -> Value {
    json!({"code": code, "name": format!("Enhet {code}"), "type": "COMMITTEE"})
}

async fn post_unit(app: &TestApp, token: &str, key: &str, body: &Value) -> TestResponse {
    app.post("/api/v1/units")
        .bearer(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
}

fn admin(app: &TestApp, sub: &str) -> String {
    app.token_for(sub, &["admin"], None)
}

async fn units_named(app: &TestApp, code: &str) -> i64 {
    let code = code.to_string();
    app.with_db(move |c| {
        Ok(units::table
            .filter(units::code.eq(code))
            .count()
            .get_result(c)?)
    })
    .await
}

async fn events_of(app: &TestApp, code: &str) -> Vec<String> {
    let code = code.to_string();
    app.with_db(move |c| {
        Ok(events::table
            .filter(events::entity_id.eq(code))
            .order(events::id)
            .select(events::action)
            .load(c)?)
    })
    .await
}

async fn stored_keys(app: &TestApp, key: &str) -> i64 {
    let key = key.to_string();
    app.with_db(move |c| {
        Ok(k::table
            .filter(k::idempotency_key.eq(key))
            .count()
            .get_result(c)?)
    })
    .await
}

async fn the_same_key_and_body_replay_the_stored_response_once_created(app: TestApp) {
    let token = admin(&app, "anna");
    let body = unit("KFN");
    let first = post_unit(&app, &token, "key-1", &body).await;
    first.assert_status(201);
    assert_eq!(first.header("idempotent-replayed"), None);

    for _ in 0..2 {
        let again = post_unit(&app, &token, "key-1", &body).await;
        again.assert_status(201);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(again.json(), first.json());
        assert_eq!(again.header("etag"), first.header("etag"));
        assert_eq!(again.header("location"), first.header("location"));
        assert!(again.header("location").is_some());
    }
    assert_eq!(units_named(&app, "KFN").await, 1);
    assert_eq!(events_of(&app, "KFN").await, ["CREATED"]);
    assert_eq!(app.event_count().await, 1);
}

async fn the_same_key_with_another_body_is_422(app: TestApp) {
    let token = admin(&app, "anna");
    post_unit(&app, &token, "key-1", &unit("KFN"))
        .await
        .assert_status(201);
    post_unit(&app, &token, "key-1", &unit("SN"))
        .await
        .assert_problem(422, "idempotency-key-reused");
    // The bytes count: the same data written differently is another body.
    let respaced = app
        .post("/api/v1/units")
        .bearer(&token)
        .header("Idempotency-Key", "key-1")
        .raw(
            "application/json",
            r#"{"code": "KFN",  "name": "Enhet KFN", "type": "COMMITTEE"}"#,
        )
        .send()
        .await;
    respaced.assert_problem(422, "idempotency-key-reused");
    assert_eq!(units_named(&app, "SN").await, 0);
    assert_eq!(app.event_count().await, 1);
}

async fn a_key_whose_request_is_in_flight_is_409(app: TestApp) {
    let body = unit("KFN");
    let now = Utc::now().naive_utc();
    let digest = samverkan::http::json::digest(body.to_string().as_bytes());
    app.with_db(move |c| {
        diesel::insert_into(k::table)
            .values((
                k::owner.eq("anna"),
                k::method.eq("POST"),
                k::path.eq("/api/v1/units"),
                k::idempotency_key.eq("key-1"),
                k::request_hash.eq(digest),
                k::state.eq("IN_FLIGHT"),
                k::created_at.eq(now),
                k::locked_until.eq(now + Duration::seconds(60)),
                k::expires_at.eq(now + Duration::hours(24)),
            ))
            .execute(c)?;
        Ok(())
    })
    .await;
    let token = admin(&app, "anna");
    post_unit(&app, &token, "key-1", &body)
        .await
        .assert_problem(409, "idempotency-key-in-use");
    assert_eq!(units_named(&app, "KFN").await, 0);
    // The in-flight request still owns its key: the refusal did not release it.
    assert_eq!(stored_keys(&app, "key-1").await, 1);

    // A request that held its key past the in-flight window is taken to have died; a retry runs.
    let past = now - Duration::seconds(1);
    app.with_db(move |c| {
        diesel::update(k::table)
            .set(k::locked_until.eq(past))
            .execute(c)?;
        Ok(())
    })
    .await;
    post_unit(&app, &token, "key-1", &body)
        .await
        .assert_status(201);
    assert_eq!(units_named(&app, "KFN").await, 1);
}

async fn concurrent_requests_with_one_key_create_one_record(app: TestApp) {
    let token = admin(&app, "anna");
    let body = unit("KFN");
    let calls = (0..6).map(|_| post_unit(&app, &token, "key-1", &body));
    let responses = futures_util::future::join_all(calls).await;
    let mut created = 0;
    for res in &responses {
        match res.status {
            201 if res.header("idempotent-replayed").is_none() => created += 1,
            201 => {}
            409 => {
                res.assert_problem(409, "idempotency-key-in-use");
            }
            other => panic!("unexpected {other}: {}", res.text()),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(units_named(&app, "KFN").await, 1);
    assert_eq!(events_of(&app, "KFN").await, ["CREATED"]);
}

async fn a_key_past_its_24_hour_lifetime_runs_again(app: TestApp) {
    let token = admin(&app, "anna");
    let body = unit("KFN");
    post_unit(&app, &token, "key-1", &body)
        .await
        .assert_status(201);
    app.delete("/api/v1/units/KFN")
        .bearer(&token)
        .if_match(1)
        .send()
        .await
        .assert_status(204);
    // Within its lifetime the key is kept, but what it created is gone: 410, nothing created.
    post_unit(&app, &token, "key-1", &body)
        .await
        .assert_problem(410, "gone");
    assert_eq!(units_named(&app, "KFN").await, 0);

    let past = Utc::now().naive_utc() - Duration::seconds(1);
    app.with_db(move |c| {
        diesel::update(k::table)
            .set(k::expires_at.eq(past))
            .execute(c)?;
        Ok(())
    })
    .await;
    let rerun = post_unit(&app, &token, "key-1", &body).await;
    rerun.assert_status(201);
    assert_eq!(rerun.header("idempotent-replayed"), None);
    assert_eq!(units_named(&app, "KFN").await, 1);
    assert_eq!(
        events_of(&app, "KFN").await,
        ["CREATED", "DELETED", "CREATED"]
    );
    // And the new run stored a fresh key that replays.
    let replay = post_unit(&app, &token, "key-1", &body).await;
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
}

async fn keys_are_scoped_by_caller(app: TestApp) {
    let anna = admin(&app, "anna");
    let bertil = admin(&app, "bertil");
    post_unit(&app, &anna, "shared-key", &unit("KFN"))
        .await
        .assert_status(201);
    // Another caller's key of the same name is another key: another body is no reuse.
    let res = post_unit(&app, &bertil, "shared-key", &unit("SN")).await;
    res.assert_status(201);
    assert_eq!(res.header("idempotent-replayed"), None);
    // And the same body is not a replay of anna's result: bertil's own request runs (and conflicts).
    post_unit(&app, &bertil, "shared-key-2", &unit("KFN"))
        .await
        .assert_problem(409, "conflict");
    let mine = post_unit(&app, &anna, "shared-key-2", &unit("KFN")).await;
    mine.assert_problem(409, "conflict");
    assert_eq!(units_named(&app, "KFN").await, 1);
    assert_eq!(units_named(&app, "SN").await, 1);
    // Two stored keys of the same name, one per caller.
    assert_eq!(stored_keys(&app, "shared-key").await, 2);
}

async fn authorisation_runs_before_a_replay(app: TestApp) {
    let body = unit("KFN");
    let as_admin = app.token_for("anna", &["admin"], None);
    post_unit(&app, &as_admin, "key-1", &body)
        .await
        .assert_status(201);
    // The same person, now holding only the reader role, cannot read the result of a write out
    // of the key store.
    let as_reader = app.token_for("anna", &["reader"], None);
    post_unit(&app, &as_reader, "key-1", &body)
        .await
        .assert_problem(403, "forbidden");
    // Nor can anyone without a token.
    app.post("/api/v1/units")
        .header("Idempotency-Key", "key-1")
        .json(&body)
        .send()
        .await
        .assert_problem(401, "unauthorized");
}

/// The service deletes the key when the work fails, so a retry with the same key and body runs
/// again (and succeeds once the data allows it) rather than replaying the failure.
async fn a_failed_request_releases_its_key_so_a_retry_runs_again(app: TestApp) {
    let token = admin(&app, "anna");
    let orphan =
        json!({"code": "KFN", "name": "Kulturnämnden", "type": "COMMITTEE", "parentCode": "KS"});
    let res = post_unit(&app, &token, "key-1", &orphan).await;
    let body = res.assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/parentCode");
    assert_eq!(stored_keys(&app, "key-1").await, 0);
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let retried = post_unit(&app, &token, "key-1", &orphan).await;
    retried.assert_status(201);
    assert_eq!(retried.header("idempotent-replayed"), None);

    // A conflict releases the key too.
    let res = post_unit(&app, &token, "key-2", &unit("KS")).await;
    res.assert_problem(409, "conflict");
    assert_eq!(stored_keys(&app, "key-2").await, 0);
    // After a failure the key is free for another body as well.
    post_unit(&app, &token, "key-2", &unit("SN"))
        .await
        .assert_status(201);
    assert_eq!(events_of(&app, "KS").await, ["CREATED"]);

    // A malformed key is refused before anything runs.
    app.post("/api/v1/units")
        .bearer(&token)
        .header("Idempotency-Key", "has space")
        .json(&unit("UN"))
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(units_named(&app, "UN").await, 0);
}

/// The claim of a key is its transaction: on PostgreSQL a request whose key another transaction
/// holds (on any instance) is refused with 409 at once and changes nothing, and the key is free
/// again as soon as that transaction ends without storing a reply. On SQLite, where writers take
/// turns, the request waits for the other writer and then runs.
async fn a_key_claimed_by_a_transaction_in_flight_is_409_at_once_and_free_after_it(app: TestApp) {
    let body = unit("KFN");
    let token = admin(&app, "anna");
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = match app.backend {
        common::Backend::Postgres => {
            let url = app.database.raw_url.clone();
            std::thread::spawn(move || {
                use diesel::connection::SimpleConnection;
                let mut pg = diesel::PgConnection::establish(&url).unwrap();
                let lock = samverkan::http::idempotency::lock_number(
                    "anna",
                    "POST",
                    "/api/v1/units",
                    "key-held",
                );
                pg.batch_execute(&format!("BEGIN; SELECT pg_advisory_xact_lock({lock})"))
                    .unwrap();
                held_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                pg.batch_execute("ROLLBACK").unwrap();
            })
        }
        common::Backend::Sqlite => {
            let db = app.state.db.clone();
            std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    db.write(move |_| -> Result<(), samverkan::http::problem::ApiError> {
                        held_tx.send(()).unwrap();
                        release_rx.recv().unwrap();
                        Ok(())
                    })
                    .await
                    .unwrap();
                });
            })
        }
    };
    held_rx.recv().unwrap();
    match app.backend {
        common::Backend::Postgres => {
            let started = std::time::Instant::now();
            post_unit(&app, &token, "key-held", &body)
                .await
                .assert_problem(409, "idempotency-key-in-use");
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "refused at once, not after waiting for the holder"
            );
            assert_eq!(units_named(&app, "KFN").await, 0);
            assert_eq!(stored_keys(&app, "key-held").await, 0);
            release_tx.send(()).unwrap();
            holder.join().unwrap();
            post_unit(&app, &token, "key-held", &body)
                .await
                .assert_status(201);
        }
        common::Backend::Sqlite => {
            let release = std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(200));
                release_tx.send(()).unwrap();
            });
            post_unit(&app, &token, "key-held", &body)
                .await
                .assert_status(201);
            release.join().unwrap();
            holder.join().unwrap();
        }
    }
    assert_eq!(units_named(&app, "KFN").await, 1);
    assert_eq!(stored_keys(&app, "key-held").await, 1);
    let replay = post_unit(&app, &token, "key-held", &body).await;
    replay.assert_status(201);
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(events_of(&app, "KFN").await, ["CREATED"]);
}

both!(
    a_key_claimed_by_a_transaction_in_flight_is_409_at_once_and_free_after_it,
    the_same_key_and_body_replay_the_stored_response_once_created,
    the_same_key_with_another_body_is_422,
    a_key_whose_request_is_in_flight_is_409,
    concurrent_requests_with_one_key_create_one_record,
    a_key_past_its_24_hour_lifetime_runs_again,
    keys_are_scoped_by_caller,
    authorisation_runs_before_a_replay,
    a_failed_request_releases_its_key_so_a_retry_runs_again,
);

//! Every error, the framework's and the service's, is an RFC 9457 problem document with a stable
//! `type`, in English or Swedish, with a request id; database outages are 503 and no database or
//! driver text ever reaches a client.

mod common;

use std::time::Duration;

use common::{Backend, TestApp, TestResponse, create_unit};
use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use serde_json::json;

/// Words that only a database, a driver or SQL would put in a body.
const LEAKS: [&str; 14] = [
    "SELECT",
    "INSERT",
    "UPDATE ",
    "sqlite",
    "postgres",
    "diesel",
    "r2d2",
    "FATAL",
    "SQLSTATE",
    "relation",
    "constraint",
    "samverkan_test_",
    "connection to server",
    "timed out waiting",
];

#[track_caller]
fn assert_no_leak(res: &TestResponse) {
    let body = res.text();
    for word in LEAKS {
        assert!(
            !body.to_lowercase().contains(&word.to_lowercase()),
            "'{word}' leaked: {body}"
        );
    }
}

async fn an_unknown_path_is_404_and_a_wrong_method_405_with_allow(app: TestApp) {
    for path in [
        "/api/v1/nothing",
        "/nothing",
        "/api/v2/units",
        "/api/v1/units/KS/x",
    ] {
        let res = app.get(path).role("admin").send().await;
        let body = res.assert_problem(404, "not-found");
        assert_eq!(body["instance"], path);
    }
    let res = app.delete("/api/v1/units").role("admin").send().await;
    res.assert_problem(405, "method-not-allowed");
    assert_eq!(res.header("allow").as_deref(), Some("GET, POST"));
    let res = app
        .put("/api/v1/units/KFN")
        .role("admin")
        .json(&json!({}))
        .send()
        .await;
    res.assert_problem(405, "method-not-allowed");
    let allow = res.header("allow").unwrap();
    let mut methods: Vec<&str> = allow.split(", ").collect();
    methods.sort();
    assert_eq!(methods, ["DELETE", "GET", "PATCH"]);
    // A wrong method needs no token to be told so: nothing is revealed but the route table.
    app.post("/api/v1/countries")
        .send()
        .await
        .assert_problem(405, "method-not-allowed");
}

async fn bodies_that_are_too_large_or_not_json_are_413_and_415(app: TestApp) {
    let huge = json!({"code": "KS", "name": "x".repeat(300 * 1024), "type": "EXECUTIVE_BOARD"});
    app.post("/api/v1/units")
        .role("admin")
        .json(&huge)
        .send()
        .await
        .assert_problem(413, "payload-too-large");
    app.patch("/api/v1/units/KS")
        .role("admin")
        .if_match(1)
        .merge_patch(&huge)
        .send()
        .await
        .assert_problem(413, "payload-too-large");

    let body =
        json!({"code": "KS", "name": "Kommunstyrelsen", "type": "EXECUTIVE_BOARD"}).to_string();
    for content_type in [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
    ] {
        app.post("/api/v1/units")
            .role("admin")
            .raw(content_type, body.clone())
            .send()
            .await
            .assert_problem(415, "unsupported-media-type");
    }
    // No Content-Type at all is not JSON either.
    app.post("/api/v1/units")
        .role("admin")
        .header("X-Nothing", "1")
        .send()
        .await
        .assert_problem(415, "unsupported-media-type");
    // JSON with parameters is JSON.
    app.post("/api/v1/units")
        .role("admin")
        .raw("application/json; charset=utf-8", body)
        .send()
        .await
        .assert_status(201);
}

async fn malformed_json_and_unknown_or_read_only_fields_are_400_with_a_pointer(app: TestApp) {
    for raw in ["{\"code\": ", "{code: 'KS'}", "[1,", "{} {}", "nul"] {
        let res = app
            .post("/api/v1/units")
            .role("admin")
            .raw("application/json", raw.to_string())
            .send()
            .await;
        let body = res.assert_problem(400, "validation-failed");
        assert_eq!(body["errors"][0]["code"], "malformed-json", "{raw}: {body}");
        assert_eq!(body["errors"][0]["pointer"], "", "{raw}: {body}");
    }
    // A body that is JSON but not an object is the wrong type, not a unit given by position.
    for raw in [
        r#"["KS", "Kommunstyrelsen", null, "EXECUTIVE_BOARD", null, null, null]"#,
        "\"KS\"",
        "42",
        "null",
    ] {
        let res = app
            .post("/api/v1/units")
            .role("admin")
            .raw("application/json", raw.to_string())
            .send()
            .await;
        let body = res.assert_problem(400, "validation-failed");
        assert_eq!(body["errors"][0]["pointer"], "", "{raw}: {body}");
        assert_eq!(body["errors"][0]["code"], "invalid-type", "{raw}: {body}");
    }
    let base = json!({"code": "KS", "name": "Kommunstyrelsen", "type": "EXECUTIVE_BOARD"});
    for (field, value) in [
        ("colour", json!("red")),
        ("version", json!(3)),
        ("createdAt", json!("2026-01-01T00:00:00Z")),
        ("updatedAt", json!("2026-01-01T00:00:00Z")),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let res = app
            .post("/api/v1/units")
            .role("admin")
            .json(&body)
            .send()
            .await;
        let problem = res.assert_problem(400, "validation-failed");
        assert_eq!(
            problem["errors"][0]["pointer"],
            format!("/{field}"),
            "{problem}"
        );
        assert_eq!(problem["errors"][0]["code"], "unknown-field", "{problem}");
    }
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    // Read-only fields in a merge patch too.
    let res = app
        .patch("/api/v1/units/KS")
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"version": 9}))
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/version", "{problem}");
    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(&json!({"code": "KFN", "name": "Kulturnämnden", "type": "NAMND"}))
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/type", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "invalid-value", "{problem}");
}

async fn invalid_and_unknown_query_parameters_are_400_naming_the_parameter(app: TestApp) {
    for (query, pointer, code) in [
        ("limit=abc", "/query/limit", None),
        ("limit=0", "/query/limit", None),
        ("limit=101", "/query/limit", None),
        ("page=0", "/query/page", None),
        ("type=NAMND", "/query/type", None),
        ("stauts=ACTIVE", "/query/stauts", Some("unknown-parameter")),
    ] {
        let res = app
            .get(&format!("/api/v1/units?{query}"))
            .role("reader")
            .send()
            .await;
        let body = res.assert_problem(400, "validation-failed");
        assert_eq!(body["errors"][0]["pointer"], pointer, "{query}: {body}");
        if let Some(code) = code {
            assert_eq!(body["errors"][0]["code"], code, "{query}: {body}");
        }
    }
    for (query, pointer) in [
        ("after=x", "/query/after"),
        ("after=-1", "/query/after"),
        ("limit=0", "/query/limit"),
        ("limit=1001", "/query/limit"),
        ("entity=UNIT", "/query/entity"),
    ] {
        let res = app
            .get(&format!("/api/v1/events?{query}"))
            .role("reader")
            .send()
            .await;
        let body = res.assert_problem(400, "validation-failed");
        assert_eq!(body["errors"][0]["pointer"], pointer, "{query}: {body}");
    }
}

async fn problems_are_in_swedish_on_request_and_english_otherwise(app: TestApp) {
    let sv = app
        .get("/api/v1/units/NOPE")
        .role("reader")
        .header("Accept-Language", "sv-SE,sv;q=0.9,en;q=0.5")
        .send()
        .await;
    let body = sv.assert_problem(404, "not-found");
    assert_eq!(body["title"], "Resursen hittades inte");
    assert_eq!(body["detail"], "Det finns ingen enhet med den identiteten.");
    assert_eq!(sv.header("content-language").as_deref(), Some("sv"));

    for lang in [None, Some("en"), Some("de"), Some("sv;q=0.1, en")] {
        let mut call = app.get("/api/v1/units/NOPE").role("reader");
        if let Some(lang) = lang {
            call = call.header("Accept-Language", lang);
        }
        let res = call.send().await;
        let body = res.assert_problem(404, "not-found");
        assert_eq!(body["title"], "The resource was not found", "{lang:?}");
        assert_eq!(res.header("content-language").as_deref(), Some("en"));
    }

    // Framework errors and field errors are translated too.
    let res = app
        .delete("/api/v1/units")
        .role("admin")
        .header("Accept-Language", "sv")
        .send()
        .await;
    assert_eq!(
        res.assert_problem(405, "method-not-allowed")["title"],
        "Metoden är inte tillåten"
    );
    let res = app
        .get("/api/v1/units")
        .header("Accept-Language", "sv")
        .send()
        .await;
    assert_eq!(
        res.assert_problem(401, "unauthorized")["title"],
        "Autentisering krävs"
    );
    let res = app
        .post("/api/v1/units")
        .role("admin")
        .header("Accept-Language", "sv")
        .json(&json!({"code": "KS", "name": "Kommunstyrelsen", "type": "EXECUTIVE_BOARD", "x": 1}))
        .send()
        .await;
    let body = res.assert_problem(400, "validation-failed");
    assert_eq!(body["title"], "Begäran är inte giltig");
    assert_eq!(
        body["errors"][0]["detail"],
        "'x' är inget fält i denna begäran, eller så är det skrivskyddat."
    );
}

async fn every_response_carries_a_request_id_and_a_valid_incoming_one_is_echoed(app: TestApp) {
    let responses = [
        app.get("/api/v1/units").role("reader").send().await,
        app.get("/api/v1/units").send().await,
        app.get("/api/v1/nothing").send().await,
        app.delete("/api/v1/units").send().await,
        app.get("/health/live").send().await,
        app.get("/metrics").send().await,
        app.get("/api-info").send().await,
        app.post("/api/v1/units")
            .role("admin")
            .raw("text/plain", "x")
            .send()
            .await,
    ];
    let mut seen = std::collections::HashSet::new();
    for res in &responses {
        let id = res
            .header("x-request-id")
            .unwrap_or_else(|| panic!("no X-Request-Id on a {} response", res.status));
        assert!(!id.is_empty());
        assert!(seen.insert(id.clone()), "request id {id} given twice");
        if res.status >= 400 {
            assert_eq!(res.json()["requestId"], id.as_str(), "{}", res.text());
        }
    }

    let res = app
        .get("/api/v1/nothing")
        .header("X-Request-Id", "case-4711.retry_2")
        .send()
        .await;
    assert_eq!(
        res.header("x-request-id").as_deref(),
        Some("case-4711.retry_2")
    );
    assert_eq!(res.json()["requestId"], "case-4711.retry_2");
    // An id that could carry anything into logs is replaced, not echoed.
    for bad in ["has space", "a\tb", &"x".repeat(129), "<script>", "ä"] {
        let res = app
            .get("/api/v1/units")
            .role("reader")
            .header("X-Request-Id", bad)
            .send()
            .await;
        let id = res.header("x-request-id").unwrap();
        assert_ne!(id, bad);
        assert!(!id.is_empty());
    }
}

async fn a_w3c_traceparent_is_echoed_and_an_invalid_one_replaced(app: TestApp) {
    let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let res = app
        .get("/api/v1/units")
        .role("reader")
        .header("traceparent", valid)
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("traceparent").as_deref(), Some(valid));
    let res = app
        .get("/nothing")
        .header("traceparent", valid)
        .send()
        .await;
    assert_eq!(res.header("traceparent").as_deref(), Some(valid));

    for bad in [
        "garbage",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01",
    ] {
        let res = app
            .get("/api/v1/units")
            .role("reader")
            .header("traceparent", bad)
            .send()
            .await;
        let echoed = res.header("traceparent").unwrap();
        assert_ne!(echoed, bad);
        assert!(
            samverkan::http::middleware::valid_traceparent(&echoed),
            "{echoed}"
        );
    }
    let fresh = app.get("/api/v1/units").role("reader").send().await;
    assert!(samverkan::http::middleware::valid_traceparent(
        &fresh.header("traceparent").unwrap()
    ));
}

#[track_caller]
fn assert_unavailable(res: &TestResponse) {
    res.assert_problem(503, "service-unavailable");
    let retry: u64 = res
        .header("retry-after")
        .expect("Retry-After on 503")
        .parse()
        .expect("Retry-After in seconds");
    assert!(retry >= 1);
    assert_no_leak(res);
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A unit creation that waits on a table lock while another session calls `function`
/// (`pg_terminate_backend` or `pg_cancel_backend`) on the app's sessions.
async fn post_interrupted(app: &TestApp, body: &serde_json::Value, function: &str) -> TestResponse {
    let mut other = diesel::PgConnection::establish(&app.database.raw_url).unwrap();
    other
        .batch_execute("BEGIN; LOCK TABLE units IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    // Another session (outside the lock's transaction, whose view of pg_stat_activity is
    // frozen) waits until the request is blocked on the lock, then interrupts exactly it.
    let mut watcher = diesel::PgConnection::establish(&app.database.raw_url).unwrap();
    let blocked =
        "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let function = function.to_string();
    let interrupter = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let waiting = diesel::sql_query(format!("SELECT count(*) AS n {blocked}"))
                .get_result::<Count>(&mut watcher)
                .unwrap()
                .n;
            if waiting > 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the request never waited on the lock"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        watcher
            .batch_execute(&format!("SELECT {function}(pid) {blocked}"))
            .unwrap();
        // Let the interruption land before the lock is released.
        std::thread::sleep(Duration::from_millis(200));
        other.batch_execute("ROLLBACK").unwrap();
    });
    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(body)
        .send()
        .await;
    interrupter.join().unwrap();
    res
}

/// SQLite: another process holds the write lock longer than the busy timeout. PostgreSQL: the
/// server terminates or cancels the request's session, accepts only reads, and then is gone.
async fn an_unavailable_database_is_503_with_retry_after_and_no_database_text(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let new_unit =
        json!({"code": "KFN", "name": "Kulturnämnden", "type": "COMMITTEE", "parentCode": "KS"});
    match app.backend {
        Backend::Sqlite => {
            let samverkan::db::DatabaseUrl::Sqlite(path) = &app.database.url else {
                unreachable!()
            };
            let mut other = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
            other.batch_execute("BEGIN EXCLUSIVE").unwrap();
            let res = app
                .post("/api/v1/units")
                .role("admin")
                .json(&new_unit)
                .send()
                .await;
            assert_unavailable(&res);
            other.batch_execute("ROLLBACK").unwrap();
            app.post("/api/v1/units")
                .role("admin")
                .json(&new_unit)
                .send()
                .await
                .assert_status(201);
        }
        Backend::Postgres => {
            // The server terminates the request's session while it waits on a lock.
            let res = post_interrupted(&app, &new_unit, "pg_terminate_backend").await;
            assert_unavailable(&res);
            // The pool replaces the terminated sessions: the service recovers by itself.
            app.post("/api/v1/units")
                .role("admin")
                .json(&new_unit)
                .send()
                .await
                .assert_status(201);

            // The server cancels the statement (as an operator or a standby's recovery would).
            let other_unit = json!({"code": "SN", "name": "Sociala", "type": "COMMITTEE"});
            let res = post_interrupted(&app, &other_unit, "pg_cancel_backend").await;
            assert_unavailable(&res);
            app.post("/api/v1/units")
                .role("admin")
                .json(&other_unit)
                .send()
                .await
                .assert_status(201);

            // The database accepts only reads (a failover or maintenance): writes are 503, reads work.
            // The sessions are terminated (waiting until they are gone) so that new ones see it.
            let name = app.database.raw_url.rsplit('/').next().unwrap().to_string();
            let mut admin = diesel::PgConnection::establish(&common::postgres_admin_url()).unwrap();
            // Two statements, not one batch: a batch is one transaction, and a session the pool
            // opens between the kill and the commit would still see the old setting.
            let mut read_only = |on: bool| {
                let setting = if on {
                    "SET default_transaction_read_only = on"
                } else {
                    "RESET default_transaction_read_only"
                };
                admin
                    .batch_execute(&format!("ALTER DATABASE {name} {setting}"))
                    .unwrap();
                admin
                    .batch_execute(&format!(
                        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                         WHERE datname = '{name}'"
                    ))
                    .unwrap();
            };
            read_only(true);
            let third_unit = json!({"code": "UN", "name": "Utbildning", "type": "COMMITTEE"});
            let res = app
                .post("/api/v1/units")
                .role("admin")
                .json(&third_unit)
                .send()
                .await;
            assert_unavailable(&res);
            app.get("/api/v1/units")
                .role("reader")
                .send()
                .await
                .assert_status(200);
            read_only(false);
            app.post("/api/v1/units")
                .role("admin")
                .json(&third_unit)
                .send()
                .await
                .assert_status(201);

            // Now the database disappears altogether.
            admin
                .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .unwrap();
            assert_unavailable(&app.get("/api/v1/units").role("reader").send().await);
            assert_unavailable(
                &app.post("/api/v1/units")
                    .role("admin")
                    .json(&new_unit)
                    .send()
                    .await,
            );
            assert_unavailable(&app.get("/health/ready").send().await);
            app.get("/health/live").send().await.assert_status(200);
        }
    }
}

/// Refusals that come from the database's own constraints are worded by the service.
async fn no_response_body_contains_sql_or_a_driver_message(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let responses = [
        app.post("/api/v1/units")
            .role("admin")
            .json(&json!({"code": "KS", "name": "Igen", "type": "EXECUTIVE_BOARD"}))
            .send()
            .await,
        app.get("/api/v1/units?q=%27%3B%20DROP%20TABLE%20units%3B--")
            .role("reader")
            .send()
            .await,
        app.get("/api/v1/units/KS%27--").role("reader").send().await,
        app.get("/api/v1/units?limit=1e9")
            .role("reader")
            .send()
            .await,
        app.get("/api/v1/events?after=99999999999999999999")
            .role("reader")
            .send()
            .await,
    ];
    for res in &responses {
        assert_no_leak(res);
        assert!(res.status < 500, "{}: {}", res.status, res.text());
    }
}

both!(
    an_unknown_path_is_404_and_a_wrong_method_405_with_allow,
    bodies_that_are_too_large_or_not_json_are_413_and_415,
    malformed_json_and_unknown_or_read_only_fields_are_400_with_a_pointer,
    invalid_and_unknown_query_parameters_are_400_naming_the_parameter,
    problems_are_in_swedish_on_request_and_english_otherwise,
    every_response_carries_a_request_id_and_a_valid_incoming_one_is_echoed,
    a_w3c_traceparent_is_echoed_and_an_invalid_one_replaced,
    an_unavailable_database_is_503_with_retry_after_and_no_database_text,
    no_response_body_contains_sql_or_a_driver_message,
);

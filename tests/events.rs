//! The change log: one event per write in the write's transaction, a cursor feed, and the promise
//! that a poller sees every event exactly once, in order, with many writers and two instances,
//! also when a transaction that began writing first commits last.

mod common;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::time::Duration;

use diesel::prelude::*;
use samverkan::db::schema::events;
use samverkan::events::{Change, EntityType, EventAction, append};
use serde_json::{Value, json};

use common::held::Held;
use common::{Backend, TestApp, create_unit};

async fn feed(app: &TestApp, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/events?{query}"))
        .role("reader")
        .send()
        .await;
    res.assert_status(200);
    res.json()
}

fn ids(feed: &Value) -> Vec<i64> {
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

async fn table_ids(app: &TestApp) -> Vec<i64> {
    app.with_db(|c| Ok(events::table.order(events::id).select(events::id).load(c)?))
        .await
}

/// The change log's ids in the order the feed lists them: by the writing transaction, then by id
/// (the transaction is 0 on SQLite, where one writer at a time commits ids in order).
async fn feed_order(app: &TestApp) -> Vec<i64> {
    app.with_db(|c| {
        Ok(events::table
            .order((events::txid, events::id))
            .select(events::id)
            .load(c)?)
    })
    .await
}

/// Follows the feed from `after` until a page comes back empty, as a poller does.
async fn drain(app: &TestApp, after: &mut i64, seen: &mut Vec<i64>) {
    loop {
        let page = feed(app, &format!("after={after}&limit=2")).await;
        let page_ids = ids(&page);
        *after = page["nextAfter"].as_i64().unwrap();
        if page_ids.is_empty() {
            return;
        }
        seen.extend(page_ids);
    }
}

async fn every_write_appends_exactly_one_event_and_a_refused_write_none(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let all = feed(&app, "").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let created = &all["items"][0];
    assert_eq!(created["actor"], "admin-user");
    assert_eq!(created["entityType"], "UNIT");
    assert_eq!(created["entityId"], "KS");
    assert_eq!(created["action"], "CREATED");
    assert_eq!(created["version"], 1);
    assert_eq!(created["data"]["code"], "KS");
    assert!(created["occurredAt"].as_str().unwrap().ends_with('Z'));
    create_unit(&app, "KFN", "COMMITTEE", Some("KS")).await;

    let count = app.event_count().await;
    let refused = [
        app.post("/api/v1/units")
            .role("reader")
            .json(&json!({"code": "SN", "name": "Sociala", "type": "COMMITTEE"}))
            .send()
            .await,
        app.post("/api/v1/units")
            .role("admin")
            .json(&json!({"code": "SN", "name": "", "type": "COMMITTEE"}))
            .send()
            .await,
        app.post("/api/v1/units")
            .role("admin")
            .json(&json!({"code": "KS", "name": "Igen", "type": "COMMITTEE"}))
            .send()
            .await,
        app.post("/api/v1/units")
            .role("admin")
            .json(&json!({"code": "SN", "name": "Sociala", "type": "COMMITTEE", "parentCode": "NOPE"}))
            .send()
            .await,
        app.patch("/api/v1/units/KS")
            .role("admin")
            .merge_patch(&json!({"nameEn": "Board"}))
            .send()
            .await,
        app.patch("/api/v1/units/KS")
            .role("admin")
            .if_match(5)
            .merge_patch(&json!({"nameEn": "Board"}))
            .send()
            .await,
        app.patch("/api/v1/units/KS")
            .role("admin")
            .if_match(1)
            .merge_patch(&json!({"parentCode": "KFN"}))
            .send()
            .await,
        app.delete("/api/v1/units/KS")
            .role("admin")
            .if_match(1)
            .send()
            .await,
    ];
    for res in &refused {
        assert!(res.status >= 400, "{}: {}", res.status, res.text());
    }
    assert_eq!(
        app.event_count().await,
        count,
        "a refused write left an event"
    );

    app.patch("/api/v1/units/KFN")
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"nameEn": "Culture"}))
        .send()
        .await
        .assert_status(200);
    app.delete("/api/v1/units/KFN")
        .role("admin")
        .if_match(2)
        .send()
        .await
        .assert_status(204);
    let all = feed(&app, "").await;
    let kfn: Vec<(String, i64, bool)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entityId"] == "KFN")
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["version"].as_i64().unwrap(),
                e["data"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        kfn,
        [
            ("CREATED".to_string(), 1, false),
            ("UPDATED".to_string(), 2, false),
            ("DELETED".to_string(), 3, true)
        ]
    );
    assert_eq!(app.event_count().await, count + 2);
}

async fn the_feed_pages_by_cursor_and_names_the_next_one(app: TestApp) {
    for code in ["A1", "A2", "A3", "A4", "A5"] {
        create_unit(&app, code, "COMMITTEE", None).await;
    }
    let all = table_ids(&app).await;
    assert_eq!(all.len(), 5);

    let mut after = 0;
    let mut pages = Vec::new();
    loop {
        let page = feed(&app, &format!("after={after}&limit=2")).await;
        let page_ids = ids(&page);
        let next = page["nextAfter"].as_i64().unwrap();
        if page_ids.is_empty() {
            assert_eq!(next, after, "an empty page keeps the cursor");
            break;
        }
        assert_eq!(next, *page_ids.last().unwrap());
        assert!(page_ids.len() <= 2);
        pages.push(page_ids);
        after = next;
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(pages.concat(), all);
    // Without `after` the feed starts at the beginning; without `limit` it gives up to 100.
    assert_eq!(ids(&feed(&app, "").await), all);
    assert_eq!(
        ids(&feed(&app, &format!("after={}", all[2])).await),
        all[3..]
    );
    assert_eq!(ids(&feed(&app, "after=0&limit=1000").await), all);
}

async fn the_feed_filters_by_entity_type(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    app.with_db(|c| {
        append(
            c,
            "system",
            Change::gone(EntityType::Agreement, "0192f5d2", EventAction::Expired, 4),
        )?;
        Ok(())
    })
    .await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;

    let units = feed(&app, "entityType=UNIT").await;
    let entity_ids: Vec<&str> = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entityId"].as_str().unwrap())
        .collect();
    assert_eq!(entity_ids, ["KS", "KFN"]);
    let agreements = feed(&app, "entityType=AGREEMENT").await;
    assert_eq!(agreements["items"].as_array().unwrap().len(), 1);
    assert_eq!(agreements["items"][0]["actor"], "system");
    assert_eq!(
        agreements["nextAfter"], agreements["items"][0]["id"],
        "the cursor follows the filtered events"
    );
    assert!(
        feed(&app, "entityType=PARTNER").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn the_feed_needs_a_token_with_a_role(app: TestApp) {
    app.get("/api/v1/events")
        .send()
        .await
        .assert_problem(401, "unauthorized");
    let none = app.token_for("nobody", &[], None);
    app.get("/api/v1/events")
        .bearer(&none)
        .send()
        .await
        .assert_problem(403, "forbidden");
}

/// Many writers at once (through three app instances on PostgreSQL; SQLite serves one instance) and
/// a poller that keeps asking for `after=<last id seen>`. If a reader could move past an event
/// whose transaction had not committed yet (ids are drawn in one order and committed in another),
/// the poller would never see it.
async fn a_poller_sees_every_event_exactly_once_in_order_under_concurrent_writers(app: TestApp) {
    let others = match app.backend {
        Backend::Postgres => vec![
            TestApp::start_on(app.backend, app.database.clone()).await,
            TestApp::start_on(app.backend, app.database.clone()).await,
        ],
        Backend::Sqlite => vec![],
    };
    let instances: Vec<&TestApp> = std::iter::once(&app).chain(&others).collect();
    // A reader that passes a transaction in flight misses an event only sometimes; ten rounds make
    // it near certain.
    let rounds = 10;
    let per_round = 40;
    let mut seen: Vec<i64> = Vec::new();
    let mut after = 0;
    for round in 0..rounds {
        let done = Cell::new(false);
        let writers = async {
            let calls = (0..per_round).map(|i| {
                let instance = instances[i % instances.len()];
                // An idempotency key adds a statement between the event insert and the commit.
                instance
                    .post("/api/v1/units")
                    .role("admin")
                    .header("Idempotency-Key", &format!("k-{round}-{i}"))
                    .json(&json!({"code": format!("U{round}X{i}"), "name": "Enhet", "type": "COMMITTEE"}))
                    .send()
            });
            let results = futures_util::future::join_all(calls).await;
            done.set(true);
            results
        };
        let poller = async {
            let mut mine = Vec::new();
            loop {
                let finished = done.get();
                let page = feed(
                    instances[mine.len() % instances.len()],
                    &format!("after={after}&limit=7"),
                )
                .await;
                let page_ids = ids(&page);
                for id in &page_ids {
                    after = *id;
                    mine.push(*id);
                }
                if page_ids.is_empty() {
                    if finished {
                        break;
                    }
                    actix_web::rt::time::sleep(Duration::from_millis(1)).await;
                }
            }
            mine
        };
        let (results, mine) = futures_util::join!(writers, poller);
        for res in &results {
            res.assert_status(201);
        }
        seen.extend(mine);
    }

    let table = feed_order(&app).await;
    assert_eq!(table.len(), rounds * per_round);
    let unique: BTreeSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an event was seen twice");
    let missed: Vec<&i64> = table.iter().filter(|id| !unique.contains(id)).collect();
    assert!(missed.is_empty(), "the poller missed events {missed:?}");
    assert_eq!(
        seen, table,
        "the poller saw the events out of the feed's order"
    );
}

/// Transactions that commit in another order than they began writing, on connections of their
/// own, while a poller follows the feed. On PostgreSQL the older transaction draws the largest
/// event id and commits first, while a younger one that drew a smaller id is still in flight: a
/// reader going by id would pass the younger one's id and never list it. On SQLite (one writer
/// at a time) a transaction held open makes the app's write wait for it.
async fn a_transaction_that_commits_after_later_ones_is_listed_once(app: TestApp) {
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let (mut after, mut seen) = (0, Vec::new());
    drain(&app, &mut after, &mut seen).await;
    assert_eq!(seen.len(), 1);
    match app.backend {
        Backend::Postgres => {
            let mut older = Held::begin(&app);
            let mut younger = Held::begin(&app);
            let younger_id = younger.append("HELD-YOUNGER");
            create_unit(&app, "KFN", "COMMITTEE", None).await;
            let older_id = older.append("HELD-OLDER");
            assert!(older_id > younger_id, "the scenario draws ids out of order");
            older.commit();
            drain(&app, &mut after, &mut seen).await;
            assert_eq!(
                seen[1..],
                [older_id],
                "only the older transaction's event is final"
            );
            younger.commit();
        }
        Backend::Sqlite => {
            let mut held = Held::begin(&app);
            held.append("HELD");
            let poller = async {
                drain(&app, &mut after, &mut seen).await;
                assert_eq!(seen.len(), 1, "nothing committed yet");
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                held.commit();
            };
            futures_util::join!(create_unit(&app, "KFN", "COMMITTEE", None), poller);
        }
    }
    drain(&app, &mut after, &mut seen).await;
    let table = feed_order(&app).await;
    let written = if app.backend == Backend::Postgres {
        4
    } else {
        3
    };
    assert_eq!(table.len(), written);
    assert_eq!(seen, table, "every event exactly once, in the feed's order");
}

both!(
    every_write_appends_exactly_one_event_and_a_refused_write_none,
    the_feed_pages_by_cursor_and_names_the_next_one,
    the_feed_filters_by_entity_type,
    the_feed_needs_a_token_with_a_role,
    a_poller_sees_every_event_exactly_once_in_order_under_concurrent_writers,
    a_transaction_that_commits_after_later_ones_is_listed_once,
);

/// A write acknowledged before a read asked is in the read's answer even while an older
/// transaction is still in flight: the feed waits (briefly) for it to end rather than answer
/// without the write. PostgreSQL only: on SQLite the older transaction would hold the write back.
#[actix_web::test]
async fn a_write_acknowledged_before_the_feed_is_asked_is_listed_once_an_older_transaction_ends() {
    let app = TestApp::start(Backend::Postgres).await;
    let mut older = Held::begin(&app);
    let held = older.append("HELD");
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    let ending = async {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        older.commit();
    };
    let (page, ()) = futures_util::join!(feed(&app, "after=0"), ending);
    let listed = ids(&page);
    assert_eq!(listed.len(), 2, "{page}");
    assert_eq!(listed[0], held, "the older transaction's event comes first");
}

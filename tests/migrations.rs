//! Migrations: instances that start together on one PostgreSQL database apply the schema once
//! (under an advisory lock), and migrating an up-to-date database changes nothing.

mod common;

use std::sync::{Arc, Barrier};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use samverkan::db::{Db, PoolOptions};

use common::{Backend, TestDatabase};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The migrations committed for a backend, by directory.
fn migrations_in(dir: &str) -> usize {
    std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("up.sql").is_file())
        .count()
}

fn open(database: &TestDatabase) -> Db {
    Db::open(
        &database.url,
        &PoolOptions {
            max_size: 2,
            ..Default::default()
        },
    )
    .expect("the database opens")
}

fn recorded_pg(database: &TestDatabase) -> i64 {
    let mut conn = PgConnection::establish(&database.raw_url).unwrap();
    diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n
}

#[test]
fn four_instances_migrating_one_postgres_database_at_once_apply_the_schema_once() {
    let expected = migrations_in("migrations/postgres");
    assert!(expected >= 2);
    let database = Arc::new(TestDatabase::create(Backend::Postgres));
    let barrier = Arc::new(Barrier::new(4));
    let instances: Vec<_> = (0..4)
        .map(|_| {
            let database = database.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let db = open(&database);
                db.migrate()
            })
        })
        .collect();
    let mut applied = Vec::new();
    for instance in instances {
        let result = instance.join().expect("no instance panicked");
        applied.push(result.expect("every instance's migrate succeeds").len());
    }
    applied.sort();
    assert_eq!(
        applied,
        [0, 0, 0, expected],
        "one instance applies everything, the others nothing"
    );
    assert_eq!(recorded_pg(&database), expected as i64);

    let again = open(&database).migrate().unwrap();
    assert!(again.is_empty(), "migrate again applied {again:?}");
    assert_eq!(recorded_pg(&database), expected as i64);

    // The schema is usable: the seeded countries are there once.
    let mut conn = PgConnection::establish(&database.raw_url).unwrap();
    let countries = diesel::sql_query("SELECT count(*) AS n FROM countries WHERE code = 'SE'")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
    assert_eq!(countries, 1);
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    statement_timeout: String,
}

/// The request timeouts (a 5 s lock timeout) must not make an instance give up while another
/// instance's migrations hold the lock longer than that.
#[test]
fn an_instance_waits_for_another_instances_long_migration_and_keeps_its_request_timeouts() {
    let database = TestDatabase::create(Backend::Postgres);
    let mut holder = PgConnection::establish(&database.raw_url).unwrap();
    diesel::sql_query(format!(
        "SELECT pg_advisory_lock({})",
        samverkan::db::MIGRATION_LOCK_KEY
    ))
    .execute(&mut holder)
    .unwrap();
    let db = Db::open(
        &database.url,
        &PoolOptions {
            max_size: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let waiting = std::thread::spawn({
        let db = db.clone();
        move || db.migrate()
    });
    std::thread::sleep(std::time::Duration::from_secs(7));
    assert!(!waiting.is_finished(), "migrate did not wait for the lock");
    diesel::sql_query(format!(
        "SELECT pg_advisory_unlock({})",
        samverkan::db::MIGRATION_LOCK_KEY
    ))
    .execute(&mut holder)
    .unwrap();
    let applied = waiting
        .join()
        .unwrap()
        .expect("migrate succeeds once the lock is free");
    assert_eq!(applied.len(), migrations_in("migrations/postgres"));
    // The pooled connection that ran the migrations serves requests with their timeouts again.
    let timeout = db
        .write_blocking(|c| -> Result<_, samverkan::http::problem::ApiError> {
            Ok(diesel::sql_query("SHOW statement_timeout").get_result::<Setting>(c)?)
        })
        .unwrap();
    assert_eq!(timeout.statement_timeout, "15s");
}

#[test]
fn migrating_sqlite_twice_applies_nothing_the_second_time() {
    let expected = migrations_in("migrations/sqlite");
    let database = TestDatabase::create(Backend::Sqlite);
    let db = open(&database);
    assert_eq!(db.migrate().unwrap().len(), expected);
    assert!(db.migrate().unwrap().is_empty());
    // A second process opening the same file finds nothing to do either.
    assert!(open(&database).migrate().unwrap().is_empty());
    let samverkan::db::DatabaseUrl::Sqlite(path) = &database.url else {
        unreachable!()
    };
    let mut conn = SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    let recorded = diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
    assert_eq!(recorded, expected as i64);
}

#[test]
fn postgres_and_sqlite_have_the_same_migrations() {
    let names = |dir: &str| {
        let mut names: Vec<String> =
            std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect();
        names.sort();
        names
    };
    assert_eq!(names("migrations/postgres"), names("migrations/sqlite"));
}

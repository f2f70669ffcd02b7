//! Erased means erased (DESIGN, second edition): after a contact is created, changed and erased,
//! neither its original nor its changed name and e-mail remain in the bytes of the database
//! files, and a replay of the key that created it answers 410 `gone`, creating nothing.
//!
//! SQLite: the database file and its `-wal` (and `-shm`) file. PostgreSQL: every file of the
//! test's own database (`base/<its oid>/` under `SHOW data_directory`: its tables, their TOAST
//! tables and indexes, and its catalogs), after the sweep and a `CHECKPOINT` (so that what the
//! server holds in memory is in the files too). Each search is first shown to find the data
//! before the erasure, so that a search that could not see it cannot pass. Files that cannot be
//! read fail the test: it never skips.

mod common;
mod register;

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use samverkan::sweep;
use serde_json::json;

use common::{Backend, TestApp};
use register::{By, id, partner_by};

/// The strings that must not survive: the original and the changed name and e-mail.
struct Person {
    names: [String; 2],
    emails: [String; 2],
}

impl Person {
    fn new() -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string()[..10].to_string();
        Person {
            names: [
                format!("Ysolde Quarnström {tag}"),
                format!("Zebulon Vindqvist {tag}"),
            ],
            emails: [
                format!("ysolde.{tag}@erasure.example"),
                format!("zebulon.{tag}@erasure.example"),
            ],
        }
    }

    fn all(&self) -> impl Iterator<Item = &String> {
        self.names.iter().chain(self.emails.iter())
    }
}

/// A file's bytes; a file that exists but cannot be read fails the test.
fn read(path: &Path) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!(
            "cannot read the database file {} ({e}): this test searches the database's files and \
             must run as a user that may read them (root, or the cluster's owner)",
            path.display()
        ),
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Which of `needles` occur in which of `files`, as "needle in file" lines.
fn found_in(files: &[(String, PathBuf)], needles: &[&String]) -> Vec<String> {
    let mut found = Vec::new();
    for (label, path) in files {
        let Some(bytes) = read(path) else { continue };
        for needle in needles {
            if contains(&bytes, needle) {
                found.push(format!("{needle:?} in {label} ({})", path.display()));
            }
        }
    }
    found
}

#[derive(QueryableByName)]
struct DataDirectory {
    #[diesel(sql_type = Text)]
    data_directory: String,
}

#[derive(QueryableByName)]
struct Relation {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    path: String,
}

/// The files to search, labelled: on SQLite the database and its WAL and shared-memory files; on
/// PostgreSQL every file in the test database's own directory, labelled with its relation where
/// it is one of the tables involved (their TOAST tables and indexes included). On PostgreSQL a
/// `CHECKPOINT` first writes what the server holds in memory to the files.
fn database_files(app: &TestApp) -> Vec<(String, PathBuf)> {
    match app.backend {
        Backend::Sqlite => {
            let file = app
                .database
                .raw_url
                .strip_prefix("sqlite://")
                .expect("a sqlite:// URL")
                .to_string();
            assert!(
                Path::new(&file).exists(),
                "the SQLite file {file} is not there"
            );
            ["", "-wal", "-shm"]
                .iter()
                .map(|suffix| {
                    (
                        format!("file{suffix}"),
                        PathBuf::from(format!("{file}{suffix}")),
                    )
                })
                .collect()
        }
        Backend::Postgres => {
            let mut conn = PgConnection::establish(&app.database.raw_url).unwrap();
            conn.batch_execute("CHECKPOINT")
                .expect("CHECKPOINT (the tests' role must be a superuser or have pg_checkpoint)");
            let data = diesel::sql_query("SHOW data_directory")
                .get_result::<DataDirectory>(&mut conn)
                .map(|s| PathBuf::from(s.data_directory))
                .unwrap_or_else(|e| {
                    panic!("cannot learn the data directory (SHOW data_directory): {e}")
                });
            // The tables involved, their TOAST tables, and the indexes of both.
            let relations: Vec<Relation> = diesel::sql_query(
                "WITH t AS (SELECT oid, reltoastrelid FROM pg_class \
                   WHERE relnamespace = 'public'::regnamespace \
                     AND relname IN ('contacts', 'idempotency_keys', 'events', 'webhook_deliveries')), \
                 r AS (SELECT oid FROM t UNION SELECT reltoastrelid FROM t WHERE reltoastrelid <> 0), \
                 a AS (SELECT oid FROM r UNION SELECT indexrelid FROM pg_index \
                   WHERE indrelid IN (SELECT oid FROM r)) \
                 SELECT c.relname::text AS name, pg_relation_filepath(c.oid)::text AS path \
                 FROM pg_class c JOIN a ON a.oid = c.oid",
            )
            .load(&mut conn)
            .unwrap();
            assert!(
                relations.iter().any(|r| r.name == "contacts")
                    && relations.iter().any(|r| r.name.starts_with("pg_toast_"))
                    && relations.iter().any(|r| r.name == "contacts_pkey"),
                "the tables, TOAST tables and indexes involved: {:?}",
                relations.iter().map(|r| &r.name).collect::<Vec<_>>()
            );
            let dir = {
                let first = data.join(&relations[0].path);
                first.parent().unwrap().to_path_buf()
            };
            for r in &relations {
                let path = data.join(&r.path);
                assert_eq!(
                    path.parent(),
                    Some(dir.as_path()),
                    "{} lies outside the database's directory",
                    r.name
                );
                // An empty relation may have no file yet; one that exists must be readable.
                read(&path);
            }
            let listing = std::fs::read_dir(&dir).unwrap_or_else(|e| {
                panic!(
                    "cannot list the database's directory {} ({e}): this test must run as a user \
                     that may read the cluster's files (root, or the cluster's owner)",
                    dir.display()
                )
            });
            let mut files: Vec<(String, PathBuf)> = listing
                .map(|entry| entry.unwrap().path())
                .filter(|p| p.is_file())
                .map(|p| {
                    let file = p.file_name().unwrap().to_string_lossy().to_string();
                    let node = file
                        .split(['.', '_'])
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let label = relations
                        .iter()
                        .find(|r| r.path.rsplit('/').next() == Some(node.as_str()))
                        .map_or_else(
                            || format!("file {file}"),
                            |r| format!("{} ({file})", r.name),
                        );
                    (label, p)
                })
                .collect();
            files.sort();
            files
        }
    }
}

async fn an_erased_contact_leaves_no_byte_in_the_database_files_and_its_key_answers_gone(
    app: TestApp,
) {
    let person = Person::new();
    let partner =
        id(&partner_by(&app, By::Role("coordinator"), json!({"name": "Erasureby"})).await);
    let contacts = format!("/api/v1/partners/{partner}/contacts");
    let body = json!({
        "name": person.names[0], "email": person.emails[0], "retentionUntil": "2099-12-31"
    });
    let key = "erasure-create-1";
    let created = app
        .post(&contacts)
        .role("coordinator")
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await;
    created.assert_status(201);
    let contact = id(&created.json());
    let one = format!("{contacts}/{contact}");
    app.patch(&one)
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({"name": person.names[1], "email": person.emails[1]}))
        .send()
        .await
        .assert_status(200);

    // The search sees the data while it is there.
    let needles: Vec<&String> = person.all().collect();
    let before = found_in(&database_files(&app), &needles);
    for needle in &needles {
        assert!(
            before.iter().any(|f| f.starts_with(&format!("{needle:?}"))),
            "the search must find {needle:?} before the erasure; found only {before:#?}"
        );
    }

    app.delete(&one)
        .role("coordinator")
        .if_match(2)
        .send()
        .await
        .assert_status(204);
    if app.backend == Backend::Sqlite {
        // The DELETE's own commit was followed by the checkpoint: clean without the sweep.
        let after = found_in(&database_files(&app), &needles);
        assert!(after.is_empty(), "after the DELETE alone: {after:#?}");
    }
    // What the sweep does after an erasure: rewrite what held the data.
    let report = sweep::run(&app.state.db, "erasure-test", samverkan::policy::today())
        .await
        .unwrap();
    assert!(report.tables_rewritten, "{report:?}");

    let after = found_in(&database_files(&app), &needles);
    assert!(
        after.is_empty(),
        "erased data is still in the database files: {after:#?}"
    );

    // A replay of the creating key answers 410 gone (in both languages) and creates nothing.
    let replay = app
        .post(&contacts)
        .role("coordinator")
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await;
    replay.assert_problem(410, "gone");
    let sv = app
        .post(&contacts)
        .role("coordinator")
        .header("Idempotency-Key", key)
        .header("Accept-Language", "sv")
        .json(&body)
        .send()
        .await;
    assert!(
        sv.assert_problem(410, "gone")["detail"]
            .as_str()
            .unwrap()
            .contains("har tagits bort"),
        "{}",
        sv.text()
    );
    let list = app.get(&contacts).role("coordinator").send().await.json();
    assert_eq!(list["totalItems"], 0, "{list}");
    // The replay wrote nothing either.
    let again = found_in(&database_files(&app), &needles);
    assert!(again.is_empty(), "{again:#?}");
}

/// The sweep's erasure at the retention date does the same: no byte left, the key answers 410.
async fn a_contact_erased_at_its_retention_date_leaves_no_byte_either(app: TestApp) {
    let person = Person::new();
    let partner =
        id(&partner_by(&app, By::Role("coordinator"), json!({"name": "Gallringby"})).await);
    let contacts = format!("/api/v1/partners/{partner}/contacts");
    let body = json!({
        "name": person.names[0], "email": person.emails[0], "retentionUntil": register::in_days(1)
    });
    let key = "erasure-retention-1";
    let send = || {
        app.post(&contacts)
            .role("coordinator")
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let contact = id(&send().await.json());
    app.patch(&format!("{contacts}/{contact}"))
        .role("coordinator")
        .if_match(1)
        .merge_patch(&json!({"name": person.names[1], "email": person.emails[1]}))
        .send()
        .await
        .assert_status(200);
    let needles: Vec<&String> = person.all().collect();
    let before = found_in(&database_files(&app), &needles);
    assert!(
        before.len() >= needles.len(),
        "the search must see the data: {before:#?}"
    );

    let later = samverkan::policy::today() + chrono::Duration::days(2);
    let report = sweep::run(&app.state.db, "erasure-test", later)
        .await
        .unwrap();
    assert_eq!(
        (report.contacts_erased, report.tables_rewritten),
        (1, true),
        "{report:?}"
    );
    let after = found_in(&database_files(&app), &needles);
    assert!(
        after.is_empty(),
        "erased data is still in the database files: {after:#?}"
    );
    send().await.assert_problem(410, "gone");
    // The next sweep has nothing to rewrite.
    let again = sweep::run(&app.state.db, "erasure-test", later)
        .await
        .unwrap();
    assert!(!again.tables_rewritten, "{again:?}");
}

/// A create replayed after its resource was deleted answers 410, not the deleted resource: a
/// webhook, a partner and a unit (each `service::delete` forgets the creating key's reply).
async fn a_create_replayed_after_its_resource_was_deleted_answers_gone(app: TestApp) {
    let cases = [
        (
            "/api/v1/webhooks",
            "admin",
            json!({"url": "https://93.184.215.14/hook"}),
        ),
        (
            "/api/v1/partners",
            "coordinator",
            json!({"name": "Gonestad", "kind": "CITY", "countryCode": "NO"}),
        ),
        (
            "/api/v1/units",
            "admin",
            json!({"code": "GONE", "name": "Borttagna bolaget", "type": "COMPANY"}),
        ),
    ];
    for (path, role, body) in cases {
        let key = format!("gone-{path}");
        let send = || {
            app.post(path)
                .role(role)
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
        };
        let created = send().await;
        created.assert_status(201);
        let location = created.header("Location").unwrap();
        let url = location.trim_start_matches("https://samverkan.test");
        // Replayed while it exists: the first response.
        send().await.assert_status(201);
        app.delete(url)
            .role(role)
            .if_match(1)
            .send()
            .await
            .assert_status(204);
        send().await.assert_problem(410, "gone");
        app.get(url).role(role).send().await.assert_status(404);
    }
}

/// An agreement's creating key replays the first answer while the agreement exists, changed or
/// not, and answers 410 once the draft is deleted (the forgetting belongs to the delete, not to a
/// change).
async fn an_agreement_create_replays_until_its_draft_is_deleted(app: TestApp) {
    register::units(&app).await;
    let oslo = register::partner(&app, "Oslo", "CITY", "NO").await;
    let body = json!({
        "title": "Kunskapsutbyte", "type": "KNOWLEDGE_EXCHANGE", "unitCode": "KFN",
        "partnerIds": [oslo], "purposes": ["KNOWLEDGE_EXCHANGE"], "sdgs": [4],
        "startDate": "2026-12-01", "endDate": "2027-12-01", "caseNumber": "KS 2026-00001",
    });
    let send = || {
        app.post("/api/v1/agreements")
            .officer_of("KFN")
            .header("Idempotency-Key", "agreement-gone")
            .json(&body)
            .send()
    };
    let created = send().await;
    created.assert_status(201);
    let url = format!(
        "/api/v1/agreements/{}",
        created.json()["id"].as_str().unwrap()
    );
    app.patch(&url)
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(&json!({"title": "Kunskapsutbyte, ändrat"}))
        .send()
        .await
        .assert_status(200);
    let replayed = send().await;
    replayed.assert_status(201);
    assert_eq!(
        replayed.json(),
        created.json(),
        "the first answer, replayed"
    );
    app.delete(&url)
        .officer_of("KFN")
        .if_match(2)
        .send()
        .await
        .assert_status(204);
    send().await.assert_problem(410, "gone");
}

both!(
    an_erased_contact_leaves_no_byte_in_the_database_files_and_its_key_answers_gone,
    a_contact_erased_at_its_retention_date_leaves_no_byte_either,
    a_create_replayed_after_its_resource_was_deleted_answers_gone,
    an_agreement_create_replays_until_its_draft_is_deleted,
);

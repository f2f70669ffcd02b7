//! The command line, run as a process in an empty working directory with a clean environment.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;
use samverkan::http::auth::{JwtVerifier, Role};

use common::SECRET;

/// A fresh, empty working directory, removed afterwards.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> Self {
        let dir = std::env::temp_dir()
            .join("samverkan-cli-tests")
            .join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::create_dir_all(&dir).unwrap();
        WorkDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }

    fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite://{}", self.0.join(name).display())
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn samverkan(dir: &WorkDir, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samverkan"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    cmd
}

fn run(dir: &WorkDir, args: &[&str], env: &[(&str, &str)]) -> Output {
    samverkan(dir, args, env).output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn openapi_prints_exactly_the_committed_document() {
    let dir = WorkDir::new();
    let out = run(&dir, &["openapi"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json"))
            .unwrap();
    assert!(
        stdout(&out) == committed,
        "`samverkan openapi` differs from openapi/openapi.json; regenerate it"
    );
    assert!(dir.files().is_empty(), "openapi wrote {:?}", dir.files());
}

#[test]
fn token_prints_one_jwt_that_the_configured_secret_verifies() {
    let dir = WorkDir::new();
    let out = run(
        &dir,
        &["token", "--role", "admin", "--sub", "x"],
        &[("SAMVERKAN_JWT_SECRET", SECRET)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(text.ends_with('\n'));
    let token = text.trim_end();
    assert_eq!(token.split('.').count(), 3);
    let verifier =
        JwtVerifier::new(Some(SECRET.as_bytes()), None, "samverkan", "samverkan").unwrap();
    let principal = verifier.verify(token).expect("the token verifies");
    assert_eq!(principal.sub, "x");
    assert!(principal.is(Role::Admin));
    assert_eq!(principal.roles.len(), 1);
    // Another secret does not verify it.
    let other = JwtVerifier::new(
        Some(b"another-secret-0123456789abcdef0123"),
        None,
        "samverkan",
        "samverkan",
    )
    .unwrap();
    assert!(other.verify(token).is_err());

    let officer = run(
        &dir,
        &["token", "--role", "officer", "--unit", "KFN", "--ttl", "60"],
        &[("SAMVERKAN_JWT_SECRET", SECRET)],
    );
    let principal = verifier.verify(stdout(&officer).trim_end()).unwrap();
    assert_eq!(principal.unit.as_deref(), Some("KFN"));
    assert!(dir.files().is_empty(), "token wrote {:?}", dir.files());
}

#[test]
fn token_with_an_unknown_role_or_without_a_secret_fails() {
    let dir = WorkDir::new();
    let out = run(
        &dir,
        &["token", "--role", "superuser"],
        &[("SAMVERKAN_JWT_SECRET", SECRET)],
    );
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("superuser"), "{}", stderr(&out));

    // Only public keys configured: the service cannot sign tokens.
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwks.json");
    let out = run(
        &dir,
        &["token", "--role", "admin"],
        &[
            ("SAMVERKAN_JWT_PUBLIC_KEYS", keys.to_str().unwrap()),
            ("DATABASE_URL", &dir.sqlite_url("x.db")),
        ],
    );
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    assert!(dir.files().is_empty(), "{:?}", dir.files());
}

#[test]
fn token_never_creates_a_secret_and_names_where_one_would_come_from() {
    let dir = WorkDir::new();
    // The default database (./samverkan.db) and an explicit one: no secret exists beside either.
    for (env, file) in [
        (vec![], "samverkan.db.jwt-secret"),
        (
            vec![("DATABASE_URL", dir.sqlite_url("x.db"))],
            "x.db.jwt-secret",
        ),
    ] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = run(&dir, &["token", "--role", "admin"], &env);
        assert!(!out.status.success());
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        let message = stderr(&out);
        assert!(message.contains("SAMVERKAN_JWT_SECRET"), "{message}");
        assert!(message.contains(file), "{message}");
        assert!(dir.files().is_empty(), "token wrote {:?}", dir.files());
    }
}

#[test]
fn serve_with_a_mistyped_database_url_fails_clearly_and_creates_nothing() {
    let dir = WorkDir::new();
    let out = run(
        &dir,
        &["serve"],
        &[
            ("DATABASE_URL", "postgress://x"),
            ("SAMVERKAN_JWT_SECRET", SECRET),
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("postgress") && err.contains("not supported"),
        "{err}"
    );
    assert!(dir.files().is_empty(), "created {:?}", dir.files());
}

#[test]
fn serve_with_an_unreachable_postgres_fails_quickly_naming_the_connection() {
    let dir = WorkDir::new();
    let started = Instant::now();
    let out = run(
        &dir,
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/x"),
            ("SAMVERKAN_JWT_SECRET", SECRET),
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("cannot connect"), "{err}");
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(dir.files().is_empty(), "created {:?}", dir.files());
}

#[test]
fn serve_on_a_public_address_without_a_key_refuses_to_start() {
    let dir = WorkDir::new();
    let url = dir.sqlite_url("x.db");
    let out = run(
        &dir,
        &["serve"],
        &[("DATABASE_URL", &url), ("SAMVERKAN_BIND", "0.0.0.0:0")],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no token key configured"), "{err}");
    assert!(!err.contains("DEVELOPMENT MODE"), "{err}");
    assert!(dir.files().is_empty(), "created {:?}", dir.files());
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[test]
fn migrate_creates_the_schema_in_a_fresh_sqlite_file() {
    let dir = WorkDir::new();
    let url = dir.sqlite_url("fresh.db");
    let out = run(&dir, &["migrate"], &[("DATABASE_URL", &url)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut conn = SqliteConnection::establish(&dir.path().join("fresh.db").to_string_lossy())
        .expect("migrate created the file");
    let tables: Vec<String> =
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .load::<Name>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect();
    for table in [
        "__diesel_schema_migrations",
        "countries",
        "events",
        "idempotency_keys",
        "units",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} missing: {tables:?}"
        );
    }
    // A second run has nothing left to do.
    let again = run(&dir, &["migrate"], &[("DATABASE_URL", &url)]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 migration(s) applied"),
        "{}",
        stderr(&again)
    );
}

/// Kills the child when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn development_mode_starts_on_loopback_sqlite_and_keeps_a_private_secret() {
    let dir = WorkDir::new();
    let url = dir.sqlite_url("dev.db");
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("SAMVERKAN_BIND", "127.0.0.1:0"),
    ];
    let mut child = Running(
        samverkan(&dir, &["serve"], &env)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.0.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut log = Vec::new();
    let (mut warned, mut listening) = (false, false);
    while !(warned && listening) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                warned |= line.contains("DEVELOPMENT MODE");
                listening |= line.contains("listens on http://127.0.0.1:");
                log.push(line);
            }
            Err(_) => panic!("the service did not start in development mode: {log:#?}"),
        }
    }
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "the service exited: {log:#?}"
    );

    let secret_path = dir.path().join("dev.db.jwt-secret");
    let meta = std::fs::metadata(&secret_path).expect("the secret is kept beside the database");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let secret = std::fs::read_to_string(&secret_path).unwrap();
    assert!(secret.trim().len() >= 32);

    // `token` signs with the same development secret.
    let out = run(&dir, &["token", "--role", "reader"], &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verifier = JwtVerifier::new(
        Some(secret.trim().as_bytes()),
        None,
        "samverkan",
        "samverkan",
    )
    .unwrap();
    verifier
        .verify(stdout(&out).trim_end())
        .expect("the development token verifies");
    drop(child);
}

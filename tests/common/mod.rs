//! The test harness: a fresh database per test (a SQLite file, or a PostgreSQL database created
//! and dropped), the real application in-process, and small helpers to call it as a role.
//!
//! `both!(name)` turns `async fn name(app: TestApp)` into two tests, `name::sqlite` and
//! `name::postgres`. PostgreSQL is required: the server at `SAMVERKAN_TEST_POSTGRES` when one
//! answers there, else a private cluster this test binary starts (`pg.rs`); with neither, the test
//! fails with what to install. It never passes without having run.
#![allow(dead_code)]

pub mod contract;
pub mod held;
pub mod pg;

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::HeaderMap;
use actix_web::test as atest;
use actix_web::web::Bytes;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use futures_util::future::LocalBoxFuture;
use samverkan::app::{self, AppState};
use samverkan::config::Config;
use samverkan::db::{DatabaseUrl, Db, PoolOptions};
use samverkan::http::auth::{Claims, JwtVerifier, sign_hs256};
use serde_json::Value;

pub const SECRET: &str = "test-secret-0123456789abcdef0123456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::common::TestApp::start($crate::common::Backend::Sqlite).await).await
                }
                #[actix_web::test]
                async fn postgres() {
                    super::$name($crate::common::TestApp::start($crate::common::Backend::Postgres).await).await
                }
            }
        )+
    };
}

/// The server PostgreSQL tests create their databases on (a URL of a role that may create them).
pub fn postgres_admin_url() -> String {
    pg::server().admin_url.clone()
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    pub raw_url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres { admin: String, name: String },
}

impl TestDatabase {
    pub fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("samverkan-tests");
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(format!("{}.db", uuid::Uuid::new_v4().simple()));
                let raw_url = format!("sqlite://{}", path.display());
                TestDatabase {
                    url: DatabaseUrl::parse(&raw_url).unwrap(),
                    raw_url,
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("samverkan_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is required for the tests and is not reachable at {admin}: {e}."
                    )
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&name);
                let raw_url = url.to_string();
                TestDatabase {
                    url: DatabaseUrl::parse(&raw_url).unwrap(),
                    raw_url,
                    cleanup: Cleanup::Postgres { admin, name },
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin, name } => {
                if let Ok(mut conn) = diesel::PgConnection::establish(admin) {
                    let _ =
                        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

type BoxedService = Rc<
    dyn Service<
            actix_http::Request,
            Response = ServiceResponse<actix_web::body::BoxBody>,
            Error = actix_web::Error,
            Future = LocalBoxFuture<
                'static,
                Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error>,
            >,
        >,
>;

struct Boxed<S> {
    inner: S,
}

impl<S, B> Service<actix_http::Request> for Boxed<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<actix_web::body::BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, req: actix_http::Request) -> Self::Future {
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map(|r| r.map_into_boxed_body()) })
    }
}

/// Settings a test may change before the app starts.
#[derive(Default, Clone)]
pub struct Options {
    pub public_keys: Option<String>,
    pub hmac: bool,
    pub rate_limit_per_minute: u32,
    /// SAMVERKAN_WEBHOOK_ALLOW entries (hosts, addresses, CIDRs).
    pub webhook_allow: Vec<String>,
}

pub struct TestApp {
    pub backend: Backend,
    pub state: AppState,
    pub database: Arc<TestDatabase>,
    service: BoxedService,
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(
            backend,
            Options {
                hmac: true,
                ..Default::default()
            },
        )
        .await
    }

    pub async fn start_with(backend: Backend, options: Options) -> Self {
        let database = Arc::new(TestDatabase::create(backend));
        Self::on_database(backend, database, options).await
    }

    /// Another instance of the app on the same database (as a second server would be).
    pub async fn start_on(backend: Backend, database: Arc<TestDatabase>) -> Self {
        Self::on_database(
            backend,
            database,
            Options {
                hmac: true,
                ..Default::default()
            },
        )
        .await
    }

    /// Another instance on the same database, with its own options.
    pub async fn start_on_with(
        backend: Backend,
        database: Arc<TestDatabase>,
        options: Options,
    ) -> Self {
        Self::on_database(backend, database, options).await
    }

    /// A fresh database and the app with the token verifier `jwt` (keys from a stand-in
    /// identity provider, say) instead of the one `Options` describe.
    pub async fn start_with_verifier(backend: Backend, jwt: JwtVerifier) -> Self {
        let database = Arc::new(TestDatabase::create(backend));
        Self::with_verifier(backend, database, Options::default(), Some(jwt)).await
    }

    async fn on_database(backend: Backend, database: Arc<TestDatabase>, options: Options) -> Self {
        Self::with_verifier(backend, database, options, None).await
    }

    async fn with_verifier(
        backend: Backend,
        database: Arc<TestDatabase>,
        options: Options,
        jwt: Option<JwtVerifier>,
    ) -> Self {
        let config = test_config(&database.url, &options);
        let db = Db::open(
            &config.database_url,
            &PoolOptions {
                max_size: 6,
                ..Default::default()
            },
        )
        .expect("test database opens");
        db.migrate().expect("migrations apply");
        let jwt = jwt.unwrap_or_else(|| {
            JwtVerifier::new(
                options.hmac.then_some(SECRET.as_bytes()),
                options.public_keys.as_deref(),
                "samverkan",
                "samverkan",
            )
            .expect("test keys")
        });
        let state = AppState::new(db, config, jwt);
        let service = atest::init_service(app::build(state.clone())).await;
        TestApp {
            backend,
            state,
            database,
            service: Rc::new(Boxed { inner: service }),
        }
    }

    /// A token for `roles` (and `unit`), signed with the test secret.
    pub fn token_for(&self, sub: &str, roles: &[&str], unit: Option<&str>) -> String {
        token(sub, roles, unit, 600)
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        Call::new(self, Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        Call::new(self, Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        Call::new(self, Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> Call<'_> {
        Call::new(self, Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        Call::new(self, Method::DELETE, path)
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call::new(self, method, path)
    }
}

pub fn test_config(url: &DatabaseUrl, options: &Options) -> Config {
    Config {
        database_url: url.clone(),
        bind: "127.0.0.1:0".into(),
        public_url: "https://samverkan.test".into(),
        jwt_secret: options.hmac.then(|| SECRET.to_string()),
        jwt_public_keys: None,
        jwt_issuer: "samverkan".into(),
        jwt_audience: "samverkan".into(),
        webhook_allow: options.webhook_allow.clone(),
        rate_limit_per_minute: options.rate_limit_per_minute,
        pool_size: 6,
        identity: Default::default(),
    }
}

/// An HS256 token with the test secret.
pub fn token(sub: &str, roles: &[&str], unit: Option<&str>, ttl: i64) -> String {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    sign_hs256(
        SECRET.as_bytes(),
        &Claims {
            sub: sub.into(),
            iss: "samverkan".into(),
            aud: "samverkan".into(),
            exp: (now + ttl) as u64,
            iat: Some(now as u64),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            unit: unit.map(str::to_string),
        },
    )
    .unwrap()
}

/// One request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    uri: String,
    req: atest::TestRequest,
}

impl<'a> Call<'a> {
    fn new(app: &'a TestApp, method: Method, path: &str) -> Self {
        Call {
            app,
            req: atest::TestRequest::default()
                .method(method.clone())
                .uri(path),
            method,
            uri: path.to_string(),
        }
    }

    /// As a caller with one role (sub `<role>-user`).
    pub fn role(self, role: &str) -> Self {
        let token = self.app.token_for(&format!("{role}-user"), &[role], None);
        self.bearer(&token)
    }

    /// As an officer of `unit`.
    pub fn officer_of(self, unit: &str) -> Self {
        let token = self
            .app
            .token_for(&format!("officer-{unit}"), &["officer"], Some(unit));
        self.bearer(&token)
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self
            .req
            .insert_header((name.to_string(), value.to_string()));
        self
    }

    /// Adds a header line, keeping any of the same name (for requests with a header twice).
    pub fn append_header(mut self, name: &str, value: &str) -> Self {
        self.req = self
            .req
            .append_header((name.to_string(), value.to_string()));
        self
    }

    pub fn if_match(self, version: i64) -> Self {
        self.header("If-Match", &format!("\"{version}\""))
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.req = self
            .req
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_string());
        self
    }

    pub fn merge_patch(mut self, body: &Value) -> Self {
        self.req = self
            .req
            .insert_header(("Content-Type", "application/merge-patch+json"))
            .set_payload(body.to_string());
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.req = self
            .req
            .insert_header(("Content-Type", content_type.to_string()))
            .set_payload(body.into());
        self
    }

    pub async fn send(self) -> TestResponse {
        let res = atest::call_service(&self.app.service, self.req.to_request()).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = atest::read_body(res).await;
        // Every response any test receives is held against the committed document.
        contract::check(
            self.app.backend,
            &self.method,
            &self.uri,
            status,
            &headers,
            &body,
        );
        TestResponse {
            status,
            headers,
            body,
        }
    }
}

pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn etag(&self) -> i64 {
        let tag = self.header("etag").expect("an ETag");
        tag.trim_matches('"').parse().expect("a numeric ETag")
    }

    /// Asserts the status, with the body in the message when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }

    /// Asserts a problem document of the given status and `type` slug.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, slug: &str) -> Value {
        self.assert_status(status);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "not a problem document: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(
            body["type"],
            format!("https://samverkan.boras.se/problems/{slug}"),
            "{body}"
        );
        assert_eq!(body["status"], status, "{body}");
        assert!(
            body["title"].is_string() && body["detail"].is_string() && body["instance"].is_string(),
            "{body}"
        );
        body
    }
}

/// Creates a unit as admin and returns its JSON.
pub async fn create_unit(
    app: &TestApp,
    code: &str,
    unit_type: &str,
    parent: Option<&str>,
) -> Value {
    let res = app
        .post("/api/v1/units")
        .role("admin")
        .json(&serde_json::json!({"code": code, "name": format!("Enhet {code}"), "type": unit_type, "parentCode": parent}))
        .send()
        .await;
    res.assert_status(201);
    res.json()
}

/// Runs each named `async fn name(backend: Backend)` on SQLite and on PostgreSQL, for tests that
/// start their apps themselves (with `TestApp::start_with`, several instances, …).
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[actix_web::test]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[actix_web::test]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )+
    };
}

/// The text of a file under `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl TestApp {
    /// Runs `f` in one transaction on the app's database, to arrange or inspect state directly.
    pub async fn with_db<T, F>(&self, f: F) -> T
    where
        T: Send + 'static,
        F: FnOnce(
                &mut samverkan::db::AnyConnection,
            ) -> Result<T, samverkan::http::problem::ApiError>
            + Send
            + 'static,
    {
        self.state
            .db
            .write(f)
            .await
            .unwrap_or_else(|e| panic!("direct database access failed: {e}"))
    }

    /// How many rows the change log holds.
    pub async fn event_count(&self) -> i64 {
        use diesel::prelude::*;
        use samverkan::db::schema::events;
        self.with_db(|c| Ok(events::table.count().get_result::<i64>(c)?))
            .await
    }
}

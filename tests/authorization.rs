//! Who may call what: one table with a row per operation of the OpenAPI document and the status
//! each caller gets. The test fails when the document has an operation the table lacks, so every
//! new endpoint adds its row here.
//!
//! To add an endpoint: create what it refers to in `setup` (as a field of `Fixture`), then add a
//! `row(METHOD, "/template", |f, caller| Req::…, [none, reader, officer, coordinator,
//! board_secretary, admin])` to `rows()`. Build valid requests (bodies, ids, If-Match is filled
//! in) so that the status says what authorisation decided: 2xx where allowed, 403 where refused.
//! Where several callers may change or delete a resource, give each its own (see `doomed_unit`).

mod common;

use actix_web::http::Method;
use serde_json::{Value, json};

use common::{TestApp, create_unit};

/// The callers, in the order of the expectation columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Reader,
    /// An officer of `Fixture::unit` (KFN, below KS).
    Officer,
    Coordinator,
    BoardSecretary,
    Admin,
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Reader,
    Caller::Officer,
    Caller::Coordinator,
    Caller::BoardSecretary,
    Caller::Admin,
];

impl Caller {
    fn index(self) -> usize {
        CALLERS.iter().position(|c| *c == self).unwrap()
    }

    fn token(self, app: &TestApp, unit: &str) -> Option<String> {
        let role = match self {
            Caller::Anonymous => return None,
            Caller::Reader => "reader",
            Caller::Officer => return Some(app.token_for("officer-kfn", &["officer"], Some(unit))),
            Caller::Coordinator => "coordinator",
            Caller::BoardSecretary => "board_secretary",
            Caller::Admin => "admin",
        };
        Some(app.token_for(&format!("{role}-user"), &[role], None))
    }
}

/// The data the rows refer to, created once before the table runs.
struct Fixture {
    /// The officer's unit, below `parent_unit`.
    unit: String,
    parent_unit: String,
}

/// A unit for one caller to delete, so that an allowed delete finds it still there.
fn doomed_unit(caller: Caller) -> String {
    format!("DOOMED{}", caller.index())
}

async fn setup(app: &TestApp) -> Fixture {
    create_unit(app, "KS", "EXECUTIVE_BOARD", None).await;
    create_unit(app, "KFN", "COMMITTEE", Some("KS")).await;
    for caller in CALLERS {
        create_unit(app, &doomed_unit(caller), "COMMITTEE", None).await;
    }
    Fixture {
        unit: "KFN".into(),
        parent_unit: "KS".into(),
    }
}

/// One request of a row.
struct Req {
    method: Method,
    path: String,
    body: Option<(Value, &'static str)>,
    /// Send `If-Match` with the resource's current ETag (read from `etag_from`, or `path`).
    if_match: bool,
    etag_from: Option<String>,
}

impl Req {
    fn new(method: Method, path: impl Into<String>) -> Self {
        Req {
            method,
            path: path.into(),
            body: None,
            if_match: false,
            etag_from: None,
        }
    }

    fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    fn post(path: impl Into<String>, body: Value) -> Self {
        Self::new(Method::POST, path).json(body)
    }

    /// A merge patch, with If-Match.
    fn patch(path: impl Into<String>, body: Value) -> Self {
        let mut req = Self::new(Method::PATCH, path);
        req.body = Some((body, "application/merge-patch+json"));
        req.if_match = true;
        req
    }

    #[allow(dead_code)] // for the rows of endpoints that replace a resource
    fn put(path: impl Into<String>, body: Value) -> Self {
        let mut req = Self::new(Method::PUT, path).json(body);
        req.if_match = true;
        req
    }

    /// A delete, with If-Match.
    fn delete(path: impl Into<String>) -> Self {
        let mut req = Self::new(Method::DELETE, path);
        req.if_match = true;
        req
    }

    /// An action (`…/activate`, `…/publish`) on the resource at `resource`, with its If-Match.
    #[allow(dead_code)] // for the rows of actions (activate, publish, decision, …)
    fn action(path: impl Into<String>, resource: impl Into<String>, body: Value) -> Self {
        let mut req = Self::post(path, body);
        req.if_match = true;
        req.etag_from = Some(resource.into());
        req
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some((body, "application/json"));
        self
    }
}

type Build = fn(&Fixture, Caller) -> Req;

struct Row {
    method: &'static str,
    template: &'static str,
    build: Build,
    /// The status for each caller, in the order of `CALLERS`.
    expect: [u16; 6],
}

fn row(method: &'static str, template: &'static str, build: Build, expect: [u16; 6]) -> Row {
    Row {
        method,
        template,
        build,
        expect,
    }
}

/// Everybody, with or without a token.
const PUBLIC: [u16; 6] = [200, 200, 200, 200, 200, 200];
/// Every role reads; no token is 401.
const READ: [u16; 6] = [401, 200, 200, 200, 200, 200];

fn rows() -> Vec<Row> {
    vec![
        // What needs no token.
        row("GET", "/api-info", |_, _| Req::get("/api-info"), PUBLIC),
        row(
            "GET",
            "/api/v1/api-info",
            |_, _| Req::get("/api/v1/api-info"),
            PUBLIC,
        ),
        row(
            "GET",
            "/health/live",
            |_, _| Req::get("/health/live"),
            PUBLIC,
        ),
        row(
            "GET",
            "/health/ready",
            |_, _| Req::get("/health/ready"),
            PUBLIC,
        ),
        row("GET", "/metrics", |_, _| Req::get("/metrics"), PUBLIC),
        // The policy and countries.
        row(
            "GET",
            "/api/v1/policy",
            |_, _| Req::get("/api/v1/policy"),
            READ,
        ),
        row(
            "GET",
            "/api/v1/countries",
            |_, _| Req::get("/api/v1/countries"),
            READ,
        ),
        row(
            "GET",
            "/api/v1/countries/{code}",
            |_, _| Req::get("/api/v1/countries/SE"),
            READ,
        ),
        // Units: admin writes.
        row(
            "GET",
            "/api/v1/units",
            |_, _| Req::get("/api/v1/units"),
            READ,
        ),
        row(
            "POST",
            "/api/v1/units",
            |f, caller| {
                Req::post(
                    "/api/v1/units",
                    json!({"code": format!("NEW{}", caller.index()), "name": "Ny enhet", "type": "ADMINISTRATION", "parentCode": f.parent_unit}),
                )
            },
            [401, 403, 403, 403, 403, 201],
        ),
        row(
            "GET",
            "/api/v1/units/{code}",
            |f, _| Req::get(format!("/api/v1/units/{}", f.unit)),
            READ,
        ),
        row(
            "PATCH",
            "/api/v1/units/{code}",
            |f, _| {
                Req::patch(
                    format!("/api/v1/units/{}", f.unit),
                    json!({"nameEn": "Culture Committee"}),
                )
            },
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            "DELETE",
            "/api/v1/units/{code}",
            |_, caller| Req::delete(format!("/api/v1/units/{}", doomed_unit(caller))),
            [401, 403, 403, 403, 403, 204],
        ),
        // The change feed.
        row(
            "GET",
            "/api/v1/events",
            |_, _| Req::get("/api/v1/events"),
            READ,
        ),
    ]
}

/// The operations of the OpenAPI document, as `METHOD template`.
fn documented_operations() -> Vec<String> {
    let doc = serde_json::to_value(samverkan::app::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                operations.push(format!("{} {path}", method.to_ascii_uppercase()));
            }
        }
    }
    operations.sort();
    operations
}

/// The current ETag of `path`, read with every role (drafts included); `*` if it has none.
async fn current_etag(app: &TestApp, path: &str) -> String {
    let all = app.token_for(
        "etag-reader",
        &[
            "reader",
            "officer",
            "coordinator",
            "board_secretary",
            "admin",
        ],
        None,
    );
    app.get(path)
        .bearer(&all)
        .send()
        .await
        .header("etag")
        .unwrap_or_else(|| "*".into())
}

async fn every_documented_operation_grants_each_role_what_the_roles_table_says(app: TestApp) {
    let rows = rows();
    let mut tabled: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    tabled.sort();
    let documented = documented_operations();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|op| !tabled.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a row in tests/authorization.rs: {missing:#?}"
    );
    let stale: Vec<&String> = tabled
        .iter()
        .filter(|op| !documented.contains(op))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for undocumented operations: {stale:#?}"
    );
    let mut unique = tabled.clone();
    unique.dedup();
    assert_eq!(unique.len(), tabled.len(), "an operation has two rows");

    let fixture = setup(&app).await;
    let mut wrong = Vec::new();
    for row in &rows {
        for caller in CALLERS {
            let req = (row.build)(&fixture, caller);
            assert_eq!(req.method.as_str(), row.method, "{}", row.template);
            let mut call = app.call(req.method.clone(), &req.path);
            if let Some(token) = caller.token(&app, &fixture.unit) {
                call = call.bearer(&token);
            }
            if req.if_match {
                let tag = current_etag(&app, req.etag_from.as_deref().unwrap_or(&req.path)).await;
                call = call.header("If-Match", &tag);
            }
            if let Some((body, content_type)) = &req.body {
                call = call.raw(content_type, body.to_string());
            }
            let res = call.send().await;
            let expected = row.expect[caller.index()];
            if res.status != expected {
                wrong.push(format!(
                    "{} {} as {caller:?}: expected {expected}, got {}: {}",
                    row.method,
                    req.path,
                    res.status,
                    res.text().chars().take(300).collect::<String>()
                ));
            } else if expected == 401 || expected == 403 {
                let slug = if expected == 401 {
                    "unauthorized"
                } else {
                    "forbidden"
                };
                res.assert_problem(expected, slug);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

both!(every_documented_operation_grants_each_role_what_the_roles_table_says);

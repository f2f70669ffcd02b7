//! Strict input (DESIGN "All errors at once", second edition): refusals made before the
//! application are problem documents, tested through a real socket against the real binary; and
//! every date the service reads has a four-digit year, tested in-process on both databases.

mod common;
mod register;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{SECRET, TestApp};
use serde_json::{Value, json};

/// The service, running as a process on a loopback port of its own, stopped when dropped.
struct Service {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Service {
    fn start() -> Self {
        let dir = std::env::temp_dir()
            .join("samverkan-strict-tests")
            .join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("s.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_samverkan"))
            .arg("serve")
            .current_dir(&dir)
            .env_clear()
            .env("RUST_LOG", "info")
            .env("DATABASE_URL", &url)
            .env("SAMVERKAN_BIND", "127.0.0.1:0")
            .env("SAMVERKAN_JWT_SECRET", SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut log = Vec::new();
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("the service did not start: {log:#?}"));
            if let Some(rest) = line.split("listens on http://").nth(1) {
                let addr = rest.split_whitespace().next().unwrap();
                break addr.parse().unwrap();
            }
            log.push(line);
        };
        Service { child, addr, dir }
    }

    /// Sends `request` on a new connection and reads the answer until the service closes it.
    fn send(&self, request: &[u8]) -> Answer {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        // The service may answer (and stop reading) before the whole request is sent.
        let _ = stream.write_all(request);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        Answer::parse(&raw)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One HTTP/1.1 response as read from the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    /// The first response in `raw` (a later one, on a kept-alive connection, is `rest`).
    fn parse(raw: &[u8]) -> Answer {
        Self::parse_one(raw).0
    }

    fn parse_one(raw: &[u8]) -> (Answer, &[u8]) {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..end]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map_or(raw.len() - end - 4, |(_, v)| v.parse().unwrap());
        let body = raw[end + 4..end + 4 + length].to_vec();
        (
            Answer {
                status,
                headers,
                body,
            },
            &raw[end + 4 + length..],
        )
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a problem document with this status and `type` slug, and returns it.
    #[track_caller]
    fn problem(&self, status: u16, slug: &str) -> Value {
        let body: Value = serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            panic!(
                "{} without a JSON body: {:?} {:?}",
                self.status,
                self.headers,
                String::from_utf8_lossy(&self.body)
            )
        });
        assert_eq!(self.status, status, "{body}");
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{body}"
        );
        assert_eq!(
            body["type"],
            format!("https://samverkan.boras.se/problems/{slug}"),
            "{body}"
        );
        assert_eq!(body["status"], status, "{body}");
        for field in ["title", "detail", "requestId"] {
            assert!(
                body[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field}: {body}"
            );
        }
        body
    }
}

fn get(target: &str, headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n")
        .into_bytes()
}

#[test]
fn refusals_before_the_application_are_problem_documents_over_a_real_socket() {
    let service = Service::start();

    // A 100 kB token: 431, answered by the service's own limit (16 KiB), not actix-http's.
    let token = "a".repeat(100_000);
    let answer = service.send(&get(
        "/api/v1/partners",
        &format!("Authorization: Bearer {token}\r\n"),
    ));
    answer.problem(431, "header-fields-too-large");
    assert_eq!(answer.header("connection"), Some("close"));

    // Too many header fields (actix-http takes 96; the service 64).
    let many: String = (0..80).map(|i| format!("X-F{i}: v\r\n")).collect();
    service
        .send(&get("/api/v1/partners", &many))
        .problem(431, "header-fields-too-large");

    // A 20 kB request target: 414.
    let long = format!("/api/v1/partners?q={}", "b".repeat(20_000));
    service.send(&get(&long, "")).problem(414, "uri-too-long");

    // A malformed request line, and a header field that is not one: 400.
    for request in [
        &b"GET /api/v1/partners HTTP/1.1 extra\r\nHost: x\r\n\r\n"[..],
        b"HELLO\r\n\r\n",
        b"GET /api/v1/partners HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /api/v1/partners HTTP/1.1\r\nno colon here\r\n\r\n",
    ] {
        service.send(request).problem(400, "malformed-request");
    }

    // A query or path that is not UTF-8 once decoded: 400 at its pointer, never replaced.
    let auth = format!(
        "Authorization: Bearer {}\r\n",
        common::token("r", &["reader"], None, 600)
    );
    let body = service
        .send(&get("/api/v1/partners?q=%FF%FE", &auth))
        .problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/query/q", "{body}");
    assert_eq!(body["errors"][0]["code"], "invalid-encoding", "{body}");
    let body = service
        .send(&get("/api/v1/partners/%FF", &auth))
        .problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/path/id", "{body}");

    // Unknown path and wrong method.
    service
        .send(&get("/no/such/path", ""))
        .problem(404, "not-found");
    let answer = service.send(
        b"PUT /api/v1/partners HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    answer.problem(405, "method-not-allowed");
    assert!(answer.header("allow").is_some());

    // A body over the limit (256 KiB).
    let admin = common::token("a", &["admin"], None, 600);
    let big = vec![b' '; 300 * 1024];
    let mut request = format!(
        "POST /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nIdempotency-Key: 5d1d9c2e-0000-4000-8000-000000000001\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        big.len()
    )
    .into_bytes();
    request.extend_from_slice(&big);
    service.send(&request).problem(413, "payload-too-large");

    // Swedish where the head says so and was read whole.
    let answer = service.send(&get(
        "/api/v1/partners",
        &format!("Accept-Language: sv\r\nX-Big: {}\r\n", "c".repeat(20_000)),
    ));
    answer.problem(431, "header-fields-too-large");
    assert_eq!(answer.header("content-language"), Some("sv"));

    // And a good request still passes the screen, body and all.
    let answer = service.send(&get("/api/v1/partners?q=%C3%A5", &auth));
    assert_eq!(
        answer.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&answer.body)
    );
}

#[test]
fn a_kept_alive_connection_is_held_to_the_same_limits_after_its_first_request() {
    let service = Service::start();
    let mut stream = TcpStream::connect(service.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // The screen passes the first request; the middleware holds the second to the same limits.
    let mut requests = b"GET /api/v1/api-info HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    requests.extend(get(&format!("/api/v1/{}", "d".repeat(9_000)), ""));
    stream.write_all(&requests).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let (first, rest) = Answer::parse_one(&raw);
    assert_eq!(
        first.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&first.body)
    );
    Answer::parse(rest).problem(414, "uri-too-long");

    let mut stream = TcpStream::connect(service.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut requests = b"GET /api/v1/api-info HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    requests.extend(get(
        "/api/v1/api-info",
        &format!("X-Big: {}\r\n", "e".repeat(20_000)),
    ));
    stream.write_all(&requests).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let (first, rest) = Answer::parse_one(&raw);
    assert_eq!(first.status, 200);
    Answer::parse(rest).problem(431, "header-fields-too-large");
}

// In-process: dates.

/// The `(pointer, code)` items of a 400.
fn items(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn a_date_with_more_than_four_year_digits_is_refused_in_a_body_a_patch_and_a_query(
    app: TestApp,
) {
    register::units(&app).await;
    let before = app.event_count().await;
    for (from, until) in [
        ("+12025-01-01", "12025-01-01"),
        ("2025-1-01", "-2025-01-01"),
    ] {
        let res = app
            .post("/api/v1/units")
            .role("admin")
            .header("Idempotency-Key", &uuid::Uuid::new_v4().to_string())
            .json(&json!({
                "code": "NY", "name": "Ny", "type": "COMMITTEE",
                "validFrom": from, "validUntil": until
            }))
            .send()
            .await;
        let problem = res.assert_problem(400, "validation-failed");
        let mut got = items(&problem);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("/validFrom".to_string(), "invalid-value".to_string()),
                ("/validUntil".to_string(), "invalid-value".to_string()),
            ],
            "{problem}"
        );
        assert!(
            problem["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("YYYY-MM-DD"),
            "{problem}"
        );
    }

    // A merge patch is read by the same parser.
    let unit = app.get("/api/v1/units/KS").role("admin").send().await;
    let version = unit.etag();
    let res = app
        .patch("/api/v1/units/KS")
        .role("admin")
        .if_match(version)
        .merge_patch(&json!({"validFrom": "+12025-01-01"}))
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(
        items(&problem),
        vec![("/validFrom".to_string(), "invalid-value".to_string())]
    );

    // Query parameters: `+` is a space in a query, so the plus sign is sent encoded.
    for (target, pointer) in [
        ("/api/v1/reports/summary?date=%2B12025-01-01", "/query/date"),
        ("/api/v1/reports/compliance?from=12025-01-01", "/query/from"),
        (
            "/api/v1/agreements?updatedSince=%2B12025-01-01T00:00:00Z",
            "/query/updatedSince",
        ),
    ] {
        let res = app.get(target).role("admin").send().await;
        let problem = res.assert_problem(400, "validation-failed");
        assert_eq!(
            items(&problem),
            vec![(pointer.to_string(), "invalid-value".to_string())],
            "{target}: {problem}"
        );
    }
    assert_eq!(app.event_count().await, before);

    // A four-digit year is still a date.
    let res = app
        .get("/api/v1/reports/summary?date=2026-06-30")
        .role("admin")
        .send()
        .await;
    res.assert_status(200);
}

/// Every date field the document declares (a `format: date` or `date-time` property of a request
/// body, or a query parameter) refuses a five-digit year at its pointer: a new date field read
/// some other way fails here.
async fn every_documented_date_field_refuses_a_five_digit_year(app: TestApp) {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    let schemas = doc["components"]["schemas"].clone();
    fn resolve_in(schemas: &Value, s: &Value) -> Value {
        let mut s = s;
        while let Some(r) = s["$ref"].as_str() {
            s = &schemas[r.rsplit('/').next().unwrap()];
        }
        s.clone()
    }
    let resolve = |s: &Value| resolve_in(&schemas, s);
    fn date_format(s: &Value, resolve: &dyn Fn(&Value) -> Value) -> Option<String> {
        let s = resolve(s);
        if let Some(f) = s["format"].as_str().filter(|f| f.starts_with("date")) {
            return Some(f.to_string());
        }
        ["oneOf", "anyOf", "allOf"]
            .iter()
            .filter_map(|k| s[*k].as_array())
            .flatten()
            .find_map(|a| date_format(a, resolve))
    }
    let bad = |format: &str| {
        if format == "date" {
            "+12025-01-01"
        } else {
            "+12025-01-01T00:00:00Z"
        }
    };
    let fill = |path: &str| {
        path.split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "00000000-0000-4000-8000-000000000000"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for param in op["parameters"].as_array().into_iter().flatten() {
                let Some(format) = date_format(&param["schema"], &resolve) else {
                    continue;
                };
                if param["in"] != "query" || method != "get" {
                    continue;
                }
                let name = param["name"].as_str().unwrap();
                let target = format!("{}?{name}={}", fill(path), bad(&format).replace('+', "%2B"));
                let res = app.get(&target).role("admin").send().await;
                let problem = res.assert_problem(400, "validation-failed");
                assert!(
                    items(&problem).contains(&(format!("/query/{name}"), "invalid-value".into())),
                    "{target}: {problem}"
                );
                checked += 1;
            }
            // Bodies of creations and actions (a merge patch needs a resource: the test above).
            if method != "post" {
                continue;
            }
            let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| resolve(&Value::Object(s.clone())))
            else {
                continue;
            };
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                let Some(format) = date_format(property, &resolve) else {
                    continue;
                };
                let res = app
                    .post(&fill(path))
                    .role("admin")
                    .header("Idempotency-Key", &uuid::Uuid::new_v4().to_string())
                    .json(&json!({ name: bad(&format) }))
                    .send()
                    .await;
                let problem = res.assert_problem(400, "validation-failed");
                assert!(
                    items(&problem).contains(&(format!("/{name}"), "invalid-value".into())),
                    "{method} {path} {name}: {problem}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 15, "only {checked} date fields found");
}

both!(
    a_date_with_more_than_four_year_digits_is_refused_in_a_body_a_patch_and_a_query,
    every_documented_date_field_refuses_a_five_digit_year,
);

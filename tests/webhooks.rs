//! Webhooks: signed per Standard Webhooks, filtered, retried with backoff up to a cap, redelivered
//! on request, never following redirects, bounded by a timeout, refused for private targets unless
//! listed, and sent once by one of several instances, also for transactions that commit in another
//! order than they began writing. A local receiver on 127.0.0.1 (allow-listed
//! in these tests) records what arrives; the worker is driven with `run_once` and a clock.

mod common;
mod register;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use samverkan::webhooks::target::AllowList;
use samverkan::webhooks::worker::{Deliverer, DeliveryOptions};
use serde_json::{Value, json};
use sha2::Sha256;

use common::held::Held;
use common::{Backend, Options, TestApp, create_unit};

/// What the receiver answers.
#[derive(Clone, Debug)]
enum Answer {
    Status(u16),
    Redirect(String),
    /// Accept the request and say nothing for this long.
    Hang(StdDuration),
}

#[derive(Clone, Debug)]
struct Hit {
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Hit {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 that records requests and answers from a script (then
/// with `fallback`).
struct Receiver {
    port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    fallback: Arc<Mutex<Answer>>,
}

impl Receiver {
    fn start(fallback: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let fallback = Arc::new(Mutex::new(fallback));
        let (h, s, f) = (hits.clone(), script.clone(), fallback.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (h, s, f) = (h.clone(), s.clone(), f.clone());
                std::thread::spawn(move || serve(stream, &h, &s, &f));
            }
        });
        Receiver {
            port,
            hits,
            script,
            fallback,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn then(&self, answers: &[Answer]) {
        self.script.lock().unwrap().extend(answers.iter().cloned());
    }

    fn answer_from_now(&self, answer: Answer) {
        *self.fallback.lock().unwrap() = answer;
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
}

fn serve(
    mut stream: TcpStream,
    hits: &Mutex<Vec<Hit>>,
    script: &Mutex<VecDeque<Answer>>,
    fallback: &Mutex<Answer>,
) {
    stream
        .set_read_timeout(Some(StdDuration::from_secs(5)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("")
        .to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    hits.lock().unwrap().push(Hit {
        path,
        headers,
        body,
    });
    let answer = script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| fallback.lock().unwrap().clone());
    let response = match answer {
        Answer::Status(code) => {
            format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        Answer::Redirect(to) => format!(
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Answer::Hang(d) => {
            std::thread::sleep(d);
            return;
        }
    };
    let _ = stream.write_all(response.as_bytes());
}

fn local_options() -> Options {
    Options {
        hmac: true,
        webhook_allow: vec!["127.0.0.1/32".into()],
        ..Default::default()
    }
}

async fn start(backend: Backend) -> TestApp {
    TestApp::start_with(backend, local_options()).await
}

fn fast() -> DeliveryOptions {
    DeliveryOptions {
        timeout: StdDuration::from_secs(2),
        ..Default::default()
    }
}

fn deliverer(app: &TestApp, allow: &[&str], options: DeliveryOptions) -> Deliverer {
    let allow = AllowList::parse(&allow.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    Deliverer::new(app.state.db.clone(), allow, options).unwrap()
}

fn now() -> chrono::NaiveDateTime {
    samverkan::db::now()
}

/// Creates a subscription as admin; returns (id, secret).
async fn subscribe(app: &TestApp, url: &str, event_types: Value) -> (String, String) {
    let body = json!({"url": url, "eventTypes": event_types, "description": "Ärendesystemet"});
    register::webhook(app, body).await
}

async fn deliveries(app: &TestApp, webhook: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/webhooks/{webhook}/deliveries?limit=100"))
        .role("admin")
        .send()
        .await;
    res.assert_status(200);
    res.json()["items"].as_array().unwrap().clone()
}

/// The signature per Standard Webhooks, computed here independently of the service.
fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

async fn deliveries_are_signed_per_standard_webhooks_and_carry_the_event_as_the_feed_serves_it(
    backend: Backend,
) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(204));
    let (id, secret) = subscribe(&app, &receiver.url("/hook"), json!([])).await;
    assert!(secret.starts_with("whsec_"));
    create_unit(&app, "KFN", "COMMITTEE", None).await;

    let report = deliverer(&app, &["127.0.0.1/32"], fast())
        .run_once(now())
        .await
        .unwrap();
    assert_eq!((report.dispatched, report.delivered), (1, 1), "{report:?}");
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.path, "/hook");
    assert_eq!(hit.header("content-type"), Some("application/json"));
    let msg_id = hit.header("webhook-id").unwrap();
    let timestamp = hit.header("webhook-timestamp").unwrap();
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!(
        (0..60).contains(&age),
        "timestamp {timestamp} is {age} s old"
    );
    assert_eq!(
        hit.header("webhook-signature").unwrap(),
        expected_signature(&secret, msg_id, timestamp, &hit.body)
    );

    // The body is the event exactly as a reader reads it from the feed.
    let sent: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(sent["entityType"], "UNIT");
    assert_eq!(sent["action"], "CREATED");
    let feed = app.get("/api/v1/events").role("reader").send().await.json();
    let same = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == sent["id"])
        .unwrap();
    assert_eq!(&sent, same);

    let listed = deliveries(&app, &id).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], msg_id);
    assert_eq!(listed[0]["status"], "DELIVERED");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["lastResponseCode"], 204);
    assert_eq!(listed[0]["eventType"], "UNIT.CREATED");

    // The secret is shown once: never in reads, lists or the change feed.
    for path in [
        format!("/api/v1/webhooks/{id}"),
        "/api/v1/webhooks".to_string(),
        "/api/v1/events?limit=1000".to_string(),
        format!("/api/v1/webhooks/{id}/deliveries"),
    ] {
        let text = app.get(&path).role("admin").send().await.text();
        assert!(!text.contains(&secret), "{path} shows the secret");
        assert!(!text.contains("whsec_"), "{path} shows a secret");
    }
    // A second round sends nothing again.
    let again = deliverer(&app, &["127.0.0.1/32"], fast())
        .run_once(now())
        .await
        .unwrap();
    assert_eq!(again.attempted, 0);
    assert_eq!(receiver.hits().len(), 1);
}

async fn filters_select_entity_types_and_single_events(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(200));
    let (updates_only, _) =
        subscribe(&app, &receiver.url("/updates"), json!(["UNIT.UPDATED"])).await;
    let (units, _) = subscribe(&app, &receiver.url("/units"), json!(["UNIT"])).await;
    let (partners, _) = subscribe(&app, &receiver.url("/partners"), json!(["PARTNER"])).await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    app.patch("/api/v1/units/KFN")
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"nameEn": "Culture"}))
        .send()
        .await
        .assert_status(200);
    deliverer(&app, &["127.0.0.1/32"], fast())
        .run_once(now())
        .await
        .unwrap();
    let types = |list: Vec<Value>| -> Vec<String> {
        let mut t: Vec<String> = list
            .iter()
            .map(|d| d["eventType"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        types(deliveries(&app, &updates_only).await),
        ["UNIT.UPDATED"]
    );
    assert_eq!(
        types(deliveries(&app, &units).await),
        ["UNIT.CREATED", "UNIT.UPDATED"]
    );
    assert!(deliveries(&app, &partners).await.is_empty());
    let mut paths: Vec<String> = receiver.hits().into_iter().map(|h| h.path).collect();
    paths.sort();
    assert_eq!(paths, ["/units", "/units", "/updates"]);

    // Filters are entity types or ENTITY.ACTION names, nothing else.
    let res = app
        .post("/api/v1/webhooks")
        .role("admin")
        .json(&json!({"url": receiver.url("/x"), "eventTypes": ["UNIT", "unit.created"]}))
        .send()
        .await;
    let body = res.assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/eventTypes/1");
}

async fn a_failed_attempt_is_retried_with_backoff_and_then_succeeds(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(200));
    receiver.then(&[Answer::Status(500)]);
    let (id, _) = subscribe(&app, &receiver.url("/hook"), json!([])).await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    let worker = deliverer(&app, &["127.0.0.1/32"], fast());
    let t0 = now();

    worker.run_once(t0).await.unwrap();
    let first = deliveries(&app, &id).await.remove(0);
    assert_eq!(first["status"], "PENDING");
    assert_eq!(first["attempts"], 1);
    assert_eq!(first["lastResponseCode"], 500);
    let next: chrono::DateTime<chrono::Utc> =
        first["nextAttemptAt"].as_str().unwrap().parse().unwrap();
    let wait = next.naive_utc() - t0;
    assert!(
        wait >= Duration::seconds(10) && wait < Duration::seconds(15),
        "first backoff {wait}"
    );

    // Not due yet: nothing is sent.
    assert_eq!(worker.run_once(t0).await.unwrap().attempted, 0);
    assert_eq!(receiver.hits().len(), 1);

    worker.run_once(t0 + Duration::seconds(16)).await.unwrap();
    let done = deliveries(&app, &id).await.remove(0);
    assert_eq!(done["status"], "DELIVERED");
    assert_eq!(done["attempts"], 2);
    assert_eq!(done["lastResponseCode"], 200);
    let hits = receiver.hits();
    assert_eq!(hits.len(), 2);
    // The same message id on every attempt, so the receiver can recognise a repeat.
    assert_eq!(hits[0].header("webhook-id"), hits[1].header("webhook-id"));
}

async fn a_delivery_fails_after_the_cap_and_is_sent_again_on_request(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(503));
    let (id, _) = subscribe(&app, &receiver.url("/hook"), json!([])).await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    let worker = deliverer(
        &app,
        &["127.0.0.1/32"],
        DeliveryOptions {
            max_attempts: 3,
            ..fast()
        },
    );
    let mut clock = now();
    for _ in 0..5 {
        worker.run_once(clock).await.unwrap();
        clock += Duration::hours(2);
    }
    assert_eq!(receiver.hits().len(), 3, "three attempts, then no more");
    let failed = deliveries(&app, &id).await.remove(0);
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["attempts"], 3);
    assert_eq!(failed["lastResponseCode"], 503);
    assert!(failed["nextAttemptAt"].is_null());
    let listed = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries?status=FAILED"))
        .role("admin")
        .send()
        .await
        .json();
    assert_eq!(listed["totalItems"], 1);
    let delivered = app
        .get(&format!(
            "/api/v1/webhooks/{id}/deliveries?status=DELIVERED"
        ))
        .role("admin")
        .send()
        .await
        .json();
    assert_eq!(delivered["totalItems"], 0);

    let delivery = failed["id"].as_str().unwrap();
    let redeliver = format!("/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver");
    let res = app
        .post(&redeliver)
        .role("admin")
        .header("Idempotency-Key", "again-1")
        .send()
        .await;
    res.assert_status(202);
    assert_eq!(res.json()["status"], "PENDING");
    assert_eq!(res.json()["attempts"], 0);
    // A retried request replays; a pending delivery cannot be queued twice.
    let replay = app
        .post(&redeliver)
        .role("admin")
        .header("Idempotency-Key", "again-1")
        .send()
        .await;
    replay.assert_status(202);
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    app.post(&redeliver)
        .role("admin")
        .send()
        .await
        .assert_problem(409, "conflict");

    receiver.answer_from_now(Answer::Status(200));
    worker.run_once(now()).await.unwrap();
    let done = deliveries(&app, &id).await.remove(0);
    assert_eq!(done["status"], "DELIVERED");
    assert_eq!(done["attempts"], 1);
    let hits = receiver.hits();
    assert_eq!(hits.len(), 4);
    assert_eq!(hits[3].header("webhook-id"), Some(delivery));

    // Others may not redeliver; unknown deliveries are 404.
    app.post(&redeliver)
        .role("coordinator")
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.post(&format!(
        "/api/v1/webhooks/{id}/deliveries/{}/redeliver",
        uuid::Uuid::new_v4()
    ))
    .role("admin")
    .send()
    .await
    .assert_problem(404, "not-found");
}

async fn redirects_are_not_followed(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(200));
    receiver.then(&[Answer::Redirect(receiver.url("/elsewhere"))]);
    let (id, _) = subscribe(&app, &receiver.url("/hook"), json!([])).await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    deliverer(&app, &["127.0.0.1/32"], fast())
        .run_once(now())
        .await
        .unwrap();
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1, "the redirect was followed: {hits:?}");
    assert_eq!(hits[0].path, "/hook");
    let d = deliveries(&app, &id).await.remove(0);
    assert_eq!(d["status"], "PENDING");
    assert_eq!(d["lastResponseCode"], 302);
    assert!(d["lastError"].as_str().unwrap().contains("redirect"), "{d}");
}

async fn a_slow_target_times_out_without_holding_up_the_others(backend: Backend) {
    let app = start(backend).await;
    let slow = Receiver::start(Answer::Hang(StdDuration::from_secs(8)));
    let quick = Receiver::start(Answer::Status(200));
    let (slow_id, _) = subscribe(&app, &slow.url("/slow"), json!([])).await;
    let (quick_id, _) = subscribe(&app, &quick.url("/quick"), json!([])).await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    let worker = deliverer(
        &app,
        &["127.0.0.1/32"],
        DeliveryOptions {
            timeout: StdDuration::from_secs(1),
            ..Default::default()
        },
    );
    let started = Instant::now();
    worker.run_once(now()).await.unwrap();
    assert!(
        started.elapsed() < StdDuration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(deliveries(&app, &quick_id).await[0]["status"], "DELIVERED");
    let stalled = deliveries(&app, &slow_id).await.remove(0);
    assert_eq!(stalled["status"], "PENDING");
    assert!(stalled["lastResponseCode"].is_null());
    assert!(
        stalled["lastError"].as_str().unwrap().contains("no answer"),
        "{stalled}"
    );
}

async fn private_and_loopback_targets_are_refused_unless_listed(backend: Backend) {
    let app = TestApp::start(backend).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.0.0.7/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://localhost/hook",
        "http://93.184.215.14/hook",
        "ftp://93.184.215.14/hook",
        "https://user:pw@93.184.215.14/hook",
        "not a url",
    ] {
        let res = app
            .post("/api/v1/webhooks")
            .role("admin")
            .json(&json!({"url": url}))
            .send()
            .await;
        let body = res.assert_problem(400, "validation-failed");
        assert_eq!(body["errors"][0]["pointer"], "/url", "{url}: {body}");
    }
    // HTTPS on a public address is fine (nothing is sent here).
    app.post("/api/v1/webhooks")
        .role("admin")
        .json(&json!({"url": "https://93.184.215.14/hook"}))
        .send()
        .await
        .assert_status(201);
}

async fn delivery_checks_the_resolved_address_again(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(200));
    let (id, _) = subscribe(&app, &receiver.url("/hook"), json!([])).await;
    let (named, _) = subscribe(&app, &receiver.url("/named"), json!([])).await;
    // As if DNS now pointed the name at loopback: the name is resolved and refused at delivery.
    let url = format!("https://localhost:{}/named", receiver.port);
    let key = named.clone();
    app.with_db(move |c| {
        use diesel::prelude::*;
        use samverkan::db::schema::webhooks;
        diesel::update(webhooks::table.find(key))
            .set(webhooks::url.eq(url))
            .execute(c)?;
        Ok(())
    })
    .await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    // This instance lists nothing: loopback is refused before anything is sent.
    deliverer(&app, &[], fast()).run_once(now()).await.unwrap();
    assert!(receiver.hits().is_empty(), "{:?}", receiver.hits());
    for d in [
        deliveries(&app, &id).await.remove(0),
        deliveries(&app, &named).await.remove(0),
    ] {
        assert_eq!(d["status"], "PENDING");
        assert!(
            d["lastError"]
                .as_str()
                .unwrap()
                .contains("SAMVERKAN_WEBHOOK_ALLOW"),
            "{d}"
        );
    }
}

async fn an_expired_lease_is_retried_after_a_crash(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(200));
    let (id, _) = subscribe(&app, &receiver.url("/hook"), json!([])).await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    let worker = deliverer(&app, &["127.0.0.1/32"], fast());
    let t0 = now();
    worker.dispatch(t0).await.unwrap();
    // A worker claims the delivery and dies before sending it.
    let claimed = app
        .with_db(move |c| samverkan::webhooks::store::claim(c, t0, Duration::seconds(60), 10))
        .await;
    assert_eq!(claimed.len(), 1);
    // While the lease holds nobody else sends it …
    assert_eq!(worker.run_once(t0).await.unwrap().attempted, 0);
    assert!(receiver.hits().is_empty());
    // … and after it has run out the delivery is retried, not lost.
    let report = worker.run_once(t0 + Duration::seconds(61)).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(receiver.hits().len(), 1);
    let d = deliveries(&app, &id).await.remove(0);
    assert_eq!(d["status"], "DELIVERED");
    assert_eq!(d["attempts"], 2);
}

async fn subscriptions_are_managed_by_admins_with_versions(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(200));
    let (id, _) = subscribe(&app, &receiver.url("/hook"), json!(["AGREEMENT"])).await;
    let path = format!("/api/v1/webhooks/{id}");
    let read = app.get(&path).role("admin").send().await;
    read.assert_status(200);
    assert_eq!(read.etag(), 1);
    assert_eq!(read.json()["eventTypes"], json!(["AGREEMENT"]));
    assert!(read.json().get("secret").is_none());
    app.get(&path)
        .role("reader")
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.patch(&path)
        .role("admin")
        .merge_patch(&json!({"active": false}))
        .send()
        .await
        .assert_problem(428, "precondition-required");
    app.patch(&path)
        .role("admin")
        .if_match(7)
        .merge_patch(&json!({"active": false}))
        .send()
        .await
        .assert_problem(412, "version-mismatch");
    app.patch(&path)
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"secret": "whsec_x"}))
        .send()
        .await
        .assert_problem(400, "validation-failed");
    app.patch(&path)
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"url": "https://127.0.0.2/x"}))
        .send()
        .await
        .assert_problem(400, "validation-failed");
    let paused = app
        .patch(&path)
        .role("admin")
        .if_match(1)
        .merge_patch(&json!({"active": false, "eventTypes": null}))
        .send()
        .await;
    paused.assert_status(200);
    assert_eq!(paused.json()["active"], false);
    assert_eq!(paused.json()["eventTypes"], json!([]));
    assert_eq!(paused.etag(), 2);

    // Nothing of what happens while paused is sent, not even after switching on again.
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    let worker = deliverer(&app, &["127.0.0.1/32"], fast());
    worker.run_once(now()).await.unwrap();
    app.patch(&path)
        .role("admin")
        .if_match(2)
        .merge_patch(&json!({"active": true}))
        .send()
        .await
        .assert_status(200);
    worker.run_once(now()).await.unwrap();
    assert!(receiver.hits().is_empty());
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    worker.run_once(now()).await.unwrap();
    assert_eq!(receiver.hits().len(), 1);

    // Webhook events in the feed carry ids only, and are listed to admins only (who alone may
    // read subscriptions).
    let hidden = app
        .get("/api/v1/events?entityType=WEBHOOK")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(hidden["items"], json!([]));
    let feed = app
        .get("/api/v1/events?entityType=WEBHOOK")
        .role("admin")
        .send()
        .await
        .json();
    let actions: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["data"].is_null(), "{e}");
            e["action"].as_str().unwrap()
        })
        .collect();
    assert_eq!(actions, ["CREATED", "UPDATED", "UPDATED"]);

    app.delete(&path)
        .role("admin")
        .if_match(3)
        .send()
        .await
        .assert_status(204);
    app.get(&path)
        .role("admin")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.get(&format!("{path}/deliveries"))
        .role("admin")
        .send()
        .await
        .assert_problem(404, "not-found");
    let list = app
        .get("/api/v1/webhooks")
        .role("admin")
        .send()
        .await
        .json();
    assert_eq!(list["totalItems"], 0);
}

/// The secret is shown once: a replay of the creating request answers the same subscription
/// without it. A rotation issues a new one, shown once too; for 24 hours deliveries carry both
/// signatures (space-separated), so a receiver holding either secret verifies them.
async fn a_secret_is_shown_once_and_rotates_with_a_day_of_double_signatures(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(204));
    let body = json!({"url": receiver.url("/hook"), "eventTypes": ["UNIT"]});
    let first = app
        .post("/api/v1/webhooks")
        .role("admin")
        .header("Idempotency-Key", "create-hook-1")
        .json(&body)
        .send()
        .await;
    first.assert_status(201);
    let created = first.json();
    let old = created["secret"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    let replay = app
        .post("/api/v1/webhooks")
        .role("admin")
        .header("Idempotency-Key", "create-hook-1")
        .json(&body)
        .send()
        .await;
    replay.assert_status(201);
    let replayed = replay.json();
    assert_eq!(replayed["id"], created["id"]);
    assert!(
        replayed.get("secret").is_none(),
        "a replay shows the secret: {replayed}"
    );
    assert!(!replay.text().contains(&old));

    // Rotation: admins only, If-Match required and checked.
    let path = format!("/api/v1/webhooks/{id}/rotate-secret");
    for (role, version, status, slug) in [
        ("coordinator", Some(1), 403, "forbidden"),
        ("admin", None, 428, "precondition-required"),
        ("admin", Some(7), 412, "version-mismatch"),
    ] {
        let call = app.post(&path).role(role);
        let call = match version {
            Some(v) => call.if_match(v),
            None => call,
        };
        call.send().await.assert_problem(status, slug);
    }
    let rotated = app
        .post(&path)
        .role("admin")
        .if_match(1)
        .header("Idempotency-Key", "rotate-1")
        .send()
        .await;
    rotated.assert_status(200);
    assert_eq!(rotated.etag(), 2);
    let new = rotated.json()["secret"].as_str().unwrap().to_string();
    assert!(new.starts_with("whsec_") && new != old);
    let again = app
        .post(&path)
        .role("admin")
        .if_match(1)
        .header("Idempotency-Key", "rotate-1")
        .send()
        .await;
    again.assert_status(200);
    assert!(again.json().get("secret").is_none());
    assert!(!again.text().contains(&new));
    let read = app
        .get(&format!("/api/v1/webhooks/{id}"))
        .role("admin")
        .send()
        .await;
    assert_eq!(read.etag(), 2, "the replay rotated again");

    // Within the day: both signatures, each verifying with its own secret.
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    let report = deliverer(&app, &["127.0.0.1/32"], fast())
        .run_once(now())
        .await
        .unwrap();
    assert_eq!(report.delivered, 1, "{report:?}");
    let hit = &receiver.hits()[0];
    let (msg, ts) = (
        hit.header("webhook-id").unwrap(),
        hit.header("webhook-timestamp").unwrap(),
    );
    let signatures: Vec<&str> = hit
        .header("webhook-signature")
        .unwrap()
        .split(' ')
        .collect();
    assert_eq!(
        signatures,
        vec![
            expected_signature(&new, msg, ts, &hit.body).as_str(),
            expected_signature(&old, msg, ts, &hit.body).as_str(),
        ]
    );

    // After the day: the new secret alone.
    app.with_db(|c| {
        use diesel::prelude::*;
        use samverkan::db::schema::webhooks as w;
        let past = samverkan::db::now() - Duration::hours(1);
        diesel::update(w::table)
            .set(w::previous_secret_until.eq(Some(past)))
            .execute(c)?;
        Ok(())
    })
    .await;
    create_unit(&app, "SKOL", "COMMITTEE", None).await;
    deliverer(&app, &["127.0.0.1/32"], fast())
        .run_once(now())
        .await
        .unwrap();
    let hits = receiver.hits();
    let last = hits.last().unwrap();
    assert_eq!(
        last.header("webhook-signature").unwrap(),
        expected_signature(
            &new,
            last.header("webhook-id").unwrap(),
            last.header("webhook-timestamp").unwrap(),
            &last.body
        )
    );
}

/// Deliveries older than 30 days are purged by the sweep, whatever became of them; newer ones stay.
async fn the_sweep_purges_deliveries_older_than_thirty_days(backend: Backend) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(204));
    let (id, _) = subscribe(&app, &receiver.url("/hook"), json!([])).await;
    create_unit(&app, "KFN", "COMMITTEE", None).await;
    create_unit(&app, "SKOL", "COMMITTEE", None).await;
    deliverer(&app, &["127.0.0.1/32"], fast())
        .run_once(now())
        .await
        .unwrap();
    let listed = deliveries(&app, &id).await;
    assert_eq!(listed.len(), 2);
    let old_id = listed[1]["id"].as_str().unwrap().to_string();
    let moved = old_id.clone();
    app.with_db(move |c| {
        use diesel::prelude::*;
        use samverkan::db::schema::webhook_deliveries as wd;
        let long_ago = samverkan::db::now() - Duration::days(31);
        diesel::update(wd::table.find(&moved))
            .set(wd::created_at.eq(long_ago))
            .execute(c)?;
        Ok(())
    })
    .await;
    let report = samverkan::sweep::run(&app.state.db, "instance-a", samverkan::policy::today())
        .await
        .unwrap();
    assert_eq!(report.deliveries_purged, 1, "{report:?}");
    let left = deliveries(&app, &id).await;
    assert_eq!(left.len(), 1);
    assert_ne!(left[0]["id"], old_id.as_str());
}

/// The dispatcher follows the feed's order and horizon: with transactions that commit in another
/// order than they began writing (on PostgreSQL an older one draws the largest event id and
/// commits while a younger one with a smaller id is still in flight; on SQLite one held open makes
/// the app's write wait), every event becomes exactly one delivery.
async fn the_dispatcher_makes_one_delivery_per_event_whatever_order_transactions_commit_in(
    backend: Backend,
) {
    let app = start(backend).await;
    let receiver = Receiver::start(Answer::Status(204));
    let (webhook, _) = subscribe(&app, &receiver.url("/units"), json!(["UNIT"])).await;
    let worker = deliverer(&app, &["127.0.0.1/32"], fast());
    create_unit(&app, "KS", "EXECUTIVE_BOARD", None).await;
    assert_eq!(worker.dispatch(now()).await.unwrap(), 1);
    match backend {
        Backend::Postgres => {
            let mut older = Held::begin(&app);
            let mut younger = Held::begin(&app);
            let younger_id = younger.append("HELD-YOUNGER");
            create_unit(&app, "KFN", "COMMITTEE", None).await;
            let older_id = older.append("HELD-OLDER");
            assert!(older_id > younger_id, "the scenario draws ids out of order");
            older.commit();
            assert_eq!(
                worker.dispatch(now()).await.unwrap(),
                1,
                "only the older transaction's event is final"
            );
            younger.commit();
        }
        Backend::Sqlite => {
            let mut held = Held::begin(&app);
            held.append("HELD");
            let holder = async {
                actix_web::rt::time::sleep(StdDuration::from_millis(100)).await;
                held.commit();
            };
            futures_util::join!(create_unit(&app, "KFN", "COMMITTEE", None), holder);
        }
    }
    worker.dispatch(now()).await.unwrap();
    assert_eq!(worker.dispatch(now()).await.unwrap(), 0, "caught up");
    let (delivered, events) = app
        .with_db(move |c| {
            use diesel::prelude::*;
            use samverkan::db::schema::{events as e, webhook_deliveries as wd};
            let mut delivered: Vec<i64> = wd::table
                .filter(wd::webhook_id.eq(&webhook))
                .select(wd::event_id)
                .load(c)?;
            delivered.sort();
            let events: Vec<i64> = e::table
                .filter(e::entity_type.eq("UNIT"))
                .order(e::id)
                .select(e::id)
                .load(c)?;
            Ok((delivered, events))
        })
        .await;
    assert_eq!(
        events.len(),
        if backend == Backend::Postgres { 4 } else { 3 }
    );
    assert_eq!(delivered, events, "one delivery per event");
}

on_both!(
    a_secret_is_shown_once_and_rotates_with_a_day_of_double_signatures,
    the_sweep_purges_deliveries_older_than_thirty_days,
    deliveries_are_signed_per_standard_webhooks_and_carry_the_event_as_the_feed_serves_it,
    filters_select_entity_types_and_single_events,
    a_failed_attempt_is_retried_with_backoff_and_then_succeeds,
    a_delivery_fails_after_the_cap_and_is_sent_again_on_request,
    redirects_are_not_followed,
    a_slow_target_times_out_without_holding_up_the_others,
    private_and_loopback_targets_are_refused_unless_listed,
    delivery_checks_the_resolved_address_again,
    an_expired_lease_is_retried_after_a_crash,
    subscriptions_are_managed_by_admins_with_versions,
    the_dispatcher_makes_one_delivery_per_event_whatever_order_transactions_commit_in,
);

/// Several instances on one PostgreSQL: each delivery is sent by exactly one of them.
#[actix_web::test]
async fn two_instances_on_one_postgresql_send_each_delivery_once() {
    let first = start(Backend::Postgres).await;
    let second =
        TestApp::start_on_with(Backend::Postgres, first.database.clone(), local_options()).await;
    let receiver = Receiver::start(Answer::Status(200));
    subscribe(&first, &receiver.url("/a"), json!(["UNIT"])).await;
    subscribe(&second, &receiver.url("/b"), json!(["UNIT"])).await;
    for i in 0..12 {
        create_unit(&first, &format!("U{i}"), "COMMITTEE", None).await;
    }
    let options = DeliveryOptions {
        concurrency: 3,
        ..fast()
    };
    let one = deliverer(&first, &["127.0.0.1/32"], options.clone());
    let two = deliverer(&second, &["127.0.0.1/32"], options);
    let (mut by_first, mut by_second) = (0, 0);
    for _ in 0..12 {
        let t = now();
        let (a, b) = futures_util::join!(one.run_once(t), two.run_once(t));
        by_first += a.unwrap().attempted;
        by_second += b.unwrap().attempted;
    }
    assert_eq!(by_first + by_second, 24);
    assert!(
        by_first > 0 && by_second > 0,
        "{by_first} + {by_second}: the instances did not share the work"
    );
    let hits = receiver.hits();
    assert_eq!(hits.len(), 24, "12 events to each of two subscriptions");
    let mut ids: Vec<&str> = hits
        .iter()
        .map(|h| h.header("webhook-id").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 24, "a delivery was sent twice");
    let rows = first
        .with_db(|c| {
            use diesel::prelude::*;
            use samverkan::db::schema::webhook_deliveries as wd;
            Ok(wd::table.count().get_result::<i64>(c)?)
        })
        .await;
    assert_eq!(rows, 24);
}

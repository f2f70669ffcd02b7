//! The adversary's suite, part one: the service's own probes of the attacks an adversarial review
//! ran (issue 11), kept so that a regression fails CI. Every probe asserts the refusal (status and
//! problem `type`, and the pointer where there is one) and that nothing changed (the change log's
//! length, and the resource read back).
//!
//! Here: token attacks on a write, cross-unit access for every operation that takes a unit,
//! webhook SSRF targets, and If-Match and Idempotency-Key races. `tests/security_input.rs` holds
//! mass assignment, oversized and malformed input and SQL injection in the text filters.
//!
//! The rest of the adversary's suite lives where the feature is proved:
//! - feed visibility (an event listed only to those who may GET its entity): tests/feed_visibility.rs;
//! - GDPR erasure (no byte of an erased contact left readable): tests/erasure.rs;
//! - token verification on a read, per algorithm and key family: tests/auth.rs;
//! - every role against every documented operation: tests/authorization.rs;
//! - webhook targets refused over HTTPS, redirects not followed, the resolved address checked at
//!   delivery: tests/webhooks.rs;
//! - idempotency replay, in-flight keys, per-caller keys: tests/idempotency.rs;
//! - refusals before the application (URI, head, header count) over a real socket:
//!   tests/strict_input.rs.

mod common;
mod register;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Backend, Options, SECRET, TestApp, TestResponse, fixture};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use register::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Token attacks
// ---------------------------------------------------------------------------------------------

fn claims(roles: Value) -> Value {
    let now = jsonwebtoken::get_current_timestamp();
    json!({"sub": "mallory", "iss": "samverkan", "aud": "samverkan", "exp": now + 600, "iat": now, "roles": roles})
}

fn admin() -> Value {
    claims(json!(["admin"]))
}

fn sign(alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, key).unwrap()
}

fn hs256(claims: &Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(SECRET.as_bytes()),
        claims,
    )
}

fn hand_built(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// An app that trusts the test secret and the fixtures' RSA and EC public keys.
async fn app_with_keys(backend: Backend) -> TestApp {
    TestApp::start_with(
        backend,
        Options {
            public_keys: Some(fixture("rsa-public.pem") + &fixture("ec-public.pem")),
            hmac: true,
            ..Default::default()
        },
    )
    .await
}

fn unit_body() -> Value {
    json!({"code": "EVIL", "name": "Ond enhet", "type": "COMMITTEE"})
}

#[track_caller]
fn assert_unauthorized(res: &TestResponse, what: &str) {
    assert_eq!(res.status, 401, "{what}: {}", res.text());
    res.assert_problem(401, "unauthorized");
    let challenge = res.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer "), "{what}: '{challenge}'");
}

/// No unit was written: the change log is as long as before and the unit does not exist.
async fn assert_no_unit_written(app: &TestApp, events_before: i64) {
    assert_eq!(
        app.event_count().await,
        events_before,
        "an event was written"
    );
    app.get("/api/v1/units/EVIL")
        .role("admin")
        .send()
        .await
        .assert_problem(404, "not-found");
}

/// An ES256 key of the attacker's own, as an encoding key and as a JWK naming the configured kid.
fn attackers_ec_key() -> (EncodingKey, jsonwebtoken::jwk::Jwk) {
    let pair = rcgen::KeyPair::generate().unwrap();
    let key = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap();
    let point = pair.public_key_raw();
    assert_eq!(point.len(), 65, "an uncompressed P-256 point");
    let jwk = serde_json::from_value(json!({
        "kty": "EC", "crv": "P-256", "kid": "test-ec-1", "use": "sig", "alg": "ES256",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..]),
    }))
    .unwrap();
    (key, jwk)
}

async fn forged_expired_or_malformed_tokens_cannot_write(backend: Backend) {
    let app = app_with_keys(backend).await;
    let before = app.event_count().await;
    let now = jsonwebtoken::get_current_timestamp();
    let with = |field: &str, value: Value| {
        let mut c = admin();
        c[field] = value;
        c
    };
    let mut no_sub = admin();
    no_sub.as_object_mut().unwrap().remove("sub");

    let mut tokens: Vec<(&str, String)> = vec![
        (
            "alg none",
            hand_built(&json!({"alg": "none", "typ": "JWT"}), &admin(), b""),
        ),
        (
            "alg None without a signature part",
            hand_built(&json!({"alg": "None"}), &admin(), b"")
                .trim_end_matches('.')
                .to_string(),
        ),
        (
            "HS256 with a wrong key",
            sign(
                Algorithm::HS256,
                &EncodingKey::from_secret(b"not-the-secret-0123456789abcdef012345"),
                &admin(),
            ),
        ),
        (
            "HS256 keyed with the service's RS256 public key",
            sign(
                Algorithm::HS256,
                &EncodingKey::from_secret(fixture("rsa-public.pem").as_bytes()),
                &admin(),
            ),
        ),
        (
            "HS256 keyed with the service's ES256 public key",
            sign(
                Algorithm::HS256,
                &EncodingKey::from_secret(fixture("ec-public.pem").as_bytes()),
                &admin(),
            ),
        ),
        ("expired", hs256(&with("exp", json!(now - 120)))),
        ("nbf in the future", hs256(&with("nbf", json!(now + 600)))),
        ("wrong aud", hs256(&with("aud", json!("another-service")))),
        (
            "aud list without us",
            hs256(&with("aud", json!(["a", "b"]))),
        ),
        (
            "wrong iss",
            hs256(&with("iss", json!("https://evil.example"))),
        ),
        ("no sub", hs256(&no_sub)),
        ("blank sub", hs256(&with("sub", json!("")))),
        ("roles not an array", hs256(&with("roles", json!("admin")))),
        (
            "roles an object",
            hs256(&with("roles", json!({"admin": true}))),
        ),
        (
            "unit an array",
            hs256(&with("unit", json!(["KFN", "SKOL"]))),
        ),
        ("exp a string", hs256(&with("exp", json!("never")))),
        ("garbage", "garbage".to_string()),
        ("three dots", "a.b.c".to_string()),
        ("empty", String::new()),
    ];
    // Roles raised after signing: a reader's signature under an admin's claims.
    let reader = hs256(&claims(json!(["reader"])));
    let (head, rest) = reader.split_once('.').unwrap();
    let signature = rest.rsplit_once('.').unwrap().1;
    tokens.push((
        "claims changed after signing",
        format!(
            "{head}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(admin().to_string())
        ),
    ));
    // A key of the attacker's own, embedded in the header and named by the configured key's kid.
    let (key, jwk) = attackers_ec_key();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("test-ec-1".into());
    header.jwk = Some(jwk);
    tokens.push((
        "ES256 signed by an embedded jwk",
        jsonwebtoken::encode(&header, &admin(), &key).unwrap(),
    ));
    let mut header = Header::new(Algorithm::ES256);
    header.jku = Some("https://evil.example/keys.json".into());
    tokens.push((
        "ES256 with a jku of the attacker's",
        jsonwebtoken::encode(&header, &admin(), &key).unwrap(),
    ));

    for (what, token) in &tokens {
        let res = app
            .post("/api/v1/units")
            .bearer(token)
            .json(&unit_body())
            .send()
            .await;
        assert_unauthorized(&res, what);
    }
    for (what, value) in [
        ("Bearer with no token", "Bearer "),
        ("Bearer alone", "Bearer"),
        ("Basic credentials", "Basic YWRtaW46YWRtaW4="),
    ] {
        let res = app
            .post("/api/v1/units")
            .header("Authorization", value)
            .json(&unit_body())
            .send()
            .await;
        assert_unauthorized(&res, what);
    }
    let res = app.post("/api/v1/units").json(&unit_body()).send().await;
    assert_unauthorized(&res, "no Authorization");
    assert_no_unit_written(&app, before).await;
    // The same request with a genuine token is written: the refusals were the tokens'.
    app.post("/api/v1/units")
        .bearer(&hs256(&admin()))
        .json(&unit_body())
        .send()
        .await
        .assert_status(201);
}

async fn valid_tokens_without_a_usable_role_or_unit_cannot_write(backend: Backend) {
    let app = app_with_keys(backend).await;
    units(&app).await;
    country(&app, "NO", MEETS).await;
    let oslo = partner(&app, "Oslo", "CITY", "NO").await;
    let before = app.event_count().await;
    for (what, roles) in [
        ("empty roles", json!([])),
        ("unknown roles", json!(["superuser", "ADMIN", "root"])),
        ("an officer's role only", json!(["officer"])),
    ] {
        let res = app
            .post("/api/v1/units")
            .bearer(&hs256(&claims(roles)))
            .json(&unit_body())
            .send()
            .await;
        assert_eq!(res.status, 403, "{what}: {}", res.text());
        res.assert_problem(403, "forbidden");
    }
    let agreement = json!({"title": "Utan enhet", "type": "OTHER", "unitCode": "KFN", "partnerIds": [oslo], "purposes": ["PROFILING"]});
    let mut blank_unit = claims(json!(["officer"]));
    blank_unit["unit"] = json!(" ");
    let mut unknown_unit = claims(json!(["officer"]));
    unknown_unit["unit"] = json!("NOPE");
    for (what, claims) in [
        ("an officer without a unit", claims(json!(["officer"]))),
        ("an officer with a blank unit", blank_unit),
        ("an officer of a unit that does not exist", unknown_unit),
    ] {
        let res = app
            .post("/api/v1/agreements")
            .bearer(&hs256(&claims))
            .json(&agreement)
            .send()
            .await;
        assert_eq!(res.status, 403, "{what}: {}", res.text());
        res.assert_problem(403, "forbidden");
    }
    assert_eq!(app.event_count().await, before);
    assert_no_unit_written(&app, before).await;
    let list = app
        .get("/api/v1/agreements")
        .role("coordinator")
        .send()
        .await;
    assert_eq!(list.json()["totalItems"], 0, "{}", list.text());
}

/// Two `Authorization` lines: whichever holds the valid token, the request is refused (a proxy
/// and the service could otherwise each believe another caller).
async fn two_authorization_headers_are_refused(backend: Backend) {
    let app = app_with_keys(backend).await;
    let before = app.event_count().await;
    let genuine = format!("Bearer {}", hs256(&admin()));
    for (first, second) in [
        ("Bearer garbage", genuine.as_str()),
        (genuine.as_str(), "Bearer garbage"),
        (genuine.as_str(), genuine.as_str()),
    ] {
        let res = app
            .post("/api/v1/units")
            .header("Authorization", first)
            .append_header("Authorization", second)
            .json(&unit_body())
            .send()
            .await;
        assert_unauthorized(&res, &format!("{first} / {second}"));
    }
    assert_no_unit_written(&app, before).await;
}

on_both!(
    forged_expired_or_malformed_tokens_cannot_write,
    valid_tokens_without_a_usable_role_or_unit_cannot_write,
    two_authorization_headers_are_refused,
);

// ---------------------------------------------------------------------------------------------
// Cross-unit access
// ---------------------------------------------------------------------------------------------
//
// The operations that take a unit (from `Scope::of`/`require` in src/http/access.rs, used by
// src/agreements/routes.rs and src/exceptions/routes.rs, and `unitCode` parameters):
// - agreements: GET one (a draft only to its unit's officers), its history and compliance,
//   list (`unitCode`, drafts filtered) and its CSV export, create (`unitCode`), PATCH (also moving
//   `unitCode`), DELETE, activate, end, cancel;
// - exceptions: request (the agreement's unit), withdraw (the requesting unit);
// - reports: `unitCode` filters the summary and compliance reports, open to every role: they count
//   active agreements only, so another unit's filter is answered, without its drafts;
// - eligibility: `unitCode` is an input to the answer, not an access to the unit's records.

/// KFN's draft (with a pending exception request) and an active agreement, with partner Oslo.
struct KfnRecords {
    draft: Value,
    live: Value,
    request: Value,
    oslo: String,
}

async fn kfn_records(app: &TestApp) -> KfnRecords {
    units(app).await;
    country(app, "NO", MEETS).await;
    let oslo = partner(app, "Oslo", "CITY", "NO").await;
    let draft = agreement(app, "KFN", &[&oslo], json!({"title": "Hemligt utkast"})).await;
    let request = request_exception(app, &id(&draft), &oslo, "KFN").await;
    let live = agreement(app, "KFN", &[&oslo], json!({"title": "Öppet samarbete"})).await;
    let live = active(app, &live, "KFN").await;
    let draft = read(app, &format!("/api/v1/agreements/{}", id(&draft))).await;
    KfnRecords {
        draft,
        live,
        request,
        oslo,
    }
}

/// A resource as a coordinator reads it.
async fn read(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).role("coordinator").send().await;
    res.assert_status(200);
    res.json()
}

/// The agreement and the request read back exactly as before, and no event was written.
async fn assert_untouched(app: &TestApp, r: &KfnRecords, events_before: i64) {
    assert_eq!(
        app.event_count().await,
        events_before,
        "an event was written"
    );
    for before in [&r.draft, &r.live] {
        let now = read(app, &format!("/api/v1/agreements/{}", id(before))).await;
        assert_eq!(now["version"], before["version"], "{now}");
        assert_eq!(now["status"], before["status"], "{now}");
        assert_eq!(now["title"], before["title"], "{now}");
        assert_eq!(now["unitCode"], before["unitCode"], "{now}");
    }
    let now = read(app, &format!("/api/v1/exceptions/{}", id(&r.request))).await;
    assert_eq!(now["version"], r.request["version"], "{now}");
    assert_eq!(now["status"], "REQUESTED", "{now}");
}

async fn an_officer_of_another_unit_cannot_see_or_touch_a_draft(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let path = format!("/api/v1/agreements/{}", id(&r.draft));
    let v = r.draft["version"].as_i64().unwrap();
    // SKOL is a sibling; KFF lies below KFN, and an officer acts for the units below, not above.
    for unit in ["SKOL", "KFF"] {
        for sub in ["", "/history", "/compliance"] {
            app.get(&format!("{path}{sub}"))
                .officer_of(unit)
                .send()
                .await
                .assert_problem(404, "not-found");
        }
        every_write_refused(&app, &path, v, unit, (404, "not-found")).await;
    }
    assert_untouched(&app, &r, before).await;
}

/// PATCH, DELETE and every action on the agreement at `path` (version `v`) as an officer of
/// `unit`, each refused with `status` and the problem `slug`.
async fn every_write_refused(
    app: &TestApp,
    path: &str,
    v: i64,
    unit: &str,
    (status, slug): (u16, &str),
) {
    app.patch(path)
        .officer_of(unit)
        .if_match(v)
        .merge_patch(&json!({"title": "Kapat"}))
        .send()
        .await
        .assert_problem(status, slug);
    app.delete(path)
        .officer_of(unit)
        .if_match(v)
        .send()
        .await
        .assert_problem(status, slug);
    for action in ["activate", "cancel", "end"] {
        app.post(&format!("{path}/{action}"))
            .officer_of(unit)
            .if_match(v)
            .send()
            .await
            .assert_problem(status, slug);
    }
}

async fn an_officer_of_another_unit_cannot_touch_an_active_agreement(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let path = format!("/api/v1/agreements/{}", id(&r.live));
    let v = r.live["version"].as_i64().unwrap();
    // An active agreement is public: reading it is allowed, changing it is not.
    app.get(&path)
        .officer_of("SKOL")
        .send()
        .await
        .assert_status(200);
    for unit in ["SKOL", "KFF"] {
        every_write_refused(&app, &path, v, unit, (403, "forbidden")).await;
        app.post("/api/v1/exceptions")
            .officer_of(unit)
            .json(&json!({"agreementId": id(&r.live), "partnerId": r.oslo, "justification": "Vi vill.", "caseNumber": "KS 2026-1"}))
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    assert_untouched(&app, &r, before).await;
}

async fn an_officer_cannot_create_or_move_an_agreement_outside_their_unit(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let body = |unit: &str| json!({"title": "Utanför", "type": "OTHER", "unitCode": unit, "partnerIds": [r.oslo], "purposes": ["PROFILING"]});
    // A sibling, the parent, a unit of another tree, and the parent from below.
    for (officer, unit) in [
        ("KFN", "SKOL"),
        ("KFN", "KS"),
        ("KFN", "BOLAG"),
        ("KFF", "KFN"),
    ] {
        let res = app
            .post("/api/v1/agreements")
            .officer_of(officer)
            .json(&body(unit))
            .send()
            .await;
        assert_eq!(res.status, 403, "{officer} for {unit}: {}", res.text());
        res.assert_problem(403, "forbidden");
    }
    for target in [&r.draft, &r.live] {
        for unit in ["SKOL", "KS"] {
            app.patch(&format!("/api/v1/agreements/{}", id(target)))
                .officer_of("KFN")
                .if_match(target["version"].as_i64().unwrap())
                .merge_patch(&json!({"unitCode": unit}))
                .send()
                .await
                .assert_problem(403, "forbidden");
        }
    }
    assert_untouched(&app, &r, before).await;
    let all = read(&app, "/api/v1/agreements").await;
    assert_eq!(all["totalItems"], 2, "{all}");
}

async fn an_officer_cannot_withdraw_another_units_request(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let v = r.request["version"].as_i64().unwrap();
    for unit in ["SKOL", "KFF"] {
        app.post(&format!("/api/v1/exceptions/{}/withdraw", id(&r.request)))
            .officer_of(unit)
            .if_match(v)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    assert_untouched(&app, &r, before).await;
}

async fn lists_exports_and_reports_do_not_show_another_units_drafts(app: TestApp) {
    let r = kfn_records(&app).await;
    let titles = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_string())
            .collect()
    };
    for query in [
        "",
        "?unitCode=KFN",
        "?status=DRAFT",
        "?unitCode=KFN&status=DRAFT",
        "?q=Hemligt",
        "?caseNumber=KS%202026-00001",
    ] {
        let res = app
            .get(&format!("/api/v1/agreements{query}"))
            .officer_of("SKOL")
            .send()
            .await;
        res.assert_status(200);
        let seen = titles(&res.json());
        assert!(
            !seen.contains(&"Hemligt utkast".to_string()),
            "{query}: {seen:?}"
        );
        let csv = app
            .get(&format!("/api/v1/agreements{query}"))
            .officer_of("SKOL")
            .header("Accept", "text/csv")
            .send()
            .await;
        csv.assert_status(200);
        assert!(!csv.text().contains("Hemligt"), "{query}: {}", csv.text());
        assert!(
            !csv.text().contains(&id(&r.draft)),
            "{query}: {}",
            csv.text()
        );
    }
    // The active one is listed to everyone; the draft to its own unit.
    let mine = app
        .get("/api/v1/agreements?unitCode=KFN")
        .officer_of("KFN")
        .send()
        .await;
    assert_eq!(mine.json()["totalItems"], 2, "{}", mine.text());
    // `?format=csv|xlsx` (for links opened in a browser) reads through the same filter.
    let by_query = app
        .get("/api/v1/agreements?format=csv")
        .officer_of("SKOL")
        .send()
        .await;
    by_query.assert_status(200);
    assert!(!by_query.text().contains("Hemligt") && !by_query.text().contains(&id(&r.draft)));
    let workbook = app
        .get("/api/v1/agreements?format=xlsx")
        .officer_of("SKOL")
        .send()
        .await;
    workbook.assert_status(200);
    assert_eq!(
        workbook.header("x-total-count"),
        by_query.header("x-total-count")
    );
    assert_eq!(by_query.header("x-total-count").as_deref(), Some("1"));
    // Reports are open to every role and count active agreements only.
    let summary = app
        .get("/api/v1/reports/summary?unitCode=KFN")
        .officer_of("SKOL")
        .send()
        .await;
    summary.assert_status(200);
    assert_eq!(summary.json()["activeAgreements"], 1, "{}", summary.text());
    assert!(!summary.text().contains("Hemligt"), "{}", summary.text());
}

/// An exception request names an agreement: another unit's draft is as unknown to the officer as
/// an agreement that does not exist (400 `unknown-agreement`, not a 403 naming its unit).
async fn requesting_an_exception_for_another_units_draft_does_not_reveal_it(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let ask = |agreement: String| json!({"agreementId": agreement, "partnerId": r.oslo, "justification": "Vi vill.", "caseNumber": "KS 2026-1"});
    let hidden = app
        .post("/api/v1/exceptions")
        .officer_of("SKOL")
        .json(&ask(id(&r.draft)))
        .send()
        .await;
    let body = hidden.assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/agreementId", "{body}");
    assert_eq!(body["errors"][0]["code"], "unknown-agreement", "{body}");
    assert!(!hidden.text().contains("KFN"), "{}", hidden.text());
    let missing = app
        .post("/api/v1/exceptions")
        .officer_of("SKOL")
        .json(&ask("01a22ba4-3f34-70fc-81bc-6527bd3ab285".into()))
        .send()
        .await;
    assert_eq!(
        missing.assert_problem(400, "validation-failed")["errors"],
        body["errors"],
        "a hidden draft and a missing agreement must answer alike"
    );
    assert_untouched(&app, &r, before).await;
}

both!(
    requesting_an_exception_for_another_units_draft_does_not_reveal_it,
    an_officer_of_another_unit_cannot_see_or_touch_a_draft,
    an_officer_of_another_unit_cannot_touch_an_active_agreement,
    an_officer_cannot_create_or_move_an_agreement_outside_their_unit,
    an_officer_cannot_withdraw_another_units_request,
    lists_exports_and_reports_do_not_show_another_units_drafts,
);

// ---------------------------------------------------------------------------------------------
// Webhook SSRF targets (tests/webhooks.rs refuses the HTTPS forms of loopback, private, link-local
// and shared addresses and `localhost` on create; these are the other spellings, on create and on
// PATCH, with no allow-list)
// ---------------------------------------------------------------------------------------------

const SSRF_TARGETS: [&str; 34] = [
    "https://api.localhost/",
    "https://a.b.localhost./hook",
    "http://127.0.0.1/",
    "http://localhost/",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.1/",
    "http://0.0.0.0/",
    "http://2130706433/",
    "http://[::ffff:127.0.0.1]/",
    "file:///etc/passwd",
    "gopher://x",
    "https://user:pass@example.org/",
    "https://0.0.0.0/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://127.1/",
    "https://127.255.255.254/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[0:0:0:0:0:ffff:7f00:1]/",
    "https://[::]/",
    "https://[fe80::1]/",
    "https://[fd00::1]/",
    "https://172.16.0.1/",
    "https://192.0.0.1/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://localhost./",
    "https://LOCALHOST/",
    "https://%31%32%37.0.0.1/",
    "https://169.254.169.254.:443/latest/meta-data",
    "data:text/plain,hello",
];

async fn webhooks_cannot_target_the_service_its_network_or_other_schemes(app: TestApp) {
    let (hook, _) = webhook(&app, json!({"url": "https://93.184.215.14/hook"})).await;
    let path = format!("/api/v1/webhooks/{hook}");
    let before = app.event_count().await;
    let mut held = Vec::new();
    for url in SSRF_TARGETS {
        let created = app
            .post("/api/v1/webhooks")
            .role("admin")
            .json(&json!({"url": url}))
            .send()
            .await;
        let patched = app
            .patch(&path)
            .role("admin")
            .if_match(1)
            .merge_patch(&json!({"url": url}))
            .send()
            .await;
        for (what, res) in [("create", &created), ("PATCH", &patched)] {
            let refused = res.status == 400
                && res.json()["type"] == "https://samverkan.boras.se/problems/validation-failed"
                && res.json()["errors"][0]["pointer"] == "/url";
            if !refused {
                held.push(format!("{what} {url}: {} {}", res.status, res.text()));
            }
        }
    }
    assert!(
        held.is_empty(),
        "targets not refused at /url:\n{}",
        held.join("\n")
    );
    assert_eq!(app.event_count().await, before);
    let list = app.get("/api/v1/webhooks").role("admin").send().await;
    assert_eq!(list.json()["totalItems"], 1, "{}", list.text());
    let read = app.get(&path).role("admin").send().await;
    assert_eq!(read.etag(), 1);
    assert_eq!(read.json()["url"], "https://93.184.215.14/hook");
}

// ---------------------------------------------------------------------------------------------
// If-Match and Idempotency-Key races (tests/idempotency.rs proves replay, in-flight and per-caller
// keys on units)
// ---------------------------------------------------------------------------------------------

async fn two_changes_with_one_if_match_one_wins_the_other_is_412(app: TestApp) {
    let r = kfn_records(&app).await;
    let path = format!("/api/v1/agreements/{}", id(&r.draft));
    let v = r.draft["version"].as_i64().unwrap();
    let before = app.event_count().await;
    let (a, b) = futures_util::join!(
        app.patch(&path)
            .officer_of("KFN")
            .if_match(v)
            .merge_patch(&json!({"title": "Först"}))
            .send(),
        app.patch(&path)
            .officer_of("KFN")
            .if_match(v)
            .merge_patch(&json!({"title": "Sist"}))
            .send(),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} / {}", a.text(), b.text());
    let loser = if a.status == 412 { &a } else { &b };
    loser.assert_problem(412, "version-mismatch");
    let winner = if a.status == 200 { &a } else { &b };
    let now = read(&app, &path).await;
    assert_eq!(now["title"], winner.json()["title"]);
    assert_eq!(now["version"], v + 1);
    assert_eq!(app.event_count().await, before + 1);

    // Two actions on one version: activating and cancelling the same draft.
    let v = v + 1;
    let (a, b) = futures_util::join!(
        app.post(&format!("{path}/activate"))
            .officer_of("KFN")
            .if_match(v)
            .send(),
        app.post(&format!("{path}/cancel"))
            .officer_of("KFN")
            .if_match(v)
            .send(),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} / {}", a.text(), b.text());
    let now = read(&app, &path).await;
    assert_eq!(now["version"], v + 1);
    assert_eq!(app.event_count().await, before + 2);
}

async fn one_idempotency_key_with_another_body_is_422_and_stores_nothing(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let body = |title: &str| json!({"title": title, "type": "OTHER", "unitCode": "KFN", "partnerIds": [r.oslo], "purposes": ["PROFILING"]});
    app.post("/api/v1/agreements")
        .officer_of("KFN")
        .header("Idempotency-Key", "5c1d7e2a-0000-4000-8000-000000000001")
        .json(&body("Första"))
        .send()
        .await
        .assert_status(201);
    // Another body, and another unit's agreement smuggled under the same key.
    for other in [
        body("Andra"),
        merged(body("Första"), json!({"unitCode": "KFF"})),
    ] {
        app.post("/api/v1/agreements")
            .officer_of("KFN")
            .header("Idempotency-Key", "5c1d7e2a-0000-4000-8000-000000000001")
            .json(&other)
            .send()
            .await
            .assert_problem(422, "idempotency-key-reused");
    }
    assert_eq!(app.event_count().await, before + 1);
    let all = read(&app, "/api/v1/agreements").await;
    assert_eq!(all["totalItems"], 3, "{all}");
}

async fn two_decisions_on_one_request_one_is_recorded_the_other_is_412(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let eva = app.token_for("eva.secretary", &["board_secretary"], None);
    let bo = app.token_for("bo.secretary", &["board_secretary"], None);
    let (a, b) = futures_util::join!(
        decide_by(&app, By::Token(&eva), &r.request, "GRANTED", None, None),
        decide_by(&app, By::Token(&bo), &r.request, "DENIED", None, None),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} / {}", a.text(), b.text());
    let winner = if a.status == 200 { &a } else { &b };
    let now = read(&app, &format!("/api/v1/exceptions/{}", id(&r.request))).await;
    assert_eq!(now["status"], winner.json()["status"], "{now}");
    assert_eq!(now["decision"], winner.json()["decision"], "{now}");
    assert_eq!(now["version"], 2);
    assert_eq!(app.event_count().await, before + 1);
}

/// If-Match values that name no current version (stale, weak, unquoted, out of range, empty) are
/// 412, and bad Idempotency-Keys are 400 at the header: nothing changes.
async fn preconditions_that_name_no_current_version_change_nothing(app: TestApp) {
    let r = kfn_records(&app).await;
    let before = app.event_count().await;
    let path = format!("/api/v1/agreements/{}", id(&r.draft));
    let v = r.draft["version"].as_i64().unwrap();
    let stale = format!("\"{}\"", v + 1);
    let weak = format!("W/\"{v}\"");
    let unquoted = v.to_string();
    for value in [
        stale.as_str(),
        weak.as_str(),
        unquoted.as_str(),
        "\"\"",
        "\"-1\"",
        "\"99999999999999999999\"",
        "\"0\", \"-0\"",
        "garbage",
    ] {
        let res = app
            .patch(&path)
            .officer_of("KFN")
            .header("If-Match", value)
            .merge_patch(&json!({"title": "Kapat"}))
            .send()
            .await;
        assert_eq!(res.status, 412, "If-Match {value}: {}", res.text());
        res.assert_problem(412, "version-mismatch");
    }
    let long = "k".repeat(256);
    for key in [long.as_str(), "has space", "tab\there", ""] {
        let res = app
            .post("/api/v1/agreements")
            .officer_of("KFN")
            .header("Idempotency-Key", key)
            .json(&json!({"title": "Nyckel", "type": "OTHER", "unitCode": "KFN", "partnerIds": [r.oslo], "purposes": ["PROFILING"]}))
            .send()
            .await;
        let body = res.assert_problem(400, "validation-failed");
        assert_eq!(
            body["errors"][0]["pointer"], "/header/Idempotency-Key",
            "{key}: {body}"
        );
    }
    assert_untouched(&app, &r, before).await;
    assert_eq!(read(&app, "/api/v1/agreements").await["totalItems"], 2);
}

both!(
    webhooks_cannot_target_the_service_its_network_or_other_schemes,
    two_changes_with_one_if_match_one_wins_the_other_is_412,
    one_idempotency_key_with_another_body_is_422_and_stores_nothing,
    two_decisions_on_one_request_one_is_recorded_the_other_is_412,
    preconditions_that_name_no_current_version_change_nothing,
);

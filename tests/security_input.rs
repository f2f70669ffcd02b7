//! The adversary's suite, part two (part one and the map of the rest: tests/security.rs): mass
//! assignment on every writable resource, oversized and malformed bodies, and SQL injection in
//! every text filter. Each probe asserts the refusal (or, for a filter, exactly the rows a literal
//! match gives) and that nothing was stored. Field-by-field validation lives in
//! tests/all_errors.rs, officers' coordinator-only partner fields in tests/partners.rs.

mod common;
mod register;

use std::collections::BTreeSet;

use common::{TestApp, TestResponse};
use register::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Mass assignment
// ---------------------------------------------------------------------------------------------

/// The committed OpenAPI document's property names of a schema.
fn properties(schema: &str) -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {schema}"))
        .keys()
        .cloned()
        .collect()
}

/// The fields a resource serves that a write of `input` does not take: its read-only fields.
fn read_only(output: &str, input: &str, extra: &[&str]) -> BTreeSet<String> {
    let taken = properties(input);
    let mut fields: BTreeSet<String> = properties(output)
        .into_iter()
        .filter(|f| !taken.contains(f))
        .collect();
    fields.extend(extra.iter().map(|f| f.to_string()));
    assert!(!fields.is_empty(), "{output} vs {input}");
    fields
}

/// `body` with every field of `fields` set, to the value the resource holds where it has one.
fn with_fields(body: &Value, fields: &BTreeSet<String>, resource: &Value) -> Value {
    let mut body = body.clone();
    for f in fields {
        body[f] = match &resource[f] {
            Value::Null => json!("2026-01-01T00:00:00Z"),
            v => v.clone(),
        };
    }
    body
}

#[track_caller]
fn assert_refused_at(res: &TestResponse, fields: &BTreeSet<String>, what: &str) {
    let body = res.assert_problem(400, "validation-failed");
    let pointers: BTreeSet<String> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "unknown-field")
        .map(|e| {
            e["pointer"]
                .as_str()
                .unwrap()
                .trim_start_matches('/')
                .to_string()
        })
        .collect();
    assert_eq!(&pointers, fields, "{what}: {body}");
}

/// Who creates, where, the output's and the input's schema, read-only fields the document does
/// not show, a valid body, and a resource to take the fields' values from.
type CreateCase<'a> = (
    By<'a>,
    String,
    &'a str,
    &'a str,
    &'a [&'a str],
    Value,
    Value,
);

struct Register {
    partner: String,
    contact: Value,
    draft: Value,
    spare: Value,
    assessment: Value,
    exception: Value,
    webhook: Value,
}

async fn register(app: &TestApp) -> Register {
    units(app).await;
    country(app, "NO", MEETS).await;
    let partner = partner(app, "Oslo", "CITY", "NO").await;
    let contact = contact(
        app,
        &partner,
        json!({"name": "Kari Example", "role": "Koordinator", "email": "kari@example.org", "retentionUntil": "2099-12-31"}),
    )
    .await;
    let draft = agreement(app, "KFN", &[&partner], json!({})).await;
    let spare = agreement(app, "KFN", &[&partner], json!({"title": "Reserv"})).await;
    let assessment = draft_assessment(app, json!({"countryCode": "FI"}), MEETS).await;
    let assessment = app
        .get(&format!("/api/v1/assessments/{assessment}"))
        .role("coordinator")
        .send()
        .await
        .json();
    let exception = request_exception(app, &id(&draft), &partner, "KFN").await;
    let (hook, _) = webhook(app, json!({"url": "https://93.184.215.14/hook"})).await;
    let webhook = app
        .get(&format!("/api/v1/webhooks/{hook}"))
        .role("admin")
        .send()
        .await
        .json();
    Register {
        partner,
        contact,
        draft,
        spare,
        assessment,
        exception,
        webhook,
    }
}

fn judgement() -> Value {
    json!({"verdict": "MEETS", "rationale": "Fria val."})
}

async fn read_only_fields_are_refused_on_every_create_and_nothing_is_stored(app: TestApp) {
    let r = register(&app).await;
    let unit = app
        .get("/api/v1/units/KFN")
        .role("admin")
        .send()
        .await
        .json();
    let partner = app
        .get(&format!("/api/v1/partners/{}", r.partner))
        .role("coordinator")
        .send()
        .await
        .json();
    let cases: Vec<CreateCase> = vec![
        (
            By::Role("admin"),
            "/api/v1/units".into(),
            "Unit",
            "NewUnit",
            &[],
            json!({"code": "NY", "name": "Ny enhet", "type": "COMMITTEE"}),
            unit,
        ),
        (
            By::Officer("KFN"),
            "/api/v1/partners".into(),
            "Partner",
            "NewPartner",
            &[],
            json!({"name": "Bergen", "kind": "CITY", "countryCode": "NO"}),
            partner,
        ),
        (
            By::Officer("KFN"),
            format!("/api/v1/partners/{}/contacts", r.partner),
            "Contact",
            "NewContact",
            &[],
            json!({"name": "Ola Example", "retentionUntil": "2099-12-31"}),
            r.contact.clone(),
        ),
        (
            By::Officer("KFN"),
            "/api/v1/agreements".into(),
            "Agreement",
            "AgreementInput",
            &[],
            json!({"title": "Nytt", "type": "OTHER", "unitCode": "KFN", "partnerIds": [r.partner], "purposes": ["PROFILING"]}),
            r.draft.clone(),
        ),
        (
            By::Role("coordinator"),
            "/api/v1/assessments".into(),
            "Assessment",
            "NewAssessment",
            &[],
            json!({"countryCode": "SE", "assessedAt": in_days(-10), "validUntil": in_days(300),
                   "humanRights": judgement(), "democracy": judgement(), "ruleOfLaw": judgement()}),
            r.assessment.clone(),
        ),
        (
            By::Officer("KFN"),
            "/api/v1/exceptions".into(),
            "ExceptionCase",
            "ExceptionRequest",
            &[],
            json!({"agreementId": id(&r.spare), "partnerId": r.partner, "justification": "Viktigt.", "caseNumber": "KS 2026-9"}),
            r.exception.clone(),
        ),
        (
            By::Role("admin"),
            "/api/v1/webhooks".into(),
            "Webhook",
            "NewWebhook",
            &["secret"],
            json!({"url": "https://93.184.215.14/other"}),
            r.webhook.clone(),
        ),
    ];
    for (by, path, output, input, extra, body, resource) in cases {
        let fields = read_only(output, input, extra);
        let before = app.event_count().await;
        let res = by
            .on(app.post(&path))
            .json(&with_fields(&body, &fields, &resource))
            .send()
            .await;
        assert_refused_at(&res, &fields, &path);
        // One at a time too: no field is taken when it comes alone.
        for f in &fields {
            let one = BTreeSet::from([f.clone()]);
            let res = by
                .on(app.post(&path))
                .json(&with_fields(&body, &one, &resource))
                .send()
                .await;
            assert_refused_at(&res, &one, &format!("{path} {f}"));
        }
        assert_eq!(
            app.event_count().await,
            before,
            "{path}: an event was written"
        );
        // The same body without them is stored: the refusal was the fields'.
        by.on(app.post(&path))
            .json(&body)
            .send()
            .await
            .assert_status(201);
    }
    // A decision's and a revocation's recording fields are the service's too.
    let before = app.event_count().await;
    for (path, output, input, body) in [
        (
            "decision",
            "Decision",
            "DecisionInput",
            json!({"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 1"}),
        ),
        (
            "revoke",
            "Revocation",
            "RevocationInput",
            json!({"decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 2", "reason": "Skäl."}),
        ),
    ] {
        let fields = read_only(output, input, &["status", "version", "id"]);
        let res = app
            .post(&format!("/api/v1/exceptions/{}/{path}", id(&r.exception)))
            .role("board_secretary")
            .if_match(1)
            .json(&with_fields(&body, &fields, &json!({})))
            .send()
            .await;
        assert_refused_at(&res, &fields, path);
    }
    assert_eq!(app.event_count().await, before);
    let x = app
        .get(&format!("/api/v1/exceptions/{}", id(&r.exception)))
        .role("coordinator")
        .send()
        .await
        .json();
    assert_eq!(
        (x["status"].as_str(), x["version"].as_i64()),
        (Some("REQUESTED"), Some(1))
    );
}

async fn read_only_fields_are_refused_on_every_patch_and_nothing_changes(app: TestApp) {
    let r = register(&app).await;
    let cases: Vec<(By, String, &str, &str, &[&str])> = vec![
        (
            By::Role("admin"),
            "/api/v1/units/KFN".into(),
            "Unit",
            "UnitPatch",
            &[],
        ),
        (
            By::Role("coordinator"),
            format!("/api/v1/partners/{}", r.partner),
            "Partner",
            "PartnerPatch",
            &[],
        ),
        (
            By::Officer("KFN"),
            format!("/api/v1/partners/{}/contacts/{}", r.partner, id(&r.contact)),
            "Contact",
            "ContactPatch",
            &[],
        ),
        (
            By::Officer("KFN"),
            format!("/api/v1/agreements/{}", id(&r.draft)),
            "Agreement",
            "AgreementPatch",
            &[],
        ),
        (
            By::Role("coordinator"),
            format!("/api/v1/assessments/{}", id(&r.assessment)),
            "Assessment",
            "AssessmentPatch",
            &[],
        ),
        (
            By::Role("admin"),
            format!("/api/v1/webhooks/{}", id(&r.webhook)),
            "Webhook",
            "WebhookPatch",
            &["secret"],
        ),
    ];
    for (by, path, output, input, extra) in cases {
        let fields = read_only(output, input, extra);
        let reader = match by {
            By::Role("admin") => By::Role("admin"),
            _ => By::Role("coordinator"),
        };
        let current = reader.on(app.get(&path)).send().await;
        current.assert_status(200);
        let version = current.etag();
        let current = current.json();
        let before = app.event_count().await;
        // The values the resource holds, and values an attacker would want.
        let mut forged = with_fields(&json!({}), &fields, &current);
        for f in &fields {
            forged[f] = match f.as_str() {
                "version" => json!(version + 100),
                "status" => json!("ACTIVE"),
                "id" => json!("00000000-0000-4000-8000-000000000000"),
                _ => forged[f].clone(),
            };
        }
        for patch in [with_fields(&json!({}), &fields, &current), forged] {
            let res = by
                .on(app.patch(&path))
                .if_match(version)
                .merge_patch(&patch)
                .send()
                .await;
            assert_refused_at(&res, &fields, &path);
        }
        assert_eq!(
            app.event_count().await,
            before,
            "{path}: an event was written"
        );
        let after = reader.on(app.get(&path)).send().await;
        assert_eq!(after.etag(), version, "{path}");
        assert_eq!(after.json(), current, "{path}");
    }
}

async fn an_officer_cannot_unarchive_or_recountry_a_partner(app: TestApp) {
    let r = register(&app).await;
    let path = format!("/api/v1/partners/{}", r.partner);
    acted_patch(&app, &path, json!({"archived": true})).await;
    let before = app.event_count().await;
    for patch in [
        json!({"archived": false}),
        json!({"countryCode": "FI"}),
        json!({"kind": "REGION"}),
    ] {
        let res = app
            .patch(&path)
            .officer_of("KFN")
            .if_match(2)
            .merge_patch(&patch)
            .send()
            .await;
        let body = res.assert_problem(403, "forbidden");
        let field = patch.as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(body["errors"][0]["pointer"], format!("/{field}"), "{body}");
        assert_eq!(body["errors"][0]["code"], "coordinator-only", "{body}");
    }
    assert_eq!(app.event_count().await, before);
    let now = app.get(&path).role("reader").send().await;
    assert_eq!(now.etag(), 2);
    assert_eq!(now.json()["archived"], true);
    assert_eq!(now.json()["countryCode"], "NO");
}

async fn acted_patch(app: &TestApp, path: &str, patch: Value) {
    app.patch(path)
        .role("coordinator")
        .if_match(1)
        .merge_patch(&patch)
        .send()
        .await
        .assert_status(200);
}

both!(
    read_only_fields_are_refused_on_every_create_and_nothing_is_stored,
    read_only_fields_are_refused_on_every_patch_and_nothing_changes,
    an_officer_cannot_unarchive_or_recountry_a_partner,
);

// ---------------------------------------------------------------------------------------------
// Oversized and malformed bodies
// ---------------------------------------------------------------------------------------------

/// A valid agreement of KFN with `title`.
fn agreement_body(partner: &str, title: &str) -> Value {
    json!({"title": title, "type": "OTHER", "unitCode": "KFN", "partnerIds": [partner], "purposes": ["PROFILING"]})
}

async fn agreements_stored(app: &TestApp) -> i64 {
    let res = app
        .get("/api/v1/agreements")
        .role("coordinator")
        .send()
        .await;
    res.json()["totalItems"].as_i64().unwrap()
}

async fn oversized_bodies_are_refused_and_nothing_is_stored(app: TestApp) {
    let r = register(&app).await;
    let events = app.event_count().await;
    let stored = agreements_stored(&app).await;
    let post = |body: String| {
        app.post("/api/v1/agreements")
            .officer_of("KFN")
            .raw("application/json", body)
    };
    // Over the 256 KiB body limit: a 1 MB string, 100,000 partner ids.
    let mega = agreement_body(&r.partner, &"A".repeat(1_000_000)).to_string();
    post(mega)
        .send()
        .await
        .assert_problem(413, "payload-too-large");
    let ids: Vec<String> = (0..100_000)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let mut many = agreement_body(&r.partner, "Många");
    many["partnerIds"] = json!(ids);
    post(many.to_string())
        .send()
        .await
        .assert_problem(413, "payload-too-large");
    // Within the limit, over the schema's: a string over `maxLength`, 5,000 partner ids.
    let long = agreement_body(&r.partner, &"A".repeat(200_000));
    let body = post(long.to_string())
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/title", "{body}");
    let mut several = agreement_body(&r.partner, "Många");
    several["partnerIds"] = json!(ids[..5_000]);
    let body = post(several.to_string())
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/partnerIds", "{body}");
    // A PATCH over the limit and one over `maxLength`.
    let path = format!("/api/v1/agreements/{}", id(&r.draft));
    let v = r.draft["version"].as_i64().unwrap();
    app.patch(&path)
        .officer_of("KFN")
        .if_match(v)
        .merge_patch(&json!({"description": "B".repeat(1_000_000)}))
        .send()
        .await
        .assert_problem(413, "payload-too-large");
    let body = app
        .patch(&path)
        .officer_of("KFN")
        .if_match(v)
        .merge_patch(&json!({"description": "B".repeat(100_000)}))
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(body["errors"][0]["pointer"], "/description", "{body}");
    assert_eq!(app.event_count().await, events);
    assert_eq!(agreements_stored(&app).await, stored);
}

async fn malformed_bodies_are_problem_documents_and_nothing_is_stored(app: TestApp) {
    let r = register(&app).await;
    let events = app.event_count().await;
    let stored = agreements_stored(&app).await;
    let valid = agreement_body(&r.partner, "Giltig").to_string();
    let deep = format!(
        "{{\"title\": {}1{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let deep_object = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    for (what, content_type, body, status, slug) in [
        (
            "text/plain",
            "text/plain",
            valid.clone(),
            415,
            "unsupported-media-type",
        ),
        (
            "a form",
            "application/x-www-form-urlencoded",
            "title=x".to_string(),
            415,
            "unsupported-media-type",
        ),
        (
            "XML",
            "application/xml",
            "<agreement/>".to_string(),
            415,
            "unsupported-media-type",
        ),
        (
            "invalid JSON",
            "application/json",
            "{\"title\": ".to_string(),
            400,
            "validation-failed",
        ),
        (
            "single quotes",
            "application/json",
            "{'title': 'x'}".to_string(),
            400,
            "validation-failed",
        ),
        (
            "trailing garbage",
            "application/json",
            format!("{valid} x"),
            400,
            "validation-failed",
        ),
        (
            "two documents",
            "application/json",
            format!("{valid}{valid}"),
            400,
            "validation-failed",
        ),
        (
            "nested 10,000 deep",
            "application/json",
            deep,
            400,
            "validation-failed",
        ),
        (
            "objects nested 10,000 deep",
            "application/json",
            deep_object,
            400,
            "validation-failed",
        ),
        (
            "null",
            "application/json",
            "null".to_string(),
            400,
            "validation-failed",
        ),
        (
            "an array",
            "application/json",
            format!("[{valid}]"),
            400,
            "validation-failed",
        ),
        (
            "a string",
            "application/json",
            "\"x\"".to_string(),
            400,
            "validation-failed",
        ),
        (
            "empty",
            "application/json",
            String::new(),
            400,
            "validation-failed",
        ),
        (
            "a NUL in a string",
            "application/json",
            "{\"title\": \"\u{0}\"}".to_string(),
            400,
            "validation-failed",
        ),
    ] {
        let res = app
            .post("/api/v1/agreements")
            .officer_of("KFN")
            .raw(content_type, body)
            .send()
            .await;
        assert_eq!(res.status, status, "{what}: {}", res.text());
        res.assert_problem(status, slug);
    }
    // Not UTF-8.
    let latin1: Vec<u8> = b"{\"title\": \"Bor\xe5s\"}".to_vec();
    let res = app
        .post("/api/v1/agreements")
        .officer_of("KFN")
        .raw("application/json", latin1)
        .send()
        .await;
    res.assert_problem(400, "validation-failed");
    // Numbers as strings, strings as numbers, a boolean for a list.
    for (field, value) in [
        ("sdgs", json!(["4"])),
        ("title", json!(42)),
        ("partnerIds", json!(true)),
        ("purposes", json!("PROFILING")),
    ] {
        let mut body = agreement_body(&r.partner, "Typer");
        body[field] = value;
        let problem = app
            .post("/api/v1/agreements")
            .officer_of("KFN")
            .json(&body)
            .send()
            .await
            .assert_problem(400, "validation-failed");
        let pointer = problem["errors"][0]["pointer"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            pointer.starts_with(&format!("/{field}")),
            "{field}: {problem}"
        );
    }
    assert_eq!(app.event_count().await, events);
    assert_eq!(agreements_stored(&app).await, stored);
}

both!(
    oversized_bodies_are_refused_and_nothing_is_stored,
    malformed_bodies_are_problem_documents_and_nothing_is_stored,
);

// ---------------------------------------------------------------------------------------------
// SQL injection in the text filters
// ---------------------------------------------------------------------------------------------

/// A name holding every character a probe uses, so that a literal match has a row to find.
const MARK: &str = "Märkt ' OR 1=1 -- 100% _a\\b";

const PROBES: [&str; 11] = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "%%",
    "100% _a\\",
    "\"; DROP TABLE units; --",
    "'; DROP TABLE agreements; --",
    "') OR 1=1 --",
    "x' UNION SELECT code, name FROM units --",
];

fn query(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The `field` of every item of a list as `by` sees it, all pages.
async fn listed(app: &TestApp, by: By<'_>, path: &str, field: &str) -> Vec<String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let res = by
        .on(app.get(&format!("{path}{sep}limit=100")))
        .send()
        .await;
    res.assert_status(200);
    let body = res.json();
    assert!(
        body["totalPages"].as_i64().unwrap() <= 1,
        "{path}: more than a page"
    );
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn table_sizes(app: &TestApp) -> [i64; 4] {
    use diesel::prelude::*;
    use samverkan::db::schema::{agreements, events, partners, units};
    app.with_db(|c| {
        Ok([
            units::table.count().get_result::<i64>(c)?,
            partners::table.count().get_result::<i64>(c)?,
            agreements::table.count().get_result::<i64>(c)?,
            events::table.count().get_result::<i64>(c)?,
        ])
    })
    .await
}

async fn injected_text_filters_match_literally_and_the_tables_stay(app: TestApp) {
    let r = register(&app).await;
    app.post("/api/v1/units")
        .role("admin")
        .json(&json!({"code": "MARK", "name": MARK, "type": "COMMITTEE"}))
        .send()
        .await
        .assert_status(201);
    let marked_partner = partner(&app, MARK, "CITY", "NO").await;
    agreement(
        &app,
        "KFN",
        &[&r.partner],
        json!({"title": MARK, "caseNumber": MARK}),
    )
    .await;
    let sizes = table_sizes(&app).await;
    // (the list, who reads it, the field that holds MARK, what the filter searches)
    let searched = [
        ("/api/v1/units", By::Role("reader"), "name"),
        ("/api/v1/partners", By::Role("reader"), "name"),
        ("/api/v1/agreements", By::Role("coordinator"), "title"),
        ("/api/v1/countries", By::Role("reader"), "name"),
    ];
    for probe in PROBES {
        let literal = MARK.to_lowercase().contains(&probe.to_lowercase());
        for (path, by, field) in searched {
            let found = listed(&app, by, &format!("{path}?q={}", query(probe)), field).await;
            // Countries hold no MARK: a literal match finds none of them.
            let expected: Vec<String> = if literal && path != "/api/v1/countries" {
                vec![MARK.to_string()]
            } else {
                vec![]
            };
            assert_eq!(found, expected, "{path}?q={probe}");
        }
        // Exact filters: the one row that holds MARK, only for MARK itself.
        for (path, field) in [
            ("/api/v1/agreements?caseNumber=", "title"),
            ("/api/v1/exceptions?caseNumber=", "caseNumber"),
        ] {
            let found = listed(
                &app,
                By::Role("coordinator"),
                &format!("{path}{}", query(probe)),
                field,
            )
            .await;
            assert_eq!(found, Vec::<String>::new(), "{path}{probe}");
        }
        // Code filters refuse what is not a code, or find nothing.
        for path in [
            "/api/v1/agreements?unitCode=",
            "/api/v1/exceptions?unitCode=",
            "/api/v1/units?parentCode=",
        ] {
            let res = app
                .get(&format!("{path}{}", query(probe)))
                .role("coordinator")
                .send()
                .await;
            match res.status {
                400 => {
                    res.assert_problem(400, "validation-failed");
                }
                200 => assert_eq!(res.json()["totalItems"], 0, "{path}{probe}"),
                other => panic!("{path}{probe}: {other} {}", res.text()),
            }
        }
    }
    let by_case = listed(
        &app,
        By::Role("coordinator"),
        &format!("/api/v1/agreements?caseNumber={}", query(MARK)),
        "title",
    )
    .await;
    assert_eq!(by_case, vec![MARK.to_string()]);
    // Every probe in a path segment is a 404 or a 400, never a row.
    for probe in PROBES {
        for path in ["/api/v1/agreements/", "/api/v1/partners/", "/api/v1/units/"] {
            let res = app
                .get(&format!("{path}{}", query(probe).replace('+', "%20")))
                .role("coordinator")
                .send()
                .await;
            assert!(
                res.status == 404 || res.status == 400,
                "{path}{probe}: {} {}",
                res.status,
                res.text()
            );
        }
    }
    // Nothing was written and every table is still there, as large as before.
    assert_eq!(table_sizes(&app).await, sizes);
    let p = app
        .get(&format!("/api/v1/partners/{marked_partner}"))
        .role("reader")
        .send()
        .await;
    assert_eq!(p.json()["name"], MARK);
}

both!(injected_text_filters_match_literally_and_the_tables_stay);

/// A member given twice in one object is refused at its pointer (RFC 8259 leaves its meaning open:
/// a proxy reading the first and the service the last would see two requests), in a create, in a
/// nested object and in a merge patch; nothing is stored.
async fn a_member_given_twice_is_refused_and_nothing_is_stored(app: TestApp) {
    let r = register(&app).await;
    let events = app.event_count().await;
    let valid = agreement_body(&r.partner, "Dubbel").to_string();
    let inner = valid.trim_start_matches('{').trim_end_matches('}');
    for (body, pointer) in [
        (format!("{{\"unitCode\": \"SKOL\", {inner}}}"), "/unitCode"),
        (
            format!(
                "{{{inner}, \"fundings\": [{{\"source\": \"MUNICIPAL\", \"source\": \"EU\"}}]}}"
            ),
            "/fundings/0/source",
        ),
    ] {
        let res = app
            .post("/api/v1/agreements")
            .officer_of("KFN")
            .raw("application/json", body.clone())
            .send()
            .await;
        let problem = res.assert_problem(400, "validation-failed");
        assert_eq!(
            problem["errors"][0]["pointer"], pointer,
            "{body}: {problem}"
        );
        assert_eq!(problem["errors"][0]["code"], "duplicate-key", "{problem}");
    }
    let path = format!("/api/v1/agreements/{}", id(&r.draft));
    let res = app
        .patch(&path)
        .officer_of("KFN")
        .if_match(r.draft["version"].as_i64().unwrap())
        .raw(
            "application/merge-patch+json",
            "{\"title\": \"Ett\", \"title\": \"Två\"}",
        )
        .send()
        .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/title", "{problem}");
    assert_eq!(app.event_count().await, events);
    let read = app.get(&path).officer_of("KFN").send().await.json();
    assert_eq!(read["title"], r.draft["title"]);
}

both!(a_member_given_twice_is_refused_and_nothing_is_stored);

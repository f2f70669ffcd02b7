//! Exports never fail: every paged list but the change feed answers `Accept: text/csv` with the
//! columns its resource declares, every row with every column whatever the item's state, the
//! same values as the JSON list, formula-like text escaped, and no secret.

mod common;
mod register;

use std::process::{Command, Stdio};
use std::sync::Arc;

use common::{Backend, TestApp, TestDatabase, TestResponse, create_unit};
use register::{
    FAILS_DEMOCRACY, MEETS, active, agreement, close, contact, country, decide, draft_assessment,
    import_indicators, partner_with, publish, request_exception, revoke, units, webhook, withdraw,
};
use serde_json::{Value, json};

/// A parsed export: the header and the rows, each as the CSV carries it.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    text: String,
}

impl Csv {
    fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }

    fn cell(&self, row: usize, name: &str) -> &str {
        &self.rows[row][self.column(name)]
    }

    /// The cells of `name` in the rows whose `id` is `id`.
    fn cell_of(&self, id: &str, name: &str) -> &str {
        let row = self
            .rows
            .iter()
            .position(|r| r[self.column("id")] == id)
            .unwrap_or_else(|| panic!("no row {id}"));
        self.cell(row, name)
    }
}

/// Parses CSV text without assuming its rows agree, so that a short row is seen, not refused.
fn parse(text: &str) -> Csv {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>());
    let header = records.next().expect("a header row");
    Csv {
        header,
        rows: records.collect(),
        text: text.to_string(),
    }
}

/// Every item of a JSON list, page by page, as `role` (or any caller `auth` makes).
async fn all_items(app: &TestApp, path: &str, auth: &Auth) -> (Vec<Value>, i64) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut page = 1;
    loop {
        let res = auth
            .apply(app.get(&format!("{path}{sep}limit=100&page={page}")))
            .send()
            .await;
        res.assert_status(200);
        let body = res.json();
        items.extend(body["items"].as_array().unwrap().iter().cloned());
        if page >= body["totalPages"].as_i64().unwrap() {
            return (items, body["totalItems"].as_i64().unwrap());
        }
        page += 1;
    }
}

/// Who calls: a role, or an officer of a unit.
enum Auth {
    Role(&'static str),
    Officer(&'static str),
}

impl Auth {
    fn apply<'a>(&self, call: common::Call<'a>) -> common::Call<'a> {
        match self {
            Auth::Role(role) => call.role(role),
            Auth::Officer(unit) => call.officer_of(unit),
        }
    }
}

async fn csv_of(app: &TestApp, path: &str, auth: &Auth) -> TestResponse {
    auth.apply(app.get(path))
        .header("Accept", "text/csv")
        .send()
        .await
}

/// The JSON value at a dotted path; `null` when a parent is null.
fn at<'a>(item: &'a Value, dotted: &str) -> &'a Value {
    let mut v = item;
    for key in dotted.split('.') {
        if v.is_null() {
            return v;
        }
        v = &v[key];
    }
    v
}

fn escaped(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// What the CSV must carry for a JSON value; `None` for lists of objects (checked by the tests
/// that build them, as their form is the export's own).
fn expected(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(escaped(s)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => Some(escaped(
            &items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(";"),
        )),
        _ => None,
    }
}

/// Exports `path` as `auth` and checks it against the JSON list: 200 with the export headers,
/// every row as long as the header, one row per item, every plain column equal to the JSON
/// field it names, and every field of the item in some column.
async fn export_matches_json(app: &TestApp, path: &str, auth: &Auth) -> Csv {
    let res = csv_of(app, path, auth).await;
    res.assert_status(200);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let disposition = res.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert_eq!(res.header("x-row-limit").as_deref(), Some("10000"));
    assert_eq!(res.header("x-truncated").as_deref(), Some("false"));
    let csv = parse(&res.text());
    for (i, row) in csv.rows.iter().enumerate() {
        assert_eq!(
            row.len(),
            csv.header.len(),
            "{path}: row {} has {} cells for {} columns",
            i + 1,
            row.len(),
            csv.header.len()
        );
    }
    let (items, total) = all_items(app, path, auth).await;
    assert_eq!(csv.rows.len() as i64, total, "{path}");
    assert_eq!(
        res.header("x-total-count").as_deref(),
        Some(total.to_string().as_str())
    );
    for (row, item) in csv.rows.iter().zip(&items) {
        for (column, cell) in csv.header.iter().zip(row) {
            if column == "partners" {
                // The agreements export names each partner of `partnerIds`, in order, by
                // id, name, country and kind.
                let ids: Vec<String> = split_list(cell).into_iter().map(|p| p[0].clone()).collect();
                assert_eq!(json!(ids), item["partnerIds"], "{path} partners of {item}");
                continue;
            }
            let value = at(item, column);
            if let Some(want) = expected(value) {
                if value.is_f64() {
                    let got: f64 = cell.parse().unwrap();
                    assert_eq!(got, value.as_f64().unwrap(), "{path} {column}");
                } else {
                    assert_eq!(cell, &want, "{path} {column} of {item}");
                }
            }
        }
        for column in &csv.header {
            let key = match column.as_str() {
                "partners" => "partnerIds",
                other => other.split('.').next().unwrap(),
            };
            assert!(
                item.get(key).is_some(),
                "{path}: the column {column} names no field"
            );
        }
        for key in item.as_object().unwrap().keys() {
            let prefix = format!("{key}.");
            assert!(
                csv.header.iter().any(|h| h == key
                    || h.starts_with(&prefix)
                    || (h == "partners" && key == "partnerIds")),
                "{path}: the field {key} has no column"
            );
        }
    }
    csv
}

/// Splits a list cell into items and their parts, decoding the three escapes (after the CSV's
/// formula escape).
fn split_list(cell: &str) -> Vec<Vec<String>> {
    samverkan::http::export::split_list(cell.strip_prefix('\'').unwrap_or(cell))
}

/// What the mixed register holds, for the checks.
struct Mixed {
    oslo: String,
    draft: String,
    compliant: String,
    review: String,
    ended: String,
    cancelled: String,
    webhook: String,
    secret: String,
}

/// A register with rows in every state: drafts, active (compliant and under review), ended and
/// cancelled agreements; published, superseded and draft assessments; requested, granted,
/// denied, withdrawn and revoked exceptions; an archived partner; Swedish letters; text that
/// a spreadsheet would take for a formula.
async fn mixed(app: &TestApp) -> Mixed {
    units(app).await;
    let formula = json!({"code": "FORMEL", "name": "=SUM(A1)", "nameEn": "@cmd", "type": "COMPANY", "validFrom": "2026-01-01"});
    register::created(app, register::By::Role("admin"), "/api/v1/units", &formula).await;
    create_unit(app, "KOF", "ADMINISTRATION", Some("KFN")).await;

    country(app, "NO", MEETS).await;
    // A second publication supersedes the first.
    publish(
        app,
        json!({"countryCode": "NO"}),
        MEETS,
        "2026-06-01",
        "2028-05-31",
    )
    .await;
    country(app, "BY", FAILS_DEMOCRACY).await;
    draft_assessment(
        app,
        json!({
            "countryCode": "DK",
            "humanRights": {"verdict": "UNCERTAIN", "rationale": "=SUM(A1) räcker inte; oklart"},
            "indicators": [{"source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total:score", "value": 97.5, "category": "Fri; 100%", "url": "https://example.org/fh/dk"}],
        }),
        MEETS,
    )
    .await;
    import_indicators(
        app,
        "countryCode,source,edition,metric,value,category,url\nNO,FREEDOM_HOUSE,2026,total-score,98,Fri (påhittad),https://example.org/fh/no\nNO,VDEM,v-test,libdem,0.815,,\n",
    )
    .await;

    let oslo = partner_with(
        app,
        "Oslo kommune",
        "NO",
        json!({"website": "https://www.oslo.kommune.no"}),
    )
    .await;
    let formula = partner_with(app, "@cmd Tromsø", "NO", json!({"kind": "ORGANISATION"})).await;
    partner_with(app, "Ålesund (arkiverad)", "NO", json!({"archived": true})).await;
    let minsk = partner_with(app, "Minsk", "BY", json!({})).await;
    publish(
        app,
        json!({"partnerId": oslo}),
        MEETS,
        "2026-02-01",
        "2027-12-31",
    )
    .await;

    contact(
        app,
        &oslo,
        json!({"name": "Åsa Öberg", "role": "=SUM(A1)", "email": "asa@example.org", "phone": "+47 22 00 00 00", "retentionUntil": "2028-12-31"}),
    )
    .await;
    contact(
        app,
        &oslo,
        json!({"name": "Kari Nordmann", "retentionUntil": "2027-06-30"}),
    )
    .await;

    let draft = agreement(
        app,
        "KFN",
        &[&oslo, &formula],
        json!({
            "title": "=SUM(A1) utkast", "description": "Kulturutbyte i Borås och Tromsø",
            "type": "PROJECT", "purposes": ["PROJECT_COLLABORATION", "KNOWLEDGE_EXCHANGE"],
            "fundings": [
                {"source": "EU", "programme": "Interreg: Öresund; del 2 (100%)", "amount": "1500.50", "currency": "EUR"},
                {"source": "OWN", "amount": "20000.00", "currency": "SEK"},
            ],
        }),
    )
    .await;
    let compliant = agreement(app, "KFN", &[&oslo], json!({"title": "Vänort Oslo"})).await;
    let compliant = active(app, &compliant, "KFN").await;

    let review = agreement(app, "KFN", &[&minsk], json!({"title": "Minsk, granskas"})).await;
    let granted_then_revoked =
        request_exception(app, review["id"].as_str().unwrap(), &minsk, "KFN").await;
    decide(
        app,
        &granted_then_revoked,
        "GRANTED",
        Some("2026-11-20"),
        None,
    )
    .await
    .assert_status(200);
    let review = active(app, &review, "KFN").await;
    let granted: Value = app
        .get(&format!(
            "/api/v1/exceptions/{}",
            granted_then_revoked["id"].as_str().unwrap()
        ))
        .role("reader")
        .send()
        .await
        .json();
    revoke(app, &granted, "Villkoren uppfylldes inte; se § 91.").await;

    for outcome in ["GRANTED", "DENIED"] {
        let a = agreement(
            app,
            "SKOL",
            &[&minsk],
            json!({"title": format!("Minsk {outcome}")}),
        )
        .await;
        let x = request_exception(app, a["id"].as_str().unwrap(), &minsk, "SKOL").await;
        let validity = (outcome == "GRANTED").then_some("2027-11-20");
        decide(app, &x, outcome, validity.map(|_| "2026-11-20"), validity)
            .await
            .assert_status(200);
    }
    let pending = agreement(app, "SKOL", &[&minsk], json!({"title": "Minsk väntar"})).await;
    request_exception(app, pending["id"].as_str().unwrap(), &minsk, "SKOL").await;
    let withdrawn = agreement(app, "SKOL", &[&minsk], json!({"title": "Minsk återtagen"})).await;
    let x = request_exception(app, withdrawn["id"].as_str().unwrap(), &minsk, "SKOL").await;
    withdraw(app, &x, "SKOL").await;

    let ended = agreement(
        app,
        "KFN",
        &[&oslo],
        json!({"title": "Avslutat", "startDate": "2026-01-01"}),
    )
    .await;
    let ended = active(app, &ended, "KFN").await;
    let ended = close(app, &ended, "KFN", "end").await;
    let cancelled = agreement(app, "KFN", &[&oslo], json!({"title": "Avbrutet"})).await;
    let cancelled = close(app, &cancelled, "KFN", "cancel").await;

    let (webhook_id, secret) = webhook(
        app,
        json!({"url": "https://93.184.215.14/hook", "description": "=SUM(A1) Ärendesystemet", "eventTypes": ["AGREEMENT", "UNIT.CREATED"]}),
    )
    .await;
    webhook(
        app,
        json!({"url": "https://93.184.215.15/hook", "active": false}),
    )
    .await;
    deliveries(app, &webhook_id).await;

    let id = |v: &Value| v["id"].as_str().unwrap().to_string();
    Mixed {
        oslo,
        draft: id(&draft),
        compliant: id(&compliant),
        review: id(&review),
        ended: id(&ended),
        cancelled: id(&cancelled),
        webhook: webhook_id,
        secret,
    }
}

/// Deliveries in each state, written directly (sending them would need a receiver).
async fn deliveries(app: &TestApp, webhook: &str) {
    use diesel::prelude::*;
    use samverkan::db::schema::webhook_deliveries as d;
    let webhook = webhook.to_string();
    app.with_db(move |c| {
        let now = samverkan::db::now();
        for (n, status, code, error) in [
            (1, "PENDING", None, None),
            (2, "DELIVERED", Some(204), None),
            (3, "FAILED", Some(503), Some("@cmd HTTP 503")),
        ] {
            diesel::insert_into(d::table)
                .values((
                    d::id.eq(format!("0192f5d3-1a2b-7c3d-8e4f-00000000000{n}")),
                    d::webhook_id.eq(&webhook),
                    d::event_id.eq(i64::from(n)),
                    d::event_type.eq("AGREEMENT.CREATED"),
                    d::payload.eq("{}"),
                    d::status.eq(status),
                    d::attempts.eq(n),
                    d::next_attempt_at.eq(now),
                    d::last_attempt_at.eq((n > 1).then_some(now)),
                    d::last_response_code.eq(code),
                    d::last_error.eq(error),
                    d::delivered_at.eq((status == "DELIVERED").then_some(now)),
                    d::created_at.eq(now),
                    d::updated_at.eq(now),
                ))
                .execute(c)?;
        }
        Ok(())
    })
    .await;
}

async fn every_list_exports_every_row_with_every_column_whatever_its_state(app: TestApp) {
    let m = mixed(&app).await;
    let coordinator = Auth::Role("coordinator");

    let agreements = export_matches_json(&app, "/api/v1/agreements", &coordinator).await;
    assert_eq!(agreements.rows.len(), 9);
    for (id, status, compliance) in [
        (&m.draft, "DRAFT", ""),
        (&m.compliant, "ACTIVE", "COMPLIANT"),
        (&m.review, "ACTIVE", "REVIEW_REQUIRED"),
        (&m.ended, "ENDED", ""),
        (&m.cancelled, "CANCELLED", ""),
    ] {
        assert_eq!(agreements.cell_of(id, "status"), status);
        assert_eq!(agreements.cell_of(id, "compliance.status"), compliance);
    }
    assert_eq!(agreements.cell_of(&m.draft, "title"), "'=SUM(A1) utkast");
    assert_eq!(
        split_list(agreements.cell_of(&m.draft, "fundings")),
        vec![
            vec!["EU", "Interreg: Öresund; del 2 (100%)", "1500.50", "EUR"],
            vec!["OWN", "", "20000.00", "SEK"],
        ]
    );
    assert_eq!(
        split_list(agreements.cell_of(&m.review, "compliance.reasons"))[0][0],
        "EXCEPTION_REVOKED"
    );
    assert_eq!(
        split_list(agreements.cell_of(&m.draft, "partners"))[0],
        vec![
            m.oslo.clone(),
            "Oslo kommune".into(),
            "NO".into(),
            "CITY".into()
        ]
    );
    // Officers see their own unit's drafts, readers none: the export follows the list.
    let readers = export_matches_json(&app, "/api/v1/agreements", &Auth::Role("reader")).await;
    assert!(readers.rows.len() < agreements.rows.len());
    export_matches_json(&app, "/api/v1/agreements", &Auth::Officer("SKOL")).await;
    let under_review = export_matches_json(
        &app,
        "/api/v1/agreements?compliance=REVIEW_REQUIRED",
        &Auth::Role("reader"),
    )
    .await;
    assert_eq!(under_review.rows.len(), 1);

    let units = export_matches_json(&app, "/api/v1/units", &Auth::Role("reader")).await;
    assert_eq!(units.cell_of_code("FORMEL", "name"), "'=SUM(A1)");
    assert_eq!(units.cell_of_code("FORMEL", "nameEn"), "'@cmd");

    let countries = export_matches_json(&app, "/api/v1/countries", &Auth::Role("reader")).await;
    assert!(countries.rows.len() > 240);
    assert!(countries.text.contains("Norge") && countries.text.contains("Österrike"));

    let assessments = export_matches_json(&app, "/api/v1/assessments", &coordinator).await;
    let statuses: Vec<&str> = (0..assessments.rows.len())
        .map(|i| assessments.cell(i, "status"))
        .collect();
    for status in ["PUBLISHED", "SUPERSEDED", "DRAFT"] {
        assert!(statuses.contains(&status), "{statuses:?}");
    }
    let draft = statuses.iter().position(|s| *s == "DRAFT").unwrap();
    assert_eq!(
        assessments.cell(draft, "humanRights.rationale"),
        "'=SUM(A1) räcker inte; oklart"
    );
    assert_eq!(
        split_list(assessments.cell(draft, "indicators")),
        vec![vec![
            "FREEDOM_HOUSE",
            "2026",
            "total:score",
            "97.5",
            "Fri; 100%",
            "https://example.org/fh/dk",
            ""
        ]]
    );
    let published = export_matches_json(&app, "/api/v1/assessments", &Auth::Role("reader")).await;
    assert_eq!(published.rows.len(), assessments.rows.len() - 1);
    export_matches_json(
        &app,
        "/api/v1/countries/NO/assessments?includePartners=true",
        &coordinator,
    )
    .await;
    export_matches_json(
        &app,
        "/api/v1/countries/NO/indicators",
        &Auth::Role("reader"),
    )
    .await;

    let partners = export_matches_json(&app, "/api/v1/partners", &Auth::Role("reader")).await;
    assert!(partners.text.contains("'@cmd Tromsø"));
    let archived = (0..partners.rows.len())
        .filter(|&i| partners.cell(i, "archived") == "true")
        .count();
    assert_eq!(archived, 1);

    let contacts = export_matches_json(
        &app,
        &format!("/api/v1/partners/{}/contacts", m.oslo),
        &Auth::Officer("KFN"),
    )
    .await;
    assert!(contacts.text.contains("Åsa Öberg") && contacts.text.contains("'=SUM(A1)"));
    assert!(contacts.text.contains("'+47 22 00 00 00"));

    let exceptions =
        export_matches_json(&app, "/api/v1/exceptions", &Auth::Role("board_secretary")).await;
    let mut statuses: Vec<&str> = (0..exceptions.rows.len())
        .map(|i| exceptions.cell(i, "status"))
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        ["DENIED", "GRANTED", "REQUESTED", "REVOKED", "WITHDRAWN"]
    );

    let webhooks = export_matches_json(&app, "/api/v1/webhooks", &Auth::Role("admin")).await;
    assert_eq!(webhooks.rows.len(), 2);
    assert_eq!(
        webhooks.cell_of(&m.webhook, "description"),
        "'=SUM(A1) Ärendesystemet"
    );
    assert!(!webhooks.text.contains(&m.secret) && !webhooks.text.contains("whsec_"));
    let deliveries = export_matches_json(
        &app,
        &format!("/api/v1/webhooks/{}/deliveries", m.webhook),
        &Auth::Role("admin"),
    )
    .await;
    assert_eq!(deliveries.rows.len(), 3);
    assert!(deliveries.text.contains("'@cmd HTTP 503"));
    assert!(!deliveries.text.contains(&m.secret));
}

impl Csv {
    fn cell_of_code(&self, code: &str, name: &str) -> &str {
        let row = self
            .rows
            .iter()
            .position(|r| r[self.column("code")] == code)
            .unwrap_or_else(|| panic!("no row {code}"));
        self.cell(row, name)
    }
}

/// The columns do not depend on the rows: an empty list still has its header, and a list whose
/// first item is a draft has the same columns as one whose first item is active.
async fn the_columns_are_the_same_whatever_the_first_row(app: TestApp) {
    units(&app).await;
    let empty = csv_of(&app, "/api/v1/agreements", &Auth::Role("reader")).await;
    empty.assert_status(200);
    let empty = parse(&empty.text());
    assert!(empty.rows.is_empty());
    country(&app, "NO", MEETS).await;
    let oslo = partner_with(&app, "Oslo", "NO", json!({})).await;
    let draft = agreement(&app, "KFN", &[&oslo], json!({})).await;
    let first_draft = parse(
        &csv_of(&app, "/api/v1/agreements", &Auth::Role("coordinator"))
            .await
            .text(),
    );
    active(&app, &draft, "KFN").await;
    let first_active = parse(
        &csv_of(&app, "/api/v1/agreements", &Auth::Role("coordinator"))
            .await
            .text(),
    );
    assert_eq!(empty.header, first_draft.header);
    assert_eq!(first_draft.header, first_active.header);
    assert!(empty.header.iter().any(|h| h == "compliance.status"));
}

both!(
    every_list_exports_every_row_with_every_column_whatever_its_state,
    the_columns_are_the_same_whatever_the_first_row,
);

// The demo register, exported by every role.

fn seed_demo(database: &TestDatabase) {
    let dir = std::env::temp_dir().join("samverkan-export-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .args(["seed", "--demo"])
        .current_dir(&dir)
        .env_clear()
        .env("DATABASE_URL", &database.raw_url)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn on_the_demo_register_every_list_exports_for_every_role_that_may_read_it(backend: Backend) {
    let database = Arc::new(TestDatabase::create(backend));
    seed_demo(&database);
    let app = TestApp::start_on(backend, database.clone()).await;
    let (webhook_id, _) = webhook(
        &app,
        json!({"url": "https://93.184.215.14/hook", "description": "Ärendesystemet"}),
    )
    .await;
    let partner = all_items(&app, "/api/v1/partners", &Auth::Role("reader"))
        .await
        .0[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let everybody: &[&str] = &[
        "reader",
        "officer",
        "coordinator",
        "board_secretary",
        "admin",
    ];
    let contact_readers: &[&str] = &["officer", "coordinator", "board_secretary"];
    let admins: &[&str] = &["admin"];
    let lists: Vec<(String, &[&str])> = vec![
        ("/api/v1/units".into(), everybody),
        ("/api/v1/countries".into(), everybody),
        ("/api/v1/countries/NO/assessments".into(), everybody),
        ("/api/v1/countries/NO/indicators".into(), everybody),
        ("/api/v1/assessments".into(), everybody),
        ("/api/v1/partners".into(), everybody),
        (
            format!("/api/v1/partners/{partner}/contacts"),
            contact_readers,
        ),
        ("/api/v1/agreements".into(), everybody),
        ("/api/v1/exceptions".into(), everybody),
        ("/api/v1/webhooks".into(), admins),
        (format!("/api/v1/webhooks/{webhook_id}/deliveries"), admins),
    ];
    let mut exported = 0;
    for (path, readers) in &lists {
        for role in everybody {
            let auth = if *role == "officer" {
                Auth::Officer("KFN")
            } else {
                Auth::Role(role)
            };
            if readers.contains(role) {
                let csv = export_matches_json(&app, path, &auth).await;
                exported += csv.rows.len();
            } else {
                csv_of(&app, path, &auth)
                    .await
                    .assert_problem(403, "forbidden");
            }
        }
    }
    assert!(exported > 1000, "{exported}");
    // The reports keep their sectioned CSV.
    for path in ["/api/v1/reports/summary", "/api/v1/reports/compliance"] {
        for role in everybody {
            let auth = if *role == "officer" {
                Auth::Officer("KFN")
            } else {
                Auth::Role(role)
            };
            let res = csv_of(&app, path, &auth).await;
            res.assert_status(200);
            let csv = parse(&res.text());
            assert!(!csv.rows.is_empty(), "{path}");
            assert!(
                csv.rows.iter().all(|r| r.len() == csv.header.len()),
                "{path}"
            );
        }
    }
}

on_both!(on_the_demo_register_every_list_exports_for_every_role_that_may_read_it);

// The workbooks: the same rows as the CSV, typed, labelled in the response's language.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime};
use samverkan::http::export::{Column, Export, Kind, XLSX};
use samverkan::text::{Lang, Text};

/// A parsed workbook: each sheet's name, header labels and rows of typed cells, and the XML of
/// every sheet (for what calamine does not read: the frozen pane, the autofilter, formulas).
struct Book {
    sheets: Vec<Sheet>,
    xml: Vec<String>,
}

struct Sheet {
    name: String,
    header: Vec<String>,
    rows: Vec<Vec<Data>>,
}

fn read_book(bytes: &[u8]) -> Book {
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        assert_eq!(range.start(), Some((0, 0)), "{name} starts at A1");
        let width = range.width();
        let cell = |r: usize, c: usize| range.get((r, c)).cloned().unwrap_or(Data::Empty);
        let header = (0..width)
            .map(|c| match cell(0, c) {
                Data::String(s) => s,
                other => panic!("{name}: a header cell that is not text: {other:?}"),
            })
            .collect();
        let rows = (1..range.height())
            .map(|r| (0..width).map(|c| cell(r, c)).collect())
            .collect();
        sheets.push(Sheet { name, header, rows });
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = Vec::new();
    for n in 1..=sheets.len() {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap(),
            &mut text,
        )
        .unwrap();
        xml.push(text);
    }
    Book { sheets, xml }
}

/// An Excel serial date-time (days since 1899-12-30), to the millisecond.
fn serial(x: f64) -> NaiveDateTime {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    epoch + Duration::milliseconds((x * 86_400_000.0).round() as i64)
}

/// Whether a workbook cell holds what the CSV cell says, with the type its column declares.
fn same_cell(kind: Kind, csv: &str, cell: &Data) -> Result<(), String> {
    let fault = || Err(format!("{kind:?} column: CSV {csv:?}, workbook {cell:?}"));
    match (kind, cell) {
        (_, Data::Empty) if csv.is_empty() => Ok(()),
        (Kind::Text | Kind::List, Data::String(s)) if escaped(s) == csv => Ok(()),
        (Kind::Date, Data::DateTime(d))
            if d.is_datetime() && serial(d.as_f64()).format("%Y-%m-%d").to_string() == csv =>
        {
            Ok(())
        }
        (Kind::Timestamp, Data::DateTime(d)) if d.is_datetime() => {
            let want = DateTime::parse_from_rfc3339(csv).unwrap().naive_utc();
            let got = serial(d.as_f64());
            if (got - want).num_milliseconds().abs() <= 1 {
                Ok(())
            } else {
                fault()
            }
        }
        (Kind::Integer, Data::Float(x)) if csv.parse::<i64>().ok() == Some(*x as i64) => Ok(()),
        (Kind::Integer, Data::Int(x)) if csv.parse::<i64>().ok() == Some(*x) => Ok(()),
        (Kind::Decimal, Data::Float(x))
            if csv.parse::<f64>().is_ok_and(|want| (want - x).abs() < 1e-9) =>
        {
            Ok(())
        }
        (Kind::Boolean, Data::Bool(b)) if b.to_string() == csv => Ok(()),
        _ => fault(),
    }
}

/// The labels of `columns` in `lang`, as the workbook's header must read.
fn labels(columns: &[Column], lang: Lang) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            Text::ColumnLabel {
                name: c.name.to_string(),
            }
            .render(lang)
        })
        .collect()
}

/// Checks one sheet against CSV rows: the labels, one row per CSV row, every cell equal and typed.
fn sheet_matches(what: &str, sheet: &Sheet, columns: &[Column], csv: &[Vec<String>], lang: Lang) {
    assert_eq!(sheet.header, labels(columns, lang), "{what}: the header");
    assert_eq!(sheet.rows.len(), csv.len(), "{what}: the rows");
    for (i, (row, csv_row)) in sheet.rows.iter().zip(csv).enumerate() {
        for ((column, cell), text) in columns.iter().zip(row).zip(csv_row) {
            if let Err(e) = same_cell(column.kind, text, cell) {
                panic!("{what}, row {}, {}: {e}", i + 2, column.name);
            }
        }
    }
}

/// The frozen header row and the autofilter over it, in every sheet; and no formula anywhere.
fn frozen_and_filtered(what: &str, book: &Book) {
    for (sheet, xml) in book.sheets.iter().zip(&book.xml) {
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{what}/{}: no frozen header row in {xml:.600}",
            sheet.name
        );
        let last = sheet.header.len();
        let column = if last <= 26 {
            ((b'A' + last as u8 - 1) as char).to_string()
        } else {
            format!(
                "{}{}",
                (b'A' + ((last - 1) / 26) as u8 - 1) as char,
                (b'A' + ((last - 1) % 26) as u8) as char
            )
        };
        let filter = format!(r#"<autoFilter ref="A1:{column}{}"/>"#, sheet.rows.len() + 1);
        assert!(xml.contains(&filter), "{what}/{}: no {filter}", sheet.name);
        assert!(!xml.contains("<f>"), "{what}: a formula cell");
    }
}

fn as_of<'a>(auth: &Auth, call: common::Call<'a>) -> common::Call<'a> {
    auth.apply(call)
}

/// Fetches `path` as CSV and as a workbook (by `Accept`, and by `?format=`), and checks that the
/// workbook holds the CSV's rows: the same headers of the export, one sheet named after the list,
/// labels in `lang`, every cell equal and typed as its column, frozen and filtered.
async fn workbook_matches_csv(
    app: &TestApp,
    path: &str,
    auth: &Auth,
    columns: &[Column],
    lang: Lang,
) -> Book {
    let language = if lang == Lang::Sv { "sv" } else { "en" };
    let csv = as_of(auth, app.get(path))
        .header("Accept", "text/csv")
        .header("Accept-Language", language)
        .send()
        .await;
    csv.assert_status(200);
    let csv_rows = parse(&csv.text()).rows;
    let sep = if path.contains('?') { '&' } else { '?' };
    for (accept, query) in [(XLSX, ""), ("application/json", "format=xlsx")] {
        let uri = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}{sep}{query}")
        };
        let res = as_of(auth, app.get(&uri))
            .header("Accept", accept)
            .header("Accept-Language", language)
            .send()
            .await;
        res.assert_status(200);
        assert_eq!(res.header("content-type").as_deref(), Some(XLSX), "{uri}");
        for header in ["x-total-count", "x-row-limit", "x-truncated"] {
            assert_eq!(res.header(header), csv.header(header), "{uri}: {header}");
        }
        let disposition = csv.header("content-disposition").unwrap();
        assert_eq!(
            res.header("content-disposition").unwrap(),
            disposition.replace(".csv\"", ".xlsx\""),
            "{uri}"
        );
        if query.is_empty() {
            let book = read_book(&res.body);
            assert_eq!(book.sheets.len(), 1, "{uri}");
            sheet_matches(&uri, &book.sheets[0], columns, &csv_rows, lang);
            frozen_and_filtered(&uri, &book);
            return book;
        }
    }
    unreachable!()
}

/// Every exporting list of the mixed register, with its columns and the roles that may read it.
fn lists(m: &Mixed) -> Vec<(String, &'static [Column], &'static [&'static str])> {
    const EVERYBODY: &[&str] = &[
        "reader",
        "officer",
        "coordinator",
        "board_secretary",
        "admin",
    ];
    const CONTACT_READERS: &[&str] = &["officer", "coordinator", "board_secretary"];
    const ADMINS: &[&str] = &["admin"];
    use samverkan::{
        agreements::Agreement, assessments::Assessment, contacts::Contact, countries::Country,
        exceptions::Exception, indicators::Indicator, partners::Partner, units::Unit,
        webhooks::Delivery, webhooks::Webhook,
    };
    vec![
        ("/api/v1/units".into(), Unit::COLUMNS, EVERYBODY),
        ("/api/v1/countries".into(), Country::COLUMNS, EVERYBODY),
        (
            "/api/v1/countries/NO/assessments?includePartners=true".into(),
            Assessment::COLUMNS,
            EVERYBODY,
        ),
        (
            "/api/v1/countries/NO/indicators".into(),
            Indicator::COLUMNS,
            EVERYBODY,
        ),
        ("/api/v1/assessments".into(), Assessment::COLUMNS, EVERYBODY),
        ("/api/v1/partners".into(), Partner::COLUMNS, EVERYBODY),
        (
            format!("/api/v1/partners/{}/contacts", m.oslo),
            Contact::COLUMNS,
            CONTACT_READERS,
        ),
        ("/api/v1/agreements".into(), Agreement::COLUMNS, EVERYBODY),
        ("/api/v1/exceptions".into(), Exception::COLUMNS, EVERYBODY),
        ("/api/v1/webhooks".into(), Webhook::COLUMNS, ADMINS),
        (
            format!("/api/v1/webhooks/{}/deliveries", m.webhook),
            Delivery::COLUMNS,
            ADMINS,
        ),
    ]
}

fn auth_of(role: &'static str) -> Auth {
    if role == "officer" {
        Auth::Officer("KFN")
    } else {
        Auth::Role(role)
    }
}

/// Every list and both reports of a register in every state, for every role that may read them:
/// the JSON, the CSV and the workbook hold the same rows and values; the workbook's cells are
/// typed; a role that may not read a list gets 403 for the workbook too.
async fn every_list_and_report_is_the_same_in_json_csv_and_xlsx_for_every_role(app: TestApp) {
    let m = mixed(&app).await;
    let everybody = [
        "reader",
        "officer",
        "coordinator",
        "board_secretary",
        "admin",
    ];
    for (path, columns, readers) in lists(&m) {
        for role in everybody {
            let auth = auth_of(role);
            if readers.contains(&role) {
                export_matches_json(&app, &path, &auth).await;
                workbook_matches_csv(&app, &path, &auth, columns, Lang::En).await;
            } else {
                for query in ["", "?format=xlsx"] {
                    auth.apply(app.get(&format!("{path}{query}")))
                        .header("Accept", XLSX)
                        .send()
                        .await
                        .assert_problem(403, "forbidden");
                }
            }
        }
    }
    use samverkan::reports::routes::{
        COMPLIANCE_COLUMNS, COMPLIANCE_SECTIONS, SUMMARY_COLUMNS, SUMMARY_SECTIONS,
    };
    for (path, columns, sections) in [
        ("/api/v1/reports/summary", SUMMARY_COLUMNS, SUMMARY_SECTIONS),
        (
            "/api/v1/reports/compliance",
            COMPLIANCE_COLUMNS,
            COMPLIANCE_SECTIONS,
        ),
    ] {
        for role in everybody {
            for lang in [Lang::En, Lang::Sv] {
                report_matches(&app, path, &auth_of(role), columns, sections, lang).await;
            }
        }
    }
}

/// A report's workbook against its CSV: one sheet per section, in order, named in `lang`, each
/// holding the CSV rows of that section, typed.
async fn report_matches(
    app: &TestApp,
    path: &str,
    auth: &Auth,
    columns: &[Column],
    sections: &[&str],
    lang: Lang,
) -> Book {
    let language = if lang == Lang::Sv { "sv" } else { "en" };
    let csv = auth
        .apply(app.get(path))
        .header("Accept", "text/csv")
        .header("Accept-Language", language)
        .send()
        .await;
    csv.assert_status(200);
    let csv = parse(&csv.text());
    let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
    assert_eq!(csv.header, names, "{path}");
    let sep = if path.contains('?') { '&' } else { '?' };
    let res = auth
        .apply(app.get(&format!("{path}{sep}format=xlsx")))
        .header("Accept-Language", language)
        .send()
        .await;
    res.assert_status(200);
    assert_eq!(res.header("content-type").as_deref(), Some(XLSX));
    assert!(
        res.header("content-disposition")
            .unwrap()
            .ends_with("-report.xlsx\""),
        "{path}"
    );
    let book = read_book(&res.body);
    let sheet_names: Vec<String> = book.sheets.iter().map(|s| s.name.clone()).collect();
    let want: Vec<String> = sections
        .iter()
        .map(|code| {
            Text::ReportSection {
                code: code.to_string(),
            }
            .render(lang)
        })
        .collect();
    assert_eq!(sheet_names, want, "{path}");
    let mut rows = 0;
    for (sheet, section) in book.sheets.iter().zip(sections) {
        let of_section: Vec<Vec<String>> = csv
            .rows
            .iter()
            .filter(|r| r[0] == *section)
            .cloned()
            .collect();
        rows += of_section.len();
        sheet_matches(
            &format!("{path} {section}"),
            sheet,
            columns,
            &of_section,
            lang,
        );
    }
    assert_eq!(rows, csv.rows.len(), "{path}: a row in no section");
    frozen_and_filtered(path, &book);
    book
}

/// What the workbook holds for people: formula-like text as text (and escaped in the CSV),
/// typed dates, amounts and booleans, labels in Swedish or English.
async fn the_workbook_is_typed_labelled_and_never_runs_text(app: TestApp) {
    let m = mixed(&app).await;
    let coordinator = Auth::Role("coordinator");
    let columns = samverkan::agreements::Agreement::COLUMNS;
    let en =
        workbook_matches_csv(&app, "/api/v1/agreements", &coordinator, columns, Lang::En).await;
    let sv =
        workbook_matches_csv(&app, "/api/v1/agreements", &coordinator, columns, Lang::Sv).await;
    let (en, sv) = (&en.sheets[0], &sv.sheets[0]);
    assert_eq!(en.name, "agreements");
    for (label_en, label_sv) in [
        ("Case number", "Diarienummer"),
        ("Start date", "Startdatum"),
        ("Compliance", "Efterlevnad"),
        ("Partners", "Samarbetsparter"),
    ] {
        assert!(en.header.iter().any(|h| h == label_en), "{:?}", en.header);
        assert!(sv.header.iter().any(|h| h == label_sv), "{:?}", sv.header);
    }
    let col = |name: &str| columns.iter().position(|c| c.name == name).unwrap();
    let row = |id: &str| {
        en.rows
            .iter()
            .find(|r| r[col("id")] == Data::String(id.to_string()))
            .unwrap()
    };
    // Formula-like text is a string cell, as written, never a formula.
    assert_eq!(
        row(&m.draft)[col("title")],
        Data::String("=SUM(A1) utkast".into())
    );
    assert!(matches!(row(&m.draft)[col("createdAt")], Data::DateTime(_)));
    assert!(matches!(row(&m.draft)[col("version")], Data::Float(_)));
    assert_eq!(row(&m.draft)[col("boundByPolicy")], Data::Bool(true));
    assert_eq!(row(&m.draft)[col("activatedAt")], Data::Empty);
    assert!(matches!(row(&m.ended)[col("startDate")], Data::DateTime(d) if d.is_datetime()));
    assert!(matches!(row(&m.ended)[col("endedAt")], Data::DateTime(_)));
    assert_eq!(
        row(&m.compliant)[col("compliance.status")],
        Data::String("COMPLIANT".into())
    );
    assert_eq!(row(&m.cancelled)[col("compliance.status")], Data::Empty);

    // The units' formula text, and @-text, stay text; the CSV escapes them.
    let units = workbook_matches_csv(
        &app,
        "/api/v1/units",
        &Auth::Role("reader"),
        samverkan::units::Unit::COLUMNS,
        Lang::Sv,
    )
    .await;
    let formula = units.sheets[0]
        .rows
        .iter()
        .find(|r| r[0] == Data::String("FORMEL".into()))
        .unwrap();
    assert_eq!(formula[1], Data::String("=SUM(A1)".into()));
    assert_eq!(formula[2], Data::String("@cmd".into()));
    assert_eq!(units.sheets[0].header[0], "Kod");

    // An indicator's value is a number.
    let indicators = workbook_matches_csv(
        &app,
        "/api/v1/countries/NO/indicators",
        &Auth::Role("reader"),
        samverkan::indicators::Indicator::COLUMNS,
        Lang::En,
    )
    .await;
    let value = samverkan::indicators::Indicator::COLUMNS
        .iter()
        .position(|c| c.name == "value")
        .unwrap();
    let values: Vec<&Data> = indicators.sheets[0]
        .rows
        .iter()
        .map(|r| &r[value])
        .collect();
    assert!(values.contains(&&Data::Float(0.815)), "{values:?}");

    // The summary's amounts are numbers, its dates dates.
    let summary = report_matches(
        &app,
        "/api/v1/reports/summary?unitCode=KFN",
        &Auth::Role("reader"),
        samverkan::reports::routes::SUMMARY_COLUMNS,
        samverkan::reports::routes::SUMMARY_SECTIONS,
        Lang::Sv,
    )
    .await;
    assert_eq!(summary.sheets[0].name, "Period");
    assert_eq!(summary.sheets[7].name, "Vänorter");
    assert!(matches!(summary.sheets[0].rows[0][7], Data::DateTime(_)));
    assert!(matches!(summary.sheets[1].rows[0][3], Data::Float(x) if x >= 2.0));

    // `?format=csv` and `?format=json` choose as `Accept` does; another value is refused.
    let csv = app
        .get("/api/v1/units?format=csv")
        .role("reader")
        .send()
        .await;
    csv.assert_status(200);
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let json = app
        .get("/api/v1/units?format=json&limit=1")
        .role("reader")
        .header("Accept", XLSX)
        .send()
        .await;
    json.assert_status(200);
    assert_eq!(json.json()["limit"], 1);
    let report = app
        .get("/api/v1/reports/compliance?format=csv")
        .role("reader")
        .send()
        .await;
    assert_eq!(
        report.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    for path in [
        "/api/v1/units?format=pdf",
        "/api/v1/reports/summary?format=XLSX",
    ] {
        let problem = app
            .get(path)
            .role("reader")
            .send()
            .await
            .assert_problem(400, "validation-failed");
        assert_eq!(problem["errors"][0]["pointer"], "/query/format", "{path}");
    }
}

/// At most 10,000 rows in CSV and in XLSX alike, and the same headers saying so.
async fn a_workbook_is_capped_at_the_csv_limit_with_the_same_headers(app: TestApp) {
    use diesel::prelude::*;
    // One statement per thousand rows, in SQL both databases read (a batch insert through the
    // connection enum is not supported).
    app.with_db(|c| {
        for chunk in (0..10_001).collect::<Vec<u32>>().chunks(1000) {
            let values = chunk
                .iter()
                .map(|n| {
                    format!(
                        "('E{n:05}', 'Enhet {n} på Öland', 'ADMINISTRATION', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            diesel::sql_query(format!(
                "INSERT INTO units (code, name, unit_type, version, created_at, updated_at) VALUES {values}"
            ))
            .execute(c)?;
        }
        Ok(())
    })
    .await;
    let csv = app
        .get("/api/v1/units")
        .role("reader")
        .header("Accept", "text/csv")
        .send()
        .await;
    let xlsx = app
        .get("/api/v1/units?format=xlsx")
        .role("reader")
        .send()
        .await;
    for res in [&csv, &xlsx] {
        res.assert_status(200);
        assert_eq!(res.header("x-total-count").as_deref(), Some("10001"));
        assert_eq!(res.header("x-row-limit").as_deref(), Some("10000"));
        assert_eq!(res.header("x-truncated").as_deref(), Some("true"));
    }
    let csv = parse(&csv.text());
    let book = read_book(&xlsx.body);
    assert_eq!(csv.rows.len(), 10_000);
    sheet_matches(
        "units",
        &book.sheets[0],
        samverkan::units::Unit::COLUMNS,
        &csv.rows,
        Lang::En,
    );
    frozen_and_filtered("units", &book);
}

both!(
    every_list_and_report_is_the_same_in_json_csv_and_xlsx_for_every_role,
    the_workbook_is_typed_labelled_and_never_runs_text,
    a_workbook_is_capped_at_the_csv_limit_with_the_same_headers,
);

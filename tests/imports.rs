//! Importing the register a city already keeps (`POST /imports/agreements`): an export of one
//! register imports into another, as CSV and as a workbook; a file with a fault changes nothing
//! and says where each fault is; a dry run writes nothing and reports what the import does;
//! ACTIVE rows pass the activation rules or refuse the file; coordinators and admins only.

mod common;
mod register;

use common::{TestApp, TestResponse};
use register::{MEETS, active, agreement, close, country, in_days, partner_with, units};
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "title,type,unitCode,partners,purposes,sdgs,fundings,startDate,endDate,caseNumber,status,endReason,cancelReason";

async fn import(
    app: &TestApp,
    content_type: &str,
    body: impl Into<actix_web::web::Bytes>,
) -> TestResponse {
    app.post("/api/v1/imports/agreements")
        .role("coordinator")
        .raw(content_type, body)
        .send()
        .await
}

async fn import_csv(app: &TestApp, csv: &str) -> TestResponse {
    import(app, "text/csv", csv.to_string()).await
}

/// Units and the published country assessments both registers share (units, assessments and
/// exceptions are not imported: they exist first).
async fn groundwork(app: &TestApp) {
    units(app).await;
    country(app, "NO", MEETS).await;
    country(app, "FI", MEETS).await;
}

/// How many agreements, partners and events the register holds.
async fn counts(app: &TestApp) -> (i64, i64, i64) {
    let total = |path: &'static str| async move {
        let res = app.get(path).role("coordinator").send().await;
        res.assert_status(200);
        res.json()["totalItems"].as_i64().unwrap()
    };
    (
        total("/api/v1/agreements").await,
        total("/api/v1/partners").await,
        app.event_count().await,
    )
}

/// Every agreement as the coordinator sees it, by title, with its partners named by name,
/// country and kind instead of ids, and only the fields an import carries over.
async fn comparable(app: &TestApp) -> Vec<Value> {
    let res = app
        .get("/api/v1/partners?limit=100")
        .role("coordinator")
        .send()
        .await;
    res.assert_status(200);
    let partners = res.json()["items"].as_array().unwrap().clone();
    let named = |id: &Value| {
        let p = partners.iter().find(|p| &p["id"] == id).unwrap();
        json!([p["name"], p["countryCode"], p["kind"]])
    };
    let res = app
        .get("/api/v1/agreements?limit=100")
        .role("coordinator")
        .send()
        .await;
    res.assert_status(200);
    let mut out: Vec<Value> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut kept = json!({});
            for field in [
                "title",
                "description",
                "type",
                "unitCode",
                "purposes",
                "sdgs",
                "fundings",
                "externalFundingNotPossibleReason",
                "startDate",
                "endDate",
                "caseNumber",
                "status",
                "endReason",
                "cancelReason",
            ] {
                kept[field] = a[field].clone();
            }
            kept["partners"] = a["partnerIds"]
                .as_array()
                .unwrap()
                .iter()
                .map(named)
                .collect();
            kept
        })
        .collect();
    out.sort_by_key(|a| a["title"].as_str().unwrap().to_string());
    out
}

/// A register with a draft (Swedish letters, formula-like text, separators in a funding line), an
/// active agreement with two partners, an ended and a cancelled one.
async fn mixed_register(app: &TestApp) {
    groundwork(app).await;
    let oslo = partner_with(app, "Oslo kommune", "NO", json!({})).await;
    let turku = partner_with(app, "Åbo stad", "FI", json!({})).await;
    let formula = partner_with(
        app,
        "=cmd Tromsø; «nätverk»",
        "NO",
        json!({"kind": "NETWORK"}),
    )
    .await;
    agreement(
        app,
        "KFN",
        &[&formula],
        json!({
            "title": "=SUM(A1) Vänort i Tromsø: kultur; skola",
            "description": "Utbyte mellan bibliotek, äldreomsorg och kör.\nTvå rader.",
            "fundings": [
                {"source": "EU", "programme": "Interreg: Öresund; del 2 (100%)", "amount": "1500.50", "currency": "EUR"},
                {"source": "OWN", "amount": "20000.00", "currency": "SEK"}
            ],
            "caseNumber": "KS 2026-00077",
        }),
    )
    .await;
    let two = agreement(
        app,
        "KFN",
        &[&oslo, &turku],
        json!({"title": "Projekt med Oslo och Åbo", "type": "PROJECT", "purposes": ["PROJECT_COLLABORATION"], "sdgs": [17]}),
    )
    .await;
    active(app, &two, "KFN").await;
    let past = agreement(
        app,
        "SKOL",
        &[&oslo],
        json!({"title": "Skolutbyte som avslutats", "startDate": in_days(-400), "endDate": null}),
    )
    .await;
    let ended = active(app, &past, "SKOL").await;
    let path = format!("/api/v1/agreements/{}/end", ended["id"].as_str().unwrap());
    let res = app
        .post(&path)
        .officer_of("SKOL")
        .if_match(ended["version"].as_i64().unwrap())
        .json(&json!({"endDate": in_days(-10), "reason": "Programmet är slutfört."}))
        .send()
        .await;
    res.assert_status(200);
    let dropped = agreement(app, "KFN", &[&turku], json!({"title": "Avbrutet utbyte"})).await;
    close(app, &dropped, "KFN", "cancel").await;
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The export as a workbook in the export's columns, as a person's spreadsheet holds it: dates
/// as date cells, a single goal and the version as numbers, text unescaped.
fn workbook_of(export: &str) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let rows = csv_rows(export);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let header = rows[0].clone();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, column) = (r as u32, c as u16);
            let name = header[c].as_str();
            let day = (r > 0 && (name == "startDate" || name == "endDate") && !cell.is_empty())
                .then(|| chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").unwrap());
            if let Some(d) = day {
                use chrono::Datelike;
                let value =
                    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                        .unwrap();
                sheet
                    .write_datetime_with_format(r, column, &value, &date)
                    .unwrap();
            } else if r > 0 && (name == "sdgs" || name == "version") && cell.parse::<f64>().is_ok()
            {
                sheet
                    .write_number(r, column, cell.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                let text = match cell.strip_prefix('\'') {
                    Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
                    _ => cell.as_str(),
                };
                sheet.write_string(r, column, text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn an_export_of_one_register_imports_into_another(app: TestApp) {
    mixed_register(&app).await;
    let res = app
        .get("/api/v1/agreements")
        .role("coordinator")
        .header("Accept", "text/csv")
        .send()
        .await;
    res.assert_status(200);
    let export = res.text();
    let original = comparable(&app).await;
    assert_eq!(original.len(), 4);

    // The service's own workbook, headed by labels in the response language, imports as well.
    let mut workbooks = Vec::new();
    for language in ["en", "sv"] {
        let res = app
            .get("/api/v1/agreements?format=xlsx")
            .role("coordinator")
            .header("Accept-Language", language)
            .send()
            .await;
        res.assert_status(200);
        workbooks.push(res.body.to_vec());
    }
    for (content_type, body) in [
        ("text/csv", export.clone().into_bytes()),
        (XLSX, workbook_of(&export)),
        (XLSX, workbooks[0].clone()),
        (XLSX, workbooks[1].clone()),
    ] {
        let other = TestApp::start(app.backend).await;
        groundwork(&other).await;
        let res = import(&other, content_type, body).await;
        res.assert_status(201);
        let summary = res.json();
        assert_eq!(summary["dryRun"], false);
        assert_eq!(
            summary["agreements"],
            json!({"total": 4, "draft": 1, "active": 1, "ended": 1, "cancelled": 1}),
            "{content_type}"
        );
        assert_eq!(summary["partners"], json!({"created": 3, "matched": 0}));
        assert_eq!(comparable(&other).await, original, "{content_type}");
        // The active one came in as it was kept elsewhere: retroactively.
        let res = other
            .get("/api/v1/agreements?status=ACTIVE")
            .role("reader")
            .send()
            .await;
        let items = res.json()["items"].clone();
        assert_eq!(items[0]["registeredRetroactively"], true);
        assert_eq!(items[0]["activatedBy"], "coordinator-user");
        // Every record has its event: 3 partners; 4 agreements created, one activated, one
        // ended, one cancelled.
        let feed = other
            .get("/api/v1/events?limit=500")
            .role("coordinator")
            .send()
            .await;
        feed.assert_status(200);
        let actions: Vec<(String, String)> = feed.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entityType"] == "AGREEMENT" || e["entityType"] == "PARTNER")
            .map(|e| {
                (
                    e["entityType"].as_str().unwrap().to_string(),
                    e["action"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let count = |t: &str, a: &str| actions.iter().filter(|(x, y)| x == t && y == a).count();
        assert_eq!(count("PARTNER", "CREATED"), 3);
        assert_eq!(count("AGREEMENT", "CREATED"), 4);
        assert_eq!(count("AGREEMENT", "ACTIVATED"), 1);
        assert_eq!(count("AGREEMENT", "ENDED"), 1);
        assert_eq!(count("AGREEMENT", "CANCELLED"), 1);
    }

    // Into the same register, the partners are found by id: none created.
    let res = import_csv(&app, &export).await;
    res.assert_status(201);
    assert_eq!(res.json()["partners"], json!({"created": 0, "matched": 3}));
}

async fn a_file_with_a_bad_row_changes_nothing(app: TestApp) {
    groundwork(&app).await;
    let before = counts(&app).await;
    // Row 2 would create a partner; row 3 names a unit that does not exist.
    let file = format!(
        "{HEADER}\nNytt utbyte,KNOWLEDGE_EXCHANGE,KFN,:Bergen kommune:NO:CITY,KNOWLEDGE_EXCHANGE,4,,2027-01-01,,,DRAFT,,\nOkänd enhet,KNOWLEDGE_EXCHANGE,NOPE,:Bergen kommune:NO:CITY,,,,,,,DRAFT,,\n"
    );
    let problem = import_csv(&app, &file)
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(
        problem["errors"][0]["pointer"], "/rows/3/unitCode",
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["code"], "unknown-unit");
    assert_eq!(counts(&app).await, before);

    // Several faults, several errors, each at its row and column.
    let file = format!(
        "{HEADER}\nUtbyte,KNOWLEDGE_EXCHANGE,KFN,,,4,,2027-13-01,,,DRAFT,,\n,NOPE,KFN,,,99,EU:x,,,,ENDED,,\n"
    );
    let problem = import_csv(&app, &file)
        .await
        .assert_problem(400, "validation-failed");
    let pointers: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pointers,
        [
            ("/rows/2/startDate", "invalid-date"),
            ("/rows/3/title", "required"),
            ("/rows/3/type", "invalid-value"),
            ("/rows/3/sdgs", "invalid-sdg"),
            ("/rows/3/fundings", "invalid-funding"),
            ("/rows/3/endDate", "required"),
        ]
    );
    assert_eq!(counts(&app).await, before);

    // A column the export does not have is refused in the header.
    let problem = import_csv(
        &app,
        "title,type,unitCode,status,colour\nA,PROJECT,KFN,DRAFT,red\n",
    )
    .await
    .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/rows/1/colour");
    assert_eq!(counts(&app).await, before);
}

async fn a_dry_run_writes_nothing_and_reports_what_the_import_does(app: TestApp) {
    groundwork(&app).await;
    let oslo = partner_with(&app, "Oslo kommune", "NO", json!({})).await;
    let file = format!(
        "{HEADER}\nUtkast,KNOWLEDGE_EXCHANGE,KFN,{oslo}:Oslo kommune:NO:CITY,KNOWLEDGE_EXCHANGE,4,,2027-01-01,,,DRAFT,,\nAktivt,KNOWLEDGE_EXCHANGE,KFN,:Åbo stad:FI:CITY,KNOWLEDGE_EXCHANGE,,OWN::100:SEK,{},,,ACTIVE,,\n",
        in_days(-30)
    );
    let before = counts(&app).await;
    let res = app
        .post("/api/v1/imports/agreements?dryRun=true")
        .role("coordinator")
        .raw("text/csv", file.clone())
        .send()
        .await;
    res.assert_status(200);
    let dry = res.json();
    assert_eq!(dry["dryRun"], true);
    assert_eq!(dry["agreementIds"], json!([]));
    assert_eq!(counts(&app).await, before);

    let res = import_csv(&app, &file).await;
    res.assert_status(201);
    let real = res.json();
    assert_eq!(real["dryRun"], false);
    for field in ["rows", "agreements", "partners"] {
        assert_eq!(dry[field], real[field], "{field}");
    }
    assert_eq!(real["agreements"]["active"], 1);
    assert_eq!(real["partners"], json!({"created": 1, "matched": 1}));
    assert_eq!(real["agreementIds"].as_array().unwrap().len(), 2);
    let (agreements, partners, _) = counts(&app).await;
    assert_eq!((agreements, partners), (before.0 + 2, before.1 + 1));
}

async fn active_rows_pass_the_activation_rules_or_refuse_the_file(app: TestApp) {
    groundwork(&app).await;
    let before = counts(&app).await;
    // Denmark has no assessment: the partner is not eligible today. Row 3 has no purpose.
    let file = format!(
        "{HEADER}\nGodkänt,KNOWLEDGE_EXCHANGE,KFN,:Oslo kommune:NO:CITY,KNOWLEDGE_EXCHANGE,,,2026-01-01,,,ACTIVE,,\nUtan bedömning,KNOWLEDGE_EXCHANGE,KFN,:Odense Kommune:DK:CITY,KNOWLEDGE_EXCHANGE,,,2026-01-01,,,ACTIVE,,\nUtan syfte,KNOWLEDGE_EXCHANGE,KFN,:Oslo kommune:NO:CITY,,,,2026-01-01,,,ACTIVE,,\n"
    );
    let problem = import_csv(&app, &file)
        .await
        .assert_problem(400, "validation-failed");
    let errors = problem["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["pointer"] == "/rows/3/partners"
            && e["code"] == "ASSESSMENT_REQUIRED"
            && e["partnerId"].is_string()),
        "{problem}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["pointer"] == "/rows/4/purposes" && e["code"] == "PURPOSE_REQUIRED"),
        "{problem}"
    );
    assert!(
        errors
            .iter()
            .all(|e| !e["pointer"].as_str().unwrap().starts_with("/rows/2/"))
    );
    assert_eq!(counts(&app).await, before);

    // The row that passes, alone, is active and registered retroactively.
    let file = format!(
        "{HEADER}\nGodkänt,KNOWLEDGE_EXCHANGE,KFN,:Oslo kommune:NO:CITY,KNOWLEDGE_EXCHANGE,,,{},,,ACTIVE,,\n",
        in_days(30)
    );
    let res = import_csv(&app, &file).await;
    res.assert_status(201);
    let id = res.json()["agreementIds"][0].as_str().unwrap().to_string();
    let got = app
        .get(&format!("/api/v1/agreements/{id}"))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(got["status"], "ACTIVE");
    assert_eq!(got["registeredRetroactively"], true);
}

async fn only_coordinators_and_admins_import_and_a_key_replays(app: TestApp) {
    groundwork(&app).await;
    let file = format!("{HEADER}\nUtkast,KNOWLEDGE_EXCHANGE,KFN,,,,,,,,DRAFT,,\n");
    for role in ["officer", "reader", "board_secretary"] {
        app.post("/api/v1/imports/agreements")
            .role(role)
            .raw("text/csv", file.clone())
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    app.post("/api/v1/imports/agreements")
        .raw("text/csv", file.clone())
        .send()
        .await
        .assert_problem(401, "unauthorized");
    app.post("/api/v1/imports/agreements")
        .role("coordinator")
        .raw("application/json", "{}")
        .send()
        .await
        .assert_problem(415, "unsupported-media-type");

    let keyed = || {
        app.post("/api/v1/imports/agreements")
            .role("admin")
            .header("Idempotency-Key", "import-1")
            .raw("text/csv", file.clone())
    };
    let first = keyed().send().await;
    first.assert_status(201);
    let before = counts(&app).await;
    let again = keyed().send().await;
    again.assert_status(201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json(), first.json());
    assert_eq!(counts(&app).await, before);
    // The same key on a dry run of the same file is another request.
    app.post("/api/v1/imports/agreements?dryRun=true")
        .role("admin")
        .header("Idempotency-Key", "import-1")
        .raw("text/csv", file.clone())
        .send()
        .await
        .assert_problem(422, "idempotency-key-reused");
}

async fn a_file_over_the_limits_is_413(app: TestApp) {
    groundwork(&app).await;
    let mut file = String::from("title,type,unitCode,status\n");
    for i in 0..10_001 {
        file.push_str(&format!("Utbyte {i},PROJECT,KFN,DRAFT\n"));
    }
    import_csv(&app, &file)
        .await
        .assert_problem(413, "payload-too-large");
    let big = vec![b'a'; samverkan::imports::BODY_LIMIT + 1];
    import(&app, "text/csv", big)
        .await
        .assert_problem(413, "payload-too-large");
    assert_eq!(counts(&app).await.0, 0);
}

both!(
    an_export_of_one_register_imports_into_another,
    a_file_with_a_bad_row_changes_nothing,
    a_dry_run_writes_nothing_and_reports_what_the_import_does,
    active_rows_pass_the_activation_rules_or_refuse_the_file,
    only_coordinators_and_admins_import_and_a_key_replays,
    a_file_over_the_limits_is_413,
);

//! Indicators: a coordinator imports published index values as CSV, all or nothing, with errors
//! that name line and column; a country shows the latest value per source and metric, and an
//! assessment can cite an imported value. The fixture's values are invented.

mod common;
mod register;

use common::{TestApp, fixture};
use register::import_indicators;
use serde_json::{Value, json};

async fn import(app: &TestApp, csv: &str) -> common::TestResponse {
    app.post("/api/v1/indicators")
        .role("coordinator")
        .raw("text/csv", csv.to_string())
        .send()
        .await
}

async fn a_csv_file_is_imported_and_the_latest_values_shown(app: TestApp) {
    let res = import(&app, &fixture("indicators.csv")).await;
    res.assert_status(201);
    let body = res.json();
    assert_eq!(body["count"], 7);
    assert_eq!(body["items"].as_array().unwrap().len(), 7);

    let no = app
        .get("/api/v1/countries/NO/indicators")
        .role("reader")
        .send()
        .await;
    no.assert_status(200);
    let items = no.json()["items"].as_array().unwrap().clone();
    let keys: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["source"].as_str().unwrap(), i["metric"].as_str().unwrap()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("FREEDOM_HOUSE", "total-score"),
            ("VDEM", "liberal-democracy"),
            ("WJP", "overall")
        ]
    );
    let ee = app
        .get("/api/v1/countries/EE/indicators")
        .role("reader")
        .send()
        .await;
    assert_eq!(ee.json()["items"][0]["category"], "Invented, with a comma");

    // A later import of the same source and metric becomes the current value; the old is kept.
    import(
        &app,
        "countryCode,source,edition,metric,value\nNO,FREEDOM_HOUSE,2027,total-score,92.5\n",
    )
    .await
    .assert_status(201);
    let no = app
        .get("/api/v1/countries/NO/indicators?source=FREEDOM_HOUSE")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(no["totalItems"], 1);
    assert_eq!(no["items"][0]["edition"], "2027");
    assert_eq!(no["items"][0]["value"], 92.5);

    let feed = app.get("/api/v1/events").role("reader").send().await.json();
    let imports: Vec<&Value> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entityType"] == "INDICATOR_IMPORT")
        .collect();
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0]["data"]["count"], 7);
}

async fn an_import_with_any_bad_line_imports_nothing(app: TestApp) {
    let csv = "countryCode,source,edition,metric,value,category,url\n\
               NO,VDEM,v15,libdem,0.85,,\n\
               NO,VDEM,v15,polyarchy,high,,\n\
               ZZ,EIU,2026,index,8,,\n\
               SE,WGI,2026,rl,1.8,,not-a-url\n";
    let res = import(&app, csv).await;
    let problem = res.assert_problem(400, "validation-failed");
    let errors: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["pointer"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            ("/lines/3/value", "invalid-number"),
            ("/lines/5/url", "invalid-url")
        ]
    );
    // Once every line is well-formed, unknown countries are named the same way.
    let res = import(
        &app,
        "countryCode,source,edition,metric,value\nNO,VDEM,v15,libdem,0.85\nZZ,EIU,2026,index,8\n",
    )
    .await;
    let problem = res.assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/lines/3/countryCode");
    assert_eq!(problem["errors"][0]["code"], "unknown-country");
    let no = app
        .get("/api/v1/countries/NO/indicators")
        .role("reader")
        .send()
        .await;
    assert_eq!(no.json()["totalItems"], 0);
    assert_eq!(app.event_count().await, 0);

    let problem = import(&app, "country,source\nNO,VDEM\n")
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/lines/1/country");
    assert_eq!(problem["errors"][0]["code"], "unknown-column");
}

async fn only_coordinators_import_and_only_csv(app: TestApp) {
    let csv = fixture("indicators.csv");
    for role in ["reader", "officer", "board_secretary", "admin"] {
        app.post("/api/v1/indicators")
            .role(role)
            .raw("text/csv", csv.clone())
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    app.post("/api/v1/indicators")
        .raw("text/csv", csv.clone())
        .send()
        .await
        .assert_problem(401, "unauthorized");
    app.post("/api/v1/indicators")
        .role("coordinator")
        .json(&json!({"countryCode": "NO"}))
        .send()
        .await
        .assert_problem(415, "unsupported-media-type");
    app.get("/api/v1/countries/XX/indicators")
        .role("reader")
        .send()
        .await
        .assert_problem(404, "not-found");
    app.get("/api/v1/countries/NO/indicators")
        .send()
        .await
        .assert_problem(401, "unauthorized");
}

async fn an_import_replays_with_its_key_and_refuses_another_file(app: TestApp) {
    let csv = "countryCode,source,edition,metric,value\nNO,VDEM,v15,libdem,0.85\n";
    let first = app
        .post("/api/v1/indicators")
        .role("coordinator")
        .header("Idempotency-Key", "imp-1")
        .raw("text/csv", csv)
        .send()
        .await;
    first.assert_status(201);
    let replay = app
        .post("/api/v1/indicators")
        .role("coordinator")
        .header("Idempotency-Key", "imp-1")
        .raw("text/csv", csv)
        .send()
        .await;
    replay.assert_status(201);
    assert_eq!(replay.json()["importId"], first.json()["importId"]);
    app.post("/api/v1/indicators")
        .role("coordinator")
        .header("Idempotency-Key", "imp-1")
        .raw("text/csv", format!("{csv}SE,VDEM,v15,libdem,0.9\n"))
        .send()
        .await
        .assert_problem(422, "idempotency-key-reused");
}

async fn an_assessment_cites_an_imported_value_of_its_own_country(app: TestApp) {
    let imported = import_indicators(&app, &fixture("indicators.csv")).await;
    let of = |country: &str| {
        imported["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["countryCode"] == country)
            .unwrap()["id"]
            .clone()
    };
    let verdict = json!({"verdict": "MEETS", "rationale": "See the indicators."});
    let body = |indicator: Value| {
        json!({"countryCode": "NO", "humanRights": verdict, "democracy": verdict, "ruleOfLaw": verdict,
               "indicators": [{"indicatorId": indicator}]})
    };
    let res = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&body(of("NO")))
        .send()
        .await;
    res.assert_status(201);
    let evidence = &res.json()["indicators"][0];
    assert_eq!(evidence["indicatorId"], of("NO"));
    assert_eq!(evidence["source"], "FREEDOM_HOUSE");
    assert_eq!(evidence["value"], 91.0);

    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&body(of("DK")))
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["pointer"], "/indicators/0/indicatorId");
    assert_eq!(problem["errors"][0]["code"], "indicator-of-another-country");
    let problem = app
        .post("/api/v1/assessments")
        .role("coordinator")
        .json(&body(json!("0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e")))
        .send()
        .await
        .assert_problem(400, "validation-failed");
    assert_eq!(problem["errors"][0]["code"], "unknown-indicator");
}

both!(
    a_csv_file_is_imported_and_the_latest_values_shown,
    an_import_with_any_bad_line_imports_nothing,
    only_coordinators_import_and_only_csv,
    an_import_replays_with_its_key_and_refuses_another_file,
    an_assessment_cites_an_imported_value_of_its_own_country,
);

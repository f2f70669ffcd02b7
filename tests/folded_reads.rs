//! The reads that fetch their inputs as JSON inside one statement (an agreement with its
//! compliance inputs, a page of agreements, a partner's eligibility) answer exactly as the reads
//! that fetch the same inputs in statements of their own: with Swedish letters and quotes in the
//! stored texts, null dates, assessments superseding each other, exception requests in every
//! state, and an active agreement without partners.

mod common;
mod register;

use chrono::NaiveDate;
use common::TestApp;
use diesel::prelude::*;
use register::{
    By, FAILS_DEMOCRACY, MEETS, acted, active, agreement, country, id, partner_with, publish,
    published_on, request_exception, revoke, units, withdraw,
};
use samverkan::agreements::compliance::{compliance, compliance_of};
use samverkan::agreements::store::{self as agreements, AgreementFilter, Held};
use samverkan::db::schema::{
    agreement_fundings, agreement_partners, agreement_purposes, agreement_sdgs, agreements as rows,
};
use samverkan::eligibility::explain;
use samverkan::eligibility::store::{partner, read};
use serde_json::{Value, json};

/// A protocol paragraph and a funding programme with Swedish letters, quotes and a backslash.
const QUOTED: &str = "§ 12 \"Östersjö\" – 'Åland' \\ här";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Decides a request with `QUOTED` as its protocol paragraph.
async fn decided(
    app: &TestApp,
    request: &Value,
    decision: &str,
    valid_until: Option<&str>,
) -> Value {
    let mut body = json!({"decision": decision, "decidingBody": "KOMMUNSTYRELSEN",
        "decidedAt": "2026-11-20", "protocolParagraph": QUOTED});
    if decision == "GRANTED" {
        body["validFrom"] = json!("2026-11-20");
        if let Some(until) = valid_until {
            body["validUntil"] = json!(until);
        }
    }
    let path = format!("/api/v1/exceptions/{}/decision", id(request));
    acted(
        app,
        By::Role("board_secretary"),
        &path,
        request["version"].as_i64().unwrap(),
        Some(&body),
    )
    .await
}

struct Scene {
    minsk: String,
    union: String,
    oslo: String,
    /// Active, with the three partners and exception requests in every state.
    three: String,
    /// Active, its partners removed behind the service's back.
    none: String,
    /// A draft without partners.
    draft: String,
    pending: String,
    denied: String,
}

/// BY fails democracy, NO meets. Minsk (a city in BY) has its own assessment published three
/// times, the first two superseded and moved into the past; a union (an organisation in BY) and
/// Oslo (a city in NO, no assessment of its own). One active agreement with the three and no end
/// date: Minsk's first request withdrawn and its second granted; the union's first request denied,
/// its second granted and revoked after the activation, its third pending.
async fn scene(app: &TestApp) -> Scene {
    units(app).await;
    country(app, "BY", FAILS_DEMOCRACY).await;
    country(app, "NO", MEETS).await;
    let minsk = partner_with(app, "Minsk \"Östra\" – Å", "BY", json!({"kind": "CITY"})).await;
    let union = partner_with(
        app,
        "Fackförbundet 'Väst' \"Ö\"",
        "BY",
        json!({"kind": "ORGANISATION", "city": null}),
    )
    .await;
    let oslo = partner_with(app, "Oslo", "NO", json!({"kind": "CITY"})).await;
    let mut own = Vec::new();
    for verdicts in [MEETS, FAILS_DEMOCRACY, MEETS] {
        own.push(
            publish(
                app,
                json!({"partnerId": minsk}),
                verdicts,
                "2026-01-01",
                "2027-12-31",
            )
            .await,
        );
    }
    published_on(app, &own[0], "2026-03-01 08:00:00").await;
    published_on(app, &own[1], "2026-06-01 08:00:00").await;

    let fundings =
        json!([{"source": "OWN", "programme": QUOTED, "amount": "100.00", "currency": "SEK"}]);
    let a = agreement(
        app,
        "KFN",
        &[&minsk, &union, &oslo],
        json!({"endDate": null, "fundings": fundings, "title": "Samarbete \"Östersjö\" – å"}),
    )
    .await;
    let three = id(&a);
    let first = request_exception(app, &three, &minsk, "KFN").await;
    withdraw(app, &first, "KFN").await;
    let second = request_exception(app, &three, &minsk, "KFN").await;
    decided(app, &second, "GRANTED", None).await;
    let first = request_exception(app, &three, &union, "KFN").await;
    let denied = decided(app, &first, "DENIED", None).await;
    let second = request_exception(app, &three, &union, "KFN").await;
    let granted = decided(app, &second, "GRANTED", Some("2027-12-31")).await;
    active(app, &a, "KFN").await;
    revoke(app, &granted, "Villkoren \"uppfylldes\" inte – ä.").await;
    let pending = request_exception(app, &three, &union, "KFN").await;

    let b = agreement(app, "KFN", &[&oslo], json!({"caseNumber": "KS 2026-00002"})).await;
    active(app, &b, "KFN").await;
    let none = id(&b);
    let emptied = none.clone();
    app.with_db(move |c| {
        diesel::delete(
            agreement_partners::table.filter(agreement_partners::agreement_id.eq(&emptied)),
        )
        .execute(c)?;
        // The row's copy of its lists too, as a write would keep it.
        let kept = rows::table
            .find(&emptied)
            .select(rows::lists)
            .first::<Option<String>>(c)?;
        let mut lists: Value = serde_json::from_str(&kept.unwrap()).unwrap();
        lists["partners"] = json!([]);
        diesel::update(rows::table.find(&emptied))
            .set(rows::lists.eq(lists.to_string()))
            .execute(c)?;
        Ok(())
    })
    .await;
    let draft = id(&agreement(
        app,
        "KFN",
        &[],
        json!({"purposes": [], "sdgs": [], "caseNumber": "KS 2026-00003"}),
    )
    .await);
    Scene {
        minsk,
        union,
        oslo,
        three,
        none,
        draft,
        pending: id(&pending),
        denied: id(&denied),
    }
}

/// The days the comparisons are made on: before Minsk's own assessments were published, while the
/// first and the second were in force (since superseded), and today.
fn days() -> Vec<NaiveDate> {
    vec![
        day("2026-02-01"),
        day("2026-04-01"),
        day("2026-07-01"),
        samverkan::policy::today(),
    ]
}

async fn an_agreement_read_in_one_statement_is_judged_as_in_several(app: TestApp) {
    let s = scene(&app).await;
    for id in [s.three.clone(), s.none.clone(), s.draft.clone()] {
        app.with_db(move |c| {
            for date in days() {
                let folded = agreements::read_row(c, &id, date, None)?.unwrap();
                let record = &folded.record;
                let one = compliance_of(record, folded.compliance.as_deref(), date)?;
                let several = compliance(c, record, date)?;
                assert_eq!(
                    serde_json::to_value(&one).unwrap(),
                    serde_json::to_value(&several).unwrap(),
                    "agreement {id} on {date}"
                );
                let active = record.row.status == "ACTIVE";
                assert_eq!(one.is_some(), active);
                // The inputs of many agreements in one statement are the same inputs.
                let many = agreements::compliance_inputs(c, &[id.as_str()], date)?;
                let judged = compliance_of(record, many.get(&id).map(String::as_str), date)?;
                assert_eq!(
                    serde_json::to_value(&judged).unwrap(),
                    serde_json::to_value(&several).unwrap(),
                    "agreement {id} on {date}, read with others"
                );
                // A judgement held of this version at this generation: the statement leaves the
                // inputs out. Of another version or generation: it reads them. (On PostgreSQL any
                // commit in the cluster, another test's too, moves the generation between two
                // statements: the held read is asked again until it sees the same one.)
                let version = record.row.version;
                let mut again = |held: Option<Held>| agreements::read_row(c, &id, date, held);
                let mut seen_held = false;
                for _ in 0..100 {
                    let generation = again(None)?.unwrap().generation;
                    let same = again(Some(Held {
                        version,
                        generation,
                    }))?
                    .unwrap();
                    if same.generation == generation {
                        assert!(
                            same.compliance.is_none(),
                            "agreement {id}: the judgement held"
                        );
                        seen_held = true;
                        break;
                    }
                    assert_eq!(same.compliance.is_some(), active, "another generation");
                }
                assert!(seen_held, "agreement {id}: the register never held still");
                for held in [
                    Held {
                        version: version + 1,
                        generation: folded.generation,
                    },
                    Held {
                        version,
                        generation: folded.generation ^ 1,
                    },
                ] {
                    let other = again(Some(held))?.unwrap();
                    assert_eq!(other.compliance.is_some(), active, "{held:?}");
                }
            }
            Ok(())
        })
        .await;
    }
    let today = samverkan::policy::today();
    let page = app
        .with_db(move |c| {
            let (rows, generation) = agreements::page(c, &AgreementFilter::default(), 0, 20)?;
            assert!(generation.is_some());
            let ids: Vec<&str> = rows.iter().map(|r| r.record.row.id.as_str()).collect();
            let inputs = agreements::compliance_inputs(c, &ids, today)?;
            let mut judged = Vec::new();
            for row in &rows {
                assert!(
                    row.compliance.is_none(),
                    "a page reads no compliance inputs"
                );
                let id = &row.record.row.id;
                let one = compliance_of(&row.record, inputs.get(id).map(String::as_str), today)?;
                let several = compliance(c, &row.record, today)?;
                assert_eq!(
                    serde_json::to_value(&one).unwrap(),
                    serde_json::to_value(&several).unwrap()
                );
                judged.push((row.record.row.id.clone(), one.map(|c| c.status)));
            }
            Ok(judged)
        })
        .await;
    assert_eq!(page.len(), 3);

    // Through HTTP: the union's revoked exception puts the agreement under review; Minsk's
    // granted one holds; the stored texts come back as written.
    let read = app
        .get(&format!("/api/v1/agreements/{}", s.three))
        .role("reader")
        .send()
        .await;
    read.assert_status(200);
    let a = read.json();
    assert_eq!(a["compliance"]["status"], "REVIEW_REQUIRED");
    assert_eq!(a["compliance"]["reasons"].as_array().unwrap().len(), 1);
    assert_eq!(a["compliance"]["reasons"][0]["code"], "EXCEPTION_REVOKED");
    assert_eq!(a["compliance"]["reasons"][0]["partnerId"], s.union);
    assert_eq!(a["partnerIds"], json!([s.minsk, s.union, s.oslo]));
    assert_eq!(a["fundings"][0]["programme"], QUOTED);
    assert_eq!(a["title"], "Samarbete \"Östersjö\" – å");
    assert_eq!(a["endDate"], Value::Null);
    let alone = app
        .get(&format!("/api/v1/agreements/{}/compliance", s.three))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(alone, a["compliance"]);
    let listed = app
        .get("/api/v1/agreements?compliance=REVIEW_REQUIRED")
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(listed["items"][0]["compliance"], a["compliance"]);
    let none = app
        .get(&format!("/api/v1/agreements/{}/compliance", s.none))
        .role("reader")
        .send()
        .await
        .json();
    assert_eq!(none["status"], "COMPLIANT");
    assert_eq!(none["reasons"], json!([]));
    app.get(&format!("/api/v1/agreements/{}/compliance", s.draft))
        .role("coordinator")
        .send()
        .await
        .assert_problem(409, "conflict");
    // A coordinator sees the draft too: three agreements.
    let page = app
        .get("/api/v1/agreements?limit=2")
        .role("coordinator")
        .send()
        .await
        .json();
    assert_eq!(page["totalItems"], 3);
    assert_eq!(page["items"][0]["compliance"], a["compliance"]);
    assert_eq!(page["items"][1]["compliance"], none);
    let past = app
        .get("/api/v1/agreements?limit=2&page=3")
        .role("coordinator")
        .send()
        .await
        .json();
    assert_eq!(past["totalItems"], 3);
    assert_eq!(past["items"], json!([]));
}

async fn eligibility_read_in_one_statement_is_explained_as_in_several(app: TestApp) {
    let s = scene(&app).await;
    let (three, draft) = (s.three.clone(), s.draft.clone());
    for partner_id in [s.minsk.clone(), s.union.clone(), s.oslo.clone()] {
        let (three, draft) = (three.clone(), draft.clone());
        app.with_db(move |c| {
            let facts = partner(c, &partner_id)?.unwrap();
            for date in days() {
                for agreement in [None, Some(three.as_str())] {
                    let folded = read(c, &partner_id, Some("KFN"), agreement, date)?.unwrap();
                    assert!(folded.unit_exists);
                    assert_eq!(folded.is_party, agreement.is_some());
                    assert_eq!(format!("{:?}", folded.partner), format!("{facts:?}"));
                    let one = folded.inputs.explain(&facts, date, agreement)?;
                    let several = explain(c, &facts, date, agreement)?;
                    assert_eq!(
                        format!("{one:?}"),
                        format!("{several:?}"),
                        "partner {partner_id} on {date} for {agreement:?}"
                    );
                }
            }
            let other = read(
                c,
                &partner_id,
                Some("NOPE"),
                Some(&draft),
                day("2026-11-01"),
            )?;
            let other = other.unwrap();
            assert!(!other.unit_exists);
            assert!(!other.is_party);
            assert!(read(c, "no-such-partner", None, None, day("2026-11-01"))?.is_none());
            Ok(())
        })
        .await;
    }

    let ask = |partner: &str| {
        format!(
            "/api/v1/partners/{partner}/eligibility?unitCode=KFN&agreementId={}",
            s.three
        )
    };
    let minsk = app.get(&ask(&s.minsk)).role("reader").send().await.json();
    assert_eq!(minsk["status"], "ELIGIBLE_BY_EXCEPTION");
    assert_eq!(minsk["exception"]["protocolParagraph"], QUOTED);
    assert_eq!(minsk["exception"]["validUntil"], Value::Null);
    let kinds: Vec<&str> = (minsk["assessments"].as_array().unwrap().iter())
        .map(|a| a["subject"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["COUNTRY", "PARTNER"]);
    let union = app.get(&ask(&s.union)).role("reader").send().await.json();
    assert_eq!(union["status"], "EXCEPTION_REQUIRED");
    assert_eq!(union["pendingRequests"], json!([s.pending]));
    assert_eq!(union["deniedDecisions"], json!([s.denied]));
    assert_eq!(
        union["assessments"].as_array().unwrap().len(),
        1,
        "an organisation is not assessed itself"
    );
    let past = app
        .get(&format!(
            "/api/v1/partners/{}/eligibility?date=2026-07-01",
            s.minsk
        ))
        .role("reader")
        .send()
        .await
        .json();
    // The country's assessment was published today; Minsk's second own one was in force then.
    assert_eq!(past["assessments"].as_array().unwrap().len(), 1);
    assert_eq!(past["assessments"][0]["subject"], "PARTNER");
    assert_eq!(
        past["assessments"][0]["failingRequirements"],
        json!(["DEMOCRACY"])
    );
}

/// The lists a row keeps (`agreements.lists`, which every read takes) are those of the list
/// tables (which filters and reports read), for every agreement of the scene, after every kind of
/// write: registered, changed, activated.
async fn an_agreements_lists_in_its_row_are_those_of_its_tables(app: TestApp) {
    let s = scene(&app).await;
    let changed = app
        .patch(&format!("/api/v1/agreements/{}", s.draft))
        .officer_of("KFN")
        .if_match(1)
        .merge_patch(&json!({
            "partnerIds": [s.oslo, s.minsk],
            "purposes": ["SISTER_CITIES", "KNOWLEDGE_EXCHANGE"],
            "sdgs": [17, 4],
            "fundings": [
                {"source": "EU", "programme": QUOTED, "amount": "1.50", "currency": "EUR"},
                {"source": "OWN", "amount": "2.00", "currency": "SEK"},
            ],
        }))
        .send()
        .await;
    changed.assert_status(200);
    let checked = app
        .with_db(move |c| {
            let ids: Vec<String> = rows::table.select(rows::id).load(c)?;
            for id in &ids {
                let record = agreements::find(c, id)?.unwrap();
                let partners: Vec<String> = agreement_partners::table
                    .filter(agreement_partners::agreement_id.eq(id))
                    .order(agreement_partners::position)
                    .select(agreement_partners::partner_id)
                    .load(c)?;
                let mut purposes: Vec<String> = agreement_purposes::table
                    .filter(agreement_purposes::agreement_id.eq(id))
                    .select(agreement_purposes::purpose)
                    .load(c)?;
                let sdgs: Vec<i32> = agreement_sdgs::table
                    .filter(agreement_sdgs::agreement_id.eq(id))
                    .order(agreement_sdgs::sdg)
                    .select(agreement_sdgs::sdg)
                    .load(c)?;
                let fundings: Vec<(String, Option<String>, String, String)> =
                    agreement_fundings::table
                        .filter(agreement_fundings::agreement_id.eq(id))
                        .order(agreement_fundings::position)
                        .select((
                            agreement_fundings::source,
                            agreement_fundings::programme,
                            agreement_fundings::amount,
                            agreement_fundings::currency,
                        ))
                        .load(c)?;
                assert_eq!(record.partner_ids, partners, "{id}");
                let mut kept: Vec<&str> = record.purposes.iter().map(|p| p.as_str()).collect();
                kept.sort_unstable();
                purposes.sort_unstable();
                assert_eq!(kept, purposes, "{id}");
                let kept: Vec<i32> = record.sdgs.iter().map(|&n| i32::from(n)).collect();
                assert_eq!(kept, sdgs, "{id}");
                let kept: Vec<_> = (record.fundings.iter())
                    .map(|f| serde_json::to_value(f).unwrap())
                    .collect();
                let stored: Vec<_> = (fundings.into_iter())
                    .map(|(source, programme, amount, currency)| {
                        json!({
                            "source": source, "programme": programme, "amount": amount,
                            "currency": currency,
                        })
                    })
                    .collect();
                assert_eq!(kept, stored, "{id}");
            }
            Ok(ids.len())
        })
        .await;
    assert_eq!(checked, 3);
}

/// Migration 000013 fills the lists of the agreements registered before the column from their
/// tables: reverted and applied again, every record reads as before.
async fn the_lists_of_agreements_registered_before_the_column_are_filled_from_their_tables(
    app: TestApp,
) {
    use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
    const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
    const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
    scene(&app).await;
    let records = |c: &mut samverkan::db::AnyConnection| {
        let ids: Vec<String> = rows::table.order(rows::id).select(rows::id).load(c)?;
        let mut all = Vec::new();
        for id in ids {
            let r = agreements::find(c, &id)?.unwrap();
            all.push(format!(
                "{id} {:?}",
                (r.partner_ids, r.purposes, r.sdgs, r.fundings)
            ));
        }
        Ok::<_, samverkan::http::problem::ApiError>(all)
    };
    let before = app.with_db(records).await;
    let again = app
        .with_db(move |c| {
            let failed = |e: Box<dyn std::error::Error + Send + Sync>| {
                samverkan::http::problem::ApiError::internal(e.to_string())
            };
            let reverted = match c {
                samverkan::db::AnyConnection::Postgresql(pg) => {
                    let reverted = pg.revert_last_migration(POSTGRES).map_err(failed)?;
                    pg.run_pending_migrations(POSTGRES).map_err(failed)?;
                    reverted
                }
                samverkan::db::AnyConnection::Sqlite(lite) => {
                    let reverted = lite.revert_last_migration(SQLITE).map_err(failed)?;
                    lite.run_pending_migrations(SQLITE).map_err(failed)?;
                    reverted
                }
            };
            assert!(reverted.to_string().ends_with("000013"), "{reverted}");
            records(c)
        })
        .await;
    assert_eq!(before.len(), 3);
    assert_eq!(again, before);
}

/// The compliance filter judges more than a page's worth of agreements by the set-based reads
/// (`compliance_many`) and a page judges its own from JSON inputs: both answer the same.
async fn the_compliance_filter_over_more_than_a_page_judges_as_a_page_does(app: TestApp) {
    units(&app).await;
    country(&app, "NO", MEETS).await;
    country(&app, "DK", MEETS).await;
    let oslo = partner_with(&app, "Oslo", "NO", json!({"kind": "CITY"})).await;
    let aarhus = partner_with(&app, "Aarhus", "DK", json!({"kind": "CITY"})).await;
    for i in 0..105 {
        let with = if i % 2 == 0 { &oslo } else { &aarhus };
        let a = agreement(&app, "KFN", &[with], json!({})).await;
        active(&app, &a, "KFN").await;
    }
    publish(
        &app,
        json!({"countryCode": "NO"}),
        FAILS_DEMOCRACY,
        "2026-11-01",
        "2027-11-01",
    )
    .await;
    // Two instances, so that neither serves what the other judged: the first judges page by page,
    // the second all 105 at once.
    let second = TestApp::start_on(app.backend, app.database.clone()).await;
    async fn read(app: &TestApp, path: String) -> Value {
        let res = app.get(&path).role("reader").send().await;
        res.assert_status(200);
        res.json()
    }
    // Every active agreement, judged page by page (100 and 5: each page's inputs as JSON).
    let mut paged = std::collections::BTreeMap::new();
    for page in [1, 2] {
        let path = format!("/api/v1/agreements?status=ACTIVE&limit=100&page={page}");
        let got = read(&app, path).await;
        for item in got["items"].as_array().unwrap() {
            let review = item["partnerIds"][0] == json!(oslo);
            let status = if review {
                "REVIEW_REQUIRED"
            } else {
                "COMPLIANT"
            };
            assert_eq!(item["compliance"]["status"], status, "{item}");
            paged.insert(item["id"].to_string(), item["compliance"].clone());
        }
    }
    assert_eq!(paged.len(), 105);
    // The filter judges all 105 at once.
    for (status, expected) in [("REVIEW_REQUIRED", 53), ("COMPLIANT", 52)] {
        let mut seen = 0;
        for page in [1, 2] {
            let path = format!("/api/v1/agreements?compliance={status}&limit=50&page={page}");
            let got = read(&second, path).await;
            assert_eq!(got["totalItems"], expected, "{status}");
            for item in got["items"].as_array().unwrap() {
                assert_eq!(item["compliance"], paged[&item["id"].to_string()], "{item}");
                seen += 1;
            }
        }
        assert_eq!(seen, expected.min(100), "{status}");
    }
}

both!(
    the_compliance_filter_over_more_than_a_page_judges_as_a_page_does,
    the_lists_of_agreements_registered_before_the_column_are_filled_from_their_tables,
    an_agreements_lists_in_its_row_are_those_of_its_tables,
    an_agreement_read_in_one_statement_is_judged_as_in_several,
    eligibility_read_in_one_statement_is_explained_as_in_several,
);

//! The reads that fetch their inputs as JSON inside one statement (an agreement with its
//! compliance inputs, a page of agreements, a partner's eligibility) answer exactly as the reads
//! that fetch the same inputs in statements of their own: with Swedish letters and quotes in the
//! stored texts, null dates, assessments superseding each other, exception requests in every
//! state, and an active agreement without partners.

mod common;
mod register;

use chrono::{NaiveDate, NaiveDateTime};
use common::TestApp;
use diesel::prelude::*;
use register::{
    By, FAILS_DEMOCRACY, MEETS, acted, active, agreement, country, id, partner_with, publish,
    request_exception, revoke, units, withdraw,
};
use samverkan::agreements::compliance::{compliance, compliance_of};
use samverkan::agreements::store::{self as agreements, AgreementFilter};
use samverkan::db::schema::{agreement_partners, assessments};
use samverkan::eligibility::explain;
use samverkan::eligibility::store::{partner, read};
use serde_json::{Value, json};

/// A protocol paragraph and a funding programme with Swedish letters, quotes and a backslash.
const QUOTED: &str = "§ 12 \"Östersjö\" – 'Åland' \\ här";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Moves an assessment's publication (and the supersession of its predecessor) into the past.
async fn published_on(app: &TestApp, id: &str, instant: &str) {
    let id = id.to_string();
    let when = NaiveDateTime::parse_from_str(instant, "%Y-%m-%d %H:%M:%S").unwrap();
    app.with_db(move |c| {
        diesel::update(assessments::table.find(&id))
            .set(assessments::published_at.eq(Some(when)))
            .execute(c)?;
        diesel::update(assessments::table.filter(assessments::superseded_by.eq(&id)))
            .set(assessments::superseded_at.eq(Some(when)))
            .execute(c)?;
        Ok(())
    })
    .await;
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
                let folded = agreements::read_row(c, &id, date)?.unwrap();
                let record = &folded.record;
                let one = compliance_of(record, folded.compliance.as_deref(), date)?;
                let several = compliance(c, record, date)?;
                assert_eq!(
                    serde_json::to_value(&one).unwrap(),
                    serde_json::to_value(&several).unwrap(),
                    "agreement {id} on {date}"
                );
                assert_eq!(one.is_some(), record.row.status == "ACTIVE");
            }
            Ok(())
        })
        .await;
    }
    let today = samverkan::policy::today();
    let page = app
        .with_db(move |c| {
            let (rows, generation) =
                agreements::page(c, &AgreementFilter::default(), 0, 20, today)?;
            assert!(generation.is_some());
            let mut judged = Vec::new();
            for row in &rows {
                let one = compliance_of(&row.record, row.compliance.as_deref(), today)?;
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

both!(
    an_agreement_read_in_one_statement_is_judged_as_in_several,
    eligibility_read_in_one_statement_is_explained_as_in_several,
);

//! The time sweep: what time alone changes becomes events, each written once, also when the sweep
//! runs again or from two instances at once. The sweep is run "on" future dates.

mod common;
mod register;

use chrono::{Duration, NaiveDate};
use samverkan::sweep::{self, SweepReport};
use serde_json::{Value, json};

use common::{Backend, TestApp};
use register::{
    By, FAILS_DEMOCRACY, MEETS, activate, agreement, country, decide, partner, request_exception,
    units,
};

fn on(date: &str) -> NaiveDate {
    date.parse().unwrap()
}

/// The events the service wrote itself, as `ENTITY.ACTION`, oldest first.
async fn system_events(app: &TestApp) -> Vec<(String, Value)> {
    let feed = app
        .get("/api/v1/events?limit=1000")
        .role("reader")
        .send()
        .await
        .json();
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "system")
        .map(|e| {
            (
                format!(
                    "{}.{}",
                    e["entityType"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                ),
                e.clone(),
            )
        })
        .collect()
}

fn count(events: &[(String, Value)], name: &str) -> usize {
    events.iter().filter(|(n, _)| n == name).count()
}

/// Two active agreements: one with a Norwegian partner (assessment valid through 2027-12-31),
/// one with a Belarusian partner under an exception granted through 2027-06-30. Both end
/// 2027-12-01. Returns their ids and the exception's id.
async fn register(app: &TestApp) -> (String, String, String) {
    units(app).await;
    country(app, "NO", MEETS).await;
    country(app, "BY", FAILS_DEMOCRACY).await;
    let oslo = partner(app, "Oslo", "CITY", "NO").await;
    let minsk = partner(app, "Minsk", "CITY", "BY").await;
    let a = agreement(app, "KFN", &[&oslo], json!({})).await;
    activate(app, &a, "KFN").await.assert_status(200);
    let b = agreement(app, "KFN", &[&minsk], json!({})).await;
    let x = request_exception(app, b["id"].as_str().unwrap(), &minsk, "KFN").await;
    decide(app, &x, "GRANTED", Some("2026-11-20"), Some("2027-06-30"))
        .await
        .assert_status(200);
    activate(app, &b, "KFN").await.assert_status(200);
    (
        a["id"].as_str().unwrap().to_string(),
        b["id"].as_str().unwrap().to_string(),
        x["id"].as_str().unwrap().to_string(),
    )
}

async fn run(app: &TestApp, date: &str) -> SweepReport {
    sweep::run(&app.state.db, "instance-a", on(date))
        .await
        .unwrap()
}

async fn time_alone_expires_assessments_and_exceptions_and_puts_agreements_under_review_once(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let (a, b, x) = register(&app).await;

    // Nothing has expired yet.
    let quiet = run(&app, "2027-01-01").await;
    assert_eq!(
        quiet,
        SweepReport {
            ran: true,
            ..Default::default()
        }
    );

    // The exception has run out: it expires, and agreement B falls under review because of it.
    let july = run(&app, "2027-07-01").await;
    assert_eq!(
        (july.exceptions_expired, july.agreements_under_review),
        (1, 1),
        "{july:?}"
    );
    let events = system_events(&app).await;
    let (_, expired) = events
        .iter()
        .find(|(n, _)| n == "EXCEPTION.EXPIRED")
        .unwrap();
    assert_eq!(expired["entityId"], x);
    let (_, review) = events
        .iter()
        .find(|(n, _)| n == "AGREEMENT.REVIEW_REQUIRED")
        .unwrap();
    assert_eq!(review["entityId"], b);
    assert_eq!(review["data"]["compliance"]["status"], "REVIEW_REQUIRED");
    assert_eq!(
        review["data"]["compliance"]["reasons"][0]["code"],
        "EXCEPTION_EXPIRED"
    );

    // Past endDate (2027-12-01) both are overdue, reported once.
    let december = run(&app, "2027-12-15").await;
    assert_eq!(december.agreements_overdue, 2, "{december:?}");
    assert_eq!(december.agreements_under_review, 0, "{december:?}");

    // In 2028 both country assessments have expired: a new cause of review for each agreement.
    let next_year = run(&app, "2028-01-01").await;
    assert_eq!(next_year.assessments_expired, 2, "{next_year:?}");
    assert_eq!(next_year.agreements_under_review, 2, "{next_year:?}");
    assert_eq!(next_year.agreements_overdue, 0, "{next_year:?}");

    // Again, and later: nothing is announced twice.
    for date in ["2028-01-01", "2028-02-01"] {
        let again = run(&app, date).await;
        assert_eq!(
            again,
            SweepReport {
                ran: true,
                ..Default::default()
            },
            "{date}"
        );
    }
    let events = system_events(&app).await;
    assert_eq!(count(&events, "ASSESSMENT.EXPIRED"), 2);
    assert_eq!(count(&events, "EXCEPTION.EXPIRED"), 1);
    assert_eq!(count(&events, "AGREEMENT.REVIEW_REQUIRED"), 3);
    assert_eq!(count(&events, "AGREEMENT.OVERDUE"), 2);
    let overdue: Vec<&Value> = events
        .iter()
        .filter(|(n, _)| n == "AGREEMENT.OVERDUE")
        .map(|(_, e)| &e["entityId"])
        .collect();
    assert!(overdue.contains(&&json!(a)) && overdue.contains(&&json!(b)));
    assert_eq!(events.len(), 8);
}

async fn contacts_are_erased_at_their_retention_date_and_the_event_keeps_ids_only(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    units(&app).await;
    let p = partner(&app, "Oslo", "CITY", "NO").await;
    let kari = json!({"name": "Kari Example", "email": "kari@example.org", "retentionUntil": "2027-01-31"});
    let contact = register::id(&register::contact_by(&app, By::Officer("KFN"), &p, kari).await);

    assert_eq!(run(&app, "2027-01-31").await.contacts_erased, 0);
    assert_eq!(run(&app, "2027-02-01").await.contacts_erased, 1);
    assert_eq!(run(&app, "2027-02-02").await.contacts_erased, 0);
    app.get(&format!("/api/v1/partners/{p}/contacts/{contact}"))
        .role("coordinator")
        .send()
        .await
        .assert_problem(404, "not-found");
    let events = system_events(&app).await;
    assert_eq!(events.len(), 1);
    let (name, event) = &events[0];
    assert_eq!(name, "CONTACT.ERASED");
    assert_eq!(event["entityId"], contact);
    assert_eq!(event["data"], json!({"id": contact, "partnerId": p}));
    // Nothing of the person is left in the change log.
    let all = app
        .get("/api/v1/events?limit=1000")
        .role("coordinator")
        .send()
        .await
        .text();
    assert!(!all.contains("Kari") && !all.contains("kari@example.org"));
}

async fn two_instances_sweeping_at_once_write_each_event_once(backend: Backend) {
    let first = TestApp::start(backend).await;
    let second = TestApp::start_on(backend, first.database.clone()).await;
    register(&first).await;
    for date in ["2027-07-01", "2027-12-15", "2028-01-01", "2028-01-01"] {
        let (x, y) = futures_util::join!(
            sweep::run(&first.state.db, "instance-a", on(date)),
            sweep::run(&second.state.db, "instance-b", on(date)),
        );
        x.unwrap();
        y.unwrap();
    }
    let events = system_events(&first).await;
    assert_eq!(count(&events, "ASSESSMENT.EXPIRED"), 2);
    assert_eq!(count(&events, "EXCEPTION.EXPIRED"), 1);
    assert_eq!(count(&events, "AGREEMENT.REVIEW_REQUIRED"), 3);
    assert_eq!(count(&events, "AGREEMENT.OVERDUE"), 2);
    assert_eq!(events.len(), 8);
}

async fn the_lease_admits_one_holder_until_it_runs_out(backend: Backend) {
    let app = TestApp::start(backend).await;
    let t0 = samverkan::db::now();
    let ttl = Duration::seconds(300);
    let take = |holder: &'static str, at: chrono::NaiveDateTime| {
        let db = app.state.db.clone();
        async move {
            db.write(move |c| sweep::take_lease(c, "test-lease", holder, at, ttl))
                .await
                .unwrap()
        }
    };
    assert!(take("a", t0).await);
    assert!(!take("b", t0 + Duration::seconds(10)).await);
    assert!(
        take("a", t0 + Duration::seconds(20)).await,
        "the holder renews"
    );
    assert!(!take("b", t0 + Duration::seconds(300)).await);
    assert!(
        take("b", t0 + Duration::seconds(321)).await,
        "an expired lease passes on"
    );
    assert!(!take("a", t0 + Duration::seconds(330)).await);

    // While another instance holds the sweep's lease, a sweep does nothing.
    let holder = samverkan::db::now();
    app.state
        .db
        .write(move |c| sweep::take_lease(c, sweep::LEASE, "elsewhere", holder, ttl))
        .await
        .unwrap();
    let without_lease = sweep::run(&app.state.db, "here", on("2030-01-01"))
        .await
        .unwrap();
    assert!(!without_lease.ran);
}

on_both!(
    time_alone_expires_assessments_and_exceptions_and_puts_agreements_under_review_once,
    contacts_are_erased_at_their_retention_date_and_the_event_keeps_ids_only,
    two_instances_sweeping_at_once_write_each_event_once,
    the_lease_admits_one_holder_until_it_runs_out,
);

//! The change feed shows only what the caller may read (DESIGN, "Second edition"): an event is
//! listed to a caller exactly when `GET` of its entity, in the state the event carries, is allowed
//! to them. One register is built step by step with every entity type in every state (drafts of
//! two units, active, ended and cancelled agreements, deleted drafts, assessment drafts, published
//! and superseded assessments, contacts created, changed and erased, exception requests and
//! decisions, webhooks, an indicator import); after each step every role (officers of two units
//! among them) reads the feed from where it left off and `GET`s the entity, and the two must agree.

mod common;
mod register;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use common::{Backend, Options, TestApp};
use register::*;

/// The callers compared: every role, and officers of two units (KFN, which has KFF below it, and
/// SKOL).
const VIEWERS: [By<'static>; 7] = [
    By::Role("reader"),
    By::Officer("KFN"),
    By::Officer("SKOL"),
    By::Role("coordinator"),
    By::Role("board_secretary"),
    By::Role("admin"),
    By::Officer("KFF"),
];

struct Watch {
    /// Each viewer's feed cursor.
    cursors: Vec<i64>,
    /// The entity types whose events were compared.
    types: BTreeSet<String>,
    /// How many (viewer, step) pairs listed the step's event, and how many did not.
    listed: usize,
    hidden: usize,
}

impl Watch {
    fn new() -> Self {
        Watch {
            cursors: vec![0; VIEWERS.len()],
            types: BTreeSet::new(),
            listed: 0,
            hidden: 0,
        }
    }

    /// Whether each viewer may `GET` the entity at `path` now.
    async fn allowed(&self, app: &TestApp, path: &str) -> Vec<bool> {
        let mut allowed = Vec::new();
        for by in VIEWERS {
            let status = by.on(app.get(path)).send().await.status;
            assert!(
                matches!(status, 200 | 403 | 404),
                "GET {path} as {by:?}: {status}"
            );
            allowed.push(status == 200);
        }
        allowed
    }

    /// Reads each viewer's feed from its cursor and asserts that the events about `entity` (of
    /// `entity_type`) are listed to exactly the viewers `allowed` names.
    async fn compare(
        &mut self,
        app: &TestApp,
        step: &str,
        entity_type: &str,
        entity: &str,
        allowed: &[bool],
    ) {
        self.types.insert(entity_type.to_string());
        for (i, by) in VIEWERS.iter().enumerate() {
            let path = format!("/api/v1/events?after={}&limit=1000", self.cursors[i]);
            let res = by.on(app.get(&path)).send().await;
            res.assert_status(200);
            let feed = res.json();
            self.cursors[i] = feed["nextAfter"].as_i64().unwrap();
            let about: Vec<&Value> = feed["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["entityType"] == entity_type && e["entityId"] == entity)
                .collect();
            assert_eq!(
                !about.is_empty(),
                allowed[i],
                "{step}: {by:?} {} the event of {entity_type} {entity}, but GET {}",
                if about.is_empty() {
                    "was not listed"
                } else {
                    "was listed"
                },
                if allowed[i] { "allows it" } else { "does not" },
            );
            if allowed[i] {
                self.listed += 1;
            } else {
                self.hidden += 1;
            }
        }
    }

    /// A step that leaves the entity at `path` readable (or not) in its new state.
    async fn after(
        &mut self,
        app: &TestApp,
        step: &str,
        entity_type: &str,
        entity: &str,
        path: &str,
    ) {
        let allowed = self.allowed(app, path).await;
        self.compare(app, step, entity_type, entity, &allowed).await;
    }
}

async fn the_feed_lists_an_event_exactly_to_those_who_may_get_its_entity(app: TestApp) {
    let mut w = Watch::new();
    units(&app).await;
    w.after(&app, "unit created", "UNIT", "KFF", "/api/v1/units/KFF")
        .await;

    // Partners and the countries' assessments: drafts, published, superseded, a deleted draft.
    let norway_draft = draft_by(
        &app,
        By::Token(&app.token_for("cora.coordinator", &["coordinator"], None)),
        json!({"countryCode": "NO", "assessedAt": "2026-01-01", "validUntil": "2027-12-31"}),
        MEETS,
    )
    .await;
    let a = id(&norway_draft);
    let a_path = format!("/api/v1/assessments/{a}");
    w.after(&app, "assessment drafted", "ASSESSMENT", &a, &a_path)
        .await;
    let per = app.token_for("per.coordinator", &["coordinator"], None);
    let first = publish_draft(&app, By::Token(&per), &norway_draft).await;
    w.after(&app, "assessment published", "ASSESSMENT", &a, &a_path)
        .await;
    let second = published(
        &app,
        json!({"countryCode": "NO"}),
        MEETS,
        "2026-02-01",
        "2027-12-31",
    )
    .await;
    w.after(
        &app,
        "assessment superseded",
        "ASSESSMENT",
        &id(&first),
        &a_path,
    )
    .await;
    assert_eq!(id(&second).len(), 36);
    let doomed = draft_by(
        &app,
        By::Role("coordinator"),
        json!({"countryCode": "FI", "assessedAt": "2026-01-01"}),
        MEETS,
    )
    .await;
    let d = id(&doomed);
    let d_path = format!("/api/v1/assessments/{d}");
    w.after(&app, "second draft", "ASSESSMENT", &d, &d_path)
        .await;
    let before = w.allowed(&app, &d_path).await;
    app.delete(&d_path)
        .role("coordinator")
        .if_match(doomed["version"].as_i64().unwrap())
        .send()
        .await
        .assert_status(204);
    w.compare(&app, "assessment draft deleted", "ASSESSMENT", &d, &before)
        .await;
    country(&app, "SE", MEETS).await;

    let p = id(&partner_by(
        &app,
        By::Officer("KFN"),
        json!({"name": "Tammerfors stad", "countryCode": "NO"}),
    )
    .await);
    let p_path = format!("/api/v1/partners/{p}");
    w.after(&app, "partner created", "PARTNER", &p, &p_path)
        .await;
    let q = partner_with(&app, "Åbo stad", "SE", json!({})).await;
    w.after(
        &app,
        "second partner",
        "PARTNER",
        &q,
        &format!("/api/v1/partners/{q}"),
    )
    .await;

    // A contact created, changed and erased: personal data, for those who may read contacts.
    let c = contact_by(
        &app,
        By::Officer("KFN"),
        &p,
        json!({"name": "Kari Nordmann", "email": "kari@example.org", "retentionUntil": in_days(700)}),
    )
    .await;
    let c_id = id(&c);
    let c_path = format!("/api/v1/partners/{p}/contacts/{c_id}");
    w.after(&app, "contact created", "CONTACT", &c_id, &c_path)
        .await;
    let changed = app
        .patch(&c_path)
        .role("coordinator")
        .if_match(c["version"].as_i64().unwrap())
        .merge_patch(&json!({"role": "=HYPERLINK(\"http://x\")"}))
        .send()
        .await;
    changed.assert_status(200);
    w.after(&app, "contact changed", "CONTACT", &c_id, &c_path)
        .await;
    let before = w.allowed(&app, &c_path).await;
    app.delete(&c_path)
        .role("coordinator")
        .if_match(changed.json()["version"].as_i64().unwrap())
        .send()
        .await
        .assert_status(204);
    w.compare(&app, "contact erased", "CONTACT", &c_id, &before)
        .await;

    // Agreements: drafts of KFN, of KFF (below KFN) and of SKOL; activated, ended, cancelled and
    // a deleted draft.
    let dates = json!({"title": "Vänort – kulturutbyte", "startDate": in_days(-30), "endDate": in_days(300)});
    let kfn = agreement(&app, "KFN", &[&p], dates).await;
    let kfn_id = id(&kfn);
    let kfn_path = format!("/api/v1/agreements/{kfn_id}");
    w.after(&app, "KFN draft", "AGREEMENT", &kfn_id, &kfn_path)
        .await;
    let patched = app
        .patch(&kfn_path)
        .officer_of("KFN")
        .if_match(kfn["version"].as_i64().unwrap())
        .merge_patch(&json!({"description": "Utkast med å, ä och ö"}))
        .send()
        .await;
    patched.assert_status(200);
    w.after(&app, "KFN draft changed", "AGREEMENT", &kfn_id, &kfn_path)
        .await;
    let active_kfn = active(&app, &patched.json(), "KFN").await;
    w.after(&app, "KFN activated", "AGREEMENT", &kfn_id, &kfn_path)
        .await;
    close(&app, &active_kfn, "KFN", "end").await;
    w.after(&app, "KFN ended", "AGREEMENT", &kfn_id, &kfn_path)
        .await;

    let kff = agreement(&app, "KFF", &[&q], json!({})).await;
    let kff_id = id(&kff);
    let kff_path = format!("/api/v1/agreements/{kff_id}");
    w.after(&app, "KFF draft", "AGREEMENT", &kff_id, &kff_path)
        .await;
    close(&app, &kff, "KFF", "cancel").await;
    w.after(&app, "KFF cancelled", "AGREEMENT", &kff_id, &kff_path)
        .await;

    let skol = agreement(&app, "SKOL", &[&p], json!({})).await;
    let skol_id = id(&skol);
    let skol_path = format!("/api/v1/agreements/{skol_id}");
    w.after(&app, "SKOL draft", "AGREEMENT", &skol_id, &skol_path)
        .await;
    let before = w.allowed(&app, &skol_path).await;
    app.delete(&skol_path)
        .officer_of("SKOL")
        .if_match(skol["version"].as_i64().unwrap())
        .send()
        .await
        .assert_status(204);
    w.compare(&app, "SKOL draft deleted", "AGREEMENT", &skol_id, &before)
        .await;

    // An exception requested for a partner that does not meet the requirements, and decided.
    country(&app, "RU", FAILS_DEMOCRACY).await;
    let r = partner_with(&app, "Partnerstad", "RU", json!({})).await;
    let needs = agreement(&app, "SKOL", &[&r], json!({})).await;
    let needs_id = id(&needs);
    w.after(
        &app,
        "SKOL draft needing an exception",
        "AGREEMENT",
        &needs_id,
        &format!("/api/v1/agreements/{needs_id}"),
    )
    .await;
    let x = request_exception(&app, &needs_id, &r, "SKOL").await;
    let x_id = id(&x);
    let x_path = format!("/api/v1/exceptions/{x_id}");
    w.after(&app, "exception requested", "EXCEPTION", &x_id, &x_path)
        .await;
    decide(&app, &x, "DENIED", None, None)
        .await
        .assert_status(200);
    w.after(&app, "exception denied", "EXCEPTION", &x_id, &x_path)
        .await;

    // Indicators: readable by everyone (the import has no resource of its own; the country's
    // indicators are what it changed).
    let import = import_indicators(
        &app,
        "countryCode,source,edition,metric,value,category,url\nNO,FREEDOM_HOUSE,2026,total-score,98,Free,https://freedomhouse.org/country/norway\n",
    )
    .await;
    let import_id = import["importId"].as_str().unwrap().to_string();
    w.after(
        &app,
        "indicators imported",
        "INDICATOR_IMPORT",
        &import_id,
        "/api/v1/countries/NO/indicators",
    )
    .await;

    // A webhook subscription: admins only.
    let (h, _) = webhook(&app, json!({"url": "http://127.0.0.1:9/hook"})).await;
    let h_path = format!("/api/v1/webhooks/{h}");
    w.after(&app, "webhook created", "WEBHOOK", &h, &h_path)
        .await;
    let current = app.get(&h_path).role("admin").send().await;
    app.patch(&h_path)
        .role("admin")
        .if_match(current.etag())
        .merge_patch(&json!({"active": false}))
        .send()
        .await
        .assert_status(200);
    w.after(&app, "webhook changed", "WEBHOOK", &h, &h_path)
        .await;
    let before = w.allowed(&app, &h_path).await;
    app.delete(&h_path)
        .role("admin")
        .if_match(current.etag() + 1)
        .send()
        .await
        .assert_status(204);
    w.compare(&app, "webhook deleted", "WEBHOOK", &h, &before)
        .await;

    // Every entity type was walked, and both outcomes occurred.
    let all: BTreeSet<String> = [
        "UNIT",
        "ASSESSMENT",
        "PARTNER",
        "CONTACT",
        "AGREEMENT",
        "EXCEPTION",
        "WEBHOOK",
        "INDICATOR_IMPORT",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(w.types, all);
    assert!(
        w.listed > 0 && w.hidden > 0,
        "{} listed, {} hidden",
        w.listed,
        w.hidden
    );
}

fn options() -> Options {
    Options {
        hmac: true,
        webhook_allow: vec!["127.0.0.1/32".into()],
        ..Default::default()
    }
}

mod the_feed_lists_an_event_exactly_to_those_who_may_get_its_entity {
    use super::*;

    #[actix_web::test]
    async fn sqlite() {
        the_feed_lists_an_event_exactly_to_those_who_may_get_its_entity(
            TestApp::start_with(Backend::Sqlite, options()).await,
        )
        .await
    }

    #[actix_web::test]
    async fn postgres() {
        the_feed_lists_an_event_exactly_to_those_who_may_get_its_entity(
            TestApp::start_with(Backend::Postgres, options()).await,
        )
        .await
    }
}

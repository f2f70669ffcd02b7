//! Who may call what: one table with a row per operation of the OpenAPI document and the status
//! each caller gets. The test fails when the document has an operation the table lacks, so every
//! new endpoint adds its row here.
//!
//! To add an endpoint: create what it refers to in `setup` (as a field of `Fixture`), then add a
//! `row(METHOD, "/template", |f, caller| Req::…, [none, reader, officer, coordinator,
//! board_secretary, admin])` to `rows()`. Build valid requests (bodies, ids, If-Match is filled
//! in) so that the status says what authorisation decided: 2xx where allowed, 403 where refused.
//! Where several callers may change or delete a resource, give each its own (see `doomed_unit`).

mod common;
mod register;

use actix_web::http::Method;
use serde_json::{Value, json};

use common::{TestApp, create_unit};
use register::{
    By, MEETS, active_by, agreement_by, contact_by, decide_by, draft_by, id, partner_by,
    publish_draft, request_exception_by, webhook,
};

/// The callers, in the order of the expectation columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Reader,
    /// An officer of `Fixture::unit` (KFN, below KS).
    Officer,
    Coordinator,
    BoardSecretary,
    Admin,
}

const CALLERS: [Caller; 6] = [
    Caller::Anonymous,
    Caller::Reader,
    Caller::Officer,
    Caller::Coordinator,
    Caller::BoardSecretary,
    Caller::Admin,
];

impl Caller {
    fn index(self) -> usize {
        CALLERS.iter().position(|c| *c == self).unwrap()
    }

    fn token(self, app: &TestApp, unit: &str) -> Option<String> {
        let role = match self {
            Caller::Anonymous => return None,
            Caller::Reader => "reader",
            Caller::Officer => return Some(app.token_for("officer-kfn", &["officer"], Some(unit))),
            Caller::Coordinator => "coordinator",
            Caller::BoardSecretary => "board_secretary",
            Caller::Admin => "admin",
        };
        Some(app.token_for(&format!("{role}-user"), &[role], None))
    }
}

/// The data the rows refer to, created once before the table runs.
struct Fixture {
    /// The officer's unit, below `parent_unit`.
    unit: String,
    parent_unit: String,
    /// Partners, contacts and assessments (issue 3).
    partners: PartnerFixture,
    /// Agreements and exception requests (issue 4).
    agreements: AgreementFixture,
    /// Webhooks and a finished delivery (issue 5).
    webhooks: WebhookFixture,
}

/// Only admins manage webhooks, so one of each is enough: the others are refused before use.
struct WebhookFixture {
    /// `/api/v1/webhooks/{id}`.
    webhook: String,
    /// A subscription for the admin to delete.
    doomed: String,
    /// A failed delivery of `webhook`, for redelivery.
    delivery: String,
}

async fn webhook_fixture(app: &TestApp) -> WebhookFixture {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let body = json!({"url": "https://93.184.215.14/samverkan", "eventTypes": ["UNIT"]});
        ids.push(webhook(app, body).await.0);
    }
    create_unit(app, "HOOKED", "COMMITTEE", None).await;
    let webhook = ids[0].clone();
    let key = webhook.clone();
    let delivery = app
        .with_db(move |c| {
            use diesel::prelude::*;
            use samverkan::db::schema::webhook_deliveries as wd;
            samverkan::webhooks::store::dispatch(c, &key, samverkan::db::now())?;
            let id: String = wd::table
                .filter(wd::webhook_id.eq(&key))
                .select(wd::id)
                .first(c)?;
            diesel::update(wd::table.find(&id))
                .set(wd::status.eq("FAILED"))
                .execute(c)?;
            Ok(id)
        })
        .await;
    WebhookFixture {
        webhook,
        doomed: ids[1].clone(),
        delivery,
    }
}

/// Agreements of the officer's unit with an eligible partner, and exception requests. Lists are
/// indexed by `Caller::index()`, so each caller acts on its own.
struct AgreementFixture {
    partner_id: String,
    /// An active agreement, `/api/v1/agreements/{id}`.
    active: String,
    drafts_to_delete: Vec<String>,
    drafts_to_activate: Vec<String>,
    drafts_to_cancel: Vec<String>,
    actives_to_end: Vec<String>,
    /// Drafts without an exception request, by id, for requests.
    drafts_to_request_for: Vec<String>,
    /// An exception request, `/api/v1/exceptions/{id}`.
    exception: String,
    requests_to_decide: Vec<String>,
    requests_to_withdraw: Vec<String>,
    grants_to_revoke: Vec<String>,
}

async fn agreement_fixture(app: &TestApp, partner: &str) -> AgreementFixture {
    let coordinator = app.token_for("setup-coordinator", &["coordinator"], None);
    let secretary = app.token_for("setup-secretary", &["board_secretary"], None);
    let partner_id = partner.rsplit('/').next().unwrap().to_string();
    let (coordinator, secretary) = (By::Token(&coordinator), By::Token(&secretary));
    // Started, and open-ended: activation and ending are allowed whatever today is.
    let dates = json!({"startDate": "2026-01-01", "endDate": null});
    let draft = |n: usize| {
        let (partner_id, dates) = (partner_id.clone(), dates.clone());
        async move {
            let mut drafts = Vec::new();
            for _ in 0..n {
                let extra = dates.clone();
                drafts.push(agreement_by(app, coordinator, "KFN", &[&partner_id], extra).await);
            }
            drafts
        }
    };
    let paths = |kind: &str, resources: &[Value]| -> Vec<String> {
        resources
            .iter()
            .map(|r| format!("/api/v1/{kind}/{}", id(r)))
            .collect()
    };
    let activate = |drafts: Vec<Value>| async move {
        let mut actives = Vec::new();
        for draft in &drafts {
            actives.push(active_by(app, coordinator, draft).await);
        }
        actives
    };
    let n = CALLERS.len();
    let active = paths("agreements", &activate(draft(1).await).await)
        .pop()
        .unwrap();
    let mut requested = Vec::new();
    for agreement in draft(3 * n + 1).await {
        requested.push(request_exception_by(app, coordinator, &id(&agreement), &partner_id).await);
    }
    let exception = paths("exceptions", &[requested.pop().unwrap()])
        .pop()
        .unwrap();
    let requests_to_withdraw = paths("exceptions", &requested.split_off(2 * n));
    let grants = requested.split_off(n);
    for request in &grants {
        decide_by(app, secretary, request, "GRANTED", None, None)
            .await
            .assert_status(200);
    }
    let grants_to_revoke = paths("exceptions", &grants);
    let requested = paths("exceptions", &requested);
    let drafts_to_delete = paths("agreements", &draft(n).await);
    let drafts_to_activate = paths("agreements", &draft(n).await);
    let drafts_to_cancel = paths("agreements", &draft(n).await);
    let actives_to_end = paths("agreements", &activate(draft(n).await).await);
    let drafts_to_request_for = draft(n).await.iter().map(id).collect();
    AgreementFixture {
        partner_id: partner_id.clone(),
        active,
        drafts_to_delete,
        drafts_to_activate,
        drafts_to_cancel,
        actives_to_end,
        drafts_to_request_for,
        exception,
        requests_to_decide: requested,
        requests_to_withdraw,
        grants_to_revoke,
    }
}

/// Partners, contacts and assessments for the rows of issue 3. Lists are indexed by
/// `Caller::index()`, so each caller gets its own resource to delete or publish.
struct PartnerFixture {
    /// A partner path, `/api/v1/partners/{id}`.
    partner: String,
    doomed_partners: Vec<String>,
    /// A contact path of `partner`.
    contact: String,
    doomed_contacts: Vec<String>,
    /// A published assessment's path.
    published: String,
    /// A draft by `cora`, for edits.
    draft: String,
    doomed_drafts: Vec<String>,
    /// Drafts by `cora`, for another coordinator to publish.
    publishable: Vec<String>,
}

async fn partner_fixture(app: &TestApp) -> PartnerFixture {
    let coordinator = app.token_for("setup-coordinator", &["coordinator"], None);
    let cora = app.token_for("cora", &["coordinator"], None);
    let (coordinator, cora) = (By::Token(&coordinator), By::Token(&cora));
    let mut partners = Vec::new();
    for _ in 0..=CALLERS.len() {
        let partner = partner_by(app, coordinator, json!({})).await;
        partners.push(format!("/api/v1/partners/{}", id(&partner)));
    }
    let partner = partners.pop().unwrap();
    let partner_id = partner.rsplit('/').next().unwrap();
    let mut contacts = Vec::new();
    for _ in 0..=CALLERS.len() {
        let kari = json!({"name": "Kari Example", "retentionUntil": "2099-12-31"});
        let contact = contact_by(app, coordinator, partner_id, kari).await;
        contacts.push(format!("{partner}/contacts/{}", id(&contact)));
    }
    let contact = contacts.pop().unwrap();
    let mut drafts = Vec::new();
    for _ in 0..(2 * CALLERS.len() + 2) {
        let draft = draft_by(app, cora, json!({"countryCode": "NO"}), MEETS).await;
        drafts.push(draft);
    }
    let published = publish_draft(app, coordinator, &drafts.pop().unwrap()).await;
    let published = format!("/api/v1/assessments/{}", id(&published));
    let mut drafts: Vec<String> = drafts
        .iter()
        .map(|d| format!("/api/v1/assessments/{}", id(d)))
        .collect();
    let draft = drafts.pop().unwrap();
    let publishable = drafts.split_off(CALLERS.len());
    PartnerFixture {
        partner,
        doomed_partners: partners,
        contact,
        doomed_contacts: contacts,
        published,
        draft,
        doomed_drafts: drafts,
        publishable,
    }
}

/// A unit for one caller to delete, so that an allowed delete finds it still there.
fn doomed_unit(caller: Caller) -> String {
    format!("DOOMED{}", caller.index())
}

async fn setup(app: &TestApp) -> Fixture {
    create_unit(app, "KS", "EXECUTIVE_BOARD", None).await;
    create_unit(app, "KFN", "COMMITTEE", Some("KS")).await;
    for caller in CALLERS {
        create_unit(app, &doomed_unit(caller), "COMMITTEE", None).await;
    }
    let partners = partner_fixture(app).await;
    Fixture {
        unit: "KFN".into(),
        parent_unit: "KS".into(),
        agreements: agreement_fixture(app, &partners.partner).await,
        partners,
        webhooks: webhook_fixture(app).await,
    }
}

/// One request of a row.
struct Req {
    method: Method,
    path: String,
    body: Option<(Value, &'static str)>,
    /// Send `If-Match` with the resource's current ETag (read from `etag_from`, or `path`).
    if_match: bool,
    etag_from: Option<String>,
}

impl Req {
    fn new(method: Method, path: impl Into<String>) -> Self {
        Req {
            method,
            path: path.into(),
            body: None,
            if_match: false,
            etag_from: None,
        }
    }

    fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    fn post(path: impl Into<String>, body: Value) -> Self {
        Self::new(Method::POST, path).json(body)
    }

    /// A merge patch, with If-Match.
    fn patch(path: impl Into<String>, body: Value) -> Self {
        let mut req = Self::new(Method::PATCH, path);
        req.body = Some((body, "application/merge-patch+json"));
        req.if_match = true;
        req
    }

    #[allow(dead_code)] // for the rows of endpoints that replace a resource
    fn put(path: impl Into<String>, body: Value) -> Self {
        let mut req = Self::new(Method::PUT, path).json(body);
        req.if_match = true;
        req
    }

    /// A delete, with If-Match.
    fn delete(path: impl Into<String>) -> Self {
        let mut req = Self::new(Method::DELETE, path);
        req.if_match = true;
        req
    }

    /// An action (`…/activate`, `…/publish`) on the resource at `resource`, with its If-Match.
    #[allow(dead_code)] // for the rows of actions (activate, publish, decision, …)
    fn action(path: impl Into<String>, resource: impl Into<String>, body: Value) -> Self {
        let mut req = Self::post(path, body);
        req.if_match = true;
        req.etag_from = Some(resource.into());
        req
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some((body, "application/json"));
        self
    }
}

type Build = fn(&Fixture, Caller) -> Req;

struct Row {
    method: &'static str,
    template: &'static str,
    build: Build,
    /// The status for each caller, in the order of `CALLERS`.
    expect: [u16; 6],
}

fn row(method: &'static str, template: &'static str, build: Build, expect: [u16; 6]) -> Row {
    Row {
        method,
        template,
        build,
        expect,
    }
}

/// Everybody, with or without a token.
const PUBLIC: [u16; 6] = [200, 200, 200, 200, 200, 200];
/// Every role reads; no token is 401.
const READ: [u16; 6] = [401, 200, 200, 200, 200, 200];
/// Admins only.
const ADMIN: [u16; 6] = [401, 403, 403, 403, 403, 200];
/// Officers (of the owning unit) and coordinators change agreements and requests.
const WRITE_AGREEMENTS: [u16; 6] = [401, 403, 200, 200, 403, 403];
const WRITE_AGREEMENTS_CREATED: [u16; 6] = [401, 403, 201, 201, 403, 403];
/// Only the board secretary records decisions.
const BOARD_SECRETARY: [u16; 6] = [401, 403, 403, 403, 200, 403];

fn rows() -> Vec<Row> {
    vec![
        // What needs no token.
        row("GET", "/api-info", |_, _| Req::get("/api-info"), PUBLIC),
        row(
            "GET",
            "/api/v1/api-info",
            |_, _| Req::get("/api/v1/api-info"),
            PUBLIC,
        ),
        row(
            "GET",
            "/health/live",
            |_, _| Req::get("/health/live"),
            PUBLIC,
        ),
        row(
            "GET",
            "/health/ready",
            |_, _| Req::get("/health/ready"),
            PUBLIC,
        ),
        row("GET", "/metrics", |_, _| Req::get("/metrics"), PUBLIC),
        // The policy and countries.
        row(
            "GET",
            "/api/v1/policy",
            |_, _| Req::get("/api/v1/policy"),
            READ,
        ),
        row(
            "GET",
            "/api/v1/countries",
            |_, _| Req::get("/api/v1/countries"),
            READ,
        ),
        row(
            "GET",
            "/api/v1/countries/{code}",
            |_, _| Req::get("/api/v1/countries/SE"),
            READ,
        ),
        // Units: admin writes.
        row(
            "GET",
            "/api/v1/units",
            |_, _| Req::get("/api/v1/units"),
            READ,
        ),
        row(
            "POST",
            "/api/v1/units",
            |f, caller| {
                Req::post(
                    "/api/v1/units",
                    json!({"code": format!("NEW{}", caller.index()), "name": "Ny enhet", "type": "ADMINISTRATION", "parentCode": f.parent_unit}),
                )
            },
            [401, 403, 403, 403, 403, 201],
        ),
        row(
            "GET",
            "/api/v1/units/{code}",
            |f, _| Req::get(format!("/api/v1/units/{}", f.unit)),
            READ,
        ),
        row(
            "PATCH",
            "/api/v1/units/{code}",
            |f, _| {
                Req::patch(
                    format!("/api/v1/units/{}", f.unit),
                    json!({"nameEn": "Culture Committee"}),
                )
            },
            [401, 403, 403, 403, 403, 200],
        ),
        row(
            "DELETE",
            "/api/v1/units/{code}",
            |_, caller| Req::delete(format!("/api/v1/units/{}", doomed_unit(caller))),
            [401, 403, 403, 403, 403, 204],
        ),
        // Countries' assessments and indicators (issue 3).
        row(
            "GET",
            "/api/v1/countries/{code}/assessments",
            |_, _| Req::get("/api/v1/countries/NO/assessments"),
            READ,
        ),
        row(
            "GET",
            "/api/v1/countries/{code}/indicators",
            |_, _| Req::get("/api/v1/countries/NO/indicators"),
            READ,
        ),
        row(
            "POST",
            "/api/v1/indicators",
            |_, _| {
                let mut req = Req::new(Method::POST, "/api/v1/indicators");
                req.body = Some((
                    json!("countryCode,source,edition,metric,value\nNO,VDEM,v-test,libdem,0.8\n"),
                    "text/csv",
                ));
                req
            },
            [401, 403, 403, 201, 403, 403],
        ),
        // Importing the register a city already keeps: coordinators and admins.
        row(
            "POST",
            "/api/v1/imports/agreements",
            |_, _| {
                let mut req = Req::new(Method::POST, "/api/v1/imports/agreements");
                req.body = Some((
                    json!("title,type,unitCode,status\nImporterat utkast,PROJECT,KFN,DRAFT\n"),
                    "text/csv",
                ));
                req
            },
            [401, 403, 403, 201, 403, 201],
        ),
        // Assessments: coordinators write (four eyes), everybody reads published ones.
        row(
            "GET",
            "/api/v1/assessments",
            |_, _| Req::get("/api/v1/assessments"),
            READ,
        ),
        row(
            "POST",
            "/api/v1/assessments",
            |_, _| {
                let v = json!({"verdict": "UNCERTAIN", "rationale": "Invented for the test."});
                Req::post(
                    "/api/v1/assessments",
                    json!({"countryCode": "DK", "humanRights": v, "democracy": v, "ruleOfLaw": v}),
                )
            },
            [401, 403, 403, 201, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/assessments/{id}",
            |f, _| Req::get(f.partners.published.clone()),
            READ,
        ),
        row(
            "PATCH",
            "/api/v1/assessments/{id}",
            |f, _| {
                Req::patch(
                    f.partners.draft.clone(),
                    json!({"democracy": {"verdict": "UNCERTAIN", "rationale": "Invented."}}),
                )
            },
            [401, 403, 403, 200, 403, 403],
        ),
        row(
            "DELETE",
            "/api/v1/assessments/{id}",
            |f, caller| Req::delete(f.partners.doomed_drafts[caller.index()].clone()),
            [401, 403, 403, 204, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/assessments/{id}/publish",
            |f, caller| {
                let draft = f.partners.publishable[caller.index()].clone();
                Req::action(format!("{draft}/publish"), draft, json!({}))
            },
            [401, 403, 403, 200, 403, 403],
        ),
        // Partners: officers and coordinators write; only coordinators delete.
        row(
            "GET",
            "/api/v1/partners",
            |_, _| Req::get("/api/v1/partners"),
            READ,
        ),
        row(
            "POST",
            "/api/v1/partners",
            |_, _| {
                Req::post(
                    "/api/v1/partners",
                    json!({"name": "Exampleby", "kind": "CITY", "countryCode": "NO"}),
                )
            },
            [401, 403, 201, 201, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/partners/{id}",
            |f, _| Req::get(f.partners.partner.clone()),
            READ,
        ),
        row(
            "PATCH",
            "/api/v1/partners/{id}",
            |f, _| Req::patch(f.partners.partner.clone(), json!({"city": "Exampleby"})),
            [401, 403, 200, 200, 403, 403],
        ),
        row(
            "DELETE",
            "/api/v1/partners/{id}",
            |f, caller| Req::delete(f.partners.doomed_partners[caller.index()].clone()),
            [401, 403, 403, 204, 403, 403],
        ),
        // Contacts: personal data for officers, coordinators and the board secretary.
        row(
            "GET",
            "/api/v1/partners/{id}/contacts",
            |f, _| Req::get(format!("{}/contacts", f.partners.partner)),
            [401, 403, 200, 200, 200, 403],
        ),
        row(
            "POST",
            "/api/v1/partners/{id}/contacts",
            |f, _| {
                Req::post(
                    format!("{}/contacts", f.partners.partner),
                    json!({"name": "Kari Example", "retentionUntil": "2099-12-31"}),
                )
            },
            [401, 403, 201, 201, 403, 403],
        ),
        row(
            "GET",
            "/api/v1/partners/{id}/contacts/{contactId}",
            |f, _| Req::get(f.partners.contact.clone()),
            [401, 403, 200, 200, 200, 403],
        ),
        row(
            "PATCH",
            "/api/v1/partners/{id}/contacts/{contactId}",
            |f, _| Req::patch(f.partners.contact.clone(), json!({"role": "Coordinator"})),
            [401, 403, 200, 200, 403, 403],
        ),
        row(
            "DELETE",
            "/api/v1/partners/{id}/contacts/{contactId}",
            |f, caller| Req::delete(f.partners.doomed_contacts[caller.index()].clone()),
            [401, 403, 204, 204, 403, 403],
        ),
        // Agreements: officers of the owning unit and coordinators write; everybody reads.
        row(
            "GET",
            "/api/v1/agreements",
            |_, _| Req::get("/api/v1/agreements"),
            READ,
        ),
        row(
            "POST",
            "/api/v1/agreements",
            |f, _| {
                Req::post(
                    "/api/v1/agreements",
                    json!({"title": "Nytt", "type": "OTHER", "unitCode": f.unit, "partnerIds": [f.agreements.partner_id], "purposes": ["PROFILING"]}),
                )
            },
            WRITE_AGREEMENTS_CREATED,
        ),
        row(
            "GET",
            "/api/v1/agreements/{id}",
            |f, _| Req::get(f.agreements.active.clone()),
            READ,
        ),
        row(
            "PATCH",
            "/api/v1/agreements/{id}",
            |f, caller| {
                Req::patch(
                    f.agreements.active.clone(),
                    json!({"description": format!("Ändrad av {caller:?}")}),
                )
            },
            WRITE_AGREEMENTS,
        ),
        row(
            "DELETE",
            "/api/v1/agreements/{id}",
            |f, caller| Req::delete(f.agreements.drafts_to_delete[caller.index()].clone()),
            [401, 403, 204, 204, 403, 403],
        ),
        row(
            "POST",
            "/api/v1/agreements/{id}/activate",
            |f, caller| {
                let path = f.agreements.drafts_to_activate[caller.index()].clone();
                Req::action(format!("{path}/activate"), path, json!({}))
            },
            WRITE_AGREEMENTS,
        ),
        row(
            "POST",
            "/api/v1/agreements/{id}/end",
            |f, caller| {
                let path = f.agreements.actives_to_end[caller.index()].clone();
                Req::action(format!("{path}/end"), path, json!({}))
            },
            WRITE_AGREEMENTS,
        ),
        row(
            "POST",
            "/api/v1/agreements/{id}/cancel",
            |f, caller| {
                let path = f.agreements.drafts_to_cancel[caller.index()].clone();
                Req::action(format!("{path}/cancel"), path, json!({}))
            },
            WRITE_AGREEMENTS,
        ),
        row(
            "GET",
            "/api/v1/agreements/{id}/compliance",
            |f, _| Req::get(format!("{}/compliance", f.agreements.active)),
            READ,
        ),
        row(
            "GET",
            "/api/v1/agreements/{id}/history",
            |f, _| Req::get(format!("{}/history", f.agreements.active)),
            READ,
        ),
        row(
            "GET",
            "/api/v1/partners/{id}/eligibility",
            |f, _| {
                Req::get(format!(
                    "/api/v1/partners/{}/eligibility?unitCode={}",
                    f.agreements.partner_id, f.unit
                ))
            },
            READ,
        ),
        // Exceptions: requested by the unit, decided and revoked by the board secretary.
        row(
            "GET",
            "/api/v1/exceptions",
            |_, _| Req::get("/api/v1/exceptions?status=REQUESTED"),
            READ,
        ),
        row(
            "POST",
            "/api/v1/exceptions",
            |f, caller| {
                Req::post(
                    "/api/v1/exceptions",
                    json!({"agreementId": f.agreements.drafts_to_request_for[caller.index()], "partnerId": f.agreements.partner_id, "justification": "Skäl.", "caseNumber": "KS 2"}),
                )
            },
            WRITE_AGREEMENTS_CREATED,
        ),
        row(
            "GET",
            "/api/v1/exceptions/{id}",
            |f, _| Req::get(f.agreements.exception.clone()),
            READ,
        ),
        row(
            "GET",
            "/api/v1/exceptions/{id}/history",
            |f, _| Req::get(format!("{}/history", f.agreements.exception)),
            READ,
        ),
        row(
            "POST",
            "/api/v1/exceptions/{id}/decision",
            |f, caller| {
                let path = f.agreements.requests_to_decide[caller.index()].clone();
                Req::action(
                    format!("{path}/decision"),
                    path,
                    json!({"decision": "DENIED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-20", "protocolParagraph": "§ 2"}),
                )
            },
            BOARD_SECRETARY,
        ),
        row(
            "POST",
            "/api/v1/exceptions/{id}/revoke",
            |f, caller| {
                let path = f.agreements.grants_to_revoke[caller.index()].clone();
                Req::action(
                    format!("{path}/revoke"),
                    path,
                    json!({"decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-25", "protocolParagraph": "§ 3", "reason": "Skäl."}),
                )
            },
            BOARD_SECRETARY,
        ),
        row(
            "POST",
            "/api/v1/exceptions/{id}/withdraw",
            |f, caller| {
                let path = f.agreements.requests_to_withdraw[caller.index()].clone();
                Req::action(format!("{path}/withdraw"), path, json!({}))
            },
            WRITE_AGREEMENTS,
        ),
        // The change feed.
        row(
            "GET",
            "/api/v1/events",
            |_, _| Req::get("/api/v1/events"),
            READ,
        ),
        // Webhooks: admins only.
        row(
            "GET",
            "/api/v1/webhooks",
            |_, _| Req::get("/api/v1/webhooks"),
            ADMIN,
        ),
        row(
            "POST",
            "/api/v1/webhooks",
            |_, _| {
                Req::post(
                    "/api/v1/webhooks",
                    json!({"url": "https://93.184.215.14/other", "eventTypes": ["AGREEMENT.ACTIVATED"]}),
                )
            },
            [401, 403, 403, 403, 403, 201],
        ),
        row(
            "GET",
            "/api/v1/webhooks/{id}",
            |f, _| Req::get(format!("/api/v1/webhooks/{}", f.webhooks.webhook)),
            ADMIN,
        ),
        row(
            "PATCH",
            "/api/v1/webhooks/{id}",
            |f, _| {
                Req::patch(
                    format!("/api/v1/webhooks/{}", f.webhooks.webhook),
                    json!({"description": "Ärendesystemet"}),
                )
            },
            ADMIN,
        ),
        row(
            "DELETE",
            "/api/v1/webhooks/{id}",
            |f, _| Req::delete(format!("/api/v1/webhooks/{}", f.webhooks.doomed)),
            [401, 403, 403, 403, 403, 204],
        ),
        row(
            "POST",
            "/api/v1/webhooks/{id}/rotate-secret",
            |f, _| {
                let path = format!("/api/v1/webhooks/{}", f.webhooks.webhook);
                Req::action(format!("{path}/rotate-secret"), path, json!({}))
            },
            ADMIN,
        ),
        row(
            "GET",
            "/api/v1/webhooks/{id}/deliveries",
            |f, _| {
                Req::get(format!(
                    "/api/v1/webhooks/{}/deliveries",
                    f.webhooks.webhook
                ))
            },
            ADMIN,
        ),
        row(
            "POST",
            "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
            |f, _| {
                Req::post(
                    format!(
                        "/api/v1/webhooks/{}/deliveries/{}/redeliver",
                        f.webhooks.webhook, f.webhooks.delivery
                    ),
                    json!({}),
                )
            },
            [401, 403, 403, 403, 403, 202],
        ),
        // Reports for Kommunstyrelsen: every role that reads.
        row(
            "GET",
            "/api/v1/reports/summary",
            |f, _| {
                Req::get(format!(
                    "/api/v1/reports/summary?unitCode={}",
                    f.parent_unit
                ))
            },
            READ,
        ),
        row(
            "GET",
            "/api/v1/reports/compliance",
            |_, _| Req::get("/api/v1/reports/compliance?expiresWithinDays=30"),
            READ,
        ),
    ]
}

/// The operations of the OpenAPI document, as `METHOD template`.
fn documented_operations() -> Vec<String> {
    let doc = serde_json::to_value(samverkan::app::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                operations.push(format!("{} {path}", method.to_ascii_uppercase()));
            }
        }
    }
    operations.sort();
    operations
}

/// The current ETag of `path`, read with every role (drafts included); `*` if it has none.
async fn current_etag(app: &TestApp, path: &str) -> String {
    let all = app.token_for(
        "etag-reader",
        &[
            "reader",
            "officer",
            "coordinator",
            "board_secretary",
            "admin",
        ],
        None,
    );
    app.get(path)
        .bearer(&all)
        .send()
        .await
        .header("etag")
        .unwrap_or_else(|| "*".into())
}

async fn every_documented_operation_grants_each_role_what_the_roles_table_says(app: TestApp) {
    let rows = rows();
    let mut tabled: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    tabled.sort();
    let documented = documented_operations();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|op| !tabled.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a row in tests/authorization.rs: {missing:#?}"
    );
    let stale: Vec<&String> = tabled
        .iter()
        .filter(|op| !documented.contains(op))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for undocumented operations: {stale:#?}"
    );
    let mut unique = tabled.clone();
    unique.dedup();
    assert_eq!(unique.len(), tabled.len(), "an operation has two rows");

    let fixture = setup(&app).await;
    let mut wrong = Vec::new();
    for row in &rows {
        for caller in CALLERS {
            let req = (row.build)(&fixture, caller);
            assert_eq!(req.method.as_str(), row.method, "{}", row.template);
            let mut call = app.call(req.method.clone(), &req.path);
            if let Some(token) = caller.token(&app, &fixture.unit) {
                call = call.bearer(&token);
            }
            if req.if_match {
                let tag = current_etag(&app, req.etag_from.as_deref().unwrap_or(&req.path)).await;
                call = call.header("If-Match", &tag);
            }
            if let Some((body, content_type)) = &req.body {
                // A string body (CSV) is sent as it is; anything else as JSON.
                let text = match body {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                call = call.raw(content_type, text);
            }
            let res = call.send().await;
            let expected = row.expect[caller.index()];
            if res.status != expected {
                wrong.push(format!(
                    "{} {} as {caller:?}: expected {expected}, got {}: {}",
                    row.method,
                    req.path,
                    res.status,
                    res.text().chars().take(300).collect::<String>()
                ));
            } else if expected == 401 || expected == 403 {
                let slug = if expected == 401 {
                    "unauthorized"
                } else {
                    "forbidden"
                };
                res.assert_problem(expected, slug);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

both!(every_documented_operation_grants_each_role_what_the_roles_table_says);

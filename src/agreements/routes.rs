use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::AgreementAnswers;
use super::compliance::read_judged;
use super::service::{self, Closing, ENTITY, not_found, present_all, present_read};
use super::store::{self, AgreementFilter, AgreementRecord, AgreementRow};
use super::{
    Agreement, AgreementInput, AgreementPatch, AgreementStatus, Compliance, ComplianceStatus,
};
use crate::db::AnyConnection;
use crate::db::derived::generation;
use crate::domain::LongText;
use crate::events::routes::history;
use crate::http::access::{Audience, Reader, Scope};
use crate::http::auth::{Capability, Principal};
use crate::http::crud::{self, Call};
use crate::http::docs as d;
use crate::http::operation::item;
use crate::http::problem::ApiError;
use crate::http::reply::{self, Reply};
use crate::policy::activation::{AgreementType, Purpose};
use crate::policy::today;

/// Drafts are not yet official records: they are shown to coordinators, board secretaries and the
/// officers of the owning unit only (`http::access`, the rule the change feed shares).
fn draft_units(
    conn: &mut AnyConnection,
    principal: &Principal,
) -> Result<Option<Vec<String>>, ApiError> {
    Ok(Reader::new(principal)
        .draft_units(conn)?
        .map(<[String]>::to_vec))
}

fn visible(
    conn: &mut AnyConnection,
    principal: &Principal,
    row: &AgreementRow,
) -> Result<bool, ApiError> {
    let audience = Audience::of_agreement(AgreementStatus::from_db(&row.status), &row.unit_code);
    Reader::new(principal).may_read(conn, &audience)
}

fn load_visible(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
) -> Result<AgreementRecord, ApiError> {
    let record = store::find(conn, id)?.ok_or_else(not_found)?;
    if !visible(conn, principal, &record.row)? {
        return Err(not_found());
    }
    Ok(record)
}

/// An agreement the caller may see and whose unit is the caller's own, with the caller's scope.
fn load_own(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: &str,
) -> Result<(AgreementRecord, Scope), ApiError> {
    let record = load_visible(conn, principal, id)?;
    let scope = Scope::of(conn, principal)?;
    scope.require(&record.row.unit_code)?;
    Ok((record, scope))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AgreementParams {
    status: Option<AgreementStatus>,
    #[param(example = "KFN")]
    unit_code: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    #[serde(default, deserialize_with = "crate::http::validate::partner_id_param")]
    partner_id: Option<uuid::Uuid>,
    #[param(example = "FI", pattern = "^[A-Z]{2}$")]
    country_code: Option<String>,
    #[param(example = "KS 2026-00123")]
    case_number: Option<String>,
    purpose: Option<Purpose>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    agreement_type: Option<AgreementType>,
    /// Active agreements by compliance, judged now.
    compliance: Option<ComplianceStatus>,
    /// Text search in the title and case number.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Only agreements changed at or after this instant.
    updated_since: Option<DateTime<Utc>>,
}

item! {
    tag "Agreements";

    /// List agreements / Lista samarbeten
    ///
    /// Oldest first. Drafts are listed only for coordinators, board secretaries and the officers of the
    /// owning unit. `compliance=REVIEW_REQUIRED` finds the active agreements that no longer hold.
    #[list(get "/agreements", AgreementParams, 200 csv(Agreement, "A page of agreements (or CSV).", example = json!({"items": [], "page": 1, "limit": 20, "totalItems": 0, "totalPages": 0})))]
    async fn list_agreements(call, params, answers: web::Data<AgreementAnswers>) {
        call.require(Capability::Read)?;
        let f = params.filters;
        if let Some(code) = &f.country_code {
            crate::domain::CountryCode::parse(code).map_err(|_| {
                ApiError::invalid(
                    "/query/countryCode",
                    "invalid-country-code",
                    crate::text::Text::CountryCodeForm.msg(),
                )
            })?;
        }
        let answers = answers.into_inner();
        let principal = call.principal.clone();
        // An export names each partner (`partners` column); a JSON page carries ids only.
        let export =
            crate::http::export::ExportFormat::negotiate(&call.req, params.paging.format).is_file();
        call.list(params.paging, move |conn, offset, limit| {
            let mut filter = AgreementFilter {
                statuses: f.status.map(|s| vec![s]),
                unit_code: f.unit_code,
                partner_id: f.partner_id.map(|u| u.hyphenated().to_string()),
                country_code: f.country_code,
                case_number: f.case_number,
                purpose: f.purpose,
                agreement_type: f.agreement_type,
                q: f.q,
                updated_since: f.updated_since.map(|t| t.naive_utc()),
                draft_units: draft_units(conn, &principal)?,
            };
            let today = today();
            if let Some(wanted) = f.compliance {
                // Compliance is judged now, so the filter runs on the active agreements in Rust,
                // with the answers kept while the register is unchanged.
                let generation = generation(conn)?;
                filter.statuses = Some(vec![AgreementStatus::Active]);
                let active = store::list_all(conn, &filter)?;
                let matching: Vec<Agreement> = present_all(conn, &active, today, generation, &answers)?
                    .into_iter()
                    .filter(|a| a.compliance.as_ref().is_some_and(|c| c.status == wanted))
                    .collect();
                let (mut page, total) = crud::slice(matching, offset, limit);
                if export {
                    service::name_partners(conn, &mut page)?;
                }
                return Ok((page, total));
            }
            // The page with its lists and company flags, and the register's generation: one
            // statement; the compliance not held since, one more.
            let (rows, generation) = store::page(conn, &filter, offset, limit)?;
            // The total is counted over every match (at 100,000 agreements, thousands of index
            // entries); it is kept while the register is unchanged, like the derived answers, and
            // counted afresh for an empty page (which read no generation).
            let key = format!("{filter:?}");
            let total = match generation.and_then(|g| answers.totals.get(g, &key)) {
                Some(total) => total,
                None => {
                    let total = store::count(conn, &filter)?;
                    if let Some(generation) = generation {
                        answers.totals.put(generation, key, total);
                    }
                    total
                }
            };
            let mut page = match generation {
                Some(generation) => service::present_page(conn, &rows, today, generation, &answers)?,
                None => Vec::new(),
            };
            if export {
                service::name_partners(conn, &mut page)?;
            }
            Ok((page, total))
        })
        .await
    }

    /// Read an agreement / Läs ett samarbete
    ///
    /// A draft is visible only to coordinators, the board secretary and callers whose units include
    /// its unit (404 to others). The agreement carries its compliance judged now, and its `ETag`; `If-None-Match` with the current ETag answers 304.
    #[read(get "/agreements/{id}", any_id("The agreement's id."), 200(Agreement, "The agreement, with its compliance judged now.", etag = "The agreement's version."))]
    async fn get_agreement(call, id, answers: web::Data<AgreementAnswers>) {
        call.require(Capability::Read)?;
        let principal = call.principal.clone();
        let answers = answers.into_inner();
        let agreement = call
            .one(not_found, move |conn| {
                // The agreement, its lists and (unless held) its compliance inputs: one statement.
                let today = today();
                let Some((read, compliance)) = read_judged(conn, &id, today, &answers.compliance)?
                else {
                    return Ok(None);
                };
                if !visible(conn, &principal, &read.record.row)? {
                    return Ok(None);
                }
                Ok(Some(present_read(&read, compliance, today)))
            })
            .await?;
        call.resource(&agreement, agreement.version)
    }

    /// Register an agreement / Registrera ett samarbete
    ///
    /// A new agreement is a draft. Officers register agreements for their own unit (and the units below
    /// it); coordinators for any unit. The policy's recommendations come back as `warnings`.
    #[create(post "/agreements", body = AgreementInput, 201(Agreement, "The draft was registered."), 409(Conflict))]
    async fn create_agreement(call, body) {
        call.principal.require(Capability::WriteAgreements)?;
        let input = body.value;
        let p = call.principal.clone();
        call.create(&body.digest, move |conn, actor| {
            // The units' tree an officer's scope reads also tells the agreement's unit.
            let (scope, tree) = Scope::with_tree(conn, &p)?;
            scope.require(input.unit_code.as_str())?;
            service::register(conn, actor, &input, tree.as_deref(), today())
        })
        .await
    }

    /// Change an agreement / Ändra ett samarbete
    ///
    /// JSON Merge Patch. Drafts change freely. An active agreement stays true: a change to its partners,
    /// unit, dates, type or purposes re-runs the activation rules and is refused (409
    /// `activation-blocked`) when they fail. Ended and cancelled agreements do not change.
    #[change(patch "/agreements/{id}", any_id("The agreement's id."), body = AgreementPatch, 200(Agreement, "The agreement as changed.", etag = "The new version."), 409(ActivationBlocked))]
    async fn update_agreement(call, id, patch) {
        call.require(Capability::WriteAgreements)?;
        let p = call.principal.clone();
        call.guarded(move |conn, actor, pre| {
            let (record, scope) = load_own(conn, &p, &id)?;
            pre.check(record.row.version)?;
            crud::changed(&service::update(
                conn,
                actor,
                &scope,
                &record,
                &patch,
                today(),
            )?)
        })
        .await
    }

    /// Delete a draft / Ta bort ett utkast
    ///
    /// Only drafts can be deleted; an agreement that has been active is an official record.
    #[remove(delete "/agreements/{id}", any_id("The agreement's id."), 204("The draft was deleted."), 409(Conflict))]
    async fn delete_agreement(call, id) {
        call.require(Capability::WriteAgreements)?;
        let p = call.principal.clone();
        call.guarded(move |conn, actor, pre| {
            let (record, _) = load_own(conn, &p, &id)?;
            pre.check(record.row.version)?;
            service::delete_draft(conn, actor, &record)?;
            Ok(Reply::no_content())
        })
        .await
    }

    /// Activate an agreement / Aktivera ett samarbete
    ///
    /// Refused with 409 `activation-blocked`, naming every blocking rule and partner, unless: at least
    /// one purpose and one partner; a start date; type PROJECT has purpose PROJECT_COLLABORATION;
    /// PROJECT_COLLABORATION has at least two partners; and every partner is ELIGIBLE or
    /// ELIGIBLE_BY_EXCEPTION for this agreement today, and also on the start date when that lies ahead.
    /// A start date in the past marks the agreement `registeredRetroactively`.
    #[act(post "/agreements/{id}/activate", any_id("The agreement's id."), [], 200(Agreement, "The agreement is active.", etag = "The new version."), 409(ActivationBlocked))]
    async fn activate_agreement(call, id, body) {
        let next = AgreementStatus::Active;
        act(call, id, &body.digest, next, Closing::default()).await
    }

    /// End an agreement / Avsluta ett samarbete
    ///
    /// An active agreement ends by this action only; nothing ends by itself at `endDate`. The optional
    /// body gives the day it ended (today when absent; not in the future, not before `startDate`),
    /// which becomes its `endDate`, and why; `endedAt` records when it was ended.
    #[act(post "/agreements/{id}/end", any_id("The agreement's id."), [optional EndAgreement "Optional: the end date and the reason. An empty body ends it today without a reason."], 200(Agreement, "The agreement has ended.", etag = "The new version."), 409(Conflict))]
    async fn end_agreement(call, id, body) {
        let ending = body.value.unwrap_or_default();
        let closing = Closing {
            end_date: ending.end_date,
            reason: ending.reason,
        };
        act(call, id, &body.digest, AgreementStatus::Ended, closing).await
    }

    /// Cancel an agreement / Avbryt ett samarbete
    ///
    /// A draft or active agreement is cancelled; the record is kept, with `cancelledAt` and the
    /// optional reason.
    #[act(post "/agreements/{id}/cancel", any_id("The agreement's id."), [optional CancelAgreement "Optional: the reason. An empty body cancels without one."], 200(Agreement, "The agreement is cancelled.", etag = "The new version."), 409(Conflict))]
    async fn cancel_agreement(call, id, body) {
        let closing = Closing {
            end_date: None,
            reason: body.value.and_then(|b| b.reason),
        };
        act(call, id, &body.digest, AgreementStatus::Cancelled, closing).await
    }
}

/// An action of the agreement's own unit: loads it, checks the precondition and moves it to `next`.
async fn act(
    call: crud::KeyedCall,
    id: String,
    digest: &str,
    next: AgreementStatus,
    closing: Closing,
) -> Result<HttpResponse, ApiError> {
    call.principal.require(Capability::WriteAgreements)?;
    let p = call.principal.clone();
    call.act(digest, move |conn, actor, pre| {
        let (record, _) = load_own(conn, &p, &id)?;
        pre.check(record.row.version)?;
        service::transition(conn, actor, &record, next, &closing, today())
    })
    .await
}

/// The optional body of `POST /agreements/{id}/end`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"endDate": "2026-11-27", "reason": "The exchange programme was completed."}))]
pub struct EndAgreement {
    /// The day it ended: today when absent; neither in the future nor before `startDate`.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// Why it ended.
    #[serde(default)]
    pub reason: Option<LongText>,
}

/// The optional body of `POST /agreements/{id}/cancel`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"reason": "The partner withdrew before the start."}))]
pub struct CancelAgreement {
    /// Why it was cancelled.
    #[serde(default)]
    pub reason: Option<LongText>,
}

/// Compliance of an agreement / Följer samarbetet policyn
///
/// For an active agreement: `COMPLIANT`, or `REVIEW_REQUIRED` with the reasons (a new failing
/// assessment, an expired assessment, an expired or revoked exception), judged at this moment.
#[utoipa::path(
    tag = "Agreements",
    operation_id = "getAgreementCompliance",
    params(("id" = uuid::Uuid, Path, description = "The agreement's id.")),
    responses(
        (status = 200, description = "The compliance, now.", body = Compliance),
        (status = 409, response = d::Conflict),
    )
)]
#[get("/agreements/{id}/compliance")]
pub async fn get_compliance(
    call: Call,
    id: web::Path<String>,
    answers: web::Data<AgreementAnswers>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let id = id.into_inner();
    let answers = answers.into_inner();
    let result = call
        .db
        .read(move |conn| {
            // The agreement and (unless held) its compliance inputs: one statement.
            let (read, compliance) =
                read_judged(conn, &id, today(), &answers.compliance)?.ok_or_else(not_found)?;
            if !visible(conn, &call.principal, &read.record.row)? {
                return Err(not_found());
            }
            compliance.ok_or_else(|| {
                ApiError::conflict(
                    crate::text::Text::ComplianceOfActiveOnly {
                        status: read.record.row.status.clone(),
                    }
                    .msg(),
                )
            })
        })
        .await?;
    reply::json(&result)
}

/// History of an agreement / Ett samarbetes historik
///
/// Every version, with who changed what and when, from the change log.
#[utoipa::path(
    tag = "Agreements",
    operation_id = "getAgreementHistory",
    params(("id" = uuid::Uuid, Path, description = "The agreement's id.")),
    responses(
        (status = 200, description = "The versions, oldest first.", body = crate::events::history::History, example = json!({"entityType": "AGREEMENT", "entityId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "items": [{"eventId": 7, "occurredAt": "2026-11-20T08:00:00Z", "actor": "officer-kfn", "action": "CREATED", "version": 1, "changedFields": ["title"], "data": {"title": "Vänortssamarbete med Tammerfors"}}]})),
    )
)]
#[get("/agreements/{id}/history")]
pub async fn get_history(call: Call, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let found = |conn: &mut _, principal: &_, id: &_| load_visible(conn, principal, id).map(drop);
    history(call, ENTITY, id.into_inner(), found).await
}

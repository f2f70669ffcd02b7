use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, ENTITY, not_found};
use super::store::{self, ExceptionFilter, ExceptionRow};
use super::{DecisionInput, Exception, ExceptionRequest, ExceptionStatus, RevocationInput};
use crate::db::AnyConnection;
use crate::events::routes::history;
use crate::http::auth::{Capability, Principal};
use crate::http::crud::{self, Call};
use crate::http::json::JsonBody;
use crate::http::operation::item;
use crate::http::problem::ApiError;

/// An officer acts for their unit and the units below it; a coordinator for every unit.
fn require_unit(
    conn: &mut AnyConnection,
    principal: &Principal,
    unit: &str,
) -> Result<(), ApiError> {
    crate::http::access::Scope::of(conn, principal)?.require(unit)
}

/// Loads the request, checks the caller's unit (when the action is the unit's own: only the
/// requesting unit and those above it may act) and the precondition, and replies with what
/// `action` made of it.
async fn act(
    call: crud::KeyedCall,
    id: String,
    digest: &str,
    own_unit: bool,
    action: impl FnOnce(&mut AnyConnection, &str, &ExceptionRow) -> Result<Exception, ApiError>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let p = call.principal.clone();
    call.act(digest, move |conn, actor, pre| {
        let row = store::find_row(conn, &id)?.ok_or_else(not_found)?;
        if own_unit {
            require_unit(conn, &p, &row.unit_code)?;
        }
        pre.check(row.version)?;
        action(conn, actor, &row)
    })
    .await
}

/// What the board secretary records on a request (a decision, a revocation), by `record`.
async fn record<T: Send + 'static>(
    call: crud::KeyedCall,
    id: String,
    body: JsonBody<T>,
    record: fn(&mut AnyConnection, &str, &ExceptionRow, &T) -> Result<Exception, ApiError>,
) -> Result<HttpResponse, ApiError> {
    call.principal.require(Capability::DecideExceptions)?;
    let input = body.value;
    act(call, id, &body.digest, false, move |conn, actor, row| {
        record(conn, actor, row, &input)
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ExceptionParams {
    status: Option<ExceptionStatus>,
    #[param(example = "KFN")]
    unit_code: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    #[serde(default, deserialize_with = "crate::http::validate::partner_id_param")]
    partner_id: Option<uuid::Uuid>,
    #[param(value_type = Option<uuid::Uuid>)]
    #[serde(
        default,
        deserialize_with = "crate::http::validate::agreement_id_param"
    )]
    agreement_id: Option<uuid::Uuid>,
    #[param(example = "KS 2026-00456")]
    case_number: Option<String>,
}

item! {
    tag "Exceptions";

    /// List exception requests / Lista begäranden om undantag
    ///
    /// Oldest first; `status=REQUESTED` lists the requests waiting for Kommunstyrelsen.
    #[list(get "/exceptions", ExceptionParams, 200(Exception, "A page of exception requests.", example = json!({"items": [], "page": 1, "limit": 20, "totalItems": 0, "totalPages": 0})))]
    async fn list_exceptions(call, params) {
        call.require(Capability::Read)?;
        let f = params.filters;
        let paging = params.paging;
        let filter = ExceptionFilter {
            status: f.status,
            unit_code: f.unit_code,
            partner_id: f.partner_id.map(|u| u.hyphenated().to_string()),
            agreement_id: f.agreement_id.map(|u| u.hyphenated().to_string()),
            case_number: f.case_number,
        };
        call.list(paging, move |c, offset, limit| {
            store::list(c, &filter, offset, limit)
        })
        .await
    }

    /// Read an exception request / Läs en begäran om undantag
    ///
    /// Every role may read exception requests. Answers the request with any decision or revocation, and its `ETag`; `If-None-Match` with the current ETag answers 304.
    #[read(get "/exceptions/{id}", any_id("The request's id."), 200(Exception, "The request and any decision.", etag = "The request's version."))]
    async fn get_exception(call, id) {
        let find = |c: &mut _, id: &String| Ok(store::find_row(c, id)?.map(Exception::from));
        call.read(Capability::Read, Ok(id), not_found, find).await
    }

    /// Request an exception / Begär undantag
    ///
    /// For one agreement of your unit and one of its partners that does not meet the requirements.
    /// Kommunstyrelsen decides; the unit follows from the agreement.
    #[create(post "/exceptions", body = ExceptionRequest, 201(Exception, "The request was filed."), 409(Conflict))]
    async fn request_exception(call, body) {
        call.principal.require(Capability::WriteAgreements)?;
        let request = body.value;
        let p = call.principal.clone();
        call.create(&body.digest, move |conn, actor| {
            let authorize = |conn: &mut _, unit: &str| require_unit(conn, &p, unit);
            service::request(conn, actor, Some(&p), &request, authorize)
        })
        .await
    }

    /// Record the decision / Registrera beslutet
    ///
    /// The board secretary records Kommunstyrelsen's (or a delegate's) decision on a request. A decision
    /// is immutable once recorded, and nobody records the decision on a request they filed
    /// (rule EXCEPTION_DECIDED_BY_OTHER).
    #[act(post "/exceptions/{id}/decision", any_id("The request's id."), [json DecisionInput], 200(Exception, "The decision is recorded.", etag = "The new version."), 409(Conflict))]
    async fn decide_exception(call, id, body) {
        record(call, id, body, service::decide).await
    }

    /// Record a revocation / Registrera ett återkallande
    ///
    /// A granted exception is revoked by a new decision; the grant stays on record.
    #[act(post "/exceptions/{id}/revoke", any_id("The request's id."), [json RevocationInput], 200(Exception, "The revocation is recorded.", etag = "The new version."), 409(Conflict))]
    async fn revoke_exception(call, id, body) {
        record(call, id, body, service::revoke).await
    }

    /// Withdraw a request / Återkalla en begäran
    ///
    /// The requesting unit withdraws a request that has not been decided.
    #[act(post "/exceptions/{id}/withdraw", any_id("The request's id."), [], 200(Exception, "The request is withdrawn.", etag = "The new version."), 409(Conflict))]
    async fn withdraw_exception(call, id, body) {
        call.principal.require(Capability::WriteAgreements)?;
        act(call, id, &body.digest, true, service::withdraw).await
    }
}

/// History of an exception / Historik för ett undantag
///
/// Every version of the request from the change log, oldest first: who changed what and when (request, decision, revocation, withdrawal).
#[utoipa::path(
    tag = "Exceptions",
    operation_id = "getExceptionHistory",
    params(("id" = uuid::Uuid, Path, description = "The request's id.")),
    responses(
        (status = 200, description = "The versions, oldest first.", body = crate::events::history::History, example = json!({"entityType": "EXCEPTION", "entityId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d70", "items": [{"eventId": 9, "occurredAt": "2026-11-20T09:00:00Z", "actor": "officer-kfn", "action": "REQUESTED", "version": 1, "changedFields": ["status"], "data": {"status": "REQUESTED"}}]})),
    )
)]
#[get("/exceptions/{id}/history")]
pub async fn get_exception_history(
    call: Call,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found =
        |conn: &mut _, _: &_, id: &_| store::find_row(conn, id)?.ok_or_else(not_found).map(drop);
    history(call, ENTITY, id.into_inner(), found).await
}

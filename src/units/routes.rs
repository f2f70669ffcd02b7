use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, not_found};
use super::store::{self, UnitFilter};
use super::{NewUnit, Unit, UnitPatch, UnitType};
use crate::http::auth::Capability;
use crate::http::crud::{self, Call};
use crate::http::docs as d;
use crate::http::json::JsonBody;
use crate::http::paging::{ListParams, Page, Paging};
use crate::http::path::path_unit;
use crate::http::problem::ApiError;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitParams {
    /// Only units of this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    unit_type: Option<UnitType>,
    /// Only the units directly below this one.
    #[param(example = "KS")]
    parent_code: Option<String>,
    /// Text search in the Swedish and English names.
    #[param(example = "kultur", max_length = 200)]
    q: Option<String>,
}

/// List units / Lista enheter
///
/// The city's units, oldest first. `Accept: text/csv` returns the whole filtered list as CSV.
#[utoipa::path(
    tag = "Units",
    operation_id = "listUnits",
    params(Paging, UnitParams),
    responses(
        (status = 200, description = "A page of units (or CSV).", content(
            (Page<Unit> = "application/json", example = json!({"items": [{"code": "KFN", "name": "Kulturnämnden", "nameEn": "Culture Committee", "type": "COMMITTEE", "parentCode": "KS", "validFrom": null, "validUntil": null, "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})),
            (String = "text/csv"),
        )),
    )
)]
#[get("/units")]
pub async fn list_units(
    call: Call,
    params: ListParams<UnitParams>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let filter = UnitFilter {
        unit_type: params.filters.unit_type,
        parent_code: params.filters.parent_code,
        q: params.filters.q,
    };
    call.list(params.paging, move |c, offset, limit| {
        store::list(c, &filter, offset, limit)
    })
    .await
}

/// Read a unit / Läs en enhet
///
/// Every role may read units. Answers the unit with its `ETag`; `If-None-Match` with the current ETag answers 304.
#[utoipa::path(
    tag = "Units",
    operation_id = "getUnit",
    params(("code" = String, Path, description = "The unit's code.", example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")),
    responses(
        (status = 200, description = "The unit, with its ETag.", body = Unit, headers(("ETag" = String, description = "The unit's version."))),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/units/{code}")]
pub async fn get_unit(call: Call, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let code = path_unit(&code);
    call.read(Capability::Read, code, not_found, |c, code| {
        store::find(c, code.as_str())
    })
    .await
}

/// Create a unit / Skapa en enhet
///
/// Admins only. The code is the unit's key for good; `parentCode` places it below another unit. Answers the unit with its `ETag` and `Location`; a retry with the same `Idempotency-Key` replays.
#[utoipa::path(
    tag = "Units",
    operation_id = "createUnit",
    request_body(content = NewUnit, content_type = "application/json"),
    responses(
        (status = 201, description = "The unit was created.", body = Unit),
        (status = 409, response = d::Conflict),
    )
)]
#[post("/units")]
pub async fn create_unit(
    call: crud::KeyedCall,
    body: JsonBody<NewUnit>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Administer)?;
    let new = body.value;
    let create = move |conn: &mut _, actor: &str| service::create(conn, actor, &new);
    call.create(&body.digest, create).await
}

/// Change a unit / Ändra en enhet
///
/// JSON Merge Patch (RFC 7396): send the fields to change; `null` clears an optional field. The
/// code is the unit's identity and cannot change.
#[utoipa::path(
    tag = "Units",
    operation_id = "updateUnit",
    params(
        ("code" = String, Path, description = "The unit's code.", example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")),
    request_body(content = UnitPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The unit as changed.", body = Unit, headers(("ETag" = String, description = "The unit's new version."))),
    )
)]
#[patch("/units/{code}")]
pub async fn update_unit(
    call: Call,
    code: web::Path<String>,
    patch: UnitPatch,
) -> Result<HttpResponse, ApiError> {
    let code = path_unit(&code);
    call.change(
        Capability::Administer,
        code,
        move |conn, actor, code, pre| service::update(conn, actor, code.as_str(), pre, &patch),
    )
    .await
}

/// Delete a unit / Ta bort en enhet
///
/// Only a unit that nothing refers to can be deleted; a unit that has ended is given a `validUntil`
/// instead.
#[utoipa::path(
    tag = "Units",
    operation_id = "deleteUnit",
    params(
        ("code" = String, Path, description = "The unit's code.", example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")),
    responses(
        (status = 204, description = "The unit was deleted."),
        (status = 409, response = d::Conflict),
        (status = 400, response = d::BadRequest),
    )
)]
#[delete("/units/{code}")]
pub async fn delete_unit(call: Call, code: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let code = path_unit(&code);
    call.remove(Capability::Administer, code, |conn, actor, code, pre| {
        service::delete(conn, actor, code.as_str(), pre)
    })
    .await
}

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, UnitFilter};
use super::{NewUnit, Unit, UnitChanges, UnitPatch, UnitType};
use crate::config::Config;
use crate::db::AnyConnection;
use crate::db::Db;
use crate::events::{self, Change};
use crate::http::auth::{Capability, Principal};
use crate::http::csv::{CSV_MAX_ROWS, csv_response, wants_csv};
use crate::http::docs as d;
use crate::http::etag::{IfMatch, version_mismatch};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::http::paging::{ListParams, Page, Paging};
use crate::http::path::path_unit;
use crate::http::problem::{ApiError, FieldError};
use crate::http::reply::{self, Reply};

const ENTITY: crate::events::EntityType = crate::events::EntityType::Unit;

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

fn not_found() -> ApiError {
    ApiError::not_found("unit", "enhet")
}

/// List units / Lista enheter
///
/// The city's units, oldest first. `Accept: text/csv` returns the whole filtered list as CSV.
#[utoipa::path(
    tag = "Units",
    operation_id = "listUnits",
    params(Paging, UnitParams),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of units (or CSV).", content(
            (Page<Unit> = "application/json", example = json!({"items": [{"code": "KFN", "name": "Kulturnämnden", "nameEn": "Culture Committee", "type": "COMMITTEE", "parentCode": "KS", "validFrom": null, "validUntil": null, "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})),
            (String = "text/csv"),
        )),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/units")]
pub async fn list_units(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    params: ListParams<UnitParams>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Read)?;
    let filter = UnitFilter {
        unit_type: params.filters.unit_type,
        parent_code: params.filters.parent_code,
        q: params.filters.q,
    };
    let paging = params.paging;
    if wants_csv(&req) {
        let (items, total) = db
            .read(move |c| store::list(c, &filter, 0, CSV_MAX_ROWS))
            .await?;
        return csv_response(&items, total);
    }
    let (items, total) = db
        .read(move |c| store::list(c, &filter, paging.offset(), i64::from(paging.limit)))
        .await?;
    reply::json(&paging.page_of(items, total))
}

/// Read a unit / Läs en enhet
///
/// Every role may read units. Answers the unit with its `ETag`; `If-None-Match` with the current ETag answers 304.
#[utoipa::path(
    tag = "Units",
    operation_id = "getUnit",
    params(("code" = String, Path, description = "The unit's code.", example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The unit, with its ETag.", body = Unit, headers(("ETag" = String, description = "The unit's version."))),
        (status = 304, description = "Not modified since the ETag in If-None-Match."),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/units/{code}")]
pub async fn get_unit(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Read)?;
    let code = path_unit(&code)?;
    let unit = db
        .read(move |c| store::find(c, code.as_str()))
        .await?
        .ok_or_else(not_found)?;
    reply::resource(&req, &unit, unit.version)
}

/// Checks what the database alone cannot say well: the parent exists and is not the unit itself or
/// below it, and the validity is in order.
fn check_unit(conn: &mut AnyConnection, code: &str, changes: &UnitChanges) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(parent) = &changes.parent_code {
        if !store::exists(conn, parent.as_str())? {
            errors.push(FieldError::new(
                "/parentCode",
                "unknown-unit",
                crate::text::Text::NoSuchUnitCode {
                    code: parent.to_string(),
                }
                .msg(),
            ));
        } else if store::ancestors(conn, parent.as_str())?
            .iter()
            .any(|c| c == code)
        {
            errors.push(FieldError::new(
                "/parentCode",
                "cycle",
                crate::text::Text::UnitBelowItself.msg(),
            ));
        }
    }
    if let (Some(from), Some(until)) = (changes.valid_from, changes.valid_until)
        && from > until
    {
        errors.push(FieldError::new(
            "/validUntil",
            "before-start",
            crate::text::Text::ValidUntilBeforeValidFrom.msg(),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Create a unit / Skapa en enhet
///
/// Admins only. The code is the unit's key for good; `parentCode` places it below another unit. Answers the unit with its `ETag` and `Location`; a retry with the same `Idempotency-Key` replays.
#[utoipa::path(
    tag = "Units",
    operation_id = "createUnit",
    request_body(content = NewUnit, content_type = "application/json"),
    params(d::IdempotencyKeyHeader),
    security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "The unit was created.", body = Unit, headers(
            ("ETag" = String, description = "The unit's version."),
            ("Location" = String, description = "The unit's URL."))),
        (status = 400, response = d::BadRequest),
        (status = 409, response = d::Conflict),
    )
)]
#[post("/units")]
pub async fn create_unit(
    db: web::Data<Db>,
    config: web::Data<Config>,
    principal: Principal,
    req: HttpRequest,
    key: IdempotencyKey,
    body: JsonBody<NewUnit>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let new = body.value;
    let actor = principal.sub.clone();
    let base = config.public_url.clone();
    idempotency::execute(&db, &principal, &req, key, &body.digest, move |conn| {
        let code = new.code.as_str().to_string();
        if store::exists(conn, &code)? {
            return Err(ApiError::conflict(
                crate::text::Text::UnitExists {
                    code: code.to_string(),
                }
                .msg(),
            ));
        }
        check_unit(
            conn,
            &code,
            &UnitChanges {
                name: new.name.clone(),
                name_en: new.name_en.clone(),
                unit_type: new.unit_type,
                parent_code: new.parent_code.clone(),
                valid_from: new.valid_from,
                valid_until: new.valid_until,
            },
        )?;
        let unit = store::insert(conn, &new)?;
        events::append(
            conn,
            &actor,
            Change::new(
                ENTITY,
                &unit.code,
                crate::events::EventAction::Created,
                unit.version,
                &unit,
            ),
        )?;
        Reply::created(
            format!("{base}/api/v1/units/{}", unit.code),
            &unit,
            unit.version,
        )
    })
    .await
}

/// Change a unit / Ändra en enhet
///
/// JSON Merge Patch (RFC 7396): send the fields to change; `null` clears an optional field. The
/// code is the unit's identity and cannot change.
#[utoipa::path(
    tag = "Units",
    operation_id = "updateUnit",
    params(
        ("code" = String, Path, description = "The unit's code.", example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$"),
        d::IfMatchHeader,
    ),
    request_body(content = UnitPatch, content_type = "application/merge-patch+json"),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The unit as changed.", body = Unit, headers(("ETag" = String, description = "The unit's new version."))),
        (status = 400, response = d::BadRequest),
    )
)]
#[patch("/units/{code}")]
pub async fn update_unit(
    db: web::Data<Db>,
    principal: Principal,
    code: web::Path<String>,
    if_match: IfMatch,
    patch: UnitPatch,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let code = path_unit(&code)?;
    let precondition = if_match.required()?;
    let actor = principal.sub.clone();
    let reply = db
        .write(move |conn| {
            let current = store::find(conn, code.as_str())?.ok_or_else(not_found)?;
            precondition.check(current.version)?;
            let changes = patch.apply(&current)?;
            check_unit(conn, code.as_str(), &changes)?;
            let unit = store::update(conn, code.as_str(), current.version, &changes)?
                .ok_or_else(|| version_mismatch(current.version + 1))?;
            events::append(
                conn,
                &actor,
                Change::new(
                    ENTITY,
                    &unit.code,
                    crate::events::EventAction::Updated,
                    unit.version,
                    &unit,
                ),
            )?;
            Reply::ok(&unit, unit.version)
        })
        .await?;
    Ok(reply.into_response())
}

/// Delete a unit / Ta bort en enhet
///
/// Only a unit that nothing refers to can be deleted; a unit that has ended is given a `validUntil`
/// instead.
#[utoipa::path(
    tag = "Units",
    operation_id = "deleteUnit",
    params(
        ("code" = String, Path, description = "The unit's code.", example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$"),
        d::IfMatchHeader,
    ),
    security(("bearerAuth" = [])),
    responses(
        (status = 204, description = "The unit was deleted."),
        (status = 400, response = d::BadRequest),
        (status = 409, response = d::Conflict),
    )
)]
#[delete("/units/{code}")]
pub async fn delete_unit(
    db: web::Data<Db>,
    principal: Principal,
    code: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let code = path_unit(&code)?;
    let precondition = if_match.required()?;
    let actor = principal.sub.clone();
    let reply = db
        .write(move |conn| {
            let current = store::find(conn, code.as_str())?.ok_or_else(not_found)?;
            precondition.check(current.version)?;
            if store::has_children(conn, code.as_str())? {
                return Err(ApiError::conflict(crate::text::Text::UnitHasChildren.msg()));
            }
            if !store::delete(conn, code.as_str(), current.version)? {
                return Err(version_mismatch(current.version + 1));
            }
            events::append(
                conn,
                &actor,
                Change::gone(
                    ENTITY,
                    code.as_str(),
                    crate::events::EventAction::Deleted,
                    current.version + 1,
                ),
            )?;
            Ok(Reply::no_content())
        })
        .await?;
    Ok(reply.into_response())
}

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::store::{self, PartnerFilter};
use super::{NewPartner, Partner, PartnerChanges, PartnerKind, PartnerPatch};
use crate::config::Config;
use crate::db::AnyConnection;
use crate::db::Db;
use crate::domain::CountryCode;
use crate::events::{self, Change, EventAction};
use crate::http::auth::{Capability, Principal};
use crate::http::csv::{CSV_MAX_ROWS, csv_response, wants_csv};
use crate::http::docs as d;
use crate::http::etag::{IfMatch, version_mismatch};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::{JsonBody, from_value, merge_patch};
use crate::http::paging::{ListParams, Page, Paging};
use crate::http::path::path_uuid;
use crate::http::problem::{ApiError, FieldError};
use crate::http::reply::{self, Reply};

const ENTITY: crate::events::EntityType = crate::events::EntityType::Partner;

/// A UUID from the path, in its canonical lower-case form.
pub fn not_found() -> ApiError {
    ApiError::not_found("partner", "samarbetspart")
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PartnerParams {
    /// Only partners in this country (ISO 3166-1 alpha-2).
    #[param(value_type = Option<String>, example = "NO", pattern = "^[A-Z]{2}$")]
    country_code: Option<CountryCode>,
    /// Only partners of this kind.
    kind: Option<PartnerKind>,
    /// Only sister cities (`true`) or only others (`false`).
    sister_city: Option<bool>,
    /// Only archived (`true`) or only current (`false`) partners.
    archived: Option<bool>,
    /// Text search in the name and city.
    #[param(example = "example", max_length = 200)]
    q: Option<String>,
}

/// List partners / Lista samarbetsparter
///
/// The partners, oldest first. `Accept: text/csv` returns the whole filtered list as CSV.
#[utoipa::path(
    tag = "Partners",
    operation_id = "listPartners",
    params(Paging, PartnerParams),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of partners (or CSV).", content(
            (Page<Partner> = "application/json", example = json!({"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "name": "Kommune X (example)", "kind": "CITY", "countryCode": "NO", "city": "Example City", "externalIds": {"euPic": null, "organisationNumber": null}, "website": null, "sisterCity": false, "sisterCitySince": null, "archived": false, "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})),
            (String = "text/csv"),
        )),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/partners")]
pub async fn list_partners(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    params: ListParams<PartnerParams>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Read)?;
    let f = params.filters;
    let filter = PartnerFilter {
        country_code: f.country_code.map(CountryCode::into_inner),
        kind: f.kind,
        sister_city: f.sister_city,
        archived: f.archived,
        q: f.q,
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

/// Read a partner / Läs en samarbetspart
///
/// Every role may read partners. Answers the partner with its `ETag`; `If-None-Match` with the current ETag answers 304.
#[utoipa::path(
    tag = "Partners",
    operation_id = "getPartner",
    params(("id" = uuid::Uuid, Path, description = "The partner's id (UUIDv7).", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid)),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The partner, with its ETag.", body = Partner, headers(("ETag" = String, description = "The partner's version."))),
        (status = 304, description = "Not modified since the ETag in If-None-Match."),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/partners/{id}")]
pub async fn get_partner(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Read)?;
    let id = path_uuid(&id, "/path/id")?;
    let partner = db
        .read(move |c| store::find(c, &id))
        .await?
        .ok_or_else(not_found)?;
    reply::resource(&req, &partner, partner.version)
}

fn check_country(conn: &mut AnyConnection, code: &CountryCode) -> Result<(), ApiError> {
    if !crate::db::reference::country_exists(conn, code.as_str())? {
        return Err(ApiError::invalid(
            "/countryCode",
            "unknown-country",
            crate::text::Text::NoSuchCountry {
                code: code.to_string(),
            }
            .msg(),
        ));
    }
    Ok(())
}

/// 403 naming each coordinator-only field an officer tried to set.
fn coordinator_only(fields: &[&str]) -> Result<(), ApiError> {
    if fields.is_empty() {
        return Ok(());
    }
    let errors = fields
        .iter()
        .map(|f| {
            FieldError::new(
                format!("/{f}"),
                "coordinator-only",
                crate::text::Text::CoordinatorOnly {
                    fields: format!("'{f}'"),
                }
                .msg(),
            )
        })
        .collect::<Vec<_>>();
    Err(ApiError::forbidden(
        crate::text::Text::CoordinatorOnly {
            fields: fields.join(", "),
        }
        .msg(),
    )
    .with_errors(errors))
}

/// Create a partner / Skapa en samarbetspart
///
/// Officers and coordinators; only a coordinator may create a partner already archived.
#[utoipa::path(
    tag = "Partners",
    operation_id = "createPartner",
    request_body(content = NewPartner, content_type = "application/json"),
    params(d::IdempotencyKeyHeader),
    security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "The partner was created.", body = Partner, headers(
            ("ETag" = String, description = "The partner's version."),
            ("Location" = String, description = "The partner's URL."))),
        (status = 400, response = d::BadRequest),
        (status = 409, response = d::Conflict),
    )
)]
#[post("/partners")]
pub async fn create_partner(
    db: web::Data<Db>,
    config: web::Data<Config>,
    principal: Principal,
    req: HttpRequest,
    key: IdempotencyKey,
    body: JsonBody<NewPartner>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::WritePartners)?;
    let new = body.value;
    if new.archived && !principal.has(Capability::ManagePartners) {
        coordinator_only(&["archived"])?;
    }
    let actor = principal.sub.clone();
    let base = config.public_url.clone();
    idempotency::execute(&db, &principal, &req, key, &body.digest, move |conn| {
        check_country(conn, &new.country_code)?;
        let partner = store::insert(conn, &new)?;
        events::append(
            conn,
            &actor,
            Change::new(
                ENTITY,
                &partner.id,
                crate::events::EventAction::Created,
                partner.version,
                &partner,
            ),
        )?;
        Reply::created(
            format!("{base}/api/v1/partners/{}", partner.id),
            &partner,
            partner.version,
        )
    })
    .await
}

fn writable(p: &Partner) -> Value {
    serde_json::json!({
        "name": p.name,
        "kind": p.kind,
        "countryCode": p.country_code,
        "city": p.city,
        "externalIds": p.external_ids,
        "website": p.website,
        "archived": p.archived,
    })
}

/// Change a partner / Ändra en samarbetspart
///
/// JSON Merge Patch (RFC 7396). Officers change the descriptive fields (name, city, external ids,
/// website); `countryCode`, `kind` and `archived` are for coordinators (403 naming the field).
/// Archiving (`{"archived": true}`) keeps the partner and everything that refers to it.
#[utoipa::path(
    tag = "Partners",
    operation_id = "updatePartner",
    params(
        ("id" = uuid::Uuid, Path, description = "The partner's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        d::IfMatchHeader,
    ),
    request_body(content = PartnerPatch, content_type = "application/merge-patch+json"),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The partner as changed.", body = Partner, headers(("ETag" = String, description = "The partner's new version."))),
        (status = 400, response = d::BadRequest),
    )
)]
#[patch("/partners/{id}")]
pub async fn update_partner(
    db: web::Data<Db>,
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<Value>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::WritePartners)?;
    let id = path_uuid(&id, "/path/id")?;
    let precondition = if_match.required()?;
    let patch = body.value;
    if !patch.is_object() {
        return Err(ApiError::invalid(
            "",
            "invalid-type",
            crate::text::Text::MergePatchNotObject.msg(),
        ));
    }
    let coordinator = principal.has(Capability::ManagePartners);
    let actor = principal.sub.clone();
    let reply = db
        .write(move |conn| {
            let current = store::find(conn, &id)?.ok_or_else(not_found)?;
            precondition.check(current.version)?;
            let mut doc = writable(&current);
            merge_patch(&mut doc, &patch);
            let changes: PartnerChanges = from_value(doc)?;
            if !coordinator {
                let mut refused = Vec::new();
                if changes.country_code.as_str() != current.country_code {
                    refused.push("countryCode");
                }
                if changes.kind != current.kind {
                    refused.push("kind");
                }
                if changes.archived != current.archived {
                    refused.push("archived");
                }
                coordinator_only(&refused)?;
            }
            check_country(conn, &changes.country_code)?;
            let partner = store::update(conn, &id, current.version, &changes)?
                .ok_or_else(|| version_mismatch(current.version + 1))?;
            let action = match (current.archived, partner.archived) {
                (false, true) => EventAction::Archived,
                (true, false) => EventAction::Unarchived,
                _ => EventAction::Updated,
            };
            events::append(
                conn,
                &actor,
                Change::new(ENTITY, &partner.id, action, partner.version, &partner),
            )?;
            Reply::ok(&partner, partner.version)
        })
        .await?;
    Ok(reply.into_response())
}

/// Delete a partner / Ta bort en samarbetspart
///
/// Coordinators only, and only for a partner nothing refers to (no contact, assessment,
/// agreement or exception): a partner entered by mistake. A partner that is referred to is
/// archived instead (`PATCH {"archived": true}`); deleting it is refused with 409.
#[utoipa::path(
    tag = "Partners",
    operation_id = "deletePartner",
    params(
        ("id" = uuid::Uuid, Path, description = "The partner's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        d::IfMatchHeader,
    ),
    security(("bearerAuth" = [])),
    responses(
        (status = 204, description = "The partner was deleted."),
        (status = 400, response = d::BadRequest),
        (status = 409, response = d::Conflict),
    )
)]
#[delete("/partners/{id}")]
pub async fn delete_partner(
    db: web::Data<Db>,
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::ManagePartners)?;
    let id = path_uuid(&id, "/path/id")?;
    let precondition = if_match.required()?;
    let actor = principal.sub.clone();
    let reply = db
        .write(move |conn| {
            let current = store::find(conn, &id)?.ok_or_else(not_found)?;
            precondition.check(current.version)?;
            if store::is_referred_to(conn, &id)? {
                return Err(ApiError::conflict(
                    crate::text::Text::PartnerReferredTo.msg(),
                ));
            }
            if !store::delete(conn, &id, current.version)? {
                return Err(version_mismatch(current.version + 1));
            }
            events::append(
                conn,
                &actor,
                Change::gone(
                    ENTITY,
                    &id,
                    crate::events::EventAction::Deleted,
                    current.version + 1,
                ),
            )?;
            Ok(Reply::no_content())
        })
        .await?;
    Ok(reply.into_response())
}

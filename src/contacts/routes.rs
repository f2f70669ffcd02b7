use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::service::{self, check_retention, not_found, require_partner};
use super::store;
use super::{Contact, ContactPatch, NewContact};
use crate::http::auth::Capability;
use crate::http::crud::{self, Call};
use crate::http::docs as d;
use crate::http::json::JsonBody;
use crate::http::paging::{ListParams, Page, Paging};
use crate::http::path::path_uuid;
use crate::http::problem::ApiError;
use crate::http::reply::Reply;

/// Contacts have no filters beyond paging.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFilters {}

/// List a partner's contacts / Lista en samarbetsparts kontaktpersoner
///
/// Personal data: officers, coordinators and the board secretary only. Oldest first;
/// `Accept: text/csv` returns them all as CSV.
#[utoipa::path(
    tag = "Contacts",
    operation_id = "listContacts",
    params(("id" = uuid::Uuid, Path, description = "The partner's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid), Paging),
    responses(
        (status = 200, description = "A page of contacts (or CSV).", content(
            (Page<Contact> = "application/json", example = json!({"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-000000000009", "partnerId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "name": "Kari Example", "role": "International coordinator", "email": "kari@example.org", "phone": "+47 22 00 00 00", "retentionUntil": "2028-12-31", "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})),
            (String = "text/csv"),
        )),
    )
)]
#[get("/partners/{id}/contacts")]
pub async fn list_contacts(
    call: Call,
    id: web::Path<String>,
    params: ListParams<NoFilters>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::ReadContacts)?;
    let partner_id = path_uuid(&id, "/path/id")?;
    call.list(params.paging, move |c, offset, limit| {
        require_partner(c, &partner_id)?;
        store::list(c, &partner_id, offset, limit)
    })
    .await
}

/// Read a contact / Läs en kontaktperson
///
/// Personal data: officers, coordinators and the board secretary only. Answers the contact with its `ETag`; `If-None-Match` with the current ETag answers 304.
#[utoipa::path(
    tag = "Contacts",
    operation_id = "getContact",
    params(
        ("id" = uuid::Uuid, Path, description = "The partner's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        ("contactId" = uuid::Uuid, Path, description = "The contact's id.", example = "0192f5d2-7c1e-7d3a-9d6e-000000000009", format = Uuid),
    ),
    responses(
        (status = 200, description = "The contact, with its ETag.", body = Contact, headers(("ETag" = String, description = "The contact's version."))),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/partners/{id}/contacts/{contactId}")]
pub async fn get_contact(
    call: Call,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::ReadContacts)?;
    let (partner_id, contact_id) = path.into_inner();
    let partner_id = path_uuid(&partner_id, "/path/id")?;
    let contact_id = path_uuid(&contact_id, "/path/contactId")?;
    let contact = call
        .one(not_found, move |c| store::find(c, &partner_id, &contact_id))
        .await?;
    call.resource(&contact, contact.version)
}

/// Add a contact / Lägg till en kontaktperson
///
/// Officers and coordinators. `retentionUntil` is required: the service erases the contact after it.
/// The event written carries the ids only.
#[utoipa::path(
    tag = "Contacts",
    operation_id = "createContact",
    params(
        ("id" = uuid::Uuid, Path, description = "The partner's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        d::IdempotencyKeyHeader,
    ),
    request_body(content = NewContact, content_type = "application/json"),
    responses(
        (status = 201, description = "The contact was added.", body = Contact),
        (status = 409, response = d::Conflict),
    )
)]
#[post("/partners/{id}/contacts")]
pub async fn create_contact(
    call: crud::KeyedCall,
    id: web::Path<String>,
    body: JsonBody<NewContact>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::WritePartners)?;
    let partner_id = path_uuid(&id, "/path/id")?;
    let new = body.value;
    check_retention(new.retention_until)?;
    let create = move |conn: &mut _, actor: &str| service::create(conn, actor, &partner_id, &new);
    call.create(&body.digest, create).await
}

/// Change a contact / Ändra en kontaktperson
///
/// JSON Merge Patch (RFC 7396); `null` clears an optional field. Officers and coordinators.
#[utoipa::path(
    tag = "Contacts",
    operation_id = "updateContact",
    params(
        ("id" = uuid::Uuid, Path, description = "The partner's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        ("contactId" = uuid::Uuid, Path, description = "The contact's id.", example = "0192f5d2-7c1e-7d3a-9d6e-000000000009", format = Uuid)),
    request_body(content = ContactPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The contact as changed.", body = Contact, headers(("ETag" = String, description = "The contact's new version."))),
    )
)]
#[patch("/partners/{id}/contacts/{contactId}")]
pub async fn update_contact(
    call: Call,
    path: web::Path<(String, String)>,
    patch: ContactPatch,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::WritePartners)?;
    let (partner_id, contact_id) = path.into_inner();
    let partner_id = path_uuid(&partner_id, "/path/id")?;
    let contact_id = path_uuid(&contact_id, "/path/contactId")?;
    call.guarded(move |conn, actor, pre| {
        let ids = (partner_id.as_str(), contact_id.as_str());
        let contact = service::update(conn, actor, ids, pre, &patch)?;
        Reply::ok(&contact, contact.version)
    })
    .await
}

/// Erase a contact / Radera en kontaktperson
///
/// Deletes the person's data for good; the change log keeps an `ERASED` event with the ids only.
#[utoipa::path(
    tag = "Contacts",
    operation_id = "deleteContact",
    params(
        ("id" = uuid::Uuid, Path, description = "The partner's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        ("contactId" = uuid::Uuid, Path, description = "The contact's id.", example = "0192f5d2-7c1e-7d3a-9d6e-000000000009", format = Uuid)),
    responses(
        (status = 204, description = "The contact was erased."),
        (status = 400, response = d::BadRequest),
    )
)]
#[delete("/partners/{id}/contacts/{contactId}")]
pub async fn delete_contact(
    call: Call,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::WritePartners)?;
    let (partner_id, contact_id) = path.into_inner();
    let partner_id = path_uuid(&partner_id, "/path/id")?;
    let contact_id = path_uuid(&contact_id, "/path/contactId")?;
    call.guarded(move |conn, actor, pre| {
        let ids = (partner_id.as_str(), contact_id.as_str());
        service::erase(conn, actor, ids, pre)?;
        Ok(Reply::no_content())
    })
    .await
}

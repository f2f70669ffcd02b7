use actix_web::{delete, get, patch, post};

use super::service::{self, check_retention, not_found, require_partner};
use super::store;
use super::{Contact, ContactPatch, NewContact};
use crate::http::auth::Capability;
use crate::http::crud::NoFilters;
use crate::http::operation::item;
use crate::http::reply::Reply;

item! {
    tag "Contacts";

    /// List a partner's contacts / Lista en samarbetsparts kontaktpersoner
    ///
    /// Personal data: officers, coordinators and the board secretary only. Oldest first;
    /// `Accept: text/csv` returns them all as CSV.
    #[list(get "/partners/{id}/contacts", id("The partner's id."), NoFilters, 200 csv(Contact, "A page of contacts (or CSV).", example = json!({"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-000000000009", "partnerId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "name": "Kari Example", "role": "International coordinator", "email": "kari@example.org", "phone": "+47 22 00 00 00", "retentionUntil": "2028-12-31", "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})))]
    async fn list_contacts(call, id, params) {
        call.require(Capability::ReadContacts)?;
        let partner_id = id?;
        call.list(params.paging, move |c, offset, limit| {
            require_partner(c, &partner_id)?;
            store::list(c, &partner_id, offset, limit)
        })
        .await
    }

    /// Read a contact / Läs en kontaktperson
    ///
    /// Personal data: officers, coordinators and the board secretary only. Answers the contact with its `ETag`; `If-None-Match` with the current ETag answers 304.
    #[read(get "/partners/{id}/contacts/{contactId}", contact("The partner's id.", "The contact's id."), 200(Contact, "The contact, with its ETag.", etag = "The contact's version."))]
    async fn get_contact(call, ids) {
        call.require(Capability::ReadContacts)?;
        let (partner_id, contact_id) = ids?;
        let contact = call
            .one(not_found, move |c| store::find(c, &partner_id, &contact_id))
            .await?;
        call.resource(&contact, contact.version)
    }

    /// Change a contact / Ändra en kontaktperson
    ///
    /// JSON Merge Patch (RFC 7396); `null` clears an optional field. Officers and coordinators.
    #[change(patch "/partners/{id}/contacts/{contactId}", contact("The partner's id.", "The contact's id."), body = ContactPatch, 200(Contact, "The contact as changed.", etag = "The contact's new version."))]
    async fn update_contact(call, ids, patch) {
        call.require(Capability::WritePartners)?;
        let (partner_id, contact_id) = ids?;
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
    #[remove(delete "/partners/{id}/contacts/{contactId}", contact("The partner's id.", "The contact's id."), 204("The contact was erased."))]
    async fn delete_contact(call, ids) {
        call.require(Capability::WritePartners)?;
        let (partner_id, contact_id) = ids?;
        call.guarded(move |conn, actor, pre| {
            let ids = (partner_id.as_str(), contact_id.as_str());
            service::erase(conn, actor, ids, pre)?;
            Ok(Reply::no_content())
        })
        .await
    }

    /// Add a contact / Lägg till en kontaktperson
    ///
    /// Officers and coordinators. `retentionUntil` is required: the service erases the contact after it.
    /// The event written carries the ids only.
    #[create(post "/partners/{id}/contacts", id("The partner's id."), body = NewContact, 201(Contact, "The contact was added."), 409(Conflict))]
    async fn create_contact(call, id, body) {
        call.require(Capability::WritePartners)?;
        let partner_id = id?;
        let new = body.value;
        check_retention(new.retention_until)?;
        let create = move |conn: &mut _, actor: &str| service::create(conn, actor, &partner_id, &new);
        call.create(&body.digest, create).await
    }
}

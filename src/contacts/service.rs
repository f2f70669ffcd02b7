//! What a contact write does: the partner must exist, the retention date must not have passed,
//! and the events carry the ids only, never the person's data.

use super::store;
use super::{Contact, ContactPatch, ContactRef, NewContact};
use crate::db::AnyConnection;
use crate::events::{self, Change, EventAction};
use crate::http::access::Audience;
use crate::http::crud::{checked, removed, written};
use crate::http::etag::Precondition;
use crate::http::problem::ApiError;
use crate::text::Text;

pub const ENTITY: crate::events::EntityType = crate::events::EntityType::Contact;

pub fn not_found() -> ApiError {
    ApiError::not_found("contact", "kontaktperson")
}

pub fn require_partner(conn: &mut AnyConnection, partner_id: &str) -> Result<(), ApiError> {
    if crate::partners::store::exists(conn, partner_id)? {
        Ok(())
    } else {
        Err(crate::partners::service::not_found())
    }
}

/// A retention date is today or later (Stockholm).
pub fn check_retention(retention_until: chrono::NaiveDate) -> Result<(), ApiError> {
    if retention_until < crate::policy::today() {
        let text = Text::RetentionInThePast;
        return Err(ApiError::invalid(
            "/retentionUntil",
            "in-the-past",
            text.msg(),
        ));
    }
    Ok(())
}

/// The event of a write to the contact `id` of `partner_id`: ids only.
fn append(
    conn: &mut AnyConnection,
    actor: &str,
    (partner_id, id): (&str, &str),
    action: EventAction,
    version: i32,
) -> Result<(), ApiError> {
    let data = ContactRef { id, partner_id };
    let change =
        Change::new(ENTITY, id, action, version, &data).visible_to(Audience::ContactReaders);
    events::append(conn, actor, change)?;
    Ok(())
}

pub fn create(
    conn: &mut AnyConnection,
    actor: &str,
    partner_id: &str,
    new: &NewContact,
) -> Result<Contact, ApiError> {
    require_partner(conn, partner_id)?;
    let contact = store::insert(conn, partner_id, new)?;
    let ids = (contact.partner_id.as_str(), contact.id.as_str());
    append(conn, actor, ids, EventAction::Created, contact.version)?;
    Ok(contact)
}

pub fn update(
    conn: &mut AnyConnection,
    actor: &str,
    (partner_id, id): (&str, &str),
    precondition: &Precondition,
    patch: &ContactPatch,
) -> Result<Contact, ApiError> {
    let current = checked(store::find(conn, partner_id, id)?, not_found, precondition)?;
    let changes = patch.apply(&current)?.0;
    if changes.retention_until != current.retention_until {
        check_retention(changes.retention_until)?;
    }
    let row = store::update(conn, partner_id, id, current.version, &changes)?;
    let contact = written(row, current.version)?;
    let ids = (contact.partner_id.as_str(), contact.id.as_str());
    append(conn, actor, ids, EventAction::Updated, contact.version)?;
    Ok(contact)
}

/// What erasing the contact `id` of `partner_id` does besides deleting its row, in the same
/// transaction ("Erased means erased"): the idempotency keys whose stored reply created it keep
/// the key but lose the reply (a replay answers 410 `gone`), and the write is marked as an
/// erasure, so that once it commits SQLite's WAL is checkpointed (`db::erasing`).
pub fn forget(conn: &mut AnyConnection, partner_id: &str, id: &str) -> Result<(), ApiError> {
    crate::http::idempotency::forget(conn, &format!("partners/{partner_id}/contacts/{id}"))?;
    crate::db::erasing();
    Ok(())
}

/// Deletes the person's data for good; the change log keeps an `ERASED` event with the ids.
pub fn erase(
    conn: &mut AnyConnection,
    actor: &str,
    (partner_id, id): (&str, &str),
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = checked(store::find(conn, partner_id, id)?, not_found, precondition)?;
    removed(
        store::erase(conn, partner_id, id, current.version)?,
        current.version,
    )?;
    forget(conn, partner_id, id)?;
    append(
        conn,
        actor,
        (partner_id, id),
        EventAction::Erased,
        current.version + 1,
    )
}

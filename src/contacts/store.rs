//! Contact queries.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{Contact, NewContact};
use crate::db::schema::contacts as c;
use crate::db::{AnyConnection, page};
use crate::http::problem::ApiError;

pub fn list(
    conn: &mut AnyConnection,
    partner_id: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Contact>, i64), ApiError> {
    let of_partner = || c::table.filter(c::partner_id.eq(partner_id));
    let order = (c::created_at.asc(), c::id.asc());
    Ok(page!(
        conn,
        of_partner(),
        order,
        Contact::as_select(),
        offset,
        limit
    ))
}

/// The contact, if it belongs to `partner_id`.
pub fn find(
    conn: &mut AnyConnection,
    partner_id: &str,
    id: &str,
) -> Result<Option<Contact>, ApiError> {
    Ok(c::table
        .find(id)
        .filter(c::partner_id.eq(partner_id))
        .select(Contact::as_select())
        .first(conn)
        .optional()?)
}

/// The columns a contact's writable fields are stored in.
#[diesel::dsl::auto_type(no_type_alias)]
fn stored<'a>(x: &'a NewContact) -> _ {
    let name: &'a str = x.name.as_str();
    let role: Option<&'a str> = x.role.as_ref().map(|v| v.as_str());
    let email: Option<&'a str> = x.email.as_ref().map(|v| v.as_str());
    let phone: Option<&'a str> = x.phone.as_ref().map(|v| v.as_str());
    let retention_until: NaiveDate = x.retention_until;
    (
        c::name.eq(name),
        c::role.eq(role),
        c::email.eq(email),
        c::phone.eq(phone),
        c::retention_until.eq(retention_until),
    )
}

pub fn insert(
    conn: &mut AnyConnection,
    partner_id: &str,
    new: &NewContact,
) -> Result<Contact, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = crate::db::now();
    diesel::insert_into(c::table)
        .values((
            c::id.eq(&id),
            c::partner_id.eq(partner_id),
            stored(new),
            c::version.eq(1),
            c::created_at.eq(now),
            c::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, partner_id, &id)?.ok_or_else(|| ApiError::internal("inserted contact vanished"))
}

pub fn update(
    conn: &mut AnyConnection,
    partner_id: &str,
    id: &str,
    version: i32,
    x: &NewContact,
) -> Result<Option<Contact>, ApiError> {
    let updated = diesel::update(
        c::table
            .find(id)
            .filter(c::partner_id.eq(partner_id))
            .filter(c::version.eq(version)),
    )
    .set((
        stored(x),
        c::version.eq(version + 1),
        c::updated_at.eq(crate::db::now()),
    ))
    .execute(conn)?;
    crate::db::reread(updated, || find(conn, partner_id, id))
}

/// Erases the contact's row if it is still at `version`.
pub fn erase(
    conn: &mut AnyConnection,
    partner_id: &str,
    id: &str,
    version: i32,
) -> Result<bool, ApiError> {
    let erased = diesel::delete(
        c::table
            .find(id)
            .filter(c::partner_id.eq(partner_id))
            .filter(c::version.eq(version)),
    )
    .execute(conn)?
        == 1;
    Ok(erased)
}

/// Erases every contact whose retention date lies before `today`, with an `ERASED` event each
/// (ids only) and the stored replies that held its data forgotten (`service::forget`), for the
/// service's time sweep. Returns how many were erased.
pub fn erase_past_retention(
    conn: &mut AnyConnection,
    actor: &str,
    today: NaiveDate,
) -> Result<usize, ApiError> {
    let due: Vec<(String, String, i32)> = c::table
        .filter(c::retention_until.lt(today))
        .select((c::id, c::partner_id, c::version))
        .load(conn)?;
    for (id, partner_id, version) in &due {
        diesel::delete(c::table.find(id)).execute(conn)?;
        super::service::forget(conn, partner_id, id)?;
        crate::events::append(
            conn,
            actor,
            crate::events::Change::new(
                super::service::ENTITY,
                id,
                crate::events::EventAction::Erased,
                version + 1,
                &super::ContactRef { id, partner_id },
            ),
        )?;
    }
    Ok(due.len())
}

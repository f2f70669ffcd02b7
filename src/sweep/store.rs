//! The sweep's queries: the lease, the marks of what was announced, and what time may have
//! changed.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::agreements::AgreementStatus;
use crate::assessments::AssessmentStatus;
use crate::db::AnyConnection;
use crate::db::schema::{
    agreement_partners as ap, agreements as ag, assessments as a, exceptions as x, leases,
    partners, sweep_marks,
};
use crate::http::problem::ApiError;

/// Takes (or renews) the named lease for `holder` until `now + ttl`; `false` while another holder
/// has it. One conditional statement each way, so two instances cannot both get it.
pub fn take_lease(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    ttl: Duration,
) -> Result<bool, ApiError> {
    let until = now + ttl;
    let renewed = diesel::update(
        leases::table
            .find(name)
            .filter(leases::holder.eq(holder).or(leases::expires_at.lt(now))),
    )
    .set((leases::holder.eq(holder), leases::expires_at.eq(until)))
    .execute(conn)?;
    if renewed == 1 {
        return Ok(true);
    }
    let row = (
        leases::name.eq(name),
        leases::holder.eq(holder),
        leases::expires_at.eq(until),
    );
    // ON CONFLICT DO NOTHING does not go through the enum connection; both backends have it.
    let inserted = match conn {
        AnyConnection::Postgresql(pg) => diesel::insert_into(leases::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        AnyConnection::Sqlite(lite) => diesel::insert_into(leases::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(lite)?,
    };
    Ok(inserted == 1)
}

/// Gives the lease up (if `holder` still has it), so the next sweep need not wait for it to run out.
pub fn release_lease(conn: &mut AnyConnection, name: &str, holder: &str) -> Result<(), ApiError> {
    diesel::delete(leases::table.find(name).filter(leases::holder.eq(holder))).execute(conn)?;
    Ok(())
}

/// The id of the newest `ERASED` event of a contact, if any.
pub fn newest_erasure(conn: &mut AnyConnection) -> Result<Option<i64>, ApiError> {
    use crate::db::schema::events as e;
    Ok(e::table
        .filter(e::entity_type.eq(crate::events::EntityType::Contact.as_str()))
        .filter(e::action.eq(crate::events::EventAction::Erased.as_str()))
        .select(diesel::dsl::max(e::id))
        .get_result(conn)?)
}

/// Whether `mark` was announced before.
pub fn is_marked(conn: &mut AnyConnection, mark: &str) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(sweep_marks::table.find(mark))).get_result(conn)?)
}

/// Remembers that `mark` was announced by the event `event_id` (a unique key: a second sweep
/// that announces the same fails here and rolls its event back).
pub fn mark(conn: &mut AnyConnection, mark: &str, event_id: i64) -> Result<(), ApiError> {
    diesel::insert_into(sweep_marks::table)
        .values((
            sweep_marks::mark_key.eq(mark),
            sweep_marks::event_id.eq(event_id),
            sweep_marks::created_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Published assessments whose validity ended before `today` (validUntil is inclusive).
pub fn expired_assessments(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<String>, ApiError> {
    Ok(a::table
        .filter(a::status.eq(AssessmentStatus::Published.as_str()))
        .filter(a::valid_until.lt(today))
        .order(a::id.asc())
        .select(a::id)
        .load(conn)?)
}

/// Granted exceptions whose validity ended before `today`.
pub fn expired_exceptions(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<String>, ApiError> {
    Ok(x::table
        .filter(x::status.eq("GRANTED"))
        .filter(x::valid_until.lt(today))
        .order(x::id.asc())
        .select(x::id)
        .load(conn)?)
}

/// The active agreements time may have changed: overdue, or resting on a granted exception or a
/// published assessment (of a partner's country or of a partner) whose validity has ended. The
/// others have nothing for the sweep to announce, so a register of 100,000 agreements is not
/// judged agreement by agreement every minute.
pub fn time_candidates(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<String>, ApiError> {
    let active = AgreementStatus::Active.as_str();
    let mut ids: Vec<String> = ag::table
        .filter(ag::status.eq(active))
        .filter(ag::end_date.lt(today))
        .select(ag::id)
        .load(conn)?;
    ids.extend(
        x::table
            .inner_join(ag::table.on(ag::id.eq(x::agreement_id)))
            .filter(ag::status.eq(active))
            .filter(x::status.eq("GRANTED"))
            .filter(x::valid_until.lt(today))
            .select(x::agreement_id)
            .load::<String>(conn)?,
    );
    let expired: Vec<(String, Option<String>)> = a::table
        .filter(a::status.eq(AssessmentStatus::Published.as_str()))
        .filter(a::valid_until.lt(today))
        .select((a::country_code, a::partner_id))
        .load(conn)?;
    let (own, countries): (Vec<_>, Vec<_>) = expired.into_iter().partition(|(_, p)| p.is_some());
    let own: Vec<String> = own.into_iter().filter_map(|(_, p)| p).collect();
    let countries: Vec<String> = countries.into_iter().map(|(c, _)| c).collect();
    if !own.is_empty() || !countries.is_empty() {
        ids.extend(
            ap::table
                .inner_join(partners::table)
                .inner_join(ag::table)
                .filter(ag::status.eq(active))
                .filter(
                    partners::country_code
                        .eq_any(countries)
                        .or(ap::partner_id.eq_any(own)),
                )
                .select(ap::agreement_id)
                .load::<String>(conn)?,
        );
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

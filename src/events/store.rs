//! The change log's queries: appending an event, reading the feed and an entity's history.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{Change, EntityType};
use crate::db::schema::events;
use crate::db::{AnyConnection, EVENT_LOCK_KEY};
use crate::http::problem::ApiError;

/// Appends an event in the caller's transaction. On PostgreSQL a transaction-level advisory lock
/// is taken first: event ids are drawn and committed one transaction at a time, so ids become
/// visible in increasing order and a poller that remembers the last id it saw misses nothing.
pub fn append(conn: &mut AnyConnection, actor: &str, change: Change<'_>) -> Result<i64, ApiError> {
    if let AnyConnection::Postgresql(pg) = conn {
        pg.batch_execute(&format!("SELECT pg_advisory_xact_lock({EVENT_LOCK_KEY})"))?;
    }
    let id = diesel::insert_into(events::table)
        .values((
            events::occurred_at.eq(crate::db::now()),
            events::actor.eq(actor),
            events::entity_type.eq(change.entity_type.as_str()),
            events::entity_id.eq(change.entity_id),
            events::action.eq(change.action.as_str()),
            events::version.eq(change.version),
            events::data.eq(change.data.map(|d| d.to_string())),
            events::visible_to.eq(change.audience.as_db()),
        ))
        .returning(events::id)
        .get_result::<i64>(conn)?;
    Ok(id)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub version: i32,
    pub data: Option<String>,
    pub visible_to: Option<String>,
}

/// The feed: events after `after`, oldest first, at most `limit`, of one entity type if given.
pub fn feed(
    conn: &mut AnyConnection,
    after: i64,
    entity_type: Option<EntityType>,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    let mut query = events::table.filter(events::id.gt(after)).into_boxed();
    if let Some(t) = entity_type {
        query = query.filter(events::entity_type.eq(t.as_str()));
    }
    Ok(query
        .order(events::id.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// The events of one entity, oldest first (for `…/history`).
pub fn history(
    conn: &mut AnyConnection,
    entity_type: EntityType,
    entity_id: &str,
) -> Result<Vec<EventRow>, ApiError> {
    Ok(events::table
        .filter(events::entity_type.eq(entity_type.as_str()))
        .filter(events::entity_id.eq(entity_id))
        .order(events::id.asc())
        .select(EventRow::as_select())
        .load(conn)?)
}

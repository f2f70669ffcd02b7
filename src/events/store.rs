//! The change log's queries: appending an event, reading the feed and an entity's history.
//!
//! Writers append without waiting for one another. On PostgreSQL an event carries the id of the
//! transaction that wrote it (`txid`, set by the column's default), and the log is read in
//! **position** order, (txid, id), and only below the **horizon**: the oldest transaction still in
//! flight in this database, or, when there is none, the first transaction id not yet handed out.
//! Every transaction below the horizon has ended, and every transaction that has not yet written
//! gets a larger id, so no event can ever appear before a position a reader has moved past: a
//! reader that continues after the last event it saw misses nothing and sees nothing twice.
//! (Going by event id instead would not do: ids are drawn from the sequence in another order than
//! transactions begin and commit.) Events written before this scheme keep txid 0, in id order, as
//! they were committed. On SQLite one writer at a time makes id order commit order: every event
//! has txid 0 and is read in id order, with no horizon.
//!
//! The public cursor stays the event id: `after=ID` means after the position of event ID; an id
//! no event has (0, or a number never handed out) means after the event with the largest id below
//! it, or from the start when there is none.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{Change, EntityType};
use crate::db::AnyConnection;
use crate::db::schema::events;
use crate::http::problem::ApiError;

/// Appends an event in the caller's transaction, without a lock: on PostgreSQL its `txid` (the
/// column's default) places it in the log (see the module's notes).
pub fn append(conn: &mut AnyConnection, actor: &str, change: Change<'_>) -> Result<i64, ApiError> {
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

#[derive(Queryable, Selectable, QueryableByName)]
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
    /// The writing transaction's id on PostgreSQL (0 on SQLite and for older events).
    pub txid: i64,
}

/// The horizon on PostgreSQL, as a scalar SQL expression for the statement's snapshot: the oldest
/// transaction in flight, else the snapshot's `xmax` (the first id not yet handed out). A
/// transaction that `pg_stat_get_activity` shows running in another database of the cluster cannot
/// write this change log and is passed over, so that a long transaction elsewhere (another
/// application, a test database beside this one) does not hold the feed back; one it does not show
/// (it has just ended, or is not visible to this role) counts, which only delays.
pub const HORIZON_SQL: &str = "LEAST(pg_snapshot_xmax(pg_current_snapshot())::text::bigint, \
     (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x \
      WHERE NOT EXISTS (SELECT 1 FROM pg_stat_get_activity(NULL) AS a \
                        WHERE a.backend_xid = xid(x) AND a.datid <> \
                              (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))))";

/// The position of the cursor `$1` (see the module's notes) as a row value.
const POSITION_SQL: &str = "(COALESCE((SELECT p.txid FROM events p WHERE p.id <= $1 \
                                       ORDER BY p.id DESC LIMIT 1), -1), \
                             COALESCE((SELECT p.id FROM events p WHERE p.id <= $1 \
                                       ORDER BY p.id DESC LIMIT 1), 0))";

const COLUMNS: &str = "e.id, e.occurred_at, e.actor, e.entity_type, e.entity_id, e.action, \
                       e.version, e.data, e.visible_to, e.txid";

/// The events after the cursor `after` (an event id, see the module's notes) in log order, at
/// most `limit`, of one entity type if given: what the feed and the webhook dispatcher read. On
/// PostgreSQL only events below the horizon, so a page may end early while older transactions are
/// still in flight; reading on from its last event later finds the rest.
pub fn feed(
    conn: &mut AnyConnection,
    after: i64,
    entity_type: Option<EntityType>,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    if let AnyConnection::Postgresql(pg) = conn {
        let of_type = if entity_type.is_some() {
            "AND e.entity_type = $3"
        } else {
            ""
        };
        let query = diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM events e \
             WHERE (e.txid, e.id) > {POSITION_SQL} AND e.txid < {HORIZON_SQL} {of_type} \
             ORDER BY e.txid, e.id LIMIT $2"
        ))
        .bind::<BigInt, _>(after)
        .bind::<BigInt, _>(limit);
        return Ok(match entity_type {
            Some(t) => query.bind::<Text, _>(t.as_str()).load(pg)?,
            None => query.load(pg)?,
        });
    }
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

#[derive(QueryableByName)]
struct Settling {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    txid: Option<i64>,
}

/// On PostgreSQL, the newest transaction with a committed event that the horizon still holds back
/// (a transaction older than it is in flight), if any; never on SQLite.
pub fn settling(conn: &mut AnyConnection) -> Result<Option<i64>, ApiError> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(None);
    };
    Ok(diesel::sql_query(format!(
        "SELECT n.txid FROM (SELECT max(e.txid) AS txid FROM events e) n \
         WHERE n.txid >= {HORIZON_SQL}"
    ))
    .get_result::<Settling>(pg)
    .optional()?
    .and_then(|s| s.txid))
}

#[derive(QueryableByName)]
struct Settled {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    settled: bool,
}

/// Whether every transaction up to `txid` has ended (the horizon has passed it); always on SQLite.
pub fn settled(conn: &mut AnyConnection, txid: i64) -> Result<bool, ApiError> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(true);
    };
    Ok(
        diesel::sql_query(format!("SELECT {HORIZON_SQL} > $1 AS settled"))
            .bind::<BigInt, _>(txid)
            .get_result::<Settled>(pg)?
            .settled,
    )
}

#[derive(QueryableByName)]
struct Tip {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    txid: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    held: bool,
}

/// The position (txid, id) of the last event of a settled change log, `(0, 0)` when it is empty,
/// or `None` while committed events are held back by the horizon. Two reads that answer the same
/// position saw the same committed events: every event at or before it was final at both reads,
/// and neither saw one after it. The sweep uses it to skip a minute when nothing was written.
pub fn settled_tip(conn: &mut AnyConnection) -> Result<Option<(i64, i64)>, ApiError> {
    let AnyConnection::Postgresql(pg) = conn else {
        let id = events::table
            .select(diesel::dsl::max(events::id))
            .first::<Option<i64>>(conn)?;
        return Ok(Some((0, id.unwrap_or(0))));
    };
    let tip: Tip = diesel::sql_query(format!(
        "WITH h AS (SELECT {HORIZON_SQL} AS horizon), \
              t AS (SELECT e.txid, e.id FROM events e, h WHERE e.txid < h.horizon \
                    ORDER BY e.txid DESC, e.id DESC LIMIT 1) \
         SELECT (SELECT txid FROM t) AS txid, (SELECT id FROM t) AS id, \
                EXISTS (SELECT 1 FROM events e, h WHERE e.txid >= h.horizon) AS held"
    ))
    .get_result(pg)?;
    Ok((!tip.held).then(|| (tip.txid.unwrap_or(0), tip.id.unwrap_or(0))))
}

/// The events of one entity, oldest first (for `…/history`): in id order, which is its versions'
/// order, as a write reads the version it replaces before it draws its event's id.
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

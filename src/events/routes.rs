use std::time::{Duration, Instant};

use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{EntityType, Event};
use crate::db::AnyConnection;
use crate::http::access::Reader;
use crate::http::auth::{Capability, Principal};
use crate::http::crud::Call;
use crate::http::json::Query;
use crate::http::problem::ApiError;
use crate::http::reply;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Return the events the feed lists after the event with this id (the `nextAfter` of the
    /// previous answer); 0 or absent from the start. An id no event has continues after the event
    /// with the largest id below it.
    #[param(minimum = 0, example = 0)]
    after: Option<i64>,
    /// How many events at most, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    limit: Option<i64>,
    /// Only events of this entity type.
    entity_type: Option<EntityType>,
}

/// A slice of the change log.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventFeed {
    pub items: Vec<Event>,
    /// Pass as `after` in the next request; equal to `after` when there was nothing new.
    pub next_after: i64,
}

/// The change log as a feed / Ändringsloggen som flöde
///
/// Every write appends one event in the same transaction. Poll with the last `nextAfter` to receive
/// each event exactly once and in order, also with many writers and several instances. This
/// cursor is a documented deviation from DIGG's page-based paging. An event is listed only to a
/// caller who may `GET` its entity in the state the event carries: drafts of agreements to
/// coordinators, the board secretary and the officers of the agreement's unit (or a unit above
/// it); assessment drafts to coordinators; contact events to those who may read contacts; webhook
/// events to admins. A page may hold fewer than `limit` events when many are not yours to read;
/// `nextAfter` then points past the ones looked at, so keep polling with it.
#[utoipa::path(
    tag = "Change feed",
    operation_id = "listEvents",
    params(FeedParams),
    responses(
        (status = 200, description = "Events after the cursor, oldest first.", body = EventFeed,
            example = json!({"items": [{"id": 42, "occurredAt": "2026-11-26T09:15:00Z", "actor": "anna.admin", "entityType": "UNIT", "entityId": "KFN", "action": "CREATED", "version": 1, "data": {"code": "KFN", "name": "Kulturnämnden"}}], "nextAfter": 42})),
        (status = 400, response = crate::http::docs::BadRequest),
    )
)]
#[get("/events")]
pub async fn list_events(call: Call, query: Query<FeedParams>) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let params = query.0;
    let after = params.after.unwrap_or(0);
    let limit = params.limit.unwrap_or(100);
    if after < 0 {
        return Err(ApiError::invalid(
            "/query/after",
            "invalid-value",
            crate::text::Text::AfterRange.msg(),
        ));
    }
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid(
            "/query/limit",
            "invalid-value",
            crate::text::Text::FeedLimitRange.msg(),
        ));
    }
    let principal = call.principal.clone();
    let (items, next_after) = call
        .db
        .read(move |conn| visible_feed(conn, &principal, after, params.entity_type, limit))
        .await?;
    reply::json(&EventFeed { items, next_after })
}

/// How many events one request looks at, at most, as a multiple of `limit`: a caller who may read
/// few of them (an officer among other units' drafts) gets fewer items and a `nextAfter` past
/// what was looked at, never an unbounded scan.
const SCAN_FACTOR: i64 = 10;

/// How long a request waits, at most, for the transactions that hold back events committed before
/// it came (`events::store`'s horizon), and how often it looks again meanwhile.
const SETTLE_WAIT: Duration = Duration::from_millis(250);
const SETTLE_STEP: Duration = Duration::from_millis(2);

/// The events after `after` that the caller may read (`http::access`, the rule `GET` uses: an
/// event is listed exactly when `GET` of its entity, in the state the event carries, would be
/// allowed), at most `limit`, and the cursor to continue from: the last event listed when the
/// page is full, else the last event looked at.
///
/// Events are listed only below the horizon (`events::store`). So that a client sees what was
/// committed before it asked (its own writes among them), a page that reaches the horizon while
/// events committed earlier are held back by an older transaction still in flight waits for that
/// transaction (up to [`SETTLE_WAIT`]) and reads on; events committed meanwhile are not waited for.
fn visible_feed(
    conn: &mut AnyConnection,
    principal: &Principal,
    after: i64,
    entity_type: Option<EntityType>,
    limit: i64,
) -> Result<(Vec<Event>, i64), ApiError> {
    let mut reader = Reader::new(principal);
    let mut items = Vec::new();
    let mut cursor = after;
    let mut looked_at = 0;
    let mut waited = false;
    while looked_at < limit * SCAN_FACTOR {
        let rows = super::store::feed(conn, cursor, entity_type, limit)?;
        let end = (rows.len() as i64) < limit;
        looked_at += rows.len() as i64;
        for row in rows {
            cursor = row.id;
            if reader.may_read(conn, &row.audience())? {
                items.push(row.into_event(true)?);
                if items.len() as i64 == limit {
                    return Ok((items, cursor));
                }
            }
        }
        if !end {
            continue;
        }
        if waited {
            break;
        }
        waited = true;
        let Some(txid) = super::store::settling(conn)? else {
            break;
        };
        let deadline = Instant::now() + SETTLE_WAIT;
        while !super::store::settled(conn, txid)? && Instant::now() < deadline {
            std::thread::sleep(SETTLE_STEP);
        }
    }
    Ok((items, cursor))
}

/// The answer of an entity's history operation (`GET /agreements/{id}/history`): every version of
/// `id` the caller may see, oldest first, once `found` has made sure it is there for the caller
/// (404 otherwise).
pub async fn history(
    call: Call,
    entity: EntityType,
    id: String,
    found: impl FnOnce(&mut AnyConnection, &Principal, &str) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let result = call
        .db
        .read(move |conn| {
            found(conn, &call.principal, &id)?;
            super::history::history_of(conn, &call.principal, entity, &id)
        })
        .await?;
    reply::json(&result)
}

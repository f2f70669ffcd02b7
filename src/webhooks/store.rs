//! Webhook and delivery queries: the subscriptions, the dispatcher that turns change-log events
//! into deliveries, and the claims that hand each due delivery to exactly one worker.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::{Delivery, DeliveryStatus, Webhook, WebhookChanges};
use crate::db::schema::{webhook_deliveries as wd, webhooks as w};
use crate::db::{AnyConnection, MultiBackend, page};
use crate::http::access::Audience;
use crate::http::problem::ApiError;

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = w)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    pub event_types: String,
    pub secret: String,
    pub active: bool,
    pub last_event_id: i64,
    pub created_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
}

impl WebhookRow {
    /// The secrets deliveries are signed with at `now`: the current one, and the one it replaced
    /// while that is within its 24 hours.
    pub fn signing_secrets(&self, now: NaiveDateTime) -> Vec<String> {
        let mut secrets = vec![self.secret.clone()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && now < until
        {
            secrets.push(previous.clone());
        }
        secrets
    }

    pub fn filters(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Self {
        Webhook {
            event_types: r.filters(),
            id: r.id,
            url: r.url,
            description: r.description,
            active: r.active,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub event_id: i64,
    pub event_type: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub locked_by: Option<String>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_response_code: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        let status = DeliveryStatus::from_db(&r.status);
        Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            event_id: r.event_id,
            event_type: r.event_type,
            status,
            attempts: r.attempts,
            last_response_code: r.last_response_code,
            last_error: r.last_error,
            last_attempt_at: r.last_attempt_at.map(|t| t.and_utc()),
            next_attempt_at: (status == DeliveryStatus::Pending)
                .then(|| r.next_attempt_at.and_utc()),
            delivered_at: r.delivered_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
        }
    }
}

pub fn list(
    conn: &mut AnyConnection,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Webhook>, i64), ApiError> {
    let order = (w::created_at.asc(), w::id.asc());
    let (rows, total): (Vec<WebhookRow>, i64) = page!(
        conn,
        w::table,
        order,
        WebhookRow::as_select(),
        offset,
        limit
    );
    Ok((rows.into_iter().map(Webhook::from).collect(), total))
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<WebhookRow>, ApiError> {
    Ok(w::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut AnyConnection,
    id: &str,
    new: &WebhookChanges,
    secret: &str,
    cursor: i64,
    actor: &str,
) -> Result<WebhookRow, ApiError> {
    let now = crate::db::now();
    diesel::insert_into(w::table)
        .values((
            w::id.eq(id),
            w::url.eq(&new.url),
            w::description.eq(&new.description),
            w::event_types.eq(serde_json::to_string(&new.event_types).unwrap_or("[]".into())),
            w::secret.eq(secret),
            w::active.eq(new.active),
            w::last_event_id.eq(cursor),
            w::created_by.eq(actor),
            w::version.eq(1),
            w::created_at.eq(now),
            w::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, id)?.ok_or_else(|| ApiError::internal("inserted webhook vanished"))
}

/// Writes `changes` if the webhook is still at `version`; `cursor` moves the dispatcher's cursor
/// (a subscription switched on starts from now). `None` when another write came first.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    changes: &WebhookChanges,
    cursor: Option<i64>,
) -> Result<Option<WebhookRow>, ApiError> {
    let target = w::table.find(id).filter(w::version.eq(version));
    let set = (
        w::url.eq(&changes.url),
        w::description.eq(&changes.description),
        w::event_types.eq(serde_json::to_string(&changes.event_types).unwrap_or("[]".into())),
        w::active.eq(changes.active),
        w::version.eq(version + 1),
        w::updated_at.eq(crate::db::now()),
    );
    let updated = match cursor {
        Some(c) => diesel::update(target)
            .set((set, w::last_event_id.eq(c)))
            .execute(conn)?,
        None => diesel::update(target).set(set).execute(conn)?,
    };
    crate::db::reread(updated, || find(conn, id))
}

pub fn delete(conn: &mut AnyConnection, id: &str, version: i32) -> Result<bool, ApiError> {
    // Deliveries go with it (ON DELETE CASCADE); delete them explicitly too, as SQLite enforces
    // foreign keys only per connection setting.
    let gone = diesel::delete(w::table.find(id).filter(w::version.eq(version))).execute(conn)? == 1;
    if gone {
        diesel::delete(wd::table.filter(wd::webhook_id.eq(id))).execute(conn)?;
    }
    Ok(gone)
}

fn deliveries_of(
    webhook_id: &str,
    status: Option<DeliveryStatus>,
) -> wd::BoxedQuery<'static, MultiBackend> {
    let mut query = wd::table
        .filter(wd::webhook_id.eq(webhook_id.to_string()))
        .into_boxed();
    if let Some(s) = status {
        query = query.filter(wd::status.eq(s.as_str()));
    }
    query
}

/// A subscription's deliveries, newest first.
pub fn list_deliveries(
    conn: &mut AnyConnection,
    webhook_id: &str,
    status: Option<DeliveryStatus>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Delivery>, i64), ApiError> {
    let deliveries = || deliveries_of(webhook_id, status);
    let order = (wd::created_at.desc(), wd::id.desc());
    let (rows, total): (Vec<DeliveryRow>, i64) = page!(
        conn,
        deliveries(),
        order,
        DeliveryRow::as_select(),
        offset,
        limit
    );
    Ok((rows.into_iter().map(Delivery::from).collect(), total))
}

pub fn find_delivery(
    conn: &mut AnyConnection,
    webhook_id: &str,
    id: &str,
) -> Result<Option<DeliveryRow>, ApiError> {
    Ok(wd::table
        .find(id)
        .filter(wd::webhook_id.eq(webhook_id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// Queues a finished (delivered or failed) delivery again, with a fresh budget of attempts.
/// `false` when it is pending (it will be attempted anyway).
pub fn requeue(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    let now = crate::db::now();
    Ok(diesel::update(
        wd::table
            .find(id)
            .filter(wd::status.ne(DeliveryStatus::Pending.as_str())),
    )
    .set((
        wd::status.eq(DeliveryStatus::Pending.as_str()),
        wd::attempts.eq(0),
        wd::next_attempt_at.eq(now),
        wd::locked_until.eq(None::<NaiveDateTime>),
        wd::locked_by.eq(None::<String>),
        wd::updated_at.eq(now),
    ))
    .execute(conn)?
        == 1)
}

/// The ids of the subscriptions that receive events.
pub fn active_ids(conn: &mut AnyConnection) -> Result<Vec<String>, ApiError> {
    Ok(w::table
        .filter(w::active.eq(true))
        .order(w::id.asc())
        .select(w::id)
        .load(conn)?)
}

/// How many events one dispatch step reads per subscription.
const DISPATCH_BATCH: i64 = 500;

/// Turns the events after the subscription's cursor (an event id, read as the feed reads `after`)
/// into deliveries and moves the cursor to the last one, in the caller's transaction. On PostgreSQL the subscription's row is locked first (`SKIP LOCKED`: an
/// instance already dispatching it is left to finish), so two instances never create the same
/// deliveries; the unique (webhook, event) key would refuse them anyway. Returns how many
/// deliveries were created, or `None` when there was nothing to read (caught up, paused, gone, or
/// being dispatched by another instance).
pub fn dispatch(
    conn: &mut AnyConnection,
    webhook_id: &str,
    now: NaiveDateTime,
) -> Result<Option<usize>, ApiError> {
    let row = match conn {
        AnyConnection::Postgresql(pg) => w::table
            .find(webhook_id)
            .filter(w::active.eq(true))
            .select(WebhookRow::as_select())
            .for_update()
            .skip_locked()
            .first(pg)
            .optional()?,
        AnyConnection::Sqlite(_) => find(conn, webhook_id)?.filter(|r| r.active),
    };
    let Some(row) = row else {
        return Ok(None);
    };
    // The feed's order and horizon (`events::store`): an event is passed only once every event
    // before it is final, so the cursor never moves past one that commits later.
    let events = crate::events::store::feed(conn, row.last_event_id, None, DISPATCH_BATCH)?;
    let Some(last) = events.last().map(|e| e.id) else {
        return Ok(None);
    };
    let filters = row.filters();
    // Every event is delivered (DESIGN: webhooks receive every event), its data as the feed
    // shows it to every reader: none of drafts, contacts or subscriptions.
    let mut created = 0;
    for event in events {
        if !super::matches(&filters, &event.entity_type, &event.action) {
            continue;
        }
        let event_type = format!("{}.{}", event.entity_type, event.action);
        let event_id = event.id;
        let shown = event.audience() == Audience::Everyone;
        let payload = serde_json::to_string(&event.into_event(shown)?)
            .map_err(|e| ApiError::internal(format!("serialising an event: {e}")))?;
        diesel::insert_into(wd::table)
            .values((
                wd::id.eq(uuid::Uuid::now_v7().to_string()),
                wd::webhook_id.eq(&row.id),
                wd::event_id.eq(event_id),
                wd::event_type.eq(event_type),
                wd::payload.eq(payload),
                wd::status.eq(DeliveryStatus::Pending.as_str()),
                wd::attempts.eq(0),
                wd::next_attempt_at.eq(now),
                wd::created_at.eq(now),
                wd::updated_at.eq(now),
            ))
            .execute(conn)?;
        created += 1;
    }
    // Compare-and-set: on SQLite (no row lock) a concurrent dispatcher that moved the cursor first
    // makes this one roll back.
    let moved = diesel::update(
        w::table
            .find(&row.id)
            .filter(w::last_event_id.eq(row.last_event_id)),
    )
    .set(w::last_event_id.eq(last))
    .execute(conn)?;
    if moved != 1 {
        return Err(ApiError::conflict(crate::text::Text::CursorMoved.msg()));
    }
    Ok(Some(created))
}

/// A delivery claimed by one worker, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub claim: String,
    pub url: String,
    /// The current secret first, then the previous one while it still signs.
    pub secrets: Vec<String>,
    pub payload: String,
    pub attempts: i32,
}

/// The ids of up to `limit` pending deliveries of active subscriptions that are due at `now` and
/// not under a live claim, the longest waiting first.
#[diesel::dsl::auto_type(no_type_alias)]
fn due(now: NaiveDateTime, limit: i64) -> _ {
    let pending: &'static str = DeliveryStatus::Pending.as_str();
    wd::table
        .filter(wd::status.eq(pending))
        .filter(wd::next_attempt_at.le(now))
        .filter(wd::locked_until.is_null().or(wd::locked_until.lt(now)))
        .filter(wd::webhook_id.eq_any(w::table.filter(w::active.eq(true)).select(w::id)))
        .order((wd::next_attempt_at.asc(), wd::id.asc()))
        .limit(limit)
        .select(wd::id)
}

/// Claims up to `limit` due deliveries for `lease`: each gets a fresh claim token, an attempt is
/// counted, and no other worker takes it until the lease runs out (a worker that dies mid-send
/// leaves it to be retried then). PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances claiming at
/// once take different rows. SQLite (one instance, writes take turns): a plain conditional update.
pub fn claim(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Claimed>, ApiError> {
    let ids: Vec<String> = match conn {
        AnyConnection::Postgresql(pg) => due(now, limit).for_update().skip_locked().load(pg)?,
        AnyConnection::Sqlite(_) => due(now, limit).load(conn)?,
    };
    let mut claimed = Vec::new();
    for id in ids {
        let token = uuid::Uuid::new_v4().to_string();
        // Conditional again, so that a row someone else claimed meanwhile is not taken twice.
        let taken = diesel::update(
            wd::table
                .find(&id)
                .filter(wd::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(wd::locked_until.is_null().or(wd::locked_until.lt(now))),
        )
        .set((
            wd::locked_until.eq(Some(now + lease)),
            wd::locked_by.eq(Some(&token)),
            wd::attempts.eq(wd::attempts + 1),
            wd::updated_at.eq(now),
        ))
        .execute(conn)?;
        if taken != 1 {
            continue;
        }
        let (row, hook) = wd::table
            .inner_join(w::table)
            .filter(wd::id.eq(&id))
            .select((DeliveryRow::as_select(), WebhookRow::as_select()))
            .first::<(DeliveryRow, WebhookRow)>(conn)?;
        claimed.push(Claimed {
            id: row.id,
            claim: token,
            secrets: hook.signing_secrets(now),
            url: hook.url,
            payload: row.payload,
            attempts: row.attempts,
        });
    }
    Ok(claimed)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub delivered: bool,
    pub response_code: Option<i32>,
    pub error: Option<String>,
}

/// Records an attempt of a delivery still held under `claim`; `false` when the claim was lost (the
/// lease ran out and another worker took it over).
pub fn finish(
    conn: &mut AnyConnection,
    claimed: &Claimed,
    outcome: &Outcome,
    now: NaiveDateTime,
    max_attempts: i32,
    backoff: impl Fn(i32) -> Duration,
) -> Result<bool, ApiError> {
    let status = if outcome.delivered {
        DeliveryStatus::Delivered
    } else if claimed.attempts >= max_attempts {
        DeliveryStatus::Failed
    } else {
        DeliveryStatus::Pending
    };
    let next = if status == DeliveryStatus::Pending {
        now + backoff(claimed.attempts)
    } else {
        now
    };
    Ok(diesel::update(
        wd::table
            .find(&claimed.id)
            .filter(wd::locked_by.eq(&claimed.claim)),
    )
    .set((
        wd::status.eq(status.as_str()),
        wd::next_attempt_at.eq(next),
        wd::locked_until.eq(None::<NaiveDateTime>),
        wd::locked_by.eq(None::<String>),
        wd::last_attempt_at.eq(Some(now)),
        wd::last_response_code.eq(outcome.response_code),
        wd::last_error.eq(&outcome.error),
        wd::delivered_at.eq(outcome.delivered.then_some(now)),
        wd::updated_at.eq(now),
    ))
    .execute(conn)?
        == 1)
}

/// Gives the subscription `id`, still at `version`, the secret `secret`; the one it replaces
/// keeps signing until `until`. None when another write came first.
pub fn rotate_secret(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    secret: &str,
    until: NaiveDateTime,
) -> Result<Option<WebhookRow>, ApiError> {
    let changed = diesel::update(w::table.find(id).filter(w::version.eq(version)))
        .set((
            w::previous_secret.eq(w::secret.nullable()),
            w::previous_secret_until.eq(Some(until)),
            w::secret.eq(secret),
            w::version.eq(version + 1),
            w::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    if changed != 1 {
        return Ok(None);
    }
    find(conn, id)
}

/// Removes the deliveries created before `before`, whatever became of them (DESIGN: deliveries
/// older than 30 days are purged; one still pending then belongs to a subscription paused for a
/// month); answers how many.
pub fn purge_deliveries(
    conn: &mut AnyConnection,
    before: NaiveDateTime,
) -> Result<usize, ApiError> {
    Ok(diesel::delete(wd::table.filter(wd::created_at.lt(before))).execute(conn)?)
}

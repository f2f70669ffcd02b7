//! `Idempotency-Key` on POST: the same key and body replay the stored response, another body is
//! 422, a request still in flight is 409, and keys live 24 hours. Keys are scoped to the caller
//! (`sub`), the method and the path. The claim of the key, the work and the stored response
//! commit in one transaction, so a write is never applied twice nor acknowledged without being
//! stored, and a request that fails leaves its key free for a retry.
//! When the resource a stored response created is deleted, its key is kept but the response is
//! dropped (`forget`, in the deletion's own transaction): a replay then answers 410 `gone`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::auth::Principal;
use super::problem::{ApiError, ProblemKind};
use super::reply::Reply;
use crate::db::schema::idempotency_keys as k;
use crate::db::{AnyConnection, Db};

const KEY_LIFETIME_HOURS: i64 = 24;
/// The stored status of a response whose resource was deleted since (`forget`).
const GONE: i32 = 410;

#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("Idempotency-Key") else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let key =
            value.to_str().ok().map(str::trim).filter(|k| {
                !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic())
            });
        ready(match key {
            Some(k) => Ok(IdempotencyKey(Some(k.to_string()))),
            None => Err(ApiError::invalid(
                "/header/Idempotency-Key",
                "invalid-value",
                crate::text::Text::IdempotencyKeyInvalid.msg(),
            )),
        })
    }
}

struct Scope {
    owner: String,
    method: String,
    path: String,
    key: String,
    hash: String,
}

/// What a keyed request finds under its key.
enum Found {
    /// Nothing usable: run the work and store its reply (`update`: over a row that expired or
    /// was left by a request that died, instead of inserting one).
    Fresh {
        update: bool,
    },
    Replay(Reply),
}

/// Runs `work` in one transaction, under the caller's idempotency key when one was sent: the
/// claim of the key, the work, its change-log entry and the stored reply commit together, or
/// nothing does. Authorisation must already have been checked; `If-Match` is checked inside
/// `work`, after a replay, so that a retried action replays instead of failing its precondition.
///
/// A second request with the same key while the first is in flight answers 409 at once on
/// PostgreSQL (it cannot take the key's transaction-level advisory lock); on SQLite, where writers
/// take turns, it waits for the first and replays its reply.
pub async fn execute<F>(
    db: &Db,
    principal: &Principal,
    req: &HttpRequest,
    key: IdempotencyKey,
    body_digest: &str,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<Reply, ApiError> + Send + 'static,
{
    let Some(key) = key.0 else {
        return Ok(db.write(work).await?.into_response());
    };
    let scope = Scope {
        owner: principal.sub.clone(),
        method: req.method().to_string(),
        path: req.path().to_string(),
        key,
        hash: body_digest.to_string(),
    };
    let outcome = db
        .write(move |conn| -> Result<(Reply, bool), ApiError> {
            claim(conn, &scope)?;
            let update = match find(conn, &scope)? {
                Found::Replay(reply) => return Ok((reply, true)),
                Found::Fresh { update } => update,
            };
            let reply = work(conn)?;
            store(conn, &scope, &reply, update)?;
            Ok((reply, false))
        })
        .await?;
    let (reply, replayed) = outcome;
    let mut res = reply.into_response();
    if replayed {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
            actix_web::http::header::HeaderValue::from_static("true"),
        );
    }
    Ok(res)
}

#[derive(Queryable)]
struct Stored {
    request_hash: String,
    state: String,
    response_status: Option<i32>,
    response_body: Option<String>,
    response_etag: Option<String>,
    response_location: Option<String>,
    locked_until: NaiveDateTime,
    expires_at: NaiveDateTime,
}

type ByOwner = diesel::dsl::Filter<k::table, diesel::dsl::Eq<k::owner, String>>;
type ByMethod = diesel::dsl::Filter<ByOwner, diesel::dsl::Eq<k::method, String>>;
type ByPath = diesel::dsl::Filter<ByMethod, diesel::dsl::Eq<k::path, String>>;
type ByKey = diesel::dsl::Filter<ByPath, diesel::dsl::Eq<k::idempotency_key, String>>;

fn filter(s: &Scope) -> ByKey {
    k::table
        .filter(k::owner.eq(s.owner.clone()))
        .filter(k::method.eq(s.method.clone()))
        .filter(k::path.eq(s.path.clone()))
        .filter(k::idempotency_key.eq(s.key.clone()))
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    claimed: bool,
}

/// The number of a key's transaction-level advisory lock on PostgreSQL: the first 8 bytes of the
/// SHA-256 of its scope. Two keys that share it (one chance in 2^64) only make each other retry.
pub fn lock_number(owner: &str, method: &str, path: &str, key: &str) -> i64 {
    let mut digest = Sha256::new();
    for part in [owner, method, path, key] {
        digest.update(part.as_bytes());
        digest.update([0u8]);
    }
    let bytes: [u8; 8] = digest.finalize()[..8].try_into().expect("8 bytes");
    i64::from_be_bytes(bytes)
}

/// On PostgreSQL, the key's transaction-level advisory lock, or 409 at once when another
/// transaction (on any instance) holds it.
fn claim(conn: &mut AnyConnection, s: &Scope) -> Result<(), ApiError> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(());
    };
    let lock = lock_number(&s.owner, &s.method, &s.path, &s.key);
    let claimed = diesel::sql_query(format!(
        "SELECT pg_try_advisory_xact_lock({lock}) AS claimed"
    ))
    .get_result::<Claimed>(pg)?;
    if claimed.claimed {
        Ok(())
    } else {
        Err(in_use())
    }
}

/// What the key holds: a reply to replay, a refusal (another body: 422; a forgotten resource:
/// 410; a request of an earlier release still in flight: 409), or nothing usable.
fn find(conn: &mut AnyConnection, s: &Scope) -> Result<Found, ApiError> {
    let now = Utc::now().naive_utc();
    let stored: Option<Stored> = filter(s)
        .select((
            k::request_hash,
            k::state,
            k::response_status,
            k::response_body,
            k::response_etag,
            k::response_location,
            k::locked_until,
            k::expires_at,
        ))
        .first(conn)
        .optional()?;
    let row = match stored {
        None => return Ok(Found::Fresh { update: false }),
        Some(row) if row.expires_at <= now => return Ok(Found::Fresh { update: true }),
        Some(row) => row,
    };
    if row.request_hash != s.hash {
        return Err(ApiError::new(
            ProblemKind::IdempotencyKeyReused,
            crate::text::Text::IdempotencyKeyReused.msg(),
        ));
    }
    if row.state != "DONE" {
        // A claim written by an earlier release, which held keys in a row of their own.
        return if row.locked_until > now {
            Err(in_use())
        } else {
            Ok(Found::Fresh { update: true })
        };
    }
    if row.response_status == Some(GONE) {
        return Err(ApiError::new(
            ProblemKind::Gone,
            crate::text::Text::IdempotencyKeyGone.msg(),
        ));
    }
    let body = row
        .response_body
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| ApiError::internal(format!("stored response: {e}")))?;
    Ok(Found::Replay(Reply {
        status: row.response_status.unwrap_or(200) as u16,
        body,
        etag: row.response_etag,
        location: row.response_location,
        once: None,
    }))
}

fn in_use() -> ApiError {
    ApiError::new(
        ProblemKind::IdempotencyKeyInUse,
        crate::text::Text::IdempotencyKeyInUse.msg(),
    )
}

/// Stores the reply under the key, in the work's transaction.
fn store(conn: &mut AnyConnection, s: &Scope, reply: &Reply, update: bool) -> Result<(), ApiError> {
    let now = Utc::now().naive_utc();
    let body = reply.body.as_ref().map(|b| b.to_string());
    let fields = (
        k::request_hash.eq(s.hash.clone()),
        k::state.eq("DONE"),
        k::response_status.eq(i32::from(reply.status)),
        k::response_body.eq(body),
        k::response_etag.eq(reply.etag.clone()),
        k::response_location.eq(reply.location.clone()),
        k::created_at.eq(now),
        k::locked_until.eq(now),
        k::expires_at.eq(now + Duration::hours(KEY_LIFETIME_HOURS)),
    );
    if update {
        diesel::update(filter(s)).set(fields).execute(conn)?;
        return Ok(());
    }
    diesel::insert_into(k::table)
        .values((
            k::owner.eq(&s.owner),
            k::method.eq(&s.method),
            k::path.eq(&s.path),
            k::idempotency_key.eq(&s.key),
            fields,
        ))
        .execute(conn)
        .map_err(|e| match e {
            // Another transaction stored the same key first (an instance of an earlier release,
            // or SQLite files shared between processes): this one rolls back.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => in_use(),
            other => other.into(),
        })?;
    Ok(())
}

/// Forgets the stored responses of the resource at `path` (relative to `/api/v1/`, as
/// `Resource::located` gives it), in the transaction that deletes or erases it: every reply whose
/// `Location` is that resource keeps its key but loses its body, ETag and `Location`, and a replay
/// of the key answers 410 `gone` instead of the deleted resource (or the erased person's data).
/// Returns how many stored replies were forgotten.
pub fn forget(conn: &mut AnyConnection, path: &str) -> Result<usize, ApiError> {
    let escaped = path
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let location = format!("%/api/v1/{}", escaped.trim_start_matches('/'));
    Ok(diesel::update(
        k::table
            .filter(k::state.eq("DONE"))
            .filter(k::response_location.like(location).escape('\\')),
    )
    .set((
        k::response_status.eq(GONE),
        k::response_body.eq(None::<String>),
        k::response_etag.eq(None::<String>),
        k::response_location.eq(None::<String>),
    ))
    .execute(conn)?)
}

/// Deletes keys past their lifetime (called by the service's periodic housekeeping).
pub fn purge_expired(conn: &mut AnyConnection) -> Result<usize, ApiError> {
    let now = Utc::now().naive_utc();
    Ok(diesel::delete(k::table.filter(k::expires_at.le(now))).execute(conn)?)
}

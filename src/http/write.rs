//! The steps the list and write handlers share, so that each handler reads as: authorise, parse,
//! call the feature's service, reply. A list is a page of JSON or, for `Accept: text/csv`, the
//! whole filtered list as CSV; a write runs in one transaction and its `Reply` becomes the
//! response; an optimistic write that found its row changed is 412.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::csv::{csv_response, wants_csv, window};
use super::etag::version_mismatch;
use super::export::Export;
use super::paging::Paging;
use super::problem::ApiError;
use super::reply::{self, Reply};
use crate::db::{AnyConnection, Db};

/// A list read in one transaction: `query` answers `limit` items from `offset`, and the total.
pub async fn list<T, F>(
    db: &Db,
    req: &HttpRequest,
    paging: Paging,
    query: F,
) -> Result<HttpResponse, ApiError>
where
    T: Export + Serialize + Send + 'static,
    F: FnOnce(&mut AnyConnection, i64, i64) -> Result<(Vec<T>, i64), ApiError> + Send + 'static,
{
    let csv = wants_csv(req);
    let (offset, limit) = window(csv, paging);
    let (items, total) = db.read(move |c| query(c, offset, limit)).await?;
    if csv {
        return csv_response(&items, total);
    }
    reply::json(&paging.page_of(items, total))
}

/// A write without an `Idempotency-Key` (a PATCH or DELETE): `work` in one transaction.
pub async fn commit<F>(db: &Db, work: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<Reply, ApiError> + Send + 'static,
{
    Ok(db.write(work).await?.into_response())
}

/// The row an update wrote while the resource was still at `version`; 412 when another write
/// came first.
pub fn written<T>(row: Option<T>, version: i32) -> Result<T, ApiError> {
    row.ok_or_else(|| version_mismatch(version + 1))
}

/// A delete that found the resource still at `version`; 412 when another write came first.
pub fn removed(deleted: bool, version: i32) -> Result<(), ApiError> {
    if deleted {
        Ok(())
    } else {
        Err(version_mismatch(version + 1))
    }
}

/// A reply with a body and no version (an import, a queued delivery).
pub fn unversioned<T: Serialize>(status: u16, body: &T) -> Result<Reply, ApiError> {
    let body = serde_json::to_value(body)
        .map_err(|e| ApiError::internal(format!("serialising a response: {e}")))?;
    Ok(Reply {
        status,
        body: Some(body),
        etag: None,
        location: None,
    })
}

//! The steps the list and write handlers share, so that each handler reads as: authorise, parse,
//! call the feature's service, reply. A list is a page of JSON or, for `Accept: text/csv` or the
//! workbook's media type (or `?format=csv|xlsx`), the whole filtered list as CSV or XLSX; a write runs in one transaction and its `Reply` becomes the
//! response; an optimistic write that found its row changed is 412.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;

use super::auth::{Capability, Principal};
use super::csv::{export_response, window};
use super::etag::{IfMatch, Precondition, version_mismatch};
use super::export::{Export, ExportFormat};
use super::idempotency::{self, IdempotencyKey};
use super::paging::Paging;
use super::problem::ApiError;
use super::reply::{self, Reply};
use crate::config::Config;
use crate::db::{AnyConnection, Db};

/// The filters of a list that has none beyond paging (any other query parameter is refused).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoFilters {}

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
    let format = ExportFormat::negotiate(req, paging.format);
    let (offset, limit) = window(format.is_file(), paging);
    let (items, total) = db.read(move |c| query(c, offset, limit)).await?;
    if format.is_file() {
        return export_response(format, &items, total);
    }
    reply::json(&paging.page_of(items, total))
}

/// One resource read in one transaction; `not_found` when `find` finds none.
pub async fn one<T, F>(db: &Db, not_found: fn() -> ApiError, find: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<Option<T>, ApiError> + Send + 'static,
{
    db.read(find).await?.ok_or_else(not_found)
}

/// `limit` items from `offset` of a list built whole in memory, and its length.
pub fn slice<T>(all: Vec<T>, offset: i64, limit: i64) -> (Vec<T>, i64) {
    let total = all.len() as i64;
    let skip = usize::try_from(offset).unwrap_or(0);
    let take = usize::try_from(limit).unwrap_or(0);
    (all.into_iter().skip(skip).take(take).collect(), total)
}

/// A write without an `Idempotency-Key` (a PATCH or DELETE): `work` in one transaction.
pub async fn commit<F>(db: &Db, work: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection) -> Result<Reply, ApiError> + Send + 'static,
{
    Ok(db.write(work).await?.into_response())
}

/// An idempotent create: `work` writes the resource as the caller (`actor`), in one transaction
/// with the key; the reply is 201 with its `ETag` and `Location`.
pub async fn created<T, F>(
    db: &Db,
    config: &Config,
    principal: &Principal,
    req: &HttpRequest,
    key: IdempotencyKey,
    digest: &str,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    T: Resource + Serialize,
    F: FnOnce(&mut AnyConnection, &str) -> Result<T, ApiError> + Send + 'static,
{
    let actor = principal.sub.clone();
    let base = config.public_url.clone();
    idempotency::execute(db, principal, req, key, digest, move |conn| {
        let resource = work(conn, &actor)?;
        let (version, path) = resource.located();
        Reply::created(format!("{base}/api/v1/{path}"), &resource, version)
    })
    .await
}

/// A change guarded by `If-Match` (428 without it): `work` gets the caller's id and the
/// precondition, in one transaction.
pub async fn guarded<F>(
    db: &Db,
    principal: &Principal,
    if_match: &IfMatch,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut AnyConnection, &str, &Precondition) -> Result<Reply, ApiError> + Send + 'static,
{
    let precondition = if_match.required()?;
    let actor = principal.sub.clone();
    commit(db, move |conn| work(conn, &actor, &precondition)).await
}

/// What a handler takes besides its path, query and body: the database, the configuration, the
/// caller, the request and its `If-Match`, extracted in that order (as a handler's own arguments
/// would be; only the caller can be refused, with 401).
pub struct Call {
    pub db: web::Data<Db>,
    pub config: web::Data<Config>,
    pub principal: Principal,
    pub req: HttpRequest,
    pub if_match: IfMatch,
}

impl FromRequest for Call {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        type Parts = (web::Data<Db>, web::Data<Config>, Principal, IfMatch);
        let parts = Parts::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let (db, config, principal, if_match) = parts.await?;
            Ok(Call {
                db,
                config,
                principal,
                req,
                if_match,
            })
        })
    }
}

impl Call {
    /// 403 unless the caller holds `capability`.
    pub fn require(&self, capability: Capability) -> Result<(), ApiError> {
        self.principal.require(capability)
    }

    /// Whether the caller holds `capability`.
    pub fn has(&self, capability: Capability) -> bool {
        self.principal.has(capability)
    }

    /// A page of the list, or the whole filtered list as CSV or XLSX, as [`list`] reads it.
    pub async fn list<T, F>(&self, paging: Paging, query: F) -> Result<HttpResponse, ApiError>
    where
        T: Export + Serialize + Send + 'static,
        F: FnOnce(&mut AnyConnection, i64, i64) -> Result<(Vec<T>, i64), ApiError> + Send + 'static,
    {
        list(&self.db, &self.req, paging, query).await
    }

    /// One resource, as [`one`] reads it.
    pub async fn one<T, F>(&self, not_found: fn() -> ApiError, find: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<Option<T>, ApiError> + Send + 'static,
    {
        one(&self.db, not_found, find).await
    }

    /// One resource with its `ETag` (304 when `If-None-Match` names it): the caller must hold
    /// `capability` (checked before `key`, the parsed path parameter, is looked at).
    pub async fn read<K, T, F>(
        &self,
        capability: Capability,
        key: Result<K, ApiError>,
        not_found: fn() -> ApiError,
        find: F,
    ) -> Result<HttpResponse, ApiError>
    where
        K: Send + 'static,
        T: Resource + Serialize + Send + 'static,
        F: FnOnce(&mut AnyConnection, &K) -> Result<Option<T>, ApiError> + Send + 'static,
    {
        self.require(capability)?;
        let key = key?;
        let found = self.one(not_found, move |c| find(c, &key)).await?;
        self.resource(&found, found.located().0)
    }

    /// The resource with its `ETag`, or 304 when `If-None-Match` names it.
    pub fn resource<T: Serialize>(&self, body: &T, version: i32) -> Result<HttpResponse, ApiError> {
        reply::resource(&self.req, body, version)
    }

    /// A change guarded by `If-Match`, as [`guarded`] runs it.
    pub async fn guarded<F>(&self, work: F) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &str, &Precondition) -> Result<Reply, ApiError>
            + Send
            + 'static,
    {
        guarded(&self.db, &self.principal, &self.if_match, work).await
    }

    /// A write to the resource at `key`, guarded by `If-Match`: the caller must hold `capability`
    /// (checked before `key`, the parsed path parameter, is looked at); what `work` answers is the
    /// reply ([`Written`]: the resource as changed, or nothing for a delete).
    pub async fn write<K, W, F>(
        &self,
        capability: Capability,
        key: Result<K, ApiError>,
        work: F,
    ) -> Result<HttpResponse, ApiError>
    where
        K: Send + 'static,
        W: Written,
        F: FnOnce(&mut AnyConnection, &str, &K, &Precondition) -> Result<W, ApiError>
            + Send
            + 'static,
    {
        self.require(capability)?;
        let key = key?;
        self.guarded(move |conn, actor, pre| work(conn, actor, &key, pre)?.reply())
            .await
    }

    /// A write without a precondition or key, as [`commit`] runs it.
    pub async fn commit<F>(&self, work: F) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<Reply, ApiError> + Send + 'static,
    {
        commit(&self.db, work).await
    }
}

/// What an idempotent write (a create, or an action such as activate, publish, decide) takes
/// besides its path and body: a [`Call`] and its `Idempotency-Key` (400 when malformed).
pub struct KeyedCall {
    call: Call,
    key: IdempotencyKey,
}

impl FromRequest for KeyedCall {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = <(Call, IdempotencyKey)>::from_request(req, payload);
        Box::pin(async move {
            let (call, key) = parts.await?;
            Ok(KeyedCall { call, key })
        })
    }
}

impl std::ops::Deref for KeyedCall {
    type Target = Call;

    fn deref(&self) -> &Call {
        &self.call
    }
}

impl KeyedCall {
    /// The create, as [`created`] runs it.
    pub async fn create<T, F>(self, digest: &str, work: F) -> Result<HttpResponse, ApiError>
    where
        T: Resource + Serialize,
        F: FnOnce(&mut AnyConnection, &str) -> Result<T, ApiError> + Send + 'static,
    {
        let KeyedCall { call, key } = self;
        created(
            &call.db,
            &call.config,
            &call.principal,
            &call.req,
            key,
            digest,
            work,
        )
        .await
    }

    /// Any other idempotent write: `work` runs as the caller (`actor`) in one transaction with
    /// the key, and its reply is stored for a retry to replay.
    pub async fn keyed<F>(self, digest: &str, work: F) -> Result<HttpResponse, ApiError>
    where
        F: FnOnce(&mut AnyConnection, &str) -> Result<Reply, ApiError> + Send + 'static,
    {
        let KeyedCall { call, key } = self;
        let actor = call.principal.sub.clone();
        idempotency::execute(
            &call.db,
            &call.principal,
            &call.req,
            key,
            digest,
            move |conn| work(conn, &actor),
        )
        .await
    }

    /// An action on a resource, idempotent by its key and guarded by `If-Match`. The precondition
    /// is required inside the keyed transaction, after a replay was ruled out, so that a retried
    /// action replays instead of failing with 428. `work` gets the caller's id and the
    /// precondition; the resource it answers is the reply, with its new `ETag`.
    pub async fn act<T, F>(self, digest: &str, work: F) -> Result<HttpResponse, ApiError>
    where
        T: Resource + Serialize,
        F: FnOnce(&mut AnyConnection, &str, &Precondition) -> Result<T, ApiError> + Send + 'static,
    {
        let if_match = self.call.if_match.clone();
        self.keyed(digest, move |conn, actor| {
            let precondition = if_match.required()?;
            changed(&work(conn, actor, &precondition)?)
        })
        .await
    }
}

/// The reply to a change: the resource as changed, with its new `ETag`.
pub fn changed<T: Resource + Serialize>(resource: &T) -> Result<Reply, ApiError> {
    Reply::ok(resource, resource.located().0)
}

/// What a guarded write ([`Call::write`]) answers: the resource as changed (200 with its new
/// `ETag`), or nothing, for a delete (204).
pub trait Written {
    fn reply(self) -> Result<Reply, ApiError>;
}

impl<T: Resource + Serialize> Written for T {
    fn reply(self) -> Result<Reply, ApiError> {
        changed(&self)
    }
}

impl Written for () {
    fn reply(self) -> Result<Reply, ApiError> {
        Ok(Reply::no_content())
    }
}

/// A resource with a version (its `ETag`, what `If-Match` names) and a URL.
pub trait Resource {
    /// The version, and the path below `/api/v1/` (`units/KFN`).
    fn located(&self) -> (i32, String);
}

/// The resource a change is about, as found: `not_found` when there is none, 412 when the
/// precondition names another version.
pub fn checked<T: Resource>(
    found: Option<T>,
    not_found: fn() -> ApiError,
    precondition: &Precondition,
) -> Result<T, ApiError> {
    let current = found.ok_or_else(not_found)?;
    precondition.check(current.located().0)?;
    Ok(current)
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
        once: None,
    })
}

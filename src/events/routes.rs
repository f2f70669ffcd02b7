use actix_web::{HttpResponse, get};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{EntityType, Event};
use crate::http::auth::Capability;
use crate::http::crud::Call;
use crate::http::json::Query;
use crate::http::problem::ApiError;
use crate::http::reply;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Return events after this id (the `nextAfter` of the previous answer); 0 or absent from the start.
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
/// cursor is a documented deviation from DIGG's page-based paging.
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
    let rows = call
        .db
        .read(move |conn| super::store::feed(conn, after, params.entity_type, limit))
        .await?;
    let items = rows
        .into_iter()
        .map(|r| r.into_event(&call.principal))
        .collect::<Result<Vec<Event>, ApiError>>()?;
    let next_after = items.last().map_or(after, |e| e.id);
    reply::json(&EventFeed { items, next_after })
}

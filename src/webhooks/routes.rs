use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, check_url, not_found};
use super::store;
use super::{CreatedWebhook, Delivery, DeliveryStatus, NewWebhook, Webhook, WebhookPatch};
use crate::http::auth::Capability;
use crate::http::crud::{self, NoFilters};
use crate::http::docs as d;
use crate::http::json::OptionalJsonBody;
use crate::http::operation::item;
use crate::http::path::path_uuid;
use crate::http::problem::ApiError;
use crate::http::reply::Reply;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Only deliveries in this state.
    status: Option<DeliveryStatus>,
}

item! {
    tag "Webhooks";

    /// List webhooks / Lista webhooks
    ///
    /// The subscriptions, oldest first. Secrets are never shown.
    #[list(get "/webhooks", NoFilters, 200(Webhook, "A page of subscriptions.", example = json!({"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "url": "https://arende.boras.se/hooks/samverkan", "description": "Ärendehanteringssystemet", "eventTypes": ["AGREEMENT"], "active": true, "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})))]
    async fn list_webhooks(call, params) {
        call.require(Capability::Administer)?;
        call.list(params.paging, store::list).await
    }

    /// Create a webhook / Skapa en webhook
    ///
    /// Events after the subscription's creation that match `eventTypes` (entity types such as
    /// `AGREEMENT`, or event names such as `AGREEMENT.ACTIVATED`; empty: all) are POSTed to `url` as
    /// the change feed serves them to a reader (no draft data, no personal data), signed per
    /// Standard Webhooks: `webhook-id` (the delivery's id, the same on every attempt),
    /// `webhook-timestamp` and `webhook-signature` (`v1,` and base64 of HMAC-SHA256 over
    /// `id.timestamp.body` with the secret's key). Only a 2xx answer counts; redirects are not
    /// followed. Failed attempts are retried after 10 s, 20 s, 40 s, … (at most an hour) up to 8
    /// attempts, then the delivery is FAILED. The target must be HTTPS on a public address, or listed
    /// in `SAMVERKAN_WEBHOOK_ALLOW`. The answer carries the signing secret, this once.
    #[create(post "/webhooks", body = NewWebhook, 201(CreatedWebhook, "The subscription was created; its secret is shown this once."), 409(Conflict))]
    async fn create_webhook(call, body) {
        call.require(Capability::Administer)?;
        let changes = service::subscription(body.value)?;
        check_url(&call.config, &changes.url).await?;
        let base = call.config.public_url.clone();
        call.keyed(&body.digest, move |conn, actor| {
            let (webhook, secret) = service::create(conn, actor, &changes)?;
            let location = format!("{base}/api/v1/webhooks/{}", webhook.id);
            CreatedWebhook::reply(webhook, secret, Some(location))
        })
        .await
    }

    /// Read a webhook / Läs en webhook
    ///
    /// Admins only. The subscription without its secret (shown once, when it was created), with its `ETag`.
    #[read(get "/webhooks/{id}", id("The subscription's id."), 200(Webhook, "The subscription (without its secret), with its ETag.", etag = "The subscription's version."))]
    async fn get_webhook(call, id) {
        let find = |c: &mut _, id: &String| Ok(store::find(c, id)?.map(Webhook::from));
        call.read(Capability::Administer, id, not_found, find).await
    }

    /// Change a webhook / Ändra en webhook
    ///
    /// JSON Merge Patch (RFC 7396) of `url`, `description`, `eventTypes` and `active`. A paused
    /// subscription (`active: false`) receives nothing of what happens while it is paused; its
    /// pending deliveries wait. The secret does not change.
    #[change(patch "/webhooks/{id}", id("The subscription's id."), body = WebhookPatch, 200(Webhook, "The subscription as changed.", etag = "The subscription's new version."))]
    async fn update_webhook(call, id, patch) {
        call.require(Capability::Administer)?;
        let id = id?;
        let precondition = call.if_match.required()?;
        let current = call
            .db
            .read(move |c| service::current(c, &id, &precondition))
            .await?;
        let changes = service::changes(&current, &patch)?;
        if changes.url != current.url {
            check_url(&call.config, &changes.url).await?;
        }
        let actor = call.principal.sub.clone();
        call.commit(move |conn| {
            let webhook = service::update(conn, &actor, &current, &changes)?;
            Reply::ok(&webhook, webhook.version)
        })
        .await
    }

    /// Delete a webhook / Ta bort en webhook
    ///
    /// The subscription and its deliveries are removed; nothing more is sent.
    #[remove(delete "/webhooks/{id}", id("The subscription's id."), 204("The subscription was deleted."))]
    async fn delete_webhook(call, id) {
        call.write(Capability::Administer, id, |conn, actor, id, pre| {
            service::delete(conn, actor, id, pre)
        })
        .await
    }

    /// Rotate a webhook's secret / Byt en webhooks hemlighet
    ///
    /// A new signing secret, shown in this answer only (a replay of the request answers without it).
    /// For 24 hours deliveries are signed with both the new and the old secret (`webhook-signature`
    /// holds both signatures, space-separated, as Standard Webhooks allows), so that a receiver holding
    /// either verifies them while it switches; then with the new one only.
    #[act(post "/webhooks/{id}/rotate-secret", id("The subscription's id."), [], 200(CreatedWebhook, "The subscription with its new secret, shown this once.", etag = "The subscription's new version."), 413(PayloadTooLarge), 415(UnsupportedMediaType))]
    async fn rotate_webhook_secret(call, id, body) {
        call.require(Capability::Administer)?;
        let id = id?;
        let if_match = call.if_match.clone();
        call.keyed(&body.digest, move |conn, actor| {
            let precondition = if_match.required()?;
            let (webhook, secret) = service::rotate_secret(conn, actor, &id, &precondition)?;
            CreatedWebhook::reply(webhook, secret, None)
        })
        .await
    }

    /// List a webhook's deliveries / Lista leveranser
    ///
    /// Newest first, with status, attempts and the last response code.
    #[list(get "/webhooks/{id}/deliveries", id("The subscription's id."), DeliveryParams, 200(Delivery, "A page of deliveries.", example = json!({"items": [{"id": "0192f5d3-1a2b-7c3d-8e4f-5a6b7c8d9e0f", "webhookId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "eventId": 42, "eventType": "AGREEMENT.ACTIVATED", "status": "FAILED", "attempts": 8, "lastResponseCode": 503, "lastError": "HTTP 503", "lastAttemptAt": "2026-11-26T12:10:00Z", "nextAttemptAt": null, "deliveredAt": null, "createdAt": "2026-11-26T09:15:01Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})))]
    async fn list_webhook_deliveries(call, id, params) {
        call.require(Capability::Administer)?;
        let id = id?;
        let status = params.filters.status;
        call.list(params.paging, move |c, offset, limit| {
            store::find(c, &id)?.ok_or_else(not_found)?;
            store::list_deliveries(c, &id, status, offset, limit)
        })
        .await
    }
}

/// Deliver again / Leverera igen
///
/// Queues a delivered or failed delivery again, with a fresh budget of attempts and the same
/// `webhook-id` (so a receiver that already has it can recognise it). A pending delivery is 409:
/// it will be attempted anyway. Deliveries are the service's records of sending, not versioned
/// resources, so no `If-Match` is needed; an `Idempotency-Key` makes a retry safe.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "redeliverWebhookDelivery",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        ("deliveryId" = uuid::Uuid, Path, description = "The delivery's id.", example = "0192f5d3-1a2b-7c3d-8e4f-5a6b7c8d9e0f", format = Uuid),
        d::IdempotencyKeyHeader,
    ),
    responses(
        (status = 202, description = "The delivery is queued again.", body = Delivery),
        (status = 409, response = d::Conflict),
        (status = 413, response = d::PayloadTooLarge),
        (status = 415, response = d::UnsupportedMediaType),
        (status = 400, response = d::BadRequest),
    )
)]
#[post("/webhooks/{id}/deliveries/{deliveryId}/redeliver")]
pub async fn redeliver(
    call: crud::KeyedCall,
    path: web::Path<(String, String)>,
    body: OptionalJsonBody<crate::http::json::ActionBody>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Administer)?;
    let (id, delivery_id) = path.into_inner();
    let id = path_uuid(&id, "/path/id")?;
    let delivery_id = path_uuid(&delivery_id, "/path/deliveryId")?;
    call.keyed(&body.digest, move |conn, _| {
        let delivery = service::redeliver(conn, &id, &delivery_id)?;
        crud::unversioned(202, &delivery)
    })
    .await
}

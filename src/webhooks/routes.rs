use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::store;
use super::target::{self, AllowList, Host, Refusal};
use super::{
    CreatedWebhook, Delivery, DeliveryStatus, NewWebhook, Webhook, WebhookChanges, WebhookPatch,
};
use crate::config::Config;
use crate::db::Db;
use crate::events::{self, Change, EventAction, Visibility};
use crate::http::auth::{Capability, Principal};
use crate::http::csv::{csv_response, wants_csv, window};
use crate::http::docs as d;
use crate::http::etag::{IfMatch, version_mismatch};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json::{JsonBody, OptionalJsonBody, from_value, merge_patch};
use crate::http::paging::{ListParams, Page, Paging};
use crate::http::path::path_uuid;
use crate::http::problem::{ApiError, FieldError};
use crate::http::reply::{self, Reply};
use crate::text::TargetRefusal;

const ENTITY: crate::events::EntityType = crate::events::EntityType::Webhook;

/// A webhook's event: ids only. The URL may carry a token and the secret is never shown, and
/// the change feed is read by every reader.
fn change(id: &str, action: crate::events::EventAction, version: i32) -> Change<'_> {
    Change {
        entity_type: ENTITY,
        entity_id: id,
        action,
        version,
        data: None,
        visibility: Visibility::Everyone,
    }
}

fn not_found() -> ApiError {
    ApiError::not_found("webhook", "webhook")
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoFilters {}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// Only deliveries in this state.
    status: Option<DeliveryStatus>,
}

/// Checks what serde cannot: lengths and the event-type filters.
fn validate(changes: &mut WebhookChanges) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if changes.url.len() > 2000 {
        errors.push(FieldError::new(
            "/url",
            "too-long",
            crate::text::Text::TooLong {
                field: "url".into(),
                max: 2000,
            }
            .msg(),
        ));
    }
    changes.description = changes
        .description
        .take()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    if changes
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        errors.push(FieldError::new(
            "/description",
            "too-long",
            crate::text::Text::TooLong {
                field: "description".into(),
                max: 500,
            }
            .msg(),
        ));
    }
    for (pointer, sentence) in super::filter_errors(&changes.event_types) {
        errors.push(FieldError::new(
            pointer,
            "invalid-event-type",
            if sentence.starts_with("at most") {
                crate::text::Text::TooManyEventTypes.msg()
            } else {
                crate::text::Text::EventTypeForm.msg()
            },
        ));
    }
    changes.event_types.dedup();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

fn refused(refusal: &Refusal) -> ApiError {
    ApiError::invalid(
        "/url",
        "target-not-allowed",
        crate::text::Text::TargetRefused {
            why: match refusal {
                Refusal::NotAUrl => TargetRefusal::NotAUrl,
                Refusal::Scheme => TargetRefusal::Scheme,
                Refusal::Credentials => TargetRefusal::Credentials,
                Refusal::NoHost => TargetRefusal::NoHost,
                Refusal::PlainHttp => TargetRefusal::PlainHttp,
                Refusal::Address(ip) => TargetRefusal::Address { ip: ip.to_string() },
            },
        }
        .msg(),
    )
}

/// Refuses at subscription time a URL that delivery would refuse: not HTTPS and not listed, or
/// resolving to an address that is neither public nor listed. A name that does not resolve now is
/// accepted over HTTPS (its deliveries are checked, and retried, when they are sent).
async fn check_url(config: &Config, url: &str) -> Result<(), ApiError> {
    let allow = AllowList::parse(&config.webhook_allow).map_err(ApiError::internal)?;
    let target = target::parse(url, &allow).map_err(|r| refused(&r))?;
    if let Host::Name(name) = &target.host
        && !target.host_listed
    {
        let port = target.url.port_or_known_default().unwrap_or(443);
        let resolved = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            target::lookup(name, port),
        )
        .await;
        match resolved {
            Ok(Ok(addrs)) if !addrs.is_empty() => {
                let ips: Vec<_> = addrs.iter().map(|a| a.ip()).collect();
                target::check_addresses(&target, &ips, &allow).map_err(|r| refused(&r))?;
            }
            // Plain HTTP needs the addresses to be listed, which cannot be shown without them.
            _ if target.url.scheme() == "http" => return Err(refused(&Refusal::PlainHttp)),
            _ => {}
        }
    }
    Ok(())
}

/// List webhooks / Lista webhooks
///
/// The subscriptions, oldest first. Secrets are never shown.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "listWebhooks",
    params(Paging, NoFilters),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of subscriptions.", body = Page<Webhook>,
            example = json!({"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "url": "https://arende.boras.se/hooks/samverkan", "description": "Ärendehanteringssystemet", "eventTypes": ["AGREEMENT"], "active": true, "version": 1, "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    params: ListParams<NoFilters>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let paging = params.paging;
    let csv = wants_csv(&req);
    let (offset, limit) = window(csv, paging);
    let (items, total) = db.read(move |c| store::list(c, offset, limit)).await?;
    if csv {
        return csv_response(&items, total);
    }
    reply::json(&paging.page_of(items, total))
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
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "createWebhook",
    request_body(content = NewWebhook, content_type = "application/json"),
    params(d::IdempotencyKeyHeader),
    security(("bearerAuth" = [])),
    responses(
        (status = 201, description = "The subscription was created; its secret is shown this once.", body = CreatedWebhook, headers(
            ("ETag" = String, description = "The subscription's version."),
            ("Location" = String, description = "The subscription's URL."))),
        (status = 400, response = d::BadRequest),
        (status = 409, response = d::Conflict),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    db: web::Data<Db>,
    config: web::Data<Config>,
    principal: Principal,
    req: HttpRequest,
    key: IdempotencyKey,
    body: JsonBody<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let new = body.value;
    let mut changes = WebhookChanges {
        url: new.url,
        description: new.description,
        event_types: new.event_types,
        active: new.active,
    };
    validate(&mut changes)?;
    check_url(&config, &changes.url).await?;
    let actor = principal.sub.clone();
    let base = config.public_url.clone();
    idempotency::execute(&db, &principal, &req, key, &body.digest, move |conn| {
        let id = uuid::Uuid::now_v7().to_string();
        let secret = super::signing::generate_secret();
        // The subscription receives the events after its own creation event.
        let cursor = events::append(conn, &actor, change(&id, EventAction::Created, 1))?;
        let row = store::insert(conn, &id, &changes, &secret, cursor, &actor)?;
        let webhook = Webhook::from(row);
        let version = webhook.version;
        Reply::created(
            format!("{base}/api/v1/webhooks/{id}"),
            &CreatedWebhook { webhook, secret },
            version,
        )
    })
    .await
}

/// Read a webhook / Läs en webhook
///
/// Admins only. The subscription without its secret (shown once, when it was created), with its `ETag`.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "getWebhook",
    params(("id" = uuid::Uuid, Path, description = "The subscription's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid)),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The subscription (without its secret), with its ETag.", body = Webhook, headers(("ETag" = String, description = "The subscription's version."))),
        (status = 304, description = "Not modified since the ETag in If-None-Match."),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let id = path_uuid(&id, "/path/id")?;
    let webhook = Webhook::from(
        db.read(move |c| store::find(c, &id))
            .await?
            .ok_or_else(not_found)?,
    );
    reply::resource(&req, &webhook, webhook.version)
}

fn writable(webhook: &Webhook) -> Value {
    serde_json::json!({
        "url": webhook.url,
        "description": webhook.description,
        "eventTypes": webhook.event_types,
        "active": webhook.active,
    })
}

/// Change a webhook / Ändra en webhook
///
/// JSON Merge Patch (RFC 7396) of `url`, `description`, `eventTypes` and `active`. A paused
/// subscription (`active: false`) receives nothing of what happens while it is paused; its
/// pending deliveries wait. The secret does not change.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "updateWebhook",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        d::IfMatchHeader,
    ),
    request_body(content = WebhookPatch, content_type = "application/merge-patch+json"),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The subscription as changed.", body = Webhook, headers(("ETag" = String, description = "The subscription's new version."))),
        (status = 400, response = d::BadRequest),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    db: web::Data<Db>,
    config: web::Data<Config>,
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<Value>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let id = path_uuid(&id, "/path/id")?;
    let precondition = if_match.required()?;
    let patch = body.value;
    if !patch.is_object() {
        return Err(ApiError::invalid(
            "",
            "invalid-type",
            crate::text::Text::MergePatchNotObject.msg(),
        ));
    }
    let read_id = id.clone();
    let current = Webhook::from(
        db.read(move |c| store::find(c, &read_id))
            .await?
            .ok_or_else(not_found)?,
    );
    precondition.check(current.version)?;
    let mut doc = writable(&current);
    merge_patch(&mut doc, &patch);
    let mut changes: WebhookChanges = from_value(doc)?;
    validate(&mut changes)?;
    if changes.url != current.url {
        check_url(&config, &changes.url).await?;
    }
    let actor = principal.sub.clone();
    let version = current.version;
    let reply = db
        .write(move |conn| {
            let event =
                events::append(conn, &actor, change(&id, EventAction::Updated, version + 1))?;
            // Switched on: from now, not from when it was paused.
            let cursor = (!current.active && changes.active).then_some(event);
            let row = store::update(conn, &id, version, &changes, cursor)?
                .ok_or_else(|| version_mismatch(version + 1))?;
            let webhook = Webhook::from(row);
            Reply::ok(&webhook, webhook.version)
        })
        .await?;
    Ok(reply.into_response())
}

/// Delete a webhook / Ta bort en webhook
///
/// The subscription and its deliveries are removed; nothing more is sent.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "deleteWebhook",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        d::IfMatchHeader,
    ),
    security(("bearerAuth" = [])),
    responses(
        (status = 204, description = "The subscription was deleted."),
        (status = 400, response = d::BadRequest),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    db: web::Data<Db>,
    principal: Principal,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let id = path_uuid(&id, "/path/id")?;
    let precondition = if_match.required()?;
    let actor = principal.sub.clone();
    let reply = db
        .write(move |conn| {
            let current = store::find(conn, &id)?.ok_or_else(not_found)?;
            precondition.check(current.version)?;
            if !store::delete(conn, &id, current.version)? {
                return Err(version_mismatch(current.version + 1));
            }
            events::append(
                conn,
                &actor,
                change(&id, EventAction::Deleted, current.version + 1),
            )?;
            Ok(Reply::no_content())
        })
        .await?;
    Ok(reply.into_response())
}

/// List a webhook's deliveries / Lista leveranser
///
/// Newest first, with status, attempts and the last response code.
#[utoipa::path(
    tag = "Webhooks",
    operation_id = "listWebhookDeliveries",
    params(
        ("id" = uuid::Uuid, Path, description = "The subscription's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        Paging,
        DeliveryParams,
    ),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of deliveries.", body = Page<Delivery>,
            example = json!({"items": [{"id": "0192f5d3-1a2b-7c3d-8e4f-5a6b7c8d9e0f", "webhookId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "eventId": 42, "eventType": "AGREEMENT.ACTIVATED", "status": "FAILED", "attempts": 8, "lastResponseCode": 503, "lastError": "HTTP 503", "lastAttemptAt": "2026-11-26T12:10:00Z", "nextAttemptAt": null, "deliveredAt": null, "createdAt": "2026-11-26T09:15:01Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})),
        (status = 400, response = d::BadRequest),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<String>,
    params: ListParams<DeliveryParams>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let id = path_uuid(&id, "/path/id")?;
    let paging = params.paging;
    let status = params.filters.status;
    let csv = wants_csv(&req);
    let (offset, limit) = window(csv, paging);
    let (items, total) = db
        .read(move |c| {
            store::find(c, &id)?.ok_or_else(not_found)?;
            store::list_deliveries(c, &id, status, offset, limit)
        })
        .await?;
    if csv {
        return csv_response(&items, total);
    }
    reply::json(&paging.page_of(items, total))
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
    security(("bearerAuth" = [])),
    responses(
        (status = 202, description = "The delivery is queued again.", body = Delivery),
        (status = 400, response = d::BadRequest),
        (status = 409, response = d::Conflict),
        (status = 413, response = d::PayloadTooLarge),
        (status = 415, response = d::UnsupportedMediaType),
    )
)]
#[post("/webhooks/{id}/deliveries/{deliveryId}/redeliver")]
pub async fn redeliver(
    db: web::Data<Db>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    key: IdempotencyKey,
    body: OptionalJsonBody<crate::http::json::ActionBody>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Administer)?;
    let (id, delivery_id) = path.into_inner();
    let id = path_uuid(&id, "/path/id")?;
    let delivery_id = path_uuid(&delivery_id, "/path/deliveryId")?;
    idempotency::execute(&db, &principal, &req, key, &body.digest, move |conn| {
        store::find(conn, &id)?.ok_or_else(not_found)?;
        store::find_delivery(conn, &id, &delivery_id)?
            .ok_or_else(|| ApiError::not_found("delivery", "leverans"))?;
        if !store::requeue(conn, &delivery_id)? {
            return Err(ApiError::conflict(crate::text::Text::DeliveryPending.msg()));
        }
        let row = store::find_delivery(conn, &id, &delivery_id)?
            .ok_or_else(|| ApiError::not_found("delivery", "leverans"))?;
        let delivery = Delivery::from(row);
        Ok(Reply {
            status: 202,
            body: Some(
                serde_json::to_value(&delivery)
                    .map_err(|e| ApiError::internal(format!("serialising a delivery: {e}")))?,
            ),
            etag: None,
            location: None,
        })
    })
    .await
}

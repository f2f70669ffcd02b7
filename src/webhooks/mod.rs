//! Webhooks: subscriptions that receive the change log's events as signed callbacks (Standard
//! Webhooks), with their deliveries kept in the database so that any instance delivers each one,
//! retries it after a crash, and none delivers it twice.

pub mod export;
pub mod routes;
pub mod service;
pub mod signing;
pub mod store;
pub mod target;
pub mod worker;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::crud::Resource;

/// A subscription / En prenumeration på händelser.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "url": "https://arende.boras.se/hooks/samverkan",
    "description": "Ärendehanteringssystemet", "eventTypes": ["AGREEMENT", "EXCEPTION.GRANTED"],
    "active": true, "version": 1,
    "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"
}))]
pub struct Webhook {
    #[schema(format = Uuid)]
    pub id: String,
    /// Where events are POSTed: HTTPS on a public address, or a target listed in
    /// `SAMVERKAN_WEBHOOK_ALLOW` (which may use plain HTTP).
    pub url: String,
    pub description: Option<String>,
    /// Which events are sent: entity types (`AGREEMENT`) and event names
    /// (`ENTITY.ACTION`, such as `AGREEMENT.ACTIVATED`). Empty: every event.
    pub event_types: Vec<String>,
    /// A paused subscription receives nothing, and not later either, of what happens while paused.
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource for Webhook {
    fn located(&self) -> (i32, String) {
        (self.version, format!("webhooks/{}", self.id))
    }
}

/// A subscription as created, or with a new secret, and its signing secret: shown this once, in
/// the first answer; a replay of the same request (its `Idempotency-Key`) answers without it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "url": "https://arende.boras.se/hooks/samverkan",
    "description": "Ärendehanteringssystemet", "eventTypes": ["AGREEMENT"], "active": true, "version": 1,
    "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwqWQ5bX9LhUk="
}))]
pub struct CreatedWebhook {
    #[serde(flatten)]
    #[schema(inline)]
    pub webhook: Webhook,
    /// The Standard Webhooks signing secret (`whsec_` and base64 of 32 bytes). Store it now: it is
    /// shown in this answer only, and absent from a replay of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub secret: Option<String>,
}

impl CreatedWebhook {
    /// The reply (201 at `location` for a new subscription, else 200): the subscription, stored
    /// for a replay, with its secret in this answer only.
    pub fn reply(
        webhook: Webhook,
        secret: String,
        location: Option<String>,
    ) -> Result<crate::http::reply::Reply, crate::http::problem::ApiError> {
        use crate::http::reply::Reply;
        let version = webhook.version;
        let body = CreatedWebhook {
            webhook,
            secret: None,
        };
        let reply = match location {
            Some(location) => Reply::created(location, &body, version)?,
            None => Reply::ok(&body, version)?,
        };
        Ok(reply.once("secret", serde_json::Value::String(secret)))
    }
}

impl Resource for CreatedWebhook {
    fn located(&self) -> (i32, String) {
        self.webhook.located()
    }
}

/// Declares a body with a subscription's target, then `$rest`. A new subscription and its changes
/// differ in how the event types and `active` are read, and in what the document says.
macro_rules! webhook_fields {
    ($(#[$meta:meta])* $name:ident { $($rest:tt)* }) => {
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        $(#[$meta])*
        pub struct $name {
            #[schema(max_length = 2000, example = "https://arende.boras.se/hooks/samverkan")]
            pub url: String,
            #[serde(default)]
            #[schema(max_length = 500)]
            pub description: Option<String>,
            $($rest)*
        }
    };
}

webhook_fields! {
    /// A new subscription.
    #[schema(example = json!({
        "url": "https://arende.boras.se/hooks/samverkan", "description": "Ärendehanteringssystemet",
        "eventTypes": ["AGREEMENT", "EXCEPTION.GRANTED"]
    }))]
    NewWebhook {
        #[serde(default)]
        #[schema(max_items = 50, pattern = "^[A-Z][A-Z_]{0,39}(\\.[A-Z][A-Z_]{0,39})?$")]
        pub event_types: Vec<String>,
        #[serde(default = "yes")]
        pub active: bool,
    }
}

fn yes() -> bool {
    true
}

webhook_fields! {
    /// The writable fields of a subscription. A `PATCH /webhooks/{id}` (`WebhookPatch`) sends any of
    /// them; unknown and read-only fields are refused.
    #[schema(example = json!({"active": false}))]
    WebhookChanges {
        #[serde(default)]
        #[schema(max_items = 50)]
        pub event_types: Vec<String>,
        pub active: bool,
    }
}

impl crate::http::json::Writable for WebhookChanges {
    const PATCH: &'static str = "WebhookPatch";
}

/// The body of `PATCH /webhooks/{id}`.
pub type WebhookPatch = crate::http::json::MergePatch<WebhookChanges>;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt (or being attempted now).
    Pending,
    /// The target answered 2xx.
    Delivered,
    /// Every attempt failed; `POST …/redeliver` tries again.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "PENDING",
            DeliveryStatus::Delivered => "DELIVERED",
            DeliveryStatus::Failed => "FAILED",
        }
    }

    pub fn from_db(s: &str) -> Self {
        match s {
            "DELIVERED" => DeliveryStatus::Delivered,
            "FAILED" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// One event sent (or to be sent) to one subscription / En leverans.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d3-1a2b-7c3d-8e4f-5a6b7c8d9e0f", "webhookId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e",
    "eventId": 42, "eventType": "AGREEMENT.ACTIVATED", "status": "DELIVERED", "attempts": 2,
    "lastResponseCode": 200, "lastError": null, "lastAttemptAt": "2026-11-26T09:15:12Z",
    "nextAttemptAt": null, "deliveredAt": "2026-11-26T09:15:12Z", "createdAt": "2026-11-26T09:15:01Z"
}))]
pub struct Delivery {
    /// Also the `webhook-id` header: the same on every attempt, so the receiver can drop repeats.
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub webhook_id: String,
    /// The change-log event sent.
    pub event_id: i64,
    /// `ENTITY.ACTION`.
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// The HTTP status of the last answer; null when there was none (timeout, refused address).
    pub last_response_code: Option<i32>,
    /// Why the last attempt failed, when it did.
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The longest filter list and the length of one filter.
const MAX_FILTERS: usize = 50;

/// Whether `filter` is `ENTITY` or `ENTITY.ACTION` in upper snake case.
fn valid_filter(filter: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= 40
            && p.starts_with(|c: char| c.is_ascii_uppercase())
            && p.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    };
    match filter.split_once('.') {
        None => part(filter),
        Some((entity, action)) => part(entity) && part(action),
    }
}

/// The problems of an event-type filter list, as (pointer, sentence).
pub fn filter_errors(filters: &[String]) -> Vec<(String, &'static str)> {
    let mut errors = Vec::new();
    if filters.len() > MAX_FILTERS {
        errors.push(("/eventTypes".to_string(), "at most 50 event types"));
    }
    for (i, f) in filters.iter().enumerate() {
        if !valid_filter(f) {
            errors.push((
                format!("/eventTypes/{i}"),
                "an entity type such as AGREEMENT or an event name such as AGREEMENT.ACTIVATED",
            ));
        }
    }
    errors
}

/// Whether an event of `entity_type` and `action` passes the filters (none: everything passes).
pub fn matches(filters: &[String], entity_type: &str, action: &str) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| match f.split_once('.') {
            None => f == entity_type,
            Some((e, a)) => e == entity_type && a == action,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_name_entity_types_or_single_events() {
        let filters = vec!["AGREEMENT".to_string(), "EXCEPTION.GRANTED".to_string()];
        assert!(matches(&filters, "AGREEMENT", "ACTIVATED"));
        assert!(matches(&filters, "EXCEPTION", "GRANTED"));
        assert!(!matches(&filters, "EXCEPTION", "REQUESTED"));
        assert!(!matches(&filters, "UNIT", "CREATED"));
        assert!(matches(&[], "UNIT", "CREATED"));
    }

    #[test]
    fn filters_are_upper_snake_case() {
        for ok in ["AGREEMENT", "AGREEMENT.REVIEW_REQUIRED", "CONTACT.ERASED"] {
            assert!(valid_filter(ok), "{ok}");
        }
        for bad in ["agreement", "AGREEMENT.", ".X", "A.B.C", "A-B", "", "*"] {
            assert!(!valid_filter(bad), "{bad}");
        }
    }
}

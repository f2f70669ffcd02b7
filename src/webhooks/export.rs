//! The columns of the webhooks and deliveries exports. A subscription's secret is not a field of
//! `Webhook`, so it cannot reach an export.

use super::{Delivery, Webhook};
use crate::http::export::{Cell, Column, export};

export! {
    Webhook as "webhooks", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("url") => (&row.url).into(),
        Column::text("description") => row.description.as_ref().into(),
        Column::list("eventTypes", "ENTITY or ENTITY.ACTION") => Cell::list(&row.event_types),
        Column::boolean("active") => row.active.into(),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

export! {
    Delivery as "webhook-deliveries", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("webhookId") => (&row.webhook_id).into(),
        Column::integer("eventId") => row.event_id.into(),
        Column::text("eventType") => (&row.event_type).into(),
        Column::text("status") => Cell::code(&row.status),
        Column::integer("attempts") => row.attempts.into(),
        Column::integer("lastResponseCode") => row.last_response_code.into(),
        Column::text("lastError") => row.last_error.as_ref().into(),
        Column::timestamp("lastAttemptAt") => row.last_attempt_at.into(),
        Column::timestamp("nextAttemptAt") => row.next_attempt_at.into(),
        Column::timestamp("deliveredAt") => row.delivered_at.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
    ]
}

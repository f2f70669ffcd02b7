//! The columns of the webhooks and deliveries exports. A subscription's secret is not a field of
//! `Webhook`, so it cannot reach an export.

use super::{Delivery, Webhook};
use crate::http::export::{Cell, Column, Export};

impl Export for Webhook {
    const NAME: &'static str = "webhooks";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("url"),
        Column::text("description"),
        Column::list("eventTypes", "ENTITY or ENTITY.ACTION"),
        Column::boolean("active"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        vec![
            (&self.id).into(),
            (&self.url).into(),
            self.description.as_ref().into(),
            Cell::list(&self.event_types),
            self.active.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

impl Export for Delivery {
    const NAME: &'static str = "webhook-deliveries";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("webhookId"),
        Column::integer("eventId"),
        Column::text("eventType"),
        Column::text("status"),
        Column::integer("attempts"),
        Column::integer("lastResponseCode"),
        Column::text("lastError"),
        Column::timestamp("lastAttemptAt"),
        Column::timestamp("nextAttemptAt"),
        Column::timestamp("deliveredAt"),
        Column::timestamp("createdAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        vec![
            (&self.id).into(),
            (&self.webhook_id).into(),
            self.event_id.into(),
            (&self.event_type).into(),
            Cell::code(&self.status),
            self.attempts.into(),
            self.last_response_code.into(),
            self.last_error.as_ref().into(),
            self.last_attempt_at.into(),
            self.next_attempt_at.into(),
            self.delivered_at.into(),
            self.created_at.into(),
        ]
    }
}

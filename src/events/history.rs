//! A resource's history from the change log (`GET /agreements/{id}/history`, `GET
//! /exceptions/{id}/history`): each version with who changed which fields and when.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::http::access::Reader;
use crate::http::auth::Principal;
use crate::http::problem::ApiError;

/// One version in a resource's history.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// The change-log event.
    pub event_id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The `sub` of whoever made the change.
    pub actor: String,
    pub action: super::EventAction,
    pub version: i32,
    /// The fields that changed from the previous version.
    pub changed_fields: Vec<String>,
    /// The resource as it stood after the change.
    #[schema(schema_with = super::entity_data, required = true)]
    pub data: Option<Value>,
}

/// An entity's history, from the change log.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub entity_type: super::EntityType,
    pub entity_id: String,
    pub items: Vec<HistoryEntry>,
}

/// Builds a history from the change log: each version with who changed what and when.
pub fn history_of(
    conn: &mut AnyConnection,
    principal: &Principal,
    entity_type: super::EntityType,
    id: &str,
) -> Result<History, ApiError> {
    let rows = super::store::history(conn, entity_type, id)?;
    let mut previous: Option<Value> = None;
    let mut items = Vec::new();
    let mut reader = Reader::new(principal);
    for row in rows {
        let shown = reader.may_read(conn, &row.audience())?;
        let event = row.into_event(shown)?;
        let changed_fields = match (&previous, &event.data) {
            (Some(Value::Object(before)), Some(Value::Object(after))) => after
                .iter()
                .filter(|(k, v)| {
                    !matches!(k.as_str(), "version" | "updatedAt" | "compliance")
                        && before.get(*k) != Some(v)
                })
                .map(|(k, _)| k.clone())
                .collect(),
            (None, Some(Value::Object(after))) => after
                .keys()
                .filter(|k| {
                    !matches!(
                        k.as_str(),
                        "version" | "updatedAt" | "createdAt" | "compliance"
                    )
                })
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        if event.data.is_some() {
            previous = event.data.clone();
        }
        items.push(HistoryEntry {
            event_id: event.id,
            occurred_at: event.occurred_at,
            actor: event.actor,
            action: event.action,
            version: event.version,
            changed_fields,
            data: event.data,
        });
    }
    Ok(History {
        entity_type,
        entity_id: id.to_string(),
        items,
    })
}

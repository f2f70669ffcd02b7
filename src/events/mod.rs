//! The change log: one event per write, appended in the write's own transaction, read as a feed.

pub mod history;
pub mod routes;
pub mod store;

pub use store::{EventRow, append};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::http::access::Audience;
use crate::http::crud::Resource;
use crate::http::problem::ApiError;

/// Declares an enum of codes the change log stores as text, its `as_str` and its `ALL` list from
/// one list; serde's form is the variant in upper snake case, which a test holds to `as_str`.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code as the change log stores it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }
    };
}

codes! {
    /// The kinds of entity the change log records (`entityType`).
    EntityType {
        Unit = "UNIT",
        Assessment = "ASSESSMENT",
        Partner = "PARTNER",
        Contact = "CONTACT",
        Agreement = "AGREEMENT",
        Exception = "EXCEPTION",
        Webhook = "WEBHOOK",
        IndicatorImport = "INDICATOR_IMPORT",
    }
}

codes! {
    /// What happened to the entity (`action`).
    EventAction {
        Created = "CREATED",
        Updated = "UPDATED",
        Deleted = "DELETED",
        /// A contact's personal data was erased.
        Erased = "ERASED",
        Imported = "IMPORTED",
        Published = "PUBLISHED",
        Superseded = "SUPERSEDED",
        Expired = "EXPIRED",
        ReviewRequired = "REVIEW_REQUIRED",
        Overdue = "OVERDUE",
        Activated = "ACTIVATED",
        Ended = "ENDED",
        Cancelled = "CANCELLED",
        Archived = "ARCHIVED",
        Unarchived = "UNARCHIVED",
        Requested = "REQUESTED",
        Granted = "GRANTED",
        Denied = "DENIED",
        Revoked = "REVOKED",
        Withdrawn = "WITHDRAWN",
    }
}

/// A code the change log stores as text, read back as its enum; an unknown one is a bug here.
pub fn parse_code<T: serde::de::DeserializeOwned>(code: &str) -> Result<T, ApiError> {
    serde_json::from_value(Value::String(code.to_string())).map_err(|e| {
        ApiError::internal(format!("the change log holds an unknown code {code}: {e}"))
    })
}

/// Who may see an event's `data` beyond the readers of everything.
pub struct Change<'a> {
    pub entity_type: EntityType,
    pub entity_id: &'a str,
    pub action: EventAction,
    pub version: i32,
    /// The entity as it now stands, personal data left out; `None` when it no longer exists.
    pub data: Option<Value>,
    pub audience: Audience,
}

impl<'a> Change<'a> {
    /// A change that leaves the entity as `data` shows it.
    pub fn new<T: Serialize>(
        entity_type: EntityType,
        entity_id: &'a str,
        action: EventAction,
        version: i32,
        data: &T,
    ) -> Self {
        let mut change = Self::gone(entity_type, entity_id, action, version);
        // The change log is one record for every reader and webhook: its texts are kept in
        // English, whatever the language of the request that wrote it.
        change.data =
            crate::text::on_this_thread(crate::text::Lang::En, || serde_json::to_value(data).ok());
        change
    }

    /// A change after which the entity no longer exists (or shows no data).
    pub fn gone(
        entity_type: EntityType,
        entity_id: &'a str,
        action: EventAction,
        version: i32,
    ) -> Self {
        Self {
            entity_type,
            entity_id,
            action,
            version,
            data: None,
            audience: Audience::Everyone,
        }
    }

    /// Who may read the entity in the state this change leaves it in (`http::access`): the feed
    /// lists the event to them only.
    pub fn visible_to(mut self, audience: Audience) -> Self {
        self.audience = audience;
        self
    }
}

/// One entry of the change log.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": 42, "occurredAt": "2026-11-26T09:15:00Z", "actor": "anna.admin",
    "entityType": "UNIT", "entityId": "KFN", "action": "CREATED", "version": 1,
    "data": {"code": "KFN", "name": "Kulturnämnden", "nameEn": "Culture Committee", "type": "COMMITTEE", "parentCode": null}
}))]
pub struct Event {
    /// Unique. The feed lists events in the order of the transactions that wrote them, which
    /// with concurrent writers is not always the order of their ids; use the last one seen as
    /// `after` to continue.
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The `sub` of whoever made the change (`system` for the service's own changes).
    pub actor: String,
    pub entity_type: EntityType,
    pub entity_id: String,
    pub action: EventAction,
    /// The entity's version after the change.
    pub version: i32,
    /// The entity as it stood after the change, in the entity's own schema (personal data never;
    /// drafts only for coordinators); `null` when it no longer exists or is not shown to you.
    #[schema(schema_with = entity_data, required = true)]
    pub data: Option<Value>,
}

/// Records a delete of `current`: `deleted` says the row went while still at `current`'s version
/// (412 when another write came first); the replies kept for its creation's idempotency keys are
/// forgotten, and `change` is appended.
pub fn deleted(
    conn: &mut AnyConnection,
    actor: &str,
    current: &impl Resource,
    deleted: bool,
    change: Change<'_>,
) -> Result<(), ApiError> {
    let (version, path) = current.located();
    crate::http::crud::removed(deleted, version)?;
    crate::http::idempotency::forget(conn, &path)?;
    append(conn, actor, change)?;
    Ok(())
}

/// The schema of an event's (or a history entry's) `data`: the entity's own representation,
/// whichever entity it is, so an open object; `null` when not shown.
pub fn entity_data() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        .description(Some(
            "The entity as it stood after the change, in the entity's own schema (a contact's ids only, never its personal data); `null` when the change left nothing to show (a deletion, a webhook) or, in a history, for a state you may not read.",
        ))
        .build()
}

impl EventRow {
    /// Who may read the entity in the state this event carries.
    pub fn audience(&self) -> Audience {
        Audience::from_db(self.visible_to.as_deref())
    }

    /// The event as the API shows it; `data` only when `shown` (the caller may read the entity in
    /// the state the event carries).
    pub fn into_event(self, shown: bool) -> Result<Event, ApiError> {
        let data = if shown {
            self.data
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
        } else {
            None
        };
        Ok(Event {
            id: self.id,
            occurred_at: self.occurred_at.and_utc(),
            actor: self.actor,
            entity_type: parse_code(&self.entity_type)?,
            entity_id: self.entity_id,
            action: parse_code(&self.action)?,
            version: self.version,
            data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_codes_are_the_wire_codes() {
        for &t in EntityType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        for &a in EventAction::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }
}

//! Contacts: the contact persons of a partner. Personal data: visible to officers, coordinators
//! and the board secretary only; their events carry ids, never the person's data; a deleted
//! contact is erased.

pub mod export;
pub mod routes;
pub mod service;
pub mod store;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{Queryable, Selectable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

use crate::http::crud::Resource;

use crate::domain::{Email, Name, Phone};

/// A contact person / En kontaktperson.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::contacts, check_for_backend(crate::db::MultiBackend))]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d2-7c1e-7d3a-9d6e-000000000009", "partnerId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e",
    "name": "Kari Example", "role": "International coordinator", "email": "kari@example.org",
    "phone": "+47 22 00 00 00", "retentionUntil": "2028-12-31", "version": 1,
    "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"
}))]
pub struct Contact {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub partner_id: String,
    pub name: String,
    /// The person's role at the partner.
    pub role: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The service erases the contact after this date (gallring).
    pub retention_until: NaiveDate,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource for Contact {
    fn located(&self) -> (i32, String) {
        (
            self.version,
            format!("partners/{}/contacts/{}", self.partner_id, self.id),
        )
    }
}

/// What a contact's events carry: ids only, never the person's data.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRef<'a> {
    pub id: &'a str,
    pub partner_id: &'a str,
}

/// A new contact.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "name": "Kari Example", "role": "International coordinator", "email": "kari@example.org",
    "phone": "+47 22 00 00 00", "retentionUntil": "2028-12-31"
}))]
pub struct NewContact {
    pub name: Name,
    #[serde(default)]
    pub role: Option<Name>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<Email>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Phone>,
    /// Required: when the personal data is to be erased; today or later.
    pub retention_until: NaiveDate,
}

/// The writable fields of a contact: those of a new one, read from a merged
/// `PATCH /partners/{id}/contacts/{contactId}` (its schema, `ContactPatch`, says the rest).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct ContactChanges(pub NewContact);

/// `NewContact`'s schema, with this type's description and a patch's example.
impl utoipa::PartialSchema for ContactChanges {
    fn schema() -> RefOr<Schema> {
        let mut schema = NewContact::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.description = Some(
                "The writable fields of a contact: those of a new one. A \
                 `PATCH /partners/{id}/contacts/{contactId}` (`ContactPatch`) sends any of them; \
                 `null` clears an optional one; a changed `retentionUntil` is today or later."
                    .into(),
            );
            object.example =
                Some(serde_json::json!({"phone": null, "retentionUntil": "2029-06-30"}));
        }
        schema
    }
}

impl ToSchema for ContactChanges {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        NewContact::schemas(schemas);
    }
}

impl crate::http::json::Writable for ContactChanges {
    const PATCH: &'static str = "ContactPatch";
}

/// The body of `PATCH /partners/{id}/contacts/{contactId}`.
pub type ContactPatch = crate::http::json::MergePatch<ContactChanges>;

//! Partners: the parties the city collaborates with. Officers edit descriptive fields; only
//! coordinators change a partner's country or kind, or archive it.

pub mod export;
pub mod routes;
pub mod service;
pub mod store;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::sql_types::{Bool, Date, Nullable};
use diesel::{Queryable, Selectable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::crud::Resource;

use crate::domain::{CountryCode, EuPic, Name, OrganisationNumber, WebUrl};

/// What kind of party a partner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PartnerKind {
    /// A city or municipality; may be assessed in its own right.
    City,
    /// A region; may be assessed in its own right.
    Region,
    Authority,
    University,
    Organisation,
    Company,
    Network,
    Other,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 8] = [
        PartnerKind::City,
        PartnerKind::Region,
        PartnerKind::Authority,
        PartnerKind::University,
        PartnerKind::Organisation,
        PartnerKind::Company,
        PartnerKind::Network,
        PartnerKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerKind::City => "CITY",
            PartnerKind::Region => "REGION",
            PartnerKind::Authority => "AUTHORITY",
            PartnerKind::University => "UNIVERSITY",
            PartnerKind::Organisation => "ORGANISATION",
            PartnerKind::Company => "COMPANY",
            PartnerKind::Network => "NETWORK",
            PartnerKind::Other => "OTHER",
        }
    }

    pub fn from_db(s: &str) -> PartnerKind {
        PartnerKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(PartnerKind::Other)
    }

    /// "landet/staden": cities and regions can be assessed themselves.
    pub fn is_assessable(self) -> bool {
        matches!(self, PartnerKind::City | PartnerKind::Region)
    }
}

/// Identifiers of the partner in other registers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExternalIds {
    /// The EU Participant Identification Code (nine digits).
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{9}$", example = "999999999")]
    pub eu_pic: Option<EuPic>,
    /// The national organisation number.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "212000-1561")]
    pub organisation_number: Option<OrganisationNumber>,
}

/// External ids as stored and shown.
#[derive(Debug, Clone, Default, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::partners, check_for_backend(crate::db::MultiBackend))]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdsView {
    pub eu_pic: Option<String>,
    pub organisation_number: Option<String>,
}

// Read straight from its row; the sister-city fields, which the agreements decide, read as "not a
// sister city" there and are set by the store.
/// A partner / En samarbetspart.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::partners, check_for_backend(crate::db::MultiBackend))]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "name": "Kommune X (example)", "kind": "CITY",
    "countryCode": "NO", "city": "Example City",
    "externalIds": {"euPic": "999999999", "organisationNumber": null},
    "website": "https://www.example.org/", "sisterCity": false, "sisterCitySince": null,
    "archived": false, "version": 1,
    "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"
}))]
pub struct Partner {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub kind: PartnerKind,
    pub country_code: String,
    pub city: Option<String>,
    #[diesel(embed)]
    pub external_ids: ExternalIdsView,
    pub website: Option<String>,
    /// Derived: the partner is party to an active `SISTER_CITY` agreement (a vänort).
    #[diesel(select_expression = sql::<Bool>("FALSE"), select_expression_type = SqlLiteral<Bool>)]
    pub sister_city: bool,
    /// Derived: the start of the earliest such agreement.
    #[diesel(select_expression = sql::<Nullable<Date>>("NULL"), select_expression_type = SqlLiteral<Nullable<Date>>)]
    pub sister_city_since: Option<NaiveDate>,
    /// An archived partner is kept (it is referred to) but no longer in use.
    pub archived: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource for Partner {
    fn located(&self) -> (i32, String) {
        (self.version, format!("partners/{}", self.id))
    }
}

crate::db::stored_as_text!(PartnerKind, PartnerKind::from_db);

/// How an agreements export names a partner: its id, name, country and kind (`partnerId:name:
/// countryCode:kind`), so that an import into another register can find or create it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::partners, check_for_backend(crate::db::MultiBackend))]
pub struct PartnerRef {
    pub id: String,
    pub name: String,
    pub country_code: String,
    pub kind: PartnerKind,
}

/// Declares a body with the writable fields of a partner. A new partner and its changes are read
/// alike; they differ only in what the document says of them.
macro_rules! partner_fields {
    ($(#[$meta:meta])* $name:ident) => {
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        $(#[$meta])*
        pub struct $name {
            pub name: Name,
            pub kind: PartnerKind,
            pub country_code: CountryCode,
            #[serde(default)]
            pub city: Option<Name>,
            #[serde(default)]
            pub external_ids: ExternalIds,
            #[serde(default)]
            pub website: Option<WebUrl>,
            #[serde(default)]
            pub archived: bool,
        }
    };
}

partner_fields! {
    /// A new partner. Officers may not create it archived.
    #[schema(example = json!({
        "name": "Kommune X (example)", "kind": "CITY", "countryCode": "NO", "city": "Example City",
        "externalIds": {"euPic": "999999999"}, "website": "https://www.example.org/"
    }))]
    NewPartner
}

partner_fields! {
    /// The writable fields of a partner. A `PATCH /partners/{id}` (`PartnerPatch`) sends any of them;
    /// `null` clears an optional one. `countryCode`, `kind` and `archived` are for coordinators only.
    #[schema(example = json!({"website": "https://www.example.org/en/", "externalIds": {"organisationNumber": "NO-123"}}))]
    PartnerChanges
}

impl crate::http::json::Writable for PartnerChanges {
    const PATCH: &'static str = "PartnerPatch";
}

/// The body of `PATCH /partners/{id}`.
pub type PartnerPatch = crate::http::json::MergePatch<PartnerChanges>;

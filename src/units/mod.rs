//! Units: the parts of the city (nämnder, förvaltningar, bolag) that own collaborations.

pub mod export;
pub mod routes;

pub mod service;
pub mod store;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::{Queryable, Selectable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::crud::Resource;

use crate::domain::{Name, UnitCode};

/// The kind of unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnitType {
    /// Kommunfullmäktige, the city council.
    Council,
    /// Kommunstyrelsen, the municipal executive board.
    ExecutiveBoard,
    /// A nämnd.
    Committee,
    /// A förvaltning.
    Administration,
    /// A municipal company (bolag); the policy does not bind it.
    Company,
}

impl UnitType {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitType::Council => "COUNCIL",
            UnitType::ExecutiveBoard => "EXECUTIVE_BOARD",
            UnitType::Committee => "COMMITTEE",
            UnitType::Administration => "ADMINISTRATION",
            UnitType::Company => "COMPANY",
        }
    }

    pub fn from_db(s: &str) -> UnitType {
        match s {
            "COUNCIL" => UnitType::Council,
            "EXECUTIVE_BOARD" => UnitType::ExecutiveBoard,
            "COMMITTEE" => UnitType::Committee,
            "COMPANY" => UnitType::Company,
            _ => UnitType::Administration,
        }
    }
}

crate::db::stored_as_text!(UnitType, UnitType::from_db);

/// A unit of the city / En enhet i Borås Stad.
#[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::units, check_for_backend(crate::db::MultiBackend))]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "code": "KFN", "name": "Kulturnämnden", "nameEn": "Culture Committee", "type": "COMMITTEE",
    "parentCode": "KS", "validFrom": "2023-01-01", "validUntil": null, "version": 1,
    "createdAt": "2026-11-26T09:15:00Z", "updatedAt": "2026-11-26T09:15:00Z"
}))]
pub struct Unit {
    pub code: String,
    /// The Swedish name.
    pub name: String,
    pub name_en: Option<String>,
    #[serde(rename = "type")]
    pub unit_type: UnitType,
    /// The unit above this one; officers of a unit act for the units below it too.
    pub parent_code: Option<String>,
    pub valid_from: Option<NaiveDate>,
    /// Inclusive.
    pub valid_until: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource for Unit {
    fn located(&self) -> (i32, String) {
        (self.version, format!("units/{}", self.code))
    }
}

/// Declares a body with the writable fields of a unit, after `$first` (a new unit's code). A new
/// unit and its changes are read alike; they differ in the code and in what the document says.
macro_rules! unit_fields {
    ($(#[$meta:meta])* $name:ident { $($first:tt)* }) => {
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        $(#[$meta])*
        pub struct $name {
            $($first)*
            pub name: Name,
            #[serde(default)]
            pub name_en: Option<Name>,
            #[serde(rename = "type")]
            pub unit_type: UnitType,
            #[serde(default)]
            pub parent_code: Option<UnitCode>,
            #[serde(default)]
            pub valid_from: Option<NaiveDate>,
            #[serde(default)]
            pub valid_until: Option<NaiveDate>,
        }
    };
}

unit_fields! {
    /// A new unit.
    #[schema(example = json!({
        "code": "KFN", "name": "Kulturnämnden", "nameEn": "Culture Committee", "type": "COMMITTEE",
        "parentCode": "KS", "validFrom": "2023-01-01"
    }))]
    NewUnit { pub code: UnitCode, }
}

unit_fields! {
    /// The writable fields of a unit. A `PATCH /units/{code}` (`UnitPatch`) sends any of them;
    /// `null` clears an optional one; unknown and read-only fields are refused.
    #[schema(example = json!({"nameEn": "Committee for Culture", "validUntil": "2026-12-31"}))]
    UnitChanges {}
}

impl crate::http::json::Writable for UnitChanges {
    const PATCH: &'static str = "UnitPatch";
}

/// The body of `PATCH /units/{code}`.
pub type UnitPatch = crate::http::json::MergePatch<UnitChanges>;

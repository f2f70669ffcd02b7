//! Indicators: published index values (Freedom House, V-Dem, …) imported as CSV, kept per import,
//! and cited as evidence by assessments.

pub mod export;
pub mod routes;
pub mod service;
pub mod store;

use chrono::{DateTime, Utc};
use diesel::{Queryable, Selectable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an indicator comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IndicatorSource {
    /// Freedom House, Freedom in the World.
    FreedomHouse,
    /// V-Dem (Varieties of Democracy).
    Vdem,
    /// The Economist Intelligence Unit's Democracy Index.
    Eiu,
    /// World Justice Project Rule of Law Index.
    Wjp,
    /// World Bank Worldwide Governance Indicators.
    Wgi,
    /// UN Office of the High Commissioner for Human Rights.
    Ohchr,
    /// Utrikesdepartementets MR-rapporter (the Swedish foreign ministry's human-rights reports).
    UdMr,
}

impl IndicatorSource {
    pub const ALL: [IndicatorSource; 7] = [
        IndicatorSource::FreedomHouse,
        IndicatorSource::Vdem,
        IndicatorSource::Eiu,
        IndicatorSource::Wjp,
        IndicatorSource::Wgi,
        IndicatorSource::Ohchr,
        IndicatorSource::UdMr,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorSource::FreedomHouse => "FREEDOM_HOUSE",
            IndicatorSource::Vdem => "VDEM",
            IndicatorSource::Eiu => "EIU",
            IndicatorSource::Wjp => "WJP",
            IndicatorSource::Wgi => "WGI",
            IndicatorSource::Ohchr => "OHCHR",
            IndicatorSource::UdMr => "UD_MR",
        }
    }

    pub fn parse(s: &str) -> Option<IndicatorSource> {
        IndicatorSource::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

// A stored source was written by `as_str`; an unknown one (none yet) reads as the catch-all.
crate::db::stored_as_text!(IndicatorSource, |s| IndicatorSource::parse(s)
    .unwrap_or(IndicatorSource::UdMr));

/// Declares a struct with the fields of an index value as a CSV line gives it, between the fields
/// of its own given before and after them: the value as read (`store::NewIndicator`) and as kept
/// (`Indicator`) are one field list.
macro_rules! indicator_value {
    ($(#[$meta:meta])* $name:ident { $($before:tt)* } { $($after:tt)* }) => {
        $(#[$meta])*
        pub struct $name {
            $($before)*
            pub country_code: String,
            pub source: IndicatorSource,
            /// The edition of the index, such as a year.
            pub edition: String,
            /// What was measured, as the source names it.
            pub metric: String,
            pub value: f64,
            /// The source's own classification, such as `Free` or `Full democracy`.
            pub category: Option<String>,
            pub url: Option<String>,
            $($after)*
        }
    };
}
use indicator_value;

indicator_value! {
    /// One imported index value / Ett importerat indexvärde.
    #[derive(Debug, Clone, Serialize, ToSchema, Queryable, Selectable)]
    #[diesel(table_name = crate::db::schema::indicators, check_for_backend(crate::db::MultiBackend))]
    #[serde(rename_all = "camelCase")]
    #[schema(example = json!({
        "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "importId": "0192f5d2-7c1e-7d3a-9d6e-000000000001",
        "countryCode": "NO", "source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total-score",
        "value": 98.0, "category": "Free", "url": "https://freedomhouse.org/country/norway",
        "importedAt": "2026-11-26T09:15:00Z", "importedBy": "cora.coordinator"
    }))]
    Indicator {
        #[schema(format = Uuid)]
        pub id: String,
        /// The import (one CSV upload) that brought the value in.
        #[schema(format = Uuid)]
        pub import_id: String,
    } {
        pub imported_at: DateTime<Utc>,
        pub imported_by: String,
    }
}

/// The result of an import / Resultatet av en import.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "importId": "0192f5d2-7c1e-7d3a-9d6e-000000000001", "count": 1,
    "items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "importId": "0192f5d2-7c1e-7d3a-9d6e-000000000001",
    "countryCode": "NO", "source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total-score",
    "value": 98.0, "category": "Free", "url": "https://freedomhouse.org/country/norway",
    "importedAt": "2026-11-26T09:15:00Z", "importedBy": "cora.coordinator"}]
}))]
pub struct IndicatorImport {
    #[schema(format = Uuid)]
    pub import_id: String,
    /// How many values were imported.
    pub count: usize,
    pub items: Vec<Indicator>,
}

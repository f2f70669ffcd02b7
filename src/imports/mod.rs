//! Imports: the register a city already keeps, brought in from a spreadsheet. A file in the
//! agreements export's own columns (CSV or an Excel workbook) becomes agreements in the status
//! each row gives, their partners found or created, all in one transaction or not at all.
//!
//! `sheet` reads the file into rows of text, `rows` turns each row into what the agreements
//! service takes (every fault of every row reported at once, `/rows/N/column`), and `service`
//! writes them through the partners' and agreements' own services, so that every record has the
//! event its normal path writes.

pub mod routes;
pub mod rows;
pub mod service;
pub mod sheet;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most rows (besides the header) one import takes: as many as one export carries
/// (`http::csv::CSV_MAX_ROWS`), so that any export imports whole.
pub const MAX_ROWS: usize = 10_000;

/// The largest file one import takes, in bytes. A 10,000-row export of agreements with one to
/// three named partners each measured 5.4 MiB as CSV (`bench/import.py`); a workbook is smaller
/// (compressed). 32 MiB leaves room for long descriptions.
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Enough errors to fix a file by; more would only repeat themselves.
pub const MAX_ERRORS: usize = 100;

/// How many agreements an import created, by the status they have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedAgreements {
    pub total: usize,
    pub draft: usize,
    pub active: usize,
    pub ended: usize,
    pub cancelled: usize,
}

/// How the partners the file names were found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedPartners {
    /// Partners created because neither their id nor their name, country and kind was known.
    pub created: usize,
    /// Partners already in the register, found by id or by name, country and kind.
    pub matched: usize,
}

/// What an import did, or on a dry run would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "dryRun": false, "rows": 3,
    "agreements": {"total": 3, "draft": 1, "active": 1, "ended": 1, "cancelled": 0},
    "partners": {"created": 1, "matched": 2},
    "agreementIds": ["0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6f", "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d70"],
    "createdPartnerIds": ["0192f5d2-0000-7000-8000-000000000009"]
}))]
pub struct ImportSummary {
    /// True when the file was only checked: nothing was written.
    pub dry_run: bool,
    /// The rows read (the header not counted).
    pub rows: usize,
    pub agreements: ImportedAgreements,
    pub partners: ImportedPartners,
    /// The agreements created, in the order of the rows; empty on a dry run.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub agreement_ids: Vec<String>,
    /// The partners created; empty on a dry run.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub created_partner_ids: Vec<String>,
}

/// The query of an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check the file and report what would be created, writing nothing.
    #[serde(default)]
    #[param(default = false)]
    pub dry_run: bool,
}

//! Agreements: the collaborations of the register, and the rules that keep an active one true.

pub mod compliance;
pub mod export;
pub mod routes;
pub mod service;
pub mod store;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::derived::Derived;
use crate::domain::{Amount, CaseNumber, Currency, LongText, Name, Sdg, UnitCode};
use crate::http::crud::Resource;
use crate::policy::activation::{AgreementType, Finding, FundingSource, Purpose};
use crate::text::Localized;

/// Answers reads of agreements keep while the register is unchanged (`db::derived`), per instance.
pub struct AgreementAnswers {
    pub compliance: compliance::ComplianceAnswers,
    pub companies: Derived<(), Arc<HashSet<String>>>,
    /// How many agreements match a list's filters (by the filters' debug form).
    pub totals: Derived<String, i64>,
}

impl Default for AgreementAnswers {
    fn default() -> Self {
        // About 0.5 kB per agreement's compliance: under 10 MB.
        Self {
            compliance: compliance::ComplianceAnswers::new("compliance", 16_384),
            companies: Derived::new("company units", 1),
            totals: Derived::new("agreement list totals", 4_096),
        }
    }
}

pub use crate::policy::activation::AgreementStatus;

/// One funding line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"source": "EU", "programme": "Interreg Öresund-Kattegat-Skagerrak", "amount": "250000.00", "currency": "EUR"}))]
pub struct Funding {
    pub source: FundingSource,
    #[serde(default)]
    pub programme: Option<Name>,
    pub amount: Amount,
    pub currency: Currency,
}

// Kept with the agreement in both languages (`store::stored_warnings`); serialised with `detail`
// in the language being rendered, as `text::Localized` is, and never with `detailSv`.
/// A rule the agreement breaks or should heed, kept with it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// The rule code from `GET /policy`.
    pub rule: String,
    /// A JSON pointer into the agreement.
    pub pointer: String,
    #[schema(format = Uuid)]
    pub partner_id: Option<String>,
    /// In the response's language.
    pub detail: String,
    /// The Swedish text, kept with the agreement (`store::stored_warnings`).
    #[serde(default)]
    #[schema(ignore)]
    pub detail_sv: String,
}

impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let detail = match crate::text::current() {
            crate::text::Lang::Sv if !self.detail_sv.is_empty() => &self.detail_sv,
            _ => &self.detail,
        };
        let mut out = s.serialize_struct("Warning", 4)?;
        out.serialize_field("rule", &self.rule)?;
        out.serialize_field("pointer", &self.pointer)?;
        out.serialize_field("partnerId", &self.partner_id)?;
        out.serialize_field("detail", detail)?;
        out.end()
    }
}

impl From<&Finding> for Warning {
    fn from(f: &Finding) -> Self {
        Warning {
            rule: f.rule.to_string(),
            pointer: f.pointer.clone(),
            partner_id: f.partner_id.clone(),
            detail: f.message.en.clone(),
            detail_sv: f.message.sv.clone(),
        }
    }
}

/// Whether an active agreement still holds, at the moment of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceStatus {
    Compliant,
    ReviewRequired,
}

pub use crate::policy::compliance::ComplianceReasonCode;

/// Why an active agreement needs review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceReason {
    pub code: ComplianceReasonCode,
    /// The rule code from `GET /policy`.
    pub rule: &'static str,
    #[schema(format = Uuid)]
    pub partner_id: Option<String>,
    /// In the response's language.
    pub detail: Localized,
}

/// The compliance of an active agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "status": "REVIEW_REQUIRED", "asOf": "2026-11-26",
    "reasons": [{"code": "FAILING_ASSESSMENT", "rule": "EXCEPTION_BY_KOMMUNSTYRELSEN", "partnerId": "0192f5d2-0000-7000-8000-000000000002", "detail": "The partner no longer meets the requirement of democracy."}]
}))]
pub struct Compliance {
    pub status: ComplianceStatus,
    pub reasons: Vec<ComplianceReason>,
    /// The Stockholm date it was judged for.
    pub as_of: NaiveDate,
}

/// An agreement (a collaboration) / Ett samarbete.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "title": "Vänortssamarbete med Tammerfors",
    "description": "Utbyte inom kultur och skola.", "type": "SISTER_CITY", "unitCode": "KFN",
    "partnerIds": ["0192f5d2-0000-7000-8000-000000000001"], "purposes": ["SISTER_CITIES", "KNOWLEDGE_EXCHANGE"],
    "sdgs": [4, 11], "fundings": [{"source": "OWN", "programme": null, "amount": "50000.00", "currency": "SEK"}],
    "externalFundingNotPossibleReason": null, "startDate": "2027-01-01", "endDate": "2029-12-31",
    "caseNumber": "KS 2026-00123", "status": "ACTIVE",
    "compliance": {"status": "COMPLIANT", "reasons": [], "asOf": "2026-11-26"},
    "warnings": [], "registeredRetroactively": false, "boundByPolicy": true, "overdue": false,
    "activatedAt": "2026-11-26T10:00:00Z", "activatedBy": "anna.berg", "endedAt": null,
    "endReason": null, "cancelledAt": null, "cancelReason": null, "version": 3,
    "createdAt": "2026-11-20T08:00:00Z", "updatedAt": "2026-11-26T10:00:00Z"
}))]
pub struct Agreement {
    #[schema(format = Uuid)]
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub agreement_type: AgreementType,
    /// The owning unit.
    pub unit_code: String,
    /// In the order given.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub partner_ids: Vec<String>,
    pub purposes: Vec<Purpose>,
    #[schema(value_type = Vec<i32>)]
    pub sdgs: Vec<u8>,
    pub fundings: Vec<Funding>,
    pub external_funding_not_possible_reason: Option<String>,
    pub start_date: Option<NaiveDate>,
    /// Nothing ends by itself at this date; an active agreement past it is `overdue`.
    pub end_date: Option<NaiveDate>,
    pub case_number: Option<String>,
    pub status: AgreementStatus,
    /// For active agreements: whether they still hold, now. Null otherwise.
    pub compliance: Option<Compliance>,
    /// The policy's recommendations (and, for companies, its rules) that this agreement does not follow.
    pub warnings: Vec<Warning>,
    /// Activated with a start date in the past: checked for the day of activation only.
    pub registered_retroactively: bool,
    /// False when the owning unit is a company: "Dokumentet gäller för: Alla nämnder och förvaltningar".
    pub bound_by_policy: bool,
    /// Active and past its end date.
    pub overdue: bool,
    pub activated_at: Option<DateTime<Utc>>,
    /// Who activated it (the token's subject); null until activated.
    pub activated_by: Option<String>,
    /// When it was ended; null unless ENDED.
    pub ended_at: Option<DateTime<Utc>>,
    /// Why it was ended, as given by whoever ended it.
    pub end_reason: Option<String>,
    /// When it was cancelled; null unless CANCELLED.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled, as given by whoever cancelled it.
    pub cancel_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The partners named, for an export's `partners` column: loaded for an exported list only
    /// (`service::name_partners`), empty on JSON reads, and never serialised.
    #[serde(skip)]
    #[schema(ignore)]
    pub partners: Vec<crate::partners::PartnerRef>,
}

impl Resource for Agreement {
    fn located(&self) -> (i32, String) {
        (self.version, format!("agreements/{}", self.id))
    }
}

/// The writable fields of an agreement (a new one, or a draft after a merge patch).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "title": "Vänortssamarbete med Tammerfors", "description": "Utbyte inom kultur och skola.",
    "type": "SISTER_CITY", "unitCode": "KFN", "partnerIds": ["0192f5d2-0000-7000-8000-000000000001"],
    "purposes": ["SISTER_CITIES"], "sdgs": [4, 11],
    "fundings": [{"source": "OWN", "amount": "50000.00", "currency": "SEK"}],
    "startDate": "2027-01-01", "endDate": "2029-12-31", "caseNumber": "KS 2026-00123"
}))]
pub struct AgreementInput {
    pub title: Name,
    #[serde(default)]
    pub description: Option<LongText>,
    #[serde(rename = "type")]
    pub agreement_type: AgreementType,
    #[schema(value_type = String, pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")]
    pub unit_code: UnitCode,
    #[serde(default)]
    #[schema(max_items = 50)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub partner_ids: Vec<String>,
    #[serde(default)]
    pub purposes: Vec<Purpose>,
    #[serde(default)]
    #[schema(value_type = Vec<i32>)]
    pub sdgs: Vec<Sdg>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub fundings: Vec<Funding>,
    #[serde(default)]
    pub external_funding_not_possible_reason: Option<LongText>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub case_number: Option<CaseNumber>,
}

impl AgreementInput {
    /// What the activation rules look at.
    pub fn terms(&self) -> crate::policy::activation::Terms<'_> {
        crate::policy::activation::Terms {
            partner_ids: &self.partner_ids,
            unit_code: self.unit_code.as_str(),
            start_date: self.start_date,
            end_date: self.end_date,
            agreement_type: self.agreement_type,
            purposes: &self.purposes,
        }
    }
}

impl crate::http::json::Writable for AgreementInput {
    const PATCH: &'static str = "AgreementPatch";
}

/// The body of `PATCH /agreements/{id}`: any writable field; `null` clears an optional one.
pub type AgreementPatch = crate::http::json::MergePatch<AgreementInput>;

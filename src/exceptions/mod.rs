//! Exceptions: a unit's request to Kommunstyrelsen to collaborate with a partner that does not meet
//! the requirements, for one agreement, and the decision on it.

pub mod export;
pub mod routes;
pub mod service;
pub mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{CaseNumber, LongText, Name};
use crate::http::crud::Resource;
pub use crate::policy::eligibility::ExceptionStatus;

/// Who decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DecidingBody {
    Kommunstyrelsen,
    /// A delegate of Kommunstyrelsen; `delegationReference` names the delegation.
    Delegate,
}

impl DecidingBody {
    pub fn as_str(self) -> &'static str {
        match self {
            DecidingBody::Kommunstyrelsen => "KOMMUNSTYRELSEN",
            DecidingBody::Delegate => "DELEGATE",
        }
    }

    pub fn from_db(s: &str) -> Self {
        if s == "DELEGATE" {
            DecidingBody::Delegate
        } else {
            DecidingBody::Kommunstyrelsen
        }
    }
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DecisionOutcome {
    Granted,
    Denied,
}

impl DecisionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionOutcome::Granted => "GRANTED",
            DecisionOutcome::Denied => "DENIED",
        }
    }
}

/// A recorded decision (immutable).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub decision: DecisionOutcome,
    pub deciding_body: DecidingBody,
    pub delegation_reference: Option<String>,
    /// The date of the decision (Europe/Stockholm).
    pub decided_at: NaiveDate,
    /// The paragraph of the minutes, such as "§ 448".
    pub protocol_paragraph: String,
    pub conditions: Option<String>,
    /// For a grant: the first day it is in force.
    pub valid_from: Option<NaiveDate>,
    /// For a grant: the last day it is in force (inclusive); null while the agreement lasts.
    pub valid_until: Option<NaiveDate>,
    /// The `sub` of the board secretary who recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A recorded revocation of a grant (immutable).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    pub deciding_body: DecidingBody,
    pub delegation_reference: Option<String>,
    pub decided_at: NaiveDate,
    pub protocol_paragraph: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// An exception request and its decision / En begäran om undantag och beslutet.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d70", "agreementId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e",
    "partnerId": "0192f5d2-0000-7000-8000-000000000002", "unitCode": "KFN",
    "justification": "Kulturutbyte som stärker civilsamhället.", "caseNumber": "KS 2026-00456",
    "status": "GRANTED", "requestedBy": "officer-kfn",
    "decision": {"decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "delegationReference": null, "decidedAt": "2026-11-25", "protocolParagraph": "§ 448", "conditions": "Återrapportering efter ett år.", "validFrom": "2026-12-01", "validUntil": "2027-11-30", "recordedBy": "board-secretary", "recordedAt": "2026-11-25T14:00:00Z"},
    "revocation": null, "withdrawnAt": null, "version": 2,
    "createdAt": "2026-11-20T09:00:00Z", "updatedAt": "2026-11-25T14:00:00Z"
}))]
#[schema(as = ExceptionCase)]
pub struct Exception {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub agreement_id: String,
    #[schema(format = Uuid)]
    pub partner_id: String,
    /// The agreement's unit.
    pub unit_code: String,
    pub justification: String,
    pub case_number: String,
    pub status: ExceptionStatus,
    pub requested_by: String,
    pub decision: Option<Decision>,
    pub revocation: Option<Revocation>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource for Exception {
    fn located(&self) -> (i32, String) {
        (self.version, format!("exceptions/{}", self.id))
    }
}

/// A request for an exception.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "agreementId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "partnerId": "0192f5d2-0000-7000-8000-000000000002",
    "justification": "Kulturutbyte som stärker civilsamhället.", "caseNumber": "KS 2026-00456"
}))]
pub struct ExceptionRequest {
    #[schema(format = Uuid)]
    pub agreement_id: String,
    #[schema(format = Uuid)]
    pub partner_id: String,
    pub justification: LongText,
    pub case_number: CaseNumber,
}

/// The decision on a request, as recorded by the board secretary.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2026-11-25",
    "protocolParagraph": "§ 448", "conditions": "Återrapportering efter ett år.",
    "validFrom": "2026-12-01", "validUntil": "2027-11-30"
}))]
pub struct DecisionInput {
    pub decision: DecisionOutcome,
    pub deciding_body: DecidingBody,
    /// Required when `decidingBody` is `DELEGATE`.
    #[serde(default)]
    pub delegation_reference: Option<Name>,
    pub decided_at: NaiveDate,
    pub protocol_paragraph: Name,
    #[serde(default)]
    pub conditions: Option<LongText>,
    /// For a grant; defaults to `decidedAt`. Not allowed for a denial.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// For a grant; null while the agreement lasts. Not allowed for a denial.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
}

/// The revocation of a grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "decidingBody": "KOMMUNSTYRELSEN", "decidedAt": "2027-03-10", "protocolParagraph": "§ 91",
    "reason": "Villkoren har inte uppfyllts."
}))]
pub struct RevocationInput {
    pub deciding_body: DecidingBody,
    #[serde(default)]
    pub delegation_reference: Option<Name>,
    pub decided_at: NaiveDate,
    pub protocol_paragraph: Name,
    pub reason: LongText,
}

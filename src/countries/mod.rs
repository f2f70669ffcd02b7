//! Countries: every ISO 3166-1 country, seeded by migration, with its current standing against
//! the policy's requirements (its own published assessment).

pub mod export;
pub mod routes;
pub mod store;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A country's standing, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StandingOutcome {
    /// Its published assessment meets all three requirements.
    MeetsRequirements,
    /// Its published assessment fails at least one requirement.
    DoesNotMeetRequirements,
    /// No assessment of the country has been published.
    NotAssessed,
}

/// The country's current assessment in brief / Landets aktuella bedömning i korthet.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
// Named apart from the policy's `Standing` (IN_FORCE, …): with one name utoipa kept only one of
// the two schemas, and countries were documented with the policy's.
#[schema(as = CountryStanding, example = json!({
    "outcome": "MEETS_REQUIREMENTS", "assessmentId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e",
    "assessedAt": "2026-11-20", "validUntil": "2027-11-20", "expired": false, "failingRequirements": []
}))]
pub struct Standing {
    pub outcome: StandingOutcome,
    /// The published assessment; `null` when not assessed.
    #[schema(format = Uuid)]
    pub assessment_id: Option<String>,
    pub assessed_at: Option<NaiveDate>,
    /// Inclusive.
    pub valid_until: Option<NaiveDate>,
    /// `validUntil` lies before today (Europe/Stockholm): a new assessment is due, and eligibility
    /// answers `ASSESSMENT_REQUIRED`.
    pub expired: bool,
    pub failing_requirements: Vec<String>,
}

impl Standing {
    pub fn not_assessed() -> Self {
        Standing {
            outcome: StandingOutcome::NotAssessed,
            assessment_id: None,
            assessed_at: None,
            valid_until: None,
            expired: false,
            failing_requirements: Vec::new(),
        }
    }

    pub fn of(a: &crate::assessments::Assessment, today: NaiveDate) -> Self {
        Standing {
            outcome: match a.outcome {
                crate::assessments::Outcome::MeetsRequirements => {
                    StandingOutcome::MeetsRequirements
                }
                crate::assessments::Outcome::DoesNotMeetRequirements => {
                    StandingOutcome::DoesNotMeetRequirements
                }
            },
            assessment_id: Some(a.id.clone()),
            assessed_at: Some(a.assessed_at),
            valid_until: Some(a.valid_until),
            expired: a.valid_until < today,
            failing_requirements: a.failing_requirements.clone(),
        }
    }
}

/// A country / Ett land.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "code": "NO", "alpha3": "NOR", "name": "Norge", "nameEn": "Norway",
    "standing": {"outcome": "MEETS_REQUIREMENTS", "assessmentId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "assessedAt": "2026-11-20", "validUntil": "2027-11-20", "expired": false, "failingRequirements": []},
    "version": 1, "createdAt": "2026-11-26T00:00:00Z", "updatedAt": "2026-11-26T00:00:00Z"
}))]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: String,
    /// ISO 3166-1 alpha-3.
    pub alpha3: String,
    /// The Swedish name.
    pub name: String,
    pub name_en: String,
    /// Derived from the country's published assessment; read-only.
    pub standing: Standing,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

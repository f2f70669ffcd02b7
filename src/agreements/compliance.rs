//! Whether an active agreement still holds, at the moment of the request: its partners are still
//! eligible for it today, or the reasons they are not.

use chrono::NaiveDate;

use super::store::AgreementRecord;
use super::{Compliance, ComplianceReason, ComplianceStatus};
use crate::db::AnyConnection;
use crate::eligibility::{explain, partner};
use crate::http::problem::ApiError;
use crate::policy::catalogue::codes;
use crate::policy::eligibility::EligibilityStatus;

/// Compliance of an active agreement on `today`; `None` for agreements that are not active.
pub fn compliance(
    conn: &mut AnyConnection,
    record: &AgreementRecord,
    today: NaiveDate,
) -> Result<Option<Compliance>, ApiError> {
    if record.row.status != "ACTIVE" {
        return Ok(None);
    }
    let mut reasons = Vec::new();
    for partner_id in &record.partner_ids {
        let Some(facts) = partner(conn, partner_id)? else {
            continue;
        };
        let explained = explain(conn, &facts, today, Some(&record.row.id))?;
        let decision = &explained.decision;
        match decision.status {
            EligibilityStatus::Eligible | EligibilityStatus::EligibleByException => {}
            EligibilityStatus::AssessmentRequired => reasons.push(ComplianceReason {
                code: "NO_VALID_ASSESSMENT",
                rule: codes::ASSESSMENT_REQUIRED,
                partner_id: Some(partner_id.clone()),
                detail: format!(
                    "No published assessment valid today exists for: {}.",
                    decision.missing_assessments.join(", ")
                ),
            }),
            EligibilityStatus::ExceptionRequired => {
                let revoked = explained.exceptions.iter().any(|x| x.status == "REVOKED");
                let expired = explained
                    .exceptions
                    .iter()
                    .any(|x| x.status == "GRANTED" && x.valid_until.is_some_and(|u| u < today));
                let (code, detail) = if revoked {
                    (
                        "EXCEPTION_REVOKED",
                        "The exception for this partner has been revoked.".to_string(),
                    )
                } else if expired {
                    (
                        "EXCEPTION_EXPIRED",
                        "The exception for this partner is no longer in force.".to_string(),
                    )
                } else {
                    (
                        "FAILING_ASSESSMENT",
                        format!(
                            "The partner no longer meets: {}.",
                            decision.failing_requirements.join(", ")
                        ),
                    )
                };
                reasons.push(ComplianceReason {
                    code,
                    rule: codes::EXCEPTION_BY_KOMMUNSTYRELSEN,
                    partner_id: Some(partner_id.clone()),
                    detail,
                });
            }
        }
    }
    let status = if reasons.is_empty() {
        ComplianceStatus::Compliant
    } else {
        ComplianceStatus::ReviewRequired
    };
    Ok(Some(Compliance {
        status,
        reasons,
        as_of: today,
    }))
}

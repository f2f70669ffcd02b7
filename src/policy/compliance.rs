//! Whether an active agreement still holds: the reason one of its partners makes it need review.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::catalogue::codes;
use super::eligibility::{Decision, EligibilityStatus, ExceptionStatus};
use crate::text::{Code, Text};

/// What makes an active agreement need review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ComplianceReasonCode {
    /// No published assessment valid today exists for the country or the partner.
    NoValidAssessment,
    /// The partner's valid assessment no longer meets the requirements.
    FailingAssessment,
    /// The exception for the partner is no longer in force.
    ExceptionExpired,
    /// The exception for the partner has been revoked.
    ExceptionRevoked,
}

impl ComplianceReasonCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoValidAssessment => "NO_VALID_ASSESSMENT",
            Self::FailingAssessment => "FAILING_ASSESSMENT",
            Self::ExceptionExpired => "EXCEPTION_EXPIRED",
            Self::ExceptionRevoked => "EXCEPTION_REVOKED",
        }
    }
}

impl std::fmt::Display for ComplianceReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a partner makes an active agreement need review, and the rule it answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewReason {
    pub code: ComplianceReasonCode,
    pub rule: &'static str,
    pub detail: Text,
}

/// The reason a partner makes an active agreement need review on `today`, from its eligibility
/// `decision` and its exception requests for the agreement (each a status and the last day it is
/// valid); `None` while the partner is eligible. An exception required because the one granted was
/// revoked or has expired says so; otherwise the assessment fails.
pub fn review_reason(
    decision: &Decision,
    exceptions: &[(ExceptionStatus, Option<NaiveDate>)],
    today: NaiveDate,
) -> Option<ReviewReason> {
    match decision.status {
        EligibilityStatus::Eligible | EligibilityStatus::EligibleByException => None,
        EligibilityStatus::AssessmentRequired => Some(ReviewReason {
            code: ComplianceReasonCode::NoValidAssessment,
            rule: codes::ASSESSMENT_REQUIRED,
            detail: Text::ComplianceNoValidAssessment {
                missing: Code::all(&decision.missing_assessments),
            },
        }),
        EligibilityStatus::ExceptionRequired => {
            let revoked = exceptions
                .iter()
                .any(|(status, _)| *status == ExceptionStatus::Revoked);
            let expired = exceptions.iter().any(|(status, until)| {
                *status == ExceptionStatus::Granted && until.is_some_and(|u| u < today)
            });
            let (code, detail) = if revoked {
                (
                    ComplianceReasonCode::ExceptionRevoked,
                    Text::ComplianceExceptionRevoked,
                )
            } else if expired {
                (
                    ComplianceReasonCode::ExceptionExpired,
                    Text::ComplianceExceptionExpired,
                )
            } else {
                (
                    ComplianceReasonCode::FailingAssessment,
                    Text::ComplianceFailingAssessment {
                        failing: Code::all(&decision.failing_requirements),
                    },
                )
            };
            Some(ReviewReason {
                code,
                rule: codes::EXCEPTION_BY_KOMMUNSTYRELSEN,
                detail,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn code(
        status: EligibilityStatus,
        exceptions: &[(ExceptionStatus, Option<NaiveDate>)],
    ) -> Option<(ComplianceReasonCode, &'static str)> {
        review_reason(&Decision::of(status), exceptions, day("2026-11-26"))
            .map(|r| (r.code, r.rule))
    }

    #[test]
    fn an_eligible_partner_gives_no_reason() {
        assert_eq!(code(EligibilityStatus::Eligible, &[]), None);
        assert_eq!(code(EligibilityStatus::EligibleByException, &[]), None);
    }

    #[test]
    fn a_missing_assessment_answers_to_assessment_required() {
        assert_eq!(
            code(EligibilityStatus::AssessmentRequired, &[]),
            Some((
                ComplianceReasonCode::NoValidAssessment,
                codes::ASSESSMENT_REQUIRED
            ))
        );
    }

    #[test]
    fn a_revoked_exception_comes_before_an_expired_one_and_a_failing_assessment_is_the_rest() {
        let required = EligibilityStatus::ExceptionRequired;
        let revoked = (ExceptionStatus::Revoked, None);
        let expired = (ExceptionStatus::Granted, Some(day("2026-11-25")));
        let in_force = (ExceptionStatus::Granted, Some(day("2026-11-26")));
        let rule = codes::EXCEPTION_BY_KOMMUNSTYRELSEN;
        assert_eq!(
            code(required, &[expired, revoked]),
            Some((ComplianceReasonCode::ExceptionRevoked, rule))
        );
        assert_eq!(
            code(required, &[expired]),
            Some((ComplianceReasonCode::ExceptionExpired, rule))
        );
        assert_eq!(
            code(required, &[in_force]),
            Some((ComplianceReasonCode::FailingAssessment, rule))
        );
        assert_eq!(
            code(required, &[]),
            Some((ComplianceReasonCode::FailingAssessment, rule))
        );
    }
}

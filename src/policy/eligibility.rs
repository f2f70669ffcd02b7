//! Eligibility: may a unit collaborate with a partner on a date? The policy's precondition and its
//! exception, as one pure function over what the register held at the end of that date.
//!
//! "En förutsättning för Borås Stads deltagande i internationella samarbeten är att landet/staden
//! som samarbetet ingås med respekterar mänskliga rättigheter, är en demokrati och upprätthåller
//! rättsstatens principer. Om en verksamhet vill ingå ett samarbete med en part som inte uppfyller
//! kraven ska beslut om undantag fattas av Kommunstyrelsen."

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalogue::codes;
use crate::text::{Code, Text};

/// One of the three requirements and how an assessment judged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Meets,
    DoesNotMeet,
    Uncertain,
}

/// The verdicts of one published assessment, as eligibility needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentFacts {
    pub id: String,
    pub human_rights: Verdict,
    pub democracy: Verdict,
    pub rule_of_law: Verdict,
    /// The first day it applies (its `assessedAt` date).
    pub valid_from: NaiveDate,
    /// The last day it applies (inclusive).
    pub valid_until: NaiveDate,
}

impl AssessmentFacts {
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && date <= self.valid_until
    }

    /// The requirements not met; an `UNCERTAIN` verdict fails.
    pub fn failing_requirements(&self) -> Vec<&'static str> {
        failing_requirements(self.human_rights, self.democracy, self.rule_of_law)
    }
}

/// The rule codes (`HUMAN_RIGHTS`, `DEMOCRACY`, `RULE_OF_LAW`) of the requirements not met by
/// these three verdicts; an `UNCERTAIN` verdict fails.
pub fn failing_requirements(
    human_rights: Verdict,
    democracy: Verdict,
    rule_of_law: Verdict,
) -> Vec<&'static str> {
    [
        (human_rights, codes::HUMAN_RIGHTS),
        (democracy, codes::DEMOCRACY),
        (rule_of_law, codes::RULE_OF_LAW),
    ]
    .into_iter()
    .filter(|(v, _)| *v != Verdict::Meets)
    .map(|(_, code)| code)
    .collect()
}

/// Where an exception request stood at the end of the date asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExceptionStatus {
    Requested,
    Granted,
    Denied,
    Withdrawn,
    Revoked,
}

/// An exception request for this partner, in the state it had at the end of the date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionFacts {
    pub id: String,
    pub agreement_id: String,
    pub status: ExceptionStatus,
    /// Set once granted.
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl ExceptionFacts {
    fn in_force_on(&self, date: NaiveDate) -> bool {
        self.status == ExceptionStatus::Granted
            && self.valid_from.is_some_and(|from| from <= date)
            && self.valid_until.is_none_or(|until| date <= until)
    }
}

/// What the register held about a partner at the end of `date`.
#[derive(Debug, Clone, Default)]
pub struct EligibilityInput {
    /// The latest assessment of the partner's country published by then.
    pub country_assessment: Option<AssessmentFacts>,
    /// The latest assessment of the partner itself (a city or region) published by then, if any.
    pub partner_assessment: Option<AssessmentFacts>,
    /// The exception requests for this partner and the agreement asked about.
    pub exceptions: Vec<ExceptionFacts>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EligibilityStatus {
    /// No published assessment (of the country, and of the partner itself where one exists) is
    /// valid on the date. An exception never replaces an assessment.
    AssessmentRequired,
    /// The applicable assessments meet all three requirements.
    Eligible,
    /// They do not, but a granted exception for this agreement and partner is in force.
    EligibleByException,
    /// They do not, and no exception is in force.
    ExceptionRequired,
}

impl EligibilityStatus {
    pub fn allows_collaboration(self) -> bool {
        matches!(
            self,
            EligibilityStatus::Eligible | EligibilityStatus::EligibleByException
        )
    }
}

/// The answer with its reasons: which assessments and exception it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: EligibilityStatus,
    /// The rule codes of the requirements not met (or `ASSESSMENT_REQUIRED`).
    pub failing_requirements: Vec<&'static str>,
    /// Ids of the assessments used (country first).
    pub assessments_used: Vec<String>,
    /// What is missing when an assessment is required: `COUNTRY` and/or `PARTNER`.
    pub missing_assessments: Vec<&'static str>,
    pub exception_used: Option<String>,
    pub pending_requests: Vec<String>,
    pub denied_decisions: Vec<String>,
}

#[cfg(test)]
impl Decision {
    /// A decision of `status`, naming what such a decision names (for the tests of the rules that
    /// read one).
    pub(crate) fn of(status: EligibilityStatus) -> Self {
        Decision {
            status,
            failing_requirements: match status {
                EligibilityStatus::ExceptionRequired => vec![codes::DEMOCRACY],
                EligibilityStatus::AssessmentRequired => vec![codes::ASSESSMENT_REQUIRED],
                _ => vec![],
            },
            assessments_used: vec![],
            missing_assessments: vec![],
            exception_used: None,
            pending_requests: vec![],
            denied_decisions: vec![],
        }
    }
}

/// Decides eligibility on `date` for `agreement` (when one is named).
pub fn decide(input: &EligibilityInput, date: NaiveDate, agreement: Option<&str>) -> Decision {
    let mut missing = Vec::new();
    let mut used = Vec::new();
    match &input.country_assessment {
        Some(a) if a.is_valid_on(date) => used.push(a),
        _ => missing.push("COUNTRY"),
    }
    // A partner's own assessment only makes it stricter: once it has one, that one must be valid too.
    if let Some(a) = &input.partner_assessment {
        if a.is_valid_on(date) {
            used.push(a);
        } else {
            missing.push("PARTNER");
        }
    }
    let mut decision = Decision {
        status: EligibilityStatus::AssessmentRequired,
        failing_requirements: Vec::new(),
        assessments_used: used.iter().map(|a| a.id.clone()).collect(),
        missing_assessments: missing.clone(),
        exception_used: None,
        pending_requests: Vec::new(),
        denied_decisions: Vec::new(),
    };
    if !missing.is_empty() {
        decision.failing_requirements = vec![codes::ASSESSMENT_REQUIRED];
        return decision;
    }
    let mut failing: Vec<&'static str> = Vec::new();
    for assessment in &used {
        for code in assessment.failing_requirements() {
            if !failing.contains(&code) {
                failing.push(code);
            }
        }
    }
    if failing.is_empty() {
        decision.status = EligibilityStatus::Eligible;
        return decision;
    }
    decision.failing_requirements = failing;
    let relevant = input
        .exceptions
        .iter()
        .filter(|e| agreement.is_none_or(|id| e.agreement_id == id));
    for exception in relevant {
        match exception.status {
            ExceptionStatus::Requested => decision.pending_requests.push(exception.id.clone()),
            ExceptionStatus::Denied => decision.denied_decisions.push(exception.id.clone()),
            _ => {}
        }
        if agreement.is_some() && decision.exception_used.is_none() && exception.in_force_on(date) {
            decision.exception_used = Some(exception.id.clone());
        }
    }
    decision.status = if decision.exception_used.is_some() {
        EligibilityStatus::EligibleByException
    } else {
        EligibilityStatus::ExceptionRequired
    };
    decision
}

/// The sentence that explains `decision` on `date`, for an agreement when `for_agreement`.
pub fn explanation(decision: &Decision, date: NaiveDate, for_agreement: bool) -> Text {
    let failing = Code::all(&decision.failing_requirements);
    match decision.status {
        EligibilityStatus::Eligible => Text::EligibleAllMet,
        EligibilityStatus::EligibleByException => Text::EligibleByException { failing },
        EligibilityStatus::ExceptionRequired if for_agreement => {
            Text::ExceptionRequiredForAgreement { failing }
        }
        EligibilityStatus::ExceptionRequired => Text::ExceptionRequired { failing },
        EligibilityStatus::AssessmentRequired => Text::AssessmentRequired {
            date,
            missing: Code::all(&decision.missing_assessments),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn assessment(id: &str, verdicts: [Verdict; 3], from: &str, until: &str) -> AssessmentFacts {
        AssessmentFacts {
            id: id.into(),
            human_rights: verdicts[0],
            democracy: verdicts[1],
            rule_of_law: verdicts[2],
            valid_from: day(from),
            valid_until: day(until),
        }
    }

    fn meets(id: &str) -> AssessmentFacts {
        assessment(id, [Meets, Meets, Meets], "2026-01-01", "2026-12-31")
    }

    fn fails(id: &str) -> AssessmentFacts {
        assessment(
            id,
            [Meets, DoesNotMeet, Uncertain],
            "2026-01-01",
            "2026-12-31",
        )
    }

    fn exception(
        id: &str,
        agreement: &str,
        status: ExceptionStatus,
        from: &str,
        until: &str,
    ) -> ExceptionFacts {
        ExceptionFacts {
            id: id.into(),
            agreement_id: agreement.into(),
            status,
            valid_from: Some(day(from)),
            valid_until: Some(day(until)),
        }
    }

    const D: &str = "2026-06-15";

    #[test]
    fn assessment_required_without_a_published_country_assessment() {
        let d = decide(&EligibilityInput::default(), day(D), None);
        assert_eq!(d.status, EligibilityStatus::AssessmentRequired);
        assert_eq!(d.failing_requirements, vec![codes::ASSESSMENT_REQUIRED]);
        assert_eq!(d.missing_assessments, vec!["COUNTRY"]);
    }

    #[test]
    fn assessment_required_when_the_country_assessment_has_expired_or_not_begun() {
        let input = EligibilityInput {
            country_assessment: Some(meets("c")),
            ..Default::default()
        };
        assert_eq!(
            decide(&input, day("2027-01-01"), None).status,
            EligibilityStatus::AssessmentRequired
        );
        assert_eq!(
            decide(&input, day("2025-12-31"), None).status,
            EligibilityStatus::AssessmentRequired
        );
        assert_eq!(
            decide(&input, day("2026-12-31"), None).status,
            EligibilityStatus::Eligible
        );
    }

    #[test]
    fn an_exception_never_replaces_an_assessment() {
        let input = EligibilityInput {
            exceptions: vec![exception(
                "x",
                "a",
                ExceptionStatus::Granted,
                "2026-01-01",
                "2026-12-31",
            )],
            ..Default::default()
        };
        assert_eq!(
            decide(&input, day(D), Some("a")).status,
            EligibilityStatus::AssessmentRequired
        );
    }

    #[test]
    fn eligible_when_the_country_meets_all_three_requirements() {
        let input = EligibilityInput {
            country_assessment: Some(meets("c")),
            ..Default::default()
        };
        let d = decide(&input, day(D), None);
        assert_eq!(d.status, EligibilityStatus::Eligible);
        assert_eq!(d.assessments_used, vec!["c"]);
        assert!(d.failing_requirements.is_empty());
    }

    #[test]
    fn an_uncertain_verdict_fails_and_is_listed() {
        let input = EligibilityInput {
            country_assessment: Some(fails("c")),
            ..Default::default()
        };
        let d = decide(&input, day(D), None);
        assert_eq!(d.status, EligibilityStatus::ExceptionRequired);
        assert_eq!(
            d.failing_requirements,
            vec![codes::DEMOCRACY, codes::RULE_OF_LAW]
        );
    }

    #[test]
    fn partner_assessment_stricter_a_failing_city_in_a_meeting_country_needs_an_exception() {
        let input = EligibilityInput {
            country_assessment: Some(meets("c")),
            partner_assessment: Some(assessment(
                "p",
                [DoesNotMeet, Meets, Meets],
                "2026-01-01",
                "2026-12-31",
            )),
            ..Default::default()
        };
        let d = decide(&input, day(D), None);
        assert_eq!(d.status, EligibilityStatus::ExceptionRequired);
        assert_eq!(d.failing_requirements, vec![codes::HUMAN_RIGHTS]);
        assert_eq!(d.assessments_used, vec!["c", "p"]);
    }

    #[test]
    fn partner_assessment_stricter_a_meeting_city_does_not_lift_a_failing_country() {
        let input = EligibilityInput {
            country_assessment: Some(fails("c")),
            partner_assessment: Some(meets("p")),
            ..Default::default()
        };
        assert_eq!(
            decide(&input, day(D), None).status,
            EligibilityStatus::ExceptionRequired
        );
    }

    #[test]
    fn partner_assessment_stricter_an_expired_own_assessment_requires_a_new_one() {
        let input = EligibilityInput {
            country_assessment: Some(meets("c")),
            partner_assessment: Some(assessment(
                "p",
                [Meets, Meets, Meets],
                "2025-01-01",
                "2025-12-31",
            )),
            ..Default::default()
        };
        let d = decide(&input, day(D), None);
        assert_eq!(d.status, EligibilityStatus::AssessmentRequired);
        assert_eq!(d.missing_assessments, vec!["PARTNER"]);
    }

    #[test]
    fn exception_by_kommunstyrelsen_a_granted_exception_in_force_makes_it_eligible_by_exception() {
        let input = EligibilityInput {
            country_assessment: Some(fails("c")),
            exceptions: vec![exception(
                "x",
                "a",
                ExceptionStatus::Granted,
                "2026-03-01",
                "2026-09-30",
            )],
            ..Default::default()
        };
        let d = decide(&input, day(D), Some("a"));
        assert_eq!(d.status, EligibilityStatus::EligibleByException);
        assert_eq!(d.exception_used.as_deref(), Some("x"));
        // Only for the agreement it was decided for, and only while in force.
        assert_eq!(
            decide(&input, day(D), Some("other")).status,
            EligibilityStatus::ExceptionRequired
        );
        assert_eq!(
            decide(&input, day("2026-10-01"), Some("a")).status,
            EligibilityStatus::ExceptionRequired
        );
        assert_eq!(
            decide(&input, day("2026-02-28"), Some("a")).status,
            EligibilityStatus::ExceptionRequired
        );
        // Without an agreement no exception applies: exceptions are decided for one collaboration.
        assert_eq!(
            decide(&input, day(D), None).status,
            EligibilityStatus::ExceptionRequired
        );
    }

    #[test]
    fn exception_by_kommunstyrelsen_revoked_denied_withdrawn_and_pending_do_not_count() {
        for status in [
            ExceptionStatus::Revoked,
            ExceptionStatus::Denied,
            ExceptionStatus::Withdrawn,
            ExceptionStatus::Requested,
        ] {
            let input = EligibilityInput {
                country_assessment: Some(fails("c")),
                exceptions: vec![exception("x", "a", status, "2026-01-01", "2026-12-31")],
                ..Default::default()
            };
            let d = decide(&input, day(D), Some("a"));
            assert_eq!(d.status, EligibilityStatus::ExceptionRequired, "{status:?}");
            match status {
                ExceptionStatus::Requested => assert_eq!(d.pending_requests, vec!["x"]),
                ExceptionStatus::Denied => assert_eq!(d.denied_decisions, vec!["x"]),
                _ => assert!(d.pending_requests.is_empty() && d.denied_decisions.is_empty()),
            }
        }
    }

    #[test]
    fn an_exception_without_an_end_date_stays_in_force() {
        let mut x = exception(
            "x",
            "a",
            ExceptionStatus::Granted,
            "2026-01-01",
            "2026-01-01",
        );
        x.valid_until = None;
        let input = EligibilityInput {
            country_assessment: Some(fails("c")),
            exceptions: vec![x],
            ..Default::default()
        };
        assert_eq!(
            decide(&input, day("2030-01-01"), Some("a")).status,
            EligibilityStatus::AssessmentRequired
        );
        assert_eq!(
            decide(&input, day(D), Some("a")).status,
            EligibilityStatus::EligibleByException
        );
    }

    #[test]
    fn only_eligible_outcomes_allow_collaboration() {
        assert!(EligibilityStatus::Eligible.allows_collaboration());
        assert!(EligibilityStatus::EligibleByException.allows_collaboration());
        assert!(!EligibilityStatus::ExceptionRequired.allows_collaboration());
        assert!(!EligibilityStatus::AssessmentRequired.allows_collaboration());
    }

    #[test]
    fn the_explanation_names_what_fails_and_says_when_an_agreement_was_asked_about() {
        let input = EligibilityInput {
            country_assessment: Some(fails("a")),
            ..Default::default()
        };
        let d = decide(&input, day(D), Some("x"));
        let failing = Code::all(&d.failing_requirements);
        assert_eq!(
            explanation(&d, day(D), true),
            Text::ExceptionRequiredForAgreement {
                failing: failing.clone()
            }
        );
        assert_eq!(
            explanation(&d, day(D), false),
            Text::ExceptionRequired { failing }
        );
        let none = decide(&EligibilityInput::default(), day(D), None);
        assert_eq!(
            explanation(&none, day(D), false),
            Text::AssessmentRequired {
                date: day(D),
                missing: Code::all(&["COUNTRY"]),
            }
        );
        let ok = EligibilityInput {
            country_assessment: Some(meets("b")),
            ..Default::default()
        };
        assert_eq!(
            explanation(&decide(&ok, day(D), None), day(D), false),
            Text::EligibleAllMet
        );
    }
}

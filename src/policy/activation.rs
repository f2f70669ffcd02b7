//! Activation of an agreement, and the recommendations kept with it: the policy's "must" rules are
//! errors that block, its "should" rules are warnings. Every finding names its rule code.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalogue::codes;
use super::eligibility::{Decision, EligibilityStatus};
use crate::text::Msg;
use crate::text::{Code, Text};

/// The seven purposes of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Purpose {
    OperationalDevelopment,
    ProjectCollaboration,
    KnowledgeExchange,
    Profiling,
    SocietalImpact,
    DemocraticValues,
    SisterCities,
}

impl Purpose {
    pub const ALL: [Purpose; 7] = [
        Purpose::OperationalDevelopment,
        Purpose::ProjectCollaboration,
        Purpose::KnowledgeExchange,
        Purpose::Profiling,
        Purpose::SocietalImpact,
        Purpose::DemocraticValues,
        Purpose::SisterCities,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::OperationalDevelopment => "OPERATIONAL_DEVELOPMENT",
            Purpose::ProjectCollaboration => "PROJECT_COLLABORATION",
            Purpose::KnowledgeExchange => "KNOWLEDGE_EXCHANGE",
            Purpose::Profiling => "PROFILING",
            Purpose::SocietalImpact => "SOCIETAL_IMPACT",
            Purpose::DemocraticValues => "DEMOCRATIC_VALUES",
            Purpose::SisterCities => "SISTER_CITIES",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// The kind of agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgreementType {
    SisterCity,
    Project,
    LetterOfIntent,
    Mou,
    NetworkMembership,
    KnowledgeExchange,
    Other,
}

impl AgreementType {
    pub const ALL: [AgreementType; 7] = [
        AgreementType::SisterCity,
        AgreementType::Project,
        AgreementType::LetterOfIntent,
        AgreementType::Mou,
        AgreementType::NetworkMembership,
        AgreementType::KnowledgeExchange,
        AgreementType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgreementType::SisterCity => "SISTER_CITY",
            AgreementType::Project => "PROJECT",
            AgreementType::LetterOfIntent => "LETTER_OF_INTENT",
            AgreementType::Mou => "MOU",
            AgreementType::NetworkMembership => "NETWORK_MEMBERSHIP",
            AgreementType::KnowledgeExchange => "KNOWLEDGE_EXCHANGE",
            AgreementType::Other => "OTHER",
        }
    }

    pub fn parse(s: &str) -> Option<AgreementType> {
        AgreementType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Where a funding line's money comes from; all but `OWN` are external.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FundingSource {
    Eu,
    National,
    Regional,
    Private,
    Other,
    Own,
}

impl FundingSource {
    pub fn is_external(self) -> bool {
        self != FundingSource::Own
    }
}

/// Where an agreement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AgreementStatus {
    Draft,
    Active,
    Ended,
    Cancelled,
}

impl AgreementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementStatus::Draft => "DRAFT",
            AgreementStatus::Active => "ACTIVE",
            AgreementStatus::Ended => "ENDED",
            AgreementStatus::Cancelled => "CANCELLED",
        }
    }

    /// Ended and cancelled agreements do not change.
    pub fn is_closed(self) -> bool {
        matches!(self, AgreementStatus::Ended | AgreementStatus::Cancelled)
    }

    pub fn from_db(s: &str) -> Self {
        match s {
            "ACTIVE" => AgreementStatus::Active,
            "ENDED" => AgreementStatus::Ended,
            "CANCELLED" => AgreementStatus::Cancelled,
            _ => AgreementStatus::Draft,
        }
    }
}

/// One partner of the agreement with its eligibility for this agreement.
#[derive(Debug, Clone)]
pub struct PartnerCheck {
    pub partner_id: String,
    /// Its place in the agreement's `partnerIds` (for the JSON pointer).
    pub index: usize,
    pub is_sister_city: bool,
    /// Eligibility today.
    pub today: Decision,
    /// Eligibility on the start date, when that lies in the future.
    pub on_start: Option<Decision>,
}

/// What activation looks at.
#[derive(Debug, Clone)]
pub struct ActivationInput {
    pub agreement_type: AgreementType,
    pub purposes: Vec<Purpose>,
    pub partners: Vec<PartnerCheck>,
    pub start_date: Option<NaiveDate>,
    pub today: NaiveDate,
    pub fundings: Vec<FundingSource>,
    pub has_external_funding_not_possible_reason: bool,
    /// False for a unit of type COMPANY: "Dokumentet gäller för: Alla nämnder och förvaltningar".
    pub bound_by_policy: bool,
}

/// One rule that an agreement breaks or should heed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub pointer: String,
    pub partner_id: Option<String>,
    pub message: Msg,
}

impl Finding {
    /// A finding whose sentence is the catalogue's `text`.
    fn text(rule: &'static str, pointer: impl Into<String>, text: Text) -> Self {
        Finding {
            rule,
            pointer: pointer.into(),
            partner_id: None,
            message: text.msg(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Rules that block activation.
    pub errors: Vec<Finding>,
    /// Recommendations (and, for units the policy does not bind, the rules they break).
    pub warnings: Vec<Finding>,
    /// The start date lies before today: checked for today only.
    pub registered_retroactively: bool,
}

/// The policy's requirements on an agreement that is (or is to become) active. Errors of a unit the
/// policy does not bind come back as warnings.
pub fn check(input: &ActivationInput) -> Outcome {
    let mut errors = requirements(input);
    let mut warnings = recommendations(input);
    if !input.bound_by_policy {
        warnings.append(&mut errors);
    }
    Outcome {
        errors,
        warnings,
        registered_retroactively: input.start_date.is_some_and(|s| s < input.today),
    }
}

fn requirements(input: &ActivationInput) -> Vec<Finding> {
    let mut errors = Vec::new();
    if input.purposes.is_empty() {
        errors.push(Finding::text(
            codes::PURPOSE_REQUIRED,
            "/purposes",
            Text::PurposeRequired,
        ));
    }
    if input.partners.is_empty() {
        errors.push(Finding::text(
            codes::PARTNER_REQUIRED,
            "/partnerIds",
            Text::PartnerRequired,
        ));
    }
    if input.start_date.is_none() {
        errors.push(Finding::text(
            codes::START_DATE_REQUIRED,
            "/startDate",
            Text::StartDateRequired,
        ));
    }
    let project_purpose = input.purposes.contains(&Purpose::ProjectCollaboration);
    if input.agreement_type == AgreementType::Project && !project_purpose {
        errors.push(Finding::text(
            codes::PROJECT_TYPE_HAS_PROJECT_PURPOSE,
            "/purposes",
            Text::ProjectTypeHasProjectPurpose,
        ));
    }
    if project_purpose && input.partners.len() < 2 {
        errors.push(Finding::text(
            codes::PROJECT_SEVERAL_PARTIES,
            "/partnerIds",
            Text::ProjectSeveralParties,
        ));
    }
    for partner in &input.partners {
        let mut checks = vec![(&partner.today, input.today)];
        if let (Some(decision), Some(start)) = (&partner.on_start, input.start_date) {
            checks.push((decision, start));
        }
        for (decision, date) in checks {
            if let Some(mut finding) = partner_finding(decision, date, partner.index) {
                finding.partner_id = Some(partner.partner_id.clone());
                // One finding per rule and partner, naming the first day it fails.
                if !errors
                    .iter()
                    .any(|e| e.rule == finding.rule && e.partner_id == finding.partner_id)
                {
                    errors.push(finding);
                }
            }
        }
    }
    errors
}

fn partner_finding(decision: &Decision, date: NaiveDate, index: usize) -> Option<Finding> {
    let pointer = format!("/partnerIds/{index}");
    match decision.status {
        EligibilityStatus::Eligible | EligibilityStatus::EligibleByException => None,
        EligibilityStatus::AssessmentRequired => Some(Finding::text(
            codes::ASSESSMENT_REQUIRED,
            pointer,
            Text::ActivationAssessmentRequired { date },
        )),
        EligibilityStatus::ExceptionRequired => Some(Finding::text(
            codes::EXCEPTION_BY_KOMMUNSTYRELSEN,
            pointer,
            Text::ActivationExceptionRequired {
                date,
                failing: Code::all(&decision.failing_requirements),
            },
        )),
    }
}

/// The "should" rules, returned as warnings and kept with the agreement; they never block.
pub fn recommendations(input: &ActivationInput) -> Vec<Finding> {
    let mut warnings = Vec::new();
    let external = input.fundings.iter().any(|f| f.is_external());
    if input.purposes.contains(&Purpose::ProjectCollaboration)
        && !external
        && !input.has_external_funding_not_possible_reason
    {
        warnings.push(Finding::text(
            codes::PROJECT_EXTERNAL_FUNDING,
            "/fundings",
            Text::ProjectExternalFunding,
        ));
    }
    if input.purposes.contains(&Purpose::SisterCities)
        && !input.partners.iter().any(|p| p.is_sister_city)
        && input.agreement_type != AgreementType::SisterCity
    {
        warnings.push(Finding::text(
            codes::SISTER_CITY_PARTNER,
            "/purposes",
            Text::SisterCityPartner,
        ));
    }
    warnings
}

/// What an active agreement's rules look at: its partners, unit, dates, type and purposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms<'a> {
    pub partner_ids: &'a [String],
    pub unit_code: &'a str,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub agreement_type: AgreementType,
    pub purposes: &'a [Purpose],
}

/// Whether a change of an active agreement touches its rules: a change to its terms re-runs them
/// (and is refused when they fail); any other change keeps the findings recorded at activation.
pub fn touched(before: &Terms, after: &Terms) -> bool {
    before != after
}

/// The rules whose findings any change may affect: the recommendations (funding, sister cities).
pub const RECOMMENDATIONS: [&str; 2] =
    [codes::PROJECT_EXTERNAL_FUNDING, codes::SISTER_CITY_PARTNER];

/// The warnings after a change that touched no rule: those `kept` for the other rules (each named
/// by `rule_of`), and the `fresh` findings of the recommendations (each made a warning by `warning`).
pub fn merge_warnings<W: Clone>(
    kept: &[W],
    rule_of: fn(&W) -> &str,
    fresh: &[Finding],
    warning: fn(&Finding) -> W,
) -> Vec<W> {
    let mut out: Vec<W> = kept
        .iter()
        .filter(|w| !RECOMMENDATIONS.contains(&rule_of(w)))
        .cloned()
        .collect();
    out.extend(
        fresh
            .iter()
            .filter(|f| RECOMMENDATIONS.contains(&f.rule))
            .map(warning),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn decision(status: EligibilityStatus) -> Decision {
        Decision::of(status)
    }

    fn partner(id: &str, index: usize, status: EligibilityStatus) -> PartnerCheck {
        PartnerCheck {
            partner_id: id.into(),
            index,
            is_sister_city: false,
            today: decision(status),
            on_start: None,
        }
    }

    fn valid() -> ActivationInput {
        ActivationInput {
            agreement_type: AgreementType::KnowledgeExchange,
            purposes: vec![Purpose::KnowledgeExchange],
            partners: vec![partner("p1", 0, EligibilityStatus::Eligible)],
            start_date: Some(day("2026-12-01")),
            today: day("2026-11-26"),
            fundings: vec![],
            has_external_funding_not_possible_reason: false,
            bound_by_policy: true,
        }
    }

    fn rules(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn a_complete_agreement_with_eligible_partners_may_be_activated() {
        let outcome = check(&valid());
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert!(outcome.warnings.is_empty());
        assert!(!outcome.registered_retroactively);
    }

    #[test]
    fn purpose_required() {
        let input = ActivationInput {
            purposes: vec![],
            ..valid()
        };
        assert_eq!(rules(&check(&input).errors), vec![codes::PURPOSE_REQUIRED]);
    }

    #[test]
    fn partner_required() {
        let input = ActivationInput {
            partners: vec![],
            ..valid()
        };
        assert_eq!(rules(&check(&input).errors), vec![codes::PARTNER_REQUIRED]);
    }

    #[test]
    fn start_date_required() {
        let input = ActivationInput {
            start_date: None,
            ..valid()
        };
        assert_eq!(
            rules(&check(&input).errors),
            vec![codes::START_DATE_REQUIRED]
        );
    }

    #[test]
    fn project_type_has_project_purpose() {
        let input = ActivationInput {
            agreement_type: AgreementType::Project,
            ..valid()
        };
        assert_eq!(
            rules(&check(&input).errors),
            vec![codes::PROJECT_TYPE_HAS_PROJECT_PURPOSE]
        );
    }

    #[test]
    fn project_several_parties_needs_two_partners_besides_the_city() {
        let input = ActivationInput {
            purposes: vec![Purpose::ProjectCollaboration],
            has_external_funding_not_possible_reason: true,
            ..valid()
        };
        assert_eq!(
            rules(&check(&input).errors),
            vec![codes::PROJECT_SEVERAL_PARTIES]
        );
        let two = ActivationInput {
            partners: vec![
                partner("p1", 0, EligibilityStatus::Eligible),
                partner("p2", 1, EligibilityStatus::Eligible),
            ],
            ..input
        };
        assert!(check(&two).errors.is_empty());
    }

    #[test]
    fn every_blocking_partner_is_named_with_its_rule() {
        let input = ActivationInput {
            partners: vec![
                partner("p1", 0, EligibilityStatus::Eligible),
                partner("p2", 1, EligibilityStatus::ExceptionRequired),
                partner("p3", 2, EligibilityStatus::AssessmentRequired),
                partner("p4", 3, EligibilityStatus::EligibleByException),
            ],
            ..valid()
        };
        let errors = check(&input).errors;
        assert_eq!(
            rules(&errors),
            vec![
                codes::EXCEPTION_BY_KOMMUNSTYRELSEN,
                codes::ASSESSMENT_REQUIRED
            ]
        );
        assert_eq!(errors[0].partner_id.as_deref(), Some("p2"));
        assert_eq!(errors[0].pointer, "/partnerIds/1");
        assert_eq!(errors[1].pointer, "/partnerIds/2");
    }

    #[test]
    fn a_future_start_date_is_checked_too() {
        let mut p = partner("p1", 0, EligibilityStatus::Eligible);
        p.on_start = Some(decision(EligibilityStatus::AssessmentRequired));
        let input = ActivationInput {
            partners: vec![p],
            ..valid()
        };
        let errors = check(&input).errors;
        assert_eq!(rules(&errors), vec![codes::ASSESSMENT_REQUIRED]);
        assert!(errors[0].message.en.contains("2026-12-01"));
    }

    #[test]
    fn a_late_registration_is_marked_retroactive() {
        let input = ActivationInput {
            start_date: Some(day("2020-01-01")),
            ..valid()
        };
        let outcome = check(&input);
        assert!(outcome.registered_retroactively);
        assert!(outcome.errors.is_empty());
    }

    #[test]
    fn project_external_funding_is_a_warning_that_never_blocks() {
        let mut input = ActivationInput {
            agreement_type: AgreementType::Project,
            purposes: vec![Purpose::ProjectCollaboration],
            partners: vec![
                partner("p1", 0, EligibilityStatus::Eligible),
                partner("p2", 1, EligibilityStatus::Eligible),
            ],
            ..valid()
        };
        let outcome = check(&input);
        assert!(outcome.errors.is_empty());
        assert_eq!(
            rules(&outcome.warnings),
            vec![codes::PROJECT_EXTERNAL_FUNDING]
        );
        input.fundings = vec![FundingSource::Own];
        assert_eq!(
            rules(&check(&input).warnings),
            vec![codes::PROJECT_EXTERNAL_FUNDING]
        );
        input.fundings = vec![FundingSource::Eu];
        assert!(check(&input).warnings.is_empty());
        input.fundings = vec![];
        input.has_external_funding_not_possible_reason = true;
        assert!(check(&input).warnings.is_empty());
    }

    #[test]
    fn sister_city_partner_is_recommended_for_the_sister_cities_purpose() {
        let input = ActivationInput {
            purposes: vec![Purpose::SisterCities],
            ..valid()
        };
        assert_eq!(
            rules(&check(&input).warnings),
            vec![codes::SISTER_CITY_PARTNER]
        );
        let mut with = input.clone();
        with.partners[0].is_sister_city = true;
        assert!(check(&with).warnings.is_empty());
        let sister_city_type = ActivationInput {
            agreement_type: AgreementType::SisterCity,
            ..input
        };
        assert!(check(&sister_city_type).warnings.is_empty());
    }

    #[test]
    fn scope_committees_and_administrations_a_company_gets_warnings_not_errors() {
        let input = ActivationInput {
            bound_by_policy: false,
            partners: vec![partner("p1", 0, EligibilityStatus::ExceptionRequired)],
            purposes: vec![],
            ..valid()
        };
        let outcome = check(&input);
        assert!(outcome.errors.is_empty());
        assert_eq!(
            rules(&outcome.warnings),
            vec![codes::PURPOSE_REQUIRED, codes::EXCEPTION_BY_KOMMUNSTYRELSEN]
        );
    }
    fn terms<'a>(partners: &'a [String], purposes: &'a [Purpose]) -> Terms<'a> {
        Terms {
            partner_ids: partners,
            unit_code: "KFN",
            start_date: Some(day("2027-01-01")),
            end_date: None,
            agreement_type: AgreementType::Project,
            purposes,
        }
    }

    #[test]
    fn a_change_to_the_terms_touches_the_rules_and_any_other_does_not() {
        let partners = vec!["p1".to_string()];
        let purposes = [Purpose::ProjectCollaboration];
        let before = terms(&partners, &purposes);
        assert!(!touched(&before, &terms(&partners, &purposes)));
        let more = vec!["p1".to_string(), "p2".to_string()];
        assert!(touched(&before, &terms(&more, &purposes)));
        let later = Terms {
            end_date: Some(day("2030-12-31")),
            ..before.clone()
        };
        assert!(touched(&before, &later));
        let other_unit = Terms {
            unit_code: "SN",
            ..before.clone()
        };
        assert!(touched(&before, &other_unit));
    }

    #[test]
    fn an_untouched_change_keeps_recorded_findings_and_refreshes_the_recommendations() {
        let recorded = Finding::text(codes::DEMOCRACY, "/partnerIds/0", Text::SisterCityPartner);
        let stale = Finding::text(
            codes::SISTER_CITY_PARTNER,
            "/purposes",
            Text::SisterCityPartner,
        );
        let fresh = Finding::text(
            codes::PROJECT_EXTERNAL_FUNDING,
            "/fundings",
            Text::ProjectExternalFunding,
        );
        let ignored = Finding::text(codes::DEMOCRACY, "/partnerIds/1", Text::SisterCityPartner);
        let merged = merge_warnings(
            &[recorded.clone(), stale],
            |f| f.rule,
            &[fresh.clone(), ignored],
            Finding::clone,
        );
        assert_eq!(merged, vec![recorded, fresh]);
    }
}

use std::sync::Arc;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::EligibilityAnswers;
use super::Explained;
use super::store::read;
use crate::assessments::Outcome;
use crate::db::derived::generation;
use crate::domain::UnitCode;
use crate::http::auth::Capability;
use crate::http::crud::Call;
use crate::http::json::Query;
use crate::http::problem::ApiError;
use crate::http::reply;
use crate::policy::eligibility::{EligibilityStatus, ExceptionStatus, explanation};
use crate::text::Localized;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct EligibilityParams {
    /// The unit that wants to collaborate.
    #[param(example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")]
    unit_code: Option<String>,
    /// The date to answer for (Europe/Stockholm); today when absent. A past date answers as the
    /// register stood at the end of that date.
    #[param(example = "2026-11-26")]
    date: Option<NaiveDate>,
    /// The agreement: only an exception for this agreement and partner can make it eligible.
    #[param(example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e")]
    #[param(format = Uuid)]
    agreement_id: Option<String>,
}

/// An assessment the answer looked at.
/// What an assessment is about: a country, or one partner (a city or region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentSubject {
    Country,
    Partner,
}

impl AssessmentSubject {
    /// The policy core names the subject it lacks an assessment for as `COUNTRY` or `PARTNER`.
    fn from_code(code: &str) -> Self {
        if code == "PARTNER" {
            AssessmentSubject::Partner
        } else {
            AssessmentSubject::Country
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsedAssessment {
    #[schema(format = Uuid)]
    pub id: String,
    pub subject: AssessmentSubject,
    pub country_code: String,
    #[schema(format = Uuid)]
    pub partner_id: Option<String>,
    pub outcome: Outcome,
    pub failing_requirements: Vec<String>,
    pub assessed_at: NaiveDate,
    pub valid_until: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
    /// Whether it applies on the date asked about.
    pub valid_on_date: bool,
}

/// An exception the answer looked at.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsedException {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub agreement_id: String,
    /// As it stood at the end of the date.
    pub status: ExceptionStatus,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub decided_at: Option<NaiveDate>,
    pub protocol_paragraph: Option<String>,
}

/// Whether a partner may be collaborated with, and why / Får samarbete ingås med parten, och varför.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "partnerId": "0192f5d2-0000-7000-8000-000000000002", "unitCode": "KFN",
    "agreementId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "date": "2026-11-26",
    "status": "EXCEPTION_REQUIRED", "failingRequirements": ["DEMOCRACY"], "missingAssessments": [],
    "assessments": [{"id": "0192f5d2-1111-7000-8000-000000000003", "subject": "COUNTRY", "countryCode": "XK", "partnerId": null, "outcome": "DOES_NOT_MEET_REQUIREMENTS", "failingRequirements": ["DEMOCRACY"], "assessedAt": "2026-10-01", "validUntil": "2027-10-01", "publishedAt": "2026-10-02T08:00:00Z", "validOnDate": true}],
    "exception": null, "pendingRequests": ["0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d70"], "deniedDecisions": [],
    "explanation": "The partner does not meet the requirement of democracy and no exception is in force for this agreement."
}))]
pub struct Eligibility {
    #[schema(format = Uuid)]
    pub partner_id: String,
    pub unit_code: Option<String>,
    #[schema(format = Uuid)]
    pub agreement_id: Option<String>,
    pub date: NaiveDate,
    pub status: EligibilityStatus,
    /// Rule codes: `HUMAN_RIGHTS`, `DEMOCRACY`, `RULE_OF_LAW`, or `ASSESSMENT_REQUIRED`.
    pub failing_requirements: Vec<String>,
    /// The subjects (country, partner) for which no valid assessment exists.
    pub missing_assessments: Vec<AssessmentSubject>,
    pub assessments: Vec<UsedAssessment>,
    /// The granted exception that makes the partner eligible, if any.
    pub exception: Option<UsedException>,
    /// Requests waiting for a decision (exception ids).
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub pending_requests: Vec<String>,
    /// Requests that were denied (exception ids).
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub denied_decisions: Vec<String>,
    /// The answer in a sentence, in the response's language.
    pub explanation: Localized,
}

pub fn answer(
    partner_id: &str,
    unit: Option<String>,
    agreement: Option<String>,
    date: NaiveDate,
    e: Explained,
) -> Eligibility {
    let d = &e.decision;
    let used_exception = d
        .exception_used
        .as_ref()
        .and_then(|id| e.exceptions.iter().find(|x| &x.id == id))
        .map(|x| UsedException {
            id: x.id.clone(),
            agreement_id: x.agreement_id.clone(),
            status: ExceptionStatus::Granted,
            valid_from: x.valid_from,
            valid_until: x.valid_until,
            decided_at: x.decided_at,
            protocol_paragraph: x.protocol_paragraph.clone(),
        });
    let explanation = explanation(d, date, agreement.is_some()).into();
    Eligibility {
        partner_id: partner_id.to_string(),
        unit_code: unit,
        agreement_id: agreement,
        date,
        status: d.status,
        failing_requirements: d
            .failing_requirements
            .iter()
            .map(|s| s.to_string())
            .collect(),
        missing_assessments: d
            .missing_assessments
            .iter()
            .map(|s| AssessmentSubject::from_code(s))
            .collect(),
        assessments: e
            .assessments
            .iter()
            .map(|a| UsedAssessment {
                id: a.id.clone(),
                subject: if a.partner_id.is_some() {
                    AssessmentSubject::Partner
                } else {
                    AssessmentSubject::Country
                },
                country_code: a.country_code.clone(),
                partner_id: a.partner_id.clone(),
                outcome: a.outcome,
                failing_requirements: a.failing_requirements.clone(),
                assessed_at: a.assessed_at,
                valid_until: a.valid_until,
                published_at: a.published_at,
                valid_on_date: a.assessed_at <= date && date <= a.valid_until,
            })
            .collect(),
        exception: used_exception,
        pending_requests: d.pending_requests.clone(),
        denied_decisions: d.denied_decisions.clone(),
        explanation,
    }
}

/// Eligibility of a partner / Partens behörighet
///
/// Exactly one of `ELIGIBLE`, `ELIGIBLE_BY_EXCEPTION`, `EXCEPTION_REQUIRED` or
/// `ASSESSMENT_REQUIRED`, with the assessments and exception it rests on. A past `date` answers
/// as the register stood at the end of that day: what had been published, decided or revoked by
/// then, so an auditor can ask whether a collaboration was allowed on the day it was activated.
#[utoipa::path(
    tag = "Eligibility",
    operation_id = "getPartnerEligibility",
    params(("id" = uuid::Uuid, Path, description = "The partner's id."), EligibilityParams),
    responses(
        (status = 200, description = "The answer and its reasons.", body = Eligibility),
    )
)]
#[get("/partners/{id}/eligibility")]
pub async fn get_eligibility(
    call: Call,
    answers: web::Data<EligibilityAnswers>,
    id: web::Path<String>,
    query: Query<EligibilityParams>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let params = query.0;
    let unit = match params.unit_code {
        Some(u) => Some(UnitCode::parse(&u).map_err(|_| {
            ApiError::invalid(
                "/query/unitCode",
                "invalid-unit-code",
                crate::text::Text::UnitCodeParamInvalid.msg(),
            )
        })?),
        None => None,
    };
    let date = params.date.unwrap_or_else(crate::policy::today);
    let partner_id = id.into_inner();
    let agreement = params.agreement_id;
    let answers = answers.into_inner();
    let result = call
        .db
        .read(move |conn| {
            let generation = generation(conn)?;
            let key = (
                partner_id,
                unit.as_ref().map(|u| u.as_str().to_string()),
                agreement,
                date,
            );
            if let Some(found) = answers.0.get(generation, &key) {
                return Ok(found);
            }
            let (partner_id, _, agreement, _) = &key;
            // The partner, whether the unit exists and the partner is a party to the agreement,
            // the assessments and the exception requests: one statement.
            let read = read(
                conn,
                partner_id,
                unit.as_ref().map(UnitCode::as_str),
                agreement.as_deref(),
                date,
            )?
            .ok_or_else(|| ApiError::not_found("partner", "part"))?;
            if unit.is_some() && !read.unit_exists {
                return Err(ApiError::invalid(
                    "/query/unitCode",
                    "unknown-unit",
                    crate::text::Text::NoSuchUnit.msg(),
                ));
            }
            if agreement.is_some() && !read.is_party {
                return Err(ApiError::invalid(
                    "/query/agreementId",
                    "not-a-party",
                    crate::text::Text::NotAPartyOfThatAgreement.msg(),
                ));
            }
            let partner = read.partner;
            let explained = read.inputs.explain(&partner, date, agreement.as_deref())?;
            let found = Arc::new(answer(
                &partner.id,
                unit.map(|u| u.into_inner()),
                agreement.clone(),
                date,
                explained,
            ));
            answers.0.put(generation, key, found.clone());
            Ok(found)
        })
        .await?;
    reply::json(result.as_ref())
}

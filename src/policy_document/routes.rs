use actix_web::{HttpResponse, get};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::auth::Capability;
use crate::http::crud::Call;
use crate::http::problem::ApiError;
use crate::http::reply;
use crate::policy::catalogue::{self, PurposeInfo, Requirement, Rule, Sdg, Standing};

/// The policy's place among the city's governing documents, and its validity.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyMetadata {
    pub title: &'static str,
    /// `POLICY`: one of strategi, program, plan, policy, riktlinjer, regler.
    pub document_type: &'static str,
    /// `NORMATIVE` (normerande), as opposed to planning (planerande).
    pub category: &'static str,
    /// What a policy is among the city's documents: "Borås Stads hållning".
    pub role_sv: &'static str,
    pub adopted_by: &'static str,
    pub adopted_on: NaiveDate,
    pub revised_by: &'static str,
    pub followed_up_by: &'static str,
    pub applies_to_sv: &'static str,
    pub applies_to_en: &'static str,
    /// Inclusive.
    pub valid_until: NaiveDate,
    /// On today's date in Stockholm.
    pub standing: Standing,
    /// Today's date in Stockholm, the date `standing` was decided for.
    pub as_of: NaiveDate,
}

/// The policy as data.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDocument {
    pub metadata: PolicyMetadata,
    /// The three requirements of the precondition.
    pub requirements: Vec<Requirement>,
    /// The seven purposes; every collaboration serves at least one.
    pub purposes: Vec<PurposeInfo>,
    /// The 17 global goals, marked where the policy names them.
    pub sdgs: Vec<Sdg>,
    /// Every rule, with its stable code, level and source sentence.
    pub rules: Vec<Rule>,
}

pub fn document(today: NaiveDate) -> PolicyDocument {
    PolicyDocument {
        metadata: PolicyMetadata {
            title: catalogue::TITLE,
            document_type: "POLICY",
            category: "NORMATIVE",
            role_sv: "Borås Stads hållning",
            adopted_by: "KOMMUNFULLMAKTIGE",
            adopted_on: catalogue::adopted_on(),
            revised_by: "KOMMUNSTYRELSEN",
            followed_up_by: "KOMMUNSTYRELSEN",
            applies_to_sv: "Alla nämnder och förvaltningar",
            applies_to_en: "All committees and administrations",
            valid_until: catalogue::valid_until(),
            standing: catalogue::standing(today),
            as_of: today,
        },
        requirements: catalogue::requirements(),
        purposes: catalogue::purposes(),
        sdgs: catalogue::sdgs(),
        rules: catalogue::rules(),
    }
}

/// The policy as data / Policyn som data
///
/// Internationell policy (Kommunfullmäktige 2023-06-21): its metadata and standing, the three
/// requirements, the seven purposes, the global goals and the rule catalogue. Every refusal and
/// warning of the service names a rule code from this catalogue.
#[utoipa::path(
    tag = "Policy",
    operation_id = "getPolicy",
    responses(
        (status = 200, description = "The policy.", body = PolicyDocument, example = json!({
            "metadata": {"title": "Internationell policy", "documentType": "POLICY", "category": "NORMATIVE", "roleSv": "Borås Stads hållning", "adoptedBy": "KOMMUNFULLMAKTIGE", "adoptedOn": "2023-06-21", "revisedBy": "KOMMUNSTYRELSEN", "followedUpBy": "KOMMUNSTYRELSEN", "appliesToSv": "Alla nämnder och förvaltningar", "appliesToEn": "All committees and administrations", "validUntil": "2027-12-31", "standing": "IN_FORCE", "asOf": "2026-11-26"},
            "requirements": [{"code": "HUMAN_RIGHTS", "field": "humanRights", "labelSv": "respekterar mänskliga rättigheter", "labelEn": "respects human rights"}],
            "purposes": [{"code": "SISTER_CITIES", "labelSv": "Utveckling av arbetet med vänorter", "labelEn": "Developing the work with sister cities", "sourceSv": "Utveckling av arbetet med Borås Stads vänorter."}],
            "sdgs": [{"number": 11, "labelSv": "Hållbara städer och samhällen", "labelEn": "Sustainable cities and communities", "namedInPolicy": true}],
            "rules": [{"code": "PROJECT_EXTERNAL_FUNDING", "level": "RECOMMENDATION", "basis": "POLICY", "sourceSv": "Det bör även finnas extern finansiering där så är möjligt, exempelvis genom EU-medel.", "descriptionSv": "Projektsamverkan bör ha extern finansiering, eller ett skäl till att det inte är möjligt.", "descriptionEn": "A project collaboration should have external funding, or a reason why that is not possible."}]
        })),
    )
)]
#[get("/policy")]
pub async fn get_policy(call: Call) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    reply::json(&document(crate::policy::today()))
}

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, not_found};
use super::store::{self, AssessmentFilter};
use super::{Assessment, AssessmentPatch, AssessmentStatus, NewAssessment};
use crate::domain::CountryCode;
use crate::http::access::Reader;
use crate::http::auth::Capability;
use crate::http::crud::{self};
use crate::http::docs as d;
use crate::http::json::OptionalJsonBody;
use crate::http::operation::item;
use crate::http::path::path_uuid;
use crate::http::problem::ApiError;
use crate::http::reply::Reply;

const EXAMPLE_PAGE: &str = r#"{"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "countryCode": "NO", "partnerId": null, "humanRights": {"verdict": "MEETS", "rationale": "Strong protection of civil liberties."}, "democracy": {"verdict": "MEETS", "rationale": "Free and fair elections."}, "ruleOfLaw": {"verdict": "MEETS", "rationale": "Independent courts."}, "indicators": [], "assessedAt": "2026-11-20", "validUntil": "2027-11-20", "status": "PUBLISHED", "outcome": "MEETS_REQUIREMENTS", "failingRequirements": [], "publishedAt": "2026-11-26T09:15:00Z", "publishedBy": "per.coordinator", "supersededAt": null, "supersededBy": null, "draftedBy": ["cora.coordinator"], "version": 2, "createdAt": "2026-11-25T14:00:00Z", "updatedAt": "2026-11-26T09:15:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1}"#;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AssessmentParams {
    /// Only assessments in this state (`DRAFT` finds nothing for anyone but coordinators).
    status: Option<AssessmentStatus>,
    /// Only assessments of this country or of partners in it.
    #[param(value_type = Option<String>, example = "NO", pattern = "^[A-Z]{2}$")]
    country_code: Option<CountryCode>,
    /// Only assessments of this partner.
    #[param(value_type = Option<uuid::Uuid>)]
    #[serde(default, deserialize_with = "crate::http::validate::partner_id_param")]
    partner_id: Option<uuid::Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CountryAssessmentParams {
    /// Also the assessments of partner cities and regions in the country.
    #[param(default = false)]
    include_partners: Option<bool>,
}

item! {
    tag "Assessments";

    /// List assessments / Lista bedömningar
    ///
    /// Published and superseded assessments for everybody; drafts for coordinators only. Oldest first.
    #[list(get "/assessments", AssessmentParams, 200(Assessment, "A page of assessments.", example = json!(serde_json::from_str::<serde_json::Value>(EXAMPLE_PAGE).unwrap())))]
    async fn list_assessments(call, params) {
        call.require(Capability::Read)?;
        let f = params.filters;
        let filter = AssessmentFilter {
            status: f.status,
            country_code: f.country_code.map(CountryCode::into_inner),
            partner_id: f.partner_id.map(|u| u.hyphenated().to_string()),
            countries_only: false,
            include_drafts: call.has(Capability::ManageAssessments),
        };
        call.list(params.paging, move |c, offset, limit| {
            store::list(c, &filter, false, offset, limit)
        })
        .await
    }

    /// Read an assessment / Läs en bedömning
    ///
    /// A draft is visible to coordinators only (404 for others).
    #[read(get "/assessments/{id}", id("The assessment's id (UUIDv7)."), 200(Assessment, "The assessment, with its ETag.", etag = "The assessment's version."))]
    async fn get_assessment(call, id) {
        let principal = call.principal.clone();
        let find = move |c: &mut _, id: &String| match store::find(c, id)? {
            Some(a) if Reader::new(&principal).may_read(c, &service::audience(a.status))? => {
                Ok(Some(a))
            }
            _ => Ok(None),
        };
        call.read(Capability::Read, id, not_found, find).await
    }

    /// Draft an assessment / Skapa ett utkast till bedömning
    ///
    /// Coordinators only. The subject is a country (`countryCode`) or a partner of kind `CITY` or
    /// `REGION` (`partnerId`; "landet/staden"). `validUntil` defaults to one year after `assessedAt`,
    /// which defaults to today. The draft is visible to coordinators only, and whoever drafts or edits
    /// it cannot publish it (rule `ASSESSMENT_FOUR_EYES`).
    #[create(post "/assessments", body = NewAssessment, 201(Assessment, "The draft was created."), 409(Conflict))]
    async fn create_assessment(call, body) {
        call.principal.require(Capability::ManageAssessments)?;
        let new = body.value;
        call.create(&body.digest, move |conn, actor| {
            service::create(conn, actor, new)
        })
        .await
    }

    /// Change a draft / Ändra ett utkast
    ///
    /// JSON Merge Patch (RFC 7396) on a draft; the subject cannot change. `validUntil: null` resets
    /// it to one year after `assessedAt`; `indicators` is replaced as a whole. Whoever edits a draft
    /// becomes one of its drafters and cannot publish it. A published or superseded assessment is
    /// immutable (409).
    #[change(patch "/assessments/{id}", id("The assessment's id."), body = AssessmentPatch, 200(Assessment, "The draft as changed.", etag = "The assessment's new version."), 409(Conflict))]
    async fn update_assessment(call, id, patch) {
        call.require(Capability::ManageAssessments)?;
        let id = id?;
        call.guarded(move |conn, actor, pre| {
            let current = crud::checked(store::find(conn, &id)?, not_found, pre)?;
            crud::changed(&service::update(conn, actor, &current, &patch)?)
        })
        .await
    }

    /// Delete a draft / Ta bort ett utkast
    ///
    /// Only a draft can be deleted; published assessments are official records (409).
    #[remove(delete "/assessments/{id}", id("The assessment's id."), 204("The draft was deleted."), 409(Conflict))]
    async fn delete_assessment(call, id) {
        call.require(Capability::ManageAssessments)?;
        let id = id?;
        call.guarded(move |conn, actor, pre| {
            let current = crud::checked(store::find(conn, &id)?, not_found, pre)?;
            service::delete_draft(conn, actor, &current)?;
            Ok(Reply::no_content())
        })
        .await
    }

    /// A country's assessment history / Ett lands bedömningshistorik
    ///
    /// Every assessment of the country, newest first: the one in force, those it superseded and,
    /// for coordinators, drafts. `includePartners=true` adds those of partners in the country.
    #[list(get "/countries/{code}/assessments", country("ISO 3166-1 alpha-2 code."), CountryAssessmentParams, 200(Assessment, "A page of the country's assessments, newest first.", example = json!(serde_json::from_str::<serde_json::Value>(EXAMPLE_PAGE).unwrap())))]
    async fn list_country_assessments(call, code, params) {
        call.require(Capability::Read)?;
        let code = code?;
        let filter = AssessmentFilter {
            country_code: Some(code.as_str().to_string()),
            countries_only: !params.filters.include_partners.unwrap_or(false),
            include_drafts: call.has(Capability::ManageAssessments),
            ..Default::default()
        };
        call.list(params.paging, move |c, offset, limit| {
            if !crate::db::reference::country_exists(c, code.as_str())? {
                return Err(ApiError::not_found("country", "land"));
            }
            store::list(c, &filter, true, offset, limit)
        })
        .await
    }
}

/// The body of a publish action: empty, or an empty object.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct PublishRequest {}

/// Publish a draft / Publicera en bedömning
///
/// Coordinators only, and never one who drafted or edited it (403 naming rule
/// `ASSESSMENT_FOUR_EYES`). Publishing supersedes the subject's earlier published assessment in
/// the same transaction. Needs `If-Match`; a retry with the same `Idempotency-Key` replays.
#[utoipa::path(
    tag = "Assessments",
    operation_id = "publishAssessment",
    params(
        ("id" = uuid::Uuid, Path, description = "The assessment's id.", example = "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", format = Uuid),
        d::IfMatchHeader,
        d::IdempotencyKeyHeader,
    ),
    request_body(content = Option<PublishRequest>, content_type = "application/json", description = "Empty, or `{}`."),
    responses(
        (status = 200, description = "The assessment as published.", body = Assessment, headers(("ETag" = String, description = "The assessment's new version."))),
        (status = 403, description = "Not a coordinator, or one of the draft's drafters (rule `ASSESSMENT_FOUR_EYES`).", body = crate::http::problem::Problem, content_type = "application/problem+json", example = json!({"type": "https://samverkan.boras.se/problems/forbidden", "title": "The operation is not permitted", "status": 403, "detail": "You drafted or edited this assessment; another coordinator must publish it.", "instance": "/api/v1/assessments/0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e/publish", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "errors": [{"pointer": "", "code": "ASSESSMENT_FOUR_EYES", "detail": "You drafted or edited this assessment; another coordinator must publish it."}]})),
        (status = 409, response = d::Conflict),
    )
)]
#[post("/assessments/{id}/publish")]
pub async fn publish_assessment(
    call: crud::KeyedCall,
    id: web::Path<String>,
    body: OptionalJsonBody<PublishRequest>,
) -> Result<HttpResponse, ApiError> {
    call.principal.require(Capability::ManageAssessments)?;
    let id = path_uuid(&id, "/path/id")?;
    call.act(&body.digest, move |conn, actor, pre| {
        let current = crud::checked(store::find(conn, &id)?, not_found, pre)?;
        service::publish(conn, actor, &current, crate::policy::today())
    })
    .await
}

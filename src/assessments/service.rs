//! What an assessment write does, whoever asks: the HTTP handlers and the demo seed both call these.

use chrono::NaiveDate;

use super::store;
use super::{
    Assessment, AssessmentChanges, AssessmentPatch, AssessmentStatus, Content, Evidence,
    EvidenceInput, JudgementInput, NewAssessment, Subject, default_valid_until,
};
use crate::db::AnyConnection;
use crate::domain::CountryCode;
use crate::events::{self, Change};
use crate::http::access::Audience;
use crate::http::etag::version_mismatch;
use crate::http::path::path_uuid;
use crate::http::problem::{ApiError, FieldError};
use crate::policy::catalogue::codes;

pub const ENTITY: crate::events::EntityType = crate::events::EntityType::Assessment;

/// More evidence than this is a sign of a mistake, not of thoroughness.
const MAX_INDICATORS: usize = 50;

pub fn not_found() -> ApiError {
    ApiError::not_found("assessment", "bedömning")
}

/// The refusal to change anything but a draft.
pub fn immutable(a: &Assessment) -> ApiError {
    ApiError::conflict(
        crate::text::Text::AssessmentNotDraft {
            status: a.status.as_str().to_string(),
        }
        .msg(),
    )
}

/// Appends the event of a change to a draft (visible to coordinators only) and returns the draft.
fn drafts_event(
    conn: &mut AnyConnection,
    actor: &str,
    action: crate::events::EventAction,
    assessment: Assessment,
) -> Result<Assessment, ApiError> {
    let change = Change::new(
        ENTITY,
        &assessment.id,
        action,
        assessment.version,
        &assessment,
    );
    events::append(conn, actor, change.visible_to(audience(assessment.status)))?;
    Ok(assessment)
}

/// Who may read an assessment in `status`: drafts are for coordinators, the rest for everyone.
pub fn audience(status: AssessmentStatus) -> Audience {
    if status == AssessmentStatus::Draft {
        Audience::AssessmentDrafters
    } else {
        Audience::Everyone
    }
}
/// A new draft by `actor`; its event is visible to coordinators only.
pub fn draft(
    conn: &mut AnyConnection,
    actor: &str,
    subject: &Subject,
    country: &str,
    content: &Content,
) -> Result<Assessment, ApiError> {
    let assessment = store::insert(conn, subject, country, content, actor)?;
    drafts_event(conn, actor, crate::events::EventAction::Created, assessment)
}

/// Publishes the draft `current` as `actor` (never one of its drafters: ASSESSMENT_FOUR_EYES),
/// superseding the subject's earlier published assessment in the same transaction. The caller
/// has checked the precondition.
pub fn publish(
    conn: &mut AnyConnection,
    actor: &str,
    current: &Assessment,
    today: chrono::NaiveDate,
) -> Result<Assessment, ApiError> {
    let id = &current.id;
    let actor = actor.to_string();
    if current.status != AssessmentStatus::Draft {
        return Err(immutable(current));
    }
    if current.drafted_by.contains(&actor) {
        let msg = crate::text::Text::FourEyes.msg();
        return Err(
            ApiError::forbidden(msg.clone()).with_errors(vec![FieldError::new(
                "",
                codes::ASSESSMENT_FOUR_EYES,
                msg,
            )]),
        );
    }
    if current.valid_until < today {
        return Err(ApiError::conflict(crate::text::Text::DraftExpired.msg()));
    }
    let now = crate::db::now();
    if let Some(old) = store::current_published(conn, &current.subject())? {
        if !store::supersede(conn, &old, id, now)? {
            return Err(ApiError::conflict(
                crate::text::Text::PublishedConcurrently.msg(),
            ));
        }
        let old = store::find(conn, &old.id)?.ok_or_else(not_found)?;
        events::append(
            conn,
            &actor,
            Change::new(
                ENTITY,
                &old.id,
                crate::events::EventAction::Superseded,
                old.version,
                &old,
            ),
        )?;
    }
    let published = store::publish(conn, id, current.version, &actor, now)?
        .ok_or_else(|| version_mismatch(current.version + 1))?;
    events::append(
        conn,
        &actor,
        Change::new(
            ENTITY,
            &published.id,
            crate::events::EventAction::Published,
            published.version,
            &published,
        ),
    )?;
    Ok(published)
}

/// A new draft by `actor` from what a coordinator wrote (authorisation is the caller's).
pub fn create(
    conn: &mut AnyConnection,
    actor: &str,
    new: NewAssessment,
) -> Result<Assessment, ApiError> {
    let (subject, country) =
        resolve_subject(conn, new.country_code.as_ref(), new.partner_id.as_deref())?;
    let content = resolve_content(
        conn,
        &country,
        new.human_rights,
        new.democracy,
        new.rule_of_law,
        new.indicators,
        new.assessed_at.unwrap_or_else(crate::policy::today),
        new.valid_until,
    )?;
    draft(conn, actor, &subject, &country, &content)
}

/// Changes the draft `current` by a merge patch as `actor`, who becomes one of its drafters (the
/// caller has checked the precondition). A published or superseded assessment is immutable.
pub fn update(
    conn: &mut AnyConnection,
    actor: &str,
    current: &Assessment,
    patch: &AssessmentPatch,
) -> Result<Assessment, ApiError> {
    if current.status != AssessmentStatus::Draft {
        return Err(immutable(current));
    }
    let changes = patch.apply(&AssessmentChanges::of(current)?)?;
    let content = resolve_content(
        conn,
        &current.country_code,
        changes.human_rights,
        changes.democracy,
        changes.rule_of_law,
        changes.indicators,
        changes.assessed_at,
        changes.valid_until,
    )?;
    let mut drafters = current.drafted_by.clone();
    if !drafters.iter().any(|d| d == actor) {
        drafters.push(actor.to_string());
    }
    let assessment = store::update(conn, &current.id, current.version, &content, &drafters)?
        .ok_or_else(|| version_mismatch(current.version + 1))?;
    drafts_event(conn, actor, crate::events::EventAction::Updated, assessment)
}

/// Deletes the draft `current` as `actor` (the caller has checked the precondition); published
/// assessments are official records.
pub fn delete_draft(
    conn: &mut AnyConnection,
    actor: &str,
    current: &Assessment,
) -> Result<(), ApiError> {
    if current.status != AssessmentStatus::Draft {
        return Err(immutable(current));
    }
    let deleted = store::delete_draft(conn, &current.id, current.version)?;
    let action = crate::events::EventAction::Deleted;
    let change = Change::gone(ENTITY, &current.id, action, current.version + 1)
        .visible_to(audience(AssessmentStatus::Draft));
    events::deleted(conn, actor, current, deleted, change)
}

fn resolve_evidence(
    conn: &mut AnyConnection,
    country_code: &str,
    inputs: Vec<EvidenceInput>,
) -> Result<Vec<Evidence>, ApiError> {
    if inputs.len() > MAX_INDICATORS {
        return Err(ApiError::invalid(
            "/indicators",
            "too-many",
            crate::text::Text::TooManyIndicators {
                max: MAX_INDICATORS,
            }
            .msg(),
        ));
    }
    let mut errors = Vec::new();
    let mut evidence = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        if let Some(raw) = input.indicator_id {
            let pointer = format!("/indicators/{i}/indicatorId");
            let found = match uuid::Uuid::parse_str(&raw) {
                Ok(u) => crate::indicators::store::find(conn, &u.hyphenated().to_string())?,
                Err(_) => None,
            };
            match found {
                None => errors.push(FieldError::new(
                    pointer,
                    "unknown-indicator",
                    crate::text::Text::NoSuchIndicator {
                        id: raw.to_string(),
                    }
                    .msg(),
                )),
                Some(x) if x.country_code != country_code => errors.push(FieldError::new(
                    pointer,
                    "indicator-of-another-country",
                    crate::text::Text::IndicatorOfAnotherCountry {
                        id: raw.to_string(),
                        of: x.country_code.to_string(),
                        not: country_code.to_string(),
                    }
                    .msg(),
                )),
                // The import's values are copied, so the assessment stays as it was published.
                Some(x) => evidence.push(Evidence {
                    indicator_id: Some(x.id),
                    source: x.source,
                    edition: x.edition,
                    metric: x.metric,
                    value: x.value,
                    category: x.category,
                    url: x.url,
                }),
            }
            continue;
        }
        let missing = |field: &str| {
            FieldError::new(
                format!("/indicators/{i}/{field}"),
                "required",
                crate::text::Text::RequiredUnlessImported {
                    field: field.to_string(),
                }
                .msg(),
            )
        };
        let before = errors.len();
        if input.source.is_none() {
            errors.push(missing("source"));
        }
        if input.edition.is_none() {
            errors.push(missing("edition"));
        }
        if input.metric.is_none() {
            errors.push(missing("metric"));
        }
        if input.value.is_none_or(|v| !v.is_finite()) {
            errors.push(missing("value"));
        }
        if errors.len() > before {
            continue;
        }
        if let (Some(source), Some(edition), Some(metric), Some(value)) =
            (input.source, input.edition, input.metric, input.value)
        {
            evidence.push(Evidence {
                indicator_id: None,
                source,
                edition: edition.into_inner(),
                metric: metric.into_inner(),
                value,
                category: input.category.map(|c| c.into_inner()),
                url: input.url.map(|u| u.into_inner()),
            });
        }
    }
    crate::http::problem::unless_faults(errors, evidence)
}

#[allow(clippy::too_many_arguments)]
pub fn resolve_content(
    conn: &mut AnyConnection,
    country_code: &str,
    human_rights: JudgementInput,
    democracy: JudgementInput,
    rule_of_law: JudgementInput,
    indicators: Vec<EvidenceInput>,
    assessed_at: NaiveDate,
    valid_until: Option<NaiveDate>,
) -> Result<Content, ApiError> {
    let mut errors = Vec::new();
    if assessed_at > crate::policy::today() {
        errors.push(FieldError::new(
            "/assessedAt",
            "in-the-future",
            crate::text::Text::AssessedInTheFuture.msg(),
        ));
    }
    let valid_until = valid_until.unwrap_or_else(|| default_valid_until(assessed_at));
    if valid_until < assessed_at {
        errors.push(FieldError::new(
            "/validUntil",
            "before-start",
            crate::text::Text::ValidUntilBeforeAssessedAt.msg(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let indicators = resolve_evidence(conn, country_code, indicators)?;
    Ok(Content {
        human_rights,
        democracy,
        rule_of_law,
        indicators,
        assessed_at,
        valid_until,
    })
}

/// The subject named by a new assessment, and the country it belongs to.
pub fn resolve_subject(
    conn: &mut AnyConnection,
    country_code: Option<&CountryCode>,
    partner_id: Option<&str>,
) -> Result<(Subject, String), ApiError> {
    if let Some(raw) = partner_id {
        let id = path_uuid(raw, "/partnerId")?;
        let Some((kind, country)) = crate::partners::store::kind_and_country(conn, &id)? else {
            return Err(ApiError::invalid(
                "/partnerId",
                "unknown-partner",
                crate::text::Text::NoSuchPartnerId { id: id.to_string() }.msg(),
            ));
        };
        if !kind.is_assessable() {
            return Err(ApiError::invalid(
                "/partnerId",
                "partner-not-assessable",
                crate::text::Text::PartnerNotAssessable {
                    kind: kind.as_str().to_string(),
                }
                .msg(),
            ));
        }
        if let Some(code) = country_code
            && code.as_str() != country
        {
            return Err(ApiError::invalid(
                "/countryCode",
                "country-mismatch",
                crate::text::Text::PartnerInCountry {
                    country: country.to_string(),
                }
                .msg(),
            ));
        }
        return Ok((Subject::Partner(id), country));
    }
    let Some(code) = country_code else {
        return Err(ApiError::invalid(
            "/countryCode",
            "required",
            crate::text::Text::SubjectRequired.msg(),
        ));
    };
    if !crate::db::reference::country_exists(conn, code.as_str())? {
        return Err(ApiError::invalid(
            "/countryCode",
            "unknown-country",
            crate::text::Text::NoSuchCountry {
                code: code.to_string(),
            }
            .msg(),
        ));
    }
    Ok((
        Subject::Country(code.as_str().to_string()),
        code.as_str().to_string(),
    ))
}

//! What an assessment write does, whoever asks: the HTTP handlers and the demo seed both call these.

use super::store;
use super::{Assessment, AssessmentStatus, Content, Subject};
use crate::db::AnyConnection;
use crate::events::{self, Change, Visibility};
use crate::http::etag::version_mismatch;
use crate::http::problem::{ApiError, FieldError};
use crate::policy::catalogue::codes;

pub const ENTITY: crate::events::EntityType = crate::events::EntityType::Assessment;

/// The refusal to change anything but a draft.
pub fn immutable(a: &Assessment) -> ApiError {
    ApiError::conflict(
        crate::text::Text::AssessmentNotDraft {
            status: a.status.as_str().to_string(),
        }
        .msg(),
    )
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
    events::append(
        conn,
        actor,
        Change::new(
            ENTITY,
            &assessment.id,
            crate::events::EventAction::Created,
            assessment.version,
            &assessment,
        )
        .visible_to(Visibility::Drafts),
    )?;
    Ok(assessment)
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
    let not_found = || ApiError::not_found("assessment", "bedömning");
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

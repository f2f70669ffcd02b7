//! What an exception write does, whoever asks: the HTTP handlers and the demo seed both call these.

use super::store::{self, ExceptionRow};
use super::{
    DecidingBody, DecisionInput, DecisionOutcome, Exception, ExceptionRequest, ExceptionStatus,
    RevocationInput,
};
use crate::db::AnyConnection;
use crate::events::{self, Change, EventAction};
use crate::http::access::{Audience, Reader};
use crate::http::auth::Principal;
use crate::http::etag::version_mismatch;
use crate::http::problem::{ApiError, FieldError};
use crate::policy::activation::AgreementStatus;
use crate::policy::catalogue::codes;
use crate::text::Text;

pub const ENTITY: crate::events::EntityType = crate::events::EntityType::Exception;

pub fn not_found() -> ApiError {
    ApiError::not_found("exception request", "begäran om undantag")
}

pub fn appended(
    conn: &mut AnyConnection,
    actor: &str,
    action: crate::events::EventAction,
    row: ExceptionRow,
) -> Result<Exception, ApiError> {
    let exception = Exception::from(row);
    // Requests and decisions alike are readable by every role, so their events carry the data too.
    let change = Change::new(ENTITY, &exception.id, action, exception.version, &exception);
    events::append(conn, actor, change)?;
    Ok(exception)
}

/// A decision is a fact, not a plan: it cannot be dated after today (Stockholm).
pub fn decided_in_the_future(decided_at: chrono::NaiveDate) -> Option<FieldError> {
    let today = crate::policy::today();
    (decided_at > today).then(|| {
        FieldError::new(
            "/decidedAt",
            "in-the-future",
            crate::text::Text::DecidedInTheFuture {
                decided: decided_at,
                today,
            }
            .msg(),
        )
    })
}

fn decision_errors(d: &DecisionInput) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = decided_in_the_future(d.decided_at).into_iter().collect();
    if d.deciding_body == DecidingBody::Delegate && d.delegation_reference.is_none() {
        errors.push(FieldError::new(
            "/delegationReference",
            "required",
            Text::DelegationRequired.msg(),
        ));
    }
    if d.decision == DecisionOutcome::Denied && (d.valid_from.is_some() || d.valid_until.is_some())
    {
        errors.push(FieldError::new(
            if d.valid_from.is_some() {
                "/validFrom"
            } else {
                "/validUntil"
            },
            "not-allowed",
            Text::DenialHasNoValidity.msg(),
        ));
    }
    let from = d.valid_from.unwrap_or(d.decided_at);
    if let Some(until) = d.valid_until
        && until < from
    {
        errors.push(FieldError::new(
            "/validUntil",
            "before-start",
            Text::ValidUntilBeforeValidFrom.msg(),
        ));
    }
    errors
}

/// Refuses (409, `refusal`'s sentence naming the status it is in) a change to `row` unless it is
/// `wanted`.
fn in_status(
    row: &ExceptionRow,
    wanted: ExceptionStatus,
    refusal: impl FnOnce(String) -> Text,
) -> Result<(), ApiError> {
    if row.status() == wanted {
        Ok(())
    } else {
        Err(ApiError::conflict(refusal(row.status.clone()).msg()))
    }
}

/// Files a request as `actor` for an agreement and one of its partners; `authorize` decides
/// whether the caller may act for the agreement's unit. A draft the `caller` may not read is as
/// unknown to them as an agreement that does not exist (its unit is not named to them); without a
/// caller (the seed) every agreement is known.
pub fn request(
    conn: &mut AnyConnection,
    actor: &str,
    caller: Option<&Principal>,
    request: &ExceptionRequest,
    authorize: impl FnOnce(&mut AnyConnection, &str) -> Result<(), ApiError>,
) -> Result<Exception, ApiError> {
    let unknown = || {
        ApiError::invalid(
            "/agreementId",
            "unknown-agreement",
            Text::NoSuchAgreement.msg(),
        )
    };
    let agreement = store::agreement_facts(conn, &request.agreement_id)?.ok_or_else(unknown)?;
    let audience = Audience::of_agreement(
        AgreementStatus::from_db(&agreement.status),
        &agreement.unit_code,
    );
    if let Some(caller) = caller
        && !Reader::new(caller).may_read(conn, &audience)?
    {
        return Err(unknown());
    }
    authorize(conn, &agreement.unit_code)?;
    if !agreement.partner_ids.contains(&request.partner_id) {
        return Err(ApiError::invalid(
            "/partnerId",
            "not-a-party",
            Text::NotAParty.msg(),
        ));
    }
    if AgreementStatus::from_db(&agreement.status).is_closed() {
        return Err(ApiError::conflict(Text::AgreementClosed.msg()));
    }
    if let Some(open) = store::open_request(conn, &request.agreement_id, &request.partner_id)? {
        return Err(ApiError::conflict(
            Text::RequestAlreadyOpen { id: open }.msg(),
        ));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let row = store::insert(conn, &id, request, &agreement.unit_code, actor)?;
    let exception = appended(conn, actor, EventAction::Requested, row)?;
    Ok(exception)
}

/// Records the decision on `row` as `actor`: never on one's own request (rule
/// EXCEPTION_DECIDED_BY_OTHER), once, on a pending request. The caller has checked the precondition.
pub fn decide(
    conn: &mut AnyConnection,
    actor: &str,
    row: &ExceptionRow,
    decision: &DecisionInput,
) -> Result<Exception, ApiError> {
    let id = &row.id;
    if row.requested_by == actor {
        return Err(
            ApiError::forbidden(Text::OwnRequest.msg()).with_errors(vec![FieldError::new(
                "",
                codes::EXCEPTION_DECIDED_BY_OTHER,
                Text::OwnRequestRule.msg(),
            )]),
        );
    }
    in_status(row, ExceptionStatus::Requested, |status| {
        Text::DecisionOnClosedRequest { status }
    })?;
    let errors = decision_errors(decision);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let valid_from = match decision.decision {
        DecisionOutcome::Granted => Some(decision.valid_from.unwrap_or(decision.decided_at)),
        DecisionOutcome::Denied => None,
    };
    if !store::record_decision(conn, id, row.version, decision, valid_from, actor)? {
        return Err(version_mismatch(row.version + 1));
    }
    let row = store::find_row(conn, id)?
        .ok_or_else(|| ApiError::internal("decided exception vanished"))?;
    let action = if decision.decision == DecisionOutcome::Granted {
        EventAction::Granted
    } else {
        EventAction::Denied
    };
    let exception = appended(conn, actor, action, row)?;
    Ok(exception)
}

/// Records the revocation of a granted exception as `actor` (authorisation and the precondition
/// are the caller's); the grant stays on record.
pub fn revoke(
    conn: &mut AnyConnection,
    actor: &str,
    row: &ExceptionRow,
    revocation: &RevocationInput,
) -> Result<Exception, ApiError> {
    in_status(row, ExceptionStatus::Granted, |status| {
        Text::OnlyGrantedRevoked { status }
    })?;
    let mut errors: Vec<FieldError> = decided_in_the_future(revocation.decided_at)
        .into_iter()
        .collect();
    if revocation.deciding_body == DecidingBody::Delegate
        && revocation.delegation_reference.is_none()
    {
        errors.push(FieldError::new(
            "/delegationReference",
            "required",
            Text::DelegationRequired.msg(),
        ));
    }
    if row.decided_at.is_some_and(|d| revocation.decided_at < d) {
        errors.push(FieldError::new(
            "/decidedAt",
            "before-decision",
            Text::RevocationBeforeGrant.msg(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if !store::record_revocation(conn, &row.id, row.version, revocation, actor)? {
        return Err(version_mismatch(row.version + 1));
    }
    let row = store::find_row(conn, &row.id)?.ok_or_else(not_found)?;
    appended(conn, actor, EventAction::Revoked, row)
}

/// Withdraws an undecided request as `actor` (authorisation and the precondition are the
/// caller's).
pub fn withdraw(
    conn: &mut AnyConnection,
    actor: &str,
    row: &ExceptionRow,
) -> Result<Exception, ApiError> {
    in_status(row, ExceptionStatus::Requested, |status| {
        Text::OnlyPendingWithdrawn { status }
    })?;
    if !store::withdraw(conn, &row.id, row.version)? {
        return Err(version_mismatch(row.version + 1));
    }
    let row = store::find_row(conn, &row.id)?.ok_or_else(not_found)?;
    appended(conn, actor, EventAction::Withdrawn, row)
}

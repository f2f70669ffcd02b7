//! What an exception write does, whoever asks: the HTTP handlers and the demo seed both call these.

use super::store::{self, ExceptionRow};
use super::{DecidingBody, DecisionInput, DecisionOutcome, Exception, ExceptionRequest};
use crate::db::AnyConnection;
use crate::events::{self, Change};
use crate::http::etag::version_mismatch;
use crate::http::problem::{ApiError, FieldError, Msg};
use crate::policy::catalogue::codes;

pub const ENTITY: &str = "EXCEPTION";

pub fn appended(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
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
            Msg::new(
                "A decision by a delegate names the delegation.",
                "Ett delegationsbeslut anger delegationen.",
            ),
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
            Msg::new(
                "A denial has no validity.",
                "Ett avslag har ingen giltighetstid.",
            ),
        ));
    }
    let from = d.valid_from.unwrap_or(d.decided_at);
    if let Some(until) = d.valid_until
        && until < from
    {
        errors.push(FieldError::new(
            "/validUntil",
            "before-start",
            Msg::new(
                "validUntil must not be before validFrom.",
                "validUntil får inte vara före validFrom.",
            ),
        ));
    }
    errors
}

/// Files a request as `actor` for an agreement and one of its partners; `authorize` decides
/// whether the caller may act for the agreement's unit.
pub fn request(
    conn: &mut AnyConnection,
    actor: &str,
    request: &ExceptionRequest,
    authorize: impl FnOnce(&mut AnyConnection, &str) -> Result<(), ApiError>,
) -> Result<Exception, ApiError> {
    let agreement =
        crate::agreements::store::find(conn, &request.agreement_id)?.ok_or_else(|| {
            ApiError::invalid(
                "/agreementId",
                "unknown-agreement",
                Msg::new(
                    "There is no agreement with this id.",
                    "Det finns inget samarbete med denna identitet.",
                ),
            )
        })?;
    authorize(conn, &agreement.row.unit_code)?;
    if !agreement.partner_ids.contains(&request.partner_id) {
        return Err(ApiError::invalid(
            "/partnerId",
            "not-a-party",
            Msg::new(
                "The partner is not a party to this agreement.",
                "Parten ingår inte i detta samarbete.",
            ),
        ));
    }
    if matches!(agreement.row.status.as_str(), "ENDED" | "CANCELLED") {
        return Err(ApiError::conflict(Msg::new(
            "The agreement has ended or been cancelled.",
            "Samarbetet är avslutat eller avbrutet.",
        )));
    }
    if let Some(open) = store::open_request(conn, &request.agreement_id, &request.partner_id)? {
        return Err(ApiError::conflict(Msg::new(
            format!(
                "Exception request {open} for this agreement and partner is already open or granted."
            ),
            format!(
                "Begäran om undantag {open} för detta samarbete och denna part är redan öppen eller beviljad."
            ),
        )));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let row = store::insert(conn, &id, request, &agreement.row.unit_code, actor)?;
    let exception = appended(conn, actor, "REQUESTED", row)?;
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
        return Err(ApiError::forbidden(Msg::new(
            "You filed this request, so someone else must record its decision.",
            "Du har lämnat denna begäran, så någon annan måste registrera beslutet.",
        ))
        .with_errors(vec![FieldError::new(
            "",
            codes::EXCEPTION_DECIDED_BY_OTHER,
            Msg::new(
                "Nobody records the decision on a request they filed.",
                "Ingen registrerar beslut om en begäran hon eller han själv har lämnat.",
            ),
        )]));
    }
    if row.status != "REQUESTED" {
        return Err(ApiError::conflict(Msg::new(
            format!(
                "The request is {}; a decision is recorded once, on a pending request.",
                row.status
            ),
            format!(
                "Begäran har status {}; beslut registreras en gång, på en väntande begäran.",
                row.status
            ),
        )));
    }
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
        "GRANTED"
    } else {
        "DENIED"
    };
    let exception = appended(conn, actor, action, row)?;
    Ok(exception)
}

//! Exception queries, including the state an exception had at the end of a past date.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{
    DecidingBody, Decision, DecisionInput, DecisionOutcome, Exception, ExceptionRequest,
    ExceptionStatus, Revocation, RevocationInput,
};
use crate::db::schema::exceptions as x;
use crate::db::{AnyConnection, MultiBackend, page};
use crate::http::problem::ApiError;
use crate::policy::eligibility::ExceptionFacts;

/// What a request needs of the agreement it is for.
pub struct AgreementFacts {
    pub unit_code: String,
    pub status: String,
    pub partner_ids: Vec<String>,
}

/// The agreement's unit, status and parties, if it exists.
pub fn agreement_facts(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<AgreementFacts>, ApiError> {
    use crate::db::schema::{agreement_partners as ap, agreements as a};
    let Some((unit_code, status)) = a::table
        .find(id)
        .select((a::unit_code, a::status))
        .first::<(String, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let partner_ids = ap::table
        .filter(ap::agreement_id.eq(id))
        .select(ap::partner_id)
        .load(conn)?;
    Ok(Some(AgreementFacts {
        unit_code,
        status,
        partner_ids,
    }))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = x)]
pub struct ExceptionRow {
    pub id: String,
    pub agreement_id: String,
    pub partner_id: String,
    pub unit_code: String,
    pub justification: String,
    pub case_number: String,
    pub status: String,
    pub requested_by: String,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub decision: Option<String>,
    pub deciding_body: Option<String>,
    pub delegation_reference: Option<String>,
    pub decided_at: Option<NaiveDate>,
    pub protocol_paragraph: Option<String>,
    pub conditions: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decision_recorded_at: Option<NaiveDateTime>,
    pub revocation_deciding_body: Option<String>,
    pub revocation_delegation_reference: Option<String>,
    pub revocation_decided_at: Option<NaiveDate>,
    pub revocation_protocol_paragraph: Option<String>,
    pub revocation_reason: Option<String>,
    pub revoked_by: Option<String>,
    pub revocation_recorded_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ExceptionRow {
    pub fn status(&self) -> ExceptionStatus {
        status_from_db(&self.status)
    }
}

pub fn status_from_db(s: &str) -> ExceptionStatus {
    match s {
        "GRANTED" => ExceptionStatus::Granted,
        "DENIED" => ExceptionStatus::Denied,
        "WITHDRAWN" => ExceptionStatus::Withdrawn,
        "REVOKED" => ExceptionStatus::Revoked,
        _ => ExceptionStatus::Requested,
    }
}

pub fn status_str(s: ExceptionStatus) -> &'static str {
    match s {
        ExceptionStatus::Requested => "REQUESTED",
        ExceptionStatus::Granted => "GRANTED",
        ExceptionStatus::Denied => "DENIED",
        ExceptionStatus::Withdrawn => "WITHDRAWN",
        ExceptionStatus::Revoked => "REVOKED",
    }
}

impl ExceptionRow {
    /// The state this exception had at the end of `date` (Stockholm), given the instant that ends
    /// it. Decisions and revocations count from the day they were decided, even when they were
    /// recorded in the register later; a request and its withdrawal count from when they were made.
    /// `None` when the request did not exist yet.
    pub fn facts_as_of(
        &self,
        date: NaiveDate,
        end_of_day: NaiveDateTime,
    ) -> Option<ExceptionFacts> {
        let decided = self.decided_at.is_some_and(|d| d <= date);
        let status = if self.revocation_decided_at.is_some_and(|d| d <= date) {
            ExceptionStatus::Revoked
        } else if decided {
            if self.decision.as_deref() == Some(DecisionOutcome::Granted.as_str()) {
                ExceptionStatus::Granted
            } else {
                ExceptionStatus::Denied
            }
        } else if self.created_at > end_of_day {
            return None;
        } else if self.withdrawn_at.is_some_and(|w| w <= end_of_day) {
            ExceptionStatus::Withdrawn
        } else {
            ExceptionStatus::Requested
        };
        Some(ExceptionFacts {
            id: self.id.clone(),
            agreement_id: self.agreement_id.clone(),
            status,
            valid_from: if decided { self.valid_from } else { None },
            valid_until: if decided { self.valid_until } else { None },
        })
    }
}

impl From<ExceptionRow> for Exception {
    fn from(r: ExceptionRow) -> Self {
        let decision = match (&r.decision, r.decided_at, &r.protocol_paragraph) {
            (Some(outcome), Some(decided_at), Some(paragraph)) => Some(Decision {
                decision: if outcome == DecisionOutcome::Granted.as_str() {
                    DecisionOutcome::Granted
                } else {
                    DecisionOutcome::Denied
                },
                deciding_body: DecidingBody::from_db(r.deciding_body.as_deref().unwrap_or("")),
                delegation_reference: r.delegation_reference.clone(),
                decided_at,
                protocol_paragraph: paragraph.clone(),
                conditions: r.conditions.clone(),
                valid_from: r.valid_from,
                valid_until: r.valid_until,
                recorded_by: r.decided_by.clone().unwrap_or_default(),
                recorded_at: r.decision_recorded_at.unwrap_or(r.updated_at).and_utc(),
            }),
            _ => None,
        };
        let revocation = match (r.revocation_decided_at, &r.revocation_protocol_paragraph) {
            (Some(decided_at), Some(paragraph)) => Some(Revocation {
                deciding_body: DecidingBody::from_db(
                    r.revocation_deciding_body.as_deref().unwrap_or(""),
                ),
                delegation_reference: r.revocation_delegation_reference.clone(),
                decided_at,
                protocol_paragraph: paragraph.clone(),
                reason: r.revocation_reason.clone().unwrap_or_default(),
                recorded_by: r.revoked_by.clone().unwrap_or_default(),
                recorded_at: r.revocation_recorded_at.unwrap_or(r.updated_at).and_utc(),
            }),
            _ => None,
        };
        Exception {
            status: status_from_db(&r.status),
            id: r.id,
            agreement_id: r.agreement_id,
            partner_id: r.partner_id,
            unit_code: r.unit_code,
            justification: r.justification,
            case_number: r.case_number,
            requested_by: r.requested_by,
            decision,
            revocation,
            withdrawn_at: r.withdrawn_at.map(|t| t.and_utc()),
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

pub fn find_row(conn: &mut AnyConnection, id: &str) -> Result<Option<ExceptionRow>, ApiError> {
    Ok(x::table
        .find(id)
        .select(ExceptionRow::as_select())
        .first(conn)
        .optional()?)
}

#[derive(Debug, Default, Clone)]
pub struct ExceptionFilter {
    pub status: Option<ExceptionStatus>,
    pub unit_code: Option<String>,
    pub partner_id: Option<String>,
    pub agreement_id: Option<String>,
    pub case_number: Option<String>,
}

fn filtered(f: &ExceptionFilter) -> x::BoxedQuery<'static, MultiBackend> {
    let mut q = x::table.into_boxed();
    if let Some(s) = f.status {
        q = q.filter(x::status.eq(status_str(s)));
    }
    if let Some(u) = &f.unit_code {
        q = q.filter(x::unit_code.eq(u.clone()));
    }
    if let Some(p) = &f.partner_id {
        q = q.filter(x::partner_id.eq(p.clone()));
    }
    if let Some(a) = &f.agreement_id {
        q = q.filter(x::agreement_id.eq(a.clone()));
    }
    if let Some(c) = &f.case_number {
        q = q.filter(x::case_number.eq(c.clone()));
    }
    q
}

pub fn list(
    conn: &mut AnyConnection,
    f: &ExceptionFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Exception>, i64), ApiError> {
    let order = (x::created_at.asc(), x::id.asc());
    let (rows, total): (Vec<ExceptionRow>, i64) = page!(
        conn,
        filtered(f),
        order,
        ExceptionRow::as_select(),
        offset,
        limit
    );
    Ok((rows.into_iter().map(Exception::from).collect(), total))
}

/// The rows `q` selects, oldest first (the order of every list of exceptions).
fn oldest_first(
    conn: &mut AnyConnection,
    q: x::BoxedQuery<'_, MultiBackend>,
) -> QueryResult<Vec<ExceptionRow>> {
    q.order((x::created_at.asc(), x::id.asc()))
        .select(ExceptionRow::as_select())
        .load(conn)
}

/// The exceptions of a partner (for one agreement, or all), as rows.
pub fn for_partner(
    conn: &mut AnyConnection,
    partner_id: &str,
    agreement_id: Option<&str>,
) -> Result<Vec<ExceptionRow>, ApiError> {
    let mut q = x::table.filter(x::partner_id.eq(partner_id)).into_boxed();
    if let Some(a) = agreement_id {
        q = q.filter(x::agreement_id.eq(a));
    }
    Ok(oldest_first(conn, q)?)
}

/// The exceptions of one agreement (all its partners).
pub fn for_agreement(
    conn: &mut AnyConnection,
    agreement_id: &str,
) -> Result<Vec<ExceptionRow>, ApiError> {
    let q = x::table.filter(x::agreement_id.eq(agreement_id));
    Ok(oldest_first(conn, q.into_boxed())?)
}

/// The exceptions of many agreements, in one query.
pub fn for_agreements(
    conn: &mut AnyConnection,
    agreement_ids: &[String],
) -> Result<Vec<ExceptionRow>, ApiError> {
    Ok(crate::db::in_chunks(agreement_ids, |chunk| {
        oldest_first(
            conn,
            x::table.filter(x::agreement_id.eq_any(chunk)).into_boxed(),
        )
    })?)
}

/// Every exception request created by `at` (naive UTC).
pub fn created_by(
    conn: &mut AnyConnection,
    at: NaiveDateTime,
) -> Result<Vec<ExceptionRow>, ApiError> {
    Ok(oldest_first(
        conn,
        x::table.filter(x::created_at.le(at)).into_boxed(),
    )?)
}

/// Whether a request for this agreement and partner is open (requested, or granted and not revoked).
pub fn open_request(
    conn: &mut AnyConnection,
    agreement_id: &str,
    partner_id: &str,
) -> Result<Option<String>, ApiError> {
    Ok(x::table
        .filter(x::agreement_id.eq(agreement_id))
        .filter(x::partner_id.eq(partner_id))
        .filter(x::status.eq_any([
            status_str(ExceptionStatus::Requested),
            status_str(ExceptionStatus::Granted),
        ]))
        .select(x::id)
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut AnyConnection,
    id: &str,
    req: &ExceptionRequest,
    unit_code: &str,
    requested_by: &str,
) -> Result<ExceptionRow, ApiError> {
    let now = crate::db::now();
    diesel::insert_into(x::table)
        .values((
            x::id.eq(id),
            x::agreement_id.eq(&req.agreement_id),
            x::partner_id.eq(&req.partner_id),
            x::unit_code.eq(unit_code),
            x::justification.eq(req.justification.as_str()),
            x::case_number.eq(req.case_number.as_str()),
            x::status.eq(status_str(ExceptionStatus::Requested)),
            x::requested_by.eq(requested_by),
            x::version.eq(1),
            x::created_at.eq(now),
            x::updated_at.eq(now),
        ))
        .execute(conn)?;
    find_row(conn, id)?.ok_or_else(|| ApiError::internal("inserted exception vanished"))
}

fn bump(conn: &mut AnyConnection, id: &str, version: i32, status: &str) -> Result<bool, ApiError> {
    Ok(
        diesel::update(x::table.find(id).filter(x::version.eq(version)))
            .set((
                x::status.eq(status),
                x::version.eq(version + 1),
                x::updated_at.eq(crate::db::now()),
            ))
            .execute(conn)?
            == 1,
    )
}

pub fn record_decision(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    d: &DecisionInput,
    valid_from: Option<NaiveDate>,
    by: &str,
) -> Result<bool, ApiError> {
    if !bump(conn, id, version, d.decision.as_str())? {
        return Ok(false);
    }
    diesel::update(x::table.find(id))
        .set((
            x::decision.eq(Some(d.decision.as_str())),
            x::deciding_body.eq(Some(d.deciding_body.as_str())),
            x::delegation_reference.eq(d
                .delegation_reference
                .as_ref()
                .map(|r| r.as_str().to_string())),
            x::decided_at.eq(Some(d.decided_at)),
            x::protocol_paragraph.eq(Some(d.protocol_paragraph.as_str())),
            x::conditions.eq(d.conditions.as_ref().map(|c| c.as_str().to_string())),
            x::valid_from.eq(valid_from),
            x::valid_until.eq(d.valid_until),
            x::decided_by.eq(Some(by)),
            x::decision_recorded_at.eq(Some(crate::db::now())),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn record_revocation(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    r: &RevocationInput,
    by: &str,
) -> Result<bool, ApiError> {
    if !bump(conn, id, version, "REVOKED")? {
        return Ok(false);
    }
    diesel::update(x::table.find(id))
        .set((
            x::revocation_deciding_body.eq(Some(r.deciding_body.as_str())),
            x::revocation_delegation_reference.eq(r
                .delegation_reference
                .as_ref()
                .map(|d| d.as_str().to_string())),
            x::revocation_decided_at.eq(Some(r.decided_at)),
            x::revocation_protocol_paragraph.eq(Some(r.protocol_paragraph.as_str())),
            x::revocation_reason.eq(Some(r.reason.as_str())),
            x::revoked_by.eq(Some(by)),
            x::revocation_recorded_at.eq(Some(crate::db::now())),
        ))
        .execute(conn)?;
    Ok(true)
}

pub fn withdraw(conn: &mut AnyConnection, id: &str, version: i32) -> Result<bool, ApiError> {
    if !bump(conn, id, version, "WITHDRAWN")? {
        return Ok(false);
    }
    diesel::update(x::table.find(id))
        .set(x::withdrawn_at.eq(Some(crate::db::now())))
        .execute(conn)?;
    Ok(true)
}

//! The reports built over the store's queries: the register loaded once, counted and judged in
//! Rust.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};

use super::store;
use super::{
    ComplianceReport, ExpiringAssessment, ExpiringException, ExpiryWindow, Names, OverdueItem,
    PartnerInfo, Period, ReviewItem, SummaryReport, WaitingRequest, summarise,
};
use crate::agreements::compliance::compliance;
use crate::agreements::store::AgreementRecord;
use crate::agreements::{AgreementStatus, ComplianceStatus};
use crate::assessments::end_of_stockholm_day;
use crate::db::AnyConnection;
use crate::domain::UnitCode;
use crate::http::problem::ApiError;
use crate::partners::store::by_ids;
use crate::policy::eligibility::ExceptionStatus;

/// The summary of the agreements active in `period` (of `unit` and the units below it, or of the
/// whole city).
pub fn summary_report(
    conn: &mut AnyConnection,
    period: Period,
    unit: Option<UnitCode>,
) -> Result<SummaryReport, ApiError> {
    let scope = unit_scope(conn, unit.as_ref())?;
    let all = store::agreements_once_active(conn)?;
    let active: Vec<&AgreementRecord> = all
        .iter()
        .filter(|r| period.covers(&r.row) && in_scope(&scope, &r.row.unit_code))
        .collect();
    let names = Names {
        partners: by_ids::<PartnerInfo>(conn, &partner_ids(&active))?,
        units: store::unit_names(conn)?,
        countries: store::country_names(conn)?,
    };
    Ok(summarise(
        period,
        unit.map(UnitCode::into_inner),
        &active,
        &names,
    ))
}

/// The unit and the units below it; `None` for the whole city.
fn unit_scope(
    conn: &mut AnyConnection,
    unit: Option<&UnitCode>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(unit) = unit else {
        return Ok(None);
    };
    if !crate::units::store::exists(conn, unit.as_str())? {
        return Err(ApiError::invalid(
            "/query/unitCode",
            "unknown-unit",
            crate::text::Text::NoSuchUnit.msg(),
        ));
    }
    Ok(Some(crate::db::reference::unit_subtree(
        conn,
        unit.as_str(),
    )?))
}

fn in_scope(scope: &Option<Vec<String>>, unit: &str) -> bool {
    scope
        .as_ref()
        .is_none_or(|units| units.iter().any(|u| u == unit))
}

fn partner_ids(records: &[&AgreementRecord]) -> Vec<String> {
    records
        .iter()
        .flat_map(|r| r.partner_ids.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn stockholm_date(at: NaiveDateTime) -> NaiveDate {
    at.and_utc()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

/// The compliance report for `as_of` and the expiry `window` (inclusive).
pub fn compliance_report(
    conn: &mut AnyConnection,
    period: Period,
    window: (NaiveDate, NaiveDate),
    unit: Option<&UnitCode>,
) -> Result<ComplianceReport, ApiError> {
    let as_of = period.last_day();
    let end_of_day = end_of_stockholm_day(as_of);
    let scope = unit_scope(conn, unit)?;
    let all = store::agreements_once_active(conn)?;
    let active: Vec<&AgreementRecord> = all
        .iter()
        .filter(|r| Period::At(as_of).covers(&r.row) && in_scope(&scope, &r.row.unit_code))
        .collect();

    let mut under_review = Vec::new();
    let mut overdue = Vec::new();
    for record in &active {
        // Judged as the active agreement it was on `as_of`, even if it has ended since.
        let mut judged = (*record).clone();
        judged.row.status = AgreementStatus::Active.as_str().into();
        if let Some(c) = compliance(conn, &judged, as_of)?
            && c.status == ComplianceStatus::ReviewRequired
        {
            under_review.push(ReviewItem {
                agreement_id: record.row.id.clone(),
                title: record.row.title.clone(),
                unit_code: record.row.unit_code.clone(),
                case_number: record.row.case_number.clone(),
                reasons: c.reasons,
            });
        }
        if let Some(end) = record.row.end_date
            && end < as_of
        {
            overdue.push(OverdueItem {
                agreement_id: record.row.id.clone(),
                title: record.row.title.clone(),
                unit_code: record.row.unit_code.clone(),
                case_number: record.row.case_number.clone(),
                end_date: end,
                days_overdue: (as_of - end).num_days(),
            });
        }
    }

    let partners = by_ids::<PartnerInfo>(conn, &partner_ids(&active))?;
    let mut expiring_assessments = Vec::new();
    for assessment in store::assessments_in_force(conn, end_of_day)? {
        if assessment.valid_until > window.1 {
            continue;
        }
        let covers = |partner_id: &String| match &assessment.partner_id {
            Some(own) => own == partner_id,
            None => partners
                .get(partner_id)
                .is_some_and(|p| p.country_code == assessment.country_code),
        };
        let agreement_ids: Vec<String> = active
            .iter()
            .filter(|r| r.partner_ids.iter().any(covers))
            .map(|r| r.row.id.clone())
            .collect();
        if scope.is_some() && agreement_ids.is_empty() {
            continue;
        }
        expiring_assessments.push(ExpiringAssessment {
            assessment_id: assessment.id.clone(),
            country_code: assessment.country_code.clone(),
            partner_id: assessment.partner_id.clone(),
            outcome: assessment.outcome,
            valid_until: assessment.valid_until,
            days_left: (assessment.valid_until - as_of).num_days(),
            expired: assessment.valid_until < as_of,
            agreement_ids,
        });
    }

    let mut expiring_exceptions = Vec::new();
    let mut waiting_requests = Vec::new();
    for row in crate::exceptions::store::created_by(conn, end_of_day)? {
        if !in_scope(&scope, &row.unit_code) {
            continue;
        }
        let Some(facts) = row.facts_as_of(as_of, end_of_day) else {
            continue;
        };
        match facts.status {
            ExceptionStatus::Granted => {
                let Some(until) = facts.valid_until else {
                    continue;
                };
                if until < window.0 || until > window.1 {
                    continue;
                }
                expiring_exceptions.push(ExpiringException {
                    exception_id: row.id.clone(),
                    agreement_id: row.agreement_id.clone(),
                    partner_id: row.partner_id.clone(),
                    unit_code: row.unit_code.clone(),
                    case_number: row.case_number.clone(),
                    valid_until: until,
                    days_left: (until - as_of).num_days(),
                    expired: until < as_of,
                });
            }
            ExceptionStatus::Requested => waiting_requests.push(WaitingRequest {
                exception_id: row.id.clone(),
                agreement_id: row.agreement_id.clone(),
                partner_id: row.partner_id.clone(),
                unit_code: row.unit_code.clone(),
                case_number: row.case_number.clone(),
                requested_at: row.created_at.and_utc(),
                days_waiting: (as_of - stockholm_date(row.created_at)).num_days().max(0),
            }),
            _ => {}
        }
    }
    expiring_exceptions.sort_by(|a, b| {
        a.valid_until
            .cmp(&b.valid_until)
            .then(a.exception_id.cmp(&b.exception_id))
    });

    Ok(ComplianceReport {
        period: period.view(),
        as_of,
        window: ExpiryWindow {
            from: window.0,
            to: window.1,
        },
        unit_code: unit.map(|u| u.as_str().to_string()),
        generated_at: chrono::Utc::now(),
        under_review,
        overdue,
        expiring_assessments,
        expiring_exceptions,
        waiting_requests,
    })
}

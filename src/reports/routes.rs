use actix_web::http::header;
use actix_web::{HttpResponse, get};
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service;
use super::{ComplianceReport, Period, SummaryReport};
use crate::domain::UnitCode;
use crate::exceptions::store::status_str;
use crate::http::auth::Capability;
use crate::http::crud::Call;
use crate::http::csv::{escape_cell, wants_csv};
use crate::http::json::Query;
use crate::http::problem::{ApiError, FieldError};
use crate::http::reply;
use crate::policy::eligibility::ExceptionStatus;

/// The default and the limits of `expiresWithinDays`.
pub const DEFAULT_EXPIRES_WITHIN_DAYS: i64 = 90;
pub const MAX_EXPIRES_WITHIN_DAYS: i64 = 3650;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// A point in time (Europe/Stockholm): the agreements active at the end of that day. Today
    /// when neither `date` nor `from`/`to` is given; not together with them.
    #[param(example = "2026-11-26")]
    date: Option<NaiveDate>,
    /// The first day of a range (inclusive): the agreements active at any moment of it. Needs `to`.
    #[param(example = "2026-01-01")]
    from: Option<NaiveDate>,
    /// The last day of a range (inclusive). Needs `from`.
    #[param(example = "2026-12-31")]
    to: Option<NaiveDate>,
    /// Only this unit and the units below it.
    #[param(example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")]
    unit_code: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ComplianceParams {
    /// The day to judge (Europe/Stockholm), as the register stood at the end of it; today when
    /// neither `date` nor `from`/`to` is given; not together with them.
    #[param(example = "2026-11-26")]
    date: Option<NaiveDate>,
    /// The first day of a range (inclusive): expiries from this day to `to` are listed, and the
    /// state is judged on `to`. Needs `to`; not together with `expiresWithinDays`.
    #[param(example = "2026-01-01")]
    from: Option<NaiveDate>,
    /// The last day of a range (inclusive). Needs `from`.
    #[param(example = "2026-12-31")]
    to: Option<NaiveDate>,
    /// With a date: list assessments and exceptions that expire within this many days of it.
    #[param(minimum = 1, maximum = 3650, default = 90, example = 90)]
    expires_within_days: Option<i64>,
    /// Only this unit and the units below it (assessments: those its active agreements rest on).
    #[param(example = "KFN", pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$")]
    unit_code: Option<String>,
}

impl SummaryParams {
    /// The period and the unit asked about.
    fn resolve(self) -> Result<(Period, Option<UnitCode>), ApiError> {
        let period = resolve_period(self.date, self.from, self.to)?;
        Ok((period, parse_unit(self.unit_code)?))
    }
}

/// The expiry window of a compliance report: first and last day, inclusive.
type Window = (NaiveDate, NaiveDate);

impl ComplianceParams {
    /// The period, the expiry window and the unit asked about.
    fn resolve(self) -> Result<(Period, Window, Option<UnitCode>), ApiError> {
        let mut errors = Vec::new();
        if let Some(n) = self.expires_within_days {
            if !(1..=MAX_EXPIRES_WITHIN_DAYS).contains(&n) {
                errors.push(FieldError::new(
                    "/query/expiresWithinDays",
                    "out-of-range",
                    crate::text::Text::ExpiresWithinDaysReport {
                        max: MAX_EXPIRES_WITHIN_DAYS as usize,
                    }
                    .msg(),
                ));
            } else if self.from.is_some() || self.to.is_some() {
                errors.push(conflicting(
                    "/query/expiresWithinDays",
                    crate::text::Text::RangeIsTheWindow,
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let period = resolve_period(self.date, self.from, self.to)?;
        let unit = parse_unit(self.unit_code)?;
        let days = self
            .expires_within_days
            .unwrap_or(DEFAULT_EXPIRES_WITHIN_DAYS) as u64;
        let window = match period {
            Period::At(d) => (
                d,
                d.checked_add_days(Days::new(days))
                    .unwrap_or(NaiveDate::MAX),
            ),
            Period::Range { from, to } => (from, to),
        };
        Ok((period, window, unit))
    }
}

fn conflicting(pointer: &str, text: crate::text::Text) -> FieldError {
    FieldError::new(pointer, "conflicting-parameters", text.msg())
}

/// One day, or a range; never both, and a range has both ends in order.
fn resolve_period(
    date: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Period, ApiError> {
    let mut errors = Vec::new();
    if date.is_some() && (from.is_some() || to.is_some()) {
        errors.push(conflicting("/query/date", crate::text::Text::DateOrRange));
    }
    match (from, to) {
        (Some(_), None) => errors.push(FieldError::new(
            "/query/to",
            "required",
            crate::text::Text::RangeNeedsTo.msg(),
        )),
        (None, Some(_)) => errors.push(FieldError::new(
            "/query/from",
            "required",
            crate::text::Text::RangeNeedsFrom.msg(),
        )),
        (Some(f), Some(t)) if t < f => errors.push(FieldError::new(
            "/query/to",
            "before-start",
            crate::text::Text::ToBeforeFrom.msg(),
        )),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(match (date, from, to) {
        (_, Some(from), Some(to)) => Period::Range { from, to },
        (Some(d), _, _) => Period::At(d),
        _ => Period::At(crate::policy::today()),
    })
}

fn parse_unit(raw: Option<String>) -> Result<Option<UnitCode>, ApiError> {
    raw.map(|u| {
        UnitCode::parse(&u).map_err(|_| {
            ApiError::invalid(
                "/query/unitCode",
                "invalid-unit-code",
                crate::text::Text::UnitCodeParamInvalid.msg(),
            )
        })
    })
    .transpose()
}

/// Writes `rows` under `header` as CSV, every cell escaped for spreadsheets.
fn csv_body(name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Result<HttpResponse, ApiError> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e: ::csv::Error| ApiError::internal(e.to_string());
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|c| escape_cell(c)))
            .map_err(fail)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body))
}

const SUMMARY_COLUMNS: [&str; 8] = [
    "section", "key", "label", "count", "currency", "amount", "percent", "date",
];

fn summary_rows(report: &SummaryReport) -> Vec<Vec<String>> {
    let row = |section: &str,
               key: &str,
               label: &str,
               count: String,
               currency: &str,
               amount: String,
               percent: &str,
               date: String| {
        vec![
            section.to_string(),
            key.to_string(),
            label.to_string(),
            count,
            currency.to_string(),
            amount,
            percent.to_string(),
            date,
        ]
    };
    let none = String::new;
    let mut rows = vec![
        row(
            "PERIOD",
            "FROM",
            "",
            none(),
            "",
            none(),
            "",
            report.period.from.to_string(),
        ),
        row(
            "PERIOD",
            "TO",
            "",
            none(),
            "",
            none(),
            "",
            report.period.to.to_string(),
        ),
        row(
            "ACTIVE_AGREEMENTS",
            report.unit_code.as_deref().unwrap_or(""),
            "",
            report.active_agreements.to_string(),
            "",
            none(),
            "",
            none(),
        ),
    ];
    for (section, items) in [
        ("PURPOSE", &report.by_purpose),
        ("SDG", &report.by_sdg),
        ("UNIT", &report.by_unit),
        ("COUNTRY", &report.by_country),
        ("TYPE", &report.by_type),
    ] {
        for item in items {
            rows.push(row(
                section,
                &item.key,
                item.label.as_deref().unwrap_or(""),
                item.count.to_string(),
                "",
                none(),
                "",
                none(),
            ));
        }
    }
    for s in &report.sister_cities {
        rows.push(row(
            "SISTER_CITY",
            &s.partner_id,
            &s.name,
            s.agreement_ids.len().to_string(),
            "",
            none(),
            "",
            s.since.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    for f in &report.funding {
        let currency = f.currency.as_str();
        for s in &f.by_source {
            let source = serde_json::to_value(s.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            rows.push(row(
                "FUNDING",
                &source,
                "",
                s.lines.to_string(),
                currency,
                s.amount.to_string(),
                "",
                none(),
            ));
        }
        rows.push(row(
            "FUNDING_TOTAL",
            "TOTAL",
            "",
            none(),
            currency,
            f.total.to_string(),
            "",
            none(),
        ));
        rows.push(row(
            "FUNDING_TOTAL",
            "OWN",
            "",
            none(),
            currency,
            f.own.to_string(),
            "",
            none(),
        ));
        rows.push(row(
            "FUNDING_TOTAL",
            "EXTERNAL",
            "",
            none(),
            currency,
            f.external.to_string(),
            f.external_share_percent.as_deref().unwrap_or(""),
            none(),
        ));
    }
    rows
}

/// Follow-up summary / Sammanställning för uppföljning
///
/// The agreements active on a date (at the end of that day, Europe/Stockholm; today by default)
/// or at any moment of a range `from`–`to`: counted by purpose, global goal, unit, partner
/// country and type; the sister cities (vänorter); and the funding per currency and source with
/// the external share (`externalSharePercent`: external ÷ total × 100, two decimals, rounded
/// half up). Sums are exact. "Active" follows the register's activation, end and cancellation
/// times. `Accept: text/csv` returns one flat table with the columns section, key, label, count,
/// currency, amount, percent and date.
#[utoipa::path(
    tag = "Reports",
    operation_id = "getSummaryReport",
    params(SummaryParams),
    responses(
        (status = 200, description = "The summary (or CSV).", content(
            (SummaryReport = "application/json"),
            (String = "text/csv", example = "section,key,label,count,currency,amount,percent,date\nPERIOD,FROM,,,,,,2026-11-26\nPERIOD,TO,,,,,,2026-11-26\nACTIVE_AGREEMENTS,,,2,,,,\nPURPOSE,SISTER_CITIES,Developing the work with sister cities,1,,,,\nCOUNTRY,NO,Norge,1,,,,\nSISTER_CITY,0192f5d2-0000-7000-8000-000000000001,Tammerfors (exempel),1,,,,2025-01-01\nFUNDING,REGIONAL,,1,SEK,100000.00,,\nFUNDING_TOTAL,EXTERNAL,,,SEK,100000.00,66.67,\n"),
        )),
    )
)]
#[get("/reports/summary")]
pub async fn get_summary_report(
    call: Call,
    query: Query<SummaryParams>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let (period, unit) = query.0.resolve()?;
    let report = call
        .db
        .read(move |conn| service::summary_report(conn, period, unit))
        .await?;
    if wants_csv(&call.req) {
        return csv_body("summary-report", &SUMMARY_COLUMNS, summary_rows(&report));
    }
    reply::json(&report)
}

const COMPLIANCE_COLUMNS: [&str; 12] = [
    "section",
    "id",
    "agreementId",
    "partnerId",
    "unitCode",
    "countryCode",
    "caseNumber",
    "title",
    "code",
    "detail",
    "date",
    "days",
];

fn compliance_rows(report: &ComplianceReport) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    for item in &report.under_review {
        for reason in &item.reasons {
            rows.push(vec![
                "UNDER_REVIEW".into(),
                item.agreement_id.clone(),
                item.agreement_id.clone(),
                opt(&reason.partner_id),
                item.unit_code.clone(),
                String::new(),
                opt(&item.case_number),
                item.title.clone(),
                reason.code.to_string(),
                reason.detail.0.get(crate::text::current()).to_string(),
                report.as_of.to_string(),
                String::new(),
            ]);
        }
    }
    for item in &report.overdue {
        rows.push(vec![
            "OVERDUE".into(),
            item.agreement_id.clone(),
            item.agreement_id.clone(),
            String::new(),
            item.unit_code.clone(),
            String::new(),
            opt(&item.case_number),
            item.title.clone(),
            "OVERDUE".into(),
            String::new(),
            item.end_date.to_string(),
            item.days_overdue.to_string(),
        ]);
    }
    let state = |expired: bool| if expired { "EXPIRED" } else { "EXPIRES" }.to_string();
    for item in &report.expiring_assessments {
        rows.push(vec![
            "ASSESSMENT".into(),
            item.assessment_id.clone(),
            item.agreement_ids.join(";"),
            opt(&item.partner_id),
            String::new(),
            item.country_code.clone(),
            String::new(),
            String::new(),
            state(item.expired),
            item.outcome.as_str().to_string(),
            item.valid_until.to_string(),
            item.days_left.to_string(),
        ]);
    }
    for item in &report.expiring_exceptions {
        rows.push(vec![
            "EXCEPTION".into(),
            item.exception_id.clone(),
            item.agreement_id.clone(),
            item.partner_id.clone(),
            item.unit_code.clone(),
            String::new(),
            item.case_number.clone(),
            String::new(),
            state(item.expired),
            String::new(),
            item.valid_until.to_string(),
            item.days_left.to_string(),
        ]);
    }
    for item in &report.waiting_requests {
        rows.push(vec![
            "WAITING_REQUEST".into(),
            item.exception_id.clone(),
            item.agreement_id.clone(),
            item.partner_id.clone(),
            item.unit_code.clone(),
            String::new(),
            item.case_number.clone(),
            String::new(),
            status_str(ExceptionStatus::Requested).into(),
            String::new(),
            item.requested_at.date_naive().to_string(),
            item.days_waiting.to_string(),
        ]);
    }
    rows
}

/// Follow-up of compliance / Uppföljning av efterlevnad
///
/// What needs attention on a date (today by default), as the register stood at the end of it:
/// active agreements `REVIEW_REQUIRED` with the reasons, active agreements past their end date,
/// published assessments in force that expire within `expiresWithinDays` (default 90) or have
/// already expired, granted exceptions that expire within that window, and exception requests
/// waiting for a decision; each with its ids. With a range `from`–`to`, expiries in the range are
/// listed and the rest is judged on `to`. `Accept: text/csv` returns one flat table with the
/// columns section, id, agreementId, partnerId, unitCode, countryCode, caseNumber, title, code,
/// detail, date and days.
#[utoipa::path(
    tag = "Reports",
    operation_id = "getComplianceReport",
    params(ComplianceParams),
    responses(
        (status = 200, description = "The compliance report (or CSV).", content(
            (ComplianceReport = "application/json"),
            (String = "text/csv", example = "section,id,agreementId,partnerId,unitCode,countryCode,caseNumber,title,code,detail,date,days\nUNDER_REVIEW,0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e,0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e,0192f5d2-0000-7000-8000-000000000004,GSN,,DEMO-2026-003,Kunskapsutbyte (exempel),FAILING_ASSESSMENT,The partner no longer meets: RULE_OF_LAW.,2026-11-26,\nASSESSMENT,0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d71,0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6f,,,FI,,,EXPIRES,MEETS_REQUIREMENTS,2027-01-30,65\n"),
        )),
    )
)]
#[get("/reports/compliance")]
pub async fn get_compliance_report(
    call: Call,
    query: Query<ComplianceParams>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let (period, window, unit) = query.0.resolve()?;
    let report = call
        .db
        .read(move |conn| service::compliance_report(conn, period, window, unit.as_ref()))
        .await?;
    if wants_csv(&call.req) {
        return csv_body(
            "compliance-report",
            &COMPLIANCE_COLUMNS,
            compliance_rows(&report),
        );
    }
    reply::json(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_is_a_date_or_a_whole_range_never_both() {
        assert_eq!(
            resolve_period(Some(day("2026-03-01")), None, None).unwrap(),
            Period::At(day("2026-03-01"))
        );
        assert_eq!(
            resolve_period(None, Some(day("2026-01-01")), Some(day("2026-01-01"))).unwrap(),
            Period::Range {
                from: day("2026-01-01"),
                to: day("2026-01-01")
            }
        );
        assert!(
            resolve_period(
                Some(day("2026-03-01")),
                Some(day("2026-01-01")),
                Some(day("2026-02-01"))
            )
            .is_err()
        );
        assert!(resolve_period(None, Some(day("2026-01-01")), None).is_err());
        assert!(resolve_period(None, None, Some(day("2026-01-01"))).is_err());
        assert!(resolve_period(None, Some(day("2026-02-01")), Some(day("2026-01-01"))).is_err());
        assert_eq!(
            resolve_period(None, None, None).unwrap(),
            Period::At(crate::policy::today())
        );
    }
}

use actix_web::{HttpResponse, get};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::service;
use super::{ComplianceReport, Period, SummaryReport};
use crate::db::AnyConnection;
use crate::domain::UnitCode;
use crate::exceptions::store::status_str;
use crate::http::auth::Capability;
use crate::http::crud::Call;
use crate::http::csv::{csv_bytes, file_response};
use crate::http::export::{Cell, Column, ExportFormat, plain};
use crate::http::json::Query;
use crate::http::problem::{ApiError, FieldError};
use crate::http::reply;
use crate::http::xlsx::{Sheet, workbook};
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
    /// `csv` or `xlsx`: the report as a file (CSV: one flat table; XLSX: one sheet per section),
    /// as `Accept` with the file's media type asks, for links opened in a browser; `json` is the
    /// default. Wins over `Accept`.
    #[param(required = false, inline)]
    format: Option<ExportFormat>,
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
    /// `csv` or `xlsx`: the report as a file (CSV: one flat table; XLSX: one sheet per section),
    /// as `Accept` with the file's media type asks, for links opened in a browser; `json` is the
    /// default. Wins over `Accept`.
    #[param(required = false, inline)]
    format: Option<ExportFormat>,
}

impl ReportQuery<SummaryReport> for SummaryParams {
    /// The summary of the period and the unit asked about.
    fn reading(self) -> Result<Reading<SummaryReport>, ApiError> {
        let period = resolve_period(self.date, self.from, self.to)?;
        let unit = parse_unit(self.unit_code)?;
        Ok(Box::new(move |conn| {
            service::summary_report(conn, period, unit)
        }))
    }
}

impl ReportQuery<ComplianceReport> for ComplianceParams {
    /// The compliance of the period, the expiry window and the unit asked about.
    fn reading(self) -> Result<Reading<ComplianceReport>, ApiError> {
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
        Ok(Box::new(move |conn| {
            service::compliance_report(conn, period, window, unit.as_ref())
        }))
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

/// A report cell: an empty text is an empty cell.
fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

/// What a report is as a file: its name, its columns, its sections and its rows.
trait ReportFile: Serialize + Send + 'static {
    const NAME: &'static str;
    const COLUMNS: &'static [Column];
    const SECTIONS: &'static [&'static str];
    /// The rows, each beginning with its section.
    fn rows(&self) -> Vec<Vec<Cell>>;
}

/// A reading of the register that builds a report.
type Reading<R> = Box<dyn FnOnce(&mut AnyConnection) -> Result<R, ApiError> + Send>;

/// The query of a report `R`: the reading of the register it asks for, or why it is refused.
trait ReportQuery<R> {
    fn reading(self) -> Result<Reading<R>, ApiError>;
}

/// Both report endpoints: a reader's report, as JSON or as the file the query or `Accept` asks.
async fn answer<R: ReportFile>(
    call: Call,
    format: Option<ExportFormat>,
    query: impl ReportQuery<R>,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::Read)?;
    let report = call.db.read(query.reading()?).await?;
    let format = ExportFormat::negotiate(&call.req, format);
    if format.is_file() {
        return report_file(format, &report);
    }
    reply::json(&report)
}

/// A report as a file: CSV keeps one flat table whose first column names the section; the
/// workbook has one sheet per section (every section, in this order, even when it has no rows),
/// each with the same columns.
fn report_file<R: ReportFile>(format: ExportFormat, report: &R) -> Result<HttpResponse, ApiError> {
    let (columns, sections, rows) = (R::COLUMNS, R::SECTIONS, report.rows());
    let body = match format {
        ExportFormat::Xlsx => {
            let lang = crate::text::current();
            let of_section = |section: &str| -> Vec<Vec<Cell>> {
                rows.iter()
                    .filter(|row| matches!(row.first(), Some(Cell::Text(name)) if name == section))
                    .cloned()
                    .collect()
            };
            let grouped: Vec<Vec<Vec<Cell>>> = sections.iter().map(|s| of_section(s)).collect();
            let makers: Vec<_> = grouped
                .iter()
                .map(|g| move || Box::new(g.iter().cloned()) as Box<dyn Iterator<Item = Vec<Cell>>>)
                .collect();
            let sheets = sections
                .iter()
                .zip(grouped.iter().zip(&makers))
                .map(|(section, (group, rows))| Sheet {
                    name: crate::text::Text::ReportSection {
                        code: (*section).to_string(),
                    }
                    .render(lang),
                    columns,
                    len: group.len(),
                    rows,
                })
                .collect();
            workbook(sheets)?
        }
        _ => csv_bytes(columns, rows)?,
    };
    Ok(file_response(format, R::NAME).body(body))
}

/// The columns of the summary's file, in order.
pub const SUMMARY_COLUMNS: &[Column] = &[
    Column::text("section"),
    Column::text("key"),
    Column::text("label"),
    Column::integer("count"),
    Column::text("currency"),
    Column::decimal("amount"),
    Column::decimal("percent"),
    Column::date("date"),
];

/// The summary's sections, in the order of its rows.
pub const SUMMARY_SECTIONS: &[&str] = &[
    "PERIOD",
    "ACTIVE_AGREEMENTS",
    "PURPOSE",
    "SDG",
    "UNIT",
    "COUNTRY",
    "TYPE",
    "SISTER_CITY",
    "FUNDING",
    "FUNDING_TOTAL",
];

/// One row of the summary's file, every column present.
struct SummaryRow<'a> {
    section: &'a str,
    key: &'a str,
    label: &'a str,
    count: Option<i64>,
    currency: &'a str,
    amount: Option<String>,
    percent: Option<&'a str>,
    date: Option<NaiveDate>,
}

impl SummaryRow<'_> {
    fn of(section: &str) -> SummaryRow<'_> {
        SummaryRow {
            section,
            key: "",
            label: "",
            count: None,
            currency: "",
            amount: None,
            percent: None,
            date: None,
        }
    }

    fn cells(self) -> Vec<Cell> {
        vec![
            text(self.section),
            text(self.key),
            text(self.label),
            self.count.into(),
            text(self.currency),
            self.amount.map_or(Cell::Empty, Cell::Exact),
            self.percent
                .map_or(Cell::Empty, |p| Cell::Exact(p.to_string())),
            self.date.into(),
        ]
    }
}

impl ReportFile for SummaryReport {
    const NAME: &'static str = "summary-report";
    const COLUMNS: &'static [Column] = SUMMARY_COLUMNS;
    const SECTIONS: &'static [&'static str] = SUMMARY_SECTIONS;

    fn rows(&self) -> Vec<Vec<Cell>> {
        summary_rows(self)
    }
}

fn summary_rows(report: &SummaryReport) -> Vec<Vec<Cell>> {
    let mut rows = vec![
        SummaryRow {
            key: "FROM",
            date: Some(report.period.from),
            ..SummaryRow::of("PERIOD")
        }
        .cells(),
        SummaryRow {
            key: "TO",
            date: Some(report.period.to),
            ..SummaryRow::of("PERIOD")
        }
        .cells(),
        SummaryRow {
            key: report.unit_code.as_deref().unwrap_or(""),
            count: Some(report.active_agreements),
            ..SummaryRow::of("ACTIVE_AGREEMENTS")
        }
        .cells(),
    ];
    for (section, items) in [
        ("PURPOSE", &report.by_purpose),
        ("SDG", &report.by_sdg),
        ("UNIT", &report.by_unit),
        ("COUNTRY", &report.by_country),
        ("TYPE", &report.by_type),
    ] {
        for item in items {
            rows.push(
                SummaryRow {
                    key: &item.key,
                    label: item.label.as_deref().unwrap_or(""),
                    count: Some(item.count),
                    ..SummaryRow::of(section)
                }
                .cells(),
            );
        }
    }
    for s in &report.sister_cities {
        rows.push(
            SummaryRow {
                key: &s.partner_id,
                label: &s.name,
                count: Some(s.agreement_ids.len() as i64),
                date: s.since,
                ..SummaryRow::of("SISTER_CITY")
            }
            .cells(),
        );
    }
    for f in &report.funding {
        let currency = f.currency.as_str();
        for s in &f.by_source {
            let source = plain(&s.source);
            rows.push(
                SummaryRow {
                    key: &source,
                    count: Some(s.lines),
                    currency,
                    amount: Some(s.amount.to_string()),
                    ..SummaryRow::of("FUNDING")
                }
                .cells(),
            );
        }
        for (key, amount, percent) in [
            ("TOTAL", &f.total, None),
            ("OWN", &f.own, None),
            ("EXTERNAL", &f.external, f.external_share_percent.as_deref()),
        ] {
            rows.push(
                SummaryRow {
                    key,
                    currency,
                    amount: Some(amount.to_string()),
                    percent,
                    ..SummaryRow::of("FUNDING_TOTAL")
                }
                .cells(),
            );
        }
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
/// times. `Accept: text/csv` (or `?format=csv`) returns one flat table with the columns section,
/// key, label, count, currency, amount, percent and date; the workbook's media type (or
/// `?format=xlsx`) an Excel workbook with one sheet per section and labelled columns.
#[utoipa::path(
    tag = "Reports",
    operation_id = "getSummaryReport",
    params(SummaryParams),
    responses(
        (status = 200, description = "The summary (or CSV, or an Excel workbook).", content(
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
    answer(call, query.0.format, query.0).await
}

/// The columns of the compliance report's file, in order.
pub const COMPLIANCE_COLUMNS: &[Column] = &[
    Column::text("section"),
    Column::text("id"),
    Column::text("agreementId"),
    Column::text("partnerId"),
    Column::text("unitCode"),
    Column::text("countryCode"),
    Column::text("caseNumber"),
    Column::text("title"),
    Column::text("code"),
    Column::text("detail"),
    Column::date("date"),
    Column::integer("days"),
];

/// The compliance report's sections, in the order of its rows.
pub const COMPLIANCE_SECTIONS: &[&str] = &[
    "UNDER_REVIEW",
    "OVERDUE",
    "ASSESSMENT",
    "EXCEPTION",
    "WAITING_REQUEST",
];

impl ReportFile for ComplianceReport {
    const NAME: &'static str = "compliance-report";
    const COLUMNS: &'static [Column] = COMPLIANCE_COLUMNS;
    const SECTIONS: &'static [&'static str] = COMPLIANCE_SECTIONS;

    fn rows(&self) -> Vec<Vec<Cell>> {
        compliance_rows(self)
    }
}

fn compliance_rows(report: &ComplianceReport) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let opt = |v: &Option<String>| text(v.as_deref().unwrap_or(""));
    for item in &report.under_review {
        for reason in &item.reasons {
            rows.push(vec![
                text("UNDER_REVIEW"),
                text(&item.agreement_id),
                text(&item.agreement_id),
                opt(&reason.partner_id),
                text(&item.unit_code),
                Cell::Empty,
                opt(&item.case_number),
                text(&item.title),
                text(&reason.code.to_string()),
                text(reason.detail.0.get(crate::text::current())),
                report.as_of.into(),
                Cell::Empty,
            ]);
        }
    }
    for item in &report.overdue {
        rows.push(vec![
            text("OVERDUE"),
            text(&item.agreement_id),
            text(&item.agreement_id),
            Cell::Empty,
            text(&item.unit_code),
            Cell::Empty,
            opt(&item.case_number),
            text(&item.title),
            text("OVERDUE"),
            Cell::Empty,
            item.end_date.into(),
            item.days_overdue.into(),
        ]);
    }
    let state = |expired: bool| text(if expired { "EXPIRED" } else { "EXPIRES" });
    for item in &report.expiring_assessments {
        rows.push(vec![
            text("ASSESSMENT"),
            text(&item.assessment_id),
            text(&item.agreement_ids.join(";")),
            opt(&item.partner_id),
            Cell::Empty,
            text(&item.country_code),
            Cell::Empty,
            Cell::Empty,
            state(item.expired),
            text(item.outcome.as_str()),
            item.valid_until.into(),
            item.days_left.into(),
        ]);
    }
    for item in &report.expiring_exceptions {
        rows.push(vec![
            text("EXCEPTION"),
            text(&item.exception_id),
            text(&item.agreement_id),
            text(&item.partner_id),
            text(&item.unit_code),
            Cell::Empty,
            text(&item.case_number),
            Cell::Empty,
            state(item.expired),
            Cell::Empty,
            item.valid_until.into(),
            item.days_left.into(),
        ]);
    }
    for item in &report.waiting_requests {
        rows.push(vec![
            text("WAITING_REQUEST"),
            text(&item.exception_id),
            text(&item.agreement_id),
            text(&item.partner_id),
            text(&item.unit_code),
            Cell::Empty,
            text(&item.case_number),
            Cell::Empty,
            text(status_str(ExceptionStatus::Requested)),
            Cell::Empty,
            item.requested_at.date_naive().into(),
            item.days_waiting.into(),
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
/// listed and the rest is judged on `to`. `Accept: text/csv` (or `?format=csv`) returns one flat
/// table with the columns section, id, agreementId, partnerId, unitCode, countryCode, caseNumber,
/// title, code, detail, date and days; the workbook's media type (or `?format=xlsx`) an Excel
/// workbook with one sheet per section and labelled columns.
#[utoipa::path(
    tag = "Reports",
    operation_id = "getComplianceReport",
    params(ComplianceParams),
    responses(
        (status = 200, description = "The compliance report (or CSV, or an Excel workbook).", content(
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
    answer(call, query.0.format, query.0).await
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

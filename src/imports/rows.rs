//! The rows of an import, read as the agreements export writes them (`agreements::export`): the
//! header names the export's machine columns in any order; the writable ones are read, the
//! read-only ones (id, version, timestamps, compliance, warnings, …) are ignored, and a column the
//! export does not have is refused. Every fault of every row is reported, each at
//! `/rows/N/column` (N as a spreadsheet numbers the row, the header being row 1).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::sheet::{Row, Table};
use super::{MAX_ERRORS, MAX_ROWS};
use crate::agreements::{Agreement, AgreementInput, AgreementStatus, Funding};
use crate::domain::{Amount, CaseNumber, CountryCode, Currency, LongText, Name, Sdg, UnitCode};
use crate::http::export::Export;
use crate::http::problem::{ApiError, FieldError, ProblemKind};
use crate::partners::PartnerKind;
use crate::policy::activation::{AgreementType, FundingSource, Purpose};
use crate::text::Text;

/// The columns an import reads; every other column of the export is read-only and ignored.
pub const WRITABLE: [&str; 15] = [
    "title",
    "description",
    "type",
    "unitCode",
    "partners",
    "purposes",
    "sdgs",
    "fundings",
    "externalFundingNotPossibleReason",
    "startDate",
    "endDate",
    "caseNumber",
    "status",
    "endReason",
    "cancelReason",
];

/// The columns a file must have.
const REQUIRED: [&str; 4] = ["title", "type", "unitCode", "status"];

/// A partner as a row names it: by id, or by name, country and kind (or both: the id wins when
/// this register knows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerCell {
    pub id: Option<String>,
    pub identity: Option<(Name, CountryCode, PartnerKind)>,
}

/// One row, read: the agreement as the service takes it (its `partner_ids` are filled in once the
/// partners are found), its partners, its status and how it closed.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub number: usize,
    pub input: AgreementInput,
    pub partners: Vec<PartnerCell>,
    pub status: AgreementStatus,
    pub end_reason: Option<LongText>,
    pub cancel_reason: Option<LongText>,
}

/// The pointer of a cell.
pub fn pointer(row: usize, column: &str) -> String {
    format!("/rows/{row}/{column}")
}

/// Reads every row of `table`, or reports every fault (at most `MAX_ERRORS`); more rows than
/// `MAX_ROWS` is 413.
pub fn parse(table: &Table) -> Result<Vec<ImportRow>, ApiError> {
    if table.rows.len() > MAX_ROWS {
        return Err(ApiError::new(
            ProblemKind::PayloadTooLarge,
            Text::ImportTooManyRows { max: MAX_ROWS }.msg(),
        ));
    }
    let columns = columns(&table.header).map_err(ApiError::validation)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for row in &table.rows {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        match parse_row(&columns, table.header.len(), row) {
            Ok(parsed) => rows.push(parsed),
            Err(faults) => errors.extend(faults),
        }
    }
    if errors.is_empty() && rows.is_empty() {
        errors.push(FieldError::new("/rows", "empty", Text::CsvNoValues.msg()));
    }
    errors.truncate(MAX_ERRORS);
    crate::http::problem::unless_faults(errors, rows)
}

/// Where each writable column is; faults in the header are reported at `/rows/1/column`.
fn columns(header: &[String]) -> Result<HashMap<&'static str, usize>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut found = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() && index + 1 == header.len() && index > 0 {
            // A trailing comma, as some spreadsheets save.
            continue;
        }
        // The machine name (the CSV's header) or its label in either language (the workbook's).
        let known = Agreement::COLUMNS.iter().find(|c| {
            c.name == name
                || crate::text::en::column_label(c.name) == Some(name)
                || crate::text::sv::column_label(c.name) == Some(name)
        });
        let Some(column) = known else {
            errors.push(FieldError::new(
                pointer(1, &name.replace('~', "~0").replace('/', "~1")),
                "unknown-column",
                Text::ImportUnknownColumn {
                    name: name.to_string(),
                }
                .msg(),
            ));
            continue;
        };
        if !seen.insert(column.name) {
            errors.push(FieldError::new(
                pointer(1, column.name),
                "duplicate-column",
                Text::CsvDuplicateColumn {
                    name: column.name.to_string(),
                }
                .msg(),
            ));
        } else if WRITABLE.contains(&column.name) {
            found.insert(column.name, index);
        }
    }
    for name in REQUIRED {
        if !seen.contains(name) {
            errors.push(FieldError::new(
                pointer(1, name),
                "missing-column",
                Text::CsvMissingColumn {
                    name: name.to_string(),
                }
                .msg(),
            ));
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

/// The faults of one row, each at its cell.
struct Faults {
    row: usize,
    errors: Vec<FieldError>,
}

impl Faults {
    fn push(&mut self, column: &str, code: &str, text: Text) {
        self.errors
            .push(FieldError::new(pointer(self.row, column), code, text.msg()));
    }

    /// A newtype's refusal (`domain::rejected`) at `column`.
    fn rejected(&mut self, column: &str, message: &str) {
        let (code, msg) = crate::domain::decode(message).unwrap_or_else(|| {
            let text = Text::InvalidValue {
                message: message.to_string(),
            };
            ("invalid-value".to_string(), text.msg())
        });
        self.errors
            .push(FieldError::new(pointer(self.row, column), code, msg));
    }

    /// `raw` parsed by `parse`, or the refusal recorded.
    fn parsed<T>(
        &mut self,
        column: &str,
        raw: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        parse(raw).map_err(|m| self.rejected(column, &m)).ok()
    }

    /// An optional text: empty is none.
    fn optional<T>(
        &mut self,
        column: &str,
        raw: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        if raw.trim().is_empty() {
            None
        } else {
            self.parsed(column, raw, parse)
        }
    }

    /// An enum's code (`SISTER_CITY`), as the JSON writes it.
    fn code<T: DeserializeOwned>(&mut self, column: &str, raw: &str) -> Option<T> {
        let value = serde_json::Value::String(raw.trim().to_string());
        match serde_json::from_value::<T>(value) {
            Ok(v) => Some(v),
            Err(e) => {
                // serde names the codes it takes: "unknown variant `X`, expected one of `A`, `B`".
                let message = e.to_string();
                let values = message
                    .split_once("expected ")
                    .map(|(_, v)| v.trim_start_matches("one of ").replace('`', ""))
                    .unwrap_or_default();
                self.push(column, "invalid-value", Text::OneOf { values });
                None
            }
        }
    }

    fn date(&mut self, column: &str, raw: &str) -> Option<NaiveDate> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match parse_date(raw) {
            Some(d) => Some(d),
            None => {
                self.push(column, "invalid-date", Text::DateForm);
                None
            }
        }
    }
}

/// `YYYY-MM-DD` (a timestamp's date part is taken too), or a spreadsheet's day number.
fn parse_date(raw: &str) -> Option<NaiveDate> {
    let day = raw.split_once('T').map_or(raw, |(d, _)| d);
    if day.len() == 10 {
        return NaiveDate::parse_from_str(day, "%Y-%m-%d").ok();
    }
    // A date cell formatted as a number: days since 1899-12-30 (the 1900 date system).
    let serial: f64 = raw.parse().ok()?;
    if !(1.0..=2_958_465.0).contains(&serial) || serial.fract() != 0.0 {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(serial as u64))
}

fn parse_row(
    columns: &HashMap<&'static str, usize>,
    width: usize,
    row: &Row,
) -> Result<ImportRow, Vec<FieldError>> {
    let mut f = Faults {
        row: row.number,
        errors: Vec::new(),
    };
    if row.cells.len() > width && row.cells[width..].iter().any(|c| c != &Ok(String::new())) {
        f.errors.push(FieldError::new(
            format!("/rows/{}", row.number),
            "malformed-row",
            Text::CsvRowMalformed.msg(),
        ));
        return Err(f.errors);
    }
    let mut cells: HashMap<&str, &str> = HashMap::new();
    for (&name, &index) in columns {
        match row.cells.get(index) {
            Some(Ok(text)) => {
                cells.insert(name, text.as_str());
            }
            Some(Err(_)) => f.push(name, "cell-error", Text::CellHoldsError),
            None => {}
        }
    }
    let cell = |name: &str| cells.get(name).copied().unwrap_or("");
    let required = |f: &mut Faults, name: &str| {
        let raw = cell(name);
        if raw.trim().is_empty() && f.errors.iter().all(|e| e.pointer != pointer(f.row, name)) {
            f.push(
                name,
                "required",
                Text::Required {
                    field: name.to_string(),
                },
            );
            false
        } else {
            true
        }
    };

    let title = required(&mut f, "title")
        .then(|| f.parsed("title", cell("title"), Name::parse))
        .flatten();
    let description = f.optional("description", cell("description"), LongText::parse);
    let agreement_type = required(&mut f, "type")
        .then(|| f.code::<AgreementType>("type", cell("type")))
        .flatten();
    let unit_code = required(&mut f, "unitCode")
        .then(|| f.parsed("unitCode", cell("unitCode").trim(), UnitCode::parse))
        .flatten();
    let status = required(&mut f, "status")
        .then(|| f.code::<AgreementStatus>("status", cell("status")))
        .flatten();
    let partners = partner_cells(&mut f, cell("partners"));
    let purposes: Vec<Purpose> = crate::http::export::split_list(cell("purposes"))
        .iter()
        .filter_map(|p| f.code("purposes", &p.join(":")))
        .collect();
    let sdgs: Vec<Sdg> = crate::http::export::split_list(cell("sdgs"))
        .iter()
        .filter_map(|p| {
            let raw = p.join(":");
            match raw.trim().parse::<i64>() {
                Ok(n) => f.parsed("sdgs", &raw, |_| Sdg::new(n)),
                Err(_) => {
                    f.push("sdgs", "invalid-sdg", Text::SdgForm);
                    None
                }
            }
        })
        .collect();
    let fundings = fundings(&mut f, cell("fundings"));
    let external_funding_not_possible_reason = f.optional(
        "externalFundingNotPossibleReason",
        cell("externalFundingNotPossibleReason"),
        LongText::parse,
    );
    let start_date = f.date("startDate", cell("startDate"));
    let end_date = f.date("endDate", cell("endDate"));
    let case_number = f.optional("caseNumber", cell("caseNumber").trim(), CaseNumber::parse);
    let end_reason = f.optional("endReason", cell("endReason"), LongText::parse);
    let cancel_reason = f.optional("cancelReason", cell("cancelReason"), LongText::parse);
    if status == Some(AgreementStatus::Ended) && cell("endDate").trim().is_empty() {
        f.push("endDate", "required", Text::EndedNeedsEndDate);
    }

    let (Some(title), Some(agreement_type), Some(unit_code), Some(status), true) = (
        title,
        agreement_type,
        unit_code,
        status,
        f.errors.is_empty(),
    ) else {
        return Err(f.errors);
    };
    Ok(ImportRow {
        number: row.number,
        input: AgreementInput {
            title,
            description,
            agreement_type,
            unit_code,
            partner_ids: Vec::new(),
            purposes,
            sdgs,
            fundings,
            external_funding_not_possible_reason,
            start_date,
            end_date,
            case_number,
        },
        partners,
        status,
        end_reason,
        cancel_reason,
    })
}

/// `partnerId:name:countryCode:KIND` items; without an id, the other three are needed.
fn partner_cells(f: &mut Faults, raw: &str) -> Vec<PartnerCell> {
    let mut out = Vec::new();
    for parts in crate::http::export::split_list(raw) {
        let part = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or("");
        let id = match part(0) {
            "" => None,
            id => match uuid::Uuid::parse_str(id) {
                Ok(u) => Some(u.hyphenated().to_string()),
                Err(_) => {
                    f.push("partners", "invalid-partner", Text::PartnerRecordForm);
                    continue;
                }
            },
        };
        let named = (1..4).any(|i| !part(i).is_empty());
        if parts.len() > 4 || (id.is_none() && !named) {
            f.push("partners", "invalid-partner", Text::PartnerRecordForm);
            continue;
        }
        let identity = if named {
            let name = f.parsed("partners", part(1), Name::parse);
            let country = f.parsed("partners", part(2), CountryCode::parse);
            let kind = f.code::<PartnerKind>("partners", part(3));
            match (name, country, kind) {
                (Some(n), Some(c), Some(k)) => Some((n, c, k)),
                _ => continue,
            }
        } else {
            None
        };
        out.push(PartnerCell { id, identity });
    }
    out
}

/// `SOURCE:programme:amount:CURRENCY` items.
fn fundings(f: &mut Faults, raw: &str) -> Vec<Funding> {
    let mut out = Vec::new();
    for parts in crate::http::export::split_list(raw) {
        if parts.len() != 4 {
            f.push("fundings", "invalid-funding", Text::FundingRecordForm);
            continue;
        }
        let source = f.code::<FundingSource>("fundings", &parts[0]);
        let programme = f.optional("fundings", &parts[1], Name::parse);
        let amount = f.parsed("fundings", parts[2].trim(), Amount::parse);
        let currency = f.parsed("fundings", parts[3].trim(), Currency::parse);
        if let (Some(source), Some(amount), Some(currency)) = (source, amount, currency) {
            out.push(Funding {
                source,
                programme,
                amount,
                currency,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &str, rows: &[&str]) -> Table {
        let split = |line: &str| line.split(',').map(str::to_string).collect::<Vec<_>>();
        Table {
            header: split(header),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    number: i + 2,
                    cells: split(r).into_iter().map(Ok).collect(),
                })
                .collect(),
        }
    }

    fn pointers(e: ApiError) -> Vec<(String, String)> {
        e.errors
            .iter()
            .map(|f| (f.pointer.clone(), f.code.clone()))
            .collect()
    }

    const HEADER: &str =
        "id,title,type,unitCode,partners,purposes,sdgs,fundings,startDate,endDate,status,version";

    #[test]
    fn a_row_in_the_exports_columns_reads_and_read_only_columns_are_ignored() {
        let rows = parse(&table(
            HEADER,
            &["x,Vänort,SISTER_CITY,KFN,:Tammerfors:FI:CITY,SISTER_CITIES,4;11,OWN::500:SEK,2026-01-01,,DRAFT,7"],
        ))
        .unwrap();
        let row = &rows[0];
        assert_eq!(row.number, 2);
        assert_eq!(row.input.title.as_str(), "Vänort");
        assert_eq!(row.input.sdgs.len(), 2);
        assert_eq!(row.input.fundings[0].amount.to_string(), "500.00");
        assert_eq!(row.partners[0].id, None);
        assert_eq!(row.status, AgreementStatus::Draft);
    }

    #[test]
    fn every_fault_is_pointed_at_its_row_and_column() {
        let e = parse(&table(
            HEADER,
            &[
                ",,NOPE,KFN,,,,,2026-13-01,,DRAFT,",
                ",Ok,PROJECT,KFN,,,99,,,,ENDED,",
            ],
        ))
        .unwrap_err();
        assert_eq!(
            pointers(e),
            [
                ("/rows/2/title".to_string(), "required".to_string()),
                ("/rows/2/type".into(), "invalid-value".into()),
                ("/rows/2/startDate".into(), "invalid-date".into()),
                ("/rows/3/sdgs".into(), "invalid-sdg".into()),
                ("/rows/3/endDate".into(), "required".into()),
            ]
        );
    }

    #[test]
    fn a_header_without_a_required_column_or_with_an_unknown_one_is_refused() {
        let e = parse(&table("title,type,colour", &["a,PROJECT,red"])).unwrap_err();
        let found = pointers(e);
        assert!(found.contains(&("/rows/1/colour".into(), "unknown-column".into())));
        assert!(found.contains(&("/rows/1/unitCode".into(), "missing-column".into())));
        assert!(found.contains(&("/rows/1/status".into(), "missing-column".into())));
    }

    #[test]
    fn spreadsheet_day_numbers_are_dates() {
        assert_eq!(parse_date("46023"), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(
            parse_date("2026-02-03T00:00:00Z"),
            NaiveDate::from_ymd_opt(2026, 2, 3)
        );
        assert_eq!(parse_date("+12025-01-01"), None);
    }
}

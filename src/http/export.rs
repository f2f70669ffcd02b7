//! Exports of lists: each resource declares its columns once (`Export::COLUMNS`) and renders one
//! row of typed cells per item (`Export::cells`). The CSV writer (`http::csv`) and the document
//! (`document_exports`) read the same declaration, so the columns a program receives are the ones
//! the OpenAPI document lists; the workbook writer (`http::xlsx`) reads the cell types, and labels
//! each column from the text catalogue by its name.
//!
//! Every row has every column whatever the item's state: an absent value is an empty cell.
//! A cell that holds several values (partner ids, funding lines) is a list: its items joined
//! with `;`; an item with several parts has them joined with `:`; and `%`, `;` and `:` inside a
//! part are written `%25`, `%3B` and `%3A`, so that splitting on `;`, then on `:`, then decoding
//! the three escapes gives the values back exactly.

use actix_web::HttpRequest;
use actix_web::http::header;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::Response;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, RefOr, Type};

/// The media type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What a list or a report answers in: `format` in the query chooses, else `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// The JSON page or report (the default).
    Json,
    /// RFC 4180 CSV with the machine column names, for programs.
    Csv,
    /// An Excel workbook with labels in the response language, for people.
    Xlsx,
}

impl ExportFormat {
    /// The format named in the query (`?format=xlsx`), as a link opened in a browser asks; without
    /// it, the one `Accept` ranks highest (q > 0): CSV, then the workbook, then JSON on a tie, and
    /// JSON when the header names none of them (as before: no 406).
    pub fn negotiate(req: &HttpRequest, asked: Option<ExportFormat>) -> ExportFormat {
        if let Some(format) = asked {
            return format;
        }
        let Some(accept) = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
        else {
            return ExportFormat::Json;
        };
        let quality = |wanted: &str| -> f32 {
            accept
                .split(',')
                .filter_map(|part| {
                    let mut it = part.trim().split(';');
                    let media = it.next()?.trim().to_ascii_lowercase();
                    let q = it
                        .filter_map(|p| p.trim().strip_prefix("q="))
                        .find_map(|q| q.parse::<f32>().ok())
                        .unwrap_or(1.0);
                    (media == wanted).then_some(q)
                })
                .fold(0.0, f32::max)
        };
        let json = quality("application/json");
        let csv = quality("text/csv");
        let xlsx = quality(XLSX);
        if csv > 0.0 && csv >= json && csv >= xlsx {
            ExportFormat::Csv
        } else if xlsx > 0.0 && xlsx >= json {
            ExportFormat::Xlsx
        } else {
            ExportFormat::Json
        }
    }

    /// Parses the query parameter's value.
    pub fn parse(value: &str) -> Option<ExportFormat> {
        match value {
            "json" => Some(ExportFormat::Json),
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    /// Whether the whole filtered list is sent (a file), not a page.
    pub fn is_file(self) -> bool {
        self != ExportFormat::Json
    }
}

/// Every kind of cell but a list, once: its variant, its label in the descriptions of the
/// columns, and the constructor of a column of that kind.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident => $label:literal, $constructor:ident;)*) => {
        /// The type of a column's cells.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind {
            $($(#[$doc])* $variant,)*
            /// Several values in one cell, in the form the module documentation gives.
            List,
        }

        impl Kind {
            fn label(self) -> &'static str {
                match self {
                    $(Kind::$variant => $label,)*
                    Kind::List => "list",
                }
            }
        }

        impl Column {
            $(pub const fn $constructor(name: &'static str) -> Column {
                Column { name, kind: Kind::$variant, item: "" }
            })*
        }
    };
}

kinds! {
    Text => "text", text;
    /// `YYYY-MM-DD`.
    Date => "date", date;
    /// RFC 3339 in UTC.
    Timestamp => "timestamp", timestamp;
    Integer => "integer", integer;
    /// A number with a fraction (`98.5`).
    Decimal => "decimal", decimal;
    /// `true` or `false`.
    Boolean => "boolean", boolean;
}

/// One column of an export: its stable machine name (the JSON field's name, dotted for nested
/// fields), its type, and for lists the form of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    /// The form of one list item (`SOURCE:programme:amount:CURRENCY`); empty for other kinds.
    pub item: &'static str,
}

impl Column {
    /// A list whose items have the form `item` (parts joined with `:`).
    pub const fn list(name: &'static str, item: &'static str) -> Column {
        Column {
            name,
            kind: Kind::List,
            item,
        }
    }
}

/// One typed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    Integer(i64),
    Decimal(f64),
    Boolean(bool),
    /// The items, each already in its documented form (see `Cell::list` and `Cell::records`).
    List(Vec<String>),
    /// A decimal number kept as its exact text (a sum of money, a percentage with two decimals):
    /// CSV writes the text, a workbook the number.
    Exact(String),
}

impl Cell {
    /// An enum's code, as the JSON carries it (`ACTIVE`).
    pub fn code<T: Serialize>(value: &T) -> Cell {
        Cell::Text(plain(value))
    }

    /// A list of single values.
    pub fn list<I, S>(items: I) -> Cell
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Cell::List(items.into_iter().map(|s| escape_part(s.as_ref())).collect())
    }

    /// A list of items of several parts each (a missing part is an empty string).
    pub fn records<I, P>(items: I) -> Cell
    where
        I: IntoIterator<Item = P>,
        P: IntoIterator<Item = String>,
    {
        Cell::List(
            items
                .into_iter()
                .map(|parts| {
                    parts
                        .into_iter()
                        .map(|p| escape_part(&p))
                        .collect::<Vec<_>>()
                        .join(":")
                })
                .collect(),
        )
    }

    /// The cell as CSV text, before the spreadsheet escape that `http::csv` applies to text.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Timestamp(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            Cell::Integer(i) => i.to_string(),
            Cell::Decimal(x) => x.to_string(),
            Cell::Boolean(b) => b.to_string(),
            Cell::List(items) => items.join(";"),
            Cell::Exact(s) => s.clone(),
        }
    }
}

/// A value as its JSON text without quotes: an enum's code, a newtype's string, a number.
pub fn plain<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

/// `%`, `;` and `:` inside one part of a list item.
fn escape_part(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        match c {
            '%' => out.push_str("%25"),
            ';' => out.push_str("%3B"),
            ':' => out.push_str("%3A"),
            c => out.push(c),
        }
    }
    out
}

/// A list cell's items, each split into its parts with the three escapes decoded: the inverse of
/// [`Cell::list`] and [`Cell::records`] (surrounding white space ignored; an empty cell has none).
pub fn split_list(raw: &str) -> Vec<Vec<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(';')
        .map(|item| {
            item.split(':')
                .map(|p| {
                    p.replace("%3A", ":")
                        .replace("%3B", ";")
                        .replace("%25", "%")
                })
                .collect()
        })
        .collect()
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<&String> for Cell {
    fn from(s: &String) -> Cell {
        Cell::Text(s.clone())
    }
}
impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}
impl From<DateTime<Utc>> for Cell {
    fn from(t: DateTime<Utc>) -> Cell {
        Cell::Timestamp(t)
    }
}
impl From<i32> for Cell {
    fn from(i: i32) -> Cell {
        Cell::Integer(i64::from(i))
    }
}
impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Integer(i)
    }
}
impl From<f64> for Cell {
    fn from(x: f64) -> Cell {
        Cell::Decimal(x)
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Boolean(b)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Cell {
        value.map_or(Cell::Empty, Into::into)
    }
}

/// A list item type that can be exported: its columns, once, and its row.
pub trait Export {
    /// The file name of the export, without extension (`agreements`).
    const NAME: &'static str;
    /// The columns, in order.
    const COLUMNS: &'static [Column];
    /// The item's cells, one per column, in the order of `COLUMNS`.
    fn cells(&self) -> Vec<Cell>;
}

/// Declares an `Export` from one list of columns, each beside the cell it holds, so the two cannot
/// fall out of step: `export! { Unit as "units", |row| [Column::text("code") => (&row.code).into(), …] }`.
macro_rules! export {
    ($ty:ty as $name:literal, |$row:ident| [$($column:expr => $cell:expr),* $(,)?]) => {
        impl $crate::http::export::Export for $ty {
            const NAME: &'static str = $name;
            const COLUMNS: &'static [$crate::http::export::Column] = &[$($column),*];

            fn cells(&self) -> Vec<$crate::http::export::Cell> {
                let $row = self;
                vec![$($cell),*]
            }
        }
    };
}
pub(crate) use export;

/// The text/csv schema's description: the columns in order, and how cells are written.
pub fn describe_columns(columns: &[Column]) -> String {
    let listed = columns
        .iter()
        .map(|c| {
            if c.kind == Kind::List {
                format!("`{}` (list of `{}`)", c.name, c.item)
            } else {
                format!("`{}` ({})", c.name, c.kind.label())
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "RFC 4180 CSV, UTF-8, comma-separated, a header row of the column names, then one row per item with every column. Columns, in order: {listed}. \
         An absent value is an empty cell. Dates are YYYY-MM-DD, timestamps RFC 3339 in UTC, booleans true or false. \
         A list holds its items joined with `;`; an item's parts are joined with `:`; `%`, `;` and `:` inside a part are written `%25`, `%3B` and `%3A`. \
         A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so that spreadsheets do not run it."
    )
}

/// The header row of an export, as CSV.
pub fn header_line(columns: &[Column]) -> String {
    let mut line = columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
    line.push('\n');
    line
}

/// The workbook's schema description: the same columns as the CSV, with their cell types.
pub fn describe_workbook(columns: &[Column]) -> String {
    let listed = columns
        .iter()
        .map(|c| format!("`{}` ({})", c.name, super::xlsx::cell_type(c.kind)))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "An Excel workbook (.xlsx), for people: the same rows and the same columns, in the same order, as the CSV, \
         under a frozen header row of labels in the response language (Accept-Language sv or en) with an autofilter. \
         Columns, in order: {listed}. Dates are date cells, timestamps date-time cells in UTC, amounts and decimals numbers shown with two decimals; \
         text, lists included (in the CSV's form), is always a text cell, never a formula."
    )
}

/// The workbook's content: a binary body.
fn workbook_content(description: String) -> RefOr<utoipa::openapi::Content> {
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .content_media_type(XLSX)
        .description(Some(description))
        .build();
    RefOr::T(ContentBuilder::new().schema(Some(schema)).build())
}

/// A header of an export response, sent with the file formats only.
fn file_header(kind: Type, description: &str) -> RefOr<utoipa::openapi::header::Header> {
    RefOr::T(
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(kind)))
            .description(Some(format!(
                "Sent with text/csv and {XLSX} only: {description}"
            )))
            .build(),
    )
}

/// Declares on a list's 200 response the `text/csv` and the workbook content with their columns,
/// and the headers both carry.
pub fn document_exports(response: &mut Response, columns: &[Column]) {
    let schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(describe_columns(columns)))
        .build();
    response.content.insert(
        "text/csv".to_string(),
        RefOr::T(
            ContentBuilder::new()
                .schema(Some(schema))
                .example(Some(serde_json::Value::String(header_line(columns))))
                .build(),
        ),
    );
    response.content.insert(
        XLSX.to_string(),
        workbook_content(describe_workbook(columns)),
    );
    if !response.description.contains("text/csv") {
        response.description.push_str(
            " With `Accept: text/csv` or `?format=csv`, the whole filtered list (at most 10,000 rows) as CSV; \
             with the workbook's media type or `?format=xlsx`, the same rows as an Excel workbook.",
        );
    }
    response.headers.insert(
        "Content-Disposition".to_string(),
        file_header(
            Type::String,
            "`attachment; filename=\"<list>.csv\"` (or `<list>.xlsx`).",
        ),
    );
    response.headers.insert(
        "X-Total-Count".to_string(),
        file_header(Type::Integer, "how many items matched the filters."),
    );
    response.headers.insert(
        "X-Row-Limit".to_string(),
        file_header(Type::Integer, "the most rows one export carries (10000)."),
    );
    response.headers.insert(
        "X-Truncated".to_string(),
        file_header(
            Type::Boolean,
            "`true` when more items matched than the export carries.",
        ),
    );
}

/// Declares on a report's 200 response the workbook content (one sheet per section, each with
/// `columns`) beside its CSV, and the file name header both carry.
pub fn document_report(response: &mut Response, columns: &[Column], sections: &[&str]) {
    let sheets = sections
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    response.content.insert(
        XLSX.to_string(),
        workbook_content(format!(
            "{} One sheet per section, in this order, each named after its section in the response language: {sheets}.",
            describe_workbook(columns)
        )),
    );
    response.headers.insert(
        "Content-Disposition".to_string(),
        file_header(
            Type::String,
            "`attachment; filename=\"<report>.csv\"` (or `<report>.xlsx`).",
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_parts_that_hold_separators_are_escaped_and_can_be_split_back() {
        let cell = Cell::records([vec![
            "EU".to_string(),
            "Interreg: Öresund; 100%".to_string(),
            "1.00".to_string(),
        ]]);
        assert_eq!(cell.to_text(), "EU:Interreg%3A Öresund%3B 100%25:1.00");
        let decoded: Vec<String> = cell
            .to_text()
            .split(':')
            .map(|p| {
                p.replace("%3A", ":")
                    .replace("%3B", ";")
                    .replace("%25", "%")
            })
            .collect();
        assert_eq!(decoded, ["EU", "Interreg: Öresund; 100%", "1.00"]);
    }

    #[test]
    fn cells_render_as_the_json_writes_them() {
        let t = DateTime::parse_from_rfc3339("2026-11-26T09:15:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(Cell::from(t).to_text(), "2026-11-26T09:15:00Z");
        assert_eq!(
            Cell::from(NaiveDate::from_ymd_opt(2026, 1, 2)).to_text(),
            "2026-01-02"
        );
        assert_eq!(Cell::from(None::<&str>).to_text(), "");
        assert_eq!(Cell::list(["a", "b"]).to_text(), "a;b");
        assert_eq!(Cell::list(Vec::<String>::new()).to_text(), "");
    }

    #[test]
    fn the_query_chooses_the_format_else_the_best_ranked_accepted_one() {
        use actix_web::test::TestRequest;
        let with = |accept: &str| {
            TestRequest::default()
                .insert_header(("Accept", accept))
                .to_http_request()
        };
        let choose = |accept: &str| ExportFormat::negotiate(&with(accept), None);
        assert_eq!(
            ExportFormat::negotiate(&TestRequest::default().to_http_request(), None),
            ExportFormat::Json
        );
        assert_eq!(choose("text/csv"), ExportFormat::Csv);
        assert_eq!(choose(XLSX), ExportFormat::Xlsx);
        assert_eq!(
            choose("application/json, text/csv;q=0.5"),
            ExportFormat::Json
        );
        assert_eq!(
            choose(&format!("{XLSX}, application/json;q=0.9")),
            ExportFormat::Xlsx
        );
        assert_eq!(
            choose(&format!("text/csv;q=0.2, {XLSX}")),
            ExportFormat::Xlsx
        );
        assert_eq!(choose(&format!("text/csv, {XLSX}")), ExportFormat::Csv);
        assert_eq!(choose(&format!("{XLSX};q=0")), ExportFormat::Json);
        assert_eq!(choose("text/html,*/*;q=0.8"), ExportFormat::Json);
        assert_eq!(
            ExportFormat::negotiate(&with("text/csv"), Some(ExportFormat::Xlsx)),
            ExportFormat::Xlsx
        );
        assert_eq!(
            ExportFormat::negotiate(&with(XLSX), Some(ExportFormat::Json)),
            ExportFormat::Json
        );
    }

    #[test]
    fn the_description_lists_every_column_in_order() {
        const COLUMNS: &[Column] = &[
            Column::text("id"),
            Column::list("fundings", "SOURCE:programme:amount:CURRENCY"),
        ];
        let text = describe_columns(COLUMNS);
        let id = text.find("`id` (text)").unwrap();
        let fundings = text
            .find("`fundings` (list of `SOURCE:programme:amount:CURRENCY`)")
            .unwrap();
        assert!(id < fundings);
    }
}

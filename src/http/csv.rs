//! `Accept: text/csv` on lists and reports: the whole filtered list in the columns its type
//! declares (`http::export`), capped, and safe to open in a spreadsheet (text that begins with
//! = + - @ is escaped). The workbook (`http::xlsx`) carries the same rows and the same headers.

use super::export::{Cell, Column, Export, ExportFormat, XLSX};
use super::paging::Paging;
use super::problem::ApiError;
use actix_web::http::header;
use actix_web::{HttpResponse, HttpResponseBuilder};

/// The most rows one CSV or XLSX response carries; the `X-Total-Count` header tells whether more
/// matched.
pub const CSV_MAX_ROWS: i64 = 10_000;

/// The rows to read: the page asked for, or for a file the whole list up to `CSV_MAX_ROWS`.
pub fn window(file: bool, paging: Paging) -> (i64, i64) {
    if file {
        (0, CSV_MAX_ROWS)
    } else {
        (paging.offset(), i64::from(paging.limit))
    }
}

/// Escapes a cell that a spreadsheet would take for a formula.
pub fn escape_cell(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// `rows` under the machine names of `columns`, as RFC 4180 CSV, one row at a time. Text cells
/// are escaped for spreadsheets; numbers, dates and booleans cannot begin a formula.
pub fn csv_bytes<I>(columns: &[Column], rows: I) -> Result<Vec<u8>, ApiError>
where
    I: IntoIterator<Item = Vec<Cell>>,
{
    let fail = |e: ::csv::Error| ApiError::internal(e.to_string());
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer
        .write_record(columns.iter().map(|c| c.name))
        .map_err(fail)?;
    for cells in rows {
        if cells.len() != columns.len() {
            return Err(ApiError::internal(format!(
                "an export made {} cells for {} columns",
                cells.len(),
                columns.len()
            )));
        }
        writer
            .write_record(cells.iter().map(|cell| match cell {
                Cell::Text(_) | Cell::List(_) => escape_cell(&cell.to_text()),
                other => other.to_text(),
            }))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// A file response: its media type and `Content-Disposition` (`<name>.csv` or `<name>.xlsx`).
pub fn file_response(format: ExportFormat, name: &str) -> HttpResponseBuilder {
    let (media, extension) = match format {
        ExportFormat::Xlsx => (XLSX, "xlsx"),
        _ => ("text/csv; charset=utf-8", "csv"),
    };
    let mut builder = HttpResponse::Ok();
    builder.content_type(media).insert_header((
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}.{extension}\""),
    ));
    builder
}

/// Renders `items` as CSV or as a workbook with the columns their type declares; `total` is how
/// many matched. Both carry the same rows and the same headers.
pub fn export_response<T: Export>(
    format: ExportFormat,
    items: &[T],
    total: i64,
) -> Result<HttpResponse, ApiError> {
    // Each item's cells are made when its row is written, not all first.
    let rows = || Box::new(items.iter().map(Export::cells)) as Box<dyn Iterator<Item = Vec<Cell>>>;
    let body = match format {
        ExportFormat::Xlsx => super::xlsx::workbook(vec![super::xlsx::Sheet {
            name: T::NAME.to_string(),
            columns: T::COLUMNS,
            len: items.len(),
            rows: &rows,
        }])?,
        _ => csv_bytes(T::COLUMNS, rows())?,
    };
    Ok(file_response(format, T::NAME)
        .insert_header(("X-Total-Count", total.to_string()))
        .insert_header(("X-Row-Limit", CSV_MAX_ROWS.to_string()))
        .insert_header(("X-Truncated", (total > items.len() as i64).to_string()))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped() {
        assert_eq!(escape_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(escape_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(escape_cell("Borås"), "Borås");
    }
}

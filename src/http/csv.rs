//! `Accept: text/csv` on lists: the whole filtered list in the columns its type declares
//! (`http::export`), capped, and safe to open in a spreadsheet (text that begins with = + - @ is
//! escaped).

use super::export::{Cell, Export};
use super::paging::Paging;
use super::problem::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// The most rows one CSV response carries; the `X-Total-Count` header tells whether more matched.
pub const CSV_MAX_ROWS: i64 = 10_000;

/// The rows to read: the page asked for, or for CSV the whole list up to `CSV_MAX_ROWS`.
pub fn window(csv: bool, paging: Paging) -> (i64, i64) {
    if csv {
        (0, CSV_MAX_ROWS)
    } else {
        (paging.offset(), i64::from(paging.limit))
    }
}

/// Whether the caller prefers CSV to JSON.
pub fn wants_csv(req: &HttpRequest) -> bool {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
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
    let csv = quality("text/csv");
    csv > 0.0 && csv >= quality("application/json")
}

/// Escapes a cell that a spreadsheet would take for a formula.
pub fn escape_cell(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// Renders `items` as CSV with the columns their type declares; `total` is how many matched.
/// Text cells are escaped for spreadsheets; numbers, dates and booleans cannot begin a formula.
pub fn csv_response<T: Export>(items: &[T], total: i64) -> Result<HttpResponse, ApiError> {
    let fail = |e: ::csv::Error| ApiError::internal(e.to_string());
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer
        .write_record(T::COLUMNS.iter().map(|c| c.name))
        .map_err(fail)?;
    for item in items {
        let cells = item.cells();
        if cells.len() != T::COLUMNS.len() {
            return Err(ApiError::internal(format!(
                "the {} export made {} cells for {} columns",
                T::NAME,
                cells.len(),
                T::COLUMNS.len()
            )));
        }
        writer
            .write_record(cells.iter().map(|cell| match cell {
                Cell::Text(_) | Cell::List(_) => escape_cell(&cell.to_text()),
                other => other.to_text(),
            }))
            .map_err(fail)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}.csv\"", T::NAME),
        ))
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

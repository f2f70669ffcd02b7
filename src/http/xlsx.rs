//! Excel workbooks of lists and reports, for people: the same rows and columns as the CSV
//! (`http::csv`), with typed cells (dates as date cells, timestamps as date-time cells in UTC,
//! integers and decimals as numbers, booleans as booleans, text always as a string cell so that a
//! formula-like text never runs), a frozen header row of labels in the response language, an
//! autofilter over the header and column widths that fit. Each sheet is written in
//! rust_xlsxwriter's constant-memory mode: a row goes to a temporary file once written, so a
//! 10,000-row export does not hold a second copy of its cells in the writer.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::export::{Cell, Column, Kind};
use super::problem::ApiError;
use crate::text::{Lang, Text};

/// The widest a column is made, in characters; longer text wraps nowhere and is cut on screen only.
const MAX_WIDTH: usize = 60;
/// The narrowest a column is made, so that the autofilter's button does not hide a short label.
const MIN_WIDTH: usize = 6;

/// The rows of a sheet, made afresh on each call: they are read twice (for the column widths,
/// then to write them), so that a long list's cells are made one row at a time and never all
/// held at once.
pub type Rows<'a> = &'a dyn Fn() -> Box<dyn Iterator<Item = Vec<Cell>> + 'a>;

/// One sheet of a workbook: its name, its columns and its `len` rows (one cell per column).
pub struct Sheet<'a> {
    pub name: String,
    pub columns: &'a [Column],
    pub len: usize,
    pub rows: Rows<'a>,
}

/// A column's label in `lang` (the text catalogue's `ColumnLabel`).
pub fn label(column: &str, lang: Lang) -> String {
    Text::ColumnLabel {
        name: column.to_string(),
    }
    .render(lang)
}

fn fail(e: XlsxError) -> ApiError {
    ApiError::internal(format!("the workbook could not be written: {e}"))
}

/// The cell formats of a workbook.
struct Formats {
    header: Format,
    date: Format,
    timestamp: Format,
    decimal: Format,
}

/// The workbook of `sheets`, in the language of the response, as the bytes of an .xlsx file.
pub fn workbook(sheets: Vec<Sheet>) -> Result<Vec<u8>, ApiError> {
    let lang = crate::text::current();
    let formats = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        timestamp: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        decimal: Format::new().set_num_format("0.00"),
    };
    let mut book = Workbook::new();
    for sheet in sheets {
        let worksheet = book.add_worksheet_with_constant_memory().map_err(fail)?;
        write_sheet(worksheet, &sheet, lang, &formats)?;
    }
    book.save_to_buffer().map_err(fail)
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    lang: Lang,
    formats: &Formats,
) -> Result<(), ApiError> {
    ws.set_name(&sheet.name).map_err(fail)?;
    let labels: Vec<String> = sheet.columns.iter().map(|c| label(c.name, lang)).collect();
    for (col, width) in widths(&labels, (sheet.rows)()).into_iter().enumerate() {
        ws.set_column_width(col as u16, width as f64)
            .map_err(fail)?;
    }
    for (col, text) in labels.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, text, &formats.header)
            .map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    if !labels.is_empty() {
        ws.autofilter(0, 0, sheet.len as u32, (labels.len() - 1) as u16)
            .map_err(fail)?;
    }
    for (index, cells) in (sheet.rows)().enumerate() {
        if cells.len() != sheet.columns.len() {
            return Err(ApiError::internal(format!(
                "the {} sheet has a row of {} cells for {} columns",
                sheet.name,
                cells.len(),
                sheet.columns.len()
            )));
        }
        write_row(ws, index as u32 + 1, &cells, formats).map_err(fail)?;
    }
    Ok(())
}

fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: &[Cell],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, cell) in cells.iter().enumerate() {
        let col = col as u16;
        match cell {
            Cell::Empty => {}
            Cell::Text(_) | Cell::List(_) => {
                ws.write_string(row, col, cell.to_text())?;
            }
            Cell::Date(d) => {
                ws.write_date_with_format(row, col, d, &formats.date)?;
            }
            Cell::Timestamp(t) => {
                ws.write_datetime_with_format(row, col, t.naive_utc(), &formats.timestamp)?;
            }
            Cell::Integer(i) => {
                ws.write_number(row, col, *i as f64)?;
            }
            Cell::Decimal(x) => {
                ws.write_number_with_format(row, col, *x, &formats.decimal)?;
            }
            Cell::Exact(text) => match text.parse::<f64>() {
                Ok(x) => {
                    ws.write_number_with_format(row, col, x, &formats.decimal)?;
                }
                Err(_) => {
                    ws.write_string(row, col, text)?;
                }
            },
            Cell::Boolean(b) => {
                ws.write_boolean(row, col, *b)?;
            }
        }
    }
    Ok(())
}

/// Each column's width in characters: its widest cell as shown, or its label, within limits.
fn widths(labels: &[String], rows: impl Iterator<Item = Vec<Cell>>) -> Vec<usize> {
    let mut widths: Vec<usize> = labels.iter().map(|l| l.chars().count() + 3).collect();
    for cells in rows {
        for (width, cell) in widths.iter_mut().zip(&cells) {
            let shown = match cell {
                Cell::Date(_) => 10,
                Cell::Timestamp(_) => 19,
                Cell::Boolean(_) => 5,
                other => other.to_text().chars().count(),
            };
            *width = (*width).max(shown + 1);
        }
    }
    widths
        .into_iter()
        .map(|w| w.clamp(MIN_WIDTH, MAX_WIDTH))
        .collect()
}

/// The kinds a column of `kind` holds in a workbook, for the documentation.
pub fn cell_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Date => "a date cell",
        Kind::Timestamp => "a date-time cell (UTC)",
        Kind::Integer => "a number",
        Kind::Decimal => "a number shown with two decimals",
        Kind::Boolean => "a boolean cell",
        Kind::Text | Kind::List => "a text cell",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_fit_the_widest_cell_within_limits() {
        let labels = vec!["Id".to_string(), "Beskrivning".to_string()];
        let rows = vec![vec![Cell::Integer(7), Cell::Text("x".repeat(200))]];
        assert_eq!(
            widths(&labels, rows.into_iter()),
            vec![MIN_WIDTH, MAX_WIDTH]
        );
    }
}

//! A file as rows of text: a CSV file (RFC 4180, UTF-8, comma) or the first sheet of an Excel
//! workbook. Rows are numbered as a spreadsheet numbers them (the header is row 1, a CSV record
//! that spans lines is one row). A workbook's cells become the text a CSV export would hold:
//! numbers without a needless fraction (`4`, `1500.5`), date cells as `YYYY-MM-DD` (with the time
//! when it is not midnight), booleans as `true`/`false`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::http::problem::FieldError;
use crate::text::Text;

/// The two kinds of file an import takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl FileKind {
    /// The kind a `Content-Type` names, if it names one of the two.
    pub fn of_media_type(content_type: &str) -> Option<FileKind> {
        let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "text/csv" => Some(FileKind::Csv),
            XLSX => Some(FileKind::Xlsx),
            _ => None,
        }
    }
}

/// One row of the file: its number and its cells (a cell that cannot be read is an error).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<Result<String, CellFault>>,
}

/// The most a workbook's parts may unpack to, together. A 10,000-row export of agreements is a
/// workbook of about 1 MiB that unpacks to a few MiB.
pub const MAX_UNPACKED_MIB: u64 = 128;

/// What the parts of a zip archive unpack to together, as its directory declares it (the reader
/// stops at a part's declared size); `None` for a file that is not a zip archive.
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut unpacked: u64 = 0;
    for index in 0..archive.len() {
        unpacked = unpacked.saturating_add(archive.by_index_raw(index).ok()?.size());
    }
    Some(unpacked)
}

/// A cell with no value to read: a spreadsheet error (`#REF!`, `#VALUE!`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellFault;

/// The header and the rows after it; wholly empty rows are left out (their numbers are kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// Reads `bytes` as a file of `kind`; a file that cannot be read at all is one error.
pub fn read(kind: FileKind, bytes: &[u8]) -> Result<Table, Vec<FieldError>> {
    match kind {
        FileKind::Csv => read_csv(bytes),
        FileKind::Xlsx => read_xlsx(bytes),
    }
}

fn fault(pointer: String, code: &str, text: Text) -> FieldError {
    FieldError::new(pointer, code, text.msg())
}

fn read_csv(bytes: &[u8]) -> Result<Table, Vec<FieldError>> {
    // A file saved by a spreadsheet may begin with a byte-order mark.
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = None;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let number = index + 1;
        let record = match record {
            Ok(r) => r,
            Err(_) if number == 1 => {
                return Err(vec![fault(
                    "/rows/1".into(),
                    "malformed-csv",
                    Text::CsvHeaderMalformed,
                )]);
            }
            Err(_) => {
                errors.push(fault(
                    format!("/rows/{number}"),
                    "malformed-row",
                    Text::CsvRowMalformed,
                ));
                continue;
            }
        };
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if header.is_none() {
            header = Some(cells);
        } else if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push(Row {
                number,
                cells: cells.into_iter().map(|c| Ok(unescape_formula(c))).collect(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Table {
        header: header.unwrap_or_default(),
        rows,
    })
}

/// The export writes a text that a spreadsheet would run as a formula with a leading `'`
/// (`http::csv::escape_cell`); the import takes it back off.
fn unescape_formula(cell: String) -> String {
    let mut chars = cell.chars();
    match (chars.next(), chars.next()) {
        (Some('\''), Some('=' | '+' | '-' | '@' | '\t' | '\r')) => cell[1..].to_string(),
        _ => cell,
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, Vec<FieldError>> {
    let unreadable = || {
        vec![fault(
            String::new(),
            "unreadable-workbook",
            Text::WorkbookUnreadable,
        )]
    };
    // A workbook is a zip archive: its parts' sizes, as its directory declares them, are checked
    // before anything is unpacked, so that a small file cannot unpack into all of memory.
    if unpacked_size(bytes).ok_or_else(unreadable)? > MAX_UNPACKED_MIB * 1024 * 1024 {
        return Err(vec![fault(
            String::new(),
            "workbook-too-large",
            Text::WorkbookTooLarge {
                max_mib: MAX_UNPACKED_MIB,
            },
        )]);
    }
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        _ => return Err(unreadable()),
    };
    let Some((first_row, first_column)) = range.start() else {
        return Ok(Table {
            header: Vec::new(),
            rows: Vec::new(),
        });
    };
    // Columns left of the range are empty cells: the header's positions stay the sheet's.
    let pad = first_column as usize;
    let mut header = None;
    let mut rows = Vec::new();
    for (offset, cells) in range.rows().enumerate() {
        let number = first_row as usize + offset + 1;
        let mut texts: Vec<Result<String, CellFault>> = vec![Ok(String::new()); pad];
        texts.extend(cells.iter().map(cell_text));
        if header.is_none() {
            if number != 1 {
                // The header is row 1 of the sheet, as in the export.
                return Err(vec![fault(
                    "/rows/1".into(),
                    "missing-header",
                    Text::CsvHeaderMalformed,
                )]);
            }
            header = Some(texts.into_iter().map(Result::unwrap_or_default).collect());
        } else if texts
            .iter()
            .any(|c| !matches!(c, Ok(t) if t.trim().is_empty()))
        {
            rows.push(Row {
                number,
                cells: texts,
            });
        }
    }
    Ok(Table {
        header: header.unwrap_or_default(),
        rows,
    })
}

/// A workbook cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> Result<String, CellFault> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(x) => number_text(*x),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            }
        }
        Data::Error(_) => return Err(CellFault),
    })
}

/// A number as a person would write it: `4`, not `4.0`; `1500.5`.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_workbook_is_measured_by_what_it_unpacks_to_before_it_is_read() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        zip.write_all(&vec![b' '; 4 * 1024 * 1024]).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(bytes.len() < 64 * 1024, "{} bytes packed", bytes.len());
        assert_eq!(unpacked_size(&bytes), Some(4 * 1024 * 1024));
        assert_eq!(unpacked_size(b"not a zip"), None);
    }

    use super::*;

    #[test]
    fn a_csv_file_is_read_with_spreadsheet_row_numbers() {
        let text = "\u{feff}title,sdgs\n\"Två\nrader\",4\n,\n'=SUM(A1),'17\n";
        let table = read(FileKind::Csv, text.as_bytes()).unwrap();
        assert_eq!(table.header, ["title", "sdgs"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].number, 2);
        assert_eq!(table.rows[0].cells[0], Ok("Två\nrader".to_string()));
        assert_eq!(table.rows[1].number, 4);
        assert_eq!(table.rows[1].cells[0], Ok("=SUM(A1)".to_string()));
        assert_eq!(table.rows[1].cells[1], Ok("'17".to_string()));
    }

    #[test]
    fn workbook_numbers_and_dates_read_as_an_export_writes_them() {
        assert_eq!(number_text(4.0), "4");
        assert_eq!(number_text(1500.5), "1500.5");
        assert_eq!(cell_text(&Data::Bool(true)), Ok("true".to_string()));
        assert_eq!(
            cell_text(&Data::Error(calamine::CellErrorType::Ref)),
            Err(CellFault)
        );
    }

    #[test]
    fn the_media_type_names_the_kind() {
        assert_eq!(
            FileKind::of_media_type("text/csv; charset=utf-8"),
            Some(FileKind::Csv)
        );
        assert_eq!(FileKind::of_media_type(XLSX), Some(FileKind::Xlsx));
        assert_eq!(FileKind::of_media_type("application/json"), None);
    }

    #[test]
    fn a_file_that_is_no_workbook_is_one_error() {
        let errors = read(FileKind::Xlsx, b"not a zip").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "unreadable-workbook");
    }
}

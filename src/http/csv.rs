//! `Accept: text/csv` on lists: the whole filtered list, flattened, capped, and safe to open in a
//! spreadsheet (cells that begin with = + - @ are escaped).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;

use super::problem::ApiError;

/// The most rows one CSV response carries; the `X-Total-Count` header tells whether more matched.
pub const CSV_MAX_ROWS: i64 = 10_000;

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

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) => {
            let joined = items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(";");
            out.push((prefix.to_string(), joined));
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Renders `items` as CSV with the columns of the first item; `total` is how many matched.
pub fn csv_response<T: Serialize>(
    name: &str,
    items: &[T],
    total: i64,
) -> Result<HttpResponse, ApiError> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut columns: Option<Vec<String>> = None;
    for item in items {
        let value = serde_json::to_value(item).map_err(|e| ApiError::internal(e.to_string()))?;
        let mut cells = Vec::new();
        flatten("", &value, &mut cells);
        if columns.is_none() {
            let header: Vec<String> = cells.iter().map(|(k, _)| k.clone()).collect();
            writer
                .write_record(&header)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            columns = Some(header);
        }
        writer
            .write_record(cells.iter().map(|(_, v)| escape_cell(v)))
            .map_err(|e| ApiError::internal(e.to_string()))?;
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

    #[test]
    fn nested_values_become_dotted_columns() {
        let mut out = Vec::new();
        flatten(
            "",
            &serde_json::json!({"a": {"b": 1}, "c": ["x", "y"], "d": null}),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                ("a.b".into(), "1".into()),
                ("c".into(), "x;y".into()),
                ("d".into(), "".into())
            ]
        );
    }
}

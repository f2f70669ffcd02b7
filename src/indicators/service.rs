//! What an import does: every line's country must exist, or nothing is imported; the values are
//! written as one import with one event.

use super::IndicatorImport;
use super::store::{self, NewIndicator};
use crate::db::AnyConnection;
use crate::events::{self, Change, EventAction};
use crate::http::problem::{ApiError, FieldError};
use crate::text::Text;

const ENTITY: crate::events::EntityType = crate::events::EntityType::IndicatorImport;
/// Enough errors to fix a file by; more would only repeat themselves.
pub const MAX_ERRORS: usize = 100;

/// A CSV row, validated but for the country's existence; `line` is its line in the file.
pub struct Parsed {
    pub line: u64,
    pub row: NewIndicator,
}

pub fn import(
    conn: &mut AnyConnection,
    actor: &str,
    rows: Vec<Parsed>,
) -> Result<IndicatorImport, ApiError> {
    let known = store::country_codes(conn)?;
    let unknown: Vec<FieldError> = rows
        .iter()
        .filter(|p| !known.contains(&p.row.country_code))
        .take(MAX_ERRORS)
        .map(|p| {
            let text = Text::NoSuchCountry {
                code: p.row.country_code.to_string(),
            };
            let pointer = format!("/lines/{}/countryCode", p.line);
            FieldError::new(pointer, "unknown-country", text.msg())
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::validation(unknown));
    }
    let import_id = uuid::Uuid::now_v7().to_string();
    let new: Vec<NewIndicator> = rows.into_iter().map(|p| p.row).collect();
    let items = store::insert_all(conn, &import_id, &new, actor)?;
    let mut countries: Vec<&str> = items.iter().map(|x| x.country_code.as_str()).collect();
    countries.sort_unstable();
    countries.dedup();
    let data = serde_json::json!({
        "importId": import_id,
        "count": items.len(),
        "countryCodes": countries,
        "indicatorIds": items.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
    });
    let change = Change::new(ENTITY, &import_id, EventAction::Imported, 1, &data);
    events::append(conn, actor, change)?;
    Ok(IndicatorImport {
        import_id,
        count: items.len(),
        items,
    })
}

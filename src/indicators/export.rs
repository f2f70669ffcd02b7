//! The columns of the indicators export.

use super::Indicator;
use crate::http::export::{Cell, Column, export};

export! {
    Indicator as "indicators", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("importId") => (&row.import_id).into(),
        Column::text("countryCode") => (&row.country_code).into(),
        Column::text("source") => Cell::code(&row.source),
        Column::text("edition") => (&row.edition).into(),
        Column::text("metric") => (&row.metric).into(),
        Column::decimal("value") => row.value.into(),
        Column::text("category") => row.category.as_ref().into(),
        Column::text("url") => row.url.as_ref().into(),
        Column::timestamp("importedAt") => row.imported_at.into(),
        Column::text("importedBy") => (&row.imported_by).into(),
    ]
}

//! The columns of the indicators export.

use super::Indicator;
use crate::http::export::{Cell, Column, Export};

impl Export for Indicator {
    const NAME: &'static str = "indicators";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("importId"),
        Column::text("countryCode"),
        Column::text("source"),
        Column::text("edition"),
        Column::text("metric"),
        Column::decimal("value"),
        Column::text("category"),
        Column::text("url"),
        Column::timestamp("importedAt"),
        Column::text("importedBy"),
    ];

    fn cells(&self) -> Vec<Cell> {
        vec![
            (&self.id).into(),
            (&self.import_id).into(),
            (&self.country_code).into(),
            Cell::code(&self.source),
            (&self.edition).into(),
            (&self.metric).into(),
            self.value.into(),
            self.category.as_ref().into(),
            self.url.as_ref().into(),
            self.imported_at.into(),
            (&self.imported_by).into(),
        ]
    }
}

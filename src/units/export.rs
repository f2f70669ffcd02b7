//! The columns of the units export.

use super::Unit;
use crate::http::export::{Cell, Column, Export};

impl Export for Unit {
    const NAME: &'static str = "units";
    const COLUMNS: &'static [Column] = &[
        Column::text("code"),
        Column::text("name"),
        Column::text("nameEn"),
        Column::text("type"),
        Column::text("parentCode"),
        Column::date("validFrom"),
        Column::date("validUntil"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        vec![
            (&self.code).into(),
            (&self.name).into(),
            self.name_en.as_ref().into(),
            Cell::code(&self.unit_type),
            self.parent_code.as_ref().into(),
            self.valid_from.into(),
            self.valid_until.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

//! The columns of the countries export.

use super::Country;
use crate::http::export::{Cell, Column, Export};

impl Export for Country {
    const NAME: &'static str = "countries";
    const COLUMNS: &'static [Column] = &[
        Column::text("code"),
        Column::text("alpha3"),
        Column::text("name"),
        Column::text("nameEn"),
        Column::text("standing.outcome"),
        Column::text("standing.assessmentId"),
        Column::date("standing.assessedAt"),
        Column::date("standing.validUntil"),
        Column::boolean("standing.expired"),
        Column::list("standing.failingRequirements", "REQUIREMENT"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        let s = &self.standing;
        vec![
            (&self.code).into(),
            (&self.alpha3).into(),
            (&self.name).into(),
            (&self.name_en).into(),
            Cell::code(&s.outcome),
            s.assessment_id.as_ref().into(),
            s.assessed_at.into(),
            s.valid_until.into(),
            s.expired.into(),
            Cell::list(&s.failing_requirements),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

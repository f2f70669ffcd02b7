//! The columns of the countries export.

use super::Country;
use crate::http::export::{Cell, Column, export};

export! {
    Country as "countries", |row| [
        Column::text("code") => (&row.code).into(),
        Column::text("alpha3") => (&row.alpha3).into(),
        Column::text("name") => (&row.name).into(),
        Column::text("nameEn") => (&row.name_en).into(),
        Column::text("standing.outcome") => Cell::code(&row.standing.outcome),
        Column::text("standing.assessmentId") => row.standing.assessment_id.as_ref().into(),
        Column::date("standing.assessedAt") => row.standing.assessed_at.into(),
        Column::date("standing.validUntil") => row.standing.valid_until.into(),
        Column::boolean("standing.expired") => row.standing.expired.into(),
        Column::list("standing.failingRequirements", "REQUIREMENT") => Cell::list(&row.standing.failing_requirements),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

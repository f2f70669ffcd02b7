//! The columns of the units export.

use super::Unit;
use crate::http::export::{Cell, Column, export};

export! {
    Unit as "units", |row| [
        Column::text("code") => (&row.code).into(),
        Column::text("name") => (&row.name).into(),
        Column::text("nameEn") => row.name_en.as_ref().into(),
        Column::text("type") => Cell::code(&row.unit_type),
        Column::text("parentCode") => row.parent_code.as_ref().into(),
        Column::date("validFrom") => row.valid_from.into(),
        Column::date("validUntil") => row.valid_until.into(),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

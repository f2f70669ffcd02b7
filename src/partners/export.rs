//! The columns of the partners export.

use super::Partner;
use crate::http::export::{Cell, Column, export};

export! {
    Partner as "partners", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("name") => (&row.name).into(),
        Column::text("kind") => Cell::code(&row.kind),
        Column::text("countryCode") => (&row.country_code).into(),
        Column::text("city") => row.city.as_ref().into(),
        Column::text("externalIds.euPic") => row.external_ids.eu_pic.as_ref().into(),
        Column::text("externalIds.organisationNumber") => row.external_ids.organisation_number.as_ref().into(),
        Column::text("website") => row.website.as_ref().into(),
        Column::boolean("sisterCity") => row.sister_city.into(),
        Column::date("sisterCitySince") => row.sister_city_since.into(),
        Column::boolean("archived") => row.archived.into(),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

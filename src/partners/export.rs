//! The columns of the partners export.

use super::Partner;
use crate::http::export::{Cell, Column, Export};

impl Export for Partner {
    const NAME: &'static str = "partners";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("name"),
        Column::text("kind"),
        Column::text("countryCode"),
        Column::text("city"),
        Column::text("externalIds.euPic"),
        Column::text("externalIds.organisationNumber"),
        Column::text("website"),
        Column::boolean("sisterCity"),
        Column::date("sisterCitySince"),
        Column::boolean("archived"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        vec![
            (&self.id).into(),
            (&self.name).into(),
            Cell::code(&self.kind),
            (&self.country_code).into(),
            self.city.as_ref().into(),
            self.external_ids.eu_pic.as_ref().into(),
            self.external_ids.organisation_number.as_ref().into(),
            self.website.as_ref().into(),
            self.sister_city.into(),
            self.sister_city_since.into(),
            self.archived.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

//! The columns of the contacts export (personal data: exported to those who may read it).

use super::Contact;
use crate::http::export::{Cell, Column, Export};

impl Export for Contact {
    const NAME: &'static str = "contacts";
    const COLUMNS: &'static [Column] = &[
        Column::text("id"),
        Column::text("partnerId"),
        Column::text("name"),
        Column::text("role"),
        Column::text("email"),
        Column::text("phone"),
        Column::date("retentionUntil"),
        Column::integer("version"),
        Column::timestamp("createdAt"),
        Column::timestamp("updatedAt"),
    ];

    fn cells(&self) -> Vec<Cell> {
        vec![
            (&self.id).into(),
            (&self.partner_id).into(),
            (&self.name).into(),
            self.role.as_ref().into(),
            self.email.as_ref().into(),
            self.phone.as_ref().into(),
            self.retention_until.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
        ]
    }
}

//! The columns of the contacts export (personal data: exported to those who may read it).

use super::Contact;
use crate::http::export::{Column, export};

export! {
    Contact as "contacts", |row| [
        Column::text("id") => (&row.id).into(),
        Column::text("partnerId") => (&row.partner_id).into(),
        Column::text("name") => (&row.name).into(),
        Column::text("role") => row.role.as_ref().into(),
        Column::text("email") => row.email.as_ref().into(),
        Column::text("phone") => row.phone.as_ref().into(),
        Column::date("retentionUntil") => row.retention_until.into(),
        Column::integer("version") => row.version.into(),
        Column::timestamp("createdAt") => row.created_at.into(),
        Column::timestamp("updatedAt") => row.updated_at.into(),
    ]
}

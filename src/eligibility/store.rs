//! What eligibility reads of partners and agreements (assessments and exceptions come from their
//! own stores).

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{agreement_partners, partners};
use crate::http::problem::ApiError;
use crate::partners::PartnerKind;

/// What eligibility needs of a partner, read straight from its row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = partners)]
pub struct PartnerFacts {
    pub id: String,
    pub kind: String,
    pub country_code: String,
    pub archived: bool,
}

impl PartnerFacts {
    /// A city or region, assessed itself too ("landet/staden").
    pub fn is_assessable(&self) -> bool {
        PartnerKind::from_db(&self.kind).is_assessable()
    }
}

/// Many partners in one query, by id.
pub fn partners_by_id(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, PartnerFacts>, ApiError> {
    let rows = crate::db::in_chunks(ids, |chunk| {
        partners::table
            .filter(partners::id.eq_any(chunk))
            .select(PartnerFacts::as_select())
            .load(conn)
    })?;
    Ok(rows.into_iter().map(|p| (p.id.clone(), p)).collect())
}

pub fn partner(conn: &mut AnyConnection, id: &str) -> Result<Option<PartnerFacts>, ApiError> {
    Ok(partners::table
        .find(id)
        .select(PartnerFacts::as_select())
        .first(conn)
        .optional()?)
}

/// Whether `partner_id` is a party to agreement `agreement_id` (one indexed lookup).
pub fn is_party(
    conn: &mut AnyConnection,
    agreement_id: &str,
    partner_id: &str,
) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        agreement_partners::table
            .filter(agreement_partners::agreement_id.eq(agreement_id))
            .filter(agreement_partners::partner_id.eq(partner_id)),
    ))
    .get_result(conn)?)
}

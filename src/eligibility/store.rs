//! What eligibility reads of partners and agreements (assessments and exceptions come from their
//! own stores).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamp};

use super::inputs::{self, Columns, PartnerRead};
use crate::assessments::end_of_stockholm_day;
use crate::db::AnyConnection;
use crate::db::schema::partners;
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

/// What `GET /partners/{id}/eligibility` reads of the register, in one statement ([`read`]).
pub struct EligibilityRead {
    pub partner: PartnerFacts,
    /// Whether the unit asked about exists (false when none was named).
    pub unit_exists: bool,
    /// Whether the partner is a party to the agreement asked about (false when none was named).
    pub is_party: bool,
    /// The latest assessments published by the end of the date, and the partner's exception
    /// requests (for the agreement, when one was named).
    pub inputs: PartnerRead,
}

/// The partner `partner_id` with everything its eligibility on `date` rests on, for `unit` and
/// `agreement` when named, in one statement prepared once per connection; `None` when there is no
/// such partner.
pub fn read(
    conn: &mut AnyConnection,
    partner_id: &str,
    unit: Option<&str>,
    agreement: Option<&str>,
    date: NaiveDate,
) -> Result<Option<EligibilityRead>, ApiError> {
    let query = OnePartner {
        postgres: conn.backend() == crate::db::Backend::Postgres,
        at: end_of_stockholm_day(date),
        unit: unit.map(str::to_string),
        agreement: agreement.map(str::to_string),
        id: partner_id.to_string(),
    };
    let Some((partner, unit_exists, is_party, country, own, requests)) = query
        .get_result::<(
            PartnerFacts,
            bool,
            bool,
            Option<String>,
            Option<String>,
            String,
        )>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(EligibilityRead {
        partner,
        unit_exists,
        is_party,
        inputs: PartnerRead::parse(country.as_deref(), own.as_deref(), &requests)?,
    }))
}

crate::db::prepared! {
    /// The statement of [`read`]: the partner's facts, the two flags, the country's and the
    /// partner's own latest assessment (JSON objects or NULL), the exception requests (a JSON
    /// array).
    struct OnePartner -> ((Text, Text, Text, Bool), Bool, Bool, Nullable<Text>, Nullable<Text>, Text) {
        at: NaiveDateTime as Timestamp,
        unit: Option<String> as Nullable<Text>,
        agreement: Option<String> as Nullable<Text>,
        id: String as Text,
    }
    text = one_partner;
}

/// [`OnePartner`]'s text for PostgreSQL (`postgres`) or SQLite, in the pieces before its bound
/// parameters: the end of the day, the unit, the agreement and the partner's id.
fn one_partner(postgres: bool) -> [String; 4] {
    let requests = inputs::exceptions(
        postgres,
        Columns::Whole,
        "x.partner_id = p.id AND (q.agreement IS NULL OR x.agreement_id = q.agreement)",
    );
    [
        format!(
            "SELECT p.id, p.kind, p.country_code, p.archived, \
             EXISTS (SELECT 1 FROM units u WHERE u.code = q.unit), \
             EXISTS (SELECT 1 FROM agreement_partners l \
             WHERE l.agreement_id = q.agreement AND l.partner_id = p.id), \
             {country}, {own}, {requests} \
             FROM (SELECT ",
            country = inputs::country_assessment(postgres, Columns::Whole, "q.at"),
            own = inputs::own_assessment(postgres, Columns::Whole, "q.at"),
        ),
        " AS at, ".into(),
        " AS unit, ".into(),
        " AS agreement) q, partners p WHERE p.id = ".into(),
    ]
}

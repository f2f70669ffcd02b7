//! Partner queries.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl;
use diesel::expression::ValidGrouping;
use diesel::prelude::*;
use diesel::query_builder::{QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;

use super::{NewPartner, Partner, PartnerChanges, PartnerKind, PartnerRef};
use crate::db::schema::partners as p;
use crate::db::schema::{agreement_partners, agreements};
use crate::db::search::{like_pattern, lower};
use crate::db::{AnyConnection, MultiBackend, page};
use crate::http::problem::ApiError;

/// When each of `ids` became a sister city (vänort): the start of its earliest active
/// `SISTER_CITY` agreement (its start date, else the day it was activated). Partners that are not
/// sister cities are absent. One row per partner, the earliest taken by the database, so that a
/// partner party to many agreements costs no more to answer (the index
/// `agreements_sister_cities` holds only the active sister-city agreements).
pub fn sister_city_since(
    conn: &mut AnyConnection,
    partner_ids: &[String],
) -> Result<HashMap<String, NaiveDate>, ApiError> {
    if partner_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // `date()` of a naive UTC timestamp is its UTC date on both databases, as
    // `NaiveDateTime::date` is.
    let earliest = dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Date>>(
        "MIN(COALESCE(agreements.start_date, date(agreements.activated_at)))",
    );
    let rows: Vec<(String, Option<NaiveDate>)> = agreement_partners::table
        .inner_join(agreements::table)
        .filter(agreement_partners::partner_id.eq_any(partner_ids))
        .filter(agreements::status.eq("ACTIVE"))
        .filter(agreements::agreement_type.eq("SISTER_CITY"))
        .group_by(agreement_partners::partner_id)
        .select((agreement_partners::partner_id, earliest))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(partner, since)| since.map(|d| (partner, d)))
        .collect())
}

/// Whether anything keeps the partner: its contacts or assessments (the partner may not be deleted
/// then; agreements keep it through their foreign key).
pub fn is_referred_to(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    use crate::db::schema::{assessments, contacts};
    let contacted = diesel::select(diesel::dsl::exists(
        contacts::table.filter(contacts::partner_id.eq(id)),
    ))
    .get_result::<bool>(conn)?;
    Ok(contacted
        || diesel::select(diesel::dsl::exists(
            assessments::table.filter(assessments::partner_id.eq(id)),
        ))
        .get_result::<bool>(conn)?)
}

/// The partners with their sister-city fields set from the agreements.
fn with_sister_cities(
    conn: &mut AnyConnection,
    mut partners: Vec<Partner>,
) -> Result<Vec<Partner>, ApiError> {
    let ids: Vec<String> = partners.iter().map(|x| x.id.clone()).collect();
    let since = sister_city_since(conn, &ids)?;
    for x in &mut partners {
        x.sister_city_since = since.get(&x.id).copied();
        x.sister_city = x.sister_city_since.is_some();
    }
    Ok(partners)
}

#[derive(Debug, Default, Clone)]
pub struct PartnerFilter {
    pub country_code: Option<String>,
    pub kind: Option<PartnerKind>,
    pub sister_city: Option<bool>,
    pub archived: Option<bool>,
    pub q: Option<String>,
}

fn filtered(f: &PartnerFilter) -> p::BoxedQuery<'static, MultiBackend> {
    let mut query = p::table.into_boxed();
    if let Some(c) = &f.country_code {
        query = query.filter(p::country_code.eq(c.clone()));
    }
    if let Some(k) = f.kind {
        query = query.filter(p::kind.eq(k.as_str()));
    }
    if let Some(archived) = f.archived {
        query = query.filter(p::archived.eq(archived));
    }
    if let Some(q) = &f.q {
        let pattern = like_pattern(q);
        query = query.filter(
            lower(p::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(p::city.assume_not_null()).like(pattern).escape('\\')),
        );
    }
    query
}

pub fn list(
    conn: &mut AnyConnection,
    f: &PartnerFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Partner>, i64), ApiError> {
    let order = (p::created_at.asc(), p::id.asc());
    let Some(wanted) = f.sister_city else {
        let (rows, total) = page!(
            conn,
            filtered(f),
            order,
            Partner::as_select(),
            offset,
            limit
        );
        return Ok((with_sister_cities(conn, rows)?, total));
    };
    // sisterCity is derived from agreements, so that filter is applied after loading; the
    // register holds hundreds of partners, not millions.
    let rows = filtered(f)
        .order(order)
        .select(Partner::as_select())
        .load(conn)?;
    let all: Vec<Partner> = with_sister_cities(conn, rows)?
        .into_iter()
        .filter(|x| x.sister_city == wanted)
        .collect();
    Ok(crate::http::crud::slice(all, offset, limit))
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Partner>, ApiError> {
    let found = p::table
        .find(id)
        .select(Partner::as_select())
        .first(conn)
        .optional()?;
    Ok(with_sister_cities(conn, found.into_iter().collect())?.pop())
}

pub fn exists(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(p::table.find(id))).get_result(conn)?)
}

/// A view of a partner read straight from its row, which knows whose it is (for [`by_ids`]).
pub trait PartnerView {
    fn partner_id(&self) -> &str;
}

impl PartnerView for PartnerRef {
    fn partner_id(&self) -> &str {
        &self.id
    }
}

/// The partners with these ids, each as the view `T`, by id: one query per
/// [`crate::db::KEYS_PER_STATEMENT`] ids; unknown ids are absent.
pub fn by_ids<T>(conn: &mut AnyConnection, ids: &[String]) -> Result<HashMap<String, T>, ApiError>
where
    T: PartnerView + Selectable<MultiBackend> + Send + 'static,
    T::SelectExpression: SelectableExpression<p::table>
        + ValidGrouping<(), IsAggregate = diesel::expression::is_aggregate::No>
        + QueryFragment<MultiBackend>
        + QueryId
        + Send,
    for<'q> p::BoxedQuery<'q, MultiBackend, dsl::SqlTypeOf<dsl::AsSelect<T, MultiBackend>>>:
        LoadQuery<'q, AnyConnection, T>,
{
    let rows = crate::db::in_chunks(ids, |chunk| {
        p::table
            .filter(p::id.eq_any(chunk))
            .select(T::as_select())
            .into_boxed()
            .load(conn)
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (r.partner_id().to_string(), r))
        .collect())
}

/// How each of `ids` is named in an export; unknown ids are absent.
pub fn refs(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, PartnerRef>, ApiError> {
    by_ids(conn, ids)
}

/// The oldest partner with exactly this name, country and kind (an import's match when the id is
/// not known here).
pub fn find_by_identity(
    conn: &mut AnyConnection,
    name: &str,
    country_code: &str,
    kind: PartnerKind,
) -> Result<Option<String>, ApiError> {
    Ok(p::table
        .filter(p::name.eq(name))
        .filter(p::country_code.eq(country_code))
        .filter(p::kind.eq(kind.as_str()))
        .order((p::created_at.asc(), p::id.asc()))
        .select(p::id)
        .first::<String>(conn)
        .optional()?)
}

/// The partner's kind and country, for assessments.
pub fn kind_and_country(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(PartnerKind, String)>, ApiError> {
    Ok(p::table
        .find(id)
        .select((p::kind, p::country_code))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(k, c)| (PartnerKind::from_db(&k), c)))
}

/// The columns a partner's writable fields are stored in, from a `NewPartner` or a
/// `PartnerChanges` (declared from one field list).
macro_rules! stored {
    ($c:expr) => {
        (
            p::name.eq($c.name.as_str()),
            p::kind.eq($c.kind.as_str()),
            p::country_code.eq($c.country_code.as_str()),
            p::city.eq($c.city.as_ref().map(|x| x.as_str())),
            p::eu_pic.eq($c.external_ids.eu_pic.as_ref().map(|x| x.as_str())),
            p::organisation_number.eq($c
                .external_ids
                .organisation_number
                .as_ref()
                .map(|x| x.as_str())),
            p::website.eq($c.website.as_ref().map(|w| w.as_str())),
            p::archived.eq($c.archived),
        )
    };
}

pub fn insert(conn: &mut AnyConnection, new: &NewPartner) -> Result<Partner, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = crate::db::now();
    diesel::insert_into(p::table)
        .values((
            p::id.eq(&id),
            stored!(new),
            p::version.eq(1),
            p::created_at.eq(now),
            p::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, &id)?.ok_or_else(|| ApiError::internal("inserted partner vanished"))
}

/// Writes `changes` if the partner is still at `version`; `None` when another write came first.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    c: &PartnerChanges,
) -> Result<Option<Partner>, ApiError> {
    let updated = diesel::update(p::table.find(id).filter(p::version.eq(version)))
        .set((
            stored!(c),
            p::version.eq(version + 1),
            p::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    crate::db::reread(updated, || find(conn, id))
}

/// Deletes the partner if it is still at `version`. Callers check references first; tables added
/// later that refer to partners do so by foreign key, which refuses the delete (409) as well.
pub fn delete(conn: &mut AnyConnection, id: &str, version: i32) -> Result<bool, ApiError> {
    Ok(diesel::delete(p::table.find(id).filter(p::version.eq(version))).execute(conn)? == 1)
}

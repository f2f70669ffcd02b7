//! Indicator queries.

use std::collections::HashSet;

use diesel::prelude::*;

use super::{Indicator, IndicatorSource};
use crate::db::AnyConnection;
use crate::db::schema::indicators as i;
use crate::http::problem::ApiError;

super::indicator_value! {
    /// One validated CSV row.
    #[derive(Debug, Clone)]
    NewIndicator {} {}
}

pub fn insert_all(
    conn: &mut AnyConnection,
    import_id: &str,
    rows: &[NewIndicator],
    actor: &str,
) -> Result<Vec<Indicator>, ApiError> {
    let now = crate::db::now();
    let mut ids = Vec::with_capacity(rows.len());
    for r in rows {
        let id = uuid::Uuid::now_v7().to_string();
        diesel::insert_into(i::table)
            .values((
                i::id.eq(&id),
                i::import_id.eq(import_id),
                i::country_code.eq(&r.country_code),
                i::source.eq(r.source.as_str()),
                i::edition.eq(&r.edition),
                i::metric.eq(&r.metric),
                i::value.eq(r.value),
                i::category.eq(r.category.as_deref()),
                i::url.eq(r.url.as_deref()),
                i::imported_at.eq(now),
                i::imported_by.eq(actor),
            ))
            .execute(conn)?;
        ids.push(id);
    }
    let rows = i::table
        .filter(i::import_id.eq(import_id))
        .order(i::id.asc())
        .select(Indicator::as_select())
        .load(conn)?;
    Ok(rows)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Indicator>, ApiError> {
    Ok(i::table
        .find(id)
        .select(Indicator::as_select())
        .first(conn)
        .optional()?)
}

/// The latest imported value for each source and metric of a country, by source and metric.
pub fn latest_for_country(
    conn: &mut AnyConnection,
    country_code: &str,
    source: Option<IndicatorSource>,
) -> Result<Vec<Indicator>, ApiError> {
    let mut query = i::table
        .filter(i::country_code.eq(country_code.to_string()))
        .into_boxed();
    if let Some(s) = source {
        query = query.filter(i::source.eq(s.as_str()));
    }
    let rows = query
        .order((i::imported_at.desc(), i::id.desc()))
        .select(Indicator::as_select())
        .load(conn)?;
    let mut seen = HashSet::new();
    let mut latest: Vec<Indicator> = rows
        .into_iter()
        .filter(|r| seen.insert((r.source, r.metric.clone())))
        .collect();
    latest.sort_by(|a, b| {
        (a.source.as_str(), a.metric.as_str()).cmp(&(b.source.as_str(), b.metric.as_str()))
    });
    Ok(latest)
}

/// The codes of every country there is.
pub fn country_codes(conn: &mut AnyConnection) -> Result<HashSet<String>, ApiError> {
    use crate::db::schema::countries;
    let codes = countries::table
        .select(countries::code)
        .load::<String>(conn)?;
    Ok(codes.into_iter().collect())
}

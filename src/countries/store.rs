//! Country queries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{Country, Standing, StandingOutcome};
use crate::db::schema::countries;
use crate::db::search::{like_pattern, lower};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::problem::ApiError;

#[derive(Queryable, Selectable)]
#[diesel(table_name = countries)]
pub struct CountryRow {
    pub code: String,
    pub alpha3: String,
    pub name_sv: String,
    pub name_en: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CountryRow {
    fn into_country(self, standing: Standing) -> Country {
        Country {
            code: self.code,
            alpha3: self.alpha3,
            name: self.name_sv,
            name_en: self.name_en,
            standing,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct CountryFilter {
    pub q: Option<String>,
    pub outcome: Option<StandingOutcome>,
    /// Only countries whose assessment is valid today and ends within this many days.
    pub expires_within_days: Option<u32>,
    pub expired: Option<bool>,
}

fn filtered(q: Option<&str>) -> countries::BoxedQuery<'static, MultiBackend> {
    let mut query = countries::table.into_boxed();
    if let Some(q) = q {
        let pattern = like_pattern(q);
        query = query.filter(
            lower(countries::name_sv)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(countries::name_en).like(pattern).escape('\\'))
                .or(countries::code.eq(q.to_uppercase())),
        );
    }
    query
}

/// Countries with their standing on `today`. There are some 250, so the standing filters are
/// applied in memory over one query of countries and one of published assessments.
pub fn list(
    conn: &mut AnyConnection,
    f: &CountryFilter,
    today: NaiveDate,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Country>, i64), ApiError> {
    // Countries are seeded together, so the stable order is by code.
    let rows = filtered(f.q.as_deref())
        .order(countries::code.asc())
        .select(CountryRow::as_select())
        .load(conn)?;
    let mut current = crate::assessments::store::current_country_assessments(conn)?;
    let horizon = f
        .expires_within_days
        .map(|d| today + chrono::Duration::days(i64::from(d)));
    let all: Vec<Country> = rows
        .into_iter()
        .map(|r| {
            let standing = current
                .remove(&r.code)
                .map_or_else(Standing::not_assessed, |a| Standing::of(&a, today));
            r.into_country(standing)
        })
        .filter(|c| f.outcome.is_none_or(|o| c.standing.outcome == o))
        .filter(|c| f.expired.is_none_or(|e| c.standing.expired == e))
        .filter(|c| {
            horizon.is_none_or(|h| c.standing.valid_until.is_some_and(|v| today <= v && v <= h))
        })
        .collect();
    Ok(crate::http::crud::slice(all, offset, limit))
}

pub fn find(conn: &mut AnyConnection, code: &str) -> Result<Option<Country>, ApiError> {
    let Some(row) = countries::table
        .find(code)
        .select(CountryRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let subject = crate::assessments::Subject::Country(code.to_string());
    let standing = crate::assessments::store::current_published(conn, &subject)?
        .map_or_else(Standing::not_assessed, |a| {
            Standing::of(&a, crate::policy::today())
        });
    Ok(Some(row.into_country(standing)))
}

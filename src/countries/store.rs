//! Country queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Country;
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

impl From<CountryRow> for Country {
    fn from(r: CountryRow) -> Self {
        Country {
            code: r.code,
            alpha3: r.alpha3,
            name: r.name_sv,
            name_en: r.name_en,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
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

pub fn list(
    conn: &mut AnyConnection,
    q: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Country>, i64), ApiError> {
    let total = filtered(q).count().get_result::<i64>(conn)?;
    // Countries are seeded together, so the stable order is by code.
    let rows = filtered(q)
        .order(countries::code.asc())
        .offset(offset)
        .limit(limit)
        .select(CountryRow::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(Country::from).collect(), total))
}

pub fn find(conn: &mut AnyConnection, code: &str) -> Result<Option<Country>, ApiError> {
    Ok(countries::table
        .find(code)
        .select(CountryRow::as_select())
        .first(conn)
        .optional()?
        .map(Country::from))
}

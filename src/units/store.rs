//! Unit queries.

use diesel::prelude::*;

use super::{NewUnit, Unit, UnitChanges, UnitType};
use crate::db::schema::units;
use crate::db::search::{like_pattern, lower};
use crate::db::{AnyConnection, MultiBackend, page};
use crate::http::problem::ApiError;

#[derive(Debug, Default)]
pub struct UnitFilter {
    pub unit_type: Option<UnitType>,
    pub parent_code: Option<String>,
    pub q: Option<String>,
}

fn filtered(f: &UnitFilter) -> units::BoxedQuery<'static, MultiBackend> {
    let mut query = units::table.into_boxed();
    if let Some(t) = f.unit_type {
        query = query.filter(units::unit_type.eq(t.as_str()));
    }
    if let Some(parent) = &f.parent_code {
        query = query.filter(units::parent_code.eq(parent.clone()));
    }
    if let Some(q) = &f.q {
        let pattern = like_pattern(q);
        query = query.filter(
            lower(units::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(units::name_en.assume_not_null())
                    .like(pattern)
                    .escape('\\')),
        );
    }
    query
}

pub fn list(
    conn: &mut AnyConnection,
    f: &UnitFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Unit>, i64), ApiError> {
    let order = (units::created_at.asc(), units::code.asc());
    Ok(page!(
        conn,
        filtered(f),
        order,
        Unit::as_select(),
        offset,
        limit
    ))
}

pub fn find(conn: &mut AnyConnection, code: &str) -> Result<Option<Unit>, ApiError> {
    Ok(units::table
        .find(code)
        .select(Unit::as_select())
        .first(conn)
        .optional()?)
}

pub fn exists(conn: &mut AnyConnection, code: &str) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(units::table.find(code))).get_result(conn)?)
}

/// The columns a unit's writable fields are stored in, from a `NewUnit` or a `UnitChanges`
/// (declared from one field list).
macro_rules! stored {
    ($c:expr) => {
        (
            units::name.eq($c.name.as_str()),
            units::name_en.eq($c.name_en.as_ref().map(|n| n.as_str())),
            units::unit_type.eq($c.unit_type.as_str()),
            units::parent_code.eq($c.parent_code.as_ref().map(|c| c.as_str())),
            units::valid_from.eq($c.valid_from),
            units::valid_until.eq($c.valid_until),
        )
    };
}

pub fn insert(conn: &mut AnyConnection, new: &NewUnit) -> Result<Unit, ApiError> {
    let now = crate::db::now();
    diesel::insert_into(units::table)
        .values((
            units::code.eq(new.code.as_str()),
            stored!(new),
            units::version.eq(1),
            units::created_at.eq(now),
            units::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, new.code.as_str())?.ok_or_else(|| ApiError::internal("inserted unit vanished"))
}

/// Writes `changes` if the unit is still at `version`; `None` when another write came first.
pub fn update(
    conn: &mut AnyConnection,
    code: &str,
    version: i32,
    changes: &UnitChanges,
) -> Result<Option<Unit>, ApiError> {
    let updated = diesel::update(units::table.find(code).filter(units::version.eq(version)))
        .set((
            stored!(changes),
            units::version.eq(version + 1),
            units::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    crate::db::reread(updated, || find(conn, code))
}

/// Deletes the unit if it is still at `version`.
pub fn delete(conn: &mut AnyConnection, code: &str, version: i32) -> Result<bool, ApiError> {
    Ok(
        diesel::delete(units::table.find(code).filter(units::version.eq(version))).execute(conn)?
            == 1,
    )
}

pub fn has_children(conn: &mut AnyConnection, code: &str) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        units::table.filter(units::parent_code.eq(code)),
    ))
    .get_result(conn)?)
}

/// The codes of `code` and every unit above it, nearest first (stops at a cycle).
pub fn ancestors(conn: &mut AnyConnection, code: &str) -> Result<Vec<String>, ApiError> {
    let mut chain = vec![code.to_string()];
    let mut current = code.to_string();
    while let Some(parent) = units::table
        .find(&current)
        .select(units::parent_code)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten()
    {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent.clone());
        current = parent;
    }
    Ok(chain)
}

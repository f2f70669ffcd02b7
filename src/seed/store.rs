//! The seed's one query of its own.

use diesel::prelude::*;

use crate::db::{AnyConnection, schema};
use crate::http::problem::ApiError;

/// Whether the register holds any unit, partner, agreement or assessment.
pub fn holds_data(conn: &mut AnyConnection) -> Result<bool, ApiError> {
    let counts = [
        schema::units::table.count().get_result::<i64>(conn)?,
        schema::partners::table.count().get_result::<i64>(conn)?,
        schema::agreements::table.count().get_result::<i64>(conn)?,
        schema::assessments::table.count().get_result::<i64>(conn)?,
    ];
    Ok(counts.iter().any(|n| *n > 0))
}

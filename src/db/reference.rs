//! Reference data the features check their input against: the ISO 3166-1 country list, seeded by
//! the migrations and read by partners, assessments, indicators and countries alike.

use diesel::prelude::*;

use super::AnyConnection;
use super::schema::countries;

/// Whether `code` is a country of the list.
pub fn country_exists(conn: &mut AnyConnection, code: &str) -> Result<bool, diesel::result::Error> {
    diesel::select(diesel::dsl::exists(countries::table.find(code))).get_result(conn)
}

//! Reference data the features check their input against: the ISO 3166-1 country list, seeded by
//! the migrations and read by partners, assessments, indicators and countries alike; and the units'
//! tree, which decides whom an officer acts for.

use diesel::prelude::*;

use super::AnyConnection;
use super::schema::{countries, units};

/// Whether `code` is a country of the list.
pub fn country_exists(conn: &mut AnyConnection, code: &str) -> Result<bool, diesel::result::Error> {
    diesel::select(diesel::dsl::exists(countries::table.find(code))).get_result(conn)
}

/// The unit `code` and every unit below it.
pub fn unit_subtree(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<String>, diesel::result::Error> {
    let all: Vec<(String, Option<String>)> = units::table
        .select((units::code, units::parent_code))
        .load(conn)?;
    let mut found = vec![code.to_string()];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i].clone();
        for (child, p) in &all {
            if p.as_deref() == Some(parent.as_str()) && !found.contains(child) {
                found.push(child.clone());
            }
        }
        i += 1;
    }
    Ok(found)
}

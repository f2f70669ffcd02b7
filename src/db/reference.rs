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

/// A unit as the tree holds it: its code, the unit above it, and its type as stored.
#[derive(Debug, Clone, Queryable)]
pub struct TreeUnit {
    pub code: String,
    pub parent_code: Option<String>,
    pub unit_type: String,
}

/// Every unit of the tree, in one statement (a city has tens of units, not thousands).
pub fn unit_tree(conn: &mut AnyConnection) -> Result<Vec<TreeUnit>, diesel::result::Error> {
    units::table
        .select((units::code, units::parent_code, units::unit_type))
        .load(conn)
}

/// The unit `code` and every unit below it in `tree`.
pub fn subtree(tree: &[TreeUnit], code: &str) -> Vec<String> {
    let mut found = vec![code.to_string()];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i].clone();
        for unit in tree {
            if unit.parent_code.as_deref() == Some(parent.as_str()) && !found.contains(&unit.code) {
                found.push(unit.code.clone());
            }
        }
        i += 1;
    }
    found
}

/// The unit `code` and every unit below it.
pub fn unit_subtree(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<String>, diesel::result::Error> {
    Ok(subtree(&unit_tree(conn)?, code))
}

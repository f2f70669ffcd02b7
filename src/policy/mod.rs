//! The policy's rules as plain data and plain functions: no database, no HTTP. Handlers load data,
//! call this core and store what it decides.

pub mod activation;
pub mod catalogue;
pub mod compliance;
pub mod eligibility;

use chrono::NaiveDate;

/// Europe/Stockholm's date now: every calendar date of the register is a Stockholm date.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

//! The queries the reports need: each loads a whole table slice once, so a report costs a fixed
//! number of queries however many agreements there are (compliance judgements aside).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::agreements::AgreementStatus;
use crate::agreements::store::{self as agreements, AgreementFilter, AgreementRecord};
use crate::assessments::Assessment;
use crate::assessments::store::AssessmentRow;
use crate::db::AnyConnection;
use crate::db::schema::{assessments as a, countries, units};
use crate::http::problem::ApiError;

/// Every agreement that has been active (drafts never count), with its lists.
pub fn agreements_once_active(conn: &mut AnyConnection) -> Result<Vec<AgreementRecord>, ApiError> {
    agreements::list_all(
        conn,
        &AgreementFilter {
            statuses: Some(vec![
                AgreementStatus::Active,
                AgreementStatus::Ended,
                AgreementStatus::Cancelled,
            ]),
            ..Default::default()
        },
    )
}

/// Every unit's Swedish name, by code.
pub fn unit_names(conn: &mut AnyConnection) -> Result<HashMap<String, String>, ApiError> {
    by_code(conn, units::table.select((units::code, units::name)))
}

/// Every country's Swedish name, by code.
pub fn country_names(conn: &mut AnyConnection) -> Result<HashMap<String, String>, ApiError> {
    by_code(
        conn,
        countries::table.select((countries::code, countries::name_sv)),
    )
}

/// The rows of a query of (code, name) pairs, as a name per code.
fn by_code<'q, Q>(conn: &mut AnyConnection, query: Q) -> Result<HashMap<String, String>, ApiError>
where
    Q: RunQueryDsl<AnyConnection>
        + diesel::query_dsl::LoadQuery<'q, AnyConnection, (String, String)>,
{
    Ok(query.load::<(String, String)>(conn)?.into_iter().collect())
}

/// The assessments in force at `at` (naive UTC): published by then and not yet superseded, in
/// the state they had then.
pub fn assessments_in_force(
    conn: &mut AnyConnection,
    at: NaiveDateTime,
) -> Result<Vec<Assessment>, ApiError> {
    let rows = a::table
        .filter(a::published_at.le(at))
        .filter(a::superseded_at.is_null().or(a::superseded_at.gt(at)))
        .order((a::valid_until.asc(), a::id.asc()))
        .select(AssessmentRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut assessment = Assessment::from(row);
            // Superseded later than `at`: it was the published one then.
            assessment.status = crate::assessments::AssessmentStatus::Published;
            assessment.superseded_at = None;
            assessment.superseded_by = None;
            assessment
        })
        .collect())
}

//! Eligibility of a partner on a date: loads what the register held at the end of that date and
//! asks the policy core. A fixed number of queries however long the history: the partner, the
//! latest country assessment, the partner's own latest assessment, and its exception requests.

pub mod routes;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::assessments::{Assessment, Subject, end_of_stockholm_day, store as assessments};
use crate::db::AnyConnection;
use crate::db::schema::partners;
use crate::exceptions::store::{self as exceptions, ExceptionRow};
use crate::http::problem::ApiError;
use crate::policy::eligibility::{Decision, EligibilityInput, decide};

/// What eligibility needs of a partner.
#[derive(Debug, Clone)]
pub struct PartnerFacts {
    pub id: String,
    pub kind: String,
    pub country_code: String,
    pub archived: bool,
}

pub fn partner(conn: &mut AnyConnection, id: &str) -> Result<Option<PartnerFacts>, ApiError> {
    Ok(partners::table
        .find(id)
        .select((
            partners::id,
            partners::kind,
            partners::country_code,
            partners::archived,
        ))
        .first::<(String, String, String, bool)>(conn)
        .optional()?
        .map(|(id, kind, country_code, archived)| PartnerFacts {
            id,
            kind,
            country_code,
            archived,
        }))
}

/// A decision with the records it rests on.
#[derive(Debug, Clone)]
pub struct Explained {
    pub decision: Decision,
    /// The latest published assessments considered (country first), valid on the date or not.
    pub assessments: Vec<Assessment>,
    /// The partner's exception requests (for the agreement, when one was named).
    pub exceptions: Vec<ExceptionRow>,
}

/// Eligibility of `partner` on `date`, for `agreement` when one is named, as the register stood
/// at the end of that date (Europe/Stockholm).
pub fn explain(
    conn: &mut AnyConnection,
    partner: &PartnerFacts,
    date: NaiveDate,
    agreement: Option<&str>,
) -> Result<Explained, ApiError> {
    let at = end_of_stockholm_day(date);
    let country =
        assessments::published_as_of(conn, &Subject::Country(partner.country_code.clone()), at)?;
    let own = if matches!(partner.kind.as_str(), "CITY" | "REGION") {
        assessments::published_as_of(conn, &Subject::Partner(partner.id.clone()), at)?
    } else {
        None
    };
    let rows = exceptions::for_partner(conn, &partner.id, agreement)?;
    let (facts, rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .filter_map(|r| Some((r.facts_as_of(date, at)?, r)))
        .unzip();
    let input = EligibilityInput {
        country_assessment: country.as_ref().map(Assessment::facts),
        partner_assessment: own.as_ref().map(Assessment::facts),
        exceptions: facts,
    };
    let decision = decide(&input, date, agreement);
    Ok(Explained {
        decision,
        assessments: country.into_iter().chain(own).collect(),
        exceptions: rows,
    })
}

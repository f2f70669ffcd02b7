//! Eligibility of a partner on a date: loads what the register held at the end of that date and
//! asks the policy core. A fixed number of queries however long the history: the partner, the
//! latest country assessment, the partner's own latest assessment, and its exception requests.

pub mod routes;

use std::collections::HashMap;

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

/// Many partners in one query, by id.
pub fn partners_by_id(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, PartnerFacts>, ApiError> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = partners::table
            .filter(partners::id.eq_any(chunk))
            .select((
                partners::id,
                partners::kind,
                partners::country_code,
                partners::archived,
            ))
            .load::<(String, String, String, bool)>(conn)?;
        for (id, kind, country_code, archived) in rows {
            found.insert(
                id.clone(),
                PartnerFacts {
                    id,
                    kind,
                    country_code,
                    archived,
                },
            );
        }
    }
    Ok(found)
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

/// Eligibility on `date` of each (agreement, partner) pair, for many agreements at once: the same
/// answers as `explain`, in a fixed number of queries however many pairs (partners, assessments of
/// their countries and of themselves, and the agreements' exceptions).
pub fn explain_batch(
    conn: &mut AnyConnection,
    pairs: &[(String, String)],
    date: NaiveDate,
) -> Result<HashMap<(String, String), Explained>, ApiError> {
    let at = end_of_stockholm_day(date);
    let partner_ids: Vec<String> = pairs
        .iter()
        .map(|(_, p)| p.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let partners = partners_by_id(conn, &partner_ids)?;
    let mut subjects: Vec<Subject> = partners
        .values()
        .map(|p| Subject::Country(p.country_code.clone()))
        .collect();
    subjects.extend(
        partners
            .values()
            .filter(|p| matches!(p.kind.as_str(), "CITY" | "REGION"))
            .map(|p| Subject::Partner(p.id.clone())),
    );
    subjects.sort_by_key(Subject::key);
    subjects.dedup();
    let published = assessments::published_as_of_many(conn, &subjects, at)?;
    let agreement_ids: Vec<String> = pairs
        .iter()
        .map(|(a, _)| a.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut exceptions_by_pair: HashMap<(String, String), Vec<ExceptionRow>> = HashMap::new();
    for row in exceptions::for_agreements(conn, &agreement_ids)? {
        exceptions_by_pair
            .entry((row.agreement_id.clone(), row.partner_id.clone()))
            .or_default()
            .push(row);
    }
    let mut answers = HashMap::new();
    for (agreement, partner_id) in pairs {
        let Some(partner) = partners.get(partner_id) else {
            continue;
        };
        let country = published
            .get(&Subject::Country(partner.country_code.clone()))
            .cloned();
        let own = published
            .get(&Subject::Partner(partner.id.clone()))
            .cloned();
        let rows = exceptions_by_pair
            .remove(&(agreement.clone(), partner_id.clone()))
            .unwrap_or_default();
        let (facts, rows): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .filter_map(|r| Some((r.facts_as_of(date, at)?, r)))
            .unzip();
        let input = EligibilityInput {
            country_assessment: country.as_ref().map(Assessment::facts),
            partner_assessment: own.as_ref().map(Assessment::facts),
            exceptions: facts,
        };
        let decision = decide(&input, date, Some(agreement));
        answers.insert(
            (agreement.clone(), partner_id.clone()),
            Explained {
                decision,
                assessments: country.into_iter().chain(own).collect(),
                exceptions: rows,
            },
        );
    }
    Ok(answers)
}

//! Eligibility of a partner on a date: loads what the register held at the end of that date and
//! asks the policy core. A fixed number of queries however long the history: the partner, the
//! latest country assessment, the partner's own latest assessment, and its exception requests
//! (`explain`); or all of them in one statement with the partner's row (`store::read`) or with an
//! agreement's (`inputs`).

pub mod inputs;
pub mod routes;
pub mod store;

pub use store::PartnerFacts;
use store::partners_by_id;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::assessments::{Assessment, Subject, end_of_stockholm_day, store as assessments};
use crate::db::AnyConnection;
use crate::db::derived::Derived;
use crate::exceptions::store::{self as exceptions, ExceptionRow};
use crate::http::problem::ApiError;
use crate::policy::eligibility::{Decision, EligibilityInput, decide};

/// The key of an eligibility answer: partner, unit, agreement and date.
pub type EligibilityKey = (String, Option<String>, Option<String>, NaiveDate);

/// Eligibility answers by (partner, unit, agreement, date), while the register is unchanged
/// (`db::derived`), per instance.
pub struct EligibilityAnswers(pub Derived<EligibilityKey, std::sync::Arc<routes::Eligibility>>);

impl Default for EligibilityAnswers {
    fn default() -> Self {
        // About 2 kB per answer: under 10 MB.
        Self(Derived::new("eligibility", 4_096))
    }
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
    let own = if partner.is_assessable() {
        assessments::published_as_of(conn, &Subject::Partner(partner.id.clone()), at)?
    } else {
        None
    };
    let rows = exceptions::for_partner(conn, &partner.id, agreement)?;
    Ok(explained(country, own, rows, date, agreement))
}

/// The decision on `date` (for `agreement` when one is named) from the assessments published by
/// the end of it and the partner's exception requests, with the records it rests on.
fn explained(
    country: Option<Assessment>,
    own: Option<Assessment>,
    rows: Vec<ExceptionRow>,
    date: NaiveDate,
    agreement: Option<&str>,
) -> Explained {
    let at = end_of_stockholm_day(date);
    let (facts, rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .filter_map(|r| Some((r.facts_as_of(date, at)?, r)))
        .unzip();
    let input = EligibilityInput {
        country_assessment: country.as_ref().map(Assessment::facts),
        partner_assessment: own.as_ref().map(Assessment::facts),
        exceptions: facts,
    };
    Explained {
        decision: decide(&input, date, agreement),
        assessments: country.into_iter().chain(own).collect(),
        exceptions: rows,
    }
}

/// Each of `ids` once, in order.
fn distinct<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<String> {
    let set: std::collections::BTreeSet<&String> = ids.collect();
    set.into_iter().cloned().collect()
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
    let partner_ids = distinct(pairs.iter().map(|(_, p)| p));
    let partners = partners_by_id(conn, &partner_ids)?;
    let mut subjects: Vec<Subject> = partners
        .values()
        .map(|p| Subject::Country(p.country_code.clone()))
        .collect();
    subjects.extend(
        partners
            .values()
            .filter(|p| p.is_assessable())
            .map(|p| Subject::Partner(p.id.clone())),
    );
    subjects.sort_by_key(Subject::key);
    subjects.dedup();
    let published = assessments::published_as_of_many(conn, &subjects, at)?;
    let agreement_ids = distinct(pairs.iter().map(|(a, _)| a));
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
        answers.insert(
            (agreement.clone(), partner_id.clone()),
            explained(country, own, rows, date, Some(agreement)),
        );
    }
    Ok(answers)
}

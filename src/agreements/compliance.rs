//! Whether an active agreement still holds, at the moment of the request: its partners are still
//! eligible for it today, or the reasons they are not.

use std::borrow::Borrow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::store::AgreementRecord;
use super::{AgreementStatus, Compliance, ComplianceReason, ComplianceStatus};
use crate::db::AnyConnection;
use crate::db::derived::Derived;
use crate::eligibility::inputs::AgreementInputs;
use crate::eligibility::{Explained, explain_batch};
use crate::http::problem::ApiError;
use crate::policy::compliance::review_reason;

/// Compliance of an active agreement on `today`; `None` for agreements that are not active.
pub fn compliance(
    conn: &mut AnyConnection,
    record: &AgreementRecord,
    today: NaiveDate,
) -> Result<Option<Compliance>, ApiError> {
    Ok(compliance_many(conn, std::slice::from_ref(record), today)?.remove(&record.row.id))
}

/// Compliance of the active agreements among `records`, by agreement id, in a fixed number of
/// queries however many agreements.
pub fn compliance_many<R: Borrow<AgreementRecord>>(
    conn: &mut AnyConnection,
    records: &[R],
    today: NaiveDate,
) -> Result<HashMap<String, Compliance>, ApiError> {
    let active: Vec<&AgreementRecord> = records
        .iter()
        .map(Borrow::borrow)
        .filter(|r| r.status() == AgreementStatus::Active)
        .collect();
    let pairs: Vec<(String, String)> = active
        .iter()
        .flat_map(|r| r.partner_ids.iter().map(|p| (r.row.id.clone(), p.clone())))
        .collect();
    let mut answers = if pairs.is_empty() {
        HashMap::new()
    } else {
        explain_batch(conn, &pairs, today)?
    };
    let mut result = HashMap::new();
    for record in active {
        let id = &record.row.id;
        let explained: Vec<(&String, Explained)> = (record.partner_ids.iter())
            .filter_map(|p| Some((p, answers.remove(&(id.clone(), p.clone()))?)))
            .collect();
        let judged = judged(explained.iter().map(|(p, e)| (p.as_str(), e)), today);
        result.insert(id.clone(), judged);
    }
    Ok(result)
}

/// Compliance on `today` of an agreement that was read with its compliance inputs
/// (`eligibility::inputs::agreement_inputs`, present for active agreements only): `None` for an
/// agreement that is not active. No statement of its own.
pub fn compliance_of(
    record: &AgreementRecord,
    inputs: Option<&str>,
    today: NaiveDate,
) -> Result<Option<Compliance>, ApiError> {
    if record.status() != AgreementStatus::Active {
        return Ok(None);
    }
    let Some(inputs) = inputs else {
        return Err(ApiError::internal(
            "an active agreement read without its compliance inputs",
        ));
    };
    let explained = AgreementInputs::parse(inputs)?.explain(&record.row.id, today)?;
    Ok(Some(judged(
        explained.iter().map(|(p, e)| (p.as_str(), e)),
        today,
    )))
}

/// An active agreement's compliance on `today` from the eligibility of each of its partners, in
/// their order.
fn judged<'a>(
    partners: impl Iterator<Item = (&'a str, &'a Explained)>,
    today: NaiveDate,
) -> Compliance {
    let reasons: Vec<ComplianceReason> = partners
        .filter_map(|(partner_id, explained)| reason(partner_id, explained, today))
        .collect();
    let status = if reasons.is_empty() {
        ComplianceStatus::Compliant
    } else {
        ComplianceStatus::ReviewRequired
    };
    Compliance {
        status,
        reasons,
        as_of: today,
    }
}

/// Judged compliance, by agreement id, version and day (`db::derived`).
pub type ComplianceAnswers = Derived<(String, i32, NaiveDate), Compliance>;

/// [`compliance_many`] for a read that saw the register at `generation`: agreements judged since
/// the register last changed are not judged again.
pub fn compliance_read(
    conn: &mut AnyConnection,
    records: &[AgreementRecord],
    today: NaiveDate,
    generation: i64,
    answers: &ComplianceAnswers,
) -> Result<HashMap<String, Compliance>, ApiError> {
    let mut found = HashMap::new();
    let mut unjudged: Vec<&AgreementRecord> = Vec::new();
    for record in records
        .iter()
        .filter(|r| r.status() == AgreementStatus::Active)
    {
        let key = (record.row.id.clone(), record.row.version, today);
        match answers.get(generation, &key) {
            Some(judged) => {
                found.insert(key.0, judged);
            }
            None => unjudged.push(record),
        }
    }
    let versions: HashMap<&str, i32> = unjudged
        .iter()
        .map(|r| (r.row.id.as_str(), r.row.version))
        .collect();
    for (id, judged) in compliance_many(conn, &unjudged, today)? {
        if let Some(&version) = versions.get(id.as_str()) {
            answers.put(generation, (id.clone(), version, today), judged.clone());
        }
        found.insert(id, judged);
    }
    Ok(found)
}

fn reason(partner_id: &str, explained: &Explained, today: NaiveDate) -> Option<ComplianceReason> {
    let exceptions: Vec<_> = (explained.exceptions.iter())
        .map(|x| (x.status(), x.valid_until))
        .collect();
    review_reason(&explained.decision, &exceptions, today).map(|r| ComplianceReason {
        code: r.code,
        rule: r.rule,
        partner_id: Some(partner_id.to_string()),
        detail: r.detail.into(),
    })
}

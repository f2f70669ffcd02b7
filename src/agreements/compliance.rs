//! Whether an active agreement still holds, at the moment of the request: its partners are still
//! eligible for it today, or the reasons they are not.

use std::borrow::Borrow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::store::{self, AgreementRecord, Held, ReadRow};
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

/// An agreement's compliance as judged for one of its versions on one day.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub version: i32,
    pub day: NaiveDate,
    pub compliance: Compliance,
}

/// Judged compliance, by agreement id (`db::derived`): a judgement serves only its version and
/// day.
pub type ComplianceAnswers = Derived<String, Judgement>;

/// The most agreements whose compliance inputs [`compliance_read`] reads as JSON in one statement
/// (a page's worth: `http::paging::MAX_LIMIT`). More are judged by [`compliance_many`], whose
/// statements read each table once for all of them: building the JSON costs about 60 us per
/// agreement on PostgreSQL (the compliance filter over 55,000 active agreements answered in 3.9 s
/// that way, in 1.9 to 2.3 s this way).
const INPUTS_AT_MOST: usize = crate::http::paging::MAX_LIMIT as usize;

/// [`compliance_many`] for a read that saw the register at `generation`: agreements judged since
/// the register last changed are not judged again, and the others are judged from their inputs,
/// read in one statement (`store::compliance_inputs`) for up to a page of them, or by
/// [`compliance_many`] for more.
pub fn compliance_read<R: Borrow<AgreementRecord>>(
    conn: &mut AnyConnection,
    records: &[R],
    today: NaiveDate,
    generation: i64,
    answers: &ComplianceAnswers,
) -> Result<HashMap<String, Compliance>, ApiError> {
    let mut found = HashMap::new();
    let mut unjudged: Vec<&AgreementRecord> = Vec::new();
    for record in records
        .iter()
        .map(Borrow::borrow)
        .filter(|r| r.status() == AgreementStatus::Active)
    {
        let id = &record.row.id;
        let held = (answers.get(generation, id))
            .filter(|j| j.version == record.row.version && j.day == today);
        match held {
            Some(judged) => {
                found.insert(id.clone(), judged.compliance);
            }
            None => unjudged.push(record),
        }
    }
    let judged = if unjudged.len() > INPUTS_AT_MOST {
        compliance_many(conn, &unjudged, today)?
    } else {
        let ids: Vec<&str> = unjudged.iter().map(|r| r.row.id.as_str()).collect();
        let mut inputs = store::compliance_inputs(conn, &ids, today)?;
        let mut judged = HashMap::new();
        for record in &unjudged {
            let id = &record.row.id;
            if let Some(c) = compliance_of(record, inputs.remove(id).as_deref(), today)? {
                judged.insert(id.clone(), c);
            }
        }
        judged
    };
    for record in unjudged {
        if let Some(compliance) = judged.get(&record.row.id) {
            let id = record.row.id.clone();
            answers.put(generation, id.clone(), judgement(record, today, compliance));
            found.insert(id, compliance.clone());
        }
    }
    Ok(found)
}

/// An agreement read for `GET /agreements/{id}` and its compliance, in one statement
/// (`store::read_row`), with its compliance on `today`: the judgement held in `answers` when the
/// statement finds the agreement and the register unchanged since, judged from the inputs the
/// statement read otherwise.
pub fn read_judged(
    conn: &mut AnyConnection,
    id: &str,
    today: NaiveDate,
    answers: &ComplianceAnswers,
) -> Result<Option<(ReadRow, Option<Compliance>)>, ApiError> {
    let id = id.to_string();
    let held = answers.latest(&id).filter(|(_, j)| j.day == today);
    let asked = held.as_ref().map(|(generation, j)| Held {
        version: j.version,
        generation: *generation,
    });
    let Some(read) = store::read_row(conn, &id, today, asked)? else {
        return Ok(None);
    };
    let record = &read.record;
    if record.status() != AgreementStatus::Active {
        return Ok(Some((read, None)));
    }
    let compliance = match (&read.compliance, held) {
        (Some(inputs), _) => {
            answers.count(false);
            let judged = compliance_of(record, Some(inputs), today)?;
            if let Some(c) = &judged {
                answers.put(read.generation, id, judgement(record, today, c));
            }
            judged
        }
        (None, Some((generation, j)))
            if generation == read.generation && j.version == record.row.version =>
        {
            answers.count(true);
            Some(j.compliance)
        }
        (None, _) => {
            return Err(ApiError::internal(
                "an active agreement read without its compliance inputs",
            ));
        }
    };
    Ok(Some((read, compliance)))
}

fn judgement(record: &AgreementRecord, today: NaiveDate, compliance: &Compliance) -> Judgement {
    Judgement {
        version: record.row.version,
        day: today,
        compliance: compliance.clone(),
    }
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

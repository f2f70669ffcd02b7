//! What an agreement write does, whoever asks: the HTTP handlers and the demo seed both call these,
//! so the checks, the stored warnings and the change-log events are the same for both.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;

use super::AgreementAnswers;
use super::compliance::{compliance, compliance_read};
use super::store::{self, AgreementRecord, ReadRow};
use super::{Agreement, AgreementInput, AgreementPatch, AgreementStatus, Compliance, Warning};
use crate::db::AnyConnection;
use crate::db::reference::TreeUnit;
use crate::domain::LongText;
use crate::eligibility::explain;
use crate::eligibility::store::{PartnerFacts, partners_by_id};
use crate::events::{self, Change, EventAction};
use crate::http::access::Audience;
use crate::http::access::Scope;
use crate::http::etag::version_mismatch;
use crate::http::problem::{ApiError, FieldError, ProblemKind};
use crate::policy::activation::{self, ActivationInput, Outcome, PartnerCheck};
use crate::policy::today;
use crate::text::Text;

pub const ENTITY: crate::events::EntityType = crate::events::EntityType::Agreement;

// sweep/ reads it from here.
pub use super::store::unit_is_company;

pub fn not_found() -> ApiError {
    ApiError::not_found("agreement", "samverkan")
}

/// The API form of a stored agreement, with what is derived at the moment of the request.
pub fn present(
    record: &AgreementRecord,
    compliance: Option<Compliance>,
    today: NaiveDate,
    unit_is_company: bool,
) -> Agreement {
    let r = &record.row;
    let status = record.status();
    Agreement {
        id: r.id.clone(),
        title: r.title.clone(),
        description: r.description.clone(),
        agreement_type: record.agreement_type(),
        unit_code: r.unit_code.clone(),
        partner_ids: record.partner_ids.clone(),
        purposes: record.purposes.clone(),
        sdgs: record.sdgs.clone(),
        fundings: record.fundings.clone(),
        external_funding_not_possible_reason: r.external_funding_not_possible_reason.clone(),
        start_date: r.start_date,
        end_date: r.end_date,
        case_number: r.case_number.clone(),
        status,
        compliance,
        warnings: record.warnings(),
        registered_retroactively: r.registered_retroactively,
        bound_by_policy: !unit_is_company,
        overdue: status == AgreementStatus::Active && r.end_date.is_some_and(|e| e < today),
        activated_at: r.activated_at.map(|t| t.and_utc()),
        activated_by: r.activated_by.clone(),
        ended_at: r.ended_at.map(|t| t.and_utc()),
        end_reason: r.end_reason.clone(),
        cancelled_at: r.cancelled_at.map(|t| t.and_utc()),
        cancel_reason: r.cancel_reason.clone(),
        version: r.version,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
        partners: Vec::new(),
    }
}

/// Names the partners of `agreements` for an export (`partnerId:name:countryCode:kind`), loading
/// every partner of the page in one query.
pub fn name_partners(
    conn: &mut AnyConnection,
    agreements: &mut [Agreement],
) -> Result<(), ApiError> {
    let mut ids: Vec<String> = agreements
        .iter()
        .flat_map(|a| a.partner_ids.iter().cloned())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let refs = crate::partners::store::refs(conn, &ids)?;
    for agreement in agreements {
        agreement.partners = (agreement.partner_ids.iter())
            .filter_map(|id| refs.get(id).cloned())
            .collect();
    }
    Ok(())
}

/// The API form of many stored agreements for a read that saw the register at `generation`,
/// their compliance judged together (or taken from `answers` when the register has not changed).
pub fn present_all(
    conn: &mut AnyConnection,
    records: &[AgreementRecord],
    today: NaiveDate,
    generation: i64,
    answers: &AgreementAnswers,
) -> Result<Vec<Agreement>, ApiError> {
    let companies = match answers.companies.get(generation, &()) {
        Some(found) => found,
        None => {
            let found = Arc::new(store::companies(conn)?);
            answers.companies.put(generation, (), found.clone());
            found
        }
    };
    let mut compliance = compliance_read(conn, records, today, generation, &answers.compliance)?;
    Ok(records
        .iter()
        .map(|r| {
            let company = companies.contains(&r.row.unit_code);
            present(r, compliance.remove(&r.row.id), today, company)
        })
        .collect())
}

/// The API form of an agreement that [`store::read_row`] or [`store::page`] read, with its
/// compliance on `today` as judged.
pub fn present_read(read: &ReadRow, compliance: Option<Compliance>, today: NaiveDate) -> Agreement {
    present(&read.record, compliance, today, read.unit_is_company)
}

/// The API form of a page that [`store::page`] read at `generation`: the compliance of its active
/// agreements taken from `answers`, or judged from their inputs read in one statement.
pub fn present_page(
    conn: &mut AnyConnection,
    reads: &[ReadRow],
    today: NaiveDate,
    generation: i64,
    answers: &AgreementAnswers,
) -> Result<Vec<Agreement>, ApiError> {
    let records: Vec<&AgreementRecord> = reads.iter().map(|r| &r.record).collect();
    let mut compliance = compliance_read(conn, &records, today, generation, &answers.compliance)?;
    Ok(reads
        .iter()
        .map(|read| present_read(read, compliance.remove(&read.record.row.id), today))
        .collect())
}

/// The API form of an agreement inside a write, judged afresh; `company`: whether its unit is a
/// company (the write has read its unit).
pub fn present_one(
    conn: &mut AnyConnection,
    record: &AgreementRecord,
    company: bool,
) -> Result<Agreement, ApiError> {
    let today = today();
    let compliance = compliance(conn, record, today)?;
    Ok(present(record, compliance, today, company))
}

/// What a write reads of the register about an input, once for its checks, the policy and its
/// answer: the unit's type (if it exists) and the partners that exist, in two statements however
/// many partners, or one when the caller's scope has read the units' tree already.
pub struct Known {
    unit: Option<crate::units::UnitType>,
    partners: HashMap<String, PartnerFacts>,
}

impl Known {
    pub fn read(conn: &mut AnyConnection, input: &AgreementInput) -> Result<Self, ApiError> {
        Known::read_with(conn, input, None)
    }

    /// [`Known::read`], taking the unit from `tree` (every unit, as [`Scope::with_tree`] read
    /// it) when given.
    pub fn read_with(
        conn: &mut AnyConnection,
        input: &AgreementInput,
        tree: Option<&[TreeUnit]>,
    ) -> Result<Self, ApiError> {
        let code = input.unit_code.as_str();
        let unit = match tree {
            Some(tree) => (tree.iter())
                .find(|u| u.code == code)
                .map(|u| crate::units::UnitType::from_db(&u.unit_type)),
            None => crate::units::store::find(conn, code)?.map(|u| u.unit_type),
        };
        Ok(Known {
            unit,
            partners: partners_by_id(conn, &input.partner_ids)?,
        })
    }

    /// Whether the input's unit is a company (not bound by the policy).
    pub fn unit_is_company(&self) -> bool {
        self.unit == Some(crate::units::UnitType::Company)
    }
}

/// What the database cannot check well: the unit and partners exist, partners are not repeated
/// or archived (when newly added), the dates and lists are in order.
pub fn check_input(
    known: &Known,
    input: &AgreementInput,
    previous_partners: &[String],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if known.unit.is_none() {
        errors.push(FieldError::new(
            "/unitCode",
            "unknown-unit",
            Text::NoSuchUnit.msg(),
        ));
    }
    if input.partner_ids.len() > 50 {
        errors.push(FieldError::new(
            "/partnerIds",
            "too-many",
            Text::TooManyPartners.msg(),
        ));
    }
    let mut seen = HashSet::new();
    for (i, id) in input.partner_ids.iter().enumerate() {
        let pointer = format!("/partnerIds/{i}");
        if !seen.insert(id) {
            errors.push(FieldError::new(
                pointer,
                "duplicate",
                Text::PartnerListedTwice.msg(),
            ));
            continue;
        }
        match known.partners.get(id) {
            None => errors.push(FieldError::new(
                pointer,
                "unknown-partner",
                Text::NoSuchPartner.msg(),
            )),
            Some(p) if p.archived && !previous_partners.contains(id) => errors.push(
                FieldError::new(pointer, "archived-partner", Text::PartnerArchived.msg()),
            ),
            Some(_) => {}
        }
    }
    let mut purposes = HashSet::new();
    for (i, p) in input.purposes.iter().enumerate() {
        if !purposes.insert(p) {
            errors.push(FieldError::new(
                format!("/purposes/{i}"),
                "duplicate",
                Text::PurposeListedTwice.msg(),
            ));
        }
    }
    let mut sdgs = HashSet::new();
    for (i, s) in input.sdgs.iter().enumerate() {
        if !sdgs.insert(s) {
            errors.push(FieldError::new(
                format!("/sdgs/{i}"),
                "duplicate",
                Text::GoalListedTwice.msg(),
            ));
        }
    }
    if input.fundings.len() > 50 {
        errors.push(FieldError::new(
            "/fundings",
            "too-many",
            Text::TooManyFundings.msg(),
        ));
    }
    if let (Some(start), Some(end)) = (input.start_date, input.end_date)
        && end < start
    {
        errors.push(FieldError::new(
            "/endDate",
            "before-start",
            Text::EndDateBeforeStartDate.msg(),
        ));
    }
    crate::http::problem::unless_faults(errors, ())
}

/// Builds what the policy core looks at, for `input` as agreement `id`, today (`known` was read
/// for `input`).
pub fn activation_input(
    conn: &mut AnyConnection,
    id: &str,
    input: &AgreementInput,
    known: &Known,
    today: NaiveDate,
    with_eligibility: bool,
) -> Result<ActivationInput, ApiError> {
    // Which partners are sister cities matters to one rule only (SISTER_CITY_PARTNER: the purpose
    // SISTER_CITIES in an agreement of another type), so it is read only when that rule can use
    // it; `sister_cities_are_read_when_the_policy_can_use_them` keeps this in step with the rule.
    let sister = if sister_cities_matter(&input.purposes, input.agreement_type) {
        crate::partners::store::sister_city_since(conn, &input.partner_ids)?
    } else {
        HashMap::new()
    };
    let mut partners = Vec::new();
    for (index, partner_id) in input.partner_ids.iter().enumerate() {
        let Some(facts) = known.partners.get(partner_id) else {
            continue;
        };
        let (today_decision, on_start) = if with_eligibility {
            let now = explain(conn, facts, today, Some(id))?.decision;
            let later = match input.start_date {
                Some(start) if start > today => {
                    Some(explain(conn, facts, start, Some(id))?.decision)
                }
                _ => None,
            };
            (now, later)
        } else {
            (
                crate::policy::eligibility::decide(&Default::default(), today, None),
                None,
            )
        };
        partners.push(PartnerCheck {
            partner_id: partner_id.clone(),
            index,
            is_sister_city: sister.contains_key(partner_id),
            today: today_decision,
            on_start,
        });
    }
    Ok(ActivationInput {
        agreement_type: input.agreement_type,
        purposes: input.purposes.clone(),
        partners,
        start_date: input.start_date,
        today,
        fundings: input.fundings.iter().map(|f| f.source).collect(),
        has_external_funding_not_possible_reason: input
            .external_funding_not_possible_reason
            .is_some(),
        bound_by_policy: !known.unit_is_company(),
    })
}

/// Whether the policy can look at which of an agreement's partners are sister cities: only for
/// the purpose `SISTER_CITIES` in an agreement that is not itself of type `SISTER_CITY`.
fn sister_cities_matter(purposes: &[activation::Purpose], kind: activation::AgreementType) -> bool {
    purposes.contains(&activation::Purpose::SisterCities)
        && kind != activation::AgreementType::SisterCity
}

/// The 409 `activation-blocked` problem naming every blocking rule and partner.
pub fn blocked(outcome: &Outcome) -> ApiError {
    let errors: Vec<FieldError> = outcome
        .errors
        .iter()
        .map(|f| {
            let e = FieldError::new(f.pointer.clone(), f.rule, f.message.clone());
            match &f.partner_id {
                Some(p) => e.with_partner_id(p.clone()),
                None => e,
            }
        })
        .collect();
    let count = errors.len();
    ApiError::new(
        ProblemKind::ActivationBlocked,
        Text::ActivationBlocked { count }.msg(),
    )
    .with_errors(errors)
}

pub fn warnings_of(outcome: &[activation::Finding]) -> Vec<Warning> {
    outcome.iter().map(Warning::from).collect()
}

pub fn event<'a>(
    record: &'a AgreementRecord,
    action: crate::events::EventAction,
    body: &Agreement,
) -> Change<'a> {
    let audience = Audience::of_agreement(body.status, &body.unit_code);
    Change::new(ENTITY, &record.row.id, action, body.version, body).visible_to(audience)
}

/// Registers a new draft as `actor` (authorisation is the caller's): checks the input, keeps the
/// policy's recommendations as warnings and appends the event. `tree`: every unit, when the
/// caller's authorisation has read them ([`Scope::with_tree`]).
pub fn register(
    conn: &mut AnyConnection,
    actor: &str,
    input: &AgreementInput,
    tree: Option<&[TreeUnit]>,
    today: NaiveDate,
) -> Result<Agreement, ApiError> {
    let known = Known::read_with(conn, input, tree)?;
    check_input(&known, input, &[])?;
    let id = uuid::Uuid::now_v7().to_string();
    let preview = activation_input(conn, &id, input, &known, today, false)?;
    let warnings = warnings_of(&activation::recommendations(&preview));
    let record = store::insert(conn, &id, input, &warnings, actor)?;
    recorded(
        conn,
        actor,
        &record,
        EventAction::Created,
        known.unit_is_company(),
    )
}

/// `record` as the API shows it after a write, with the write's event appended; `company`:
/// whether its unit is a company.
fn recorded(
    conn: &mut AnyConnection,
    actor: &str,
    record: &AgreementRecord,
    action: EventAction,
    company: bool,
) -> Result<Agreement, ApiError> {
    let body = present_one(conn, record, company)?;
    events::append(conn, actor, event(record, action, &body))?;
    Ok(body)
}

/// Changes `record` as `actor` by a merge patch (authorisation to read it and the precondition are
/// the caller's; the unit it moves to is checked against `scope`). Drafts change freely; an active
/// agreement whose terms change must still pass activation (409 `activation-blocked`); ended and
/// cancelled agreements do not change.
pub fn update(
    conn: &mut AnyConnection,
    actor: &str,
    scope: &Scope,
    record: &AgreementRecord,
    patch: &AgreementPatch,
    today: NaiveDate,
) -> Result<Agreement, ApiError> {
    let status = record.status();
    if status.is_closed() {
        return Err(ApiError::conflict(Text::ClosedAgreementUnchanged.msg()));
    }
    let input = patch.apply(&record.input()?)?;
    scope.require(input.unit_code.as_str())?;
    let known = Known::read(conn, &input)?;
    check_input(&known, &input, &record.partner_ids)?;
    let id = &record.row.id;
    let warnings = if status == AgreementStatus::Active {
        let touched = activation::touched(&record.terms(), &input.terms());
        let check = activation::check(&activation_input(conn, id, &input, &known, today, touched)?);
        if touched && !check.errors.is_empty() {
            return Err(blocked(&check));
        }
        if touched {
            warnings_of(&check.warnings)
        } else {
            activation::merge_warnings(
                &record.warnings(),
                |w| w.rule.as_str(),
                &check.warnings,
                |f| Warning::from(f),
            )
        }
    } else {
        warnings_of(&activation::recommendations(&activation_input(
            conn, id, &input, &known, today, false,
        )?))
    };
    if !store::update(conn, id, record.row.version, &input, &warnings)? {
        return Err(version_mismatch(record.row.version + 1));
    }
    let record = store::find(conn, id)?.ok_or_else(not_found)?;
    recorded(
        conn,
        actor,
        &record,
        EventAction::Updated,
        known.unit_is_company(),
    )
}

/// Deletes a draft as `actor` (authorisation and the precondition are the caller's): only a draft
/// without exception requests.
pub fn delete_draft(
    conn: &mut AnyConnection,
    actor: &str,
    record: &AgreementRecord,
) -> Result<(), ApiError> {
    if record.status() != AgreementStatus::Draft {
        return Err(ApiError::conflict(Text::OnlyDraftsDeleted.msg()));
    }
    let id = &record.row.id;
    if !crate::exceptions::store::for_agreement(conn, id)?.is_empty() {
        return Err(ApiError::conflict(Text::DraftHasRequests.msg()));
    }
    if !store::delete_draft(conn, id, record.row.version)? {
        return Err(version_mismatch(record.row.version + 1));
    }
    // A replay of the key that created it answers 410 gone, as for every deleted resource.
    crate::http::idempotency::forget(conn, &format!("agreements/{id}"))?;
    events::append(
        conn,
        actor,
        Change::gone(ENTITY, id, EventAction::Deleted, record.row.version + 1).visible_to(
            Audience::of_agreement(record.status(), &record.row.unit_code),
        ),
    )?;
    Ok(())
}

/// What ending or cancelling records besides the status: the day it ended (ending only; today when
/// not given) and why.
#[derive(Debug, Default, Clone)]
pub struct Closing {
    pub end_date: Option<NaiveDate>,
    pub reason: Option<LongText>,
}

/// The day an agreement ends: a fact, so not in the future, and not before it started.
fn end_date_of(
    record: &AgreementRecord,
    closing: &Closing,
    today: NaiveDate,
) -> Result<NaiveDate, ApiError> {
    let end = closing.end_date.unwrap_or(today);
    let mut errors = Vec::new();
    if end > today {
        errors.push(FieldError::new(
            "/endDate",
            "in-the-future",
            Text::EndDateInTheFuture { end, today }.msg(),
        ));
    }
    if let Some(start) = record.row.start_date.filter(|start| end < *start) {
        errors.push(FieldError::new(
            "/endDate",
            "before-start",
            Text::EndDateBeforeStart { end, start }.msg(),
        ));
    }
    crate::http::problem::unless_faults(errors, end)
}

/// Moves `record` to `next` as `actor`: activation only when the policy's rules hold (409
/// `activation-blocked` otherwise), ending only an active one, cancelling a draft or active one.
/// The caller has checked authorisation and the precondition.
pub fn transition(
    conn: &mut AnyConnection,
    actor: &str,
    record: &AgreementRecord,
    next: AgreementStatus,
    closing: &Closing,
    today: NaiveDate,
) -> Result<Agreement, ApiError> {
    move_to(conn, actor, record, next, closing, today, false)
}

/// Registers an agreement the city kept before this register, in the status it had, as `actor`
/// (`imports`; authorisation is the caller's). Each step is the normal path's, with its event:
/// - `DRAFT`: registered as [`register`] does;
/// - `ACTIVE`: registered, then activated by the activation rules for today (409
///   `activation-blocked` when they fail) and marked `registeredRetroactively`, as it was in force
///   before the register knew of it;
/// - `CANCELLED`: registered, then cancelled with its reason;
/// - `ENDED`: registered, then ended on its `endDate` (not in the future, not before
///   `startDate`) with its reason. An ended collaboration is history: today's activation rules do
///   not judge it, and it has no activation (`activatedAt` stays empty).
pub fn register_imported(
    conn: &mut AnyConnection,
    actor: &str,
    input: &AgreementInput,
    status: AgreementStatus,
    closing: &Closing,
    today: NaiveDate,
) -> Result<Agreement, ApiError> {
    let draft = register(conn, actor, input, None, today)?;
    if status == AgreementStatus::Draft {
        return Ok(draft);
    }
    let record = store::find(conn, &draft.id)?.ok_or_else(not_found)?;
    move_to(conn, actor, &record, status, closing, today, true)
}

/// [`transition`]; `imported`: the agreement is being registered as it was kept elsewhere, so an
/// activation marks it retroactive and a draft may end directly.
fn move_to(
    conn: &mut AnyConnection,
    actor: &str,
    record: &AgreementRecord,
    next: AgreementStatus,
    closing: &Closing,
    today: NaiveDate,
    imported: bool,
) -> Result<Agreement, ApiError> {
    let status = record.status();
    let (allowed, action) = match next {
        AgreementStatus::Active => (status == AgreementStatus::Draft, EventAction::Activated),
        AgreementStatus::Ended => (
            status == AgreementStatus::Active || (imported && status == AgreementStatus::Draft),
            EventAction::Ended,
        ),
        AgreementStatus::Cancelled => (
            matches!(status, AgreementStatus::Draft | AgreementStatus::Active),
            EventAction::Cancelled,
        ),
        // A return to draft is never allowed: the action is never written.
        AgreementStatus::Draft => (false, EventAction::Updated),
    };
    if !allowed {
        return Err(ApiError::conflict(
            Text::StatusChange {
                from: status.as_str().into(),
                to: next.as_str().into(),
            }
            .msg(),
        ));
    }
    let end_date = if next == AgreementStatus::Ended {
        Some(end_date_of(record, closing, today)?)
    } else {
        None
    };
    let id = &record.row.id;
    let (warnings, retroactive, company) = if next == AgreementStatus::Active {
        let input = record.input()?;
        let known = Known::read(conn, &input)?;
        let outcome = activation::check(&activation_input(conn, id, &input, &known, today, true)?);
        if !outcome.errors.is_empty() {
            return Err(blocked(&outcome));
        }
        (
            Some(warnings_of(&outcome.warnings)),
            Some(outcome.registered_retroactively || imported),
            known.unit_is_company(),
        )
    } else {
        (None, None, unit_is_company(conn, &record.row.unit_code)?)
    };
    if !store::set_status(
        conn,
        id,
        record.row.version,
        next,
        &store::StatusRecord {
            warnings: warnings.as_deref(),
            retroactive,
            end_date,
            reason: closing.reason.as_ref().map(LongText::as_str),
        },
        actor,
    )? {
        return Err(version_mismatch(record.row.version + 1));
    }
    let updated = store::find(conn, id)?.ok_or_else(not_found)?;
    recorded(conn, actor, &updated, action, company)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::activation::{AgreementType, Purpose};

    /// What the policy finds for an agreement of `kind` with `purposes` and one partner that is,
    /// or is not, a sister city: the rule codes of its errors and warnings.
    fn findings(kind: AgreementType, purposes: &[Purpose], sister: bool) -> Vec<String> {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let input = ActivationInput {
            agreement_type: kind,
            purposes: purposes.to_vec(),
            partners: vec![PartnerCheck {
                partner_id: "p".into(),
                index: 0,
                is_sister_city: sister,
                today: crate::policy::eligibility::decide(&Default::default(), today, None),
                on_start: None,
            }],
            start_date: Some(today),
            today,
            fundings: vec![],
            has_external_funding_not_possible_reason: false,
            bound_by_policy: true,
        };
        let outcome = activation::check(&input);
        (outcome.errors.iter().chain(&outcome.warnings))
            .map(|f| f.rule.to_string())
            .collect()
    }

    /// `activation_input` skips the sister-city read unless [`sister_cities_matter`]: for every
    /// type and purpose where it says no, the policy finds the same whether a partner is a sister
    /// city or not (and where it says yes, the answer can differ).
    #[test]
    fn sister_cities_are_read_when_the_policy_can_use_them() {
        for kind in AgreementType::ALL {
            for purpose in Purpose::ALL {
                let purposes = [purpose];
                let same = findings(kind, &purposes, true) == findings(kind, &purposes, false);
                assert_eq!(
                    same,
                    !sister_cities_matter(&purposes, kind),
                    "{kind:?} with {purpose:?}"
                );
            }
        }
    }
}

//! Eligibility's inputs read as JSON inside another statement, so that a read that needs them (an
//! agreement's compliance, a partner's eligibility) fetches them with its own row instead of in
//! statements of their own: the partners' facts, the latest assessments of their countries and of
//! themselves published by a given instant, and exception requests.
//!
//! The SQL builds the JSON on either database (`json_build_object` and `json_agg` on PostgreSQL,
//! `json_object` and `json_group_array` on SQLite); the decoding turns it back into the rows the
//! stores load (`AssessmentRow`, `ExceptionRow`), so the policy core judges the same inputs
//! whichever way they were read. A read whose answer shows the records (a partner's eligibility)
//! carries every column, by name, so that what `explain` hands on (`Explained`) is the same record
//! either way; a read that shows only the judgement (an agreement's compliance) carries the
//! columns the judgement reads ([`Columns`]).

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::{Explained, PartnerFacts, explained};
use crate::assessments::store::AssessmentRow;
use crate::assessments::{Assessment, AssessmentStatus, end_of_stockholm_day};
use crate::exceptions::store::ExceptionRow;
use crate::http::problem::ApiError;

/// The columns of `assessments`, as [`AssessmentRow`] has them.
const ASSESSMENT_COLUMNS: &[&str] = &[
    "id",
    "subject_key",
    "country_code",
    "partner_id",
    "human_rights",
    "human_rights_rationale",
    "democracy",
    "democracy_rationale",
    "rule_of_law",
    "rule_of_law_rationale",
    "indicators",
    "assessed_at",
    "valid_until",
    "status",
    "drafted_by",
    "published_at",
    "published_by",
    "superseded_at",
    "superseded_by",
    "version",
    "created_at",
    "updated_at",
];

/// The columns of `exceptions`, as [`ExceptionRow`] has them.
const EXCEPTION_COLUMNS: &[&str] = &[
    "id",
    "agreement_id",
    "partner_id",
    "unit_code",
    "justification",
    "case_number",
    "status",
    "requested_by",
    "withdrawn_at",
    "decision",
    "deciding_body",
    "delegation_reference",
    "decided_at",
    "protocol_paragraph",
    "conditions",
    "valid_from",
    "valid_until",
    "decided_by",
    "decision_recorded_at",
    "revocation_deciding_body",
    "revocation_delegation_reference",
    "revocation_decided_at",
    "revocation_protocol_paragraph",
    "revocation_reason",
    "revoked_by",
    "revocation_recorded_at",
    "version",
    "created_at",
    "updated_at",
];

/// The columns of `assessments` that a judgement reads (`Assessment::facts`, and `as_of`): the
/// compliance of an agreement shows no assessment, so it reads no more.
const ASSESSMENT_JUDGED: &[&str] = &[
    "id",
    "country_code",
    "partner_id",
    "human_rights",
    "democracy",
    "rule_of_law",
    "assessed_at",
    "valid_until",
    "status",
    "published_at",
    "superseded_at",
];

/// The columns of `exceptions` that a judgement reads (`ExceptionRow::facts_as_of`, the status
/// and end of a compliance reason).
const EXCEPTION_JUDGED: &[&str] = &[
    "id",
    "agreement_id",
    "partner_id",
    "status",
    "withdrawn_at",
    "decision",
    "decided_at",
    "valid_from",
    "valid_until",
    "revocation_decided_at",
    "created_at",
];

/// Which columns of the assessments and exception requests a read carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columns {
    /// Every column, for an answer that shows the records (a partner's eligibility).
    Whole,
    /// Those a judgement reads, for an answer that shows only the judgement (an agreement's
    /// compliance); the others decode as empty.
    Judged,
}

impl Columns {
    fn assessments(self) -> &'static [&'static str] {
        match self {
            Columns::Whole => ASSESSMENT_COLUMNS,
            Columns::Judged => ASSESSMENT_JUDGED,
        }
    }

    fn exceptions(self) -> &'static [&'static str] {
        match self {
            Columns::Whole => EXCEPTION_COLUMNS,
            Columns::Judged => EXCEPTION_JUDGED,
        }
    }
}

fn json_object(postgres: bool) -> &'static str {
    if postgres {
        "json_build_object"
    } else {
        "json_object"
    }
}

/// A JSON object of `columns` of the row `alias`, keyed by column name.
fn object(postgres: bool, alias: &str, columns: &[&str]) -> String {
    let pairs: Vec<String> = columns
        .iter()
        .map(|c| format!("'{c}', {alias}.{c}"))
        .collect();
    format!("{}({})", json_object(postgres), pairs.join(", "))
}

/// A subquery that yields JSON, as a value to nest in a JSON object or array: on SQLite a JSON
/// value that comes out of a subquery is text again, and would be nested as a string without
/// `json(…)` (which keeps NULL).
fn nested(postgres: bool, subquery: String) -> String {
    if postgres {
        subquery
    } else {
        format!("json({subquery})")
    }
}

/// `item` over the rows of `from` as a JSON array in `order` (`[]` when there are none).
fn array(postgres: bool, item: &str, order: &str, from: &str) -> String {
    let aggregate = if postgres {
        format!("COALESCE(json_agg({item} ORDER BY {order}), '[]'::json)")
    } else {
        format!("json_group_array({item} ORDER BY {order})")
    };
    nested(postgres, format!("(SELECT {aggregate} FROM {from})"))
}

/// The latest assessment of the subject whose `subject_key` is the SQL expression `subject`,
/// published at or before the SQL expression `at`, as a JSON object of `columns` (NULL when there
/// is none): what `assessments::store::published_as_of` loads.
pub fn latest_published(postgres: bool, columns: Columns, subject: &str, at: &str) -> String {
    nested(
        postgres,
        format!(
            "(SELECT {} FROM assessments s WHERE s.subject_key = {subject} \
             AND s.published_at <= {at} ORDER BY s.published_at DESC, s.id DESC LIMIT 1)",
            object(postgres, "s", columns.assessments())
        ),
    )
}

/// The country's latest assessment published by `at` for the partner row `p`.
pub fn country_assessment(postgres: bool, columns: Columns, at: &str) -> String {
    latest_published(postgres, columns, "'country:' || p.country_code", at)
}

/// The partner's own latest assessment published by `at` for the partner row `p` (read for every
/// kind of partner; only cities and regions use it).
pub fn own_assessment(postgres: bool, columns: Columns, at: &str) -> String {
    latest_published(postgres, columns, "'partner:' || p.id", at)
}

/// The exception requests that match the SQL condition `condition` on the row `x`, oldest first,
/// as a JSON array of objects of `columns`.
pub fn exceptions(postgres: bool, columns: Columns, condition: &str) -> String {
    array(
        postgres,
        &object(postgres, "x", columns.exceptions()),
        "x.created_at, x.id",
        &format!("exceptions x WHERE {condition}"),
    )
}

/// Everything an agreement's compliance on a day rests on, as one JSON object in text
/// ([`AgreementInputs`]): the partners of the agreement whose id is the SQL expression `agreement`,
/// in their order, each with its facts and the latest assessments of its country and of itself
/// published by the SQL expression `at`; and the agreement's exception requests.
pub fn agreement_inputs(postgres: bool, agreement: &str, at: &str) -> String {
    let object_of = json_object(postgres);
    let columns = Columns::Judged;
    let partner = format!(
        "{object_of}('id', p.id, 'kind', p.kind, 'country_code', p.country_code, \
         'archived', p.archived, 'country', {}, 'own', {})",
        country_assessment(postgres, columns, at),
        own_assessment(postgres, columns, at),
    );
    // Each partner by its key: on PostgreSQL a lateral subquery that the planner cannot turn
    // into a join over every partner (it would hash the whole table for a register's few).
    let partner_of = if postgres {
        "agreement_partners l CROSS JOIN LATERAL \
         (SELECT * FROM partners p WHERE p.id = l.partner_id OFFSET 0) p"
    } else {
        "agreement_partners l JOIN partners p ON p.id = l.partner_id"
    };
    let partners = array(
        postgres,
        &partner,
        "l.position",
        &format!("{partner_of} WHERE l.agreement_id = {agreement}"),
    );
    let requests = exceptions(postgres, columns, &format!("x.agreement_id = {agreement}"));
    let inputs = format!("{object_of}('partners', {partners}, 'exceptions', {requests})");
    if postgres {
        format!("({inputs})::text")
    } else {
        inputs
    }
}

/// What [`agreement_inputs`] selected.
#[derive(Debug, Deserialize)]
pub struct AgreementInputs {
    partners: Vec<PartnerInputs>,
    exceptions: Vec<StoredException>,
}

/// A partner of an agreement with the latest assessments of its country and of itself.
#[derive(Debug, Deserialize)]
struct PartnerInputs {
    id: String,
    kind: String,
    country_code: String,
    #[serde(deserialize_with = "flag")]
    archived: bool,
    country: Option<StoredAssessment>,
    own: Option<StoredAssessment>,
}

impl AgreementInputs {
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        serde_json::from_str(text)
            .map_err(|e| ApiError::internal(format!("an agreement's compliance inputs: {e}")))
    }

    /// Eligibility on `date` of each partner of `agreement` for it, in the partners' order: what
    /// `explain_batch` answers for the pairs of one agreement.
    pub fn explain(
        self,
        agreement: &str,
        date: NaiveDate,
    ) -> Result<Vec<(String, Explained)>, ApiError> {
        let mut requests: Vec<ExceptionRow> = (self.exceptions.into_iter())
            .map(ExceptionRow::try_from)
            .collect::<Result<_, _>>()?;
        let mut explained_all = Vec::with_capacity(self.partners.len());
        for partner in self.partners {
            let (own, rest): (Vec<_>, Vec<_>) = requests
                .into_iter()
                .partition(|r| r.partner_id == partner.id);
            requests = rest;
            let facts = PartnerFacts {
                id: partner.id,
                kind: partner.kind,
                country_code: partner.country_code,
                archived: partner.archived,
            };
            let read = PartnerRead {
                country: partner.country,
                own: partner.own,
                exceptions: own,
            };
            let judged = read.explain(&facts, date, Some(agreement))?;
            explained_all.push((facts.id, judged));
        }
        Ok(explained_all)
    }
}

/// The assessments and exception requests of one partner as read with JSON.
pub struct PartnerRead {
    country: Option<StoredAssessment>,
    own: Option<StoredAssessment>,
    exceptions: Vec<ExceptionRow>,
}

impl PartnerRead {
    /// From the JSON of [`country_assessment`], [`own_assessment`] (NULL: none published) and
    /// [`exceptions`].
    pub fn parse(
        country: Option<&str>,
        own: Option<&str>,
        exceptions: &str,
    ) -> Result<Self, ApiError> {
        let assessment = |text: Option<&str>| -> Result<Option<StoredAssessment>, ApiError> {
            text.map(|t| {
                serde_json::from_str(t)
                    .map_err(|e| ApiError::internal(format!("an assessment as JSON: {e}")))
            })
            .transpose()
        };
        let requests: Vec<StoredException> = serde_json::from_str(exceptions)
            .map_err(|e| ApiError::internal(format!("exception requests as JSON: {e}")))?;
        Ok(Self {
            country: assessment(country)?,
            own: assessment(own)?,
            exceptions: (requests.into_iter())
                .map(ExceptionRow::try_from)
                .collect::<Result<_, _>>()?,
        })
    }

    /// `explain` of `partner` on `date` from what was read: the own assessment counts for cities
    /// and regions only, and each assessment is taken as it stood at the end of `date`.
    pub fn explain(
        self,
        partner: &PartnerFacts,
        date: NaiveDate,
        agreement: Option<&str>,
    ) -> Result<Explained, ApiError> {
        let at = end_of_stockholm_day(date);
        let country = self.country.map(|a| as_of(a, at)).transpose()?;
        let own = match self.own {
            Some(a) if partner.is_assessable() => Some(as_of(a, at)?),
            _ => None,
        };
        Ok(explained(country, own, self.exceptions, date, agreement))
    }
}

/// The assessment as it stood at `at`: superseded only if that had happened by then (as
/// `assessments::store::published_as_of` takes it).
fn as_of(stored: StoredAssessment, at: NaiveDateTime) -> Result<Assessment, ApiError> {
    let mut assessment = Assessment::from(AssessmentRow::try_from(stored)?);
    if assessment.superseded_at.is_some_and(|s| s.naive_utc() > at) {
        assessment.status = AssessmentStatus::Published;
        assessment.superseded_at = None;
        assessment.superseded_by = None;
    }
    Ok(assessment)
}

/// A flag as JSON: `true`/`false` from PostgreSQL, `1`/`0` from SQLite.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::Number(n) => Ok(n.as_i64() != Some(0)),
        other => Err(D::Error::custom(format!("not a flag: {other}"))),
    }
}

/// An instant as a database writes it in JSON: `2026-11-30T18:46:42.123456` from PostgreSQL,
/// `2026-11-30 18:46:42.123456` as SQLite stores it (the fraction optional in both).
pub fn timestamp(text: &str) -> Result<NaiveDateTime, ApiError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .map_err(|e| ApiError::internal(format!("a stored instant {text:?}: {e}")))
}

fn optional_timestamp(text: Option<String>) -> Result<Option<NaiveDateTime>, ApiError> {
    text.as_deref().map(timestamp).transpose()
}

/// An `assessments` row as JSON, its instants as text. Read for a judgement
/// ([`Columns::Judged`]), the columns it does not read are absent and decode as empty: such a
/// record serves the judgement and is never shown.
#[derive(Debug, Deserialize)]
struct StoredAssessment {
    id: String,
    #[serde(default)]
    subject_key: String,
    country_code: String,
    partner_id: Option<String>,
    human_rights: String,
    #[serde(default)]
    human_rights_rationale: String,
    democracy: String,
    #[serde(default)]
    democracy_rationale: String,
    rule_of_law: String,
    #[serde(default)]
    rule_of_law_rationale: String,
    #[serde(default)]
    indicators: String,
    assessed_at: NaiveDate,
    valid_until: NaiveDate,
    status: String,
    #[serde(default)]
    drafted_by: String,
    published_at: Option<String>,
    published_by: Option<String>,
    superseded_at: Option<String>,
    superseded_by: Option<String>,
    #[serde(default)]
    version: i32,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

impl TryFrom<StoredAssessment> for AssessmentRow {
    type Error = ApiError;

    fn try_from(s: StoredAssessment) -> Result<Self, ApiError> {
        Ok(AssessmentRow {
            id: s.id,
            subject_key: s.subject_key,
            country_code: s.country_code,
            partner_id: s.partner_id,
            human_rights: s.human_rights,
            human_rights_rationale: s.human_rights_rationale,
            democracy: s.democracy,
            democracy_rationale: s.democracy_rationale,
            rule_of_law: s.rule_of_law,
            rule_of_law_rationale: s.rule_of_law_rationale,
            indicators: s.indicators,
            assessed_at: s.assessed_at,
            valid_until: s.valid_until,
            status: s.status,
            drafted_by: s.drafted_by,
            published_at: optional_timestamp(s.published_at)?,
            published_by: s.published_by,
            superseded_at: optional_timestamp(s.superseded_at)?,
            superseded_by: s.superseded_by,
            version: s.version,
            created_at: optional_timestamp(s.created_at)?.unwrap_or_default(),
            updated_at: optional_timestamp(s.updated_at)?.unwrap_or_default(),
        })
    }
}

/// An `exceptions` row as JSON, its instants as text; read for a judgement, the columns it does
/// not read decode as empty (as in [`StoredAssessment`]).
#[derive(Debug, Deserialize)]
struct StoredException {
    id: String,
    agreement_id: String,
    partner_id: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    case_number: String,
    status: String,
    #[serde(default)]
    requested_by: String,
    #[serde(default)]
    withdrawn_at: Option<String>,
    #[serde(default)]
    decision: Option<String>,
    #[serde(default)]
    deciding_body: Option<String>,
    #[serde(default)]
    delegation_reference: Option<String>,
    #[serde(default)]
    decided_at: Option<NaiveDate>,
    #[serde(default)]
    protocol_paragraph: Option<String>,
    #[serde(default)]
    conditions: Option<String>,
    #[serde(default)]
    valid_from: Option<NaiveDate>,
    #[serde(default)]
    valid_until: Option<NaiveDate>,
    #[serde(default)]
    decided_by: Option<String>,
    #[serde(default)]
    decision_recorded_at: Option<String>,
    #[serde(default)]
    revocation_deciding_body: Option<String>,
    #[serde(default)]
    revocation_delegation_reference: Option<String>,
    #[serde(default)]
    revocation_decided_at: Option<NaiveDate>,
    #[serde(default)]
    revocation_protocol_paragraph: Option<String>,
    #[serde(default)]
    revocation_reason: Option<String>,
    #[serde(default)]
    revoked_by: Option<String>,
    #[serde(default)]
    revocation_recorded_at: Option<String>,
    #[serde(default)]
    version: i32,
    created_at: String,
    #[serde(default)]
    updated_at: Option<String>,
}

impl TryFrom<StoredException> for ExceptionRow {
    type Error = ApiError;

    fn try_from(s: StoredException) -> Result<Self, ApiError> {
        Ok(ExceptionRow {
            id: s.id,
            agreement_id: s.agreement_id,
            partner_id: s.partner_id,
            unit_code: s.unit_code,
            justification: s.justification,
            case_number: s.case_number,
            status: s.status,
            requested_by: s.requested_by,
            withdrawn_at: optional_timestamp(s.withdrawn_at)?,
            decision: s.decision,
            deciding_body: s.deciding_body,
            delegation_reference: s.delegation_reference,
            decided_at: s.decided_at,
            protocol_paragraph: s.protocol_paragraph,
            conditions: s.conditions,
            valid_from: s.valid_from,
            valid_until: s.valid_until,
            decided_by: s.decided_by,
            decision_recorded_at: optional_timestamp(s.decision_recorded_at)?,
            revocation_deciding_body: s.revocation_deciding_body,
            revocation_delegation_reference: s.revocation_delegation_reference,
            revocation_decided_at: s.revocation_decided_at,
            revocation_protocol_paragraph: s.revocation_protocol_paragraph,
            revocation_reason: s.revocation_reason,
            revoked_by: s.revoked_by,
            revocation_recorded_at: optional_timestamp(s.revocation_recorded_at)?,
            version: s.version,
            created_at: timestamp(&s.created_at)?,
            updated_at: optional_timestamp(s.updated_at)?.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_as_either_database_writes_them() {
        let expected = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_micro_opt(18, 46, 42, 123_456)
            .unwrap();
        assert_eq!(timestamp("2026-11-30T18:46:42.123456").unwrap(), expected);
        assert_eq!(timestamp("2026-11-30 18:46:42.123456").unwrap(), expected);
        let whole = NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(18, 46, 42)
            .unwrap();
        assert_eq!(timestamp("2026-11-30T18:46:42").unwrap(), whole);
        assert_eq!(timestamp("2026-11-30 18:46:42").unwrap(), whole);
        assert!(timestamp("30/11/2026").is_err());
    }

    #[test]
    fn a_flag_reads_as_a_boolean_or_a_number() {
        #[derive(Deserialize)]
        struct F {
            #[serde(deserialize_with = "flag")]
            f: bool,
        }
        let read = |t: &str| serde_json::from_str::<F>(t).map(|f| f.f).ok();
        assert_eq!(read(r#"{"f": true}"#), Some(true));
        assert_eq!(read(r#"{"f": false}"#), Some(false));
        assert_eq!(read(r#"{"f": 1}"#), Some(true));
        assert_eq!(read(r#"{"f": 0}"#), Some(false));
        assert_eq!(read(r#"{"f": "yes"}"#), None);
    }

    #[test]
    fn an_agreement_without_partners_reads_as_no_partners() {
        let inputs = AgreementInputs::parse(r#"{"partners": [], "exceptions": []}"#).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert!(inputs.explain("a", day).unwrap().is_empty());
    }
}

//! Agreement queries. An agreement is one row and its lists (partners in order, purposes, global
//! goals, funding lines). The lists are kept in tables of their own (for filters, reports and
//! foreign keys) and, as one JSON object, in the row's `lists` column, which every read takes
//! them from: both are written together, by [`insert`] and [`update`] only.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamp};
use serde::{Deserialize, Serialize};

use super::{AgreementInput, AgreementStatus, Funding, Warning};
use crate::assessments::end_of_stockholm_day;
use crate::db::schema::{
    agreement_fundings as af, agreement_partners as ap, agreement_purposes as apu,
    agreement_sdgs as asd, agreements as a, partners, units,
};
use crate::db::search::{like_pattern, lower};
use crate::db::{AnyConnection, MultiBackend};
use crate::domain::{Amount, CaseNumber, Currency, LongText, Name, Sdg, UnitCode};
use crate::eligibility::inputs::agreement_inputs;
use crate::http::problem::ApiError;
use crate::policy::activation::{AgreementType, FundingSource, Purpose, Terms};
use crate::units::UnitType;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AgreementRow {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub agreement_type: String,
    pub unit_code: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub case_number: Option<String>,
    pub external_funding_not_possible_reason: Option<String>,
    pub status: String,
    pub warnings: String,
    pub registered_retroactively: bool,
    pub activated_at: Option<NaiveDateTime>,
    pub activated_by: Option<String>,
    pub ended_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub end_reason: Option<String>,
    pub cancel_reason: Option<String>,
}

/// An agreement with its lists, as stored.
#[derive(Debug, Clone)]
pub struct AgreementRecord {
    pub row: AgreementRow,
    pub partner_ids: Vec<String>,
    pub purposes: Vec<Purpose>,
    pub sdgs: Vec<u8>,
    pub fundings: Vec<Funding>,
}

impl AgreementRecord {
    pub fn new(row: AgreementRow, lists: Lists) -> Self {
        Self {
            row,
            partner_ids: lists.partner_ids,
            purposes: lists.purposes,
            sdgs: lists.sdgs,
            fundings: lists.fundings,
        }
    }

    pub fn lists(&self) -> Lists {
        Lists {
            partner_ids: self.partner_ids.clone(),
            purposes: self.purposes.clone(),
            sdgs: self.sdgs.clone(),
            fundings: self.fundings.clone(),
        }
    }

    pub fn status(&self) -> AgreementStatus {
        AgreementStatus::from_db(&self.row.status)
    }

    pub fn agreement_type(&self) -> AgreementType {
        AgreementType::parse(&self.row.agreement_type).unwrap_or(AgreementType::Other)
    }

    /// The warnings as stored: both texts (`detail` in English, `detailSv`).
    pub fn warnings(&self) -> Vec<Warning> {
        serde_json::from_str(&self.row.warnings).unwrap_or_default()
    }

    /// The writable fields as stored, read as an input (they were checked when written).
    pub fn input(&self) -> Result<AgreementInput, ApiError> {
        let stored = |e: String| ApiError::internal(e);
        let text = |t: &Option<String>| t.as_deref().map(LongText::parse).transpose();
        let r = &self.row;
        Ok(AgreementInput {
            title: Name::parse(&r.title).map_err(stored)?,
            description: text(&r.description).map_err(stored)?,
            agreement_type: self.agreement_type(),
            unit_code: UnitCode::parse(&r.unit_code).map_err(stored)?,
            partner_ids: self.partner_ids.clone(),
            purposes: self.purposes.clone(),
            sdgs: (self.sdgs.iter())
                .map(|&n| Sdg::new(n.into()))
                .collect::<Result<_, _>>()
                .map_err(stored)?,
            fundings: self.fundings.clone(),
            external_funding_not_possible_reason: text(&r.external_funding_not_possible_reason)
                .map_err(stored)?,
            start_date: r.start_date,
            end_date: r.end_date,
            case_number: (r.case_number.as_deref())
                .map(CaseNumber::parse)
                .transpose()
                .map_err(stored)?,
        })
    }

    /// What the activation rules look at.
    pub fn terms(&self) -> Terms<'_> {
        Terms {
            partner_ids: &self.partner_ids,
            unit_code: &self.row.unit_code,
            start_date: self.row.start_date,
            end_date: self.row.end_date,
            agreement_type: self.agreement_type(),
            purposes: &self.purposes,
        }
    }
}

/// How a funding source is stored (its name in the API).
fn source_name(source: FundingSource) -> String {
    serde_json::to_value(source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn stored_funding(
    source: String,
    programme: Option<String>,
    amount: String,
    currency: String,
) -> Result<Funding, ApiError> {
    let source: FundingSource = serde_json::from_value(serde_json::Value::String(source))
        .map_err(|e| ApiError::internal(format!("stored funding source: {e}")))?;
    Ok(Funding {
        source,
        programme: programme.and_then(|p| Name::parse(&p).ok()),
        amount: Amount::parse(&amount).map_err(|_| ApiError::internal("stored amount"))?,
        currency: Currency::parse(&currency).map_err(|_| ApiError::internal("stored currency"))?,
    })
}

/// An agreement's lists as its row keeps them (the column `lists`, migration 000013): partner ids
/// in order, purposes by stored name in that order, goals by number, funding lines as
/// `[source, programme, amount, currency]` in order. Written with the row by [`insert`] and
/// [`update`], the only writers of the list tables, in the same statement as the row.
#[derive(Debug, Serialize, Deserialize)]
struct StoredLists {
    partners: Vec<String>,
    purposes: Vec<String>,
    sdgs: Vec<u8>,
    fundings: Vec<(String, Option<String>, String, String)>,
}

impl Lists {
    /// The lists of `input` in the order a read gives them: partners and funding lines as
    /// written, purposes by their stored name, goals by number.
    fn of(input: &AgreementInput) -> Self {
        let mut purposes = input.purposes.clone();
        purposes.sort_by_key(|p| p.as_str());
        let mut sdgs: Vec<u8> = input.sdgs.iter().map(|s| s.get()).collect();
        sdgs.sort_unstable();
        Lists {
            partner_ids: input.partner_ids.clone(),
            purposes,
            sdgs,
            fundings: input.fundings.clone(),
        }
    }

    /// The lists as the column `lists` keeps them.
    fn stored(&self) -> String {
        let stored = StoredLists {
            partners: self.partner_ids.clone(),
            purposes: self
                .purposes
                .iter()
                .map(|p| p.as_str().to_string())
                .collect(),
            sdgs: self.sdgs.clone(),
            fundings: (self.fundings.iter())
                .map(|f| {
                    (
                        source_name(f.source),
                        f.programme.as_ref().map(|p| p.as_str().to_string()),
                        f.amount.to_string(),
                        f.currency.as_str().to_string(),
                    )
                })
                .collect(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// The lists the column `lists` keeps (NULL only for a row written behind the service's
    /// back, which is refused).
    fn read(text: Option<&str>) -> Result<Self, ApiError> {
        let text =
            text.ok_or_else(|| ApiError::internal("an agreement stored without its lists"))?;
        let stored: StoredLists = serde_json::from_str(text)
            .map_err(|e| ApiError::internal(format!("an agreement's lists: {e}")))?;
        let mut lists = Lists {
            partner_ids: stored.partners,
            purposes: (stored.purposes.iter())
                .filter_map(|p| Purpose::parse(p))
                .collect(),
            sdgs: stored.sdgs,
            fundings: Vec::with_capacity(stored.fundings.len()),
        };
        lists
            .purposes
            .sort_by_key(|p| Purpose::ALL.iter().position(|q| q == p));
        for (source, programme, amount, currency) in stored.fundings {
            lists
                .fundings
                .push(stored_funding(source, programme, amount, currency)?);
        }
        Ok(lists)
    }
}

/// A row with its lists, as [`find`] and [`list_all`] select them.
fn record((row, lists): (AgreementRow, Option<String>)) -> Result<AgreementRecord, ApiError> {
    Ok(AgreementRecord::new(row, Lists::read(lists.as_deref())?))
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<AgreementRecord>, ApiError> {
    a::table
        .find(id)
        .select((AgreementRow::as_select(), a::lists))
        .first(conn)
        .optional()?
        .map(record)
        .transpose()
}

/// An agreement as a read needs it: its row and lists, whether its unit is a company, the
/// register's generation the statement saw (`db::derived`), and, for an active agreement whose
/// judgement the read did not already have, everything its compliance rests on
/// (`eligibility::inputs::agreement_inputs`, judged by `compliance::compliance_of`).
pub struct ReadRow {
    pub record: AgreementRecord,
    pub unit_is_company: bool,
    pub generation: i64,
    pub compliance: Option<String>,
}

/// A judgement of an agreement's compliance that a read already holds: of its `version`, made at
/// the register's `generation`. [`read_row`] leaves the inputs out when both are still current.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    pub version: i32,
    pub generation: i64,
}

/// [`ReadRow`] for judging compliance on `today`, in one statement prepared once per connection
/// (the read behind `GET /agreements/{id}` and its compliance). The compliance inputs are read
/// unless `held` is a judgement of the agreement's current version at the current generation.
pub fn read_row(
    conn: &mut AnyConnection,
    id: &str,
    today: NaiveDate,
    held: Option<Held>,
) -> Result<Option<ReadRow>, ApiError> {
    let Some((row, lists, unit_is_company, generation, compliance)) = OneAgreement {
        postgres: conn.backend() == crate::db::Backend::Postgres,
        at: end_of_stockholm_day(today),
        held_version: held.map_or(-1, |h| h.version),
        held_generation: held.map_or(0, |h| h.generation),
        id: id.to_string(),
    }
    .get_result::<(AgreementRow, Option<String>, bool, i64, Option<String>)>(conn)
    .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(ReadRow {
        record: AgreementRecord::new(row, Lists::read(lists.as_deref())?),
        unit_is_company,
        generation,
        compliance,
    }))
}

/// The compliance inputs on `today` of the agreements `ids` (active ones: the inputs are read
/// whatever the status), by id, in one statement prepared once per connection however many ids
/// (they are bound as one JSON array).
pub fn compliance_inputs(
    conn: &mut AnyConnection,
    ids: &[&str],
    today: NaiveDate,
) -> Result<HashMap<String, String>, ApiError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = InputsOf {
        postgres: conn.backend() == crate::db::Backend::Postgres,
        at: end_of_stockholm_day(today),
        ids: serde_json::to_string(ids)
            .map_err(|e| ApiError::internal(format!("agreement ids as JSON: {e}")))?,
    }
    .load::<(String, String)>(conn)?;
    Ok(rows.into_iter().collect())
}

/// Whether the unit of the agreement row `agreement` is a company, as an SQL expression.
fn unit_is_company_sql(agreement: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM units c WHERE c.code = {agreement}.unit_code \
         AND c.unit_type = '{}')",
        UnitType::Company.as_str()
    )
}

/// An agreement's lists; they change only with its version.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub partner_ids: Vec<String>,
    pub purposes: Vec<Purpose>,
    pub sdgs: Vec<u8>,
    pub fundings: Vec<Funding>,
}

crate::db::prepared! {
    /// The statement of [`read_row`]: the columns of [`AgreementRow`] in its order, the lists
    /// (`StoredLists`), whether the unit is a company, the
    /// register's generation, and the compliance inputs (NULL for an agreement that is not
    /// active, or whose judgement at this version and generation the read holds).
    struct OneAgreement -> (
        (
            Text, Text, Nullable<Text>, Text, Text, Nullable<Date>, Nullable<Date>, Nullable<Text>,
            Nullable<Text>, Text, Text, Bool, Nullable<Timestamp>, Nullable<Text>,
            Nullable<Timestamp>, Nullable<Timestamp>, Text, Integer, Timestamp, Timestamp,
            Nullable<Text>, Nullable<Text>,
        ),
        Nullable<Text>,
        Bool,
        BigInt,
        Nullable<Text>,
    ) {
        at: NaiveDateTime as Timestamp,
        held_version: i32 as Integer,
        held_generation: i64 as BigInt,
        id: String as Text,
    }
    text = one_agreement;
}

/// [`OneAgreement`]'s text for PostgreSQL (`postgres`) or SQLite, in the pieces before its bound
/// parameters: the end of the day judged, the version and generation of the judgement held, the
/// agreement's id.
fn one_agreement(postgres: bool) -> [String; 4] {
    [
        format!(
            "SELECT a.id, a.title, a.description, a.agreement_type, \
             a.unit_code, a.start_date, a.end_date, a.case_number, \
             a.external_funding_not_possible_reason, a.status, a.warnings, \
             a.registered_retroactively, a.activated_at, a.activated_by, a.ended_at, \
             a.cancelled_at, a.created_by, a.version, a.created_at, a.updated_at, a.end_reason, \
             a.cancel_reason, a.lists, {company}, \
             g.generation, CASE WHEN a.status = '{active}' \
             AND NOT (a.version = q.held_version AND g.generation = q.held_generation) \
             THEN {inputs} END \
             FROM (SELECT ",
            company = unit_is_company_sql("a"),
            active = AgreementStatus::Active.as_str(),
            inputs = agreement_inputs(postgres, "a.id", "q.at"),
        ),
        " AS at, ".into(),
        " AS held_version, ".into(),
        " AS held_generation) q, register_generation g, agreements a WHERE a.id = ".into(),
    ]
}

crate::db::prepared! {
    /// The statement of [`compliance_inputs`]: each agreement's id and its compliance inputs.
    struct InputsOf -> (Text, Text) {
        at: NaiveDateTime as Timestamp,
        ids: String as Text,
    }
    text = inputs_of;
}

/// [`InputsOf`]'s text for PostgreSQL (`postgres`) or SQLite, in the pieces before its bound
/// parameters: the end of the day judged and the ids as a JSON array.
fn inputs_of(postgres: bool) -> [String; 3] {
    let ids = if postgres {
        ("json_array_elements_text(CAST(", " AS json))")
    } else {
        ("value FROM json_each(", ")")
    };
    [
        format!(
            "SELECT a.id, {} FROM (SELECT ",
            agreement_inputs(postgres, "a.id", "q.at")
        ),
        format!(" AS at) q, agreements a WHERE a.id IN (SELECT {}", ids.0),
        format!("{})", ids.1),
    ]
}

/// Agreement list filters (all optional).
#[derive(Debug, Default, Clone)]
pub struct AgreementFilter {
    pub statuses: Option<Vec<AgreementStatus>>,
    /// Only these units (an officer's own units for drafts is handled by `visible_drafts_units`).
    pub unit_code: Option<String>,
    pub partner_id: Option<String>,
    pub country_code: Option<String>,
    pub case_number: Option<String>,
    pub purpose: Option<Purpose>,
    pub agreement_type: Option<AgreementType>,
    pub q: Option<String>,
    pub updated_since: Option<NaiveDateTime>,
    /// Drafts are shown only for these units (None: all drafts; Some(empty): none).
    pub draft_units: Option<Vec<String>>,
}

fn filtered(f: &AgreementFilter) -> a::BoxedQuery<'static, MultiBackend> {
    let mut q = a::table.into_boxed();
    if let Some(statuses) = &f.statuses {
        q = q.filter(a::status.eq_any(statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    match &f.draft_units {
        None => {}
        Some(units) => {
            q = q.filter(
                a::status
                    .ne(AgreementStatus::Draft.as_str())
                    .or(a::unit_code.eq_any(units.clone())),
            );
        }
    }
    if let Some(unit) = &f.unit_code {
        q = q.filter(a::unit_code.eq(unit.clone()));
    }
    if let Some(partner) = &f.partner_id {
        q = q.filter(
            a::id.eq_any(
                ap::table
                    .filter(ap::partner_id.eq(partner.clone()))
                    .select(ap::agreement_id),
            ),
        );
    }
    if let Some(country) = &f.country_code {
        q = q.filter(
            a::id.eq_any(
                ap::table
                    .inner_join(partners::table)
                    .filter(partners::country_code.eq(country.clone()))
                    .select(ap::agreement_id),
            ),
        );
    }
    if let Some(case) = &f.case_number {
        q = q.filter(a::case_number.eq(case.clone()));
    }
    if let Some(purpose) = f.purpose {
        q = q.filter(
            a::id.eq_any(
                apu::table
                    .filter(apu::purpose.eq(purpose.as_str()))
                    .select(apu::agreement_id),
            ),
        );
    }
    if let Some(t) = f.agreement_type {
        q = q.filter(a::agreement_type.eq(t.as_str()));
    }
    if let Some(text) = &f.q {
        let pattern = like_pattern(text);
        q = q.filter(
            lower(a::title).like(pattern.clone()).escape('\\').or(lower(
                a::case_number.assume_not_null(),
            )
            .like(pattern)
            .escape('\\')),
        );
    }
    if let Some(since) = f.updated_since {
        q = q.filter(a::updated_at.ge(since));
    }
    q
}

/// How many agreements match `f`.
pub fn count(conn: &mut AnyConnection, f: &AgreementFilter) -> Result<i64, ApiError> {
    Ok(filtered(f).count().get_result::<i64>(conn)?)
}

/// A page of the agreements matching `f`, in list order, each as [`read_row`] reads one but
/// without its compliance inputs (`compliance_inputs` reads those that are not held), and the
/// register's generation (`db::derived`; `None` for an empty page), in one statement.
pub fn page(
    conn: &mut AnyConnection,
    f: &AgreementFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ReadRow>, Option<i64>), ApiError> {
    let rows = filtered(f)
        .order((a::created_at.asc(), a::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((
            AgreementRow::as_select(),
            a::lists,
            sql::<Bool>(&unit_is_company_sql("agreements")),
            sql::<BigInt>(crate::db::derived::GENERATION_SQL),
        ))
        .load::<(AgreementRow, Option<String>, bool, i64)>(conn)?;
    let generation = rows.first().map(|r| r.3);
    let reads = rows
        .into_iter()
        .map(|(row, lists, unit_is_company, generation)| {
            Ok(ReadRow {
                record: AgreementRecord::new(row, Lists::read(lists.as_deref())?),
                unit_is_company,
                generation,
                compliance: None,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok((reads, generation))
}

/// Every agreement matching `f`, in list order (for filters computed in Rust, such as compliance).
pub fn list_all(
    conn: &mut AnyConnection,
    f: &AgreementFilter,
) -> Result<Vec<AgreementRecord>, ApiError> {
    (filtered(f).order((a::created_at.asc(), a::id.asc())))
        .select((AgreementRow::as_select(), a::lists))
        .load(conn)?
        .into_iter()
        .map(record)
        .collect()
}

/// One multi-row INSERT of `rows` into `table`, run on the backend's own connection: diesel's
/// multi-backend connection takes no batch insert (SQLite's is not a plain SQL fragment).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            AnyConnection::Postgresql(pg) => {
                diesel::insert_into($table).values($rows).execute(pg)?
            }
            AnyConnection::Sqlite(lite) => {
                diesel::insert_into($table).values($rows).execute(lite)?
            }
        }
    };
}

/// Writes the four lists of `input` for agreement `id`, replacing those stored unless the
/// agreement is `new` (it has none yet, so there is nothing to delete): one multi-row INSERT per
/// list, none for an empty list.
fn write_lists(
    conn: &mut AnyConnection,
    id: &str,
    input: &AgreementInput,
    new: bool,
) -> Result<(), ApiError> {
    if !new {
        diesel::delete(ap::table.filter(ap::agreement_id.eq(id))).execute(conn)?;
        diesel::delete(apu::table.filter(apu::agreement_id.eq(id))).execute(conn)?;
        diesel::delete(asd::table.filter(asd::agreement_id.eq(id))).execute(conn)?;
        diesel::delete(af::table.filter(af::agreement_id.eq(id))).execute(conn)?;
    }
    let partners: Vec<_> = (input.partner_ids.iter().enumerate())
        .map(|(i, partner)| {
            (
                ap::agreement_id.eq(id),
                ap::partner_id.eq(partner.as_str()),
                ap::position.eq(i as i32),
            )
        })
        .collect();
    if !partners.is_empty() {
        insert_rows!(conn, ap::table, &partners);
    }
    let purposes: Vec<_> = (input.purposes.iter())
        .map(|purpose| (apu::agreement_id.eq(id), apu::purpose.eq(purpose.as_str())))
        .collect();
    if !purposes.is_empty() {
        insert_rows!(conn, apu::table, &purposes);
    }
    let sdgs: Vec<_> = (input.sdgs.iter())
        .map(|sdg| (asd::agreement_id.eq(id), asd::sdg.eq(i32::from(sdg.get()))))
        .collect();
    if !sdgs.is_empty() {
        insert_rows!(conn, asd::table, &sdgs);
    }
    let fundings: Vec<_> = (input.fundings.iter().enumerate())
        .map(|(i, f)| {
            (
                af::agreement_id.eq(id),
                af::position.eq(i as i32),
                af::source.eq(source_name(f.source)),
                af::programme.eq(f.programme.as_ref().map(|p| p.as_str().to_string())),
                af::amount.eq(f.amount.to_string()),
                af::currency.eq(f.currency.as_str()),
            )
        })
        .collect();
    if !fundings.is_empty() {
        insert_rows!(conn, af::table, &fundings);
    }
    Ok(())
}

pub fn insert(
    conn: &mut AnyConnection,
    id: &str,
    input: &AgreementInput,
    warnings: &[Warning],
    created_by: &str,
) -> Result<AgreementRecord, ApiError> {
    let now = crate::db::now();
    let lists = Lists::of(input);
    let columns = InputColumns::of(input, &lists);
    diesel::insert_into(a::table)
        .values((
            a::id.eq(id),
            &columns,
            a::status.eq(AgreementStatus::Draft.as_str()),
            a::warnings.eq(stored_warnings(warnings)),
            a::registered_retroactively.eq(false),
            a::created_by.eq(created_by),
            a::version.eq(1),
            a::created_at.eq(now),
            a::updated_at.eq(now),
        ))
        .execute(conn)?;
    write_lists(conn, id, input, true)?;
    // The record as written, without reading it back: every column is set above (`now` is
    // already cut to the microseconds both databases keep).
    let row = AgreementRow {
        id: id.to_string(),
        title: columns.title.to_string(),
        description: columns.description.map(str::to_string),
        agreement_type: columns.agreement_type.to_string(),
        unit_code: columns.unit_code.to_string(),
        start_date: columns.start_date,
        end_date: columns.end_date,
        case_number: columns.case_number.map(str::to_string),
        external_funding_not_possible_reason: (columns.external_funding_not_possible_reason)
            .map(str::to_string),
        status: AgreementStatus::Draft.as_str().to_string(),
        warnings: stored_warnings(warnings),
        registered_retroactively: false,
        activated_at: None,
        activated_by: None,
        ended_at: None,
        cancelled_at: None,
        created_by: created_by.to_string(),
        version: 1,
        created_at: now,
        updated_at: now,
        end_reason: None,
        cancel_reason: None,
    };
    Ok(AgreementRecord::new(row, lists))
}

/// The columns an input writes (a `None` writes NULL).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = a, treat_none_as_null = true)]
struct InputColumns<'a> {
    title: &'a str,
    description: Option<&'a str>,
    agreement_type: &'a str,
    unit_code: &'a str,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    case_number: Option<&'a str>,
    external_funding_not_possible_reason: Option<&'a str>,
    lists: String,
}

impl<'a> InputColumns<'a> {
    /// The columns of `input`, whose lists are `lists` (`Lists::of(input)`).
    fn of(input: &'a AgreementInput, lists: &Lists) -> Self {
        InputColumns {
            title: input.title.as_str(),
            description: input.description.as_ref().map(LongText::as_str),
            agreement_type: input.agreement_type.as_str(),
            unit_code: input.unit_code.as_str(),
            start_date: input.start_date,
            end_date: input.end_date,
            case_number: input.case_number.as_ref().map(CaseNumber::as_str),
            external_funding_not_possible_reason: (input.external_funding_not_possible_reason)
                .as_ref()
                .map(LongText::as_str),
            lists: lists.stored(),
        }
    }
}

/// Writes the fields of `input` if the agreement is still at `version`; false when another write came first.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    input: &AgreementInput,
    warnings: &[Warning],
) -> Result<bool, ApiError> {
    let updated = diesel::update(a::table.find(id).filter(a::version.eq(version)))
        .set((
            InputColumns::of(input, &Lists::of(input)),
            a::warnings.eq(stored_warnings(warnings)),
            a::version.eq(version + 1),
            a::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    write_lists(conn, id, input, false)?;
    Ok(true)
}

/// What a change of status records besides the status.
#[derive(Debug, Default)]
pub struct StatusRecord<'a> {
    /// Activation: the findings kept as warnings, and whether it was registered retroactively.
    pub warnings: Option<&'a [Warning]>,
    pub retroactive: Option<bool>,
    /// Ending: the day it ended (its new `endDate`).
    pub end_date: Option<NaiveDate>,
    /// Ending or cancelling: why.
    pub reason: Option<&'a str>,
}

/// A change of status (an action) by `actor`; false when another write came first.
pub fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    status: AgreementStatus,
    record: &StatusRecord<'_>,
    actor: &str,
) -> Result<bool, ApiError> {
    let StatusRecord {
        warnings,
        retroactive,
        end_date,
        reason,
    } = *record;
    let now = crate::db::now();
    let target = a::table.find(id).filter(a::version.eq(version));
    let updated = diesel::update(target)
        .set((
            a::status.eq(status.as_str()),
            a::version.eq(version + 1),
            a::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    let row = a::table.find(id);
    match status {
        AgreementStatus::Active => {
            diesel::update(row)
                .set((
                    a::activated_at.eq(Some(now)),
                    a::activated_by.eq(Some(actor)),
                    a::registered_retroactively.eq(retroactive.unwrap_or(false)),
                ))
                .execute(conn)?;
        }
        AgreementStatus::Ended => {
            diesel::update(row)
                .set((
                    a::ended_at.eq(Some(now)),
                    a::end_date.eq(end_date),
                    a::end_reason.eq(reason),
                ))
                .execute(conn)?;
        }
        AgreementStatus::Cancelled => {
            diesel::update(row)
                .set((a::cancelled_at.eq(Some(now)), a::cancel_reason.eq(reason)))
                .execute(conn)?;
        }
        AgreementStatus::Draft => {}
    }
    if let Some(warnings) = warnings {
        diesel::update(a::table.find(id))
            .set(a::warnings.eq(stored_warnings(warnings)))
            .execute(conn)?;
    }
    Ok(true)
}

/// Deletes a draft (drafts are not official records yet).
pub fn delete_draft(conn: &mut AnyConnection, id: &str, version: i32) -> Result<bool, ApiError> {
    Ok(diesel::delete(
        a::table
            .find(id)
            .filter(a::version.eq(version))
            .filter(a::status.eq(AgreementStatus::Draft.as_str())),
    )
    .execute(conn)?
        == 1)
}

/// Warnings as the `warnings` column keeps them: with both texts, although the wire carries one.
fn stored_warnings(warnings: &[Warning]) -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Stored<'a> {
        rule: &'a str,
        pointer: &'a str,
        partner_id: &'a Option<String>,
        detail: &'a str,
        detail_sv: &'a str,
    }
    let stored: Vec<Stored<'_>> = warnings
        .iter()
        .map(|w| Stored {
            rule: &w.rule,
            pointer: &w.pointer,
            partner_id: &w.partner_id,
            detail: &w.detail,
            detail_sv: &w.detail_sv,
        })
        .collect();
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".into())
}

/// Whether `unit` is a company (the policy does not bind it).
pub fn unit_is_company(conn: &mut AnyConnection, unit: &str) -> Result<bool, ApiError> {
    Ok(units::table
        .find(unit)
        .select(units::unit_type)
        .first::<String>(conn)
        .optional()?
        .is_some_and(|t| UnitType::from_db(&t) == UnitType::Company))
}

/// The codes of the units that are companies.
pub fn companies(conn: &mut AnyConnection) -> Result<HashSet<String>, ApiError> {
    Ok(units::table
        .filter(units::unit_type.eq(UnitType::Company.as_str()))
        .select(units::code)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

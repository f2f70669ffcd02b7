//! Agreement queries. An agreement is one row and its lists (partners in order, purposes, global
//! goals, funding lines); lists of agreements load those in one query per list, never per row.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamp};

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

fn attach(
    conn: &mut AnyConnection,
    rows: Vec<AgreementRow>,
) -> Result<Vec<AgreementRecord>, ApiError> {
    let mut lists: HashMap<String, Lists> = HashMap::new();
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    for chunk in ids.chunks(LISTS_PER_STATEMENT) {
        let rows = ListsOf { ids: chunk }.load::<ListRow>(conn)?;
        for (agreement, list, _, first, programme, amount, currency) in rows {
            let into = lists.entry(agreement).or_default();
            let first = first.unwrap_or_default();
            match list {
                PARTNERS => into.partner_ids.push(first),
                PURPOSES => into.purposes.extend(Purpose::parse(&first)),
                GOALS => into.sdgs.extend(first.parse::<u8>().ok()),
                _ => into.fundings.push(stored_funding(
                    first,
                    programme,
                    amount.unwrap_or_default(),
                    currency.unwrap_or_default(),
                )?),
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut found = lists.remove(&row.id).unwrap_or_default();
            found
                .purposes
                .sort_by_key(|p| Purpose::ALL.iter().position(|q| q == p));
            AgreementRecord::new(row, found)
        })
        .collect())
}

/// The most agreements whose lists one statement loads (one bound id each, well below the
/// databases' limits on bound parameters).
const LISTS_PER_STATEMENT: usize = 5_000;

/// The lists in the rows of [`ListsOf`]: partners in order, purposes, goals in order, funding
/// lines in order.
const PARTNERS: i32 = 0;
const PURPOSES: i32 = 1;
const GOALS: i32 = 2;

/// A row of [`ListsOf`]: the agreement, the list, the item's order, and up to four values (a
/// funding line's source, programme, amount and currency; one value for the other lists).
type ListRow = (
    String,
    i32,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The four lists of the agreements `ids` in one statement, the same on both databases.
struct ListsOf<'a> {
    ids: &'a [String],
}

impl diesel::query_builder::QueryId for ListsOf<'_> {
    type QueryId = ();
    /// The statement's text depends on how many ids it binds.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for ListsOf<'_> {
    type SqlType = (
        Text,
        Integer,
        Integer,
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Text>,
    );
}

impl diesel::query_builder::QueryFragment<MultiBackend> for ListsOf<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>,
    ) -> QueryResult<()> {
        out.push_sql("WITH wanted (id) AS (VALUES ");
        for (i, id) in self.ids.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            out.push_bind_param::<Text, _>(id)?;
            out.push_sql(")");
        }
        out.push_sql(
            ") SELECT agreement_id, 0, position, partner_id, NULL, NULL, NULL \
             FROM agreement_partners WHERE agreement_id IN (SELECT id FROM wanted) \
             UNION ALL SELECT agreement_id, 1, 0, purpose, NULL, NULL, NULL \
             FROM agreement_purposes WHERE agreement_id IN (SELECT id FROM wanted) \
             UNION ALL SELECT agreement_id, 2, sdg, CAST(sdg AS TEXT), NULL, NULL, NULL \
             FROM agreement_sdgs WHERE agreement_id IN (SELECT id FROM wanted) \
             UNION ALL SELECT agreement_id, 3, position, source, programme, amount, currency \
             FROM agreement_fundings WHERE agreement_id IN (SELECT id FROM wanted) \
             ORDER BY 1, 2, 3",
        );
        Ok(())
    }
}

impl RunQueryDsl<AnyConnection> for ListsOf<'_> {}

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

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<AgreementRecord>, ApiError> {
    let row = a::table
        .find(id)
        .select(AgreementRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        Some(row) => attach(conn, vec![row])?.pop(),
        None => None,
    })
}

/// The four lists as JSON arrays, as [`json_lists`] selects them: partner ids, purposes, goals,
/// funding lines (each `[source, programme, amount, currency]`).
type JsonLists = (String, String, String, String);

/// The SQL expressions that select an agreement's four lists as JSON arrays in their order, for
/// the agreement row `agreement` (`json_agg` on PostgreSQL, `json_group_array` on SQLite; both
/// take `ORDER BY` inside the aggregate, SQLite since 3.44).
fn json_lists(postgres: bool, agreement: &str) -> [String; 4] {
    let list = |item: &str, table: &str, order: &str| {
        if postgres {
            format!(
                "(SELECT COALESCE(json_agg({item} ORDER BY {order}), '[]')::text \
                 FROM {table} l WHERE l.agreement_id = {agreement}.id)"
            )
        } else {
            format!(
                "(SELECT json_group_array({item} ORDER BY {order}) \
                 FROM {table} l WHERE l.agreement_id = {agreement}.id)"
            )
        }
    };
    let line = if postgres {
        "json_build_array(l.source, l.programme, l.amount, l.currency)"
    } else {
        "json_array(l.source, l.programme, l.amount, l.currency)"
    };
    [
        list("l.partner_id", "agreement_partners", "l.position"),
        list("l.purpose", "agreement_purposes", "l.purpose"),
        list("l.sdg", "agreement_sdgs", "l.sdg"),
        list(line, "agreement_fundings", "l.position"),
    ]
}

/// The lists [`json_lists`] selected.
fn from_json((partners, purposes, sdgs, fundings): JsonLists) -> Result<Lists, ApiError> {
    let json = |what: &str, text: &str| -> Result<serde_json::Value, ApiError> {
        serde_json::from_str(text)
            .map_err(|e| ApiError::internal(format!("an agreement's {what} as JSON: {e}")))
    };
    let strings = |value: serde_json::Value| -> Vec<String> {
        let items = value.as_array().cloned().unwrap_or_default();
        items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect()
    };
    let mut lists = Lists {
        partner_ids: strings(json("partners", &partners)?),
        purposes: (strings(json("purposes", &purposes)?).iter())
            .filter_map(|p| Purpose::parse(p))
            .collect(),
        sdgs: (strings(json("goals", &sdgs)?).iter())
            .filter_map(|n| n.parse().ok())
            .collect(),
        fundings: Vec::new(),
    };
    lists
        .purposes
        .sort_by_key(|p| Purpose::ALL.iter().position(|q| q == p));
    for line in json("funding lines", &fundings)?
        .as_array()
        .into_iter()
        .flatten()
    {
        let part = |i: usize| line.get(i).and_then(|v| v.as_str()).map(str::to_string);
        lists.fundings.push(stored_funding(
            part(0).unwrap_or_default(),
            part(1),
            part(2).unwrap_or_default(),
            part(3).unwrap_or_default(),
        )?);
    }
    Ok(lists)
}

/// An agreement as a read needs it: its row and lists, whether its unit is a company, and for an
/// active agreement everything its compliance rests on (`eligibility::inputs::agreement_inputs`,
/// judged by `compliance::compliance_of`).
pub struct ReadRow {
    pub record: AgreementRecord,
    pub unit_is_company: bool,
    pub compliance: Option<String>,
}

/// [`ReadRow`] for judging compliance on `today`, in one statement prepared once per connection
/// (the read behind `GET /agreements/{id}` and its compliance).
pub fn read_row(
    conn: &mut AnyConnection,
    id: &str,
    today: NaiveDate,
) -> Result<Option<ReadRow>, ApiError> {
    let postgres = conn.backend() == crate::db::Backend::Postgres;
    let Some((row, lists, unit_is_company, compliance)) = OneAgreement {
        id: id.to_string(),
        at: end_of_stockholm_day(today),
        postgres,
    }
    .get_result::<(AgreementRow, JsonLists, bool, Option<String>)>(conn)
    .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(ReadRow {
        record: AgreementRecord::new(row, from_json(lists)?),
        unit_is_company,
        compliance,
    }))
}

/// Whether the unit of the agreement row `agreement` is a company, as an SQL expression.
fn unit_is_company_sql(agreement: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM units c WHERE c.code = {agreement}.unit_code \
         AND c.unit_type = '{}')",
        UnitType::Company.as_str()
    )
}

/// The compliance inputs of the agreement row `agreement` when it is active (NULL otherwise), as
/// SQL in two pieces around the one bound parameter: the end of the day judged.
fn compliance_inputs_sql(postgres: bool, agreement: &str) -> [String; 2] {
    let inputs = agreement_inputs(postgres, &format!("{agreement}.id"), "d.at");
    [
        format!(
            "CASE WHEN {agreement}.status = '{}' THEN (SELECT {inputs} FROM (SELECT ",
            AgreementStatus::Active.as_str()
        ),
        " AS at) d) END".into(),
    ]
}

/// An agreement's lists; they change only with its version.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub partner_ids: Vec<String>,
    pub purposes: Vec<Purpose>,
    pub sdgs: Vec<u8>,
    pub fundings: Vec<Funding>,
}

/// The statement of [`read_row`]: `SELECT` the row, the four lists as JSON arrays, `EXISTS` a
/// company unit, and the compliance inputs as JSON. Written by hand because diesel cannot express
/// the scalar subqueries across both backends; a type with a static query id, so diesel keeps it
/// prepared (a connection is of one backend, so its text never changes).
struct OneAgreement {
    id: String,
    at: NaiveDateTime,
    postgres: bool,
}

/// [`OneAgreement`]'s text for PostgreSQL (`postgres`) or SQLite, in the pieces before the bound
/// end of the day and before the bound id.
fn one_agreement(postgres: bool) -> [String; 2] {
    let [partners, purposes, sdgs, fundings] = json_lists(postgres, "a");
    let [inputs, after_at] = compliance_inputs_sql(postgres, "a");
    [
        format!(
            "SELECT a.id, a.title, a.description, a.agreement_type, \
             a.unit_code, a.start_date, a.end_date, a.case_number, \
             a.external_funding_not_possible_reason, a.status, a.warnings, \
             a.registered_retroactively, a.activated_at, a.activated_by, a.ended_at, \
             a.cancelled_at, a.created_by, a.version, a.created_at, a.updated_at, a.end_reason, \
             a.cancel_reason, {partners}, {purposes}, {sdgs}, {fundings}, {company}, {inputs}",
            company = unit_is_company_sql("a"),
        ),
        format!("{after_at} FROM agreements a WHERE a.id = "),
    ]
}

static ONE_AGREEMENT_POSTGRES: std::sync::LazyLock<[String; 2]> =
    std::sync::LazyLock::new(|| one_agreement(true));
static ONE_AGREEMENT_SQLITE: std::sync::LazyLock<[String; 2]> =
    std::sync::LazyLock::new(|| one_agreement(false));

impl diesel::query_builder::QueryId for OneAgreement {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for OneAgreement {
    /// The columns of [`AgreementRow`] in its order, the partners, purposes, goals and funding
    /// lines as JSON arrays, the flag, the compliance inputs.
    #[rustfmt::skip]
    type SqlType = (
        (
            Text, Text, Nullable<Text>, Text, Text, Nullable<Date>, Nullable<Date>, Nullable<Text>,
            Nullable<Text>, Text, Text, Bool, Nullable<Timestamp>, Nullable<Text>,
            Nullable<Timestamp>, Nullable<Timestamp>, Text, Integer, Timestamp, Timestamp,
            Nullable<Text>, Nullable<Text>,
        ),
        (Text, Text, Text, Text),
        Bool,
        Nullable<Text>,
    );
}

impl diesel::query_builder::QueryFragment<MultiBackend> for OneAgreement {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>,
    ) -> QueryResult<()> {
        let [select, from] = if self.postgres {
            &*ONE_AGREEMENT_POSTGRES
        } else {
            &*ONE_AGREEMENT_SQLITE
        };
        out.push_sql(select);
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(from);
        out.push_bind_param::<Text, _>(&self.id)?;
        Ok(())
    }
}

impl RunQueryDsl<AnyConnection> for OneAgreement {}

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

/// A page of the agreements matching `f`, in list order, each as [`read_row`] reads one (for
/// judging compliance on `today`), and the register's generation (`db::derived`; `None` for an
/// empty page), in one statement.
pub fn page(
    conn: &mut AnyConnection,
    f: &AgreementFilter,
    offset: i64,
    limit: i64,
    today: NaiveDate,
) -> Result<(Vec<ReadRow>, Option<i64>), ApiError> {
    let postgres = conn.backend() == crate::db::Backend::Postgres;
    let [partners, purposes, sdgs, fundings] = json_lists(postgres, "agreements");
    let [inputs, after_at] = compliance_inputs_sql(postgres, "agreements");
    let rows = filtered(f)
        .order((a::created_at.asc(), a::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((
            AgreementRow::as_select(),
            (
                sql::<Text>(&partners),
                sql::<Text>(&purposes),
                sql::<Text>(&sdgs),
                sql::<Text>(&fundings),
            ),
            sql::<Bool>(&unit_is_company_sql("agreements")),
            sql::<BigInt>(crate::db::derived::GENERATION_SQL),
            sql::<Nullable<Text>>(&inputs)
                .bind::<Timestamp, _>(end_of_stockholm_day(today))
                .sql(&after_at),
        ))
        .load::<(AgreementRow, JsonLists, bool, i64, Option<String>)>(conn)?;
    let generation = rows.first().map(|r| r.3);
    let reads = rows
        .into_iter()
        .map(|(row, lists, unit_is_company, _, compliance)| {
            Ok(ReadRow {
                record: AgreementRecord::new(row, from_json(lists)?),
                unit_is_company,
                compliance,
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
    let rows = filtered(f)
        .order((a::created_at.asc(), a::id.asc()))
        .select(AgreementRow::as_select())
        .load(conn)?;
    attach(conn, rows)
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
            let source = serde_json::to_value(f.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            (
                af::agreement_id.eq(id),
                af::position.eq(i as i32),
                af::source.eq(source),
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
    diesel::insert_into(a::table)
        .values((
            a::id.eq(id),
            InputColumns::of(input),
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
    let columns = InputColumns::of(input);
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
    // In the order a read gives them (`json_lists`): partners and funding lines as written,
    // purposes by their stored name, goals by number.
    let mut purposes = input.purposes.clone();
    purposes.sort_by_key(|p| p.as_str());
    let mut sdgs: Vec<u8> = input.sdgs.iter().map(|s| s.get()).collect();
    sdgs.sort_unstable();
    let lists = Lists {
        partner_ids: input.partner_ids.clone(),
        purposes,
        sdgs,
        fundings: input.fundings.clone(),
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
}

impl<'a> InputColumns<'a> {
    fn of(input: &'a AgreementInput) -> Self {
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
            InputColumns::of(input),
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

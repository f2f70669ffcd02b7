//! Assessment queries, including the point-in-time lookups the eligibility engine uses.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{
    Assessment, AssessmentStatus, Content, Evidence, Judgement, Subject, verdict_from_db,
    verdict_str,
};
use crate::db::schema::assessments as a;
use crate::db::{AnyConnection, MultiBackend};
use crate::http::problem::ApiError;

#[derive(Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AssessmentRow {
    pub id: String,
    pub subject_key: String,
    pub country_code: String,
    pub partner_id: Option<String>,
    pub human_rights: String,
    pub human_rights_rationale: String,
    pub democracy: String,
    pub democracy_rationale: String,
    pub rule_of_law: String,
    pub rule_of_law_rationale: String,
    pub indicators: String,
    pub assessed_at: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: String,
    pub drafted_by: String,
    pub published_at: Option<NaiveDateTime>,
    pub published_by: Option<String>,
    pub superseded_at: Option<NaiveDateTime>,
    pub superseded_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn judgement(verdict: &str, rationale: String) -> Judgement {
    Judgement {
        verdict: verdict_from_db(verdict),
        rationale,
    }
}

impl From<AssessmentRow> for Assessment {
    fn from(r: AssessmentRow) -> Self {
        let mut assessment = Assessment {
            id: r.id,
            country_code: r.country_code,
            partner_id: r.partner_id,
            human_rights: judgement(&r.human_rights, r.human_rights_rationale),
            democracy: judgement(&r.democracy, r.democracy_rationale),
            rule_of_law: judgement(&r.rule_of_law, r.rule_of_law_rationale),
            indicators: serde_json::from_str::<Vec<Evidence>>(&r.indicators).unwrap_or_default(),
            assessed_at: r.assessed_at,
            valid_until: r.valid_until,
            status: AssessmentStatus::from_db(&r.status),
            outcome: super::Outcome::MeetsRequirements,
            failing_requirements: Vec::new(),
            published_at: r.published_at.map(|t| t.and_utc()),
            published_by: r.published_by,
            superseded_at: r.superseded_at.map(|t| t.and_utc()),
            superseded_by: r.superseded_by,
            drafted_by: serde_json::from_str(&r.drafted_by).unwrap_or_default(),
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        };
        let verdicts = assessment.verdicts();
        assessment.outcome = verdicts.outcome();
        assessment.failing_requirements = verdicts
            .failing_requirements()
            .into_iter()
            .map(str::to_string)
            .collect();
        assessment
    }
}

#[derive(Debug, Default, Clone)]
pub struct AssessmentFilter {
    pub status: Option<AssessmentStatus>,
    pub country_code: Option<String>,
    pub partner_id: Option<String>,
    /// Only the country's own assessments (not those of partners in it).
    pub countries_only: bool,
    /// Drafts are shown to coordinators only.
    pub include_drafts: bool,
}

fn filtered(f: &AssessmentFilter) -> a::BoxedQuery<'static, MultiBackend> {
    let mut query = a::table.into_boxed();
    if let Some(s) = f.status {
        query = query.filter(a::status.eq(s.as_str()));
    }
    if !f.include_drafts {
        query = query.filter(a::status.ne(AssessmentStatus::Draft.as_str()));
    }
    if let Some(c) = &f.country_code {
        query = query.filter(a::country_code.eq(c.clone()));
    }
    if let Some(p) = &f.partner_id {
        query = query.filter(a::partner_id.eq(p.clone()));
    }
    if f.countries_only {
        query = query.filter(a::partner_id.is_null());
    }
    query
}

/// A page of assessments: oldest first, or newest first for a subject's history.
pub fn list(
    conn: &mut AnyConnection,
    f: &AssessmentFilter,
    newest_first: bool,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Assessment>, i64), ApiError> {
    let total = filtered(f).count().get_result::<i64>(conn)?;
    let query = filtered(f);
    let query = if newest_first {
        query.order((a::created_at.desc(), a::id.desc()))
    } else {
        query.order((a::created_at.asc(), a::id.asc()))
    };
    let rows = query
        .offset(offset)
        .limit(limit)
        .select(AssessmentRow::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(Assessment::from).collect(), total))
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Assessment>, ApiError> {
    Ok(a::table
        .find(id)
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .map(Assessment::from))
}

fn indicators_json(content: &Content) -> Result<String, ApiError> {
    serde_json::to_string(&content.indicators).map_err(|e| ApiError::internal(e.to_string()))
}

pub fn insert(
    conn: &mut AnyConnection,
    subject: &Subject,
    country_code: &str,
    content: &Content,
    actor: &str,
) -> Result<Assessment, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = crate::db::now();
    let partner_id = match subject {
        Subject::Partner(p) => Some(p.as_str()),
        Subject::Country(_) => None,
    };
    diesel::insert_into(a::table)
        .values((
            a::id.eq(&id),
            a::subject_key.eq(subject.key()),
            a::country_code.eq(country_code),
            a::partner_id.eq(partner_id),
            ContentColumns::of(content)?,
            a::status.eq(AssessmentStatus::Draft.as_str()),
            a::drafted_by.eq(serde_json::json!([actor]).to_string()),
            a::version.eq(1),
            a::created_at.eq(now),
            a::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, &id)?.ok_or_else(|| ApiError::internal("inserted assessment vanished"))
}

/// The columns a draft's content writes.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = a)]
struct ContentColumns<'a> {
    human_rights: &'static str,
    human_rights_rationale: &'a str,
    democracy: &'static str,
    democracy_rationale: &'a str,
    rule_of_law: &'static str,
    rule_of_law_rationale: &'a str,
    indicators: String,
    assessed_at: NaiveDate,
    valid_until: NaiveDate,
}

impl<'a> ContentColumns<'a> {
    fn of(content: &'a Content) -> Result<Self, ApiError> {
        Ok(ContentColumns {
            human_rights: verdict_str(content.human_rights.verdict),
            human_rights_rationale: content.human_rights.rationale.as_str(),
            democracy: verdict_str(content.democracy.verdict),
            democracy_rationale: content.democracy.rationale.as_str(),
            rule_of_law: verdict_str(content.rule_of_law.verdict),
            rule_of_law_rationale: content.rule_of_law.rationale.as_str(),
            indicators: indicators_json(content)?,
            assessed_at: content.assessed_at,
            valid_until: content.valid_until,
        })
    }
}

/// The assessment `id` while it is a draft at `version`.
#[diesel::dsl::auto_type(no_type_alias)]
fn draft_at<'a>(id: &'a str, version: i32) -> _ {
    let draft: &'static str = AssessmentStatus::Draft.as_str();
    a::table
        .find(id)
        .filter(a::version.eq(version))
        .filter(a::status.eq(draft))
}

/// Writes a draft's content if it is still a draft at `version`; `None` when another write came
/// first. `drafted_by` is the list of drafters including the editor.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    content: &Content,
    drafted_by: &[String],
) -> Result<Option<Assessment>, ApiError> {
    let updated = diesel::update(draft_at(id, version))
        .set((
            ContentColumns::of(content)?,
            a::drafted_by.eq(serde_json::to_string(drafted_by).unwrap_or_else(|_| "[]".into())),
            a::version.eq(version + 1),
            a::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    crate::db::reread(updated, || find(conn, id))
}

/// Deletes a draft still at `version`.
pub fn delete_draft(conn: &mut AnyConnection, id: &str, version: i32) -> Result<bool, ApiError> {
    Ok(diesel::delete(draft_at(id, version)).execute(conn)? == 1)
}

/// The subject's assessment in force now (status `PUBLISHED`), whatever its validity.
pub fn current_published(
    conn: &mut AnyConnection,
    subject: &Subject,
) -> Result<Option<Assessment>, ApiError> {
    Ok(a::table
        .filter(a::subject_key.eq(subject.key()))
        .filter(a::status.eq(AssessmentStatus::Published.as_str()))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .map(Assessment::from))
}

/// Marks `old` superseded by `by` at `at`; `false` when it is no longer the published one at its
/// version (another publish came first).
pub fn supersede(
    conn: &mut AnyConnection,
    old: &Assessment,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool, ApiError> {
    Ok(diesel::update(
        a::table
            .find(&old.id)
            .filter(a::version.eq(old.version))
            .filter(a::status.eq(AssessmentStatus::Published.as_str())),
    )
    .set((
        a::status.eq(AssessmentStatus::Superseded.as_str()),
        a::superseded_at.eq(Some(at)),
        a::superseded_by.eq(Some(by)),
        a::version.eq(old.version + 1),
        a::updated_at.eq(at),
    ))
    .execute(conn)?
        == 1)
}

/// Publishes a draft still at `version`.
pub fn publish(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    by: &str,
    at: NaiveDateTime,
) -> Result<Option<Assessment>, ApiError> {
    let updated = diesel::update(draft_at(id, version))
        .set((
            a::status.eq(AssessmentStatus::Published.as_str()),
            a::published_at.eq(Some(at)),
            a::published_by.eq(Some(by)),
            a::version.eq(version + 1),
            a::updated_at.eq(at),
        ))
        .execute(conn)?;
    crate::db::reread(updated, || find(conn, id))
}

/// The assessment as it stood at `at`: superseded only if that had happened by then.
fn as_of(mut assessment: Assessment, at: NaiveDateTime) -> Assessment {
    if assessment.superseded_at.is_some_and(|s| s.naive_utc() > at) {
        assessment.status = AssessmentStatus::Published;
        assessment.superseded_at = None;
        assessment.superseded_by = None;
    }
    assessment
}

/// The latest assessment of `subject` published at or before `at` (naive UTC), in the state it
/// had at `at`. For "by the end of date D" pass `super::end_of_stockholm_day(D)`. Validity
/// (`assessedAt`..`validUntil`) is not checked here: the eligibility core does that.
pub fn published_as_of(
    conn: &mut AnyConnection,
    subject: &Subject,
    at: NaiveDateTime,
) -> Result<Option<Assessment>, ApiError> {
    Ok(a::table
        .filter(a::subject_key.eq(subject.key()))
        .filter(a::published_at.le(at))
        .order((a::published_at.desc(), a::id.desc()))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .map(|r| as_of(Assessment::from(r), at)))
}

/// `published_as_of` for many subjects in one query; subjects with nothing published by `at` are
/// absent from the map.
pub fn published_as_of_many(
    conn: &mut AnyConnection,
    subjects: &[Subject],
    at: NaiveDateTime,
) -> Result<HashMap<Subject, Assessment>, ApiError> {
    let keys: Vec<String> = subjects.iter().map(Subject::key).collect();
    let rows = crate::db::in_chunks(&keys, |chunk| {
        a::table
            .filter(a::subject_key.eq_any(chunk))
            .filter(a::published_at.le(at))
            .order((a::published_at.asc(), a::id.asc()))
            .select(AssessmentRow::as_select())
            .load(conn)
    })?;
    // Ascending within each statement, and a subject's keys are all in one chunk, so the latest
    // published per subject is the one left in the map.
    Ok(rows
        .into_iter()
        .map(|row| {
            let assessment = as_of(Assessment::from(row), at);
            (assessment.subject(), assessment)
        })
        .collect())
}

/// Every country's own assessment in force now (status `PUBLISHED`), by country code.
pub fn current_country_assessments(
    conn: &mut AnyConnection,
) -> Result<HashMap<String, Assessment>, ApiError> {
    let rows = a::table
        .filter(a::partner_id.is_null())
        .filter(a::status.eq(AssessmentStatus::Published.as_str()))
        .select(AssessmentRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.country_code.clone(), Assessment::from(r)))
        .collect())
}

//! Assessments: how a country, or one partner city or region, stands against the policy's three
//! requirements ("respekterar mänskliga rättigheter, är en demokrati och upprätthåller
//! rättsstatens principer"). DRAFT → PUBLISHED → SUPERSEDED; the outcome is derived, never stored.

pub mod export;
pub mod routes;
pub mod service;
pub mod store;

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{LongText, Name, WebUrl};
use crate::http::crud::Resource;
use crate::http::problem::ApiError;
use crate::indicators::IndicatorSource;
pub use crate::policy::eligibility::{AssessmentFacts, Verdict};

pub fn verdict_str(v: Verdict) -> &'static str {
    match v {
        Verdict::Meets => "MEETS",
        Verdict::DoesNotMeet => "DOES_NOT_MEET",
        Verdict::Uncertain => "UNCERTAIN",
    }
}

pub fn verdict_from_db(s: &str) -> Verdict {
    match s {
        "MEETS" => Verdict::Meets,
        "DOES_NOT_MEET" => Verdict::DoesNotMeet,
        _ => Verdict::Uncertain,
    }
}

/// The derived result of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = AssessmentOutcome)]
pub enum Outcome {
    /// All three requirements are `MEETS`.
    MeetsRequirements,
    /// At least one requirement is `DOES_NOT_MEET` or `UNCERTAIN`.
    DoesNotMeetRequirements,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::MeetsRequirements => "MEETS_REQUIREMENTS",
            Outcome::DoesNotMeetRequirements => "DOES_NOT_MEET_REQUIREMENTS",
        }
    }
}

/// The three verdicts of an assessment: the pure part the policy core reasons about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdicts {
    pub human_rights: Verdict,
    pub democracy: Verdict,
    pub rule_of_law: Verdict,
}

impl Verdicts {
    /// `MEETS_REQUIREMENTS` only when all three meet; an `UNCERTAIN` verdict fails.
    pub fn outcome(&self) -> Outcome {
        if self.failing_requirements().is_empty() {
            Outcome::MeetsRequirements
        } else {
            Outcome::DoesNotMeetRequirements
        }
    }

    /// The rule codes (`HUMAN_RIGHTS`, `DEMOCRACY`, `RULE_OF_LAW`) of the requirements not met.
    pub fn failing_requirements(&self) -> Vec<&'static str> {
        crate::policy::eligibility::failing_requirements(
            self.human_rights,
            self.democracy,
            self.rule_of_law,
        )
    }
}

/// What an assessment is about: a country, or one partner of kind `CITY` or `REGION`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// An ISO 3166-1 alpha-2 code.
    Country(String),
    /// A partner's id.
    Partner(String),
}

impl Subject {
    /// The stored `subject_key`: `country:NO` or `partner:<id>`.
    pub fn key(&self) -> String {
        match self {
            Subject::Country(code) => format!("country:{code}"),
            Subject::Partner(id) => format!("partner:{id}"),
        }
    }
}

/// The assessment's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentStatus {
    /// Being written; visible to coordinators only.
    Draft,
    /// In force for its subject; immutable.
    Published,
    /// Replaced by a later published assessment of the same subject; immutable.
    Superseded,
}

impl AssessmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "DRAFT",
            AssessmentStatus::Published => "PUBLISHED",
            AssessmentStatus::Superseded => "SUPERSEDED",
        }
    }

    pub fn from_db(s: &str) -> AssessmentStatus {
        match s {
            "PUBLISHED" => AssessmentStatus::Published,
            "SUPERSEDED" => AssessmentStatus::Superseded,
            _ => AssessmentStatus::Draft,
        }
    }
}

/// One requirement judged, with the reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Judgement {
    pub verdict: Verdict,
    pub rationale: String,
}

/// A requirement judged, as written by a coordinator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JudgementInput {
    #[serde(deserialize_with = "deserialize_verdict")]
    pub verdict: Verdict,
    pub rationale: LongText,
}

/// Read as an enum (not as a string matched by hand), so that a deserializer knows its values.
fn deserialize_verdict<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Verdict, D::Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Input {
        Meets,
        DoesNotMeet,
        Uncertain,
    }
    match Input::deserialize(d) {
        Ok(Input::Meets) => Ok(Verdict::Meets),
        Ok(Input::DoesNotMeet) => Ok(Verdict::DoesNotMeet),
        Ok(Input::Uncertain) => Ok(Verdict::Uncertain),
        Err(_) => Err(serde::de::Error::custom(crate::domain::rejected(
            "invalid-value",
            crate::text::Text::OneOf {
                values: "MEETS, DOES_NOT_MEET, UNCERTAIN".into(),
            },
        ))),
    }
}

/// One piece of evidence: an index value, imported (`indicatorId`) or typed in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The imported indicator this was copied from, if any.
    #[schema(format = Uuid)]
    pub indicator_id: Option<String>,
    pub source: IndicatorSource,
    pub edition: String,
    pub metric: String,
    pub value: f64,
    pub category: Option<String>,
    pub url: Option<String>,
}

/// Evidence as written: either `indicatorId` of an imported value of the subject's country (its
/// fields are copied from the import), or `source`, `edition`, `metric` and `value` typed in.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EvidenceInput {
    #[serde(default)]
    #[schema(format = Uuid)]
    pub indicator_id: Option<String>,
    #[serde(default)]
    pub source: Option<IndicatorSource>,
    #[serde(default)]
    pub edition: Option<Name>,
    #[serde(default)]
    pub metric: Option<Name>,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub category: Option<Name>,
    #[serde(default)]
    pub url: Option<WebUrl>,
}

/// An assessment / En bedömning.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "countryCode": "NO", "partnerId": null,
    "humanRights": {"verdict": "MEETS", "rationale": "Strong protection of civil liberties."},
    "democracy": {"verdict": "MEETS", "rationale": "Free and fair elections."},
    "ruleOfLaw": {"verdict": "MEETS", "rationale": "Independent courts."},
    "indicators": [{"indicatorId": null, "source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total-score", "value": 98.0, "category": "Free", "url": "https://freedomhouse.org/country/norway"}],
    "assessedAt": "2026-11-20", "validUntil": "2027-11-20", "status": "PUBLISHED",
    "outcome": "MEETS_REQUIREMENTS", "failingRequirements": [],
    "publishedAt": "2026-11-26T09:15:00Z", "publishedBy": "per.coordinator",
    "supersededAt": null, "supersededBy": null, "draftedBy": ["cora.coordinator"],
    "version": 2, "createdAt": "2026-11-25T14:00:00Z", "updatedAt": "2026-11-26T09:15:00Z"
}))]
pub struct Assessment {
    #[schema(format = Uuid)]
    pub id: String,
    /// The country assessed, or the country of the partner assessed.
    pub country_code: String,
    /// The partner (a city or region) assessed; `null` for a country's assessment.
    #[schema(format = Uuid)]
    pub partner_id: Option<String>,
    pub human_rights: Judgement,
    pub democracy: Judgement,
    pub rule_of_law: Judgement,
    pub indicators: Vec<Evidence>,
    pub assessed_at: NaiveDate,
    /// The last day the assessment applies (inclusive).
    pub valid_until: NaiveDate,
    pub status: AssessmentStatus,
    /// Derived from the three verdicts; read-only.
    pub outcome: Outcome,
    /// The rule codes of the requirements not met (`HUMAN_RIGHTS`, `DEMOCRACY`, `RULE_OF_LAW`).
    pub failing_requirements: Vec<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<String>,
    pub superseded_at: Option<DateTime<Utc>>,
    /// The assessment that superseded this one.
    pub superseded_by: Option<String>,
    /// Who created or edited the draft; none of them may publish it (four eyes).
    pub drafted_by: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Resource for Assessment {
    fn located(&self) -> (i32, String) {
        (self.version, format!("assessments/{}", self.id))
    }
}

impl Assessment {
    pub fn verdicts(&self) -> Verdicts {
        Verdicts {
            human_rights: self.human_rights.verdict,
            democracy: self.democracy.verdict,
            rule_of_law: self.rule_of_law.verdict,
        }
    }

    pub fn subject(&self) -> Subject {
        match &self.partner_id {
            Some(id) => Subject::Partner(id.clone()),
            None => Subject::Country(self.country_code.clone()),
        }
    }

    /// What the eligibility core needs of a published assessment.
    pub fn facts(&self) -> AssessmentFacts {
        AssessmentFacts {
            id: self.id.clone(),
            human_rights: self.human_rights.verdict,
            democracy: self.democracy.verdict,
            rule_of_law: self.rule_of_law.verdict,
            valid_from: self.assessed_at,
            valid_until: self.valid_until,
        }
    }
}

/// A new draft. Name the subject with `countryCode`, or with `partnerId` (a `CITY` or `REGION`
/// partner; its country is taken from the partner).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({
    "countryCode": "NO",
    "humanRights": {"verdict": "MEETS", "rationale": "Strong protection of civil liberties."},
    "democracy": {"verdict": "MEETS", "rationale": "Free and fair elections."},
    "ruleOfLaw": {"verdict": "UNCERTAIN", "rationale": "Awaiting the 2026 WJP index."},
    "indicators": [{"source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total-score", "value": 98, "category": "Free"}],
    "assessedAt": "2026-11-20"
}))]
pub struct NewAssessment {
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[A-Z]{2}$")]
    pub country_code: Option<crate::domain::CountryCode>,
    #[serde(default)]
    #[schema(format = Uuid)]
    pub partner_id: Option<String>,
    pub human_rights: JudgementInput,
    pub democracy: JudgementInput,
    pub rule_of_law: JudgementInput,
    #[serde(default)]
    pub indicators: Vec<EvidenceInput>,
    /// Defaults to today (Europe/Stockholm); not in the future.
    #[serde(default)]
    pub assessed_at: Option<NaiveDate>,
    /// Defaults to one year after `assessedAt`.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
}

/// The body of `PATCH /assessments/{id}` (drafts only): any writable field; `null` on `validUntil`
/// resets it to one year after `assessedAt`. `indicators` is replaced as a whole.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"ruleOfLaw": {"verdict": "MEETS", "rationale": "WJP 2026: top decile."}}))]
pub struct AssessmentChanges {
    #[schema(value_type = JudgementPatch)]
    pub human_rights: JudgementInput,
    #[schema(value_type = JudgementPatch)]
    pub democracy: JudgementInput,
    #[schema(value_type = JudgementPatch)]
    pub rule_of_law: JudgementInput,
    #[serde(default)]
    pub indicators: Vec<EvidenceInput>,
    pub assessed_at: NaiveDate,
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
}

impl AssessmentChanges {
    /// The writable fields of `a` as they stand (they were checked when written).
    pub fn of(a: &Assessment) -> Result<Self, ApiError> {
        let stored = |e: String| ApiError::internal(e);
        let name = |t: &str| Name::parse(t).map_err(stored);
        let judgement = |j: &Judgement| -> Result<JudgementInput, ApiError> {
            Ok(JudgementInput {
                verdict: j.verdict,
                rationale: LongText::parse(&j.rationale).map_err(stored)?,
            })
        };
        let evidence = |e: &Evidence| -> Result<EvidenceInput, ApiError> {
            if e.indicator_id.is_some() {
                return Ok(EvidenceInput {
                    indicator_id: e.indicator_id.clone(),
                    ..EvidenceInput::default()
                });
            }
            Ok(EvidenceInput {
                indicator_id: None,
                source: Some(e.source),
                edition: Some(name(&e.edition)?),
                metric: Some(name(&e.metric)?),
                value: Some(e.value),
                category: e.category.as_deref().map(name).transpose()?,
                url: (e.url.as_deref())
                    .map(|u| WebUrl::parse(u).map_err(stored))
                    .transpose()?,
            })
        };
        Ok(AssessmentChanges {
            human_rights: judgement(&a.human_rights)?,
            democracy: judgement(&a.democracy)?,
            rule_of_law: judgement(&a.rule_of_law)?,
            indicators: a
                .indicators
                .iter()
                .map(evidence)
                .collect::<Result<_, _>>()?,
            assessed_at: a.assessed_at,
            valid_until: Some(a.valid_until),
        })
    }
}

impl crate::http::json::Writable for AssessmentChanges {
    const PATCH: &'static str = "AssessmentPatch";
}

/// The body of `PATCH /assessments/{id}`.
pub type AssessmentPatch = crate::http::json::MergePatch<AssessmentChanges>;

/// A verdict in a merge patch: either field may be sent alone, and the other keeps its value.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(rename_all = "camelCase", example = json!({"verdict": "DOES_NOT_MEET"}))]
pub struct JudgementPatch {
    #[schema(inline)]
    verdict: Option<Verdict>,
    #[schema(value_type = Option<crate::domain::LongText>)]
    rationale: Option<String>,
}

/// The resolved content of a draft, ready to store.
#[derive(Debug, Clone)]
pub struct Content {
    pub human_rights: JudgementInput,
    pub democracy: JudgementInput,
    pub rule_of_law: JudgementInput,
    pub indicators: Vec<Evidence>,
    pub assessed_at: NaiveDate,
    pub valid_until: NaiveDate,
}

/// One year after `assessed_at` (29 February gives 28 February).
pub fn default_valid_until(assessed_at: NaiveDate) -> NaiveDate {
    assessed_at
        .checked_add_months(Months::new(12))
        .unwrap_or(assessed_at)
}

/// The last instant (UTC) of `date` in Europe/Stockholm: "what had been published by the end of
/// that date" is `published_as_of(conn, subject, end_of_stockholm_day(date))`.
pub fn end_of_stockholm_day(date: NaiveDate) -> NaiveDateTime {
    let next = date
        .succ_opt()
        .unwrap_or(date)
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    // Stockholm's clocks change at 02:00/03:00, so midnight always exists exactly once.
    let start = chrono_tz::Europe::Stockholm
        .from_local_datetime(&next)
        .earliest()
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .unwrap_or(next);
    start - chrono::Duration::microseconds(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(h: Verdict, d: Verdict, r: Verdict) -> Verdicts {
        Verdicts {
            human_rights: h,
            democracy: d,
            rule_of_law: r,
        }
    }

    #[test]
    fn only_three_meets_meet_the_requirements() {
        use Verdict::*;
        assert_eq!(v(Meets, Meets, Meets).outcome(), Outcome::MeetsRequirements);
        assert!(v(Meets, Meets, Meets).failing_requirements().is_empty());
        let uncertain = v(Meets, Uncertain, Meets);
        assert_eq!(uncertain.outcome(), Outcome::DoesNotMeetRequirements);
        assert_eq!(uncertain.failing_requirements(), vec!["DEMOCRACY"]);
        assert_eq!(
            v(DoesNotMeet, Meets, Uncertain).failing_requirements(),
            vec!["HUMAN_RIGHTS", "RULE_OF_LAW"]
        );
    }

    #[test]
    fn validity_defaults_to_a_year_and_days_end_in_stockholm() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            default_valid_until(d),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
        // Winter: UTC+1, so 24 January ends at 22:59:59.999999 UTC.
        let end = end_of_stockholm_day(NaiveDate::from_ymd_opt(2026, 1, 24).unwrap());
        assert_eq!(end.to_string(), "2026-01-24 22:59:59.999999");
        // Summer: UTC+2.
        let end = end_of_stockholm_day(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(end.to_string(), "2026-07-01 21:59:59.999999");
    }
}

//! Follow-up reports for Kommunstyrelsen: what the register holds for a date or a date range
//! (active agreements by purpose, global goal, unit, country and type; sister cities; funding),
//! and what needs attention (agreements under review, assessments and exceptions that expire,
//! requests waiting for a decision). Counting is done here, in Rust, over data loaded once.

pub mod routes;
pub mod service;
pub mod store;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::agreements::ComplianceReason;
use crate::agreements::store::AgreementRecord;
use crate::assessments::{Outcome, end_of_stockholm_day};
use crate::domain::{Amount, Currency};
use crate::policy::activation::{AgreementType, FundingSource, Purpose};
use crate::policy::catalogue;

/// The period a report covers: one day, or every day from `from` to `to` (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    At(NaiveDate),
    Range { from: NaiveDate, to: NaiveDate },
}

impl Period {
    pub fn first_day(self) -> NaiveDate {
        match self {
            Period::At(d) => d,
            Period::Range { from, .. } => from,
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::At(d) => d,
            Period::Range { to, .. } => to,
        }
    }

    /// Whether an agreement counts as active in the period. For a date: activated by the end of
    /// it and not ended or cancelled by then. For a range: active at any moment of it.
    pub fn covers(self, row: &crate::agreements::store::AgreementRow) -> bool {
        let Some(activated) = row.activated_at else {
            return false;
        };
        let end = end_of_stockholm_day(self.last_day());
        if activated > end {
            return false;
        }
        let stopped: Option<NaiveDateTime> =
            [row.ended_at, row.cancelled_at].into_iter().flatten().min();
        // For a date the agreement must still be active at the end of it; for a range it is
        // enough that it stopped after the range began.
        let after = match self {
            Period::At(d) => end_of_stockholm_day(d),
            Period::Range { from, .. } => end_of_stockholm_day(from.pred_opt().unwrap_or(from)),
        };
        stopped.is_none_or(|s| s > after)
    }

    pub fn view(self) -> PeriodView {
        match self {
            Period::At(d) => PeriodView {
                kind: PeriodKind::Date,
                from: d,
                to: d,
            },
            Period::Range { from, to } => PeriodView {
                kind: PeriodKind::Range,
                from,
                to,
            },
        }
    }
}

/// Whether a report is for one day or a range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = ReportPeriodKind)]
pub enum PeriodKind {
    /// One day (`date`): `from` and `to` are that day.
    Date,
    /// Every day from `from` to `to`, inclusive.
    Range,
}

/// The period a report covers (Europe/Stockholm dates).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReportPeriod)]
pub struct PeriodView {
    #[serde(rename = "type")]
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// How many active agreements have one value of a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CountItem {
    /// The value: a purpose, a goal number, a unit code, a country code or an agreement type.
    pub key: String,
    /// Its Swedish name, where it has one.
    pub label: Option<String>,
    pub count: i64,
}

/// A partner that is a sister city (vänort) in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SisterCity {
    #[schema(format = Uuid)]
    pub partner_id: String,
    pub name: String,
    pub country_code: String,
    pub city: Option<String>,
    /// The earliest start date (or activation date) of its sister-city agreements in the period.
    pub since: Option<NaiveDate>,
    /// Its `SISTER_CITY` agreements active in the period.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub agreement_ids: Vec<String>,
}

/// The funding lines of one source in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceAmount {
    pub source: FundingSource,
    pub amount: Amount,
    /// How many funding lines were added up.
    pub lines: i64,
}

/// Funding in one currency. Amounts are never converted between currencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyFunding {
    pub currency: Currency,
    /// Every funding line in this currency.
    pub total: Amount,
    /// Lines whose source is not `OWN`.
    pub external: Amount,
    /// Lines whose source is `OWN`.
    pub own: Amount,
    /// `external / total` as a percentage with two decimals, rounded half up ("42.50" means
    /// 42.50 %); null when the total is zero.
    #[schema(example = "42.50", pattern = r"^[0-9]{1,3}\.[0-9]{2}$")]
    pub external_share_percent: Option<String>,
    /// By source, in the order EU, NATIONAL, REGIONAL, PRIVATE, OTHER, OWN; sources without
    /// lines are left out.
    pub by_source: Vec<SourceAmount>,
}

/// The summary report / Sammanställning för uppföljning.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "period": {"type": "DATE", "from": "2026-11-26", "to": "2026-11-26"}, "unitCode": null,
    "generatedAt": "2026-11-26T09:15:00Z", "activeAgreements": 2,
    "byPurpose": [{"key": "SISTER_CITIES", "label": "Developing the work with sister cities", "count": 1}],
    "bySdg": [{"key": "4", "label": "Quality education", "count": 2}],
    "byUnit": [{"key": "KFN", "label": "Kulturnämnden", "count": 2}],
    "byCountry": [{"key": "NO", "label": "Norge", "count": 1}, {"key": "FI", "label": "Finland", "count": 1}],
    "byType": [{"key": "SISTER_CITY", "label": null, "count": 1}],
    "sisterCities": [{"partnerId": "0192f5d2-0000-7000-8000-000000000001", "name": "Tammerfors (exempel)", "countryCode": "FI", "city": "Tampere", "since": "2025-01-01", "agreementIds": ["0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e"]}],
    "funding": [{"currency": "SEK", "total": "150000.00", "external": "100000.00", "own": "50000.00", "externalSharePercent": "66.67", "bySource": [{"source": "REGIONAL", "amount": "100000.00", "lines": 1}, {"source": "OWN", "amount": "50000.00", "lines": 1}]}]
}))]
pub struct SummaryReport {
    pub period: PeriodView,
    /// The unit filter: that unit and the units below it; null for the whole city.
    pub unit_code: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// Agreements active in the period.
    pub active_agreements: i64,
    /// Every purpose, also those with no agreement; an agreement counts once per purpose it
    /// names, so the counts may add up to more than `activeAgreements`.
    pub by_purpose: Vec<CountItem>,
    /// Goals 1–17, also those with no agreement; an agreement counts once per goal.
    pub by_sdg: Vec<CountItem>,
    /// The owning units that have agreements, by code.
    pub by_unit: Vec<CountItem>,
    /// The partners' countries (as the partners are registered now), by code; an agreement
    /// counts once per country among its partners.
    pub by_country: Vec<CountItem>,
    /// Every agreement type, also those with no agreement.
    pub by_type: Vec<CountItem>,
    /// Partners of active `SISTER_CITY` agreements in the period, by name.
    pub sister_cities: Vec<SisterCity>,
    /// The funding lines of the active agreements, per currency (code order), as registered for
    /// the whole agreement.
    pub funding: Vec<CurrencyFunding>,
}

/// An active agreement that needs review, with the reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewItem {
    #[schema(format = Uuid)]
    pub agreement_id: String,
    pub title: String,
    pub unit_code: String,
    pub case_number: Option<String>,
    pub reasons: Vec<ComplianceReason>,
}

/// An active agreement past its end date (nothing ends by itself).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverdueItem {
    #[schema(format = Uuid)]
    pub agreement_id: String,
    pub title: String,
    pub unit_code: String,
    pub case_number: Option<String>,
    pub end_date: NaiveDate,
    pub days_overdue: i64,
}

/// A published assessment in force that expires in the window, or has already expired and has
/// not been replaced.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringAssessment {
    #[schema(format = Uuid)]
    pub assessment_id: String,
    pub country_code: String,
    /// The partner assessed; null for a country's assessment.
    #[schema(format = Uuid)]
    pub partner_id: Option<String>,
    pub outcome: Outcome,
    pub valid_until: NaiveDate,
    /// Days from `asOf` to `validUntil`; negative once expired.
    pub days_left: i64,
    pub expired: bool,
    /// The active agreements with a partner that this assessment covers.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub agreement_ids: Vec<String>,
}

/// A granted exception whose `validUntil` falls in the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringException {
    #[schema(format = Uuid)]
    pub exception_id: String,
    #[schema(format = Uuid)]
    pub agreement_id: String,
    #[schema(format = Uuid)]
    pub partner_id: String,
    pub unit_code: String,
    pub case_number: String,
    pub valid_until: NaiveDate,
    /// Days from `asOf` to `validUntil`; negative once expired.
    pub days_left: i64,
    pub expired: bool,
}

/// An exception request waiting for Kommunstyrelsen's decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitingRequest {
    #[schema(format = Uuid)]
    pub exception_id: String,
    #[schema(format = Uuid)]
    pub agreement_id: String,
    #[schema(format = Uuid)]
    pub partner_id: String,
    pub unit_code: String,
    pub case_number: String,
    pub requested_at: DateTime<Utc>,
    /// Whole days from the request to `asOf`.
    pub days_waiting: i64,
}

/// The days whose expiries the compliance report lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The compliance report / Uppföljning av efterlevnad.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "period": {"type": "DATE", "from": "2026-11-26", "to": "2026-11-26"}, "asOf": "2026-11-26",
    "window": {"from": "2026-11-26", "to": "2027-02-24"}, "unitCode": null,
    "generatedAt": "2026-11-26T09:15:00Z",
    "underReview": [{"agreementId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "title": "Kunskapsutbyte (exempel)", "unitCode": "GSN", "caseNumber": "DEMO-2026-003", "reasons": [{"code": "FAILING_ASSESSMENT", "rule": "EXCEPTION_BY_KOMMUNSTYRELSEN", "partnerId": "0192f5d2-0000-7000-8000-000000000004", "detail": "The partner no longer meets: RULE_OF_LAW."}]}],
    "overdue": [],
    "expiringAssessments": [{"assessmentId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d71", "countryCode": "FI", "partnerId": null, "outcome": "MEETS_REQUIREMENTS", "validUntil": "2027-01-30", "daysLeft": 65, "expired": false, "agreementIds": ["0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6f"]}],
    "expiringExceptions": [{"exceptionId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d70", "agreementId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d72", "partnerId": "0192f5d2-0000-7000-8000-000000000005", "unitCode": "KFN", "caseNumber": "DEMO-2026-010", "validUntil": "2027-02-09", "daysLeft": 75, "expired": false}],
    "waitingRequests": [{"exceptionId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d73", "agreementId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d74", "partnerId": "0192f5d2-0000-7000-8000-000000000005", "unitCode": "KFN", "caseNumber": "DEMO-2026-011", "requestedAt": "2026-11-20T09:00:00Z", "daysWaiting": 6}]
}))]
pub struct ComplianceReport {
    pub period: PeriodView,
    /// The day the state is judged for: the date, or the last day of the range, as the register
    /// stood at the end of it.
    pub as_of: NaiveDate,
    /// Expiries listed: `asOf` to `asOf + expiresWithinDays` for a date, the range itself for a
    /// range. Assessments that expired earlier and are still in force are listed too.
    pub window: ExpiryWindow,
    /// The unit filter: that unit and the units below it; null for the whole city.
    pub unit_code: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// Active agreements judged `REVIEW_REQUIRED` on `asOf`, with the reasons.
    pub under_review: Vec<ReviewItem>,
    /// Active agreements whose end date is before `asOf`.
    pub overdue: Vec<OverdueItem>,
    pub expiring_assessments: Vec<ExpiringAssessment>,
    pub expiring_exceptions: Vec<ExpiringException>,
    /// Requests with status `REQUESTED` on `asOf`, oldest first.
    pub waiting_requests: Vec<WaitingRequest>,
}

/// What the summary needs to know of a partner, read straight from its row.
#[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::db::schema::partners)]
pub struct PartnerInfo {
    pub id: String,
    pub name: String,
    pub country_code: String,
    pub city: Option<String>,
}

impl crate::partners::store::PartnerView for PartnerInfo {
    fn partner_id(&self) -> &str {
        &self.id
    }
}

/// The order funding sources are listed in (external first, then the city's own money).
const SOURCES: [FundingSource; 6] = [
    FundingSource::Eu,
    FundingSource::National,
    FundingSource::Regional,
    FundingSource::Private,
    FundingSource::Other,
    FundingSource::Own,
];

/// An amount in hundredths, read from its exact decimal form.
fn hundredths(amount: Amount) -> i128 {
    let text = amount.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "0"));
    whole.parse::<i128>().unwrap_or(0) * 100 + fraction.parse::<i128>().unwrap_or(0)
}

/// `part / whole` as a percentage with two decimals, rounded half up; `None` for a zero whole.
pub fn share_percent(part: Amount, whole: Amount) -> Option<String> {
    let (p, w) = (hundredths(part), hundredths(whole));
    if w == 0 {
        return None;
    }
    let basis = (p * 10_000 * 2 + w) / (2 * w);
    Some(format!("{}.{:02}", basis / 100, basis % 100))
}

/// Totals the funding lines of `agreements` per currency, exactly.
pub fn funding(agreements: &[&AgreementRecord]) -> Vec<CurrencyFunding> {
    let mut by_currency: BTreeMap<Currency, HashMap<FundingSource, (Amount, i64)>> =
        BTreeMap::new();
    for record in agreements {
        for line in &record.fundings {
            let entry = by_currency
                .entry(line.currency.clone())
                .or_default()
                .entry(line.source)
                .or_insert((Amount::ZERO, 0));
            entry.0 = entry.0.checked_add(line.amount);
            entry.1 += 1;
        }
    }
    by_currency
        .into_iter()
        .map(|(currency, sources)| {
            let mut total = Amount::ZERO;
            let mut external = Amount::ZERO;
            let mut own = Amount::ZERO;
            let mut by_source = Vec::new();
            for source in SOURCES {
                let Some((amount, lines)) = sources.get(&source).copied() else {
                    continue;
                };
                total = total.checked_add(amount);
                if source.is_external() {
                    external = external.checked_add(amount);
                } else {
                    own = own.checked_add(amount);
                }
                by_source.push(SourceAmount {
                    source,
                    amount,
                    lines,
                });
            }
            CurrencyFunding {
                currency,
                total,
                external,
                own,
                external_share_percent: share_percent(external, total),
                by_source,
            }
        })
        .collect()
}

fn counted(
    counts: BTreeMap<String, i64>,
    label: impl Fn(&str) -> Option<String>,
) -> Vec<CountItem> {
    counts
        .into_iter()
        .map(|(key, count)| CountItem {
            label: label(&key),
            key,
            count,
        })
        .collect()
}

/// A catalogue label in the response's language.
fn in_language(en: &str, sv: &str) -> String {
    match crate::text::current() {
        crate::text::Lang::En => en.to_string(),
        crate::text::Lang::Sv => sv.to_string(),
    }
}

/// The names the summary labels its keys with.
#[derive(Debug, Default, Clone)]
pub struct Names {
    pub partners: HashMap<String, PartnerInfo>,
    /// Unit code to Swedish name.
    pub units: HashMap<String, String>,
    /// Country code to Swedish name.
    pub countries: HashMap<String, String>,
}

/// Counts the agreements active in the period (already chosen) by every dimension.
pub fn summarise(
    period: Period,
    unit_code: Option<String>,
    active: &[&AgreementRecord],
    names: &Names,
) -> SummaryReport {
    let purposes = catalogue::purposes();
    let by_purpose = Purpose::ALL
        .iter()
        .map(|p| CountItem {
            key: p.as_str().to_string(),
            label: purposes
                .iter()
                .find(|i| i.code == p.as_str())
                .map(|i| in_language(i.label_en, i.label_sv)),
            count: active.iter().filter(|a| a.purposes.contains(p)).count() as i64,
        })
        .collect();
    let by_sdg = catalogue::sdgs()
        .iter()
        .map(|goal| CountItem {
            key: goal.number.to_string(),
            label: Some(in_language(goal.label_en, goal.label_sv)),
            count: active
                .iter()
                .filter(|a| a.sdgs.contains(&goal.number))
                .count() as i64,
        })
        .collect();
    let by_type = AgreementType::ALL
        .iter()
        .map(|t| CountItem {
            key: t.as_str().to_string(),
            label: None,
            count: active.iter().filter(|a| a.agreement_type() == *t).count() as i64,
        })
        .collect();
    let mut units: BTreeMap<String, i64> = BTreeMap::new();
    let mut countries: BTreeMap<String, i64> = BTreeMap::new();
    let mut sister: BTreeMap<String, SisterCity> = BTreeMap::new();
    for record in active {
        *units.entry(record.row.unit_code.clone()).or_default() += 1;
        let distinct: BTreeSet<&str> = record
            .partner_ids
            .iter()
            .filter_map(|p| names.partners.get(p))
            .map(|p| p.country_code.as_str())
            .collect();
        for country in distinct {
            *countries.entry(country.to_string()).or_default() += 1;
        }
        if record.agreement_type() != AgreementType::SisterCity {
            continue;
        }
        let began = record
            .row
            .start_date
            .or(record.row.activated_at.map(|t| t.date()));
        for partner_id in &record.partner_ids {
            let Some(p) = names.partners.get(partner_id) else {
                continue;
            };
            let entry = sister.entry(p.id.clone()).or_insert_with(|| SisterCity {
                partner_id: p.id.clone(),
                name: p.name.clone(),
                country_code: p.country_code.clone(),
                city: p.city.clone(),
                since: None,
                agreement_ids: Vec::new(),
            });
            entry.since = match (entry.since, began) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            entry.agreement_ids.push(record.row.id.clone());
        }
    }
    let mut sister_cities: Vec<SisterCity> = sister.into_values().collect();
    sister_cities.sort_by(|a, b| a.name.cmp(&b.name).then(a.partner_id.cmp(&b.partner_id)));
    SummaryReport {
        period: period.view(),
        unit_code,
        generated_at: Utc::now(),
        active_agreements: active.len() as i64,
        by_purpose,
        by_sdg,
        by_unit: counted(units, |k| names.units.get(k).cloned()),
        by_country: counted(countries, |k| names.countries.get(k).cloned()),
        by_type,
        sister_cities,
        funding: funding(active),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreements::Funding;
    use crate::agreements::store::AgreementRow;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn record(id: &str, fundings: &[(&str, &str, &str)]) -> AgreementRecord {
        AgreementRecord {
            row: AgreementRow {
                id: id.into(),
                title: "T".into(),
                description: None,
                agreement_type: "SISTER_CITY".into(),
                unit_code: "KFN".into(),
                start_date: Some(day("2025-03-01")),
                end_date: None,
                case_number: None,
                external_funding_not_possible_reason: None,
                status: "ACTIVE".into(),
                warnings: "[]".into(),
                registered_retroactively: false,
                activated_at: Some(at("2026-05-10 12:00:00")),
                activated_by: None,
                ended_at: None,
                cancelled_at: None,
                created_by: "x".into(),
                version: 1,
                created_at: at("2026-05-01 08:00:00"),
                updated_at: at("2026-05-10 12:00:00"),
                end_reason: None,
                cancel_reason: None,
            },
            partner_ids: vec!["p1".into(), "p2".into()],
            purposes: vec![Purpose::SisterCities, Purpose::KnowledgeExchange],
            sdgs: vec![4, 11],
            fundings: fundings
                .iter()
                .map(|(source, amount, currency)| Funding {
                    source: serde_json::from_value(serde_json::json!(source)).unwrap(),
                    programme: None,
                    amount: Amount::parse(amount).unwrap(),
                    currency: Currency::parse(currency).unwrap(),
                })
                .collect(),
        }
    }

    #[test]
    fn funding_sums_are_exact_per_currency_and_the_external_share_is_rounded_half_up() {
        let a = record(
            "a",
            &[
                ("EU", "0.10", "SEK"),
                ("OWN", "0.20", "SEK"),
                ("EU", "100.00", "EUR"),
            ],
        );
        let b = record(
            "b",
            &[
                ("REGIONAL", "0.01", "SEK"),
                ("OWN", "999999999999999.99", "SEK"),
            ],
        );
        let totals = funding(&[&a, &b]);
        assert_eq!(totals.len(), 2);
        assert_eq!(totals[0].currency.as_str(), "EUR");
        assert_eq!(totals[0].external_share_percent.as_deref(), Some("100.00"));
        let sek = &totals[1];
        assert_eq!(sek.total.to_string(), "1000000000000000.30");
        assert_eq!(sek.external.to_string(), "0.11");
        assert_eq!(sek.own.to_string(), "1000000000000000.19");
        assert_eq!(sek.external_share_percent.as_deref(), Some("0.00"));
        let sources: Vec<_> = sek.by_source.iter().map(|s| (s.source, s.lines)).collect();
        assert_eq!(
            sources,
            vec![
                (FundingSource::Eu, 1),
                (FundingSource::Regional, 1),
                (FundingSource::Own, 2)
            ]
        );
        let p =
            |a: &str, b: &str| share_percent(Amount::parse(a).unwrap(), Amount::parse(b).unwrap());
        assert_eq!(p("1", "3").as_deref(), Some("33.33"));
        assert_eq!(p("2", "3").as_deref(), Some("66.67"));
        assert_eq!(p("1", "8").as_deref(), Some("12.50"));
        assert_eq!(p("0", "0"), None);
    }

    #[test]
    fn a_date_needs_the_agreement_active_at_its_end_and_a_range_at_any_moment() {
        let mut r = record("a", &[]).row;
        // Activated 2026-05-10 14:00 Stockholm, ended 2026-06-01 10:00 Stockholm (summer, UTC+2).
        r.ended_at = Some(at("2026-06-01 08:00:00"));
        assert!(!Period::At(day("2026-05-09")).covers(&r));
        assert!(Period::At(day("2026-05-10")).covers(&r));
        assert!(Period::At(day("2026-05-31")).covers(&r));
        assert!(!Period::At(day("2026-06-01")).covers(&r));
        let range = |f: &str, t: &str| Period::Range {
            from: day(f),
            to: day(t),
        };
        assert!(range("2026-06-01", "2026-06-30").covers(&r));
        assert!(!range("2026-06-02", "2026-06-30").covers(&r));
        assert!(range("2026-01-01", "2026-05-10").covers(&r));
        assert!(!range("2026-01-01", "2026-05-09").covers(&r));
        r.activated_at = None;
        assert!(!range("2000-01-01", "2100-01-01").covers(&r));
    }

    #[test]
    fn every_purpose_goal_and_type_is_counted_and_countries_once_per_agreement() {
        let a = record("a", &[]);
        let mut b = record("b", &[]);
        b.row.agreement_type = "PROJECT".into();
        b.row.unit_code = "SKOL".into();
        b.purposes = vec![Purpose::KnowledgeExchange];
        let mut names = Names::default();
        for (id, country) in [("p1", "NO"), ("p2", "NO")] {
            names.partners.insert(
                id.into(),
                PartnerInfo {
                    id: id.into(),
                    name: format!("Partner {id}"),
                    country_code: country.into(),
                    city: None,
                },
            );
        }
        names.units.insert("KFN".into(), "Kulturnämnden".into());
        let report = summarise(Period::At(day("2026-06-01")), None, &[&a, &b], &names);
        assert_eq!(report.active_agreements, 2);
        assert_eq!(report.by_purpose.len(), 7);
        let purpose = |k: &str| report.by_purpose.iter().find(|c| c.key == k).unwrap().count;
        assert_eq!(purpose("KNOWLEDGE_EXCHANGE"), 2);
        assert_eq!(purpose("SISTER_CITIES"), 1);
        assert_eq!(purpose("PROFILING"), 0);
        assert_eq!(report.by_sdg.len(), 17);
        assert_eq!(report.by_sdg[3].count, 2);
        assert_eq!(report.by_type.len(), 7);
        assert_eq!(
            report.by_country,
            vec![CountItem {
                key: "NO".into(),
                label: None,
                count: 2
            }]
        );
        assert_eq!(report.by_unit[0].label.as_deref(), Some("Kulturnämnden"));
        assert_eq!(report.by_unit[1].key, "SKOL");
        assert_eq!(report.sister_cities.len(), 2);
        assert_eq!(report.sister_cities[0].since, Some(day("2025-03-01")));
        assert_eq!(report.sister_cities[0].agreement_ids, vec!["a".to_string()]);
    }
}

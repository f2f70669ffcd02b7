//! Internationell policy (Kommunfullmäktige 2023-06-21) as data: its metadata, the three
//! requirements, the seven purposes, the global goals and the rule catalogue. Every refusal and
//! warning the service gives names a rule code from here.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

pub const TITLE: &str = "Internationell policy";
pub const ADOPTED_ON: (i32, u32, u32) = (2023, 6, 21);
pub const VALID_UNTIL: (i32, u32, u32) = (2027, 12, 31);

pub fn adopted_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(ADOPTED_ON.0, ADOPTED_ON.1, ADOPTED_ON.2).expect("valid date")
}

pub fn valid_until() -> NaiveDate {
    NaiveDate::from_ymd_opt(VALID_UNTIL.0, VALID_UNTIL.1, VALID_UNTIL.2).expect("valid date")
}

/// Whether the policy is in force on `date` or past its validity and due for revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Standing {
    /// Within its validity.
    InForce,
    /// Past 2027-12-31: the service keeps applying it and reports that Kommunstyrelsen should revise it.
    DueForRevision,
}

pub fn standing(on: NaiveDate) -> Standing {
    if on <= valid_until() {
        Standing::InForce
    } else {
        Standing::DueForRevision
    }
}

/// How a rule is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleLevel {
    /// Checked by the service; blocks.
    Requirement,
    /// Checked by the service; returned as a warning, never blocks.
    Recommendation,
    /// A sentence the service cannot check, listed so the catalogue covers the whole policy.
    Guidance,
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleBasis {
    /// The policy's own words.
    Policy,
    /// A rule the register adds so that the policy can be applied (its source is the sentence it serves).
    Register,
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Stable; refusals and warnings name it.
    pub code: &'static str,
    pub level: RuleLevel,
    pub basis: RuleBasis,
    /// The sentence of the policy the rule comes from, in Swedish.
    pub source_sv: &'static str,
    pub description_sv: &'static str,
    pub description_en: &'static str,
}

pub mod codes {
    pub const ASSESSMENT_REQUIRED: &str = "ASSESSMENT_REQUIRED";
    pub const HUMAN_RIGHTS: &str = "HUMAN_RIGHTS";
    pub const DEMOCRACY: &str = "DEMOCRACY";
    pub const RULE_OF_LAW: &str = "RULE_OF_LAW";
    pub const EXCEPTION_BY_KOMMUNSTYRELSEN: &str = "EXCEPTION_BY_KOMMUNSTYRELSEN";
    pub const PARTNER_REQUIRED: &str = "PARTNER_REQUIRED";
    pub const PURPOSE_REQUIRED: &str = "PURPOSE_REQUIRED";
    pub const START_DATE_REQUIRED: &str = "START_DATE_REQUIRED";
    pub const PROJECT_TYPE_HAS_PROJECT_PURPOSE: &str = "PROJECT_TYPE_HAS_PROJECT_PURPOSE";
    pub const PROJECT_SEVERAL_PARTIES: &str = "PROJECT_SEVERAL_PARTIES";
    pub const PROJECT_EXTERNAL_FUNDING: &str = "PROJECT_EXTERNAL_FUNDING";
    pub const SISTER_CITY_PARTNER: &str = "SISTER_CITY_PARTNER";
    pub const PARTNER_ASSESSMENT_STRICTER: &str = "PARTNER_ASSESSMENT_STRICTER";
    pub const ASSESSMENT_FOUR_EYES: &str = "ASSESSMENT_FOUR_EYES";
    pub const EXCEPTION_DECIDED_BY_OTHER: &str = "EXCEPTION_DECIDED_BY_OTHER";
    pub const SCOPE_COMMITTEES_AND_ADMINISTRATIONS: &str = "SCOPE_COMMITTEES_AND_ADMINISTRATIONS";
    pub const POLICY_VALIDITY: &str = "POLICY_VALIDITY";
    pub const GLOBAL_GOALS: &str = "GLOBAL_GOALS";
    pub const INTERNATIONAL_WORK_IN_ALL_OPERATIONS: &str = "INTERNATIONAL_WORK_IN_ALL_OPERATIONS";
    pub const COMPETITIVE_AND_SUSTAINABLE_BORAS: &str = "COMPETITIVE_AND_SUSTAINABLE_BORAS";
    pub const DEVELOPMENT_CRITERIA: &str = "DEVELOPMENT_CRITERIA";
    pub const VALUES_PERMEATE_ASSIGNMENTS: &str = "VALUES_PERMEATE_ASSIGNMENTS";
}

const PRECONDITION: &str = "En förutsättning för Borås Stads deltagande i internationella samarbeten är att landet/staden som samarbetet ingås med respekterar mänskliga rättigheter, är en demokrati och upprätthåller rättsstatens principer.";
const EXCEPTION: &str = "Om en verksamhet vill ingå ett samarbete med en part som inte uppfyller kraven ska beslut om undantag fattas av Kommunstyrelsen.";
const PURPOSES: &str = "Internationella samarbeten ska bidra till följande:";
const PROJECT: &str = "Projektsamverkan, där en förutsättning är att flera parter medverkar.";

pub fn rules() -> Vec<Rule> {
    use RuleBasis::*;
    use RuleLevel::*;
    use codes::*;
    let rule = |code, level, basis, source_sv, description_sv, description_en| Rule {
        code,
        level,
        basis,
        source_sv,
        description_sv,
        description_en,
    };
    vec![
        rule(
            ASSESSMENT_REQUIRED,
            Requirement,
            Register,
            PRECONDITION,
            "Landet (och staden eller regionen, där den har en egen bedömning) ska ha en publicerad bedömning som gäller på dagen. Ett undantag ersätter aldrig en bedömning.",
            "The country (and the city or region, where it has an assessment of its own) must have a published assessment valid on the day. An exception never replaces an assessment.",
        ),
        rule(
            HUMAN_RIGHTS,
            Requirement,
            Policy,
            PRECONDITION,
            "Landet/staden respekterar mänskliga rättigheter.",
            "The country/city respects human rights.",
        ),
        rule(
            DEMOCRACY,
            Requirement,
            Policy,
            PRECONDITION,
            "Landet/staden är en demokrati.",
            "The country/city is a democracy.",
        ),
        rule(
            RULE_OF_LAW,
            Requirement,
            Policy,
            PRECONDITION,
            "Landet/staden upprätthåller rättsstatens principer.",
            "The country/city upholds the rule of law.",
        ),
        rule(
            EXCEPTION_BY_KOMMUNSTYRELSEN,
            Requirement,
            Policy,
            EXCEPTION,
            "Ett samarbete med en part som inte uppfyller kraven kräver ett beviljat undantag från Kommunstyrelsen för just det samarbetet och den parten, i kraft på dagen.",
            "A collaboration with a party that does not meet the requirements needs an exception granted by Kommunstyrelsen for that collaboration and party, in force on the day.",
        ),
        rule(
            PARTNER_REQUIRED,
            Requirement,
            Register,
            PRECONDITION,
            "Ett samarbete har minst en part.",
            "A collaboration has at least one partner.",
        ),
        rule(
            PURPOSE_REQUIRED,
            Requirement,
            Policy,
            PURPOSES,
            "Ett samarbete bidrar till minst ett av policyns sju syften.",
            "A collaboration contributes to at least one of the policy's seven purposes.",
        ),
        rule(
            START_DATE_REQUIRED,
            Requirement,
            Register,
            PRECONDITION,
            "Ett samarbete som aktiveras har ett startdatum, så att kraven kan prövas för rätt dag.",
            "A collaboration that is activated has a start date, so that the requirements can be checked for the right day.",
        ),
        rule(
            PROJECT_TYPE_HAS_PROJECT_PURPOSE,
            Requirement,
            Register,
            PROJECT,
            "Ett samarbete av typen PROJECT har syftet PROJECT_COLLABORATION.",
            "A collaboration of type PROJECT has the purpose PROJECT_COLLABORATION.",
        ),
        rule(
            PROJECT_SEVERAL_PARTIES,
            Requirement,
            Policy,
            PROJECT,
            "Projektsamverkan har minst två parter utöver Borås Stad.",
            "A project collaboration has at least two partners besides the city.",
        ),
        rule(
            PROJECT_EXTERNAL_FUNDING,
            Recommendation,
            Policy,
            "Det bör även finnas extern finansiering där så är möjligt, exempelvis genom EU-medel.",
            "Projektsamverkan bör ha extern finansiering, eller ett skäl till att det inte är möjligt.",
            "A project collaboration should have external funding, or a reason why that is not possible.",
        ),
        rule(
            SISTER_CITY_PARTNER,
            Recommendation,
            Policy,
            "Utveckling av arbetet med Borås Stads vänorter.",
            "Ett samarbete med syftet SISTER_CITIES bör ha en vänort som part.",
            "A collaboration with the purpose SISTER_CITIES should have a sister city as a partner.",
        ),
        rule(
            PARTNER_ASSESSMENT_STRICTER,
            Requirement,
            Register,
            PRECONDITION,
            "En stad eller region med en egen bedömning måste uppfylla kraven både själv och genom sitt land.",
            "A city or region with an assessment of its own must meet the requirements both itself and through its country.",
        ),
        rule(
            ASSESSMENT_FOUR_EYES,
            Requirement,
            Register,
            PRECONDITION,
            "Den som har utarbetat en bedömning kan inte publicera den (fyra ögon).",
            "Whoever drafted an assessment cannot publish it (four eyes).",
        ),
        rule(
            EXCEPTION_DECIDED_BY_OTHER,
            Requirement,
            Register,
            EXCEPTION,
            "Ingen registrerar beslut om en begäran om undantag som hon eller han själv har lämnat.",
            "Nobody records the decision on an exception request they filed themselves.",
        ),
        rule(
            SCOPE_COMMITTEES_AND_ADMINISTRATIONS,
            Guidance,
            Policy,
            "Dokumentet gäller för: Alla nämnder och förvaltningar",
            "Policyn binder nämnder och förvaltningar. För samarbeten som ägs av kommunala bolag lämnas regelbrott som varningar.",
            "The policy binds committees and administrations. For collaborations owned by municipal companies, rule failures are returned as warnings.",
        ),
        rule(
            POLICY_VALIDITY,
            Guidance,
            Policy,
            "Dokumentet gäller till och med: 2027",
            "Policyn gäller till och med 2027-12-31; därefter tillämpas den och rapporteras som mogen för revidering.",
            "The policy is valid through 2027-12-31; after that it is still applied and reported as due for revision.",
        ),
        rule(
            GLOBAL_GOALS,
            Guidance,
            Policy,
            "Detta styrdokument bidrar till följande globala mål.",
            "Policyn bidrar till globala målen 1–9 och 11–13; ett samarbete kan ange vilka av de 17 målen det bidrar till.",
            "The policy contributes to global goals 1–9 and 11–13; a collaboration may name which of the 17 goals it contributes to.",
        ),
        rule(
            INTERNATIONAL_WORK_IN_ALL_OPERATIONS,
            Guidance,
            Policy,
            "I Borås Stad ska det internationella arbetet vara en naturlig del i alla verksamheter och användas som ett verktyg för hållbar utveckling och förbättring.",
            "Det internationella arbetet är en naturlig del av alla verksamheter.",
            "International work is a natural part of every operation.",
        ),
        rule(
            COMPETITIVE_AND_SUSTAINABLE_BORAS,
            Guidance,
            Policy,
            "Det internationella arbetet ska bidra till ett konkurrenskraftigt, attraktivt Borås och till en hållbar tillväxt för kommunen, näringslivet och medborgarna.",
            "Det internationella arbetet bidrar till ett konkurrenskraftigt och attraktivt Borås och hållbar tillväxt.",
            "International work contributes to a competitive, attractive Borås and sustainable growth.",
        ),
        rule(
            DEVELOPMENT_CRITERIA,
            Guidance,
            Policy,
            "Insatserna ska bedömas efter samma kriterier som gäller för övriga utvecklingsfrågor och utvecklingsprojekt.",
            "Internationella utvecklingsinsatser bedöms som andra utvecklingsprojekt.",
            "International development efforts are judged like other development projects.",
        ),
        rule(
            VALUES_PERMEATE_ASSIGNMENTS,
            Guidance,
            Policy,
            "Mänskliga rättigheter, demokrati och rättsstatens principer ska genomsyra de internationella uppdrag som Borås Stad deltar i.",
            "Mänskliga rättigheter, demokrati och rättsstatens principer genomsyrar de internationella uppdragen.",
            "Human rights, democracy and the rule of law permeate the city's international assignments.",
        ),
    ]
}

/// One of the three requirements of the precondition.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// `HUMAN_RIGHTS`, `DEMOCRACY` or `RULE_OF_LAW`; also the rule code of its failure.
    pub code: &'static str,
    /// The assessment field that holds the verdict.
    pub field: &'static str,
    pub label_sv: &'static str,
    pub label_en: &'static str,
}

pub fn requirements() -> Vec<Requirement> {
    vec![
        Requirement {
            code: codes::HUMAN_RIGHTS,
            field: "humanRights",
            label_sv: "respekterar mänskliga rättigheter",
            label_en: "respects human rights",
        },
        Requirement {
            code: codes::DEMOCRACY,
            field: "democracy",
            label_sv: "är en demokrati",
            label_en: "is a democracy",
        },
        Requirement {
            code: codes::RULE_OF_LAW,
            field: "ruleOfLaw",
            label_sv: "upprätthåller rättsstatens principer",
            label_en: "upholds the rule of law",
        },
    ]
}

/// One of the seven purposes a collaboration must serve.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PurposeInfo {
    pub code: &'static str,
    pub label_sv: &'static str,
    pub label_en: &'static str,
    /// The policy's bullet, in Swedish.
    pub source_sv: &'static str,
}

pub fn purposes() -> Vec<PurposeInfo> {
    let p = |code, label_sv, label_en, source_sv| PurposeInfo {
        code,
        label_sv,
        label_en,
        source_sv,
    };
    vec![
        p(
            "OPERATIONAL_DEVELOPMENT",
            "Verksamhetsutveckling",
            "Operational development",
            "Verksamhetsutveckling, som i en internationell kontext ska betraktas som ett instrument för verksamhetsutveckling.",
        ),
        p(
            "PROJECT_COLLABORATION",
            "Projektsamverkan",
            "Project collaboration",
            "Projektsamverkan, där en förutsättning är att flera parter medverkar. Det bör även finnas extern finansiering där så är möjligt, exempelvis genom EU-medel.",
        ),
        p(
            "KNOWLEDGE_EXCHANGE",
            "Kunskapsutbyten",
            "Knowledge exchange",
            "Kunskapsutbyten, vilket innebär ett aktivt sökande efter kunskap för utveckling som stärker Borås Stad.",
        ),
        p(
            "PROFILING",
            "Profilering",
            "Profiling",
            "Profilering, som visar vad Borås Stad står för och vilka möjligheter som finns för exempelvis utbildning, etablering, tillväxt, kunskap och ett gott liv i vårt geografiska område.",
        ),
        p(
            "SOCIETAL_IMPACT",
            "Omvärldspåverkan",
            "Societal impact",
            "Omvärldspåverkan, det vill säga att Borås Stads verksamhet ska bidra till samhällsutveckling och sociala investeringar samt verka för ekologisk, social och ekonomisk hållbar utveckling.",
        ),
        p(
            "DEMOCRATIC_VALUES",
            "Demokratiska värderingar",
            "Democratic values",
            "Demokratiska värderingar, bland annat åtgärder för att stärka och värna individens möjligheter till inflytande samt åtgärder för att främja och säkerställa respekten för de mänskliga rättigheterna.",
        ),
        p(
            "SISTER_CITIES",
            "Utveckling av arbetet med vänorter",
            "Developing the work with sister cities",
            "Utveckling av arbetet med Borås Stads vänorter.",
        ),
    ]
}

/// One of the UN's 17 global goals.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sdg {
    pub number: u8,
    pub label_sv: &'static str,
    pub label_en: &'static str,
    /// Whether the policy names it among the goals it contributes to (1–9 and 11–13).
    pub named_in_policy: bool,
}

pub fn sdgs() -> Vec<Sdg> {
    const GOALS: [(&str, &str); 17] = [
        ("Ingen fattigdom", "No poverty"),
        ("Ingen hunger", "Zero hunger"),
        ("God hälsa och välbefinnande", "Good health and well-being"),
        ("God utbildning för alla", "Quality education"),
        ("Jämställdhet", "Gender equality"),
        (
            "Rent vatten och sanitet för alla",
            "Clean water and sanitation",
        ),
        ("Hållbar energi för alla", "Affordable and clean energy"),
        (
            "Anständiga arbetsvillkor och ekonomisk tillväxt",
            "Decent work and economic growth",
        ),
        (
            "Hållbar industri, innovationer och infrastruktur",
            "Industry, innovation and infrastructure",
        ),
        ("Minskad ojämlikhet", "Reduced inequalities"),
        (
            "Hållbara städer och samhällen",
            "Sustainable cities and communities",
        ),
        (
            "Hållbar konsumtion och produktion",
            "Responsible consumption and production",
        ),
        ("Bekämpa klimatförändringarna", "Climate action"),
        ("Hav och marina resurser", "Life below water"),
        ("Ekosystem och biologisk mångfald", "Life on land"),
        (
            "Fredliga och inkluderande samhällen",
            "Peace, justice and strong institutions",
        ),
        (
            "Genomförande och globalt partnerskap",
            "Partnerships for the goals",
        ),
    ];
    GOALS
        .iter()
        .enumerate()
        .map(|(i, (sv, en))| {
            let number = (i + 1) as u8;
            Sdg {
                number,
                label_sv: sv,
                label_en: en,
                named_in_policy: matches!(number, 1..=9 | 11..=13),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_text_catalogue_has_words_for_the_requirement_codes() {
        use crate::text::Code;
        assert_eq!(Code::of(codes::HUMAN_RIGHTS), Code::HumanRights);
        assert_eq!(Code::of(codes::DEMOCRACY), Code::Democracy);
        assert_eq!(Code::of(codes::RULE_OF_LAW), Code::RuleOfLaw);
        assert_eq!(
            Code::of(codes::ASSESSMENT_REQUIRED),
            Code::AssessmentRequired
        );
    }

    #[test]
    fn rule_codes_are_unique_and_every_rule_cites_the_policy() {
        let policy = include_str!("../../docs/internationell-policy.txt")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let rules = rules();
        let codes: HashSet<_> = rules.iter().map(|r| r.code).collect();
        assert_eq!(codes.len(), rules.len());
        for rule in &rules {
            let source = rule.source_sv.trim_end_matches('.');
            assert!(
                policy.contains(source),
                "{} cites a sentence not in the policy: {}",
                rule.code,
                rule.source_sv
            );
        }
    }

    #[test]
    fn the_policy_names_goals_1_to_9_and_11_to_13() {
        let named: Vec<u8> = sdgs()
            .iter()
            .filter(|s| s.named_in_policy)
            .map(|s| s.number)
            .collect();
        assert_eq!(named, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13]);
    }

    #[test]
    fn the_policy_is_due_for_revision_after_2027() {
        assert_eq!(
            standing(NaiveDate::from_ymd_opt(2027, 12, 31).unwrap()),
            Standing::InForce
        );
        assert_eq!(
            standing(NaiveDate::from_ymd_opt(2028, 1, 1).unwrap()),
            Standing::DueForRevision
        );
    }

    #[test]
    fn there_are_seven_purposes_and_three_requirements() {
        assert_eq!(purposes().len(), 7);
        assert_eq!(requirements().len(), 3);
    }
}

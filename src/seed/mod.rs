//! `samverkan seed --demo`: an illustrative register for an empty database, so that a newcomer sees
//! every feature in /docs at once. Everything is written through the services (or the store
//! functions and events) the API writes with, in one transaction, and is labelled as illustrative:
//! partner names and titles end in "(exempel)", texts say "Illustrativ demodata", case numbers
//! begin with "DEMO-". The units are Borås Stad's real structure; nothing else is real.

mod store;

use chrono::{Days, NaiveDate};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub use store::holds_data;

use crate::agreements::service::Closing;
use crate::agreements::store::{self as agreements, AgreementRecord};
use crate::agreements::{AgreementInput, AgreementStatus};
use crate::assessments::{Assessment, Content, JudgementInput, Subject};
use crate::contacts::NewContact;
use crate::db::AnyConnection;
use crate::domain::LongText;
use crate::exceptions::store as exceptions;
use crate::exceptions::{DecisionInput, Exception, ExceptionRequest};
use crate::http::problem::ApiError;
use crate::partners::NewPartner;
use crate::units::NewUnit;

/// Who the demo data is written by.
pub const ACTOR: &str = "demo-seed";
/// Publishes the assessments `ACTOR` drafted (four eyes).
pub const REVIEWER: &str = "demo-seed-reviewer";
/// Records the decisions on the requests `ACTOR` filed.
pub const SECRETARY: &str = "demo-seed-board-secretary";
/// The label on every text of the demo data.
pub const NOTICE: &str = "Illustrativ demodata — inte verkliga beslut eller bedömningar.";

/// How much the demo seed wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    pub units: usize,
    pub partners: usize,
    pub contacts: usize,
    pub assessments: usize,
    pub agreements: usize,
    pub exceptions: usize,
}

/// Parses demo input exactly as the API parses a request body.
fn parse<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::internal(format!("demo data: {e}")))
}

/// A demo text, valid by construction.
fn long_text(text: &str) -> LongText {
    LongText::parse(text).expect("the demo's texts are valid")
}

fn day(today: NaiveDate, offset: i64) -> NaiveDate {
    let moved = if offset >= 0 {
        today.checked_add_days(Days::new(offset as u64))
    } else {
        today.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    moved.unwrap_or(today)
}

struct Seeder<'c> {
    conn: &'c mut AnyConnection,
    today: NaiveDate,
    case: u32,
    seeded: Seeded,
}

impl Seeder<'_> {
    fn case_number(&mut self) -> String {
        self.case += 1;
        format!("DEMO-{}-{:03}", self.today.format("%Y"), self.case)
    }

    fn unit(
        &mut self,
        code: &str,
        name: &str,
        name_en: &str,
        kind: &str,
        parent: Option<&str>,
    ) -> Result<(), ApiError> {
        let new: NewUnit = parse(json!({
            "code": code, "name": name, "nameEn": name_en, "type": kind, "parentCode": parent
        }))?;
        crate::units::service::create(self.conn, ACTOR, &new)?;
        self.seeded.units += 1;
        Ok(())
    }

    fn partner(&mut self, body: Value) -> Result<String, ApiError> {
        let new: NewPartner = parse(body)?;
        let partner = crate::partners::service::create(self.conn, ACTOR, &new)?;
        self.seeded.partners += 1;
        Ok(partner.id)
    }

    fn contact(&mut self, partner_id: &str, body: Value) -> Result<(), ApiError> {
        let new: NewContact = parse(body)?;
        crate::contacts::service::create(self.conn, ACTOR, partner_id, &new)?;
        self.seeded.contacts += 1;
        Ok(())
    }

    /// Drafts an assessment as `ACTOR` and publishes it as `REVIEWER`, superseding the subject's
    /// earlier one, as `POST /assessments` and `…/publish` do.
    fn assessment(
        &mut self,
        subject: Subject,
        country: &str,
        verdicts: [(&str, &str); 3],
        assessed_offset: i64,
        valid_offset: i64,
    ) -> Result<Assessment, ApiError> {
        let judgement = |(verdict, rationale): (&str, &str)| -> Result<JudgementInput, ApiError> {
            parse(json!({"verdict": verdict, "rationale": format!("{rationale} {NOTICE}")}))
        };
        let content = Content {
            human_rights: judgement(verdicts[0])?,
            democracy: judgement(verdicts[1])?,
            rule_of_law: judgement(verdicts[2])?,
            indicators: Vec::new(),
            assessed_at: day(self.today, assessed_offset),
            valid_until: day(self.today, valid_offset),
        };
        let draft =
            crate::assessments::service::draft(self.conn, ACTOR, &subject, country, &content)?;
        let published =
            crate::assessments::service::publish(self.conn, REVIEWER, &draft, self.today)?;
        self.seeded.assessments += 1;
        Ok(published)
    }

    fn find(&mut self, id: &str) -> Result<AgreementRecord, ApiError> {
        agreements::find(self.conn, id)?.ok_or_else(|| ApiError::internal("agreement vanished"))
    }

    /// Registers a draft agreement; the title gets "(exempel)" and the description the notice.
    fn agreement(&mut self, mut body: Value) -> Result<String, ApiError> {
        let title = format!(
            "{} (exempel)",
            body["title"].as_str().unwrap_or("Samarbete")
        );
        let description = format!(
            "{} {NOTICE}",
            body["description"].as_str().unwrap_or_default()
        );
        body["title"] = json!(title);
        body["description"] = json!(description.trim());
        body["caseNumber"] = json!(self.case_number());
        let input: AgreementInput = parse(body)?;
        let id =
            crate::agreements::service::register(self.conn, ACTOR, &input, None, self.today)?.id;
        self.seeded.agreements += 1;
        Ok(id)
    }

    /// Moves an agreement on, checking activation as `POST …/activate` does.
    fn act(&mut self, id: &str, next: AgreementStatus) -> Result<(), ApiError> {
        self.close(id, next, Default::default())
    }

    /// Ends or cancels an agreement with what `POST …/end` or `…/cancel` records.
    fn close(
        &mut self,
        id: &str,
        next: AgreementStatus,
        closing: crate::agreements::service::Closing,
    ) -> Result<(), ApiError> {
        let record = self.find(id)?;
        crate::agreements::service::transition(
            self.conn, ACTOR, &record, next, &closing, self.today,
        )
        .map_err(|e| {
            ApiError::internal(format!(
                "demo agreement '{}' cannot become {}: {e}",
                record.row.title,
                next.as_str()
            ))
        })?;
        Ok(())
    }

    fn request_exception(
        &mut self,
        agreement_id: &str,
        partner_id: &str,
        justification: &str,
    ) -> Result<Exception, ApiError> {
        let request: ExceptionRequest = parse(json!({
            "agreementId": agreement_id, "partnerId": partner_id,
            "justification": format!("{justification} {NOTICE}"),
            "caseNumber": self.case_number(),
        }))?;
        let exception =
            crate::exceptions::service::request(self.conn, ACTOR, None, &request, |_, _| Ok(()))?;
        self.seeded.exceptions += 1;
        Ok(exception)
    }

    fn grant(&mut self, exception: &Exception, from: i64, until: i64) -> Result<(), ApiError> {
        let decision: DecisionInput = parse(json!({
            "decision": "GRANTED", "decidingBody": "KOMMUNSTYRELSEN",
            "decidedAt": day(self.today, from), "protocolParagraph": "§ 0 (exempel)",
            "conditions": format!("Återrapportering till Kommunstyrelsen efter halva tiden. {NOTICE}"),
            "validFrom": day(self.today, from), "validUntil": day(self.today, until),
        }))?;
        let row = exceptions::find_row(self.conn, &exception.id)?
            .ok_or_else(|| ApiError::internal("exception vanished"))?;
        crate::exceptions::service::decide(self.conn, SECRETARY, &row, &decision)?;

        Ok(())
    }
}

const MEETS_ALL: [(&str, &str); 3] = [
    (
        "MEETS",
        "Påhittad bedömning: respekterar mänskliga rättigheter.",
    ),
    ("MEETS", "Påhittad bedömning: fria och rättvisa val."),
    ("MEETS", "Påhittad bedömning: oberoende domstolar."),
];

/// Fills an empty register with the demo data; refused when it holds any unit, partner,
/// agreement or assessment. Runs inside the caller's transaction.
pub fn demo(conn: &mut AnyConnection, today: NaiveDate) -> Result<Seeded, ApiError> {
    if holds_data(conn)? {
        return Err(ApiError::conflict(
            crate::text::Text::SeedNeedsEmptyDatabase.msg(),
        ));
    }
    let mut s = Seeder {
        conn,
        today,
        case: 0,
        seeded: Seeded::default(),
    };

    // Borås Stad's units (the real structure, in part).
    s.unit("KF", "Kommunfullmäktige", "City Council", "COUNCIL", None)?;
    s.unit(
        "KS",
        "Kommunstyrelsen",
        "Municipal Executive Board",
        "EXECUTIVE_BOARD",
        Some("KF"),
    )?;
    s.unit(
        "SLK",
        "Stadsledningskansliet",
        "City Executive Office",
        "ADMINISTRATION",
        Some("KS"),
    )?;
    s.unit(
        "KFN",
        "Kulturnämnden",
        "Culture Committee",
        "COMMITTEE",
        Some("KF"),
    )?;
    s.unit(
        "KUF",
        "Kulturförvaltningen",
        "Culture Administration",
        "ADMINISTRATION",
        Some("KFN"),
    )?;
    s.unit(
        "FSN",
        "Förskolenämnden",
        "Preschool Committee",
        "COMMITTEE",
        Some("KF"),
    )?;
    s.unit(
        "GSN",
        "Grundskolenämnden",
        "Compulsory School Committee",
        "COMMITTEE",
        Some("KF"),
    )?;
    s.unit(
        "MKN",
        "Miljö- och konsumentnämnden",
        "Environment and Consumer Committee",
        "COMMITTEE",
        Some("KF"),
    )?;
    s.unit(
        "BEM",
        "Borås Energi och Miljö AB",
        "Borås Energy and Environment",
        "COMPANY",
        None,
    )?;

    // Partners: Nordic cities by name only, and invented organisations.
    let drammen = s.partner(json!({"name": "Drammen kommune (exempel)", "kind": "CITY", "countryCode": "NO", "city": "Drammen", "website": "https://www.example.org/drammen"}))?;
    let tampere = s.partner(json!({"name": "Tammerfors stad (exempel)", "kind": "CITY", "countryCode": "FI", "city": "Tampere", "website": "https://www.example.org/tampere"}))?;
    let herning = s.partner(json!({"name": "Herning Kommune (exempel)", "kind": "CITY", "countryCode": "DK", "city": "Herning"}))?;
    let nordurbaer = s.partner(json!({"name": "Norðurbær (påhittad stad, exempel)", "kind": "CITY", "countryCode": "IS", "city": "Norðurbær"}))?;
    let network = s.partner(json!({"name": "Nordiskt energinätverk (exempel)", "kind": "NETWORK", "countryCode": "DK", "externalIds": {"euPic": "999999999"}}))?;
    let institute = s.partner(json!({"name": "Textilinstitutet i Dhaka (påhittat, exempel)", "kind": "UNIVERSITY", "countryCode": "BD", "city": "Dhaka"}))?;

    let retention = day(today, 730);
    s.contact(&drammen, json!({"name": "Kari Exempel", "role": "Internasjonal koordinator (exempel)", "email": "kari.exempel@example.org", "phone": "+47 00 00 00 00", "retentionUntil": retention}))?;
    s.contact(&tampere, json!({"name": "Matti Esimerkki", "role": "Kansainväliset asiat (exempel)", "email": "matti.esimerkki@example.org", "retentionUntil": retention}))?;
    s.contact(&institute, json!({"name": "Demo Kontakt", "role": "Programansvarig (exempel)", "email": "demo.kontakt@example.org", "retentionUntil": day(today, 365)}))?;

    // Invented assessments, drafted by one coordinator and published by another.
    let country = |code: &str| Subject::Country(code.to_string());
    s.assessment(country("NO"), "NO", MEETS_ALL, -400, 30)?;
    s.assessment(country("NO"), "NO", MEETS_ALL, -20, 345)?;
    s.assessment(country("FI"), "FI", MEETS_ALL, -300, 60)?;
    s.assessment(country("DK"), "DK", MEETS_ALL, -60, 305)?;
    s.assessment(country("IS"), "IS", MEETS_ALL, -90, 275)?;
    s.assessment(
        country("BD"),
        "BD",
        [
            ("MEETS", "Påhittad bedömning för demonstrationen."),
            (
                "UNCERTAIN",
                "Påhittad bedömning: underlaget i demodatan räcker inte för ett ställningstagande.",
            ),
            ("MEETS", "Påhittad bedömning för demonstrationen."),
        ],
        -45,
        320,
    )?;

    // Agreements in every status.
    let sister_drammen = s.agreement(json!({
        "title": "Vänortssamarbete Borås–Drammen", "type": "SISTER_CITY", "unitCode": "KS",
        "partnerIds": [drammen], "purposes": ["SISTER_CITIES", "KNOWLEDGE_EXCHANGE"], "sdgs": [4, 11],
        "fundings": [{"source": "OWN", "amount": "50000.00", "currency": "SEK"}],
        "startDate": day(today, -400), "endDate": day(today, 700),
        "description": "Vänortsutbyte inom skola, kultur och stadsutveckling.",
    }))?;
    let sister_tampere = s.agreement(json!({
        "title": "Vänortssamarbete Borås–Tammerfors", "type": "SISTER_CITY", "unitCode": "KS",
        "partnerIds": [tampere], "purposes": ["SISTER_CITIES", "PROFILING"], "sdgs": [11, 17],
        "fundings": [{"source": "OWN", "amount": "40000.00", "currency": "SEK"}],
        "startDate": day(today, -30), "endDate": day(today, 1000),
    }))?;
    let project = s.agreement(json!({
        "title": "Cirkulär textil i Norden", "type": "PROJECT", "unitCode": "MKN",
        "partnerIds": [herning, tampere], "purposes": ["PROJECT_COLLABORATION", "SOCIETAL_IMPACT"],
        "sdgs": [9, 12, 13],
        "fundings": [
            {"source": "EU", "programme": "Interreg (exempel)", "amount": "250000.00", "currency": "EUR"},
            {"source": "REGIONAL", "amount": "100000.00", "currency": "SEK"},
            {"source": "OWN", "amount": "400000.00", "currency": "SEK"}],
        "startDate": day(today, -10), "endDate": day(today, 900),
        "description": "Projekt om återbruk av textil med två nordiska parter.",
    }))?;
    let reviewed = s.agreement(json!({
        "title": "Kunskapsutbyte om demokrati i skolan", "type": "KNOWLEDGE_EXCHANGE", "unitCode": "GSN",
        "partnerIds": [nordurbaer], "purposes": ["KNOWLEDGE_EXCHANGE", "DEMOCRATIC_VALUES"], "sdgs": [4, 16],
        "startDate": day(today, -5), "endDate": day(today, 400),
    }))?;
    let by_exception = s.agreement(json!({
        "title": "Textilmuseet: kunskapsutbyte om hållbar textil", "type": "KNOWLEDGE_EXCHANGE",
        "unitCode": "KFN", "partnerIds": [institute], "purposes": ["KNOWLEDGE_EXCHANGE"], "sdgs": [8, 12],
        "fundings": [{"source": "NATIONAL", "programme": "Statligt bidrag (exempel)", "amount": "75000.00", "currency": "SEK"}],
        "startDate": day(today, -1), "endDate": day(today, 300),
    }))?;
    let company = s.agreement(json!({
        "title": "Medlemskap i nordiskt energinätverk", "type": "NETWORK_MEMBERSHIP", "unitCode": "BEM",
        "partnerIds": [network], "purposes": ["OPERATIONAL_DEVELOPMENT"], "sdgs": [7],
        "fundings": [{"source": "OWN", "amount": "12000.00", "currency": "SEK"}],
        "startDate": day(today, -200),
    }))?;
    let ended = s.agreement(json!({
        "title": "Förskoleutbyte med Herning", "type": "KNOWLEDGE_EXCHANGE", "unitCode": "FSN",
        "partnerIds": [herning], "purposes": ["KNOWLEDGE_EXCHANGE"], "sdgs": [4],
        "startDate": day(today, -365), "endDate": day(today, -1),
    }))?;
    let cancelled = s.agreement(json!({
        "title": "Avsiktsförklaring om kulturutbyte", "type": "LETTER_OF_INTENT", "unitCode": "KUF",
        "partnerIds": [drammen], "purposes": ["PROFILING"], "sdgs": [11],
        "startDate": day(today, 60),
    }))?;
    let draft = s.agreement(json!({
        "title": "Utställningsutbyte med Textilinstitutet", "type": "PROJECT", "unitCode": "KFN",
        "partnerIds": [institute, herning], "purposes": ["PROJECT_COLLABORATION"], "sdgs": [8],
        "externalFundingNotPossibleReason": "Illustrativt exempel: inget utlysningsprogram passar.",
        "startDate": day(today, 90), "endDate": day(today, 500),
    }))?;

    // Kommunstyrelsen's exception for one agreement with a partner that does not meet the
    // requirements, granted before it was activated; and a request still waiting.
    let requested = s.request_exception(
        &by_exception,
        &institute,
        "Textilmuseets utbyte stärker hållbar textilproduktion och civilsamhället.",
    )?;
    s.grant(&requested, -2, 75)?;

    for id in [
        &sister_drammen,
        &sister_tampere,
        &project,
        &reviewed,
        &by_exception,
        &company,
        &ended,
    ] {
        s.act(id, AgreementStatus::Active)?;
    }
    s.close(
        &ended,
        AgreementStatus::Ended,
        Closing {
            end_date: Some(day(today, -1)),
            reason: Some(long_text("Utbytet genomfördes som planerat.")),
        },
    )?;
    s.close(
        &cancelled,
        AgreementStatus::Cancelled,
        Closing {
            end_date: None,
            reason: Some(long_text("Kulturförvaltningen prioriterade om sin budget.")),
        },
    )?;

    // A new assessment of the partner city itself fails a requirement: its active agreement now
    // needs review (a partner's own assessment can only make it stricter).
    s.assessment(
        Subject::Partner(nordurbaer.clone()),
        "IS",
        [
            ("MEETS", "Påhittad bedömning av en påhittad stad."),
            ("MEETS", "Påhittad bedömning av en påhittad stad."),
            ("UNCERTAIN", "Påhittad bedömning: underlaget om rättsstatens principer är ofullständigt i demodatan."),
        ],
        -1,
        364,
    )?;
    s.request_exception(
        &draft,
        &institute,
        "Utställningsutbytet kräver ett eget beslut om undantag.",
    )?;
    Ok(s.seeded)
}

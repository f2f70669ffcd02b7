//! The catalogue of the service's sentences: every variant of [`Text`] is one message with its
//! parameters, rendered in English by [`en`] and in Swedish by [`sv`], so a test can render each in
//! both languages. Machine fields keep their codes; only these sentences follow the language.
//!
//! The language of a response is chosen once per request (`Accept-Language`, by the request
//! middleware) and read here by whatever renders a text for it: [`current`] is that choice, in the
//! request's task and in the database closures it runs.

pub mod en;
pub mod sv;

use std::cell::Cell;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Sv,
}

impl Lang {
    /// Swedish when the caller's `Accept-Language` ranks Swedish above English; English otherwise.
    pub fn from_accept_language(value: Option<&str>) -> Lang {
        let Some(value) = value else { return Lang::En };
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "sv" || tag.starts_with("sv-") {
                Lang::Sv
            } else if tag == "en" || tag.starts_with("en-") || tag == "*" {
                Lang::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }
}

/// A text in the two languages the service answers in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub en: String,
    pub sv: String,
}

impl Msg {
    pub fn new(en: impl Into<String>, sv: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            sv: sv.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Sv => &self.sv,
        }
    }
}

/// Every sentence of the catalogue, with what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// Eligibility: every applicable assessment meets the three requirements.
    EligibleAllMet,
    /// Eligibility: requirements failed, an exception for this agreement is in force.
    EligibleByException {
        failing: Vec<Code>,
    },
    /// Eligibility for an agreement: requirements failed, no exception in force for it.
    ExceptionRequiredForAgreement {
        failing: Vec<Code>,
    },
    /// Eligibility without an agreement: requirements failed.
    ExceptionRequired {
        failing: Vec<Code>,
    },
    /// Eligibility: assessments missing on the date.
    AssessmentRequired {
        date: NaiveDate,
        missing: Vec<Code>,
    },
    /// Compliance: no published assessment valid today.
    ComplianceNoValidAssessment {
        missing: Vec<Code>,
    },
    /// Compliance: the partner's exception was revoked.
    ComplianceExceptionRevoked,
    /// Compliance: the partner's exception has run out.
    ComplianceExceptionExpired,
    /// Compliance: a newer assessment fails requirements.
    ComplianceFailingAssessment {
        failing: Vec<Code>,
    },
    /// An agreement ended on a day that has not come.
    EndDateInTheFuture {
        end: NaiveDate,
        today: NaiveDate,
    },
    /// An agreement ended before it started.
    EndDateBeforeStart {
        end: NaiveDate,
        start: NaiveDate,
    },
    /// A decision dated after today.
    DecidedInTheFuture {
        decided: NaiveDate,
        today: NaiveDate,
    },
    /// How many faults a request has.
    Faults {
        count: usize,
    },
    /// How many rules of the policy block an activation.
    ActivationBlocked {
        count: usize,
    },
    /// Activation: no assessment valid on the day checked.
    ActivationAssessmentRequired {
        date: NaiveDate,
    },
    /// Activation: requirements failed on the day checked and no exception is in force.
    ActivationExceptionRequired {
        date: NaiveDate,
        failing: Vec<Code>,
    },
    /// A value of the wrong JSON type.
    WrongType {
        expected: Expected,
    },
    /// Activation: no purpose.
    PurposeRequired,
    /// Activation: no partner.
    PartnerRequired,
    /// Activation: no start date.
    StartDateRequired,
    /// Activation: a project without the project purpose.
    ProjectTypeHasProjectPurpose,
    /// Activation: project collaboration with fewer than two partners.
    ProjectSeveralParties,
    /// Recommendation: project collaboration without external funding or a reason.
    ProjectExternalFunding,
    /// Recommendation: the sister-city purpose without a sister city.
    SisterCityPartner,
    /// A body that is not a JSON object.
    BodyNotObject,
    /// A body whose Content-Type is not JSON.
    BodyNotJson,
    /// A body above the operation's limit.
    BodyTooLarge,
    /// A body that could not be read.
    BodyUnreadable,
    /// Characters after the JSON value.
    BodyTrailing,
    BodyDuplicateKey,
    /// Not well-formed JSON.
    BodyMalformed {
        line: usize,
        column: usize,
    },
    /// A field the request does not have (or may not set).
    UnknownField {
        field: String,
    },
    /// A required field left out.
    Required {
        field: String,
    },
    /// A value outside an enumeration; `values` lists the values as they are sent.
    OneOf {
        values: String,
    },
    /// A value refused for a reason serde words itself (no catalogue sentence for it).
    InvalidValue {
        message: String,
    },
    /// A query parameter with a NUL character.
    NulInParameter {
        name: String,
    },
    /// A query parameter given twice.
    DuplicateParameter {
        name: String,
    },
    /// A query parameter the operation does not take.
    UnknownParameter {
        name: String,
    },
    /// `page` out of range.
    PageRange,
    /// `limit` out of range.
    LimitRange,
    /// `q` too long.
    QueryTooLong,
    /// A change without `If-Match`.
    IfMatchRequired,
    /// A change against an old version.
    VersionMismatch {
        current: i32,
    },
    /// An `Idempotency-Key` of the wrong form.
    IdempotencyKeyInvalid,
    /// An `Idempotency-Key` reused with another body.
    IdempotencyKeyReused,
    /// An `Idempotency-Key` whose first request is still running.
    IdempotencyKeyInUse,
    /// A replayed `Idempotency-Key` whose resource was deleted (or erased) since.
    IdempotencyKeyGone,
    /// A method the path does not take.
    MethodNotAllowed {
        method: String,
        allowed: String,
    },
    /// A path with no resource.
    NoSuchPath,
    /// An operation for other roles.
    RoleRequired {
        roles: String,
    },
    /// No bearer token.
    TokenRequired,
    /// A token that does not verify.
    TokenInvalid,
    /// A token past its `exp`.
    TokenExpired,
    /// A token before its `nbf`.
    TokenNotYetValid,
    /// A token for another audience.
    TokenWrongAudience,
    /// A token from another issuer.
    TokenWrongIssuer,
    /// A token signed with a key the service does not have.
    TokenUnknownKey,
    /// A token whose signature does not verify.
    TokenBadSignature,
    /// The identity provider's keys are not loaded yet.
    KeysNotLoaded,
    /// A delegate's decision without the delegation.
    DelegationRequired,
    /// A denial with a validity.
    DenialHasNoValidity,
    /// A validity that ends before it starts.
    ValidUntilBeforeValidFrom,
    /// An exception request for an unknown agreement.
    NoSuchAgreement,
    /// An exception request for a partner outside the agreement.
    NotAParty,
    /// An exception request for an ended or cancelled agreement.
    AgreementClosed,
    /// A second open request for one agreement and partner.
    RequestAlreadyOpen {
        id: String,
    },
    /// A decision by whoever filed the request (the problem's detail).
    OwnRequest,
    /// The same, as the rule's error item.
    OwnRequestRule,
    /// A decision on a request that is not pending; `status` is the request's status code.
    DecisionOnClosedRequest {
        status: String,
    },
    /// An agreement's unit that does not exist.
    NoSuchUnit,
    /// Too many partners.
    TooManyPartners,
    /// Too many funding lines.
    TooManyFundings,
    /// A partner listed twice.
    PartnerListedTwice,
    /// An unknown partner.
    NoSuchPartner,
    /// An archived partner newly added.
    PartnerArchived,
    /// A purpose listed twice.
    PurposeListedTwice,
    /// A goal listed twice.
    GoalListedTwice,
    /// A planned end before the start.
    EndDateBeforeStartDate,
    /// A status change the life cycle does not allow; both are status codes.
    StatusChange {
        from: String,
        to: String,
    },
    /// A parameter that should be a UUID.
    NotAUuid {
        name: String,
    },
    /// Too many indicators.
    TooManyIndicators {
        max: usize,
    },
    /// An unknown imported indicator.
    NoSuchIndicator {
        id: String,
    },
    /// An imported indicator of another country.
    IndicatorOfAnotherCountry {
        id: String,
        of: String,
        not: String,
    },
    /// A piece of evidence without a field it needs when it names no import.
    RequiredUnlessImported {
        field: String,
    },
    /// An assessment dated after today.
    AssessedInTheFuture,
    /// An assessment valid until before it was made.
    ValidUntilBeforeAssessedAt,
    /// An unknown partner, by id.
    NoSuchPartnerId {
        id: String,
    },
    /// A partner of a kind that is not assessed itself; `kind` is its code.
    PartnerNotAssessable {
        kind: String,
    },
    /// An assessment naming a country other than its partner's.
    PartnerInCountry {
        country: String,
    },
    /// An assessment naming no subject.
    SubjectRequired,
    /// An unknown country.
    NoSuchCountry {
        code: String,
    },
    /// A change to an assessment that is not a draft; `status` is its code.
    AssessmentNotDraft {
        status: String,
    },
    /// Publishing what one drafted or edited.
    FourEyes,
    /// Publishing a draft past its validity.
    DraftExpired,
    /// Two publications of one subject at once.
    PublishedConcurrently,
    /// A unit code in a path that is not one.
    UnitCodeInPathInvalid,
    /// An unknown unit, by code.
    NoSuchUnitCode {
        code: String,
    },
    /// A unit placed below itself.
    UnitBelowItself,
    /// A unit code taken.
    UnitExists {
        code: String,
    },
    /// Deleting a unit with units below it.
    UnitHasChildren,
    /// An id in a path that is not a UUID.
    IdInPathNotUuid,
    /// Fields only a coordinator changes (quoted or listed).
    CoordinatorOnly {
        fields: String,
    },
    /// Deleting a partner that records refer to.
    PartnerReferredTo,
    /// A text above its length.
    TooLong {
        field: String,
        max: usize,
    },
    /// Retrying a delivery that is pending.
    DeliveryPending,
    /// An officer acting for a unit not theirs.
    NotYourUnit {
        unit: String,
    },
    /// Revoking what is not granted; `status` is the exception's code.
    OnlyGrantedRevoked {
        status: String,
    },
    /// A revocation dated before the grant.
    RevocationBeforeGrant,
    /// Withdrawing what is not pending; `status` is the request's code.
    OnlyPendingWithdrawn {
        status: String,
    },
    /// A country code filter of the wrong form.
    CountryCodeForm,
    /// Changing an ended or cancelled agreement.
    ClosedAgreementUnchanged,
    /// Deleting what is not a draft.
    OnlyDraftsDeleted,
    /// Deleting a draft that requests refer to.
    DraftHasRequests,
    /// Compliance of an agreement that is not active; `status` is its code.
    ComplianceOfActiveOnly {
        status: String,
    },
    /// An eligibility `unitCode` of the wrong form.
    UnitCodeParamInvalid,
    /// An eligibility `agreementId` without this partner.
    NotAPartyOfThatAgreement,
    /// An import that is not CSV.
    BodyNotCsv,
    /// A country code in a path of the wrong form.
    CountryCodeInPath,
    /// `expiresWithinDays` out of range (countries).
    ExpiresWithinDays,
    /// A contact's retention in the past.
    RetentionInThePast,
    /// The feed's `after` out of range.
    AfterRange,
    /// The feed's `limit` out of range.
    FeedLimitRange,
    /// A report asked for a day and a range.
    DateOrRange,
    /// A range without `to`.
    RangeNeedsTo,
    /// A range without `from`.
    RangeNeedsFrom,
    /// A range that ends before it starts.
    ToBeforeFrom,
    /// `expiresWithinDays` out of range (reports).
    ExpiresWithinDaysReport {
        max: usize,
    },
    /// `expiresWithinDays` beside a range.
    RangeIsTheWindow,
    /// The database cannot be reached.
    DatabaseUnreachable,
    /// An error the service logged.
    InternalError,
    /// A unique key taken.
    UniqueViolation,
    /// A broken reference.
    ForeignKeyViolation,
    /// Two writes at once.
    SerializationFailure,
    /// A problem's title, by the problem type's slug (`ProblemKind::slug`).
    ProblemTitle {
        slug: &'static str,
    },
    /// Over the rate limit.
    RateLimited {
        wait: u64,
    },
    /// A path parameter that does not parse.
    PathParameterInvalid,
    /// A date that is not `YYYY-MM-DD` with a four-digit year, or no such day.
    DateForm,
    /// A timestamp that is not RFC 3339 with a four-digit year.
    DateTimeForm,
    /// A query parameter (or its name) whose percent-encoding is not UTF-8.
    ParameterNotUtf8 {
        name: String,
    },
    /// A path whose percent-encoding is not UTF-8.
    PathNotUtf8,
    /// A request line longer than the service takes.
    UriTooLong {
        max: usize,
    },
    /// A request head (request line and header fields) larger than the service takes.
    HeadTooLarge {
        max: usize,
    },
    /// A request head with more header fields than the service takes.
    TooManyHeaders {
        max: usize,
    },
    /// A request line or header field that is not HTTP/1.1.
    MalformedRequest,
    /// Two dispatchers at once.
    CursorMoved,
    /// `seed --demo` on a database with data.
    SeedNeedsEmptyDatabase,
    /// Newtypes: a unit code of the wrong form.
    UnitCodeForm,
    /// A country code of the wrong form.
    CountryCodeValue,
    /// An empty text.
    NotEmpty,
    /// A text above its length.
    AtMostChars {
        max: usize,
    },
    /// A text with control characters.
    NoControlCharacters,
    /// A URL of the wrong form.
    UrlForm,
    /// An EU PIC of the wrong form.
    EuPicForm,
    /// An organisation number of the wrong form.
    OrganisationNumberForm,
    /// An e-mail address of the wrong form.
    EmailForm,
    /// A telephone number of the wrong form.
    PhoneForm,
    /// A case number of the wrong form.
    CaseNumberForm,
    /// A global goal out of range.
    SdgForm,
    /// An amount of the wrong form.
    AmountForm,
    /// A currency of the wrong form.
    CurrencyForm,
    /// No resource of this kind with the identifier asked for.
    NotFound {
        what: Thing,
    },
    /// Indicator import: a header that is not CSV.
    CsvHeaderMalformed,
    /// Indicator import: an unknown column.
    CsvUnknownColumn {
        name: String,
    },
    /// Indicator import: a column twice.
    CsvDuplicateColumn {
        name: String,
    },
    /// Indicator import: a column missing.
    CsvMissingColumn {
        name: String,
    },
    /// Indicator import: a line that is not CSV or has the wrong number of cells.
    CsvRowMalformed,
    /// Indicator import: a value that is not a number.
    CsvNumberForm,
    /// Indicator import: a line repeating an earlier one.
    CsvDuplicateRow,
    /// Indicator import: a header and nothing else.
    CsvNoValues,
    /// Agreement import: a body that is neither CSV nor a workbook.
    ImportMediaType,
    /// Agreement import: a file over the size limit.
    ImportTooLarge {
        max_mib: usize,
    },
    /// Agreement import: more rows than one import takes.
    ImportTooManyRows {
        max: usize,
    },
    /// Agreement import: a column the agreements export does not have.
    ImportUnknownColumn {
        name: String,
    },
    /// Agreement import: a body that is not a readable workbook.
    WorkbookUnreadable,
    /// A workbook whose parts unpack to more than the import reads.
    WorkbookTooLarge {
        max_mib: u64,
    },
    /// Agreement import: a workbook cell that holds an error value.
    CellHoldsError,
    /// Agreement import: an ENDED row without the day it ended.
    EndedNeedsEndDate,
    /// Agreement import: a partner item of the wrong form.
    PartnerRecordForm,
    /// Agreement import: a funding item of the wrong form.
    FundingRecordForm,
    /// A webhook's event type of the wrong form.
    EventTypeForm,
    /// More than 50 event types.
    TooManyEventTypes,
    /// An export column's label (`http::export`), by the column's machine name.
    ColumnLabel {
        name: String,
    },
    /// A report section's name, as the sheet of a workbook is named.
    ReportSection {
        code: String,
    },
    /// A webhook target the service will not call.
    TargetRefused {
        why: TargetRefusal,
    },
}

/// Why a webhook target is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetRefusal {
    NotAUrl,
    Scheme,
    Credentials,
    NoHost,
    PlainHttp,
    Address { ip: String },
}

/// A kind of resource, as a sentence names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Thing {
    Agreement,
    Assessment,
    Contact,
    Country,
    Delivery,
    ExceptionRequest,
    Partner,
    Unit,
    Webhook,
    /// Another kind, with its English and Swedish (common-gender) words.
    Other {
        en: String,
        sv: String,
    },
}

impl Thing {
    pub fn named(en: &str, sv: &str) -> Thing {
        match en {
            "agreement" => Thing::Agreement,
            "assessment" => Thing::Assessment,
            "contact" => Thing::Contact,
            "country" => Thing::Country,
            "delivery" => Thing::Delivery,
            "exception request" => Thing::ExceptionRequest,
            "partner" => Thing::Partner,
            "unit" => Thing::Unit,
            "webhook" => Thing::Webhook,
            _ => Thing::Other {
                en: en.to_string(),
                sv: sv.to_string(),
            },
        }
    }
}

/// What a field expected, as serde names it, sorted into what a person calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Text,
    WholeNumber,
    Number,
    Boolean,
    List,
    Object,
    Date,
    DateTime,
    /// serde's own words, for a type this list does not name.
    Other(String),
}

impl Expected {
    /// Sorts serde's "expected …" phrase ("a string", "u32", "a sequence", "struct X", "a
    /// formatted date string", …).
    pub fn from_serde(phrase: &str) -> Expected {
        let p = phrase.trim().trim_end_matches('.').to_ascii_lowercase();
        let integer = [
            "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "usize", "isize",
        ];
        if p.contains("date and time") || p.contains("datetime") {
            Expected::DateTime
        } else if p.contains("date") {
            Expected::Date
        } else if integer
            .iter()
            .any(|t| p == *t || p.starts_with(&format!("{t} ")))
            || p.contains("integer")
        {
            Expected::WholeNumber
        } else if p == "f32" || p == "f64" || p.contains("number") {
            Expected::Number
        } else if p.contains("bool") {
            Expected::Boolean
        } else if p.contains("sequence") || p.contains("array") || p.contains("list") {
            Expected::List
        } else if p.starts_with("struct") || p.contains("map") || p.contains("object") {
            Expected::Object
        } else if p.contains("string") || p.contains("char") {
            Expected::Text
        } else {
            Expected::Other(phrase.trim().trim_end_matches('.').to_string())
        }
    }
}

/// A code of the policy that a sentence names in words: a requirement or an assessment's subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    HumanRights,
    Democracy,
    RuleOfLaw,
    AssessmentRequired,
    Country,
    Partner,
    /// A code this catalogue has no words for (shown as is).
    Other(&'static str),
}

impl Code {
    pub fn of(code: &'static str) -> Code {
        // The policy catalogue's codes (`policy::catalogue::codes`; its test checks these).
        match code {
            "HUMAN_RIGHTS" => Code::HumanRights,
            "DEMOCRACY" => Code::Democracy,
            "RULE_OF_LAW" => Code::RuleOfLaw,
            "ASSESSMENT_REQUIRED" => Code::AssessmentRequired,
            "COUNTRY" => Code::Country,
            "PARTNER" => Code::Partner,
            other => Code::Other(other),
        }
    }

    pub fn all(codes: &[&'static str]) -> Vec<Code> {
        codes.iter().map(|c| Code::of(c)).collect()
    }
}

impl Text {
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::En => en::render(self),
            Lang::Sv => sv::render(self),
        }
    }

    /// Both renderings, for the places that carry a [`Msg`].
    pub fn msg(&self) -> Msg {
        Msg::new(en::render(self), sv::render(self))
    }

    /// One of each message with sample parameters (one and two of every list and count), for
    /// the tests that read the whole catalogue.
    pub fn samples() -> Vec<Text> {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
        let next = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        let field = || "startDate".to_string();
        let mut out = vec![
            Text::BodyNotObject,
            Text::BodyNotJson,
            Text::BodyTooLarge,
            Text::BodyUnreadable,
            Text::BodyTrailing,
            Text::BodyDuplicateKey,
            Text::BodyMalformed { line: 1, column: 2 },
            Text::UnknownField { field: field() },
            Text::Required { field: field() },
            Text::OneOf {
                values: "ACTIVE, ENDED".into(),
            },
            Text::InvalidValue {
                message: "input contains invalid characters".into(),
            },
            Text::NulInParameter { name: "q".into() },
            Text::DuplicateParameter { name: "q".into() },
            Text::UnknownParameter { name: "q".into() },
            Text::PageRange,
            Text::LimitRange,
            Text::QueryTooLong,
            Text::IfMatchRequired,
            Text::VersionMismatch { current: 3 },
            Text::IdempotencyKeyInvalid,
            Text::IdempotencyKeyReused,
            Text::IdempotencyKeyInUse,
            Text::IdempotencyKeyGone,
            Text::MethodNotAllowed {
                method: "PUT".into(),
                allowed: "GET, POST".into(),
            },
            Text::NoSuchPath,
            Text::RoleRequired {
                roles: "coordinator, admin".into(),
            },
            Text::TokenRequired,
            Text::TokenInvalid,
            Text::TokenExpired,
            Text::TokenNotYetValid,
            Text::TokenWrongAudience,
            Text::TokenWrongIssuer,
            Text::TokenUnknownKey,
            Text::TokenBadSignature,
            Text::KeysNotLoaded,
            Text::DelegationRequired,
            Text::DenialHasNoValidity,
            Text::ValidUntilBeforeValidFrom,
            Text::NoSuchAgreement,
            Text::NotAParty,
            Text::AgreementClosed,
            Text::RequestAlreadyOpen {
                id: "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d70".into(),
            },
            Text::OwnRequest,
            Text::OwnRequestRule,
            Text::PurposeRequired,
            Text::PartnerRequired,
            Text::StartDateRequired,
            Text::ProjectTypeHasProjectPurpose,
            Text::ProjectSeveralParties,
            Text::ProjectExternalFunding,
            Text::SisterCityPartner,
            Text::EligibleAllMet,
            Text::ComplianceExceptionRevoked,
            Text::ComplianceExceptionExpired,
            Text::EndDateInTheFuture {
                end: next,
                today: day,
            },
            Text::EndDateBeforeStart {
                end: day,
                start: next,
            },
            Text::DecidedInTheFuture {
                decided: next,
                today: day,
            },
        ];
        let lists = [
            vec![Code::Democracy],
            vec![Code::HumanRights, Code::RuleOfLaw],
            vec![Code::HumanRights, Code::Democracy, Code::RuleOfLaw],
            vec![Code::AssessmentRequired],
        ];
        for failing in lists {
            out.push(Text::EligibleByException {
                failing: failing.clone(),
            });
            out.push(Text::ExceptionRequiredForAgreement {
                failing: failing.clone(),
            });
            out.push(Text::ExceptionRequired {
                failing: failing.clone(),
            });
            out.push(Text::ComplianceFailingAssessment { failing });
        }
        for missing in [vec![Code::Country], vec![Code::Country, Code::Partner]] {
            out.push(Text::AssessmentRequired {
                date: day,
                missing: missing.clone(),
            });
            out.push(Text::ComplianceNoValidAssessment { missing });
        }
        out.extend([
            Text::NotAUuid {
                name: "partnerId".into(),
            },
            Text::TooManyIndicators { max: 50 },
            Text::NoSuchIndicator { id: "x".into() },
            Text::IndicatorOfAnotherCountry {
                id: "x".into(),
                of: "NO".into(),
                not: "SE".into(),
            },
            Text::RequiredUnlessImported {
                field: "metric".into(),
            },
            Text::AssessedInTheFuture,
            Text::ValidUntilBeforeAssessedAt,
            Text::NoSuchPartnerId { id: "x".into() },
            Text::PartnerInCountry {
                country: "NO".into(),
            },
            Text::SubjectRequired,
            Text::NoSuchCountry { code: "XX".into() },
            Text::FourEyes,
            Text::DraftExpired,
            Text::PublishedConcurrently,
            Text::UnitCodeInPathInvalid,
            Text::NoSuchUnitCode { code: "KFN".into() },
            Text::UnitBelowItself,
            Text::UnitExists { code: "KFN".into() },
            Text::UnitHasChildren,
            Text::IdInPathNotUuid,
            Text::CoordinatorOnly {
                fields: "'archived'".into(),
            },
            Text::CoordinatorOnly {
                fields: "kind, countryCode".into(),
            },
            Text::PartnerReferredTo,
            Text::TooLong {
                field: "url".into(),
                max: 2000,
            },
            Text::DeliveryPending,
            Text::NotYourUnit { unit: "KFN".into() },
            Text::RevocationBeforeGrant,
            Text::CountryCodeForm,
            Text::ClosedAgreementUnchanged,
            Text::OnlyDraftsDeleted,
            Text::DraftHasRequests,
            Text::UnitCodeParamInvalid,
            Text::NotAPartyOfThatAgreement,
            Text::BodyNotCsv,
            Text::CountryCodeInPath,
            Text::ExpiresWithinDays,
            Text::RetentionInThePast,
            Text::AfterRange,
            Text::FeedLimitRange,
            Text::DateOrRange,
            Text::RangeNeedsTo,
            Text::RangeNeedsFrom,
            Text::ToBeforeFrom,
            Text::ExpiresWithinDaysReport { max: 3660 },
            Text::RangeIsTheWindow,
            Text::DatabaseUnreachable,
            Text::InternalError,
            Text::UniqueViolation,
            Text::ForeignKeyViolation,
            Text::SerializationFailure,
            Text::RateLimited { wait: 1 },
            Text::RateLimited { wait: 30 },
            Text::PathParameterInvalid,
            Text::DateForm,
            Text::DateTimeForm,
            Text::ParameterNotUtf8 { name: "q".into() },
            Text::PathNotUtf8,
            Text::UriTooLong { max: 8192 },
            Text::HeadTooLarge { max: 16384 },
            Text::TooManyHeaders { max: 64 },
            Text::MalformedRequest,
            Text::CursorMoved,
            Text::SeedNeedsEmptyDatabase,
            Text::UnitCodeForm,
            Text::CountryCodeValue,
            Text::NotEmpty,
            Text::AtMostChars { max: 200 },
            Text::NoControlCharacters,
            Text::UrlForm,
            Text::EuPicForm,
            Text::OrganisationNumberForm,
            Text::EmailForm,
            Text::PhoneForm,
            Text::CaseNumberForm,
            Text::SdgForm,
            Text::AmountForm,
            Text::CurrencyForm,
            Text::CsvHeaderMalformed,
            Text::CsvUnknownColumn { name: "x".into() },
            Text::CsvDuplicateColumn {
                name: "source".into(),
            },
            Text::CsvMissingColumn {
                name: "value".into(),
            },
            Text::CsvRowMalformed,
            Text::CsvNumberForm,
            Text::CsvDuplicateRow,
            Text::CsvNoValues,
            Text::EventTypeForm,
            Text::TooManyEventTypes,
            Text::ImportMediaType,
            Text::ImportTooLarge { max_mib: 32 },
            Text::ImportTooManyRows { max: 10_000 },
            Text::ImportUnknownColumn {
                name: "colour".into(),
            },
            Text::WorkbookUnreadable,
            Text::WorkbookTooLarge { max_mib: 128 },
            Text::CellHoldsError,
            Text::EndedNeedsEndDate,
            Text::PartnerRecordForm,
            Text::FundingRecordForm,
            Text::ColumnLabel {
                name: "caseNumber".into(),
            },
            Text::ColumnLabel {
                name: "partners".into(),
            },
            Text::ReportSection {
                code: "SISTER_CITY".into(),
            },
        ]);
        for why in [
            TargetRefusal::NotAUrl,
            TargetRefusal::Scheme,
            TargetRefusal::Credentials,
            TargetRefusal::NoHost,
            TargetRefusal::PlainHttp,
            TargetRefusal::Address {
                ip: "10.0.0.1".into(),
            },
        ] {
            out.push(Text::TargetRefused { why });
        }
        for what in [
            Thing::Agreement,
            Thing::Assessment,
            Thing::Contact,
            Thing::Country,
            Thing::Delivery,
            Thing::ExceptionRequest,
            Thing::Partner,
            Thing::Unit,
            Thing::Webhook,
            Thing::Other {
                en: "resource".into(),
                sv: "resurs".into(),
            },
        ] {
            out.push(Text::NotFound { what });
        }
        for status in ["REQUESTED", "GRANTED", "DENIED", "WITHDRAWN", "REVOKED"] {
            out.push(Text::OnlyGrantedRevoked {
                status: status.into(),
            });
            out.push(Text::OnlyPendingWithdrawn {
                status: status.into(),
            });
        }
        for status in ["DRAFT", "ENDED", "CANCELLED"] {
            out.push(Text::ComplianceOfActiveOnly {
                status: status.into(),
            });
        }
        for kind in [
            "UNIVERSITY",
            "ORGANISATION",
            "AUTHORITY",
            "COMPANY",
            "NETWORK",
            "OTHER",
            "CITY",
        ] {
            out.push(Text::PartnerNotAssessable { kind: kind.into() });
        }
        for status in ["PUBLISHED", "SUPERSEDED", "DRAFT", "X"] {
            out.push(Text::AssessmentNotDraft {
                status: status.into(),
            });
        }
        out.extend([
            Text::NoSuchUnit,
            Text::TooManyPartners,
            Text::TooManyFundings,
            Text::PartnerListedTwice,
            Text::NoSuchPartner,
            Text::PartnerArchived,
            Text::PurposeListedTwice,
            Text::GoalListedTwice,
            Text::EndDateBeforeStartDate,
        ]);
        for (from, to) in [
            ("ACTIVE", "DRAFT"),
            ("ENDED", "CANCELLED"),
            ("DRAFT", "ENDED"),
            ("X", "ACTIVE"),
        ] {
            out.push(Text::StatusChange {
                from: from.into(),
                to: to.into(),
            });
        }
        for status in [
            "REQUESTED",
            "GRANTED",
            "DENIED",
            "WITHDRAWN",
            "REVOKED",
            "OTHER",
        ] {
            out.push(Text::DecisionOnClosedRequest {
                status: status.into(),
            });
        }
        for count in [1, 2, 6] {
            out.push(Text::Faults { count });
            out.push(Text::ActivationBlocked { count });
        }
        out.push(Text::ActivationAssessmentRequired { date: day });
        for failing in [
            vec![Code::Democracy],
            vec![Code::HumanRights, Code::RuleOfLaw],
        ] {
            out.push(Text::ActivationExceptionRequired { date: day, failing });
        }
        for expected in [
            Expected::Text,
            Expected::WholeNumber,
            Expected::Number,
            Expected::Boolean,
            Expected::List,
            Expected::Object,
            Expected::Date,
            Expected::DateTime,
            Expected::Other("unit value".into()),
        ] {
            out.push(Text::WrongType { expected });
        }
        out
    }
}

/// Joins words as a sentence lists them: "a", "a and b", "a, b and c".
pub(crate) fn listed(words: &[String], and: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

tokio::task_local! {
    static REQUEST_LANG: Lang;
}

thread_local! {
    /// The language set by `on_this_thread`: a request's database closure, or a record that is
    /// kept in one language (the change log).
    static BLOCKING_LANG: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// The language of the text being rendered: what `on_this_thread` set, else the request's
/// choice, English outside a request.
pub fn current() -> Lang {
    BLOCKING_LANG
        .with(Cell::get)
        .or_else(|| REQUEST_LANG.try_with(|l| *l).ok())
        .unwrap_or(Lang::En)
}

/// Runs a request's handling with `lang` as its language.
pub async fn scope<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
    REQUEST_LANG.scope(lang, f).await
}

/// Runs `f` (a database closure on a blocking thread) in `lang`, the language of the request that
/// handed it over.
pub fn on_this_thread<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let before = BLOCKING_LANG.with(|l| l.replace(Some(lang)));
    let out = f();
    BLOCKING_LANG.with(|l| l.set(before));
    out
}

/// A sentence sent in the language of the response: it serialises as a string in [`current`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized(pub Msg);

impl From<Text> for Localized {
    fn from(text: Text) -> Self {
        Localized(text.msg())
    }
}

impl Serialize for Localized {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.get(current()))
    }
}

impl utoipa::PartialSchema for Localized {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        String::schema()
    }
}

impl utoipa::ToSchema for Localized {}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper_snake(text: &str) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_ascii_uppercase() {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_uppercase() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // [A-Z]{2,}_[A-Z_]+, but not a setting's name (SAMVERKAN_…), which is what it is.
                if !word.starts_with("SAMVERKAN_")
                    && let Some(pos) = word.find('_')
                    && pos >= 2
                    && word.len() > pos + 1
                {
                    return Some(word);
                }
            } else {
                i += 1;
            }
        }
        None
    }

    const ENGLISH: &[&str] = &[
        " the ",
        " must ",
        " is ",
        " not ",
        "Expected",
        " and ",
        " no ",
        " of ",
        " has ",
        " exception ",
        " partner ",
    ];

    #[test]
    fn every_message_reads_in_both_languages() {
        for text in Text::samples() {
            let sv = text.render(Lang::Sv);
            let en = text.render(Lang::En);
            assert!(!sv.trim().is_empty() && !en.trim().is_empty(), "{text:?}");
            assert_ne!(sv, en, "{text:?} is not translated");
            let padded = format!(" {sv} ");
            assert!(upper_snake(&sv).is_none(), "a code in Swedish: {sv}");
            for word in ENGLISH {
                assert!(!padded.contains(word), "English {word:?} in Swedish: {sv}");
            }
            assert!(
                !en.chars().any(|c| "åäöÅÄÖ".contains(c)),
                "Swedish letters in English: {en}"
            );
            assert!(upper_snake(&en).is_none(), "a code in English: {en}");
        }
    }

    #[test]
    fn swedish_nouns_take_their_gender() {
        let country = Text::NotFound {
            what: Thing::Country,
        };
        assert_eq!(
            country.render(Lang::Sv),
            "Det finns inget land med den identiteten."
        );
        let unit = Text::NotFound { what: Thing::Unit };
        assert_eq!(
            unit.render(Lang::Sv),
            "Det finns ingen enhet med den identiteten."
        );
    }

    #[test]
    fn plurals_agree_with_their_numbers() {
        assert_eq!(
            Text::Faults { count: 1 }.render(Lang::Sv),
            "Begäran har 1 fel."
        );
        assert_eq!(
            Text::Faults { count: 2 }.render(Lang::En),
            "The request has 2 faults."
        );
        let one = Text::ComplianceFailingAssessment {
            failing: vec![Code::Democracy],
        };
        assert_eq!(
            one.render(Lang::Sv),
            "Parten uppfyller inte längre kravet på demokrati."
        );
        let three = Text::ComplianceFailingAssessment {
            failing: vec![Code::HumanRights, Code::Democracy, Code::RuleOfLaw],
        };
        assert_eq!(
            three.render(Lang::Sv),
            "Parten uppfyller inte längre kraven på mänskliga rättigheter, demokrati och rättsstatens principer."
        );
        assert_eq!(
            three.render(Lang::En),
            "The partner no longer meets the requirements of human rights, democracy and the rule of law."
        );
    }
}

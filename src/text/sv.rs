//! Katalogen på svenska.

use super::{Code, Expected, TargetRefusal, Text, Thing, listed};

fn word(code: &Code) -> String {
    match code {
        Code::HumanRights => "mänskliga rättigheter".into(),
        Code::Democracy => "demokrati".into(),
        Code::RuleOfLaw => "rättsstatens principer".into(),
        Code::AssessmentRequired => "en giltig bedömning".into(),
        Code::Country => "landet".into(),
        Code::Partner => "parten själv".into(),
        Code::Other(code) => code.to_lowercase().replace('_', " "),
    }
}

fn words(codes: &[Code]) -> String {
    listed(&codes.iter().map(word).collect::<Vec<_>>(), "och")
}

/// "kravet på demokrati" / "kraven på mänskliga rättigheter och rättsstatens principer".
fn requirements(codes: &[Code]) -> String {
    let noun = if codes.len() == 1 { "kravet" } else { "kraven" };
    format!("{noun} på {}", words(codes))
}

fn expected_words(expected: &Expected) -> String {
    match expected {
        Expected::Text => "en sträng".into(),
        Expected::WholeNumber => "ett heltal".into(),
        Expected::Number => "ett tal".into(),
        Expected::Boolean => "true eller false".into(),
        Expected::List => "en lista".into(),
        Expected::Object => "ett objekt".into(),
        Expected::Date => "ett datum (ÅÅÅÅ-MM-DD)".into(),
        Expected::DateTime => "en tidpunkt (RFC 3339)".into(),
        // serde's words are English: a Swedish sentence says only that the type is wrong.
        Expected::Other(_) => "ett värde av en annan typ".into(),
    }
}

/// A problem type's title; a slug without one (a new kind) is shown as is: `tests/texts.rs`
/// fails until it has words.
fn title(slug: &'static str) -> &'static str {
    match slug {
        "validation-failed" => "Begäran är inte giltig",
        "unauthorized" => "Autentisering krävs",
        "forbidden" => "Åtgärden är inte tillåten",
        "not-found" => "Resursen hittades inte",
        "method-not-allowed" => "Metoden är inte tillåten",
        "not-acceptable" => "Ingen godtagbar representation",
        "unsupported-media-type" => "Medietypen stöds inte",
        "payload-too-large" => "Begärans innehåll är för stort",
        "uri-too-long" => "Begärans första rad är för lång",
        "header-fields-too-large" => "Begärans huvudfält är för stora",
        "malformed-request" => "Begäran är felaktigt formad",
        "conflict" => "Begäran strider mot resursens tillstånd",
        "activation-blocked" => "Aktiveringen är spärrad",
        "version-mismatch" => "Resursen har ändrats",
        "precondition-required" => "If-Match krävs",
        "idempotency-key-reused" => "Idempotensnyckeln har använts för en annan begäran",
        "idempotency-key-in-use" => "En begäran med denna idempotensnyckel pågår",
        "gone" => "Resursen finns inte längre",
        "rate-limited" => "För många begäranden",
        "service-unavailable" => "Tjänsten är tillfälligt otillgänglig",
        "internal-error" => "Ett internt fel inträffade",
        other => other,
    }
}

fn partner_kind(kind: &str) -> &'static str {
    match kind {
        "CITY" => "en stad",
        "REGION" => "en region",
        "AUTHORITY" => "en myndighet",
        "UNIVERSITY" => "ett lärosäte",
        "ORGANISATION" => "en organisation",
        "COMPANY" => "ett företag",
        "NETWORK" => "ett nätverk",
        _ => "av annat slag",
    }
}

fn assessment_status(status: &str) -> &'static str {
    match status {
        "DRAFT" => "ett utkast",
        "PUBLISHED" => "publicerad",
        "SUPERSEDED" => "ersatt",
        _ => "inte längre ett utkast",
    }
}

fn agreement_status(status: &str) -> &'static str {
    match status {
        "DRAFT" => "ett utkast",
        "ACTIVE" => "aktivt",
        "ENDED" => "avslutat",
        "CANCELLED" => "avbrutet",
        _ => "i ett annat läge",
    }
}

fn request_status(status: &str) -> &'static str {
    match status {
        "REQUESTED" => "väntande",
        "GRANTED" => "beviljad",
        "DENIED" => "avslagen",
        "WITHDRAWN" => "återtagen",
        "REVOKED" => "återkallad",
        _ => "avslutad",
    }
}

/// An export column's label, by its machine name (`http::export`); `None` for a name without one.
pub fn column_label(name: &str) -> Option<&'static str> {
    Some(match name {
        "id" => "ID",
        "code" => "Kod",
        "title" => "Titel",
        "description" => "Beskrivning",
        "type" => "Typ",
        "unitCode" => "Enhet",
        "partnerIds" => "Parternas ID",
        "partners" => "Samarbetsparter",
        "purposes" => "Syften",
        "sdgs" => "Globala mål",
        "fundings" => "Finansiering",
        "externalFundingNotPossibleReason" => "Varför extern finansiering saknas",
        "startDate" => "Startdatum",
        "endDate" => "Slutdatum",
        "caseNumber" => "Diarienummer",
        "status" => "Status",
        "compliance.status" => "Efterlevnad",
        "compliance.asOf" => "Efterlevnad bedömd den",
        "compliance.reasons" => "Skäl till efterlevnadsläget",
        "warnings" => "Varningar",
        "registeredRetroactively" => "Registrerat i efterhand",
        "boundByPolicy" => "Omfattas av policyn",
        "overdue" => "Passerat slutdatum",
        "activatedAt" => "Aktiverat",
        "activatedBy" => "Aktiverat av",
        "endedAt" => "Avslutat",
        "endReason" => "Skäl för avslut",
        "cancelledAt" => "Avbrutet",
        "cancelReason" => "Skäl för avbrott",
        "version" => "Version",
        "createdAt" => "Skapad",
        "updatedAt" => "Ändrad",
        "countryCode" => "Land",
        "partnerId" => "Partens ID",
        "humanRights.verdict" => "Mänskliga rättigheter",
        "humanRights.rationale" => "Mänskliga rättigheter, motivering",
        "democracy.verdict" => "Demokrati",
        "democracy.rationale" => "Demokrati, motivering",
        "ruleOfLaw.verdict" => "Rättsstatens principer",
        "ruleOfLaw.rationale" => "Rättsstatens principer, motivering",
        "assessedAt" => "Bedömd den",
        "validUntil" => "Giltig till",
        "outcome" => "Utfall",
        "failingRequirements" => "Krav som inte uppfylls",
        "publishedAt" => "Publicerad",
        "publishedBy" => "Publicerad av",
        "supersededAt" => "Ersatt",
        "supersededBy" => "Ersatt av",
        "draftedBy" => "Skriven av",
        "name" => "Namn",
        "role" => "Roll",
        "email" => "E-post",
        "phone" => "Telefon",
        "retentionUntil" => "Sparas till",
        "alpha3" => "Trebokstavskod",
        "nameEn" => "Namn på engelska",
        "standing.outcome" => "Ställning",
        "standing.assessmentId" => "Bedömningens ID",
        "standing.assessedAt" => "Bedömd den",
        "standing.validUntil" => "Bedömningen giltig till",
        "standing.expired" => "Bedömningen har gått ut",
        "standing.failingRequirements" => "Krav som inte uppfylls",
        "agreementId" => "Samarbetets ID",
        "justification" => "Motivering",
        "requestedBy" => "Begärt av",
        "decision.decision" => "Beslut",
        "decision.decidingBody" => "Beslutande organ",
        "decision.delegationReference" => "Delegationshänvisning",
        "decision.decidedAt" => "Beslutsdatum",
        "decision.protocolParagraph" => "Protokollsparagraf",
        "decision.conditions" => "Villkor",
        "decision.validFrom" => "Giltigt från",
        "decision.validUntil" => "Giltigt till",
        "decision.recordedBy" => "Beslutet registrerat av",
        "decision.recordedAt" => "Beslutet registrerat",
        "revocation.decidingBody" => "Återkallande organ",
        "revocation.delegationReference" => "Delegationshänvisning för återkallelsen",
        "revocation.decidedAt" => "Återkallat den",
        "revocation.protocolParagraph" => "Protokollsparagraf för återkallelsen",
        "revocation.reason" => "Skäl för återkallelse",
        "revocation.recordedBy" => "Återkallelsen registrerad av",
        "revocation.recordedAt" => "Återkallelsen registrerad",
        "withdrawnAt" => "Återtaget",
        "indicators" => "Indikatorer",
        "importId" => "Importens ID",
        "source" => "Källa",
        "edition" => "Utgåva",
        "metric" => "Mått",
        "value" => "Värde",
        "category" => "Kategori",
        "url" => "Webbadress",
        "importedAt" => "Importerad",
        "importedBy" => "Importerad av",
        "kind" => "Slag",
        "city" => "Ort",
        "externalIds.euPic" => "EU:s PIC-nummer",
        "externalIds.organisationNumber" => "Organisationsnummer",
        "website" => "Webbplats",
        "sisterCity" => "Vänort",
        "sisterCitySince" => "Vänort sedan",
        "archived" => "Arkiverad",
        "parentCode" => "Överordnad enhet",
        "validFrom" => "Giltig från",
        "eventTypes" => "Händelsetyper",
        "active" => "Aktiv",
        "webhookId" => "Webhookens ID",
        "eventId" => "Händelsens ID",
        "eventType" => "Händelsetyp",
        "attempts" => "Försök",
        "lastResponseCode" => "Senaste svarskod",
        "lastError" => "Senaste fel",
        "lastAttemptAt" => "Senaste försök",
        "nextAttemptAt" => "Nästa försök",
        "deliveredAt" => "Levererad",
        "section" => "Avsnitt",
        "key" => "Nyckel",
        "label" => "Benämning",
        "count" => "Antal",
        "currency" => "Valuta",
        "amount" => "Belopp",
        "percent" => "Procent",
        "date" => "Datum",
        "detail" => "Förklaring",
        "days" => "Dagar",
        _ => return None,
    })
}

/// A report section's name, as its sheet in a workbook is named; `None` for another code.
pub fn report_section(code: &str) -> Option<&'static str> {
    Some(match code {
        "PERIOD" => "Period",
        "ACTIVE_AGREEMENTS" => "Aktiva samarbeten",
        "PURPOSE" => "Per syfte",
        "SDG" => "Per globalt mål",
        "UNIT" => "Per enhet",
        "COUNTRY" => "Per land",
        "TYPE" => "Per typ",
        "SISTER_CITY" => "Vänorter",
        "FUNDING" => "Finansiering",
        "FUNDING_TOTAL" => "Finansiering totalt",
        "UNDER_REVIEW" => "Under granskning",
        "OVERDUE" => "Passerat slutdatum",
        "ASSESSMENT" => "Bedömningar som löper ut",
        "EXCEPTION" => "Undantag som löper ut",
        "WAITING_REQUEST" => "Väntande begäranden",
        _ => return None,
    })
}

pub fn render(text: &Text) -> String {
    match text {
        Text::ColumnLabel { name } => column_label(name).unwrap_or(name).into(),
        Text::ReportSection { code } => report_section(code).unwrap_or(code).into(),
        Text::EligibleAllMet => "De tillämpliga bedömningarna uppfyller alla tre krav.".into(),
        Text::EligibleByException { failing } => format!(
            "Parten uppfyller inte {}, men ett undantag som Kommunstyrelsen har beviljat gäller för detta samarbete.",
            requirements(failing)
        ),
        Text::ExceptionRequiredForAgreement { failing } => format!(
            "Parten uppfyller inte {} och inget undantag gäller för detta samarbete.",
            requirements(failing)
        ),
        Text::ExceptionRequired { failing } => format!(
            "Parten uppfyller inte {}; det krävs ett undantag som Kommunstyrelsen beslutar för ett visst samarbete.",
            requirements(failing)
        ),
        Text::AssessmentRequired { date, missing } => format!(
            "Det finns ingen publicerad bedömning som gäller {date} för {}. Ett undantag ersätter aldrig en bedömning.",
            words(missing)
        ),
        Text::ComplianceNoValidAssessment { missing } => format!(
            "Det finns ingen publicerad bedömning som gäller i dag för {}.",
            words(missing)
        ),
        Text::ComplianceExceptionRevoked => "Undantaget för denna part har återkallats.".into(),
        Text::ComplianceExceptionExpired => "Undantaget för denna part gäller inte längre.".into(),
        Text::ComplianceFailingAssessment { failing } => {
            format!("Parten uppfyller inte längre {}.", requirements(failing))
        }
        Text::EndDateInTheFuture { end, today } => {
            format!("Ett samarbete avslutas en dag som har varit: {end} är efter i dag ({today}).")
        }
        Text::EndDateBeforeStart { end, start } => {
            format!("Slutdatumet {end} är före startdatumet {start}.")
        }
        Text::DecidedInTheFuture { decided, today } => {
            format!("Ett beslut dateras den dag det fattades: {decided} är efter i dag ({today}).")
        }
        Text::Faults { count: 1 } => "Begäran har 1 fel.".into(),
        Text::Faults { count } => format!("Begäran har {count} fel."),
        Text::ActivationBlocked { count: 1 } => {
            "1 regel i Internationell policy hindrar detta; se errors.".into()
        }
        Text::ActivationBlocked { count } => {
            format!("{count} regler i Internationell policy hindrar detta; se errors.")
        }
        Text::ActivationAssessmentRequired { date } => format!(
            "Ingen publicerad bedömning av partens land (eller av parten själv) gäller {date}."
        ),
        Text::ActivationExceptionRequired { date, failing } => format!(
            "{date} uppfyller parten inte {} och inget undantag beslutat av Kommunstyrelsen gäller för detta samarbete.",
            requirements(failing)
        ),
        Text::WrongType { expected } => format!("Förväntade {}.", expected_words(expected)),
        Text::PurposeRequired => "Ett samarbete ska bidra till minst ett av policyns sju syften.".into(),
        Text::PartnerRequired => "Ett samarbete ska ha minst en part.".into(),
        Text::StartDateRequired => {
            "Ett samarbete behöver ett startdatum innan det kan aktiveras.".into()
        }
        Text::ProjectTypeHasProjectPurpose => {
            "Ett projekt ska ha syftet projektsamverkan.".into()
        }
        Text::ProjectSeveralParties => {
            "Projektsamverkan förutsätter att flera parter medverkar: minst två parter utöver Borås Stad.".into()
        }
        Text::ProjectExternalFunding => {
            "Projektsamverkan bör ha extern finansiering där så är möjligt (till exempel EU-medel), eller ange varför det inte är möjligt i externalFundingNotPossibleReason.".into()
        }
        Text::SisterCityPartner => {
            "Syftet utveckling av arbetet med vänorter bör ha en vänort bland parterna.".into()
        }
        Text::BodyNotObject => "Innehållet måste vara ett JSON-objekt.".into(),
        Text::BodyNotJson => "Innehållet måste vara JSON: Content-Type application/json (eller application/merge-patch+json för PATCH).".into(),
        Text::BodyTooLarge => "Begärans innehåll är större än vad åtgärden tar emot.".into(),
        Text::BodyUnreadable => "Begärans innehåll kunde inte läsas.".into(),
        Text::BodyTrailing => "Innehållet har tecken efter JSON-värdet.".into(),
        Text::BodyDuplicateKey => "Fältet förekommer två gånger i samma objekt; ange det en gång.".into(),
        Text::BodyMalformed { line, column } => {
            format!("Innehållet är inte välformad JSON (rad {line}, kolumn {column}).")
        }
        Text::UnknownField { field } => {
            format!("'{field}' är inget fält i denna begäran, eller så är det skrivskyddat.")
        }
        Text::Required { field } => format!("'{field}' är obligatoriskt."),
        Text::OneOf { values } => format!("Måste vara något av {values}."),
        // serde's own words are English: the Swedish sentence says only that the value is refused.
        Text::InvalidValue { .. } => "Värdet är inte giltigt.".into(),
        Text::NulInParameter { name } => format!("'{name}' får inte innehålla ett NUL-tecken."),
        Text::DuplicateParameter { name } => format!("'{name}' anges mer än en gång."),
        Text::UnknownParameter { name } => format!("'{name}' är ingen parameter för denna åtgärd."),
        Text::PageRange => "page är ett heltal från 1 till 2147483647.".into(),
        Text::LimitRange => "limit är ett heltal från 1 till 100.".into(),
        Text::QueryTooLong => "q får vara högst 200 tecken.".into(),
        Text::IfMatchRequired => "Åtgärden kräver ett If-Match-huvud med resursens ETag, så att den inte skriver över en ändring du inte har sett.".into(),
        Text::VersionMismatch { current } => format!(
            "Resursen har ändrats sedan du läste den; den har nu ETag \"{current}\". Läs den igen och gör om ändringen."
        ),
        Text::IdempotencyKeyInvalid => {
            "Idempotency-Key är 1–255 synliga ASCII-tecken, till exempel ett UUID.".into()
        }
        Text::IdempotencyKeyReused => "Denna Idempotency-Key har använts med ett annat innehåll. Använd en ny nyckel för en ny begäran.".into(),
        Text::IdempotencyKeyGone => "Det som skapades med denna Idempotency-Key har tagits bort sedan dess, och det sparade svaret med det. Inget skapades nu; använd en ny nyckel för att skapa det igen.".into(),
        Text::IdempotencyKeyInUse => "En begäran med denna Idempotency-Key behandlas fortfarande. Försök igen när den är klar.".into(),
        Text::MethodNotAllowed { method, allowed } => {
            format!("{method} är inte tillåtet här. Tillåtet: {allowed}.")
        }
        Text::NoSuchPath => {
            "Det finns ingen resurs på denna sökväg. API:et finns under /api/v1; se /docs.".into()
        }
        Text::RoleRequired { roles } => format!("Åtgärden kräver någon av rollerna: {roles}."),
        Text::TokenRequired => "En bearer-token krävs (Authorization: Bearer <token>).".into(),
        Text::TokenInvalid => "Token saknas, är felaktig, har gått ut eller är inte utfärdad för denna tjänst.".into(),
        Text::TokenExpired => "Token har gått ut.".into(),
        Text::TokenNotYetValid => "Token gäller inte ännu (dess nbf ligger i framtiden).".into(),
        Text::TokenWrongAudience => "Token är utfärdad för en annan mottagare (aud).".into(),
        Text::TokenWrongIssuer => "Token är utfärdad av en annan utfärdare (iss).".into(),
        Text::TokenUnknownKey => "Token är signerad med en nyckel som tjänsten inte känner till (kid).".into(),
        Text::TokenBadSignature => "Tokens signatur går inte att verifiera.".into(),
        Text::KeysNotLoaded => "Identitetsleverantörens signeringsnycklar är inte inlästa ännu. Försök igen om en stund.".into(),
        Text::DelegationRequired => "Ett delegationsbeslut anger delegationen.".into(),
        Text::DenialHasNoValidity => "Ett avslag har ingen giltighetstid.".into(),
        Text::ValidUntilBeforeValidFrom => "validUntil får inte vara före validFrom.".into(),
        Text::NoSuchAgreement => "Det finns inget samarbete med denna identitet.".into(),
        Text::NotAParty => "Parten ingår inte i detta samarbete.".into(),
        Text::AgreementClosed => "Samarbetet är avslutat eller avbrutet.".into(),
        Text::RequestAlreadyOpen { id } => format!(
            "Begäran om undantag {id} för detta samarbete och denna part är redan öppen eller beviljad."
        ),
        Text::OwnRequest => {
            "Du har lämnat denna begäran, så någon annan måste registrera beslutet.".into()
        }
        Text::OwnRequestRule => {
            "Ingen registrerar beslut om en begäran hon eller han själv har lämnat.".into()
        }
        Text::NotAUuid { name } => format!("{name} är ett UUID."),
        Text::TooManyIndicators { max } => format!("Högst {max} indikatorer."),
        Text::NoSuchIndicator { id } => format!("Det finns ingen importerad indikator {id}."),
        Text::IndicatorOfAnotherCountry { id, of, not } => {
            format!("Indikatorn {id} gäller {of}, inte {not}.")
        }
        Text::RequiredUnlessImported { field } => format!(
            "'{field}' är obligatoriskt om inte indicatorId anger ett importerat värde."
        ),
        Text::AssessedInTheFuture => "assessedAt kan inte ligga i framtiden.".into(),
        Text::ValidUntilBeforeAssessedAt => "validUntil får inte vara före assessedAt.".into(),
        Text::NoSuchPartnerId { id } => format!("Det finns ingen samarbetspart {id}."),
        Text::PartnerNotAssessable { kind } => format!(
            "Endast en samarbetspart som är en stad eller en region bedöms för sig; denna är {}.",
            partner_kind(kind)
        ),
        Text::PartnerInCountry { country } => format!(
            "Samarbetsparten finns i {country}; utelämna countryCode eller ange {country}."
        ),
        Text::SubjectRequired => "Ange vad som bedöms: countryCode för ett land eller partnerId för en stad eller region.".into(),
        Text::NoSuchCountry { code } => format!("Det finns inget land {code}."),
        Text::AssessmentNotDraft { status } => format!(
            "Bedömningen är {}; endast ett utkast kan ändras, tas bort eller publiceras. Skapa en ny bedömning i stället.",
            assessment_status(status)
        ),
        Text::FourEyes => {
            "Du har skrivit eller ändrat denna bedömning; en annan samordnare måste publicera den.".into()
        }
        Text::DraftExpired => "Utkastets validUntil har passerat; ändra det innan det publiceras.".into(),
        Text::PublishedConcurrently => "En annan bedömning av samma sak publicerades samtidigt. Försök igen.".into(),
        Text::UnitCodeInPathInvalid => "Enhetskoden i sökvägen är inte giltig.".into(),
        Text::NoSuchUnitCode { code } => format!("Det finns ingen enhet {code}."),
        Text::UnitBelowItself => "En enhet kan inte placeras under sig själv eller under en enhet som ligger under den.".into(),
        Text::UnitExists { code } => format!("Det finns redan en enhet med koden {code}."),
        Text::UnitHasChildren => {
            "Det finns enheter under denna enhet; flytta eller ta bort dem först.".into()
        }
        Text::IdInPathNotUuid => "Identiteten i sökvägen är inget UUID.".into(),
        Text::CoordinatorOnly { fields } => format!(
            "Endast en samordnare får ändra {fields}; handläggare ändrar de beskrivande fälten."
        ),
        Text::PartnerReferredTo => "Samarbetsparten refereras (av kontakter eller bedömningar); arkivera den i stället.".into(),
        Text::TooLong { field, max } => format!("{field} får vara högst {max} tecken."),
        Text::DeliveryPending => "Leveransen väntar redan; den kommer att försökas ändå.".into(),
        Text::NotYourUnit { unit } => format!(
            "Du får inte agera för enheten {unit}: handläggare agerar för sin egen enhet och enheterna under den."
        ),
        Text::OnlyGrantedRevoked { status } => format!(
            "Endast ett beviljat undantag kan återkallas; detta är {}.",
            request_status(status)
        ),
        Text::RevocationBeforeGrant => "Ett återkallande kan inte föregå beviljandet.".into(),
        Text::OnlyPendingWithdrawn { status } => format!(
            "Endast en väntande begäran kan dras tillbaka; denna är {}.",
            request_status(status)
        ),
        Text::CountryCodeForm => "countryCode är ISO 3166-1 alpha-2 med versaler.".into(),
        Text::ClosedAgreementUnchanged => {
            "Ett avslutat eller avbrutet samarbete är en allmän handling och ändras inte.".into()
        }
        Text::OnlyDraftsDeleted => {
            "Endast utkast kan tas bort; avbryt eller avsluta samarbetet i stället.".into()
        }
        Text::DraftHasRequests => {
            "Begäranden om undantag hänvisar till utkastet; avbryt det i stället.".into()
        }
        Text::ComplianceOfActiveOnly { status } => format!(
            "Efterlevnad bedöms för aktiva samarbeten; detta är {}.",
            agreement_status(status)
        ),
        Text::UnitCodeParamInvalid => "unitCode är ingen giltig enhetskod.".into(),
        Text::NotAPartyOfThatAgreement => {
            "Inget samarbete med den identiteten har denna part.".into()
        }
        Text::BodyNotCsv => "Innehållet måste vara CSV: Content-Type text/csv (UTF-8).".into(),
        Text::CountryCodeInPath => {
            "Landskoden är ISO 3166-1 alpha-2 med versaler, till exempel NO.".into()
        }
        Text::ExpiresWithinDays => "expiresWithinDays är ett heltal från 0 till 3660.".into(),
        Text::RetentionInThePast => {
            "retentionUntil måste vara i dag eller senare; en kontakt efter det datumet gallras.".into()
        }
        Text::AfterRange => "after är 0 eller mer.".into(),
        Text::FeedLimitRange => "limit är 1–1000.".into(),
        Text::DateOrRange => "Ange antingen date eller from och to, inte båda.".into(),
        Text::RangeNeedsTo => "Ett intervall behöver to såväl som from.".into(),
        Text::RangeNeedsFrom => "Ett intervall behöver from såväl som to.".into(),
        Text::ToBeforeFrom => "to får inte vara före from.".into(),
        Text::ExpiresWithinDaysReport { max } => {
            format!("expiresWithinDays är ett antal dagar från 1 till {max}.")
        }
        Text::RangeIsTheWindow => {
            "Med ett intervall är intervallet fönstret; utelämna expiresWithinDays.".into()
        }
        Text::DatabaseUnreachable => "Databasen går inte att nå. Försök igen om en stund.".into(),
        Text::InternalError => "Begäran kunde inte slutföras. Felet har loggats.".into(),
        Text::UniqueViolation => "Det finns redan en resurs med samma identitet.".into(),
        Text::ForeignKeyViolation => "Ändringen skulle bryta en referens mellan resurser.".into(),
        Text::SerializationFailure => {
            "Resursen ändrades av en annan begäran samtidigt. Försök igen.".into()
        }
        Text::ProblemTitle { slug } => title(slug).into(),
        Text::RateLimited { wait } => {
            format!("För många begäranden från denna klient. Försök igen om {wait} s.")
        }
        Text::PathParameterInvalid => "En sökvägsparameter är inte giltig.".into(),
        Text::DateForm => "Ett datum skrivs ÅÅÅÅ-MM-DD, med fyrsiffrigt år, och ska vara en dag som finns.".into(),
        Text::DateTimeForm => "En tidpunkt skrivs enligt RFC 3339 (ÅÅÅÅ-MM-DDThh:mm:ssZ), med fyrsiffrigt år.".into(),
        Text::ParameterNotUtf8 { name } => format!("'{name}' är inte UTF-8 när procentkodningen har avkodats."),
        Text::PathNotUtf8 => "Sökvägen är inte UTF-8 när procentkodningen har avkodats.".into(),
        Text::UriTooLong { max } => format!("Begärans första rad är längre än tjänsten tar emot ({max} byte)."),
        Text::HeadTooLarge { max } => format!("Begärans huvudfält är större än tjänsten tar emot ({max} byte sammanlagt)."),
        Text::TooManyHeaders { max } => format!("Begäran har fler huvudfält än tjänsten tar emot ({max})."),
        Text::MalformedRequest => "Begäran är inte en välformad HTTP/1.1-begäran.".into(),
        Text::CursorMoved => "En annan utskickare flyttade markören.".into(),
        Text::SeedNeedsEmptyDatabase => "Databasen innehåller redan data (enheter, parter, samarbeten eller bedömningar); demodata är bara för en tom databas. Ingenting ändrades.".into(),
        Text::UnitCodeForm => "En enhetskod är 1–32 tecken av A–Z, 0–9, '-' och '_' och börjar med en bokstav eller siffra.".into(),
        Text::CountryCodeValue => {
            "En landskod är ISO 3166-1 alpha-2 med versaler, till exempel SE eller NO.".into()
        }
        Text::NotEmpty => "Får inte vara tomt.".into(),
        Text::AtMostChars { max } => format!("Får vara högst {max} tecken."),
        Text::NoControlCharacters => "Får inte innehålla styrtecken.".into(),
        Text::UrlForm => "Måste vara en absolut https- eller http-adress, till exempel https://www.example.org/.".into(),
        Text::EuPicForm => "Ett EU PIC är nio siffror.".into(),
        Text::OrganisationNumberForm => "Ett organisationsnummer är 1–50 bokstäver, siffror, mellanslag, '-', '.' eller '/'.".into(),
        Text::EmailForm => "Måste vara en e-postadress, till exempel anna.berg@example.org.".into(),
        Text::PhoneForm => "Ett telefonnummer är 3–40 siffror, mellanslag och tecknen + - ( ) .".into(),
        Text::CaseNumberForm => "Ett diarienummer är 1–100 skrivbara tecken.".into(),
        Text::SdgForm => "Ett globalt mål är ett tal från 1 till 17.".into(),
        Text::AmountForm => "Ett belopp är en decimalsträng med högst två decimaler, till exempel \"125000.50\".".into(),
        Text::CurrencyForm => "En valuta är en ISO 4217-kod som SEK eller EUR.".into(),
        Text::NotFound { what } => {
            // Neuter nouns take "inget", common-gender ones "ingen".
            let what = match what {
                Thing::Agreement => "inget samarbete",
                Thing::Assessment => "ingen bedömning",
                Thing::Contact => "ingen kontaktperson",
                Thing::Country => "inget land",
                Thing::Delivery => "ingen leverans",
                Thing::ExceptionRequest => "ingen begäran om undantag",
                Thing::Partner => "ingen samarbetspart",
                Thing::Unit => "ingen enhet",
                Thing::Webhook => "ingen webhook",
                Thing::Other { sv, .. } => return format!("Det finns ingen {sv} med den identiteten."),
            };
            format!("Det finns {what} med den identiteten.")
        }
        Text::CsvHeaderMalformed => "Rubrikraden är inte giltig CSV i UTF-8.".into(),
        Text::CsvUnknownColumn { name } => format!(
            "'{name}' är ingen kolumn i en indikatorimport; kolumnerna är countryCode, source, edition, metric, value, category och url."
        ),
        Text::CsvDuplicateColumn { name } => format!("Kolumnen '{name}' förekommer två gånger."),
        Text::CsvMissingColumn { name } => format!("Kolumnen '{name}' är obligatorisk."),
        Text::CsvRowMalformed => "Raden är inte giltig CSV i UTF-8 eller har ett annat antal celler än rubrikraden.".into(),
        Text::CsvNumberForm => {
            "Måste vara ett tal med '.' som decimaltecken, till exempel 93 eller 0.85.".into()
        }
        Text::CsvDuplicateRow => "Samma land, källa, utgåva och mått finns på en tidigare rad.".into(),
        Text::CsvNoValues => "Filen har en rubrikrad men inga värden.".into(),
        Text::EventTypeForm => "Förväntade en entitetstyp som AGREEMENT eller ett händelsenamn som AGREEMENT.ACTIVATED.".into(),
        Text::TooManyEventTypes => "Högst 50 händelsetyper.".into(),
        Text::ImportMediaType => "Filen ska vara CSV (text/csv) eller en Excel-arbetsbok (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet).".into(),
        Text::ImportTooLarge { max_mib } => format!("Filen är större än {max_mib} MiB; importera den i delar."),
        Text::ImportTooManyRows { max } => format!("Filen har fler än {max} rader; importera den i delar."),
        Text::ImportUnknownColumn { name } => format!("'{name}' är ingen kolumn i exporten av samarbeten."),
        Text::WorkbookUnreadable => "Filen är ingen Excel-arbetsbok (.xlsx) med ett blad som går att läsa.".into(),
        Text::WorkbookTooLarge { max_mib } => format!("Arbetsboken packas upp till mer än {max_mib} MiB; importera den i delar eller som CSV."),
        Text::CellHoldsError => "Cellen innehåller ett kalkylbladsfel (till exempel #REF! eller #VÄRDEFEL!), inget värde.".into(),
        Text::EndedNeedsEndDate => "Ett avslutat samarbete behöver dagen då det avslutades i endDate.".into(),
        Text::PartnerRecordForm => "En samarbetspart skrivs partnerId:namn:landskod:TYP; utan id anges namnet, landskoden och typen.".into(),
        Text::FundingRecordForm => "En finansieringsrad skrivs KÄLLA:program:belopp:VALUTA (programmet får vara tomt).".into(),
        Text::TargetRefused { why } => {
            let why = match why {
                TargetRefusal::NotAUrl => "ingen absolut URL".to_string(),
                TargetRefusal::Scheme => {
                    "endast https (eller http till ett listat mål) är tillåtet".into()
                }
                TargetRefusal::Credentials => {
                    "användarnamn och lösenord i adressen är inte tillåtna".into()
                }
                TargetRefusal::NoHost => "adressen saknar värd".into(),
                TargetRefusal::PlainHttp => {
                    "okrypterad http är tillåten endast till mål listade i SAMVERKAN_WEBHOOK_ALLOW".into()
                }
                TargetRefusal::Address { ip } => format!(
                    "målet pekar på {ip}, som inte är en publik adress och inte är listad i SAMVERKAN_WEBHOOK_ALLOW"
                ),
            };
            format!("Målet är inte tillåtet: {why}.")
        }
        Text::NoSuchUnit => "Det finns ingen sådan enhet.".into(),
        Text::TooManyPartners => "Högst 50 parter.".into(),
        Text::TooManyFundings => "Högst 50 finansieringsrader.".into(),
        Text::PartnerListedTwice => "Denna part finns redan med.".into(),
        Text::NoSuchPartner => "Det finns ingen part med denna identitet.".into(),
        Text::PartnerArchived => "Parten är arkiverad och kan inte ingå i ett samarbete.".into(),
        Text::PurposeListedTwice => "Syftet finns redan med.".into(),
        Text::GoalListedTwice => "Målet finns redan med.".into(),
        Text::EndDateBeforeStartDate => "endDate får inte vara före startDate.".into(),
        Text::StatusChange { from, to } => format!(
            "Ett samarbete som är {} kan inte bli {}.",
            agreement_status(from),
            agreement_status(to)
        ),
        Text::DecisionOnClosedRequest { status } => format!(
            "Begäran är {}; beslut registreras en gång, på en väntande begäran.",
            request_status(status)
        ),
    }
}

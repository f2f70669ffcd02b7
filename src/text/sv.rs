//! Katalogen på svenska.

use super::{Code, Expected, Text, listed};

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

pub fn render(text: &Text) -> String {
    match text {
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
    }
}

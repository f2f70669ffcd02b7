//! The catalogue in English.

use super::{Code, Expected, TargetRefusal, Text, Thing, listed};

fn word(code: &Code) -> String {
    match code {
        Code::HumanRights => "human rights".into(),
        Code::Democracy => "democracy".into(),
        Code::RuleOfLaw => "the rule of law".into(),
        Code::AssessmentRequired => "a valid assessment".into(),
        Code::Country => "the country".into(),
        Code::Partner => "the partner itself".into(),
        Code::Other(code) => code.to_lowercase().replace('_', " "),
    }
}

fn words(codes: &[Code]) -> String {
    listed(&codes.iter().map(word).collect::<Vec<_>>(), "and")
}

/// "the requirement of democracy" / "the requirements of human rights and the rule of law".
fn requirements(codes: &[Code]) -> String {
    let noun = if codes.len() == 1 {
        "the requirement"
    } else {
        "the requirements"
    };
    format!("{noun} of {}", words(codes))
}

fn expected_words(expected: &Expected) -> String {
    match expected {
        Expected::Text => "a string".into(),
        Expected::WholeNumber => "a whole number".into(),
        Expected::Number => "a number".into(),
        Expected::Boolean => "true or false".into(),
        Expected::List => "a list".into(),
        Expected::Object => "an object".into(),
        Expected::Date => "a date (YYYY-MM-DD)".into(),
        Expected::DateTime => "a date and time (RFC 3339)".into(),
        Expected::Other(words) => words.clone(),
    }
}

/// A problem type's title; a slug without one (a new kind) is shown as is: `tests/texts.rs`
/// fails until it has words.
fn title(slug: &'static str) -> &'static str {
    match slug {
        "validation-failed" => "The request is not valid",
        "unauthorized" => "Authentication is required",
        "forbidden" => "The operation is not permitted",
        "not-found" => "The resource was not found",
        "method-not-allowed" => "The method is not allowed",
        "not-acceptable" => "No acceptable representation",
        "unsupported-media-type" => "Unsupported media type",
        "payload-too-large" => "The request body is too large",
        "uri-too-long" => "The request line is too long",
        "header-fields-too-large" => "The request header fields are too large",
        "malformed-request" => "The request is malformed",
        "conflict" => "The request conflicts with the resource's state",
        "activation-blocked" => "Activation is blocked",
        "version-mismatch" => "The resource has changed",
        "precondition-required" => "If-Match is required",
        "idempotency-key-reused" => "The idempotency key was used with another request",
        "idempotency-key-in-use" => "A request with this idempotency key is in progress",
        "gone" => "The resource is gone",
        "rate-limited" => "Too many requests",
        "service-unavailable" => "The service is temporarily unavailable",
        "internal-error" => "An internal error occurred",
        other => other,
    }
}

fn partner_kind(kind: &str) -> &'static str {
    match kind {
        "CITY" => "a city",
        "REGION" => "a region",
        "AUTHORITY" => "an authority",
        "UNIVERSITY" => "a university",
        "ORGANISATION" => "an organisation",
        "COMPANY" => "a company",
        "NETWORK" => "a network",
        _ => "of another kind",
    }
}

fn assessment_status(status: &str) -> &'static str {
    match status {
        "DRAFT" => "a draft",
        "PUBLISHED" => "published",
        "SUPERSEDED" => "superseded",
        _ => "no longer a draft",
    }
}

fn agreement_status(status: &str) -> &'static str {
    match status {
        "DRAFT" => "a draft",
        "ACTIVE" => "active",
        "ENDED" => "ended",
        "CANCELLED" => "cancelled",
        _ => "in another state",
    }
}

fn request_status(status: &str) -> &'static str {
    match status {
        "REQUESTED" => "pending",
        "GRANTED" => "granted",
        "DENIED" => "denied",
        "WITHDRAWN" => "withdrawn",
        "REVOKED" => "revoked",
        _ => "closed",
    }
}

/// An export column's label, by its machine name (`http::export`); `None` for a name without one.
pub fn column_label(name: &str) -> Option<&'static str> {
    Some(match name {
        "id" => "ID",
        "code" => "Code",
        "title" => "Title",
        "description" => "Description",
        "type" => "Type",
        "unitCode" => "Unit",
        "partnerIds" => "Partner IDs",
        "partners" => "Partners",
        "purposes" => "Purposes",
        "sdgs" => "Global goals",
        "fundings" => "Funding",
        "externalFundingNotPossibleReason" => "Why no external funding",
        "startDate" => "Start date",
        "endDate" => "End date",
        "caseNumber" => "Case number",
        "status" => "Status",
        "compliance.status" => "Compliance",
        "compliance.asOf" => "Compliance judged on",
        "compliance.reasons" => "Compliance reasons",
        "warnings" => "Warnings",
        "registeredRetroactively" => "Registered retroactively",
        "boundByPolicy" => "Bound by the policy",
        "overdue" => "Past end date",
        "activatedAt" => "Activated",
        "activatedBy" => "Activated by",
        "endedAt" => "Ended",
        "endReason" => "Reason for ending",
        "cancelledAt" => "Cancelled",
        "cancelReason" => "Reason for cancelling",
        "version" => "Version",
        "createdAt" => "Created",
        "updatedAt" => "Updated",
        "countryCode" => "Country",
        "partnerId" => "Partner ID",
        "humanRights.verdict" => "Human rights",
        "humanRights.rationale" => "Human rights, rationale",
        "democracy.verdict" => "Democracy",
        "democracy.rationale" => "Democracy, rationale",
        "ruleOfLaw.verdict" => "Rule of law",
        "ruleOfLaw.rationale" => "Rule of law, rationale",
        "assessedAt" => "Assessed on",
        "validUntil" => "Valid until",
        "outcome" => "Outcome",
        "failingRequirements" => "Requirements not met",
        "publishedAt" => "Published",
        "publishedBy" => "Published by",
        "supersededAt" => "Superseded",
        "supersededBy" => "Superseded by",
        "draftedBy" => "Drafted by",
        "name" => "Name",
        "role" => "Role",
        "email" => "Email",
        "phone" => "Phone",
        "retentionUntil" => "Kept until",
        "alpha3" => "Three-letter code",
        "nameEn" => "Name in English",
        "standing.outcome" => "Standing",
        "standing.assessmentId" => "Assessment ID",
        "standing.assessedAt" => "Assessed on",
        "standing.validUntil" => "Assessment valid until",
        "standing.expired" => "Assessment expired",
        "standing.failingRequirements" => "Requirements not met",
        "agreementId" => "Agreement ID",
        "justification" => "Justification",
        "requestedBy" => "Requested by",
        "decision.decision" => "Decision",
        "decision.decidingBody" => "Deciding body",
        "decision.delegationReference" => "Delegation reference",
        "decision.decidedAt" => "Decided on",
        "decision.protocolParagraph" => "Minutes paragraph",
        "decision.conditions" => "Conditions",
        "decision.validFrom" => "Valid from",
        "decision.validUntil" => "Valid until",
        "decision.recordedBy" => "Decision recorded by",
        "decision.recordedAt" => "Decision recorded",
        "revocation.decidingBody" => "Revoking body",
        "revocation.delegationReference" => "Revocation delegation reference",
        "revocation.decidedAt" => "Revoked on",
        "revocation.protocolParagraph" => "Revocation minutes paragraph",
        "revocation.reason" => "Reason for revoking",
        "revocation.recordedBy" => "Revocation recorded by",
        "revocation.recordedAt" => "Revocation recorded",
        "withdrawnAt" => "Withdrawn",
        "indicators" => "Indicators",
        "importId" => "Import ID",
        "source" => "Source",
        "edition" => "Edition",
        "metric" => "Metric",
        "value" => "Value",
        "category" => "Category",
        "url" => "Web address",
        "importedAt" => "Imported",
        "importedBy" => "Imported by",
        "kind" => "Kind",
        "city" => "City",
        "externalIds.euPic" => "EU PIC",
        "externalIds.organisationNumber" => "Organisation number",
        "website" => "Website",
        "sisterCity" => "Sister city",
        "sisterCitySince" => "Sister city since",
        "archived" => "Archived",
        "parentCode" => "Parent unit",
        "validFrom" => "Valid from",
        "eventTypes" => "Event types",
        "active" => "Active",
        "webhookId" => "Webhook ID",
        "eventId" => "Event ID",
        "eventType" => "Event type",
        "attempts" => "Attempts",
        "lastResponseCode" => "Last response code",
        "lastError" => "Last error",
        "lastAttemptAt" => "Last attempt",
        "nextAttemptAt" => "Next attempt",
        "deliveredAt" => "Delivered",
        "section" => "Section",
        "key" => "Key",
        "label" => "Label",
        "count" => "Count",
        "currency" => "Currency",
        "amount" => "Amount",
        "percent" => "Percent",
        "date" => "Date",
        "detail" => "Detail",
        "days" => "Days",
        _ => return None,
    })
}

/// A report section's name, as its sheet in a workbook is named; `None` for another code.
pub fn report_section(code: &str) -> Option<&'static str> {
    Some(match code {
        "PERIOD" => "Period",
        "ACTIVE_AGREEMENTS" => "Active agreements",
        "PURPOSE" => "By purpose",
        "SDG" => "By global goal",
        "UNIT" => "By unit",
        "COUNTRY" => "By country",
        "TYPE" => "By type",
        "SISTER_CITY" => "Sister cities",
        "FUNDING" => "Funding",
        "FUNDING_TOTAL" => "Funding totals",
        "UNDER_REVIEW" => "Under review",
        "OVERDUE" => "Past end date",
        "ASSESSMENT" => "Expiring assessments",
        "EXCEPTION" => "Expiring exceptions",
        "WAITING_REQUEST" => "Waiting requests",
        _ => return None,
    })
}

pub fn render(text: &Text) -> String {
    match text {
        Text::ColumnLabel { name } => column_label(name).unwrap_or(name).into(),
        Text::ReportSection { code } => report_section(code).unwrap_or(code).into(),
        Text::EligibleAllMet => "The applicable assessments meet all three requirements.".into(),
        Text::EligibleByException { failing } => format!(
            "The partner does not meet {}, but an exception granted by Kommunstyrelsen is in force for this agreement.",
            requirements(failing)
        ),
        Text::ExceptionRequiredForAgreement { failing } => format!(
            "The partner does not meet {} and no exception is in force for this agreement.",
            requirements(failing)
        ),
        Text::ExceptionRequired { failing } => format!(
            "The partner does not meet {}; an exception decided by Kommunstyrelsen for a specific agreement is required.",
            requirements(failing)
        ),
        Text::AssessmentRequired { date, missing } => format!(
            "No published assessment valid on {date} exists for {}. An exception never replaces an assessment.",
            words(missing)
        ),
        Text::ComplianceNoValidAssessment { missing } => format!(
            "No published assessment valid today exists for {}.",
            words(missing)
        ),
        Text::ComplianceExceptionRevoked => {
            "The exception for this partner has been revoked.".into()
        }
        Text::ComplianceExceptionExpired => {
            "The exception for this partner is no longer in force.".into()
        }
        Text::ComplianceFailingAssessment { failing } => {
            format!("The partner no longer meets {}.", requirements(failing))
        }
        Text::EndDateInTheFuture { end, today } => {
            format!("An agreement ends on a day that has come: {end} is after today ({today}).")
        }
        Text::EndDateBeforeStart { end, start } => {
            format!("The end date {end} is before the start date {start}.")
        }
        Text::DecidedInTheFuture { decided, today } => format!(
            "A decision is dated on the day it was made: {decided} is after today ({today})."
        ),
        Text::Faults { count: 1 } => "The request has 1 fault.".into(),
        Text::Faults { count } => format!("The request has {count} faults."),
        Text::ActivationBlocked { count: 1 } => {
            "1 rule of Internationell policy blocks this; see errors.".into()
        }
        Text::ActivationBlocked { count } => {
            format!("{count} rules of Internationell policy block this; see errors.")
        }
        Text::ActivationAssessmentRequired { date } => format!(
            "No published assessment of the partner's country (or of the partner itself) is valid on {date}."
        ),
        Text::ActivationExceptionRequired { date, failing } => format!(
            "On {date} the partner does not meet {} and no exception decided by Kommunstyrelsen is in force for this agreement.",
            requirements(failing)
        ),
        Text::WrongType { expected } => format!("Expected {}.", expected_words(expected)),
        Text::PurposeRequired => {
            "A collaboration must contribute to at least one of the policy's seven purposes.".into()
        }
        Text::PartnerRequired => "A collaboration must have at least one partner.".into(),
        Text::StartDateRequired => {
            "An agreement needs a start date before it can be activated.".into()
        }
        Text::ProjectTypeHasProjectPurpose => {
            "A project agreement must have the purpose project collaboration.".into()
        }
        Text::ProjectSeveralParties => {
            "Project collaboration requires several parties: at least two partners besides the city.".into()
        }
        Text::ProjectExternalFunding => {
            "A project collaboration should have external funding where possible (for example EU funds), or say why it is not possible in externalFundingNotPossibleReason.".into()
        }
        Text::SisterCityPartner => {
            "The purpose of developing the work with sister cities should have a sister city among the partners.".into()
        }
        Text::BodyNotObject => "The body must be a JSON object.".into(),
        Text::BodyNotJson => "The body must be JSON: Content-Type application/json (or application/merge-patch+json for PATCH).".into(),
        Text::BodyTooLarge => "The request body is larger than this operation accepts.".into(),
        Text::BodyUnreadable => "The request body could not be read.".into(),
        Text::BodyTrailing => "The body has trailing characters after the JSON value.".into(),
        Text::BodyDuplicateKey => "This member is given twice in the same object; give it once.".into(),
        Text::BodyMalformed { line, column } => {
            format!("The body is not well-formed JSON (line {line}, column {column}).")
        }
        Text::UnknownField { field } => {
            format!("'{field}' is not a field of this request, or it is read-only.")
        }
        Text::Required { field } => format!("'{field}' is required."),
        Text::OneOf { values } => format!("Must be one of {values}."),
        Text::InvalidValue { message } => {
            let mut chars = message.chars();
            match chars.next() {
                Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
                None => "The value is not valid.".into(),
            }
        }
        Text::NulInParameter { name } => format!("'{name}' must not contain a NUL character."),
        Text::DuplicateParameter { name } => format!("'{name}' is given more than once."),
        Text::UnknownParameter { name } => format!("'{name}' is not a parameter of this operation."),
        Text::PageRange => "page is a whole number from 1 to 2147483647.".into(),
        Text::LimitRange => "limit is a whole number from 1 to 100.".into(),
        Text::QueryTooLong => "q is at most 200 characters.".into(),
        Text::IfMatchRequired => "This operation needs an If-Match header with the resource's ETag, so that it cannot overwrite a change you have not seen.".into(),
        Text::VersionMismatch { current } => format!(
            "The resource has changed since you read it; it is now at ETag \"{current}\". Read it again and reapply your change."
        ),
        Text::IdempotencyKeyInvalid => {
            "Idempotency-Key is 1–255 visible ASCII characters, such as a UUID.".into()
        }
        Text::IdempotencyKeyReused => "This Idempotency-Key was used with a different request body. Use a new key for a new request.".into(),
        Text::IdempotencyKeyGone => "What this Idempotency-Key created has since been deleted, and its stored response with it. Nothing was created now; use a new key to create it again.".into(),
        Text::IdempotencyKeyInUse => "A request with this Idempotency-Key is still being processed. Retry when it has finished.".into(),
        Text::MethodNotAllowed { method, allowed } => {
            format!("{method} is not allowed here. Allowed: {allowed}.")
        }
        Text::NoSuchPath => {
            "No resource exists at this path. The API is under /api/v1; see /docs.".into()
        }
        Text::RoleRequired { roles } => format!("This operation needs one of the roles: {roles}."),
        Text::TokenRequired => {
            "A bearer token is required (Authorization: Bearer <token>).".into()
        }
        Text::TokenInvalid => "The bearer token is missing, malformed, expired or not issued for this service.".into(),
        Text::TokenExpired => "The bearer token has expired.".into(),
        Text::TokenNotYetValid => "The bearer token is not valid yet (its nbf is in the future).".into(),
        Text::TokenWrongAudience => "The bearer token is issued for another audience (aud).".into(),
        Text::TokenWrongIssuer => "The bearer token is issued by another issuer (iss).".into(),
        Text::TokenUnknownKey => "The bearer token is signed with a key this service does not know (kid).".into(),
        Text::TokenBadSignature => "The bearer token's signature does not verify.".into(),
        Text::KeysNotLoaded => "The identity provider's signing keys are not loaded yet. Try again shortly.".into(),
        Text::DelegationRequired => "A decision by a delegate names the delegation.".into(),
        Text::DenialHasNoValidity => "A denial has no validity.".into(),
        Text::ValidUntilBeforeValidFrom => "validUntil must not be before validFrom.".into(),
        Text::NoSuchAgreement => "There is no agreement with this id.".into(),
        Text::NotAParty => "The partner is not a party to this agreement.".into(),
        Text::AgreementClosed => "The agreement has ended or been cancelled.".into(),
        Text::RequestAlreadyOpen { id } => format!(
            "Exception request {id} for this agreement and partner is already open or granted."
        ),
        Text::OwnRequest => {
            "You filed this request, so someone else must record its decision.".into()
        }
        Text::OwnRequestRule => "Nobody records the decision on a request they filed.".into(),
        Text::NotAUuid { name } => format!("{name} is a UUID."),
        Text::TooManyIndicators { max } => format!("At most {max} indicators."),
        Text::NoSuchIndicator { id } => format!("There is no imported indicator {id}."),
        Text::IndicatorOfAnotherCountry { id, of, not } => {
            format!("Indicator {id} is for {of}, not {not}.")
        }
        Text::RequiredUnlessImported { field } => {
            format!("'{field}' is required unless indicatorId names an imported value.")
        }
        Text::AssessedInTheFuture => "assessedAt cannot lie in the future.".into(),
        Text::ValidUntilBeforeAssessedAt => "validUntil must not be before assessedAt.".into(),
        Text::NoSuchPartnerId { id } => format!("There is no partner {id}."),
        Text::PartnerNotAssessable { kind } => format!(
            "Only a partner that is a city or a region is assessed itself; this one is {}.",
            partner_kind(kind)
        ),
        Text::PartnerInCountry { country } => {
            format!("The partner is in {country}; leave out countryCode or send {country}.")
        }
        Text::SubjectRequired => "Name the subject: countryCode for a country, or partnerId for a city or region.".into(),
        Text::NoSuchCountry { code } => format!("There is no country {code}."),
        Text::AssessmentNotDraft { status } => format!(
            "The assessment is {}; only a draft can be changed, deleted or published. Draft a new assessment instead.",
            assessment_status(status)
        ),
        Text::FourEyes => {
            "You drafted or edited this assessment; another coordinator must publish it.".into()
        }
        Text::DraftExpired => "The draft's validUntil has passed; change it before publishing.".into(),
        Text::PublishedConcurrently => "Another assessment of the same subject was published at the same time. Try again.".into(),
        Text::UnitCodeInPathInvalid => "The unit code in the path is not valid.".into(),
        Text::NoSuchUnitCode { code } => format!("There is no unit {code}."),
        Text::UnitBelowItself => {
            "A unit cannot be placed below itself or below a unit beneath it.".into()
        }
        Text::UnitExists { code } => format!("A unit with code {code} already exists."),
        Text::UnitHasChildren => {
            "Units are placed below this unit; move or delete them first.".into()
        }
        Text::IdInPathNotUuid => "The identifier in the path is not a UUID.".into(),
        Text::CoordinatorOnly { fields } => format!(
            "Only a coordinator may change {fields}; officers edit the descriptive fields."
        ),
        Text::PartnerReferredTo => "The partner is referred to (by contacts or assessments); archive it instead.".into(),
        Text::TooLong { field, max } => format!("{field} is at most {max} characters."),
        Text::DeliveryPending => "The delivery is pending; it will be attempted anyway.".into(),
        Text::NotYourUnit { unit } => format!(
            "You may not act for unit {unit}: officers act for their own unit and the units below it."
        ),
        Text::OnlyGrantedRevoked { status } => format!(
            "Only a granted exception can be revoked; this one is {}.",
            request_status(status)
        ),
        Text::RevocationBeforeGrant => "A revocation cannot precede the grant.".into(),
        Text::OnlyPendingWithdrawn { status } => format!(
            "Only a pending request can be withdrawn; this one is {}.",
            request_status(status)
        ),
        Text::CountryCodeForm => "countryCode is ISO 3166-1 alpha-2 in upper case.".into(),
        Text::ClosedAgreementUnchanged => {
            "An ended or cancelled agreement is an official record and does not change.".into()
        }
        Text::OnlyDraftsDeleted => {
            "Only drafts can be deleted; cancel or end the agreement instead.".into()
        }
        Text::DraftHasRequests => {
            "Exception requests refer to this draft; cancel it instead.".into()
        }
        Text::ComplianceOfActiveOnly { status } => format!(
            "Compliance is judged for active agreements; this one is {}.",
            agreement_status(status)
        ),
        Text::UnitCodeParamInvalid => "unitCode is not a valid unit code.".into(),
        Text::NotAPartyOfThatAgreement => {
            "No agreement with that id has this partner as a party.".into()
        }
        Text::BodyNotCsv => "The body must be CSV: Content-Type text/csv (UTF-8).".into(),
        Text::CountryCodeInPath => {
            "The country code is ISO 3166-1 alpha-2 in upper case, such as NO.".into()
        }
        Text::ExpiresWithinDays => "expiresWithinDays is a whole number from 0 to 3660.".into(),
        Text::RetentionInThePast => {
            "retentionUntil must be today or later; a contact past it is erased.".into()
        }
        Text::AfterRange => "after is 0 or more.".into(),
        Text::FeedLimitRange => "limit is 1–1000.".into(),
        Text::DateOrRange => "Give either date or from and to, not both.".into(),
        Text::RangeNeedsTo => "A range needs to as well as from.".into(),
        Text::RangeNeedsFrom => "A range needs from as well as to.".into(),
        Text::ToBeforeFrom => "to must not be before from.".into(),
        Text::ExpiresWithinDaysReport { max } => {
            format!("expiresWithinDays is a number of days from 1 to {max}.")
        }
        Text::RangeIsTheWindow => {
            "With a range, the range is the window; leave out expiresWithinDays.".into()
        }
        Text::DatabaseUnreachable => "The database is not reachable. Try again shortly.".into(),
        Text::InternalError => {
            "The request could not be completed. The error has been logged.".into()
        }
        Text::UniqueViolation => "A resource with the same identifier already exists.".into(),
        Text::ForeignKeyViolation => {
            "The change would break a reference between resources.".into()
        }
        Text::SerializationFailure => {
            "The resource was changed by another request at the same time. Try again.".into()
        }
        Text::ProblemTitle { slug } => title(slug).into(),
        Text::RateLimited { wait } => {
            format!("Too many requests from this caller. Try again in {wait} s.")
        }
        Text::PathParameterInvalid => "A path parameter is not valid.".into(),
        Text::DateForm => "A date is written YYYY-MM-DD, with a four-digit year, and names a day that exists.".into(),
        Text::DateTimeForm => "A time is written as RFC 3339 (YYYY-MM-DDThh:mm:ssZ), with a four-digit year.".into(),
        Text::ParameterNotUtf8 { name } => format!("'{name}' is not UTF-8 once its percent-encoding is decoded."),
        Text::PathNotUtf8 => "The path is not UTF-8 once its percent-encoding is decoded.".into(),
        Text::UriTooLong { max } => format!("The request line is longer than this service takes ({max} bytes)."),
        Text::HeadTooLarge { max } => format!("The request's header fields are larger than this service takes ({max} bytes in all)."),
        Text::TooManyHeaders { max } => format!("The request has more header fields than this service takes ({max})."),
        Text::MalformedRequest => "The request is not a well-formed HTTP/1.1 request.".into(),
        Text::CursorMoved => "Another dispatcher moved the cursor.".into(),
        Text::SeedNeedsEmptyDatabase => "The database already holds data (units, partners, agreements or assessments); the demo data is only for an empty database. Nothing was changed.".into(),
        Text::UnitCodeForm => "A unit code is 1–32 characters of A–Z, 0–9, '-' and '_', beginning with a letter or digit.".into(),
        Text::CountryCodeValue => {
            "A country code is ISO 3166-1 alpha-2 in upper case, such as SE or NO.".into()
        }
        Text::NotEmpty => "Must not be empty.".into(),
        Text::AtMostChars { max } => format!("Must be at most {max} characters."),
        Text::NoControlCharacters => "Must not contain control characters.".into(),
        Text::UrlForm => {
            "Must be an absolute https or http URL, such as https://www.example.org/.".into()
        }
        Text::EuPicForm => "An EU PIC is nine digits.".into(),
        Text::OrganisationNumberForm => {
            "An organisation number is 1–50 letters, digits, spaces, '-', '.' or '/'.".into()
        }
        Text::EmailForm => "Must be an e-mail address such as anna.berg@example.org.".into(),
        Text::PhoneForm => {
            "A telephone number is 3–40 digits, spaces and + - ( ) . characters.".into()
        }
        Text::CaseNumberForm => "A case number is 1–100 printable characters.".into(),
        Text::SdgForm => "A global goal is a number from 1 to 17.".into(),
        Text::AmountForm => "An amount is a decimal string with at most two decimals, such as \"125000.50\".".into(),
        Text::CurrencyForm => "A currency is an ISO 4217 code such as SEK or EUR.".into(),
        Text::NotFound { what } => {
            let what = match what {
                Thing::Agreement => "agreement",
                Thing::Assessment => "assessment",
                Thing::Contact => "contact",
                Thing::Country => "country",
                Thing::Delivery => "delivery",
                Thing::ExceptionRequest => "exception request",
                Thing::Partner => "partner",
                Thing::Unit => "unit",
                Thing::Webhook => "webhook",
                Thing::Other { en, .. } => en,
            };
            format!("No {what} with that identifier exists.")
        }
        Text::CsvHeaderMalformed => "The header line is not valid UTF-8 CSV.".into(),
        Text::CsvUnknownColumn { name } => format!(
            "'{name}' is not a column of an indicator import; the columns are countryCode, source, edition, metric, value, category and url."
        ),
        Text::CsvDuplicateColumn { name } => format!("The column '{name}' appears twice."),
        Text::CsvMissingColumn { name } => format!("The column '{name}' is required."),
        Text::CsvRowMalformed => "The line is not valid UTF-8 CSV or has another number of cells than the header.".into(),
        Text::CsvNumberForm => {
            "Must be a number with '.' as the decimal point, such as 93 or 0.85.".into()
        }
        Text::CsvDuplicateRow => {
            "The same country, source, edition and metric appear on an earlier line.".into()
        }
        Text::CsvNoValues => "The file has a header but no values.".into(),
        Text::EventTypeForm => "Expected an entity type such as AGREEMENT or an event name such as AGREEMENT.ACTIVATED.".into(),
        Text::TooManyEventTypes => "At most 50 event types.".into(),
        Text::ImportMediaType => "The file must be CSV (text/csv) or an Excel workbook (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet).".into(),
        Text::ImportTooLarge { max_mib } => format!("The file is larger than {max_mib} MiB; import it in parts."),
        Text::ImportTooManyRows { max } => format!("The file has more than {max} rows; import it in parts."),
        Text::ImportUnknownColumn { name } => format!("'{name}' is not a column of the agreements export."),
        Text::WorkbookUnreadable => "The file is not an Excel workbook (.xlsx) with a sheet that can be read.".into(),
        Text::WorkbookTooLarge { max_mib } => format!("The workbook unpacks to more than {max_mib} MiB; import it in parts, or as CSV."),
        Text::CellHoldsError => "The cell holds a spreadsheet error (such as #REF! or #VALUE!), not a value.".into(),
        Text::EndedNeedsEndDate => "An ended agreement needs the day it ended in endDate.".into(),
        Text::PartnerRecordForm => "A partner is written partnerId:name:countryCode:KIND; without an id, give the name, the country code and the kind.".into(),
        Text::FundingRecordForm => "A funding line is written SOURCE:programme:amount:CURRENCY (the programme may be empty).".into(),
        Text::TargetRefused { why } => {
            let why = match why {
                TargetRefusal::NotAUrl => "not an absolute URL".to_string(),
                TargetRefusal::Scheme => "only https (or http to a listed target) is allowed".into(),
                TargetRefusal::Credentials => {
                    "user names and passwords in the URL are not allowed".into()
                }
                TargetRefusal::NoHost => "the URL has no host".into(),
                TargetRefusal::PlainHttp => {
                    "plain http is allowed only to targets listed in SAMVERKAN_WEBHOOK_ALLOW".into()
                }
                TargetRefusal::Address { ip } => format!(
                    "the target resolves to {ip}, which is not a public address and not listed in SAMVERKAN_WEBHOOK_ALLOW"
                ),
            };
            format!("The target is not allowed: {why}.")
        }
        Text::NoSuchUnit => "There is no such unit.".into(),
        Text::TooManyPartners => "At most 50 partners.".into(),
        Text::TooManyFundings => "At most 50 funding lines.".into(),
        Text::PartnerListedTwice => "This partner is already listed.".into(),
        Text::NoSuchPartner => "There is no partner with this id.".into(),
        Text::PartnerArchived => "The partner is archived and cannot join an agreement.".into(),
        Text::PurposeListedTwice => "This purpose is already listed.".into(),
        Text::GoalListedTwice => "This goal is already listed.".into(),
        Text::EndDateBeforeStartDate => "endDate must not be before startDate.".into(),
        Text::StatusChange { from, to } => format!(
            "An agreement that is {} cannot become {}.",
            agreement_status(from),
            agreement_status(to)
        ),
        Text::DecisionOnClosedRequest { status } => format!(
            "The request is {}; a decision is recorded once, on a pending request.",
            request_status(status)
        ),
    }
}

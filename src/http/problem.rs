//! RFC 9457 problem documents: the one error type every handler returns.
//!
//! An `ApiError` carries its texts in English and Swedish. `error_response` renders English and
//! keeps the error in the response's extensions; the `problems` middleware renders it again in the
//! language the caller asked for, with `instance` and the request id, so no handler needs to know.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_BASE: &str = "https://samverkan.boras.se/problems/";
pub const PROBLEM_JSON: &str = "application/problem+json";

use crate::db::{DbError, WorkError};
use crate::text::{Lang, Msg};

/// Declares `ProblemKind` and `ProblemKind::ALL` from one list, so the list cannot miss a kind.
macro_rules! problem_kinds {
    ($($kind:ident),* $(,)?) => {
        /// The kinds of problem, each with a stable `type` URI and status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ProblemKind {
            $($kind),*
        }

        impl ProblemKind {
            /// Every kind, for whatever must cover them all (the text catalogue's test).
            pub const ALL: &'static [ProblemKind] = &[$(ProblemKind::$kind),*];
        }
    };
}

problem_kinds! {
    ValidationFailed,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    UnsupportedMediaType,
    PayloadTooLarge,
    UriTooLong,
    HeaderFieldsTooLarge,
    MalformedRequest,
    Conflict,
    ActivationBlocked,
    VersionMismatch,
    PreconditionRequired,
    IdempotencyKeyReused,
    IdempotencyKeyInUse,
    Gone,
    RateLimited,
    ServiceUnavailable,
    Internal,
}

impl ProblemKind {
    pub fn slug(self) -> &'static str {
        use ProblemKind::*;
        match self {
            ValidationFailed => "validation-failed",
            Unauthorized => "unauthorized",
            Forbidden => "forbidden",
            NotFound => "not-found",
            MethodNotAllowed => "method-not-allowed",
            NotAcceptable => "not-acceptable",
            UnsupportedMediaType => "unsupported-media-type",
            PayloadTooLarge => "payload-too-large",
            UriTooLong => "uri-too-long",
            HeaderFieldsTooLarge => "header-fields-too-large",
            MalformedRequest => "malformed-request",
            Conflict => "conflict",
            ActivationBlocked => "activation-blocked",
            VersionMismatch => "version-mismatch",
            PreconditionRequired => "precondition-required",
            IdempotencyKeyReused => "idempotency-key-reused",
            IdempotencyKeyInUse => "idempotency-key-in-use",
            Gone => "gone",
            RateLimited => "rate-limited",
            ServiceUnavailable => "service-unavailable",
            Internal => "internal-error",
        }
    }

    pub fn status(self) -> StatusCode {
        use ProblemKind::*;
        match self {
            ValidationFailed => StatusCode::BAD_REQUEST,
            Unauthorized => StatusCode::UNAUTHORIZED,
            Forbidden => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UriTooLong => StatusCode::URI_TOO_LONG,
            HeaderFieldsTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            MalformedRequest => StatusCode::BAD_REQUEST,
            Conflict | ActivationBlocked | IdempotencyKeyInUse => StatusCode::CONFLICT,
            VersionMismatch => StatusCode::PRECONDITION_FAILED,
            PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Gone => StatusCode::GONE,
            RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> Msg {
        crate::text::Text::ProblemTitle { slug: self.slug() }.msg()
    }

    pub fn type_uri(self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug())
    }

    /// The kind a bare framework status maps to (for responses no handler produced).
    pub fn from_status(status: StatusCode) -> ProblemKind {
        use ProblemKind::*;
        match status.as_u16() {
            400 => ValidationFailed,
            401 => Unauthorized,
            403 => Forbidden,
            404 => NotFound,
            405 => MethodNotAllowed,
            406 => NotAcceptable,
            409 => Conflict,
            410 => Gone,
            412 => VersionMismatch,
            413 => PayloadTooLarge,
            414 => UriTooLong,
            431 => HeaderFieldsTooLarge,
            415 => UnsupportedMediaType,
            428 => PreconditionRequired,
            429 => RateLimited,
            503 => ServiceUnavailable,
            _ => Internal,
        }
    }
}

/// One thing wrong with a request: where (`pointer`, RFC 6901), what (`code`) and why (`detail`).
#[derive(Debug, Clone)]
pub struct FieldError {
    pub pointer: String,
    pub code: String,
    pub detail: Msg,
    /// The partner an activation error concerns.
    pub partner_id: Option<String>,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, code: impl Into<String>, detail: Msg) -> Self {
        Self {
            pointer: pointer.into(),
            code: code.into(),
            detail,
            partner_id: None,
        }
    }

    pub fn with_partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.partner_id = Some(partner_id.into());
        self
    }

    fn render(&self, lang: Lang) -> ProblemDetailItem {
        ProblemDetailItem {
            pointer: self.pointer.clone(),
            code: self.code.clone(),
            detail: self.detail.get(lang).to_string(),
            partner_id: self.partner_id.clone(),
        }
    }
}

/// The error every handler returns (boxed: it travels through many `Result`s).
#[derive(Debug, Clone)]
pub struct ApiError(Box<ApiErrorBody>);

#[derive(Debug, Clone)]
pub struct ApiErrorBody {
    pub kind: ProblemKind,
    pub detail: Msg,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
    pub allow: Option<String>,
    /// Why a bearer token was refused, for `WWW-Authenticate`'s `error_description` (ASCII).
    pub token_error: Option<&'static str>,
    /// Logged with the request id, never sent to the client.
    internal: Option<String>,
}

impl std::ops::Deref for ApiError {
    type Target = ApiErrorBody;

    fn deref(&self) -> &ApiErrorBody {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ApiErrorBody {
        &mut self.0
    }
}

/// `value` when no fault was found, else one validation problem that lists every fault (all
/// errors at once, each at its pointer).
pub fn unless_faults<T>(errors: Vec<FieldError>, value: T) -> Result<T, ApiError> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::validation(errors))
    }
}

impl ApiError {
    pub fn new(kind: ProblemKind, detail: Msg) -> Self {
        Self(Box::new(ApiErrorBody {
            kind,
            detail,
            errors: Vec::new(),
            retry_after: None,
            allow: None,
            token_error: None,
            internal: None,
        }))
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => one.detail.clone(),
            _ => crate::text::Text::Faults {
                count: errors.len(),
            }
            .msg(),
        };
        Self::new(ProblemKind::ValidationFailed, detail).with_errors(errors)
    }

    /// A single invalid field or parameter.
    pub fn invalid(pointer: impl Into<String>, code: &str, detail: Msg) -> Self {
        Self::validation(vec![FieldError::new(pointer, code, detail)])
    }

    pub fn unauthorized(detail: Msg) -> Self {
        Self::new(ProblemKind::Unauthorized, detail)
    }

    pub fn forbidden(detail: Msg) -> Self {
        Self::new(ProblemKind::Forbidden, detail)
    }

    /// 404 for a kind of resource named in English (the catalogue words it in each language; a
    /// name it does not know keeps the Swedish word given).
    pub fn not_found(what_en: &str, what_sv: &str) -> Self {
        let what = crate::text::Thing::named(what_en, what_sv);
        Self::new(
            ProblemKind::NotFound,
            crate::text::Text::NotFound { what }.msg(),
        )
    }

    pub fn conflict(detail: Msg) -> Self {
        Self::new(ProblemKind::Conflict, detail)
    }

    pub fn unavailable(internal: impl Into<String>) -> Self {
        let mut e = Self::new(
            ProblemKind::ServiceUnavailable,
            crate::text::Text::DatabaseUnreachable.msg(),
        );
        e.retry_after = Some(5);
        e.internal = Some(internal.into());
        e
    }

    pub fn internal(internal: impl Into<String>) -> Self {
        let mut e = Self::new(
            ProblemKind::Internal,
            crate::text::Text::InternalError.msg(),
        );
        e.internal = Some(internal.into());
        e
    }

    pub fn internal_message(&self) -> Option<&str> {
        self.internal.as_deref()
    }

    /// The problem document in `lang`. The middleware renders every problem with the request's
    /// path and id; `error_response` alone (before the middleware) has neither.
    pub fn body(&self, lang: Lang, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        Problem {
            type_: self.kind.type_uri(),
            title: self.kind.title().get(lang).to_string(),
            status: self.kind.status().as_u16(),
            detail: self.detail.get(lang).to_string(),
            instance: instance.unwrap_or_default().to_string(),
            request_id: request_id.unwrap_or_default().to_string(),
            errors: self.errors.iter().map(|e| e.render(lang)).collect(),
        }
    }

    /// The complete response in `lang`; used by `error_response` and by the problems middleware.
    pub fn to_response(
        &self,
        lang: Lang,
        instance: Option<&str>,
        request_id: Option<&str>,
    ) -> HttpResponse {
        let mut res = HttpResponse::build(self.kind.status());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        res.insert_header((
            header::CONTENT_LANGUAGE,
            if lang == Lang::Sv { "sv" } else { "en" },
        ));
        res.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(allow) = &self.allow
            && let Ok(v) = HeaderValue::from_str(allow)
        {
            res.insert_header((header::ALLOW, v));
        }
        if self.kind == ProblemKind::Unauthorized {
            let challenge = match self.token_error {
                Some(why) => format!(
                    "Bearer realm=\"samverkan\", error=\"invalid_token\", error_description=\"{why}\""
                ),
                None => "Bearer realm=\"samverkan\", error=\"invalid_token\"".to_string(),
            };
            res.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        let body = serde_json::to_string(&self.body(lang, instance, request_id))
            .expect("a problem document serialises");
        let mut response = res.body(body);
        response.extensions_mut().insert(self.clone());
        response
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.slug(), self.detail.en)?;
        if let Some(internal) = &self.internal {
            write!(f, " ({internal})")?;
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response(Lang::En, None, None)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match &e {
            E::NotFound => ApiError::not_found("resource", "resurs"),
            E::DatabaseError(K::UniqueViolation, _) => {
                ApiError::conflict(crate::text::Text::UniqueViolation.msg())
            }
            E::DatabaseError(K::ForeignKeyViolation, _) => {
                ApiError::conflict(crate::text::Text::ForeignKeyViolation.msg())
            }
            // A read-only database (a failover, maintenance) refuses writes for a while: retry later.
            E::DatabaseError(
                K::ClosedConnection | K::UnableToSendCommand | K::ReadOnlyTransaction,
                info,
            ) => ApiError::unavailable(info.message().to_string()),
            E::DatabaseError(K::SerializationFailure, _) => {
                ApiError::conflict(crate::text::Text::SerializationFailure.msg())
            }
            E::DatabaseError(_, info) if is_unavailable(info.message()) => {
                ApiError::unavailable(info.message().to_string())
            }
            _ => ApiError::internal(e.to_string()),
        }
    }
}

/// Messages by which the databases report that they are down, restarting, overloaded or locked.
fn is_unavailable(message: &str) -> bool {
    const SIGNS: [&str; 9] = [
        "could not connect",
        "server closed the connection",
        "terminating connection",
        "the database system is",
        "connection to server",
        // Statement or lock timeout, an operator's cancel, a standby's conflict with recovery.
        "canceling statement due to",
        "database is locked",
        "no connection to the server",
        "read-only transaction",
    ];
    let lower = message.to_ascii_lowercase();
    SIGNS.iter().any(|s| lower.contains(s))
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Internal(m) => ApiError::internal(m),
            other => ApiError::unavailable(other.to_string()),
        }
    }
}

impl WorkError for ApiError {
    fn database_answered(&self) -> bool {
        self.kind.status().is_client_error()
    }
}

/// An RFC 9457 problem document: the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "https://samverkan.boras.se/problems/validation-failed",
    "title": "The request is not valid",
    "status": 400,
    "detail": "Must be one of COUNCIL, EXECUTIVE_BOARD, COMMITTEE, ADMINISTRATION, COMPANY.",
    "instance": "/api/v1/units",
    "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e",
    "errors": [{"pointer": "/type", "code": "invalid-value", "detail": "Must be one of COUNCIL, EXECUTIVE_BOARD, COMMITTEE, ADMINISTRATION, COMPANY."}]
}))]
pub struct Problem {
    /// A URI under https://samverkan.boras.se/problems/ that names the kind of problem.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind of problem, in English or Swedish (`Accept-Language`).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The path of the request.
    pub instance: String,
    /// The request id, also in the `X-Request-Id` response header.
    pub request_id: String,
    /// The individual problems, each with a JSON pointer into the request; absent when there are
    /// none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemDetailItem>,
}

/// One problem with one part of the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDetailItem {
    /// A JSON pointer (RFC 6901) to the field, or the parameter's name as `/query/name` or `/header/name`.
    pub pointer: String,
    /// A machine-readable code (for activation errors: the policy rule code).
    pub code: String,
    /// What is wrong, for a person.
    pub detail: String,
    /// The partner an activation error concerns (its place is also in `pointer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Uuid, nullable = false)]
    pub partner_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_is_chosen_only_when_preferred() {
        assert_eq!(
            Lang::from_accept_language(Some("sv-SE,sv;q=0.9,en;q=0.8")),
            Lang::Sv
        );
        assert_eq!(Lang::from_accept_language(Some("en,sv;q=0.5")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::En);
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("sv;q=0")), Lang::En);
    }

    #[test]
    fn database_messages_never_reach_the_body() {
        let e = ApiError::internal("relation \"units\" does not exist");
        let body = serde_json::to_string(&e.body(Lang::En, Some("/x"), None)).unwrap();
        assert!(!body.contains("relation"));
    }
}

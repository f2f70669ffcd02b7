//! Path parameters: each parses once into its shape, or the request is refused with a problem
//! naming the parameter (`/path/<name>`).

use super::problem::ApiError;
use crate::domain::{CountryCode, UnitCode};
use crate::text::Text;

/// A resource id in the path: a UUID, in its hyphenated lower-case form.
pub fn path_uuid(raw: &str, pointer: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::invalid(pointer, "invalid-id", Text::IdInPathNotUuid.msg()))
}

/// An ISO 3166-1 alpha-2 country code in the path (`/path/code`).
pub fn path_country(raw: &str) -> Result<CountryCode, ApiError> {
    path_code(
        CountryCode::parse(raw),
        "invalid-country-code",
        Text::CountryCodeInPath,
    )
}

/// A unit code in the path (`/path/code`).
pub fn path_unit(raw: &str) -> Result<UnitCode, ApiError> {
    path_code(
        UnitCode::parse(raw),
        "invalid-unit-code",
        Text::UnitCodeInPathInvalid,
    )
}

/// A code in the path as `parsed` found it, or the problem naming `/path/code`.
fn path_code<T, E>(parsed: Result<T, E>, code: &str, text: Text) -> Result<T, ApiError> {
    parsed.map_err(|_| ApiError::invalid("/path/code", code, text.msg()))
}

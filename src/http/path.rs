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
    CountryCode::parse(raw).map_err(|_| {
        ApiError::invalid(
            "/path/code",
            "invalid-country-code",
            Text::CountryCodeInPath.msg(),
        )
    })
}

/// A unit code in the path (`/path/code`).
pub fn path_unit(raw: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(raw).map_err(|_| {
        ApiError::invalid(
            "/path/code",
            "invalid-unit-code",
            Text::UnitCodeInPathInvalid.msg(),
        )
    })
}

//! Values that cannot be wrong: each parses once, at the boundary, and is valid from then on.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::http::validate::invalid;

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

    pub fn get(&self, lang: crate::http::problem::Lang) -> &str {
        match lang {
            crate::http::problem::Lang::En => &self.en,
            crate::http::problem::Lang::Sv => &self.sv,
        }
    }
}

/// Implements `Deserialize` through `FromStr`-like parsing, so a bad value is reported at its field.
macro_rules! parsed_string {
    ($ty:ident) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

/// A unit code: 1–32 characters of A–Z, 0–9, `-` and `_`, beginning with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[schema(value_type = String, pattern = "^[A-Z0-9][A-Z0-9_-]{0,31}$", example = "KFN")]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = !raw.is_empty()
            && raw.len() <= 32
            && raw.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_uppercase() || b.is_ascii_digit() || (i > 0 && (b == b'-' || b == b'_'))
            });
        if ok {
            Ok(UnitCode(raw.to_string()))
        } else {
            Err(invalid(
                "invalid-unit-code",
                "A unit code is 1–32 characters of A–Z, 0–9, '-' and '_', beginning with a letter or digit.",
                "En enhetskod är 1–32 tecken av A–Z, 0–9, '-' och '_' och börjar med en bokstav eller siffra.",
            ))
        }
    }
}
parsed_string!(UnitCode);

/// An ISO 3166-1 alpha-2 country code in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[schema(value_type = String, pattern = "^[A-Z]{2}$", example = "SE")]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CountryCode(raw.to_string()))
        } else {
            Err(invalid(
                "invalid-country-code",
                "A country code is ISO 3166-1 alpha-2 in upper case, such as SE or NO.",
                "En landskod är ISO 3166-1 alpha-2 med versaler, till exempel SE eller NO.",
            ))
        }
    }
}
parsed_string!(CountryCode);

/// A non-empty text of at most 200 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, min_length = 1, max_length = 200, example = "Kulturnämnden")]
pub struct Name(String);

impl Name {
    pub const MAX: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(invalid(
                "required",
                "Must not be empty.",
                "Får inte vara tomt.",
            ));
        }
        if trimmed.chars().count() > Self::MAX {
            return Err(invalid(
                "too-long",
                "Must be at most 200 characters.",
                "Får vara högst 200 tecken.",
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(invalid(
                "invalid-characters",
                "Must not contain control characters.",
                "Får inte innehålla styrtecken.",
            ));
        }
        Ok(Name(trimmed.to_string()))
    }
}
parsed_string!(Name);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_codes() {
        assert!(UnitCode::parse("KFN").is_ok());
        assert!(UnitCode::parse("SLK-2").is_ok());
        for bad in ["", "kfn", "-A", "A B", &"A".repeat(33)] {
            assert!(UnitCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn country_codes() {
        assert!(CountryCode::parse("SE").is_ok());
        for bad in ["se", "SWE", "S", "1E"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Borås ").unwrap().as_str(), "Borås");
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"å".repeat(201)).is_err());
        assert!(Name::parse("a\u{0}b").is_err());
    }
}

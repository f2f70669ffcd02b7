//! Values that cannot be wrong: each parses once, at the boundary, and is valid from then on.

mod records;
mod rejected;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::text::Text;

pub use records::{Amount, CaseNumber, Currency, Sdg};
pub use rejected::{decode, rejected};

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
            Err(rejected("invalid-unit-code", Text::UnitCodeForm))
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
            Err(rejected("invalid-country-code", Text::CountryCodeValue))
        }
    }
}
parsed_string!(CountryCode);

/// A non-empty text of at most 200 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$", example = "Kulturnämnden")]
pub struct Name(String);

impl Name {
    pub const MAX: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(rejected("required", Text::NotEmpty));
        }
        if raw.chars().count() > Self::MAX {
            return Err(rejected("too-long", Text::AtMostChars { max: 200 }));
        }
        if raw.chars().any(char::is_control) {
            return Err(rejected("invalid-characters", Text::NoControlCharacters));
        }
        Ok(Name(trimmed.to_string()))
    }
}
parsed_string!(Name);

/// A longer text (a rationale, a justification): non-empty, at most 4,000 characters, trimmed.
/// Line breaks and tabs are allowed; other control characters are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, min_length = 1, max_length = 4000, pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$", example = "Free and fair elections; independent courts.")]
pub struct LongText(String);

impl LongText {
    pub const MAX: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(rejected("required", Text::NotEmpty));
        }
        if raw.chars().count() > Self::MAX {
            return Err(rejected("too-long", Text::AtMostChars { max: 4000 }));
        }
        if raw
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(rejected("invalid-characters", Text::NoControlCharacters));
        }
        Ok(LongText(trimmed.to_string()))
    }
}
parsed_string!(LongText);

/// An absolute `https` or `http` URL with a host, at most 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, format = "uri", max_length = 2000, example = "https://www.example.org/")]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let ok = trimmed.len() <= 2000
            && url::Url::parse(trimmed).is_ok_and(|u| {
                matches!(u.scheme(), "https" | "http")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
        if ok {
            Ok(WebUrl(trimmed.to_string()))
        } else {
            Err(rejected("invalid-url", Text::UrlForm))
        }
    }
}
parsed_string!(WebUrl);

/// An EU Participant Identification Code: nine digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, pattern = "^[0-9]{9}$", example = "999999999")]
pub struct EuPic(String);

impl EuPic {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() == 9 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(EuPic(raw.to_string()))
        } else {
            Err(rejected("invalid-eu-pic", Text::EuPicForm))
        }
    }
}
parsed_string!(EuPic);

/// A national organisation number as the partner's country writes it: 1–50 characters of
/// letters, digits, spaces, `-`, `.` and `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, pattern = "^[A-Za-z0-9][A-Za-z0-9 ./-]{0,49}$", example = "212000-1561")]
pub struct OrganisationNumber(String);

impl OrganisationNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let ok = !raw.is_empty()
            && raw.len() <= 50
            && raw.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_alphanumeric() || (i > 0 && matches!(b, b' ' | b'.' | b'/' | b'-'))
            });
        if ok {
            Ok(OrganisationNumber(raw.to_string()))
        } else {
            Err(rejected(
                "invalid-organisation-number",
                Text::OrganisationNumberForm,
            ))
        }
    }
}
parsed_string!(OrganisationNumber);

/// An e-mail address: `local@domain`, at most 254 characters, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, format = Email, max_length = 254, example = "anna.berg@example.org")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let ok = raw.len() <= 254
            && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
            && raw.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        if ok {
            Ok(Email(raw.to_string()))
        } else {
            Err(rejected("invalid-email", Text::EmailForm))
        }
    }
}
parsed_string!(Email);

/// A telephone number: 3–40 characters of digits, spaces and `+ - ( ) .`, with at least 3 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, pattern = "^[0-9+() .-]{3,40}$", example = "+47 22 00 00 00")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let ok = (3..=40).contains(&raw.len())
            && raw.bytes().all(|b| {
                b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'(' | b')' | b' ' | b'.')
            })
            && raw.bytes().filter(u8::is_ascii_digit).count() >= 3;
        if ok {
            Ok(Phone(raw.to_string()))
        } else {
            Err(rejected("invalid-phone", Text::PhoneForm))
        }
    }
}
parsed_string!(Phone);

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

    #[test]
    fn partner_and_contact_values() {
        assert!(WebUrl::parse("https://www.example.org/x").is_ok());
        assert!(WebUrl::parse("ftp://example.org").is_err());
        assert!(WebUrl::parse("example.org").is_err());
        assert!(EuPic::parse("999999999").is_ok());
        assert!(EuPic::parse("99999999A").is_err());
        assert!(Email::parse("a.b@example.org").is_ok());
        assert!(Email::parse("a b@example.org").is_err());
        assert!(Email::parse("ab@example").is_err());
        assert!(Phone::parse("+46 (0)33-35 70 00").is_ok());
        assert!(Phone::parse("call me").is_err());
        assert!(LongText::parse("line one\nline two").is_ok());
        assert!(LongText::parse(" ").is_err());
        assert!(OrganisationNumber::parse("212000-1561").is_ok());
        assert!(OrganisationNumber::parse("-1").is_err());
    }
}

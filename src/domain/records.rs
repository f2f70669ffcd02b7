//! Values of agreements and exceptions: case numbers, global goals, money.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::rejected;
use crate::text::Text;

/// A case number (diarienummer), opaque to the service: 1–100 printable characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$", example = "KS 2026-00123")]
pub struct CaseNumber(String);

impl CaseNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 100 || raw.chars().any(char::is_control)
        {
            return Err(rejected("invalid-case-number", Text::CaseNumberForm));
        }
        Ok(CaseNumber(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CaseNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CaseNumber::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// One of the UN's 17 global goals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[schema(value_type = i32, minimum = 1, maximum = 17, example = 11)]
pub struct Sdg(u8);

impl Sdg {
    pub fn new(n: i64) -> Result<Self, String> {
        if (1..=17).contains(&n) {
            Ok(Sdg(n as u8))
        } else {
            Err(rejected("invalid-sdg", Text::SdgForm))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Sdg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Sdg::new(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// An exact, non-negative decimal amount with at most two decimals, as a string: "125000.50".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount {
    /// In hundredths.
    cents: i128,
}

impl Amount {
    pub const ZERO: Amount = Amount { cents: 0 };

    pub fn parse(raw: &str) -> Result<Self, String> {
        let error = || rejected("invalid-amount", Text::AmountForm);
        let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
        if whole.is_empty() || whole.len() > 15 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        if fraction.len() > 2
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || (raw.contains('.') && fraction.is_empty())
        {
            return Err(error());
        }
        let whole: i128 = whole.parse().map_err(|_| error())?;
        let fraction: i128 = format!("{fraction:0<2}").parse().map_err(|_| error())?;
        Ok(Amount {
            cents: whole * 100 + fraction,
        })
    }

    pub fn checked_add(self, other: Amount) -> Amount {
        Amount {
            cents: self.cents + other.cents,
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.cents / 100, self.cents % 100)
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Amount::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Amount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^[0-9]{1,15}(\.[0-9]{1,2})?$"))
            .description(Some("An exact decimal amount with at most two decimals."))
            .examples([serde_json::json!("125000.00")])
            .into()
    }
}

impl ToSchema for Amount {}

/// An ISO 4217 currency code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(value_type = String, pattern = "^[A-Z]{3}$", example = "SEK")]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Currency(raw.to_string()))
        } else {
            Err(rejected("invalid-currency", Text::CurrencyForm))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Currency::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(Amount::parse("125000.5").unwrap().to_string(), "125000.50");
        assert_eq!(
            Amount::parse("0.1")
                .unwrap()
                .checked_add(Amount::parse("0.2").unwrap())
                .to_string(),
            "0.30"
        );
        for bad in ["", "-1", "1.234", "1e5", "1.", ".5", "1,5", "abc"] {
            assert!(Amount::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn goals_are_1_to_17() {
        assert!(Sdg::new(1).is_ok() && Sdg::new(17).is_ok());
        assert!(Sdg::new(0).is_err() && Sdg::new(18).is_err());
    }
}

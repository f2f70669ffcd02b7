//! Query and path parameters that parse into shared shapes (UUID filters), refused with the
//! catalogue's texts through `domain::rejected`.

use crate::domain::rejected;

/// An optional UUID query parameter named `name`, refused with the catalogue's text.
fn optional_uuid<'de, D: serde::Deserializer<'de>>(
    name: &str,
    d: D,
) -> Result<Option<uuid::Uuid>, D::Error> {
    use serde::Deserialize;
    let raw = Option::<String>::deserialize(d)?;
    raw.map(|r| {
        uuid::Uuid::parse_str(&r).map_err(|_| {
            serde::de::Error::custom(rejected(
                "invalid-id",
                crate::text::Text::NotAUuid {
                    name: name.to_string(),
                },
            ))
        })
    })
    .transpose()
}

/// `partnerId` as a query filter (`#[serde(default, deserialize_with = …)]`).
pub fn partner_id_param<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<uuid::Uuid>, D::Error> {
    optional_uuid("partnerId", d)
}

/// `agreementId` as a query filter (`#[serde(default, deserialize_with = …)]`).
pub fn agreement_id_param<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<uuid::Uuid>, D::Error> {
    optional_uuid("agreementId", d)
}

use crate::http::reply;
use actix_web::get;
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, CountryFilter};
use super::{Country, StandingOutcome};
use crate::http::auth::Capability;
use crate::http::operation::item;
use crate::http::problem::ApiError;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CountryParams {
    /// Text search in the Swedish and English names, or an exact code.
    #[param(example = "norge", max_length = 200)]
    q: Option<String>,
    /// Only countries with this standing.
    outcome: Option<StandingOutcome>,
    /// Only countries whose assessment is valid today and ends within this many days
    /// (Europe/Stockholm dates).
    #[param(minimum = 0, maximum = 3660, example = 60)]
    expires_within_days: Option<u32>,
    /// Only countries whose published assessment has (`true`) or has not (`false`) expired.
    expired: Option<bool>,
}

/// A strong ETag over the whole representation: the standing changes with publications and
/// with the date, not with the country's own version.
fn content_etag(body: &[u8]) -> String {
    format!("\"c{}\"", &crate::http::json::digest(body)[..16])
}

item! {
    tag "Countries";

    /// List countries / Lista länder
    ///
    /// Every ISO 3166-1 country with its Swedish and English name and its current standing (the
    /// outcome of its published assessment, or `NOT_ASSESSED`), by code.
    #[list(get "/countries", CountryParams, 200 csv(Country, "A page of countries (or CSV).", example = json!({"items": [{"code": "NO", "alpha3": "NOR", "name": "Norge", "nameEn": "Norway", "standing": {"outcome": "NOT_ASSESSED", "assessmentId": null, "assessedAt": null, "validUntil": null, "expired": false, "failingRequirements": []}, "version": 1, "createdAt": "2026-11-26T00:00:00Z", "updatedAt": "2026-11-26T00:00:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})))]
    async fn list_countries(call, params) {
        call.require(Capability::Read)?;
        let f = params.filters;
        if f.expires_within_days.is_some_and(|d| d > 3660) {
            return Err(ApiError::invalid(
                "/query/expiresWithinDays",
                "invalid-value",
                crate::text::Text::ExpiresWithinDays.msg(),
            ));
        }
        let filter = CountryFilter {
            q: f.q,
            outcome: f.outcome,
            expires_within_days: f.expires_within_days,
            expired: f.expired,
        };
        let today = crate::policy::today();
        call.list(params.paging, move |c, offset, limit| {
            store::list(c, &filter, today, offset, limit)
        })
        .await
    }

    /// Read a country / Läs ett land
    ///
    /// The country with its current standing.
    #[read(get "/countries/{code}", country("ISO 3166-1 alpha-2 code."), 200(Country, "The country.", etag = "A tag of this representation, for If-None-Match."))]
    async fn get_country(call, code) {
        call.require(Capability::Read)?;
        let code = code?;
        let not_found = || ApiError::not_found("country", "land");
        let country = call
            .one(not_found, move |c| store::find(c, code.as_str()))
            .await?;
        let body = serde_json::to_vec(&country).map_err(|e| ApiError::internal(e.to_string()))?;
        reply::tagged(&call.req, content_etag(&body), body)
    }
}

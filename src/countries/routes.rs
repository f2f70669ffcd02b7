use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Country, store};
use crate::app::AppState;
use crate::app::docs as d;
use crate::domain::CountryCode;
use crate::http::auth::{Capability, Principal};
use crate::http::csv::{CSV_MAX_ROWS, csv_response, wants_csv};
use crate::http::paging::{ListParams, Page, Paging};
use crate::http::problem::{ApiError, Msg};
use crate::http::reply;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CountryParams {
    /// Text search in the Swedish and English names, or an exact code.
    #[param(example = "norge", max_length = 200)]
    q: Option<String>,
}

/// List countries / Lista länder
///
/// Every ISO 3166-1 country with its Swedish and English name, by code.
#[utoipa::path(
    tag = "Countries",
    operation_id = "listCountries",
    params(Paging, CountryParams),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "A page of countries (or CSV).", content(
            (Page<Country> = "application/json", example = json!({"items": [{"code": "NO", "alpha3": "NOR", "name": "Norge", "nameEn": "Norway", "version": 1, "createdAt": "2026-11-26T00:00:00Z", "updatedAt": "2026-11-26T00:00:00Z"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})),
            (String = "text/csv", example = "code,alpha3,name,nameEn,version,createdAt,updatedAt\nNO,NOR,Norge,Norway,1,2026-11-26T00:00:00Z,2026-11-26T00:00:00Z\n"),
        )),
        (status = 400, response = d::BadRequest),
        (status = 401, response = d::Unauthorized),
        (status = 403, response = d::Forbidden),
        (status = 429, response = d::TooManyRequests),
        (status = 503, response = d::Unavailable),
    )
)]
#[get("/countries")]
pub async fn list_countries(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    params: ListParams<CountryParams>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Read)?;
    let q = params.filters.q;
    let paging = params.paging;
    if wants_csv(&req) {
        let (items, total) = state
            .db
            .read(move |c| store::list(c, q.as_deref(), 0, CSV_MAX_ROWS))
            .await?;
        return csv_response("countries", &items, total);
    }
    let (items, total) = state
        .db
        .read(move |c| store::list(c, q.as_deref(), paging.offset(), i64::from(paging.limit)))
        .await?;
    reply::json(&paging.page_of(items, total))
}

/// Read a country / Läs ett land
#[utoipa::path(
    tag = "Countries",
    operation_id = "getCountry",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code.", example = "NO", pattern = "^[A-Z]{2}$")),
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The country.", body = Country, headers(("ETag" = String, description = "The country's version."))),
        (status = 304, description = "Not modified since the ETag in If-None-Match."),
        (status = 400, response = d::BadRequest),
        (status = 401, response = d::Unauthorized),
        (status = 403, response = d::Forbidden),
        (status = 404, response = d::NotFound),
        (status = 429, response = d::TooManyRequests),
        (status = 503, response = d::Unavailable),
    )
)]
#[get("/countries/{code}")]
pub async fn get_country(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Capability::Read)?;
    let code = CountryCode::parse(&code).map_err(|_| {
        ApiError::invalid(
            "/path/code",
            "invalid-country-code",
            Msg::new(
                "The country code is ISO 3166-1 alpha-2 in upper case, such as NO.",
                "Landskoden är ISO 3166-1 alpha-2 med versaler, till exempel NO.",
            ),
        )
    })?;
    let country = state
        .db
        .read(move |c| store::find(c, code.as_str()))
        .await?
        .ok_or_else(|| ApiError::not_found("country", "land"))?;
    reply::resource(&req, &country, country.version)
}

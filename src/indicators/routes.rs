use std::collections::{HashMap, HashSet};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, MAX_ERRORS, Parsed};
use super::store::{self, NewIndicator};
use super::{Indicator, IndicatorImport, IndicatorSource};
use crate::domain::{Name, WebUrl};
use crate::http::auth::Capability;
use crate::http::crud::{self};
use crate::http::docs as d;
use crate::http::operation::item;
use crate::http::problem::{ApiError, FieldError, ProblemKind};
use crate::text::Text;

const REQUIRED: [&str; 5] = ["countryCode", "source", "edition", "metric", "value"];
const OPTIONAL: [&str; 2] = ["category", "url"];
fn err(pointer: String, code: &str, text: Text) -> FieldError {
    FieldError::new(pointer, code, text.msg())
}

/// The message of a newtype's parse error (see `crate::http::validate`).
fn newtype_error(pointer: String, message: &str) -> FieldError {
    match crate::domain::decode(message) {
        Some((code, msg)) => FieldError::new(pointer, code, msg),
        None => FieldError::new(
            pointer,
            "invalid-value",
            crate::text::Text::InvalidValue {
                message: message.to_string(),
            }
            .msg(),
        ),
    }
}

/// Parses the whole file, collecting every error with its pointer `/lines/{line}/{column}` (the
/// header is line 1).
fn parse_csv(bytes: &[u8]) -> Result<Vec<Parsed>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(::csv::Trim::All)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(_) => {
            return Err(vec![err(
                "/lines/1".into(),
                "malformed-csv",
                Text::CsvHeaderMalformed,
            )]);
        }
    };
    let mut column: HashMap<&str, usize> = HashMap::new();
    for (index, name) in headers.iter().enumerate() {
        // A file saved by a spreadsheet may begin with a byte-order mark.
        let name = name.trim_start_matches('\u{feff}');
        if !REQUIRED.contains(&name) && !OPTIONAL.contains(&name) {
            errors.push(err(
                format!("/lines/1/{}", name.replace('~', "~0").replace('/', "~1")),
                "unknown-column",
                Text::CsvUnknownColumn {
                    name: name.to_string(),
                },
            ));
        } else if column.insert(name, index).is_some() {
            errors.push(err(
                format!("/lines/1/{name}"),
                "duplicate-column",
                Text::CsvDuplicateColumn {
                    name: name.to_string(),
                },
            ));
        }
    }
    for name in REQUIRED {
        if !column.contains_key(name) {
            errors.push(err(
                format!("/lines/1/{name}"),
                "missing-column",
                Text::CsvMissingColumn {
                    name: name.to_string(),
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut parsed = Vec::new();
    let mut keys = HashSet::new();
    for record in reader.records() {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(
                    format!("/lines/{line}"),
                    "malformed-row",
                    Text::CsvRowMalformed,
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell =
            |name: &str| -> &str { column.get(name).and_then(|i| record.get(*i)).unwrap_or("") };
        let at = |name: &str| format!("/lines/{line}/{name}");
        let before = errors.len();
        let country = cell("countryCode");
        let country_ok = crate::domain::CountryCode::parse(country)
            .map_err(|m| errors.push(newtype_error(at("countryCode"), &m)))
            .ok();
        let source = IndicatorSource::parse(cell("source"));
        if source.is_none() {
            errors.push(err(
                at("source"),
                "invalid-value",
                Text::OneOf {
                    values: "FREEDOM_HOUSE, VDEM, EIU, WJP, WGI, OHCHR, UD_MR".into(),
                },
            ));
        }
        let edition = Name::parse(cell("edition"))
            .map_err(|m| errors.push(newtype_error(at("edition"), &m)))
            .ok();
        let metric = Name::parse(cell("metric"))
            .map_err(|m| errors.push(newtype_error(at("metric"), &m)))
            .ok();
        let value = cell("value").parse::<f64>().ok().filter(|v| v.is_finite());
        if value.is_none() {
            errors.push(err(at("value"), "invalid-number", Text::CsvNumberForm));
        }
        let category = match cell("category") {
            "" => None,
            raw => Name::parse(raw)
                .map_err(|m| errors.push(newtype_error(at("category"), &m)))
                .ok(),
        };
        let url = match cell("url") {
            "" => None,
            raw => WebUrl::parse(raw)
                .map_err(|m| errors.push(newtype_error(at("url"), &m)))
                .ok(),
        };
        if errors.len() > before {
            continue;
        }
        let (Some(country), Some(source), Some(edition), Some(metric), Some(value)) =
            (country_ok, source, edition, metric, value)
        else {
            continue;
        };
        let key = (
            country.as_str().to_string(),
            source,
            edition.as_str().to_string(),
            metric.as_str().to_string(),
        );
        if !keys.insert(key) {
            errors.push(err(
                format!("/lines/{line}"),
                "duplicate-row",
                Text::CsvDuplicateRow,
            ));
            continue;
        }
        parsed.push(Parsed {
            line,
            row: NewIndicator {
                country_code: country.into_inner(),
                source,
                edition: edition.into_inner(),
                metric: metric.into_inner(),
                value,
                category: category.map(Name::into_inner),
                url: url.map(WebUrl::into_inner),
            },
        });
    }
    if errors.is_empty() && parsed.is_empty() {
        errors.push(err("/lines".into(), "empty", Text::CsvNoValues));
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

fn require_csv(req: &HttpRequest) -> Result<(), ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if essence.as_deref() == Some("text/csv") {
        Ok(())
    } else {
        Err(ApiError::new(
            ProblemKind::UnsupportedMediaType,
            crate::text::Text::BodyNotCsv.msg(),
        ))
    }
}

/// Import indicator values / Importera indikatorvärden
///
/// A CSV file (`text/csv`, UTF-8, comma-separated, header line first) of published index values,
/// one value a line, with the columns `countryCode`, `source` (FREEDOM_HOUSE, VDEM, EIU, WJP,
/// WGI, OHCHR, UD_MR), `edition`, `metric` and `value` (a number, `.` as decimal point), and
/// optionally `category` and `url`. The file is imported as a whole or not at all: every error
/// is reported with the pointer `/lines/{line}/{column}`, where `line` is the line in the file
/// (the header is line 1) and `column` the column's name (`/lines/{line}` for a whole line).
/// Earlier values are kept; the latest import of a source and metric is the country's current
/// value. Coordinators only.
#[utoipa::path(
    tag = "Indicators",
    operation_id = "importIndicators",
    request_body(content = String, content_type = "text/csv", description = "The values, one a line, after a header line.", example = "countryCode,source,edition,metric,value,category,url\nNO,FREEDOM_HOUSE,2026,total-score,98,Free,https://freedomhouse.org/country/norway\n"),
    responses(
        (status = 201, description = "Every line was imported.", body = IndicatorImport),
        (status = 400, description = "One or more lines are not valid; nothing was imported. `errors` points at each line and column as `/lines/{line}/{column}`.", body = crate::http::problem::Problem, content_type = "application/problem+json", example = json!({"type": "https://samverkan.boras.se/problems/validation-failed", "title": "The request is not valid", "status": 400, "detail": "2 fields are not valid; see errors.", "instance": "/api/v1/indicators", "requestId": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "errors": [{"pointer": "/lines/3/value", "code": "invalid-number", "detail": "Must be a number with '.' as the decimal point, such as 93 or 0.85."}, {"pointer": "/lines/4/countryCode", "code": "unknown-country", "detail": "There is no country XX."}]})),
        (status = 409, response = d::Conflict),
    )
)]
#[post("/indicators")]
pub async fn import_indicators(
    call: crud::KeyedCall,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    call.require(Capability::ManageAssessments)?;
    require_csv(&call.req)?;
    let digest = crate::http::json::digest(&body);
    let rows = parse_csv(&body).map_err(ApiError::validation)?;
    call.keyed(&digest, move |conn, actor| {
        let import = service::import(conn, actor, rows)?;
        crud::unversioned(201, &import)
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CountryIndicatorParams {
    /// Only values from this source.
    source: Option<IndicatorSource>,
}

item! {
    tag "Indicators";

    /// A country's indicators / Ett lands indikatorer
    ///
    /// The latest imported value of each source and metric for the country, by source and metric.
    #[list(get "/countries/{code}/indicators", country("ISO 3166-1 alpha-2 code."), CountryIndicatorParams, 200(Indicator, "A page of the latest values.", example = json!({"items": [{"id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "importId": "0192f5d2-7c1e-7d3a-9d6e-000000000001", "countryCode": "NO", "source": "FREEDOM_HOUSE", "edition": "2026", "metric": "total-score", "value": 98.0, "category": "Free", "url": "https://freedomhouse.org/country/norway", "importedAt": "2026-11-26T09:15:00Z", "importedBy": "cora.coordinator"}], "page": 1, "limit": 20, "totalItems": 1, "totalPages": 1})))]
    async fn list_country_indicators(call, code, params) {
        call.require(Capability::Read)?;
        let code = code?;
        let source = params.filters.source;
        call.list(params.paging, move |c, offset, limit| {
            if !crate::db::reference::country_exists(c, code.as_str())? {
                return Err(ApiError::not_found("country", "land"));
            }
            let all = store::latest_for_country(c, code.as_str(), source)?;
            Ok(crud::slice(all, offset, limit))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointers(text: &str) -> Vec<(String, String)> {
        match parse_csv(text.as_bytes()) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|f| (f.pointer, f.code)).collect(),
        }
    }

    #[test]
    fn errors_name_line_and_column() {
        let text = "countryCode,source,edition,metric,value\nNO,VDEM,v15,libdem,0.85\nNO,VDEM,v15,polyarchy,high\nno,NOPE,v15,x,1\n";
        assert_eq!(
            pointers(text),
            vec![
                ("/lines/3/value".into(), "invalid-number".into()),
                ("/lines/4/countryCode".into(), "invalid-country-code".into()),
                ("/lines/4/source".into(), "invalid-value".into()),
            ]
        );
    }

    #[test]
    fn header_problems_are_on_line_one() {
        assert_eq!(
            pointers("countryCode,source,edition,metric,colour\n"),
            vec![
                ("/lines/1/colour".into(), "unknown-column".into()),
                ("/lines/1/value".into(), "missing-column".into()),
            ]
        );
        assert_eq!(
            pointers("countryCode,source,edition,metric,value\n"),
            vec![("/lines".into(), "empty".into())]
        );
    }

    #[test]
    fn a_repeated_value_is_refused_and_optional_columns_may_be_left_out() {
        let text =
            "source,countryCode,edition,metric,value\nWGI,SE,2025,rl,1.8\nWGI,SE,2025,rl,1.9\n";
        assert_eq!(
            pointers(text),
            vec![("/lines/3".into(), "duplicate-row".into())]
        );
        let ok =
            parse_csv(b"countryCode,source,edition,metric,value\nSE,WGI,2025,rl,1.8\n").unwrap();
        assert_eq!(ok[0].line, 2);
        assert_eq!(ok[0].row.category, None);
    }
}

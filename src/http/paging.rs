//! The list envelope `{items, page, limit, totalItems, totalPages}` and its parameters.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::export::ExportFormat;
use super::json::parse_query;
use super::problem::{ApiError, FieldError};
use crate::text::Text;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
pub const MAX_PAGE: u32 = i32::MAX as u32;
/// The longest text search `q` a list accepts (in characters); document it as `max_length = 200`.
pub const MAX_Q_CHARS: usize = 200;

/// `page` (from 1) and `limit` (1–100).
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The page to return, from 1.
    #[param(
        required = false,
        minimum = 1,
        maximum = 2147483647,
        default = 1,
        example = 1
    )]
    pub page: u32,
    /// Items per page, at most 100.
    #[param(
        required = false,
        minimum = 1,
        maximum = 100,
        default = 20,
        example = 20
    )]
    pub limit: u32,
    /// `csv` or `xlsx`: the whole filtered list as a file (at most 10,000 rows), as
    /// `Accept: text/csv` or the workbook's media type asks, for links opened in a browser;
    /// `json` (the page) is the default. Wins over `Accept`; `page` and `limit` do not apply to
    /// a file.
    #[param(required = false, inline)]
    pub format: Option<ExportFormat>,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            page: 1,
            limit: DEFAULT_LIMIT,
            format: None,
        }
    }
}

impl Paging {
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.limit)
    }

    pub fn page_of<T>(&self, items: Vec<T>, total_items: i64) -> Page<T> {
        let limit = i64::from(self.limit);
        Page {
            items,
            page: self.page,
            limit: self.limit,
            total_items,
            total_pages: (total_items + limit - 1) / limit,
        }
    }
}

/// The filters `F` of a list operation with its paging; unknown parameters are refused by `F`.
pub struct ListParams<F> {
    pub paging: Paging,
    pub filters: F,
}

impl<F: DeserializeOwned> FromRequest for ListParams<F> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_list_params(req.query_string()))
    }
}

fn parse_list_params<F: DeserializeOwned>(query: &str) -> Result<ListParams<F>, ApiError> {
    let mut paging = Paging::default();
    let mut rest = url::form_urlencoded::Serializer::new(String::new());
    let mut errors = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            // The document says int32 (utoipa's format for u32), so the upper bound is i32::MAX.
            "page" => match from_one_to(&value, MAX_PAGE, "page", Text::PageRange) {
                Ok(p) => paging.page = p,
                Err(e) => errors.push(e),
            },
            "limit" => match from_one_to(&value, MAX_LIMIT, "limit", Text::LimitRange) {
                Ok(l) => paging.limit = l,
                Err(e) => errors.push(e),
            },
            "format" if paging.format.is_some() => errors.push(FieldError::new(
                "/query/format",
                "duplicate-parameter",
                Text::DuplicateParameter {
                    name: "format".into(),
                }
                .msg(),
            )),
            "format" => match ExportFormat::parse(&value) {
                Some(format) => paging.format = Some(format),
                None => errors.push(FieldError::new(
                    "/query/format",
                    "invalid-value",
                    Text::OneOf {
                        values: "json, csv, xlsx".into(),
                    }
                    .msg(),
                )),
            },
            "q" if value.chars().count() > MAX_Q_CHARS => errors.push(FieldError::new(
                "/query/q",
                "too-long",
                Text::QueryTooLong.msg(),
            )),
            _ => {
                rest.append_pair(&key, &value);
            }
        }
    }
    // The filters' faults join the paging's: one answer names every fault of the query.
    match parse_query::<F>(&rest.finish()) {
        Ok(filters) if errors.is_empty() => Ok(ListParams { paging, filters }),
        Ok(_) => Err(ApiError::validation(errors)),
        Err(mut filter_errors) => {
            errors.append(&mut filter_errors.errors);
            Err(ApiError::validation(errors))
        }
    }
}

/// The parameter `name` as a number from 1 to `max`, or its fault (`text` says the range).
fn from_one_to(value: &str, max: u32, name: &str, text: Text) -> Result<u32, FieldError> {
    match value.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            format!("/query/{name}"),
            "invalid-value",
            text.msg(),
        )),
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The page returned, from 1.
    pub page: u32,
    /// The largest number of items a page holds.
    pub limit: u32,
    /// How many items match the filters, on all pages.
    pub total_items: i64,
    /// How many pages there are at this limit.
    pub total_pages: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoFilters {}

    #[test]
    fn paging_defaults_and_limits() {
        let p = parse_list_params::<NoFilters>("").unwrap().paging;
        assert_eq!((p.page, p.limit), (1, 20));
        assert!(parse_list_params::<NoFilters>("limit=101").is_err());
        assert!(parse_list_params::<NoFilters>("page=0").is_err());
        assert!(parse_list_params::<NoFilters>("page=2147483647").is_ok());
        assert!(parse_list_params::<NoFilters>("page=2147483648").is_err());
        assert!(parse_list_params::<NoFilters>("sort=name").is_err());
        let f = parse_list_params::<NoFilters>("format=xlsx")
            .unwrap()
            .paging;
        assert_eq!(f.format, Some(ExportFormat::Xlsx));
        assert!(parse_list_params::<NoFilters>("format=pdf").is_err());
        assert!(parse_list_params::<NoFilters>("format=csv&format=csv").is_err());
        let long_q = format!("q={}", "ö".repeat(MAX_Q_CHARS + 1));
        assert!(parse_list_params::<NoFilters>(&long_q).is_err());
        let page = Paging {
            page: 2,
            limit: 20,
            format: None,
        }
        .page_of(vec![1], 21);
        assert_eq!(page.total_pages, 2);
        assert_eq!(
            Paging {
                page: 3,
                limit: 10,
                format: None,
            }
            .offset(),
            20
        );
    }
}

//! Strong ETags from row versions, and the `If-Match` precondition (428 without, 412 on mismatch).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use super::problem::{ApiError, ProblemKind};

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` header of a request, if any.
#[derive(Debug, Clone)]
pub struct IfMatch(Option<Precondition>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `If-Match: *`
    Any,
    /// The versions named by strong entity tags (weak tags never match).
    Versions(Vec<i32>),
}

impl IfMatch {
    pub fn parse(value: Option<&str>) -> Self {
        let Some(value) = value else {
            return IfMatch(None);
        };
        if value.trim() == "*" {
            return IfMatch(Some(Precondition::Any));
        }
        let versions = value
            .split(',')
            .filter_map(|tag| {
                let tag = tag.trim();
                tag.strip_prefix('"')?
                    .strip_suffix('"')?
                    .parse::<i32>()
                    .ok()
            })
            .collect();
        IfMatch(Some(Precondition::Versions(versions)))
    }

    /// The precondition, or 428 when the caller sent none.
    pub fn required(&self) -> Result<Precondition, ApiError> {
        self.0.clone().ok_or_else(|| {
            ApiError::new(
                ProblemKind::PreconditionRequired,
                crate::text::Text::IfMatchRequired.msg(),
            )
        })
    }
}

impl Precondition {
    /// 412 unless the resource is still at a version the caller named.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match self {
            Precondition::Any => Ok(()),
            Precondition::Versions(v) if v.contains(&current) => Ok(()),
            Precondition::Versions(_) => Err(version_mismatch(current)),
        }
    }
}

pub fn version_mismatch(current: i32) -> ApiError {
    ApiError::new(
        ProblemKind::VersionMismatch,
        crate::text::Text::VersionMismatch { current }.msg(),
    )
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok());
        ready(Ok(IfMatch::parse(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_is_parsed_strictly() {
        assert!(IfMatch::parse(None).required().is_err());
        let p = IfMatch::parse(Some("\"3\"")).required().unwrap();
        assert!(p.check(3).is_ok());
        assert_eq!(p.check(4).unwrap_err().kind, ProblemKind::VersionMismatch);
        for (header, version, matches) in [
            ("W/\"3\"", 3, false),
            ("*", 9, true),
            ("\"1\", \"2\"", 2, true),
        ] {
            let checked = IfMatch::parse(Some(header))
                .required()
                .unwrap()
                .check(version);
            assert_eq!(checked.is_ok(), matches, "{header}");
        }
    }
}

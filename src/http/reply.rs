//! Successful responses, in a form that an idempotency key can store and replay.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::etag::etag;
use super::problem::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub etag: Option<String>,
    pub location: Option<String>,
    /// Fields of the body shown in this response only: never stored, so a replay of the request
    /// answers without them (a webhook's signing secret is shown once).
    #[serde(skip)]
    pub once: Option<serde_json::Map<String, Value>>,
}

fn to_value<T: Serialize>(body: &T) -> Result<Value, ApiError> {
    serde_json::to_value(body)
        .map_err(|e| ApiError::internal(format!("serialising a response: {e}")))
}

impl Reply {
    pub fn ok<T: Serialize>(body: &T, version: i32) -> Result<Reply, ApiError> {
        Ok(Reply {
            status: 200,
            body: Some(to_value(body)?),
            etag: Some(etag(version)),
            location: None,
            once: None,
        })
    }

    pub fn created<T: Serialize>(
        location: String,
        body: &T,
        version: i32,
    ) -> Result<Reply, ApiError> {
        Ok(Reply {
            status: 201,
            body: Some(to_value(body)?),
            etag: Some(etag(version)),
            location: Some(location),
            once: None,
        })
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            etag: None,
            location: None,
            once: None,
        }
    }

    /// The reply with `name: value` in its body this once (see [`Reply::once`]).
    pub fn once(mut self, name: &str, value: Value) -> Reply {
        self.once
            .get_or_insert_with(Default::default)
            .insert(name.to_string(), value);
        self
    }

    pub fn into_response(mut self) -> HttpResponse {
        if let (Some(Value::Object(body)), Some(once)) = (self.body.as_mut(), self.once.take()) {
            body.extend(once);
        }
        let status = actix_web::http::StatusCode::from_u16(self.status)
            .unwrap_or(actix_web::http::StatusCode::OK);
        let mut res = HttpResponse::build(status);
        if let Some(tag) = self.etag {
            res.insert_header((header::ETAG, tag));
        }
        if let Some(location) = self.location {
            res.insert_header((header::LOCATION, location));
        }
        match self.body {
            Some(body) => res.content_type("application/json").body(body.to_string()),
            None => res.finish(),
        }
    }
}

/// A single resource for a `GET`: with its ETag, and 304 when `If-None-Match` names it.
pub fn resource<T: Serialize>(
    req: &HttpRequest,
    body: &T,
    version: i32,
) -> Result<HttpResponse, ApiError> {
    tagged(req, etag(version), to_bytes(body)?)
}

/// A body under the ETag `tag`, or 304 when `If-None-Match` names it.
pub fn tagged(req: &HttpRequest, tag: String, body: Vec<u8>) -> Result<HttpResponse, ApiError> {
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .content_type("application/json")
        .body(body))
}

/// A JSON body with no version (lists, reports, computed answers).
pub fn json<T: Serialize>(body: &T) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(to_bytes(body)?))
}

/// A response body straight from the type (no `Value` in between: a page of agreements would
/// otherwise be built twice).
fn to_bytes<T: Serialize>(body: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(|e| ApiError::internal(format!("serialising a response: {e}")))
}

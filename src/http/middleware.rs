//! What happens around every request: a request id and W3C `traceparent` (accepted, echoed and
//! logged), problem documents in the caller's language, metrics, the access log and the
//! per-caller rate limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use super::problem::{ApiError, PROBLEM_JSON, ProblemKind};
use crate::text::Lang;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
static TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// The request's id and trace context, in its extensions for handlers that want to log.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub traceparent: String,
}

fn valid_request_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// A W3C trace context `traceparent`: `00-<32 hex>-<16 hex>-<2 hex>`, not all zeros.
pub fn valid_traceparent(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    parts.len() == 4
        && hex(parts[0], 2)
        && parts[0] != "ff"
        && hex(parts[1], 32)
        && parts[1].bytes().any(|b| b != b'0')
        && hex(parts[2], 16)
        && parts[2].bytes().any(|b| b != b'0')
        && hex(parts[3], 2)
}

fn new_traceparent() -> String {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let span = &uuid::Uuid::new_v4().simple().to_string()[..16];
    format!("00-{trace}-{span}-01")
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let header_str = |name: &HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let request_id = header_str(&REQUEST_ID)
        .filter(|v| valid_request_id(v))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let traceparent = header_str(&TRACEPARENT)
        .filter(|v| valid_traceparent(v))
        .unwrap_or_else(new_traceparent);
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let method = req.method().to_string();
    let path = req.path().to_string();
    req.extensions_mut().insert(RequestContext {
        request_id: request_id.clone(),
        traceparent: traceparent.clone(),
    });

    // Every text rendered for this request (in the handler, or in its database closures) is in
    // the caller's language, and every response says which.
    // What the service refuses before routing (its own limits, a path or query not UTF-8).
    let res = match super::strict::refusal(&req) {
        Some(refused) => req.error_response(refused),
        None => crate::text::scope(lang, next.call(req))
            .await?
            .map_into_boxed_body(),
    };
    let mut res = render_problem(res, lang, &path, &request_id);
    if !res.headers().contains_key(header::CONTENT_LANGUAGE) {
        res.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(if lang == Lang::Sv { "sv" } else { "en" }),
        );
    }

    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let status = res.status().as_u16();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID.clone(), v);
    }
    if let Ok(v) = HeaderValue::from_str(&traceparent) {
        headers.insert(TRACEPARENT.clone(), v);
    }
    let elapsed = started.elapsed();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.to_string()).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method.clone(), "route" => route).record(elapsed.as_secs_f64());
    if let Some(error) = res.response().extensions().get::<ApiError>()
        && let Some(internal) = error.internal_message()
    {
        log::error!(
            "request_id={request_id} traceparent={traceparent} {method} {path} {status}: {internal}"
        );
    }
    log::info!(
        "request_id={request_id} traceparent={traceparent} {method} {path} {status} {:.1}ms",
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(res)
}

/// Every error response leaves as a problem document in the caller's language, with `instance`
/// and the request id; framework errors that are not ours yet become one too.
fn render_problem(
    res: ServiceResponse<BoxBody>,
    lang: Lang,
    path: &str,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if status.as_u16() < 400 {
        return res;
    }
    let error = res.response().extensions().get::<ApiError>().cloned();
    let error = match error {
        Some(e) => e,
        None => {
            let is_problem = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with(PROBLEM_JSON));
            if is_problem {
                return res;
            }
            let kind = ProblemKind::from_status(status);
            let mut e = ApiError::new(kind, kind.title());
            if kind == ProblemKind::Internal {
                e = ApiError::internal(format!("framework error {status}"));
            }
            e
        }
    };
    let mut rendered = error.to_response(lang, Some(path), Some(request_id));
    // Headers the handler set (Allow, Retry-After, …) stay.
    for (name, value) in res.headers() {
        if !rendered.headers().contains_key(name) {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    res.into_response(rendered.map_into_boxed_body())
}

/// A token bucket per caller: `per_minute` requests a minute, bursts up to the same number.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` when the caller may go on, `Err(seconds)` to wait otherwise.
    pub fn check(&self, caller: &str) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            // Forget callers whose buckets have refilled: they are indistinguishable from new ones.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < capacity
            });
        }
        let (tokens, at) = buckets.entry(caller.to_string()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

/// The caller for rate limiting: the bearer token (hashed) or else the peer address.
fn caller_key(req: &ServiceRequest) -> String {
    match req.headers().get(header::AUTHORIZATION) {
        Some(v) => format!("token:{}", super::json::digest(v.as_bytes())),
        None => format!(
            "ip:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    }
}

pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limiter = req.app_data::<actix_web::web::Data<RateLimiter>>().cloned();
    if let Some(limiter) = limiter
        && req.path().starts_with("/api/")
        && let Err(wait) = limiter.check(&caller_key(&req))
    {
        let mut e = ApiError::new(
            ProblemKind::RateLimited,
            crate::text::Text::RateLimited { wait }.msg(),
        );
        e.retry_after = Some(wait);
        let res = actix_web::ResponseError::error_response(&e);
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparents_are_validated() {
        assert!(valid_traceparent(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ));
        assert!(!valid_traceparent(
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
        ));
        assert!(!valid_traceparent(
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
        ));
        assert!(!valid_traceparent("garbage"));
        assert!(valid_traceparent(&new_traceparent()));
    }

    #[test]
    fn the_rate_limit_refuses_past_the_budget_and_says_when_to_return() {
        let limiter = RateLimiter::new(2);
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        let wait = limiter.check("a").unwrap_err();
        assert!((1..=30).contains(&wait));
        assert!(limiter.check("b").is_ok());
        assert!(RateLimiter::new(0).check("a").is_ok());
    }
}

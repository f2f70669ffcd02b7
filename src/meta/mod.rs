//! What needs no token: api-info (DIGG VER.06), health and metrics.

use std::sync::OnceLock;

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::db::Db;
use crate::http::auth::JwtVerifier;
use crate::http::docs as d;
use crate::http::problem::ApiError;
use crate::policy::catalogue::{self, Standing};

/// Installs the Prometheus recorder once per process and returns its handle.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ])
                .expect("static buckets")
                .build_recorder();
            let handle = recorder.handle();
            // In tests several apps share one process; the first recorder stays.
            let _ = metrics::set_global_recorder(recorder);
            // Histogram samples wait in a buffer until folded into the buckets: without this
            // they pile up (8 bytes a request) for as long as nobody scrapes /metrics.
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                });
            if let Err(e) = spawned {
                log::warn!("metrics upkeep not started: {e}");
            }
            handle
        })
        .clone()
}

/// The API's identity and status (DIGG REST API-profil, VER.06).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "apiName": "Samverkan", "apiVersion": "0.1.0", "apiReleased": "2026-11-26", "apiStatus": "ACTIVE",
    "apiDocumentation": "https://samverkan.boras.se/docs", "apiSpecification": "https://samverkan.boras.se/openapi.json",
    "build": "0.1.0", "policy": {"title": "Internationell policy", "adoptedOn": "2023-06-21", "validUntil": "2027-12-31", "standing": "IN_FORCE"}
}))]
pub struct ApiInfo {
    pub api_name: &'static str,
    pub api_version: &'static str,
    pub api_released: &'static str,
    pub api_status: ApiStatus,
    pub api_documentation: String,
    pub api_specification: String,
    /// The build of the running service.
    pub build: &'static str,
    pub policy: PolicyVersion,
}

/// The API's life-cycle stage (DIGG): `ACTIVE`, then `DEPRECATED` before it is `RETIRED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiStatus {
    Active,
    Deprecated,
    Retired,
}

/// What a health check answers with its 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HealthStatus {
    Up,
}

/// The policy version the service applies.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyVersion {
    pub title: &'static str,
    pub adopted_on: NaiveDate,
    /// Inclusive.
    pub valid_until: NaiveDate,
    pub standing: Standing,
}

pub const RELEASED: &str = "2026-11-26";

fn api_info_body(config: &Config) -> ApiInfo {
    let base = &config.public_url;
    ApiInfo {
        api_name: "Samverkan",
        api_version: env!("CARGO_PKG_VERSION"),
        api_released: RELEASED,
        api_status: ApiStatus::Active,
        api_documentation: format!("{base}/docs/"),
        api_specification: format!("{base}/openapi.json"),
        build: concat!(env!("CARGO_PKG_VERSION"), "+", env!("SAMVERKAN_BUILD")),
        policy: PolicyVersion {
            title: catalogue::TITLE,
            adopted_on: catalogue::adopted_on(),
            valid_until: catalogue::valid_until(),
            standing: catalogue::standing(crate::policy::today()),
        },
    }
}

/// About this API / Om detta API
///
/// Name, version, build and the policy version it applies (DIGG VER.06). No token needed.
#[utoipa::path(
    tag = "Service",
    operation_id = "getApiInfo",
    security(()),
    responses(
        (status = 200, description = "The API's identity and status.", body = ApiInfo),
    )
)]
#[get("/api-info")]
pub async fn api_info(config: web::Data<Config>) -> Result<HttpResponse, ApiError> {
    crate::http::reply::json(&api_info_body(&config))
}

/// About this API (root alias) / Om detta API
///
/// The same as `/api/v1/api-info`, at the root where DIGG's profile looks for it.
#[utoipa::path(
    tag = "Service",
    operation_id = "getApiInfoRoot",
    security(()),
    responses((status = 200, description = "The API's identity and status.", body = ApiInfo))
)]
#[get("/api-info")]
pub async fn api_info_root(config: web::Data<Config>) -> Result<HttpResponse, ApiError> {
    crate::http::reply::json(&api_info_body(&config))
}

/// Liveness.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "UP"}))]
pub struct Health {
    /// Always `UP`: a service that is not ready answers 503 with a problem document.
    pub status: HealthStatus,
}

/// Liveness / Lever tjänsten
///
/// 200 while the process runs. No token needed.
#[utoipa::path(
    tag = "Service",
    operation_id = "getLiveness",
    security(()),
    responses((status = 200, description = "The process runs.", body = Health))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: HealthStatus::Up,
    })
}

/// Readiness / Är tjänsten redo
///
/// 200 when the database answers and the identity provider's keys are loaded, 503 with
/// `Retry-After` when not. No token needed.
#[utoipa::path(
    tag = "Service",
    operation_id = "getReadiness",
    security(()),
    responses(
        (status = 200, description = "The database answers and the token keys are loaded.", body = Health),
        (status = 503, response = d::Unavailable),
    )
)]
#[get("/health/ready")]
pub async fn ready(
    db: web::Data<Db>,
    jwt: web::Data<JwtVerifier>,
) -> Result<HttpResponse, ApiError> {
    if !jwt.ready() {
        return Err(crate::http::auth::keys_not_loaded());
    }
    db.ping::<ApiError>().await?;
    Ok(HttpResponse::Ok().json(Health {
        status: HealthStatus::Up,
    }))
}

/// Metrics / Mätvärden
///
/// Prometheus text format: requests by route and status, and their durations. No token needed.
#[utoipa::path(
    tag = "Service",
    operation_id = "getMetrics",
    security(()),
    responses((status = 200, description = "Prometheus metrics.", content_type = "text/plain", body = String,
        example = "# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",route=\"/api/v1/units\",status=\"200\"} 3\n"))
)]
#[get("/metrics")]
pub async fn metrics_endpoint() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics_handle().render())
}

//! The one place that builds the application: state, routes, middleware order and the OpenAPI
//! document.

pub mod docs;
pub mod exports;
pub mod server;
mod state;

pub use state::AppState;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, web};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::http::fallback::{RouteTable, not_found_or_not_allowed};
use crate::http::json::payload_error;
use crate::http::middleware::{rate_limit, request_context};
use crate::http::problem::ApiError;

/// The largest request body an operation accepts.
pub const BODY_LIMIT: usize = 256 * 1024;

/// The application's type, as `assemble` and `build` answer it: what actix-web serves.
macro_rules! application {
    () => {
        App<
            impl ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<impl MessageBody>,
                Error = actix_web::Error,
                InitError = (),
            >,
        >
    };
}

/// The routes and the OpenAPI document they make, without state.
fn assemble() -> (application!(), utoipa::openapi::OpenApi) {
    let (app, doc) = App::new()
        .into_utoipa_app()
        .openapi(docs::ApiDoc::openapi())
        .service(
            scope::scope("/api/v1")
                .service(crate::meta::api_info)
                .service(crate::policy_document::routes::get_policy)
                .service(crate::units::routes::list_units)
                .service(crate::units::routes::create_unit)
                .service(crate::units::routes::get_unit)
                .service(crate::units::routes::update_unit)
                .service(crate::units::routes::delete_unit)
                .service(crate::countries::routes::list_countries)
                .service(crate::countries::routes::get_country)
                .service(crate::assessments::routes::list_country_assessments)
                .service(crate::indicators::routes::list_country_indicators)
                .service(crate::indicators::routes::import_indicators)
                .service(crate::assessments::routes::list_assessments)
                .service(crate::assessments::routes::create_assessment)
                .service(crate::assessments::routes::get_assessment)
                .service(crate::assessments::routes::update_assessment)
                .service(crate::assessments::routes::delete_assessment)
                .service(crate::assessments::routes::publish_assessment)
                .service(crate::partners::routes::list_partners)
                .service(crate::partners::routes::create_partner)
                .service(crate::partners::routes::get_partner)
                .service(crate::partners::routes::update_partner)
                .service(crate::partners::routes::delete_partner)
                .service(crate::contacts::routes::list_contacts)
                .service(crate::contacts::routes::create_contact)
                .service(crate::contacts::routes::get_contact)
                .service(crate::contacts::routes::update_contact)
                .service(crate::contacts::routes::delete_contact)
                .service(crate::eligibility::routes::get_eligibility)
                .service(crate::agreements::routes::list_agreements)
                .service(crate::agreements::routes::create_agreement)
                .service(crate::agreements::routes::get_agreement)
                .service(crate::agreements::routes::update_agreement)
                .service(crate::agreements::routes::delete_agreement)
                .service(crate::agreements::routes::activate_agreement)
                .service(crate::agreements::routes::end_agreement)
                .service(crate::agreements::routes::cancel_agreement)
                .service(crate::agreements::routes::get_compliance)
                .service(crate::agreements::routes::get_history)
                .service(crate::imports::routes::import_agreements)
                .service(crate::exceptions::routes::list_exceptions)
                .service(crate::exceptions::routes::request_exception)
                .service(crate::exceptions::routes::get_exception)
                .service(crate::exceptions::routes::decide_exception)
                .service(crate::exceptions::routes::revoke_exception)
                .service(crate::exceptions::routes::withdraw_exception)
                .service(crate::exceptions::routes::get_exception_history)
                .service(crate::events::routes::list_events)
                .service(crate::webhooks::routes::list_webhooks)
                .service(crate::webhooks::routes::create_webhook)
                .service(crate::webhooks::routes::get_webhook)
                .service(crate::webhooks::routes::update_webhook)
                .service(crate::webhooks::routes::delete_webhook)
                .service(crate::webhooks::routes::rotate_webhook_secret)
                .service(crate::webhooks::routes::list_webhook_deliveries)
                .service(crate::webhooks::routes::redeliver)
                .service(crate::reports::routes::get_summary_report)
                .service(crate::reports::routes::get_compliance_report),
        )
        .service(crate::meta::api_info_root)
        .service(crate::meta::live)
        .service(crate::meta::ready)
        .service(crate::meta::metrics_endpoint)
        .split_for_parts();
    let mut doc = doc;
    exports::document(&mut doc);
    crate::imports::routes::document(&mut doc);
    (app, doc)
}

/// The `servers` URL of the committed document: `SAMVERKAN_PUBLIC_URL`'s default (the default
/// bind address). A running service names its own `SAMVERKAN_PUBLIC_URL` in the document it serves.
pub const DOCUMENT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The OpenAPI document `openapi/openapi.json` holds (and `samverkan openapi` prints).
pub fn openapi() -> utoipa::openapi::OpenApi {
    docs::finish(assemble().1, DOCUMENT_PUBLIC_URL, None)
}

pub fn openapi_json() -> String {
    let mut json = openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

/// The application with its state and middleware, for the server and for tests.
pub fn build(state: AppState) -> application!() {
    crate::meta::metrics_handle();
    let (app, doc) = assemble();
    let doc = docs::finish(
        doc,
        &state.config.public_url,
        state.config.identity.oidc_issuer.as_deref(),
    );
    let routes = web::Data::new(RouteTable::from_openapi(&doc));
    app.app_data(web::Data::new(state.db))
        .app_data(state.config)
        .app_data(state.jwt)
        .app_data(state.rate_limiter)
        .app_data(state.agreement_answers)
        .app_data(state.eligibility_answers)
        .app_data(routes)
        .app_data(web::PayloadConfig::new(BODY_LIMIT))
        .app_data(web::PathConfig::default().error_handler(|_, _| {
            ApiError::invalid(
                "/path",
                "invalid-value",
                crate::text::Text::PathParameterInvalid.msg(),
            )
            .into()
        }))
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(|e, _| payload_error(e.into()).into()),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", doc))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(not_found_or_not_allowed))
        .wrap(from_fn(rate_limit))
        .wrap(from_fn(request_context))
}

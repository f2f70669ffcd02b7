//! What the handlers share, built in one place for the server (`cli`) and the tests. Each part is
//! registered as its own `web::Data`, so a handler or extractor names only what it uses (a
//! `Data<Db>`, a `Data<JwtVerifier>`) and nothing below `app` names this struct.

use actix_web::web;

use crate::agreements::AgreementAnswers;
use crate::config::Config;
use crate::db::Db;
use crate::eligibility::EligibilityAnswers;
use crate::http::auth::JwtVerifier;
use crate::http::middleware::RateLimiter;

/// Everything a handler may need, shared by all workers of one instance.
#[derive(Clone)]
pub struct AppState {
    /// Cloned per worker: the pool inside is shared.
    pub db: Db,
    pub config: web::Data<Config>,
    pub jwt: web::Data<JwtVerifier>,
    pub rate_limiter: web::Data<RateLimiter>,
    pub agreement_answers: web::Data<AgreementAnswers>,
    pub eligibility_answers: web::Data<EligibilityAnswers>,
}

impl AppState {
    /// The state of one instance: its pool, configuration and token verifier; the rate limiter
    /// and the kept answers (`db::derived`) start empty.
    pub fn new(db: Db, config: Config, jwt: JwtVerifier) -> Self {
        let rate_limiter = RateLimiter::new(config.rate_limit_per_minute);
        Self {
            db,
            config: web::Data::new(config),
            jwt: web::Data::new(jwt),
            rate_limiter: web::Data::new(rate_limiter),
            agreement_answers: web::Data::new(AgreementAnswers::default()),
            eligibility_answers: web::Data::new(EligibilityAnswers::default()),
        }
    }
}

//! The command line: `serve` (default), `migrate`, `openapi`, `token` and `seed --demo`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::{self, AppState};
use crate::config::{self, Config};
use crate::db::{Db, PoolOptions};
use std::sync::Arc;

use crate::http::auth::{ClaimMapping, Claims, JwtVerifier, Role, sign_hs256};
use crate::http::jwks::{KeySource, Refresh, RemoteKeys};

#[derive(Parser)]
#[command(
    name = "samverkan",
    version,
    about = "Samverkan: Borås Stad's register of international collaborations"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (the one committed under openapi/).
    Openapi,
    /// Fill an empty database with illustrative demo data: `seed --demo`.
    Seed {
        /// The illustrative register (units, partners, assessments, agreements, an exception),
        /// labelled as such; refused on a database that holds data.
        #[arg(long)]
        demo: bool,
    },
    /// Print one HS256 token on standard output (development and tests).
    Token {
        /// reader, officer, coordinator, board_secretary or admin; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The officer's unit code.
        #[arg(long)]
        unit: Option<String>,
        /// The subject (who the token is for).
        #[arg(long, default_value = "dev-user")]
        sub: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            print!("{}", app::openapi_json());
            Ok(())
        }
        Command::Token {
            roles,
            unit,
            sub,
            ttl,
        } => token(roles, unit, sub, ttl),
        Command::Migrate => {
            init_logging();
            migrate()
        }
        Command::Seed { demo } => seed(demo),
        Command::Serve => {
            init_logging();
            serve()
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            log::error!("{message}");
            eprintln!("samverkan: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let _ = env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("info,actix_server=warn"),
    )
    .try_init();
}

fn open_db(config: &Config) -> Result<Db, String> {
    Db::open(
        &config.database_url,
        &PoolOptions {
            max_size: config.pool_size,
            ..Default::default()
        },
    )
    .map_err(|e| format!("{} ({})", e, config.database_url.display_safe()))
}

fn migrate() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let db = open_db(&config)?;
    let applied = db.migrate().map_err(|e| e.to_string())?;
    log::info!(
        "{} migration(s) applied on {}",
        applied.len(),
        config.database_url.display_safe()
    );
    Ok(())
}

/// `seed --demo`: applies migrations, then writes the demo data in one transaction.
fn seed(demo: bool) -> Result<(), String> {
    if !demo {
        return Err("usage: samverkan seed --demo (fills an empty database with an illustrative register, labelled as such)".into());
    }
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let db = open_db(&config)?;
    db.migrate().map_err(|e| e.to_string())?;
    let seeded = db
        .write_blocking(|conn| crate::seed::demo(conn, crate::policy::today()))
        .map_err(|e| format!("seed --demo failed: {e}"))?;
    println!(
        "Demo data written to {} ({}): {} units, {} partners, {} contacts, {} assessments, {} agreements, {} exception requests. {}",
        config.database_url.display_safe(),
        config.database_url.backend().name(),
        seeded.units,
        seeded.partners,
        seeded.contacts,
        seeded.assessments,
        seeded.agreements,
        seeded.exceptions,
        crate::seed::NOTICE
    );
    Ok(())
}

fn token(roles: Vec<String>, unit: Option<String>, sub: String, ttl: u64) -> Result<(), String> {
    for role in &roles {
        if Role::parse(role).is_none() {
            return Err(format!(
                "unknown role '{role}'; use reader, officer, coordinator, board_secretary or admin"
            ));
        }
    }
    let config = Config::from_env().map_err(|e| e.to_string())?;
    // Never creates a secret: a token signed with a secret no server knows is refused with a bare 401.
    let (secret, _) = config::hs256_secret(&config, false)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| no_secret_message(&config))?;
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub,
        iss: config.jwt_issuer.clone(),
        aud: config.jwt_audience.clone(),
        exp: now + ttl,
        iat: Some(now),
        roles,
        unit,
    };
    let token = sign_hs256(secret.as_bytes(), &claims).map_err(|e| e.to_string())?;
    println!("{token}");
    Ok(())
}

/// Names both places a signing secret may come from, so the caller knows what to set or run.
fn no_secret_message(config: &Config) -> String {
    match config.development_secret_path() {
        Some(path) => format!(
            "no HS256 secret to sign with: set SAMVERKAN_JWT_SECRET, or run `samverkan serve` in development mode first so that it creates the development secret {} (token never creates one)",
            path.display()
        ),
        None => "no HS256 secret to sign with: set SAMVERKAN_JWT_SECRET (a development secret beside the database exists only with an embedded SQLite database; token never creates one)".into(),
    }
}

/// Builds the verifier from the configuration; in development mode with a generated secret.
pub fn verifier(config: &Config) -> Result<JwtVerifier, String> {
    let secret = config::hs256_secret(config, true).map_err(|e| e.to_string())?;
    let keys = match &config.jwt_public_keys {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("SAMVERKAN_JWT_PUBLIC_KEYS {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let identity = &config.identity;
    if secret.is_none() && keys.is_none() && !identity.remote() {
        return Err("no token key configured: set SAMVERKAN_OIDC_ISSUER, SAMVERKAN_JWKS_URL, SAMVERKAN_JWT_PUBLIC_KEYS or SAMVERKAN_JWT_SECRET (only the embedded database on a loopback address may run without one)".into());
    }
    if let Some((_, true)) = &secret {
        log::warn!("==================================================================");
        log::warn!("DEVELOPMENT MODE: no token key is configured. A generated HS256 secret");
        log::warn!("is kept beside the database; `samverkan token` signs with it.");
        log::warn!("Never run like this in production: set SAMVERKAN_JWT_SECRET or");
        log::warn!("SAMVERKAN_JWT_PUBLIC_KEYS.");
        log::warn!("==================================================================");
    }
    let claims = ClaimMapping::parse(
        &identity.roles_claim,
        &identity.unit_claim,
        identity.role_map.as_deref(),
    )?;
    let mut verifier = JwtVerifier::new(
        secret.as_ref().map(|(s, _)| s.as_bytes()),
        keys.as_deref(),
        &config.jwt_issuer,
        &config.jwt_audience,
    )
    .map_err(|e| e.to_string())?
    .with_claims(claims);
    let source = match (&identity.oidc_issuer, &identity.jwks_url) {
        (Some(issuer), _) => Some(KeySource::Discovery {
            issuer: issuer.clone(),
        }),
        (None, Some(url)) => Some(KeySource::Jwks { url: url.clone() }),
        (None, None) => None,
    };
    if let Some(source) = source {
        let refresh = Refresh {
            kid_interval: identity.kid_refresh,
            min_cache: identity.min_cache,
            ..Refresh::default()
        };
        verifier = verifier.with_remote(Arc::new(RemoteKeys::new(source, refresh)?));
    }
    Ok(verifier)
}

#[actix_web::main]
async fn serve() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    // Keys and the webhook allow-list first: a service that may not start must not create or
    // migrate a database either (a bad allow-list entry refuses the start, not less or more).
    let jwt = verifier(&config)?;
    let allow = crate::webhooks::target::AllowList::parse(&config.webhook_allow)?;
    let db = open_db(&config)?;
    let applied = db.migrate().map_err(|e| e.to_string())?;
    if !applied.is_empty() {
        log::info!("{} migration(s) applied", applied.len());
    }
    // Each instance fetches the provider's keys itself; until they are in it answers 503.
    if let Some(remote) = jwt.remote() {
        remote.spawn();
    }
    let state = AppState::new(db.clone(), config.clone(), jwt);
    spawn_housekeeping(db.clone());
    // Background work shared by the instances through the database: deliveries are claimed row
    // by row, and the time sweep runs under a lease, as this instance.
    let instance = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    crate::webhooks::worker::Deliverer::new(db.clone(), allow, Default::default())?.spawn();
    crate::sweep::spawn(db, instance);
    let listener = app::server::bind(&config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let server = app::server::serve(listener, state)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    log::info!(
        "Samverkan listens on http://{addr} ({} database {}); docs at {}/docs/",
        config.database_url.backend().name(),
        config.database_url.display_safe(),
        config.public_url
    );
    server.await.map_err(|e| e.to_string())
}

/// Periodic clean-up that no request should pay for: expired idempotency keys.
fn spawn_housekeeping(db: Db) {
    actix_web::rt::spawn(async move {
        let mut interval = actix_web::rt::time::interval(std::time::Duration::from_secs(600));
        loop {
            interval.tick().await;
            if let Err(e) = db
                .write(|c| crate::http::idempotency::purge_expired(c).map(|_| ()))
                .await
            {
                log::warn!("housekeeping failed: {e}");
            }
        }
    });
}

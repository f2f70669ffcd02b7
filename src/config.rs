//! Configuration from the environment (names fixed by DESIGN.md).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::db::{DatabaseUrl, DbError};

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: String,
    pub public_url: String,
    pub jwt_secret: Option<String>,
    pub jwt_public_keys: Option<PathBuf>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// `SAMVERKAN_WEBHOOK_ALLOW` as given; `webhooks::target::AllowList` parses it when the
    /// service starts, and a bad entry refuses the start.
    pub webhook_allow: Vec<String>,
    /// Requests per minute per caller and instance; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    pub pool_size: u32,
    /// Keys from the city's identity provider and how its claims map to ours.
    pub identity: IdentityConfig,
}

/// `SAMVERKAN_OIDC_ISSUER` or `SAMVERKAN_JWKS_URL`, the claim mapping and the refresh bounds.
/// The role map stays text here (roles belong to `http::auth`, which parses it when the verifier
/// is built and refuses the start naming the variable).
#[derive(Debug, Clone)]
pub struct IdentityConfig {
    pub oidc_issuer: Option<String>,
    pub jwks_url: Option<String>,
    pub roles_claim: String,
    pub unit_claim: String,
    pub role_map: Option<String>,
    /// At most one refresh for an unknown `kid` per this interval (`SAMVERKAN_JWKS_KID_REFRESH_SECONDS`).
    pub kid_refresh: std::time::Duration,
    /// The least time keys are kept, whatever `Cache-Control` says (`SAMVERKAN_JWKS_MIN_CACHE_SECONDS`).
    pub min_cache: std::time::Duration,
}

pub const KID_REFRESH_SECONDS: u64 = 30;
pub const MIN_CACHE_SECONDS: u64 = 300;

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            oidc_issuer: None,
            jwks_url: None,
            roles_claim: "roles".into(),
            unit_claim: "unit".into(),
            role_map: None,
            kid_refresh: std::time::Duration::from_secs(KID_REFRESH_SECONDS),
            min_cache: std::time::Duration::from_secs(MIN_CACHE_SECONDS),
        }
    }
}

impl IdentityConfig {
    /// Whether keys come from a provider over the network.
    pub fn remote(&self) -> bool {
        self.oidc_issuer.is_some() || self.jwks_url.is_some()
    }
}

/// Whether `url` is `https`, or `http` to a loopback address (a provider on the same machine).
pub fn https_or_loopback(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        },
        _ => false,
    }
}

fn provider_url(name: &str) -> Result<Option<String>, ConfigError> {
    let Some(value) = var(name) else {
        return Ok(None);
    };
    let parsed = url::Url::parse(&value)
        .map_err(|_| ConfigError::Invalid(format!("{name}='{value}' is not a URL")))?;
    if !https_or_loopback(&parsed) || parsed.host().is_none() {
        return Err(ConfigError::Invalid(format!(
            "{name}='{value}' must be an https URL (plain http only to a loopback address)"
        )));
    }
    Ok(Some(value))
}

/// A number of seconds between 1 and `default` (configuration may lower the bound, not raise it).
fn lowered_seconds(name: &str, default: u64) -> Result<std::time::Duration, ConfigError> {
    let secs: u64 = number(name, default)?;
    if secs == 0 || secs > default {
        return Err(ConfigError::Invalid(format!(
            "{name}='{secs}' must be between 1 and {default} seconds"
        )));
    }
    Ok(std::time::Duration::from_secs(secs))
}

fn claim_path(name: &str, default: &str) -> Result<String, ConfigError> {
    let value = var(name).unwrap_or_else(|| default.to_string());
    if value.split('.').any(|part| part.is_empty()) || value.chars().any(char::is_whitespace) {
        return Err(ConfigError::Invalid(format!(
            "{name}='{value}' is not a claim name or a dotted path such as realm_access.roles"
        )));
    }
    Ok(value)
}

impl IdentityConfig {
    fn from_env(jwt_secret: bool) -> Result<Self, ConfigError> {
        let oidc_issuer = provider_url("SAMVERKAN_OIDC_ISSUER")?;
        let jwks_url = provider_url("SAMVERKAN_JWKS_URL")?;
        if oidc_issuer.is_some() && jwks_url.is_some() {
            return Err(ConfigError::Invalid(
                "SAMVERKAN_OIDC_ISSUER and SAMVERKAN_JWKS_URL are both set: set one of them".into(),
            ));
        }
        if jwt_secret {
            for (name, set) in [
                ("SAMVERKAN_OIDC_ISSUER", oidc_issuer.is_some()),
                ("SAMVERKAN_JWKS_URL", jwks_url.is_some()),
            ] {
                if set {
                    return Err(ConfigError::Invalid(format!(
                        "SAMVERKAN_JWT_SECRET and {name} are both set: tokens come from the identity provider, so remove SAMVERKAN_JWT_SECRET"
                    )));
                }
            }
        }
        Ok(Self {
            oidc_issuer,
            jwks_url,
            roles_claim: claim_path("SAMVERKAN_JWT_ROLES_CLAIM", "roles")?,
            unit_claim: claim_path("SAMVERKAN_JWT_UNIT_CLAIM", "unit")?,
            role_map: var("SAMVERKAN_JWT_ROLE_MAP"),
            kid_refresh: lowered_seconds(
                "SAMVERKAN_JWKS_KID_REFRESH_SECONDS",
                KID_REFRESH_SECONDS,
            )?,
            min_cache: lowered_seconds("SAMVERKAN_JWKS_MIN_CACHE_SECONDS", MIN_CACHE_SECONDS)?,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("{0}")]
    Invalid(String),
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ConfigError::Invalid(format!("{name}='{v}' is not a whole number"))),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database_url = match var("DATABASE_URL") {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl::default_sqlite(),
        };
        let bind = var("SAMVERKAN_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let public_url = var("SAMVERKAN_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        url::Url::parse(&public_url).map_err(|_| {
            ConfigError::Invalid(format!("SAMVERKAN_PUBLIC_URL='{public_url}' is not a URL"))
        })?;
        let jwt_secret = var("SAMVERKAN_JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err(ConfigError::Invalid(
                "SAMVERKAN_JWT_SECRET must be at least 32 bytes (256 bits) for HS256".into(),
            ));
        }
        let webhook_allow: Vec<String> = var("SAMVERKAN_WEBHOOK_ALLOW")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let identity = IdentityConfig::from_env(jwt_secret.is_some())?;
        // With discovery, `iss` must equal the provider's issuer.
        let jwt_issuer = match (&identity.oidc_issuer, var("SAMVERKAN_JWT_ISSUER")) {
            (Some(oidc), Some(given)) if *oidc != given => {
                return Err(ConfigError::Invalid(format!(
                    "SAMVERKAN_JWT_ISSUER='{given}' differs from SAMVERKAN_OIDC_ISSUER='{oidc}': tokens must carry the provider's issuer, so leave SAMVERKAN_JWT_ISSUER unset"
                )));
            }
            (Some(oidc), _) => oidc.clone(),
            (None, given) => given.unwrap_or_else(|| "samverkan".into()),
        };
        let default_pool = match database_url.backend() {
            crate::db::Backend::Postgres => 16,
            crate::db::Backend::Sqlite => 8,
        };
        Ok(Self {
            database_url,
            bind,
            public_url,
            jwt_secret,
            jwt_public_keys: var("SAMVERKAN_JWT_PUBLIC_KEYS").map(PathBuf::from),
            jwt_issuer,
            jwt_audience: var("SAMVERKAN_JWT_AUDIENCE").unwrap_or_else(|| "samverkan".into()),
            webhook_allow,
            rate_limit_per_minute: number("SAMVERKAN_RATE_LIMIT", 1200)?,
            pool_size: number("SAMVERKAN_DB_POOL_SIZE", default_pool)?,
            identity,
        })
    }

    /// Whether the service may run without a configured key: embedded database, loopback bind.
    pub fn development_mode_allowed(&self) -> bool {
        let loopback = self
            .bind
            .parse::<SocketAddr>()
            .map(|a| a.ip().is_loopback())
            .unwrap_or_else(|_| self.bind.starts_with("localhost:"));
        matches!(self.database_url, DatabaseUrl::Sqlite(_)) && loopback
    }

    /// Where the development secret is kept: beside the SQLite file.
    pub fn development_secret_path(&self) -> Option<PathBuf> {
        match &self.database_url {
            DatabaseUrl::Sqlite(path) => Some(secret_path_for(path)),
            DatabaseUrl::Postgres(_) => None,
        }
    }
}

fn secret_path_for(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".jwt-secret");
    db.with_file_name(name)
}

/// The HS256 secret in force: the configured one, or in development mode the one kept beside the
/// database (created on first use, readable by its owner only).
pub fn hs256_secret(config: &Config, create: bool) -> Result<Option<(String, bool)>, ConfigError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(Some((secret.clone(), false)));
    }
    if config.jwt_public_keys.is_some()
        || config.identity.remote()
        || !config.development_mode_allowed()
    {
        return Ok(None);
    }
    let path = config
        .development_secret_path()
        .expect("development mode means SQLite");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if existing.len() >= 32 {
            return Ok(Some((existing, true)));
        }
    }
    if !create {
        return Ok(None);
    }
    let secret = {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    write_private(&path, &secret)
        .map_err(|e| ConfigError::Invalid(format!("cannot write {}: {e}", path.display())))?;
    Ok(Some((secret, true)))
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_development_secret_lives_beside_the_database() {
        assert_eq!(
            secret_path_for(Path::new("/tmp/x/samverkan.db")),
            PathBuf::from("/tmp/x/samverkan.db.jwt-secret")
        );
        assert_eq!(
            secret_path_for(Path::new("samverkan.db")),
            PathBuf::from("samverkan.db.jwt-secret")
        );
    }
}

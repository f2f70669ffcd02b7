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
            jwt_issuer: var("SAMVERKAN_JWT_ISSUER").unwrap_or_else(|| "samverkan".into()),
            jwt_audience: var("SAMVERKAN_JWT_AUDIENCE").unwrap_or_else(|| "samverkan".into()),
            webhook_allow,
            rate_limit_per_minute: number("SAMVERKAN_RATE_LIMIT", 1200)?,
            pool_size: number("SAMVERKAN_DB_POOL_SIZE", default_pool)?,
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
    if config.jwt_public_keys.is_some() || !config.development_mode_allowed() {
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

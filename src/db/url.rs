use std::path::PathBuf;

use super::DbError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgresql",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// A database URL whose backend is decided by its scheme alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// The default: a SQLite file `samverkan.db` in the working directory.
    pub fn default_sqlite() -> Self {
        DatabaseUrl::Sqlite(PathBuf::from("samverkan.db"))
    }

    /// Accepts `postgres://…`, `postgresql://…` and `sqlite://PATH`. Anything else is refused with
    /// a message, never taken as a file name: a mistyped URL must not create an empty database.
    pub fn parse(raw: &str) -> Result<Self, DbError> {
        let raw = raw.trim();
        let (scheme, rest) = raw.split_once("://").ok_or_else(|| {
            DbError::Url(format!(
                "DATABASE_URL '{}' has no scheme; use sqlite://PATH or postgres://USER@HOST/DB",
                redact(raw)
            ))
        })?;
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(DatabaseUrl::Postgres(raw.to_string())),
            "sqlite" => {
                if rest.is_empty() || rest == ":memory:" {
                    return Err(DbError::Url(
                        "DATABASE_URL sqlite:// needs a file path (an in-memory database would \
                         give every pooled connection its own empty database)"
                            .into(),
                    ));
                }
                let path = PathBuf::from(rest);
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or_else(|| std::path::Path::new("."));
                if !dir.is_dir() {
                    return Err(DbError::Url(format!(
                        "DATABASE_URL sqlite://{rest}: the directory '{}' does not exist",
                        dir.display()
                    )));
                }
                Ok(DatabaseUrl::Sqlite(path))
            }
            other => Err(DbError::Url(format!(
                "DATABASE_URL scheme '{other}' is not supported; use sqlite://PATH or postgres://…"
            ))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Postgres(_) => Backend::Postgres,
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// A form safe to log: the password of a PostgreSQL URL is masked.
    pub fn display_safe(&self) -> String {
        match self {
            DatabaseUrl::Postgres(url) => redact(url),
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        }
    }
}

fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_is_chosen_by_the_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://samverkan.db").unwrap(),
            DatabaseUrl::Sqlite("samverkan.db".into())
        );
    }

    #[test]
    fn a_mistyped_url_is_refused_rather_than_taken_as_a_file_name() {
        for bad in [
            "postgress://u@h/db",
            "samverkan.db",
            "mysql://h/db",
            "sqlite://",
            "sqlite://:memory:",
        ] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad} was accepted");
        }
        assert!(DatabaseUrl::parse("sqlite:///no/such/dir/x.db").is_err());
    }

    #[test]
    fn passwords_are_masked_when_logged() {
        let url = DatabaseUrl::parse("postgres://app:secret@db:5432/samverkan").unwrap();
        assert!(!url.display_safe().contains("secret"));
    }
}

//! Case-insensitive text search that behaves the same on SQLite and PostgreSQL.

diesel::define_sql_function!(
    /// SQL `lower()`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// A `LIKE` pattern (escape character `\`) that finds `q` anywhere, with `%` and `_` taken literally.
pub fn like_pattern(q: &str) -> String {
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_are_literal() {
        assert_eq!(super::like_pattern("50%_A"), "%50\\%\\_a%");
    }
}

//! Case-insensitive text search that behaves the same on SQLite and PostgreSQL.

diesel::define_sql_function!(
    /// SQL `lower()`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

diesel::define_sql_function!(
    /// SQLite's own `lower()` folds ASCII letters only ("Å" stays "Å"); each SQLite connection
    /// replaces it with this one, Unicode's lower case as Rust (and PostgreSQL) has it.
    #[sql_name = "lower"]
    fn unicode_lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>
);

/// Makes `lower()` fold every letter on a SQLite connection, as it does on PostgreSQL.
pub fn register_unicode_lower(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    unicode_lower_utils::register_impl(conn, |x: Option<String>| x.map(|s| s.to_lowercase()))
}

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
    use diesel::prelude::*;

    #[test]
    fn wildcards_are_literal() {
        assert_eq!(super::like_pattern("50%_A"), "%50\\%\\_a%");
    }

    #[test]
    fn lower_folds_swedish_letters_on_sqlite() {
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let ascii_only: String = diesel::select(super::lower("ÅRE Östra ÄNGET"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(ascii_only, "Åre Östra Änget", "SQLite's own lower()");
        super::register_unicode_lower(&mut conn).unwrap();
        let folded: String = diesel::select(super::lower("ÅRE Östra ÄNGET"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(folded, "åre östra änget");
        let null: Option<String> = diesel::select(super::unicode_lower(None::<String>))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(null, None);
    }
}

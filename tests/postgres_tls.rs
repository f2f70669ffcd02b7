//! The PostgreSQL client library is compiled in (`pq-sys` bundled, OpenSSL vendored): TLS to the
//! server must work as it does with a system libpq, for `sslmode=require` and `verify-full`.

mod common;

use diesel::prelude::*;
use diesel::sql_types::Bool;

#[derive(QueryableByName)]
struct Ssl {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

fn with_params(url: &str, params: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(url).unwrap();
    for (k, v) in params {
        url.query_pairs_mut().append_pair(k, v);
    }
    url.to_string()
}

fn session_uses_tls(conn: &mut PgConnection) -> bool {
    diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result::<Ssl>(conn)
        .unwrap()
        .ssl
}

/// `sslmode=require` gets an encrypted session from the test server (the machine's cluster and the
/// harness's private cluster both have TLS on).
#[test]
fn postgres_sslmode_require_gets_an_encrypted_session() {
    let url = with_params(&common::postgres_admin_url(), &[("sslmode", "require")]);
    let mut conn = PgConnection::establish(&url)
        .unwrap_or_else(|e| panic!("TLS connection with sslmode=require failed: {e}"));
    assert!(session_uses_tls(&mut conn), "pg_stat_ssl says no TLS");
}

/// `verify-full` checks the server's certificate and name: it connects when the certificate is the
/// trusted root and refuses a server whose certificate it cannot verify. The private cluster's
/// certificate is known to the harness; the machine's own cluster's is not, so on the machine's
/// cluster only the refusal is checked (CI runs the suite on both, see `.ci/run`).
#[test]
fn postgres_sslmode_verify_full_verifies_the_server() {
    let server = common::pg::server();
    let dir = std::env::temp_dir().join(format!("samverkan-tls-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let stranger = dir.join("stranger.crt");
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    std::fs::write(&stranger, other.cert.pem()).unwrap();

    let refused = PgConnection::establish(&with_params(
        &server.admin_url,
        &[
            ("sslmode", "verify-full"),
            ("sslrootcert", stranger.to_str().unwrap()),
        ],
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let error = refused
        .err()
        .expect("verify-full must refuse a certificate it does not trust")
        .to_string();
    assert!(
        error.to_ascii_lowercase().contains("certificate"),
        "refused, but not for the certificate: {error}"
    );

    if let Some(cluster) = &server.private {
        let url = with_params(
            &server.admin_url,
            &[
                ("sslmode", "verify-full"),
                ("sslrootcert", cluster.ca_file.to_str().unwrap()),
            ],
        );
        let mut conn = PgConnection::establish(&url)
            .unwrap_or_else(|e| panic!("verify-full with the server's certificate failed: {e}"));
        assert!(session_uses_tls(&mut conn));
    }
}

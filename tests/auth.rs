//! Bearer tokens: HS256, RS256 and ES256 are accepted with keys of their own family only; every
//! other token is a 401 problem document with `WWW-Authenticate`, and a token without the role is 403.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Backend, Options, SECRET, TestApp, TestResponse, fixture};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// Claims that this service accepts (`iss` and `aud` are the test apps' `samverkan`).
fn claims(roles: &[&str]) -> Value {
    let now = jsonwebtoken::get_current_timestamp();
    json!({"sub": "anna", "iss": "samverkan", "aud": "samverkan", "exp": now + 600, "iat": now, "roles": roles})
}

fn sign(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn rsa() -> EncodingKey {
    EncodingKey::from_rsa_pem(fixture("rsa-private.pem").as_bytes()).unwrap()
}

fn ec() -> EncodingKey {
    EncodingKey::from_ec_pem(fixture("ec-private.pem").as_bytes()).unwrap()
}

fn hmac() -> EncodingKey {
    EncodingKey::from_secret(SECRET.as_bytes())
}

fn pem_keys() -> String {
    fixture("rsa-public.pem") + &fixture("ec-public.pem")
}

async fn app_with(backend: Backend, public_keys: Option<String>, hmac: bool) -> TestApp {
    TestApp::start_with(
        backend,
        Options {
            public_keys,
            hmac,
            ..Default::default()
        },
    )
    .await
}

async fn read_units(app: &TestApp, token: &str) -> TestResponse {
    app.get("/api/v1/units").bearer(token).send().await
}

#[track_caller]
fn assert_unauthorized(res: &TestResponse, what: &str) {
    assert_eq!(res.status, 401, "{what}: {}", res.text());
    res.assert_problem(401, "unauthorized");
    let challenge = res.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer "),
        "{what}: WWW-Authenticate is '{challenge}'"
    );
}

/// A JWT built by hand, for headers no library will sign.
fn hand_built(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

async fn rs256_and_es256_tokens_are_accepted_with_keys_from_a_pem_file(backend: Backend) {
    let app = app_with(backend, Some(pem_keys()), false).await;
    let rs = sign(Algorithm::RS256, &rsa(), None, &claims(&["reader"]));
    read_units(&app, &rs).await.assert_status(200);
    let es = sign(Algorithm::ES256, &ec(), None, &claims(&["reader"]));
    read_units(&app, &es).await.assert_status(200);
    // Without an HMAC secret configured, HS256 has no key at all.
    let hs = sign(Algorithm::HS256, &hmac(), None, &claims(&["reader"]));
    assert_unauthorized(&read_units(&app, &hs).await, "HS256 without a secret");
}

async fn rs256_and_es256_tokens_are_accepted_with_keys_from_a_jwks_document(backend: Backend) {
    let app = app_with(backend, Some(fixture("jwks.json")), false).await;
    let rs = sign(
        Algorithm::RS256,
        &rsa(),
        Some("test-rsa-1"),
        &claims(&["reader"]),
    );
    read_units(&app, &rs).await.assert_status(200);
    let es = sign(
        Algorithm::ES256,
        &ec(),
        Some("test-ec-1"),
        &claims(&["reader"]),
    );
    read_units(&app, &es).await.assert_status(200);
    // Identity providers may omit the kid; the key of the token's algorithm is then tried.
    let no_kid = sign(Algorithm::ES256, &ec(), None, &claims(&["reader"]));
    read_units(&app, &no_kid).await.assert_status(200);
    // A kid naming another key does not match, even if the signature would.
    let wrong_kid = sign(
        Algorithm::RS256,
        &rsa(),
        Some("test-ec-1"),
        &claims(&["reader"]),
    );
    assert_unauthorized(&read_units(&app, &wrong_kid).await, "kid of another key");
}

async fn tokens_that_are_missing_expired_or_for_another_service_are_401(backend: Backend) {
    let app = app_with(backend, Some(pem_keys()), true).await;
    let res = app.get("/api/v1/units").send().await;
    assert_unauthorized(&res, "no token");
    assert_unauthorized(
        &app.get("/api/v1/units")
            .header("Authorization", "Basic YWRtaW46YWRtaW4=")
            .send()
            .await,
        "basic credentials",
    );

    let now = jsonwebtoken::get_current_timestamp();
    let mut expired = claims(&["reader"]);
    // Well past the verifier's 30 s leeway.
    expired["exp"] = json!(now - 120);
    let mut wrong_aud = claims(&["reader"]);
    wrong_aud["aud"] = json!("another-service");
    let mut wrong_iss = claims(&["reader"]);
    wrong_iss["iss"] = json!("https://evil.example");
    let mut no_sub = claims(&["reader"]);
    no_sub.as_object_mut().unwrap().remove("sub");
    let mut empty_sub = claims(&["reader"]);
    empty_sub["sub"] = json!(" ");
    let mut no_exp = claims(&["reader"]);
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut not_yet = claims(&["reader"]);
    not_yet["nbf"] = json!(now + 600);
    let cases = [
        ("expired", expired),
        ("wrong aud", wrong_aud),
        ("wrong iss", wrong_iss),
        ("missing sub", no_sub),
        ("blank sub", empty_sub),
        ("missing exp", no_exp),
        ("not valid before", not_yet),
    ];
    for (what, claims) in &cases {
        for (alg, key) in [
            (Algorithm::HS256, hmac()),
            (Algorithm::RS256, rsa()),
            (Algorithm::ES256, ec()),
        ] {
            let token = sign(alg, &key, None, claims);
            assert_unauthorized(&read_units(&app, &token).await, &format!("{what} {alg:?}"));
        }
    }
    // A token whose `nbf` has passed is valid.
    let mut valid_since = claims(&["reader"]);
    valid_since["nbf"] = json!(now - 60);
    read_units(&app, &sign(Algorithm::ES256, &ec(), None, &valid_since))
        .await
        .assert_status(200);
    // The same claims, made valid, pass: the refusals above are about the claims alone.
    read_units(
        &app,
        &sign(Algorithm::RS256, &rsa(), None, &claims(&["reader"])),
    )
    .await
    .assert_status(200);
}

async fn the_bearer_scheme_is_case_insensitive_and_nothing_else_is_taken(backend: Backend) {
    let app = app_with(backend, Some(pem_keys()), true).await;
    let token = sign(Algorithm::RS256, &rsa(), None, &claims(&["reader"]));
    for scheme in ["Bearer", "bearer", "BEARER"] {
        app.get("/api/v1/units")
            .header("Authorization", &format!("{scheme} {token}"))
            .send()
            .await
            .assert_status(200);
    }
    for value in [
        token.clone(),
        format!("Token {token}"),
        format!("Bearer{token}"),
        "Bearer ".to_string(),
        "Bearer".to_string(),
    ] {
        let res = app
            .get("/api/v1/units")
            .header("Authorization", &value)
            .send()
            .await;
        assert_unauthorized(&res, &value);
    }
}

async fn bad_signatures_and_garbage_tokens_are_401(backend: Backend) {
    let app = app_with(backend, Some(pem_keys()), true).await;
    for (alg, key) in [
        (Algorithm::HS256, hmac()),
        (Algorithm::RS256, rsa()),
        (Algorithm::ES256, ec()),
    ] {
        let token = sign(alg, &key, None, &claims(&["admin"]));
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[5] ^= 0x01;
        let tampered = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&bytes));
        assert_unauthorized(
            &read_units(&app, &tampered).await,
            &format!("bad {alg:?} signature"),
        );
        // Claims changed after signing (roles raised) do not match the signature.
        let (header, _) = signed.split_once('.').unwrap();
        let mut raised = claims(&["admin"]);
        raised["sub"] = json!("mallory");
        let forged = format!(
            "{header}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(raised.to_string())
        );
        assert_unauthorized(
            &read_units(&app, &forged).await,
            &format!("changed {alg:?} claims"),
        );
    }
    let other_rsa = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&["admin"]),
        &EncodingKey::from_secret(b"another-secret-0123456789abcdef0123456789"),
    )
    .unwrap();
    assert_unauthorized(&read_units(&app, &other_rsa).await, "another HMAC secret");
    for garbage in [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9",
        "eyJub3QiOiJqc29uIn0.e30.",
        "....",
        "ä.ö.å",
    ] {
        assert_unauthorized(&read_units(&app, garbage).await, garbage);
    }
    let header_not_json = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode("{alg: HS256"),
        URL_SAFE_NO_PAD.encode(claims(&["admin"]).to_string())
    );
    assert_unauthorized(
        &read_units(&app, &header_not_json).await,
        "header is not JSON",
    );
}

async fn unsigned_tokens_with_alg_none_are_401(backend: Backend) {
    for (public, hmac) in [
        (None, true),
        (Some(pem_keys()), false),
        (Some(pem_keys()), true),
    ] {
        let app = app_with(backend, public, hmac).await;
        for alg in ["none", "None", "NONE"] {
            let token = hand_built(&json!({"alg": alg, "typ": "JWT"}), &claims(&["admin"]), b"");
            assert_unauthorized(&read_units(&app, &token).await, alg);
            // Without the trailing dot too.
            let bare = token.trim_end_matches('.');
            assert_unauthorized(&read_units(&app, bare).await, alg);
        }
    }
}

/// The classic confusion: an HS256 token whose HMAC key is the RSA public key (which is public).
/// A verifier that fed its RSA key to HMAC would accept it.
async fn an_hs256_token_keyed_with_the_public_key_is_401(backend: Backend) {
    let public_pem = fixture("rsa-public.pem");
    let jwks = fixture("jwks.json");
    let forgeries: Vec<String> = [public_pem.as_bytes(), public_pem.trim().as_bytes()]
        .into_iter()
        .map(|key| {
            sign(
                Algorithm::HS256,
                &EncodingKey::from_secret(key),
                None,
                &claims(&["admin"]),
            )
        })
        .collect();
    for (what, keys, hmac) in [
        ("PEM keys only", pem_keys(), false),
        ("PEM keys and a secret", pem_keys(), true),
        ("JWKS only", jwks.clone(), false),
        ("JWKS and a secret", jwks, true),
    ] {
        let app = app_with(backend, Some(keys), hmac).await;
        for token in &forgeries {
            assert_unauthorized(&read_units(&app, token).await, what);
        }
        if hmac {
            // The configured secret still works, so the refusal is the key family's, not HS256's.
            let genuine = sign(Algorithm::HS256, &self::hmac(), None, &claims(&["reader"]));
            read_units(&app, &genuine).await.assert_status(200);
        }
    }
}

/// Only HS256, RS256 and ES256 are allowed, even when the key could check another algorithm.
async fn algorithms_outside_the_allow_list_are_401(backend: Backend) {
    let app = app_with(backend, Some(pem_keys()), true).await;
    for (alg, key) in [
        (Algorithm::RS384, rsa()),
        (Algorithm::RS512, rsa()),
        (Algorithm::PS256, rsa()),
        (Algorithm::HS384, hmac()),
        (Algorithm::HS512, hmac()),
    ] {
        let token = sign(alg, &key, None, &claims(&["reader"]));
        assert_unauthorized(&read_units(&app, &token).await, &format!("{alg:?}"));
    }
}

async fn a_valid_token_without_the_role_is_403_and_unknown_roles_are_ignored(backend: Backend) {
    let app = app_with(backend, Some(pem_keys()), true).await;
    let no_roles = sign(Algorithm::RS256, &rsa(), None, &claims(&[]));
    read_units(&app, &no_roles)
        .await
        .assert_problem(403, "forbidden");

    let reader = sign(Algorithm::ES256, &ec(), None, &claims(&["reader"]));
    app.post("/api/v1/units")
        .bearer(&reader)
        .json(&json!({"code": "KS", "name": "Kommunstyrelsen", "type": "EXECUTIVE_BOARD"}))
        .send()
        .await
        .assert_problem(403, "forbidden");

    // Roles the identity provider carries for other systems neither help nor harm.
    let unknown_only = sign(
        Algorithm::RS256,
        &rsa(),
        None,
        &claims(&["superuser", "Admin", "ADMIN", "root"]),
    );
    read_units(&app, &unknown_only)
        .await
        .assert_problem(403, "forbidden");
    let mixed = sign(
        Algorithm::RS256,
        &rsa(),
        None,
        &claims(&["superuser", "admin"]),
    );
    app.post("/api/v1/units")
        .bearer(&mixed)
        .json(&json!({"code": "KS", "name": "Kommunstyrelsen", "type": "EXECUTIVE_BOARD"}))
        .send()
        .await
        .assert_status(201);
}

on_both!(
    rs256_and_es256_tokens_are_accepted_with_keys_from_a_pem_file,
    rs256_and_es256_tokens_are_accepted_with_keys_from_a_jwks_document,
    tokens_that_are_missing_expired_or_for_another_service_are_401,
    the_bearer_scheme_is_case_insensitive_and_nothing_else_is_taken,
    bad_signatures_and_garbage_tokens_are_401,
    unsigned_tokens_with_alg_none_are_401,
    an_hs256_token_keyed_with_the_public_key_is_401,
    algorithms_outside_the_allow_list_are_401,
    a_valid_token_without_the_role_is_403_and_unknown_roles_are_ignored,
);

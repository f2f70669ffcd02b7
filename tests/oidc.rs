//! The city's identity provider (issue 13): keys from a stand-in OpenID Connect provider on
//! 127.0.0.1 (discovery and JWKS, RS256 keys from tests/fixtures), rotation with no restart, the
//! refresh throttle and `Cache-Control`, readiness until the keys load, claim mapping for Entra ID
//! and Keycloak shapes, and why each refused token is refused.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Backend, TestApp, TestResponse, fixture};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use samverkan::http::auth::{ClaimMapping, JwtVerifier, Role};
use samverkan::http::jwks::{KeySource, Refresh, RemoteKeys};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// The stand-in provider: discovery at /.well-known/openid-configuration, keys at /keys.

struct ProviderState {
    up: bool,
    /// The discovery document's `jwks_uri` when not the provider's own `/keys`.
    jwks_uri: Option<String>,
    /// The discovery document's `issuer` when not the provider's own.
    issuer: Option<String>,
    kids: Vec<&'static str>,
    cache_control: Option<String>,
    hits: Vec<String>,
}

struct Provider {
    port: u16,
    state: Arc<Mutex<ProviderState>>,
}

impl Provider {
    fn start(kids: &[&'static str]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(ProviderState {
            up: true,
            jwks_uri: None,
            issuer: None,
            kids: kids.to_vec(),
            cache_control: None,
            hits: Vec::new(),
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || serve(stream, port, &shared));
            }
        });
        Provider { port, state }
    }

    fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn publish(&self, kids: &[&'static str]) {
        self.state.lock().unwrap().kids = kids.to_vec();
    }

    fn set_up(&self, up: bool) {
        self.state.lock().unwrap().up = up;
    }

    fn cache_control(&self, value: &str) {
        self.state.lock().unwrap().cache_control = Some(value.to_string());
    }

    /// How many times the key set was fetched.
    fn key_fetches(&self) -> usize {
        let state = self.state.lock().unwrap();
        state.hits.iter().filter(|p| *p == "/keys").count()
    }
}

/// The public key of each fixture key, by `kid`.
fn jwk(kid: &str) -> Value {
    let sets = [fixture("jwks.json"), fixture("jwks-rotation.json")];
    sets.iter()
        .flat_map(|s| {
            serde_json::from_str::<Value>(s).unwrap()["keys"]
                .as_array()
                .unwrap()
                .clone()
        })
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("no fixture key {kid}"))
}

fn serve(mut stream: TcpStream, port: u16, state: &Mutex<ProviderState>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let path = head.split(' ').nth(1).unwrap_or("").to_string();
    let (body, cache_control) = {
        let mut state = state.lock().unwrap();
        // A provider that is down: the connection closes with no answer.
        if !state.up {
            return;
        }
        state.hits.push(path.clone());
        let issuer = format!("http://127.0.0.1:{port}");
        match path.as_str() {
            "/.well-known/openid-configuration" => (
                json!({"issuer": state.issuer.clone().unwrap_or(issuer.clone()),
                    "jwks_uri": state.jwks_uri.clone().unwrap_or(format!("{issuer}/keys"))})
                .to_string(),
                None,
            ),
            "/keys" => (
                json!({"keys": state.kids.iter().map(|k| jwk(k)).collect::<Vec<_>>()}).to_string(),
                state.cache_control.clone(),
            ),
            _ => {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                return;
            }
        }
    };
    let cache = cache_control
        .map(|c| format!("Cache-Control: {c}\r\n"))
        .unwrap_or_default();
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{cache}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// Tokens and apps.

fn private_key(kid: &str) -> EncodingKey {
    let file = match kid {
        "test-rsa-1" => "rsa-private.pem",
        "test-rsa-2" => "rsa2-private.pem",
        "test-rsa-3" => "rsa3-private.pem",
        other => panic!("no private key for {other}"),
    };
    EncodingKey::from_rsa_pem(fixture(file).as_bytes()).unwrap()
}

/// RS256 with `kid`, signed by `signer`'s private key (the same unless a test forges).
fn token_signed_by(kid: &str, signer: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &private_key(signer)).unwrap()
}

fn token(kid: &str, claims: &Value) -> String {
    token_signed_by(kid, kid, claims)
}

fn claims(provider: &Provider, extra: Value) -> Value {
    let now = jsonwebtoken::get_current_timestamp();
    let mut claims = json!({"sub": "anna", "iss": provider.issuer(), "aud": "samverkan",
        "exp": now + 600, "iat": now, "roles": ["reader"]});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    claims
}

/// Bounds lowered so that the tests run in seconds.
fn quick() -> Refresh {
    Refresh {
        kid_interval: Duration::from_millis(300),
        min_cache: Duration::from_secs(60),
        max_cache: Duration::from_secs(120),
        first_retry: Duration::from_millis(100),
        max_retry: Duration::from_millis(400),
        timeout: Duration::from_secs(2),
    }
}

fn verifier(provider: &Provider, refresh: Refresh, mapping: ClaimMapping) -> JwtVerifier {
    let remote = RemoteKeys::new(
        KeySource::Discovery {
            issuer: provider.issuer(),
        },
        refresh,
    )
    .unwrap();
    JwtVerifier::new(None, None, &provider.issuer(), "samverkan")
        .unwrap()
        .with_claims(mapping)
        .with_remote(Arc::new(remote))
}

/// The app with keys from `provider`, its refresh loop started; waits for the first key set.
async fn app_with(backend: Backend, provider: &Provider, refresh: Refresh) -> TestApp {
    let app = start_without_waiting(backend, provider, refresh, ClaimMapping::default()).await;
    until(|| app.state.jwt.ready(), "the keys load").await;
    app
}

async fn start_without_waiting(
    backend: Backend,
    provider: &Provider,
    refresh: Refresh,
    mapping: ClaimMapping,
) -> TestApp {
    let app = TestApp::start_with_verifier(backend, verifier(provider, refresh, mapping)).await;
    app.state.jwt.remote().expect("remote keys").spawn();
    app
}

async fn until(mut done: impl FnMut() -> bool, what: &str) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "timed out waiting until {what}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn sleep(ms: u64) {
    actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
}

async fn read_units(app: &TestApp, token: &str) -> TestResponse {
    app.get("/api/v1/units").bearer(token).send().await
}

#[track_caller]
fn assert_refused(res: &TestResponse, description: &str) -> Value {
    let problem = res.assert_problem(401, "unauthorized");
    let challenge = res.header("www-authenticate").unwrap_or_default();
    assert_eq!(
        challenge,
        format!(
            "Bearer realm=\"samverkan\", error=\"invalid_token\", error_description=\"{description}\""
        )
    );
    problem
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// A token signed with the provider's key verifies; the provider adds a key and a token with its
/// new `kid` verifies at once (a refresh on the unknown `kid`, no restart); the first key is
/// removed and, after the next refresh, its tokens are refused as signed by an unknown key.
async fn the_provider_rotates_its_keys_with_no_restart(backend: Backend) {
    let provider = Provider::start(&["test-rsa-1"]);
    let app = app_with(backend, &provider, quick()).await;
    let first = token("test-rsa-1", &claims(&provider, json!({})));
    read_units(&app, &first).await.assert_status(200);

    provider.publish(&["test-rsa-1", "test-rsa-2"]);
    let second = token("test-rsa-2", &claims(&provider, json!({})));
    read_units(&app, &second).await.assert_status(200);
    assert_eq!(
        app.state.jwt.remote().unwrap().kids(),
        ["test-rsa-1", "test-rsa-2"]
    );

    provider.publish(&["test-rsa-2"]);
    // Until the next refresh the keys in hand still verify.
    read_units(&app, &first).await.assert_status(200);
    sleep(400).await;
    let unpublished = token("test-rsa-3", &claims(&provider, json!({})));
    assert_refused(
        &read_units(&app, &unpublished).await,
        "the token is signed with an unknown key",
    );
    assert_eq!(app.state.jwt.remote().unwrap().kids(), ["test-rsa-2"]);
    assert_refused(
        &read_units(&app, &first).await,
        "the token is signed with an unknown key",
    );
    read_units(&app, &second).await.assert_status(200);
}

/// 50 requests with unknown `kid`s at once cost the provider one fetch besides the first (the
/// refresh runs once and the others wait for it); after the interval (lowered from 30 s to 3 s)
/// one more fetch is allowed, and within it none.
async fn unknown_kids_refresh_at_most_once_per_interval(backend: Backend) {
    let provider = Provider::start(&["test-rsa-1"]);
    let refresh = Refresh {
        kid_interval: Duration::from_secs(3),
        ..quick()
    };
    let app = app_with(backend, &provider, refresh).await;
    assert_eq!(provider.key_fetches(), 1);
    let tokens: Vec<String> = (0..50)
        .map(|i| {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some(format!("made-up-{i}"));
            jsonwebtoken::encode(
                &header,
                &claims(&provider, json!({})),
                &private_key("test-rsa-1"),
            )
            .unwrap()
        })
        .collect();
    let answers = futures_util::future::join_all(tokens.iter().map(|t| read_units(&app, t))).await;
    for res in &answers {
        assert_refused(res, "the token is signed with an unknown key");
    }
    assert_eq!(provider.key_fetches(), 2, "50 unknown kids, one refresh");
    for t in &tokens[..10] {
        read_units(&app, t).await.assert_status(401);
    }
    assert_eq!(provider.key_fetches(), 2, "within the interval, no refresh");
    sleep(3100).await;
    for t in &tokens[..10] {
        read_units(&app, t).await.assert_status(401);
    }
    assert_eq!(provider.key_fetches(), 3, "after the interval, one refresh");
}

/// The set is refreshed as `Cache-Control: max-age` says, within the bounds: `max-age=86400`
/// clamped to the upper bound (lowered to 2 s) picks up a new set with no request at all, and
/// `no-store` is held to the lower bound (lowered to 1 s), not fetched in a loop.
async fn keys_are_refreshed_as_cache_control_says_within_the_bounds(backend: Backend) {
    let provider = Provider::start(&["test-rsa-1"]);
    provider.cache_control("public, max-age=86400");
    let refresh = Refresh {
        min_cache: Duration::from_secs(1),
        max_cache: Duration::from_secs(2),
        ..quick()
    };
    let app = app_with(backend, &provider, refresh).await;
    let remote = app.state.jwt.remote().unwrap().clone();
    provider.publish(&["test-rsa-2"]);
    provider.cache_control("no-store");
    sleep(1000).await;
    assert_eq!(remote.kids(), ["test-rsa-1"], "kept for the upper bound");
    until(|| remote.kids() == ["test-rsa-2"], "the scheduled refresh").await;
    let fetches = provider.key_fetches();
    assert_eq!(fetches, 2);
    // no-store: the lower bound, 1 s, applies: about two more fetches in 2.5 s, not hundreds.
    sleep(2500).await;
    let more = provider.key_fetches() - fetches;
    assert!((1..=3).contains(&more), "{more} fetches in 2.5 s");
    let second = token("test-rsa-2", &claims(&provider, json!({})));
    read_units(&app, &second).await.assert_status(200);
}

/// The provider is down at start: /health/ready and the API answer 503 with `Retry-After` while
/// the service retries; the provider comes up and the service serves with no restart; the
/// provider goes down again and the keys in hand keep serving.
async fn the_service_is_not_ready_until_the_keys_load(backend: Backend) {
    let provider = Provider::start(&["test-rsa-1"]);
    provider.set_up(false);
    let refresh = Refresh {
        min_cache: Duration::from_millis(200),
        ..quick()
    };
    let app = start_without_waiting(backend, &provider, refresh, ClaimMapping::default()).await;
    sleep(300).await;
    let first = token("test-rsa-1", &claims(&provider, json!({})));
    for res in [
        app.get("/health/ready").send().await,
        read_units(&app, &first).await,
        app.get("/api/v1/units").send().await,
    ] {
        let problem = res.assert_problem(503, "service-unavailable");
        assert_eq!(res.header("retry-after").as_deref(), Some("5"));
        assert!(
            problem["detail"].as_str().unwrap().contains("signing keys"),
            "{problem}"
        );
    }
    provider.set_up(true);
    until(
        || app.state.jwt.ready(),
        "the keys load once the provider is up",
    )
    .await;
    app.get("/health/ready").send().await.assert_status(200);
    read_units(&app, &first).await.assert_status(200);

    provider.set_up(false);
    sleep(600).await;
    app.get("/health/ready").send().await.assert_status(200);
    read_units(&app, &first).await.assert_status(200);
}

/// Entra ID puts app roles in `roles` with names such as `Samverkan.Officer`, and the unit in a
/// claim the city chooses (a directory extension's name holds dots: `extn.samverkanUnit` is read
/// as one claim); Keycloak puts realm roles in `realm_access.roles`. Unmapped names, and our own
/// names when a map is configured, give no role.
async fn claims_map_from_the_entra_id_and_keycloak_shapes(backend: Backend) {
    let provider = Provider::start(&["test-rsa-1"]);
    let entra = ClaimMapping::parse(
        "roles",
        "extn.samverkanUnit",
        Some("Samverkan.Officer=officer, Samverkan.Reader=reader"),
    )
    .unwrap();
    let app = start_without_waiting(backend, &provider, quick(), entra).await;
    until(|| app.state.jwt.ready(), "the keys load").await;
    let entra_token = token(
        "test-rsa-1",
        &claims(
            &provider,
            json!({"roles": ["Samverkan.Officer", "Other.App.Admin"], "extn.samverkanUnit": "KFN"}),
        ),
    );
    let principal = app.state.jwt.verify(&entra_token).unwrap();
    assert_eq!(principal.roles, [Role::Officer].into());
    assert_eq!(principal.unit.as_deref(), Some("KFN"));
    read_units(&app, &entra_token).await.assert_status(200);
    // Our own role name is not in the map, so it gives nothing: 403.
    let unmapped = token(
        "test-rsa-1",
        &claims(&provider, json!({"roles": ["admin", "Other.App.Admin"]})),
    );
    assert!(app.state.jwt.verify(&unmapped).unwrap().roles.is_empty());
    read_units(&app, &unmapped)
        .await
        .assert_problem(403, "forbidden");

    let keycloak = ClaimMapping::parse(
        "realm_access.roles",
        "unit",
        Some("samverkan-officer=officer,samverkan-admin=admin"),
    )
    .unwrap();
    let verifier = verifier(&provider, quick(), keycloak);
    let keycloak_token = token(
        "test-rsa-1",
        &claims(
            &provider,
            json!({"roles": null, "realm_access": {"roles": ["samverkan-officer", "offline_access", "uma_authorization"]},
                   "resource_access": {"account": {"roles": ["manage-account"]}}, "unit": "KFN"}),
        ),
    );
    let principal = verifier.authenticate(&keycloak_token).await.unwrap();
    assert_eq!(principal.roles, [Role::Officer].into());
    assert_eq!(principal.unit.as_deref(), Some("KFN"));
    // The default mapping reads `roles` and `unit` with our own names.
    let plain = verifier_default(&provider);
    let p = plain
        .authenticate(&token(
            "test-rsa-1",
            &claims(
                &provider,
                json!({"roles": ["officer", "Samverkan.Officer"], "unit": "KFN"}),
            ),
        ))
        .await
        .unwrap();
    assert_eq!(p.roles, [Role::Officer].into());
}

fn verifier_default(provider: &Provider) -> JwtVerifier {
    verifier(provider, quick(), ClaimMapping::default())
}

/// Each refused token answers 401 with `WWW-Authenticate: Bearer error="invalid_token",
/// error_description="…"` and a detail that says why, in English and in Swedish.
async fn each_refusal_says_why(backend: Backend) {
    let provider = Provider::start(&["test-rsa-1", "test-rsa-2"]);
    let app = app_with(backend, &provider, quick()).await;
    let now = jsonwebtoken::get_current_timestamp();
    let cases: Vec<(&str, String, &str, &str, &str)> = vec![
        (
            "expired",
            token("test-rsa-1", &claims(&provider, json!({"exp": now - 120}))),
            "the token has expired",
            "has expired",
            "har gått ut",
        ),
        (
            "not yet valid",
            token("test-rsa-1", &claims(&provider, json!({"nbf": now + 600}))),
            "the token is not valid yet",
            "not valid yet",
            "gäller inte ännu",
        ),
        (
            "wrong audience",
            token(
                "test-rsa-1",
                &claims(&provider, json!({"aud": "another-service"})),
            ),
            "the token is for another audience",
            "another audience",
            "annan mottagare",
        ),
        (
            "wrong issuer",
            token(
                "test-rsa-1",
                &claims(&provider, json!({"iss": "https://login.example.org/"})),
            ),
            "the token is from another issuer",
            "another issuer",
            "annan utfärdare",
        ),
        (
            "unknown key",
            token("test-rsa-3", &claims(&provider, json!({}))),
            "the token is signed with an unknown key",
            "does not know",
            "inte känner till",
        ),
        (
            "bad signature",
            token_signed_by("test-rsa-1", "test-rsa-2", &claims(&provider, json!({}))),
            "the token's signature does not verify",
            "signature does not verify",
            "signatur går inte att verifiera",
        ),
        (
            "malformed",
            "not.a.token".to_string(),
            "the token is malformed or uses an algorithm that is not accepted",
            "malformed",
            "felaktig",
        ),
    ];
    for (what, token, description, en, sv) in cases {
        let res = read_units(&app, &token).await;
        let problem = assert_refused(&res, description);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(en), "{what}: {detail}");
        let res = app
            .get("/api/v1/units")
            .bearer(&token)
            .header("Accept-Language", "sv")
            .send()
            .await;
        let problem = assert_refused(&res, description);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(sv), "{what}: {detail}");
    }
}

/// Discovery is trusted only as far as it names the configured issuer and an `https` `jwks_uri`
/// (plain http only to a loopback address); otherwise no key is loaded.
#[actix_web::test]
async fn discovery_must_name_the_issuer_and_an_https_jwks_uri() {
    let provider = Provider::start(&["test-rsa-1"]);
    let remote = RemoteKeys::new(
        KeySource::Discovery {
            issuer: provider.issuer(),
        },
        quick(),
    )
    .unwrap();
    provider.state.lock().unwrap().jwks_uri = Some("http://keys.example.org/keys".into());
    let refused = remote.fetch().await.unwrap_err();
    assert!(refused.contains("is not https"), "{refused}");
    provider.state.lock().unwrap().jwks_uri = None;
    provider.state.lock().unwrap().issuer = Some("https://login.example.org/".into());
    let refused = remote.fetch().await.unwrap_err();
    assert!(refused.contains("names the issuer"), "{refused}");
    assert!(!remote.loaded());
    assert_eq!(provider.key_fetches(), 0);
    provider.state.lock().unwrap().issuer = None;
    remote.fetch().await.unwrap();
    assert_eq!(remote.kids(), ["test-rsa-1"]);
}

// ---------------------------------------------------------------------------------------------
// The binary: configuration refused at start, and a served instance with SAMVERKAN_JWKS_URL.

fn work_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join("samverkan-oidc-tests")
        .join(uuid::Uuid::new_v4().simple().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn serve_command(dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"));
    cmd.arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("RUST_LOG", "info")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("s.db").display()),
        )
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null());
    cmd
}

/// A bad identity configuration refuses the start with a message that names the variable(s), and
/// creates no database.
#[test]
fn a_bad_identity_configuration_refuses_the_start_naming_the_variable() {
    let secret = "0123456789abcdef0123456789abcdef0123";
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (
            &[("SAMVERKAN_JWT_ROLE_MAP", "Samverkan.Officer")],
            &["SAMVERKAN_JWT_ROLE_MAP"],
        ),
        (
            &[("SAMVERKAN_JWT_ROLE_MAP", "Samverkan.Officer=superuser")],
            &["SAMVERKAN_JWT_ROLE_MAP"],
        ),
        (
            &[("SAMVERKAN_JWT_ROLES_CLAIM", "realm_access..roles")],
            &["SAMVERKAN_JWT_ROLES_CLAIM"],
        ),
        (
            &[("SAMVERKAN_JWT_UNIT_CLAIM", "unit code")],
            &["SAMVERKAN_JWT_UNIT_CLAIM"],
        ),
        (
            &[(
                "SAMVERKAN_OIDC_ISSUER",
                "http://login.example.org/tenant/v2.0",
            )],
            &["SAMVERKAN_OIDC_ISSUER"],
        ),
        (
            &[("SAMVERKAN_JWKS_URL", "ftp://127.0.0.1/keys")],
            &["SAMVERKAN_JWKS_URL"],
        ),
        (
            &[
                ("SAMVERKAN_OIDC_ISSUER", "https://login.example.org/t/v2.0"),
                ("SAMVERKAN_JWT_SECRET", secret),
            ],
            &["SAMVERKAN_OIDC_ISSUER", "SAMVERKAN_JWT_SECRET"],
        ),
        (
            &[
                ("SAMVERKAN_JWKS_URL", "https://login.example.org/keys"),
                ("SAMVERKAN_JWT_SECRET", secret),
            ],
            &["SAMVERKAN_JWKS_URL", "SAMVERKAN_JWT_SECRET"],
        ),
        (
            &[
                ("SAMVERKAN_OIDC_ISSUER", "https://a.example.org"),
                ("SAMVERKAN_JWKS_URL", "https://a.example.org/keys"),
            ],
            &["SAMVERKAN_OIDC_ISSUER", "SAMVERKAN_JWKS_URL"],
        ),
        (
            &[
                ("SAMVERKAN_JWKS_URL", "https://a.example.org/keys"),
                ("SAMVERKAN_JWKS_KID_REFRESH_SECONDS", "60"),
            ],
            &["SAMVERKAN_JWKS_KID_REFRESH_SECONDS"],
        ),
        (
            &[
                ("SAMVERKAN_JWKS_URL", "https://a.example.org/keys"),
                ("SAMVERKAN_JWKS_MIN_CACHE_SECONDS", "0"),
            ],
            &["SAMVERKAN_JWKS_MIN_CACHE_SECONDS"],
        ),
    ];
    for (env, named) in cases {
        let dir = work_dir();
        let out = serve_command(&dir, env).output().expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{env:?} started");
        for name in *named {
            assert!(stderr.contains(name), "{env:?}: {stderr}");
        }
        assert!(!dir.join("s.db").exists(), "{env:?} created a database");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn http_get(port: u16, path: &str, token: Option<&str>) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    Some((status, response))
}

/// `samverkan serve` with SAMVERKAN_JWKS_URL (keys only; `iss` is SAMVERKAN_JWT_ISSUER) and
/// Keycloak's claim shape: ready once the keys load, a token of the provider's serves, an expired
/// one is refused and the log says why at info level with the response's request id.
#[test]
fn the_served_instance_takes_keys_from_a_jwks_url_and_logs_each_refusal() {
    let provider = Provider::start(&["test-rsa-1"]);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = work_dir();
    let jwks_url = format!("{}/keys", provider.issuer());
    let bind = format!("127.0.0.1:{port}");
    let mut child = serve_command(
        &dir,
        &[
            ("SAMVERKAN_BIND", bind.as_str()),
            ("SAMVERKAN_JWKS_URL", jwks_url.as_str()),
            (
                "SAMVERKAN_JWT_ISSUER",
                "https://keycloak.boras.test/realms/stad",
            ),
            ("SAMVERKAN_JWT_ROLES_CLAIM", "realm_access.roles"),
            ("SAMVERKAN_JWT_ROLE_MAP", "samverkan-reader=reader"),
        ],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("the binary starts");
    let started = Instant::now();
    while http_get(port, "/health/ready", None).map(|(s, _)| s) != Some(200) {
        assert!(started.elapsed() < Duration::from_secs(30), "never ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    let now = jsonwebtoken::get_current_timestamp();
    let good = json!({"sub": "anna", "iss": "https://keycloak.boras.test/realms/stad", "aud": "samverkan",
        "exp": now + 600, "realm_access": {"roles": ["samverkan-reader"]}});
    let (status, _) = http_get(port, "/api/v1/units", Some(&token("test-rsa-1", &good))).unwrap();
    assert_eq!(status, 200);
    let mut expired = good.clone();
    expired["exp"] = json!(now - 120);
    let (status, response) =
        http_get(port, "/api/v1/units", Some(&token("test-rsa-1", &expired))).unwrap();
    assert_eq!(status, 401);
    assert!(
        response.contains("error_description=\"the token has expired\""),
        "{response}"
    );
    let request_id = response
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("a request id")
        .trim()
        .to_string();
    child.kill().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        log.lines().any(|l| l.contains(" INFO ")
            && l.contains(&format!("request_id={request_id}"))
            && l.contains("bearer token refused: the token has expired")),
        "{log}"
    );
}

on_both!(
    the_provider_rotates_its_keys_with_no_restart,
    unknown_kids_refresh_at_most_once_per_interval,
    keys_are_refreshed_as_cache_control_says_within_the_bounds,
    the_service_is_not_ready_until_the_keys_load,
    claims_map_from_the_entra_id_and_keycloak_shapes,
    each_refusal_says_why,
);

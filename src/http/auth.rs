//! Bearer tokens and roles. Every handler takes a `Principal` (401 without a valid token) and asks
//! it for a `Capability` (403 without a role that has it): one guard, one table.

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, jwk::JwkSet};
use serde::{Deserialize, Serialize};

use serde_json::Value;

use super::jwks::RemoteKeys;
use super::problem::ApiError;

/// The roles of DESIGN.md, as carried in the token's `roles` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Reader,
    Officer,
    Coordinator,
    BoardSecretary,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Reader,
        Role::Officer,
        Role::Coordinator,
        Role::BoardSecretary,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Officer => "officer",
            Role::Coordinator => "coordinator",
            Role::BoardSecretary => "board_secretary",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What a caller may do. The table in `roles()` is DESIGN.md's roles table, and the only place
/// that says which role may do what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Read everything but drafts and personal data.
    Read,
    /// Read contacts (personal data).
    ReadContacts,
    /// Write partners' descriptive fields and contacts.
    WritePartners,
    /// Change a partner's country or kind, or archive it.
    ManagePartners,
    /// Write agreements and request or withdraw exceptions (officers for their own unit).
    WriteAgreements,
    /// Draft and publish assessments; read drafts.
    ManageAssessments,
    /// Decide and revoke exceptions.
    DecideExceptions,
    /// Units and webhooks.
    Administer,
    /// Import the register a city already keeps (`POST /imports/agreements`).
    ImportRegister,
}

impl Capability {
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Capability::Read => &[Reader, Officer, Coordinator, BoardSecretary, Admin],
            Capability::ReadContacts => &[Officer, Coordinator, BoardSecretary],
            Capability::WritePartners => &[Officer, Coordinator],
            Capability::ManagePartners => &[Coordinator],
            Capability::WriteAgreements => &[Officer, Coordinator],
            Capability::ManageAssessments => &[Coordinator],
            Capability::DecideExceptions => &[BoardSecretary],
            Capability::Administer => &[Admin],
            Capability::ImportRegister => &[Coordinator, Admin],
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub sub: String,
    pub roles: HashSet<Role>,
    /// The officer's unit code (the `unit` claim).
    pub unit: Option<String>,
}

impl Principal {
    pub fn has(&self, capability: Capability) -> bool {
        capability.roles().iter().any(|r| self.roles.contains(r))
    }

    /// The guard every handler calls first.
    pub fn require(&self, capability: Capability) -> Result<(), ApiError> {
        if self.has(capability) {
            Ok(())
        } else {
            let roles: Vec<&str> = capability.roles().iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(
                crate::text::Text::RoleRequired {
                    roles: roles.join(", "),
                }
                .msg(),
            ))
        }
    }

    pub fn is(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let verifier = req.app_data::<web::Data<JwtVerifier>>().cloned();
        let token = bearer_token(req);
        let request_id = req
            .extensions()
            .get::<super::middleware::RequestContext>()
            .map(|c| c.request_id.clone())
            .unwrap_or_default();
        Box::pin(async move {
            let verifier = verifier.ok_or_else(|| ApiError::internal("no token verifier"))?;
            // Until the provider's keys are in, no token can be judged: 503, not 401.
            if !verifier.ready() {
                return Err(keys_not_loaded());
            }
            let result = match token? {
                Some(token) => verifier.authenticate(&token).await,
                None => Err(Refusal::Malformed),
            };
            result.map_err(|refusal| {
                log::info!(
                    "request_id={request_id} bearer token refused: {}",
                    refusal.description()
                );
                refusal.into()
            })
        })
    }
}

/// 503 with `Retry-After` while the identity provider's keys are not loaded.
pub fn keys_not_loaded() -> ApiError {
    let mut e = ApiError::new(
        super::problem::ProblemKind::ServiceUnavailable,
        crate::text::Text::KeysNotLoaded.msg(),
    );
    e.retry_after = Some(5);
    e
}

/// The bearer token of the request: `Err` without an `Authorization` header, `Ok(None)` for one
/// that is not a bearer token, and for two headers (one credential a request: with two, a proxy
/// and the service could each believe another caller).
fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let mut given = req.headers().get_all(header::AUTHORIZATION);
    let value = given
        .next()
        .ok_or_else(|| ApiError::unauthorized(crate::text::Text::TokenRequired.msg()))?;
    if given.next().is_some() {
        return Ok(None);
    }
    // The scheme's name is case-insensitive (RFC 9110 §11.1).
    Ok(value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string()))
}

/// Why a token was refused: the problem's detail (both languages) and `WWW-Authenticate`'s
/// `error_description`, and the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    Expired,
    NotYetValid,
    WrongAudience,
    WrongIssuer,
    UnknownKey,
    BadSignature,
}

impl Refusal {
    /// ASCII, as RFC 6750 §3 allows in `error_description`.
    pub fn description(self) -> &'static str {
        match self {
            Refusal::Malformed => {
                "the token is malformed or uses an algorithm that is not accepted"
            }
            Refusal::Expired => "the token has expired",
            Refusal::NotYetValid => "the token is not valid yet",
            Refusal::WrongAudience => "the token is for another audience",
            Refusal::WrongIssuer => "the token is from another issuer",
            Refusal::UnknownKey => "the token is signed with an unknown key",
            Refusal::BadSignature => "the token's signature does not verify",
        }
    }

    fn text(self) -> crate::text::Text {
        use crate::text::Text;
        match self {
            Refusal::Malformed => Text::TokenInvalid,
            Refusal::Expired => Text::TokenExpired,
            Refusal::NotYetValid => Text::TokenNotYetValid,
            Refusal::WrongAudience => Text::TokenWrongAudience,
            Refusal::WrongIssuer => Text::TokenWrongIssuer,
            Refusal::UnknownKey => Text::TokenUnknownKey,
            Refusal::BadSignature => Text::TokenBadSignature,
        }
    }

    /// The refusal a failed `decode` with a key of the right family means; `None` when another
    /// key may still verify the signature.
    fn of(error: &jsonwebtoken::errors::Error) -> Option<Refusal> {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::InvalidSignature
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat => None,
            ErrorKind::ExpiredSignature => Some(Refusal::Expired),
            ErrorKind::ImmatureSignature => Some(Refusal::NotYetValid),
            ErrorKind::InvalidAudience => Some(Refusal::WrongAudience),
            ErrorKind::InvalidIssuer => Some(Refusal::WrongIssuer),
            _ => Some(Refusal::Malformed),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        let mut e = ApiError::unauthorized(refusal.text().msg());
        e.token_error = Some(refusal.description());
        e
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    #[serde(default)]
    pub iat: Option<u64>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Where the provider puts roles and the unit, and how its role names become ours
/// (`SAMVERKAN_JWT_ROLES_CLAIM`, `SAMVERKAN_JWT_UNIT_CLAIM`, `SAMVERKAN_JWT_ROLE_MAP`).
#[derive(Debug, Clone)]
pub struct ClaimMapping {
    roles_claim: String,
    unit_claim: String,
    /// `None`: the claim carries our role names. `Some`: only the names listed count.
    role_map: Option<Vec<(String, Role)>>,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        Self {
            roles_claim: "roles".into(),
            unit_claim: "unit".into(),
            role_map: None,
        }
    }
}

impl ClaimMapping {
    /// From the configuration; a bad role map refuses the start naming the variable.
    pub fn parse(
        roles_claim: &str,
        unit_claim: &str,
        role_map: Option<&str>,
    ) -> Result<Self, String> {
        let role_map = match role_map {
            None => None,
            Some(text) => {
                let mut pairs = Vec::new();
                for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    let (name, role) = item
                        .split_once('=')
                        .map(|(n, r)| (n.trim(), r.trim()))
                        .filter(|(n, _)| !n.is_empty())
                        .ok_or_else(|| {
                            format!(
                                "SAMVERKAN_JWT_ROLE_MAP: '{item}' is not PROVIDER_NAME=ROLE (such as Samverkan.Officer=officer)"
                            )
                        })?;
                    let role = Role::parse(role).ok_or_else(|| {
                        format!(
                            "SAMVERKAN_JWT_ROLE_MAP: '{role}' in '{item}' is not a role; use reader, officer, coordinator, board_secretary or admin"
                        )
                    })?;
                    pairs.push((name.to_string(), role));
                }
                if pairs.is_empty() {
                    return Err("SAMVERKAN_JWT_ROLE_MAP maps no role".into());
                }
                Some(pairs)
            }
        };
        Ok(Self {
            roles_claim: roles_claim.to_string(),
            unit_claim: unit_claim.to_string(),
            role_map,
        })
    }

    /// The claim at `path`: a top-level claim of that exact name first (claim names may hold
    /// dots, such as URLs), else the dotted path into objects.
    fn lookup<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
        claims.get(path).or_else(|| {
            path.split('.')
                .try_fold(claims, |value, part| value.get(part))
        })
    }

    /// The caller's roles: the roles claim is an array of names (Entra ID's `roles`, Keycloak's
    /// `realm_access.roles`); a claim of another shape makes the token malformed, absence none.
    fn roles(&self, claims: &Value) -> Result<HashSet<Role>, Refusal> {
        let names: Vec<&str> = match Self::lookup(claims, &self.roles_claim) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return Err(Refusal::Malformed),
        };
        // Roles this service does not know are ignored: the identity provider may carry others.
        Ok(match &self.role_map {
            None => names.into_iter().filter_map(Role::parse).collect(),
            Some(map) => map
                .iter()
                .filter(|(name, _)| names.contains(&name.as_str()))
                .map(|(_, role)| *role)
                .collect(),
        })
    }

    /// The caller's unit: a string claim; a claim of another shape makes the token malformed.
    fn unit(&self, claims: &Value) -> Result<Option<String>, Refusal> {
        match Self::lookup(claims, &self.unit_claim) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(unit)) => {
                Ok(Some(unit.trim().to_string()).filter(|u| !u.is_empty()))
            }
            Some(_) => Err(Refusal::Malformed),
        }
    }
}

pub(crate) struct PublicKey {
    pub(crate) kid: Option<String>,
    pub(crate) algorithm: Algorithm,
    pub(crate) key: DecodingKey,
}

/// Checks tokens against the configured keys. Only HS256, RS256 and ES256 are accepted, and each
/// only with a key of its own family: an HS256 token "signed" with an RSA public key is refused.
/// Keys come from the configuration (a secret, a key file) and from the identity provider
/// ([`RemoteKeys`]), whose set is replaced on every refresh.
pub struct JwtVerifier {
    hmac: Option<DecodingKey>,
    public: Vec<PublicKey>,
    remote: Option<Arc<RemoteKeys>>,
    claims: ClaimMapping,
    issuer: String,
    audience: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0}")]
    Invalid(String),
}

impl JwtVerifier {
    pub fn new(
        hmac_secret: Option<&[u8]>,
        public_keys: Option<&str>,
        issuer: &str,
        audience: &str,
    ) -> Result<Self, KeyError> {
        let public = match public_keys {
            Some(text) => parse_public_keys(text)?,
            None => Vec::new(),
        };
        Ok(Self {
            hmac: hmac_secret.map(DecodingKey::from_secret),
            public,
            remote: None,
            claims: ClaimMapping::default(),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        })
    }

    /// Keys from the identity provider besides the configured ones.
    pub fn with_remote(mut self, remote: Arc<RemoteKeys>) -> Self {
        self.remote = Some(remote);
        self
    }

    pub fn with_claims(mut self, claims: ClaimMapping) -> Self {
        self.claims = claims;
        self
    }

    pub fn remote(&self) -> Option<&Arc<RemoteKeys>> {
        self.remote.as_ref()
    }

    /// Whether tokens can be judged: the provider's keys are loaded (or none are expected).
    pub fn ready(&self) -> bool {
        self.remote.as_ref().is_none_or(|r| r.loaded())
    }

    /// Verifies with the keys in hand (no refresh).
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        self.check(token).map_err(ApiError::from)
    }

    /// Verifies, refreshing the provider's keys once when the token names a `kid` it has not
    /// published yet (at most once per interval for all callers together).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, Refusal> {
        match self.check(token) {
            Err(Refusal::UnknownKey) => match &self.remote {
                Some(remote) if remote.refresh_for_unknown_kid().await => self.check(token),
                _ => Err(Refusal::UnknownKey),
            },
            other => other,
        }
    }

    fn check(&self, token: &str) -> Result<Principal, Refusal> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        let remote = self.remote.as_ref().and_then(|r| r.keys());
        let candidates: Vec<&DecodingKey> = match header.alg {
            Algorithm::HS256 => self.hmac.iter().collect(),
            Algorithm::RS256 | Algorithm::ES256 => self
                .public
                .iter()
                .chain(remote.iter().flat_map(|keys| keys.iter()))
                .filter(|k| k.algorithm == header.alg)
                .filter(|k| match (&header.kid, &k.kid) {
                    (Some(wanted), Some(have)) => wanted == have,
                    _ => true,
                })
                .map(|k| &k.key)
                .collect(),
            _ => return Err(Refusal::Malformed),
        };
        if candidates.is_empty() {
            return Err(Refusal::UnknownKey);
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        // A token that is not valid yet is not valid (jsonwebtoken skips `nbf` by default).
        validation.validate_nbf = true;
        let mut verified = None;
        for key in candidates {
            // The signature is checked before the claims: a refusal other than a signature's
            // comes from a token this key did sign.
            match jsonwebtoken::decode::<Value>(token, key, &validation) {
                Ok(data) => {
                    verified = Some(data.claims);
                    break;
                }
                Err(e) => {
                    if let Some(refusal) = Refusal::of(&e) {
                        return Err(refusal);
                    }
                }
            }
        }
        let claims = verified.ok_or(Refusal::BadSignature)?;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .ok_or(Refusal::Malformed)?;
        Ok(Principal {
            sub: sub.to_string(),
            roles: self.claims.roles(&claims)?,
            unit: self.claims.unit(&claims)?,
        })
    }
}

/// Whether a JWKS key may verify tokens signed with `algorithm`: a key published for encryption
/// (`use: enc`), without `verify` among its `key_ops`, or for another algorithm (`alg`) is not
/// (RFC 7517 §4.2–4.4).
fn for_verifying(jwk: &jsonwebtoken::jwk::Jwk, algorithm: Algorithm) -> bool {
    use jsonwebtoken::jwk::{KeyAlgorithm, KeyOperations, PublicKeyUse};
    let common = &jwk.common;
    let usable = common
        .public_key_use
        .as_ref()
        .is_none_or(|u| *u == PublicKeyUse::Signature);
    let verifies = common
        .key_operations
        .as_ref()
        .is_none_or(|ops| ops.contains(&KeyOperations::Verify));
    let wanted = match algorithm {
        Algorithm::ES256 => KeyAlgorithm::ES256,
        _ => KeyAlgorithm::RS256,
    };
    let same_algorithm = common.key_algorithm.is_none_or(|a| a == wanted);
    usable && verifies && same_algorithm
}

/// Reads a JWKS document, or a file of one or more PEM public keys (RSA or EC P-256).
pub(crate) fn parse_public_keys(text: &str) -> Result<Vec<PublicKey>, KeyError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let set: JwkSet = serde_json::from_str(trimmed)
            .map_err(|e| KeyError::Invalid(format!("JWKS document: {e}")))?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            let algorithm = match &jwk.algorithm {
                jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                _ => continue,
            };
            if !for_verifying(jwk, algorithm) {
                continue;
            }
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| KeyError::Invalid(format!("JWKS key: {e}")))?;
            keys.push(PublicKey {
                kid: jwk.common.key_id.clone(),
                algorithm,
                key,
            });
        }
        if keys.is_empty() {
            return Err(KeyError::Invalid(
                "the JWKS document has no RSA or EC keys for verifying RS256 or ES256 signatures"
                    .into(),
            ));
        }
        return Ok(keys);
    }
    let mut keys = Vec::new();
    for block in pem_blocks(text) {
        if let Ok(key) = DecodingKey::from_rsa_pem(block.as_bytes()) {
            keys.push(PublicKey {
                kid: None,
                algorithm: Algorithm::RS256,
                key,
            });
        } else if let Ok(key) = DecodingKey::from_ec_pem(block.as_bytes()) {
            keys.push(PublicKey {
                kid: None,
                algorithm: Algorithm::ES256,
                key,
            });
        } else {
            return Err(KeyError::Invalid(
                "a PEM block is neither an RSA nor an EC public key".into(),
            ));
        }
    }
    if keys.is_empty() {
        return Err(KeyError::Invalid("no PEM public key found".into()));
    }
    Ok(keys)
}

fn pem_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN ") {
            current = Some(format!("{line}\n"));
        } else if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
            if line.starts_with("-----END ") {
                blocks.extend(current.take());
            }
        }
    }
    blocks
}

/// Signs an HS256 token (the `token` sub-command and the tests).
pub fn sign_hs256(secret: &[u8], claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(roles: &[&str], exp_offset: i64) -> Claims {
        let now = jsonwebtoken::get_current_timestamp() as i64;
        Claims {
            sub: "anna".into(),
            iss: "samverkan".into(),
            aud: "samverkan".into(),
            exp: (now + exp_offset) as u64,
            iat: Some(now as u64),
            roles: roles.iter().map(|s| s.to_string()).collect(),
            unit: None,
        }
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn unknown_roles_are_ignored_and_known_ones_kept() {
        let v = JwtVerifier::new(Some(SECRET), None, "samverkan", "samverkan").unwrap();
        let token = sign_hs256(SECRET, &claims(&["officer", "superuser"], 600)).unwrap();
        let p = v.verify(&token).unwrap();
        assert_eq!(p.roles, HashSet::from([Role::Officer]));
    }

    #[test]
    fn capabilities_follow_the_roles_table() {
        let p = Principal {
            sub: "x".into(),
            roles: HashSet::from([Role::Reader]),
            unit: None,
        };
        assert!(p.has(Capability::Read));
        assert!(!p.has(Capability::ReadContacts));
        assert!(!p.has(Capability::Administer));
        let p = Principal {
            sub: "x".into(),
            roles: HashSet::from([Role::BoardSecretary]),
            unit: None,
        };
        assert!(p.has(Capability::ReadContacts));
        assert!(p.has(Capability::DecideExceptions));
        assert!(!p.has(Capability::WriteAgreements));
    }

    #[test]
    fn jwks_keys_for_encryption_other_operations_or_other_algorithms_are_not_used() {
        let jwks = include_str!("../../tests/fixtures/jwks.json");
        let kids = |text: &str| -> Vec<Option<String>> {
            parse_public_keys(text)
                .map(|keys| keys.into_iter().map(|k| k.kid).collect())
                .unwrap_or_default()
        };
        let both = vec![
            Some("test-rsa-1".to_string()),
            Some("test-ec-1".to_string()),
        ];
        assert_eq!(kids(jwks), both);
        let ec_only = vec![Some("test-ec-1".to_string())];
        let rsa = r#""kid": "test-rsa-1", "use": "sig", "alg": "RS256""#;
        assert!(jwks.contains(rsa), "the fixture changed");
        for changed in [
            r#""kid": "test-rsa-1", "use": "enc", "alg": "RS256""#,
            r#""kid": "test-rsa-1", "key_ops": ["encrypt"], "alg": "RS256""#,
            r#""kid": "test-rsa-1", "use": "sig", "alg": "RS512""#,
        ] {
            assert_eq!(kids(&jwks.replace(rsa, changed)), ec_only, "{changed}");
        }
        let verify = r#""kid": "test-rsa-1", "key_ops": ["verify"], "alg": "RS256""#;
        assert_eq!(kids(&jwks.replace(rsa, verify)), both);
        let none = jwks
            .replace(rsa, r#""kid": "test-rsa-1", "use": "enc""#)
            .replace(
                r#""use": "sig", "alg": "ES256""#,
                r#""use": "enc", "alg": "ES256""#,
            );
        assert!(
            parse_public_keys(&none).is_err(),
            "no key left to verify with"
        );
    }

    #[test]
    fn pem_files_may_hold_several_keys() {
        let text = "-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----\nnoise\n-----BEGIN PUBLIC KEY-----\nBBB\n-----END PUBLIC KEY-----\n";
        assert_eq!(pem_blocks(text).len(), 2);
    }
}

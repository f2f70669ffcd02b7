//! Bearer tokens and roles. Every handler takes a `Principal` (401 without a valid token) and asks
//! it for a `Capability` (403 without a role that has it): one guard, one table.

use std::collections::HashSet;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, jwk::JwkSet};
use serde::{Deserialize, Serialize};

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
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    let verifier = req
        .app_data::<web::Data<JwtVerifier>>()
        .ok_or_else(|| ApiError::internal("no token verifier"))?;
    let mut given = req.headers().get_all(header::AUTHORIZATION);
    let value = given
        .next()
        .ok_or_else(|| ApiError::unauthorized(crate::text::Text::TokenRequired.msg()))?
        .to_str()
        .map_err(|_| bad_token())?;
    // One credential a request: with two, a proxy and the service could each believe another.
    if given.next().is_some() {
        return Err(bad_token());
    }
    // The scheme's name is case-insensitive (RFC 9110 §11.1).
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .ok_or_else(bad_token)?
        .1
        .trim();
    verifier.verify(token)
}

fn bad_token() -> ApiError {
    ApiError::unauthorized(crate::text::Text::TokenInvalid.msg())
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

/// The claims we read back; `aud` may be a string or an array, and jsonwebtoken checks it.
#[derive(Debug, Deserialize)]
struct VerifiedClaims {
    sub: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    unit: Option<String>,
}

struct PublicKey {
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// Checks tokens against the configured keys. Only HS256, RS256 and ES256 are accepted, and each
/// only with a key of its own family: an HS256 token "signed" with an RSA public key is refused.
pub struct JwtVerifier {
    hmac: Option<DecodingKey>,
    public: Vec<PublicKey>,
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
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        })
    }

    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| bad_token())?;
        let candidates: Vec<&DecodingKey> = match header.alg {
            Algorithm::HS256 => self.hmac.iter().collect(),
            Algorithm::RS256 | Algorithm::ES256 => self
                .public
                .iter()
                .filter(|k| k.algorithm == header.alg)
                .filter(|k| match (&header.kid, &k.kid) {
                    (Some(wanted), Some(have)) => wanted == have,
                    _ => true,
                })
                .map(|k| &k.key)
                .collect(),
            _ => Vec::new(),
        };
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        // A token that is not valid yet is not valid (jsonwebtoken skips `nbf` by default).
        validation.validate_nbf = true;
        let claims = candidates
            .into_iter()
            .find_map(|key| jsonwebtoken::decode::<VerifiedClaims>(token, key, &validation).ok())
            .ok_or_else(bad_token)?
            .claims;
        if claims.sub.trim().is_empty() {
            return Err(bad_token());
        }
        Ok(Principal {
            sub: claims.sub,
            // Roles this service does not know are ignored: the identity provider may carry others.
            roles: claims.roles.iter().filter_map(|r| Role::parse(r)).collect(),
            unit: claims.unit.filter(|u| !u.trim().is_empty()),
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
fn parse_public_keys(text: &str) -> Result<Vec<PublicKey>, KeyError> {
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

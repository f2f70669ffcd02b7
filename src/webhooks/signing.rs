//! Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is `whsec_` and
//! base64 of the key; the signature is `v1,` and base64 of HMAC-SHA256 over
//! `{webhook-id}.{webhook-timestamp}.{body}`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";

/// A new secret: 32 random bytes.
pub fn generate_secret() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The `webhook-signature` header value for one message.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|_| "the stored webhook secret is not base64".to_string())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header value signed with each of `secrets`, space-separated as
/// Standard Webhooks allows: a receiver holding any one of them verifies the message.
pub fn signatures(
    secrets: &[String],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, String> {
    let signed: Result<Vec<String>, String> = secrets
        .iter()
        .map(|secret| sign(secret, msg_id, timestamp, body))
        .collect();
    Ok(signed?.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_secrets_sign_twice_space_separated_each_as_alone() {
        let (a, b) = (generate_secret(), generate_secret());
        let both = signatures(&[a.clone(), b.clone()], "msg_1", 1614265330, b"{}").unwrap();
        let one = |s: &str| sign(s, "msg_1", 1614265330, b"{}").unwrap();
        assert_eq!(both, format!("{} {}", one(&a), one(&b)));
        assert_eq!(
            signatures(std::slice::from_ref(&a), "msg_1", 1614265330, b"{}").unwrap(),
            one(&a)
        );
    }

    /// The example of the Standard Webhooks specification's reference libraries.
    #[test]
    fn signs_like_the_reference_implementation() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_are_prefixed_and_hold_32_bytes() {
        let secret = generate_secret();
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        assert_eq!(key.len(), 32);
        assert_ne!(generate_secret(), secret);
    }
}

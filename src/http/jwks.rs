//! The identity provider's signing keys, fetched over HTTPS (`SAMVERKAN_OIDC_ISSUER` through its
//! discovery document, or `SAMVERKAN_JWKS_URL`) and held in memory by each instance.
//!
//! Why a token can always be judged against the provider's current keys:
//! - the set is fetched at start and again when `Cache-Control: max-age` says (clamped between
//!   `Refresh::min_cache` and `Refresh::max_cache`), and each fetch replaces the whole set, so a
//!   key the provider removed stops verifying at the next refresh;
//! - a token naming a `kid` not in the set triggers one refresh, at most once per
//!   `Refresh::kid_interval` for all callers together (a flood of made-up `kid`s costs the provider
//!   one fetch per interval), so a rotation is picked up with no restart;
//! - a failed refresh keeps the keys in hand (a provider outage does not stop the service); until
//!   the first set is in, the service is not ready and retries with a doubling backoff.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::auth::{PublicKey, parse_public_keys};

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// `{issuer}/.well-known/openid-configuration`, then its `jwks_uri`.
    Discovery { issuer: String },
    /// A JWKS document's URL.
    Jwks { url: String },
}

/// How often keys are fetched. The defaults are DESIGN's; configuration and tests lower them.
#[derive(Debug, Clone)]
pub struct Refresh {
    pub kid_interval: Duration,
    pub min_cache: Duration,
    pub max_cache: Duration,
    /// The first retry after a failed fetch; it doubles up to `max_retry`.
    pub first_retry: Duration,
    pub max_retry: Duration,
    pub timeout: Duration,
}

impl Default for Refresh {
    fn default() -> Self {
        Self {
            kid_interval: Duration::from_secs(30),
            min_cache: Duration::from_secs(300),
            max_cache: Duration::from_secs(24 * 3600),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

pub struct RemoteKeys {
    source: KeySource,
    refresh: Refresh,
    client: reqwest::Client,
    keys: RwLock<Option<Arc<Vec<PublicKey>>>>,
    /// When the last refresh for an unknown `kid` started; held while it runs, so concurrent
    /// callers wait for it instead of starting their own.
    kid_refresh: tokio::sync::Mutex<Option<Instant>>,
}

impl RemoteKeys {
    pub fn new(source: KeySource, refresh: Refresh) -> Result<Self, String> {
        // rustls on ring (no aws-lc), as the webhook deliveries; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            // A redirect could lead to plain http: the configured URLs are the ones fetched.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(refresh.timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client for the identity provider: {e}"))?;
        Ok(Self {
            source,
            refresh,
            client,
            keys: RwLock::new(None),
            kid_refresh: tokio::sync::Mutex::new(None),
        })
    }

    /// The keys in hand, if any.
    pub(crate) fn keys(&self) -> Option<Arc<Vec<PublicKey>>> {
        self.keys.read().expect("keys lock").clone()
    }

    pub fn loaded(&self) -> bool {
        self.keys.read().expect("keys lock").is_some()
    }

    /// The key ids in hand (for logs and tests).
    pub fn kids(&self) -> Vec<String> {
        self.keys()
            .map(|keys| keys.iter().filter_map(|k| k.kid.clone()).collect())
            .unwrap_or_default()
    }

    /// Fetches the set once and replaces the one in hand; answers how long to keep it.
    pub async fn fetch(&self) -> Result<Duration, String> {
        let jwks_url = match &self.source {
            KeySource::Jwks { url } => url.clone(),
            KeySource::Discovery { issuer } => self.discover(issuer).await?,
        };
        let response = self.get_json(&jwks_url).await?;
        let max_age = response
            .headers()
            .get(reqwest::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(max_age)
            .unwrap_or(Duration::ZERO)
            .clamp(self.refresh.min_cache, self.refresh.max_cache);
        let body = response
            .text()
            .await
            .map_err(|e| format!("{jwks_url}: {e}"))?;
        let keys = parse_public_keys(&body).map_err(|e| format!("{jwks_url}: {e}"))?;
        let kids: Vec<&str> = keys.iter().filter_map(|k| k.kid.as_deref()).collect();
        log::info!(
            "identity provider keys loaded from {jwks_url}: {} key(s) [{}], next refresh in {} s",
            keys.len(),
            kids.join(", "),
            max_age.as_secs()
        );
        *self.keys.write().expect("keys lock") = Some(Arc::new(keys));
        Ok(max_age)
    }

    /// A successful answer to a GET of `url` that asks for JSON; the failure names the URL.
    async fn get_json(&self, url: &str) -> Result<reqwest::Response, String> {
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        Ok(response)
    }

    async fn discover(&self, issuer: &str) -> Result<String, String> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let body = self
            .get_json(&url)
            .await?
            .text()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let document: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("{url}: not JSON: {e}"))?;
        // OpenID Connect Discovery §4.3: the document's issuer is the one configured.
        let published = document.get("issuer").and_then(|v| v.as_str());
        if published != Some(issuer) {
            return Err(format!(
                "{url} names the issuer {published:?}, not the configured {issuer}"
            ));
        }
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("{url} has no jwks_uri"))?;
        let parsed =
            url::Url::parse(jwks_uri).map_err(|_| format!("{url}: jwks_uri is not a URL"))?;
        if !crate::config::https_or_loopback(&parsed) {
            return Err(format!(
                "{url}: jwks_uri {jwks_uri} is not https (plain http only to a loopback address)"
            ));
        }
        Ok(jwks_uri.to_string())
    }

    /// One refresh for a token whose `kid` is not in the set, unless one ran less than
    /// `kid_interval` ago. Answers whether the set was fetched now.
    pub async fn refresh_for_unknown_kid(&self) -> bool {
        let mut last = self.kid_refresh.lock().await;
        if last.is_some_and(|at| at.elapsed() < self.refresh.kid_interval) {
            return false;
        }
        *last = Some(Instant::now());
        match self.fetch().await {
            Ok(_) => true,
            Err(e) => {
                log::warn!("identity provider keys not refreshed for an unknown kid: {e}");
                false
            }
        }
    }

    /// Fetches at start and then as the provider's `Cache-Control` says, retrying with a
    /// doubling backoff after a failure. Runs for the life of the instance.
    pub async fn run(self: Arc<Self>) {
        let mut retry = self.refresh.first_retry;
        loop {
            match self.fetch().await {
                Ok(keep) => {
                    retry = self.refresh.first_retry;
                    tokio::time::sleep(keep).await;
                }
                Err(e) => {
                    if self.loaded() {
                        log::warn!(
                            "identity provider keys not refreshed (the keys in hand stay in use; retry in {} ms): {e}",
                            retry.as_millis()
                        );
                    } else {
                        log::warn!(
                            "identity provider keys not loaded, the service is not ready (retry in {} ms): {e}",
                            retry.as_millis()
                        );
                    }
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(self.refresh.max_retry);
                }
            }
        }
    }

    /// Starts [`RemoteKeys::run`] on the current (actix) runtime.
    pub fn spawn(self: &Arc<Self>) {
        actix_web::rt::spawn(self.clone().run());
    }
}

/// `max-age` of a `Cache-Control` value; `no-store` and `no-cache` mean zero (then the least
/// time keys are kept applies).
fn max_age(value: &str) -> Option<Duration> {
    let mut found = None;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(secs) = lower.strip_prefix("max-age=") {
            found = secs.trim_matches('"').parse().ok().map(Duration::from_secs);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_gives_max_age_and_no_store_gives_zero() {
        assert_eq!(
            max_age("public, max-age=86400"),
            Some(Duration::from_secs(86400))
        );
        assert_eq!(
            max_age("MAX-AGE=60, private"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("no-cache, max-age=60"), Some(Duration::ZERO));
        assert_eq!(max_age("private"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }
}

//! Sends deliveries: dispatches new events into delivery rows, claims due deliveries, POSTs them
//! signed, and records the outcome with exponential backoff. Bounded concurrency and a request
//! timeout keep a slow target from stalling anything; the HTTP client follows no redirects, uses
//! no proxy, and connects only to addresses the allow-list policy accepted.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use tokio::sync::Semaphore;

use super::store::{self, Claimed, Outcome};
use super::target::{self, AllowList, CheckedResolver, Host};
use crate::db::Db;
use crate::http::problem::ApiError;

/// How deliveries are attempted.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// The whole request, connect included.
    pub timeout: StdDuration,
    /// Requests in flight at once, per instance.
    pub concurrency: usize,
    /// How long a claimed delivery is reserved for its worker; longer than `timeout`.
    pub lease: Duration,
    /// Attempts before a delivery is marked FAILED.
    pub max_attempts: i32,
    /// The wait after the first failure; doubled after each further one, up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            timeout: StdDuration::from_secs(10),
            concurrency: 4,
            lease: Duration::seconds(60),
            max_attempts: 8,
            first_backoff: Duration::seconds(10),
            max_backoff: Duration::hours(1),
        }
    }
}

impl DeliveryOptions {
    /// The wait after the `attempts`-th failed attempt: 10 s, 20 s, 40 s, … at most one hour.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
        let wait = self
            .first_backoff
            .checked_mul(1 << doublings)
            .unwrap_or(self.max_backoff);
        wait.min(self.max_backoff)
    }
}

/// What one `run_once` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub dispatched: usize,
    pub attempted: usize,
    pub delivered: usize,
}

/// The delivery worker of one instance.
#[derive(Clone)]
pub struct Deliverer {
    db: Db,
    client: reqwest::Client,
    allow: Arc<AllowList>,
    options: Arc<DeliveryOptions>,
    permits: Arc<Semaphore>,
}

impl Deliverer {
    pub fn new(db: Db, allow: AllowList, options: DeliveryOptions) -> Result<Self, String> {
        // rustls on ring (no aws-lc); installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let allow = Arc::new(allow);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(StdDuration::from_secs(5)))
            .dns_resolver(CheckedResolver {
                allow: allow.clone(),
            })
            .user_agent(concat!("Samverkan-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the webhook client: {e}"))?;
        let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
        Ok(Self {
            db,
            client,
            allow,
            options: Arc::new(options),
            permits,
        })
    }

    /// Turns new events into deliveries for every active subscription.
    pub async fn dispatch(&self, now: NaiveDateTime) -> Result<usize, ApiError> {
        let ids = self.db.read(store::active_ids).await?;
        let mut created = 0;
        for id in ids {
            // Until the subscription has caught up (a step reads at most 500 events).
            loop {
                let key = id.clone();
                match self.db.write(move |c| store::dispatch(c, &key, now)).await {
                    Ok(Some(n)) => created += n,
                    Ok(None) => break,
                    // Another instance moved the cursor first: it has these events.
                    Err(e) if e.kind == crate::http::problem::ProblemKind::Conflict => break,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(created)
    }

    /// One round, awaited to the end: dispatch, claim as many due deliveries as there are free
    /// permits, and attempt them concurrently. `now` is the clock for due times and leases (tests
    /// pass a later time instead of waiting); signatures always carry the real time.
    pub async fn run_once(&self, now: NaiveDateTime) -> Result<RunReport, ApiError> {
        let dispatched = self.dispatch(now).await?;
        let free = self.permits.available_permits();
        if free == 0 {
            return Ok(RunReport {
                dispatched,
                ..Default::default()
            });
        }
        let lease = self.options.lease;
        let claimed = self
            .db
            .write(move |c| store::claim(c, now, lease, free as i64))
            .await?;
        let attempts = claimed.into_iter().map(|c| {
            let this = self.clone();
            async move {
                let _permit = this.permits.clone().acquire_owned().await;
                this.attempt(c, now).await
            }
        });
        let results = futures_util::future::join_all(attempts).await;
        Ok(RunReport {
            dispatched,
            attempted: results.len(),
            delivered: results.iter().filter(|r| matches!(r, Ok(true))).count(),
        })
    }

    /// Sends one claimed delivery and records the outcome; `Ok(true)` when the target took it.
    async fn attempt(&self, claimed: Claimed, now: NaiveDateTime) -> Result<bool, ApiError> {
        let outcome = self.send(&claimed).await;
        let delivered = outcome.delivered;
        if !delivered {
            log::info!(
                "webhook delivery {} attempt {} failed: {}",
                claimed.id,
                claimed.attempts,
                outcome
                    .error
                    .clone()
                    .or(outcome.response_code.map(|c| format!("HTTP {c}")))
                    .unwrap_or_default()
            );
        }
        let options = self.options.clone();
        // The attempt took real time; the outcome is recorded at the round's clock plus that.
        let recorded_at = now.max(crate::db::now());
        let kept = self
            .db
            .write(move |c| {
                store::finish(
                    c,
                    &claimed,
                    &outcome,
                    recorded_at,
                    options.max_attempts,
                    |n| options.backoff(n),
                )
            })
            .await?;
        Ok(kept && delivered)
    }

    async fn send(&self, claimed: &Claimed) -> Outcome {
        let failed = |error: String| Outcome {
            delivered: false,
            response_code: None,
            error: Some(error),
        };
        let target = match target::parse(&claimed.url, &self.allow) {
            Ok(t) => t,
            Err(refusal) => return failed(refusal.describe()),
        };
        // Plain HTTP to a name is allowed only when its addresses are listed; the resolver checks
        // public/private, this checks the scheme.
        if let Host::Name(name) = &target.host
            && target.url.scheme() == "http"
            && !target.host_listed
        {
            let port = target.url.port_or_known_default().unwrap_or(80);
            match target::lookup(name, port).await {
                Ok(addrs) => {
                    let ips: Vec<_> = addrs.iter().map(|a| a.ip()).collect();
                    if let Err(refusal) = target::check_addresses(&target, &ips, &self.allow) {
                        return failed(refusal.describe());
                    }
                }
                Err(e) => return failed(format!("the host name does not resolve: {e}")),
            }
        }
        let timestamp = chrono::Utc::now().timestamp();
        let signature = match super::signing::signatures(
            &claimed.secrets,
            &claimed.id,
            timestamp,
            claimed.payload.as_bytes(),
        ) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let request = self
            .client
            .post(target.url)
            .header("content-type", "application/json")
            .header("webhook-id", &claimed.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(claimed.payload.clone());
        match request.send().await {
            Ok(response) => {
                let code = response.status().as_u16();
                // Only 2xx counts; a redirect is not followed and counts as a failure.
                Outcome {
                    delivered: response.status().is_success(),
                    response_code: Some(i32::from(code)),
                    error: (!response.status().is_success()).then(|| {
                        if response.status().is_redirection() {
                            format!("HTTP {code}: redirects are not followed")
                        } else {
                            format!("HTTP {code}")
                        }
                    }),
                }
            }
            Err(e) => failed(describe(&e, self.options.timeout)),
        }
    }

    /// Runs the worker for the life of the service: a round every second, each delivery on its
    /// own task under a permit, so a slow target holds one permit for at most the timeout.
    pub fn spawn(self) {
        actix_web::rt::spawn(async move {
            let mut interval = actix_web::rt::time::interval(StdDuration::from_secs(1));
            loop {
                interval.tick().await;
                let now = crate::db::now();
                if let Err(e) = self.dispatch(now).await {
                    log::warn!("webhook dispatch failed: {e}");
                    continue;
                }
                while let Ok(permit) = self.permits.clone().try_acquire_owned() {
                    let lease = self.options.lease;
                    let claimed = self
                        .db
                        .write(move |c| store::claim(c, crate::db::now(), lease, 1))
                        .await;
                    let one = match claimed {
                        Ok(mut v) if !v.is_empty() => v.remove(0),
                        Ok(_) => break,
                        Err(e) => {
                            log::warn!("claiming webhook deliveries failed: {e}");
                            break;
                        }
                    };
                    let this = self.clone();
                    actix_web::rt::spawn(async move {
                        if let Err(e) = this.attempt(one, crate::db::now()).await {
                            log::warn!("recording a webhook delivery failed: {e}");
                        }
                        drop(permit);
                    });
                }
            }
        });
    }
}

/// A failed request in a sentence, without the URL (it may carry a token).
fn describe(e: &reqwest::Error, timeout: StdDuration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f32());
    }
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let detail = parts
        .iter()
        .find(|p| p.contains("SAMVERKAN_WEBHOOK_ALLOW"))
        .cloned()
        .unwrap_or_else(|| {
            let kind = if e.is_connect() {
                "could not connect"
            } else {
                "the request failed"
            };
            match parts.last() {
                Some(last) => format!("{kind}: {last}"),
                None => kind.to_string(),
            }
        });
    detail.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
        let o = DeliveryOptions::default();
        assert_eq!(o.backoff(1), Duration::seconds(10));
        assert_eq!(o.backoff(2), Duration::seconds(20));
        assert_eq!(o.backoff(4), Duration::seconds(80));
        assert_eq!(o.backoff(9), Duration::seconds(2560));
        assert_eq!(o.backoff(10), Duration::hours(1));
        assert_eq!(o.backoff(100), Duration::hours(1));
    }
}

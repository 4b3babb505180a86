//! The webhook worker: publishes committed outbox events, fans them out to subscriptions, leases
//! due deliveries (several instances never send the same one at once) and POSTs them signed.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use hmac::{Hmac, Mac};
use rsnms_domain::exchange::{
    ChangeFeed, WebhookRepository,
    webhooks::{Attempt, LeasedDelivery, backoff},
};
use sha2::Sha256;
use tokio::task::JoinSet;

/// Settings of imports and webhooks.
#[derive(Debug, Clone)]
pub struct ExchangeSettings {
    /// `RSNMS_IMPORT_MAX_BYTES`: largest import body (default 1 GiB).
    pub import_max_bytes: u64,
    /// `RSNMS_WEBHOOK_POLL_MS`: how often the worker looks for work (default 1000).
    pub webhook_poll_ms: u64,
    /// `RSNMS_WEBHOOK_BACKOFF_MS`: delay before the first retry, doubled each time up to an hour
    /// (default 5000).
    pub webhook_backoff_ms: u64,
    /// `RSNMS_WEBHOOK_MAX_ATTEMPTS`: attempts before a delivery fails and its subscription is
    /// disabled (default 10: about 85 minutes of retries at the default backoff).
    pub webhook_max_attempts: u32,
    /// `RSNMS_WEBHOOK_TIMEOUT_SECONDS`: per-attempt timeout (default 10).
    pub webhook_timeout_seconds: u64,
}

impl ExchangeSettings {
    /// Fast settings for tests.
    pub fn for_tests() -> Self {
        Self {
            import_max_bytes: 1024 * 1024 * 1024,
            webhook_poll_ms: 50,
            webhook_backoff_ms: 50,
            webhook_max_attempts: 3,
            webhook_timeout_seconds: 2,
        }
    }
}

/// The signature header of a body sent at a time: `t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

const LEASE_SECONDS: i64 = 60;
const BATCH: u64 = 50;

async fn send(client: &reqwest::Client, d: &LeasedDelivery, settings: &ExchangeSettings) -> Attempt {
    let body = serde_json::to_vec(&d.delivery.body).unwrap_or_default();
    let now = Utc::now();
    let sent = client
        .post(&d.url)
        .header("content-type", "application/json")
        .header("user-agent", "rsnms-webhooks/1")
        .header("x-rsnms-delivery", d.delivery.id.to_string())
        .header("x-rsnms-event", d.delivery.event_type.as_str())
        .header("x-rsnms-timestamp", now.timestamp().to_string())
        .header("x-rsnms-signature", signature(&d.secret, now.timestamp(), &body))
        .body(body)
        .send()
        .await;
    let (ok, status_code, error) = match sent {
        Ok(r) if r.status().is_success() => (true, Some(i32::from(r.status().as_u16())), None),
        Ok(r) => (false, Some(i32::from(r.status().as_u16())), Some(format!("HTTP {}", r.status().as_u16()))),
        // The error's text names the URL and the cause, never the body.
        Err(e) => (false, None, Some(e.without_url().to_string())),
    };
    let attempt_no = u32::try_from(d.delivery.attempts).unwrap_or(0).saturating_add(1);
    let retry_at = (!ok && attempt_no < settings.webhook_max_attempts).then(|| {
        now + chrono::Duration::from_std(backoff(settings.webhook_backoff_ms, attempt_no))
            .unwrap_or(chrono::Duration::hours(1))
    });
    Attempt { ok, status_code, error, retry_at }
}

/// One round of the worker; returns how many deliveries were attempted.
pub async fn webhook_round(
    feed: &dyn ChangeFeed,
    hooks: &Arc<dyn WebhookRepository>,
    client: &reqwest::Client,
    worker: &str,
    settings: &ExchangeSettings,
) -> anyhow::Result<usize> {
    feed.publish().await.map_err(|e| anyhow::anyhow!("publish: {e}"))?;
    hooks.fan_out(500).await.map_err(|e| anyhow::anyhow!("fan-out: {e}"))?;
    let leased = hooks.lease(worker, BATCH, LEASE_SECONDS).await.map_err(|e| anyhow::anyhow!("lease: {e}"))?;
    let n = leased.len();
    let mut set = JoinSet::new();
    for d in leased {
        let client = client.clone();
        let hooks = hooks.clone();
        let settings = settings.clone();
        set.spawn(async move {
            let attempt = send(&client, &d, &settings).await;
            if let Err(e) = hooks.record(d.delivery.id, attempt).await {
                tracing::warn!(error = %e, delivery = %d.delivery.id, "webhook attempt not recorded");
            }
        });
    }
    while set.join_next().await.is_some() {}
    Ok(n)
}

/// Spawns the webhook worker of this instance.
pub fn spawn_webhook_worker(
    feed: Arc<dyn ChangeFeed>,
    hooks: Arc<dyn WebhookRepository>,
    settings: ExchangeSettings,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(settings.webhook_timeout_seconds))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let worker = format!("worker-{}", uuid::Uuid::now_v7().simple());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(settings.webhook_poll_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // Work through a backlog without waiting for the next tick.
            loop {
                match webhook_round(feed.as_ref(), &hooks, &client, &worker, &settings).await {
                    Ok(n) if n as u64 >= BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook round failed");
                        break;
                    }
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // RFC 4231 test case 2 with the message "what do ya want for nothing?" split as "t.body".
        let sig = signature("Jefe", 0, b"what do ya want for nothing?");
        assert!(sig.starts_with("t=0,v1="));
        assert_eq!(sig.len(), "t=0,v1=".len() + 64);
        assert_ne!(signature("Jefe", 1, b"x"), signature("Jefe", 2, b"x"));
    }
}

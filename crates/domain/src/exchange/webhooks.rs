//! Webhooks: subscriptions to change events, delivered signed (HMAC-SHA256 over
//! `timestamp.body`), at least once, retried with exponential backoff; a subscription whose
//! delivery keeps failing is disabled. A subscription sees only what its owner may see.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Actor, Ctx, Role},
    error::Errors,
    page::{Page, PageRequest},
};

/// Roles that may subscribe.
pub const SUBSCRIBERS: &[Role] = &[Role::Admin, Role::Operator, Role::Integration, Role::Municipal, Role::Organization];

/// A subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Id.
    pub id: Uuid,
    /// Who subscribed: events are filtered by their scope and right to personal data.
    pub owner: Actor,
    /// Where events are POSTed.
    pub url: String,
    /// Event types: `person.created`, `person.*` or `*`.
    pub event_types: Vec<String>,
    /// HMAC key (shown once, at creation).
    pub secret: String,
    /// Whether deliveries are made.
    pub active: bool,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

impl Subscription {
    /// Whether an event type is subscribed.
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.iter().any(|p| type_matches(p, event_type))
    }
}

/// Whether a pattern (`*`, `person.*`, `person.created`) matches an event type.
pub fn type_matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix(".*") {
        _ if pattern == "*" => true,
        Some(resource) => event_type.split_once('.').is_some_and(|(r, _)| r == resource),
        None => pattern == event_type,
    }
}

/// A subscription as a client asks for it.
#[derive(Debug, Clone, Default)]
pub struct NewSubscription {
    /// Target URL (`https://…`; `http://` only for loopback hosts).
    pub url: Option<String>,
    /// Event type patterns.
    pub event_types: Vec<String>,
}

/// State of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(rename_all = "snake_case"))]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// Accepted by the receiver (2xx).
    Delivered,
    /// Gave up after the last attempt.
    Failed,
}

impl DeliveryStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

/// One event for one subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Delivery id: the receiver's de-duplication key (the same on every retry).
    pub id: Uuid,
    /// Subscription.
    pub subscription_id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// Event type.
    pub event_type: String,
    /// The JSON body POSTed.
    pub body: serde_json::Value,
    /// State.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i32>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Delivered at.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery leased by a worker, with what it needs to send it.
#[derive(Debug, Clone)]
pub struct LeasedDelivery {
    /// The delivery.
    pub delivery: Delivery,
    /// Target URL.
    pub url: String,
    /// HMAC key.
    pub secret: String,
}

/// What an attempt gave.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Whether the receiver accepted it (2xx).
    pub ok: bool,
    /// HTTP status, if a response came.
    pub status_code: Option<i32>,
    /// Error text (no body content), if failed.
    pub error: Option<String>,
    /// When to retry; `None` after a failure means give up (the delivery fails and the
    /// subscription is disabled).
    pub retry_at: Option<DateTime<Utc>>,
}

/// Storage of subscriptions and deliveries.
#[async_trait]
pub trait WebhookRepository: Send + Sync {
    /// Stores a subscription.
    async fn create(
        &self,
        ctx: &Ctx,
        url: String,
        event_types: Vec<String>,
        secret: String,
    ) -> DomainResult<Subscription>;
    /// A subscription visible to the actor (their own; administrators see all).
    async fn get(&self, actor: &Actor, id: Uuid) -> DomainResult<Subscription>;
    /// Subscriptions visible to the actor.
    async fn list(&self, actor: &Actor, page: PageRequest) -> DomainResult<Page<Subscription>>;
    /// Deletes a subscription and its deliveries.
    async fn delete(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<()>;
    /// Re-enables a disabled subscription (retrying its pending deliveries).
    async fn enable(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Subscription>;
    /// Deliveries of a subscription, newest last.
    async fn deliveries(&self, actor: &Actor, id: Uuid, page: PageRequest) -> DomainResult<Page<Delivery>>;
    /// Whether any subscription is active (an idle worker does nothing else).
    async fn any_active(&self) -> DomainResult<bool>;
    /// Turns newly published events into deliveries for the active subscriptions that may see
    /// them; returns how many deliveries were made.
    async fn fan_out(&self, batch: u64) -> DomainResult<u64>;
    /// Leases due deliveries of active subscriptions for `lease_seconds`, so that no other
    /// worker (on any instance) sends them meanwhile.
    async fn lease(&self, worker: &str, limit: u64, lease_seconds: i64) -> DomainResult<Vec<LeasedDelivery>>;
    /// Records an attempt of a leased delivery.
    async fn record(&self, delivery_id: Uuid, attempt: Attempt) -> DomainResult<()>;
}

fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks a target URL: absolute `https://`, or `http://` to a loopback host (development).
pub fn check_url(url: &str) -> Result<(), FieldError> {
    let bad = || {
        FieldError::new(
            "url",
            "invalid_url",
            Msg::new(
                "Нужен абсолютный адрес https:// (http:// — только для localhost)",
                "An absolute https:// URL is required (http:// only for localhost)",
            ),
        )
    };
    if url.len() > 2048 || url.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(bad());
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_host(host) => Ok(()),
        _ => Err(bad()),
    }
}

const EVENT_TYPE_MAX: usize = 100;

/// Creates a subscription; the secret is made by the caller (the HTTP layer) and shown once.
pub async fn create_subscription(
    repo: &dyn WebhookRepository,
    ctx: &Ctx,
    input: NewSubscription,
    secret: String,
) -> DomainResult<Subscription> {
    ctx.actor.require(SUBSCRIBERS)?;
    let mut e = Errors::new();
    match &input.url {
        None => e.push(FieldError::required("url")),
        Some(u) => {
            let _ = e.take(check_url(u));
        }
    }
    if input.event_types.is_empty() {
        e.push(FieldError::new(
            "event_types",
            "required",
            Msg::new("Укажите хотя бы один тип событий", "Give at least one event type"),
        ));
    }
    for (i, t) in input.event_types.iter().enumerate() {
        let ok = !t.is_empty()
            && t.len() <= EVENT_TYPE_MAX
            && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '*'));
        if !ok {
            e.push(FieldError::new(
                format!("event_types[{i}]"),
                "invalid_event_type",
                Msg::new(
                    "Тип события: `ресурс.действие`, `ресурс.*` или `*`",
                    "An event type is `resource.action`, `resource.*` or `*`",
                ),
            ));
        }
    }
    e.finish()?;
    let mut types = input.event_types;
    types.sort();
    types.dedup();
    let url = input.url.ok_or_else(|| DomainError::Internal("url lost".into()))?;
    repo.create(ctx, url, types, secret).await
}

/// Reads a subscription (the owner's, or any for an administrator).
pub async fn get_subscription(repo: &dyn WebhookRepository, ctx: &Ctx, id: Uuid) -> DomainResult<Subscription> {
    ctx.actor.require(SUBSCRIBERS)?;
    repo.get(&ctx.actor, id).await
}

/// Lists subscriptions.
pub async fn list_subscriptions(
    repo: &dyn WebhookRepository,
    ctx: &Ctx,
    page: PageRequest,
) -> DomainResult<Page<Subscription>> {
    ctx.actor.require(SUBSCRIBERS)?;
    repo.list(&ctx.actor, page).await
}

/// Deletes a subscription.
pub async fn delete_subscription(
    repo: &dyn WebhookRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<()> {
    ctx.actor.require(SUBSCRIBERS)?;
    let current = repo.get(&ctx.actor, id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    repo.delete(ctx, id, expected_version).await
}

/// Re-enables a disabled subscription.
pub async fn enable_subscription(
    repo: &dyn WebhookRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<Subscription> {
    ctx.actor.require(SUBSCRIBERS)?;
    let current = repo.get(&ctx.actor, id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    if current.active {
        return Err(DomainError::Conflict {
            field: None,
            message: Msg::new("Подписка уже активна", "The subscription is already active"),
            allowed: vec!["delete".into()],
        });
    }
    repo.enable(ctx, id, expected_version).await
}

/// The deliveries of a subscription.
pub async fn list_deliveries(
    repo: &dyn WebhookRepository,
    ctx: &Ctx,
    id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<Delivery>> {
    ctx.actor.require(SUBSCRIBERS)?;
    repo.deliveries(&ctx.actor, id, page).await
}

/// The delay before retry number `attempt` (1-based): `base · 2^(attempt-1)`, at most an hour.
pub fn backoff(base_ms: u64, attempt: u32) -> std::time::Duration {
    let factor = 1u64.checked_shl(attempt.saturating_sub(1).min(30)).unwrap_or(u64::MAX);
    std::time::Duration::from_millis(base_ms.saturating_mul(factor).min(3_600_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exact_types_resources_and_everything() {
        assert!(type_matches("*", "person.created"));
        assert!(type_matches("person.*", "person.deleted"));
        assert!(!type_matches("person.*", "personnel.deleted"));
        assert!(type_matches("person.created", "person.created"));
        assert!(!type_matches("person.created", "person.updated"));
    }

    #[test]
    fn only_https_or_loopback_http_targets_are_accepted() {
        assert!(check_url("https://example.org/hook").is_ok());
        assert!(check_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_url("http://localhost/hook").is_ok());
        assert!(check_url("http://[::1]:9/x").is_ok());
        assert!(check_url("http://example.org/hook").is_err());
        assert!(check_url("http://127.0.0.1.evil.example/hook").is_err());
        assert!(check_url("ftp://127.0.0.1/x").is_err());
        assert!(check_url("https:///x").is_err());
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(100, 1).as_millis(), 100);
        assert_eq!(backoff(100, 2).as_millis(), 200);
        assert_eq!(backoff(100, 4).as_millis(), 800);
        assert_eq!(backoff(1000, 40).as_millis(), 3_600_000);
    }
}

use crate::dto::limit;
use chrono::{DateTime, Utc};
use rsnms_domain::exchange::webhooks;
use rsnms_domain::{
    auth::Actor,
    exchange::webhooks::{Delivery, DeliveryStatus, Subscription, WebhookAction, allowed_actions},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A webhook subscription as a client asks for it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WebhookWrite {
    /// Where events are POSTed: `https://…` to a public address (`http://` and inward addresses
    /// only to networks an administrator allow-listed); no user information.
    #[validate(required, length(min = 1, max = limit(webhooks::URL_MAX)))]
    #[schema(required = true, nullable = false, max_length = 2048, example = "https://lms.example.org/rsnms/events")]
    pub url: Option<String>,
    /// Event types: `person.created`, `person.*` (every action on persons) or `*`.
    #[validate(required, length(min = 1, max = limit(webhooks::EVENT_TYPES_MAX)))]
    #[schema(required = true, nullable = false, min_items = 1, max_items = 50, example = json!(["organization.*", "person.created"]))]
    pub event_types: Option<Vec<String>>,
}

impl crate::extract::ValueChecks for WebhookWrite {
    fn value_errors(&self) -> Vec<rsnms_domain::FieldError> {
        let mut out = Vec::new();
        crate::extract::check_value(&mut out, self.url.as_deref(), rsnms_domain::exchange::webhooks::check_url_form);
        out
    }
}

/// A webhook subscription (подписка на события).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookView {
    /// Id.
    pub id: Uuid,
    /// Target URL.
    pub url: String,
    /// Subscribed event types.
    pub event_types: Vec<String>,
    /// Whether deliveries are made; a subscription whose delivery keeps failing is disabled.
    pub active: bool,
    /// The actions the caller may take now (допустимые действия): `enable` while disabled,
    /// `delete`.
    pub allowed_actions: Vec<WebhookAction>,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i32,
    /// The signing secret — only in the answer to the create, never again. Deliveries carry
    /// `X-Rsnms-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag` is this number in quotes.
    pub version: i64,
}

impl WebhookView {
    /// The view of a subscription for the caller, with or without its secret.
    pub fn new(s: Subscription, with_secret: bool, actor: &Actor) -> Self {
        Self {
            allowed_actions: allowed_actions(actor, &s),
            id: s.id,
            url: s.url,
            event_types: s.event_types,
            active: s.active,
            disabled_reason: s.disabled_reason,
            consecutive_failures: s.consecutive_failures,
            secret: with_secret.then_some(s.secret),
            created_at: s.created_at,
            updated_at: s.updated_at,
            version: s.version,
        }
    }
}

/// State of a delivery.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Pending,
    /// Accepted by the receiver (2xx).
    Delivered,
    /// Gave up after the last attempt (the subscription was disabled).
    Failed,
}

/// One delivery of one event (доставка события).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Delivery id: `X-Rsnms-Delivery`, the same on every retry (de-duplication key).
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// Event type.
    pub event_type: String,
    /// State.
    pub status: DeliveryState,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i32>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Delivered at (UTC).
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: match d.status {
                DeliveryStatus::Pending => DeliveryState::Pending,
                DeliveryStatus::Delivered => DeliveryState::Delivered,
                DeliveryStatus::Failed => DeliveryState::Failed,
            },
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

crate::list_schema!(WebhookList, WebhookView, "A page of webhook subscriptions.");
crate::list_schema!(DeliveryList, DeliveryView, "A page of deliveries, oldest first.");

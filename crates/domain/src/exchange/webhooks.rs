//! Webhooks: subscriptions to change events, delivered signed (HMAC-SHA256 over
//! `timestamp.body`), at least once, retried with exponential backoff; a subscription whose
//! delivery keeps failing is disabled. A subscription sees only what its owner may see.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
    /// Target URL (`https://…`; `http://` only for allow-listed networks).
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

/// Where webhooks may be delivered: any public address over `https://`, and the networks an
/// administrator allow-lists (`RSNMS_WEBHOOK_ALLOWED_NETWORKS`) — the only targets that may also
/// use `http://`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    /// Allow-listed networks.
    pub allowed: Vec<ipnet::IpNet>,
}

impl TargetPolicy {
    /// Parses a comma-separated list of networks (`10.1.0.0/16`, `fd00::/8`) or addresses.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut allowed = Vec::new();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let net = item
                .parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("not a network or an address: {item}"))?;
            allowed.push(net);
        }
        Ok(Self { allowed })
    }

    /// Whether an address lies in an allow-listed network (compared in its own family: the
    /// IPv4-mapped form of an allow-listed IPv4 address is not allow-listed).
    pub fn allow_listed(&self, ip: IpAddr) -> bool {
        self.allowed.iter().any(|n| n.contains(&ip))
    }

    /// Whether a delivery may connect to an address: allow-listed, or (over `https://` only)
    /// not pointing inward ([`is_inward`]).
    pub fn accepts(&self, ip: IpAddr, plain_http: bool) -> bool {
        self.allow_listed(ip) || (!plain_http && !is_inward(ip))
    }
}

/// Whether an address points inward: loopback, unspecified (`0.0.0.0/8`, `::`), private
/// (RFC 1918), shared (`100.64.0.0/10`), link-local (`169.254.0.0/16` — cloud metadata —,
/// `fe80::/10`), unique-local (`fc00::/7`), multicast, broadcast and reserved (`240.0.0.0/4`),
/// and the IPv6 forms that embed an IPv4 address (mapped `::ffff:0:0/96`, compatible `::/96`,
/// NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) of those.
pub fn is_inward(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => inward_v4(a),
        IpAddr::V6(a) => {
            let s = a.segments();
            a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xfe00) == 0xfc00
                || embedded_v4(a).is_some_and(inward_v4)
        }
    }
}

fn inward_v4(a: Ipv4Addr) -> bool {
    let o = a.octets();
    a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_multicast()
        || a.is_broadcast()
        || o[0] == 0
        || o[0] >= 240
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

/// The IPv4 address inside an IPv6 one (mapped, compatible, NAT64, 6to4), if any.
fn embedded_v4(a: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = a.segments();
    let last = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = a.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(last(s[6], s[7]));
    }
    (s[0] == 0x2002).then(|| last(s[1], s[2]))
}

fn url_error(code: &'static str, ru: &'static str, en: &'static str) -> FieldError {
    FieldError::new("url", code, Msg::new(ru, en))
}

/// The form checks of [`parse_target`] that need no policy (the request's edge runs them with
/// the other field checks): an absolute `http(s)://` URL, no user information, a plainly
/// written host.
pub fn check_url_form(raw: &str) -> Result<(), FieldError> {
    parse_form(raw).map(|_| ())
}

fn parse_form(raw: &str) -> Result<(url::Url, bool), FieldError> {
    let bad = || url_error("invalid_url", "Нужен абсолютный адрес https://", "An absolute https:// URL is required");
    if raw.len() > URL_MAX || raw.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err(bad());
    }
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    let plain_http = lower.starts_with("http://");
    if !plain_http && !lower.starts_with("https://") {
        return Err(bad());
    }
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    let rest = raw.split_once("://").map_or("", |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || !url.username().is_empty() || url.password().is_some() {
        return Err(url_error(
            "userinfo_refused",
            "Адрес не может содержать имя пользователя или пароль",
            "The URL may not carry a user name or password",
        ));
    }
    let written = match authority.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or_default()),
        None => authority.split(':').next().unwrap_or_default().to_owned(),
    };
    let Some(host) = url.host_str().filter(|h| !h.is_empty() && !written.is_empty()) else { return Err(bad()) };
    if written.to_ascii_lowercase() != host {
        return Err(url_error(
            "ambiguous_host",
            "Узел записан неоднозначно: укажите имя или адрес в обычной записи",
            "The host is written ambiguously: give the name or the address in its usual form",
        ));
    }
    Ok((url, plain_http))
}

/// Parses a webhook target — at subscription and again at every delivery, so that the client
/// sends to the very URL the check accepted. Refused (422 naming `url`): anything but an absolute
/// `https://` URL (`http://` only to allow-listed addresses, or to names when networks are
/// allow-listed: the resolved address is then checked at delivery), user information
/// (`user@host`), a host written in a form the parser rewrites (decimal, octal or hexadecimal
/// IPv4 such as `2130706433`, percent-encoding, non-canonical IPv6, non-ASCII), `localhost`
/// names, and addresses that point inward ([`is_inward`]) unless allow-listed.
pub fn parse_target(raw: &str, policy: &TargetPolicy) -> Result<url::Url, FieldError> {
    let (url, plain_http) = parse_form(raw)?;
    let inward = || {
        url_error(
            "inward_target",
            "Адрес указывает во внутреннюю сеть (loopback, частные, link-local и подобные адреса запрещены)",
            "The URL points inward (loopback, private, link-local and similar addresses are refused)",
        )
    };
    let insecure = || {
        url_error(
            "insecure_scheme",
            "http:// — только для сетей из списка разрешённых; используйте https://",
            "http:// only for allow-listed networks; use https://",
        )
    };
    match url.host() {
        Some(url::Host::Ipv4(a)) if !policy.accepts(IpAddr::V4(a), plain_http) => {
            Err(if plain_http && !is_inward(IpAddr::V4(a)) { insecure() } else { inward() })
        }
        Some(url::Host::Ipv6(a)) if !policy.accepts(IpAddr::V6(a), plain_http) => {
            Err(if plain_http && !is_inward(IpAddr::V6(a)) { insecure() } else { inward() })
        }
        Some(url::Host::Domain(name)) if name == "localhost" || name.ends_with(".localhost") => Err(inward()),
        Some(url::Host::Domain(_)) if plain_http && policy.allowed.is_empty() => Err(insecure()),
        Some(_) => Ok(url),
        None => Err(url_error("invalid_url", "Нужен адрес с узлом", "The URL needs a host")),
    }
}

const EVENT_TYPE_MAX: usize = 100;

/// Creates a subscription; the secret is made by the caller (the HTTP layer) and shown once. The
/// URL is stored as [`parse_target`] serialises it.
pub async fn create_subscription(
    repo: &dyn WebhookRepository,
    ctx: &Ctx,
    input: NewSubscription,
    secret: String,
    targets: &TargetPolicy,
) -> DomainResult<Subscription> {
    ctx.actor.require(SUBSCRIBERS)?;
    let mut e = Errors::new();
    let url = match &input.url {
        None => {
            e.push(FieldError::required("url"));
            None
        }
        Some(u) => e.take(parse_target(u, targets)),
    };
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
    let url = url.ok_or_else(|| DomainError::internal("url lost"))?;
    repo.create(ctx, url.to_string(), types, secret).await
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

wire_enum! {
    /// An action on a webhook subscription: `enable` (`POST /webhooks/{id}/enable`), `delete`
    /// (`DELETE /webhooks/{id}`).
    WebhookAction {
        /// Resume a disabled subscription (возобновить).
        Enable = "enable",
        /// Delete it (удалить).
        Delete = "delete",
    }
}

/// The guard of every action on a subscription the caller sees (its own, or any for an
/// administrator), which the action calls and [`allowed_actions`] runs: the role (403), and
/// `enable` only for a disabled subscription (409).
pub fn check_action(actor: &Actor, s: &Subscription, action: WebhookAction) -> DomainResult<()> {
    actor.require(SUBSCRIBERS)?;
    if action == WebhookAction::Enable && s.active {
        return Err(DomainError::Conflict {
            field: None,
            message: Msg::new("Подписка уже активна", "The subscription is already active"),
            allowed: vec![WebhookAction::Delete.as_str().into()],
        });
    }
    Ok(())
}

/// The actions the caller may take on a subscription it sees now (`allowed_actions` of its views).
pub fn allowed_actions(actor: &Actor, s: &Subscription) -> Vec<WebhookAction> {
    crate::actions::allowed(WebhookAction::ALL, |a| check_action(actor, s, a)).unwrap_or_default()
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
    check_action(&ctx.actor, &current, WebhookAction::Delete)?;
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
    check_action(&ctx.actor, &current, WebhookAction::Enable)?;
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

/// The longest endpoint URL, in bytes.
pub const URL_MAX: usize = 2048;
/// The most event types one subscription names.
pub const EVENT_TYPES_MAX: usize = 50;

/// The length limits of a subscription, by field: the contract states the same numbers
/// (`WebhookWrite`), which a test compares with this list.
pub const LIMITS: &[(&str, usize)] = &[("url", URL_MAX), ("event_types", EVENT_TYPES_MAX)];

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

    fn code(url: &str, policy: &TargetPolicy) -> Option<String> {
        parse_target(url, policy).err().map(|e| e.code.to_string())
    }

    #[test]
    fn https_targets_on_public_hosts_are_accepted_and_inward_ones_refused_in_every_spelling() {
        let none = TargetPolicy::default();
        assert_eq!(code("https://example.org/hook?x=1", &none), None);
        assert_eq!(code("https://8.8.8.8/hook", &none), None);
        for url in [
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://0.0.0.0/",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/",
            "https://172.16.5.4/",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[ff02::1]/",
            "https://255.255.255.255/",
            "https://[::ffff:7f00:1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://localhost/",
            "https://a.localhost/",
        ] {
            assert_eq!(code(url, &none).as_deref(), Some("inward_target"), "{url}");
        }
        for url in [
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0177.0.0.1/",
            "https://127.1/",
            "https://[::ffff:127.0.0.1]/",
            "https://%6c%6fcalhost/",
        ] {
            assert_eq!(code(url, &none).as_deref(), Some("ambiguous_host"), "{url}");
        }
        for url in ["https://evil@127.0.0.1/", "https://user:pw@example.org/", "https://example.org@127.0.0.1/"] {
            assert_eq!(code(url, &none).as_deref(), Some("userinfo_refused"), "{url}");
        }
        for url in [
            "ftp://example.org/",
            "https:///x",
            "https:example.org",
            "example.org",
            "https://exa mple.org/",
            "https://example.org\\@127.0.0.1/",
        ] {
            assert_eq!(code(url, &none).as_deref(), Some("invalid_url"), "{url}");
        }
        assert_eq!(code("http://example.org/", &none).as_deref(), Some("insecure_scheme"));
    }

    #[test]
    fn allow_listed_networks_may_be_reached_also_over_http_and_only_in_their_own_family() {
        let lo = TargetPolicy::parse("127.0.0.0/8, 10.1.2.3").unwrap();
        assert_eq!(code("http://127.0.0.1:8080/hook", &lo), None);
        assert_eq!(code("https://10.1.2.3/", &lo), None);
        assert_eq!(code("http://10.1.2.4/", &lo).as_deref(), Some("inward_target"));
        assert_eq!(code("http://8.8.8.8/", &lo).as_deref(), Some("insecure_scheme"));
        assert_eq!(code("https://[::ffff:7f00:1]/", &lo).as_deref(), Some("inward_target"));
        assert_eq!(code("http://0.0.0.0/", &lo).as_deref(), Some("inward_target"));
        assert_eq!(code("http://hook.test/", &lo), None, "a name is checked when it is resolved");
        assert!(TargetPolicy::parse("10.0.0.0/33").is_err());
        assert!(!lo.accepts("::1".parse().unwrap(), false));
        assert!(lo.accepts("93.184.216.34".parse().unwrap(), false));
        assert!(!lo.accepts("93.184.216.34".parse().unwrap(), true));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(100, 1).as_millis(), 100);
        assert_eq!(backoff(100, 2).as_millis(), 200);
        assert_eq!(backoff(100, 4).as_millis(), 800);
        assert_eq!(backoff(1000, 40).as_millis(), 3_600_000);
    }
}

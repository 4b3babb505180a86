//! The webhook worker: publishes committed outbox events, fans them out to subscriptions, leases
//! due deliveries (several instances never send the same one at once) and POSTs them signed.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use chrono::Utc;
use hmac::{Hmac, Mac};
use rsnms_domain::exchange::{
    ChangeFeed, WebhookRepository,
    webhooks::{Attempt, LeasedDelivery, TargetPolicy, backoff, parse_target},
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
    /// `RSNMS_IMPORT_JOB_POLL_MS`: how often an idle import worker looks for a queued job
    /// (default 1000).
    pub import_job_poll_ms: u64,
    /// Where webhooks may be delivered (`RSNMS_WEBHOOK_ALLOWED_NETWORKS`, comma-separated CIDRs).
    pub webhook_targets: TargetPolicy,
    /// Fixed addresses of names (`RSNMS_WEBHOOK_HOSTS`, `name=address,…`, a name repeated for
    /// several): split-horizon names without DNS, and the tests. Checked like resolved ones.
    pub webhook_hosts: HashMap<String, Vec<IpAddr>>,
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
            import_job_poll_ms: 50,
            // The tests' receivers listen on loopback.
            webhook_targets: TargetPolicy::parse("127.0.0.0/8").unwrap_or_default(),
            webhook_hosts: HashMap::new(),
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

/// Parses `RSNMS_WEBHOOK_HOSTS`: `name=address,name=address` (a name repeated for several).
pub fn parse_hosts(list: &str) -> Result<HashMap<String, Vec<IpAddr>>, String> {
    let mut hosts: HashMap<String, Vec<IpAddr>> = HashMap::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, addr) = item.split_once('=').ok_or_else(|| format!("not name=address: {item}"))?;
        let addr = addr.trim().parse::<IpAddr>().map_err(|_| format!("not an address: {addr}"))?;
        hosts.entry(name.trim().to_ascii_lowercase()).or_default().push(addr);
    }
    Ok(hosts)
}

/// A delivery refused because of where its target points.
#[derive(Debug)]
struct Refused(&'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "target refused: {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// The client's only resolver: resolves a target's name once (a fixed host entry or the
/// system's resolver), refuses the delivery when any address it gives is not accepted by the
/// policy, and hands the client exactly the checked addresses to connect to — no second lookup
/// that a rebinding DNS server could answer differently.
#[derive(Clone)]
struct CheckedResolver {
    policy: TargetPolicy,
    hosts: Arc<HashMap<String, Vec<IpAddr>>>,
    plain_http: bool,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_ascii_lowercase();
        Box::pin(async move {
            let addrs: Vec<IpAddr> = match this.hosts.get(&host) {
                Some(fixed) => fixed.clone(),
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.map(|a| a.ip()).collect(),
            };
            if addrs.is_empty() {
                return Err(Box::new(Refused("the name resolves to no address")) as _);
            }
            if addrs.iter().any(|a| !this.policy.accepts(*a, this.plain_http)) {
                return Err(Box::new(Refused("the name resolves to an address that points inward")) as _);
            }
            let checked: reqwest::dns::Addrs = Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(checked)
        })
    }
}

/// The clients of the worker: one for `https://` targets (public or allow-listed addresses),
/// one for `http://` targets (allow-listed addresses only). Neither follows redirects nor uses a
/// proxy from the environment (which would resolve the name itself).
#[derive(Clone)]
pub struct Clients {
    https: reqwest::Client,
    http: reqwest::Client,
}

impl Clients {
    /// Builds the clients.
    pub fn new(settings: &ExchangeSettings) -> anyhow::Result<Self> {
        let hosts = Arc::new(settings.webhook_hosts.clone());
        let client = |plain_http: bool| {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(settings.webhook_timeout_seconds))
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .dns_resolver(Arc::new(CheckedResolver {
                    policy: settings.webhook_targets.clone(),
                    hosts: hosts.clone(),
                    plain_http,
                }))
                .build()
        };
        Ok(Self { https: client(false)?, http: client(true)? })
    }
}

/// Why a request failed, without the URL; a refusal by the resolver is named as such.
fn failure(e: &reqwest::Error) -> String {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return r.to_string();
        }
        source = s.source();
    }
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}

async fn send(clients: &Clients, d: &LeasedDelivery, settings: &ExchangeSettings) -> Attempt {
    let now = Utc::now();
    // The stored URL is parsed and checked again by the same function as at subscription (the
    // policy may have changed); the client sends to this very parsed URL.
    let sent = match parse_target(&d.url, &settings.webhook_targets) {
        Err(e) => Err(format!("target refused: {}", e.code)),
        Ok(url) => {
            let client = if url.scheme() == "http" { &clients.http } else { &clients.https };
            let body = serde_json::to_vec(&d.delivery.body).unwrap_or_default();
            client
                .post(url)
                .header("content-type", "application/json")
                .header("user-agent", "rsnms-webhooks/1")
                .header("x-rsnms-delivery", d.delivery.id.to_string())
                .header("x-rsnms-event", d.delivery.event_type.as_str())
                .header("x-rsnms-timestamp", now.timestamp().to_string())
                .header("x-rsnms-signature", signature(&d.secret, now.timestamp(), &body))
                .body(body)
                .send()
                .await
                .map_err(|e| failure(&e))
        }
    };
    // Only the status code is kept, never the response body.
    let (ok, status_code, error) = match sent {
        Ok(r) if r.status().is_success() => (true, Some(i32::from(r.status().as_u16())), None),
        Ok(r) => (false, Some(i32::from(r.status().as_u16())), Some(format!("HTTP {}", r.status().as_u16()))),
        Err(e) => (false, None, Some(e)),
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
    clients: &Clients,
    worker: &str,
    settings: &ExchangeSettings,
) -> anyhow::Result<usize> {
    // Without an active subscription there is nothing to fan out or send (a retry pending on a
    // disabled subscription waits for it to be enabled).
    if !hooks.any_active().await.map_err(|e| anyhow::anyhow!("subscriptions: {e}"))? {
        return Ok(0);
    }
    feed.publish().await.map_err(|e| anyhow::anyhow!("publish: {e}"))?;
    hooks.fan_out(500).await.map_err(|e| anyhow::anyhow!("fan-out: {e}"))?;
    let leased = hooks.lease(worker, BATCH, LEASE_SECONDS).await.map_err(|e| anyhow::anyhow!("lease: {e}"))?;
    let n = leased.len();
    let mut set = JoinSet::new();
    for d in leased {
        let clients = clients.clone();
        let hooks = hooks.clone();
        let settings = settings.clone();
        set.spawn(async move {
            let attempt = send(&clients, &d, &settings).await;
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
    let clients = Clients::new(&settings)?;
    let worker = format!("worker-{}", uuid::Uuid::now_v7().simple());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(settings.webhook_poll_ms));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // Work through a backlog without waiting for the next tick.
            loop {
                match webhook_round(feed.as_ref(), &hooks, &clients, &worker, &settings).await {
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

/// What `rsnms import` loads.
#[derive(Debug, Clone)]
pub struct ImportArgs {
    /// The file.
    pub file: std::path::PathBuf,
    /// Dataset name (`organizations`, `persons`).
    pub dataset: String,
    /// `ndjson`, `csv` or `json` (an array; default: from the file's extension).
    pub format: Option<String>,
    /// `utf-8` (default) or `windows-1251`.
    pub charset: Option<String>,
    /// The options as given (`--mode`, `--id-scheme`, `--org-id-scheme`, `--atomic`,
    /// `--dry-run`, `--results` …), checked by the import service's one parser
    /// ([`rsnms_http::imports::options`]) as the query of `POST /api/v1/imports/{dataset}` is.
    pub options: rsnms_http::imports::RawOptions,
    /// Subject written into the audit trail.
    pub subject: String,
    /// Show a progress bar on standard error.
    pub progress: bool,
}

/// Imports a file in-process, through the same datasets, rules and transactions as
/// `POST /api/v1/imports/{dataset}`, acting as an administrator. Reads the file in chunks (never
/// whole) and shows a progress bar over its bytes.
pub async fn import_file(
    store: &rsnms_persistence::Store,
    args: &ImportArgs,
) -> anyhow::Result<rsnms_domain::exchange::ImportSummary> {
    use std::io::Read;

    use rsnms_domain::auth::{Actor, Ctx, Role};
    use rsnms_http::imports::{
        self, engine,
        reader::{Format, Lines, Records},
    };

    let dataset =
        imports::find(&args.dataset).map_err(|e| anyhow::anyhow!("{e}; known: {}", imports::names().join(", ")))?;
    let ext = args.file.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let format = match args.format.as_deref().unwrap_or(ext.as_str()) {
        "csv" => Format::Csv,
        "ndjson" | "jsonl" => Format::Ndjson,
        "json" => Format::Json,
        other => anyhow::bail!("unknown format {other:?}: give --format ndjson, csv or json"),
    };
    imports::accept_format(dataset, format)?;
    let encoding = imports::charset(args.charset.as_deref())?;
    let opts = imports::options(dataset, &args.options)?;

    let file =
        std::fs::File::open(&args.file).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", args.file.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if args.progress { indicatif::ProgressBar::new(len) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = bar.clone();
    let chunks = futures_util::stream::unfold(Some(file), move |file| {
        let progress = progress.clone();
        async move {
            let mut file = file?;
            let mut buf = vec![0u8; 256 * 1024];
            match file.read(&mut buf) {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    progress.inc(n as u64);
                    Some((Ok(actix_web::web::Bytes::from(buf)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    });
    let mut records = Records::for_dataset(Lines::new(Box::pin(chunks), encoding, u64::MAX), format, dataset);
    let ctx = Ctx {
        actor: Actor {
            subject: args.subject.clone(),
            role: Role::Admin,
            organization_id: None,
            region_code: None,
            municipality_code: None,
            person_id: None,
        },
        request_id: format!("cli-import-{}", uuid::Uuid::now_v7().simple()),
        idempotency: None,
    };
    let summary = engine::run(store.units.as_ref(), dataset, &ctx, &opts, &mut records).await?;
    bar.finish_and_clear();
    Ok(summary)
}

/// The summary as the API answers it (English messages, the options as understood, the line
/// results when asked), pretty-printed.
pub fn summary_json(
    dataset: &str,
    summary: &rsnms_domain::exchange::ImportSummary,
    options: &rsnms_http::imports::RawOptions,
) -> String {
    let view = rsnms_http::routes::imports::ImportSummaryView::new(
        dataset,
        summary.clone(),
        options.dry_run.unwrap_or(false),
        rsnms_http::problem::Lang::En,
    );
    let view = match rsnms_http::imports::find(dataset).and_then(|d| rsnms_http::imports::options(d, options)) {
        Ok(opts) => view.with_options(&opts),
        Err(_) => view,
    };
    serde_json::to_string_pretty(&view).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // The signed text is "<t>.<body>": the same HMAC over the composed message.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_k").unwrap();
        mac.update(b"1700000000.{\"a\":1}");
        let expected = format!("t=1700000000,v1={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(signature("whsec_k", 1_700_000_000, b"{\"a\":1}"), expected);
        assert_ne!(signature("whsec_k", 1_700_000_001, b"{\"a\":1}"), expected);
    }
}

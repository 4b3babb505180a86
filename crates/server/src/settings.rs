//! Typed settings from environment variables (see the README's table).

use secrecy::SecretString;

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://…` (default `sqlite://./data/rsnms.db?mode=rwc`) or `postgres://…`.
    pub database_url: String,
    /// `RSNMS_DB_MAX_CONNECTIONS` (default 16): the shared pool's size; on PostgreSQL also the
    /// request pools' total, split between the workers (each worker's own pool, at least 2).
    pub db_max_connections: u32,
    /// Bound of an exact count of a list, `?count=exact` (`RSNMS_COUNT_LIMIT`, default 10 000).
    pub count_limit: u64,
    /// `RSNMS_DB_ACQUIRE_TIMEOUT_MS`: how long a request waits for a database connection before
    /// it is answered 503 — while the pool is busy or the database is away and coming back
    /// (default 5000, at least 100).
    pub db_acquire_timeout_ms: u64,
    /// `RSNMS_BIND` (default `127.0.0.1:8080`).
    pub bind: String,
    /// `RSNMS_WORKERS` (default: the number of cores).
    pub workers: usize,
    /// `RSNMS_JWT_SECRET`: HS256 key; when unset one is generated once and kept in the database.
    pub jwt_secret: Option<SecretString>,
    /// `RSNMS_JWT_ISSUER` (default `rsnms`).
    pub jwt_issuer: String,
    /// `RSNMS_JWT_AUDIENCE` (default `rsnms-api`).
    pub jwt_audience: String,
    /// `RSNMS_TOKEN_TTL_SECONDS` (default 900).
    pub token_ttl_seconds: i64,
    /// `RSNMS_ADMIN_LOGIN` (default `admin`).
    pub admin_login: String,
    /// `RSNMS_ADMIN_PASSWORD`: the first administrator's password; when unset one is generated and
    /// written to `admin_password_file` (mode 0600), never to the log or the console.
    pub admin_password: Option<SecretString>,
    /// `RSNMS_ADMIN_PASSWORD_FILE`: where a generated first password is written (default
    /// `admin-password.txt` beside the SQLite database, or `./data/admin-password.txt`).
    pub admin_password_file: Option<std::path::PathBuf>,
    /// `RSNMS_CORS_ORIGINS`: comma-separated allowed origins, `*` for any (default none).
    pub cors_origins: Vec<String>,
    /// `RSNMS_BODY_LIMIT_BYTES` (default 1 MiB).
    pub body_limit: usize,
    /// `RSNMS_SHUTDOWN_TIMEOUT_SECONDS`: grace period for in-flight requests on SIGTERM (default 30).
    pub shutdown_timeout_seconds: u64,
    /// `RSNMS_RATE_LIMIT_PER_MINUTE`: requests per caller and minute, per instance (default 1200; 0 = off).
    pub rate_limit_per_minute: u32,
    /// `RSNMS_TRUSTED_PROXIES`: comma-separated CIDRs (or addresses) of reverse proxies whose
    /// `X-Forwarded-For` names the client (default none: the peer address is the client).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `RSNMS_SIGN_IN_ADDRESS_PER_MINUTE`: sign-in requests per client address and minute (default 30).
    pub sign_in_address_per_minute: u32,
    /// `RSNMS_SIGN_IN_LOGIN_PER_MINUTE`: sign-in requests per login and minute (default 10).
    pub sign_in_login_per_minute: u32,
    /// Back-off of failed sign-ins: `RSNMS_SIGN_IN_FREE_FAILURES` (5), `RSNMS_SIGN_IN_LOCK_SECONDS`
    /// (2, doubled by every further failure), `RSNMS_SIGN_IN_MAX_LOCK_SECONDS` (900),
    /// `RSNMS_SIGN_IN_FORGET_SECONDS` (3600).
    pub sign_in: rsnms_domain::sign_in::SignInPolicy,
    /// `RSNMS_REFRESH_TTL_SECONDS`: how long a sign-in's refresh tokens last (default 14 days).
    pub refresh_ttl_seconds: i64,
    /// `RSNMS_TOKEN_CHECK_TTL_MS`: how long an instance trusts what it read of an account's
    /// standing — the longest a revoked token still works on another instance (default 5000).
    pub token_check_ttl_ms: u64,
    /// `RSNMS_IDEMPOTENCY_TTL_HOURS`: how long idempotency keys are kept (default 48, at least 24).
    pub idempotency_ttl_hours: i64,
    /// `RSNMS_IDEMPOTENCY_LEASE_SECONDS`: how long a key's claim holds without renewal — after a
    /// crash, how long a retry waits before it finds the outcome or runs (default 60, at least 1).
    pub idempotency_lease_seconds: u64,
    /// `RSNMS_TEST_IDEMPOTENCY_FAULT` (tests only, never set in production): `before:<key>` or
    /// `after:<key>` makes the server "crash" once with that key held, before the handler runs or after
    /// its change committed and before the response is stored.
    pub test_idempotency_fault: Option<String>,
    /// `RSNMS_MIN_GROUP_SIZE`: smallest group of persons shown in aggregates; smaller groups are
    /// suppressed (default 5, at least 1).
    pub min_group_size: u64,
    /// `RSNMS_PD_DEPERSONALISE_AFTER_DAYS`: days from the end of a person's last basis of
    /// processing (withdrawal or expiry) to her depersonalisation (152-ФЗ art. 21 part 5); 30.
    pub pd_term_days: u32,
    /// `RSNMS_PD_RETENTION_DAYS`: retention per category of data, `category=days` pairs separated
    /// by commas (`network_requests=1826,audit=1096`, the defaults); the persons' period is
    /// `RSNMS_PD_DEPERSONALISE_AFTER_DAYS`. See `docs/PERSONAL-DATA.md`.
    pub pd_retention: rsnms_domain::personal_data::Retention,
    /// `RSNMS_ATTACHMENT_MAX_BYTES` (largest uploaded file, default 20 MiB) and
    /// `RSNMS_ATTACHMENTS_PER_PARENT_MAX_BYTES` (largest sum of the files of one request with its
    /// reply, default 100 MiB).
    pub attachments: rsnms_domain::attachments::Limits,
    /// `RSNMS_ROUTE_EVIDENCE_ACTIVITIES`: the route step activities that need accepted evidence
    /// before a step is done, comma-separated, or `none` (default: `program`, `self_education`,
    /// `professional_community`; linked event, internship and mentoring steps are done by their record).
    pub route_evidence: rsnms_domain::development::iom::EvidencePolicy,
    /// Imports, the change feed and webhooks (`RSNMS_IMPORT_MAX_BYTES`, `RSNMS_WEBHOOK_*`).
    pub exchange: crate::exchange::ExchangeSettings,
    /// Slow clients: `RSNMS_REQUEST_HEAD_TIMEOUT_MS` (default 5000), `RSNMS_BODY_MIN_BYTES_PER_SECOND`
    /// (default 1024, 0 = off), `RSNMS_BODY_GRACE_MS` (default 10000).
    pub pace: rsnms_http::middleware::Pace,
    /// Trusted OpenID Connect providers: `RSNMS_OIDC_PROVIDERS` (a JSON array, or `@path` of a
    /// file holding it; none by default), `RSNMS_OIDC_ALLOW_HTTP_LOOPBACK` (false),
    /// `RSNMS_OIDC_TIMEOUT_MS` (5000), `RSNMS_OIDC_REFRESH_SECONDS` (60),
    /// `RSNMS_OIDC_KEYS_MAX_AGE_SECONDS` (3600), `RSNMS_OIDC_KEYS_HARD_MAX_AGE_SECONDS` (86400).
    /// See `docs/AUTH.md`.
    pub oidc: rsnms_http::auth::OidcSettings,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| anyhow::anyhow!("{name} has an invalid value")),
    }
}

impl Settings {
    /// Reads the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://./data/rsnms.db?mode=rwc".into()),
            db_max_connections: parsed("RSNMS_DB_MAX_CONNECTIONS", 16)?,
            count_limit: parsed::<u64>("RSNMS_COUNT_LIMIT", rsnms_domain::page::DEFAULT_COUNT_LIMIT)?.max(1),
            db_acquire_timeout_ms: parsed::<u64>("RSNMS_DB_ACQUIRE_TIMEOUT_MS", 5000)?.max(100),
            bind: var("RSNMS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            workers: parsed("RSNMS_WORKERS", std::thread::available_parallelism().map_or(2, |n| n.get()))?,
            jwt_secret: var("RSNMS_JWT_SECRET").map(SecretString::from),
            jwt_issuer: var("RSNMS_JWT_ISSUER").unwrap_or_else(|| "rsnms".into()),
            jwt_audience: var("RSNMS_JWT_AUDIENCE").unwrap_or_else(|| "rsnms-api".into()),
            token_ttl_seconds: parsed("RSNMS_TOKEN_TTL_SECONDS", 900)?,
            admin_login: var("RSNMS_ADMIN_LOGIN").unwrap_or_else(|| "admin".into()),
            admin_password: var("RSNMS_ADMIN_PASSWORD").map(SecretString::from),
            admin_password_file: var("RSNMS_ADMIN_PASSWORD_FILE").map(std::path::PathBuf::from),
            trusted_proxies: match var("RSNMS_TRUSTED_PROXIES") {
                None => Vec::new(),
                Some(v) => v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        s.parse::<ipnet::IpNet>()
                            .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                            .map_err(|_| anyhow::anyhow!("RSNMS_TRUSTED_PROXIES has an invalid network: {s}"))
                    })
                    .collect::<anyhow::Result<_>>()?,
            },
            sign_in_address_per_minute: parsed("RSNMS_SIGN_IN_ADDRESS_PER_MINUTE", 30)?,
            sign_in_login_per_minute: parsed("RSNMS_SIGN_IN_LOGIN_PER_MINUTE", 10)?,
            sign_in: rsnms_domain::sign_in::SignInPolicy {
                free_failures: parsed("RSNMS_SIGN_IN_FREE_FAILURES", 5)?,
                base_lock_seconds: parsed::<i64>("RSNMS_SIGN_IN_LOCK_SECONDS", 2)?.max(1),
                max_lock_seconds: parsed::<i64>("RSNMS_SIGN_IN_MAX_LOCK_SECONDS", 900)?.max(1),
                forget_after_seconds: parsed::<i64>("RSNMS_SIGN_IN_FORGET_SECONDS", 3600)?.max(1),
            },
            refresh_ttl_seconds: parsed::<i64>("RSNMS_REFRESH_TTL_SECONDS", 14 * 24 * 3600)?.max(60),
            token_check_ttl_ms: parsed("RSNMS_TOKEN_CHECK_TTL_MS", 5000)?,
            cors_origins: var("RSNMS_CORS_ORIGINS")
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            body_limit: parsed("RSNMS_BODY_LIMIT_BYTES", 1024 * 1024)?,
            shutdown_timeout_seconds: parsed("RSNMS_SHUTDOWN_TIMEOUT_SECONDS", 30)?,
            rate_limit_per_minute: parsed("RSNMS_RATE_LIMIT_PER_MINUTE", 1200)?,
            idempotency_ttl_hours: parsed::<i64>("RSNMS_IDEMPOTENCY_TTL_HOURS", 48)?.max(24),
            idempotency_lease_seconds: parsed::<u64>("RSNMS_IDEMPOTENCY_LEASE_SECONDS", 60)?.max(1),
            test_idempotency_fault: var("RSNMS_TEST_IDEMPOTENCY_FAULT"),
            min_group_size: parsed::<u64>("RSNMS_MIN_GROUP_SIZE", 5)?.max(1),
            pd_term_days: parsed::<u32>("RSNMS_PD_DEPERSONALISE_AFTER_DAYS", 30)?,
            pd_retention: rsnms_domain::personal_data::Retention::parse(
                &var("RSNMS_PD_RETENTION_DAYS").unwrap_or_default(),
                parsed::<u32>("RSNMS_PD_DEPERSONALISE_AFTER_DAYS", 30)?,
            )
            .map_err(|e| anyhow::anyhow!("RSNMS_PD_RETENTION_DAYS: {e}"))?,
            attachments: rsnms_domain::attachments::Limits {
                per_file: parsed("RSNMS_ATTACHMENT_MAX_BYTES", rsnms_domain::attachments::Limits::default().per_file)?,
                per_parent: parsed(
                    "RSNMS_ATTACHMENTS_PER_PARENT_MAX_BYTES",
                    rsnms_domain::attachments::Limits::default().per_parent,
                )?,
            },
            route_evidence: match var("RSNMS_ROUTE_EVIDENCE_ACTIVITIES") {
                None => rsnms_domain::development::iom::EvidencePolicy::default(),
                Some(v) => rsnms_domain::development::iom::EvidencePolicy::parse(&v)
                    .map_err(|e| anyhow::anyhow!("RSNMS_ROUTE_EVIDENCE_ACTIVITIES: {e}"))?,
            },
            exchange: crate::exchange::ExchangeSettings {
                import_max_bytes: parsed("RSNMS_IMPORT_MAX_BYTES", 1024 * 1024 * 1024)?,
                webhook_poll_ms: parsed::<u64>("RSNMS_WEBHOOK_POLL_MS", 1000)?.max(10),
                webhook_backoff_ms: parsed::<u64>("RSNMS_WEBHOOK_BACKOFF_MS", 5000)?.max(10),
                webhook_max_attempts: parsed::<u32>("RSNMS_WEBHOOK_MAX_ATTEMPTS", 10)?.max(1),
                webhook_timeout_seconds: parsed::<u64>("RSNMS_WEBHOOK_TIMEOUT_SECONDS", 10)?.max(1),
                import_job_poll_ms: parsed::<u64>("RSNMS_IMPORT_JOB_POLL_MS", 1000)?.max(10),
                webhook_targets: rsnms_domain::exchange::webhooks::TargetPolicy::parse(
                    &var("RSNMS_WEBHOOK_ALLOWED_NETWORKS").unwrap_or_default(),
                )
                .map_err(|e| anyhow::anyhow!("RSNMS_WEBHOOK_ALLOWED_NETWORKS: {e}"))?,
                webhook_hosts: crate::exchange::parse_hosts(&var("RSNMS_WEBHOOK_HOSTS").unwrap_or_default())
                    .map_err(|e| anyhow::anyhow!("RSNMS_WEBHOOK_HOSTS: {e}"))?,
            },
            pace: pace()?,
            oidc: oidc()?,
        })
    }
}

/// The trusted identity providers.
fn oidc() -> anyhow::Result<rsnms_http::auth::OidcSettings> {
    let allow_http_loopback = parsed("RSNMS_OIDC_ALLOW_HTTP_LOOPBACK", false)?;
    let providers = match var("RSNMS_OIDC_PROVIDERS") {
        None => Vec::new(),
        Some(v) => {
            let json = match v.trim().strip_prefix('@') {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("RSNMS_OIDC_PROVIDERS: cannot read {path}: {e}"))?,
                None => v,
            };
            rsnms_http::auth::OidcSettings::parse_providers(&json, allow_http_loopback)
                .map_err(|e| anyhow::anyhow!("RSNMS_OIDC_PROVIDERS: {e}"))?
        }
    };
    let max_key_age = std::time::Duration::from_secs(parsed::<u64>("RSNMS_OIDC_KEYS_MAX_AGE_SECONDS", 3600)?.max(60));
    let hard_max_key_age =
        std::time::Duration::from_secs(parsed::<u64>("RSNMS_OIDC_KEYS_HARD_MAX_AGE_SECONDS", 86_400)?);
    if hard_max_key_age < max_key_age {
        anyhow::bail!("RSNMS_OIDC_KEYS_HARD_MAX_AGE_SECONDS must not be below RSNMS_OIDC_KEYS_MAX_AGE_SECONDS");
    }
    Ok(rsnms_http::auth::OidcSettings {
        providers,
        allow_http_loopback,
        timeout: std::time::Duration::from_millis(parsed::<u64>("RSNMS_OIDC_TIMEOUT_MS", 5000)?.max(100)),
        refresh_interval: std::time::Duration::from_secs(parsed("RSNMS_OIDC_REFRESH_SECONDS", 60)?),
        max_key_age,
        hard_max_key_age,
        ..rsnms_http::auth::OidcSettings::default()
    })
}

/// The slow-client limits (a zero head timeout would turn actix's off: at least 100 ms).
fn pace() -> anyhow::Result<rsnms_http::middleware::Pace> {
    let default = rsnms_http::middleware::Pace::default();
    let ms = |d: std::time::Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    Ok(rsnms_http::middleware::Pace {
        head_timeout: std::time::Duration::from_millis(
            parsed("RSNMS_REQUEST_HEAD_TIMEOUT_MS", ms(default.head_timeout))?.max(100),
        ),
        body_min_rate: parsed("RSNMS_BODY_MIN_BYTES_PER_SECOND", default.body_min_rate)?,
        body_grace: std::time::Duration::from_millis(parsed("RSNMS_BODY_GRACE_MS", ms(default.body_grace))?),
    })
}

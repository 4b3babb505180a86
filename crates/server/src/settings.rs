//! Typed settings from environment variables (see the README's table).

use secrecy::SecretString;

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://…` (default `sqlite://./data/rsnms.db?mode=rwc`) or `postgres://…`.
    pub database_url: String,
    /// `RSNMS_DB_MAX_CONNECTIONS` (default 16).
    pub db_max_connections: u32,
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
    /// `RSNMS_ADMIN_PASSWORD`: the first administrator's password; generated and printed once when unset.
    pub admin_password: Option<SecretString>,
    /// `RSNMS_CORS_ORIGINS`: comma-separated allowed origins, `*` for any (default none).
    pub cors_origins: Vec<String>,
    /// `RSNMS_BODY_LIMIT_BYTES` (default 1 MiB).
    pub body_limit: usize,
    /// `RSNMS_SHUTDOWN_TIMEOUT_SECONDS`: grace period for in-flight requests on SIGTERM (default 30).
    pub shutdown_timeout_seconds: u64,
    /// `RSNMS_RATE_LIMIT_PER_MINUTE`: requests per caller and minute, per instance (default 1200; 0 = off).
    pub rate_limit_per_minute: u32,
    /// `RSNMS_IDEMPOTENCY_TTL_HOURS`: how long idempotency keys are kept (default 48, at least 24).
    pub idempotency_ttl_hours: i64,
    /// `RSNMS_MIN_GROUP_SIZE`: smallest group of persons shown in aggregates; smaller groups are
    /// suppressed (default 5, at least 1).
    pub min_group_size: u64,
    /// Imports, the change feed and webhooks (`RSNMS_IMPORT_MAX_BYTES`, `RSNMS_WEBHOOK_*`).
    pub exchange: crate::exchange::ExchangeSettings,
    /// Slow clients: `RSNMS_REQUEST_HEAD_TIMEOUT_MS` (default 5000), `RSNMS_BODY_MIN_BYTES_PER_SECOND`
    /// (default 1024, 0 = off), `RSNMS_BODY_GRACE_MS` (default 10000).
    pub pace: rsnms_http::middleware::Pace,
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
            bind: var("RSNMS_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            workers: parsed("RSNMS_WORKERS", std::thread::available_parallelism().map_or(2, |n| n.get()))?,
            jwt_secret: var("RSNMS_JWT_SECRET").map(SecretString::from),
            jwt_issuer: var("RSNMS_JWT_ISSUER").unwrap_or_else(|| "rsnms".into()),
            jwt_audience: var("RSNMS_JWT_AUDIENCE").unwrap_or_else(|| "rsnms-api".into()),
            token_ttl_seconds: parsed("RSNMS_TOKEN_TTL_SECONDS", 900)?,
            admin_login: var("RSNMS_ADMIN_LOGIN").unwrap_or_else(|| "admin".into()),
            admin_password: var("RSNMS_ADMIN_PASSWORD").map(SecretString::from),
            cors_origins: var("RSNMS_CORS_ORIGINS")
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            body_limit: parsed("RSNMS_BODY_LIMIT_BYTES", 1024 * 1024)?,
            shutdown_timeout_seconds: parsed("RSNMS_SHUTDOWN_TIMEOUT_SECONDS", 30)?,
            rate_limit_per_minute: parsed("RSNMS_RATE_LIMIT_PER_MINUTE", 1200)?,
            idempotency_ttl_hours: parsed::<i64>("RSNMS_IDEMPOTENCY_TTL_HOURS", 48)?.max(24),
            min_group_size: parsed::<u64>("RSNMS_MIN_GROUP_SIZE", 5)?.max(1),
            exchange: crate::exchange::ExchangeSettings {
                import_max_bytes: parsed("RSNMS_IMPORT_MAX_BYTES", 1024 * 1024 * 1024)?,
                webhook_poll_ms: parsed::<u64>("RSNMS_WEBHOOK_POLL_MS", 1000)?.max(10),
                webhook_backoff_ms: parsed::<u64>("RSNMS_WEBHOOK_BACKOFF_MS", 5000)?.max(10),
                webhook_max_attempts: parsed::<u32>("RSNMS_WEBHOOK_MAX_ATTEMPTS", 10)?.max(1),
                webhook_timeout_seconds: parsed::<u64>("RSNMS_WEBHOOK_TIMEOUT_SECONDS", 10)?.max(1),
                import_job_poll_ms: parsed::<u64>("RSNMS_IMPORT_JOB_POLL_MS", 1000)?.max(10),
            },
            pace: pace()?,
        })
    }
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

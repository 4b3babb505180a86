//! Start-up of rsnms: the only code that knows both the HTTP and the persistence crates.

pub mod exchange;
pub mod import_jobs;
pub mod personal_data;
pub mod seed;
pub mod settings;

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::Context;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use rsnms_domain::{
    accounts::{AccountKind, AccountRepository, NewAccount, actor_for, check_binding},
    auth::Role,
};
use rsnms_http::{
    AppContext, AppState, HttpSettings, TokenPolicy,
    auth::{Binding, TokenIssuer, TokenSettings, hash_secret},
    middleware::RateLimits,
};
use rsnms_persistence::{Database, DbSettings, Store};
use secrecy::{ExposeSecret, SecretString};
pub use settings::Settings;
use uuid::Uuid;

/// Opens the database and applies migrations.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let db = Database::connect(&DbSettings {
        url: settings.database_url.clone(),
        max_connections: settings.db_max_connections,
        acquire_timeout: Duration::from_millis(settings.db_acquire_timeout_ms),
        count_limit: settings.count_limit,
    })
    .await
    .context("cannot connect to the database")?;
    db.migrate().await.context("cannot apply migrations")?;
    Ok(Store::new(db))
}

fn random_secret(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// The token issuer: the configured secret, or the one generated at first start and kept in the
/// database (so that every instance and restart agrees).
pub async fn token_issuer(settings: &Settings, store: &Store) -> anyhow::Result<TokenIssuer> {
    let secret = match &settings.jwt_secret {
        Some(s) => s.clone(),
        None => SecretString::from(
            store
                .secrets
                .get_or_create("jwt_hs256", || random_secret(48))
                .await
                .context("cannot read the JWT secret")?,
        ),
    };
    anyhow::ensure!(secret.expose_secret().len() >= 32, "RSNMS_JWT_SECRET must be at least 32 characters");
    Ok(TokenIssuer::new(TokenSettings {
        secret,
        issuer: settings.jwt_issuer.clone(),
        audience: settings.jwt_audience.clone(),
        ttl_seconds: settings.token_ttl_seconds,
    }))
}

/// Creates the first administrator when none exists. A generated password is written to
/// `admin_password_file` (created with mode 0600, readable only by the service's user), never to
/// the log or the console; returns that file's path when it did so (the caller says where).
pub async fn bootstrap_admin(settings: &Settings, store: &Store) -> anyhow::Result<Option<PathBuf>> {
    if store.accounts.admin_exists().await.context("cannot check accounts")? {
        return Ok(None);
    }
    let (password, generated) = match &settings.admin_password {
        Some(p) => (p.expose_secret().to_owned(), false),
        None => (random_secret(18), true),
    };
    let secret_hash = hash_secret(&password).map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    let created = store
        .accounts
        .create(
            None,
            NewAccount {
                kind: AccountKind::User,
                login: settings.admin_login.clone(),
                secret_hash,
                role: rsnms_domain::auth::Role::Admin,
                organization_id: None,
                person_id: None,
            },
        )
        .await;
    match created {
        Ok(_) if generated => {
            let path = admin_password_path(settings);
            write_owner_only(&path, &format!("{password}\n"))
                .with_context(|| format!("cannot write the administrator password to {}", path.display()))?;
            Ok(Some(path))
        }
        Ok(_) => Ok(None),
        // Another instance created it at the same moment.
        Err(rsnms_domain::DomainError::Conflict { .. }) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("cannot create the administrator: {e}")),
    }
}

/// Where a generated first password goes: the setting, or beside the SQLite database, or
/// `./data/admin-password.txt`.
fn admin_password_path(settings: &Settings) -> PathBuf {
    if let Some(p) = &settings.admin_password_file {
        return p.clone();
    }
    let dir = rsnms_persistence::db::sqlite_path(&settings.database_url)
        .and_then(|db| Path::new(&db).parent().map(Path::to_path_buf))
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("./data"));
    dir.join("admin-password.txt")
}

/// Writes a file only its owner can read or write (0600 on Unix, set when it is created, so that
/// it is never readable by others, not even for a moment).
fn write_owner_only(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        // An older file keeps its mode on open: narrow it too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    {
        options.open(path)?.write_all(text.as_bytes())
    }
}

/// What `rsnms token` mints a token for.
#[derive(Debug, Clone, Default)]
pub struct ServiceTokenArgs {
    /// The service account's name (`--client`); without it, `cli-<role>[-<organisation>|-<person>]`.
    pub client: Option<String>,
    /// The role of a new service account (must match an existing one's).
    pub role: Option<Role>,
    /// Its organisation.
    pub organization: Option<Uuid>,
    /// Its person.
    pub person: Option<Uuid>,
    /// Lifetime in seconds (default: the configured one).
    pub ttl: Option<i64>,
}

/// Mints a token for a named service account, creating it on first use (with a random secret
/// nobody knows: an administrator may set one for client credentials). The token's subject is
/// the account's id, so audit records, idempotency keys and rate limits tell scripts apart; it is
/// revoked with the account's tokens and stops when the account is disabled or deleted.
pub async fn service_token(settings: &Settings, store: &Store, args: &ServiceTokenArgs) -> anyhow::Result<String> {
    let name = match (&args.client, args.role) {
        (Some(name), _) => name.trim().to_owned(),
        (None, Some(role)) => {
            let binding = args.person.or(args.organization).map(|id| format!("-{id}")).unwrap_or_default();
            format!("cli-{}{binding}", role.as_str())
        }
        (None, None) => anyhow::bail!("name a service account (--client NAME) or a role (--role ROLE)"),
    };
    let account = match store
        .accounts
        .find_by_login(AccountKind::Client, &name)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        Some(existing) => {
            let differs = args.role.is_some_and(|r| r != existing.role)
                || args.person.is_some_and(|p| Some(p) != existing.person_id)
                || args.organization.is_some_and(|o| Some(o) != existing.organization_id);
            anyhow::ensure!(
                !differs,
                "service account {name} exists with role {} and another binding; omit --role/--organization/--person or choose another name",
                existing.role.as_str()
            );
            existing
        }
        None => {
            let role = args.role.with_context(|| format!("service account {name} does not exist: give --role"))?;
            let (organization_id, person_id) = check_binding(
                store.organizations.as_ref(),
                store.persons.as_ref(),
                role,
                args.organization,
                args.person,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let secret_hash = hash_secret(&random_secret(32)).map_err(|e| anyhow::anyhow!("cannot hash: {e}"))?;
            let new = NewAccount {
                kind: AccountKind::Client,
                login: name.clone(),
                secret_hash,
                role,
                organization_id,
                person_id,
            };
            match store.accounts.create(None, new).await {
                Ok(a) => a,
                Err(rsnms_domain::DomainError::Conflict { .. }) => store
                    .accounts
                    .find_by_login(AccountKind::Client, &name)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .with_context(|| format!("service account {name} is deleted; choose another name"))?,
                Err(e) => anyhow::bail!("cannot create service account {name}: {e}"),
            }
        }
    };
    let now = chrono::Utc::now();
    let usable = store.accounts.standing(account.id, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(usable.is_some_and(|s| s.usable(now)), "service account {name} is disabled or no longer usable");
    let actor = actor_for(store.organizations.as_ref(), &account).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let issuer = token_issuer(settings, store).await?;
    let binding = Binding { generation: Some(account.token_generation), session: None };
    issuer.issue_bound(&actor, binding, args.ttl).map_err(|e| anyhow::anyhow!("{e}"))
}

/// A built server, bound and ready to run.
pub struct Server {
    /// The running actix server (await it to serve).
    pub server: actix_web::dev::Server,
    /// The bound port.
    pub port: u16,
    /// The store behind it.
    pub store: Store,
    /// Its token issuer.
    pub issuer: TokenIssuer,
}

/// What only the test harness sets when it builds a server: never part of [`Settings`], so no
/// configuration of a deployment can reach it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Harness {
    /// Accept tokens whose subject is not an account id (the harness mints such tokens).
    pub accept_unbound_tokens: bool,
}

/// Builds the server on a listener: repositories, token issuer, background jobs, HTTP app.
pub async fn build(settings: &Settings, listener: TcpListener) -> anyhow::Result<Server> {
    build_with(settings, listener, Harness::default()).await
}

/// [`build`] with the test harness's settings.
pub async fn build_with(settings: &Settings, listener: TcpListener, harness: Harness) -> anyhow::Result<Server> {
    let store = open_store(settings).await?;
    let issuer = token_issuer(settings, &store).await?;
    let state = app_state(&store, settings);
    seed_deadline_data(&store).await?;
    let ctx = AppContext::new(
        state,
        issuer.clone(),
        store.idempotency.clone(),
        HttpSettings {
            body_limit: settings.body_limit,
            cors_origins: settings.cors_origins.clone(),
            rate_limits: RateLimits {
                per_minute: settings.rate_limit_per_minute,
                sign_in_address_per_minute: settings.sign_in_address_per_minute,
                sign_in_login_per_minute: settings.sign_in_login_per_minute,
                trusted_proxies: settings.trusted_proxies.clone(),
            },
            import_max_bytes: settings.exchange.import_max_bytes,
            idempotency_lease: Duration::from_secs(settings.idempotency_lease_seconds),
            idempotency_fault: settings
                .test_idempotency_fault
                .as_deref()
                .and_then(rsnms_http::middleware::IdempotencyFault::parse),
            tokens: TokenPolicy {
                sign_in: settings.sign_in,
                refresh_ttl_seconds: settings.refresh_ttl_seconds,
                check_ttl: Duration::from_millis(settings.token_check_ttl_ms),
                accept_unbound: harness.accept_unbound_tokens,
            },
            pace: settings.pace,
            oidc: settings.oidc.clone(),
        },
    )
    .map_err(|e| anyhow::anyhow!("identity providers: {e}"))?;
    let ctx = per_worker_state(ctx, &store, settings);
    spawn_housekeeping(store.clone(), settings.idempotency_ttl_hours);
    exchange::spawn_webhook_worker(store.changes.clone(), store.webhooks.clone(), settings.exchange.clone())?;
    import_jobs::spawn_import_worker(
        store.units.clone(),
        store.import_jobs.clone(),
        settings.exchange.import_job_poll_ms,
    );
    spawn_deadline_watch(store.clone(), Duration::from_secs(60));
    personal_data::spawn_personal_data_job(store.personal_data.clone(), settings.pd_retention);
    let port = listener.local_addr()?.port();
    let server = actix_web::HttpServer::new(move || rsnms_http::app(ctx.clone()))
        .workers(settings.workers.max(1))
        .shutdown_timeout(settings.shutdown_timeout_seconds)
        .client_request_timeout(settings.pace.head_timeout)
        .listen(listener)?
        .run();
    Ok(Server { server, port, store, issuer })
}

/// The repositories and settings the handlers see, over `store`.
fn app_state(store: &Store, settings: &Settings) -> AppState {
    AppState {
        organizations: store.organizations.clone(),
        persons: store.persons.clone(),
        agreements: store.agreements.clone(),
        accounts: store.accounts.clone(),
        identities: store.accounts.clone(),
        sign_ins: store.accounts.clone(),
        audit: store.audit.clone(),
        health: store.health.clone(),
        units: store.units.clone(),
        changes: store.changes.clone(),
        webhooks: store.webhooks.clone(),
        import_jobs: store.import_jobs.clone(),
        network_requests: store.network_requests.clone(),
        attachments: store.attachments.clone(),
        blobs: store.blobs.clone(),
        attachment_limits: settings.attachments,
        deadline_policies: store.deadline_policies.clone(),
        calendars: store.calendars.clone(),
        competencies: store.competencies.clone(),
        diagnostics: store.diagnostics.clone(),
        programs: store.programs.clone(),
        routes: store.routes.clone(),
        route_templates: store.route_templates.clone(),
        offerings: store.offerings.clone(),
        mentoring: store.mentoring.clone(),
        participations: store.participations.clone(),
        route_evidence: settings.route_evidence.clone(),
        monitoring: Arc::new(rsnms_persistence::repositories::MonitoringStore::new(store.db.clone())),
        min_group_size: settings.min_group_size,
        personal_data: store.personal_data.clone(),
        pd_term_days: settings.pd_term_days,
        pd_retention: settings.pd_retention,
        webhook_targets: settings.exchange.webhook_targets.clone(),
    }
}

/// On PostgreSQL, each actix worker gets its own repositories over its own pool (the configured
/// size split between the workers, at least 2 each), opened by the worker's runtime so that a
/// query never crosses threads (see `Database::worker_copy`); the shared pool stays for
/// background work, the account checks and idempotency keys.
fn per_worker_state(ctx: AppContext, store: &Store, settings: &Settings) -> AppContext {
    if store.db.backend() != sea_orm::DatabaseBackend::Postgres {
        return ctx;
    }
    let workers = u32::try_from(settings.workers.max(1)).unwrap_or(u32::MAX);
    let per_worker = settings.db_max_connections.div_ceil(workers).max(2);
    let (db, settings) = (store.db.clone(), settings.clone());
    ctx.with_worker_state(move || {
        let own = match db.worker_copy(per_worker) {
            Ok(Some(own)) => own,
            Ok(None) => db.clone(),
            Err(e) => {
                tracing::warn!(error = %e, "a worker's own database pool could not be made; it shares the pool");
                db.clone()
            }
        };
        app_state(&Store::new(own), &settings)
    })
}

/// Periodic clean-up: expired idempotency keys.
fn spawn_housekeeping(store: Store, ttl_hours: i64) {
    use rsnms_domain::idempotency::IdempotencyStore;
    let keys: Arc<dyn IdempotencyStore> = store.idempotency.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match keys.purge_older_than_hours(ttl_hours).await {
                Ok(n) if n > 0 => tracing::info!(purged = n, "expired idempotency keys removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
            }
        }
    });
}

/// Loads the reference data shipped in the binary where it is missing: the production calendars
/// 2021–2026 (federal and Buryatia) and the shipped deadline policies. Safe to run on every start
/// and from several instances at once (inserts that find a row do nothing).
pub async fn seed_deadline_data(store: &Store) -> anyhow::Result<()> {
    use rsnms_domain::deadlines::{CalendarRepository, DeadlinePolicyRepository, shipped_policies};
    let years = rsnms_domain::calendar::shipped_calendars().context("shipped calendar data is invalid")?;
    store.calendars.seed(years).await.map_err(|e| anyhow::anyhow!("cannot seed calendars: {e}"))?;
    store.deadline_policies.seed(shipped_policies()).await.map_err(|e| anyhow::anyhow!("cannot seed policies: {e}"))?;
    Ok(())
}

/// Periodic due-soon and overdue detection for network requests. Each event is claimed atomically
/// and emitted once, whatever the number of instances.
fn spawn_deadline_watch(store: Store, every: Duration) {
    use rsnms_domain::network_requests::NetworkRequestRepository;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match store.network_requests.notify_deadlines(chrono::Utc::now(), 500).await {
                Ok((soon, overdue)) if soon + overdue > 0 => {
                    tracing::info!(due_soon = soon, overdue, "network request deadline events emitted");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline watch failed"),
            }
        }
    });
}

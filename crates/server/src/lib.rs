//! Start-up of rsnms: the only code that knows both the HTTP and the persistence crates.

pub mod exchange;
pub mod import_jobs;
pub mod seed;
pub mod settings;

use std::{net::TcpListener, sync::Arc, time::Duration};

use anyhow::Context;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use rsnms_domain::accounts::{AccountKind, AccountRepository, NewAccount};
use rsnms_http::{
    AppContext, AppState, HttpSettings,
    auth::{TokenIssuer, TokenSettings, hash_secret},
};
use rsnms_persistence::{Database, DbSettings, Store};
use secrecy::{ExposeSecret, SecretString};
pub use settings::Settings;

/// Opens the database and applies migrations.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let db = Database::connect(&DbSettings {
        url: settings.database_url.clone(),
        max_connections: settings.db_max_connections,
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

/// Creates the first administrator when none exists. Returns the generated password, if one was
/// generated (the caller shows it once).
pub async fn bootstrap_admin(settings: &Settings, store: &Store) -> anyhow::Result<Option<String>> {
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
        Ok(_) => Ok(generated.then_some(password)),
        // Another instance created it at the same moment.
        Err(rsnms_domain::DomainError::Conflict { .. }) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("cannot create the administrator: {e}")),
    }
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

/// Builds the server on a listener: repositories, token issuer, background jobs, HTTP app.
pub async fn build(settings: &Settings, listener: TcpListener) -> anyhow::Result<Server> {
    let store = open_store(settings).await?;
    let issuer = token_issuer(settings, &store).await?;
    let state = AppState {
        organizations: store.organizations.clone(),
        persons: store.persons.clone(),
        agreements: store.agreements.clone(),
        accounts: store.accounts.clone(),
        audit: store.audit.clone(),
        health: store.health.clone(),
        units: store.units.clone(),
        changes: store.changes.clone(),
        webhooks: store.webhooks.clone(),
        import_jobs: store.import_jobs.clone(),
        network_requests: store.network_requests.clone(),
        deadline_policies: store.deadline_policies.clone(),
        calendars: store.calendars.clone(),
        competencies: store.competencies.clone(),
        diagnostics: store.diagnostics.clone(),
        programs: store.programs.clone(),
        routes: store.routes.clone(),
        offerings: store.offerings.clone(),
        mentoring: store.mentoring.clone(),
        monitoring: Arc::new(rsnms_persistence::repositories::MonitoringStore::new(store.db.clone())),
        min_group_size: settings.min_group_size,
    };
    seed_deadline_data(&store).await?;
    let ctx = AppContext::new(
        state,
        issuer.clone(),
        store.idempotency.clone(),
        HttpSettings {
            body_limit: settings.body_limit,
            cors_origins: settings.cors_origins.clone(),
            rate_limit_per_minute: settings.rate_limit_per_minute,
            import_max_bytes: settings.exchange.import_max_bytes,
            pace: settings.pace,
        },
    );
    spawn_housekeeping(store.clone(), settings.idempotency_ttl_hours);
    exchange::spawn_webhook_worker(store.changes.clone(), store.webhooks.clone(), settings.exchange.clone())?;
    import_jobs::spawn_import_worker(
        store.units.clone(),
        store.import_jobs.clone(),
        settings.exchange.import_job_poll_ms,
    );
    spawn_deadline_watch(store.clone(), Duration::from_secs(60));
    let port = listener.local_addr()?.port();
    let server = actix_web::HttpServer::new(move || rsnms_http::app(ctx.clone()))
        .workers(settings.workers.max(1))
        .shutdown_timeout(settings.shutdown_timeout_seconds)
        .client_request_timeout(settings.pace.head_timeout)
        .listen(listener)?
        .run();
    Ok(Server { server, port, store, issuer })
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

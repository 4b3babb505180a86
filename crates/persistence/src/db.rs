//! Connecting, migrating, and beginning write transactions that never meet "database is locked".

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use rsnms_domain::{DomainError, DomainResult};
use rsnms_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseExecutor, DatabaseTransaction,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::error::DbResultExt;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbSettings {
    /// `sqlite://path?mode=rwc` or `postgres://…`.
    pub url: String,
    /// Largest pool size.
    pub max_connections: u32,
    /// How long a request waits for a connection (the pool full, or the database away and
    /// coming back) before it is answered 503.
    pub acquire_timeout: Duration,
    /// Bound of an exact count of a list (`?count=exact`): beyond it a count says "at least".
    pub count_limit: u64,
}

impl DbSettings {
    /// Settings with the default acquire timeout (5 s) and count bound.
    pub fn new(url: impl Into<String>, max_connections: u32) -> Self {
        Self {
            url: url.into(),
            max_connections,
            acquire_timeout: Duration::from_secs(5),
            count_limit: rsnms_domain::page::DEFAULT_COUNT_LIMIT,
        }
    }
}

/// The connection pool and the engine behind it; inside a unit of work (see
/// [`Database::begin_unit`]) also the unit's transaction, which [`Database::exec`] and
/// [`Database::begin_write`] then use.
#[derive(Debug, Clone)]
pub struct Database {
    conn: DatabaseConnection,
    unit: Option<Arc<DatabaseTransaction>>,
    /// How long a request waits for the database (see [`Database::reachable`]).
    acquire_timeout: Duration,
    /// Whether a request met the database away since it last answered (shared by every copy).
    outage: Arc<AtomicBool>,
    /// Bound of an exact count (see [`DbSettings::count_limit`]).
    count_limit: u64,
    /// Where the pool connects (for [`Database::worker_copy`]).
    url: Arc<str>,
}

impl Database {
    /// Connects (creating the SQLite file and its folder when missing). SQLite runs in WAL mode
    /// with a busy timeout and foreign keys on.
    pub async fn connect(settings: &DbSettings) -> DomainResult<Self> {
        if let Some(path) = sqlite_path(&settings.url)
            && let Some(dir) = std::path::Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DomainError::Unavailable(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut opt = ConnectOptions::new(settings.url.clone());
        opt.max_connections(settings.max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(settings.acquire_timeout)
            // A ping on every checkout costs a round trip per request; ping only idle ones.
            .test_before_acquire(false)
            .test_before_acquire_if_idle_for(IDLE_PING_AFTER)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        let conn = connect_retrying_busy(opt, settings.acquire_timeout).await?;
        Ok(Self {
            conn,
            unit: None,
            acquire_timeout: settings.acquire_timeout,
            outage: Arc::default(),
            count_limit: settings.count_limit,
            url: settings.url.as_str().into(),
        })
    }

    /// A copy of this handle over a PostgreSQL pool of its own of at most `max_connections`,
    /// whose connections are opened lazily by the runtime that first uses them (`None` on
    /// SQLite, whose connections run on threads of their own whatever the caller's runtime).
    ///
    /// Why (issue 19, measured in `bench/RESULTS.md`): a pooled connection's socket belongs to
    /// the reactor of the runtime that opened it. With one pool opened at start, every query of
    /// every actix worker waited on the main thread's reactor, which then woke the worker —
    /// two thread hand-offs per query, 42 % of the server's CPU in the kernel. An actix worker
    /// that builds its repositories over its own copy (the server's per-worker state) keeps each
    /// query on its own thread. The outage flag is shared with the original, so every copy
    /// waits for the database in the same way ([`Database::reachable`]).
    pub fn worker_copy(&self, max_connections: u32) -> DomainResult<Option<Database>> {
        use sea_orm::sqlx::{ConnectOptions as _, postgres};
        if self.backend() != DatabaseBackend::Postgres || self.unit.is_some() {
            return Ok(None);
        }
        let options = self
            .url
            .parse::<postgres::PgConnectOptions>()
            .map_err(|e| DomainError::Unavailable(format!("database URL: {e}")))?
            .disable_statement_logging();
        let pool = postgres::PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .min_connections(0)
            .acquire_timeout(self.acquire_timeout)
            // As the shared pool: no ping on every checkout, only of a connection idle for 30 s.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_PING_AFTER {
                        sea_orm::sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_lazy_with(options);
        Ok(Some(Self {
            conn: sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
            unit: None,
            ..self.clone()
        }))
    }

    /// Applies pending migrations, one instance at a time: inside one write transaction that
    /// holds PostgreSQL's transaction-level advisory lock [`MIGRATION_LOCK`] (SQLite: the write
    /// lock of `BEGIN IMMEDIATE`), so that instances started together wait for each other and
    /// then find the schema current. Refuses a database whose schema is newer than this binary
    /// (an applied migration it does not know).
    pub async fn migrate(&self) -> DomainResult<()> {
        let txn = self.begin_write().await?;
        if self.backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")).await.db()?;
        }
        let unknown = unknown_migrations(&txn).await?;
        if !unknown.is_empty() {
            return Err(DomainError::internal(format!(
                "the database schema is newer than this binary (applied migrations it does not know: {}); \
                 run the release that applied them, or a newer one",
                unknown.join(", ")
            )));
        }
        Migrator::up(&txn, None).await.db()?;
        txn.commit().await.db()
    }

    /// Where to run a statement: the unit's transaction inside a unit of work, else the pool.
    /// The only way to a connection: the pool itself is not handed out, so that no read of a
    /// repository built over a unit can leave the unit's transaction.
    pub fn exec(&self) -> DatabaseExecutor<'_> {
        match &self.unit {
            Some(t) => DatabaseExecutor::Transaction(t),
            None => DatabaseExecutor::Connection(&self.conn),
        }
    }

    /// Begins a unit of work: a copy of this handle bound to a new write transaction (a
    /// savepoint when already inside one). Repositories built over it (`Store::new`) run every
    /// statement in it, and their own transactions become savepoints of it.
    pub async fn begin_unit(&self) -> DomainResult<Database> {
        let txn = self.begin_write().await?;
        Ok(Self { unit: Some(Arc::new(txn)), ..self.clone() })
    }

    /// Ends a unit of work begun by [`Database::begin_unit`]: commits or rolls it back. Every
    /// other copy of the handle (and every repository over it) must be dropped first.
    pub async fn finish_unit(self, commit: bool) -> DomainResult<()> {
        let Some(unit) = self.unit else {
            return Err(DomainError::internal("not a unit of work"));
        };
        let txn =
            Arc::try_unwrap(unit).map_err(|_| DomainError::internal("a unit of work is still in use at its end"))?;
        if commit { txn.commit().await.db() } else { txn.rollback().await.db() }
    }

    /// Bound of an exact count of a list.
    pub fn count_limit(&self) -> u64 {
        self.count_limit
    }

    /// The engine.
    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Begins a write transaction: `BEGIN IMMEDIATE` on SQLite, so that a transaction that
    /// reads before it writes takes the write lock up front and waits (busy timeout) instead of
    /// failing with "database is locked".
    pub async fn begin_write(&self) -> DomainResult<DatabaseTransaction> {
        if let Some(unit) = &self.unit {
            // Inside a unit of work: a savepoint of the unit's transaction.
            return unit.begin().await.db();
        }
        let options = TransactionOptions {
            sqlite_transaction_mode: match self.backend() {
                DatabaseBackend::Sqlite => Some(SqliteTransactionMode::Immediate),
                _ => None,
            },
            ..TransactionOptions::default()
        };
        self.conn.begin_with_options(options).await.db()
    }

    /// Runs a trivial query.
    pub async fn ping(&self) -> DomainResult<()> {
        self.conn.execute_unprepared("SELECT 1").await.map(|_| ()).db()
    }

    /// Notes that a request met the database away: the next requests wait for it
    /// ([`Database::reachable`]).
    pub fn outage_seen(&self) {
        self.outage.store(true, Ordering::Relaxed);
    }

    /// After an outage was seen, waits up to the acquire timeout for the database to answer,
    /// pinging with a short backoff (10 ms doubling to 200 ms); at once otherwise. sqlx itself
    /// retries only a refused TCP connection and PostgreSQL's "starting up" / "too many
    /// connections" within the acquire timeout; a database that refuses the session (`ALLOW_CONNECTIONS
    /// false`, SQLSTATE 55000), a dead pooled connection or a dropped network fail at once — this
    /// is what lets requests that arrive during any of them be served when it ends.
    pub async fn reachable(&self) -> DomainResult<()> {
        if !self.outage.load(Ordering::Relaxed) {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + self.acquire_timeout;
        let mut backoff = Duration::from_millis(10);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let failed = match tokio::time::timeout(left, self.ping()).await {
                Ok(Ok(())) => {
                    self.outage.store(false, Ordering::Relaxed);
                    return Ok(());
                }
                Ok(Err(e @ DomainError::Unavailable(_))) => e,
                Ok(Err(e)) => return Err(e),
                Err(_) => DomainError::Unavailable("the database did not answer within the acquire timeout".into()),
            };
            if tokio::time::Instant::now() + backoff >= deadline {
                return Err(failed);
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_millis(200));
        }
    }
}

/// Connects; on SQLite retries while the file is busy. Instances started together on a new file
/// meet each other's first `PRAGMA journal_mode = WAL` (it needs the file to itself, and SQLite
/// answers `SQLITE_BUSY` at once, without its busy handler, to a connection that would otherwise
/// deadlock): seen as "database is locked" at start under load. Retried with a backoff from 10 ms
/// doubling to 200 ms, for at most `patience` (the acquire timeout).
async fn connect_retrying_busy(opt: ConnectOptions, patience: Duration) -> DomainResult<DatabaseConnection> {
    let deadline = tokio::time::Instant::now() + patience;
    let mut backoff = Duration::from_millis(10);
    loop {
        match sea_orm::Database::connect(opt.clone()).await {
            Ok(conn) => return Ok(conn),
            Err(e) if is_sqlite_busy(&e) && tokio::time::Instant::now() + backoff < deadline => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_millis(200));
            }
            Err(e) => return Err(e).db(),
        }
    }
}

/// Whether SQLite refused for a lock held by another connection (`SQLITE_BUSY`, code 5, and its
/// extended codes).
fn is_sqlite_busy(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx::Error};
    let (DbErr::Conn(RuntimeErr::SqlxError(err))
    | DbErr::Exec(RuntimeErr::SqlxError(err))
    | DbErr::Query(RuntimeErr::SqlxError(err))) = e
    else {
        return false;
    };
    match err.as_ref() {
        Error::Database(d) => d.code().is_some_and(|c| c == "5" || c.parse::<u32>().is_ok_and(|n| n & 0xff == 5)),
        _ => false,
    }
}

/// A pooled connection idle this long is pinged before it is handed out.
const IDLE_PING_AFTER: Duration = Duration::from_secs(30);

/// The key of PostgreSQL's advisory lock held while migrations run (any fixed number that no
/// other lock of the database uses).
pub const MIGRATION_LOCK: i64 = 0x7273_6e6d_7300;

/// Applied migrations that this binary does not know (none on a fresh database).
async fn unknown_migrations(txn: &DatabaseTransaction) -> DomainResult<Vec<String>> {
    // In a savepoint: on a fresh database the table is missing, and PostgreSQL would abort the
    // whole transaction on that error.
    let probe = txn.begin().await.db()?;
    let rows = probe
        .query_all_raw(sea_orm::Statement::from_string(
            txn.get_database_backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await;
    probe.rollback().await.db()?;
    let Ok(rows) = rows else { return Ok(Vec::new()) };
    let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    Ok(rows.iter().filter_map(|r| r.try_get::<String>("", "version").ok()).filter(|v| !known.contains(v)).collect())
}

/// The file path of a `sqlite:` URL, if it is one and not in memory.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" { None } else { Some(path.to_owned()) }
}

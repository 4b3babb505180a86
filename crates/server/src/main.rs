//! `rsnms`: the server and its administrative commands.

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};
use rsnms::{Settings, bootstrap_admin, build, open_store};
use rsnms_domain::auth::Role;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};
use uuid::Uuid;

mod log_writer;

/// rsnms — the backend of a region's system of methodological support for teachers (РСНМС).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API (default database: ./data/rsnms.db).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Mint an access token for a script (prints the JWT). The token belongs to a named service
    /// account (`--client NAME`, created on first use with `--role`), or without `--client` to the
    /// service account `cli-<role>[-<organisation or person id>]`; the account's id is the token's
    /// subject. Disabling the account or revoking its tokens (API) ends the token.
    Token {
        /// The service account's name (created on first use; then --role is needed).
        #[arg(long)]
        client: Option<String>,
        /// Role: admin, operator, municipal, organization, tutor, teacher, integration, analyst.
        #[arg(long)]
        role: Option<String>,
        /// Organisation the token acts for (municipal, organization).
        #[arg(long)]
        organization: Option<Uuid>,
        /// Person the token is (teacher, tutor).
        #[arg(long)]
        person: Option<Uuid>,
        /// Lifetime in seconds (default: RSNMS_TOKEN_TTL_SECONDS).
        #[arg(long)]
        ttl: Option<i64>,
    },
    /// Import a file (NDJSON or CSV) into a dataset, as `POST /api/v1/imports/{dataset}` does,
    /// with a progress bar; prints the summary as JSON (exit code 1 when nothing was written).
    Import {
        /// The file (`.ndjson`/`.jsonl` or `.csv`).
        file: std::path::PathBuf,
        /// Dataset: organizations, persons, programs, diagnostic-results, events, mentoring-pairs,
        /// internship-sites.
        #[arg(long)]
        dataset: String,
        /// `ndjson` or `csv` (default: from the extension).
        #[arg(long)]
        format: Option<String>,
        /// `utf-8` (default) or `windows-1251`.
        #[arg(long)]
        charset: Option<String>,
        /// `create`, `upsert` (default), `update` (never creates) or `delete` (persons).
        #[arg(long)]
        mode: Option<String>,
        /// Match by `id` (default) or a natural key (`inn`, `snils`, `registry_id`, …).
        #[arg(long)]
        id_scheme: Option<String>,
        /// How records name organisations: `id` (default), `inn`, `municipality_code`.
        #[arg(long)]
        org_id_scheme: Option<String>,
        /// How records name persons: `id` (default), `snils`.
        #[arg(long)]
        person_id_scheme: Option<String>,
        /// How records name competencies: `id` (default), `code`.
        #[arg(long)]
        competency_id_scheme: Option<String>,
        /// `counts` (default) or `lines`: the summary lists every line's result and id.
        #[arg(long)]
        results: Option<String>,
        /// All-or-nothing (default true); `--atomic false` keeps the good records.
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        atomic: bool,
        /// Check everything, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Subject written into the audit trail.
        #[arg(long, default_value = "cli")]
        subject: String,
    },
    /// Generate a realistic region into the configured database (deterministic: the same seed
    /// gives the same data) through the domain actions, in batched transactions; prints a summary.
    SeedRegion {
        /// Teachers in schools (about).
        #[arg(long, default_value_t = 2000)]
        teachers: u32,
        /// Municipalities.
        #[arg(long, default_value_t = 23)]
        municipalities: u32,
        /// The seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Reporting years, comma-separated and ascending.
        #[arg(long, value_delimiter = ',', default_value = "2024,2025")]
        years: Vec<i32>,
        /// Records per committed transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
    /// Depersonalise the persons whose every basis of processing stopped more than
    /// RSNMS_PD_DEPERSONALISE_AFTER_DAYS days before the day (the background job's work, once);
    /// with `--dry-run` print what is due and what falls due within 30 days. Prints JSON (ids only).
    PdSweep {
        /// The day to judge on (default: today in Moscow).
        #[arg(long)]
        now: Option<chrono::NaiveDate>,
        /// List, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the OpenAPI document (to a file, or to standard output).
    Openapi {
        /// Output file.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Benchmark baseline (bench/): a bare actix-web JSON handler, `GET /` → `{"ok":true}`, with
    /// the server's worker count (RSNMS_WORKERS) and nothing else.
    #[command(hide = true)]
    BenchBare {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        bind: String,
    },
}

/// The bare baseline handler of `rsnms bench-bare`.
async fn bench_bare_ok() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(serde_json::json!({ "ok": true }))
}

/// Starts logging to stderr through a background writer thread, so that a request never waits
/// on the terminal or the log collector's pipe. The writer is not lossy: when its queue is full
/// the caller waits rather than drop a line. Keep the guard until exit: dropping it flushes.
fn init_logging() -> log_writer::Guard {
    let (writer, guard) = log_writer::buffered_stderr();
    let filter = EnvFilter::try_from_env("RSNMS_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,actix_server=warn"));
    let json = std::env::var("RSNMS_LOG_FORMAT").map(|v| v != "pretty").unwrap_or(true);
    let registry = tracing_subscriber::registry().with(filter);
    if json {
        registry.with(fmt::layer().json().with_current_span(true).with_span_list(false).with_writer(writer)).init();
    } else {
        registry.with(fmt::layer().with_writer(writer)).init();
    }
    guard
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi { out } => {
            let text = serde_json::to_string_pretty(&rsnms_http::openapi_json())? + "\n";
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?
                }
                None => std::io::stdout().write_all(text.as_bytes())?,
            }
            Ok(())
        }
        Command::Import {
            file,
            dataset,
            format,
            charset,
            mode,
            id_scheme,
            org_id_scheme,
            person_id_scheme,
            competency_id_scheme,
            results,
            atomic,
            dry_run,
            subject,
        } => {
            let settings = Settings::from_env()?;
            let store = open_store(&settings).await?;
            // The flags are passed as given: the import service's one parser checks them.
            let options = rsnms_http::imports::RawOptions {
                dry_run: Some(dry_run),
                mode,
                atomic: Some(atomic),
                id_scheme,
                org_id_scheme,
                person_id_scheme,
                competency_id_scheme,
                results,
            };
            let args = rsnms::exchange::ImportArgs { file, dataset, format, charset, options, subject, progress: true };
            let summary = rsnms::exchange::import_file(&store, &args).await?;
            writeln!(std::io::stdout(), "{}", rsnms::exchange::summary_json(&args.dataset, &summary, &args.options))?;
            if !summary.committed && !dry_run {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::SeedRegion { teachers, municipalities, seed, years, batch } => {
            let settings = Settings::from_env()?;
            let store = open_store(&settings).await?;
            let opts = rsnms::seed::SeedOptions { teachers, municipalities, seed, years, batch };
            let started = std::time::Instant::now();
            let report = |phase: &str, n: u64| {
                let _ =
                    writeln!(std::io::stderr(), "seed-region: {phase} {n} ({:.1} s)", started.elapsed().as_secs_f64());
            };
            let summary = rsnms::seed::seed_region(&store, &opts, &report).await?;
            writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&summary.to_json())?)?;
            Ok(())
        }
        Command::Migrate => {
            let _log = init_logging();
            let settings = Settings::from_env()?;
            open_store(&settings).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Token { client, role, organization, person, ttl } => {
            let settings = Settings::from_env()?;
            let role = match role {
                Some(r) => Some(Role::parse(&r).with_context(|| format!("unknown role {r}"))?),
                None => None,
            };
            let store = open_store(&settings).await?;
            let args = rsnms::ServiceTokenArgs { client, role, organization, person, ttl };
            let token = rsnms::service_token(&settings, &store, &args).await?;
            writeln!(std::io::stdout(), "{token}")?;
            Ok(())
        }
        Command::PdSweep { now, dry_run } => {
            let settings = Settings::from_env()?;
            let store = open_store(&settings).await?;
            let today = now.unwrap_or_else(rsnms_domain::clock::region_today);
            let out = if dry_run {
                let plan =
                    rsnms_domain::personal_data::plan(store.personal_data.as_ref(), today, settings.pd_term_days)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                let ids = |l: Vec<(rsnms_domain::personal_data::SweepCandidate, chrono::NaiveDate)>| {
                    l.into_iter()
                        .map(|(c, due)| serde_json::json!({ "person_id": c.person_id, "due_on": due }))
                        .collect::<Vec<_>>()
                };
                serde_json::json!({ "today": today, "dry_run": true, "due": ids(plan.due), "upcoming": ids(plan.upcoming) })
            } else {
                let done =
                    rsnms::personal_data::sweep(store.personal_data.as_ref(), Some(today), &settings.pd_retention)
                        .await?;
                serde_json::json!({
                    "today": today, "dry_run": false, "depersonalised": done.persons,
                    "network_requests_stripped": done.network_requests, "audit_records_deleted": done.audit_deleted
                })
            };
            writeln!(std::io::stdout(), "{out}")?;
            Ok(())
        }
        Command::Serve => {
            let _log = init_logging();
            let settings = Settings::from_env()?;
            let listener = std::net::TcpListener::bind(&settings.bind)
                .with_context(|| format!("cannot bind {}", settings.bind))?;
            let server = build(&settings, listener).await?;
            if let Some(file) = bootstrap_admin(&settings, &server.store).await? {
                tracing::warn!(
                    login = %settings.admin_login,
                    file = %file.display(),
                    "first start: administrator created; its generated password is in the file (readable only by this user) — read it, sign in, change it, delete the file"
                );
            }
            tracing::info!(bind = %settings.bind, "rsnms listening");
            server.server.await?;
            Ok(())
        }
        Command::BenchBare { bind } => {
            let workers = Settings::from_env()?.workers.max(1);
            actix_web::HttpServer::new(|| actix_web::App::new().route("/", actix_web::web::get().to(bench_bare_ok)))
                .workers(workers)
                .bind(&bind)
                .with_context(|| format!("cannot bind {bind}"))?
                .run()
                .await?;
            Ok(())
        }
    }
}

//! The personal-data job: every instance depersonalises, about once an hour, the persons whose
//! every basis of processing stopped more than `RSNMS_PD_DEPERSONALISE_AFTER_DAYS` days ago. Each
//! person is claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL (the lease pattern of the
//! deadline watch and the import jobs), so instances never take the same person; on SQLite one
//! write transaction at a time. `rsnms pd-sweep` runs the same work once, for a given day.

use std::{sync::Arc, time::Duration};

use chrono::NaiveDate;
use rsnms_domain::personal_data::{PersonalDataRepository, run_depersonalisation};
use uuid::Uuid;

/// How often the job runs.
const EVERY: Duration = Duration::from_secs(3600);

/// One run for a day: the persons depersonalised (ids only; the log never names anyone).
pub async fn sweep(repo: &dyn PersonalDataRepository, today: NaiveDate, term_days: u32) -> anyhow::Result<Vec<Uuid>> {
    run_depersonalisation(repo, today, term_days).await.map_err(|e| anyhow::anyhow!("depersonalisation failed: {e}"))
}

/// Spawns the job of this instance.
pub fn spawn_personal_data_job(repo: Arc<dyn PersonalDataRepository>, term_days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep(repo.as_ref(), rsnms_domain::personal_data::today(), term_days).await {
                Ok(done) if !done.is_empty() => tracing::info!(persons = done.len(), "persons depersonalised"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "personal-data job failed"),
            }
        }
    });
}

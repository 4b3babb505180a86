//! The personal-data job: every instance, about once an hour, depersonalises the persons whose
//! every basis of processing stopped more than `RSNMS_PD_DEPERSONALISE_AFTER_DAYS` days ago and
//! applies the retention of the other categories (`RSNMS_PD_RETENTION_DAYS`). Each row is
//! claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL (the lease pattern of the deadline watch
//! and the import jobs), so instances never take the same row; on SQLite one write transaction
//! at a time. `rsnms pd-sweep` runs the same work once, for a given day.

use std::{sync::Arc, time::Duration};

use chrono::NaiveDate;
use rsnms_domain::personal_data::{PersonalDataRepository, Retention, RetentionRun, run_retention};

/// How often the job runs.
const EVERY: Duration = Duration::from_secs(3600);

/// One run for a day (today by default): what was depersonalised or deleted (ids only; the log
/// never names anyone).
pub async fn sweep(
    repo: &dyn PersonalDataRepository,
    on: Option<NaiveDate>,
    retention: &Retention,
) -> anyhow::Result<RetentionRun> {
    run_retention(repo, on, retention).await.map_err(|e| anyhow::anyhow!("personal-data job failed: {e}"))
}

/// Spawns the job of this instance.
pub fn spawn_personal_data_job(repo: Arc<dyn PersonalDataRepository>, retention: Retention) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep(repo.as_ref(), None, &retention).await {
                Ok(done) if done != RetentionRun::default() => tracing::info!(
                    persons = done.persons.len(),
                    network_requests = done.network_requests.len(),
                    audit_records = done.audit_deleted,
                    "personal data past its retention depersonalised or deleted"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "personal-data job failed"),
            }
        }
    });
}

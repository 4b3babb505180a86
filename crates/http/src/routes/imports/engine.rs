//! Running an import: every record through its dataset in its own savepoint, all inside one
//! unit of work (all-or-nothing), or in batches committed as they go (`atomic=false`).

use actix_web::web::Bytes;
use futures_util::Stream;
use rsnms_domain::{
    DomainError, FieldError, Msg,
    auth::Ctx,
    exchange::{ImportOptions, ImportSummary, Outcome, Unit, UnitOfWork},
};

use super::{datasets::Dataset, reader::Records};
use crate::problem::ApiError;

/// Lines per committed batch when good lines are kept.
pub const BATCH: u64 = 1000;
/// Errors reported at most (the counts stay exact).
pub const MAX_ERRORS: usize = 1000;

fn line_errors(e: DomainError) -> Result<Vec<FieldError>, DomainError> {
    match e {
        DomainError::Validation(fields) => Ok(fields),
        DomainError::Conflict { field, message, .. } => {
            Ok(vec![FieldError::new(field.unwrap_or_else(|| "$".into()), "conflict", message)])
        }
        DomainError::NotFound => {
            Ok(vec![FieldError::new("$", "not_found", Msg::new("Запись не найдена", "The record does not exist"))])
        }
        DomainError::Forbidden(m) => Ok(vec![FieldError::new("$", "forbidden", m)]),
        DomainError::PreconditionFailed => Ok(vec![FieldError::new(
            "$",
            "conflict",
            Msg::new("Запись изменена параллельно", "The record was changed concurrently"),
        )]),
        other => Err(other),
    }
}

async fn apply_line(
    unit: &dyn Unit,
    dataset: &dyn Dataset,
    ctx: &Ctx,
    record: serde_json::Map<String, serde_json::Value>,
    opts: &ImportOptions,
) -> Result<Result<Outcome, Vec<FieldError>>, DomainError> {
    let line = unit.nested().await?;
    match dataset.apply(line.as_ref(), ctx, record, opts).await {
        Ok(Outcome::Unchanged) => {
            line.rollback().await?;
            Ok(Ok(Outcome::Unchanged))
        }
        Ok(o) => {
            line.commit().await?;
            Ok(Ok(o))
        }
        Err(e) => {
            line.rollback().await?;
            Ok(Err(line_errors(e)?))
        }
    }
}

/// Runs an import to its end and returns its summary. Failures of the store abort it (5xx);
/// everything wrong with a line is reported in the summary.
pub async fn run<S, E>(
    units: &dyn UnitOfWork,
    dataset: &dyn Dataset,
    ctx: &Ctx,
    opts: &ImportOptions,
    records: &mut Records<S>,
) -> Result<ImportSummary, ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let keep_going = !opts.atomic && !opts.dry_run;
    let mut summary = ImportSummary::default();
    let mut unit = units.begin().await?;
    let mut in_batch = 0;
    loop {
        let next = match records.next().await {
            Ok(n) => n,
            Err(e) => {
                unit.rollback().await.ok();
                return Err(e);
            }
        };
        let Some((line, record)) = next else { break };
        summary.received += 1;
        let result = match record {
            Err(e) => Err(vec![e]),
            Ok(record) => match apply_line(unit.as_ref(), dataset, ctx, record, opts).await {
                Ok(r) => r,
                Err(e) => {
                    unit.rollback().await.ok();
                    return Err(e.into());
                }
            },
        };
        match result {
            Ok(o) => summary.count(o),
            Err(errors) => {
                let room = MAX_ERRORS.saturating_sub(summary.errors.len());
                summary.reject(line, errors.into_iter().take(room).collect());
            }
        }
        in_batch += 1;
        if keep_going && in_batch >= BATCH {
            unit.commit().await?;
            unit = units.begin().await?;
            in_batch = 0;
        }
    }
    let commit = !opts.dry_run && (keep_going || summary.rejected == 0);
    if commit {
        unit.commit().await?;
    } else {
        unit.rollback().await?;
    }
    summary.committed = commit;
    Ok(summary)
}

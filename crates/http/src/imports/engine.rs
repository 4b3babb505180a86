//! Running an import: records are read in chunks of [`CHUNK`]; the dataset first writes together
//! what it can of a chunk ([`Dataset::apply_many`], one savepoint), then every other record runs
//! through the dataset alone in its own savepoint — all inside one unit of work
//! (all-or-nothing), or in batches committed as they go (`atomic=false`).

use std::collections::HashMap;

use actix_web::web::Bytes;
use futures_util::{
    Stream,
    future::{self, Either},
};
use rsnms_domain::{
    DomainError, DomainResult, FieldError, Msg,
    auth::Ctx,
    exchange::{
        Applied, ImportError, ImportOptions, ImportSummary, LineResult, MAX_LINE_RESULTS, Outcome, Unit, UnitOfWork,
    },
};

use super::{
    ImportFailure,
    datasets::{Dataset, Pending},
    reader::Records,
    refs, shown,
};

/// Lines per committed batch when good lines are kept.
pub const BATCH: u64 = 2000;
/// Lines read and applied together (a divisor of [`BATCH`]).
pub const CHUNK: usize = 2000;
/// Records read ahead between two chances for the chunk being written to go on.
const YIELD_EVERY: usize = 32;
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
) -> Result<DomainResult<Applied>, DomainError> {
    let line = unit.nested().await?;
    match dataset.apply(line.as_ref(), ctx, record, opts).await {
        Ok(a) if a.outcome == Outcome::Unchanged => {
            line.rollback().await?;
            Ok(Ok(a))
        }
        Ok(o) => {
            line.commit().await?;
            Ok(Ok(o))
        }
        Err(e) => {
            line.rollback().await?;
            Ok(Err(e))
        }
    }
}

/// Applies a chunk: together what the dataset can, in one savepoint (undone, and every record
/// applied alone instead, when it fails for a record's sake), then the rest one by one.
async fn apply_chunk(
    unit: &dyn Unit,
    dataset: &dyn Dataset,
    ctx: &Ctx,
    chunk: &mut [Pending],
    opts: &ImportOptions,
) -> Result<(), DomainError> {
    if refs::needed(dataset, opts) {
        refs::resolve(unit, dataset, ctx, chunk, opts).await?;
    }
    // Lines already decided (unreadable, or a reference that names nothing) keep their result.
    let decided: Vec<bool> = chunk.iter().map(|p| p.result.is_some()).collect();
    let together = unit.nested().await?;
    match dataset.apply_many(together.as_ref(), ctx, chunk, opts).await {
        Ok(()) => together.commit().await?,
        Err(e) => {
            together.rollback().await?;
            line_errors(e)?;
            for (p, _) in chunk.iter_mut().zip(&decided).filter(|(_, decided)| !**decided) {
                p.result = None;
            }
        }
    }
    for p in chunk.iter_mut().filter(|p| p.result.is_none()) {
        // The record stays with the line, for a rejected line to show its offending values.
        let Some(record) = p.record.clone() else { continue };
        p.result = Some(apply_line(unit, dataset, ctx, record, opts).await?);
    }
    Ok(())
}

/// Reads the next chunk of records (at most [`CHUNK`]) into `chunk`, each prepared by the
/// dataset, reading past the first `to_skip` records of the body (applied by an earlier run); an
/// unreadable line is a pending record with its error already set.
async fn read_chunk<S, E>(
    records: &mut Records<S>,
    dataset: &dyn Dataset,
    opts: &ImportOptions,
    to_skip: &mut u64,
    chunk: &mut Vec<Pending>,
    seen: &mut HashMap<String, u64>,
) -> Result<(), ImportFailure>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    while chunk.len() < CHUNK {
        if chunk.len() % YIELD_EVERY == YIELD_EVERY - 1 {
            // Read ahead of a chunk being written: let the writer go on as soon as the
            // database answers it, instead of after this whole chunk.
            tokio::task::yield_now().await;
        }
        let Some((line, record)) = records.next().await? else { break };
        // A key seen on an earlier line (read past on a resumed run too) refuses this one.
        let first = match &record {
            Ok(r) => dataset.file_key(r, opts).and_then(|k| match seen.get(&k) {
                Some(first) => Some(*first),
                None => {
                    seen.insert(k, line);
                    None
                }
            }),
            Err(_) => None,
        };
        if *to_skip > 0 {
            *to_skip -= 1;
            continue;
        }
        chunk.push(match (record, first) {
            (Ok(_), Some(first)) => Pending {
                line,
                record: None,
                prepared: None,
                result: Some(Err(DomainError::Validation(vec![FieldError::new(
                    "$",
                    "duplicate",
                    Msg::new(
                        format!("Строка {line} повторяет строку {first}: запись с тем же ключом уже есть в файле"),
                        format!("Line {line} repeats line {first}: the file already holds a record with this key"),
                    ),
                )]))),
            },
            (Ok(record), None) => {
                // References in a partner's scheme are resolved first, then prepared.
                let prepared = if refs::needed(dataset, opts) { None } else { dataset.prepare(&record, opts) };
                Pending { line, prepared, record: Some(record), result: None }
            }
            (Err(e), _) => {
                Pending { line, record: None, prepared: None, result: Some(Err(DomainError::Validation(vec![e]))) }
            }
        });
    }
    Ok(())
}

/// What a background run (an import job) is told as it goes; a request runs with none.
#[async_trait::async_trait]
pub trait Observer: Send + Sync {
    /// After every record, outside the unit: may record progress (throttling itself); an error
    /// stops the run (rolled back).
    async fn progress(&self, summary: &ImportSummary) -> Result<(), ImportFailure>;
    /// Inside the unit, right before it commits (a batch, or the `last` commit): what it
    /// writes there commits with the records, or not at all.
    async fn before_commit(&self, unit: &dyn Unit, summary: &ImportSummary, last: bool) -> Result<(), ImportFailure>;
    /// Whether it takes every line's result as it goes ([`Observer::lines`]) — a streamed
    /// answer — instead of the summary keeping them (`results=lines`).
    fn streams_lines(&self) -> bool {
        false
    }
    /// The results of a chunk's lines, in order, when it [streams](Observer::streams_lines)
    /// them; an error stops the run (rolled back).
    async fn lines(&self, _results: Vec<LineResult>) -> Result<(), ImportFailure> {
        Ok(())
    }
}

/// The observer of a request: nothing to tell.
struct Unobserved;

#[async_trait::async_trait]
impl Observer for Unobserved {
    async fn progress(&self, _: &ImportSummary) -> Result<(), ImportFailure> {
        Ok(())
    }

    async fn before_commit(&self, _: &dyn Unit, _: &ImportSummary, _: bool) -> Result<(), ImportFailure> {
        Ok(())
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
) -> Result<ImportSummary, ImportFailure>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    run_observed(units, dataset, ctx, opts, records, &Unobserved, ImportSummary::default()).await
}

/// [`run`] with an observer, resuming after a committed checkpoint: the first `start.received`
/// records were applied and committed before (their counts and errors are in `start`), so they
/// are read past, not applied again.
pub async fn run_observed<S, E>(
    units: &dyn UnitOfWork,
    dataset: &dyn Dataset,
    ctx: &Ctx,
    opts: &ImportOptions,
    records: &mut Records<S>,
    observer: &dyn Observer,
    start: ImportSummary,
) -> Result<ImportSummary, ImportFailure>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let keep_going = !opts.atomic && !opts.dry_run;
    let mut to_skip = start.received;
    let mut summary = start;
    summary.committed = false;
    let mut unit = units.begin().await?;
    let mut in_batch = 0;
    let mut next: Vec<Pending> = Vec::with_capacity(CHUNK);
    let mut seen = HashMap::new();
    if let Err(e) = read_chunk(records, dataset, opts, &mut to_skip, &mut next, &mut seen).await {
        unit.rollback().await.ok();
        return Err(e);
    }
    while !next.is_empty() {
        // The next chunk is read, parsed and prepared while this one is written: the server's
        // work on the records overlaps the database's.
        let mut chunk = std::mem::replace(&mut next, Vec::with_capacity(CHUNK));
        let (applied, read) = {
            let apply = std::pin::pin!(apply_chunk(unit.as_ref(), dataset, ctx, &mut chunk, opts));
            let read = std::pin::pin!(read_chunk(records, dataset, opts, &mut to_skip, &mut next, &mut seen));
            match future::select(apply, read).await {
                // A failed write ends the run at once, without waiting for the read.
                Either::Left((Err(e), _)) => (Err(e), Ok(())),
                Either::Left((Ok(()), read)) => (Ok(()), read.await),
                // A failed read still lets the chunk being written finish, be counted and, in
                // batches, committed: the lines before the unreadable body are kept.
                Either::Right((read, apply)) => (apply.await, read),
            }
        };
        if let Err(e) = applied {
            unit.rollback().await.ok();
            return Err(e.into());
        }
        let mut lines = Vec::with_capacity(if opts.line_results { chunk.len() } else { 0 });
        for p in chunk.drain(..) {
            summary.received += 1;
            let (result, id) = match p.result.map(|r| r.map_err(line_errors)) {
                Some(Ok(a)) => {
                    summary.count(a.outcome);
                    (a.outcome.as_str(), a.id)
                }
                Some(Err(Ok(errors))) => {
                    let room = MAX_ERRORS.saturating_sub(summary.errors.len());
                    let errors = errors
                        .into_iter()
                        .take(room)
                        .map(|e| {
                            let value = p.record.as_ref().and_then(|r| shown::value(dataset, opts, r, &e.field));
                            ImportError { value, ..ImportError::of(p.line, e) }
                        })
                        .collect();
                    summary.reject_with_values(p.line, errors);
                    ("rejected", None)
                }
                Some(Err(Err(e))) => {
                    unit.rollback().await.ok();
                    return Err(e.into());
                }
                None => {
                    unit.rollback().await.ok();
                    return Err(DomainError::internal(format!("line {} was not applied", p.line)).into());
                }
            };
            if opts.line_results {
                lines.push(LineResult { line: p.line, result: result.to_owned(), id });
            }
            in_batch += 1;
        }
        if opts.line_results && observer.streams_lines() {
            if let Err(e) = observer.lines(lines).await {
                unit.rollback().await.ok();
                return Err(e);
            }
        } else {
            let room = MAX_LINE_RESULTS.saturating_sub(summary.lines.len());
            summary.lines.extend(lines.into_iter().take(room));
        }
        if let Err(e) = observer.progress(&summary).await {
            unit.rollback().await.ok();
            return Err(e);
        }
        if keep_going && in_batch >= BATCH {
            if let Err(e) = observer.before_commit(unit.as_ref(), &summary, false).await {
                unit.rollback().await.ok();
                return Err(e);
            }
            unit.commit().await?;
            unit = units.begin().await?;
            in_batch = 0;
        }
        if let Err(e) = read {
            unit.rollback().await.ok();
            return Err(e);
        }
    }
    let commit = !opts.dry_run && (keep_going || summary.rejected == 0);
    if commit {
        summary.committed = true;
        if let Err(e) = observer.before_commit(unit.as_ref(), &summary, true).await {
            unit.rollback().await.ok();
            return Err(e);
        }
        unit.commit().await?;
    } else {
        unit.rollback().await?;
    }
    Ok(summary)
}

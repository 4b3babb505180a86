//! Depersonalisation (обезличивание) of persons whose every basis of processing has ended,
//! after the legal term (152-ФЗ art. 21 part 5: 30 days by default,
//! `RSNMS_PD_DEPERSONALISE_AFTER_DAYS`). A background job of every instance runs it; an
//! administrator can see what it would do (dry run) and run it for a given day.

use chrono::{Days, NaiveDate, Utc};
use uuid::Uuid;

use super::{PersonalDataRepository, SweepCandidate};
use crate::{
    DomainError, DomainResult,
    auth::{Ctx, Role},
};

/// The default term between the end of the last basis and depersonalisation, in days.
pub const DEFAULT_TERM_DAYS: u32 = 30;
/// How far ahead the plan looks for what falls due, in days.
pub const LOOKAHEAD_DAYS: u64 = 30;
/// Persons listed or depersonalised per call.
const BATCH: u64 = 500;

/// What the job would do on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepPlan {
    /// The day judged on.
    pub today: NaiveDate,
    /// The term, in days.
    pub term_days: u32,
    /// Due now (at most 500): depersonalised at the next run.
    pub due: Vec<(SweepCandidate, NaiveDate)>,
    /// Falling due within the next 30 days (at most 500).
    pub upcoming: Vec<(SweepCandidate, NaiveDate)>,
}

/// The day processing must have stopped by for its term to have run out on `today`.
fn stopped_by(today: NaiveDate, term_days: u32) -> DomainResult<NaiveDate> {
    today
        .checked_sub_days(Days::new(u64::from(term_days)))
        .ok_or_else(|| DomainError::internal("the depersonalisation term reaches before the calendar"))
}

fn due_on(c: &SweepCandidate, term_days: u32) -> NaiveDate {
    c.processing_stopped_on.checked_add_days(Days::new(u64::from(term_days))).unwrap_or(NaiveDate::MAX)
}

/// The dry run as an administrator asks for it (the API): [`plan`].
pub async fn depersonalisation_plan(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    today: NaiveDate,
    term_days: u32,
) -> DomainResult<SweepPlan> {
    ctx.actor.require(&[Role::Admin])?;
    plan(repo, today, term_days).await
}

/// The dry run: who is due now and who falls due within 30 days (the CLI's `pd-sweep --dry-run`).
pub async fn plan(repo: &dyn PersonalDataRepository, today: NaiveDate, term_days: u32) -> DomainResult<SweepPlan> {
    let cutoff = stopped_by(today, term_days)?;
    let horizon = cutoff.checked_add_days(Days::new(LOOKAHEAD_DAYS)).unwrap_or(cutoff);
    let with_due = |c: SweepCandidate| {
        let d = due_on(&c, term_days);
        (c, d)
    };
    let due: Vec<_> = repo.stopped_by(cutoff, BATCH).await?.into_iter().map(with_due).collect();
    let upcoming = repo
        .stopped_by(horizon, BATCH + due.len() as u64)
        .await?
        .into_iter()
        .filter(|c| c.processing_stopped_on > cutoff)
        .map(with_due)
        .collect();
    Ok(SweepPlan { today, term_days, due, upcoming })
}

/// Depersonalises everyone due on `today`, batch by batch; the persons depersonalised. The
/// background job calls it without an actor; [`run_depersonalisation_as`] is the
/// administrator's run.
pub async fn run_depersonalisation(
    repo: &dyn PersonalDataRepository,
    today: NaiveDate,
    term_days: u32,
) -> DomainResult<Vec<Uuid>> {
    let cutoff = stopped_by(today, term_days)?;
    let mut done = Vec::new();
    loop {
        let batch = repo.depersonalise(cutoff, BATCH, Utc::now()).await?;
        let last = (batch.len() as u64) < BATCH;
        done.extend(batch);
        if last {
            return Ok(done);
        }
    }
}

/// An administrator's run of the job for a day (the same work as the background job).
pub async fn run_depersonalisation_as(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    today: NaiveDate,
    term_days: u32,
) -> DomainResult<Vec<Uuid>> {
    ctx.actor.require(&[Role::Admin])?;
    run_depersonalisation(repo, today, term_days).await
}

/// The surname a depersonalised person is stored under.
pub const DEPERSONALISED_SURNAME: &str = "Обезличено";

/// The first name a depersonalised person is stored under: the first 8 hex digits of her id,
/// so that lists still tell persons apart without naming anyone.
pub fn depersonalised_first_name(id: Uuid) -> String {
    id.simple().to_string().chars().take(8).collect()
}

/// Removes the personal data from a stored change-event payload of a person: names replaced as
/// [`DEPERSONALISED_SURNAME`] and [`depersonalised_first_name`], patronymic, СНИЛС, birth date and
/// contacts `null`; ids, organisation, roles and dates kept.
pub fn depersonalise_payload(payload: &mut serde_json::Value, id: Uuid) {
    let Some(o) = payload.as_object_mut() else { return };
    let first = depersonalised_first_name(id);
    let full = format!("{DEPERSONALISED_SURNAME} {first}");
    for (field, value) in [
        ("surname", serde_json::Value::from(DEPERSONALISED_SURNAME)),
        ("first_name", serde_json::Value::from(first)),
        ("full_name", serde_json::Value::from(full)),
        ("patronymic", serde_json::Value::Null),
    ] {
        if o.contains_key(field) {
            o.insert(field.to_owned(), value);
        }
    }
    for field in crate::persons::PERSONAL_FIELDS {
        if o.contains_key(field) {
            o.insert(field.to_owned(), serde_json::Value::Null);
        }
    }
}

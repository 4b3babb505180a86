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
    on: Option<NaiveDate>,
    term_days: u32,
) -> DomainResult<SweepPlan> {
    let today = on.unwrap_or_else(crate::clock::region_today);
    ctx.actor.require(&[Role::Admin])?;
    plan(repo, today, term_days).await
}

/// The dry run: who is due now and who falls due within 30 days (the CLI's `pd-sweep --dry-run`).
pub async fn plan(repo: &dyn PersonalDataRepository, today: NaiveDate, term_days: u32) -> DomainResult<SweepPlan> {
    plan_within(repo, today, term_days, LOOKAHEAD_DAYS).await
}

/// [`plan`] looking `within` days ahead (the retention report's look-ahead).
pub async fn plan_within(
    repo: &dyn PersonalDataRepository,
    today: NaiveDate,
    term_days: u32,
    within: u64,
) -> DomainResult<SweepPlan> {
    let cutoff = stopped_by(today, term_days)?;
    let horizon = cutoff.checked_add_days(Days::new(within)).unwrap_or(cutoff);
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

/// Whether a network request's author block names the person: by e-mail, or by surname and
/// first name (compared by their search keys). The access report lists, and depersonalisation
/// rewrites, the requests this matches among those her organisation sent.
pub fn author_names(author: &crate::network_requests::Author, person: &crate::persons::Person) -> bool {
    use crate::text::search_key;
    let same = |a: Option<&str>, b: &str| a.is_some_and(|a| search_key(a) == search_key(b));
    let by_mail = person.email.as_deref().is_some_and(|e| same(author.email.as_deref(), e));
    by_mail
        || (same(author.surname.as_deref(), &person.surname) && same(author.first_name.as_deref(), &person.first_name))
}

/// Removes a person's personal data from a stored network request — its row (as
/// `{sender, addressee, author, reply, reply_contact}`) or a change payload of it alike: in a
/// request her organisation sent, an author block naming her ([`author_names`]) keeps only the
/// position (names replaced as for the person, patronymic, phone and e-mail `null`) and a reply
/// contact holding her e-mail or phone is removed; in a request her organisation answered, a
/// reply she signed names the depersonalised person. Returns whether anything changed.
pub fn depersonalise_request_payload(payload: &mut serde_json::Value, person: &crate::persons::Person) -> bool {
    use serde_json::Value;
    let org = |side: &str| payload[side]["organization_id"].as_str().and_then(|s| Uuid::parse_str(s).ok());
    let sent = org("sender") == Some(person.organization_id);
    let answered = org("addressee") == Some(person.organization_id);
    let Some(o) = payload.as_object_mut() else { return false };
    let first = depersonalised_first_name(person.id);
    let mut changed = false;
    if sent {
        if let Some(a) = o.get_mut("author").filter(|a| a.is_object()) {
            let author: crate::network_requests::Author = serde_json::from_value(a.clone()).unwrap_or_default();
            if author_names(&author, person) {
                a["surname"] = Value::from(DEPERSONALISED_SURNAME);
                a["first_name"] = Value::from(first.clone());
                for f in ["patronymic", "phone", "email"] {
                    a[f] = Value::Null;
                }
                changed = true;
            }
        }
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let holds = |c: &str| {
            let lower = c.to_lowercase();
            person.email.as_deref().is_some_and(|e| lower.contains(&e.to_lowercase()))
                || person.phone.as_deref().map(digits).is_some_and(|p| p.len() >= 6 && digits(c).contains(&p))
        };
        if o.get("reply_contact").and_then(Value::as_str).is_some_and(holds) {
            o.insert("reply_contact".into(), Value::Null);
            changed = true;
        }
    }
    if answered {
        let full = crate::text::search_key(&person.full_name());
        if let Some(name) = o.get_mut("reply").and_then(|r| r.get_mut("responder_name"))
            && name.as_str().is_some_and(|n| crate::text::search_key(n) == full)
        {
            *name = Value::from(format!("{DEPERSONALISED_SURNAME} {first}"));
            changed = true;
        }
    }
    changed
}

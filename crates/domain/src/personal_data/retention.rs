//! Retention per category of data (152-ФЗ art. 5 part 7, art. 21 part 4–5): each category has a
//! period (`RSNMS_PD_RETENTION_DAYS`), counted from the day named in [`Category`]; what is past
//! it is depersonalised or destroyed by the same leased job that depersonalises persons, and the
//! report lists what falls due within the coming days. Records stay (ids, dates, statuses), so
//! aggregates do not change.

use chrono::{DateTime, Days, NaiveDate, Utc};
use uuid::Uuid;

use super::{PersonalDataRepository, sweep};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
};

/// The default period of the personal-data copies in network requests: 5 years (correspondence,
/// Перечень типовых документов, Приказ Росархива от 20.12.2019 № 236, ст. 27).
pub const DEFAULT_NETWORK_REQUESTS_DAYS: u32 = 1826;
/// The default period of the audit trail: 3 years (the log of reads and changes that confirms
/// processing and destruction, Приказ Роскомнадзора от 28.10.2022 № 179, п. 3).
pub const DEFAULT_AUDIT_DAYS: u32 = 1096;
/// The longest look-ahead of the report, in days.
pub const MAX_WITHIN_DAYS: u32 = 366;
/// Items listed per category and list.
const LISTED: u64 = 500;

/// A category of data with a retention period of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A person's identity, СНИЛС, birth date and contacts: the term after her last basis of
    /// processing stopped (`RSNMS_PD_DEPERSONALISE_AFTER_DAYS`); then she is depersonalised.
    Persons,
    /// The personal-data copies in a network request (author, signer, contact; text and
    /// attachments of a request flagged as holding personal data), from the day it was sent
    /// (else created); then removed, the request kept.
    NetworkRequests,
    /// The audit trail (ids, roles, request ids), from the day of the record; then deleted.
    Audit,
}

impl Category {
    /// Every category, in the report's order.
    pub const ALL: [Category; 3] = [Category::Persons, Category::NetworkRequests, Category::Audit];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Persons => "persons",
            Category::NetworkRequests => "network_requests",
            Category::Audit => "audit",
        }
    }
}

/// The periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// [`Category::Persons`]: days after the last basis stopped.
    pub persons_days: u32,
    /// [`Category::NetworkRequests`].
    pub network_requests_days: u32,
    /// [`Category::Audit`].
    pub audit_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            persons_days: sweep::DEFAULT_TERM_DAYS,
            network_requests_days: DEFAULT_NETWORK_REQUESTS_DAYS,
            audit_days: DEFAULT_AUDIT_DAYS,
        }
    }
}

impl Retention {
    /// The period of a category.
    pub fn days(&self, c: Category) -> u32 {
        match c {
            Category::Persons => self.persons_days,
            Category::NetworkRequests => self.network_requests_days,
            Category::Audit => self.audit_days,
        }
    }

    /// Reads `category=days` pairs separated by commas (`network_requests=1826,audit=1096`) over
    /// the defaults; the persons' term has its own setting and is not named here.
    pub fn parse(s: &str, persons_days: u32) -> Result<Self, String> {
        let mut r = Self { persons_days, ..Self::default() };
        for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, days) = pair.split_once('=').ok_or_else(|| format!("`{pair}` is not category=days"))?;
            let days: u32 = days
                .trim()
                .parse()
                .ok()
                .filter(|d| (1..=36_600).contains(d))
                .ok_or_else(|| format!("`{pair}`: days are 1 to 36600"))?;
            match name.trim() {
                "network_requests" => r.network_requests_days = days,
                "audit" => r.audit_days = days,
                other => return Err(format!("unknown category `{other}` (network_requests, audit)")),
            }
        }
        Ok(r)
    }
}

/// A record that falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Its id (a person, a request).
    pub id: Uuid,
    /// The day it is depersonalised or destroyed.
    pub due_on: NaiveDate,
}

/// What falls due in one category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryDue {
    /// The category.
    pub category: Category,
    /// Its period, in days.
    pub period_days: u32,
    /// Due now: handled at the job's next run (at most 500 listed; the audit lists none).
    pub due: Vec<Due>,
    /// How many are due now.
    pub due_count: u64,
    /// Falling due within the coming days (at most 500 listed; the audit lists none).
    pub upcoming: Vec<Due>,
    /// How many fall due within the coming days.
    pub upcoming_count: u64,
}

/// The retention report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// The day judged on.
    pub today: NaiveDate,
    /// The look-ahead, in days.
    pub within_days: u32,
    /// Per category.
    pub categories: Vec<CategoryDue>,
}

/// What one run of the job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionRun {
    /// Persons depersonalised.
    pub persons: Vec<Uuid>,
    /// Requests whose personal-data copies were removed.
    pub network_requests: Vec<Uuid>,
    /// Audit records deleted.
    pub audit_deleted: u64,
}

fn minus(day: NaiveDate, days: u32) -> DomainResult<NaiveDate> {
    day.checked_sub_days(Days::new(u64::from(days)))
        .ok_or_else(|| DomainError::internal("a retention period reaches before the calendar"))
}

fn plus(day: NaiveDate, days: u32) -> NaiveDate {
    day.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX)
}

/// The first instant after a day (UTC): records of that day or before are older than it.
fn after(day: NaiveDate) -> DateTime<Utc> {
    plus(day, 1).and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The report (administrators): per category, what is due now and what falls due within
/// `within_days` (default 30, at most [`MAX_WITHIN_DAYS`]; 422 naming `within_days`).
pub async fn retention_report(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    on: Option<NaiveDate>,
    within_days: Option<u32>,
    retention: &Retention,
) -> DomainResult<RetentionReport> {
    let today = on.unwrap_or_else(crate::clock::region_today);
    ctx.actor.require(&[Role::Admin])?;
    let within = within_days.unwrap_or(30);
    if !(1..=MAX_WITHIN_DAYS).contains(&within) {
        return Err(DomainError::Validation(vec![FieldError::new(
            "within_days",
            "out_of_range",
            Msg::new(format!("От 1 до {MAX_WITHIN_DAYS} дней"), format!("From 1 to {MAX_WITHIN_DAYS} days")),
        )]));
    }
    let mut categories = Vec::new();
    for c in Category::ALL {
        let days = retention.days(c);
        let cutoff = minus(today, days)?;
        let horizon = plus(cutoff, within);
        let mut out = CategoryDue {
            category: c,
            period_days: days,
            due: Vec::new(),
            due_count: 0,
            upcoming: Vec::new(),
            upcoming_count: 0,
        };
        match c {
            Category::Persons => {
                let plan = sweep::plan_within(repo, today, days, u64::from(within)).await?;
                out.due = plan.due.into_iter().map(|(c, d)| Due { id: c.person_id, due_on: d }).collect();
                out.upcoming = plan.upcoming.into_iter().map(|(c, d)| Due { id: c.person_id, due_on: d }).collect();
                out.due_count = out.due.len() as u64;
                out.upcoming_count = out.upcoming.len() as u64;
            }
            Category::NetworkRequests => {
                for (id, from) in repo.requests_holding_personal_data(horizon, LISTED + 1).await? {
                    let due = Due { id, due_on: plus(from, days) };
                    if from <= cutoff { out.due.push(due) } else { out.upcoming.push(due) }
                }
                out.due.truncate(LISTED as usize);
                out.upcoming.truncate(LISTED as usize);
                out.due_count = out.due.len() as u64;
                out.upcoming_count = out.upcoming.len() as u64;
            }
            Category::Audit => {
                out.due_count = repo.audit_before(after(cutoff)).await?;
                out.upcoming_count = repo.audit_before(after(horizon)).await?.saturating_sub(out.due_count);
            }
        }
        categories.push(out);
    }
    Ok(RetentionReport { today, within_days: within, categories })
}

/// One run of the job for a day: persons past their term depersonalised, requests past their
/// period stripped of personal data, audit records past theirs deleted — batch by batch, each
/// batch claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so that several instances never
/// take the same rows.
pub async fn run_retention(
    repo: &dyn PersonalDataRepository,
    on: Option<NaiveDate>,
    retention: &Retention,
) -> DomainResult<RetentionRun> {
    let today = on.unwrap_or_else(crate::clock::region_today);
    let persons = sweep::run_depersonalisation(repo, today, retention.persons_days).await?;
    let cutoff = minus(today, retention.network_requests_days)?;
    let mut network_requests = Vec::new();
    loop {
        let batch = repo.remove_request_personal_data(cutoff, LISTED, Utc::now()).await?;
        let last = (batch.len() as u64) < LISTED;
        network_requests.extend(batch);
        if last {
            break;
        }
    }
    let before = after(minus(today, retention.audit_days)?);
    let mut audit_deleted = 0;
    loop {
        let n = repo.delete_audit_before(before, 5 * LISTED).await?;
        audit_deleted += n;
        if n < 5 * LISTED {
            break;
        }
    }
    Ok(RetentionRun { persons, network_requests, audit_deleted })
}

/// An administrator's run of the job for a day (the same work as the background job).
pub async fn run_retention_as(
    repo: &dyn PersonalDataRepository,
    ctx: &Ctx,
    on: Option<NaiveDate>,
    retention: &Retention,
) -> DomainResult<RetentionRun> {
    ctx.actor.require(&[Role::Admin])?;
    run_retention(repo, on, retention).await
}

/// Removes the personal-data copies from a stored network request — its row (as
/// `{author, reply, reply_contact, body, attachments, contains_personal_data}`) or a change
/// payload of it alike — when its retention period has passed: the author keeps only her
/// position, the reply's signer is «Обезличено», the reply contact goes; a request flagged as
/// holding personal data loses its text, the reply's text and the attachments' metadata.
pub fn strip_request_payload(payload: &mut serde_json::Value) {
    use serde_json::Value;
    let Some(o) = payload.as_object_mut() else { return };
    if let Some(a) = o.get_mut("author").and_then(Value::as_object_mut) {
        for f in ["surname", "first_name", "patronymic", "phone", "email"] {
            a.insert(f.into(), Value::Null);
        }
    }
    if o.contains_key("reply_contact") {
        o.insert("reply_contact".into(), Value::Null);
    }
    let flagged = o.get("contains_personal_data").and_then(Value::as_bool) == Some(true);
    if let Some(r) = o.get_mut("reply").and_then(Value::as_object_mut) {
        r.insert("responder_name".into(), Value::from(sweep::DEPERSONALISED_SURNAME));
        if flagged {
            r.insert("text".into(), Value::from(""));
            r.insert("attachments".into(), Value::Array(Vec::new()));
        }
    }
    if flagged {
        o.insert("body".into(), Value::Null);
        o.insert("attachments".into(), Value::Array(Vec::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_periods_read_from_category_days_pairs_over_the_defaults() {
        let r = Retention::parse("audit=365", 30).unwrap();
        assert_eq!((r.persons_days, r.network_requests_days, r.audit_days), (30, DEFAULT_NETWORK_REQUESTS_DAYS, 365));
        assert!(Retention::parse("routes=10", 30).is_err());
        assert!(Retention::parse("audit=0", 30).is_err());
        assert_eq!(Retention::parse("", 7).unwrap().persons_days, 7);
    }

    #[test]
    fn a_stripped_request_keeps_the_position_and_loses_names_and_flagged_text() {
        let mut p = serde_json::json!({
            "author": {"surname": "Иванова", "first_name": "Анна", "position": "учитель", "email": "a@b.c"},
            "reply": {"responder_name": "Петров П. П.", "text": "ответ", "attachments": [{"name": "a.pdf"}]},
            "reply_contact": "+7 900", "body": "СНИЛС 123", "contains_personal_data": true, "attachments": [{}]
        });
        strip_request_payload(&mut p);
        assert_eq!(p["author"]["position"], "учитель");
        assert!(p["author"]["surname"].is_null() && p["author"]["email"].is_null() && p["body"].is_null());
        assert_eq!(p["reply"]["responder_name"], sweep::DEPERSONALISED_SURNAME);
        assert!(!p.to_string().contains("Иванова") && !p.to_string().contains("Петров"));
    }
}

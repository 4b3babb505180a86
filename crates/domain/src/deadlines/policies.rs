//! Deadline policies: a term, its legal basis and its extension rules.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    calendar::{MAX_TERM_UNITS, Term, TermUnit},
    error::Errors,
    page::{Page, PageRequest},
};

/// One deadline policy (every role reads them).
pub async fn get_deadline_policy(
    repo: &dyn DeadlinePolicyRepository,
    ctx: &Ctx,
    id: Uuid,
) -> DomainResult<DeadlinePolicy> {
    ctx.actor.require(super::READERS)?;
    repo.get(id).await
}

/// A page of the deadline policies (every role reads them).
pub async fn list_deadline_policies(
    repo: &dyn DeadlinePolicyRepository,
    ctx: &Ctx,
    page: PageRequest,
) -> DomainResult<Page<DeadlinePolicy>> {
    ctx.actor.require(super::READERS)?;
    repo.list(page).await
}

/// The due-soon lead time of a policy that names none: 24 hours before the end of the term.
pub const DEFAULT_DUE_SOON_HOURS: u32 = 24;

/// The longest due-soon lead time (30 days).
pub const MAX_DUE_SOON_HOURS: u32 = 720;

/// A rule for the term of a reply (срок ответа на запрос).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlinePolicy {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Stable code, e.g. `fz210_art7_2`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The term.
    pub term: Term,
    /// Legal basis (act, article).
    pub legal_basis: String,
    /// How many times the term may be extended (0: never).
    pub max_extensions: u32,
    /// How many units in total all extensions may add.
    pub max_extension_days: u32,
    /// How many hours before the end of the term the due-soon notice is given.
    pub due_soon_hours: u32,
    /// Whether this policy applies when a request names none.
    pub is_default: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

/// A policy as a client writes it.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    /// Code.
    pub code: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Term value.
    pub term_value: Option<u32>,
    /// Term unit.
    pub term_unit: Option<TermUnit>,
    /// Legal basis.
    pub legal_basis: Option<String>,
    /// Extensions allowed.
    pub max_extensions: Option<u32>,
    /// Total extension allowed, in the term's units.
    pub max_extension_days: Option<u32>,
    /// Due-soon lead time in hours (default [`DEFAULT_DUE_SOON_HOURS`]).
    pub due_soon_hours: Option<u32>,
    /// Default policy.
    pub is_default: Option<bool>,
}

impl From<&DeadlinePolicy> for PolicyInput {
    fn from(p: &DeadlinePolicy) -> Self {
        Self {
            code: Some(p.code.clone()),
            name: Some(p.name.clone()),
            term_value: Some(p.term.value),
            term_unit: Some(p.term.unit),
            legal_basis: Some(p.legal_basis.clone()),
            max_extensions: Some(p.max_extensions),
            max_extension_days: Some(p.max_extension_days),
            due_soon_hours: Some(p.due_soon_hours),
            is_default: Some(p.is_default),
        }
    }
}

/// A validated policy, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeadlinePolicy {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Term.
    pub term: Term,
    /// Legal basis.
    pub legal_basis: String,
    /// Extensions allowed.
    pub max_extensions: u32,
    /// Total extension allowed.
    pub max_extension_days: u32,
    /// Due-soon lead time in hours.
    pub due_soon_hours: u32,
    /// Default.
    pub is_default: bool,
}

/// Storage of deadline policies (reference data of the region; no scope).
#[async_trait]
pub trait DeadlinePolicyRepository: Send + Sync {
    /// One policy.
    async fn get(&self, id: Uuid) -> DomainResult<DeadlinePolicy>;
    /// The default policy.
    async fn default_policy(&self) -> DomainResult<DeadlinePolicy>;
    /// Policies by id.
    async fn list(&self, page: PageRequest) -> DomainResult<Page<DeadlinePolicy>>;
    /// Creates a policy (a new default unsets the previous one).
    async fn create(&self, ctx: &Ctx, new: NewDeadlinePolicy) -> DomainResult<DeadlinePolicy>;
    /// Replaces a policy when its version is `expected_version`.
    async fn update(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        new: NewDeadlinePolicy,
    ) -> DomainResult<DeadlinePolicy>;
    /// Inserts the shipped policies whose code is not stored yet.
    async fn seed(&self, policies: Vec<NewDeadlinePolicy>) -> DomainResult<u64>;
}

/// The policies every installation starts with.
pub fn shipped_policies() -> Vec<NewDeadlinePolicy> {
    vec![
        NewDeadlinePolicy {
            code: "fz210_art7_2".into(),
            name: "Межведомственный запрос (210-ФЗ)".into(),
            term: Term::working_days(5),
            legal_basis: "Федеральный закон от 27.07.2010 № 210-ФЗ, ч. 3 ст. 7.2".into(),
            max_extensions: 0,
            max_extension_days: 0,
            due_soon_hours: DEFAULT_DUE_SOON_HOURS,
            is_default: true,
        },
        NewDeadlinePolicy {
            code: "fz59_art12".into(),
            name: "Обращение гражданина (59-ФЗ)".into(),
            term: Term::calendar_days(30),
            legal_basis: "Федеральный закон от 02.05.2006 № 59-ФЗ, ст. 12".into(),
            max_extensions: 1,
            max_extension_days: 30,
            due_soon_hours: DEFAULT_DUE_SOON_HOURS,
            is_default: false,
        },
        NewDeadlinePolicy {
            code: "fz8_art18".into(),
            name: "Запрос информации о деятельности органа (8-ФЗ)".into(),
            term: Term::calendar_days(30),
            legal_basis: "Федеральный закон от 09.02.2009 № 8-ФЗ, ч. 6 ст. 18".into(),
            max_extensions: 1,
            max_extension_days: 15,
            due_soon_hours: DEFAULT_DUE_SOON_HOURS,
            is_default: false,
        },
    ]
}

fn text(e: &mut Errors, field: &str, v: Option<String>, max: usize) -> Option<String> {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        None => {
            e.push(FieldError::required(field));
            None
        }
        Some(s) if s.chars().count() > max => {
            e.push(FieldError::new(
                field,
                "too_long",
                Msg::new(format!("Не длиннее {max} символов"), format!("At most {max} characters")),
            ));
            None
        }
        v => v,
    }
}

/// Validates a policy input, naming every failing field.
pub fn validate_policy(input: PolicyInput) -> DomainResult<NewDeadlinePolicy> {
    let mut e = Errors::new();
    let code = text(&mut e, "code", input.code, 64);
    if let Some(c) = &code
        && !c.chars().all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
    {
        e.push(FieldError::new(
            "code",
            "invalid_code",
            Msg::new("Код: латинские буквы, цифры, «_», «-», «.»", "Code: Latin letters, digits, '_', '-', '.'"),
        ));
    }
    let name = text(&mut e, "name", input.name, 500);
    let legal_basis = text(&mut e, "legal_basis", input.legal_basis, 1000);
    match input.term_value {
        None => e.push(FieldError::required("term_value")),
        Some(v) if v == 0 || v > MAX_TERM_UNITS => e.push(FieldError::new(
            "term_value",
            "out_of_range",
            Msg::new(format!("От 1 до {MAX_TERM_UNITS}"), format!("From 1 to {MAX_TERM_UNITS}")),
        )),
        Some(_) => {}
    }
    if input.term_unit.is_none() {
        e.push(FieldError::required("term_unit"));
    }
    let max_extensions = input.max_extensions.unwrap_or(0);
    let max_extension_days = input.max_extension_days.unwrap_or(0);
    if max_extensions > 0 && max_extension_days == 0 {
        e.push(FieldError::new(
            "max_extension_days",
            "required",
            Msg::new("Укажите, на сколько можно продлить срок", "Give how much the term may be extended by"),
        ));
    }
    if max_extension_days > MAX_TERM_UNITS {
        e.push(FieldError::new(
            "max_extension_days",
            "out_of_range",
            Msg::new(format!("Не больше {MAX_TERM_UNITS}"), format!("At most {MAX_TERM_UNITS}")),
        ));
    }
    let due_soon_hours = input.due_soon_hours.unwrap_or(DEFAULT_DUE_SOON_HOURS);
    if due_soon_hours == 0 || due_soon_hours > MAX_DUE_SOON_HOURS {
        e.push(FieldError::new(
            "due_soon_hours",
            "out_of_range",
            Msg::new(format!("От 1 до {MAX_DUE_SOON_HOURS}"), format!("From 1 to {MAX_DUE_SOON_HOURS}")),
        ));
    }
    e.finish()?;
    match (code, name, legal_basis, input.term_value, input.term_unit) {
        (Some(code), Some(name), Some(legal_basis), Some(value), Some(unit)) => Ok(NewDeadlinePolicy {
            code,
            name,
            term: Term { value, unit },
            legal_basis,
            max_extensions,
            max_extension_days: if max_extensions == 0 { 0 } else { max_extension_days },
            due_soon_hours,
            is_default: input.is_default.unwrap_or(false),
        }),
        _ => Err(DomainError::internal("policy validation lost a field")),
    }
}

/// Creates a policy: administrators and operators.
pub async fn create_policy(
    repo: &dyn DeadlinePolicyRepository,
    ctx: &Ctx,
    input: PolicyInput,
) -> DomainResult<DeadlinePolicy> {
    ctx.actor.require(&[Role::Admin, Role::Operator])?;
    repo.create(ctx, validate_policy(input)?).await
}

/// Updates a policy with a merge patch applied to its current state: administrators and
/// operators. Requests already received keep the deadline computed when they were received.
pub async fn update_policy(
    repo: &dyn DeadlinePolicyRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(PolicyInput) -> DomainResult<PolicyInput>,
) -> DomainResult<DeadlinePolicy> {
    ctx.actor.require(&[Role::Admin, Role::Operator])?;
    let current = repo.get(id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let input = patch(PolicyInput::from(&current))?;
    let new = validate_policy(input)?;
    if current.is_default && !new.is_default {
        return Err(DomainError::field(
            "is_default",
            "default_required",
            Msg::new(
                "Правило по умолчанию снимается назначением другого правила по умолчанию",
                "To change the default, make another policy the default",
            ),
        ));
    }
    repo.update(ctx, id, expected_version, new).await
}

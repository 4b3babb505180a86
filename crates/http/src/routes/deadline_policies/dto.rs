use crate::dto::limit;
use chrono::{DateTime, Utc};
use rsnms_domain::deadlines;
use rsnms_domain::{
    calendar::TermUnit,
    deadlines::{DeadlinePolicy, PolicyInput},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// The unit of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TermUnitDto {
    /// Working days of the production calendar (рабочие дни).
    WorkingDays,
    /// Calendar days (календарные дни); an end on a non-working day moves to the next working day.
    CalendarDays,
    /// Hours of working days from the instant of receipt (часы): the clock stops on non-working days.
    Hours,
}

impl From<TermUnitDto> for TermUnit {
    fn from(u: TermUnitDto) -> Self {
        match u {
            TermUnitDto::WorkingDays => TermUnit::WorkingDays,
            TermUnitDto::CalendarDays => TermUnit::CalendarDays,
            TermUnitDto::Hours => TermUnit::Hours,
        }
    }
}

impl From<TermUnit> for TermUnitDto {
    fn from(u: TermUnit) -> Self {
        match u {
            TermUnit::WorkingDays => TermUnitDto::WorkingDays,
            TermUnit::CalendarDays => TermUnitDto::CalendarDays,
            TermUnit::Hours => TermUnitDto::Hours,
        }
    }
}

/// A deadline policy as a client writes it (create; merge-patched for updates).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DeadlinePolicyWrite {
    /// Stable code (латиница, цифры, `_-.`), unique.
    #[validate(required, length(min = 1, max = limit(deadlines::POLICY_CODE_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 64, example = "region_03_order_15")]
    pub code: Option<String>,
    /// Name (наименование).
    #[validate(required, length(min = 1, max = limit(deadlines::POLICY_NAME_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 500)]
    pub name: Option<String>,
    /// Term value (срок).
    #[validate(required, range(min = 1, max = 100000))]
    #[schema(required = true, nullable = false, minimum = 1, maximum = 100000, example = 5)]
    pub term_value: Option<u32>,
    /// Term unit.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub term_unit: Option<TermUnitDto>,
    /// Legal basis (правовое основание): the act and article.
    #[validate(required, length(min = 1, max = limit(deadlines::SOURCE_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 1000)]
    pub legal_basis: Option<String>,
    /// How many times the term may be extended (0: never; default 0).
    #[validate(range(max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub max_extensions: Option<u32>,
    /// How many units all extensions together may add.
    #[validate(range(max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub max_extension_days: Option<u32>,
    /// How many hours before the end of the term the due-soon notice (`due_soon` event) is given
    /// (default 24).
    #[validate(range(min = 1, max = 720))]
    #[schema(minimum = 1, maximum = 720)]
    pub due_soon_hours: Option<u32>,
    /// Applies when a request names no policy; setting it moves the default here.
    pub is_default: Option<bool>,
}

impl From<DeadlinePolicyWrite> for PolicyInput {
    fn from(w: DeadlinePolicyWrite) -> Self {
        PolicyInput {
            code: w.code,
            name: w.name,
            term_value: w.term_value,
            term_unit: w.term_unit.map(Into::into),
            legal_basis: w.legal_basis,
            max_extensions: w.max_extensions,
            max_extension_days: w.max_extension_days,
            due_soon_hours: w.due_soon_hours,
            is_default: w.is_default,
        }
    }
}

impl From<PolicyInput> for DeadlinePolicyWrite {
    fn from(i: PolicyInput) -> Self {
        DeadlinePolicyWrite {
            code: i.code,
            name: i.name,
            term_value: i.term_value,
            term_unit: i.term_unit.map(Into::into),
            legal_basis: i.legal_basis,
            max_extensions: i.max_extensions,
            max_extension_days: i.max_extension_days,
            due_soon_hours: i.due_soon_hours,
            is_default: i.is_default,
        }
    }
}

impl crate::extract::ValueChecks for DeadlinePolicyWrite {}

/// A deadline policy (правило срока ответа).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadlinePolicyView {
    /// Id.
    pub id: Uuid,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Term value.
    pub term_value: u32,
    /// Term unit.
    pub term_unit: TermUnitDto,
    /// Legal basis.
    pub legal_basis: String,
    /// Extensions allowed.
    pub max_extensions: u32,
    /// Units all extensions together may add.
    pub max_extension_days: u32,
    /// Hours before the end of the term the due-soon notice is given.
    pub due_soon_hours: u32,
    /// The default policy.
    pub is_default: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag`.
    pub version: i64,
}

impl From<DeadlinePolicy> for DeadlinePolicyView {
    fn from(p: DeadlinePolicy) -> Self {
        DeadlinePolicyView {
            id: p.id,
            code: p.code,
            name: p.name,
            term_value: p.term.value,
            term_unit: p.term.unit.into(),
            legal_basis: p.legal_basis,
            max_extensions: p.max_extensions,
            max_extension_days: p.max_extension_days,
            due_soon_hours: p.due_soon_hours,
            is_default: p.is_default,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

crate::list_schema!(DeadlinePolicyList, DeadlinePolicyView, "A page of deadline policies.");

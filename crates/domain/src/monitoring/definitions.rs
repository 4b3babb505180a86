//! Indicator definitions as data (issue 7 item 2): the built-in ones are defined by the code and
//! read-only; a region adds its own from the same blocks (a [`Measure`], an optional
//! [`Population`], an [`Accumulation`] rule, a unit and a legal source). Custom definitions are
//! stored, versioned and journaled; they are never deleted, only retired, so that a code once
//! published in a report always means the same definition.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Accumulation, Definition, Measure, MonitoringRepository, Population, READERS, Unit, builtin};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    development::text,
    error::Errors,
};

/// Roles that add, change and retire definitions.
const WRITERS: &[Role] = &[Role::Admin, Role::Operator];

/// At most this many active custom definitions: each one is an aggregate query in every
/// computation of the indicators and the report.
pub const MAX_ACTIVE_CUSTOM: usize = 50;

/// Where a definition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DefinitionOrigin {
    /// Встроенный: defined by the code (the agreement's appendix), read-only.
    Builtin,
    /// Региональный: added by the region through the API.
    Custom,
}

/// Whether a definition is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DefinitionStatus {
    /// Действует: computed in the indicators and the report.
    Active,
    /// Выведен из употребления: kept and readable, no longer computed; its code stays taken.
    Retired,
}

impl DefinitionStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DefinitionStatus::Active => "active",
            DefinitionStatus::Retired => "retired",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [DefinitionStatus::Active, DefinitionStatus::Retired].into_iter().find(|v| v.as_str() == s)
    }
}

/// A definition with its bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionRecord {
    /// The definition.
    pub definition: Definition,
    /// Built-in or custom.
    pub origin: DefinitionOrigin,
    /// Active or retired.
    pub status: DefinitionStatus,
    /// When retired.
    pub retired_at: Option<DateTime<Utc>>,
    /// Created at (custom definitions).
    pub created_at: Option<DateTime<Utc>>,
    /// Updated at (custom definitions).
    pub updated_at: Option<DateTime<Utc>>,
    /// Version: raised by every change (built-ins are always 1).
    pub version: i64,
}

impl DefinitionRecord {
    fn builtin(definition: Definition) -> Self {
        Self {
            definition,
            origin: DefinitionOrigin::Builtin,
            status: DefinitionStatus::Active,
            retired_at: None,
            created_at: None,
            updated_at: None,
            version: 1,
        }
    }
}

/// A definition as a client describes it.
#[derive(Debug, Clone, Default)]
pub struct DefinitionInput {
    /// Code.
    pub code: Option<String>,
    /// Name (ru).
    pub name: Option<String>,
    /// English description.
    pub description: Option<String>,
    /// Numerator block.
    pub numerator: Option<Measure>,
    /// Denominator block.
    pub denominator: Option<Population>,
    /// Accumulation rule.
    pub accumulation: Option<Accumulation>,
    /// Unit.
    pub unit: Option<Unit>,
    /// Legal source.
    pub source: Option<String>,
    /// Agreement key whose targets and reported values it is compared with.
    pub agreement_key: Option<String>,
}

impl From<&Definition> for DefinitionInput {
    fn from(d: &Definition) -> Self {
        Self {
            code: Some(d.code.clone()),
            name: Some(d.name.clone()),
            description: d.description.clone(),
            numerator: Some(d.numerator),
            denominator: d.denominator,
            accumulation: Some(d.accumulation),
            unit: Some(d.unit),
            source: Some(d.source.clone()),
            agreement_key: d.agreement_key.clone(),
        }
    }
}

/// Checks a code: 3–64 characters, lower-case Latin letters, digits and `_`, starting with a
/// letter (it is a path segment and a stable key in exported reports).
pub fn code_error(code: &str) -> Option<FieldError> {
    let ok = (3..=super::CODE_MAX).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    (!ok).then(|| {
        FieldError::new(
            "code",
            "invalid_format",
            Msg::new(
                format!(
                    "Код: 3–{} символа, строчные латинские буквы, цифры и «_», начинается с буквы",
                    super::CODE_MAX
                ),
                format!(
                    "Code: 3–{} characters, lower-case Latin letters, digits and `_`, starting with a letter",
                    super::CODE_MAX
                ),
            ),
        )
    })
}

/// Checks an agreement key: `indicator.N` or `result.N` (as `IndicatorSpec::key`).
pub fn agreement_key_error(key: &str) -> Option<FieldError> {
    let ok = key.split_once('.').is_some_and(|(kind, n)| {
        matches!(kind, "indicator" | "result")
            && (1..=3).contains(&n.len())
            && n.chars().all(|c| c.is_ascii_digit())
            && !n.starts_with('0')
    });
    (!ok).then(|| {
        FieldError::new(
            "agreement_key",
            "invalid_format",
            Msg::new("Ключ показателя соглашения: indicator.N или result.N", "Agreement key: indicator.N or result.N"),
        )
    })
}

fn names<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ")
}

/// How the blocks fit together: a denominator must be the measure's own population (teachers
/// for measures of teachers, schools for measures of schools, none for events); a share is in
/// per cent; a plain count is in the measure's units. `complete` says the absence of a
/// denominator means "none" (a whole definition) rather than "not sent" (a merge patch), so the
/// checks that need that are made only then.
pub fn block_errors(
    numerator: Option<Measure>,
    denominator: Option<Population>,
    unit: Option<Unit>,
    complete: bool,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    if let (Some(m), Some(p)) = (numerator, denominator)
        && m.natural_population() != Some(p)
    {
        let allowed = m.natural_population().map_or("—", Population::as_str);
        out.push(FieldError::new(
            "denominator",
            "not_applicable",
            Msg::new(
                format!(
                    "Знаменатель «{}» не имеет смысла для числителя «{}»; допустимо: {allowed} или без знаменателя",
                    p.as_str(),
                    m.as_str()
                ),
                format!(
                    "The population `{}` makes no sense for the measure `{}`; allowed: {allowed} or none",
                    p.as_str(),
                    m.as_str()
                ),
            ),
        ));
    }
    match (numerator, denominator, unit) {
        (_, Some(_), Some(u)) if u != Unit::Percent => out.push(FieldError::new(
            "unit",
            "not_applicable",
            Msg::new("Доля измеряется в процентах (percent)", "A share is measured in per cent (`percent`)"),
        )),
        (Some(m), None, Some(u)) if complete && !m.count_units().contains(&u) => {
            let allowed = names(m.count_units(), |u| u.as_str());
            out.push(FieldError::new(
                "unit",
                "not_applicable",
                Msg::new(
                    format!(
                        "Без знаменателя значение — количество; единица «{}» не подходит, допустимо: {allowed}",
                        u.as_str()
                    ),
                    format!(
                        "Without a denominator the value is a count; `{}` does not fit, allowed: {allowed}",
                        u.as_str()
                    ),
                ),
            ))
        }
        _ => {}
    }
    out
}

/// The error of an unknown block name, listing the known ones.
pub fn unknown_block(field: &str, value: &str, known: &str) -> FieldError {
    FieldError::new(
        field,
        "unknown_block",
        Msg::new(
            format!("Неизвестный блок «{value}»; допустимы: {known}"),
            format!("Unknown block `{value}`; known: {known}"),
        ),
    )
}

/// The known names of each block kind, for messages.
pub fn known_measures() -> String {
    names(Measure::ALL, Measure::as_str)
}

/// The known populations, for messages.
pub fn known_populations() -> String {
    names(Population::ALL, Population::as_str)
}

/// Validates a whole definition, naming every failing field.
fn validate(input: DefinitionInput) -> DomainResult<Definition> {
    let mut e = Errors::new();
    let code = text(&mut e, "code", input.code, super::CODE_MAX, true);
    if let Some(err) = code.as_deref().and_then(code_error) {
        e.push(err);
    }
    let name = text(&mut e, "name", input.name, super::NAME_MAX, true);
    let description = text(&mut e, "description", input.description, super::DESCRIPTION_MAX, false);
    let source = text(&mut e, "source", input.source, super::NAME_MAX, true);
    let agreement_key = text(&mut e, "agreement_key", input.agreement_key, super::AGREEMENT_KEY_MAX, false);
    if let Some(err) = agreement_key.as_deref().and_then(agreement_key_error) {
        e.push(err);
    }
    for (field, missing) in [
        ("numerator", input.numerator.is_none()),
        ("accumulation", input.accumulation.is_none()),
        ("unit", input.unit.is_none()),
    ] {
        if missing {
            e.push(FieldError::required(field));
        }
    }
    for err in block_errors(input.numerator, input.denominator, input.unit, true) {
        e.push(err);
    }
    e.finish()?;
    match (code, name, source, input.numerator, input.accumulation, input.unit) {
        (Some(code), Some(name), Some(source), Some(numerator), Some(accumulation), Some(unit)) => Ok(Definition {
            code,
            name,
            description,
            numerator,
            denominator: input.denominator,
            accumulation,
            unit,
            source,
            agreement_key,
        }),
        _ => Err(crate::development::lost("monitoring definition")),
    }
}

fn builtin_named(code: &str) -> Option<Definition> {
    builtin().into_iter().find(|d| d.code == code)
}

fn read_only() -> DomainError {
    DomainError::Conflict {
        field: Some("origin".into()),
        message: Msg::new(
            "Встроенное определение задано программой и не изменяется; добавьте своё определение",
            "A built-in definition is defined by the code and cannot change; add a custom one instead",
        ),
        allowed: Vec::new(),
    }
}

fn frozen() -> DomainError {
    DomainError::Conflict {
        field: Some("status".into()),
        message: Msg::new("Определение выведено из употребления и не изменяется", "A retired definition cannot change"),
        allowed: Vec::new(),
    }
}

/// Every definition: the built-in ones, then the region's own (retired ones included).
pub async fn list_definitions(repo: &dyn MonitoringRepository, ctx: &Ctx) -> DomainResult<Vec<DefinitionRecord>> {
    ctx.actor.require(READERS)?;
    let mut out: Vec<DefinitionRecord> = builtin().into_iter().map(DefinitionRecord::builtin).collect();
    out.extend(repo.custom_definitions().await?);
    Ok(out)
}

/// The definitions computed now: the built-in ones and the active custom ones.
pub async fn active_definitions(repo: &dyn MonitoringRepository) -> DomainResult<Vec<Definition>> {
    let mut out = builtin();
    out.extend(
        repo.custom_definitions()
            .await?
            .into_iter()
            .filter(|r| r.status == DefinitionStatus::Active)
            .map(|r| r.definition),
    );
    Ok(out)
}

/// One definition by code.
pub async fn get_definition(repo: &dyn MonitoringRepository, ctx: &Ctx, code: &str) -> DomainResult<DefinitionRecord> {
    ctx.actor.require(READERS)?;
    match builtin_named(code) {
        Some(d) => Ok(DefinitionRecord::builtin(d)),
        None => repo.custom_definition(code).await,
    }
}

/// Adds a custom definition. Codes of built-in and of existing (also retired) definitions are
/// taken (409 naming `code`).
pub async fn create_definition(
    repo: &dyn MonitoringRepository,
    ctx: &Ctx,
    input: DefinitionInput,
) -> DomainResult<DefinitionRecord> {
    ctx.actor.require(WRITERS)?;
    let d = validate(input)?;
    if builtin_named(&d.code).is_some() {
        return Err(DomainError::conflict(
            "code",
            Msg::new("Код занят встроенным определением", "The code belongs to a built-in definition"),
        ));
    }
    let active = repo.custom_definitions().await?.iter().filter(|r| r.status == DefinitionStatus::Active).count();
    if active >= MAX_ACTIVE_CUSTOM {
        return Err(DomainError::Conflict {
            field: None,
            message: Msg::new(
                format!("Не более {MAX_ACTIVE_CUSTOM} действующих региональных определений; выведите ненужные"),
                format!("At most {MAX_ACTIVE_CUSTOM} active custom definitions; retire unused ones"),
            ),
            allowed: Vec::new(),
        });
    }
    repo.create_definition(ctx, d).await
}

/// Changes a custom definition (a new version); its code cannot change. Built-in and retired
/// definitions are read-only (409).
pub async fn update_definition(
    repo: &dyn MonitoringRepository,
    ctx: &Ctx,
    code: &str,
    expected_version: i64,
    patch: impl FnOnce(DefinitionInput) -> DomainResult<DefinitionInput>,
) -> DomainResult<DefinitionRecord> {
    ctx.actor.require(WRITERS)?;
    if builtin_named(code).is_some() {
        return Err(read_only());
    }
    let current = repo.custom_definition(code).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    if current.status == DefinitionStatus::Retired {
        return Err(frozen());
    }
    let input = patch(DefinitionInput::from(&current.definition))?;
    if input.code.as_deref().map(str::trim) != Some(code) {
        return Err(DomainError::field(
            "code",
            "immutable",
            Msg::new("Код определения не изменяется", "The code of a definition cannot change"),
        ));
    }
    let d = validate(input)?;
    repo.update_definition(ctx, code, expected_version, d).await
}

/// Retires a custom definition: it is no longer computed, stays readable, and its code stays
/// taken. Nothing is deleted.
pub async fn retire_definition(
    repo: &dyn MonitoringRepository,
    ctx: &Ctx,
    code: &str,
    expected_version: i64,
) -> DomainResult<DefinitionRecord> {
    ctx.actor.require(WRITERS)?;
    if builtin_named(code).is_some() {
        return Err(read_only());
    }
    let current = repo.custom_definition(code).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    if current.status == DefinitionStatus::Retired {
        return Err(DomainError::Conflict {
            field: Some("status".into()),
            message: Msg::new("Уже выведено из употребления", "Already retired"),
            allowed: Vec::new(),
        });
    }
    repo.retire_definition(ctx, code, expected_version).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_of_the_blocks_are_their_serde_names() {
        for m in Measure::ALL {
            assert_eq!(serde_json::to_value(m).ok(), Some(serde_json::Value::from(m.as_str())));
            assert_eq!(Measure::parse(m.as_str()), Some(*m));
        }
        for p in Population::ALL {
            assert_eq!(serde_json::to_value(p).ok(), Some(serde_json::Value::from(p.as_str())));
        }
    }

    #[test]
    fn every_builtin_definition_passes_the_rules_custom_ones_must_pass() {
        for d in builtin() {
            let input = DefinitionInput::from(&d);
            assert_eq!(validate(input).ok(), Some(d));
        }
    }

    #[test]
    fn a_population_foreign_to_the_measure_and_a_unit_that_does_not_fit_are_named() {
        let e = block_errors(Some(Measure::RegionalEvents), Some(Population::Teachers), Some(Unit::People), true);
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["denominator", "unit"]);
        let count = block_errors(Some(Measure::SchoolsWithMentoringPair), None, Some(Unit::Percent), true);
        assert_eq!(count.len(), 1);
        // In a merge patch an absent denominator is "not sent": no verdict on the unit yet.
        assert!(block_errors(Some(Measure::SchoolsWithMentoringPair), None, Some(Unit::Percent), false).is_empty());
        assert!(block_errors(Some(Measure::TeachersCompletedProgramme), None, Some(Unit::People), true).is_empty());
    }

    #[test]
    fn codes_and_agreement_keys_have_a_fixed_shape() {
        assert!(code_error("teachers_per_year_2").is_none());
        assert!(code_error("Bad code").is_some() && code_error("1abc").is_some() && code_error("ab").is_some());
        assert!(agreement_key_error("result.7").is_none() && agreement_key_error("indicator.12").is_none());
        assert!(agreement_key_error("result.07").is_some() && agreement_key_error("goal.1").is_some());
    }
}

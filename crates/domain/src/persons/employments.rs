//! People over time (issue 16.2): a person's employment periods (организация, категория
//! должности, с, по). Monitoring takes its populations from them as of the period it reports,
//! so a person who left, or whose organisation closed, drops out of later periods only. A
//! person without periods is taken by the current link (`organization_id`) and roles; the link
//! stays the current employment the scope rules follow.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Person, PersonRepository, READERS};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role, Scope},
    error::Errors,
    organizations::OrganizationRepository,
};

/// Roles that record employment history (those that change persons).
const WRITERS: &[Role] = &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization];

/// At most this many periods per person.
pub const MAX_PERIODS: usize = 50;

/// The category of a position (категория должности), what populations are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PositionCategory {
    /// Педагогический работник.
    Teacher,
    /// Руководитель.
    Head,
    /// Заместитель руководителя.
    DeputyHead,
    /// Методист.
    Methodologist,
    /// Сотрудник ЦНППМ.
    CnppmStaff,
}

impl PositionCategory {
    /// Every category.
    pub const ALL: &'static [PositionCategory] = &[
        PositionCategory::Teacher,
        PositionCategory::Head,
        PositionCategory::DeputyHead,
        PositionCategory::Methodologist,
        PositionCategory::CnppmStaff,
    ];

    /// Wire name (also the stored value).
    pub fn as_str(self) -> &'static str {
        match self {
            PositionCategory::Teacher => "teacher",
            PositionCategory::Head => "head",
            PositionCategory::DeputyHead => "deputy_head",
            PositionCategory::Methodologist => "methodologist",
            PositionCategory::CnppmStaff => "cnppm_staff",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// One employment period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employment {
    /// The employing organisation.
    pub organization_id: Uuid,
    /// Position category.
    pub category: PositionCategory,
    /// First day (`None`: since before the records).
    pub started_on: Option<NaiveDate>,
    /// Last day (`None`: still employed).
    pub ended_on: Option<NaiveDate>,
}

impl Employment {
    /// Whether the period is still open on `day`: not ended, or ending on that day or later (a
    /// period that starts later counts too).
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.ended_on.is_none_or(|end| end >= day)
    }
}

/// A period as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct EmploymentInput {
    /// Organisation.
    pub organization_id: Option<Uuid>,
    /// Category.
    pub category: Option<PositionCategory>,
    /// From.
    pub started_on: Option<NaiveDate>,
    /// To.
    pub ended_on: Option<NaiveDate>,
}

/// Checks the periods, naming `periods[i].<field>`: organisation and category required, a period
/// ends on or after it starts, two periods of one category do not overlap.
pub fn validate_periods(input: Vec<EmploymentInput>) -> DomainResult<Vec<Employment>> {
    let mut e = Errors::new();
    if input.len() > MAX_PERIODS {
        e.push(FieldError::new(
            "periods",
            "too_many",
            Msg::new(format!("Не более {MAX_PERIODS} периодов"), format!("At most {MAX_PERIODS} periods")),
        ));
    }
    let mut out = Vec::with_capacity(input.len());
    for (i, p) in input.into_iter().enumerate() {
        let at = |f: &str| format!("periods[{i}].{f}");
        if p.organization_id.is_none() {
            e.push(FieldError::required(at("organization_id")));
        }
        if p.category.is_none() {
            e.push(FieldError::required(at("category")));
        }
        if let (Some(from), Some(to)) = (p.started_on, p.ended_on)
            && to < from
        {
            e.push(FieldError::new(
                at("ended_on"),
                "before_start",
                Msg::new("Период заканчивается раньше, чем начинается", "The period ends before it starts"),
            ));
        }
        if let (Some(organization_id), Some(category)) = (p.organization_id, p.category) {
            out.push((i, Employment { organization_id, category, started_on: p.started_on, ended_on: p.ended_on }));
        }
    }
    for (n, (i, a)) in out.iter().enumerate() {
        let overlapping = out[..n].iter().any(|(_, b)| {
            b.category == a.category
                && a.started_on.is_none_or(|s| b.ended_on.is_none_or(|be| be >= s))
                && b.started_on.is_none_or(|s| a.ended_on.is_none_or(|ae| ae >= s))
        });
        if overlapping {
            e.push(FieldError::new(
                format!("periods[{i}].started_on"),
                "overlap",
                Msg::new(
                    "Период пересекается с другим периодом той же категории",
                    "The period overlaps another period of the same category",
                ),
            ));
        }
    }
    e.finish()?;
    let mut periods: Vec<Employment> = out.into_iter().map(|(_, p)| p).collect();
    periods.sort_by_key(|p| (p.started_on, p.category));
    Ok(periods)
}

/// A person's employment periods (readers of the person read them), oldest first.
pub async fn list_employments(
    repo: &dyn PersonRepository,
    ctx: &Ctx,
    id: Uuid,
) -> DomainResult<(Person, Vec<Employment>)> {
    ctx.actor.require(READERS)?;
    let person = repo.get(&ctx.actor.scope(), id).await?;
    let periods = repo.employments(person.id).await?;
    Ok((person, periods))
}

/// Replaces a person's employment history (a new version of the person, journaled like any
/// change of theirs). The organisations must exist; past ones may lie outside the caller's
/// scope (a teacher who moved in from another municipality), but a period still running on
/// `today` (no end, or an end not yet past) must be at an organisation within it: a caller does
/// not place staff into another organisation's current populations.
pub async fn replace_employments(
    repo: &dyn PersonRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    input: Vec<EmploymentInput>,
) -> DomainResult<(Person, Vec<Employment>)> {
    ctx.actor.require(WRITERS)?;
    let today = crate::clock::region_today();
    let current = repo.get(&ctx.actor.scope(), id).await?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let periods = validate_periods(input)?;
    let ids: Vec<Uuid> = periods.iter().map(|p| p.organization_id).collect();
    let known = orgs.visible(&Scope::All, &ids).await?;
    let running: Vec<Uuid> = periods.iter().filter(|p| p.open_on(today)).map(|p| p.organization_id).collect();
    let in_scope = match ctx.actor.scope() {
        Scope::All => running.clone(),
        scope => orgs.visible(&scope, &running).await?,
    };
    let mut e = Errors::new();
    for (i, p) in periods.iter().enumerate() {
        let field = format!("periods[{i}].organization_id");
        if !known.contains(&p.organization_id) {
            e.push(FieldError::new(
                field,
                "not_found",
                Msg::new("Организация не найдена", "The organisation does not exist"),
            ));
        } else if p.open_on(today) && !in_scope.contains(&p.organization_id) {
            e.push(FieldError::new(
                field,
                "out_of_scope",
                Msg::new(
                    "Текущий период работы — только в организации вашей области видимости",
                    "A current period must be at an organisation within your scope",
                ),
            ));
        }
    }
    e.finish()?;
    repo.replace_employments(ctx, id, expected_version, periods).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(cat: PositionCategory, from: Option<&str>, to: Option<&str>) -> EmploymentInput {
        EmploymentInput {
            organization_id: Some(Uuid::nil()),
            category: Some(cat),
            started_on: from.and_then(|s| s.parse().ok()),
            ended_on: to.and_then(|s| s.parse().ok()),
        }
    }

    fn fields(r: DomainResult<Vec<Employment>>) -> Vec<String> {
        match r {
            Err(DomainError::Validation(v)) => v.into_iter().map(|e| e.field).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn periods_of_one_category_may_follow_but_not_overlap_and_end_after_they_start() {
        use PositionCategory::*;
        let ok = validate_periods(vec![
            period(Teacher, Some("2023-09-01"), None),
            period(Teacher, Some("2020-09-01"), Some("2023-08-31")),
            period(DeputyHead, Some("2022-01-01"), None),
        ]);
        assert_eq!(ok.map(|v| v.len()).ok(), Some(3));
        let overlap = validate_periods(vec![
            period(Teacher, None, Some("2023-08-31")),
            period(Teacher, Some("2023-08-31"), None),
        ]);
        assert_eq!(fields(overlap), ["periods[1].started_on"]);
        let reversed = validate_periods(vec![period(Head, Some("2024-01-01"), Some("2023-01-01"))]);
        assert_eq!(fields(reversed), ["periods[0].ended_on"]);
    }
}

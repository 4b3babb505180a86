//! Recording and reading results. Recording is all-or-nothing and idempotent on
//! (campaign, person, competency); the bulk importer calls [`record_result`] per line.

use std::collections::HashSet;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{Campaign, DiagnosticRepository, DiagnosticResult, NewResult, Scale};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    audit::AuditRepository,
    auth::{Ctx, Role},
    error::Errors,
    page::{Page, PageRequest},
};

/// One result as a client sends it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultInput {
    /// Person.
    pub person_id: Option<Uuid>,
    /// Competency.
    pub competency_id: Option<Uuid>,
    /// Score (points scales).
    pub score: Option<f64>,
    /// Level (level scales).
    pub level: Option<String>,
    /// Date of the diagnostic.
    pub assessed_on: Option<NaiveDate>,
}

/// What a batch did (or would do, in a dry run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordSummary {
    /// New results.
    pub created: u64,
    /// Results whose value changed.
    pub updated: u64,
    /// Results sent again unchanged.
    pub unchanged: u64,
    /// Nothing was stored.
    pub dry_run: bool,
}

/// Filters of the result list.
#[derive(Debug, Clone, Default)]
pub struct ResultFilter {
    /// Campaign.
    pub campaign_id: Option<Uuid>,
    /// Person.
    pub person_id: Option<Uuid>,
    /// Competency.
    pub competency_id: Option<Uuid>,
    /// Only deficits.
    pub deficit: Option<bool>,
}

/// Roles that record results: the region, a municipality or an organisation (for persons in
/// their scope), and the federal exchange.
pub const RESULT_WRITERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Integration];

/// Roles that read individual results (analysts see aggregates only).
pub const READERS: &[Role] =
    &[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Tutor, Role::Teacher, Role::Integration];

/// Checks one result against the campaign and its scale; fields are named under `prefix`
/// (e.g. `items[3]`). `visible` holds the persons the caller may record for.
pub fn validate_result(
    campaign: &Campaign,
    visible: &HashSet<Uuid>,
    today: NaiveDate,
    prefix: &str,
    input: ResultInput,
    e: &mut Errors,
) -> Option<NewResult> {
    let f = |n: &str| if prefix.is_empty() { n.to_owned() } else { format!("{prefix}.{n}") };
    let mut ok = true;
    let mut fail = |e: &mut Errors, err: FieldError| {
        ok = false;
        e.push(err);
    };
    match input.person_id {
        None => fail(e, FieldError::required(f("person_id"))),
        Some(p) if !visible.contains(&p) => fail(
            e,
            FieldError::new(f("person_id"), "not_found", Msg::new("Человек не найден", "The person does not exist")),
        ),
        Some(_) => {}
    }
    match input.competency_id {
        None => fail(e, FieldError::required(f("competency_id"))),
        Some(c) if !campaign.competency_ids.contains(&c) => fail(
            e,
            FieldError::new(
                f("competency_id"),
                "not_in_campaign",
                Msg::new("Компетенция не входит в кампанию", "The campaign does not cover this competency"),
            ),
        ),
        Some(_) => {}
    }
    let level = input.level.map(|l| l.trim().to_owned());
    match &campaign.scale {
        Scale::Points { max, .. } => {
            match input.score {
                None => fail(e, FieldError::required(f("score"))),
                Some(s) if !s.is_finite() || s < 0.0 || s > *max => fail(
                    e,
                    FieldError::new(
                        f("score"),
                        "out_of_range",
                        Msg::new(format!("Балл — от 0 до {max}"), format!("The score must be 0–{max}")),
                    ),
                ),
                Some(_) => {}
            }
            if level.is_some() {
                fail(
                    e,
                    FieldError::new(
                        f("level"),
                        "not_allowed",
                        Msg::new("Шкала кампании — баллы, а не уровни", "The campaign's scale is points, not levels"),
                    ),
                );
            }
        }
        Scale::Levels { levels, .. } => {
            match &level {
                None => fail(e, FieldError::required(f("level"))),
                Some(l) if !levels.contains(l) => fail(
                    e,
                    FieldError::new(
                        f("level"),
                        "unknown_level",
                        Msg::new(
                            format!("Уровень не из шкалы: {}", levels.join(", ")),
                            format!("Not a level of the scale: {}", levels.join(", ")),
                        ),
                    ),
                ),
                Some(_) => {}
            }
            if input.score.is_some() {
                fail(
                    e,
                    FieldError::new(
                        f("score"),
                        "not_allowed",
                        Msg::new("Шкала кампании — уровни, а не баллы", "The campaign's scale is levels, not points"),
                    ),
                );
            }
        }
    }
    match input.assessed_on {
        None => fail(e, FieldError::required(f("assessed_on"))),
        Some(d) if d < campaign.period_start || d > campaign.period_end || d > today => fail(
            e,
            FieldError::new(
                f("assessed_on"),
                "out_of_period",
                Msg::new(
                    "Дата вне периода кампании или в будущем",
                    "The date lies outside the campaign's period or in the future",
                ),
            ),
        ),
        Some(_) => {}
    }
    if !ok {
        return None;
    }
    let (Some(person_id), Some(competency_id), Some(assessed_on)) =
        (input.person_id, input.competency_id, input.assessed_on)
    else {
        return None;
    };
    let deficit = campaign.scale.is_deficit(input.score, level.as_deref());
    Some(NewResult { person_id, competency_id, score: input.score, level, assessed_on, deficit })
}

/// Records a batch of results for a campaign: every item is checked first and any failure
/// rejects the whole batch (422 naming `items[i].field`); a person whose bases do not allow the
/// `diagnostics` purpose rejects it too (409 naming `items[i].person_id`, 152-ФЗ art. 6); then each (person, competency) is
/// created or updated in one transaction. A dry run checks and counts but stores nothing.
pub async fn record_results(
    repo: &dyn DiagnosticRepository,
    bases: &dyn crate::personal_data::PersonalDataRepository,
    ctx: &Ctx,
    campaign_id: Uuid,
    items: Vec<ResultInput>,
    dry_run: bool,
) -> DomainResult<RecordSummary> {
    let today = crate::clock::region_today();
    ctx.actor.require(RESULT_WRITERS)?;
    let campaign = repo.get_campaign(campaign_id).await?;
    if items.is_empty() {
        return Err(DomainError::field(
            "items",
            "empty",
            Msg::new("Нужен хотя бы один результат", "At least one result is needed"),
        ));
    }
    let ids: Vec<Uuid> = items.iter().filter_map(|i| i.person_id).collect::<HashSet<_>>().into_iter().collect();
    let visible = repo.visible_persons(&ctx.actor.scope(), &ids).await?;
    let mut e = Errors::new();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("items[{i}]");
        if let Some(r) = validate_result(&campaign, &visible, today, &prefix, item, &mut e) {
            if !seen.insert((r.person_id, r.competency_id)) {
                e.push(FieldError::new(
                    prefix,
                    "duplicate",
                    Msg::new(
                        "Результат этого человека по этой компетенции уже есть в пакете",
                        "The batch already holds this person's result in this competency",
                    ),
                ));
                continue;
            }
            out.push(r);
        }
    }
    e.finish()?;
    let persons: Vec<Uuid> = out.iter().map(|r| r.person_id).collect();
    crate::personal_data::require_purpose_for_each(bases, &persons, crate::personal_data::purposes::DIAGNOSTICS, |i| {
        format!("items[{i}].person_id")
    })
    .await?;
    repo.upsert_results(ctx, campaign_id, out, dry_run).await
}

/// Records one result (a line of the bulk import): the same checks as an item of a batch, its
/// fields named without a prefix (409 naming `person_id` without a `diagnostics` basis); the result is created, updated, or left unchanged on
/// (campaign, person, competency). A missing campaign is `NotFound`.
pub async fn record_result(
    repo: &dyn DiagnosticRepository,
    bases: &dyn crate::personal_data::PersonalDataRepository,
    ctx: &Ctx,
    campaign_id: Uuid,
    input: ResultInput,
) -> DomainResult<RecordSummary> {
    let today = crate::clock::region_today();
    ctx.actor.require(RESULT_WRITERS)?;
    let campaign = repo.get_campaign(campaign_id).await?;
    let ids: Vec<Uuid> = input.person_id.into_iter().collect();
    let visible = repo.visible_persons(&ctx.actor.scope(), &ids).await?;
    let mut e = Errors::new();
    let checked = validate_result(&campaign, &visible, today, "", input, &mut e);
    e.finish()?;
    let result = checked.ok_or_else(|| crate::development::lost("result"))?;
    crate::personal_data::require_purpose(bases, result.person_id, crate::personal_data::purposes::DIAGNOSTICS).await?;
    repo.upsert_results(ctx, campaign_id, vec![result], false).await
}

/// Lists results of persons in the caller's scope; every result shown is an audited read.
pub async fn list_results(
    repo: &dyn DiagnosticRepository,
    audit: &dyn AuditRepository,
    ctx: &Ctx,
    filter: &ResultFilter,
    page: PageRequest,
) -> DomainResult<Page<DiagnosticResult>> {
    ctx.actor.require(READERS)?;
    if let Some(c) = filter.campaign_id {
        repo.get_campaign(c).await?;
    }
    let page = repo.list_results(&ctx.actor.scope(), filter, page).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|r| r.id).collect();
    if !ids.is_empty() {
        audit.record_reads(ctx, "diagnostic_result", &ids).await?;
    }
    Ok(page)
}

//! `indicator-values`: actual values of agreement indicators (фактические значения, issue 6), as
//! `POST /api/v1/agreements/{id}/indicators/{indicator_id}/values` takes them, one per NDJSON line
//! or CSV row. A record names its agreement by `agreement_id`, or by `agreement_number` (with
//! `municipality_code` when the number alone is ambiguous), and its indicator by `indicator_id`
//! or by its key `indicator` (`indicator.1`, `result.7`); then `year`, `quarter` (omitted for the
//! year's value), `value`, `source`, `comment`.
//!
//! Values are never edited: a report of a period stands until a later report of the same period
//! replaces it (both kept). A record is matched with the standing value of its period
//! (`id_scheme=period`, the only one): the same value, source and comment again is `unchanged`;
//! another value is reported anew (`updated`, or `exists` in `mode=create`); a period without a
//! value is `created`. The report goes through the action of the API (scope, the signed-agreement
//! rule, flags, audit, change events).

use async_trait::async_trait;
use rsnms_domain::{
    DomainError, DomainResult, FieldError, Msg,
    agreements::{
        Agreement, AgreementFilter, Indicator, IndicatorValueInput, list_indicator_values, report_indicator_value,
    },
    auth::{Ctx, Role},
    exchange::{Applied, ImportOptions, Outcome, Unit},
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Dataset, may_update, parse_all, take_field};
use crate::dto::agreements::IndicatorValueWrite;

/// The indicator values dataset.
pub struct IndicatorValues;

fn not_found(field: &str, ru: &str, en: &str) -> DomainError {
    DomainError::field(field, "not_found", Msg::new(ru, en))
}

/// How a record names its agreement.
enum AgreementRef {
    Id(Uuid),
    Number(String, Option<String>),
}

/// How a record names its indicator.
enum IndicatorRef {
    Id(Uuid),
    Key(String),
}

fn either_required(field: &str, ru: &str, en: &str) -> FieldError {
    FieldError::new(field, "required", Msg::new(ru, en))
}

async fn agreement(unit: &dyn Unit, ctx: &Ctx, by: AgreementRef) -> DomainResult<Agreement> {
    let scope = ctx.actor.scope();
    match by {
        AgreementRef::Id(id) => match unit.agreements().get(&scope, id).await {
            Err(DomainError::NotFound) => Err(not_found(
                "agreement_id",
                "Соглашение не найдено в вашей области доступа",
                "The agreement does not exist within your scope",
            )),
            other => other,
        },
        AgreementRef::Number(number, municipality_code) => {
            let filter = AgreementFilter { municipality_code, ..AgreementFilter::current() };
            let mut found: Vec<Agreement> = unit
                .agreements()
                .all(&scope, &filter)
                .await?
                .into_iter()
                .filter(|a| a.document.number == number)
                .collect();
            match found.len() {
                0 => Err(not_found(
                    "agreement_number",
                    "Соглашения с таким номером нет в вашей области доступа",
                    "No agreement has this number within your scope",
                )),
                1 => found.pop().ok_or_else(|| DomainError::internal("agreement lost")),
                _ => Err(DomainError::field(
                    "agreement_number",
                    "ambiguous",
                    Msg::new(
                        "Соглашений с таким номером несколько: укажите municipality_code или agreement_id",
                        "Several agreements have this number: give municipality_code or agreement_id",
                    ),
                )),
            }
        }
    }
}

fn indicator(a: &Agreement, by: &IndicatorRef) -> DomainResult<Indicator> {
    let found = match by {
        IndicatorRef::Id(id) => a.document.indicator(*id),
        IndicatorRef::Key(key) => a.document.indicators.iter().find(|i| i.spec.key() == *key),
    };
    let field = if matches!(by, IndicatorRef::Id(_)) { "indicator_id" } else { "indicator" };
    found
        .cloned()
        .ok_or_else(|| not_found(field, "В соглашении нет такого показателя", "The agreement has no such indicator"))
}

#[async_trait]
impl Dataset for IndicatorValues {
    fn name(&self) -> &'static str {
        "indicator-values"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["period"]
    }

    fn writers(&self) -> &'static [Role] {
        rsnms_domain::agreements::REPORTERS
    }

    fn number_columns(&self) -> &'static [&'static str] {
        &["year", "quarter", "value"]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let mut errors = Vec::new();
        let agreement_id: Option<Uuid> = take_field(&mut record, "agreement_id", &mut errors);
        let number = take_field::<String>(&mut record, "agreement_number", &mut errors).map(|n| n.trim().to_owned());
        let municipality = take_field::<String>(&mut record, "municipality_code", &mut errors);
        let indicator_id: Option<Uuid> = take_field(&mut record, "indicator_id", &mut errors);
        let key = take_field::<String>(&mut record, "indicator", &mut errors).map(|k| k.trim().to_owned());
        let agreement_ref = match (agreement_id, number) {
            (Some(id), _) => Some(AgreementRef::Id(id)),
            (None, Some(n)) => Some(AgreementRef::Number(n, municipality)),
            (None, None) => {
                if !errors.iter().any(|e| e.field.starts_with("agreement")) {
                    errors.push(either_required(
                        "agreement_id",
                        "Укажите соглашение: agreement_id или agreement_number",
                        "Name the agreement: agreement_id or agreement_number",
                    ));
                }
                None
            }
        };
        let indicator_ref = match (indicator_id, key) {
            (Some(id), _) => Some(IndicatorRef::Id(id)),
            (None, Some(k)) => Some(IndicatorRef::Key(k)),
            (None, None) => {
                if !errors.iter().any(|e| e.field.starts_with("indicator")) {
                    errors.push(either_required(
                        "indicator_id",
                        "Укажите показатель: indicator_id или indicator (например, indicator.1)",
                        "Name the indicator: indicator_id or indicator (e.g. indicator.1)",
                    ));
                }
                None
            }
        };
        let dto: IndicatorValueWrite = parse_all(record, errors)?;
        let (Some(agreement_ref), Some(indicator_ref)) = (agreement_ref, indicator_ref) else {
            return Err(DomainError::internal("indicator value reference lost"));
        };
        let a = agreement(unit, ctx, agreement_ref).await?;
        let ind = indicator(&a, &indicator_ref)?;
        let input = IndicatorValueInput::from(dto);
        let standing = list_indicator_values(unit.agreements(), ctx, a.id, ind.id)
            .await?
            .into_iter()
            .rfind(|v| v.year == input.year && v.quarter == input.quarter);
        if standing.is_some() {
            may_update(opts, "period")?;
        }
        // Reported through the API's action; a report equal to the standing one is counted
        // unchanged and rolled back by the engine.
        let new = report_indicator_value(unit.agreements(), ctx, a.id, ind.id, input).await?;
        Ok(match standing {
            None => Outcome::Created.of(new.id),
            Some(s) if s.value == new.value && s.source == new.source && s.comment == new.comment => {
                Outcome::Unchanged.of(s.id)
            }
            Some(_) => Outcome::Updated.of(new.id),
        })
    }
}

//! `diagnostic-results`: results of a diagnostic campaign (результаты диагностики), one per
//! line: the campaign (`diagnostic_id`), the person (`person_id`, or with `id_scheme=snils` the
//! СНИЛС in `person_snils` or `snils`), the competency (`competency_id` or its `competency_code`),
//! the score or level and the date (`assessed_on`). Idempotent on (campaign, person,
//! competency): the same values again are `unchanged`, a new value `updated`. The checks are
//! those of `POST /diagnostics/{id}/results` ([`record_result`]).

use async_trait::async_trait;
use chrono::NaiveDate;
use rsnms_domain::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Ctx, Role},
    development::diagnostics::{RESULT_WRITERS, ResultInput, record_result},
    exchange::{Applied, ImportOptions, Outcome, Unit},
};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;
use validator::Validate;

use super::{Dataset, parse, person_by_snils};

/// The diagnostic results dataset.
pub struct DiagnosticResults;

/// One line of the dataset.
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
struct ResultRecord {
    /// The campaign.
    diagnostic_id: Option<Uuid>,
    /// The person (`id_scheme=id`).
    person_id: Option<Uuid>,
    /// The person's СНИЛС (`id_scheme=snils`).
    person_snils: Option<String>,
    /// The same, under the persons dataset's name.
    snils: Option<String>,
    /// The competency.
    competency_id: Option<Uuid>,
    /// The competency by its code in the framework (`М-1.2`).
    #[validate(length(min = 1, max = 32))]
    competency_code: Option<String>,
    /// Score (points scales).
    score: Option<f64>,
    /// Level (levels scales).
    level: Option<String>,
    /// Date of the diagnostic.
    assessed_on: Option<NaiveDate>,
}

impl crate::extract::ValueChecks for ResultRecord {}

fn not_found(field: &str, ru: &str, en: &str) -> FieldError {
    FieldError::new(field, "not_found", Msg::new(ru, en))
}

/// The person a line names: by id, or by СНИЛС in the caller's scope.
async fn person(
    unit: &dyn Unit,
    ctx: &Ctx,
    record: &Map<String, Value>,
    parsed: &ResultRecord,
    opts: &ImportOptions,
    errors: &mut Vec<FieldError>,
) -> DomainResult<Option<Uuid>> {
    if opts.id_scheme.as_str() != "snils" {
        return Ok(parsed.person_id);
    }
    let field = if parsed.snils.is_some() && parsed.person_snils.is_none() { "snils" } else { "person_snils" };
    match person_by_snils(unit, ctx, record, field).await {
        Ok(Some(p)) => Ok(Some(p.id)),
        Ok(None) => {
            errors.push(not_found(field, "Человек с таким СНИЛС не найден", "No person has this SNILS"));
            Ok(None)
        }
        Err(DomainError::Validation(fields)) => {
            errors.extend(fields);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The competency a line names: by id, or by code (both must then agree).
async fn competency(
    unit: &dyn Unit,
    parsed: &ResultRecord,
    errors: &mut Vec<FieldError>,
) -> DomainResult<Option<Uuid>> {
    let Some(code) = parsed.competency_code.as_deref().map(str::trim) else { return Ok(parsed.competency_id) };
    match unit.competencies().by_code(code).await? {
        None => {
            errors.push(not_found("competency_code", "Компетенции с таким кодом нет", "No competency has this code"));
            Ok(None)
        }
        Some(c) if parsed.competency_id.is_some_and(|id| id != c.id) => {
            errors.push(FieldError::new(
                "competency_code",
                "inconsistent",
                Msg::new("Код и competency_id называют разные компетенции", "The code and competency_id differ"),
            ));
            Ok(None)
        }
        Some(c) => Ok(Some(c.id)),
    }
}

#[async_trait]
impl Dataset for DiagnosticResults {
    fn name(&self) -> &'static str {
        "diagnostic-results"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id", "snils"]
    }

    fn writers(&self) -> &'static [Role] {
        RESULT_WRITERS
    }

    fn number_columns(&self) -> &'static [&'static str] {
        &["score"]
    }

    /// One result per (campaign, person, competency) in a file, as `POST /diagnostics/{id}/results`
    /// refuses a duplicate item: the person by id or by the digits of her СНИЛС, the competency by
    /// id or by code.
    fn file_key(&self, record: &Map<String, Value>, _opts: &ImportOptions) -> Option<String> {
        let text = |f: &str| record.get(f).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
        let campaign = text("diagnostic_id")?.to_lowercase();
        let person = match text("person_id") {
            Some(id) => id.to_lowercase(),
            None => {
                let digits: String =
                    text("person_snils").or_else(|| text("snils"))?.chars().filter(char::is_ascii_digit).collect();
                format!("snils:{digits}")
            }
        };
        let competency = match text("competency_id") {
            Some(id) => id.to_lowercase(),
            None => format!("code:{}", text("competency_code")?),
        };
        Some(format!("{campaign}|{person}|{competency}"))
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let parsed: ResultRecord = parse(record.clone())?;
        let mut errors = Vec::new();
        if parsed.diagnostic_id.is_none() {
            errors.push(FieldError::required("diagnostic_id"));
        }
        let person_id = person(unit, ctx, &record, &parsed, opts, &mut errors).await?;
        let competency_id = competency(unit, &parsed, &mut errors).await?;
        let Some(campaign_id) = parsed.diagnostic_id.filter(|_| errors.is_empty()) else {
            return Err(DomainError::Validation(errors));
        };
        let input = ResultInput {
            person_id,
            competency_id,
            score: parsed.score,
            level: parsed.level,
            assessed_on: parsed.assessed_on,
        };
        let summary = match record_result(unit.diagnostics(), unit.personal_data(), ctx, campaign_id, input).await {
            Err(DomainError::NotFound) => {
                return Err(DomainError::Validation(vec![not_found(
                    "diagnostic_id",
                    "Диагностика не найдена",
                    "The diagnostic campaign does not exist",
                )]));
            }
            other => other?,
        };
        // A result is read through its campaign, not by an id of its own: no id per line.
        let outcome = if summary.created > 0 {
            Outcome::Created
        } else if summary.updated > 0 {
            Outcome::Updated
        } else {
            Outcome::Unchanged
        };
        Ok(Applied { outcome, id: None })
    }
}

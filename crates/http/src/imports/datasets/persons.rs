//! `persons`: teachers, managers, tutors, methodologists, mentors; matched by `id` or by СНИЛС
//! (`id_scheme=snils`). An update is a merge patch of the record onto the stored person. New
//! persons of a batch are created together ([`create_persons`]: multi-row writes); matches and
//! repeated СНИЛС go line by line. A record may carry the person's employment history
//! (`employments`: an array of periods as `PUT /persons/{id}/employments` takes them, or that
//! array as JSON text in a CSV cell); it replaces the stored history after the person is written,
//! and such records go line by line.

use std::collections::HashSet;

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult, FieldError, Msg,
    auth::Ctx,
    exchange::{ImportMode, ImportOptions, Outcome, Unit},
    persons::{
        EmploymentInput, Person, PersonInput, create_person, create_persons, delete_person, replace_employments,
        update_person, validate_periods,
    },
};
use serde_json::{Map, Value};

use super::{
    Dataset, Pending, Prepared, match_id, may_create, may_update, org, parse, person_by_snils, snils_key, take_id,
    unchanged_but_bookkeeping,
};
use crate::{
    clock::moscow_today as today, dto::persons::PersonWrite, imports::refs::RefField, merge::apply_patch,
    routes::persons::EmploymentPeriod,
};

/// The `employments` of a record, taken out of it: `None` when absent; an array of periods, or
/// that array as JSON text (a CSV cell).
fn take_employments(record: &mut Map<String, Value>) -> DomainResult<Option<Vec<EmploymentInput>>> {
    let Some(v) = record.remove("employments") else { return Ok(None) };
    let v = match v {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        other => other,
    };
    serde_json::from_value::<Vec<EmploymentPeriod>>(v)
        .map(|ps| Some(ps.into_iter().map(EmploymentInput::from).collect()))
        .map_err(|e| {
            rsnms_domain::DomainError::Validation(vec![FieldError::new(
                "employments",
                "invalid_format",
                Msg::new(
                    format!("Периоды работы: массив периодов ({e})"),
                    format!("Employments: an array of periods ({e})"),
                ),
            )])
        })
}

/// The persons dataset.
pub struct Persons;

fn same(before: &Person, after: &Person) -> bool {
    unchanged_but_bookkeeping(before, after, |a, b| {
        a.version = b.version;
        a.updated_at = b.updated_at;
    })
}

#[async_trait]
impl Dataset for Persons {
    fn name(&self) -> &'static str {
        "persons"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id", "snils"]
    }

    fn modes(&self) -> &'static [ImportMode] {
        &[ImportMode::Create, ImportMode::Upsert, ImportMode::Update, ImportMode::Delete]
    }

    fn refs(&self) -> &'static [RefField] {
        const REFS: &[RefField] = &[org("organization_id")];
        REFS
    }

    fn list_columns(&self) -> &'static [&'static str] {
        &["roles", "subjects"]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Outcome> {
        let today = today();
        let scope = ctx.actor.scope();
        let employments = take_employments(&mut record)?;
        if let Some(periods) = &employments {
            // Checked before the person is written, so a bad period leaves nothing behind.
            validate_periods(periods.clone())?;
        }
        let existing = match opts.id_scheme.as_str() {
            "snils" => {
                record.remove("id");
                person_by_snils(unit, ctx, &record, "snils").await?
            }
            _ => match_id(&mut record, |id| unit.persons().get(&scope, id)).await?,
        };
        match existing {
            None => {
                may_create(opts, opts.id_scheme.as_str())?;
                let dto: PersonWrite = parse(record)?;
                let p = create_person(unit.persons(), unit.organizations(), ctx, dto.into(), today).await?;
                if let Some(periods) = employments {
                    replace_employments(unit.persons(), unit.organizations(), ctx, p.id, p.version, periods).await?;
                }
                Ok(Outcome::Created)
            }
            Some(current) if opts.mode == ImportMode::Delete => {
                delete_person(unit.persons(), ctx, current.id, current.version).await?;
                Ok(Outcome::Deleted)
            }
            Some(current) => {
                may_update(opts, opts.id_scheme.as_str())?;
                let patch = Value::Object(record);
                let after = update_person(
                    unit.persons(),
                    unit.organizations(),
                    ctx,
                    current.id,
                    current.version,
                    |input| apply_patch::<PersonWrite, _>(input, &patch),
                    today,
                )
                .await?;
                if let Some(periods) = employments {
                    replace_employments(unit.persons(), unit.organizations(), ctx, after.id, after.version, periods)
                        .await?;
                    return Ok(Outcome::Updated);
                }
                Ok(if same(&current, &after) { Outcome::Unchanged } else { Outcome::Updated })
            }
        }
    }

    /// A record that may create a person — no `id` (matching by id), a valid СНИЛС (matching by
    /// СНИЛС) — parsed into its write; others are left to [`Dataset::apply`].
    fn prepare(&self, record: &Map<String, Value>, opts: &ImportOptions) -> Option<Prepared> {
        if !matches!(opts.mode, ImportMode::Create | ImportMode::Upsert) || record.contains_key("employments") {
            return None;
        }
        let by_snils = opts.id_scheme.as_str() == "snils";
        let key = snils_key(record, "snils").ok();
        if by_snils && key.is_none() {
            return None;
        }
        let mut record = record.clone();
        // Matching by СНИЛС ignores `id`; matching by id leaves any `id` to the line path.
        if !matches!(take_id(&mut record), Ok(None)) && !by_snils {
            return None;
        }
        Some(Prepared::Person(Candidate { key, input: parse::<PersonWrite>(record).map(PersonInput::from) }))
    }

    /// Takes the prepared records that create a person whose СНИЛС no stored person in the
    /// caller's scope holds and no earlier record of the batch repeats (without matching by
    /// СНИЛС, a СНИЛС is only checked not to repeat). The rest — updates, repeats, bad keys — is
    /// left to [`Dataset::apply`].
    async fn apply_many(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        batch: &mut [Pending],
        _opts: &ImportOptions,
    ) -> DomainResult<()> {
        let mut candidates: Vec<(usize, Candidate)> = Vec::with_capacity(batch.len());
        for (i, p) in batch.iter_mut().enumerate() {
            if let Some(Prepared::Person(c)) = p.prepared.take() {
                candidates.push((i, c));
            }
        }
        let mut seen = stored_snils(unit, ctx, candidates.iter().filter_map(|(_, c)| c.key.clone()).collect()).await?;
        let mut taken = Vec::with_capacity(candidates.len());
        let mut inputs: Vec<PersonInput> = Vec::with_capacity(candidates.len());
        for (i, c) in candidates {
            if let Some(k) = c.key
                && !seen.insert(k)
            {
                continue;
            }
            match c.input {
                Ok(input) => {
                    taken.push(i);
                    inputs.push(input);
                }
                Err(e) => batch[i].result = Some(Err(e)),
            }
        }
        let created = create_persons(unit.persons(), unit.organizations(), ctx, inputs, today()).await?;
        for (i, result) in taken.into_iter().zip(created) {
            batch[i].result = Some(result.map(|_| Outcome::Created));
        }
        Ok(())
    }
}

/// A record prepared to create a person: its СНИЛС digits (when valid) and its parsed write.
#[derive(Debug)]
pub struct Candidate {
    key: Option<String>,
    input: DomainResult<PersonInput>,
}

/// The СНИЛС among `keys` that stored persons visible in the caller's scope hold.
async fn stored_snils(unit: &dyn Unit, ctx: &Ctx, keys: Vec<String>) -> DomainResult<HashSet<String>> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(unit.persons().snils_held(&ctx.actor.scope(), &keys).await?.into_iter().collect())
}

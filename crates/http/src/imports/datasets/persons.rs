//! `persons`: teachers, managers, tutors, methodologists, mentors; matched by `id` or by СНИЛС
//! (`id_scheme=snils`). An update is a merge patch of the record onto the stored person. New
//! persons of a batch are created together ([`create_persons`]: multi-row writes); the matched
//! persons of a batch are read together, merged in memory and the changed ones written together
//! ([`update_persons`]); repeated matches, changes of СНИЛС and bad keys go line by line. The
//! bases of processing a record carries (`processing_bases`, or the flat `basis_*` columns) are
//! checked before the batch is written and recorded with it ([`check_bases`],
//! [`record_checked_bases`]: one multi-row write); a record whose bases fail their check goes line
//! by line, which names the failure. A record may carry the person's employment history (`employments`: an array of periods as
//! `PUT /persons/{id}/employments` takes them, or that array as JSON text in a CSV cell); it
//! replaces the stored history after the person is written, and such records go line by line.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult, FieldError, Msg,
    auth::Ctx,
    exchange::{Applied, ImportMode, ImportOptions, Outcome, Unit},
    personal_data::{BasisInput, check_bases, record_bases, record_checked_bases},
    persons::{
        EmploymentInput, Person, PersonInput, create_person, create_persons, delete_person, replace_employments,
        update_person, update_persons, validate_periods,
    },
    values::Snils,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    Dataset, Pending, Prepared, Stored, match_id, may_create, may_update, org, parse, person_by_snils, snils_key,
    take_id,
};
use crate::{
    dto::persons::PersonWrite, imports::refs::RefField, merge::apply_patch, routes::persons::EmploymentPeriod,
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
    ) -> DomainResult<Applied> {
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
                bases_from_columns(&mut record);
                let dto: PersonWrite = parse(record)?;
                let bases = dto.bases();
                let p = create_person(unit.persons(), unit.organizations(), ctx, dto.into()).await?;
                record_bases(unit.personal_data(), ctx, p.id, bases).await?;
                if let Some(periods) = employments {
                    replace_employments(unit.persons(), unit.organizations(), ctx, p.id, p.version, periods).await?;
                }
                Ok(Outcome::Created.of(p.id))
            }
            Some(current) if opts.mode == ImportMode::Delete => {
                delete_person(unit.persons(), ctx, current.id, current.version).await?;
                Ok(Outcome::Deleted.of(current.id))
            }
            Some(current) => {
                may_update(opts, opts.id_scheme.as_str())?;
                bases_from_columns(&mut record);
                let patch = Value::Object(record);
                let after =
                    update_person(unit.persons(), unit.organizations(), ctx, current.id, current.version, |input| {
                        apply_patch::<PersonWrite, _>(input, &patch)
                    })
                    .await?;
                let recorded =
                    record_bases(unit.personal_data(), ctx, after.id, PersonWrite::bases_of_patch(&patch)).await?;
                if let Some(periods) = employments {
                    replace_employments(unit.persons(), unit.organizations(), ctx, after.id, after.version, periods)
                        .await?;
                    return Ok(Outcome::Updated.of(after.id));
                }
                let outcome = if current.unchanged_in(&after) && recorded.is_empty() {
                    Outcome::Unchanged
                } else {
                    Outcome::Updated
                };
                Ok(outcome.of(after.id))
            }
        }
    }

    /// A record that may create a person — no `id` (matching by id), a valid СНИЛС (matching by
    /// СНИЛС) — parsed into its write, and a record that may match a stored person — an `id`, a
    /// valid СНИЛС — kept as the patch to merge into it; others are left to [`Dataset::apply`].
    fn prepare(&self, record: &Map<String, Value>, opts: &ImportOptions) -> Option<Prepared> {
        if opts.mode == ImportMode::Delete || record.contains_key("employments") {
            return None;
        }
        let by_snils = opts.id_scheme.as_str() == "snils";
        let key = snils_key(record, "snils").ok();
        if by_snils && key.is_none() {
            return None;
        }
        let mut record = record.clone();
        // As the line path does, before the record is matched or parsed.
        bases_from_columns(&mut record);
        // Matching by СНИЛС ignores `id`; a malformed `id` is left to the line path.
        let id = match take_id(&mut record) {
            _ if by_snils => None,
            Ok(id) => id,
            Err(_) => return None,
        };
        let may_create = matches!(opts.mode, ImportMode::Create | ImportMode::Upsert) && id.is_none();
        let may_match = by_snils || id.is_some();
        let with_bases = |w: PersonWrite| (w.bases(), PersonInput::from(w));
        let input = match (may_create, may_match) {
            (false, false) => return None,
            (true, true) => Some(parse::<PersonWrite>(record.clone()).map(with_bases)),
            (true, false) => Some(parse::<PersonWrite>(std::mem::take(&mut record)).map(with_bases)),
            (false, true) => None,
        };
        Some(Prepared::Person(Candidate { key, id, patch: may_match.then_some(record), input }))
    }

    /// Takes, in one read of the stored persons the batch matches, (1) the prepared records
    /// that create a person whose СНИЛС no stored person in the caller's scope holds and no
    /// earlier record of the batch repeats (without matching by СНИЛС, a СНИЛС is only checked
    /// not to repeat), and (2) the first record of the batch matching each stored person, merged
    /// into it in memory — an unchanged one is not written, the changed ones are written
    /// together. The rest — a second match of a person, a change of СНИЛС, an unknown id, a
    /// malformed key — is left to [`Dataset::apply`], line by line after these.
    async fn apply_many(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        batch: &mut [Pending],
        opts: &ImportOptions,
    ) -> DomainResult<()> {
        let mut candidates: Vec<(usize, Candidate)> = Vec::with_capacity(batch.len());
        for (i, p) in batch.iter_mut().enumerate() {
            if let Some(Prepared::Person(c)) = p.prepared.take() {
                candidates.push((i, c));
            }
        }
        let by_snils = opts.id_scheme.as_str() == "snils";
        let ids: Vec<Uuid> = candidates.iter().filter_map(|(_, c)| c.id).collect();
        let keys: Vec<String> = candidates.iter().filter_map(|(_, c)| c.key.clone()).collect();
        let stored = if ids.is_empty() && keys.is_empty() {
            Vec::new()
        } else {
            unit.persons().find_many(&ctx.actor.scope(), &ids, &keys).await?
        };
        let mut seen: HashSet<String> = stored.iter().filter_map(|p| p.snils.clone()).collect();
        let stored_by_snils: HashMap<&str, &Person> =
            stored.iter().filter_map(|p| p.snils.as_deref().map(|s| (s, p))).collect();
        let stored_by_id: HashMap<Uuid, &Person> = stored.iter().map(|p| (p.id, p)).collect();
        let mut matched: HashSet<Uuid> = HashSet::new();
        let (mut taken, mut inputs, mut taken_bases) = (Vec::new(), Vec::new(), Vec::new());
        let (mut changed, mut updates, mut changed_bases) = (Vec::new(), Vec::new(), Vec::new());
        // The bases each record carries, checked as the line path checks them; a record whose
        // bases fail goes line by line, where the failure is named in line order.
        let carried: Vec<Vec<BasisInput>> = candidates
            .iter()
            .map(|(_, c)| {
                let matches = match (by_snils, c.id, c.key.as_deref()) {
                    (true, _, Some(k)) => stored_by_snils.contains_key(k),
                    (false, Some(id), _) => stored_by_id.contains_key(&id),
                    _ => false,
                };
                match (matches, &c.patch, &c.input) {
                    (true, Some(patch), _) => PersonWrite::bases_of_patch(&Value::Object(patch.clone())),
                    (false, _, Some(Ok((bases, _)))) => bases.clone(),
                    _ => Vec::new(),
                }
            })
            .collect();
        let checked = check_bases(unit.personal_data(), ctx, carried).await?;
        for ((i, c), bases) in candidates.into_iter().zip(checked) {
            let current = match (by_snils, c.id, c.key.as_deref()) {
                (true, _, Some(k)) => stored_by_snils.get(k).copied(),
                (false, Some(id), _) => stored_by_id.get(&id).copied(),
                _ => None,
            };
            if let Some(current) = current {
                if let Err(e) = may_update(opts, opts.id_scheme.as_str()) {
                    batch[i].result = Some(Err(e));
                    continue;
                }
                // A person matched again in this batch goes line by line, after the first match.
                if !matched.insert(current.id) {
                    continue;
                }
                let Some(patch) = c.patch else { continue };
                // Bad bases: line by line, after this first match (nothing of it is written).
                let Ok(bases) = bases else { continue };
                changed_bases.push(bases);
                let input = apply_patch::<PersonWrite, _>(PersonInput::from(current), &Value::Object(patch));
                // A change of СНИЛС goes line by line too: its conflicts are met in line order.
                if input.as_ref().is_ok_and(|input| !same_snils(input, current)) {
                    changed_bases.pop();
                    continue;
                }
                changed.push(i);
                updates.push((current.clone(), input));
                continue;
            }
            if c.id.is_some() {
                continue; // an unknown id: its error comes from the line path
            }
            let Some(input) = c.input else { continue };
            if let Some(k) = c.key
                && !seen.insert(k)
            {
                continue;
            }
            match input {
                // Bad bases: line by line, where its СНИЛС is still this record's to create.
                Ok(_) if bases.is_err() => {}
                Ok((_, input)) => {
                    taken.push(i);
                    inputs.push(input);
                    taken_bases.push(bases.unwrap_or_default());
                }
                Err(e) => batch[i].result = Some(Err(e)),
            }
        }
        let mut bases = Vec::new();
        let created = create_persons(unit.persons(), unit.organizations(), ctx, inputs).await?;
        for ((i, result), carried) in taken.into_iter().zip(created).zip(taken_bases) {
            if let Ok(p) = &result {
                bases.push((p.id, carried));
            }
            batch[i].result = Some(result.map(|p| Outcome::Created.of(p.id)));
        }
        let updated = update_persons(unit.persons(), unit.organizations(), ctx, updates).await?;
        for ((i, result), carried) in changed.into_iter().zip(updated).zip(changed_bases) {
            // A record carrying bases is `updated` even when the person's data is the same.
            let recorded = !carried.is_empty();
            if let Ok((p, _)) = &result {
                bases.push((p.id, carried));
            }
            batch[i].result =
                Some(result.map(|(p, changed)| {
                    if changed || recorded { Outcome::Updated } else { Outcome::Unchanged }.of(p.id)
                }));
        }
        record_checked_bases(unit.personal_data(), ctx, bases).await?;
        Ok(())
    }
}

/// Whether a merged input keeps the stored person's СНИЛС (an invalid one is its line's error).
fn same_snils(input: &PersonInput, current: &Person) -> bool {
    match input.snils.as_deref().map(|s| Snils::parse("snils", s)) {
        None => current.snils.is_none(),
        Some(Ok(s)) => current.snils.as_deref() == Some(s.digits()),
        Some(Err(_)) => true,
    }
}

/// The prefix of the columns that carry bases of processing in a flat (CSV) record.
const BASIS_COLUMN: &str = "basis_";
/// The suffixes of a basis's columns after `basis_<purpose>`, and the field each fills.
const BASIS_FIELDS: [(&str, &str); 5] = [
    ("_form", "consent_form"),
    ("_document", "document_ref"),
    ("_act", "legal_act"),
    ("_given_on", "given_on"),
    ("_valid_until", "valid_until"),
];

/// Turns the flat basis columns of a record into its `processing_bases`: `basis_<purpose>` holds
/// the kind (`consent`, `labour_relationship`, …; empty = none for that purpose), and
/// `basis_<purpose>_form`, `_document`, `_act`, `_given_on`, `_valid_until` its other fields
/// (see the README, "Bulk loads", and `docs/PERSONAL-DATA.md`). A record with `processing_bases` itself (JSON) is left as it is;
/// the bases are then checked by the one validator of bases, like the API's.
fn bases_from_columns(record: &mut Map<String, Value>) {
    let keys: Vec<String> = record.keys().filter(|k| k.starts_with(BASIS_COLUMN)).cloned().collect();
    if keys.is_empty() {
        return;
    }
    let mut by_purpose: std::collections::BTreeMap<String, Map<String, Value>> = std::collections::BTreeMap::new();
    for key in keys {
        let Some(value) =
            record.remove(&key).filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()) && !v.is_null())
        else {
            continue;
        };
        let rest = &key[BASIS_COLUMN.len()..];
        let (purpose, field) = BASIS_FIELDS
            .iter()
            .find_map(|(suffix, field)| rest.strip_suffix(suffix).map(|p| (p, *field)))
            .unwrap_or((rest, "kind"));
        by_purpose.entry(purpose.to_owned()).or_default().insert(field.to_owned(), value);
    }
    let bases: Vec<Value> = by_purpose
        .into_iter()
        .map(|(purpose, mut b)| {
            b.insert("purpose".into(), Value::String(purpose));
            Value::Object(b)
        })
        .collect();
    if !bases.is_empty() {
        record.insert("processing_bases".into(), Value::Array(bases));
    }
}

/// A record prepared ahead of its batch: its СНИЛС digits (when valid), the id it names
/// (matching by id), the patch to merge into a stored person it may match, and its parsed
/// write when it may create one.
#[derive(Debug)]
pub struct Candidate {
    key: Option<String>,
    id: Option<Uuid>,
    patch: Option<Map<String, Value>>,
    input: Option<DomainResult<(Vec<BasisInput>, PersonInput)>>,
}

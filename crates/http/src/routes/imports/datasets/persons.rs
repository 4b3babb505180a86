//! `persons`: teachers, managers, tutors, methodologists, mentors; matched by `id` or by СНИЛС
//! (`id_scheme=snils`). An update is a merge patch of the record onto the stored person.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::Ctx,
    exchange::{ImportOptions, Outcome, Unit},
    persons::{Person, create_person, update_person},
};
use serde_json::{Map, Value};

use super::{Dataset, match_id, may_update, parse, person_by_snils, unchanged_but_bookkeeping};
use crate::{
    merge::apply_patch,
    routes::persons::{PersonWrite, today},
};

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
        let existing = match opts.id_scheme.as_str() {
            "snils" => {
                record.remove("id");
                person_by_snils(unit, ctx, &record, "snils").await?
            }
            _ => match_id(&mut record, |id| unit.persons().get(&scope, id)).await?,
        };
        match existing {
            None => {
                let dto: PersonWrite = parse(record)?;
                create_person(unit.persons(), unit.organizations(), ctx, dto.into(), today).await?;
                Ok(Outcome::Created)
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
                Ok(if same(&current, &after) { Outcome::Unchanged } else { Outcome::Updated })
            }
        }
    }
}

//! `mentoring-pairs`: mentoring pairs (пары наставничества); matched by `id`. An update is a
//! merge patch of the record onto the stored pair; every pair is checked in the caller's scope
//! (the mentee and the organisation), as through the API.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::{Ctx, Role},
    development::mentoring::{Deps, MentoringPair, WRITERS, create_mentoring_pair, update_mentoring_pair},
    exchange::{Applied, ImportMode, ImportOptions, Outcome, Unit},
};
use serde_json::{Map, Value};

use super::{
    Dataset, UPDATABLE, competency, match_id, may_create, may_update, org, parse, person, unchanged_but_bookkeeping,
};
use crate::{dto::mentoring_pairs::MentoringPairWrite, imports::refs::RefField, merge::apply_patch};

/// The mentoring pairs dataset.
pub struct MentoringPairs;

fn same(before: &MentoringPair, after: &MentoringPair) -> bool {
    unchanged_but_bookkeeping(before, after, |a, b| {
        a.version = b.version;
        a.updated_at = b.updated_at;
    })
}

#[async_trait]
impl Dataset for MentoringPairs {
    fn name(&self) -> &'static str {
        "mentoring-pairs"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn modes(&self) -> &'static [ImportMode] {
        UPDATABLE
    }

    fn refs(&self) -> &'static [RefField] {
        const REFS: &[RefField] =
            &[person("mentor_id"), person("mentee_id"), org("organization_id"), competency("competency_ids")];
        REFS
    }

    fn writers(&self) -> &'static [Role] {
        WRITERS
    }

    fn list_columns(&self) -> &'static [&'static str] {
        &["competency_ids"]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let scope = ctx.actor.scope();
        let deps = Deps {
            mentoring: unit.mentoring(),
            persons: unit.persons(),
            orgs: unit.organizations(),
            competencies: unit.competencies(),
        };
        match match_id(&mut record, |id| unit.mentoring().get(&scope, id)).await? {
            None => {
                may_create(opts, opts.id_scheme.as_str())?;
                let dto: MentoringPairWrite = parse(record)?;
                let created = create_mentoring_pair(deps, ctx, dto.into()).await?;
                Ok(Outcome::Created.of(created.id))
            }
            Some(current) => {
                may_update(opts, "id")?;
                let patch = Value::Object(record);
                let after = update_mentoring_pair(deps, ctx, current.id, current.version, |input| {
                    apply_patch::<MentoringPairWrite, _>(input, &patch)
                })
                .await?;
                Ok(if same(&current, &after) { Outcome::Unchanged } else { Outcome::Updated }.of(after.id))
            }
        }
    }
}

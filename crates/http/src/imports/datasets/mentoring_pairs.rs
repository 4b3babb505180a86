//! `mentoring-pairs`: mentoring pairs (пары наставничества); matched by `id`. An update is a
//! merge patch of the record onto the stored pair; every pair is checked in the caller's scope
//! (the mentee and the organisation), as through the API.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::{Ctx, Role},
    development::mentoring::{Deps, WRITERS, create_mentoring_pair, update_mentoring_pair},
    exchange::{Applied, ImportMode, ImportOptions, Unit},
};
use serde_json::{Map, Value};

use super::{Dataset, RecordPatch, UPDATABLE, competency, create_or_patch, match_id, org, person};
use crate::{dto::mentoring_pairs::MentoringPairWrite, imports::refs::RefField};

/// The mentoring pairs dataset.
pub struct MentoringPairs;

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
        let existing = match_id(&mut record, |id| unit.mentoring().get(&scope, id)).await?;
        let deps = Deps {
            mentoring: unit.mentoring(),
            persons: unit.persons(),
            orgs: unit.organizations(),
            competencies: unit.competencies(),
        };
        let create = |input| create_mentoring_pair(deps, ctx, input);
        let update = |id, version, patch: RecordPatch<MentoringPairWrite>| {
            update_mentoring_pair(deps, ctx, id, version, patch.onto())
        };
        create_or_patch(existing, record, opts, create, update).await
    }
}

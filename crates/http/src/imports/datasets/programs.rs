//! `programs`: additional professional programmes (ДПП); matched by `id` or by the federal
//! registry id (`id_scheme=registry_id`). An update is a merge patch of the record onto the
//! stored programme.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult, FieldError,
    auth::{Ctx, Role},
    development::programs::{Deps, WRITERS, create_program, update_program},
    exchange::{Applied, ImportMode, ImportOptions, Unit},
};
use serde_json::{Map, Value};

use super::{Dataset, RecordPatch, UPDATABLE, competency, create_or_patch, match_id, natural_key, org};
use crate::{dto::programs::ProgramWrite, imports::refs::RefField};

/// The programmes dataset.
pub struct Programs;

/// A registry id as matched: trimmed, not empty.
fn registry_key(raw: &str) -> Result<String, FieldError> {
    let key = raw.trim();
    if key.is_empty() { Err(FieldError::required("registry_id")) } else { Ok(key.to_owned()) }
}

#[async_trait]
impl Dataset for Programs {
    fn name(&self) -> &'static str {
        "programs"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id", "registry_id"]
    }

    fn modes(&self) -> &'static [ImportMode] {
        UPDATABLE
    }

    fn refs(&self) -> &'static [RefField] {
        const REFS: &[RefField] = &[org("developer_id"), competency("competency_ids")];
        REFS
    }

    fn writers(&self) -> &'static [Role] {
        WRITERS
    }

    fn list_columns(&self) -> &'static [&'static str] {
        &["competency_ids"]
    }

    fn number_columns(&self) -> &'static [&'static str] {
        &["hours"]
    }

    fn bool_columns(&self) -> &'static [&'static str] {
        &["federal_registry"]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let existing = match opts.id_scheme.as_str() {
            "registry_id" => {
                record.remove("id");
                let key = natural_key(&record, "registry_id", registry_key)?;
                unit.programs().by_registry_id(&key).await?
            }
            _ => match_id(&mut record, |id| unit.programs().get(id)).await?,
        };
        let deps = Deps { programs: unit.programs(), competencies: unit.competencies(), orgs: unit.organizations() };
        create_or_patch(
            existing,
            record,
            opts,
            |input| create_program(deps, ctx, input),
            |id, version, patch: RecordPatch<ProgramWrite>| update_program(deps, ctx, id, version, patch.onto()),
        )
        .await
    }
}

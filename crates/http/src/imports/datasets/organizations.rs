//! `organizations`: network participants; matched by `id` or by ИНН (`id_scheme=inn`). An
//! update is a merge patch of the record onto the stored organisation.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::Ctx,
    exchange::{Applied, ImportMode, ImportOptions, Unit},
    organizations::{Organization, OrganizationFilter, create_organization, update_organization},
    page::PageRequest,
    values::Inn,
};
use serde_json::{Map, Value};

use super::{Dataset, RecordPatch, UPDATABLE, create_or_patch, match_id, natural_key, org, person};
use crate::{dto::organizations::OrganizationWrite, imports::refs::RefField};

/// The organisations dataset.
pub struct Organizations;

async fn by_inn(unit: &dyn Unit, ctx: &Ctx, record: &Map<String, Value>) -> DomainResult<Option<Organization>> {
    let inn = natural_key(record, "inn", |raw| Inn::parse("inn", raw).map(|i| i.as_str().to_owned()))?;
    let filter = OrganizationFilter { inn: Some(inn), ..OrganizationFilter::default() };
    let page = unit
        .organizations()
        .list(&ctx.actor.scope(), &filter, PageRequest { limit: 1, after: None, ..PageRequest::default() })
        .await?;
    Ok(page.items.into_iter().next())
}

#[async_trait]
impl Dataset for Organizations {
    fn name(&self) -> &'static str {
        "organizations"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id", "inn"]
    }

    fn modes(&self) -> &'static [ImportMode] {
        UPDATABLE
    }

    fn refs(&self) -> &'static [RefField] {
        const REFS: &[RefField] = &[org("parent_id"), person("responsible_person_id")];
        REFS
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let scope = ctx.actor.scope();
        let existing = match opts.id_scheme.as_str() {
            "inn" => {
                record.remove("id");
                by_inn(unit, ctx, &record).await?
            }
            _ => match_id(&mut record, |id| unit.organizations().get(&scope, id)).await?,
        };
        create_or_patch(
            existing,
            record,
            opts,
            |input| create_organization(unit.organizations(), unit.persons(), ctx, input),
            |id, version, patch: RecordPatch<OrganizationWrite>| {
                update_organization(unit.organizations(), unit.persons(), ctx, id, version, patch.onto())
            },
        )
        .await
    }
}

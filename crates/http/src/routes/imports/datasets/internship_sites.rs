//! `internship-sites`: internship sites (стажировочные площадки) of the region; matched by
//! `id`. An update is a merge patch of the record onto the stored site (administrators and
//! ЦНППМ operators only).

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::{Ctx, Role},
    development::events::{OfferingKind, create_offering, update_offering, writers},
    exchange::{ImportOptions, Outcome, Unit},
};
use serde_json::{Map, Value};

use super::{Dataset, events::same, match_id, may_update, parse};
use crate::{merge::apply_patch, routes::internship_sites::InternshipSiteWrite};

/// The internship sites dataset.
pub struct InternshipSites;

#[async_trait]
impl Dataset for InternshipSites {
    fn name(&self) -> &'static str {
        "internship-sites"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn writers(&self) -> &'static [Role] {
        writers(OfferingKind::InternshipSite)
    }

    fn list_columns(&self) -> &'static [&'static str] {
        &["competency_ids"]
    }

    fn number_columns(&self) -> &'static [&'static str] {
        &["capacity"]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Outcome> {
        let kind = OfferingKind::InternshipSite;
        match match_id(&mut record, |id| unit.offerings().get(kind, id)).await? {
            None => {
                let dto: InternshipSiteWrite = parse(record)?;
                create_offering(unit.offerings(), unit.competencies(), unit.organizations(), ctx, kind, dto.into())
                    .await?;
                Ok(Outcome::Created)
            }
            Some(current) => {
                may_update(opts, "id")?;
                let patch = Value::Object(record);
                let after = update_offering(
                    unit.offerings(),
                    unit.competencies(),
                    unit.organizations(),
                    ctx,
                    kind,
                    current.id,
                    current.version,
                    |input| apply_patch::<InternshipSiteWrite, _>(input, &patch),
                )
                .await?;
                Ok(if same(&current, &after) { Outcome::Unchanged } else { Outcome::Updated })
            }
        }
    }
}

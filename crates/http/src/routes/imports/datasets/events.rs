//! `events`: regional, municipal and institutional methodological events (методические
//! мероприятия); matched by `id`. An update is a merge patch of the record onto the stored
//! event; a municipality imports events of organisers in its scope.

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::{Ctx, Role},
    development::events::{Offering, OfferingKind, create_offering, update_offering, writers},
    exchange::{ImportOptions, Outcome, Unit},
};
use serde_json::{Map, Value};

use super::{Dataset, match_id, may_update, parse, unchanged_but_bookkeeping};
use crate::{merge::apply_patch, routes::events::EventWrite};

/// The events dataset.
pub struct Events;

/// Whether an upsert changed nothing but the bookkeeping.
pub(super) fn same(before: &Offering, after: &Offering) -> bool {
    unchanged_but_bookkeeping(before, after, |a, b| {
        a.version = b.version;
        a.updated_at = b.updated_at;
    })
}

#[async_trait]
impl Dataset for Events {
    fn name(&self) -> &'static str {
        "events"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn writers(&self) -> &'static [Role] {
        writers(OfferingKind::Event)
    }

    fn list_columns(&self) -> &'static [&'static str] {
        &["competency_ids"]
    }

    fn number_columns(&self) -> &'static [&'static str] {
        &["participants"]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Outcome> {
        let kind = OfferingKind::Event;
        match match_id(&mut record, |id| unit.offerings().get(kind, id)).await? {
            None => {
                let dto: EventWrite = parse(record)?;
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
                    |input| apply_patch::<EventWrite, _>(input, &patch),
                )
                .await?;
                Ok(if same(&current, &after) { Outcome::Unchanged } else { Outcome::Updated })
            }
        }
    }
}

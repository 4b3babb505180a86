//! `events` and `internship-sites`: the two kinds of offering (методические мероприятия and
//! стажировочные площадки), one dataset shape each over the offerings' own actions; matched by
//! `id`. An update is a merge patch of the record onto the stored offering; writers are the
//! kind's own (a municipality imports events of organisers in its scope; internship sites are
//! administrators' and ЦНППМ operators').

use std::marker::PhantomData;

use async_trait::async_trait;
use rsnms_domain::{
    DomainResult,
    auth::{Ctx, Role},
    development::events::{Deps, OfferingInput, OfferingKind, create_offering, update_offering, writers},
    exchange::{Applied, ImportMode, ImportOptions, Unit},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use validator::Validate;

use super::{Dataset, RecordPatch, UPDATABLE, competency, create_or_patch, match_id, org};
use crate::{
    dto::{events::EventWrite, internship_sites::InternshipSiteWrite},
    extract::ValueChecks,
    imports::refs::RefField,
};

/// A dataset of one kind of offering, parsed with its `…Write` DTO `W`.
pub struct Offerings<W> {
    name: &'static str,
    kind: OfferingKind,
    list_columns: &'static [&'static str],
    number_columns: &'static [&'static str],
    refs: &'static [RefField],
    write: PhantomData<fn() -> W>,
}

/// The events dataset.
pub static EVENTS: Offerings<EventWrite> = Offerings {
    name: "events",
    kind: OfferingKind::Event,
    list_columns: &["competency_ids"],
    number_columns: &["participants"],
    refs: &[org("organizer_id"), competency("competency_ids")],
    write: PhantomData,
};

/// The internship sites dataset.
pub static INTERNSHIP_SITES: Offerings<InternshipSiteWrite> = Offerings {
    name: "internship-sites",
    kind: OfferingKind::InternshipSite,
    list_columns: &["competency_ids"],
    number_columns: &["capacity"],
    refs: &[org("organization_id"), competency("competency_ids")],
    write: PhantomData,
};

#[async_trait]
impl<W> Dataset for Offerings<W>
where
    OfferingInput: From<W>,
    W: From<OfferingInput> + Serialize + DeserializeOwned + Validate + ValueChecks + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id"]
    }

    fn modes(&self) -> &'static [ImportMode] {
        UPDATABLE
    }

    fn refs(&self) -> &'static [RefField] {
        self.refs
    }

    fn writers(&self) -> &'static [Role] {
        writers(self.kind)
    }

    fn list_columns(&self) -> &'static [&'static str] {
        self.list_columns
    }

    fn number_columns(&self) -> &'static [&'static str] {
        self.number_columns
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let kind = self.kind;
        let existing = match_id(&mut record, |id| unit.offerings().get(kind, id)).await?;
        let deps = Deps { offerings: unit.offerings(), competencies: unit.competencies(), orgs: unit.organizations() };
        let create = |input| create_offering(deps, ctx, kind, input);
        let update = |id, version, patch: RecordPatch<W>| update_offering(deps, ctx, kind, id, version, patch.onto());
        create_or_patch(existing, record, opts, create, update).await
    }
}

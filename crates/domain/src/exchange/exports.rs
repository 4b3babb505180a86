//! Exports for the federal digital ecosystem of DPO: who may export, whose personal data an export
//! may carry, and the audit of the personal data it shows — the rules, kept here so that every
//! export (regional passport, routes, programs, diagnostics) follows the same ones.

use std::collections::HashSet;

use uuid::Uuid;

use crate::{
    DomainResult,
    audit::AuditRepository,
    auth::{Ctx, Role},
    personal_data::{Bases, PersonalDataRepository, purposes::FEDERAL_EXCHANGE},
};

/// Roles that may export: the region's administration, the operator and the federal integration.
pub const EXPORTERS: &[Role] = &[Role::Admin, Role::Operator, Role::Integration];

/// Refuses (403) a caller whose role may not export.
pub fn authorize_export(ctx: &Ctx) -> DomainResult<()> {
    ctx.actor.require(EXPORTERS)
}

/// Which of these persons the federal exchange may carry personal data of today: those with a
/// basis in force for `federal_exchange` (or none recorded at all, the transition; see
/// `docs/PERSONAL-DATA.md`). Everyone else is exported without her personal data.
pub async fn federal_exchange_allowed(repo: &dyn PersonalDataRepository, ids: &[Uuid]) -> DomainResult<HashSet<Uuid>> {
    let bases = Bases::of(repo.bases_of(ids).await?);
    let today = crate::clock::region_today();
    Ok(ids.iter().copied().filter(|id| bases.allows(*id, FEDERAL_EXCHANGE, today)).collect())
}

/// Records that an export showed the personal data of these persons (nothing when none).
pub async fn audit_export_reads(audit: &dyn AuditRepository, ctx: &Ctx, person_ids: &[Uuid]) -> DomainResult<()> {
    if person_ids.is_empty() {
        return Ok(());
    }
    audit.record_reads(ctx, "person", person_ids).await
}

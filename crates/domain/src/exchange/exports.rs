//! Exports for the federal digital ecosystem of DPO: who may export, whose personal data an export
//! may carry, and the audit of the personal data it shows — the rules, kept here so that every
//! export (regional passport, routes, programs, diagnostics) follows the same ones.

use std::collections::HashSet;

use uuid::Uuid;

use crate::{
    DomainError, DomainResult, Msg,
    audit::AuditRepository,
    auth::{Ctx, Role, Scope},
    personal_data::{Bases, PersonalDataRepository, purposes::FEDERAL_EXCHANGE},
};

/// Roles that may export: the region's administration, the operator and the federal
/// integration (any territory), a municipal authority (its own municipality only, see
/// [`export_territory`]).
pub const EXPORTERS: &[Role] = &[Role::Admin, Role::Operator, Role::Integration, Role::Municipal];

/// Refuses (403) a caller whose role may not export.
pub fn authorize_export(ctx: &Ctx) -> DomainResult<()> {
    ctx.actor.require(EXPORTERS)
}

/// The territory `(region_code, municipality_code)` an export covers for this caller: what a
/// regional role asks; a municipal authority's own municipality whatever it leaves out — asking
/// another region or municipality is refused (403), as is a municipal account bound to none.
pub fn export_territory(
    ctx: &Ctx,
    region_code: Option<String>,
    municipality_code: Option<String>,
) -> DomainResult<(Option<String>, Option<String>)> {
    authorize_export(ctx)?;
    let outside = || {
        DomainError::Forbidden(Msg::new(
            "Выгрузка доступна только по своей территории",
            "An export is available for your own territory only",
        ))
    };
    match ctx.actor.scope() {
        Scope::All => Ok((region_code, municipality_code)),
        Scope::Municipality { region_code: own_region, municipality_code: own } => {
            if region_code.is_some_and(|r| r != own_region) || municipality_code.is_some_and(|m| m != own) {
                return Err(outside());
            }
            Ok((Some(own_region), Some(own)))
        }
        _ => Err(outside()),
    }
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

//! The audit trail: every create, update and delete, and every read of personal data, with
//! who, what, when and the request id. Changes write their audit records inside their own
//! transaction (persistence does it); reads are recorded through [`AuditRepository`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{
    DomainResult,
    auth::{Ctx, Role},
    page::{Page, PageRequest},
};

/// One audit record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Id (UUID v7, so in time order).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// The acting account.
    pub actor_subject: String,
    /// Its role.
    pub actor_role: String,
    /// `create`, `update`, `delete`, `read_personal_data`, or an action name such as `close`.
    pub action: String,
    /// Resource type, e.g. `person`.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Option<Uuid>,
    /// Request id.
    pub request_id: String,
    /// Further details (never personal data).
    pub details: serde_json::Value,
}

/// Filters of the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Resource type.
    pub resource_type: Option<String>,
    /// Resource id.
    pub resource_id: Option<Uuid>,
    /// Acting account.
    pub actor_subject: Option<String>,
    /// Action.
    pub action: Option<String>,
}

/// Reading and recording the audit trail.
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Records reads of personal data of the given resources (one record per resource).
    async fn record_reads(&self, ctx: &Ctx, resource_type: &str, ids: &[Uuid]) -> DomainResult<()>;
    /// Lists records, oldest first.
    async fn list(&self, filter: &AuditFilter, page: PageRequest) -> DomainResult<Page<AuditRecord>>;
}

/// Lists the audit trail: administrators only.
pub async fn list_audit(
    repo: &dyn AuditRepository,
    ctx: &Ctx,
    filter: &AuditFilter,
    page: PageRequest,
) -> DomainResult<Page<AuditRecord>> {
    ctx.actor.require(&[Role::Admin])?;
    repo.list(filter, page).await
}

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use rsnms_domain::audit::{AuditFilter, AuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// One audit record (запись журнала аудита).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Id (UUID v7, time-ordered).
    pub id: Uuid,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Acting account id.
    pub actor_subject: String,
    /// Its role.
    pub actor_role: String,
    /// `create`, `update`, `delete`, `read_personal_data` or a lifecycle action.
    pub action: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Option<Uuid>,
    /// Request id (matches `X-Request-Id` and the log).
    pub request_id: String,
}

impl From<AuditRecord> for AuditView {
    fn from(r: AuditRecord) -> Self {
        AuditView {
            id: r.id,
            at: r.at,
            actor_subject: r.actor_subject,
            actor_role: r.actor_role,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            request_id: r.request_id,
        }
    }
}

crate::list_schema!(AuditList, AuditView, "A page of audit records.");

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Resource type, e.g. `person`.
    resource_type: Option<String>,
    /// Resource id.
    resource_id: Option<Uuid>,
    /// Acting account id.
    actor: Option<String>,
    /// Action.
    action: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
}

/// Read the audit trail, oldest first (administrators only).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses((status = 200, description = "A page of audit records", body = AuditList), ReadErrors),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor, ..PageQuery::default() }.to_request()?;
    let filter = AuditFilter {
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        actor_subject: q.actor,
        action: q.action,
    };
    let found = rsnms_domain::audit::list_audit(state.audit.as_ref(), &ctx, &filter, page).await?;
    Ok(respond(&req, found, AuditView::from))
}

use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use uuid::Uuid;

use super::dto::{AppliedTeacher, AppliedTemplate, ApplyTemplateRequest};
use crate::{
    AppState,
    auth::Auth,
    extract::Body,
    openapi::CreateErrors,
    problem::{ApiError, ApiResult, Lang},
    routes::individual_routes::RouteView,
};

/// Apply a template to a group of teachers (применить шаблон к группе): each teacher gets her own
/// draft route built from the template — the template's deficits and steps, the tutor, period and
/// campaigns given here — created exactly as `POST /routes` creates one, so every rule holds for
/// each (her scope, her open deficits, the tutor's territory, no overlapping route, the basis of
/// processing).
///
/// **Per teacher, not all-or-nothing**: teachers differ (one may lack a deficit or already have a
/// route), so each is created or refused on her own; the answer (200) lists every teacher in the
/// order given with `status` 201 and her `route`, or the refusal's status and `problem` (naming
/// the field; a teacher outside the caller's scope is refused as unknown: 422 naming `person_id`). Each route
/// is written in its own transaction: nothing of a refused teacher is written. A request-wide
/// mistake (no teachers, more than 100, one listed twice, no tutor or period) is a 422 and
/// creates nothing. Safe to retry with `Idempotency-Key` (the first answer is replayed); without
/// it, a retry refuses the teachers who got their route (409 naming `period_start`).
/// Administrators, ЦНППМ operators, a municipality or an organisation.
#[utoipa::path(
    tag = "routes",
    request_body = ApplyTemplateRequest,
    params(
        ("id" = Uuid, Path, description = "Template id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")
    ),
    responses((status = 200, description = "The outcome of every teacher", body = AppliedTemplate), CreateErrors),
    security(("bearer" = []))
)]
#[post("/route-templates/{id}/apply")]
pub async fn apply_route_template(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Body(dto): Body<ApplyTemplateRequest>,
) -> ApiResult<HttpResponse> {
    let template_id = id.into_inner();
    let lang = Lang::from_header(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let outcomes = rsnms_domain::development::iom::apply_template(
        crate::routes::individual_routes::deps(&state),
        state.route_templates.as_ref(),
        &ctx,
        template_id,
        dto.into(),
    )
    .await?;
    let mut items = Vec::with_capacity(outcomes.len());
    for (person_id, outcome) in outcomes {
        items.push(match outcome {
            Ok(route) => {
                AppliedTeacher { person_id, status: 201, route: Some(RouteView::new(route, None)), problem: None }
            }
            Err(e) => {
                let problem = ApiError::from(e).problem(lang, None);
                AppliedTeacher { person_id, status: problem.status, route: None, problem: Some(problem) }
            }
        });
    }
    let created = items.iter().filter(|i| i.route.is_some()).count() as u64;
    Ok(HttpResponse::Ok().json(AppliedTemplate { template_id, created, refused: items.len() as u64 - created, items }))
}

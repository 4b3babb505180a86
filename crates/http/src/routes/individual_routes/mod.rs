//! `/api/v1/routes`: individual educational routes (ИОМ), their workflow, evidence log and
//! suggestions.

mod approve;
mod cancel;
mod complete;
mod create;
mod dto;
mod get;
mod list;
mod list_evidence;
mod reopen;
mod request_review;
mod review_evidence;
mod start;
mod submit_evidence;
mod suggestions;
mod tutor_candidates;
mod update;
mod versions;

use actix_web::{HttpResponse, http::header};
use rsnms_domain::{
    DomainResult,
    auth::Ctx,
    development::iom::{Deps, Route},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub use dto::RouteView;

use crate::{
    AppState,
    extract::{Precondition, etag},
    problem::ApiResult,
};

/// Registers the route routes (`/suggestions` before `/{id}`).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(suggestions::suggest_routes)
        .service(tutor_candidates::list_tutor_candidates)
        .service(list::list_routes)
        .service(create::create_route)
        .service(get::get_route)
        .service(update::update_route)
        .service(approve::approve_route)
        .service(start::start_route)
        .service(complete::complete_route)
        .service(cancel::cancel_route)
        .service(request_review::request_route_review)
        .service(reopen::reopen_route)
        .service(list_evidence::list_route_evidence)
        .service(submit_evidence::submit_route_evidence)
        .service(review_evidence::review_route_evidence)
        .service(versions::list_route_versions);
}

/// The one body of the workflow handlers without a request body (approve, start, cancel,
/// request review, reopen): the domain transition under the `If-Match` version, answered with the
/// route and its new `ETag`. Each handler keeps its own path and contract description.
async fn transition<'a, Fut>(
    state: &'a AppState,
    ctx: &'a Ctx,
    id: Uuid,
    if_match: Precondition,
    action: impl FnOnce(Deps<'a>, &'a Ctx, Uuid, i64) -> Fut,
) -> ApiResult<HttpResponse>
where
    Fut: Future<Output = DomainResult<Route>>,
{
    let version = if_match.version()?;
    let r = action(deps(state), ctx, id, version).await?;
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(r.version))).json(RouteView::new(r, None)))
}

/// The repositories route actions use.
pub(crate) fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        routes: state.routes.as_ref(),
        persons: state.persons.as_ref(),
        diagnostics: state.diagnostics.as_ref(),
        programs: state.programs.as_ref(),
        audit: state.audit.as_ref(),
        personal_data: state.personal_data.as_ref(),
        organizations: state.organizations.as_ref(),
        evidence: &state.route_evidence,
        offerings: state.offerings.as_ref(),
        mentoring: state.mentoring.as_ref(),
        participations: state.participations.as_ref(),
        units: state.units.as_ref(),
    }
}

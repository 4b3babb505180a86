use actix_web::{HttpResponse, get, web};
use rsnms_domain::development::iom::TutorCandidate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::dto::RouteTutorView;
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, problem::ApiResult};

/// Parameters of the candidates.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TutorCandidatesQuery {
    /// The person whose route needs a tutor (required).
    person_id: Option<Uuid>,
}

/// A tutor who may be assigned, with her load (нагрузка тьютора).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TutorCandidateView {
    /// The tutor: name, position, her organisation and its work contacts (no personal contacts).
    #[serde(flatten)]
    pub tutor: RouteTutorView,
    /// Live routes she tutors now: draft, in review, approved or in progress.
    pub active_routes: u64,
}

/// The candidates, least loaded first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TutorCandidates {
    /// The person.
    pub person_id: Uuid,
    /// Tutors serving her territory, least loaded first, then by name.
    pub items: Vec<TutorCandidateView>,
}

/// Tutors who may be assigned to a person's route (кандидаты в тьюторы), each with her current
/// load: persons with role tutor whose organisation serves the person's territory — the region's
/// ЦНППМ (a regional organisation) or an organisation of her municipality, the rule a route's
/// `tutor_id` is checked against — with the number of live routes (draft, in review, approved, in
/// progress) each tutors, least loaded first. For those who build routes (admin, ЦНППМ operator,
/// municipality, organisation), about a person in their scope (else 422 naming `person_id`);
/// teachers and tutors get 403.
#[utoipa::path(
    tag = "routes",
    params(TutorCandidatesQuery),
    responses((status = 200, description = "Candidate tutors, least loaded first", body = TutorCandidates), ReadErrors),
    security(("bearer" = []))
)]
#[get("/routes/tutor-candidates")]
pub async fn list_tutor_candidates(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<TutorCandidatesQuery>,
) -> ApiResult<HttpResponse> {
    let items = rsnms_domain::development::iom::tutor_candidates(super::deps(&state), &ctx, q.person_id).await?;
    Ok(HttpResponse::Ok().json(TutorCandidates {
        person_id: q.person_id.unwrap_or_default(),
        items: items
            .into_iter()
            .map(|c: TutorCandidate| TutorCandidateView { tutor: c.tutor.into(), active_routes: c.active_routes })
            .collect(),
    }))
}

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use rsnms_domain::development::programs::StudyForm;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{RouteSuggestions, SuggestionView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    problem::{ApiError, ApiResult},
};

/// Parameters of the suggestions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestionQuery {
    /// The person whose open deficits to cover (required).
    person_id: Option<Uuid>,
    /// Preferred form of study; without it, blended and distance come before in-person.
    form: Option<StudyForm>,
}

/// Suggest what to put in a route: programmes, internship sites, upcoming events and mentors of the
/// same municipality (at level by their own results) covering the
/// person's open deficits, ranked federal-registry programmes first, then by how many deficits
/// each covers, then by form, then by date, each with a human-readable reason (in the request's
/// language). A mentor is suggested only to a caller who may read that mentor's results (a
/// teacher asking for herself gets none: the suggestion would show a colleague's results).
#[utoipa::path(
    tag = "routes",
    params(SuggestionQuery),
    responses((status = 200, description = "Suggestions, best first", body = RouteSuggestions), ReadErrors),
    security(("bearer" = []))
)]
#[get("/routes/suggestions")]
pub async fn suggest_routes(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<SuggestionQuery>,
) -> ApiResult<HttpResponse> {
    let person_id =
        q.person_id.ok_or_else(|| ApiError::validation(vec![rsnms_domain::FieldError::required("person_id")]))?;
    let english = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("en"));
    let (open, items) = rsnms_domain::development::iom::suggest(
        super::deps(&state),
        state.competencies.as_ref(),
        state.offerings.as_ref(),
        &ctx,
        person_id,
        q.form,
    )
    .await?;
    Ok(HttpResponse::Ok().json(RouteSuggestions {
        person_id,
        open_deficits: open,
        items: items.into_iter().map(|s| SuggestionView::new(s, english)).collect(),
    }))
}

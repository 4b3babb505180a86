use actix_web::{HttpResponse, get, http::header, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::AgreementView;
use crate::{
    AppState,
    auth::Auth,
    extract::{Params, etag},
    openapi::ReadErrors,
    problem::ApiResult,
};

/// The date to read the agreement as of.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsOfQuery {
    /// `YYYY-MM-DD`; default today. The text is the last version effective on that date (the
    /// original text for a date before it took effect).
    as_of: Option<NaiveDate>,
}

/// Read an agreement as of a date (соглашение в редакции на дату).
///
/// Answers the text in effect on `as_of` (today by default) with its version number, the
/// amendment that made it, and the status on that date. Municipal authorities see only the
/// agreements they are party to.
#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Agreement id"), AsOfQuery),
    responses(
        (status = 200, description = "The agreement", body = AgreementView, headers(("ETag" = String, description = "Version"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/agreements/{id}")]
pub async fn get_agreement(
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<AsOfQuery>,
) -> ApiResult<HttpResponse> {
    let s = rsnms_domain::agreements::get_agreement_as_of(state.agreements.as_ref(), &ctx, id.into_inner(), q.as_of)
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(s.agreement.version)))
        .json(AgreementView::new(s, &ctx.actor)))
}

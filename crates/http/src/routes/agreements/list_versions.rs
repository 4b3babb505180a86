use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::page::Page;
use uuid::Uuid;

use super::dto::{AgreementVersionList, AgreementVersionView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

/// List the versions of an agreement (редакции соглашения), oldest first.
///
/// Version 1 is the text as signed; each amendment adds one, effective from its date. Read a
/// version's text with `GET /api/v1/agreements/{id}?as_of={effective_from}`. A draft has none.
#[utoipa::path(
    tag = "agreements",
    params(("id" = Uuid, Path, description = "Agreement id"), PageQuery),
    responses(
        (status = 200, description = "A page of versions", body = AgreementVersionList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/agreements/{id}/versions")]
pub async fn list_agreement_versions(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    id: web::Path<Uuid>,
    Params(q): Params<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = q.to_request()?;
    let (_, versions) =
        rsnms_domain::agreements::list_versions(state.agreements.as_ref(), &ctx, id.into_inner()).await?;
    let rows: Vec<_> = versions.into_iter().filter(|v| page.after.is_none_or(|a| v.id > a)).collect();
    let found = Page::from_probe(rows, page.limit, |v| v.id);
    Ok(respond(&req, found, AgreementVersionView::from))
}

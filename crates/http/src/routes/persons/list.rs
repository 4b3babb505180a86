use actix_web::{HttpRequest, HttpResponse, get, web};
use rsnms_domain::{
    organizations::OrganizationKind,
    persons::{PersonFilter, PersonRole},
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{PersonList, PersonView};
use crate::{
    AppState,
    auth::Auth,
    extract::Params,
    openapi::ReadErrors,
    page::{PageQuery, respond},
    problem::ApiResult,
};

crate::sort_param! {
    /// Orders of the person list: `name` (фамилия, имя), `organization` (организация, then фамилия, имя); `-` descending.
    PersonSort { "name" / "-name" => Name / NameDesc, "organization" / "-organization" => Organization / OrganizationDesc }
}

/// Filters of the person list. The registry of municipal methodological staff (реестр
/// муниципальных методистов) is `role=methodologist&organization_kind=municipal_methodological_service`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    /// Has this role.
    role: Option<PersonRole>,
    /// Works in this organisation.
    organization_id: Option<Uuid>,
    /// Works in an organisation of this kind.
    organization_kind: Option<OrganizationKind>,
    /// Works in this municipality.
    municipality_code: Option<String>,
    /// Full name contains (case-insensitive; ё = е).
    name: Option<String>,
    /// Exact СНИЛС (roles that may see personal data only).
    snils: Option<String>,
    /// Teaches this subject (compared in normal form: case and extra spaces do not matter).
    #[param(example = "математика")]
    subject: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
    /// Order (default: creation order, by id).
    #[param(inline)]
    sort: Option<PersonSort>,
    /// Also count the rows: `exact` (bounded) or `estimate`.
    #[param(inline)]
    count: Option<rsnms_domain::page::CountMode>,
}

/// List persons visible to the caller. Reads that show personal data are audited.
#[utoipa::path(
    tag = "persons",
    params(PersonQuery),
    responses(
        (status = 200, description = "A page of persons", body = PersonList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/persons")]
pub async fn list_persons(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<PersonQuery>,
) -> ApiResult<HttpResponse> {
    let page =
        PageQuery { limit: q.limit, cursor: q.cursor, count: q.count, sort: q.sort.map(Into::into) }.to_request()?;
    let filter = PersonFilter {
        role: q.role,
        organization_id: q.organization_id,
        organization_kind: q.organization_kind,
        municipality_code: q.municipality_code,
        name: q.name,
        snils: q.snils,
        subject: q.subject,
        ..PersonFilter::default()
    };
    let found = rsnms_domain::persons::list_persons(super::deps(&state), &ctx, &filter, page).await?;
    Ok(respond(&req, found, |(p, show)| PersonView::new(p, show)))
}

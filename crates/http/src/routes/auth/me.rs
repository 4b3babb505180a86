use actix_web::{HttpResponse, get};
use rsnms_domain::auth::Role;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{auth::Auth, openapi::ReadErrors, problem::ApiResult};

/// The caller as its token describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Account id (the token's subject); `<provider>:<subject>` for an identity provider's
    /// token mapped from its claims.
    #[schema(max_length = 400)]
    pub subject: String,
    /// Role.
    pub role: Role,
    /// Organisation it acts for.
    pub organization_id: Option<Uuid>,
    /// Region of that organisation.
    #[schema(max_length = 2)]
    pub region_code: Option<String>,
    /// Municipality of that organisation.
    #[schema(max_length = 32)]
    pub municipality_code: Option<String>,
    /// Person it is (teachers, tutors).
    pub person_id: Option<Uuid>,
}

/// Who am I (кто я): the role and binding of the presented token. A frontend calls it after
/// sign-in to decide what to show; it touches no database.
#[utoipa::path(tag = "auth", responses((status = 200, description = "The caller", body = Me), ReadErrors), security(("bearer" = [])))]
#[get("/auth/me")]
pub async fn get_me(Auth(ctx): Auth) -> ApiResult<HttpResponse> {
    let a = ctx.actor;
    Ok(HttpResponse::Ok().json(Me {
        subject: a.subject,
        role: a.role,
        organization_id: a.organization_id,
        region_code: a.region_code,
        municipality_code: a.municipality_code,
        person_id: a.person_id,
    }))
}

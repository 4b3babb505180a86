//! `/api/v1/network-requests`: requests between network participants (запросы в рамках
//! сетевого взаимодействия, NAO §13–18) with legal reply deadlines.

mod clarify;
mod create;
use crate::dto::network_requests as dto;
mod extend;
mod forward;
mod get;
mod list;
mod receive;
mod reply;
mod request_clarification;
mod send;
mod stats;
mod update;
mod withdraw;

use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, http::header, web};
use futures_util::future::LocalBoxFuture;
use rsnms_domain::{
    DomainResult,
    auth::Ctx,
    network_requests::{Deps, NetworkRequest, RequestView, ViewDeps, read_views},
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub use dto::{NetworkRequestView, NetworkRequestWrite};

use crate::{
    AppState,
    auth::Auth,
    extract::{Precondition, etag},
    problem::{ApiError, ApiResult},
};

/// Registers the network request routes (`stats` before `{id}`).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(stats::network_request_stats)
        .service(list::list_network_requests)
        .service(create::create_network_request)
        .service(get::get_network_request)
        .service(update::update_network_request)
        .service(send::send_network_request)
        .service(receive::receive_network_request)
        .service(reply::reply_network_request)
        .service(extend::extend_network_request)
        .service(request_clarification::request_clarification_network_request)
        .service(clarify::clarify_network_request)
        .service(forward::forward_network_request)
        .service(withdraw::withdraw_network_request);
}

/// The views of requests for a caller ([`read_views`]: personal-data parts hidden from those
/// who may not read them, every shown read audited, the caller's allowed actions).
pub(crate) async fn views(state: &AppState, ctx: &Ctx, items: Vec<NetworkRequest>) -> ApiResult<Vec<RequestView>> {
    let deps = ViewDeps {
        audit: state.audit.as_ref(),
        orgs: state.organizations.as_ref(),
        policies: state.deadline_policies.as_ref(),
    };
    Ok(read_views(deps, ctx, items).await?)
}

/// The repositories the domain's actions on requests take.
pub(crate) fn deps(state: &AppState) -> Deps<'_> {
    Deps {
        requests: state.network_requests.as_ref(),
        orgs: state.organizations.as_ref(),
        policies: state.deadline_policies.as_ref(),
        calendars: state.calendars.as_ref(),
    }
}

/// One request as a response with its `ETag`.
pub(crate) async fn one(
    state: &AppState,
    ctx: &Ctx,
    r: NetworkRequest,
    mut res: actix_web::HttpResponseBuilder,
) -> ApiResult<HttpResponse> {
    let version = r.version;
    let view = views(state, ctx, vec![r]).await?.into_iter().next();
    Ok(res.insert_header((header::ETAG, etag(version))).json(view))
}

/// What every lifecycle action (`POST /network-requests/{id}/…`) extracts before its body, in
/// the order the handlers always did: the state, the caller (401 before anything else), the id
/// and the `If-Match` precondition (judged when the action asks for [`Lifecycle::version`]).
pub(crate) struct Lifecycle {
    state: web::Data<AppState>,
    /// The caller.
    pub ctx: Ctx,
    /// The request's id.
    pub id: Uuid,
    version: Result<i64, ApiError>,
}

impl FromRequest for Lifecycle {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = <(web::Data<AppState>, Auth, web::Path<Uuid>, Precondition)>::from_request(req, payload);
        Box::pin(async move {
            let (state, Auth(ctx), id, if_match) = parts.await?;
            Ok(Self { state, ctx, id: id.into_inner(), version: if_match.version() })
        })
    }
}

impl Lifecycle {
    /// The repositories the domain's lifecycle actions take.
    pub(crate) fn deps(&self) -> Deps<'_> {
        deps(&self.state)
    }

    /// The expected version: 428 without `If-Match`, 412 for a value that is not ours.
    pub(crate) fn version(&self) -> ApiResult<i64> {
        self.version.clone()
    }

    /// The answer of an action: the changed request with its `ETag`, or the domain's refusal.
    pub(crate) async fn respond(&self, changed: DomainResult<NetworkRequest>) -> ApiResult<HttpResponse> {
        one(&self.state, &self.ctx, changed?, HttpResponse::Ok()).await
    }
}

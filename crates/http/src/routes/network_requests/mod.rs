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

use actix_web::{HttpResponse, http::header};
use chrono::Utc;
use rsnms_domain::{
    auth::Ctx,
    network_requests::{NetworkRequest, may_read_personal_data},
};
use utoipa_actix_web::service_config::ServiceConfig;

pub use dto::{NetworkRequestView, NetworkRequestWrite};

use crate::{AppState, extract::etag, problem::ApiResult};

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

/// The views of requests for a caller: personal-data parts hidden from those who may not read
/// them, and every shown read of personal data audited.
pub(crate) async fn views(
    state: &AppState,
    ctx: &Ctx,
    items: Vec<NetworkRequest>,
) -> ApiResult<Vec<NetworkRequestView>> {
    let now = Utc::now();
    let mut read = Vec::new();
    let views = items
        .into_iter()
        .map(|r| {
            let may = may_read_personal_data(&ctx.actor, &r);
            if r.contains_personal_data && may {
                read.push(r.id);
            }
            let hide = r.contains_personal_data && !may;
            NetworkRequestView::new(r, now, hide)
        })
        .collect::<Vec<_>>();
    if !read.is_empty() {
        state.audit.record_reads(ctx, "network_request", &read).await?;
    }
    Ok(views)
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

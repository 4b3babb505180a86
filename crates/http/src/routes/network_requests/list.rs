use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{NaiveDate, Utc};
use rsnms_domain::network_requests::{Channel, NetworkRequestFilter, RequestStatus};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::NetworkRequestList;
use crate::{AppState, auth::Auth, extract::Params, openapi::ReadErrors, page::PageQuery, problem::ApiResult};

crate::sort_param! {
    /// Orders of the request journal: `due_on` (срок ответа), `sent_on` (дата отправки), `received_on` (дата регистрации у адресата), `status`; `-` descending. A request without the date (a draft, one not yet received) comes after every dated one ascending and before them descending.
    NetworkRequestSort { "due_on" / "-due_on" => DueOn / DueOnDesc, "sent_on" / "-sent_on" => SentOn / SentOnDesc, "received_on" / "-received_on" => ReceivedOn / ReceivedOnDesc, "status" / "-status" => Status / StatusDesc }
}

/// Filters of the request list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NetworkRequestQuery {
    /// Sender organisation.
    sender_organization_id: Option<Uuid>,
    /// Addressee organisation.
    addressee_organization_id: Option<Uuid>,
    /// Status.
    status: Option<RequestStatus>,
    /// Channel.
    channel: Option<Channel>,
    /// Sent on or after this date.
    sent_from: Option<NaiveDate>,
    /// Sent on or before this date.
    sent_to: Option<NaiveDate>,
    /// `true`: only overdue requests; `false`: only those not overdue.
    overdue: Option<bool>,
    /// Due strictly before this date.
    due_before: Option<NaiveDate>,
    /// Outgoing registration number (исходящий номер), exact.
    outgoing_number: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u64>,
    /// Opaque cursor from `next_cursor`.
    cursor: Option<String>,
    /// Order (default: creation order, by id).
    #[param(inline)]
    sort: Option<NetworkRequestSort>,
    /// Also count the rows: `exact` (bounded) or `estimate`.
    #[param(inline)]
    count: Option<rsnms_domain::page::CountMode>,
}

/// List network requests visible to the caller (журнал запросов), oldest first.
#[utoipa::path(
    tag = "network-requests",
    params(NetworkRequestQuery),
    responses(
        (status = 200, description = "A page of requests", body = NetworkRequestList,
         headers(("Link" = String, description = "`<…>; rel=\"next\"` when more pages exist"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/network-requests")]
pub async fn list_network_requests(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    Params(q): Params<NetworkRequestQuery>,
) -> ApiResult<HttpResponse> {
    let page =
        PageQuery { limit: q.limit, cursor: q.cursor, count: q.count, sort: q.sort.map(Into::into) }.to_request()?;
    let filter = NetworkRequestFilter {
        sender_organization_id: q.sender_organization_id,
        addressee_organization_id: q.addressee_organization_id,
        status: q.status,
        channel: q.channel,
        sent_from: q.sent_from,
        sent_to: q.sent_to,
        overdue: q.overdue,
        due_before: q.due_before,
        now: Some(Utc::now()),
        outgoing_number: q.outgoing_number,
    };
    let found =
        rsnms_domain::network_requests::list_network_requests(state.network_requests.as_ref(), &ctx, &filter, page)
            .await?;
    let mut found = found;
    let items = std::mem::take(&mut found.items);
    let page = found.with_items(super::views(&state, &ctx, items).await?);
    Ok(crate::page::respond(&req, page, |v| v))
}

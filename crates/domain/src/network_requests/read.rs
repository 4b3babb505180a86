//! Reading requests: the roles that may read them are checked here, for every path (one
//! request, a list, the counts), so that no handler decides it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{NetworkRequest, NetworkRequestFilter, NetworkRequestRepository, READERS, RequestStats};
use crate::{
    DomainResult,
    auth::{Ctx, Role},
    page::{Page, PageRequest},
};

/// Roles that read the counts of requests by status: the readers of requests and analysts.
pub const STATS_READERS: [Role; 6] =
    [Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Integration, Role::Analyst];

/// One request in the caller's scope (its views come from [`super::read_views`]).
pub async fn get_network_request(
    repo: &dyn NetworkRequestRepository,
    ctx: &Ctx,
    id: Uuid,
) -> DomainResult<NetworkRequest> {
    ctx.actor.require(&READERS)?;
    repo.get(&ctx.actor.scope(), id).await
}

/// A page of the requests in the caller's scope.
pub async fn list_network_requests(
    repo: &dyn NetworkRequestRepository,
    ctx: &Ctx,
    filter: &NetworkRequestFilter,
    page: PageRequest,
) -> DomainResult<Page<NetworkRequest>> {
    ctx.actor.require(&READERS)?;
    repo.list(&ctx.actor.scope(), filter, page).await
}

/// Counts of the requests in the caller's scope by status, as of `now`.
pub async fn network_request_stats(
    repo: &dyn NetworkRequestRepository,
    ctx: &Ctx,
    now: DateTime<Utc>,
) -> DomainResult<RequestStats> {
    ctx.actor.require(&STATS_READERS)?;
    repo.stats(&ctx.actor.scope(), now).await
}

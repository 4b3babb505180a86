//! The review transitions Moodle learning plans have (issue 17): a draft is sent to the tutor for
//! review (`request_review`: draft → in_review, then `approve`); `reopen` sends a route in
//! review back to a draft, or reopens a completed route (completed → in_progress) so that its
//! steps can progress again.

use uuid::Uuid;

use super::{
    Route, RouteStatus,
    rules::{Deps, current, forbidden, is_tutor_of, needs_steps, resolved, wrong_state},
};
use crate::{
    DomainResult,
    auth::{Ctx, Role},
};

/// Sends a draft with steps to the tutor for review: the person, or those who build routes.
pub async fn request_review(d: Deps<'_>, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Route> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Teacher])?;
    let mut r = current(d, ctx, id, expected_version).await?;
    if ctx.actor.role == Role::Teacher && ctx.actor.person_id != Some(r.person_id) {
        return Err(forbidden());
    }
    if r.status != RouteStatus::Draft {
        return Err(wrong_state(&r));
    }
    needs_steps(&r)?;
    r.status = RouteStatus::InReview;
    d.routes.save(ctx, r, expected_version, "request_review").await
}

/// Reopens a route: one in review goes back to a draft (its tutor, the person, the region); a
/// completed one goes back in progress (its tutor or the region), keeping its steps' statuses.
pub async fn reopen_route(d: Deps<'_>, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<Route> {
    ctx.actor.require(&[Role::Admin, Role::Operator, Role::Tutor, Role::Teacher])?;
    let mut r = current(d, ctx, id, expected_version).await?;
    let own = ctx.actor.person_id == Some(r.person_id);
    if (ctx.actor.role == Role::Tutor && !is_tutor_of(ctx, &r)) || (ctx.actor.role == Role::Teacher && !own) {
        return Err(forbidden());
    }
    match r.status {
        RouteStatus::InReview => r.status = RouteStatus::Draft,
        RouteStatus::Completed if ctx.actor.role != Role::Teacher => {
            r.status = RouteStatus::InProgress;
            r.completed_at = None;
        }
        RouteStatus::Completed => return Err(forbidden()),
        _ => return Err(wrong_state(&r)),
    }
    resolved(d, d.routes.save(ctx, r, expected_version, "reopen").await?).await
}

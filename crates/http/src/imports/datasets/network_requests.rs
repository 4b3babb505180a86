//! `network-requests`: requests between participants loaded in bulk (issue 3, item 9). A record
//! is a request as `POST /api/v1/network-requests` takes it, plus three import-only columns:
//!
//! - `status`: `draft` (a new request's default) or `sent`. A request recorded as sent goes
//!   through the lifecycle's own send action: the NAO §18 check names every missing item on the
//!   line, the sender's numbering gives the outgoing number, history and change events are
//!   written as for `POST …/send`. Receipt, reply, extension and withdrawal are the parties' own
//!   later actions and are not imported.
//! - `sent_on` (with `status: sent`): the date it was sent (default today; never in the future).
//! - `outgoing_number`: the number the request bears. Numbers are never written by hand: the
//!   sender's numbering must give exactly this one, else the line is rejected naming the number
//!   it gives — a sender's register loads in order with its number format, and a re-import
//!   matches by it.
//!
//! Matched by `id`, or by sender and outgoing number (`id_scheme=outgoing_number`, requests
//! already sent). A matched draft is merge-patched (and sent with `status: sent`); a request
//! already sent never changes: a record describing it as it stands is `unchanged`, any
//! difference gets the update's own 409.

use async_trait::async_trait;
use chrono::NaiveDate;
use rsnms_domain::{
    DomainError, DomainResult, FieldError, Msg,
    auth::Ctx,
    exchange::{Applied, ImportOptions, Outcome, Unit},
    network_requests::{
        Deps, NetworkRequest, NetworkRequestFilter, RequestStatus, create_network_request, patch_changes_nothing,
        send_request, update_network_request,
    },
    page::PageRequest,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Dataset, Stored, finish, may_update, parse_all, take_field, take_id, unknown_id};
use crate::{dto::network_requests::NetworkRequestWrite, merge::apply_patch};

/// The network requests dataset.
pub struct NetworkRequests;

/// The import-only columns of a record.
struct Steps {
    status: Option<RequestStatus>,
    sent_on: Option<NaiveDate>,
    number: Option<String>,
}

fn steps(record: &mut Map<String, Value>, errors: &mut Vec<FieldError>) -> Steps {
    let status: Option<RequestStatus> = take_field(record, "status", errors);
    let sent_on: Option<NaiveDate> = take_field(record, "sent_on", errors);
    let number = take_field::<String>(record, "outgoing_number", errors).map(|n| n.trim().to_owned());
    if status.is_some_and(|s| !matches!(s, RequestStatus::Draft | RequestStatus::Sent)) {
        errors.push(FieldError::new(
            "status",
            "not_importable",
            Msg::new(
                "Загружаются черновики (draft) и направленные запросы (sent); получение, ответ, продление и отзыв — \
                 действия сторон",
                "Drafts (draft) and sent requests (sent) are imported; receipt, reply, extension and withdrawal are \
                 the parties' own actions",
            ),
        ));
    }
    if sent_on.is_some() && status != Some(RequestStatus::Sent) {
        errors.push(FieldError::new(
            "sent_on",
            "not_allowed",
            Msg::new("Дата направления указывается со status: sent", "The date sent goes with status: sent"),
        ));
    }
    Steps { status, sent_on, number }
}

/// The request a sender's outgoing number names, within the caller's scope.
async fn by_number(
    unit: &dyn Unit,
    ctx: &Ctx,
    record: &Map<String, Value>,
    number: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> DomainResult<Option<NetworkRequest>> {
    let sender = match record.get("sender_organization_id").and_then(Value::as_str) {
        None => {
            errors.push(FieldError::required("sender_organization_id"));
            None
        }
        Some(raw) => match raw.trim().parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(
                    "sender_organization_id",
                    "invalid_id",
                    Msg::new("Неверный идентификатор", "Invalid id"),
                ));
                None
            }
        },
    };
    if number.is_none() {
        errors.push(FieldError::required("outgoing_number"));
    }
    let (Some(sender), Some(number)) = (sender, number) else { return Ok(None) };
    let filter = NetworkRequestFilter {
        sender_organization_id: Some(sender),
        outgoing_number: Some(number.to_owned()),
        ..NetworkRequestFilter::default()
    };
    let page = unit
        .network_requests()
        .list(&ctx.actor.scope(), &filter, PageRequest { limit: 1, after: None, ..PageRequest::default() })
        .await?;
    Ok(page.items.into_iter().next())
}

/// The record's outgoing number must be the one the request bears.
fn same_number(r: &NetworkRequest, wanted: Option<&str>) -> DomainResult<()> {
    match wanted {
        Some(n) if r.outgoing_number.as_deref() != Some(n) => {
            let got = r.outgoing_number.as_deref().unwrap_or("—");
            Err(DomainError::field(
                "outgoing_number",
                "number_mismatch",
                Msg::new(
                    format!(
                        "Исходящий номер даёт нумерация отправителя при направлении (status: sent); у запроса номер \
                         «{got}»"
                    ),
                    format!(
                        "The outgoing number is given by the sender's numbering on sending (status: sent); the \
                         request's number is '{got}'"
                    ),
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The repositories of the requests' actions, inside the unit.
fn deps(unit: &dyn Unit) -> Deps<'_> {
    Deps {
        requests: unit.network_requests(),
        orgs: unit.organizations(),
        policies: unit.deadline_policies(),
        calendars: unit.calendars(),
    }
}

async fn send(unit: &dyn Unit, ctx: &Ctx, r: &NetworkRequest, on: Option<NaiveDate>) -> DomainResult<NetworkRequest> {
    send_request(deps(unit), ctx, r.id, r.version, on).await
}

#[async_trait]
impl Dataset for NetworkRequests {
    fn name(&self) -> &'static str {
        "network-requests"
    }

    fn id_schemes(&self) -> &'static [&'static str] {
        &["id", "outgoing_number"]
    }

    fn bool_columns(&self) -> &'static [&'static str] {
        &["contains_personal_data"]
    }

    async fn apply(
        &self,
        unit: &dyn Unit,
        ctx: &Ctx,
        mut record: Map<String, Value>,
        opts: &ImportOptions,
    ) -> DomainResult<Applied> {
        let mut errors = Vec::new();
        let steps = steps(&mut record, &mut errors);
        let existing = match opts.id_scheme.as_str() {
            "outgoing_number" => {
                record.remove("id");
                by_number(unit, ctx, &record, steps.number.as_deref(), &mut errors).await?
            }
            _ => match take_id(&mut record) {
                Err(DomainError::Validation(e)) => {
                    errors.extend(e);
                    None
                }
                Err(e) => return Err(e),
                Ok(None) => None,
                Ok(Some(id)) => match unit.network_requests().get(&ctx.actor.scope(), id).await {
                    Ok(r) => Some(r),
                    Err(DomainError::NotFound) => return Err(unknown_id()),
                    Err(e) => return Err(e),
                },
            },
        };
        let send_it = steps.status == Some(RequestStatus::Sent);
        let Some(current) = existing else {
            let dto: NetworkRequestWrite = parse_all(record, errors)?;
            let draft = create_network_request(deps(unit), ctx, dto.into()).await?;
            let r = if send_it { send(unit, ctx, &draft, steps.sent_on).await? } else { draft };
            same_number(&r, steps.number.as_deref())?;
            return Ok(Outcome::Created.of(r.id));
        };
        finish(errors)?;
        may_update(opts, opts.id_scheme.as_str())?;
        let patch = Value::Object(record);
        if current.status == RequestStatus::Draft {
            let after = update_network_request(deps(unit), ctx, current.id, current.version, |input| {
                apply_patch::<NetworkRequestWrite, _>(input, &patch)
            })
            .await?;
            let changed = send_it || !current.unchanged_in(&after);
            let after = if send_it { send(unit, ctx, &after, steps.sent_on).await? } else { after };
            same_number(&after, steps.number.as_deref())?;
            return Ok(if changed { Outcome::Updated } else { Outcome::Unchanged }.of(after.id));
        }
        // Sent or further on: never changed by an import.
        let unchanged = steps.status != Some(RequestStatus::Draft)
            && steps.sent_on.is_none_or(|d| current.sent_on == Some(d))
            && steps.number.as_deref().is_none_or(|n| current.outgoing_number.as_deref() == Some(n))
            && patch_changes_nothing(unit.organizations(), unit.deadline_policies(), ctx, &current, |input| {
                apply_patch::<NetworkRequestWrite, _>(input, &patch)
            })
            .await?;
        if unchanged {
            return Ok(Outcome::Unchanged.of(current.id));
        }
        // The lifecycle's own answer: 409 naming the actions allowed in this status.
        update_network_request(deps(unit), ctx, current.id, current.version, |input| {
            apply_patch::<NetworkRequestWrite, _>(input, &patch)
        })
        .await?;
        Err(DomainError::internal("a request past its draft was updated by an import"))
    }
}

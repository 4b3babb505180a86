//! How a request reads: the one shape its GET, its lists and its change events share
//! (`NetworkRequestView` in the contract). Built here once; the HTTP layer serialises it and the
//! change feed stores it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{
    Attachment, Author, Breach, Channel, NetworkRequest, RequestAction, RequestStatus, Transition, allowed_actions,
    may_read_personal_data,
};
use crate::{
    DomainResult, audit::AuditRepository, auth::Ctx, deadlines::DeadlinePolicyRepository,
    organizations::OrganizationRepository,
};

/// A network request (запрос в рамках сетевого взаимодействия).
// A request as a reader sees it; the contract's schema is derived from this struct (as
// `NetworkRequestView`), so its doc comments are the contract's descriptions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NetworkRequestView))]
pub struct RequestView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The action that made the change (change events only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub event: Option<String>,
    /// Status.
    pub status: RequestStatus,
    /// The actions the caller may take now (допустимые действия): the transition table of the
    /// status narrowed by the same rules that answer 403 and 409 — the side that takes the
    /// action, the extensions the policy leaves, a term not yet expired. Not in change events.
    // [`allowed_actions`]; `None` in change events, which every reader shares.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<RequestAction>, required = true))]
    pub allowed_actions: Option<Vec<RequestAction>>,
    /// Sender.
    pub sender: PartyView,
    /// Addressee.
    pub addressee: Option<PartyView>,
    /// Contact information for the reply.
    pub reply_contact: Option<String>,
    /// Date sent.
    pub sent_on: Option<NaiveDate>,
    /// Author.
    #[cfg_attr(feature = "openapi", schema(schema_with = contract::author))]
    pub author: Author,
    /// Subject.
    pub subject: Option<String>,
    /// Body; `null` when hidden as personal data.
    pub body: Option<String>,
    /// Channel.
    pub channel: Channel,
    /// Outgoing registration number (исходящий номер), given on sending.
    pub outgoing_number: Option<String>,
    /// Incoming registration number (входящий номер), given on receipt.
    pub incoming_number: Option<String>,
    /// Date received.
    pub received_on: Option<NaiveDate>,
    /// The instant of receipt (момент регистрации): hour terms count from it, and extensions and
    /// recomputations start from it.
    pub received_at: Option<DateTime<Utc>>,
    /// Deadline policy chosen.
    pub policy_id: Uuid,
    /// Reply deadline, once received.
    pub deadline: Option<DeadlineView>,
    /// Received, not answered, and the term has ended (`deadline.due_at`).
    // `None` in change events, where it would go stale: readers derive it from `status` and
    // `deadline.due_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = bool, required = true))]
    pub overdue: Option<bool>,
    /// Reply, once answered.
    pub reply: Option<ReplyView>,
    /// The breach of the term (нарушение срока ответа), when answered late; kept after the reply.
    pub breach: Option<Breach>,
    /// Holds personal data.
    pub contains_personal_data: bool,
    /// Legal basis for the personal data.
    pub personal_data_basis: Option<String>,
    /// Whether the body, attachments and reply were hidden because the caller may not read
    /// personal data.
    pub personal_data_hidden: bool,
    /// Attachment metadata (empty when hidden).
    #[cfg_attr(feature = "openapi", schema(schema_with = contract::attachments))]
    pub attachments: Vec<Attachment>,
    /// Linked agreement.
    pub agreement_id: Option<Uuid>,
    /// Lifecycle history, oldest first.
    pub history: Vec<Transition>,
    /// The request this one was forwarded as, once `forwarded` (переадресован).
    pub forwarded_to: Option<Uuid>,
    /// The request this one was forwarded from.
    pub forwarded_from: Option<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version; the `ETag` is this number in quotes.
    pub version: i64,
}

/// One party of a request.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RequestPartyView))]
pub struct PartyView {
    /// Organisation id.
    pub organization_id: Uuid,
    /// Its name; once sent, the name as it stood on the date of sending.
    pub name: Option<String>,
}

/// The deadline policy applied.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyRef {
    /// Id.
    pub id: Uuid,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// The reply deadline and how it was computed (Civil Code arts. 191–193).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineView {
    /// The policy applied.
    pub policy: PolicyRef,
    /// First day of the term: the day after receipt (art. 191).
    pub starts_on: NaiveDate,
    /// Last day of the term, in the addressee's calendar (art. 193 applied).
    pub due_on: NaiveDate,
    /// Units counted (term plus extension).
    pub counted_days: u32,
    /// Non-working days passed over.
    pub skipped_days: Vec<NaiveDate>,
    /// Whether a year without a loaded decree was consulted (art. 112 fallback): the date may change.
    pub provisional: bool,
    /// Extension granted, in the term's units.
    pub extended_by: u32,
    /// The instant the term ends: for a term of days, when the due day ends in the addressee's time
    /// zone; for an hour term, the computed instant itself (clock hours from `received_at`, moved
    /// to the same time of the next working day when it falls on a non-working day).
    pub due_at: DateTime<Utc>,
    /// The addressee's time zone.
    pub time_zone: String,
    /// The region whose calendar layer applied.
    pub region_code: String,
    /// Pauses of the term while the addressee awaited a clarification (приостановление срока),
    /// oldest first: `due_at` and `due_on` are later by their total.
    pub pauses: Vec<TermPauseView>,
    /// The total of the finished pauses, in seconds.
    pub paused_seconds: i64,
}

/// A pause of the term: from the clarification request to the sender's answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TermPauseView {
    /// When the addressee asked for clarification.
    pub from: DateTime<Utc>,
    /// When the sender answered (`null` while the pause lasts).
    pub until: Option<DateTime<Utc>>,
    /// Its length in seconds (0 while it lasts).
    pub seconds: i64,
}

/// The addressee's reply (ответ на запрос).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyView {
    /// Text; `null` when hidden as personal data.
    pub text: Option<String>,
    /// Responder's full name.
    pub responder_name: String,
    /// Responder's position.
    pub responder_position: String,
    /// Date of the reply.
    pub replied_on: NaiveDate,
    /// Attachments (empty when hidden as personal data).
    #[cfg_attr(feature = "openapi", schema(schema_with = contract::reply_attachments))]
    pub attachments: Vec<Attachment>,
}

/// The schemas of the view's fields whose wire shape the HTTP layer's request DTOs describe
/// (`AuthorDto`, `AttachmentDto`: the same keys, with the limits a client must keep), referred
/// to by name; the HTTP layer's test keeps the keys alike.
#[cfg(feature = "openapi")]
mod contract {
    use utoipa::openapi::{ArrayBuilder, Ref, RefOr, Schema};

    pub(super) fn author() -> RefOr<Schema> {
        let mut author = Ref::from_schema_name("AuthorDto");
        "Author.".clone_into(&mut author.description);
        author.into()
    }

    fn attachment_list(description: &str) -> RefOr<Schema> {
        ArrayBuilder::new().items(Ref::from_schema_name("AttachmentDto")).description(Some(description)).into()
    }

    pub(super) fn attachments() -> RefOr<Schema> {
        attachment_list("Attachment metadata (empty when hidden).")
    }

    pub(super) fn reply_attachments() -> RefOr<Schema> {
        attachment_list("Attachments (empty when hidden as personal data).")
    }
}

impl RequestView {
    /// The view of `r` at `now`, its personal-data parts hidden when `hide`.
    pub fn new(r: NetworkRequest, now: DateTime<Utc>, hide: bool) -> Self {
        let overdue = Some(r.is_overdue(now));
        let received_at = r.receipt_instant();
        let shown = |v: Vec<Attachment>| if hide { Vec::new() } else { v };
        Self {
            id: r.id,
            event: None,
            status: r.status,
            allowed_actions: None,
            sender: PartyView { organization_id: r.sender_organization_id, name: Some(r.sender_name) },
            addressee: r.addressee_organization_id.map(|id| PartyView { organization_id: id, name: r.addressee_name }),
            reply_contact: r.reply_contact,
            sent_on: r.sent_on,
            author: r.author,
            subject: r.subject,
            body: if hide { None } else { r.body },
            channel: r.channel,
            outgoing_number: r.outgoing_number,
            incoming_number: r.incoming_number,
            received_on: r.received_on,
            received_at,
            policy_id: r.policy_id,
            deadline: r.deadline.map(|d| {
                let (due_on, paused_seconds) = (d.due_on(), d.paused_seconds());
                DeadlineView {
                    policy: PolicyRef { id: d.policy_id, code: d.policy_code, name: d.policy_name },
                    starts_on: d.deadline.starts_on,
                    due_on,
                    counted_days: d.deadline.counted_days,
                    skipped_days: d.deadline.skipped_days,
                    provisional: d.deadline.provisional,
                    extended_by: d.deadline.extended_by,
                    due_at: d.due_at,
                    time_zone: d.time_zone,
                    region_code: d.region_code,
                    pauses: d
                        .pauses
                        .iter()
                        .map(|p| TermPauseView { from: p.from, until: p.until, seconds: p.seconds() })
                        .collect(),
                    paused_seconds,
                }
            }),
            overdue,
            reply: r.reply.map(|x| ReplyView {
                text: if hide { None } else { Some(x.text) },
                responder_name: x.responder_name,
                responder_position: x.responder_position,
                replied_on: x.replied_on,
                attachments: shown(x.attachments),
            }),
            breach: r.breach,
            contains_personal_data: r.contains_personal_data,
            personal_data_basis: r.personal_data_basis,
            personal_data_hidden: hide,
            attachments: shown(r.attachments),
            agreement_id: r.agreement_id,
            history: r.history,
            forwarded_to: r.forwarded_to,
            forwarded_from: r.forwarded_from,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// The change-event payload of a request: its view as a reader who may read its personal data
/// sees it (the feed hides those parts from other readers: [`hide_personal_data`](super::hide_personal_data)),
/// plus `event` (the action that made the change), less `overdue`, which is derived at the
/// moment of reading (from `status` and `deadline.due_at`).
pub fn change_payload(r: &NetworkRequest, action: &str) -> serde_json::Value {
    let view =
        RequestView { event: Some(action.to_owned()), overdue: None, ..RequestView::new(r.clone(), Utc::now(), false) };
    serde_json::to_value(view).unwrap_or_default()
}

/// The repositories reading views uses (the `Deps` style, docs/API-DESIGN.md): narrower than the
/// actions' [`Deps`](super::Deps), with the audit trail of reads the actions do not write.
#[derive(Clone, Copy)]
pub struct ViewDeps<'a> {
    /// Audit trail (reads of personal data).
    pub audit: &'a dyn AuditRepository,
    /// Organisations (the caller's sides, for the allowed actions).
    pub orgs: &'a dyn OrganizationRepository,
    /// Deadline policies (the extensions left, for the allowed actions).
    pub policies: &'a dyn DeadlinePolicyRepository,
}

/// The views of requests for the caller: personal-data parts hidden from those who may not read
/// them ([`may_read_personal_data`]), every shown read of personal data audited, and the
/// actions the caller may take on each ([`allowed_actions`]).
pub async fn read_views(deps: ViewDeps<'_>, ctx: &Ctx, items: Vec<NetworkRequest>) -> DomainResult<Vec<RequestView>> {
    let ViewDeps { audit, orgs, policies } = deps;
    let now = Utc::now();
    let mut allowed = allowed_actions(orgs, policies, ctx, &items).await?.into_iter();
    let mut read = Vec::new();
    let views = items
        .into_iter()
        .map(|r| {
            let may = may_read_personal_data(&ctx.actor, &r);
            if r.contains_personal_data && may {
                read.push(r.id);
            }
            let hide = r.contains_personal_data && !may;
            RequestView { allowed_actions: Some(allowed.next().unwrap_or_default()), ..RequestView::new(r, now, hide) }
        })
        .collect::<Vec<_>>();
    if !read.is_empty() {
        audit.record_reads(ctx, "network_request", &read).await?;
    }
    Ok(views)
}

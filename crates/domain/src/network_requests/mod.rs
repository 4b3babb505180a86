//! Network requests (запросы в рамках сетевого взаимодействия) between participants, with the
//! mandatory items of NAO reglament §18, their lifecycle and their legal reply deadlines
//! (DOMAIN §3; NAO §13–18, §20).

mod numbering;
mod read;
mod repository;
mod rules;
mod view;

pub use numbering::{
    DEFAULT_NUMBER_FORMAT, NUMBER_FORMAT_MAX, RequestNumbering, StoredNumbering, check_number_format,
    format_outgoing_number, get_request_numbering, set_request_numbering,
};
pub use read::{STATS_READERS, get_network_request, list_network_requests, network_request_stats};
pub use repository::{NetworkRequestFilter, NetworkRequestRepository, RequestStats, SaveKind, StatusCounts};
pub use rules::{
    AuthorInput, Deps, ExtendInput, ForwardInput, NetworkRequestInput, ReceiveInput, ReplyInput, Sides,
    allowed_actions, attachable_request, check_action, check_attachment_name, clarify_request, create_network_request,
    extend_request, forward_request, missing_mandatory_items, patch_changes_nothing, receive_request, reply_to_request,
    request_clarification, send_request, update_network_request, withdraw_request,
};

pub use numbering::ACTING as NUMBERING_READERS;
pub use view::{
    DeadlineView, PartyView, PolicyRef, ReplyView, RequestView, TermPauseView, ViewDeps, change_payload, read_views,
};

/// Roles that read requests (the parties' sides and the levels above them).
pub const READERS: [Role; 5] = [Role::Admin, Role::Operator, Role::Municipal, Role::Organization, Role::Integration];

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    auth::{Actor, Role},
    calendar::Deadline,
    values::TimeZone,
};

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Being prepared by the sender (черновик).
    Draft,
    /// Sent, not yet registered by the addressee (направлен).
    Sent,
    /// Registered by the addressee; the term runs (получен).
    Received,
    /// The addressee asked the sender for clarification; the term is paused (запрошено
    /// уточнение).
    Clarification,
    /// Answered (дан ответ).
    Answered,
    /// Withdrawn by the sender (отозван).
    Withdrawn,
    /// Forwarded by the addressee to the competent participant (переадресован): closed, linked
    /// to the new request (`forwarded_to`).
    Forwarded,
}

impl RequestStatus {
    /// Every status.
    pub const ALL: [RequestStatus; 7] = [
        Self::Draft,
        Self::Sent,
        Self::Received,
        Self::Clarification,
        Self::Answered,
        Self::Withdrawn,
        Self::Forwarded,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::Received => "received",
            Self::Clarification => "clarification",
            Self::Answered => "answered",
            Self::Withdrawn => "withdrawn",
            Self::Forwarded => "forwarded",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The actions allowed from this status: the transition table every lifecycle action
    /// checks (409 naming these otherwise). Who may take them is the guard's
    /// ([`check_action`]).
    pub fn allowed_actions(self) -> &'static [RequestAction] {
        use RequestAction as A;
        match self {
            Self::Draft => &[A::Update, A::Send, A::Withdraw],
            Self::Sent => &[A::Receive, A::Withdraw],
            Self::Received => &[A::Reply, A::Extend, A::ClarificationRequest, A::Forward, A::Withdraw],
            Self::Clarification => &[A::Clarification, A::Withdraw],
            Self::Answered | Self::Withdrawn | Self::Forwarded => &[],
        }
    }

    /// Whether the transition table allows `action` from this status.
    pub fn allows(self, action: RequestAction) -> bool {
        self.allowed_actions().contains(&action)
    }
}

wire_enum! {
    /// An action on a request (`PATCH /network-requests/{id}` for `update`, else
    /// `POST /network-requests/{id}/<action>` with `-` for `_`).
    RequestAction {
        /// Change the draft (изменить черновик).
        Update = "update",
        /// Send it (направить).
        Send = "send",
        /// Register receipt (зарегистрировать получение).
        Receive = "receive",
        /// Answer (ответить).
        Reply = "reply",
        /// Extend the term (продлить срок).
        Extend = "extend",
        /// Ask the sender for clarification (запросить уточнение).
        ClarificationRequest = "clarification_request",
        /// Answer a clarification request (дать уточнение).
        Clarification = "clarification",
        /// Forward to the competent participant (переадресовать).
        Forward = "forward",
        /// Withdraw (отозвать).
        Withdraw = "withdraw",
    }
}

/// How a request travels (NAO §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Electronic document management system (СЭД).
    Edms,
    /// Paper (на бумажном носителе).
    Paper,
    /// An electronic document by e-mail.
    Email,
}

impl Channel {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Edms => "edms",
            Self::Paper => "paper",
            Self::Email => "email",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Edms, Self::Paper, Self::Email].into_iter().find(|v| v.as_str() == s)
    }
}

/// The person who prepared and sent the request (NAO §18, item 5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Surname.
    pub surname: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Position.
    pub position: Option<String>,
    /// Office phone, normalised.
    pub phone: Option<String>,
    /// Office e-mail.
    pub email: Option<String>,
}

/// Metadata of an attached file (the content is not stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// Media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// The addressee's reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Text of the reply.
    pub text: String,
    /// Who replied (full name).
    pub responder_name: String,
    /// Their position.
    pub responder_position: String,
    /// Date of the reply.
    pub replied_on: NaiveDate,
    /// Attachments.
    pub attachments: Vec<Attachment>,
}

/// A reply given after the term ended (нарушение срока ответа).
// The record is kept after the reply; the contract's `BreachView` is derived from this struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BreachView))]
pub struct Breach {
    /// The instant the term ended.
    pub due_at: DateTime<Utc>,
    /// The instant the reply is dated: when it was recorded if dated today, else the start of its
    /// date in the addressee's time zone.
    // (The earliest it can have been given.)
    pub replied_at: DateTime<Utc>,
    /// The delay in seconds (0 for a reply dated a later day whose hour is unknown; see
    /// `days_late`).
    // `replied_at - due_at`.
    pub delay_seconds: i64,
    /// Calendar days from the due day to the reply's date.
    // 0 when late within an hour term's due day.
    pub days_late: i64,
}

/// One lifecycle transition (история).
// The contract's `TransitionView` is derived from this struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = TransitionView))]
pub struct Transition {
    /// When.
    pub at: DateTime<Utc>,
    /// Acting account.
    pub actor_subject: String,
    /// Its role.
    pub actor_role: String,
    /// Action.
    // `create`, `send`, `receive`, `extend`, `reply`, `breach`, `withdraw`, …. A `breach`
    // follows a late `reply`; its note is the delay as an ISO 8601 duration (`PT26H`).
    pub action: String,
    /// Status before (`null` on creation).
    pub from: Option<RequestStatus>,
    /// Status after.
    pub to: RequestStatus,
    /// Note (reason of an extension or withdrawal).
    pub note: Option<String>,
}

/// The reply deadline of a received request and how it was computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDeadline {
    /// The policy applied.
    pub policy_id: Uuid,
    /// Its code.
    pub policy_code: String,
    /// Its name.
    pub policy_name: String,
    /// The computation.
    #[serde(flatten)]
    pub deadline: Deadline,
    /// The instant the term ends (overdue from then on): the end of the due day in the
    /// addressee's time zone, or for an hour term the computed instant itself.
    pub due_at: DateTime<Utc>,
    /// The addressee's time zone the due day is counted in.
    pub time_zone: String,
    /// How many hours before `due_at` the due-soon notice is given (the policy's, at receipt).
    #[serde(default = "default_due_soon_hours")]
    pub due_soon_hours: u32,
    /// The region whose calendar layer was applied.
    pub region_code: String,
    /// The pauses of the term while the addressee awaited a clarification, oldest first; the
    /// term ends later by their total (`due_at` includes it).
    #[serde(default)]
    pub pauses: Vec<TermPause>,
}

/// A pause of the term: from the clarification request to the sender's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermPause {
    /// When the addressee asked for clarification.
    pub from: DateTime<Utc>,
    /// When the sender answered (`None` while the pause lasts).
    pub until: Option<DateTime<Utc>>,
}

impl TermPause {
    /// The length of a finished pause, in whole seconds (0 while it lasts).
    pub fn seconds(&self) -> i64 {
        self.until.map_or(0, |u| (u - self.from).num_seconds().max(0))
    }
}

fn default_due_soon_hours() -> u32 {
    crate::deadlines::DEFAULT_DUE_SOON_HOURS
}

impl RequestDeadline {
    /// The total of the finished pauses, in seconds.
    pub fn paused_seconds(&self) -> i64 {
        self.pauses.iter().map(TermPause::seconds).sum()
    }

    /// The due day: the computed one, or with pauses the local day `due_at` falls in (the day
    /// before it when it falls at midnight, as for terms of days).
    pub fn due_on(&self) -> NaiveDate {
        if self.pauses.is_empty() {
            return self.deadline.due_on;
        }
        let tz = TimeZone::from_trusted(self.time_zone.clone()).tz();
        (self.due_at - chrono::TimeDelta::seconds(1)).with_timezone(&tz).date_naive()
    }

    /// Sets the end of the term from its computation without pauses, adding the paused time.
    pub fn set_end(&mut self, deadline: Deadline, unpaused_due_at: DateTime<Utc>) {
        self.deadline = deadline;
        self.due_at = unpaused_due_at + chrono::TimeDelta::seconds(self.paused_seconds());
    }

    /// The instant the due-soon notice is due: `due_soon_hours` before the end of the term.
    pub fn due_soon_at(&self) -> DateTime<Utc> {
        self.due_at - chrono::TimeDelta::hours(i64::from(self.due_soon_hours))
    }
}

/// A network request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRequest {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Status.
    pub status: RequestStatus,
    /// Sending organisation.
    pub sender_organization_id: Uuid,
    /// Its name (as it stood when sent, once sent).
    pub sender_name: String,
    /// Addressee organisation.
    pub addressee_organization_id: Option<Uuid>,
    /// Its name (as it stood when sent, once sent).
    pub addressee_name: Option<String>,
    /// Contact information for the reply.
    pub reply_contact: Option<String>,
    /// Date sent.
    pub sent_on: Option<NaiveDate>,
    /// Author.
    pub author: Author,
    /// Subject.
    pub subject: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// Channel.
    pub channel: Channel,
    /// Outgoing registration number.
    pub outgoing_number: Option<String>,
    /// Incoming registration number given by the addressee.
    pub incoming_number: Option<String>,
    /// Date received.
    pub received_on: Option<NaiveDate>,
    /// The instant of receipt: every term computation (receipt, extension, recomputation)
    /// starts from it.
    pub received_at: Option<DateTime<Utc>>,
    /// Deadline policy.
    pub policy_id: Uuid,
    /// Deadline, once received.
    pub deadline: Option<RequestDeadline>,
    /// Reply, once answered.
    pub reply: Option<Reply>,
    /// The breach of the term, when answered late.
    pub breach: Option<Breach>,
    /// Holds personal data.
    pub contains_personal_data: bool,
    /// Legal basis for processing personal data.
    pub personal_data_basis: Option<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Linked agreement.
    pub agreement_id: Option<Uuid>,
    /// Lifecycle history, oldest first.
    pub history: Vec<Transition>,
    /// The request this one was forwarded as (once `forwarded`).
    pub forwarded_to: Option<Uuid>,
    /// The request this one was forwarded from.
    pub forwarded_from: Option<Uuid>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Updated at.
    pub updated_at: DateTime<Utc>,
    /// Version.
    pub version: i64,
}

impl NetworkRequest {
    /// Whether the request is overdue at `now`: received, not answered, and the due day has ended
    /// in the addressee's time zone.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status == RequestStatus::Received && self.deadline.as_ref().is_some_and(|d| now >= d.due_at)
    }

    /// The instant of receipt the term counts from: the stored one; for a request received
    /// before the instant was stored, the start of its day of receipt in the addressee's time
    /// zone (what its deadline was computed from).
    pub fn receipt_instant(&self) -> Option<DateTime<Utc>> {
        self.received_at.or_else(|| {
            let d = self.deadline.as_ref()?;
            Some(crate::deadlines::start_of_day_utc(
                self.received_on?,
                TimeZone::from_trusted(d.time_zone.clone()).tz(),
            ))
        })
    }

    /// How many times the term has been extended.
    pub fn extensions_used(&self) -> u32 {
        u32::try_from(self.history.iter().filter(|t| t.action == "extend").count()).unwrap_or(u32::MAX)
    }
}

/// Where a request's parties sit, for scope checks done outside SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The sender's side.
    Sender,
    /// The addressee's side.
    Addressee,
}

/// Whether an actor may read the personal-data parts (body, attachments, reply) of a request
/// holding personal data: administrators, operators and the integration, and the accounts of the
/// two parties themselves. Authorities above the parties see the rest of the request.
pub fn may_read_personal_data(actor: &Actor, r: &NetworkRequest) -> bool {
    may_read_personal_data_between(actor, r.sender_organization_id, r.addressee_organization_id)
}

/// [`may_read_personal_data`] for a request between these parties (the change feed knows the
/// parties from an event's payload).
pub fn may_read_personal_data_between(actor: &Actor, sender: Uuid, addressee: Option<Uuid>) -> bool {
    match actor.role {
        Role::Admin | Role::Operator | Role::Integration => true,
        Role::Organization | Role::Municipal => {
            actor.organization_id.is_some_and(|o| o == sender || Some(o) == addressee)
        }
        Role::Tutor | Role::Teacher | Role::Analyst => false,
    }
}

/// Hides the personal-data parts of a request's payload as its GET does for a reader without
/// the right ([`may_read_personal_data`]): body and reply text `null`, attachments (the
/// request's and the reply's) empty, `personal_data_hidden: true`.
pub fn hide_personal_data(payload: &mut serde_json::Value) {
    let Some(o) = payload.as_object_mut() else { return };
    o.insert("body".into(), serde_json::Value::Null);
    o.insert("attachments".into(), serde_json::json!([]));
    o.insert("personal_data_hidden".into(), serde_json::Value::Bool(true));
    if let Some(reply) = o.get_mut("reply").and_then(serde_json::Value::as_object_mut) {
        reply.insert("text".into(), serde_json::Value::Null);
        reply.insert("attachments".into(), serde_json::json!([]));
    }
}

/// The longest subject of a request, in characters.
pub const SUBJECT_MAX: usize = 500;
/// The longest body of a request or text of a reply, in characters.
pub const BODY_MAX: usize = 100_000;
/// The longest basis of processing personal data or reply contact, in characters.
pub const NOTE_MAX: usize = 1000;
/// The longest surname, first name or patronymic of an author, in characters.
pub const AUTHOR_NAME_MAX: usize = 200;
/// The longest position of an author or of a responder, in characters.
pub const POSITION_MAX: usize = 300;
/// The longest file name of an attachment, in characters.
pub const ATTACHMENT_NAME_MAX: usize = 255;
/// The longest incoming number, in characters.
pub const INCOMING_NUMBER_MAX: usize = 100;
/// The longest reason of an extension, a forwarding or a withdrawal, in characters.
pub const REASON_MAX: usize = 2000;
/// The longest clarification, in characters.
pub const CLARIFICATION_MAX: usize = 10_000;
/// The longest name of a responder, in characters.
pub const RESPONDER_NAME_MAX: usize = 600;

/// The length limits of a request's own fields, by field; the tables below are those of its parts
/// and actions. The contract states the same numbers (`NetworkRequestWrite`, `AuthorDto`,
/// `AttachmentDto`, `ReceiveNetworkRequest`, `ReplyNetworkRequest`, `ExtendNetworkRequest`,
/// `ForwardNetworkRequest`, `WithdrawNetworkRequest`, `ClarifyNetworkRequest`), which a test
/// compares with these lists.
pub const LIMITS: &[(&str, usize)] =
    &[("subject", SUBJECT_MAX), ("body", BODY_MAX), ("personal_data_basis", NOTE_MAX), ("reply_contact", NOTE_MAX)];
/// The length limits of an author, by field.
pub const AUTHOR_LIMITS: &[(&str, usize)] = &[
    ("surname", AUTHOR_NAME_MAX),
    ("first_name", AUTHOR_NAME_MAX),
    ("patronymic", AUTHOR_NAME_MAX),
    ("position", POSITION_MAX),
    ("phone", crate::values::PHONE_MAX),
    ("email", crate::values::EMAIL_MAX),
];
/// The length limits of an attachment's metadata, by field.
pub const ATTACHMENT_LIMITS: &[(&str, usize)] = &[("name", ATTACHMENT_NAME_MAX)];
/// The length limits of a receipt, by field.
pub const RECEIVE_LIMITS: &[(&str, usize)] = &[("incoming_number", INCOMING_NUMBER_MAX)];
/// The length limits of a reply, by field.
pub const REPLY_LIMITS: &[(&str, usize)] =
    &[("text", BODY_MAX), ("responder_name", RESPONDER_NAME_MAX), ("responder_position", POSITION_MAX)];
/// The length limits of an extension, a forwarding or a withdrawal, by field.
pub const REASON_LIMITS: &[(&str, usize)] = &[("reason", REASON_MAX)];
/// The length limits of a clarification, by field.
pub const CLARIFY_LIMITS: &[(&str, usize)] = &[("text", CLARIFICATION_MAX)];

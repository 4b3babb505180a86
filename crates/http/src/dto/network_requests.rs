use chrono::{NaiveDate, NaiveDateTime};
use rsnms_domain::{
    FieldError,
    network_requests::{Attachment, AuthorInput, Channel, NetworkRequestInput, RequestStats, StatusCounts},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::limit;
use crate::extract::{ValueChecks, check_value};
use rsnms_domain::network_requests;
use rsnms_domain::values;

/// The author of a request: who prepared and sent it (NAO §18: ФИО, должность, служебный телефон
/// и (или) e-mail).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AuthorDto {
    /// Surname (фамилия).
    #[validate(length(max = limit(network_requests::AUTHOR_NAME_MAX)))]
    #[schema(max_length = 200, example = "Иванова")]
    pub surname: Option<String>,
    /// First name (имя).
    #[validate(length(max = limit(network_requests::AUTHOR_NAME_MAX)))]
    #[schema(max_length = 200, example = "Мария")]
    pub first_name: Option<String>,
    /// Patronymic (отчество).
    #[validate(length(max = limit(network_requests::AUTHOR_NAME_MAX)))]
    #[schema(max_length = 200, example = "Петровна")]
    pub patronymic: Option<String>,
    /// Position (должность).
    #[validate(length(max = limit(network_requests::POSITION_MAX)))]
    #[schema(max_length = 300, example = "методист")]
    pub position: Option<String>,
    /// Office phone (служебный телефон).
    #[validate(length(max = limit(values::PHONE_MAX)))]
    #[schema(max_length = 32, example = "+7 301 221-00-00")]
    pub phone: Option<String>,
    /// Office e-mail (служебная электронная почта).
    #[validate(length(max = limit(values::EMAIL_MAX)))]
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

/// Metadata of an attached file (вложение); the content itself is not stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct AttachmentDto {
    /// File name.
    #[validate(required, length(min = 1, max = limit(network_requests::ATTACHMENT_NAME_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 255, example = "справка.pdf")]
    pub name: Option<String>,
    /// Media type.
    #[validate(required, length(min = 3, max = 127))]
    #[schema(required = true, nullable = false, example = "application/pdf")]
    pub media_type: Option<String>,
    /// Size in bytes.
    #[validate(required, range(max = 1_099_511_627_776u64))]
    #[schema(required = true, nullable = false, minimum = 0)]
    pub size: Option<u64>,
    /// SHA-256 of the content, 64 hexadecimal digits.
    #[validate(required)]
    #[schema(required = true, nullable = false, pattern = "^[0-9a-fA-F]{64}$")]
    pub sha256: Option<String>,
}

impl From<AttachmentDto> for Attachment {
    fn from(a: AttachmentDto) -> Self {
        Attachment {
            name: a.name.unwrap_or_default(),
            media_type: a.media_type.unwrap_or_default(),
            size: a.size.unwrap_or_default(),
            sha256: a.sha256.unwrap_or_default(),
        }
    }
}

impl From<Attachment> for AttachmentDto {
    fn from(a: Attachment) -> Self {
        AttachmentDto { name: Some(a.name), media_type: Some(a.media_type), size: Some(a.size), sha256: Some(a.sha256) }
    }
}

/// A request as its sender drafts it (create; merge-patched while a draft).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NetworkRequestWrite {
    /// Sending organisation (участник, направляющий запрос); must be in the caller's scope.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub sender_organization_id: Option<Uuid>,
    /// Addressee organisation (адресат запроса).
    pub addressee_organization_id: Option<Uuid>,
    /// Contact information for the reply (контактная информация для ответа).
    #[validate(length(max = limit(network_requests::NOTE_MAX)))]
    #[schema(max_length = 1000, example = "670000, г. Улан-Удэ, ул. Ленина, 1; info@example.ru")]
    pub reply_contact: Option<String>,
    /// Author.
    #[validate(nested)]
    pub author: Option<AuthorDto>,
    /// Subject (тема).
    #[validate(length(max = limit(network_requests::SUBJECT_MAX)))]
    #[schema(max_length = 500)]
    pub subject: Option<String>,
    /// Body (текст запроса).
    #[validate(length(max = limit(network_requests::BODY_MAX)))]
    #[schema(max_length = 100000)]
    pub body: Option<String>,
    /// Channel (способ направления), default `edms`.
    pub channel: Option<Channel>,
    /// Deadline policy (правило срока ответа); default: the default policy.
    pub policy_id: Option<Uuid>,
    /// Whether the request holds personal data (содержит персональные данные).
    pub contains_personal_data: Option<bool>,
    /// Legal basis for processing the personal data; required when `contains_personal_data`.
    #[validate(length(max = limit(network_requests::NOTE_MAX)))]
    #[schema(max_length = 1000)]
    pub personal_data_basis: Option<String>,
    /// Attachment metadata (at most 100).
    #[validate(nested, length(max = 100))]
    pub attachments: Option<Vec<AttachmentDto>>,
    /// A linked agreement (соглашение о сетевом взаимодействии).
    pub agreement_id: Option<Uuid>,
}

impl From<NetworkRequestWrite> for NetworkRequestInput {
    fn from(w: NetworkRequestWrite) -> Self {
        let a = w.author.unwrap_or_default();
        NetworkRequestInput {
            sender_organization_id: w.sender_organization_id,
            addressee_organization_id: w.addressee_organization_id,
            reply_contact: w.reply_contact,
            author: AuthorInput {
                surname: a.surname,
                first_name: a.first_name,
                patronymic: a.patronymic,
                position: a.position,
                phone: a.phone,
                email: a.email,
            },
            subject: w.subject,
            body: w.body,
            channel: w.channel,
            policy_id: w.policy_id,
            contains_personal_data: w.contains_personal_data,
            personal_data_basis: w.personal_data_basis,
            attachments: w.attachments.unwrap_or_default().into_iter().map(Attachment::from).collect(),
            agreement_id: w.agreement_id,
        }
    }
}

impl From<NetworkRequestInput> for NetworkRequestWrite {
    fn from(i: NetworkRequestInput) -> Self {
        let a = i.author;
        NetworkRequestWrite {
            sender_organization_id: i.sender_organization_id,
            addressee_organization_id: i.addressee_organization_id,
            reply_contact: i.reply_contact,
            author: Some(AuthorDto {
                surname: a.surname,
                first_name: a.first_name,
                patronymic: a.patronymic,
                position: a.position,
                phone: a.phone,
                email: a.email,
            }),
            subject: i.subject,
            body: i.body,
            channel: i.channel,
            policy_id: i.policy_id,
            contains_personal_data: i.contains_personal_data,
            personal_data_basis: i.personal_data_basis,
            attachments: Some(i.attachments.into_iter().map(AttachmentDto::from).collect()),
            agreement_id: i.agreement_id,
        }
    }
}

impl ValueChecks for NetworkRequestWrite {
    fn value_errors(&self) -> Vec<FieldError> {
        use rsnms_domain::values::{Email, Phone};
        let mut out = Vec::new();
        if let Some(a) = &self.author {
            check_value(&mut out, a.phone.as_deref().filter(|p| !p.trim().is_empty()), |v| {
                Phone::parse("author.phone", v)
            });
            check_value(&mut out, a.email.as_deref().filter(|m| !m.trim().is_empty()), |v| {
                Email::parse("author.email", v)
            });
        }
        out
    }
}

/// A network request as the contract shows it: the domain's view, whose schema (with those of its
/// parts: `RequestPartyView`, `DeadlineView`, `ReplyView`, `BreachView`, `TransitionView`, …) is
/// derived where it is built; its author and attachments refer to [`AuthorDto`] and
/// [`AttachmentDto`].
pub use rsnms_domain::network_requests::RequestView as NetworkRequestView;

crate::list_schema!(NetworkRequestList, NetworkRequestView, "A page of network requests.");

/// Sending a draft (направление запроса).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SendNetworkRequest {
    /// Date sent (дата направления); default: today in the sender's time zone.
    pub sent_on: Option<NaiveDate>,
}

/// Registering receipt (регистрация входящего запроса); starts the term.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReceiveNetworkRequest {
    /// Incoming registration number (входящий номер).
    #[validate(required, length(min = 1, max = limit(network_requests::INCOMING_NUMBER_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 100, example = "вх-245")]
    pub incoming_number: Option<String>,
    /// Date received (дата получения); the term starts the next day.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub received_on: Option<NaiveDate>,
    /// Local wall-clock time of receipt in the addressee's time zone, on `received_on`. Hour terms
    /// count from it. Without it: now when `received_on` is today, else the start of that day.
    pub received_at: Option<NaiveDateTime>,
    /// Another deadline policy than the sender chose.
    pub policy_id: Option<Uuid>,
}

/// Extending the term (продление срока).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExtendNetworkRequest {
    /// Units to add (days; hours for an hour term), within the policy's limit.
    #[validate(required)]
    #[schema(required = true, nullable = false, minimum = 1)]
    pub days: Option<u32>,
    /// Reason (основание продления).
    #[validate(required, length(min = 1, max = limit(network_requests::REASON_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// Answering (ответ на запрос).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplyNetworkRequest {
    /// Text of the reply.
    #[validate(required, length(min = 1, max = limit(network_requests::BODY_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 100000)]
    pub text: Option<String>,
    /// Responder's full name (ФИО ответившего).
    #[validate(required, length(min = 1, max = limit(network_requests::RESPONDER_NAME_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 600)]
    pub responder_name: Option<String>,
    /// Responder's position (должность).
    #[validate(required, length(min = 1, max = limit(network_requests::POSITION_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 300)]
    pub responder_position: Option<String>,
    /// Date of the reply; default: today in the addressee's time zone.
    pub replied_on: Option<NaiveDate>,
    /// Attachment metadata.
    #[validate(nested, length(max = 100))]
    pub attachments: Option<Vec<AttachmentDto>>,
}

/// Withdrawing a request (отзыв запроса).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WithdrawNetworkRequest {
    /// Reason.
    #[validate(length(max = limit(network_requests::REASON_MAX)))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// A clarification request, or the sender's clarification (запрос уточнения / уточнение).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ClarifyNetworkRequest {
    /// Text: what needs clarifying, or the clarification.
    #[validate(required, length(min = 1, max = limit(network_requests::CLARIFICATION_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 10000)]
    pub text: Option<String>,
}

/// Forwarding to the competent participant (переадресация).
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ForwardNetworkRequest {
    /// The new addressee: another participant than the sender and the forwarding addressee.
    #[validate(required)]
    #[schema(required = true, nullable = false)]
    pub addressee_organization_id: Option<Uuid>,
    /// Reason (why the other participant is competent).
    #[validate(required, length(min = 1, max = limit(network_requests::REASON_MAX)))]
    #[schema(required = true, nullable = false, min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

impl ValueChecks for ForwardNetworkRequest {}
impl ValueChecks for SendNetworkRequest {}
impl ValueChecks for ReceiveNetworkRequest {}
impl ValueChecks for ExtendNetworkRequest {}
impl ValueChecks for ReplyNetworkRequest {}
impl ValueChecks for WithdrawNetworkRequest {}
impl ValueChecks for ClarifyNetworkRequest {}

/// Counts by status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusCountsView {
    /// Drafts.
    pub draft: u64,
    /// Sent, not yet received.
    pub sent: u64,
    /// Received, term running.
    pub received: u64,
    /// Awaiting the sender's clarification, the term paused.
    pub clarification: u64,
    /// Answered.
    pub answered: u64,
    /// Withdrawn.
    pub withdrawn: u64,
    /// Forwarded to another participant (closed).
    pub forwarded: u64,
    /// Received and overdue (included in `received`).
    pub overdue: u64,
    /// Answered after the term ended (included in `answered`): breaches recorded.
    pub late: u64,
}

impl From<StatusCounts> for StatusCountsView {
    fn from(c: StatusCounts) -> Self {
        StatusCountsView {
            draft: c.draft,
            sent: c.sent,
            received: c.received,
            clarification: c.clarification,
            answered: c.answered,
            withdrawn: c.withdrawn,
            forwarded: c.forwarded,
            overdue: c.overdue,
            late: c.late,
        }
    }
}

/// Counts of one organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationCounts {
    /// Organisation.
    pub organization_id: Uuid,
    /// Requests it sent (or drafts).
    pub as_sender: StatusCountsView,
    /// Requests addressed to it.
    pub as_addressee: StatusCountsView,
}

/// Counts of one municipality (or of the regional level when `municipality_code` is `null`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MunicipalityCounts {
    /// Region code.
    pub region_code: String,
    /// Municipality code; `null` for organisations of the regional level.
    pub municipality_code: Option<String>,
    /// Requests sent from it.
    pub as_sender: StatusCountsView,
    /// Requests addressed to it.
    pub as_addressee: StatusCountsView,
}

/// Counts by status, per organisation and per municipality, within the caller's scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NetworkRequestStats {
    /// Per organisation.
    pub organizations: Vec<OrganizationCounts>,
    /// Per municipality.
    pub municipalities: Vec<MunicipalityCounts>,
}

impl From<RequestStats> for NetworkRequestStats {
    fn from(s: RequestStats) -> Self {
        NetworkRequestStats {
            organizations: s
                .organizations
                .into_iter()
                .map(|(id, a, b)| OrganizationCounts {
                    organization_id: id,
                    as_sender: a.into(),
                    as_addressee: b.into(),
                })
                .collect(),
            municipalities: s
                .municipalities
                .into_iter()
                .map(|(r, m, a, b)| MunicipalityCounts {
                    region_code: r,
                    municipality_code: m,
                    as_sender: a.into(),
                    as_addressee: b.into(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {

    use rsnms_domain::network_requests::{
        Breach, DeadlineView, NetworkRequest, PartyView, ReplyView, RequestView, TermPauseView, Transition,
    };
    use serde_json::{Value, json};
    use utoipa::PartialSchema;

    fn documented<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let mut keys: Vec<String> = schema["properties"].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    fn served(v: &Value) -> Vec<String> {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_documented_view_names_every_field_the_domain_view_serialises() {
        let t = "2026-12-01T09:00:00Z";
        let attachment = json!({"name": "a.pdf", "media_type": "application/pdf", "size": 1, "sha256": "0".repeat(64)});
        let request: NetworkRequest = serde_json::from_value(json!({
            "id": uuid::Uuid::nil(), "status": "answered", "sender_organization_id": uuid::Uuid::nil(),
            "sender_name": "A", "addressee_organization_id": uuid::Uuid::nil(), "addressee_name": "B",
            "reply_contact": null, "sent_on": "2026-12-01",
            "author": {"surname": null, "first_name": null, "patronymic": null, "position": null, "phone": null, "email": null},
            "subject": null, "body": null, "channel": "edms", "outgoing_number": "1/2026", "incoming_number": null,
            "received_on": "2026-12-01", "received_at": t, "policy_id": uuid::Uuid::nil(),
            "deadline": {"policy_id": uuid::Uuid::nil(), "policy_code": "c", "policy_name": "n",
                "starts_on": "2026-12-02", "due_on": "2026-12-10", "counted_days": 5, "skipped_days": [],
                "provisional": false, "extended_by": 0, "due_at": t, "time_zone": "Asia/Irkutsk",
                "region_code": "03", "pauses": [{"from": t, "until": t}]},
            "reply": {"text": "x", "responder_name": "r", "responder_position": "p", "replied_on": "2026-12-03",
                "attachments": [attachment]},
            "breach": {"due_at": t, "replied_at": t, "delay_seconds": 0, "days_late": 0},
            "contains_personal_data": false, "personal_data_basis": null, "attachments": [],
            "agreement_id": null,
            "history": [{"at": t, "actor_subject": "s", "actor_role": "admin", "action": "create", "from": null,
                "to": "draft", "note": null}],
            "forwarded_to": null, "forwarded_from": null, "created_at": t, "updated_at": t, "version": 1,
        }))
        .unwrap();
        let view = RequestView::new(request, chrono::Utc::now(), false);
        let v = serde_json::to_value(RequestView { allowed_actions: Some(Vec::new()), ..view }).unwrap();
        assert_eq!(served(&v), documented::<RequestView>());
        assert_eq!(served(&v["sender"]), documented::<PartyView>());
        assert_eq!(served(&v["deadline"]), documented::<DeadlineView>());
        assert_eq!(served(&v["deadline"]["pauses"][0]), documented::<TermPauseView>());
        assert_eq!(served(&v["reply"]), documented::<ReplyView>());
        assert_eq!(served(&v["reply"]["attachments"][0]), documented::<super::AttachmentDto>());
        assert_eq!(served(&v["breach"]), documented::<Breach>());
        assert_eq!(served(&v["history"][0]), documented::<Transition>());
        assert_eq!(served(&v["author"]), documented::<super::AuthorDto>());
    }
}

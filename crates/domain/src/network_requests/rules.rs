//! The actions on network requests: drafting, sending (with the NAO §18 check), receipt (which
//! starts the term), extension, reply and withdrawal.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use std::collections::HashMap;

use super::{
    Attachment, Author, Breach, Channel, NetworkRequest, NetworkRequestRepository, Reply, RequestAction,
    RequestDeadline, RequestStatus, SaveKind, Transition,
};
use crate::{
    DomainError, DomainResult, FieldError, Msg,
    auth::{Actor, Ctx, Role, Scope},
    clock::{self, today_in},
    deadlines::{
        CalendarRepository, DeadlinePolicy, DeadlinePolicyRepository, local_to_utc, start_of_day_utc, term_end,
    },
    error::Errors,
    organizations::{Organization, OrganizationRepository},
    values::{Email, Phone, TimeZone},
};

/// Roles that draft, send, receive and answer requests (for the organisations in their scope).
const ACTING: [Role; 4] = [Role::Admin, Role::Operator, Role::Municipal, Role::Organization];

/// The repositories the actions on a request (drafting, then send … forward) use: the `Deps`
/// style of passing dependencies to domain actions (docs/API-DESIGN.md, "Where each rule lives").
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    /// Network requests.
    pub requests: &'a dyn NetworkRequestRepository,
    /// Organisations (the sides' scope, names and time zones).
    pub orgs: &'a dyn OrganizationRepository,
    /// Deadline policies.
    pub policies: &'a dyn DeadlinePolicyRepository,
    /// Working-day calendars.
    pub calendars: &'a dyn CalendarRepository,
}

/// The author as a client writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorInput {
    /// Surname.
    pub surname: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Position.
    pub position: Option<String>,
    /// Office phone.
    pub phone: Option<String>,
    /// Office e-mail.
    pub email: Option<String>,
}

/// A draft as a client writes it (create, or the merged state of an update). Also the input of
/// bulk imports: [`create_network_request`] takes it as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkRequestInput {
    /// Sender organisation (required).
    pub sender_organization_id: Option<Uuid>,
    /// Addressee organisation.
    pub addressee_organization_id: Option<Uuid>,
    /// Contact information for the reply.
    pub reply_contact: Option<String>,
    /// Author.
    pub author: AuthorInput,
    /// Subject.
    pub subject: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// Channel (default `edms`).
    pub channel: Option<Channel>,
    /// Deadline policy (default: the default policy).
    pub policy_id: Option<Uuid>,
    /// Holds personal data.
    pub contains_personal_data: Option<bool>,
    /// Legal basis for the personal data.
    pub personal_data_basis: Option<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Linked agreement.
    pub agreement_id: Option<Uuid>,
}

impl From<&NetworkRequest> for NetworkRequestInput {
    fn from(r: &NetworkRequest) -> Self {
        Self {
            sender_organization_id: Some(r.sender_organization_id),
            addressee_organization_id: r.addressee_organization_id,
            reply_contact: r.reply_contact.clone(),
            author: AuthorInput {
                surname: r.author.surname.clone(),
                first_name: r.author.first_name.clone(),
                patronymic: r.author.patronymic.clone(),
                position: r.author.position.clone(),
                phone: r.author.phone.clone(),
                email: r.author.email.clone(),
            },
            subject: r.subject.clone(),
            body: r.body.clone(),
            channel: Some(r.channel),
            policy_id: Some(r.policy_id),
            contains_personal_data: Some(r.contains_personal_data),
            personal_data_basis: r.personal_data_basis.clone(),
            attachments: r.attachments.clone(),
            agreement_id: r.agreement_id,
        }
    }
}

/// Registration of receipt by the addressee.
#[derive(Debug, Clone, Default)]
pub struct ReceiveInput {
    /// Incoming registration number.
    pub incoming_number: Option<String>,
    /// Date received (the term starts the next day).
    pub received_on: Option<NaiveDate>,
    /// Local wall-clock time of receipt, for hour terms.
    pub received_at: Option<NaiveDateTime>,
    /// Another policy than the one the sender chose.
    pub policy_id: Option<Uuid>,
}

/// An extension of the term.
#[derive(Debug, Clone, Default)]
pub struct ExtendInput {
    /// Units to add (days, or hours for an hour term).
    pub days: Option<u32>,
    /// Reason.
    pub reason: Option<String>,
}

/// The reply.
#[derive(Debug, Clone, Default)]
pub struct ReplyInput {
    /// Text.
    pub text: Option<String>,
    /// Responder's full name.
    pub responder_name: Option<String>,
    /// Responder's position.
    pub responder_position: Option<String>,
    /// Date of the reply (default: today in the addressee's time zone).
    pub replied_on: Option<NaiveDate>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
}

fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::new(
        field,
        "too_long",
        Msg::new(format!("Не длиннее {max} символов"), format!("At most {max} characters")),
    )
}

fn opt_text(e: &mut Errors, field: &str, v: Option<String>, max: usize) -> Option<String> {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => {
            e.push(too_long(field, max));
            None
        }
        v => v,
    }
}

fn req_text(e: &mut Errors, field: &str, v: Option<String>, max: usize) -> Option<String> {
    let given = v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let v = opt_text(e, field, v, max);
    if !given {
        e.push(FieldError::required(field));
    }
    v
}

/// Checks attachment metadata; the SHA-256 is normalised to lower case.
pub fn check_attachments(e: &mut Errors, prefix: &str, list: Vec<Attachment>) -> Vec<Attachment> {
    if list.len() > 100 {
        e.push(FieldError::new(prefix, "too_many", Msg::new("Не больше 100 вложений", "At most 100 attachments")));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, mut a)| {
            let p = |f: &str| format!("{prefix}[{i}].{f}");
            a.name = check_attachment_name(e, &p("name"), &a.name);
            let mt = a.media_type.trim().to_ascii_lowercase();
            let ok_part =
                |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c));
            if !matches!(mt.split_once('/'), Some((t, s)) if ok_part(t) && ok_part(s)) || mt.len() > 127 {
                e.push(FieldError::new(
                    p("media_type"),
                    "invalid_media_type",
                    Msg::new(
                        "Неверный тип содержимого (например, application/pdf)",
                        "Not a media type (e.g. application/pdf)",
                    ),
                ));
            }
            a.media_type = mt;
            a.sha256 = a.sha256.trim().to_ascii_lowercase();
            if a.sha256.len() != 64 || !a.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
                e.push(FieldError::new(
                    p("sha256"),
                    "invalid_sha256",
                    Msg::new("SHA-256: 64 шестнадцатеричные цифры", "SHA-256: 64 hexadecimal digits"),
                ));
            }
            a
        })
        .collect()
}

/// Whether a character may not be part of a file name: control characters (CR, LF, NUL…), the
/// path separators `/` and `\`, and the bidirectional controls that make a name read otherwise
/// than it is (`U+202E` makes `…fdp.exe` read as `…exe.pdf`).
fn forbidden_in_file_name(c: char) -> bool {
    c.is_control()
        || matches!(c, '/' | '\\' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Checks an attachment's file name (1–255 characters, trimmed; a bare name: no control
/// characters, no path separators or bidirectional controls, not `.` or `..`): the one rule for
/// metadata given in a request's JSON and for the name of an uploaded file.
pub fn check_attachment_name(e: &mut Errors, field: &str, name: &str) -> String {
    let name = name.trim().to_owned();
    if name.is_empty() {
        e.push(FieldError::required(field));
    } else if name.chars().count() > super::ATTACHMENT_NAME_MAX {
        e.push(too_long(field, super::ATTACHMENT_NAME_MAX));
    } else if name.chars().any(forbidden_in_file_name) || name == "." || name == ".." {
        e.push(FieldError::new(
            field,
            "invalid_file_name",
            Msg::new(
                "Имя файла без пути: без символов / и \\, управляющих символов и знаков направления письма",
                "A bare file name: no / or \\, no control characters, no bidirectional controls",
            ),
        ));
    }
    name
}

/// The request a caller may attach files to (or remove them from) now, by the rules of the
/// actions that change that part: the letter itself by the sender's side while it may still
/// `update` the draft; the reply by the addressee's side while it may still `reply`.
pub async fn attachable_request(
    requests: &dyn NetworkRequestRepository,
    orgs: &dyn OrganizationRepository,
    ctx: &Ctx,
    id: Uuid,
    reply: bool,
) -> DomainResult<NetworkRequest> {
    ctx.actor.require(&ACTING)?;
    let r = requests.get(&ctx.actor.scope(), id).await?;
    let action = if reply { RequestAction::Reply } else { RequestAction::Update };
    guard(orgs, None, ctx, &r, action).await?;
    Ok(r)
}

fn forbidden_side(ru: &str, en: &str) -> DomainError {
    DomainError::Forbidden(Msg::new(ru, en))
}

fn wrong_transition(r: &NetworkRequest, action: RequestAction) -> DomainError {
    let action = action.as_str();
    DomainError::Conflict {
        field: Some("status".into()),
        message: Msg::new(
            format!("Действие «{action}» невозможно в статусе «{}»", r.status.as_str()),
            format!("The action '{action}' is not allowed in status '{}'", r.status.as_str()),
        ),
        allowed: allowed_except(r.status, &[]),
    }
}

/// Where the caller stands toward a request, as the guards need it: whether it acts for the
/// sender's side and for the addressee's side (the organisation lies in its scope), and the
/// deadline policy of a running term (its extensions).
#[derive(Debug, Clone, Default)]
pub struct Sides {
    /// The caller acts for the sender's side.
    pub sender: bool,
    /// The caller acts for the addressee's side.
    pub addressee: bool,
    /// The policy of the running term (received requests only).
    pub policy: Option<DeadlinePolicy>,
}

/// The guard of every action on a request, which the action calls before it changes anything
/// and [`allowed_actions`] runs for every action: the role (403), the transition table (409
/// naming the actions the status allows), the side that takes the action (403: the sender's
/// side updates, sends, withdraws and clarifies; the addressee's receives, replies, extends,
/// asks for clarification and forwards), then the rules of a running term (409: no extension
/// left under the policy; the term expired, for an extension or a clarification request).
pub fn check_action(
    actor: &Actor,
    r: &NetworkRequest,
    sides: &Sides,
    action: RequestAction,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    use RequestAction as A;
    actor.require(&ACTING)?;
    if !r.status.allows(action) {
        return Err(wrong_transition(r, action));
    }
    match action {
        A::Update | A::Send | A::Withdraw | A::Clarification if !sides.sender => {
            return Err(forbidden_side(
                "Это действие выполняет сторона отправителя",
                "Only the sender's side may do this",
            ));
        }
        A::Receive | A::Reply | A::Extend | A::ClarificationRequest | A::Forward if !sides.addressee => {
            return Err(forbidden_side(
                "Это действие выполняет сторона адресата",
                "Only the addressee's side may do this",
            ));
        }
        _ => {}
    }
    if action == A::Extend {
        let Some(policy) = &sides.policy else {
            return Err(DomainError::internal("received request without its policy"));
        };
        let used = r.extensions_used();
        if used >= policy.max_extensions {
            return Err(DomainError::Conflict {
                field: Some("policy".into()),
                message: Msg::new(
                    format!(
                        "Правило «{}» допускает продлений: {}; использовано: {used}",
                        policy.name, policy.max_extensions
                    ),
                    format!("The policy '{}' allows {} extension(s); {used} used", policy.code, policy.max_extensions),
                ),
                allowed: allowed_except(r.status, &[A::Extend]),
            });
        }
    }
    if NEEDS_RUNNING_TERM.contains(&action) && r.is_overdue(now) {
        return Err(term_expired(r.status));
    }
    Ok(())
}

/// What the guards look up, remembered across the requests of one page.
#[derive(Default)]
struct Lookups {
    in_scope: HashMap<Uuid, bool>,
    policies: HashMap<Uuid, DeadlinePolicy>,
}

impl Lookups {
    async fn in_scope(&mut self, orgs: &dyn OrganizationRepository, scope: &Scope, id: Uuid) -> DomainResult<bool> {
        if let Some(known) = self.in_scope.get(&id) {
            return Ok(*known);
        }
        let found = in_scope(orgs, scope, id).await?;
        self.in_scope.insert(id, found);
        Ok(found)
    }

    /// The caller's [`Sides`] of `r`; the policy is read only when `policies` is given and the
    /// term runs.
    async fn sides(
        &mut self,
        orgs: &dyn OrganizationRepository,
        policies: Option<&dyn DeadlinePolicyRepository>,
        scope: &Scope,
        r: &NetworkRequest,
    ) -> DomainResult<Sides> {
        let sender = self.in_scope(orgs, scope, r.sender_organization_id).await?;
        let addressee = match r.addressee_organization_id {
            Some(id) => self.in_scope(orgs, scope, id).await?,
            None => false,
        };
        let policy = match (policies, &r.deadline) {
            (Some(repo), Some(d)) if r.status == RequestStatus::Received => match self.policies.get(&d.policy_id) {
                Some(p) => Some(p.clone()),
                None => {
                    let p = repo.get(d.policy_id).await?;
                    self.policies.insert(d.policy_id, p.clone());
                    Some(p)
                }
            },
            _ => None,
        };
        Ok(Sides { sender, addressee, policy })
    }
}

/// Runs the guard of `action` for the caller ([`check_action`]); returns the sides it found.
async fn guard(
    orgs: &dyn OrganizationRepository,
    policies: Option<&dyn DeadlinePolicyRepository>,
    ctx: &Ctx,
    r: &NetworkRequest,
    action: RequestAction,
) -> DomainResult<Sides> {
    let sides = if r.status.allows(action) {
        Lookups::default().sides(orgs, policies, &ctx.actor.scope(), r).await?
    } else {
        Sides::default()
    };
    check_action(&ctx.actor, r, &sides, action, clock::now())?;
    Ok(sides)
}

/// The actions the caller may take on each request now (`allowed_actions` of its views): those
/// of the transition table whose guard ([`check_action`]) passes — the same rules that answer
/// the 403 and 409 of the actions themselves.
pub async fn allowed_actions(
    orgs: &dyn OrganizationRepository,
    policies: &dyn DeadlinePolicyRepository,
    ctx: &Ctx,
    items: &[NetworkRequest],
) -> DomainResult<Vec<Vec<RequestAction>>> {
    let scope = ctx.actor.scope();
    let now = clock::now();
    let mut lookups = Lookups::default();
    let mut out = Vec::with_capacity(items.len());
    for r in items {
        let candidates = r.status.allowed_actions();
        if candidates.is_empty() {
            out.push(Vec::new());
            continue;
        }
        let sides = lookups.sides(orgs, Some(policies), &scope, r).await?;
        out.push(crate::actions::allowed(candidates, |a| check_action(&ctx.actor, r, &sides, a, now))?);
    }
    Ok(out)
}

async fn in_scope(orgs: &dyn OrganizationRepository, scope: &Scope, id: Uuid) -> DomainResult<bool> {
    if *scope == Scope::All {
        return Ok(true);
    }
    match orgs.get(scope, id).await {
        Ok(_) => Ok(true),
        Err(DomainError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

async fn any_org(orgs: &dyn OrganizationRepository, id: Uuid) -> DomainResult<Option<Organization>> {
    match orgs.get(&Scope::All, id).await {
        Ok(o) => Ok(Some(o)),
        Err(DomainError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn tz_of(o: &Organization) -> chrono_tz::Tz {
    TimeZone::from_trusted(o.time_zone.clone()).tz()
}

fn transition(
    ctx: &Ctx,
    action: &str,
    from: Option<RequestStatus>,
    to: RequestStatus,
    note: Option<String>,
) -> Transition {
    Transition {
        at: clock::now(),
        actor_subject: ctx.actor.subject.clone(),
        actor_role: ctx.actor.role.as_str().to_owned(),
        action: action.to_owned(),
        from,
        to,
        note,
    }
}

/// Validates a draft and fills the organisations' names; the sender must be in the caller's
/// scope, the addressee any open organisation other than the sender.
async fn validate_draft(
    orgs: &dyn OrganizationRepository,
    policies: &dyn DeadlinePolicyRepository,
    ctx: &Ctx,
    input: NetworkRequestInput,
) -> DomainResult<(NetworkRequestInput, String, Option<String>, Uuid)> {
    let mut e = Errors::new();
    let scope = ctx.actor.scope();
    let mut sender_name = String::new();
    match input.sender_organization_id {
        None => e.push(FieldError::required("sender_organization_id")),
        Some(id) => match orgs.get(&scope, id).await {
            Ok(o) => sender_name = o.name,
            Err(DomainError::NotFound) => e.push(FieldError::new(
                "sender_organization_id",
                "not_found",
                Msg::new(
                    "Организация-отправитель не найдена в вашей области доступа",
                    "The sending organisation does not exist within your scope",
                ),
            )),
            Err(other) => return Err(other),
        },
    }
    let mut addressee_name = None;
    if let Some(id) = input.addressee_organization_id {
        match any_org(orgs, id).await? {
            None => e.push(FieldError::new(
                "addressee_organization_id",
                "not_found",
                Msg::new("Организация-адресат не найдена", "The addressee organisation does not exist"),
            )),
            Some(o) if o.closed_on.is_some() => e.push(FieldError::new(
                "addressee_organization_id",
                "closed",
                Msg::new("Организация-адресат закрыта", "The addressee organisation is closed"),
            )),
            Some(o) if Some(o.id) == input.sender_organization_id => e.push(FieldError::new(
                "addressee_organization_id",
                "same_as_sender",
                Msg::new("Адресат совпадает с отправителем", "The addressee is the sender"),
            )),
            Some(o) => addressee_name = Some(o.name),
        }
    }
    let policy_id = match input.policy_id {
        Some(id) => match policies.get(id).await {
            Ok(p) => p.id,
            Err(DomainError::NotFound) => {
                e.push(FieldError::new(
                    "policy_id",
                    "not_found",
                    Msg::new("Правило срока не найдено", "The deadline policy does not exist"),
                ));
                Uuid::nil()
            }
            Err(other) => return Err(other),
        },
        None => policies.default_policy().await?.id,
    };
    let a = input.author;
    let author = AuthorInput {
        surname: opt_text(&mut e, "author.surname", a.surname, super::AUTHOR_NAME_MAX),
        first_name: opt_text(&mut e, "author.first_name", a.first_name, super::AUTHOR_NAME_MAX),
        patronymic: opt_text(&mut e, "author.patronymic", a.patronymic, super::AUTHOR_NAME_MAX),
        position: opt_text(&mut e, "author.position", a.position, super::POSITION_MAX),
        phone: a
            .phone
            .filter(|p| !p.trim().is_empty())
            .and_then(|p| e.take(Phone::parse("author.phone", &p)))
            .map(|p| p.as_str().to_owned()),
        email: a
            .email
            .filter(|m| !m.trim().is_empty())
            .and_then(|m| e.take(Email::parse("author.email", &m)))
            .map(|m| m.as_str().to_owned()),
    };
    let contains_pd = input.contains_personal_data.unwrap_or(false);
    let personal_data_basis = opt_text(&mut e, "personal_data_basis", input.personal_data_basis, super::NOTE_MAX);
    if contains_pd && personal_data_basis.is_none() {
        e.push(FieldError::new(
            "personal_data_basis",
            "required",
            Msg::new(
                "Запрос с персональными данными должен указывать правовое основание их обработки",
                "A request holding personal data must give the legal basis for processing it",
            ),
        ));
    }
    let cleaned = NetworkRequestInput {
        sender_organization_id: input.sender_organization_id,
        addressee_organization_id: input.addressee_organization_id,
        reply_contact: opt_text(&mut e, "reply_contact", input.reply_contact, super::NOTE_MAX),
        author,
        subject: opt_text(&mut e, "subject", input.subject, super::SUBJECT_MAX),
        body: opt_text(&mut e, "body", input.body, super::BODY_MAX),
        channel: Some(input.channel.unwrap_or(Channel::Edms)),
        policy_id: Some(policy_id),
        contains_personal_data: Some(contains_pd),
        personal_data_basis,
        attachments: check_attachments(&mut e, "attachments", input.attachments),
        agreement_id: input.agreement_id,
    };
    e.finish()?;
    Ok((cleaned, sender_name, addressee_name, policy_id))
}

fn apply_input(r: &mut NetworkRequest, i: NetworkRequestInput, sender_name: String, addressee_name: Option<String>) {
    r.sender_organization_id = i.sender_organization_id.unwrap_or(r.sender_organization_id);
    r.sender_name = sender_name;
    r.addressee_organization_id = i.addressee_organization_id;
    r.addressee_name = addressee_name;
    r.reply_contact = i.reply_contact;
    r.author = Author {
        surname: i.author.surname,
        first_name: i.author.first_name,
        patronymic: i.author.patronymic,
        position: i.author.position,
        phone: i.author.phone,
        email: i.author.email,
    };
    r.subject = i.subject;
    r.body = i.body;
    r.channel = i.channel.unwrap_or(Channel::Edms);
    r.policy_id = i.policy_id.unwrap_or(r.policy_id);
    r.contains_personal_data = i.contains_personal_data.unwrap_or(false);
    r.personal_data_basis = i.personal_data_basis;
    r.attachments = i.attachments;
    r.agreement_id = i.agreement_id;
}

/// Creates a draft request. Admins and operators draft for any sender, municipal authorities for
/// the organisations of their municipality, an organisation for itself and its subdivisions.
/// This is also the entry point of bulk imports.
pub async fn create_network_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    input: NetworkRequestInput,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, policies, .. } = deps;
    ctx.actor.require(&ACTING)?;
    let (input, sender_name, addressee_name, policy_id) = validate_draft(orgs, policies, ctx, input).await?;
    let now = clock::now();
    let mut r = NetworkRequest {
        id: Uuid::now_v7(),
        status: RequestStatus::Draft,
        sender_organization_id: input.sender_organization_id.unwrap_or_default(),
        sender_name: String::new(),
        addressee_organization_id: None,
        addressee_name: None,
        reply_contact: None,
        sent_on: None,
        author: Author::default(),
        subject: None,
        body: None,
        channel: Channel::Edms,
        outgoing_number: None,
        incoming_number: None,
        received_on: None,
        received_at: None,
        policy_id,
        deadline: None,
        reply: None,
        breach: None,
        contains_personal_data: false,
        personal_data_basis: None,
        attachments: Vec::new(),
        agreement_id: None,
        history: vec![transition(ctx, "create", None, RequestStatus::Draft, None)],
        forwarded_to: None,
        forwarded_from: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    apply_input(&mut r, input, sender_name, addressee_name);
    requests.create(ctx, r).await
}

async fn current(
    requests: &dyn NetworkRequestRepository,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
) -> DomainResult<NetworkRequest> {
    ctx.actor.require(&ACTING)?;
    let r = requests.get(&ctx.actor.scope(), id).await?;
    if r.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    Ok(r)
}

/// The addressee's organisation of a request the guard let the addressee's side act on.
async fn addressee_org(orgs: &dyn OrganizationRepository, r: &NetworkRequest) -> DomainResult<Organization> {
    let id = r.addressee_organization_id.ok_or(DomainError::internal("sent request without addressee"))?;
    any_org(orgs, id).await?.ok_or(DomainError::internal("addressee organisation vanished"))
}

/// Changes a draft with a merge patch applied to its current state (drafts only; 409 otherwise).
pub async fn update_network_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    patch: impl FnOnce(NetworkRequestInput) -> DomainResult<NetworkRequestInput>,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, policies, .. } = deps;
    let mut r = current(requests, ctx, id, expected_version).await?;
    guard(orgs, None, ctx, &r, RequestAction::Update).await?;
    let input = patch(NetworkRequestInput::from(&r))?;
    let (input, sender_name, addressee_name, _) = validate_draft(orgs, policies, ctx, input).await?;
    apply_input(&mut r, input, sender_name, addressee_name);
    requests.save(ctx, expected_version, r, SaveKind::Update).await
}

/// Whether a merge patch would leave the request's written fields as they stand, judged by the
/// same checks and normalisation as an update and writing nothing. Importers use it to count a
/// record matching a request already sent as unchanged: a sent request is never updated, so a
/// record that differs gets the update's own 409 instead.
pub async fn patch_changes_nothing(
    orgs: &dyn OrganizationRepository,
    policies: &dyn DeadlinePolicyRepository,
    ctx: &Ctx,
    r: &NetworkRequest,
    patch: impl FnOnce(NetworkRequestInput) -> DomainResult<NetworkRequestInput>,
) -> DomainResult<bool> {
    ctx.actor.require(&ACTING)?;
    let stored = NetworkRequestInput::from(r);
    let (cleaned, ..) = validate_draft(orgs, policies, ctx, patch(stored.clone())?).await?;
    Ok(cleaned == stored)
}

fn missing(field: &str, ru: &str, en: &str) -> FieldError {
    FieldError::new(
        field,
        "mandatory_item_missing",
        Msg::new(
            format!("Обязательный реквизит запроса (п. 18 регламента): {ru}"),
            format!("Mandatory item of a request (reglament §18): {en}"),
        ),
    )
}

/// Every mandatory item of NAO reglament §18 the request lacks (plus its subject), as failing
/// fields: the sender's name, the addressee's name, contact information for the reply, the date
/// sent, and the author's surname, first name, patronymic, position and office phone and/or
/// e-mail.
pub fn missing_mandatory_items(r: &NetworkRequest) -> Vec<FieldError> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let mut out = Vec::new();
    if r.sender_name.trim().is_empty() {
        out.push(missing("sender_organization_id", "наименование отправителя", "the sender's name"));
    }
    if r.addressee_organization_id.is_none() || blank(&r.addressee_name) {
        out.push(missing("addressee_organization_id", "наименование адресата", "the addressee's name"));
    }
    if blank(&r.reply_contact) {
        out.push(missing("reply_contact", "контактная информация для ответа", "contact information for the reply"));
    }
    if r.sent_on.is_none() {
        out.push(missing("sent_on", "дата направления", "the date sent"));
    }
    if blank(&r.author.surname) {
        out.push(missing("author.surname", "фамилия автора", "the author's surname"));
    }
    if blank(&r.author.first_name) {
        out.push(missing("author.first_name", "имя автора", "the author's first name"));
    }
    if blank(&r.author.patronymic) {
        out.push(missing("author.patronymic", "отчество автора", "the author's patronymic"));
    }
    if blank(&r.author.position) {
        out.push(missing("author.position", "должность автора", "the author's position"));
    }
    if blank(&r.author.phone) && blank(&r.author.email) {
        out.push(missing(
            "author.phone_or_email",
            "служебный телефон и (или) электронная почта автора",
            "the author's office phone and/or e-mail",
        ));
    }
    if blank(&r.subject) {
        out.push(missing("subject", "тема запроса", "the subject"));
    }
    out
}

/// Sends a draft: the sender's side, when every mandatory item is present (422 naming every
/// missing one). The names of both organisations are fixed as they stand now; the date sent
/// defaults to today in the sender's time zone; the outgoing number is allocated.
pub async fn send_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    sent_on: Option<NaiveDate>,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, .. } = deps;
    let mut r = current(requests, ctx, id, expected_version).await?;
    guard(orgs, None, ctx, &r, RequestAction::Send).await?;
    let now = clock::now();
    let sender = any_org(orgs, r.sender_organization_id).await?;
    r.sender_name = sender.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let today = sender.as_ref().map_or_else(|| now.date_naive(), |o| today_in(tz_of(o), now));
    if let Some(a) = r.addressee_organization_id {
        r.addressee_name = any_org(orgs, a).await?.map(|o| o.name);
    }
    r.sent_on = Some(sent_on.unwrap_or(today));
    let mut errors = missing_mandatory_items(&r);
    if sent_on.is_some_and(|d| d > today) {
        errors.push(FieldError::new(
            "sent_on",
            "in_future",
            Msg::new("Дата направления не может быть в будущем", "The date sent cannot be in the future"),
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    r.status = RequestStatus::Sent;
    r.history.push(transition(ctx, "send", Some(RequestStatus::Draft), RequestStatus::Sent, None));
    requests.save(ctx, expected_version, r, SaveKind::Send).await
}

/// Registers receipt: the addressee's side. The term starts the day after `received_on`; the due
/// date is computed in the addressee's calendar (federal plus its region's layer) and time zone.
pub async fn receive_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    input: ReceiveInput,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, policies, calendars } = deps;
    let mut r = current(requests, ctx, id, expected_version).await?;
    guard(orgs, None, ctx, &r, RequestAction::Receive).await?;
    let addressee = addressee_org(orgs, &r).await?;
    let tz = tz_of(&addressee);
    let mut e = Errors::new();
    let incoming_number = req_text(&mut e, "incoming_number", input.incoming_number, super::INCOMING_NUMBER_MAX);
    let now = clock::now();
    let today = today_in(tz, now);
    match (input.received_at, input.received_on) {
        (Some(at), Some(on)) if at.date() != on => e.push(FieldError::new(
            "received_at",
            "date_mismatch",
            Msg::new("Время получения — не в день получения", "The time of receipt is not on the date received"),
        )),
        (Some(at), _) if at > now.with_timezone(&tz).naive_local() => e.push(FieldError::new(
            "received_at",
            "in_future",
            Msg::new("Время получения не может быть в будущем", "The time of receipt cannot be in the future"),
        )),
        _ => {}
    }
    match input.received_on {
        None => e.push(FieldError::required("received_on")),
        Some(d) if r.sent_on.is_some_and(|s| d < s) => e.push(FieldError::new(
            "received_on",
            "before_sent",
            Msg::new("Дата получения раньше даты направления", "The date received is before the date sent"),
        )),
        Some(d) if d > today => e.push(FieldError::new(
            "received_on",
            "in_future",
            Msg::new("Дата получения не может быть в будущем", "The date received cannot be in the future"),
        )),
        Some(_) => {}
    }
    let policy = match input.policy_id {
        Some(pid) => match policies.get(pid).await {
            Ok(p) => Some(p),
            Err(DomainError::NotFound) => {
                e.push(FieldError::new(
                    "policy_id",
                    "not_found",
                    Msg::new("Правило срока не найдено", "The deadline policy does not exist"),
                ));
                None
            }
            Err(other) => return Err(other),
        },
        None => Some(policies.get(r.policy_id).await?),
    };
    e.finish()?;
    let (Some(policy), Some(received_on)) = (policy, input.received_on) else {
        return Err(DomainError::internal("receive validation lost a field"));
    };
    // The instant of receipt: the local time given; without one, now when received today, else
    // the start of the day received.
    let received_at = match input.received_at {
        Some(at) => local_to_utc(at, tz),
        None if received_on == today => now,
        None => start_of_day_utc(received_on, tz),
    };
    let calendar = calendars.calendar_for(Some(&addressee.region_code)).await?;
    let (deadline, due_at) = term_end(&calendar, policy.term, received_at, tz, 0)?;
    r.deadline = Some(RequestDeadline {
        policy_id: policy.id,
        policy_code: policy.code,
        policy_name: policy.name,
        due_at,
        deadline,
        time_zone: addressee.time_zone.clone(),
        region_code: addressee.region_code.clone(),
        due_soon_hours: policy.due_soon_hours,
        pauses: Vec::new(),
    });
    r.policy_id = policy.id;
    r.incoming_number = incoming_number;
    r.received_on = Some(received_on);
    r.received_at = Some(received_at);
    r.status = RequestStatus::Received;
    r.history.push(transition(ctx, "receive", Some(RequestStatus::Sent), RequestStatus::Received, None));
    requests.save(ctx, expected_version, r, SaveKind::Action("receive")).await
}

/// Extends the term: the addressee's side, with a reason, while the term runs and only as far as
/// the policy allows (409 when it allows no further extension, 422 when the days exceed it).
pub async fn extend_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    input: ExtendInput,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, policies, calendars } = deps;
    let mut r = current(requests, ctx, id, expected_version).await?;
    let sides = guard(orgs, Some(policies), ctx, &r, RequestAction::Extend).await?;
    let addressee = addressee_org(orgs, &r).await?;
    let (Some(stored), Some(policy)) = (r.deadline.clone(), sides.policy) else {
        return Err(DomainError::internal("received request without deadline"));
    };
    let mut e = Errors::new();
    let reason = req_text(&mut e, "reason", input.reason, super::REASON_MAX);
    let remaining = policy.max_extension_days.saturating_sub(stored.deadline.extended_by);
    match input.days {
        None => e.push(FieldError::required("days")),
        Some(d) if d == 0 || d > remaining => e.push(FieldError::new(
            "days",
            "out_of_range",
            Msg::new(
                format!("Продление — от 1 до {remaining} (остаток по правилу «{}»)", policy.name),
                format!("An extension of 1 to {remaining} is left under the policy '{}'", policy.code),
            ),
        )),
        Some(_) => {}
    }
    e.finish()?;
    let days = input.days.unwrap_or(0);
    let received_at = r.receipt_instant().ok_or(DomainError::internal("received request without date"))?;
    let calendar = calendars.calendar_for(Some(&addressee.region_code)).await?;
    let tz = TimeZone::from_trusted(stored.time_zone.clone()).tz();
    let (deadline, due_at) = term_end(&calendar, policy.term, received_at, tz, stored.deadline.extended_by + days)?;
    let mut extended = stored;
    extended.set_end(deadline, due_at);
    r.deadline = Some(extended);
    r.history.push(transition(ctx, "extend", Some(RequestStatus::Received), RequestStatus::Received, reason));
    requests.save(ctx, expected_version, r, SaveKind::Action("extend")).await
}

/// The breach of a term answered at `replied_at` (dated `replied_on`), if it ended before.
fn breach_of(d: &RequestDeadline, replied_on: NaiveDate, replied_at: DateTime<Utc>) -> Option<Breach> {
    let due_on = d.due_on();
    (replied_at > d.due_at || replied_on > due_on).then(|| Breach {
        due_at: d.due_at,
        replied_at,
        delay_seconds: (replied_at - d.due_at).num_seconds().max(0),
        days_late: (replied_on - due_on).num_days().max(0),
    })
}

/// Answers a received request: the addressee's side. A reply after the term ended is recorded
/// as a breach with its delay (`breach`, and a `breach` entry in the history after the reply).
pub async fn reply_to_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    input: ReplyInput,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, .. } = deps;
    let mut r = current(requests, ctx, id, expected_version).await?;
    guard(orgs, None, ctx, &r, RequestAction::Reply).await?;
    let addressee = addressee_org(orgs, &r).await?;
    let now = clock::now();
    let today = today_in(tz_of(&addressee), now);
    let mut e = Errors::new();
    let text = req_text(&mut e, "text", input.text, super::BODY_MAX);
    let responder_name = req_text(&mut e, "responder_name", input.responder_name, super::RESPONDER_NAME_MAX);
    let responder_position = req_text(&mut e, "responder_position", input.responder_position, super::POSITION_MAX);
    let replied_on = input.replied_on.unwrap_or(today);
    if r.received_on.is_some_and(|d| replied_on < d) {
        e.push(FieldError::new(
            "replied_on",
            "before_received",
            Msg::new("Дата ответа раньше даты получения", "The reply date is before the date received"),
        ));
    } else if replied_on > today {
        e.push(FieldError::new(
            "replied_on",
            "in_future",
            Msg::new("Дата ответа не может быть в будущем", "The reply date cannot be in the future"),
        ));
    }
    let attachments = check_attachments(&mut e, "attachments", input.attachments);
    e.finish()?;
    let (Some(text), Some(responder_name), Some(responder_position)) = (text, responder_name, responder_position)
    else {
        return Err(DomainError::internal("reply validation lost a field"));
    };
    let tz = tz_of(&addressee);
    let replied_at = if replied_on == today { now } else { start_of_day_utc(replied_on, tz) };
    r.breach = r.deadline.as_ref().and_then(|d| breach_of(d, replied_on, replied_at));
    r.reply = Some(Reply { text, responder_name, responder_position, replied_on, attachments });
    r.status = RequestStatus::Answered;
    r.history.push(transition(ctx, "reply", Some(RequestStatus::Received), RequestStatus::Answered, None));
    if let Some(b) = &r.breach {
        let note = format!("PT{}S", b.delay_seconds);
        r.history.push(transition(ctx, "breach", Some(RequestStatus::Answered), RequestStatus::Answered, Some(note)));
    }
    requests.save(ctx, expected_version, r, SaveKind::Action("reply")).await
}

/// Withdraws a request not yet answered: the sender's side.
pub async fn withdraw_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    reason: Option<String>,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, .. } = deps;
    let mut r = current(requests, ctx, id, expected_version).await?;
    guard(orgs, None, ctx, &r, RequestAction::Withdraw).await?;
    let mut e = Errors::new();
    let note = opt_text(&mut e, "reason", reason, super::REASON_MAX);
    e.finish()?;
    let from = r.status;
    r.status = RequestStatus::Withdrawn;
    r.history.push(transition(ctx, "withdraw", Some(from), RequestStatus::Withdrawn, note));
    requests.save(ctx, expected_version, r, SaveKind::Action("withdraw")).await
}

fn clarification_text(text: Option<String>) -> DomainResult<String> {
    let mut e = Errors::new();
    let text = req_text(&mut e, "text", text, super::CLARIFICATION_MAX);
    e.finish()?;
    text.ok_or(DomainError::internal("clarification validation lost the text"))
}

/// The addressee's side asks the sender for clarification (запрос уточнения) while the term
/// runs: the term pauses until the sender answers ([`clarify_request`]). The text is the
/// history entry's note.
pub async fn request_clarification(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    text: Option<String>,
) -> DomainResult<NetworkRequest> {
    pause_or_resume(deps, ctx, id, expected_version, text, Pause::Start).await
}

/// The sender's side answers a clarification request (уточнение): the term resumes, ending
/// later by the time it was paused.
pub async fn clarify_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    text: Option<String>,
) -> DomainResult<NetworkRequest> {
    pause_or_resume(deps, ctx, id, expected_version, text, Pause::End).await
}

/// Which end of a clarification pause an action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pause {
    /// `clarification_request`: the addressee's side pauses a running term.
    Start,
    /// `clarification`: the sender's side answers and the term resumes.
    End,
}

/// Pauses or resumes the term with a history entry whose note is the clarification text.
async fn pause_or_resume(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    text: Option<String>,
    pause: Pause,
) -> DomainResult<NetworkRequest> {
    let Deps { requests, orgs, .. } = deps;
    let (action, from, to) = match pause {
        Pause::Start => (RequestAction::ClarificationRequest, RequestStatus::Received, RequestStatus::Clarification),
        Pause::End => (RequestAction::Clarification, RequestStatus::Clarification, RequestStatus::Received),
    };
    let mut r = current(requests, ctx, id, expected_version).await?;
    guard(orgs, None, ctx, &r, action).await?;
    let text = clarification_text(text)?;
    let action = action.as_str();
    let status = r.status;
    let Some(d) = r.deadline.as_mut() else {
        return Err(DomainError::internal(format!("{} request without deadline", status.as_str())));
    };
    let now = clock::now();
    match pause {
        Pause::Start => d.pauses.push(super::TermPause { from: now, until: None }),
        Pause::End => {
            let Some(open) = d.pauses.last_mut().filter(|p| p.until.is_none()) else {
                return Err(DomainError::internal("paused request without an open pause"));
            };
            open.until = Some(now.max(open.from));
            d.due_at += chrono::TimeDelta::seconds(open.seconds());
        }
    }
    r.status = to;
    r.history.push(transition(ctx, action, Some(from), to, Some(text)));
    requests.save(ctx, expected_version, r, SaveKind::Action(action)).await
}

/// The actions that need a running term (refused once it has expired).
const NEEDS_RUNNING_TERM: [RequestAction; 2] = [RequestAction::Extend, RequestAction::ClarificationRequest];

/// The actions of the transition table ([`RequestStatus::allowed_actions`]) from `status`
/// except the `refused` ones: the `allowed` list of a 409 refusing an action the table allows.
fn allowed_except(status: RequestStatus, refused: &[RequestAction]) -> Vec<String> {
    let left: Vec<RequestAction> = status.allowed_actions().iter().copied().filter(|a| !refused.contains(a)).collect();
    crate::actions::wire_names(&left, RequestAction::as_str)
}

/// 409: the term has expired, so only what needs no running term remains allowed.
fn term_expired(status: RequestStatus) -> DomainError {
    DomainError::Conflict {
        field: Some("deadline".into()),
        message: Msg::new("Срок уже истёк", "The term has already expired"),
        allowed: allowed_except(status, &NEEDS_RUNNING_TERM),
    }
}

/// Forwarding to the competent participant (переадресация).
#[derive(Debug, Clone, Default)]
pub struct ForwardInput {
    /// The new addressee.
    pub addressee_organization_id: Option<Uuid>,
    /// Reason.
    pub reason: Option<String>,
}

/// The addressee's side forwards a received request to the competent participant: the original
/// is closed as `forwarded`, linked to a new request with the same content and outgoing number,
/// sent today to the new addressee by the same sender and received by nobody yet (its own term
/// starts on its receipt), linked back. Returns the original and the new request.
pub async fn forward_request(
    deps: Deps<'_>,
    ctx: &Ctx,
    id: Uuid,
    expected_version: i64,
    input: ForwardInput,
) -> DomainResult<(NetworkRequest, NetworkRequest)> {
    let Deps { requests, orgs, .. } = deps;
    let mut r = current(requests, ctx, id, expected_version).await?;
    guard(orgs, None, ctx, &r, RequestAction::Forward).await?;
    let forwarding = addressee_org(orgs, &r).await?;
    let mut e = Errors::new();
    let reason = req_text(&mut e, "reason", input.reason, super::REASON_MAX);
    let field = "addressee_organization_id";
    let mut addressee_name = String::new();
    match input.addressee_organization_id {
        None => e.push(FieldError::required(field)),
        Some(to) => match any_org(orgs, to).await? {
            None => e.push(FieldError::new(
                field,
                "not_found",
                Msg::new("Организация-адресат не найдена", "The addressee organisation does not exist"),
            )),
            Some(o) if o.closed_on.is_some() => e.push(FieldError::new(
                field,
                "closed",
                Msg::new("Организация-адресат закрыта", "The addressee organisation is closed"),
            )),
            Some(o) if o.id == r.sender_organization_id || Some(o.id) == r.addressee_organization_id => {
                e.push(FieldError::new(
                    field,
                    "not_another_participant",
                    Msg::new(
                        "Переадресовать можно только другому участнику (не отправителю и не себе)",
                        "Forward to another participant (neither the sender nor the addressee)",
                    ),
                ));
            }
            Some(o) => addressee_name = o.name,
        },
    }
    e.finish()?;
    let now = clock::now();
    let new = NetworkRequest {
        id: Uuid::now_v7(),
        status: RequestStatus::Sent,
        addressee_organization_id: input.addressee_organization_id,
        addressee_name: Some(addressee_name),
        sent_on: Some(today_in(tz_of(&forwarding), now)),
        incoming_number: None,
        received_on: None,
        received_at: None,
        deadline: None,
        reply: None,
        breach: None,
        history: vec![transition(ctx, "forward", None, RequestStatus::Sent, reason.clone())],
        forwarded_to: None,
        forwarded_from: Some(r.id),
        created_at: now,
        updated_at: now,
        version: 1,
        ..r.clone()
    };
    r.status = RequestStatus::Forwarded;
    r.forwarded_to = Some(new.id);
    r.history.push(transition(ctx, "forward", Some(RequestStatus::Received), RequestStatus::Forwarded, reason));
    requests.forward(ctx, expected_version, r, new).await
}

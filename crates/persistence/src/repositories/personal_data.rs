//! Purposes and bases of processing, and the depersonalisation of persons, on sea-orm.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rsnms_domain::{
    DomainError, DomainResult, Msg,
    attachments::{Parent, Part},
    auth::Ctx,
    changes::{Change, ChangeKind, ChangeScope},
    personal_data::{
        BasisKind, ConsentForm, PersonalDataRepository, ProcessingBasis, Purpose, RequestMention, SweepCandidate,
        author_names, depersonalise_request_payload, strip_request_payload,
    },
    persons::Person,
    text::search_key,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, LockBehavior, LockType, Query, SimpleExpr},
};
use uuid::Uuid;

use crate::{
    Database, bulk,
    entities::{
        audit_log, network_requests, outbox, persons, processing_bases as b, processing_purposes as p,
        webhook_deliveries,
    },
    error::{DbResultExt, db_err},
    journal,
    repositories::persons::{depersonalise_in, territories},
};

/// Personal-data repository.
#[derive(Debug, Clone)]
pub struct PersonalDataStore {
    pub(crate) db: Database,
}

fn purpose(m: p::Model) -> Purpose {
    Purpose { code: m.code, name_ru: m.name_ru, name_en: m.name_en, shipped: m.shipped }
}

fn basis(m: b::Model) -> DomainResult<ProcessingBasis> {
    let kind =
        BasisKind::parse(&m.kind).ok_or_else(|| DomainError::internal(format!("unknown basis kind {}", m.kind)))?;
    Ok(ProcessingBasis {
        id: m.id,
        person_id: m.person_id,
        purpose: m.purpose,
        kind,
        consent_form: m.consent_form.as_deref().and_then(ConsentForm::parse),
        document_ref: m.document_ref,
        legal_act: m.legal_act,
        given_on: m.given_on,
        valid_until: m.valid_until,
        recorded_by: m.recorded_by,
        recorded_at: m.recorded_at,
        withdrawn_on: m.withdrawn_on,
        withdrawn_by: m.withdrawn_by,
        version: m.version,
    })
}

/// The change event of a basis: ids, purpose, kind and dates — never the person's data — in the
/// person's scope, so that the feed shows it to whoever may see her.
async fn change<C: ConnectionTrait>(conn: &C, x: &ProcessingBasis, action: &'static str) -> DomainResult<Change> {
    let org: Option<Uuid> = persons::Entity::find_by_id(x.person_id)
        .select_only()
        .column(persons::Column::OrganizationId)
        .into_tuple()
        .one(conn)
        .await
        .db()?;
    let org = org.ok_or(DomainError::NotFound)?;
    let territory = territories(conn, vec![org]).await?.remove(&org);
    Ok(change_in(x, action, org, territory))
}

/// The row of a new basis.
fn new_row(x: &ProcessingBasis) -> b::ActiveModel {
    b::ActiveModel {
        id: Set(x.id),
        person_id: Set(x.person_id),
        purpose: Set(x.purpose.clone()),
        kind: Set(x.kind.as_str().to_owned()),
        consent_form: Set(x.consent_form.map(|f| f.as_str().to_owned())),
        document_ref: Set(x.document_ref.clone()),
        legal_act: Set(x.legal_act.clone()),
        given_on: Set(x.given_on),
        valid_until: Set(x.valid_until),
        recorded_by: Set(x.recorded_by.clone()),
        recorded_at: Set(x.recorded_at),
        withdrawn_on: Set(None),
        withdrawn_by: Set(None),
        version: Set(1),
    }
}

/// [`change`] with the person's organisation and its territory already read.
fn change_in(
    x: &ProcessingBasis,
    action: &'static str,
    org: Uuid,
    territory: Option<(String, Option<String>)>,
) -> Change {
    let (region_code, municipality_code) = match territory {
        Some((r, m)) => (Some(r), m),
        None => (None, None),
    };
    Change {
        resource_type: "processing_basis",
        resource_id: x.id,
        kind: if action == "create" { ChangeKind::Created } else { ChangeKind::Updated },
        action,
        personal_data: false,
        payload: serde_json::json!({
            "id": x.id,
            "person_id": x.person_id,
            "purpose": x.purpose,
            "kind": x.kind,
            "given_on": x.given_on,
            "valid_until": x.valid_until,
            "withdrawn_on": x.withdrawn_on,
            "version": x.version,
        }),
        scope: ChangeScope {
            region_code,
            municipality_code,
            organization_id: Some(org),
            person_id: Some(x.person_id),
            counterpart: None,
        },
    }
}

/// Persons not depersonalised who have bases and none in force on `day` (or later).
fn stopped(day: NaiveDate) -> Condition {
    let in_force = Condition::all()
        .add(Condition::any().add(b::Column::WithdrawnOn.is_null()).add(b::Column::WithdrawnOn.gt(day)))
        .add(Condition::any().add(b::Column::ValidUntil.is_null()).add(b::Column::ValidUntil.gte(day)));
    Condition::all()
        .add(persons::Column::DepersonalisedAt.is_null())
        .add(persons::Column::Id.in_subquery(Query::select().column(b::Column::PersonId).from(b::Entity).to_owned()))
        .add(persons::Column::Id.not_in_subquery(
            Query::select().column(b::Column::PersonId).from(b::Entity).cond_where(in_force).to_owned(),
        ))
}

/// The bases of these persons (any purpose), oldest first, read on a connection or inside a
/// transaction (the webhook fan-out's).
pub(crate) async fn bases_in<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> DomainResult<Vec<ProcessingBasis>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows = b::Entity::find()
            .filter(b::Column::PersonId.is_in(chunk.iter().copied()))
            .order_by_asc(b::Column::Id)
            .all(conn)
            .await
            .db()?;
        for m in rows {
            out.push(basis(m)?);
        }
    }
    Ok(out)
}

/// Network requests still holding personal-data copies whose retention counts from a day on or
/// before `day`: sent on it or before, or unsent and created by its end (UTC).
fn requests_past(day: NaiveDate) -> Condition {
    let end = day.succ_opt().unwrap_or(day).and_time(chrono::NaiveTime::MIN).and_utc();
    Condition::all().add(network_requests::Column::PersonalDataRemovedAt.is_null()).add(
        Condition::any().add(network_requests::Column::SentOn.lte(day)).add(
            Condition::all()
                .add(network_requests::Column::SentOn.is_null())
                .add(network_requests::Column::CreatedAt.lt(end)),
        ),
    )
}

/// Rewrites the stored copies of one resource's change events with `f`: the outbox (the feed)
/// and the copies kept for webhook subscribers (`GET /webhooks/{id}/deliveries`, retried while
/// pending) — what depersonalisation must reach besides the resource's own row.
pub(crate) async fn rewrite_event_copies<C: ConnectionTrait>(
    conn: &C,
    resource_type: &str,
    id: Uuid,
    f: impl Fn(&mut serde_json::Value),
) -> DomainResult<()> {
    rewrite_event_copies_of(conn, resource_type, &[id], |_, payload| f(payload)).await
}

/// [`rewrite_event_copies`] for the resources `ids` of a type at once, `f` taking the resource's
/// id: one read of each table per chunk of ids, a write per copy that changed.
pub(crate) async fn rewrite_event_copies_of<C: ConnectionTrait>(
    conn: &C,
    resource_type: &str,
    ids: &[Uuid],
    f: impl Fn(Uuid, &mut serde_json::Value),
) -> DomainResult<()> {
    for ids in ids.chunks(KEYS_PER_READ) {
        let events = outbox::Entity::find()
            .filter(outbox::Column::ResourceType.eq(resource_type))
            .filter(outbox::Column::ResourceId.is_in(ids.iter().copied()))
            .all(conn)
            .await
            .db()?;
        let resource_of: HashMap<Uuid, Uuid> = events.iter().map(|ev| (ev.event_id, ev.resource_id)).collect();
        for ev in events {
            let mut payload = ev.payload.clone();
            f(ev.resource_id, &mut payload);
            if payload != ev.payload {
                let mut e: outbox::ActiveModel = ev.into();
                e.payload = Set(payload);
                e.update(conn).await.db()?;
            }
        }
        let event_ids: Vec<Uuid> = resource_of.keys().copied().collect();
        for chunk in event_ids.chunks(KEYS_PER_READ) {
            let deliveries = webhook_deliveries::Entity::find()
                .filter(webhook_deliveries::Column::EventId.is_in(chunk.iter().copied()))
                .all(conn)
                .await
                .db()?;
            for d in deliveries {
                let mut body = d.body.clone();
                if let (Some(payload), Some(id)) = (body.get_mut("payload"), resource_of.get(&d.event_id)) {
                    f(*id, payload);
                }
                if body != d.body {
                    let mut am: webhook_deliveries::ActiveModel = d.into();
                    am.body = Set(body);
                    am.update(conn).await.db()?;
                }
            }
        }
    }
    Ok(())
}

/// Ids one read names at most.
const KEYS_PER_READ: usize = 500;

/// Removes persons (as they were before depersonalisation) from the network requests that hold a
/// copy of their names or contacts — the author of those their organisations sent, the signer of
/// replies they gave, a reply contact — and from the change events and webhook copies of those
/// requests ([`depersonalise_request_payload`], the one rule, applied person after person as if
/// each were removed alone: a request changed for `k` of them moves on `k` versions). One read of
/// the requests of their organisations; the rows changed once are written together
/// ([`bulk::update_versions`]).
pub(crate) async fn depersonalise_requests_in<C: ConnectionTrait>(conn: &C, persons: &[Person]) -> DomainResult<()> {
    let orgs: Vec<Uuid> =
        persons.iter().map(|p| p.organization_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let mut rows = Vec::new();
    for orgs in orgs.chunks(KEYS_PER_READ) {
        rows.extend(
            network_requests::Entity::find()
                .filter(
                    Condition::any()
                        .add(network_requests::Column::SenderOrganizationId.is_in(orgs.iter().copied()))
                        .add(network_requests::Column::AddresseeOrganizationId.is_in(orgs.iter().copied())),
                )
                .all(conn)
                .await
                .db()?,
        );
    }
    let mut changed_by: HashMap<Uuid, Vec<&Person>> = HashMap::new();
    let mut once = Vec::new();
    for m in rows {
        let mut copy = serde_json::json!({
            "sender": { "organization_id": m.sender_organization_id },
            "addressee": { "organization_id": m.addressee_organization_id },
            "author": m.author,
            "reply": m.reply,
            "reply_contact": m.reply_contact,
        });
        let by: Vec<&Person> = persons.iter().filter(|p| depersonalise_request_payload(&mut copy, p)).collect();
        if by.is_empty() {
            continue;
        }
        let am = network_requests::ActiveModel {
            id: Set(m.id),
            version: Set(m.version + i64::try_from(by.len()).unwrap_or(i64::MAX)),
            author: Set(copy["author"].take()),
            reply: Set(Some(copy["reply"].take()).filter(|r| !r.is_null())),
            reply_contact: Set(copy["reply_contact"].as_str().map(str::to_owned)),
            ..Default::default()
        };
        if by.len() == 1 {
            once.push(am);
        } else {
            am.update(conn).await.db()?;
        }
        changed_by.insert(m.id, by);
    }
    bulk::update_versions::<network_requests::Entity, _>(
        conn,
        network_requests::Column::Id,
        network_requests::Column::Version,
        once,
        db_err,
    )
    .await?;
    let ids: Vec<Uuid> = changed_by.keys().copied().collect();
    rewrite_event_copies_of(conn, "network_request", &ids, |id, payload| {
        for person in changed_by.get(&id).into_iter().flatten() {
            depersonalise_request_payload(payload, person);
        }
    })
    .await
}

/// A pre-filter in SQL of the requests whose author may name `person` ([`author_names`], which
/// the caller still applies): the stored author text holds, in any letter case, the longest word
/// of her surname's search key, or of her e-mail's. Neither SQLite's `lower()` nor PostgreSQL's
/// under a "C" collation folds Cyrillic, so each letter is matched by the class of the letters
/// whose search key it is (`е` by `[еЕёЁ]`), with `GLOB` on SQLite and `~` on PostgreSQL; a
/// character of another kind matches any run, so that the filter keeps every row the exact rule
/// keeps.
fn author_may_name(backend: DatabaseBackend, person: &Person) -> Condition {
    let mut any = Condition::any();
    for text in std::iter::once(person.surname.as_str()).chain(person.email.as_deref()) {
        let key = search_key(text);
        let Some(word) = key.split(' ').max_by_key(|w| w.chars().count()).filter(|w| !w.is_empty()) else {
            // An empty key names every author whose field is empty: no filter.
            return Condition::all();
        };
        any = any.add(author_text_matches(backend, &letter_classes(word)));
    }
    any
}

/// The pieces of a pattern matching `word` (a search key's word) in any letter case: each letter
/// as the class of the characters whose search key it is, `None` for a run of anything.
fn letter_classes(word: &str) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = Vec::new();
    for c in word.chars() {
        let class = match c {
            'е' => Some("еЕёЁ".to_owned()),
            'i' => Some("iIİ".to_owned()),
            'k' => Some("kK\u{212a}".to_owned()),
            '0'..='9' => Some(c.to_string()),
            'a'..='z' | 'а'..='я' => Some(c.to_uppercase().chain(std::iter::once(c)).collect()),
            _ => None,
        };
        if class.is_some() || out.last().is_none_or(Option::is_some) {
            out.push(class);
        }
    }
    out
}

/// The condition that the author's stored text matches the pattern of `pieces`.
fn author_text_matches(backend: DatabaseBackend, pieces: &[Option<String>]) -> SimpleExpr {
    let class = |c: &String| if c.chars().count() == 1 { c.clone() } else { format!("[{c}]") };
    if backend == DatabaseBackend::Postgres {
        let pattern: String = pieces.iter().map(|p| p.as_ref().map_or_else(|| ".*".to_owned(), class)).collect();
        Expr::cust_with_values("CAST(author AS TEXT) ~ $1", [pattern])
    } else {
        let inner: String = pieces.iter().map(|p| p.as_ref().map_or_else(|| "*".to_owned(), class)).collect();
        Expr::cust_with_values("CAST(author AS TEXT) GLOB ?", [format!("*{inner}*")])
    }
}

#[async_trait]
impl PersonalDataRepository for PersonalDataStore {
    async fn purposes(&self) -> DomainResult<Vec<Purpose>> {
        let rows = p::Entity::find().order_by_asc(p::Column::Code).all(&self.db.exec()).await.db()?;
        Ok(rows.into_iter().map(purpose).collect())
    }

    async fn create_purpose(&self, ctx: &Ctx, x: Purpose) -> DomainResult<Purpose> {
        let txn = self.db.begin_write().await?;
        if p::Entity::find_by_id(x.code.clone()).one(&txn).await.db()?.is_some() {
            return Err(DomainError::conflict(
                "code",
                Msg::new(format!("Цель «{}» уже есть", x.code), format!("Purpose `{}` exists", x.code)),
            ));
        }
        let id = Uuid::now_v7();
        let am = p::ActiveModel {
            id: Set(id),
            code: Set(x.code.clone()),
            name_ru: Set(x.name_ru.clone()),
            name_en: Set(x.name_en.clone()),
            shipped: Set(false),
        };
        p::Entity::insert(am).exec_without_returning(&txn).await.db_unique(&["code"])?;
        let event = Change {
            resource_type: "processing_purpose",
            resource_id: id,
            kind: ChangeKind::Created,
            action: "create",
            personal_data: false,
            payload: serde_json::json!({ "id": id, "code": x.code, "name_ru": x.name_ru, "name_en": x.name_en }),
            scope: ChangeScope::default(),
        };
        journal::record(&txn, Some(ctx), event).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn bases_of(&self, ids: &[Uuid]) -> DomainResult<Vec<ProcessingBasis>> {
        bases_in(&self.db.exec(), ids).await
    }

    async fn create_basis(&self, ctx: &Ctx, x: ProcessingBasis) -> DomainResult<ProcessingBasis> {
        let txn = self.db.begin_write().await?;
        let m = b::Entity::insert(new_row(&x)).exec_with_returning(&txn).await.db()?;
        let created = basis(m)?;
        journal::record(&txn, Some(ctx), change(&txn, &created, "create").await?).await?;
        txn.commit().await.db()?;
        Ok(created)
    }

    async fn create_bases(&self, ctx: &Ctx, bases: Vec<ProcessingBasis>) -> DomainResult<Vec<ProcessingBasis>> {
        if bases.is_empty() {
            return Ok(bases);
        }
        let txn = self.db.begin_write().await?;
        let mut person_ids: Vec<Uuid> = bases.iter().map(|x| x.person_id).collect();
        person_ids.sort_unstable();
        person_ids.dedup();
        let orgs: HashMap<Uuid, Uuid> = persons::Entity::find()
            .select_only()
            .column(persons::Column::Id)
            .column(persons::Column::OrganizationId)
            .filter(persons::Column::Id.is_in(person_ids))
            .into_tuple::<(Uuid, Uuid)>()
            .all(&txn)
            .await
            .db()?
            .into_iter()
            .collect();
        let places = territories(&txn, orgs.values().copied().collect()).await?;
        let mut changes = Vec::with_capacity(bases.len());
        for x in &bases {
            let org = *orgs.get(&x.person_id).ok_or(DomainError::NotFound)?;
            let territory = places.get(&org).cloned();
            changes.push(change_in(x, "create", org, territory));
        }
        bulk::insert_all::<b::Entity, _>(&txn, bases.iter().map(new_row).collect(), db_err).await?;
        journal::record_many(&txn, Some(ctx), changes).await?;
        txn.commit().await.db()?;
        Ok(bases)
    }

    async fn withdraw_basis(
        &self,
        ctx: &Ctx,
        person_id: Uuid,
        basis_id: Uuid,
        on: NaiveDate,
    ) -> DomainResult<ProcessingBasis> {
        let txn = self.db.begin_write().await?;
        let m = b::Entity::find_by_id(basis_id)
            .filter(b::Column::PersonId.eq(person_id))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if m.withdrawn_on.is_some() {
            return Err(DomainError::conflict(
                "withdrawn_on",
                Msg::new("Основание уже отозвано", "The basis is already withdrawn"),
            ));
        }
        let version = m.version + 1;
        let mut am: b::ActiveModel = m.into();
        am.withdrawn_on = Set(Some(on));
        am.withdrawn_by = Set(Some(ctx.actor.subject.clone()));
        am.version = Set(version);
        let updated = basis(am.update(&txn).await.db()?)?;
        journal::record(&txn, Some(ctx), change(&txn, &updated, "withdraw").await?).await?;
        txn.commit().await.db()?;
        Ok(updated)
    }

    async fn stopped_by(&self, day: NaiveDate, limit: u64) -> DomainResult<Vec<SweepCandidate>> {
        let ids: Vec<Uuid> = persons::Entity::find()
            .select_only()
            .column(persons::Column::Id)
            .filter(stopped(day))
            .order_by_asc(persons::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db.exec())
            .await
            .db()?;
        let bases = self.bases_of(&ids).await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| {
                let stops = bases.iter().filter(|x| x.person_id == id).map(ProcessingBasis::stops_on);
                // Every basis of a listed person has stopped, so each has a day.
                let last = stops.collect::<Option<Vec<_>>>()?.into_iter().max()?;
                Some(SweepCandidate { person_id: id, processing_stopped_on: last })
            })
            .collect())
    }

    async fn depersonalise(&self, day: NaiveDate, limit: u64, at: DateTime<Utc>) -> DomainResult<Vec<Uuid>> {
        // An idle round stays read-only (no write lock on SQLite).
        if self.stopped_by(day, 1).await?.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.db.begin_write().await?;
        let claim = Query::select()
            .column(persons::Column::Id)
            .from(persons::Entity)
            .cond_where(stopped(day))
            .order_by(persons::Column::Id, sea_orm::Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let ids: Vec<Uuid> = persons::Entity::find()
            .select_only()
            .column(persons::Column::Id)
            .filter(persons::Column::Id.in_subquery(claim))
            .into_tuple()
            .all(&txn)
            .await
            .db()?;
        if !ids.is_empty() {
            depersonalise_in(&txn, &ids, at).await?;
        }
        txn.commit().await.db()?;
        Ok(ids)
    }

    async fn requests_holding_personal_data(
        &self,
        from_by: NaiveDate,
        limit: u64,
    ) -> DomainResult<Vec<(Uuid, NaiveDate)>> {
        let rows: Vec<(Uuid, Option<NaiveDate>, DateTime<Utc>)> = network_requests::Entity::find()
            .select_only()
            .column(network_requests::Column::Id)
            .column(network_requests::Column::SentOn)
            .column(network_requests::Column::CreatedAt)
            .filter(requests_past(from_by))
            .order_by_asc(network_requests::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.db.exec())
            .await
            .db()?;
        Ok(rows.into_iter().map(|(id, sent, created)| (id, sent.unwrap_or_else(|| created.date_naive()))).collect())
    }

    async fn remove_request_personal_data(
        &self,
        from_by: NaiveDate,
        limit: u64,
        at: DateTime<Utc>,
    ) -> DomainResult<Vec<Uuid>> {
        // An idle round stays read-only (no write lock on SQLite).
        if self.requests_holding_personal_data(from_by, 1).await?.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.db.begin_write().await?;
        let claim = Query::select()
            .column(network_requests::Column::Id)
            .from(network_requests::Entity)
            .cond_where(requests_past(from_by))
            .order_by(network_requests::Column::Id, sea_orm::Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let rows = network_requests::Entity::find()
            .filter(network_requests::Column::Id.in_subquery(claim))
            .all(&txn)
            .await
            .db()?;
        let mut done = Vec::with_capacity(rows.len());
        let mut changes = Vec::with_capacity(rows.len());
        for m in rows {
            let mut copy = serde_json::json!({
                "author": m.author,
                "reply": m.reply,
                "reply_contact": m.reply_contact,
                "body": m.body,
                "attachments": m.attachments,
                "contains_personal_data": m.contains_personal_data,
            });
            strip_request_payload(&mut copy);
            let id = m.id;
            if m.contains_personal_data {
                // Its stored files go with the copies: the letter's and the reply's.
                let parent = Parent::NetworkRequest { id, part: Part::Request };
                crate::repositories::attachments::delete_files_of(&txn, &parent).await?;
            }
            let version = m.version + 1;
            let mut am: network_requests::ActiveModel = m.into();
            am.author = Set(copy["author"].take());
            am.reply = Set(Some(copy["reply"].take()).filter(|r| !r.is_null()));
            am.reply_contact = Set(None);
            am.body = Set(copy["body"].as_str().map(str::to_owned));
            am.attachments = Set(copy["attachments"].take());
            am.personal_data_removed_at = Set(Some(at));
            am.updated_at = Set(at);
            am.version = Set(version);
            let model = am.update(&txn).await.db()?;
            rewrite_event_copies(&txn, "network_request", id, strip_request_payload).await?;
            let r = crate::repositories::network_requests::to_domain(model.clone())?;
            changes.push(crate::repositories::network_requests::change(
                &model,
                &r,
                "remove_personal_data",
                ChangeKind::Updated,
            ));
            done.push(id);
        }
        journal::record_many(&txn, None, changes).await?;
        txn.commit().await.db()?;
        Ok(done)
    }

    async fn audit_before(&self, before: DateTime<Utc>) -> DomainResult<u64> {
        audit_log::Entity::find().filter(audit_log::Column::At.lt(before)).count(&self.db.exec()).await.db()
    }

    async fn delete_audit_before(&self, before: DateTime<Utc>, limit: u64) -> DomainResult<u64> {
        if self.audit_before(before).await? == 0 {
            return Ok(0);
        }
        let txn = self.db.begin_write().await?;
        let claim = Query::select()
            .column(audit_log::Column::Id)
            .from(audit_log::Entity)
            .cond_where(audit_log::Column::At.lt(before))
            .order_by(audit_log::Column::At, sea_orm::Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let ids: Vec<Uuid> = audit_log::Entity::find()
            .select_only()
            .column(audit_log::Column::Id)
            .filter(audit_log::Column::Id.in_subquery(claim))
            .into_tuple()
            .all(&txn)
            .await
            .db()?;
        let n = audit_log::Entity::delete_many()
            .filter(audit_log::Column::Id.is_in(ids))
            .exec(&txn)
            .await
            .db()?
            .rows_affected;
        txn.commit().await.db()?;
        Ok(n)
    }

    async fn depersonalised_at(&self, person_id: Uuid) -> DomainResult<Option<DateTime<Utc>>> {
        let at: Option<Option<DateTime<Utc>>> = persons::Entity::find_by_id(person_id)
            .select_only()
            .column(persons::Column::DepersonalisedAt)
            .into_tuple()
            .one(&self.db.exec())
            .await
            .db()?;
        Ok(at.flatten())
    }

    async fn requests_naming(&self, person: &Person) -> DomainResult<Vec<RequestMention>> {
        // Her requests are those her organisation sent: the author is the sender's person. The
        // addressee side is not searched — a name there is a namesake's, and another organisation's
        // drafts are not the reader's to see.
        let rows = network_requests::Entity::find()
            .filter(network_requests::Column::SenderOrganizationId.eq(person.organization_id))
            .filter(author_may_name(self.db.backend(), person))
            .order_by_asc(network_requests::Column::Id)
            .all(&self.db.exec())
            .await
            .db()?;
        Ok(rows
            .into_iter()
            .filter(|m| {
                let author: rsnms_domain::network_requests::Author =
                    serde_json::from_value(m.author.clone()).unwrap_or_default();
                author_names(&author, person)
            })
            .map(|m| RequestMention {
                id: m.id,
                outgoing_number: m.outgoing_number,
                subject: m.subject,
                status: m.status,
                sent_on: m.sent_on,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::letter_classes;

    #[test]
    fn a_word_is_matched_letter_by_letter_in_either_case_and_other_characters_by_any_run() {
        let pieces = letter_classes("щелкова-ӧk2");
        let expected = ["Щщ", "еЕёЁ", "Лл", "Кк", "Оо", "Вв", "Аа", "", "kK\u{212a}", "2"];
        let expected: Vec<Option<String>> =
            expected.iter().map(|c| Some((*c).to_owned()).filter(|c| !c.is_empty())).collect();
        assert_eq!(pieces, expected, "the hyphen and `ӧ` make one run of anything");
    }
}

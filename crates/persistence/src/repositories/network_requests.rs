//! Network requests on sea-orm.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope, Party},
    network_requests::{
        Author, Channel, NetworkRequest, NetworkRequestFilter, NetworkRequestRepository, RequestDeadline, RequestStats,
        RequestStatus, SaveKind, StatusCounts, StoredNumbering, format_outgoing_number,
    },
    organizations::Organization,
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::{
    Database,
    entities::{
        network_request_counters as counters, network_request_numbering as numbering,
        network_requests::{ActiveModel, Column, Entity, Model},
        organizations,
    },
    error::{DbResultExt, db_err, db_err_fields},
    journal,
    keyset::{self, KeyColumn, KeyType, unknown_sort},
    scope,
    versioned::{self, Versioned},
};

pub use rsnms_domain::network_requests::DEFAULT_NUMBER_FORMAT;

/// Network requests repository.
#[derive(Debug, Clone)]
pub struct NetworkRequestStore {
    pub(crate) db: Database,
}

fn bad(id: Uuid, what: &str) -> DomainError {
    DomainError::internal(format!("network request {id} has malformed {what}"))
}

pub(crate) fn to_domain(m: Model) -> DomainResult<NetworkRequest> {
    let id = m.id;
    Ok(NetworkRequest {
        id,
        status: RequestStatus::parse(&m.status).ok_or_else(|| bad(id, "status"))?,
        sender_organization_id: m.sender_organization_id,
        sender_name: m.sender_name,
        addressee_organization_id: m.addressee_organization_id,
        addressee_name: m.addressee_name,
        reply_contact: m.reply_contact,
        sent_on: m.sent_on,
        author: serde_json::from_value::<Author>(m.author).map_err(|_| bad(id, "author"))?,
        subject: m.subject,
        body: m.body,
        channel: Channel::parse(&m.channel).ok_or_else(|| bad(id, "channel"))?,
        outgoing_number: m.outgoing_number,
        incoming_number: m.incoming_number,
        received_on: m.received_on,
        received_at: m.received_at,
        policy_id: m.policy_id,
        deadline: m.deadline.map(serde_json::from_value).transpose().map_err(|_| bad(id, "deadline"))?,
        reply: m.reply.map(serde_json::from_value).transpose().map_err(|_| bad(id, "reply"))?,
        breach: m.breach.map(serde_json::from_value).transpose().map_err(|_| bad(id, "breach"))?,
        contains_personal_data: m.contains_personal_data,
        personal_data_basis: m.personal_data_basis,
        attachments: serde_json::from_value(m.attachments).map_err(|_| bad(id, "attachments"))?,
        agreement_id: m.agreement_id,
        history: serde_json::from_value(m.history).map_err(|_| bad(id, "history"))?,
        forwarded_to: m.forwarded_to_id,
        forwarded_from: m.forwarded_from_id,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Writes the state into a row (territorial columns are filled separately).
fn fill(am: &mut ActiveModel, r: &NetworkRequest) {
    am.status = Set(r.status.as_str().to_owned());
    am.sender_organization_id = Set(r.sender_organization_id);
    am.sender_name = Set(r.sender_name.clone());
    am.addressee_organization_id = Set(r.addressee_organization_id);
    am.addressee_name = Set(r.addressee_name.clone());
    am.reply_contact = Set(r.reply_contact.clone());
    am.sent_on = Set(r.sent_on);
    am.author = Set(json(&r.author));
    am.subject = Set(r.subject.clone());
    am.body = Set(r.body.clone());
    am.channel = Set(r.channel.as_str().to_owned());
    am.incoming_number = Set(r.incoming_number.clone());
    am.received_on = Set(r.received_on);
    am.received_at = Set(r.received_at);
    am.policy_id = Set(r.policy_id);
    am.deadline = Set(r.deadline.as_ref().map(json));
    am.due_on = Set(r.deadline.as_ref().map(RequestDeadline::due_on));
    am.due_at = Set(r.deadline.as_ref().map(|d| d.due_at));
    am.due_soon_at = Set(r.deadline.as_ref().map(RequestDeadline::due_soon_at));
    am.reply = Set(r.reply.as_ref().map(json));
    am.breach = Set(r.breach.as_ref().map(json));
    am.contains_personal_data = Set(r.contains_personal_data);
    am.forwarded_to_id = Set(r.forwarded_to);
    am.forwarded_from_id = Set(r.forwarded_from);
    am.personal_data_basis = Set(r.personal_data_basis.clone());
    am.attachments = Set(json(&r.attachments));
    am.agreement_id = Set(r.agreement_id);
    am.history = Set(json(&r.history));
}

async fn territory<C: ConnectionTrait>(conn: &C, id: Uuid) -> DomainResult<(String, Option<String>)> {
    let o = organizations::Entity::find_by_id(id)
        .one(conn)
        .await
        .db()?
        .ok_or_else(|| DomainError::internal(format!("organization {id} vanished")))?;
    Ok((o.region_code, o.municipality_code))
}

async fn fill_territory<C: ConnectionTrait>(conn: &C, am: &mut ActiveModel, r: &NetworkRequest) -> DomainResult<()> {
    let (region, municipality) = territory(conn, r.sender_organization_id).await?;
    am.sender_region_code = Set(region);
    am.sender_municipality_code = Set(municipality);
    match r.addressee_organization_id {
        Some(a) => {
            let (region, municipality) = territory(conn, a).await?;
            am.addressee_region_code = Set(Some(region));
            am.addressee_municipality_code = Set(municipality);
        }
        None => {
            am.addressee_region_code = Set(None);
            am.addressee_municipality_code = Set(None);
        }
    }
    Ok(())
}

/// The event of a change: the payload is the request's GET view
/// ([`network_requests::change_payload`](rsnms_domain::network_requests::change_payload)),
/// flagged as personal data when the request holds some, so that the feed and webhooks hide the
/// body, attachments and reply text from readers who may not read them and audit the reads of
/// those who may, as GET does. Its audience — the one place network-request changes build their
/// [`ChangeScope`] — is the sender's side and, once the request was sent (it has a sending date:
/// visibility by fact, not by status), the addressee's side too, as reads open them; a draft
/// (even withdrawn) stays the sender's.
pub(crate) fn change(m: &Model, r: &NetworkRequest, action: &'static str, kind: ChangeKind) -> Change {
    let addressee = (r.sent_on.is_some() && m.addressee_organization_id.is_some()).then(|| Party {
        region_code: m.addressee_region_code.clone(),
        municipality_code: m.addressee_municipality_code.clone(),
        organization_id: m.addressee_organization_id,
        person_id: None,
    });
    let scope = ChangeScope {
        region_code: Some(m.sender_region_code.clone()),
        municipality_code: m.sender_municipality_code.clone(),
        organization_id: Some(m.sender_organization_id),
        person_id: None,
        counterpart: addressee,
    };
    Change {
        resource_type: "network_request",
        resource_id: r.id,
        kind,
        action,
        payload: rsnms_domain::network_requests::change_payload(r, action),
        personal_data: r.contains_personal_data,
        scope,
    }
}

fn save_action(kind: SaveKind) -> &'static str {
    match kind {
        SaveKind::Update => "update",
        SaveKind::Send => "send",
        SaveKind::Action(a) => a,
    }
}

/// Allocates the sender's next outgoing number for a year (atomic upsert of the counter).
async fn next_number<C: ConnectionTrait>(conn: &C, org: Uuid, year: i32) -> DomainResult<(i64, String)> {
    use counters::Column as K;
    let stmt = Query::insert()
        .into_table(counters::Entity)
        .columns([K::OrganizationId, K::Year, K::LastSeq])
        .values([Expr::val(org), Expr::val(year), Expr::val(1i64)])
        .map_err(|e| DomainError::internal_caused("building the counter insert", e))?
        .on_conflict(
            OnConflict::columns([K::OrganizationId, K::Year])
                .value(K::LastSeq, Expr::col((counters::Entity, K::LastSeq)).add(1))
                .to_owned(),
        )
        .returning_col(K::LastSeq)
        .to_owned();
    let row = conn.query_one(&stmt).await.db()?.ok_or(DomainError::internal("no counter row"))?;
    let seq: i64 = row.try_get("", "last_seq").db()?;
    let format = numbering::Entity::find_by_id(org)
        .one(conn)
        .await
        .db()?
        .map_or_else(|| DEFAULT_NUMBER_FORMAT.to_owned(), |n| n.format);
    Ok((seq, format_outgoing_number(&format, seq, year)))
}

/// The last sequence number a sender gave in a year (`0`: none).
async fn last_seq<C: ConnectionTrait>(conn: &C, org: Uuid, year: i32) -> DomainResult<i64> {
    Ok(counters::Entity::find_by_id((org, year)).one(conn).await.db()?.map_or(0, |c| c.last_seq))
}

fn stored_numbering(row: Option<numbering::Model>, last_seq: i64) -> StoredNumbering {
    match row {
        Some(n) => {
            StoredNumbering { format: Some(n.format), version: n.version, updated_at: Some(n.updated_at), last_seq }
        }
        None => StoredNumbering { format: None, version: 0, updated_at: None, last_seq },
    }
}

impl NetworkRequestStore {
    /// Claims up to `batch` requests whose due-soon (or overdue) event is not yet emitted, in
    /// one atomic statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so that instances never
    /// wait on each other), and journals one event for each in the same transaction.
    async fn claim(&self, now: DateTime<Utc>, batch: u64, overdue: bool) -> DomainResult<u64> {
        let backend = self.db.backend();
        let pg = backend == DatabaseBackend::Postgres;
        let batch = i64::try_from(batch).unwrap_or(i64::MAX);
        let column = if overdue { "overdue_notified_at" } else { "due_soon_notified_at" };
        let (set, window, limit, lock, values): (&str, &str, &str, &str, Vec<sea_orm::Value>) = match (pg, overdue) {
            (true, true) => ("$1", "due_at <= $1", "$2", " FOR UPDATE SKIP LOCKED", vec![now.into(), batch.into()]),
            // Due soon: the policy's lead time before the end, stored as `due_soon_at`.
            (true, false) => (
                "$1",
                "due_at > $1 AND due_soon_at <= $1",
                "$2",
                " FOR UPDATE SKIP LOCKED",
                vec![now.into(), batch.into()],
            ),
            (false, true) => ("?", "due_at <= ?", "?", "", vec![now.into(), now.into(), batch.into()]),
            (false, false) => (
                "?",
                "due_at > ? AND due_soon_at <= ?",
                "?",
                "",
                vec![now.into(), now.into(), now.into(), batch.into()],
            ),
        };
        let sql = format!(
            "UPDATE network_requests SET {column} = {set} WHERE id IN (SELECT id FROM network_requests \
             WHERE status = 'received' AND {column} IS NULL AND {window} ORDER BY due_at LIMIT {limit}{lock}) \
             RETURNING id"
        );
        let txn = self.db.begin_write().await?;
        let rows = txn.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await.db()?;
        self.journal_claimed(txn, rows, if overdue { "overdue" } else { "due_soon" }).await
    }

    async fn journal_claimed(
        &self,
        txn: sea_orm::DatabaseTransaction,
        rows: Vec<sea_orm::QueryResult>,
        action: &'static str,
    ) -> DomainResult<u64> {
        let mut ids = Vec::with_capacity(rows.len());
        for row in rows {
            ids.push(row.try_get::<Uuid>("", "id").db()?);
        }
        if ids.is_empty() {
            txn.commit().await.db()?;
            return Ok(0);
        }
        let models = Entity::find().filter(Column::Id.is_in(ids.clone())).all(&txn).await.db()?;
        for m in models {
            let r = to_domain(m.clone())?;
            journal::record(&txn, None, change(&m, &r, action, ChangeKind::Updated)).await?;
        }
        txn.commit().await.db()?;
        Ok(ids.len() as u64)
    }
}

/// Inserts a new request with its territorial data (and an outgoing number and year without a
/// sequence number, for a forwarded letter), journaled as created by `action`.
async fn insert_new(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Ctx,
    new: &NetworkRequest,
    outgoing: Option<(String, i32)>,
    action: &'static str,
) -> DomainResult<NetworkRequest> {
    let (number, year) = outgoing.unzip();
    let mut am = ActiveModel {
        id: Set(new.id),
        outgoing_number: Set(number),
        outgoing_year: Set(year),
        outgoing_seq: Set(None),
        due_soon_notified_at: Set(None),
        overdue_notified_at: Set(None),
        created_at: Set(new.created_at),
        updated_at: Set(new.updated_at),
        version: Set(1),
        ..Default::default()
    };
    fill(&mut am, new);
    fill_territory(txn, &mut am, new).await?;
    let model = Entity::insert(am).exec_with_returning(txn).await.db()?;
    let r = to_domain(model.clone())?;
    journal::record(txn, Some(ctx), change(&model, &r, action, ChangeKind::Created)).await?;
    Ok(r)
}

/// Writes the new state of a request when its stored version is `expected_version`, and
/// journals it, within the transaction.
async fn write_state(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Ctx,
    expected_version: i64,
    state: &NetworkRequest,
    kind: SaveKind,
) -> DomainResult<NetworkRequest> {
    let current = Entity::find_by_id(state.id)
        .filter(scope::network_requests(&ctx.actor.scope()))
        .one(txn)
        .await
        .db()?
        .ok_or(DomainError::NotFound)?;
    if current.version != expected_version {
        return Err(DomainError::PreconditionFailed);
    }
    let deadline_changed = current.due_at != state.deadline.as_ref().map(|d| d.due_at);
    let mut am: ActiveModel = current.into();
    fill(&mut am, state);
    if kind == SaveKind::Update {
        fill_territory(txn, &mut am, state).await?;
    }
    if kind == SaveKind::Send {
        fill_territory(txn, &mut am, state).await?;
        let year = state.sent_on.map_or_else(|| Utc::now().year(), |d| d.year());
        let (seq, number) = next_number(txn, state.sender_organization_id, year).await?;
        am.outgoing_year = Set(Some(year));
        am.outgoing_seq = Set(Some(seq));
        am.outgoing_number = Set(Some(number));
    }
    if deadline_changed {
        am.due_soon_notified_at = Set(None);
        am.overdue_notified_at = Set(None);
    }
    let model = versioned::save_next_version::<Entity, _, _>(
        txn,
        Versioned { id: Column::Id, version: Column::Version, updated_at: Column::UpdatedAt },
        am,
        state.id,
        expected_version,
        |e| db_err_fields(e, &["outgoing"]),
    )
    .await?;
    let r = to_domain(model.clone())?;
    journal::record(txn, Some(ctx), change(&model, &r, save_action(kind), ChangeKind::Updated)).await?;
    Ok(r)
}

fn counts_into(map: &mut BTreeMap<Uuid, (StatusCounts, StatusCounts)>, rows: Vec<(Uuid, String, i64)>, sender: bool) {
    for (id, status, n) in rows {
        if let Some(s) = RequestStatus::parse(&status) {
            let e = map.entry(id).or_default();
            let c = if sender { &mut e.0 } else { &mut e.1 };
            c.add(s, u64::try_from(n).unwrap_or(0));
        }
    }
}

type Territory = (String, Option<String>);

fn territory_counts(
    map: &mut BTreeMap<Territory, (StatusCounts, StatusCounts)>,
    rows: Vec<(Option<String>, Option<String>, String, i64)>,
    sender: bool,
) {
    for (region, municipality, status, n) in rows {
        let (Some(region), Some(s)) = (region, RequestStatus::parse(&status)) else { continue };
        let e = map.entry((region, municipality)).or_default();
        let c = if sender { &mut e.0 } else { &mut e.1 };
        c.add(s, u64::try_from(n).unwrap_or(0));
    }
}

/// Which counter of [`StatusCounts`] a condition feeds.
type CountField = fn(&mut StatusCounts) -> &mut u64;

/// The counts beside the per-status ones: received and overdue at `now`; answered late (a
/// breach recorded — only answered requests carry one, so the addressee's side sees it).
fn extra_counts(now: DateTime<Utc>) -> [(Condition, CountField); 2] {
    [(overdue_cond(now), |c| &mut c.overdue), (Condition::all().add(Column::Breach.is_not_null()), |c| &mut c.late)]
}

fn overdue_cond(now: DateTime<Utc>) -> Condition {
    Condition::all().add(Column::Status.eq("received")).add(Column::DueAt.lte(now))
}

#[async_trait]
impl NetworkRequestRepository for NetworkRequestStore {
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<NetworkRequest> {
        let m = Entity::find_by_id(id)
            .filter(scope::network_requests(scope))
            .one(&self.db.exec())
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        to_domain(m)
    }

    async fn list(
        &self,
        scope: &Scope,
        f: &NetworkRequestFilter,
        page: PageRequest,
    ) -> DomainResult<Page<NetworkRequest>> {
        let now = f.now.unwrap_or_else(Utc::now);
        let mut cond = Condition::all().add(scope::network_requests(scope));
        if let Some(s) = f.sender_organization_id {
            cond = cond.add(Column::SenderOrganizationId.eq(s));
        }
        if let Some(a) = f.addressee_organization_id {
            cond = cond.add(Column::AddresseeOrganizationId.eq(a));
        }
        if let Some(s) = f.status {
            cond = cond.add(Column::Status.eq(s.as_str()));
        }
        if let Some(c) = f.channel {
            cond = cond.add(Column::Channel.eq(c.as_str()));
        }
        if let Some(d) = f.sent_from {
            cond = cond.add(Column::SentOn.gte(d));
        }
        if let Some(d) = f.sent_to {
            cond = cond.add(Column::SentOn.lte(d));
        }
        match f.overdue {
            Some(true) => cond = cond.add(overdue_cond(now)),
            Some(false) => cond = cond.add(overdue_cond(now).not()),
            None => {}
        }
        if let Some(d) = f.due_before {
            cond = cond.add(Column::DueOn.lt(d));
        }
        if let Some(n) = &f.outgoing_number {
            cond = cond.add(Column::OutgoingNumber.eq(n.as_str()));
        }
        let key = page.sort.map(|s| s.key);
        let keys: &[KeyColumn<Column>] = match key {
            None => &[],
            Some("due_on") => &[KeyColumn::nullable(Column::DueOn, KeyType::Date)],
            Some("sent_on") => &[KeyColumn::nullable(Column::SentOn, KeyType::Date)],
            Some("received_on") => &[KeyColumn::nullable(Column::ReceivedOn, KeyType::Date)],
            Some("status") => &[KeyColumn::new(Column::Status, KeyType::Text)],
            Some(_) => return Err(unknown_sort()),
        };
        let found = keyset::page(
            &self.db,
            Entity::find().filter(cond),
            Column::Id,
            keys,
            &page,
            |m| m.id,
            |m| {
                vec![match key {
                    Some("due_on") => keyset::date(m.due_on),
                    Some("sent_on") => keyset::date(m.sent_on),
                    Some("received_on") => keyset::date(m.received_on),
                    _ => keyset::text(&m.status),
                }]
            },
        )
        .await?;
        found.try_map(to_domain)
    }

    async fn create(&self, ctx: &Ctx, new: NetworkRequest) -> DomainResult<NetworkRequest> {
        let txn = self.db.begin_write().await?;
        let r = insert_new(&txn, ctx, &new, None, "create").await?;
        txn.commit().await.db()?;
        Ok(r)
    }

    async fn save(
        &self,
        ctx: &Ctx,
        expected_version: i64,
        state: NetworkRequest,
        kind: SaveKind,
    ) -> DomainResult<NetworkRequest> {
        let txn = self.db.begin_write().await?;
        let r = write_state(&txn, ctx, expected_version, &state, kind).await?;
        txn.commit().await.db()?;
        Ok(r)
    }

    async fn forward(
        &self,
        ctx: &Ctx,
        expected_version: i64,
        original: NetworkRequest,
        new: NetworkRequest,
    ) -> DomainResult<(NetworkRequest, NetworkRequest)> {
        let txn = self.db.begin_write().await?;
        let original = write_state(&txn, ctx, expected_version, &original, SaveKind::Action("forward")).await?;
        // The same letter, forwarded: the original's outgoing number, without taking one of the
        // sender's sequence.
        let outgoing = new.outgoing_number.clone().zip(new.sent_on.map(|d| d.year()));
        let created = insert_new(&txn, ctx, &new, outgoing, "forward").await?;
        txn.commit().await.db()?;
        Ok((original, created))
    }

    async fn numbering(&self, organization_id: Uuid, year: i32) -> DomainResult<StoredNumbering> {
        let conn = &self.db.exec();
        let row = numbering::Entity::find_by_id(organization_id).one(conn).await.db()?;
        Ok(stored_numbering(row, last_seq(conn, organization_id, year).await?))
    }

    async fn set_numbering(
        &self,
        ctx: &Ctx,
        organization: &Organization,
        expected_version: i64,
        format: String,
        year: i32,
    ) -> DomainResult<StoredNumbering> {
        use numbering::Column as N;
        let txn = self.db.begin_write().await?;
        let now = Utc::now();
        let current = numbering::Entity::find_by_id(organization.id).one(&txn).await.db()?;
        let model = match current {
            None if expected_version == 0 => numbering::Entity::insert(numbering::ActiveModel {
                organization_id: Set(organization.id),
                format: Set(format),
                updated_at: Set(now),
                version: Set(1),
            })
            .exec_with_returning(&txn)
            .await
            // A concurrent first write took the row: this one was based on a stale read.
            .map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => DomainError::PreconditionFailed,
                _ => db_err(e),
            })?,
            Some(c) if c.version == expected_version => numbering::Entity::update_many()
                .col_expr(N::Format, Expr::value(format))
                .col_expr(N::UpdatedAt, Expr::value(now))
                .col_expr(N::Version, Expr::value(expected_version + 1))
                .filter(N::OrganizationId.eq(organization.id))
                .filter(N::Version.eq(expected_version))
                .exec_with_returning(&txn)
                .await
                .db()?
                .into_iter()
                .next()
                .ok_or(DomainError::PreconditionFailed)?,
            _ => return Err(DomainError::PreconditionFailed),
        };
        let change = Change {
            resource_type: "request_numbering",
            resource_id: organization.id,
            kind: ChangeKind::Updated,
            action: "update",
            payload: serde_json::json!({
                "organization_id": organization.id,
                "format": model.format,
                "version": model.version,
            }),
            personal_data: false,
            scope: ChangeScope {
                region_code: Some(organization.region_code.clone()),
                municipality_code: organization.municipality_code.clone(),
                organization_id: Some(organization.id),
                person_id: None,
                counterpart: None,
            },
        };
        journal::record(&txn, Some(ctx), change).await?;
        let last = last_seq(&txn, organization.id, year).await?;
        txn.commit().await.db()?;
        Ok(stored_numbering(Some(model), last))
    }

    async fn stats(&self, scope: &Scope, now: DateTime<Utc>) -> DomainResult<RequestStats> {
        let conn = &self.db.exec();
        let base = scope::network_requests(scope);
        let by_org = |col: Column, extra: Condition| {
            Entity::find()
                .select_only()
                .column(col)
                .column(Column::Status)
                .column_as(Column::Id.count(), "n")
                .filter(base.clone())
                .filter(col.is_not_null())
                .filter(extra)
                .group_by(col)
                .group_by(Column::Status)
                .into_tuple::<(Uuid, String, i64)>()
        };
        let mut orgs: BTreeMap<Uuid, (StatusCounts, StatusCounts)> = BTreeMap::new();
        counts_into(&mut orgs, by_org(Column::SenderOrganizationId, Condition::all()).all(conn).await.db()?, true);
        counts_into(
            &mut orgs,
            by_org(Column::AddresseeOrganizationId, scope::network_request_sent()).all(conn).await.db()?,
            false,
        );
        for (col, sender) in [(Column::SenderOrganizationId, true), (Column::AddresseeOrganizationId, false)] {
            for (cond, field) in extra_counts(now) {
                for (id, _, n) in by_org(col, cond).all(conn).await.db()? {
                    let e = orgs.entry(id).or_default();
                    *field(if sender { &mut e.0 } else { &mut e.1 }) += u64::try_from(n).unwrap_or(0);
                }
            }
        }
        let by_territory = |region: Column, municipality: Column, extra: Condition| {
            Entity::find()
                .select_only()
                .column(region)
                .column(municipality)
                .column(Column::Status)
                .column_as(Column::Id.count(), "n")
                .filter(base.clone())
                .filter(region.is_not_null())
                .filter(extra)
                .group_by(region)
                .group_by(municipality)
                .group_by(Column::Status)
                .into_tuple::<(Option<String>, Option<String>, String, i64)>()
        };
        let mut territories: BTreeMap<Territory, (StatusCounts, StatusCounts)> = BTreeMap::new();
        let sides = [
            (Column::SenderRegionCode, Column::SenderMunicipalityCode, true),
            (Column::AddresseeRegionCode, Column::AddresseeMunicipalityCode, false),
        ];
        for (r, m, sender) in sides {
            // The addressee's side counts only what was sent, as its reads show it.
            let side = if sender { Condition::all() } else { scope::network_request_sent() };
            territory_counts(&mut territories, by_territory(r, m, side).all(conn).await.db()?, sender);
            for (cond, field) in extra_counts(now) {
                for (region, municipality, _, n) in by_territory(r, m, cond).all(conn).await.db()? {
                    let Some(region) = region else { continue };
                    let e = territories.entry((region, municipality)).or_default();
                    *field(if sender { &mut e.0 } else { &mut e.1 }) += u64::try_from(n).unwrap_or(0);
                }
            }
        }
        Ok(RequestStats {
            organizations: orgs.into_iter().map(|(id, (s, a))| (id, s, a)).collect(),
            municipalities: territories.into_iter().map(|((r, m), (s, a))| (r, m, s, a)).collect(),
        })
    }

    async fn notify_deadlines(&self, now: DateTime<Utc>, batch: u64) -> DomainResult<(u64, u64)> {
        let soon = self.claim(now, batch, false).await?;
        let overdue = self.claim(now, batch, true).await?;
        Ok((soon, overdue))
    }
}

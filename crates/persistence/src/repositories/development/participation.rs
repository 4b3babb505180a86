//! Event registrations on sea-orm. Registrations of one event are serialised by a lock on the
//! event's row (BEGIN IMMEDIATE on SQLite, `FOR UPDATE` on PostgreSQL), so the capacity check
//! sees every registration stored before.

use async_trait::async_trait;
use chrono::Utc;
use rsnms_domain::{
    DomainError, DomainResult, Msg,
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope, Party},
    development::participation::{Participation, ParticipationFilter, ParticipationRepository, ParticipationStatus},
    page::{Page, PageRequest},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Query,
};
use uuid::Uuid;

use super::parse;
use crate::versioned::{self, Versioned};
use crate::{
    Database,
    entities::{
        development::{event_participants as ep, offerings},
        organizations, persons,
    },
    error::DbResultExt,
    journal, scope,
};

/// Event registrations repository.
#[derive(Debug, Clone)]
pub struct ParticipationStore {
    pub(crate) db: Database,
}

/// Registrations visible in the scope: of persons visible in it, and (outside a person's scope)
/// every registration for an event organised by an organisation visible in it.
fn visible(s: &Scope) -> Condition {
    let people =
        Query::select().column(persons::Column::Id).from(persons::Entity).cond_where(scope::persons(s)).to_owned();
    let own = Condition::any().add(ep::Column::PersonId.in_subquery(people));
    match s {
        Scope::Person { .. } | Scope::Nothing => own,
        other => {
            let events = Query::select()
                .column(offerings::Column::Id)
                .from(offerings::Entity)
                .cond_where(scope::organization_column(other, offerings::Column::OrganizationId))
                .to_owned();
            own.add(ep::Column::EventId.in_subquery(events))
        }
    }
}

fn to_domain(m: ep::Model) -> DomainResult<Participation> {
    Ok(Participation {
        id: m.id,
        event_id: m.event_id,
        person_id: m.person_id,
        status: parse(&m.status, ParticipationStatus::parse)?,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

/// The event row, locked for the rest of the transaction.
async fn lock_event(txn: &DatabaseTransaction, event_id: Uuid) -> DomainResult<offerings::Model> {
    offerings::Entity::find_by_id(event_id)
        .filter(offerings::Column::Offering.eq("event"))
        .lock_exclusive()
        .one(txn)
        .await
        .db()?
        .ok_or(DomainError::NotFound)
}

/// 409 naming `capacity` when the event has no free place.
async fn ensure_place(txn: &DatabaseTransaction, event: &offerings::Model) -> DomainResult<()> {
    let Some(capacity) = event.capacity else { return Ok(()) };
    let taken = ep::Entity::find()
        .filter(ep::Column::EventId.eq(event.id))
        .filter(
            ep::Column::Status.is_in(ParticipationStatus::ALL.iter().filter(|s| s.holds_place()).map(|s| s.as_str())),
        )
        .count(txn)
        .await
        .db()?;
    if taken >= u64::try_from(capacity).unwrap_or(0) {
        return Err(DomainError::Conflict {
            field: Some("capacity".into()),
            message: Msg::new(
                format!("Свободных мест нет: все {capacity} заняты"),
                format!("The event is full: all {capacity} places are taken"),
            ),
            allowed: Vec::new(),
        });
    }
    Ok(())
}

/// The outbox event: about the participant (her organisation's scope), with the event's
/// organiser as the counterpart. Holds ids only, no personal data.
async fn change<C: ConnectionTrait>(
    conn: &C,
    x: &Participation,
    organizer_id: Uuid,
    kind: ChangeKind,
    action: &'static str,
) -> DomainResult<Change> {
    let person = persons::Entity::find_by_id(x.person_id).one(conn).await.db()?;
    let org = match person.as_ref().map(|p| p.organization_id) {
        Some(o) => organizations::Entity::find_by_id(o).one(conn).await.db()?,
        None => None,
    };
    let organizer = organizations::Entity::find_by_id(organizer_id).one(conn).await.db()?;
    Ok(Change {
        resource_type: "event_participant",
        resource_id: x.id,
        kind,
        action,
        payload: serde_json::json!({
            "id": x.id, "event_id": x.event_id, "person_id": x.person_id, "status": x.status,
            "created_at": x.created_at, "updated_at": x.updated_at, "version": x.version,
        }),
        personal_data: false,
        scope: ChangeScope {
            region_code: org.as_ref().map(|o| o.region_code.clone()),
            municipality_code: org.as_ref().and_then(|o| o.municipality_code.clone()),
            organization_id: org.as_ref().map(|o| o.id),
            person_id: Some(x.person_id),
            counterpart: Some(Party {
                region_code: organizer.as_ref().map(|o| o.region_code.clone()),
                municipality_code: organizer.as_ref().and_then(|o| o.municipality_code.clone()),
                organization_id: Some(organizer_id),
                person_id: None,
            }),
        },
    })
}

#[async_trait]
impl ParticipationRepository for ParticipationStore {
    async fn get(&self, s: &Scope, event_id: Uuid, id: Uuid) -> DomainResult<Participation> {
        to_domain(
            ep::Entity::find_by_id(id)
                .filter(ep::Column::EventId.eq(event_id))
                .filter(visible(s))
                .one(&self.db.exec())
                .await
                .db()?
                .ok_or(DomainError::NotFound)?,
        )
    }

    async fn list(
        &self,
        s: &Scope,
        event_id: Uuid,
        f: &ParticipationFilter,
        page: PageRequest,
    ) -> DomainResult<Page<Participation>> {
        let mut cond = Condition::all().add(ep::Column::EventId.eq(event_id)).add(visible(s));
        if let Some(x) = f.status {
            cond = cond.add(ep::Column::Status.eq(x.as_str()));
        }
        if let Some(p) = f.person_id {
            cond = cond.add(ep::Column::PersonId.eq(p));
        }
        if let Some(after) = page.after {
            cond = cond.add(ep::Column::Id.gt(after));
        }
        let rows = ep::Entity::find()
            .filter(cond)
            .order_by_asc(ep::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db.exec())
            .await
            .db()?;
        let items = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        Ok(Page::from_probe(items, page.limit, |x| x.id))
    }

    async fn register(&self, ctx: &Ctx, event_id: Uuid, person_id: Uuid) -> DomainResult<Participation> {
        let txn = self.db.begin_write().await?;
        let event = lock_event(&txn, event_id).await?;
        let existing = ep::Entity::find()
            .filter(ep::Column::EventId.eq(event_id))
            .filter(ep::Column::PersonId.eq(person_id))
            .one(&txn)
            .await
            .db()?;
        if let Some(e) = existing {
            let status = parse(&e.status, ParticipationStatus::parse)?;
            return Err(DomainError::Conflict {
                field: Some("person_id".into()),
                message: Msg::new(
                    format!("Педагог уже зарегистрирован на мероприятие (регистрация {}, «{}»)", e.id, e.status),
                    format!("The person is registered already (registration {}, '{}')", e.id, e.status),
                ),
                allowed: status.allowed(),
            });
        }
        ensure_place(&txn, &event).await?;
        let now = Utc::now();
        let am = ep::ActiveModel {
            id: Set(Uuid::now_v7()),
            event_id: Set(event_id),
            person_id: Set(person_id),
            status: Set(ParticipationStatus::Registered.as_str().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        let x = to_domain(ep::Entity::insert(am).exec_with_returning(&txn).await.db_unique(&["person_id"])?)?;
        let ch = change(&txn, &x, event.organization_id, ChangeKind::Created, "register").await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn set_status(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        status: ParticipationStatus,
    ) -> DomainResult<Participation> {
        let txn = self.db.begin_write().await?;
        let current = ep::Entity::find_by_id(id).one(&txn).await.db()?.ok_or(DomainError::NotFound)?;
        let event = lock_event(&txn, current.event_id).await?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let before = parse(&current.status, ParticipationStatus::parse)?;
        if status.holds_place() && !before.holds_place() {
            ensure_place(&txn, &event).await?;
        }
        let mut am: ep::ActiveModel = current.into();
        am.status = Set(status.as_str().to_owned());
        let m = versioned::save::<ep::Entity, _, _>(
            &txn,
            Versioned { id: ep::Column::Id, version: ep::Column::Version, updated_at: ep::Column::UpdatedAt },
            am,
            id,
            expected_version,
        )
        .await?;
        let x = to_domain(m)?;
        let ch = change(&txn, &x, event.organization_id, ChangeKind::Updated, status.as_str()).await?;
        journal::record(&txn, Some(ctx), ch).await?;
        txn.commit().await.db()?;
        Ok(x)
    }

    async fn of_person(&self, person_id: Uuid) -> DomainResult<Vec<Participation>> {
        ep::Entity::find()
            .filter(ep::Column::PersonId.eq(person_id))
            .order_by_asc(ep::Column::Id)
            .all(&self.db.exec())
            .await
            .db()?
            .into_iter()
            .map(to_domain)
            .collect()
    }
}

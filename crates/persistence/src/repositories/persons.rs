//! Persons on sea-orm.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{SubsecRound, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::{Ctx, Scope},
    changes::{Change, ChangeKind, ChangeScope},
    page::{Page, PageRequest},
    persons::{Employment, NewPerson, Person, PersonFilter, PersonRepository, PersonRole, PositionCategory},
    text::{like_escape, search_key},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, LikeExpr, Query},
};
use uuid::Uuid;

use crate::versioned::{self, Versioned};
use crate::{
    Database, bulk,
    entities::{
        employments, organizations, person_roles, person_subjects,
        persons::{ActiveModel, Column, Entity, Model},
    },
    error::{DbResultExt, db_err, db_err_fields},
    journal,
    keyset::{self, KeyColumn, KeyType, unknown_sort},
    scope,
};

/// Persons repository.
#[derive(Debug, Clone)]
pub struct PersonStore {
    pub(crate) db: Database,
}

fn to_domain(m: Model, roles: Vec<PersonRole>, subjects: Vec<String>) -> Person {
    Person {
        id: m.id,
        surname: m.surname,
        first_name: m.first_name,
        patronymic: m.patronymic,
        position: m.position,
        organization_id: m.organization_id,
        roles,
        subjects,
        email: m.email,
        phone: m.phone,
        snils: m.snils,
        birth_date: m.birth_date,
        hire_date: m.hire_date,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    }
}

/// The change event of a person: every field its GET shows, flagged as personal data so that the
/// feed and webhooks hide that data from readers without the right to it.
async fn change<C: ConnectionTrait>(
    conn: &C,
    p: &Person,
    kind: ChangeKind,
    action: &'static str,
) -> DomainResult<Change> {
    let territory = territories(conn, vec![p.organization_id]).await?.remove(&p.organization_id);
    Ok(change_in(p, kind, action, territory))
}

/// [`change`] with the territory of the person's organisation (region, municipality) known.
fn change_in(
    p: &Person,
    kind: ChangeKind,
    action: &'static str,
    territory: Option<(String, Option<String>)>,
) -> Change {
    let payload =
        if kind == ChangeKind::Deleted { serde_json::Value::Null } else { rsnms_domain::persons::change_payload(p) };
    let (region_code, municipality_code) = match territory {
        Some((r, m)) => (Some(r), m),
        None => (None, None),
    };
    Change {
        resource_type: "person",
        resource_id: p.id,
        kind,
        action,
        personal_data: !serde_json::Value::is_null(&payload),
        payload,
        scope: ChangeScope {
            region_code,
            municipality_code,
            organization_id: Some(p.organization_id),
            person_id: Some(p.id),
            counterpart: None,
        },
    }
}

/// The territory (region, municipality) of organisations, in one read.
pub(crate) async fn territories<C: ConnectionTrait>(
    conn: &C,
    mut ids: Vec<Uuid>,
) -> DomainResult<HashMap<Uuid, (String, Option<String>)>> {
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(Uuid, String, Option<String>)> = organizations::Entity::find()
            .select_only()
            .column(organizations::Column::Id)
            .column(organizations::Column::RegionCode)
            .column(organizations::Column::MunicipalityCode)
            .filter(organizations::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await
            .db()?;
        out.extend(rows.into_iter().map(|(id, r, m)| (id, (r, m))));
    }
    Ok(out)
}

/// The persons of a bulk insert were never built.
fn lost_persons() -> DomainError {
    DomainError::internal("a bulk insert of persons was not built")
}

/// A building task that panicked or was cancelled.
fn lost(e: tokio::task::JoinError) -> DomainError {
    DomainError::internal_caused("building a bulk insert", e)
}

/// What a bulk create writes after the persons themselves, built: their roles, subjects, audit
/// records and change events — and the persons as the caller gets them back.
struct Rest {
    roles: bulk::Insert,
    subjects: bulk::Insert,
    journal: journal::Entries,
    persons: Vec<Person>,
}

impl Rest {
    fn of(
        backend: DatabaseBackend,
        ctx: &Ctx,
        ids: Vec<Uuid>,
        new: Vec<NewPerson>,
        territory: &HashMap<Uuid, (String, Option<String>)>,
        now: chrono::DateTime<Utc>,
    ) -> DomainResult<Self> {
        let roles = ids.iter().zip(&new).flat_map(|(&id, n)| role_rows(id, &n.roles)).collect();
        let subjects = ids.iter().zip(&new).flat_map(|(&id, n)| subject_rows(id, &n.subjects)).collect();
        let persons: Vec<Person> = ids
            .into_iter()
            .zip(new)
            .map(|(id, n)| Person {
                id,
                surname: n.surname,
                first_name: n.first_name,
                patronymic: n.patronymic,
                position: n.position,
                organization_id: n.organization_id,
                roles: n.roles,
                subjects: n.subjects,
                email: n.email,
                phone: n.phone,
                snils: n.snils,
                birth_date: n.birth_date,
                hire_date: n.hire_date,
                created_at: now,
                updated_at: now,
                version: 1,
            })
            .collect();
        let changes = persons
            .iter()
            .map(|p| change_in(p, ChangeKind::Created, "create", territory.get(&p.organization_id).cloned()))
            .collect();
        Ok(Self {
            roles: bulk::Insert::of::<person_roles::Entity>(backend, roles)?,
            subjects: bulk::Insert::of::<person_subjects::Entity>(backend, subjects)?,
            journal: journal::Entries::of(backend, Some(ctx), changes)?,
            persons,
        })
    }
}

/// A new person's stored row.
fn new_row(id: Uuid, now: chrono::DateTime<Utc>, new: &NewPerson) -> ActiveModel {
    let mut am =
        ActiveModel { id: Set(id), created_at: Set(now), updated_at: Set(now), version: Set(1), ..Default::default() };
    fill(&mut am, new);
    am
}

fn fill(am: &mut ActiveModel, n: &NewPerson) {
    let full = [Some(n.surname.as_str()), Some(n.first_name.as_str()), n.patronymic.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    am.name_search = Set(search_key(&full));
    am.surname = Set(n.surname.clone());
    am.first_name = Set(n.first_name.clone());
    am.patronymic = Set(n.patronymic.clone());
    am.position = Set(n.position.clone());
    am.organization_id = Set(n.organization_id);
    am.email = Set(n.email.clone());
    am.phone = Set(n.phone.clone());
    am.snils = Set(n.snils.clone());
    am.birth_date = Set(n.birth_date);
    am.hire_date = Set(n.hire_date);
}

async fn roles_of<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> DomainResult<HashMap<Uuid, Vec<PersonRole>>> {
    let mut out: HashMap<Uuid, Vec<PersonRole>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = person_roles::Entity::find()
        .filter(person_roles::Column::PersonId.is_in(ids.iter().copied()))
        .all(conn)
        .await
        .db()?;
    for r in rows {
        if let Some(role) = PersonRole::parse(&r.role) {
            out.entry(r.person_id).or_default().push(role);
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

/// Replaces a stored person's roles.
async fn write_roles<C: ConnectionTrait>(conn: &C, id: Uuid, roles: &[PersonRole]) -> DomainResult<()> {
    person_roles::Entity::delete_many().filter(person_roles::Column::PersonId.eq(id)).exec(conn).await.db()?;
    insert_roles(conn, id, roles).await
}

/// Adds roles to a person that has none yet (a new person: nothing to delete, one round trip
/// fewer per created person — it counts in bulk imports).
async fn insert_roles<C: ConnectionTrait>(conn: &C, id: Uuid, roles: &[PersonRole]) -> DomainResult<()> {
    bulk::insert_all::<person_roles::Entity, _>(conn, role_rows(id, roles).collect(), db_err).await
}

/// The stored rows of a person's roles.
fn role_rows(id: Uuid, roles: &[PersonRole]) -> impl Iterator<Item = person_roles::ActiveModel> + '_ {
    roles.iter().map(move |r| person_roles::ActiveModel { person_id: Set(id), role: Set(r.as_str().to_owned()) })
}

/// The teaching subjects of persons, sorted, by person.
pub(crate) async fn subjects_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<String>>> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = person_subjects::Entity::find()
            .filter(person_subjects::Column::PersonId.is_in(chunk.iter().copied()))
            .all(conn)
            .await
            .db()?;
        for r in rows {
            out.entry(r.person_id).or_default().push(r.subject);
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

async fn write_subjects<C: ConnectionTrait>(conn: &C, id: Uuid, subjects: &[String]) -> DomainResult<()> {
    person_subjects::Entity::delete_many().filter(person_subjects::Column::PersonId.eq(id)).exec(conn).await.db()?;
    insert_subjects(conn, id, subjects).await
}

/// Adds teaching subjects to a person that has none yet (a new person: nothing to delete).
async fn insert_subjects<C: ConnectionTrait>(conn: &C, id: Uuid, subjects: &[String]) -> DomainResult<()> {
    bulk::insert_all::<person_subjects::Entity, _>(conn, subject_rows(id, subjects).collect(), db_err).await
}

/// The stored rows of a person's teaching subjects.
fn subject_rows(id: Uuid, subjects: &[String]) -> impl Iterator<Item = person_subjects::ActiveModel> + '_ {
    subjects.iter().map(move |s| person_subjects::ActiveModel { person_id: Set(id), subject: Set(s.clone()) })
}

const UNIQUE: &[&str] = &["snils"];

/// Keys one batched read or delete names (under both engines' bind limits).
const KEYS_PER_READ: usize = 1000;
/// A person's stored employment periods, oldest first.
async fn employments_of<C: ConnectionTrait>(conn: &C, id: Uuid) -> DomainResult<Vec<Employment>> {
    let rows = employments::Entity::find().filter(employments::Column::PersonId.eq(id)).all(conn).await.db()?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let category = PositionCategory::parse(&r.category)
            .ok_or_else(|| DomainError::internal(format!("unknown position category {}", r.category)))?;
        out.push(Employment {
            organization_id: r.organization_id,
            category,
            started_on: r.started_on,
            ended_on: r.ended_on,
        });
    }
    out.sort_by_key(|p| (p.started_on, p.category));
    Ok(out)
}

#[async_trait]
impl PersonRepository for PersonStore {
    async fn get(&self, scope: &Scope, id: Uuid) -> DomainResult<Person> {
        let exec = self.db.exec();
        let conn = &exec;
        let m =
            Entity::find_by_id(id).filter(scope::persons(scope)).one(conn).await.db()?.ok_or(DomainError::NotFound)?;
        let mut roles = roles_of(conn, &[id]).await?;
        let mut subjects = subjects_of(conn, &[id]).await?;
        Ok(to_domain(m, roles.remove(&id).unwrap_or_default(), subjects.remove(&id).unwrap_or_default()))
    }

    async fn list(&self, scope: &Scope, f: &PersonFilter, page: PageRequest) -> DomainResult<Page<Person>> {
        let exec = self.db.exec();
        let conn = &exec;
        let mut cond = Condition::all().add(scope::persons(scope));
        if let Some(r) = f.role {
            cond = cond.add(
                Column::Id.in_subquery(
                    Query::select()
                        .column(person_roles::Column::PersonId)
                        .from(person_roles::Entity)
                        .and_where(person_roles::Column::Role.eq(r.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(s) = &f.subject {
            cond = cond.add(
                Column::Id.in_subquery(
                    Query::select()
                        .column(person_subjects::Column::PersonId)
                        .from(person_subjects::Entity)
                        .and_where(person_subjects::Column::Subject.eq(s.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(o) = f.organization_id {
            cond = cond.add(Column::OrganizationId.eq(o));
        }
        let mut org_cond = Condition::all();
        let mut by_org = false;
        if let Some(k) = f.organization_kind {
            org_cond = org_cond.add(organizations::Column::Kind.eq(k.as_str()));
            by_org = true;
        }
        if let Some(m) = &f.municipality_code {
            org_cond = org_cond.add(organizations::Column::MunicipalityCode.eq(m.as_str()));
            by_org = true;
        }
        if by_org {
            cond = cond.add(
                Column::OrganizationId.in_subquery(
                    Query::select()
                        .column(organizations::Column::Id)
                        .from(organizations::Entity)
                        .cond_where(org_cond)
                        .to_owned(),
                ),
            );
        }
        if let Some(n) = &f.name {
            let pattern = format!("%{}%", like_escape(&search_key(n)));
            cond = cond.add(Expr::col(Column::NameSearch).like(LikeExpr::new(pattern).escape('\\')));
        }
        if let Some(s) = &f.snils {
            cond = cond.add(Column::Snils.eq(s.as_str()));
        }
        if let Some(ids) = &f.ids {
            cond = cond.add(Column::Id.is_in(ids.iter().copied()));
        }
        let keys: &[KeyColumn<Column>] = match page.sort.map(|s| s.key) {
            None => &[],
            Some("name") => {
                &[KeyColumn::new(Column::Surname, KeyType::Text), KeyColumn::new(Column::FirstName, KeyType::Text)]
            }
            Some("organization") => &[
                KeyColumn::new(Column::OrganizationId, KeyType::Uuid),
                KeyColumn::new(Column::Surname, KeyType::Text),
                KeyColumn::new(Column::FirstName, KeyType::Text),
            ],
            Some(_) => return Err(unknown_sort()),
        };
        let by_organization = page.sort.is_some_and(|s| s.key == "organization");
        let found = keyset::page(
            &self.db,
            Entity::find().filter(cond),
            Column::Id,
            keys,
            &page,
            |m| m.id,
            |m| {
                let name = [keyset::text(&m.surname), keyset::text(&m.first_name)];
                if by_organization {
                    [vec![keyset::uuid(m.organization_id)], name.to_vec()].concat()
                } else {
                    name.to_vec()
                }
            },
        )
        .await?;
        let mut found = found;
        let rows = std::mem::take(&mut found.items);
        let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
        let mut roles = roles_of(conn, &ids).await?;
        let mut subjects = subjects_of(conn, &ids).await?;
        let items = rows
            .into_iter()
            .map(|m| {
                let r = roles.remove(&m.id).unwrap_or_default();
                let s = subjects.remove(&m.id).unwrap_or_default();
                to_domain(m, r, s)
            })
            .collect();
        Ok(found.with_items(items))
    }

    async fn create(&self, ctx: &Ctx, new: NewPerson) -> DomainResult<Person> {
        let now = Utc::now();
        let id = Uuid::now_v7();
        let am = new_row(id, now, &new);
        let txn = self.db.begin_write().await?;
        let model = Entity::insert(am).exec_with_returning(&txn).await.db_unique(UNIQUE)?;
        insert_roles(&txn, id, &new.roles).await?;
        insert_subjects(&txn, id, &new.subjects).await?;
        let person = to_domain(model, new.roles, new.subjects);
        journal::record(&txn, Some(ctx), change(&txn, &person, ChangeKind::Created, "create").await?).await?;
        txn.commit().await.db()?;
        Ok(person)
    }

    async fn find_many(&self, scope: &Scope, ids: &[Uuid], snils: &[String]) -> DomainResult<Vec<Person>> {
        let exec = self.db.exec();
        let conn = &exec;
        let mut rows: HashMap<Uuid, Model> = HashMap::with_capacity(ids.len() + snils.len());
        for chunk in ids.chunks(KEYS_PER_READ) {
            let found =
                Entity::find().filter(scope::persons(scope)).filter(Column::Id.is_in(chunk.iter().copied())).all(conn);
            rows.extend(found.await.db()?.into_iter().map(|m| (m.id, m)));
        }
        for chunk in snils.chunks(KEYS_PER_READ) {
            let found = Entity::find()
                .filter(scope::persons(scope))
                .filter(Column::Snils.is_in(chunk.iter().map(String::as_str)))
                .all(conn);
            rows.extend(found.await.db()?.into_iter().map(|m| (m.id, m)));
        }
        let found: Vec<Uuid> = rows.keys().copied().collect();
        let mut roles = HashMap::with_capacity(found.len());
        for chunk in found.chunks(KEYS_PER_READ) {
            roles.extend(roles_of(conn, chunk).await?);
        }
        let mut subjects = subjects_of(conn, &found).await?;
        Ok(rows
            .into_values()
            .map(|m| {
                let id = m.id;
                to_domain(m, roles.remove(&id).unwrap_or_default(), subjects.remove(&id).unwrap_or_default())
            })
            .collect())
    }

    /// The rows are matched by id and version alone: each `current` was read in the caller's
    /// scope ([`PersonRepository::find_many`]) inside the same unit, and a version that moved
    /// since fails the call.
    async fn update_many(&self, ctx: &Ctx, changes: Vec<(Person, NewPerson)>) -> DomainResult<Vec<Person>> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let now = Utc::now().trunc_subsecs(6);
        let txn = self.db.begin_write().await?;
        let rows = changes
            .iter()
            .map(|(current, new)| {
                let mut am = ActiveModel {
                    id: Set(current.id),
                    updated_at: Set(now),
                    version: Set(current.version + 1),
                    ..Default::default()
                };
                fill(&mut am, new);
                am
            })
            .collect();
        bulk::update_versions::<Entity, _>(&txn, Column::Id, Column::Version, rows, |e| db_err_fields(e, UNIQUE))
            .await?;
        // Roles and subjects are rewritten only for the persons whose lists changed.
        let roles_moved: HashSet<Uuid> =
            changes.iter().filter(|(c, n)| c.roles != n.roles).map(|(c, _)| c.id).collect();
        let subjects_moved: HashSet<Uuid> =
            changes.iter().filter(|(c, n)| c.subjects != n.subjects).map(|(c, _)| c.id).collect();
        for chunk in roles_moved.iter().copied().collect::<Vec<_>>().chunks(KEYS_PER_READ) {
            let gone =
                person_roles::Entity::delete_many().filter(person_roles::Column::PersonId.is_in(chunk.iter().copied()));
            gone.exec(&txn).await.db()?;
        }
        for chunk in subjects_moved.iter().copied().collect::<Vec<_>>().chunks(KEYS_PER_READ) {
            let gone = person_subjects::Entity::delete_many()
                .filter(person_subjects::Column::PersonId.is_in(chunk.iter().copied()));
            gone.exec(&txn).await.db()?;
        }
        let territory = territories(&txn, changes.iter().map(|(_, n)| n.organization_id).collect()).await?;
        let persons: Vec<Person> = changes
            .into_iter()
            .map(|(c, n)| Person {
                id: c.id,
                surname: n.surname,
                first_name: n.first_name,
                patronymic: n.patronymic,
                position: n.position,
                organization_id: n.organization_id,
                roles: n.roles,
                subjects: n.subjects,
                email: n.email,
                phone: n.phone,
                snils: n.snils,
                birth_date: n.birth_date,
                hire_date: n.hire_date,
                created_at: c.created_at,
                updated_at: now,
                version: c.version + 1,
            })
            .collect();
        let roles =
            persons.iter().filter(|p| roles_moved.contains(&p.id)).flat_map(|p| role_rows(p.id, &p.roles)).collect();
        bulk::insert_all::<person_roles::Entity, _>(&txn, roles, db_err).await?;
        let subjects = persons
            .iter()
            .filter(|p| subjects_moved.contains(&p.id))
            .flat_map(|p| subject_rows(p.id, &p.subjects))
            .collect();
        bulk::insert_all::<person_subjects::Entity, _>(&txn, subjects, db_err).await?;
        let changes = persons
            .iter()
            .map(|p| change_in(p, ChangeKind::Updated, "update", territory.get(&p.organization_id).cloned()))
            .collect();
        journal::record_many(&txn, Some(ctx), changes).await?;
        txn.commit().await.db()?;
        Ok(persons)
    }

    async fn create_many(&self, ctx: &Ctx, new: Vec<NewPerson>) -> DomainResult<Vec<Person>> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let now = Utc::now();
        let ids: Vec<Uuid> = new.iter().map(|_| Uuid::now_v7()).collect();
        let txn = self.db.begin_write().await?;
        let backend = txn.get_database_backend();
        let territory = territories(&txn, new.iter().map(|n| n.organization_id).collect()).await?;
        // Built on another thread — the persons, then the rest while the database inserts
        // them — leaving this one to the records read ahead.
        let (persons_built, persons) = tokio::sync::oneshot::channel();
        let ctx_owned = ctx.clone();
        let rest = tokio::task::spawn_blocking(move || {
            let rows = ids.iter().zip(&new).map(|(&id, n)| new_row(id, now, n)).collect();
            // The caller waits for the persons first; if it has stopped waiting, nobody needs them.
            let _ = persons_built.send(bulk::Insert::of::<Entity>(backend, rows)?);
            Rest::of(backend, &ctx_owned, ids, new, &territory, now)
        });
        let Ok(persons) = persons.await else {
            // Never sent: building the persons failed (the task says why), or the task panicked.
            return Err(match rest.await {
                Ok(Err(e)) => e,
                Ok(Ok(_)) => lost_persons(),
                Err(e) => lost(e),
            });
        };
        let inserted = persons.run(&txn, |e| db_err_fields(e, UNIQUE)).await;
        let rest = rest.await.map_err(lost);
        inserted?;
        let rest = rest??;
        rest.roles.run(&txn, db_err).await?;
        rest.subjects.run(&txn, db_err).await?;
        rest.journal.write(&txn).await?;
        txn.commit().await.db()?;
        Ok(rest.persons)
    }

    async fn update(&self, ctx: &Ctx, id: Uuid, expected_version: i64, new: NewPerson) -> DomainResult<Person> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id)
            .filter(scope::persons(&ctx.actor.scope()))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let mut am: ActiveModel = current.into();
        fill(&mut am, &new);
        let model = versioned::save_next_version::<Entity, _, _>(
            &txn,
            Versioned { id: Column::Id, version: Column::Version, updated_at: Column::UpdatedAt },
            am,
            id,
            expected_version,
            |e| db_err_fields(e, UNIQUE),
        )
        .await?;
        write_roles(&txn, id, &new.roles).await?;
        write_subjects(&txn, id, &new.subjects).await?;
        let person = to_domain(model, new.roles, new.subjects);
        journal::record(&txn, Some(ctx), change(&txn, &person, ChangeKind::Updated, "update").await?).await?;
        txn.commit().await.db()?;
        Ok(person)
    }

    async fn employments(&self, id: Uuid) -> DomainResult<Vec<Employment>> {
        employments_of(&self.db.exec(), id).await
    }

    async fn replace_employments(
        &self,
        ctx: &Ctx,
        id: Uuid,
        expected_version: i64,
        periods: Vec<Employment>,
    ) -> DomainResult<(Person, Vec<Employment>)> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id)
            .filter(scope::persons(&ctx.actor.scope()))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let am: ActiveModel = current.into();
        let model = versioned::save_next_version::<Entity, _, _>(
            &txn,
            Versioned { id: Column::Id, version: Column::Version, updated_at: Column::UpdatedAt },
            am,
            id,
            expected_version,
            db_err,
        )
        .await?;
        employments::Entity::delete_many().filter(employments::Column::PersonId.eq(id)).exec(&txn).await.db()?;
        let now = Utc::now();
        let rows = periods
            .iter()
            .map(|p| employments::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(id),
                organization_id: Set(p.organization_id),
                category: Set(p.category.as_str().to_owned()),
                started_on: Set(p.started_on),
                ended_on: Set(p.ended_on),
                created_at: Set(now),
            })
            .collect();
        bulk::insert_all::<employments::Entity, _>(&txn, rows, db_err).await?;
        let mut roles = roles_of(&txn, &[id]).await?;
        let mut subjects = subjects_of(&txn, &[id]).await?;
        let person = to_domain(model, roles.remove(&id).unwrap_or_default(), subjects.remove(&id).unwrap_or_default());
        journal::record(&txn, Some(ctx), change(&txn, &person, ChangeKind::Updated, "employments").await?).await?;
        let stored = employments_of(&txn, id).await?;
        txn.commit().await.db()?;
        Ok((person, stored))
    }

    async fn delete(&self, ctx: &Ctx, id: Uuid, expected_version: i64) -> DomainResult<()> {
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id(id)
            .filter(scope::persons(&ctx.actor.scope()))
            .one(&txn)
            .await
            .db()?
            .ok_or(DomainError::NotFound)?;
        if current.version != expected_version {
            return Err(DomainError::PreconditionFailed);
        }
        let person = to_domain(current, Vec::new(), Vec::new());
        let ev = change(&txn, &person, ChangeKind::Deleted, "delete").await?;
        versioned::delete::<Entity, _>(&txn, Column::Id, Column::Version, id, expected_version).await?;
        journal::record(&txn, Some(ctx), ev).await?;
        txn.commit().await.db()?;
        Ok(())
    }
}

/// Depersonalises the persons with these ids inside the caller's transaction (the personal-data
/// job, which claimed them): names replaced, patronymic, СНИЛС, birth date and contacts removed,
/// ids kept; journaled as `depersonalise` by the system, and the personal data removed from
/// their earlier change events too.
pub(crate) async fn depersonalise_in<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    at: chrono::DateTime<Utc>,
) -> DomainResult<()> {
    use rsnms_domain::personal_data::{DEPERSONALISED_SURNAME, depersonalise_payload, depersonalised_first_name};
    let rows = Entity::find().filter(Column::Id.is_in(ids.iter().copied())).all(conn).await.db()?;
    let mut roles = roles_of(conn, ids).await?;
    let mut subjects = subjects_of(conn, ids).await?;
    let territory = territories(conn, rows.iter().map(|m| m.organization_id).collect()).await?;
    // The copies of their names and contacts in network requests go first, matched on their data
    // as it was.
    let before: Vec<Person> = rows.iter().map(|m| to_domain(m.clone(), Vec::new(), Vec::new())).collect();
    super::personal_data::depersonalise_requests_in(conn, &before).await?;
    let writes = rows
        .iter()
        .map(|m| {
            let first = depersonalised_first_name(m.id);
            ActiveModel {
                id: Set(m.id),
                surname: Set(DEPERSONALISED_SURNAME.to_owned()),
                name_search: Set(search_key(&format!("{DEPERSONALISED_SURNAME} {first}"))),
                first_name: Set(first),
                patronymic: Set(None),
                email: Set(None),
                phone: Set(None),
                snils: Set(None),
                birth_date: Set(None),
                depersonalised_at: Set(Some(at)),
                updated_at: Set(at),
                version: Set(m.version + 1),
                ..Default::default()
            }
        })
        .collect();
    bulk::update_versions::<Entity, _>(conn, Column::Id, Column::Version, writes, db_err).await?;
    // The change events show the rows as stored.
    let mut stored: HashMap<Uuid, Model> = Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
        .db()?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut changes = Vec::with_capacity(rows.len());
    for m in &rows {
        let model = stored.remove(&m.id).ok_or_else(|| DomainError::internal("a depersonalised person vanished"))?;
        let person =
            to_domain(model, roles.remove(&m.id).unwrap_or_default(), subjects.remove(&m.id).unwrap_or_default());
        let place = territory.get(&person.organization_id).cloned();
        changes.push(change_in(&person, ChangeKind::Updated, "depersonalise", place));
    }
    // Their earlier change events and their webhook copies lose their data the same way.
    let done: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
    super::personal_data::rewrite_event_copies_of(conn, "person", &done, |id, p| depersonalise_payload(p, id)).await?;
    journal::record_many(conn, None, changes).await
}

//! Production calendar years on sea-orm, and the recomputation of due dates when one changes.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{NaiveDate, SubsecRound, Utc};
use rsnms_domain::{
    DomainError, DomainResult,
    auth::Ctx,
    calendar::{CalendarLayer, CalendarYear, ProductionCalendar, Term, TermUnit},
    changes::ChangeKind,
    deadlines::{CalendarRepository, StoredCalendarYear, term_end},
    values::TimeZone,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    Database, bulk,
    entities::{
        calendar_years::{ActiveModel, Column, Entity, Model},
        deadline_policies, network_requests,
    },
    error::{DbResultExt, db_err},
    journal,
    repositories::network_requests::{change, to_domain as request_to_domain},
};

const FEDERAL: &str = "federal";

/// Calendar years repository.
#[derive(Debug, Clone)]
pub struct CalendarStore {
    pub(crate) db: Database,
}

fn layer_key(layer: &CalendarLayer) -> String {
    match layer {
        CalendarLayer::Federal => FEDERAL.to_owned(),
        CalendarLayer::Regional { region_code } => region_code.clone(),
    }
}

fn dates(v: serde_json::Value, what: &str) -> DomainResult<Vec<NaiveDate>> {
    serde_json::from_value(v).map_err(|_| DomainError::internal(format!("calendar year has malformed {what}")))
}

fn to_domain(m: Model) -> DomainResult<StoredCalendarYear> {
    Ok(StoredCalendarYear {
        year: CalendarYear {
            year: m.year,
            layer: if m.layer == FEDERAL {
                CalendarLayer::Federal
            } else {
                CalendarLayer::Regional { region_code: m.layer.clone() }
            },
            source: m.source,
            non_working_days: dates(m.non_working_days, "non_working_days")?,
            working_weekend_days: dates(m.working_weekend_days, "working_weekend_days")?,
            shortened_days: m.shortened_days.map(|v| dates(v, "shortened_days")).transpose()?,
            working_days_total: m.working_days_total.and_then(|t| u32::try_from(t).ok()),
        },
        version: m.version,
        updated_at: m.updated_at,
    })
}

fn row(y: &CalendarYear, version: i64) -> ActiveModel {
    ActiveModel {
        layer: Set(layer_key(&y.layer)),
        year: Set(y.year),
        source: Set(y.source.clone()),
        non_working_days: Set(serde_json::to_value(&y.non_working_days).unwrap_or_default()),
        working_weekend_days: Set(serde_json::to_value(&y.working_weekend_days).unwrap_or_default()),
        shortened_days: Set(y.shortened_days.as_ref().map(|d| serde_json::to_value(d).unwrap_or_default())),
        working_days_total: Set(y.working_days_total.and_then(|t| i32::try_from(t).ok())),
        updated_at: Set(Utc::now()),
        version: Set(version),
    }
}

async fn calendar_in<C: ConnectionTrait>(conn: &C, region_code: Option<&str>) -> DomainResult<ProductionCalendar> {
    let mut cond = Condition::any().add(Column::Layer.eq(FEDERAL));
    if let Some(r) = region_code {
        cond = cond.add(Column::Layer.eq(r));
    }
    let rows = Entity::find().filter(cond).all(conn).await.db()?;
    let years = rows.into_iter().map(|m| to_domain(m).map(|s| s.year)).collect::<DomainResult<Vec<_>>>()?;
    // Declared regional totals are advisory here: writes check them, and a stored calendar must
    // stay readable whatever a later correction of another layer did.
    ProductionCalendar::from_layers_advisory(years, region_code)
        .map_err(|e| DomainError::internal_caused("the stored production calendar", e))
}

fn term_of(p: &deadline_policies::Model) -> Term {
    let unit = match p.term_unit.as_str() {
        "calendar_days" => TermUnit::CalendarDays,
        "hours" => TermUnit::Hours,
        _ => TermUnit::WorkingDays,
    };
    Term { value: u32::try_from(p.term_value).unwrap_or(1), unit }
}

/// Requests recomputed and written together, each chunk in its own short transaction.
const RECOMPUTE_CHUNK: usize = 2000;

/// What identifies the stored calendars: every layer's key, year and version. A chunk compares it
/// with the one its cached calendars were built from and rebuilds them when another calendar
/// change committed meanwhile.
async fn calendars_stamp<C: ConnectionTrait>(conn: &C) -> DomainResult<Vec<(String, i32, i64)>> {
    let mut stamp: Vec<(String, i32, i64)> = Entity::find()
        .select_only()
        .column(Column::Layer)
        .column(Column::Year)
        .column(Column::Version)
        .into_tuple()
        .all(conn)
        .await
        .db()?;
    stamp.sort();
    Ok(stamp)
}

/// The requests a change of `layer`'s `year` may move: received (or in clarification), not yet
/// due, received before the year ends and due on or after it begins, in the region of `layer`
/// (every region for the federal layer).
fn recompute_condition(layer: &CalendarLayer, first: NaiveDate, next_first: NaiveDate) -> Condition {
    use network_requests::Column as R;
    let mut cond = Condition::all()
        .add(R::Status.is_in(["received", "clarification"]))
        .add(R::DueAt.gt(Utc::now()))
        .add(R::ReceivedOn.lt(next_first))
        .add(R::DueOn.gte(first));
    if let CalendarLayer::Regional { region_code } = layer {
        cond = cond.add(R::AddresseeRegionCode.eq(region_code.as_str()));
    }
    cond
}

/// Recomputes the due dates of received requests not yet due whose term crosses `year`, in the
/// region of `layer` (every region for the federal layer), after the calendar's change has
/// committed. Returns the ids of those that changed.
///
/// One read of the ids of the requests concerned (16 bytes each), then chunks of
/// [`RECOMPUTE_CHUNK`] requests, **each in its own short transaction**: the chunk's rows read
/// again and locked (`FOR UPDATE` on PostgreSQL; SQLite's write transaction) with the condition
/// re-checked, the due dates counted in memory from the calendars as committed (rebuilt when
/// another calendar change committed meanwhile), one multi-row versioned write of the changed ones
/// ([`bulk::update_versions`]) and their audit records and events together. So a calendar change
/// never holds more than one chunk's row locks, and only for that chunk's few statements: other
/// writes — even to the requests being recomputed — wait at most one chunk. A request written by
/// someone else between the read of the ids and its chunk is read afresh in its chunk; a later
/// calendar change recomputes from the calendars as they then are, so the last one wins on every
/// request. Should the server stop half-way, the calendar is stored and the requests of the chunks
/// not reached keep their former due dates until the year is put again (the same body, with the
/// new `If-Match`): every recompute counts all open requests afresh, not a difference.
async fn recompute(db: &Database, ctx: &Ctx, layer: &CalendarLayer, year: i32) -> DomainResult<Vec<Uuid>> {
    use network_requests::Column as R;
    let (Some(first), Some(next_first)) =
        (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year + 1, 1, 1))
    else {
        return Ok(Vec::new());
    };
    let started = std::time::Instant::now();
    let ids: Vec<Uuid> = network_requests::Entity::find()
        .select_only()
        .column(R::Id)
        .filter(recompute_condition(layer, first, next_first))
        .order_by_asc(R::Id)
        .into_tuple()
        .all(&db.exec())
        .await
        .db()?;
    tracing::debug!(requests = ids.len(), ms = started.elapsed().as_millis(), "calendar recompute: ids read");
    let mut calendars: HashMap<String, ProductionCalendar> = HashMap::new();
    let mut stamp = Vec::new();
    let mut policies: HashMap<Uuid, Term> = HashMap::new();
    let mut changed = Vec::new();
    for chunk in ids.chunks(RECOMPUTE_CHUNK) {
        let t0 = std::time::Instant::now();
        let txn = db.begin_write().await?;
        let rows = network_requests::Entity::find()
            .filter(recompute_condition(layer, first, next_first))
            .filter(R::Id.is_in(chunk.iter().copied()))
            .order_by_asc(R::Id)
            .lock_exclusive()
            .all(&txn)
            .await
            .db()?;
        let now_stamp = calendars_stamp(&txn).await?;
        if now_stamp != stamp {
            calendars.clear();
            stamp = now_stamp;
        }
        let read = t0.elapsed();
        let now = Utc::now().trunc_subsecs(6);
        let mut writes = Vec::new();
        let mut changes = Vec::new();
        for m in rows {
            let r = request_to_domain(m.clone())?;
            let (Some(stored), Some(received_at)) = (r.deadline.clone(), r.receipt_instant()) else { continue };
            if !calendars.contains_key(&stored.region_code) {
                let cal = calendar_in(&txn, Some(&stored.region_code)).await?;
                calendars.insert(stored.region_code.clone(), cal);
            }
            if let std::collections::hash_map::Entry::Vacant(e) = policies.entry(stored.policy_id) {
                let p = deadline_policies::Entity::find_by_id(stored.policy_id)
                    .one(&txn)
                    .await
                    .db()?
                    .ok_or(DomainError::internal("policy vanished"))?;
                e.insert(term_of(&p));
            }
            let (Some(cal), Some(term)) = (calendars.get(&stored.region_code), policies.get(&stored.policy_id)) else {
                continue;
            };
            // From the stored instant of receipt, in the time zone the term was first counted in.
            let tz = TimeZone::from_trusted(stored.time_zone.clone()).tz();
            let (deadline, due_at) = term_end(cal, *term, received_at, tz, stored.deadline.extended_by)?;
            if deadline == stored.deadline {
                continue;
            }
            let mut new = stored;
            new.set_end(deadline, due_at);
            let mut updated = m;
            updated.due_on = Some(new.due_on());
            updated.due_at = Some(new.due_at);
            updated.due_soon_at = Some(new.due_soon_at());
            updated.deadline = Some(serde_json::to_value(&new).unwrap_or_default());
            updated.due_soon_notified_at = None;
            updated.overdue_notified_at = None;
            updated.updated_at = now;
            updated.version += 1;
            writes.push(network_requests::ActiveModel {
                id: Set(updated.id),
                due_on: Set(updated.due_on),
                due_at: Set(updated.due_at),
                due_soon_at: Set(updated.due_soon_at),
                deadline: Set(updated.deadline.clone()),
                due_soon_notified_at: Set(None),
                overdue_notified_at: Set(None),
                updated_at: Set(now),
                version: Set(updated.version),
                ..Default::default()
            });
            let r = request_to_domain(updated.clone())?;
            changes.push(change(&updated, &r, "recompute", ChangeKind::Updated));
            changed.push(r.id);
        }
        let counted = t0.elapsed();
        let written = writes.len();
        bulk::update_versions::<network_requests::Entity, _>(&txn, R::Id, R::Version, writes, db_err).await?;
        let updated = t0.elapsed();
        journal::record_many(&txn, Some(ctx), changes).await?;
        let journaled = t0.elapsed();
        txn.commit().await.db()?;
        tracing::debug!(
            requests = chunk.len(),
            changed = written,
            read_ms = read.as_millis(),
            count_ms = (counted - read).as_millis(),
            update_ms = (updated - counted).as_millis(),
            journal_ms = (journaled - updated).as_millis(),
            commit_ms = (t0.elapsed() - journaled).as_millis(),
            "calendar recompute: chunk"
        );
    }
    tracing::debug!(changed = changed.len(), ms = started.elapsed().as_millis(), "calendar recompute: done");
    Ok(changed)
}

#[async_trait]
impl CalendarRepository for CalendarStore {
    async fn year(&self, year: i32, region_code: Option<&str>) -> DomainResult<Vec<StoredCalendarYear>> {
        let mut cond = Condition::all().add(Column::Year.eq(year));
        if let Some(r) = region_code {
            cond = cond.add(Condition::any().add(Column::Layer.eq(FEDERAL)).add(Column::Layer.eq(r)));
        }
        let rows = Entity::find().filter(cond).all(&self.db.exec()).await.db()?;
        let mut out = rows.into_iter().map(to_domain).collect::<DomainResult<Vec<_>>>()?;
        out.sort_by(|a, b| a.year.layer.cmp(&b.year.layer));
        Ok(out)
    }

    async fn calendar_for(&self, region_code: Option<&str>) -> DomainResult<ProductionCalendar> {
        calendar_in(&self.db.exec(), region_code).await
    }

    async fn put(
        &self,
        ctx: &Ctx,
        year: CalendarYear,
        expected_version: Option<i64>,
    ) -> DomainResult<(StoredCalendarYear, Vec<Uuid>)> {
        let key = layer_key(&year.layer);
        let txn = self.db.begin_write().await?;
        let current = Entity::find_by_id((key.clone(), year.year)).one(&txn).await.db()?;
        let model = match (current, expected_version) {
            (Some(c), Some(v)) if c.version == v => Entity::update_many()
                .set(row(&year, v + 1))
                .filter(Column::Layer.eq(key.as_str()))
                .filter(Column::Year.eq(year.year))
                .filter(Column::Version.eq(v))
                .exec_with_returning(&txn)
                .await
                .db()?
                .into_iter()
                .next()
                .ok_or(DomainError::PreconditionFailed)?,
            (None, None) => Entity::insert(row(&year, 1)).exec_with_returning(&txn).await.db()?,
            _ => return Err(DomainError::PreconditionFailed),
        };
        let stored = to_domain(model)?;
        journal::record(
            &txn,
            Some(ctx),
            rsnms_domain::changes::Change {
                resource_type: "calendar_year",
                resource_id: Uuid::from_u64_pair(
                    key.parse::<u64>().unwrap_or(0),
                    u64::try_from(year.year).unwrap_or(0),
                ),
                kind: if stored.version == 1 { ChangeKind::Created } else { ChangeKind::Updated },
                action: "put",
                payload: serde_json::to_value(&stored.year).unwrap_or_default(),
                personal_data: false,
                scope: rsnms_domain::changes::ChangeScope {
                    region_code: match &year.layer {
                        CalendarLayer::Regional { region_code } => Some(region_code.clone()),
                        CalendarLayer::Federal => None,
                    },
                    ..Default::default()
                },
            },
        )
        .await?;
        txn.commit().await.db()?;
        let changed = recompute(&self.db, ctx, &year.layer, year.year).await?;
        Ok((stored, changed))
    }

    async fn seed(&self, years: Vec<CalendarYear>) -> DomainResult<u64> {
        let mut n = 0;
        for y in years {
            let res = Entity::insert(row(&y, 1))
                .on_conflict(OnConflict::columns([Column::Layer, Column::Year]).do_nothing().to_owned())
                .exec_without_returning(&self.db.exec())
                .await
                .db()?;
            n += res;
        }
        Ok(n)
    }
}

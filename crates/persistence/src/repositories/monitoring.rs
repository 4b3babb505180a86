//! Monitoring counts on sea-orm: one aggregate statement (a count grouped by municipality) per
//! measure or population; nothing is loaded row by row. The scope and the territory filter apply
//! to the organisation of the counted subject (the teacher's school, the school itself, the
//! event's organiser).
//!
//! The statements count rows with `COUNT(*)`: each row is one distinct subject, because every join
//! follows a key (a person's school, the `(person_id, role)` key of `person_roles`, a route's
//! person) and every condition on other rows is an `EXISTS`. `COUNT(DISTINCT …)` would count the
//! same and make PostgreSQL sort every row by municipality (issue 7).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use rsnms_domain::{
    DomainResult,
    auth::Ctx,
    auth::Scope,
    monitoring::{Counts, Definition, DefinitionRecord, Measure, MonitoringRepository, Population, Territory, Window},
};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};

use crate::{Database, error::DbResultExt};

/// Monitoring repository.
#[derive(Debug, Clone)]
pub struct MonitoringStore {
    pub(crate) db: Database,
}

impl MonitoringStore {
    /// Over a database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// A statement under construction: SQL with `?` placeholders and their values.
struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(text: &str) -> Self {
        Self { text: text.to_owned(), values: Vec::new() }
    }

    fn push(&mut self, text: &str, values: impl IntoIterator<Item = Value>) -> &mut Self {
        self.text.push_str(text);
        self.values.extend(values);
        self
    }

    /// The caller's scope and the territory filter on the organisation alias `o`.
    fn scoped(&mut self, scope: &Scope, t: &Territory) -> &mut Self {
        match scope {
            Scope::All => &mut *self,
            Scope::Municipality { region_code, municipality_code } => self.push(
                " AND o.region_code = ? AND o.municipality_code = ?",
                [region_code.clone().into(), municipality_code.clone().into()],
            ),
            Scope::Organization(id) => self.push(" AND (o.id = ? OR o.parent_id = ?)", [(*id).into(), (*id).into()]),
            Scope::Person { .. } | Scope::Nothing => self.push(" AND 1 = 0", []),
        };
        if let Some(m) = &t.municipality_code {
            self.push(" AND o.municipality_code = ?", [m.clone().into()]);
        }
        if let Some(id) = t.organization_id {
            self.push(" AND (o.id = ? OR o.parent_id = ?)", [id.into(), id.into()]);
        }
        self
    }

    /// `start <= started_by [AND start >= started_from] [AND (end IS NULL OR end >= ended_from)]`.
    fn window(&mut self, start: &str, end: &str, w: Window) -> &mut Self {
        self.push(&format!(" AND {start} <= ?"), [w.started_by.into()]);
        if let Some(f) = w.started_from {
            self.push(&format!(" AND {start} >= ?"), [f.into()]);
        }
        if let Some(f) = w.ended_from {
            self.push(&format!(" AND ({end} IS NULL OR {end} >= ?)"), [f.into()]);
        }
        self
    }

    fn statement(self, backend: DatabaseBackend) -> Statement {
        let text = if backend == DatabaseBackend::Postgres {
            let mut out = String::with_capacity(self.text.len() + 16);
            let mut n = 0;
            for c in self.text.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        } else {
            self.text
        };
        Statement::from_sql_and_values(backend, text, self.values)
    }
}

const MUNICIPALITY: &str = "COALESCE(o.municipality_code, '')";

fn teachers_from() -> String {
    format!(
        "SELECT {MUNICIPALITY} AS m, COUNT(*) AS n FROM persons p \
         JOIN person_roles pr ON pr.person_id = p.id AND pr.role = 'teacher' \
         JOIN organizations o ON o.id = p.organization_id AND o.kind = 'educational_organization' WHERE 1 = 1"
    )
}

fn schools_from(year_start: NaiveDate) -> Sql {
    let mut s = Sql::new(&format!(
        "SELECT {MUNICIPALITY} AS m, COUNT(*) AS n FROM organizations o \
         WHERE o.kind = 'educational_organization'"
    ));
    s.push(" AND (o.closed_on IS NULL OR o.closed_on >= ?)", [year_start.into()]);
    s
}

/// The route's tutor works at a ЦНППМ. PostgreSQL gets the tutors as an array computed once: as a
/// join (or `IN`), it expects a few dozen routes of the region's tens of thousands to match and
/// looks up each teacher one by one, which costs twice the hash joins it picks for the array.
fn cnppm_tutor(pg: bool) -> String {
    const TUTORS: &str =
        "SELECT tp.id FROM persons tp JOIN organizations tor ON tor.id = tp.organization_id AND tor.kind = 'cnppm'";
    if pg { format!("r.tutor_id = ANY (ARRAY({TUTORS}))") } else { format!("r.tutor_id IN ({TUTORS})") }
}

/// The steps of a route done with a programme, as a row source `s` with the backend's JSON
/// functions, and the expressions for the step's programme id and planned end. PostgreSQL reads
/// the generated column `done_programme_steps` (migration
/// `m20261201_000100_route_done_programme_steps`), which holds only those steps, already parsed;
/// SQLite filters the parsed `steps`.
fn done_programme_steps(pg: bool) -> (&'static str, &'static str, &'static str) {
    if pg {
        (
            "CROSS JOIN LATERAL jsonb_array_elements(r.done_programme_steps) s WHERE 1 = 1",
            "(s.value->>'program_id')",
            "(s.value->>'planned_end')::date",
        )
    } else {
        (
            ", json_each(r.steps) s WHERE json_extract(s.value, '$.status') = 'done' \
             AND json_extract(s.value, '$.program_id') IS NOT NULL",
            "json_extract(s.value, '$.program_id')",
            "json_extract(s.value, '$.planned_end')",
        )
    }
}

impl MonitoringStore {
    async fn counts(&self, sql: Sql) -> DomainResult<Counts> {
        let conn = self.db.exec();
        let rows = conn.query_all_raw(sql.statement(self.db.backend())).await.db()?;
        let mut out = BTreeMap::new();
        for row in rows {
            let m: String = row.try_get("", "m").db()?;
            let n: i64 = row.try_get("", "n").db()?;
            out.insert(m, u64::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }
}

#[async_trait]
impl MonitoringRepository for MonitoringStore {
    async fn numerator(&self, scope: &Scope, t: &Territory, m: Measure, w: Window) -> DomainResult<Counts> {
        let pg = self.db.backend() == DatabaseBackend::Postgres;
        let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&w.started_by), 1, 1).unwrap_or(NaiveDate::MIN);
        let mut s;
        match m {
            Measure::TeachersWithCnppmRoute => {
                s = Sql::new(&teachers_from());
                s.push(
                    &format!(
                        " AND EXISTS (SELECT 1 FROM individual_routes r WHERE r.person_id = p.id \
                         AND r.status IN ('approved', 'in_progress', 'completed') AND {}",
                        cnppm_tutor(pg)
                    ),
                    [],
                );
                s.window("r.period_start", "r.period_end", w).push(")", []);
            }
            Measure::TeachersCompletedProgramme | Measure::TeachersCompletedCnppmProgramme => {
                let (steps, program, end) = done_programme_steps(pg);
                s = Sql::new(&teachers_from());
                s.push(" AND EXISTS (SELECT 1 FROM individual_routes r ", []);
                s.push(steps, []).push(" AND r.person_id = p.id AND r.status <> 'cancelled'", []);
                s.window(end, end, w);
                if m == Measure::TeachersCompletedCnppmProgramme {
                    let id_match = if pg {
                        format!("pg.id = {program}::uuid")
                    } else {
                        format!("(pg.id = {program} OR lower(hex(pg.id)) = replace({program}, '-', ''))")
                    };
                    s.push(
                        &format!(
                            " AND EXISTS (SELECT 1 FROM programs pg JOIN organizations dev ON dev.id = pg.developer_id \
                             AND dev.kind = 'cnppm' WHERE {id_match})"
                        ),
                        [],
                    );
                }
                s.push(")", []);
            }
            Measure::RegionalEvents => {
                s = Sql::new(&format!(
                    "SELECT {MUNICIPALITY} AS m, COUNT(*) AS n FROM offerings e \
                     JOIN organizations o ON o.id = e.organization_id \
                     WHERE e.offering = 'event' AND e.level = 'regional'"
                ));
                s.window("e.starts_on", "COALESCE(e.ends_on, e.starts_on)", w);
            }
            Measure::SchoolsWithMentoringPair => {
                s = schools_from(year_start);
                s.push(" AND EXISTS (SELECT 1 FROM mentoring_pairs mp WHERE mp.organization_id = o.id", []);
                s.window("mp.period_start", "mp.period_end", w).push(")", []);
            }
            Measure::SchoolsWithManagersInMentoring => {
                s = schools_from(year_start);
                s.push(
                    " AND EXISTS (SELECT 1 FROM mentoring_pairs mp JOIN persons mg \
                     ON (mg.id = mp.mentor_id OR mg.id = mp.mentee_id) \
                     JOIN person_roles mr ON mr.person_id = mg.id AND mr.role = 'manager' \
                     WHERE mg.organization_id = o.id",
                    [],
                );
                s.window("mp.period_start", "mp.period_end", w).push(")", []);
            }
        }
        s.scoped(scope, t).push(&format!(" GROUP BY {MUNICIPALITY}"), []);
        self.counts(s).await
    }

    async fn population(&self, scope: &Scope, t: &Territory, p: Population, year: i32) -> DomainResult<Counts> {
        let mut s = match p {
            Population::Teachers => Sql::new(&teachers_from()),
            Population::Schools => schools_from(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)),
        };
        s.scoped(scope, t).push(&format!(" GROUP BY {MUNICIPALITY}"), []);
        self.counts(s).await
    }

    async fn municipalities(&self, scope: &Scope) -> DomainResult<BTreeMap<String, String>> {
        let mut s = Sql::new(
            "SELECT o.municipality_code AS m, MAX(COALESCE(o.municipality_name, o.name)) AS name FROM organizations o \
             WHERE o.kind = 'municipal_authority' AND o.municipality_code IS NOT NULL",
        );
        s.scoped(scope, &Territory::default()).push(" GROUP BY o.municipality_code", []);
        let rows = self.db.exec().query_all_raw(s.statement(self.db.backend())).await.db()?;
        let mut out = BTreeMap::new();
        for row in rows {
            let m: String = row.try_get("", "m").db()?;
            let name: String = row.try_get("", "name").db()?;
            out.insert(m, name);
        }
        Ok(out)
    }

    async fn routes_by_status(&self, scope: &Scope, t: &Territory) -> DomainResult<BTreeMap<(String, String), u64>> {
        let mut s = Sql::new(&format!(
            "SELECT {MUNICIPALITY} AS m, r.status AS status, COUNT(*) AS n FROM individual_routes r \
             JOIN persons p ON p.id = r.person_id JOIN organizations o ON o.id = p.organization_id WHERE 1 = 1"
        ));
        s.scoped(scope, t).push(&format!(" GROUP BY {MUNICIPALITY}, r.status"), []);
        let rows = self.db.exec().query_all_raw(s.statement(self.db.backend())).await.db()?;
        let mut out = BTreeMap::new();
        for row in rows {
            let m: String = row.try_get("", "m").db()?;
            let status: String = row.try_get("", "status").db()?;
            let n: i64 = row.try_get("", "n").db()?;
            out.insert((m, status), u64::try_from(n).unwrap_or(0));
        }
        Ok(out)
    }

    async fn custom_definitions(&self) -> DomainResult<Vec<DefinitionRecord>> {
        self.list_custom_definitions().await
    }

    async fn custom_definition(&self, code: &str) -> DomainResult<DefinitionRecord> {
        self.custom_definition_by_code(code).await
    }

    async fn create_definition(&self, ctx: &Ctx, d: Definition) -> DomainResult<DefinitionRecord> {
        self.insert_definition(ctx, d).await
    }

    async fn update_definition(
        &self,
        ctx: &Ctx,
        code: &str,
        expected_version: i64,
        d: Definition,
    ) -> DomainResult<DefinitionRecord> {
        self.replace_definition(ctx, code, expected_version, d).await
    }

    async fn retire_definition(&self, ctx: &Ctx, code: &str, expected_version: i64) -> DomainResult<DefinitionRecord> {
        self.retire_definition_row(ctx, code, expected_version).await
    }
}

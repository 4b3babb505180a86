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
    monitoring::{
        Counts, Definition, DefinitionRecord, Measure, MonitoringRepository, Population, Territory, WHOLE, Window,
        checklist::ChecklistFacts,
    },
    organizations::OrganizationKind,
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

/// The employment periods as a row source (`person_id, organization_id, category, started_on,
/// ended_on`): the stored periods, and for a person with none the current link, undated — one
/// row per role that names a category (a manager as `head`) and one of category `staff`.
const EMPLOYMENTS: &str = "(SELECT e.person_id, e.organization_id, e.category, e.started_on, e.ended_on \
     FROM employments e \
     UNION ALL SELECT p0.id, p0.organization_id, CASE r0.role WHEN 'manager' THEN 'head' ELSE r0.role END, NULL, NULL \
     FROM persons p0 JOIN person_roles r0 ON r0.person_id = p0.id \
     WHERE r0.role IN ('teacher', 'manager', 'methodologist') \
     AND NOT EXISTS (SELECT 1 FROM employments x0 WHERE x0.person_id = p0.id) \
     UNION ALL SELECT p1.id, p1.organization_id, 'staff', NULL, NULL FROM persons p1 \
     WHERE NOT EXISTS (SELECT 1 FROM employments x1 WHERE x1.person_id = p1.id))";

/// `'a', 'b'` of constant names (block names defined by the code, never client text).
fn listed(names: &[&str]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
}

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX),
    )
}

/// The persons of a population in a year, one row each, as the row source `o` (the employer
/// they are counted at: `id, parent_id, region_code, municipality_code`, and `person_id`):
/// their periods of the population's categories at organisations of its kinds that cover some
/// day of the year, at an organisation not closed before it; of several, the latest started
/// (a teacher who moved counts where they moved to). The caller's scope then applies to that
/// employer, so a person who left a municipality no longer counts there.
fn persons_of(p: Population, year: i32) -> Sql {
    let (first, last) = year_bounds(year);
    let mut cond = String::new();
    if !p.organization_kinds().is_empty() {
        cond.push_str(&format!(" AND org.kind IN ({})", listed(p.organization_kinds())));
    }
    if !p.categories().is_empty() {
        cond.push_str(&format!(" AND emp.category IN ({})", listed(p.categories())));
    }
    let mut s = Sql::new(&format!(
        "SELECT {MUNICIPALITY} AS m, COUNT(*) AS n FROM (SELECT emp.person_id, org.id, org.parent_id, \
         org.region_code, org.municipality_code, ROW_NUMBER() OVER (PARTITION BY emp.person_id \
         ORDER BY COALESCE(emp.started_on, ?) DESC, org.id DESC) AS rn \
         FROM {EMPLOYMENTS} emp JOIN organizations org ON org.id = emp.organization_id WHERE 1 = 1{cond}"
    ));
    s.values.push(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN).into());
    s.push(" AND (emp.started_on IS NULL OR emp.started_on <= ?)", [last.into()]);
    s.push(" AND (emp.ended_on IS NULL OR emp.ended_on >= ?)", [first.into()]);
    s.push(" AND (org.closed_on IS NULL OR org.closed_on >= ?)) o WHERE o.rn = 1", [first.into()]);
    s
}

/// Organisations of a population of organisations not closed before the year.
fn organizations_of(p: Population, year: i32) -> Sql {
    let mut s = Sql::new(&format!(
        "SELECT {MUNICIPALITY} AS m, COUNT(*) AS n FROM organizations o WHERE o.kind IN ({})",
        listed(p.organization_kinds())
    ));
    s.push(" AND (o.closed_on IS NULL OR o.closed_on >= ?)", [year_bounds(year).0.into()]);
    s
}

fn population_of(p: Population, year: i32) -> Sql {
    if p.of_persons() { persons_of(p, year) } else { organizations_of(p, year) }
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

/// What a programme must be for a measure (programme attributes), on the alias `pg`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Programme {
    /// Any programme.
    Any,
    /// Developed (provided) by an organisation of this kind (`cnppm`, `federal_operator`).
    ProvidedBy(&'static str),
    /// For management teams: its audience names «управленческие» команды or кадры.
    ForManagementTeams,
}

/// `EXISTS` a route step of `person` done with a programme (of kind `programme`) whose planned
/// end falls into the window.
fn programme_done(s: &mut Sql, pg: bool, person: &str, w: Window, programme: Programme) {
    let (steps, program, end) = done_programme_steps(pg);
    s.push(" AND EXISTS (SELECT 1 FROM individual_routes r ", []);
    s.push(steps, []).push(&format!(" AND r.person_id = {person} AND r.status <> 'cancelled'"), []);
    s.window(end, end, w);
    let id_match = if pg {
        format!("pg.id = {program}::uuid")
    } else {
        format!("(pg.id = {program} OR lower(hex(pg.id)) = replace({program}, '-', ''))")
    };
    match programme {
        Programme::Any => {}
        Programme::ProvidedBy(kind) => {
            s.push(
                &format!(
                    " AND EXISTS (SELECT 1 FROM programs pg JOIN organizations dev ON dev.id = pg.developer_id \
                     AND dev.kind = '{kind}' WHERE {id_match})"
                ),
                [],
            );
        }
        Programme::ForManagementTeams => {
            s.push(
                &format!(
                    " AND EXISTS (SELECT 1 FROM programs pg WHERE {id_match} AND pg.audience LIKE '%правленческ%')"
                ),
                [],
            );
        }
    }
    s.push(")", []);
}

impl MonitoringStore {
    async fn scalar(&self, sql: Sql) -> DomainResult<u64> {
        let row = self.db.exec().query_one_raw(sql.statement(self.db.backend())).await.db()?;
        let n: i64 = match row {
            Some(r) => r.try_get("", "n").db()?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Regional events per municipality: a municipality counts the events organised in it and
    /// those attended (participation `attended`) by people employed in it on the event's date;
    /// the whole ([`WHOLE`]) counts each event once.
    async fn regional_events(&self, scope: &Scope, t: &Territory, w: Window) -> DomainResult<Counts> {
        let inner = |s: &mut Sql| {
            s.push(
                &format!(
                    " FROM offerings e JOIN organizations o ON (o.id = e.organization_id OR EXISTS (\
                     SELECT 1 FROM event_participants ep JOIN {EMPLOYMENTS} emp ON emp.person_id = ep.person_id \
                     WHERE ep.event_id = e.id AND ep.status = 'attended' AND emp.organization_id = o.id \
                     AND (emp.started_on IS NULL OR emp.started_on <= e.starts_on) \
                     AND (emp.ended_on IS NULL OR emp.ended_on >= e.starts_on))) \
                     WHERE e.offering = 'event' AND e.level = 'regional'"
                ),
                [],
            );
            s.window("e.starts_on", "COALESCE(e.ends_on, e.starts_on)", w).scoped(scope, t);
        };
        let mut s = Sql::new(&format!("SELECT {MUNICIPALITY} AS m, COUNT(DISTINCT e.id) AS n"));
        inner(&mut s);
        s.push(&format!(" GROUP BY {MUNICIPALITY} UNION ALL SELECT '{WHOLE}' AS m, COUNT(DISTINCT e.id) AS n"), []);
        inner(&mut s);
        self.counts(s).await
    }

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
        let year = chrono::Datelike::year(&w.started_by);
        let mut s;
        match m {
            Measure::TeachersWithCnppmRoute => {
                s = persons_of(Population::Teachers, year);
                s.push(
                    &format!(
                        " AND EXISTS (SELECT 1 FROM individual_routes r WHERE r.person_id = o.person_id \
                         AND r.status IN ('approved', 'in_progress', 'completed') AND {}",
                        cnppm_tutor(pg)
                    ),
                    [],
                );
                s.window("r.period_start", "r.period_end", w).push(")", []);
            }
            Measure::TeachersCompletedProgramme => {
                s = persons_of(Population::Teachers, year);
                programme_done(&mut s, pg, "o.person_id", w, Programme::Any);
            }
            Measure::TeachersCompletedCnppmProgramme => {
                s = persons_of(Population::Teachers, year);
                programme_done(&mut s, pg, "o.person_id", w, Programme::ProvidedBy("cnppm"));
            }
            Measure::StaffCompletedProgramme => {
                s = persons_of(Population::EducationStaff, year);
                programme_done(&mut s, pg, "o.person_id", w, Programme::Any);
            }
            Measure::CnppmStaffTrainedByFederalOperator => {
                s = persons_of(Population::CnppmStaff, year);
                programme_done(&mut s, pg, "o.person_id", w, Programme::ProvidedBy("federal_operator"));
            }
            Measure::OrganizationsWithManagementTeamTrained => {
                let (first, last) = year_bounds(year);
                s = organizations_of(Population::EducationalOrganizations, year);
                s.push(
                    &format!(
                        " AND EXISTS (SELECT 1 FROM {EMPLOYMENTS} emp WHERE emp.organization_id = o.id \
                         AND emp.category IN ('head', 'deputy_head') AND (emp.started_on IS NULL OR emp.started_on <= ?) \
                         AND (emp.ended_on IS NULL OR emp.ended_on >= ?)"
                    ),
                    [last.into(), first.into()],
                );
                programme_done(&mut s, pg, "emp.person_id", w, Programme::ForManagementTeams);
                s.push(")", []);
            }
            Measure::RegionalEvents => return self.regional_events(scope, t, w).await,
            Measure::FederalRegistryProgrammesCompleted => {
                let (steps, program, end) = done_programme_steps(pg);
                let id_match = if pg {
                    format!("pg.id = {program}::uuid")
                } else {
                    format!("(pg.id = {program} OR lower(hex(pg.id)) = replace({program}, '-', ''))")
                };
                s = Sql::new(&format!(
                    "SELECT {MUNICIPALITY} AS m, COUNT(*) AS n FROM programs pg \
                     JOIN organizations o ON o.id = pg.developer_id WHERE pg.federal_registry = ?"
                ));
                s.values.push(true.into());
                s.push(" AND EXISTS (SELECT 1 FROM individual_routes r ", []);
                s.push(steps, []).push(&format!(" AND r.status <> 'cancelled' AND {id_match}"), []);
                s.window(end, end, w).push(")", []);
            }
            Measure::RegionalSystemFunctions => {
                // A regional figure from the checklist (`checklist_facts`), not a count per
                // municipality: assembled by the domain.
                return Ok(Counts::new());
            }
            Measure::SchoolsWithMentoringPair => {
                s = organizations_of(Population::Schools, year);
                s.push(" AND EXISTS (SELECT 1 FROM mentoring_pairs mp WHERE mp.organization_id = o.id", []);
                s.window("mp.period_start", "mp.period_end", w).push(")", []);
            }
            Measure::SchoolsWithManagersInMentoring => {
                s = organizations_of(Population::Schools, year);
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

    async fn checklist_facts(&self, year: i32) -> DomainResult<ChecklistFacts> {
        let pg = self.db.backend() == DatabaseBackend::Postgres;
        let (first, last) = year_bounds(year);
        let open = |a: &str| {
            format!("({a}.closed_on IS NULL OR {a}.closed_on >= ?) AND ({a}.opened_on IS NULL OR {a}.opened_on <= ?)")
        };
        let kind = |k: &str| {
            let mut s =
                Sql::new(&format!("SELECT COUNT(*) AS n FROM organizations o WHERE o.kind = '{k}' AND {}", open("o")));
            s.values.extend([first.into(), last.into()]);
            s
        };
        let mut municipalities = Sql::new(&format!(
            "SELECT COUNT(DISTINCT o.municipality_code) AS n FROM organizations o \
             WHERE o.kind = 'municipal_authority' AND o.municipality_code IS NOT NULL AND {}",
            open("o")
        ));
        municipalities.values.extend([first.into(), last.into()]);
        let mut served = Sql::new(&format!(
            "SELECT COUNT(DISTINCT o.municipality_code) AS n FROM organizations o \
             WHERE o.kind = 'municipal_authority' AND o.municipality_code IS NOT NULL AND {} \
             AND EXISTS (SELECT 1 FROM organizations sv WHERE sv.kind = 'municipal_methodological_service' \
             AND sv.municipality_code = o.municipality_code AND {})",
            open("o"),
            open("sv")
        ));
        served.values.extend([first.into(), last.into(), first.into(), last.into()]);
        let naming: Vec<&str> =
            OrganizationKind::ALL.iter().filter(|k| k.names_responsible_person()).map(|k| k.as_str()).collect();
        let mut missing = Sql::new(&format!(
            "SELECT COUNT(*) AS n FROM organizations o WHERE o.kind IN ({}) AND o.responsible_person_id IS NULL AND {}",
            listed(&naming),
            open("o")
        ));
        missing.values.extend([first.into(), last.into()]);
        let mut events = Sql::new(
            "SELECT COUNT(*) AS n FROM offerings e WHERE e.offering = 'event' AND e.level = 'regional' \
             AND e.starts_on >= ? AND e.starts_on <= ?",
        );
        events.values.extend([first.into(), last.into()]);
        let (steps, _, end) = done_programme_steps(pg);
        let mut done =
            Sql::new(&format!("SELECT COUNT(*) AS n FROM individual_routes r {steps} AND r.status <> 'cancelled'"));
        done.push(&format!(" AND {end} >= ? AND {end} <= ?"), [first.into(), last.into()]);
        Ok(ChecklistFacts {
            regional_authorities: self.scalar(kind("regional_authority")).await?,
            regional_institutes: self.scalar(kind("regional_institute")).await?,
            cnppms: self.scalar(kind("cnppm")).await?,
            municipalities: self.scalar(municipalities).await?,
            municipalities_with_service: self.scalar(served).await?,
            responsible_missing: self.scalar(missing).await?,
            regional_events: self.scalar(events).await?,
            programme_steps_done: self.scalar(done).await?,
        })
    }

    async fn population(&self, scope: &Scope, t: &Territory, p: Population, year: i32) -> DomainResult<Counts> {
        let mut s = population_of(p, year);
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

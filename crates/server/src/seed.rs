//! `rsnms seed-region`: a realistic, deterministic region generated into the configured database
//! (issue 7) — for monitoring's hand-count test, the report benchmark and the browser check.
//!
//! Everything is written through the **domain actions** (the same validation, scope, audit and
//! outbox as the API: valid СНИЛС, levels derived from kinds, scope columns), never by HTTP and
//! never by raw SQL. Bulk phases run in units of work (`Database::begin_unit`) that commit every
//! `batch` records; a phase that reads what the previous one wrote starts after it committed
//! (the individual routes repository still reads through the pool). The same seed
//! gives the same data (names, СНИЛС, structure, dates, statuses); ids and timestamps are those
//! of the moment of writing.

use std::collections::BTreeMap;

use anyhow::{Context, anyhow};
use chrono::{Datelike, Duration, NaiveDate};
use rsnms_domain::{
    DomainError,
    agreements::{AgreementInput, Clause, IndicatorSpec, IndicatorValueInput, Lifecycle, Parties},
    auth::{Actor, Ctx, Role},
    development::{
        competencies::{AreaKind, CompetencyInput, NodeKind, create_competency},
        diagnostics::{
            self, CampaignInput, Instrument, ResultInput, ScaleInput, TargetGroup, create_campaign, record_results,
        },
        events::{self, EventKind, EventLevel, OfferingInput, OfferingKind, create_offering},
        iom::{
            Activity, CompleteInput, Deps, EvidenceInput, EvidencePolicy, EvidenceStatus, PracticeForm, ReportingForm,
            RouteInput, RouteStatus, StepInput, StepStatus, TransferInput, add_evidence, approve_route, cancel_route,
            complete_route, create_route, review_evidence, start_route, update_route,
        },
        mentoring::{self, MentoringForm, MentoringInput, create_mentoring_pair},
        programs::{self, ProgramInput, ProgramKind, StudyForm, create_program},
    },
    network_requests::{
        self as network_requests, AuthorInput, NetworkRequestInput, ReceiveInput, ReplyInput, create_network_request,
        receive_request, reply_to_request, send_request,
    },
    organizations::{OrganizationInput, OrganizationKind, create_organization},
    persons::{PersonInput, PersonRole, create_person},
};
use rsnms_persistence::{Database, Store};
use uuid::Uuid;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Teachers (педагогические работники) in schools, about.
    pub teachers: u32,
    /// Municipalities.
    pub municipalities: u32,
    /// The seed: the same seed gives the same data.
    pub seed: u64,
    /// Reporting years, ascending (routes, events, pairs and agreement targets per year).
    pub years: Vec<i32>,
    /// Records per committed transaction in the bulk phases.
    pub batch: usize,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self { teachers: 2000, municipalities: 23, seed: 1, years: vec![2024, 2025], batch: 1000 }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct SeedSummary {
    /// Organisations.
    pub organizations: u64,
    /// Persons of every role.
    pub persons: u64,
    /// Persons with role teacher working in schools.
    pub teachers: u64,
    /// Diagnostic results.
    pub diagnostic_results: u64,
    /// Programmes.
    pub programs: u64,
    /// Individual routes.
    pub routes: u64,
    /// Events.
    pub events: u64,
    /// Mentoring pairs.
    pub mentoring_pairs: u64,
    /// Agreements.
    pub agreements: u64,
    /// Reported indicator values.
    pub indicator_values: u64,
    /// Network requests.
    pub network_requests: u64,
}

impl SeedSummary {
    /// As JSON, for the command's output.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "organizations": self.organizations,
            "persons": self.persons,
            "teachers": self.teachers,
            "diagnostic_results": self.diagnostic_results,
            "programs": self.programs,
            "routes": self.routes,
            "events": self.events,
            "mentoring_pairs": self.mentoring_pairs,
            "agreements": self.agreements,
            "indicator_values": self.indicator_values,
            "network_requests": self.network_requests,
        })
    }
}

/// SplitMix64: small, portable and deterministic across platforms and crate versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }

    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1).max(1) as u64)) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Municipalities of the Republic of Buryatia (ОКТМО), used in order; more are numbered.
const MUNICIPALITIES: &[(&str, &str)] = &[
    ("81701000", "г. Улан-Удэ"),
    ("81606000", "Бичурский район"),
    ("81625000", "Кабанский район"),
    ("81603000", "Баргузинский район"),
    ("81609000", "Джидинский район"),
    ("81612000", "Еравнинский район"),
    ("81615000", "Заиграевский район"),
    ("81618000", "Закаменский район"),
    ("81621000", "Иволгинский район"),
    ("81627000", "Кижингинский район"),
    ("81630000", "Курумканский район"),
    ("81633000", "Кяхтинский район"),
    ("81636000", "Муйский район"),
    ("81639000", "Мухоршибирский район"),
    ("81642000", "Окинский район"),
    ("81645000", "Прибайкальский район"),
    ("81648000", "Северо-Байкальский район"),
    ("81651000", "Селенгинский район"),
    ("81654000", "Тарбагатайский район"),
    ("81657000", "Тункинский район"),
    ("81660000", "Хоринский район"),
    ("81604000", "Баунтовский эвенкийский район"),
    ("81710000", "г. Северобайкальск"),
];

const SURNAMES: &[&str] = &[
    "Иванов",
    "Петров",
    "Сидоров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Бадмаев",
    "Цыренов",
    "Дашиев",
    "Очиров",
    "Будаев",
    "Балданов",
    "Доржиев",
    "Намжилов",
    "Раднаев",
    "Жамсуев",
];
const MALE_NAMES: &[&str] =
    &["Александр", "Сергей", "Андрей", "Дмитрий", "Николай", "Баир", "Алдар", "Виктор", "Игорь", "Михаил", "Тимур"];
const FEMALE_NAMES: &[&str] =
    &["Анна", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Мария", "Туяна", "Сэсэг", "Оюна", "Дарима"];
const PATRONYMIC_ROOTS: &[&str] =
    &["Александров", "Сергеев", "Иванов", "Петров", "Николаев", "Викторов", "Баиров", "Михайлов", "Андреев"];
const SUBJECTS: &[&str] = &[
    "учитель математики",
    "учитель русского языка и литературы",
    "учитель начальных классов",
    "учитель физики",
    "учитель истории",
    "учитель английского языка",
    "учитель бурятского языка",
    "учитель биологии",
    "учитель информатики",
    "учитель физической культуры",
];
const PROGRAMS: &[&str] = &[
    "Формирование функциональной грамотности обучающихся",
    "Цифровые образовательные ресурсы на уроке",
    "Формирующее оценивание в основной школе",
    "Реализация обновлённых ФГОС ООО",
    "Наставничество в образовательной организации",
    "Методика подготовки к ГИА по математике",
    "Школа современного учителя русского языка",
    "Проектная деятельность обучающихся",
    "Инклюзивное образование: методики и практики",
    "Управление качеством образования в школе",
];

fn person_name(rng: &mut Rng) -> (String, String, String) {
    let female = rng.chance(78);
    let surname = (*rng.pick(SURNAMES)).to_owned();
    let root = rng.pick(PATRONYMIC_ROOTS);
    if female {
        (surname + "а", (*rng.pick(FEMALE_NAMES)).to_owned(), format!("{root}на"))
    } else {
        (surname, (*rng.pick(MALE_NAMES)).to_owned(), format!("{root}ич"))
    }
}

/// A valid СНИЛС (checksum of the nine-digit number, weights 9…1), unique within one run.
pub fn snils(n: u64) -> String {
    let digits: Vec<u32> = format!("{n:09}").chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| d * (9 - i as u32)).sum();
    let check = match sum {
        s if s < 100 => s,
        100 | 101 => 0,
        s => match s % 101 {
            100 => 0,
            r => r,
        },
    };
    format!("{n:09}{check:02}")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn fail(what: &'static str) -> impl Fn(DomainError) -> anyhow::Error {
    move |e| anyhow!("seed-region: {what}: {e:?}")
}

/// A unit of work: the handle bound to its transaction and the repositories over it.
async fn begin(store: &Store) -> anyhow::Result<(Database, Store)> {
    let unit = store.db.begin_unit().await.map_err(fail("begin"))?;
    Ok((unit.clone(), Store::new(unit)))
}

async fn commit(unit: Database, inner: Store) -> anyhow::Result<()> {
    drop(inner);
    unit.finish_unit(true).await.map_err(fail("commit"))
}

fn deps(s: &Store) -> Deps<'_> {
    Deps {
        routes: s.routes.as_ref(),
        persons: s.persons.as_ref(),
        diagnostics: s.diagnostics.as_ref(),
        programs: s.programs.as_ref(),
        audit: s.audit.as_ref(),
        personal_data: s.personal_data.as_ref(),
        organizations: s.organizations.as_ref(),
        evidence: &SEED_EVIDENCE,
        offerings: s.offerings.as_ref(),
        mentoring: s.mentoring.as_ref(),
        participations: s.participations.as_ref(),
        units: s.units.as_ref(),
    }
}

/// The seed follows the default rule: every done step has accepted evidence.
static SEED_EVIDENCE: std::sync::LazyLock<EvidencePolicy> = std::sync::LazyLock::new(EvidencePolicy::default);

/// Marks steps of a started route done, each with accepted evidence; returns the new version.
async fn finish_steps(
    d: Deps<'_>,
    ctx: &Ctx,
    r: &rsnms_domain::development::iom::Route,
    done: &[usize],
) -> anyhow::Result<i64> {
    for &k in done {
        let step = r.steps.get(k).context("step")?;
        let input = EvidenceInput {
            kind: Some(step.reporting_form),
            description: Some("Подтверждение выполнения шага".into()),
            url: None,
        };
        let ev = add_evidence(d, ctx, r.id, step.id, input).await.map_err(fail("evidence"))?;
        review_evidence(d, ctx, r.id, ev.id, Some(EvidenceStatus::Accepted), None, None)
            .await
            .map_err(fail("review"))?;
    }
    let updated = update_route(d, ctx, r.id, r.version, |mut i| {
        for &k in done {
            if let Some(st) = i.steps.get_mut(k) {
                st.status = Some(StepStatus::Done);
            }
        }
        Ok(i)
    })
    .await
    .map_err(fail("steps done"))?;
    Ok(updated.version)
}

struct School {
    id: Uuid,
    municipality: usize,
    teachers: Vec<Uuid>,
    mentors: Vec<Uuid>,
    manager: Uuid,
}

struct Municipality {
    authority: Uuid,
    tutors: Vec<Uuid>,
}

/// A planned route: built as a draft, then moved through its lifecycle phase by phase.
struct PlannedRoute {
    id: Option<Uuid>,
    version: i64,
    target: RouteStatus,
    year: i32,
    /// Steps to mark done once the route runs (with accepted evidence).
    done: Vec<usize>,
}

/// What every phase shares: where to write, the options, the actor, "today", the one random
/// stream (phases draw from it in a fixed order, so the same seed gives the same data) and the
/// running counts.
struct Seeder<'a> {
    store: &'a Store,
    opts: &'a SeedOptions,
    progress: &'a (dyn Fn(&str, u64) + Sync),
    ctx: Ctx,
    today: NaiveDate,
    batch: usize,
    rng: Rng,
    sum: SeedSummary,
    /// The first and the last reporting year.
    y0: i32,
    last: i32,
}

/// The organisations written by the first phase, with the people the second phase puts in them.
struct Region {
    region: Uuid,
    institute: Uuid,
    cnppm: Uuid,
    municipalities: Vec<Municipality>,
    /// One methodological service per municipality, in the same order.
    services: Vec<Uuid>,
    schools: Vec<School>,
    cnppm_tutors: Vec<Uuid>,
    /// (person, index of the school) of every teacher.
    teachers: Vec<(Uuid, usize)>,
}

/// The diagnostic campaign, its competencies and each teacher's deficits found by it.
struct Diagnostics {
    competencies: Vec<Uuid>,
    campaign: Uuid,
    deficits: BTreeMap<Uuid, Vec<Uuid>>,
}

/// Generates the region. `progress` is told each phase's name and the records written so far.
pub async fn seed_region(
    store: &Store,
    opts: &SeedOptions,
    progress: &(dyn Fn(&str, u64) + Sync),
) -> anyhow::Result<SeedSummary> {
    let today = rsnms_domain::clock::region_today();
    anyhow::ensure!(!opts.years.is_empty(), "at least one year");
    anyhow::ensure!(opts.years.windows(2).all(|w| w[0] < w[1]), "years must be ascending and distinct");
    anyhow::ensure!(
        opts.years.iter().all(|y| (2000..=today.year()).contains(y)),
        "years must lie between 2000 and the current year"
    );
    anyhow::ensure!(opts.municipalities >= 1 && opts.teachers >= 1, "at least one municipality and one teacher");
    crate::seed_deadline_data(store).await?;
    let y0 = opts.years[0];
    let mut seeder = Seeder {
        store,
        opts,
        progress,
        ctx: Ctx {
            actor: Actor {
                subject: "seed-region".into(),
                role: Role::Admin,
                organization_id: None,
                region_code: None,
                municipality_code: None,
                person_id: None,
            },
            request_id: format!("seed-region-{}", opts.seed),
            idempotency: None,
        },
        today,
        batch: opts.batch.max(1),
        rng: Rng(opts.seed ^ 0x5EED_2026),
        sum: SeedSummary::default(),
        y0,
        last: *opts.years.last().unwrap_or(&y0),
    };
    // The phases in the order they draw from the random stream; each reads what the previous wrote.
    let mut region = seeder.organizations().await?;
    seeder.persons(&mut region).await?;
    let diagnostics = seeder.diagnostics(&region).await?;
    let programs = seeder.programs(&region, &diagnostics.competencies).await?;
    seeder.routes(&region, &diagnostics, &programs).await?;
    seeder.events(&region).await?;
    seeder.mentoring_pairs(&region).await?;
    seeder.agreements(&region).await?;
    seeder.network_requests(&region).await?;
    (seeder.progress)("done", seeder.sum.persons);
    Ok(seeder.sum)
}

impl Seeder<'_> {
    /// A date of the past: no later than yesterday.
    fn clamp(&self, d: NaiveDate) -> NaiveDate {
        d.min(self.today - Duration::days(1))
    }

    /// Organisations: the region, its institute and ЦНППМ, municipalities with their authority,
    /// methodological service and schools.
    async fn organizations(&mut self) -> anyhow::Result<Region> {
        (self.progress)("organizations", 0);
        let ctx = &self.ctx;
        let org = |name: String, kind: OrganizationKind, parent: Option<Uuid>| OrganizationInput {
            name: Some(name),
            kind: Some(kind),
            parent_id: parent,
            region_code: Some("03".into()),
            time_zone: parent.is_none().then(|| "Asia/Irkutsk".into()),
            opened_on: Some(date(1995, 9, 1)),
            ..OrganizationInput::default()
        };
        let (unit, s) = begin(self.store).await?;
        let orgs = s.organizations.as_ref();
        let people = s.persons.as_ref();
        let region = create_organization(
            orgs,
            people,
            ctx,
            org(
                "Министерство образования и науки Республики Бурятия".into(),
                OrganizationKind::RegionalAuthority,
                None,
            ),
        )
        .await
        .map_err(fail("region"))?
        .id;
        let institute = create_organization(
            orgs,
            people,
            ctx,
            org(
                "ГАУ ДПО РБ «Бурятский республиканский институт образовательной политики»".into(),
                OrganizationKind::RegionalInstitute,
                Some(region),
            ),
        )
        .await
        .map_err(fail("institute"))?
        .id;
        let cnppm = create_organization(
            orgs,
            people,
            ctx,
            org(
                "Центр непрерывного повышения профессионального мастерства педагогических работников".into(),
                OrganizationKind::Cnppm,
                Some(region),
            ),
        )
        .await
        .map_err(fail("ЦНППМ"))?
        .id;
        self.sum.organizations = 3;
        let m_count = self.opts.municipalities as usize;
        let weights: Vec<u64> = (0..m_count).map(|i| if i == 0 { 8 } else { self.rng.between(1, 4) as u64 }).collect();
        let total_w: u64 = weights.iter().sum();
        let mut municipalities = Vec::with_capacity(m_count);
        let mut schools: Vec<School> = Vec::new();
        let mut services = Vec::with_capacity(m_count);
        for (i, w) in weights.iter().enumerate() {
            let (code, name) = match MUNICIPALITIES.get(i) {
                Some((c, n)) => ((*c).to_owned(), (*n).to_owned()),
                None => (format!("81{:06}", 800_000 + i), format!("Муниципальный округ № {}", i + 1)),
            };
            let mut a =
                org(format!("Управление образования МО «{name}»"), OrganizationKind::MunicipalAuthority, Some(region));
            a.municipality_code = Some(code);
            a.municipality_name = Some(name.clone());
            let authority = create_organization(orgs, people, ctx, a).await.map_err(fail("municipal authority"))?.id;
            let service = create_organization(
                orgs,
                people,
                ctx,
                org(
                    format!("Методический кабинет МО «{name}»"),
                    OrganizationKind::MunicipalMethodologicalService,
                    Some(authority),
                ),
            )
            .await
            .map_err(fail("methodological service"))?
            .id;
            let teachers_here = (u64::from(self.opts.teachers) * w / total_w).max(1);
            let n_schools = teachers_here.div_ceil(35).max(1);
            for k in 0..n_schools {
                let kind = if k % 3 == 2 { "МАОУ" } else { "МБОУ" };
                let id = create_organization(
                    orgs,
                    people,
                    ctx,
                    org(
                        format!("{kind} «Средняя общеобразовательная школа № {}» ({name})", k + 1),
                        OrganizationKind::EducationalOrganization,
                        Some(authority),
                    ),
                )
                .await
                .map_err(fail("school"))?
                .id;
                schools.push(School {
                    id,
                    municipality: i,
                    teachers: Vec::new(),
                    mentors: Vec::new(),
                    manager: Uuid::nil(),
                });
            }
            self.sum.organizations += 2 + n_schools;
            municipalities.push(Municipality { authority, tutors: Vec::new() });
            services.push(service);
        }
        commit(unit, s).await?;
        (self.progress)("organizations", self.sum.organizations);
        Ok(Region {
            region,
            institute,
            cnppm,
            municipalities,
            services,
            schools,
            cnppm_tutors: Vec::new(),
            teachers: Vec::new(),
        })
    }

    /// Persons: teachers (some also mentors), a manager per school (some also teach), tutors of
    /// the ЦНППМ, municipal methodologists (one a tutor), methodologists of the institute.
    async fn persons(&mut self, region: &mut Region) -> anyhow::Result<()> {
        let (opts, today) = (self.opts, self.today);
        let rng = &mut self.rng;
        let mut planned: Vec<(usize, Option<usize>, PersonInput)> = Vec::new(); // (school or usize::MAX, municipality, input)
        let mut serial: u64 = 100_000_000 + (opts.seed.wrapping_mul(7919) % 800_000_000);
        let mut person = |rng: &mut Rng, org: Uuid, roles: Vec<PersonRole>, position: String| {
            let (surname, first, patronymic) = person_name(rng);
            serial = 100_000_000 + (serial - 100_000_000 + 7919) % 899_000_000;
            let birth = date(rng.between(1960, 1999) as i32, rng.between(1, 12) as u32, rng.between(1, 28) as u32);
            PersonInput {
                surname: Some(surname),
                first_name: Some(first),
                patronymic: Some(patronymic),
                position: Some(position),
                organization_id: Some(org),
                roles,
                snils: Some(snils(serial)),
                birth_date: Some(birth),
                hire_date: Some(date(birth.year() + rng.between(22, 30) as i32, 9, 1).min(today)),
                ..PersonInput::default()
            }
        };
        let total_schools = region.schools.len();
        for (k, school) in region.schools.iter().enumerate() {
            let share = u64::from(opts.teachers) / total_schools as u64
                + u64::from((k as u64) < u64::from(opts.teachers) % total_schools as u64);
            for _ in 0..share.max(1) {
                let mentor = rng.chance(10);
                let roles =
                    if mentor { vec![PersonRole::Teacher, PersonRole::Mentor] } else { vec![PersonRole::Teacher] };
                let pos = (*rng.pick(SUBJECTS)).to_owned();
                planned.push((k, Some(school.municipality), person(rng, school.id, roles, pos)));
            }
            let teaches = rng.chance(30);
            let roles =
                if teaches { vec![PersonRole::Manager, PersonRole::Teacher] } else { vec![PersonRole::Manager] };
            planned.push((k, Some(school.municipality), person(rng, school.id, roles, "директор".into())));
        }
        let n_cnppm_tutors = (opts.teachers / 400).max(3);
        for _ in 0..n_cnppm_tutors {
            planned.push((usize::MAX, None, person(rng, region.cnppm, vec![PersonRole::Tutor], "тьютор ЦНППМ".into())));
        }
        for (i, service) in region.services.iter().enumerate() {
            planned.push((
                usize::MAX,
                Some(i),
                person(
                    rng,
                    *service,
                    vec![PersonRole::Methodologist, PersonRole::Tutor],
                    "муниципальный тьютор".into(),
                ),
            ));
            planned.push((usize::MAX, None, person(rng, *service, vec![PersonRole::Methodologist], "методист".into())));
        }
        for _ in 0..3 {
            planned.push((
                usize::MAX,
                None,
                person(rng, region.institute, vec![PersonRole::Methodologist], "методист".into()),
            ));
        }
        for chunk in planned.chunks(self.batch) {
            let (unit, s) = begin(self.store).await?;
            for (school, municipality, input) in chunk {
                let roles = input.roles.clone();
                let p = create_person(s.persons.as_ref(), s.organizations.as_ref(), &self.ctx, input.clone())
                    .await
                    .map_err(fail("person"))?;
                self.sum.persons += 1;
                if let Some(sc) = region.schools.get_mut(*school) {
                    if roles.contains(&PersonRole::Manager) {
                        sc.manager = p.id;
                    }
                    if roles.contains(&PersonRole::Teacher) {
                        sc.teachers.push(p.id);
                        region.teachers.push((p.id, *school));
                        self.sum.teachers += 1;
                    }
                    if roles.contains(&PersonRole::Mentor) {
                        sc.mentors.push(p.id);
                    }
                } else if roles.contains(&PersonRole::Tutor) {
                    match municipality {
                        Some(m) => region.municipalities[*m].tutors.push(p.id),
                        None => region.cnppm_tutors.push(p.id),
                    }
                }
            }
            commit(unit, s).await?;
            (self.progress)("persons", self.sum.persons);
        }
        Ok(())
    }

    /// The competency framework and one diagnostic campaign of the first year; its results:
    /// every teacher in two competencies, a score under 60 is a deficit.
    async fn diagnostics(&mut self, region: &Region) -> anyhow::Result<Diagnostics> {
        let (store, ctx, y0) = (self.store, &self.ctx, self.y0);
        let comp =
            |node: NodeKind, parent: Option<Uuid>, kind: Option<AreaKind>, code: &str, name: &str| CompetencyInput {
                node: Some(node),
                parent_id: parent,
                area_kind: kind,
                code: Some(code.into()),
                name: Some(name.into()),
                description: None,
            };
        let c = store.competencies.as_ref();
        let mut competencies = Vec::new();
        for (code, kind, name, items) in [
            (
                "СП",
                AreaKind::Methodological,
                "Методические компетенции",
                &["Формирующее оценивание", "Функциональная грамотность"],
            ),
            (
                "ЦК",
                AreaKind::Digital,
                "Цифровые компетенции",
                &["Цифровые образовательные ресурсы", "Дистанционное обучение"],
            ),
        ] {
            let area = create_competency(c, ctx, comp(NodeKind::Area, None, Some(kind), code, name))
                .await
                .map_err(fail("competency area"))?;
            for (k, item) in items.iter().enumerate() {
                let code = format!("{code}-{}", k + 1);
                competencies.push(
                    create_competency(c, ctx, comp(NodeKind::Competency, Some(area.id), None, &code, item))
                        .await
                        .map_err(fail("competency"))?
                        .id,
                );
            }
        }
        let campaign_start = date(y0, 2, 1);
        let campaign_end = self.clamp(date(y0, 4, 30));
        let deps = diagnostics::Deps {
            diagnostics: store.diagnostics.as_ref(),
            competencies: c,
            orgs: store.organizations.as_ref(),
        };
        let campaign = create_campaign(
            deps,
            ctx,
            CampaignInput {
                name: Some(format!("Региональная диагностика профессиональных дефицитов {y0}")),
                instrument: Some(Instrument::RegionalTest),
                period_start: Some(campaign_start),
                period_end: Some(campaign_end),
                organizer_id: Some(region.institute),
                target_group: Some(TargetGroup::Teachers),
                target_description: None,
                scale: Some(ScaleInput {
                    kind: Some("points".into()),
                    max: Some(100.0),
                    threshold: Some(60.0),
                    ..ScaleInput::default()
                }),
                competency_ids: competencies.clone(),
            },
        )
        .await
        .map_err(fail("campaign"))?
        .id;

        let rng = &mut self.rng;
        let mut deficits: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        let span = (campaign_end - campaign_start).num_days().max(0);
        let mut items = Vec::with_capacity(region.teachers.len() * 2);
        for (t, _) in &region.teachers {
            let first = rng.below(competencies.len());
            let second = (first + 1 + rng.below(competencies.len() - 1)) % competencies.len();
            for k in [first, second] {
                let score = rng.between(20, 100) as f64;
                if score < 60.0 {
                    deficits.entry(*t).or_default().push(competencies[k]);
                }
                items.push(ResultInput {
                    person_id: Some(*t),
                    competency_id: Some(competencies[k]),
                    score: Some(score),
                    level: None,
                    assessed_on: Some(campaign_start + Duration::days(rng.between(0, span))),
                });
            }
        }
        for chunk in items.chunks(self.batch) {
            record_results(
                store.diagnostics.as_ref(),
                store.personal_data.as_ref(),
                ctx,
                campaign,
                chunk.to_vec(),
                false,
            )
            .await
            .map_err(fail("results"))?;
            self.sum.diagnostic_results += chunk.len() as u64;
            (self.progress)("diagnostic results", self.sum.diagnostic_results);
        }
        Ok(Diagnostics { competencies, campaign, deficits })
    }

    /// Programmes: some developed by the ЦНППМ, the others by the institute.
    async fn programs(&mut self, region: &Region, competencies: &[Uuid]) -> anyhow::Result<Vec<Uuid>> {
        let store = self.store;
        let deps = programs::Deps {
            programs: store.programs.as_ref(),
            competencies: store.competencies.as_ref(),
            orgs: store.organizations.as_ref(),
        };
        let mut programs = Vec::new();
        for (k, title) in PROGRAMS.iter().enumerate() {
            let developer = if k % 2 == 0 { region.cnppm } else { region.institute };
            let p = create_program(
                deps,
                &self.ctx,
                ProgramInput {
                    title: Some((*title).to_owned()),
                    kind: Some(ProgramKind::QualificationUpgrade),
                    hours: Some([36, 72, 24, 48][k % 4]),
                    form: Some(*self.rng.pick(&[StudyForm::Distance, StudyForm::Blended, StudyForm::InPerson])),
                    developer_id: Some(developer),
                    competency_ids: vec![competencies[k % competencies.len()]],
                    ..ProgramInput::default()
                },
            )
            .await
            .map_err(fail("programme"))?;
            programs.push(p.id);
            self.sum.programs += 1;
        }
        Ok(programs)
    }

    /// Routes: per year about a third of the teachers with a deficit get one, with a ЦНППМ tutor
    /// or their municipal tutor; statuses from draft to completed, a few cancelled.
    async fn routes(&mut self, region: &Region, diagnostics: &Diagnostics, programs: &[Uuid]) -> anyhow::Result<()> {
        let mut routes = self.plan_routes(region, diagnostics, programs);
        for chunk in routes.chunks_mut(self.batch) {
            let (unit, s) = begin(self.store).await?;
            for (input, plan) in chunk.iter_mut() {
                plan.done = input
                    .steps
                    .iter()
                    .enumerate()
                    .filter(|(_, st)| st.status == Some(StepStatus::Done))
                    .map(|(k, _)| k)
                    .collect();
                let mut planned = input.clone();
                for st in &mut planned.steps {
                    st.status = None;
                }
                let r = create_route(deps(&s), &self.ctx, planned).await.map_err(fail("route"))?;
                plan.id = Some(r.id);
                plan.version = r.version;
                self.sum.routes += 1;
            }
            commit(unit, s).await?;
            (self.progress)("routes", self.sum.routes);
        }
        let mut plans: Vec<PlannedRoute> = routes.into_iter().map(|(_, plan)| plan).collect();
        self.advance_routes(&mut plans).await
    }

    /// The drafts of [`Seeder::routes`] with the status each is to reach.
    fn plan_routes(
        &mut self,
        region: &Region,
        diagnostics: &Diagnostics,
        programs: &[Uuid],
    ) -> Vec<(RouteInput, PlannedRoute)> {
        let rng = &mut self.rng;
        let mut routes: Vec<(RouteInput, PlannedRoute)> = Vec::new();
        for &year in &self.opts.years {
            for (t, school) in &region.teachers {
                let Some(open) = diagnostics.deficits.get(t) else { continue };
                if !rng.chance(if year == self.y0 { 35 } else { 30 }) {
                    continue;
                }
                let municipality = &region.municipalities[region.schools[*school].municipality];
                let tutor = if rng.chance(60) || municipality.tutors.is_empty() {
                    *rng.pick(&region.cnppm_tutors)
                } else {
                    *rng.pick(&municipality.tutors)
                };
                let target = match rng.below(100) {
                    0..10 => RouteStatus::Draft,
                    10..20 => RouteStatus::Approved,
                    20..25 => RouteStatus::Cancelled,
                    25..60 => RouteStatus::InProgress,
                    _ => RouteStatus::Completed,
                };
                let n_steps = 1 + rng.below(2);
                let mut steps = Vec::with_capacity(n_steps);
                for k in 0..n_steps {
                    let start = date(year, 2 + rng.between(0, 6) as u32, 1 + rng.between(0, 27) as u32);
                    let end = (start + Duration::days(rng.between(20, 100))).min(date(year, 12, 31));
                    let program = !rng.chance(20);
                    // Steps are done once the route runs, with accepted evidence (see advance_routes).
                    let done = match target {
                        RouteStatus::Completed => true,
                        RouteStatus::InProgress => k == 0,
                        _ => false,
                    };
                    steps.push(StepInput {
                        title: Some(if program {
                            "Курсы повышения квалификации".into()
                        } else {
                            "Самообразование".into()
                        }),
                        competency_ids: vec![*rng.pick(open)],
                        activity: Some(if program { Activity::Program } else { Activity::SelfEducation }),
                        program_id: program.then(|| *rng.pick(programs)),
                        planned_start: Some(start),
                        planned_end: Some(end),
                        expected_result: Some("Применение освоенных приёмов на уроках".into()),
                        reporting_form: Some(if program { ReportingForm::Certificate } else { ReportingForm::Report }),
                        status: Some(if done { StepStatus::Done } else { StepStatus::Planned }),
                        ..StepInput::default()
                    });
                }
                let mut deficit_ids: Vec<Uuid> = steps.iter().flat_map(|s| s.competency_ids.clone()).collect();
                deficit_ids.sort();
                deficit_ids.dedup();
                routes.push((
                    RouteInput {
                        person_id: Some(*t),
                        tutor_id: Some(tutor),
                        period_start: Some(date(year, 1, 1)),
                        period_end: Some(date(year, 12, 31)),
                        diagnostic_ids: vec![diagnostics.campaign],
                        deficit_competency_ids: deficit_ids,
                        steps,
                    },
                    PlannedRoute { id: None, version: 0, target, year, done: Vec::new() },
                ));
            }
        }
        routes
    }

    /// Moves the created drafts through their lifecycle; each phase reads what the previous one
    /// committed.
    async fn advance_routes(&mut self, plans: &mut [PlannedRoute]) -> anyhow::Result<()> {
        let ctx = &self.ctx;
        for phase in [RouteStatus::Approved, RouteStatus::InProgress, RouteStatus::Completed, RouteStatus::Cancelled] {
            let due: Vec<usize> = plans
                .iter()
                .enumerate()
                .filter(|(_, p)| match phase {
                    RouteStatus::Approved => p.target != RouteStatus::Draft,
                    RouteStatus::InProgress => matches!(p.target, RouteStatus::InProgress | RouteStatus::Completed),
                    RouteStatus::Completed => p.target == RouteStatus::Completed,
                    _ => p.target == RouteStatus::Cancelled,
                })
                .map(|(i, _)| i)
                .collect();
            for chunk in due.chunks(self.batch) {
                let (unit, s) = begin(self.store).await?;
                let mut started = Vec::new();
                for &i in chunk {
                    let plan = &mut plans[i];
                    let id = plan.id.context("route not created")?;
                    let d = deps(&s);
                    let r = match phase {
                        RouteStatus::Approved => approve_route(d, ctx, id, plan.version).await,
                        RouteStatus::InProgress => start_route(d, ctx, id, plan.version).await,
                        RouteStatus::Completed => {
                            let input = CompleteInput {
                                transfer: vec![TransferInput {
                                    form: Some(PracticeForm::MasterClass),
                                    held_on: Some(date(plan.year, 12, 15)),
                                    description: Some("Мастер-класс для коллег школы".into()),
                                }],
                                ..CompleteInput::default()
                            };
                            complete_route(d, ctx, id, plan.version, input).await
                        }
                        _ => cancel_route(d, ctx, id, plan.version).await,
                    }
                    .map_err(fail("route lifecycle"))?;
                    plan.version = r.version;
                    if phase == RouteStatus::InProgress && !plan.done.is_empty() {
                        started.push((i, r));
                    }
                }
                commit(unit, s).await?;
                // Each step's evidence, its review and the step done read what the one before
                // committed, so they run outside a unit.
                for (i, r) in started {
                    let done = plans[i].done.clone();
                    plans[i].version = finish_steps(deps(self.store), ctx, &r, &done).await?;
                }
            }
        }
        Ok(())
    }

    /// Events: regional ones by the region, the institute and the ЦНППМ every year (and one
    /// announced for the year after, which no year counts), municipal ones by the authorities.
    async fn events(&mut self, region: &Region) -> anyhow::Result<()> {
        let (store, rng) = (self.store, &mut self.rng);
        let event = |title: String, kind: EventKind, level: EventLevel, on: NaiveDate, organizer: Uuid| OfferingInput {
            title: Some(title),
            kind: Some(kind),
            level: Some(level),
            starts_on: Some(on),
            organization_id: Some(organizer),
            participants: Some(40),
            ..OfferingInput::default()
        };
        let mut events = Vec::new();
        for &year in &self.opts.years {
            for _ in 0..rng.between(4, 8) {
                let organizer = *rng.pick(&[region.region, region.institute, region.cnppm]);
                let kind =
                    *rng.pick(&[EventKind::Conference, EventKind::Seminar, EventKind::Webinar, EventKind::MasterClass]);
                let on = date(year, rng.between(1, 12) as u32, rng.between(1, 28) as u32);
                events.push(event(
                    format!("Региональный методический семинар {year}"),
                    kind,
                    EventLevel::Regional,
                    on,
                    organizer,
                ));
            }
            for m in &region.municipalities {
                for _ in 0..rng.between(0, 2) {
                    let on = date(year, rng.between(1, 12) as u32, rng.between(1, 28) as u32);
                    let e = event(
                        format!("Августовское совещание {year}"),
                        EventKind::Seminar,
                        EventLevel::Municipal,
                        on,
                        m.authority,
                    );
                    events.push(e);
                }
            }
        }
        events.push(event(
            format!("Региональная конференция {}", self.last + 1),
            EventKind::Conference,
            EventLevel::Regional,
            date(self.last + 1, 3, 1),
            region.institute,
        ));
        let deps = events::Deps {
            offerings: store.offerings.as_ref(),
            competencies: store.competencies.as_ref(),
            orgs: store.organizations.as_ref(),
        };
        for e in events {
            create_offering(deps, &self.ctx, OfferingKind::Event, e).await.map_err(fail("event"))?;
            self.sum.events += 1;
        }
        Ok(())
    }

    /// Mentoring pairs: a school's mentor with one of its teachers; sometimes the school's manager
    /// with a mentor of another school of the municipality.
    async fn mentoring_pairs(&mut self, region: &Region) -> anyhow::Result<()> {
        let rng = &mut self.rng;
        let schools = &region.schools;
        let mut pairs = Vec::new();
        for &year in &self.opts.years {
            for (k, school) in schools.iter().enumerate() {
                let start = date(year, rng.between(1, 11) as u32, 1);
                let end = (!rng.chance(30)).then(|| date(year, 12, 31).min(start + Duration::days(270)));
                if !school.mentors.is_empty() && school.teachers.len() > 1 && rng.chance(40) {
                    let mentor = *rng.pick(&school.mentors);
                    let mentee = *rng.pick(&school.teachers);
                    if mentee != mentor {
                        pairs.push(MentoringInput {
                            mentor_id: Some(mentor),
                            mentee_id: Some(mentee),
                            form: Some(MentoringForm::MentorYoungSpecialist),
                            period_start: Some(start),
                            period_end: end,
                            organization_id: Some(school.id),
                            competency_ids: vec![],
                        });
                    }
                }
                // About one school in five a year, and every fourth school from the first year on.
                if rng.chance(15) || (year == self.y0 && k % 4 == 0) {
                    let others: Vec<Uuid> = schools
                        .iter()
                        .enumerate()
                        .filter(|(j, o)| *j != k && o.municipality == school.municipality)
                        .flat_map(|(_, o)| o.mentors.clone())
                        .collect();
                    if !others.is_empty() {
                        pairs.push(MentoringInput {
                            mentor_id: Some(*rng.pick(&others)),
                            mentee_id: Some(school.manager),
                            form: Some(MentoringForm::Peer),
                            period_start: Some(start),
                            period_end: end,
                            organization_id: Some(school.id),
                            competency_ids: vec![],
                        });
                    }
                }
            }
        }
        for chunk in pairs.chunks(self.batch) {
            let (unit, s) = begin(self.store).await?;
            let deps = mentoring::Deps {
                mentoring: s.mentoring.as_ref(),
                persons: s.persons.as_ref(),
                orgs: s.organizations.as_ref(),
                competencies: s.competencies.as_ref(),
            };
            for p in chunk {
                create_mentoring_pair(deps, &self.ctx, p.clone()).await.map_err(fail("mentoring pair"))?;
                self.sum.mentoring_pairs += 1;
            }
            commit(unit, s).await?;
            (self.progress)("mentoring pairs", self.sum.mentoring_pairs);
        }
        Ok(())
    }

    /// Agreements: one signed tripartite agreement per municipality over the years, with yearly
    /// targets of the six monitored items, and actual values reported for some years.
    async fn agreements(&mut self, region: &Region) -> anyhow::Result<()> {
        let keys: [(&str, u32, &str, &str); 6] = [
            (
                "result",
                1,
                "percent",
                "Доля педагогических работников, для которых в ЦНППМ были разработаны ИОМ, нарастающим итогом",
            ),
            (
                "indicator",
                1,
                "percent",
                "Доля педагогических работников, прошедших повышение квалификации, нарастающим итогом",
            ),
            (
                "result",
                2,
                "percent",
                "Доля педагогических работников, прошедших повышение квалификации в ЦНППМ, нарастающим итогом",
            ),
            ("result", 4, "units", "Количество проведённых мероприятий регионального уровня, нарастающим итогом"),
            ("result", 6, "percent", "Доля школ, реализующих целевую модель наставничества, нарастающим итогом"),
            (
                "result",
                7,
                "percent",
                "Доля школ, управленческие команды которых вовлечены в менторство, нарастающим итогом",
            ),
        ];
        let signatory = |rng: &mut Rng, position: &str| {
            let (s, f, p) = person_name(rng);
            serde_json::json!({"name": format!("{s} {f} {p}"), "position": position, "acting_basis": "на основании Устава"})
        };
        let (store, opts, y0, last) = (self.store, self.opts, self.y0, self.last);
        for (i, m) in region.municipalities.iter().enumerate() {
            let indicators: Vec<IndicatorSpec> = keys
                .iter()
                .map(|(kind, number, unit, name)| {
                    let targets: Vec<serde_json::Value> = opts
                        .years
                        .iter()
                        .enumerate()
                        .map(|(k, y)| serde_json::json!({"year": y, "value": 10 * (k + 1) + self.rng.below(10)}))
                        .collect();
                    serde_json::from_value(
                        serde_json::json!({"kind": kind, "number": number, "name": name, "unit": unit,
                        "accumulation": "cumulative", "numerator": null, "denominator": null, "targets": targets}),
                    )
                })
                .collect::<Result<_, _>>()?;
            let parties: Parties = serde_json::from_value(serde_json::json!({
                "regional_authority": {"organization_id": region.region, "designation": "Министерство", "signatory": signatory(&mut self.rng, "министр")},
                "regional_institute": {"organization_id": region.institute, "designation": "Институт", "signatory": signatory(&mut self.rng, "ректор")},
                "municipal_authority": {"organization_id": m.authority, "designation": "Управление", "signatory": signatory(&mut self.rng, "начальник управления образования")},
            }))?;
            let clause: Clause = serde_json::from_value(
                serde_json::json!({"number": "1.1", "kind": "general", "party": null,
                "text": "Предметом настоящего Соглашения является организация взаимодействия Сторон по функционированию РСНМС.",
                "indicators": []}),
            )?;
            let signed = date(y0, 1, 20);
            let a = rsnms_domain::agreements::create_agreement(
                store.agreements.as_ref(),
                store.organizations.as_ref(),
                &self.ctx,
                AgreementInput {
                    number: Some(format!("{}-РСНМС", i + 1)),
                    title: Some(
                        "Соглашение о функционировании региональной системы научно-методического сопровождения".into(),
                    ),
                    signed_on: Some(signed),
                    subject: Some("Организация взаимодействия Сторон по достижению показателей РСНМС".into()),
                    valid_from: Some(signed),
                    valid_until: Some(date(last, 12, 31)),
                    status: Some(Lifecycle::Signed),
                    parties: Some(parties),
                    clauses: vec![clause],
                    indicators,
                    ..AgreementInput::default()
                },
            )
            .await
            .map_err(fail("agreement"))?;
            self.sum.agreements += 1;
            for &year in &opts.years {
                if year != y0 && self.rng.chance(50) {
                    continue;
                }
                for ind in &a.document.indicators {
                    let value = ind.spec.target(year).unwrap_or(0.0) + self.rng.between(-5, 5) as f64;
                    rsnms_domain::agreements::report_indicator_value(
                        store.agreements.as_ref(),
                        &self.ctx,
                        a.id,
                        ind.id,
                        IndicatorValueInput {
                            year,
                            quarter: None,
                            value: value.max(0.0),
                            source: "отчёт муниципалитета".into(),
                            comment: None,
                        },
                    )
                    .await
                    .map_err(fail("indicator value"))?;
                    self.sum.indicator_values += 1;
                }
            }
        }
        Ok(())
    }

    /// Network requests of the last year from the institute and the ЦНППМ to schools and
    /// authorities: received; about half answered, the others left overdue.
    async fn network_requests(&mut self, region: &Region) -> anyhow::Result<()> {
        let store = self.store;
        let deps = network_requests::Deps {
            requests: store.network_requests.as_ref(),
            orgs: store.organizations.as_ref(),
            policies: store.deadline_policies.as_ref(),
            calendars: store.calendars.as_ref(),
        };
        for (i, m) in region.municipalities.iter().enumerate() {
            let here: Vec<Uuid> = region.schools.iter().filter(|s| s.municipality == i).map(|s| s.id).collect();
            for _ in 0..self.rng.between(1, 3) {
                let addressee = if self.rng.chance(30) { m.authority } else { *self.rng.pick(&here) };
                let sender = *self.rng.pick(&[region.institute, region.cnppm]);
                let sent = date(self.last, self.rng.between(2, 11) as u32, self.rng.between(1, 28) as u32);
                let sent = self.clamp(sent);
                let (surname, first, patronymic) = person_name(&mut self.rng);
                let r = create_network_request(
                    deps,
                    &self.ctx,
                    NetworkRequestInput {
                        sender_organization_id: Some(sender),
                        addressee_organization_id: Some(addressee),
                        reply_contact: Some("metod@example.ru".into()),
                        author: AuthorInput {
                            surname: Some(surname),
                            first_name: Some(first),
                            patronymic: Some(patronymic),
                            position: Some("методист".into()),
                            phone: None,
                            email: Some("metod@example.ru".into()),
                        },
                        subject: Some("О предоставлении сведений о повышении квалификации педагогов".into()),
                        body: Some("Просим предоставить сведения.".into()),
                        ..NetworkRequestInput::default()
                    },
                )
                .await
                .map_err(fail("network request"))?;
                let r = send_request(deps, &self.ctx, r.id, r.version, Some(sent)).await.map_err(fail("send"))?;
                let received = sent + Duration::days(self.rng.between(0, 2));
                let received = self.clamp(received);
                let r = receive_request(
                    deps,
                    &self.ctx,
                    r.id,
                    r.version,
                    ReceiveInput {
                        incoming_number: Some(format!("вх-{}", self.rng.between(1, 999))),
                        received_on: Some(received),
                        ..ReceiveInput::default()
                    },
                )
                .await
                .map_err(fail("receive"))?;
                if self.rng.chance(50) {
                    reply_to_request(
                        deps,
                        &self.ctx,
                        r.id,
                        r.version,
                        ReplyInput {
                            text: Some("Сведения направляем.".into()),
                            responder_name: Some("Директор школы".into()),
                            responder_position: Some("директор".into()),
                            replied_on: Some(self.clamp(received + Duration::days(3))),
                            attachments: vec![],
                        },
                    )
                    .await
                    .map_err(fail("reply"))?;
                }
                self.sum.network_requests += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rsnms_domain::values::Snils;

    use super::*;

    #[test]
    fn generated_snils_pass_the_domain_checksum_and_the_generator_repeats_itself() {
        for n in [100_000_000_u64, 112_233_445, 999_999_999, 123_456_789] {
            assert!(Snils::parse("snils", &snils(n)).is_ok(), "{}", snils(n));
        }
        let (mut a, mut b) = (Rng(7), Rng(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng(8).next(), xs[0]);
    }
}

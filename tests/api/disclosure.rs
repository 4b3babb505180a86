//! Disclosure control: differencing attacks on the aggregates recover no small group. Each test
//! publishes figures the way an attacker would collect them and does the attacker's arithmetic.

use std::collections::BTreeMap;

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::diagnostics::{Framework, framework, record, teacher};

/// The default `RSNMS_MIN_GROUP_SIZE`.
const MIN: u64 = 5;

/// The region of the seed plus a second school in A and a third municipality C with one school.
struct Map {
    r: Region,
    school_a2: Value,
    school_c: Value,
}

async fn map(app: &TestApp) -> Map {
    let r = app.seed_region().await;
    let school_a2 = app
        .create_org(
            json!({"name": "МБОУ «Бичурская СОШ № 2»", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .await;
    let mun_c = app.create_org(json!({"name": "РУО Кяхтинского района", "kind": "municipal_authority", "parent_id": r.region["id"], "municipality_code": "81630000", "municipality_name": "Кяхтинский район"})).await;
    let school_c = app
        .create_org(
            json!({"name": "МБОУ «Кяхтинская СОШ»", "kind": "educational_organization", "parent_id": mun_c["id"]}),
        )
        .await;
    Map { r, school_a2, school_c }
}

/// `n` teachers of `org` with an ИКТ result on `day` (a deficit for every second one).
async fn assessed(app: &TestApp, f: &Framework, org: &Value, n: usize, day: &str) {
    let mut items = Vec::new();
    for i in 0..n {
        let p = teacher(app, org, &format!("Учитель{i}")).await;
        items.push(json!({"person_id": p, "competency_id": f.ict, "score": if i % 2 == 0 { 40 } else { 90 }, "assessed_on": day}));
    }
    record(app, &f.campaign, Value::Array(items)).await;
}

/// The ИКТ cells of an analytics answer: group key → persons assessed (`None`: withheld).
async fn analytics(app: &TestApp, token: &str, query: &str) -> BTreeMap<String, Option<u64>> {
    cells_of(app, token, query, "Ц-1").await
}

/// The cells of one competency of an analytics answer.
async fn cells_of(app: &TestApp, token: &str, query: &str, code: &str) -> BTreeMap<String, Option<u64>> {
    let res = app.get(&format!("/api/v1/diagnostics/analytics?{query}"), token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["competency_code"] == code)
        .map(|c| {
            assert_eq!(c["suppressed"].as_bool(), Some(c["assessed"].is_null()), "{c}");
            (c["group_key"].as_str().unwrap_or("").to_owned(), c["assessed"].as_u64())
        })
        .collect()
}

/// What an attacker learns from a published total and its parts: with exactly one part
/// withheld, that part exactly; with more, their sum. Fails when that is an exact small group.
fn attack(total: Option<u64>, parts: &[Option<u64>], what: &str) {
    let Some(total) = total else { return };
    let withheld = parts.iter().filter(|p| p.is_none()).count();
    let residual = total - parts.iter().flatten().sum::<u64>();
    assert!(withheld != 1, "{what}: one part withheld, recovered exactly as {residual}");
    assert!(withheld == 0 || residual >= MIN, "{what}: the withheld parts add up to a small group of {residual}");
}

#[tokio::test]
async fn a_municipality_minus_its_other_schools_recovers_no_small_school() {
    let app = spawn_app().await;
    let m = map(&app).await;
    let f = framework(&app, &m.r).await;
    assessed(&app, &f, &m.r.school_a, 2, "2025-10-01").await;
    assessed(&app, &f, &m.school_a2, 9, "2025-10-01").await;
    assessed(&app, &f, &m.r.school_b, 8, "2025-10-01").await;
    assessed(&app, &f, &m.school_c, 6, "2025-10-01").await;
    let analyst = app.token(Role::Analyst, None, None);
    let munis = analytics(&app, &analyst, "group_by=municipality").await;
    let orgs = analytics(&app, &analyst, "group_by=organization").await;
    let (a1, a2) = (orgs[&id(&m.r.school_a)], orgs[&id(&m.school_a2)]);
    assert_eq!(a1, None, "two persons: withheld");
    attack(munis["81606000"], &[a1, a2], "Бичурский район − its other school");
    // The municipality's own account sees the same figures.
    let mun_a = app.token(Role::Municipal, Some(&m.r.mun_a), None);
    let own = analytics(&app, &mun_a, "group_by=organization").await;
    assert_eq!((own[&id(&m.r.school_a)], own[&id(&m.school_a2)]), (a1, a2), "the same figure set for every caller");
    attack(analytics(&app, &mun_a, "group_by=municipality").await["81606000"], &[a1, a2], "its own total − a school");
    // A municipality's total is never the sum of its published schools plus one small one.
    for (muni, schools) in [("81625000", vec![id(&m.r.school_b)]), ("81630000", vec![id(&m.school_c)])] {
        attack(munis[muni], &schools.iter().map(|s| orgs[s]).collect::<Vec<_>>(), muni);
    }
}

#[tokio::test]
async fn the_region_minus_its_other_municipalities_recovers_no_small_municipality() {
    let app = spawn_app().await;
    let m = map(&app).await;
    let f = framework(&app, &m.r).await;
    assessed(&app, &f, &m.r.school_a, 11, "2025-10-01").await;
    assessed(&app, &f, &m.r.school_b, 8, "2025-10-01").await;
    assessed(&app, &f, &m.school_c, 2, "2025-10-01").await;
    let res =
        app.get("/api/v1/exports/federal/diagnostics?period_from=2025-01-01&period_to=2025-12-31", &app.admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let cells: BTreeMap<String, Option<u64>> = res.body["campaigns"][0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["competency"]["code"] == "Ц-1")
        .map(|c| (c["municipality_code"].as_str().unwrap_or("").to_owned(), c["participants"].as_u64()))
        .collect();
    assert_eq!(cells["81630000"], None, "two persons: withheld");
    let parts: Vec<Option<u64>> = ["81606000", "81625000", "81630000"].iter().map(|k| cells[*k]).collect();
    attack(cells[""], &parts, "the region − its other municipalities (federal export)");
    // The same with the analytics' municipalities against the export's whole territory.
    let analyst = app.token(Role::Analyst, None, None);
    let munis = analytics(&app, &analyst, "period_from=2025-01-01&period_to=2025-12-31").await;
    let parts: Vec<Option<u64>> = ["81606000", "81625000", "81630000"].iter().map(|k| munis[*k]).collect();
    attack(cells[""], &parts, "the export's region − the analytics' municipalities");
    // Two filters: the territory filter gives the same figure as the unfiltered row.
    for code in ["81606000", "81625000", "81630000"] {
        let one = app.get(&format!("/api/v1/exports/federal/diagnostics?municipality_code={code}&period_from=2025-01-01&period_to=2025-12-31"), &app.admin).await;
        let whole = one.body["campaigns"][0]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["competency"]["code"] == "Ц-1" && c["municipality_code"].is_null())
            .map(|c| c["participants"].as_u64());
        assert_eq!(whole.unwrap_or(None), cells[code], "{code}: filtered whole = unfiltered row");
    }
}

#[tokio::test]
async fn consecutive_quarters_recover_no_small_group() {
    let app = spawn_app().await;
    let m = map(&app).await;
    let f = framework(&app, &m.r).await;
    // 10 in the third quarter, one more in the fourth: Q3..Q4 − Q3 would be that one.
    assessed(&app, &f, &m.r.school_a, 10, "2025-09-15").await;
    assessed(&app, &f, &m.school_a2, 1, "2025-10-15").await;
    let analyst = app.token(Role::Analyst, None, None);
    let periods = [
        "period_from=2025-07-01&period_to=2025-09-30",
        "period_from=2025-10-01&period_to=2025-12-31",
        "period_from=2025-07-01&period_to=2025-12-31",
        "period_from=2025-01-01&period_to=2025-12-31",
        "period_from=2025-07-01",
        "period_to=2025-09-30",
        "",
    ];
    let mut published = Vec::new();
    for p in periods {
        if let Some(Some(n)) = analytics(&app, &analyst, p).await.get("81606000") {
            published.push((p, *n));
        }
    }
    for (p, n) in &published {
        for (q, k) in &published {
            let d = n.abs_diff(*k);
            assert!(d == 0 || d >= MIN, "[{p}] − [{q}] = {d}: a small group recovered");
        }
    }
    assert!(published.iter().all(|(_, n)| *n != 10), "10 and 11 are never both published: {published:?}");
    // Periods that differ by a group of at least the minimum are published: 10 in Q3, 6 more in
    // Q4 (another competency, one school).
    let mut items = Vec::new();
    for (i, day) in ["2025-09-15"; 10].into_iter().chain(["2025-10-15"; 6]).enumerate() {
        let p = teacher(&app, &m.r.school_b, &format!("Оценщик{i}")).await;
        items.push(json!({"person_id": p, "competency_id": f.assessment, "score": 40, "assessed_on": day}));
    }
    record(&app, &f.campaign, Value::Array(items)).await;
    let q3 = cells_of(&app, &analyst, periods[0], "М-1").await;
    let both = cells_of(&app, &analyst, periods[2], "М-1").await;
    assert_eq!((q3["81625000"], both["81625000"]), (Some(10), Some(16)));
    app.get("/api/v1/diagnostics/analytics?period_from=2025-08-01", &analyst).await.assert_problem(422);
    let bad = app.get("/api/v1/diagnostics/analytics?period_to=2025-10-31", &analyst).await;
    assert_eq!(bad.error_fields(), vec!["period_to"]);
}

#[tokio::test]
async fn a_teacher_is_not_told_which_colleague_shows_a_competency() {
    let app = spawn_app().await;
    let m = map(&app).await;
    let f = framework(&app, &m.r).await;
    let me = teacher(&app, &m.r.school_a, "Ученица").await;
    let colleague = id(&app
        .create_person(json!({"surname": "Коллегина", "first_name": "Вера", "organization_id": m.r.school_a["id"], "roles": ["mentor", "teacher"]}))
        .await);
    record(
        &app,
        &f.campaign,
        json!([
            {"person_id": me, "competency_id": f.ict, "score": 30, "assessed_on": "2025-10-01"},
            {"person_id": colleague, "competency_id": f.ict, "score": 95, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    let url = format!("/api/v1/routes/suggestions?person_id={me}");
    let mentors = |r: &Value| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["kind"] == "mentor")
            .map(|x| x["title"].clone())
            .collect::<Vec<_>>()
    };
    let admin = app.get(&url, &app.admin).await;
    assert_eq!(admin.status, 200, "{}", admin.text);
    assert_eq!(mentors(&admin.body).len(), 1, "who may read her results sees the mentor");
    let own = app.get(&url, &app.token(Role::Teacher, Some(&m.r.school_a), Some(&me))).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert!(mentors(&own.body).is_empty(), "a teacher never learns a colleague's results: {}", own.text);
    assert!(!own.text.contains("Коллегина"));
}

/// `teachers_with_cnppm_route` (a share of teachers) in a list of indicators: its population.
fn teachers(items: &Value) -> Option<u64> {
    let i = items.as_array().unwrap().iter().find(|i| i["code"] == "teachers_with_cnppm_route").unwrap();
    assert_eq!(i["suppressed"].as_bool(), Some(i["denominator"].is_null()), "{i}");
    i["denominator"].as_u64()
}

#[tokio::test]
async fn the_monitoring_report_minus_its_other_municipalities_or_schools_recovers_no_small_group() {
    let app = spawn_app().await;
    let m = map(&app).await;
    for (org, n) in [(&m.r.school_a, 8), (&m.school_a2, 1), (&m.r.school_b, 7), (&m.school_c, 2)] {
        for i in 0..n {
            teacher(&app, org, &format!("Учитель{i}")).await;
        }
    }
    let analyst = app.token(Role::Analyst, None, None);
    let report = app.get("/api/v1/monitoring/report?year=2025", &analyst).await;
    assert_eq!(report.status, 200, "{}", report.text);
    let total = teachers(&report.body["total"]);
    assert_eq!(total, Some(18));
    let munis: BTreeMap<String, Option<u64>> = report.body["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["municipality_code"].as_str().unwrap().to_owned(), teachers(&x["indicators"])))
        .collect();
    assert_eq!(munis["81630000"], None, "two teachers: withheld");
    assert_eq!(munis["81606000"], Some(9));
    attack(total, &munis.values().copied().collect::<Vec<_>>(), "the region − its other municipalities (report)");
    // A school against its municipality: the larger school would leave the one-teacher school.
    let mut schools = Vec::new();
    for s in [&m.r.school_a, &m.school_a2] {
        let one =
            app.get(&format!("/api/v1/monitoring/indicators?year=2025&organization_id={}", id(s)), &analyst).await;
        assert_eq!(one.status, 200, "{}", one.text);
        schools.push(teachers(&one.body["items"]));
    }
    attack(munis["81606000"], &schools, "Бичурский район − one of its schools (indicators)");
    // The municipality's own account reads the same figure for itself.
    let mun_b = app.token(Role::Municipal, Some(&m.r.mun_b), None);
    let own = app.get("/api/v1/monitoring/indicators?year=2025", &mun_b).await;
    assert_eq!(teachers(&own.body["items"]), munis["81625000"], "the same figure set for every caller");
}

#[tokio::test]
async fn routes_by_status_minus_a_municipalitys_other_statuses_recover_no_small_group() {
    let app = spawn_app().await;
    let w = crate::monitoring::world(&app).await;
    let analyst = app.token(Role::Analyst, None, None);
    let report = app.get("/api/v1/monitoring/report?year=2023", &analyst).await;
    assert_eq!(report.status, 200, "{}", report.text);
    let mut cells = 0;
    for m in report.body["municipalities"].as_array().unwrap() {
        let by_status: BTreeMap<String, Option<u64>> = serde_json::from_value(m["routes_by_status"].clone()).unwrap();
        cells += by_status.len();
        for (status, n) in &by_status {
            assert!(n.is_none_or(|n| n >= MIN), "{status}: a published small group of {n:?} routes");
        }
        // A municipality's routes are the sum of its statuses: a single withheld status among
        // several would be its total minus the others (a single status is the total itself).
        let withheld = by_status.values().filter(|n| n.is_none()).count();
        assert!(
            withheld != 1 || by_status.len() == 1,
            "one withheld status in {}: {by_status:?}",
            m["municipality_code"]
        );
    }
    assert!(cells > 0, "the world has routes");
    // A school's own account sees no routes another account could difference against.
    let school = app.token(Role::Organization, Some(&w.r.school_a), None);
    let own = app.get("/api/v1/monitoring/report?year=2023", &school).await;
    assert_eq!(own.status, 200, "{}", own.text);
    for mine in own.body["municipalities"].as_array().unwrap() {
        let code = &mine["municipality_code"];
        let region = report.body["municipalities"].as_array().unwrap().iter().find(|m| m["municipality_code"] == *code);
        assert_eq!(mine["routes_by_status"], region.unwrap()["routes_by_status"], "the same figure set for {code}");
    }
    // The HTML report prints the same decisions.
    let page =
        app.send("GET", "/api/v1/monitoring/report?year=2023", Some(&analyst), None, &[("accept", "text/html")]).await;
    assert!(page.text.contains("approved: —"), "{}", page.text);
}

#[tokio::test]
async fn consecutive_years_of_a_cumulative_count_of_teachers_never_differ_by_a_small_group() {
    let app = spawn_app().await;
    let w = crate::monitoring::world(&app).await;
    // Five more teachers complete a programme in 2021: 5 in 2021, 7 by 2022 (t1, t3), 8 by 2023 (t7).
    for i in [4, 5, 7, 8, 9] {
        crate::monitoring::route(&app, &w.f, &w.t[i], &w.tutor_c, 2021, &w.prog_o, true, true).await;
    }
    let def = json!({"code": "teachers_completed_count", "name": "Число педагогов, прошедших повышение квалификации, нарастающим итогом",
        "numerator": "teachers_completed_programme", "accumulation": "cumulative", "unit": "people",
        "source": "Приказ министерства № 1234 от 01.02.2024, п. 5"});
    let created = app.post("/api/v1/monitoring/definitions", &app.admin, &def).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let analyst = app.token(Role::Analyst, None, None);
    let mut by_year = BTreeMap::new();
    for year in 2020..=2025 {
        let r = app.get(&format!("/api/v1/monitoring/indicators?year={year}"), &analyst).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let row = r.body["items"].as_array().unwrap().iter().find(|i| i["code"] == "teachers_completed_count").cloned();
        let row = row.unwrap();
        assert_eq!(row["suppressed"].as_bool(), Some(row["value"].is_null()), "{year}: {row}");
        by_year.insert(year, row["numerator"].as_u64());
    }
    assert_eq!(by_year[&2020], Some(0), "nobody before 2021: a plain zero");
    assert_eq!(by_year[&2023], None, "8 by 2023, one more than by 2022: withheld although not small");
    // The attacker's arithmetic: any two published years.
    let published: Vec<(i32, u64)> = by_year.iter().filter_map(|(y, n)| n.map(|n| (*y, n))).collect();
    for (y1, a) in &published {
        for (y2, b) in &published {
            let d = a.abs_diff(*b);
            assert!(d == 0 || d >= MIN, "{y2} − {y1} = {d} teachers: {by_year:?}");
        }
    }
    // Each municipality's figures obey the same rule.
    let ms = app.get("/api/v1/monitoring/report?year=2022", &analyst).await;
    assert_eq!(ms.status, 200, "{}", ms.text);
    for m in ms.body["municipalities"].as_array().unwrap() {
        let row = m["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "teachers_completed_count").unwrap();
        assert!(
            row["numerator"].is_null(),
            "{}: a municipality grew by fewer than {MIN} around 2022: {row}",
            m["municipality_code"]
        );
    }
}

//! Monitoring: indicators computed from the system's own data, checked against hand counts of
//! a small region seeded through the API over two years.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::diagnostics::{Framework, framework, record};

const FIXTURE: &str = include_str!("../fixtures/buryatia-535.json");

async fn person(app: &TestApp, org: &Value, surname: &str, roles: &[&str]) -> String {
    id(&app
        .create_person(json!({"surname": surname, "first_name": "Анна", "organization_id": org["id"], "roles": roles}))
        .await)
}

async fn program(app: &TestApp, developer: &Value, f: &Framework) -> String {
    let r = app
        .post(
            "/api/v1/programs",
            &app.admin,
            &json!({"title": "Курс", "kind": "qualification_upgrade", "hours": 36, "form": "distance",
                    "developer_id": developer["id"], "competency_ids": [f.ict]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    id(&r.body)
}

async fn post_action(app: &TestApp, route: &str, name: &str, etag: &str) -> rsnms_tests::Reply {
    let r = app
        .send("POST", &format!("/api/v1/routes/{route}/{name}"), Some(&app.admin), None, &[("if-match", etag)])
        .await;
    assert_eq!(r.status, 200, "{name}: {}", r.text);
    r
}

/// A route of a year with one programme step; `approve` approves it, `done` also starts it and
/// marks the step done.
#[expect(
    clippy::too_many_arguments,
    reason = "a route is described by its year, people, programme and how far it went; a test reads better with them in one call"
)]
pub(crate) async fn route(
    app: &TestApp,
    f: &Framework,
    t: &str,
    tutor: &str,
    year: i32,
    prog: &str,
    approve: bool,
    done: bool,
) {
    let step = json!({"title": "Курс ПК", "competency_ids": [f.ict], "activity": "program", "program_id": prog,
        "planned_start": format!("{year}-02-01"), "planned_end": format!("{year}-06-01"),
        "expected_result": "Открытый урок", "reporting_form": "certificate"});
    let body = json!({"person_id": t, "tutor_id": tutor, "period_start": format!("{year}-01-01"),
        "period_end": format!("{year}-12-31"), "diagnostic_ids": [f.campaign["id"]],
        "deficit_competency_ids": [f.ict], "steps": [step]});
    let created = app.post("/api/v1/routes", &app.admin, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let rid = id(&created.body);
    if !approve {
        return;
    }
    let approved = post_action(app, &rid, "approve", &created.etag()).await;
    if !done {
        return;
    }
    let started = post_action(app, &rid, "start", &approved.etag()).await;
    // A done step needs accepted evidence.
    let step = started.body["steps"][0]["id"].as_str().unwrap();
    let ev = app
        .post(
            &format!("/api/v1/routes/{rid}/steps/{step}/evidence"),
            &app.admin,
            &json!({"kind": "certificate", "description": "Удостоверение"}),
        )
        .await;
    assert_eq!(ev.status, 201, "{}", ev.text);
    let review = app
        .post(
            &format!("/api/v1/routes/{rid}/evidence/{}/review", id(&ev.body)),
            &app.admin,
            &json!({"decision": "accepted"}),
        )
        .await;
    assert_eq!(review.status, 200, "{}", review.text);
    let mut steps = started.body["steps"].clone();
    steps[0]["status"] = json!("done");
    let r = app.patch(&format!("/api/v1/routes/{rid}"), &app.admin, &started.etag(), &json!({"steps": steps})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn event(app: &TestApp, organizer: &Value, level: &str, held_on: &str) {
    let r = app
        .post(
            "/api/v1/events",
            &app.admin,
            &json!({"title": "Семинар", "kind": "seminar", "level": level,
            "held_on": held_on, "organizer_id": organizer["id"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn pair(app: &TestApp, school: &Value, mentor: &str, mentee: &str, start: &str) {
    let r = app
        .post(
            "/api/v1/mentoring-pairs",
            &app.admin,
            &json!({"mentor_id": mentor, "mentee_id": mentee, "form": "peer",
            "period_start": start, "organization_id": school["id"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

pub(crate) struct World {
    pub(crate) r: Region,
    pub(crate) school_a2: Value,
    /// The diagnostics framework, the teachers t1–t11, the ЦНППМ tutor and the region's programme.
    pub(crate) f: Framework,
    pub(crate) t: Vec<String>,
    pub(crate) tutor_c: String,
    pub(crate) prog_o: String,
}

/// Municipality A: school A (teachers t1–t4, a manager, a mentor) and school A2 (t5, t6);
/// municipality B: school B (t7–t11, a manager, a mentor). A ЦНППМ with a tutor, the region
/// with another tutor. Routes, events and pairs over 2022 and 2023 (hand counts in the tests).
pub(crate) async fn world(app: &TestApp) -> World {
    let r = app.seed_region().await;
    let school_a2 = app
        .create_org(
            json!({"name": "МБОУ «Бичурская СОШ № 2»", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .await;
    let cnppm = app
        .create_org(json!({"name": "ЦНППМ Республики Бурятия", "kind": "cnppm", "region_code": "03", "parent_id": r.region["id"]}))
        .await;
    let f = framework(app, &r).await;
    let mut t = Vec::new();
    for i in 1..=4 {
        t.push(person(app, &r.school_a, &format!("Учитель{i}"), &["teacher"]).await);
    }
    for i in 5..=6 {
        t.push(person(app, &school_a2, &format!("Учитель{i}"), &["teacher"]).await);
    }
    for i in 7..=11 {
        t.push(person(app, &r.school_b, &format!("Учитель{i}"), &["teacher"]).await);
    }
    let results: Vec<Value> = t
        .iter()
        .map(|p| json!({"person_id": p, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}))
        .collect();
    record(app, &f.campaign, Value::Array(results)).await;
    let tutor_c = person(app, &cnppm, "Тьютор ЦНППМ", &["tutor"]).await;
    let tutor_o = person(app, &r.region, "Тьютор региона", &["tutor"]).await;
    let prog_c = program(app, &cnppm, &f).await;
    let prog_o = program(app, &r.region, &f).await;

    // t1: ЦНППМ routes in 2022 (ЦНППМ programme done) and 2023 (other programme done).
    route(app, &f, &t[0], &tutor_c, 2022, &prog_c, true, true).await;
    route(app, &f, &t[0], &tutor_c, 2023, &prog_o, true, true).await;
    // t2: ЦНППМ route approved in 2023, nothing done.
    route(app, &f, &t[1], &tutor_c, 2023, &prog_c, true, false).await;
    // t3: a regional tutor's route in 2022, other programme done.
    route(app, &f, &t[2], &tutor_o, 2022, &prog_o, true, true).await;
    // t4: a ЦНППМ draft only.
    route(app, &f, &t[3], &tutor_c, 2022, &prog_c, false, false).await;
    // t7 (B): ЦНППМ route in 2023, ЦНППМ programme done.
    route(app, &f, &t[6], &tutor_c, 2023, &prog_c, true, true).await;

    event(app, &r.region, "regional", "2022-03-10").await;
    event(app, &r.region, "regional", "2023-05-01").await;
    event(app, &r.region, "regional", "2024-02-01").await;
    event(app, &r.mun_a, "municipal", "2023-04-01").await;

    let manager_a = person(app, &r.school_a, "Директор А", &["manager"]).await;
    let mentor_a = person(app, &r.school_a, "Наставник А", &["mentor"]).await;
    let manager_b = person(app, &r.school_b, "Директор Б", &["manager"]).await;
    let mentor_b = person(app, &r.school_b, "Наставник Б", &["mentor"]).await;
    let _ = manager_a;
    pair(app, &r.school_a, &mentor_a, &t[0], "2022-09-01").await;
    pair(app, &r.school_b, &mentor_b, &manager_b, "2023-02-01").await;
    World { r, school_a2, f, t, tutor_c, prog_o }
}

fn find<'a>(items: &'a Value, code: &str) -> &'a Value {
    items.as_array().unwrap().iter().find(|i| i["code"] == code).unwrap_or_else(|| panic!("{code} missing"))
}

fn figures(items: &Value, code: &str) -> (Value, Value, Value) {
    let i = find(items, code);
    (i["numerator"].clone(), i["denominator"].clone(), i["value"].clone())
}

#[tokio::test]
async fn the_definitions_say_what_is_counted_of_what_how_it_accumulates_and_where_it_comes_from() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/monitoring/definitions", &app.token(Role::Analyst, None, None)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = &r.body["items"];
    assert!(items.as_array().unwrap().len() >= 6);
    let route = find(items, "teachers_with_cnppm_route");
    assert_eq!(route["numerator"], "teachers_with_cnppm_route");
    assert_eq!(route["denominator"], "teachers");
    assert_eq!(route["accumulation"], "cumulative");
    assert_eq!(route["unit"], "percent");
    assert_eq!(route["source"], "BU appendix 1, result 1");
    assert_eq!(route["agreement_key"], "result.1");
    assert_eq!(find(items, "regional_events")["denominator"], Value::Null);
    let region = app.seed_region().await;
    let t = person(&app, &region.school_a, "Учитель", &["teacher"]).await;
    let teacher = app.token(Role::Teacher, Some(&region.school_a), Some(&t));
    app.get("/api/v1/monitoring/definitions", &teacher).await.assert_problem(403);
}

#[tokio::test]
async fn every_indicator_equals_the_hand_count_and_a_teacher_counted_in_2022_still_counts_once_in_2023() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let analyst = app.token(Role::Analyst, None, None);

    let y22 = app.get("/api/v1/monitoring/indicators?year=2022", &analyst).await;
    assert_eq!(y22.status, 200, "{}", y22.text);
    let i = &y22.body["items"];
    // 11 teachers: A 6, B 5. 2022: t1 has a ЦНППМ route; t1 and t3 completed a programme step
    // (t1's in a ЦНППМ programme).
    assert_eq!(figures(i, "teachers_with_cnppm_route"), (json!(1), json!(11), json!(9.1)));
    assert_eq!(figures(i, "teachers_completed_pd"), (json!(2), json!(11), json!(18.2)));
    assert_eq!(figures(i, "teachers_completed_pd_cnppm"), (json!(1), json!(11), json!(9.1)));
    assert_eq!(figures(i, "regional_events"), (json!(1), Value::Null, json!(1.0)));
    // 3 schools; school A has had a pair since 2022; no manager yet.
    assert_eq!(figures(i, "schools_mentoring_model"), (json!(1), json!(3), json!(33.3)));
    assert_eq!(figures(i, "schools_managers_mentoring"), (json!(0), json!(3), json!(0.0)));

    let y23 = app.get("/api/v1/monitoring/indicators?year=2023", &analyst).await;
    let i = &y23.body["items"];
    // Cumulative: t1 (2022 and 2023, once), t2, t7 — not 4.
    assert_eq!(figures(i, "teachers_with_cnppm_route"), (json!(3), json!(11), json!(27.3)));
    // t1 (again in 2023, once), t3 (from 2022), t7.
    assert_eq!(figures(i, "teachers_completed_pd"), (json!(3), json!(11), json!(27.3)));
    // t1 (ЦНППМ in 2022, still counted), t7.
    assert_eq!(figures(i, "teachers_completed_pd_cnppm"), (json!(2), json!(11), json!(18.2)));
    // 2022 and 2023 regional events; the 2024 one and the municipal one do not count.
    assert_eq!(figures(i, "regional_events"), (json!(2), Value::Null, json!(2.0)));
    assert_eq!(figures(i, "schools_mentoring_model"), (json!(2), json!(3), json!(66.7)));
    assert_eq!(figures(i, "schools_managers_mentoring"), (json!(1), json!(3), json!(33.3)));

    // Narrowed to municipality B: 5 teachers, t7 only.
    let b =
        app.get(&format!("/api/v1/monitoring/indicators?year=2023&municipality_id={}", id(&w.r.mun_b)), &analyst).await;
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(b.body["municipality_code"], "81625000");
    assert_eq!(figures(&b.body["items"], "teachers_with_cnppm_route"), (json!(1), json!(5), json!(20.0)));
    assert_eq!(figures(&b.body["items"], "schools_managers_mentoring"), (json!(1), json!(1), json!(100.0)));

    // School A2 has 2 teachers: below the minimum group of 5, its shares are withheld.
    let small = app
        .get(&format!("/api/v1/monitoring/indicators?year=2023&organization_id={}", id(&w.school_a2)), &analyst)
        .await;
    let s = find(&small.body["items"], "teachers_completed_pd");
    assert_eq!(
        (s["suppressed"].as_bool(), s["numerator"].clone(), s["value"].clone()),
        (Some(true), Value::Null, Value::Null)
    );
    assert!(!small.text.contains("Учитель"), "no personal data");
}

#[tokio::test]
async fn a_municipality_reads_its_territory_with_the_agreement_target_attainment_and_reconciliation() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let institute = app
        .create_org(
            json!({"name": "БРИОП", "kind": "regional_institute", "region_code": "03", "parent_id": w.r.region["id"]}),
        )
        .await;
    let doc: Value = serde_json::from_str(
        &FIXTURE
            .replace("{{regional_authority}}", &id(&w.r.region))
            .replace("{{regional_institute}}", &id(&institute))
            .replace("{{municipal_authority}}", &id(&w.r.mun_a)),
    )
    .unwrap();
    let created = app.post("/api/v1/agreements", &app.admin, &doc).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/api/v1/agreements/{}", id(&created.body));
    assert_eq!(created.body["status"], "expired", "the fixture is a signed agreement of 2021–2024");
    let ind = created.body["indicators"].as_array().unwrap().iter().find(|i| i["key"] == "result.1").unwrap();
    let v = app
        .post(
            &format!("{path}/indicators/{}/values", ind["id"].as_str().unwrap()),
            &app.admin,
            &json!({"year": 2023, "value": 30, "source": "отчёт МО"}),
        )
        .await;
    assert_eq!(v.status, 201, "{}", v.text);

    let mun_a = app.token(Role::Municipal, Some(&w.r.mun_a), None);
    let r = app.get("/api/v1/monitoring/indicators?year=2023", &mun_a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let route = find(&r.body["items"], "teachers_with_cnppm_route");
    // A: t1 and t2 of 6 teachers = 33.3 %; target 25 (result 1, 2023); reported 30.
    assert_eq!(
        (route["numerator"].clone(), route["denominator"].clone(), route["value"].clone()),
        (json!(2), json!(6), json!(33.3))
    );
    assert_eq!(route["target"], json!(25.0));
    assert_eq!(route["attainment"], json!(133.2));
    assert_eq!(route["reported"], json!(30.0));
    assert_eq!(route["difference"], json!(3.3));

    let other =
        app.get(&format!("/api/v1/monitoring/indicators?year=2023&municipality_id={}", id(&w.r.mun_b)), &mun_a).await;
    other.assert_problem(404);
    let report = app.get("/api/v1/monitoring/report?year=2023", &mun_a).await;
    assert_eq!(report.status, 200, "{}", report.text);
    let ms = report.body["municipalities"].as_array().unwrap();
    assert_eq!(ms.len(), 1, "a municipality sees only itself: {}", report.text);
    assert_eq!(ms[0]["municipality_name"], "Бичурский район");
}

#[tokio::test]
async fn the_report_gives_every_municipality_and_prints_as_html_with_one_svg_chart_per_indicator() {
    let app = spawn_app().await;
    let _w = world(&app).await;
    let analyst = app.token(Role::Analyst, None, None);
    let r = app.get("/api/v1/monitoring/report?year=2023", &analyst).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ms = r.body["municipalities"].as_array().unwrap();
    assert_eq!(ms.len(), 2);
    let a = ms.iter().find(|m| m["municipality_code"] == "81606000").unwrap();
    // Routes of A's teachers: t1 (completed step, in progress ×2), t2 approved, t3 in progress, t4 draft.
    // Five routes, each status a small group: withheld (disclosure control).
    assert_eq!(a["routes_by_status"], json!({"approved": null, "draft": null, "in_progress": null}));
    assert_eq!(find(&a["indicators"], "schools_mentoring_model")["value"], json!(50.0));
    assert_eq!(a["overdue_requests"], 0);

    let page =
        app.send("GET", "/api/v1/monitoring/report?year=2023", Some(&analyst), None, &[("accept", "text/html")]).await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    let defs = app.get("/api/v1/monitoring/definitions", &analyst).await.body["items"].as_array().unwrap().len();
    assert_eq!(page.text.matches("<svg").count(), defs);
    assert!(page.text.contains("Бичурский район") && page.text.contains("Кабанский район"));
    assert!(!page.text.contains("<script"));
    let same = app.get("/api/v1/monitoring/report?year=2023&format=html", &analyst).await;
    assert_eq!(same.text.matches("<svg").count(), defs);
}

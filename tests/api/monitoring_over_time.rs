//! Monitoring true to the agreement (issue 16): people over time (employment periods), regional
//! events counted by their participants' employers, and all ten appendix items of №535 computed
//! from a small region seeded through the API — checked against hand counts by year and
//! territory. The minimum group is 1 here: disclosure control is tested elsewhere.

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, fresh_database_url, id, spawn_app, spawn_with, test_settings};
use serde_json::{Value, json};

use crate::diagnostics::{framework, record};
use crate::monitoring::route;

async fn person(app: &TestApp, org: &Value, surname: &str, roles: &[&str]) -> String {
    id(&app
        .create_person(json!({"surname": surname, "first_name": "Анна", "organization_id": org["id"], "roles": roles}))
        .await)
}

async fn periods(app: &TestApp, person: &str, periods: Value) -> rsnms_tests::Reply {
    let current = app.get(&format!("/api/v1/persons/{person}"), &app.admin).await;
    assert_eq!(current.status, 200, "{}", current.text);
    app.send(
        "PUT",
        &format!("/api/v1/persons/{person}/employments"),
        Some(&app.admin),
        Some(&json!({ "periods": periods })),
        &[("if-match", &current.etag())],
    )
    .await
}

async fn program(app: &TestApp, developer: &Value, ict: &str, audience: Option<&str>) -> String {
    let r = app
        .post(
            "/api/v1/programs",
            &app.admin,
            &json!({"title": "Курс", "kind": "qualification_upgrade", "hours": 36, "form": "distance",
                    "developer_id": developer["id"], "competency_ids": [ict], "audience": audience}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    id(&r.body)
}

async fn event(app: &TestApp, organizer: &Value, level: &str, held_on: &str, attended: &[&str]) {
    let r = app
        .post(
            "/api/v1/events",
            &app.admin,
            &json!({"title": "Семинар", "kind": "seminar", "level": level, "held_on": held_on,
                    "organizer_id": organizer["id"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let e = id(&r.body);
    for p in attended {
        let reg = app.post(&format!("/api/v1/events/{e}/participants"), &app.admin, &json!({"person_id": p})).await;
        assert_eq!(reg.status, 201, "{}", reg.text);
        let url = format!("/api/v1/events/{e}/participants/{}", id(&reg.body));
        let done = app.patch(&url, &app.admin, &reg.etag(), &json!({"status": "attended"})).await;
        assert_eq!(done.status, 200, "{}", done.text);
    }
}

fn find<'a>(items: &'a Value, code: &str) -> &'a Value {
    items.as_array().unwrap().iter().find(|i| i["code"] == code).unwrap_or_else(|| panic!("{code} missing"))
}

/// `(numerator, denominator, value)` of an indicator.
fn figures(items: &Value, code: &str) -> (Value, Value, Value) {
    let i = find(items, code);
    (i["numerator"].clone(), i["denominator"].clone(), i["value"].clone())
}

/// The report of a year: the total and each municipality's indicators by code.
async fn report(app: &TestApp, year: i32) -> (Value, Value, Value) {
    let analyst = app.token(Role::Analyst, None, None);
    let r = app.get(&format!("/api/v1/monitoring/report?year={year}"), &analyst).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let of = |code: &str| {
        r.body["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["municipality_code"] == code)
            .map(|m| m["indicators"].clone())
            .unwrap_or_else(|| panic!("municipality {code} missing: {}", r.text))
    };
    (r.body["total"].clone(), of("81606000"), of("81625000"))
}

/// Municipality A: school A (teachers ta1, ta2; a head), school C (teachers tc1, tc2; closed on
/// 30.06.2024, tc1's period ends then). Municipality B: school B (teachers tb1, tb2; a deputy
/// head since 2022). A teacher who moved from school A to school B on 01.09.2023. The ЦНППМ has
/// two staff since 2023 (one trained by the federal operator in 2023). The mover completed a
/// programme with a ЦНППМ tutor in 2022; the head of A a programme for management teams in
/// 2023. Regional events: 10.03.2022 attended by the mover (then in A); 01.05.2023 attended by
/// ta1 (A) and tb1 (B); a municipal event does not count.
#[tokio::test]
async fn all_ten_appendix_items_equal_the_hand_counts_by_year_and_territory_with_people_over_time() {
    let mut settings = test_settings(&fresh_database_url().await);
    settings.min_group_size = 1;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    let school_c = app
        .create_org(
            json!({"name": "МБОУ «Бичурская ООШ № 3»", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .await;
    app.create_org(
        json!({"name": "БРИОП", "kind": "regional_institute", "region_code": "03", "parent_id": r.region["id"]}),
    )
    .await;
    let cnppm = app
        .create_org(json!({"name": "ЦНППМ Республики Бурятия", "kind": "cnppm", "region_code": "03", "parent_id": r.region["id"]}))
        .await;
    let operator = app
        .create_org(json!({"name": "Академия Минпросвещения России", "kind": "federal_operator", "region_code": "77",
                           "time_zone": "Europe/Moscow"}))
        .await;
    let f = framework(&app, &r).await;

    let ta1 = person(&app, &r.school_a, "Учитель А1", &["teacher"]).await;
    person(&app, &r.school_a, "Учитель А2", &["teacher"]).await;
    let tc1 = person(&app, &school_c, "Учитель В1", &["teacher"]).await;
    person(&app, &school_c, "Учитель В2", &["teacher"]).await;
    let tb1 = person(&app, &r.school_b, "Учитель Б1", &["teacher"]).await;
    person(&app, &r.school_b, "Учитель Б2", &["teacher"]).await;
    let mover = person(&app, &r.school_b, "Учитель переехавший", &["teacher"]).await;
    let head_a = person(&app, &r.school_a, "Директор А", &["manager"]).await;
    let deputy_b = person(&app, &r.school_b, "Завуч Б", &["manager"]).await;
    let staff1 = person(&app, &cnppm, "Сотрудник ЦНППМ 1", &["teacher"]).await;
    let staff2 = person(&app, &cnppm, "Сотрудник ЦНППМ 2", &["tutor"]).await;

    let moved = periods(
        &app,
        &mover,
        json!([
            {"organization_id": r.school_b["id"], "category": "teacher", "started_on": "2023-09-01"},
            {"organization_id": r.school_a["id"], "category": "teacher", "started_on": "2020-09-01", "ended_on": "2023-08-31"}
        ]),
    )
    .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["periods"][0]["organization_id"], r.school_a["id"], "oldest first: {}", moved.text);
    let history = app.get(&format!("/api/v1/persons/{mover}/employments"), &app.admin).await;
    assert_eq!(history.body["periods"], moved.body["periods"]);
    let left = periods(
        &app,
        &tc1,
        json!([{"organization_id": school_c["id"], "category": "teacher", "ended_on": "2024-06-30"}]),
    );
    assert_eq!(left.await.status, 200);
    let deputy = json!([{"organization_id": r.school_b["id"], "category": "deputy_head", "started_on": "2022-01-01"}]);
    assert_eq!(periods(&app, &deputy_b, deputy).await.status, 200);
    for s in [&staff1, &staff2] {
        let p = json!([{"organization_id": cnppm["id"], "category": "cnppm_staff", "started_on": "2023-01-01"}]);
        assert_eq!(periods(&app, s, p).await.status, 200);
    }
    let close = app
        .send(
            "POST",
            &format!("/api/v1/organizations/{}/close", id(&school_c)),
            Some(&app.admin),
            Some(&json!({"closed_on": "2024-06-30"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(close.status, 200, "{}", close.text);

    let results: Vec<Value> = [&mover, &head_a, &staff1]
        .iter()
        .map(|p| json!({"person_id": p, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}))
        .collect();
    record(&app, &f.campaign, Value::Array(results)).await;
    let prog_region = program(&app, &r.region, &f.ict, None).await;
    let prog_operator = program(&app, &operator, &f.ict, None).await;
    let prog_managers = program(&app, &r.region, &f.ict, Some("Управленческие команды школ")).await;
    route(&app, &f, &mover, &staff2, 2022, &prog_region, true, true).await;
    route(&app, &f, &head_a, &staff2, 2023, &prog_managers, true, true).await;
    route(&app, &f, &staff1, &staff2, 2023, &prog_operator, true, true).await;

    event(&app, &r.region, "regional", "2022-03-10", &[&mover]).await;
    event(&app, &r.region, "regional", "2023-05-01", &[&ta1, &tb1]).await;
    event(&app, &r.mun_a, "municipal", "2023-04-01", &[&ta1]).await;

    // 2022. Teachers: A — ta1, ta2, tc1, tc2, the mover (5); B — tb1, tb2 (2). Education
    // staff adds the head of A and the deputy of B. The ЦНППМ has no staff yet.
    let (total, a, b) = report(&app, 2022).await;
    assert_eq!(figures(&total, "teachers_completed_pd"), (json!(1), json!(7), json!(14.3)));
    assert_eq!(figures(&a, "teachers_completed_pd"), (json!(1), json!(5), json!(20.0)));
    assert_eq!(figures(&b, "teachers_completed_pd"), (json!(0), json!(2), json!(0.0)));
    assert_eq!(figures(&total, "staff_completed_pd"), (json!(1), json!(9), json!(11.1)));
    assert_eq!(figures(&total, "teachers_with_cnppm_route"), (json!(1), json!(7), json!(14.3)));
    assert_eq!(figures(&total, "teachers_completed_pd_cnppm"), (json!(0), json!(7), json!(0.0)));
    let empty = find(&total, "cnppm_staff_federal_operator");
    assert_eq!((empty["value"].clone(), empty["no_data"].clone()), (Value::Null, json!("empty_population")));
    assert_eq!(figures(&total, "regional_events"), (json!(1), Value::Null, json!(1.0)));
    assert_eq!(figures(&a, "regional_events").0, json!(1), "the mover attended from A");
    assert_eq!(figures(&b, "regional_events").0, json!(0));
    assert_eq!(figures(&total, "organizations_management_teams"), (json!(0), json!(3), json!(0.0)));
    assert_eq!(figures(&total, "schools_mentoring_model"), (json!(0), json!(3), json!(0.0)));
    assert_eq!(figures(&total, "schools_managers_mentoring"), (json!(0), json!(3), json!(0.0)));

    // 2023. The mover counts in B now (and takes the completed programme along); the ЦНППМ has
    // two staff, one trained by the federal operator; the head of A did the managers' programme.
    let (total, a, b) = report(&app, 2023).await;
    assert_eq!(figures(&total, "teachers_completed_pd"), (json!(1), json!(7), json!(14.3)));
    assert_eq!(figures(&a, "teachers_completed_pd"), (json!(0), json!(4), json!(0.0)));
    assert_eq!(figures(&b, "teachers_completed_pd"), (json!(1), json!(3), json!(33.3)));
    assert_eq!(figures(&total, "staff_completed_pd"), (json!(2), json!(9), json!(22.2)));
    assert_eq!(figures(&a, "staff_completed_pd"), (json!(1), json!(5), json!(20.0)));
    assert_eq!(figures(&b, "staff_completed_pd"), (json!(1), json!(4), json!(25.0)));
    assert_eq!(figures(&total, "cnppm_staff_federal_operator"), (json!(1), json!(2), json!(50.0)));
    assert_eq!(find(&a, "cnppm_staff_federal_operator")["no_data"], "empty_population");
    // Two regional events in the region; A attended both (the first through the mover, then
    // in A), B the second only (the mover was not in B yet); the municipal event is not counted.
    assert_eq!(figures(&total, "regional_events"), (json!(2), Value::Null, json!(2.0)));
    assert_eq!(figures(&a, "regional_events").0, json!(2));
    assert_eq!(figures(&b, "regional_events").0, json!(1));
    assert_eq!(figures(&total, "organizations_management_teams"), (json!(1), json!(3), json!(33.3)));
    assert_eq!(figures(&a, "organizations_management_teams"), (json!(1), json!(2), json!(50.0)));
    // Indicator 2: a checklist; no municipal methodological service and no responsible persons
    // are registered, so the system does not function yet.
    let system = find(&total, "regional_system_functions");
    assert_eq!(system["value"], json!(0.0));
    let holds: Vec<(String, bool)> = system["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap().to_owned(), c["holds"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        holds,
        [
            ("participants".to_owned(), true),
            ("municipal_services".to_owned(), false),
            ("responsible_persons".to_owned(), false),
            ("regional_events".to_owned(), true),
            ("professional_development".to_owned(), true),
        ]
    );

    // 2024: school C closed mid-year still counts, with its teachers.
    let (total, a, _) = report(&app, 2024).await;
    assert_eq!(figures(&total, "teachers_completed_pd").1, json!(7));
    assert_eq!(figures(&a, "teachers_completed_pd").1, json!(4));
    assert_eq!(figures(&total, "organizations_management_teams").1, json!(3));
    // 2025: school C and its teachers are gone from A; earlier years keep them (above).
    let (total, a, b) = report(&app, 2025).await;
    assert_eq!(figures(&total, "teachers_completed_pd"), (json!(1), json!(5), json!(20.0)));
    assert_eq!(figures(&a, "teachers_completed_pd"), (json!(0), json!(2), json!(0.0)));
    assert_eq!(figures(&b, "teachers_completed_pd"), (json!(1), json!(3), json!(33.3)));
    assert_eq!(figures(&total, "schools_mentoring_model").1, json!(2));

    let html = app
        .send("GET", "/api/v1/monitoring/report?year=2023", Some(&app.admin), None, &[("accept", "text/html")])
        .await;
    assert_eq!(html.status, 200, "{}", html.text);
    assert!(html.text.contains("нет данных") && html.text.contains("не выполнен"), "{}", html.text);
}

#[tokio::test]
async fn the_builtin_definitions_are_the_ten_appendix_items_in_order() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/monitoring/definitions", &app.token(Role::Analyst, None, None)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let keys: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["origin"] == "builtin")
        .map(|d| d["agreement_key"].as_str().unwrap())
        .collect();
    let mut expected = vec!["indicator.1", "indicator.2", "indicator.3"];
    expected.extend(["result.1", "result.2", "result.3", "result.4", "result.5", "result.6", "result.7"]);
    assert_eq!(keys, expected);
    let staff = find(&r.body["items"], "staff_completed_pd");
    assert_eq!(
        (staff["numerator"].clone(), staff["denominator"].clone()),
        (json!("staff_completed_programme"), json!("education_staff"))
    );
}

#[tokio::test]
async fn an_employment_history_names_the_failing_period_field_and_needs_the_current_version() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let t = person(&app, &r.school_a, "Учитель", &["teacher"]).await;
    let bad = periods(
        &app,
        &t,
        json!([
            {"organization_id": r.school_a["id"], "category": "teacher", "started_on": "2024-01-01", "ended_on": "2023-01-01"},
            {"category": "teacher"},
            {"organization_id": r.school_b["id"], "category": "teacher", "started_on": "2023-06-01"}
        ]),
    )
    .await;
    bad.assert_problem(422);
    let fields: Vec<&str> =
        bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"periods[0].ended_on") && fields.contains(&"periods[1].organization_id"), "{}", bad.text);
    let unknown =
        periods(&app, &t, json!([{"organization_id": "0190a000-0000-7000-8000-000000000000", "category": "head"}]))
            .await;
    unknown.assert_problem(422);
    assert_eq!(unknown.body["errors"][0]["field"], "periods[0].organization_id");
    let stale = app
        .send(
            "PUT",
            &format!("/api/v1/persons/{t}/employments"),
            Some(&app.admin),
            Some(&json!({"periods": []})),
            &[("if-match", "\"7\"")],
        )
        .await;
    stale.assert_problem(412);
    let nothing_stored = app.get(&format!("/api/v1/persons/{t}/employments"), &app.admin).await;
    assert_eq!(nothing_stored.body["periods"], json!([]), "nothing half-written");
    let analyst = app.token(Role::Analyst, None, None);
    app.get(&format!("/api/v1/persons/{t}/employments"), &analyst).await.assert_problem(403);
    let mun_b = app.token(Role::Municipal, Some(&r.mun_b), None);
    app.get(&format!("/api/v1/persons/{t}/employments"), &mun_b).await.assert_problem(404);

    // The persons import carries the history: a new person with two periods, and a bad period
    // named on its line.
    let moved = json!({"surname": "Переехавшая", "first_name": "Анна", "organization_id": r.school_b["id"],
        "roles": ["teacher"], "employments": [
            {"organization_id": r.school_a["id"], "category": "teacher", "ended_on": "2023-08-31"},
            {"organization_id": r.school_b["id"], "category": "teacher", "started_on": "2023-09-01"}]});
    let broken = json!({"surname": "Ошибочная", "first_name": "Анна", "organization_id": r.school_b["id"],
        "employments": [{"organization_id": r.school_b["id"]}]});
    let body = crate::imports::ndjson(&[moved, broken]);
    let res = crate::imports::import(&app, "persons?atomic=false", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.text.contains("periods[0].category"), "{}", res.text);
    let listed = app.get("/api/v1/persons?name=Переехавшая", &app.admin).await;
    let imported = listed.body["items"][0]["id"].as_str().unwrap().to_owned();
    let history = app.get(&format!("/api/v1/persons/{imported}/employments"), &app.admin).await;
    assert_eq!(history.body["periods"].as_array().map(Vec::len), Some(2), "{}", history.text);
}

//! Regional indicator definitions (issue 7 item 2): a region adds an indicator from the same
//! blocks as the built-in ones; it is computed by the same aggregate queries and checked here
//! against counts made independently from the API's own lists.

use std::collections::HashSet;

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::monitoring::world;

const DEFS: &str = "/api/v1/monitoring/definitions";

fn programme_per_year() -> Value {
    json!({"code": "teachers_completed_pd_per_year",
           "name": "Доля педагогических работников, завершивших программу повышения квалификации в отчётном году",
           "description": "Share of teachers who completed a programme step in the year",
           "numerator": "teachers_completed_programme", "denominator": "teachers",
           "accumulation": "per_year", "unit": "percent",
           "source": "Приказ министерства № 1234 от 01.02.2024, п. 3"})
}

fn events_per_year() -> Value {
    json!({"code": "regional_events_per_year", "name": "Количество мероприятий регионального уровня за год",
           "numerator": "regional_events", "accumulation": "per_year", "unit": "units",
           "source": "Приказ министерства № 1234 от 01.02.2024, п. 4", "agreement_key": "result.4"})
}

async fn create(app: &TestApp, token: &str, body: &Value) -> rsnms_tests::Reply {
    let r = app.post(DEFS, token, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r
}

async fn all(app: &TestApp, path: &str) -> Vec<Value> {
    let r = app.get(path, &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["next_cursor"].is_null(), "one page is enough here");
    r.body["items"].as_array().unwrap().clone()
}

/// Teachers (of schools, optionally of one municipality) counted from the person list.
async fn teachers(app: &TestApp, municipality: Option<&str>) -> HashSet<String> {
    let filter = municipality.map(|m| format!("&municipality_code={m}")).unwrap_or_default();
    all(app, &format!("/api/v1/persons?role=teacher&organization_kind=educational_organization&limit=500{filter}"))
        .await
        .iter()
        .map(id)
        .collect()
}

/// Teachers with a route step of a programme marked done and planned to end in `year`, counted
/// from the route list.
async fn completed_in(app: &TestApp, year: i32, among: &HashSet<String>) -> usize {
    let prefix = format!("{year}-");
    let done: HashSet<String> = all(app, "/api/v1/routes?limit=500")
        .await
        .iter()
        .filter(|r| r["status"] != "cancelled")
        .filter(|r| {
            r["steps"].as_array().unwrap().iter().any(|s| {
                s["status"] == "done"
                    && s["program_id"].is_string()
                    && s["planned_end"].as_str().is_some_and(|d| d.starts_with(&prefix))
            })
        })
        .map(|r| r["person_id"].as_str().unwrap().to_owned())
        .collect();
    done.intersection(among).count()
}

/// Regional-level events held in `year`, from the event list.
async fn regional_events_in(app: &TestApp, year: i32) -> usize {
    let prefix = format!("{year}-");
    all(app, "/api/v1/events?level=regional&limit=500")
        .await
        .iter()
        .filter(|e| e["held_on"].as_str().is_some_and(|d| d.starts_with(&prefix)))
        .count()
}

fn share(n: usize, d: usize) -> f64 {
    (n as f64 * 1000.0 / d as f64).round() / 10.0
}

fn item<'a>(items: &'a Value, code: &str) -> &'a Value {
    items.as_array().unwrap().iter().find(|i| i["code"] == code).unwrap_or_else(|| panic!("{code} missing in {items}"))
}

fn triple(i: &Value) -> (Value, Value, Value) {
    (i["numerator"].clone(), i["denominator"].clone(), i["value"].clone())
}

#[tokio::test]
async fn a_custom_indicator_is_computed_like_a_builtin_and_equals_a_count_made_from_the_lists() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let created = create(&app, &app.admin, &programme_per_year()).await;
    assert_eq!(
        created.header("location").as_deref(),
        Some("/api/v1/monitoring/definitions/teachers_completed_pd_per_year")
    );
    assert_eq!((created.body["origin"].clone(), created.body["status"].clone()), (json!("custom"), json!("active")));
    create(&app, &app.admin, &events_per_year()).await;
    let analyst = app.token(Role::Analyst, None, None);

    let everyone = teachers(&app, None).await;
    let in_a = teachers(&app, Some("81606000")).await;
    assert!(everyone.len() >= 5 && in_a.len() < everyone.len(), "the world has teachers in both municipalities");
    for year in [2022, 2023] {
        let r = app.get(&format!("/api/v1/monitoring/indicators?year={year}"), &analyst).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let n = completed_in(&app, year, &everyone).await;
        assert_eq!(
            triple(item(&r.body["items"], "teachers_completed_pd_per_year")),
            (json!(n), json!(everyone.len()), json!(share(n, everyone.len()))),
            "{year}"
        );
        let e = regional_events_in(&app, year).await;
        let events = item(&r.body["items"], "regional_events_per_year");
        assert_eq!(triple(events), (json!(e), Value::Null, json!(e as f64)), "{year}");
        assert_eq!(events["unit"], "units");
    }
    // Per year differs from the cumulative built-in over the same block: 2022's completions do
    // not count again in 2023.
    let y23 = app.get("/api/v1/monitoring/indicators?year=2023", &analyst).await;
    let cumulative = item(&y23.body["items"], "teachers_completed_pd")["numerator"].as_u64().unwrap();
    let per_year = item(&y23.body["items"], "teachers_completed_pd_per_year")["numerator"].as_u64().unwrap();
    assert!(per_year < cumulative, "per year {per_year}, cumulative {cumulative}");

    // The scope of results is unchanged: municipality A sees its own territory only.
    let mun_a = app.token(Role::Municipal, Some(&w.r.mun_a), None);
    let a = app.get("/api/v1/monitoring/indicators?year=2023", &mun_a).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let n = completed_in(&app, 2023, &in_a).await;
    assert_eq!(
        triple(item(&a.body["items"], "teachers_completed_pd_per_year")),
        (json!(n), json!(in_a.len()), json!(share(n, in_a.len())))
    );

    // The report carries it in the total and per municipality, and prints one chart for it.
    let report = app.get("/api/v1/monitoring/report?year=2023", &analyst).await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(
        item(&report.body["total"], "teachers_completed_pd_per_year")["numerator"],
        json!(completed_in(&app, 2023, &everyone).await)
    );
    for m in report.body["municipalities"].as_array().unwrap() {
        item(&m["indicators"], "regional_events_per_year");
    }
    let page = app.get("/api/v1/monitoring/report?year=2023&format=html", &analyst).await;
    let defs = app.get(DEFS, &analyst).await.body["items"].as_array().unwrap().len();
    assert_eq!(defs, 12, "the ten appendix items and two custom definitions");
    assert_eq!(page.text.matches("<svg").count(), defs);
    assert!(page.text.contains("завершивших программу повышения квалификации в отчётном году"));
}

#[tokio::test]
async fn invalid_definitions_are_refused_with_every_problem_named_and_nothing_is_written() {
    let app = spawn_app().await;
    let bad = app
        .post(
            DEFS,
            &app.admin,
            &json!({"code": "Bad Code", "numerator": "teachers_with_cats", "denominator": "pupils",
                    "accumulation": "sometimes", "unit": "parsecs", "agreement_key": "goal.1"}),
        )
        .await;
    bad.assert_problem(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["accumulation", "agreement_key", "code", "denominator", "name", "numerator", "source", "unit"],
        "{}",
        bad.text
    );
    let numerator = bad.body["errors"].as_array().unwrap().iter().find(|e| e["field"] == "numerator").unwrap();
    assert!(numerator["message"].as_str().unwrap().contains("teachers_with_cats"), "{numerator}");
    assert!(
        numerator["message"].as_str().unwrap().contains("schools_with_mentoring_pair"),
        "the known blocks are listed"
    );

    // Known blocks that do not fit together: events have no population, a count is not in per cent.
    let en = app
        .send(
            "POST",
            DEFS,
            Some(&app.admin),
            Some(&json!({"code": "events_of_teachers", "numerator": "regional_events", "denominator": "teachers",
                         "accumulation": "cumulative", "unit": "people", "source": "п. 1"})),
            &[("accept-language", "en")],
        )
        .await;
    en.assert_problem(422);
    let mut fields = en.error_fields();
    fields.sort();
    assert_eq!(fields, ["denominator", "name", "unit"], "{}", en.text);
    assert!(en.text.contains("makes no sense for the measure"), "{}", en.text);

    let count_in_percent = app
        .post(
            DEFS,
            &app.admin,
            &json!({"code": "schools_with_pairs", "name": "Школы с парами", "numerator": "schools_with_mentoring_pair",
                    "accumulation": "last_value", "unit": "percent", "source": "п. 2"}),
        )
        .await;
    count_in_percent.assert_problem(422);
    assert_eq!(count_in_percent.error_fields(), ["unit"]);

    // A built-in's code is taken.
    let mut builtin_code = events_per_year();
    builtin_code["code"] = json!("regional_events");
    let taken = app.post(DEFS, &app.admin, &builtin_code).await;
    taken.assert_problem(409);
    assert_eq!(taken.error_fields(), ["code"], "{}", taken.text);

    let defs = app.get(DEFS, &app.admin).await;
    assert!(defs.body["items"].as_array().unwrap().iter().all(|d| d["origin"] == "builtin"), "nothing written");
    let changes = app.get("/api/v1/changes?after=0&limit=500", &app.admin).await;
    assert!(!changes.text.contains("monitoring_definition"), "no event for a refused definition");
}

#[tokio::test]
async fn analysts_read_definitions_but_only_administrators_and_operators_write_them() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let analyst = app.token(Role::Analyst, None, None);
    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    let operator = app.token(Role::Operator, None, None);
    app.post(DEFS, &analyst, &programme_per_year()).await.assert_problem(403);
    app.post(DEFS, &municipal, &programme_per_year()).await.assert_problem(403);
    let created = create(&app, &operator, &programme_per_year()).await;

    let path = format!("{DEFS}/teachers_completed_pd_per_year");
    for token in [&analyst, &municipal] {
        let read = app.get(&path, token).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.body["numerator"], "teachers_completed_programme");
        assert_eq!(read.etag(), created.etag());
    }
    let builtin = app.get(&format!("{DEFS}/teachers_with_cnppm_route"), &analyst).await;
    assert_eq!((builtin.body["origin"].clone(), builtin.etag()), (json!("builtin"), "\"1\"".to_owned()));
    app.get(&format!("{DEFS}/no_such_indicator"), &analyst).await.assert_problem(404);

    app.patch(&path, &analyst, &created.etag(), &json!({"name": "Другое"})).await.assert_problem(403);
    let retire =
        app.send("POST", &format!("{path}/retire"), Some(&analyst), None, &[("if-match", &created.etag())]).await;
    retire.assert_problem(403);
    let t = app
        .create_person(json!({"surname": "Учитель", "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"]}))
        .await;
    let teacher = app.token(Role::Teacher, Some(&r.school_a), t["id"].as_str());
    app.get(&path, &teacher).await.assert_problem(403);
    assert_eq!(app.get(&path, &app.admin).await.body["version"], 1, "nothing changed");
}

#[tokio::test]
async fn a_custom_definition_changes_only_with_the_current_etag_and_retires_without_vanishing() {
    let app = spawn_app().await;
    let _r = app.seed_region().await;
    let created = create(&app, &app.admin, &programme_per_year()).await;
    let path = format!("{DEFS}/teachers_completed_pd_per_year");
    let v1 = created.etag();

    let missing = app.send("PATCH", &path, Some(&app.admin), Some(&json!({"name": "Новое"})), &[]).await;
    missing.assert_problem(428);
    // The merged definition is checked like a new one: a share without a population.
    let no_population = app.patch(&path, &app.admin, &v1, &json!({"denominator": null})).await;
    no_population.assert_problem(422);
    assert_eq!(no_population.error_fields(), ["unit"]);
    let unknown = app.patch(&path, &app.admin, &v1, &json!({"accumulation": "weekly"})).await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["accumulation"]);
    let rename = app.patch(&path, &app.admin, &v1, &json!({"code": "another_code"})).await;
    rename.assert_problem(422);
    assert_eq!(rename.error_fields(), ["code"]);

    let count = app.patch(&path, &app.admin, &v1, &json!({"denominator": null, "unit": "people"})).await;
    assert_eq!(count.status, 200, "{}", count.text);
    assert_eq!((count.body["version"].clone(), count.body["denominator"].clone()), (json!(2), Value::Null));
    assert_ne!(count.etag(), v1);
    app.patch(&path, &app.admin, &v1, &json!({"name": "Устаревшая правка"})).await.assert_problem(412);
    let y = app.get("/api/v1/monitoring/indicators?year=2023", &app.admin).await;
    let i = item(&y.body["items"], "teachers_completed_pd_per_year");
    assert_eq!((i["unit"].clone(), i["denominator"].clone()), (json!("people"), Value::Null));

    let builtin = format!("{DEFS}/teachers_with_cnppm_route");
    app.patch(&builtin, &app.admin, "\"1\"", &json!({"name": "Иное"})).await.assert_problem(409);
    app.send("POST", &format!("{builtin}/retire"), Some(&app.admin), None, &[("if-match", "\"1\"")])
        .await
        .assert_problem(409);

    let retired =
        app.send("POST", &format!("{path}/retire"), Some(&app.admin), None, &[("if-match", &count.etag())]).await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    assert_eq!(retired.body["status"], "retired");
    assert!(retired.body["retired_at"].is_string());
    let y = app.get("/api/v1/monitoring/indicators?year=2023", &app.admin).await;
    assert!(!y.text.contains("teachers_completed_pd_per_year"), "a retired definition is not computed");
    let still = app.get(&path, &app.admin).await;
    assert_eq!((still.status, still.body["status"].clone()), (200, json!("retired")));
    assert!(app.get(DEFS, &app.admin).await.text.contains("teachers_completed_pd_per_year"), "listed, retired");
    app.patch(&path, &app.admin, &retired.etag(), &json!({"name": "Новое"})).await.assert_problem(409);
    let again = app.post(DEFS, &app.admin, &programme_per_year()).await;
    again.assert_problem(409);
    assert_eq!(again.error_fields(), ["code"]);

    // Every change went to the change feed (and the audit trail) in its transaction.
    let feed = app.get("/api/v1/changes?after=0&limit=500", &app.admin).await;
    let actions: Vec<String> = feed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource_type"] == "monitoring_definition")
        .map(|e| {
            format!("{} {} {}", e["action"].as_str().unwrap_or("?"), e["payload"]["version"], e["payload"]["status"])
        })
        .collect();
    assert_eq!(actions, ["created 1 \"active\"", "updated 2 \"active\"", "updated 3 \"retired\""], "{}", feed.text);
    let audit = app.get("/api/v1/audit?resource_type=monitoring_definition&limit=500", &app.admin).await;
    let audited: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().filter_map(|a| a["action"].as_str()).collect();
    assert_eq!(audited.len(), 3, "{}", audit.text);
    assert!(audited.contains(&"retire"), "{}", audit.text);
}

//! Personal-data duties under 152-ФЗ (issue 20): bases and consents per purpose, withdrawal,
//! the federal export leaving out her personal data, depersonalisation after the term, the
//! subject access report and who may see it.

use chrono::{Days, NaiveDate};
use rsnms_domain::{auth::Role, personal_data};
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::{
    diagnostics::{Framework, framework, record},
    imports::snils,
};

pub(crate) fn today() -> NaiveDate {
    rsnms_domain::clock::region_today()
}

pub(crate) fn days_after(n: u64) -> NaiveDate {
    today().checked_add_days(Days::new(n)).unwrap()
}

pub(crate) async fn person(app: &TestApp, org: &Value, surname: &str, n: u32) -> String {
    id(&app
        .create_person(json!({
            "surname": surname, "first_name": "Анна", "patronymic": "Петровна", "organization_id": org["id"],
            "roles": ["teacher"], "snils": snils(n), "email": format!("t{n}@school.example"),
            "phone": "+7 301 221-00-00", "birth_date": "1990-05-01"
        }))
        .await)
}

pub(crate) async fn consent(app: &TestApp, person: &str, purpose: &str) -> Value {
    let r = app
        .post(
            &format!("/api/v1/persons/{person}/processing-bases"),
            &app.admin,
            &json!({"purpose": purpose, "kind": "consent", "consent_form": "written", "document_ref": "С-2026/1"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

pub(crate) async fn withdraw(app: &TestApp, person: &str, basis: &Value) -> Value {
    let r = app
        .post(&format!("/api/v1/persons/{person}/processing-bases/{}/withdraw", id(basis)), &app.admin, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// An approved 2026 route for a teacher, one step.
async fn route(app: &TestApp, f: &Framework, teacher: &str, tutor: &str) -> Value {
    let created = app.post("/api/v1/routes", &app.admin, &route_body(f, teacher, tutor)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

fn route_body(f: &Framework, teacher: &str, tutor: &str) -> Value {
    json!({
        "person_id": teacher, "tutor_id": tutor, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "diagnostic_ids": [f.campaign["id"]], "deficit_competency_ids": [f.ict],
        "steps": [{
            "title": "Стажировка", "competency_ids": [f.ict], "activity": "internship",
            "planned_start": "2026-02-01", "planned_end": "2026-03-01", "expected_result": "Урок",
            "reporting_form": "report"
        }]
    })
}

async fn tutor(app: &TestApp, region: &Value) -> String {
    let cnppm =
        app.create_org(json!({"name": "ЦНППМ Республики Бурятия", "kind": "cnppm", "parent_id": region["id"]})).await;
    id(&app
        .create_person(
            json!({"surname": "Тьюторова", "first_name": "Ольга", "organization_id": cnppm["id"], "roles": ["tutor"]}),
        )
        .await)
}

pub(crate) fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[tokio::test]
async fn a_withdrawal_for_the_federal_exchange_removes_her_personal_data_from_the_next_export() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let tutor = tutor(&app, &r.region).await;
    let her = person(&app, &r.school_a, "Иванова", 11).await;
    let other = person(&app, &r.school_b, "Петрова", 12).await;
    for p in ["iom", "diagnostics"] {
        consent(&app, &her, p).await;
    }
    let federal = consent(&app, &her, "federal_exchange").await;
    assert_eq!(federal["in_force"], true);
    for t in [&her, &other] {
        record(
            &app,
            &f.campaign,
            json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]),
        )
        .await;
        route(&app, &f, t, &tutor).await;
    }
    let integration = app.token(Role::Integration, None, None);
    let path = "/api/v1/exports/federal/routes?period_from=2026-01-01&period_to=2026-12-31";
    let snils_of = |body: &Value, p: &str| {
        let routes = body["routes"].as_array().unwrap();
        let r = routes.iter().find(|r| r["person"]["id"] == p).unwrap();
        r["person"]["snils"].as_str().map(digits)
    };
    let before = app.get(path, &integration).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(snils_of(&before.body, &her), Some(digits(&snils(11))));

    let withdrawn = withdraw(&app, &her, &federal).await;
    assert_eq!(
        (withdrawn["in_force"].as_bool(), withdrawn["withdrawn_on"].as_str()),
        (Some(false), Some(&*today().to_string()))
    );

    let after = app.get(path, &integration).await;
    assert_eq!(after.status, 200, "{}", after.text);
    assert_eq!(after.body["routes"].as_array().unwrap().len(), 2, "her route still counts");
    assert_eq!(snils_of(&after.body, &her), None, "her СНИЛС is left out");
    assert!(!after.text.contains(&digits(&snils(11))), "nowhere in the body");
    assert_eq!(
        snils_of(&after.body, &other),
        Some(digits(&snils(12))),
        "a person with no basis recorded: the transition"
    );
    let csv = app.send("GET", path, Some(&integration), None, &[("Accept", "text/csv")]).await;
    assert_eq!(csv.status, 200);
    assert!(!csv.text.contains(&digits(&snils(11))) && csv.text.contains(&digits(&snils(12))), "{}", csv.text);

    let again = app
        .post(&format!("/api/v1/persons/{her}/processing-bases/{}/withdraw", id(&federal)), &app.admin, &json!({}))
        .await;
    again.assert_problem(409);
}

#[tokio::test]
async fn a_withdrawal_of_every_basis_depersonalises_her_after_the_term_while_monitoring_counts_stay_equal() {
    let url = rsnms_tests::fresh_database_url().await;
    let mut settings = rsnms_tests::test_settings(&url);
    settings.min_group_size = 1;
    let app = rsnms_tests::spawn_with(settings).await;
    let r = app.seed_region().await;
    // A subscriber that may see personal data: its deliveries copy her person events.
    let sub = app
        .post("/api/v1/webhooks", &app.admin, &json!({"url": "http://127.0.0.1:9/hook", "event_types": ["person.*"]}))
        .await;
    assert_eq!(sub.status, 201, "{}", sub.text);
    let f = framework(&app, &r).await;
    let tutor = tutor(&app, &r.region).await;
    let her = person(&app, &r.school_a, "Иванова", 21).await;
    let kept = person(&app, &r.school_a, "Сидорова", 22).await;
    let bases = [consent(&app, &her, "iom").await, consent(&app, &her, "diagnostics").await];
    for p in ["iom", "diagnostics"] {
        consent(&app, &kept, p).await;
    }
    for t in [&her, &kept] {
        record(
            &app,
            &f.campaign,
            json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]),
        )
        .await;
        route(&app, &f, t, &tutor).await;
    }
    let analyst = app.token(Role::Analyst, None, None);
    let counts = || async {
        let m = app.get("/api/v1/monitoring/indicators?year=2026", &analyst).await;
        assert_eq!(m.status, 200, "{}", m.text);
        let d = app.get("/api/v1/diagnostics/analytics?period_from=2025-10-01&period_to=2025-12-31", &analyst).await;
        assert_eq!(d.status, 200, "{}", d.text);
        (m.body, d.body)
    };
    let before = counts().await;
    let empty = app.get("/api/v1/diagnostics/analytics?period_from=2024-10-01&period_to=2024-12-31", &analyst).await;
    assert_ne!(before.1, empty.body, "the counts include her results (groups of one are shown here)");

    withdraw(&app, &her, &bases[0]).await;
    let plan = app.get("/api/v1/personal-data/depersonalisation?dry_run=true", &app.admin).await;
    assert_eq!(plan.status, 200, "{}", plan.text);
    assert_eq!(plan.body["due"], json!([]), "one basis remains: nothing due");
    withdraw(&app, &her, &bases[1]).await;
    let next_year = route_body(&f, &her, &tutor).to_string().replace("2026-", "2027-");
    let refused = app.post("/api/v1/routes", &app.admin, &serde_json::from_str(&next_year).unwrap()).await;
    refused.assert_problem(409);
    assert_eq!(refused.body["errors"][0]["field"], "person_id", "{}", refused.text);

    let plan = app.get("/api/v1/personal-data/depersonalisation?dry_run=true", &app.admin).await;
    assert_eq!(plan.body["due"], json!([]), "the term has not run: {}", plan.text);
    let upcoming = plan.body["upcoming"].as_array().unwrap();
    assert_eq!(upcoming.len(), 1, "{}", plan.text);
    assert_eq!(upcoming[0]["person_id"], her.as_str());
    assert_eq!(upcoming[0]["due_on"], days_after(30).to_string());
    let ahead = app.get(&format!("/api/v1/personal-data/depersonalisation?today={}", days_after(30)), &app.admin).await;
    assert_eq!(ahead.body["due"][0]["person_id"], her.as_str(), "{}", ahead.text);
    let nobody = app.get("/api/v1/personal-data/depersonalisation", &app.token(Role::Operator, None, None)).await;
    nobody.assert_problem(403);

    // The fan-out to subscribers runs in the background: wait until her events are in the
    // subscriber's delivery log (kept in the database; retried while pending).
    let mut fanned_out = false;
    for _ in 0..200 {
        if delivery_bodies(&app).await.contains("Иванова") {
            fanned_out = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(fanned_out, "her person events reach the subscriber's deliveries before the sweep");
    let repo = app.store.personal_data.as_ref();
    assert_eq!(personal_data::run_depersonalisation(repo, days_after(29), 30).await.unwrap(), Vec::<uuid::Uuid>::new());
    let shown = app.get(&format!("/api/v1/persons/{her}"), &app.admin).await;
    assert_eq!(shown.body["surname"], "Иванова", "not before the term");

    let done = personal_data::run_depersonalisation(repo, days_after(30), 30).await.unwrap();
    assert_eq!(done.iter().map(ToString::to_string).collect::<Vec<_>>(), vec![her.clone()]);
    assert_eq!(
        personal_data::run_depersonalisation(repo, days_after(31), 30).await.unwrap(),
        Vec::<uuid::Uuid>::new(),
        "once"
    );

    let p = app.get(&format!("/api/v1/persons/{her}"), &app.admin).await;
    assert_eq!(p.status, 200, "the id stays");
    assert_eq!(p.body["surname"], personal_data::DEPERSONALISED_SURNAME);
    for field in ["patronymic", "email", "phone", "snils", "birth_date"] {
        assert!(p.body[field].is_null(), "{field}: {}", p.text);
    }
    assert!(!p.text.contains("Иванова") && !p.text.contains("Петровна"), "{}", p.text);
    let k = app.get(&format!("/api/v1/persons/{kept}"), &app.admin).await;
    assert_eq!(k.body["surname"], "Сидорова", "a person with a basis in force is untouched");

    assert_eq!(counts().await, before, "aggregates unchanged");
    let feed = app.get("/api/v1/changes?limit=500", &app.admin).await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    assert!(!feed.text.contains("Иванова") && !feed.text.contains(&digits(&snils(21))), "the feed keeps ids only");
    assert!(feed.text.contains("Сидорова"));
    let copies = delivery_bodies(&app).await;
    assert!(copies.contains(&her), "her events were fanned out to the subscriber: {copies}");
    assert!(
        !copies.contains("Иванова") && !copies.contains(&digits(&snils(21))),
        "the subscriber's copies keep ids only: {copies}"
    );
    let audit = app.get(&format!("/api/v1/audit?resource_id={her}&limit=500"), &app.admin).await;
    assert!(audit.body["items"].as_array().unwrap().iter().any(|i| i["action"] == "depersonalise"), "{}", audit.text);
    assert!(!audit.text.contains("Иванова"));
    let report = app.get(&format!("/api/v1/persons/{her}/personal-data"), &app.admin).await;
    assert!(report.body["depersonalised_at"].is_string(), "{}", report.text);
    assert_eq!(report.body["routes"].as_array().unwrap().len(), 1, "her route stays, by id");
}

#[tokio::test]
async fn the_access_report_lists_every_read_of_her_personal_data_made_in_the_test() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let her = person(&app, &r.school_a, "<b>Иванова</b>", 31).await;
    let basis = consent(&app, &her, "monitoring").await;
    let school = app.token(Role::Organization, Some(&r.school_a), None);
    let municipality = app.token(Role::Municipal, Some(&r.mun_a), None);
    let herself = app.token(Role::Teacher, None, Some(&her));
    let mut reads = Vec::new();
    for token in [&app.admin, &school, &herself] {
        let g = app.get(&format!("/api/v1/persons/{her}"), token).await;
        assert_eq!((g.status, g.body["personal_data_visible"].as_bool()), (200, Some(true)), "{}", g.text);
        reads.push(g.header("x-request-id").unwrap());
    }
    let list = app.get(&format!("/api/v1/persons?organization_id={}", id(&r.school_a)), &municipality).await;
    assert_eq!(list.status, 200);
    reads.push(list.header("x-request-id").unwrap());
    let bases = app.get(&format!("/api/v1/persons/{her}/processing-bases"), &herself).await;
    assert_eq!(bases.body["items"][0]["id"], basis["id"], "{}", bases.text);

    let report = app.get(&format!("/api/v1/persons/{her}/personal-data"), &school).await;
    assert_eq!(report.status, 200, "{}", report.text);
    reads.push(report.header("x-request-id").unwrap());
    let listed: Vec<String> =
        report.body["reads"].as_array().unwrap().iter().map(|x| x["request_id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(listed, reads, "every read, in order, this report's own last");
    let roles: Vec<&str> =
        report.body["reads"].as_array().unwrap().iter().map(|x| x["actor_role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["admin", "organization", "teacher", "municipal", "organization"]);
    assert_eq!(report.body["person"]["snils"].as_str().map(digits), Some(digits(&snils(31))));
    assert_eq!(report.body["bases"][0]["purpose"], "monitoring");

    let html = app
        .send("GET", &format!("/api/v1/persons/{her}/personal-data"), Some(&herself), None, &[("Accept", "text/html")])
        .await;
    assert_eq!(html.status, 200, "{}", html.text);
    assert!(html.header("content-type").unwrap().starts_with("text/html"));
    // Escaped by the template (askama writes `<` and `>` as numeric character references).
    assert!(html.text.contains("&#60;b&#62;Иванова&#60;/b&#62;") && !html.text.contains("<b>Иванова"), "escaped");
    assert!(html.text.contains("Кто и когда читал персональные данные"));
    let again = app.get(&format!("/api/v1/persons/{her}/personal-data"), &app.admin).await;
    assert_eq!(again.body["reads"].as_array().unwrap().len(), 7, "the HTML report was audited too");
}

#[tokio::test]
async fn roles_that_may_not_read_her_personal_data_get_403_or_404() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let her = person(&app, &r.school_a, "Иванова", 41).await;
    let colleague = person(&app, &r.school_a, "Петрова", 42).await;
    let report = format!("/api/v1/persons/{her}/personal-data");
    let bases = format!("/api/v1/persons/{her}/processing-bases");
    for (token, status) in [
        (app.token(Role::Analyst, None, None), 403),
        (app.token(Role::Organization, Some(&r.school_b), None), 404),
        (app.token(Role::Municipal, Some(&r.mun_b), None), 404),
        (app.token(Role::Teacher, None, Some(&colleague)), 404),
    ] {
        app.get(&report, &token).await.assert_problem(status);
        app.get(&bases, &token).await.assert_problem(status);
    }
    let colleague_token = app.token(Role::Teacher, None, Some(&colleague));
    let write = json!({"purpose": "iom", "kind": "consent", "consent_form": "written"});
    app.post(&bases, &colleague_token, &write).await.assert_problem(403);
    let herself = app.token(Role::Teacher, None, Some(&her));
    app.post(&bases, &herself, &write).await.assert_problem(403);
    let audit = app.get(&format!("/api/v1/audit?resource_id={her}&action=read_personal_data"), &app.admin).await;
    assert_eq!(audit.body["items"], json!([]), "refused reads read nothing");
}

#[tokio::test]
async fn bases_follow_art_6_and_9_and_an_administrator_extends_the_purposes() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let her = person(&app, &r.school_a, "Иванова", 51).await;
    let path = format!("/api/v1/persons/{her}/processing-bases");
    let bad = app.post(&path, &app.admin, &json!({"purpose": "iom", "kind": "consent"})).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), ["consent_form"]);
    let bad = app.post(&path, &app.admin, &json!({"purpose": "iom", "kind": "labour_relationship"})).await;
    assert_eq!(bad.error_fields(), ["legal_act"]);
    let bad = app
        .post(
            &path,
            &app.admin,
            &json!({"purpose": "unknown", "kind": "consent", "consent_form": "written", "valid_until": "2000-01-01"}),
        )
        .await;
    assert_eq!(bad.error_fields(), ["purpose", "valid_until"]);
    let ok = app
        .post(
            &path,
            &app.admin,
            &json!({"purpose": "monitoring", "kind": "regional_act", "legal_act": "Приказ № 1234"}),
        )
        .await;
    assert_eq!((ok.status, ok.body["in_force"].as_bool()), (201, Some(true)), "{}", ok.text);

    let purposes = app.get("/api/v1/personal-data/purposes", &app.token(Role::Teacher, None, Some(&her))).await;
    let codes: Vec<&str> =
        purposes.body["items"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["diagnostics", "federal_exchange", "iom", "monitoring", "network_requests"]);
    let new = json!({"code": "mentoring", "name_ru": "Наставничество"});
    app.post("/api/v1/personal-data/purposes", &app.token(Role::Operator, None, None), &new).await.assert_problem(403);
    let added = app.post("/api/v1/personal-data/purposes", &app.admin, &new).await;
    assert_eq!(added.status, 201, "{}", added.text);
    app.post("/api/v1/personal-data/purposes", &app.admin, &new).await.assert_problem(409);
    let used = app
        .post(&path, &app.admin, &json!({"purpose": "mentoring", "kind": "consent", "consent_form": "electronic"}))
        .await;
    assert_eq!(used.status, 201, "{}", used.text);
}

/// Every webhook delivery body in the database, as one text.
pub(crate) async fn delivery_bodies(app: &TestApp) -> String {
    use sea_orm::ConnectionTrait;
    let db = rsnms_persistence::Database::connect(&rsnms_persistence::DbSettings::new(app.database_url.clone(), 1))
        .await
        .unwrap();
    let rows = db
        .exec()
        .query_all_raw(sea_orm::Statement::from_string(db.backend(), "SELECT body FROM webhook_deliveries"))
        .await
        .unwrap();
    rows.iter().map(|r| r.try_get::<serde_json::Value>("", "body").unwrap().to_string()).collect::<Vec<_>>().join("\n")
}

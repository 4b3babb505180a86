//! Programmes, individual educational routes (ИОМ), their workflow, evidence and suggestions.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::diagnostics::{Framework, campaign, framework, record, teacher};

async fn program(app: &TestApp, developer: &Value, title: &str, federal: bool, comps: &[&str], form: &str) -> Value {
    let mut body = json!({
        "title": title, "kind": "qualification_upgrade", "hours": 36, "form": form, "developer_id": developer["id"],
        "audience": "учителя", "competency_ids": comps, "federal_registry": federal
    });
    if federal {
        body["registry_id"] = json!("ФР-2025-0412");
        body["registry_included_on"] = json!("2025-06-01");
    }
    let r = app.post("/api/v1/programs", &app.admin, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

async fn tutor(app: &TestApp, r: &Region, surname: &str) -> String {
    id(&app
        .create_person(
            json!({"surname": surname, "first_name": "Ольга", "organization_id": r.region["id"], "roles": ["tutor"]}),
        )
        .await)
}

/// A teacher in school A with deficits in both competencies, and a tutor.
async fn setup(app: &TestApp) -> (Region, Framework, String, String) {
    let r = app.seed_region().await;
    let f = framework(app, &r).await;
    let t = teacher(app, &r.school_a, "Иванова").await;
    record(
        app,
        &f.campaign,
        json!([
            {"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
            {"person_id": t, "competency_id": f.assessment, "score": 50, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    let tu = tutor(app, &r, "Тьюторова").await;
    (r, f, t, tu)
}

pub(crate) fn route_body(t: &str, tu: &str, f: &Framework, program: Option<&Value>) -> Value {
    let mut step = json!({
        "title": "Курс повышения квалификации", "competency_ids": [f.ict], "activity": "self_education",
        "planned_start": "2026-02-01", "planned_end": "2026-03-01", "expected_result": "Урок с цифровыми инструментами",
        "reporting_form": "open_lesson"
    });
    if let Some(p) = program {
        step["activity"] = json!("program");
        step["program_id"] = p["id"].clone();
        step["reporting_form"] = json!("certificate");
    }
    json!({
        "person_id": t, "tutor_id": tu, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "diagnostic_ids": [f.campaign["id"]], "deficit_competency_ids": [f.ict],
        "steps": [step]
    })
}

pub(crate) async fn action(app: &TestApp, route: &str, name: &str, token: &str, etag: &str) -> rsnms_tests::Reply {
    app.send("POST", &format!("/api/v1/routes/{route}/{name}"), Some(token), None, &[("if-match", etag)]).await
}

#[tokio::test]
async fn a_programme_checks_its_hours_against_its_kind_and_needs_registry_details_when_federal() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let bad = app
        .post(
            "/api/v1/programs",
            &app.admin,
            &json!({"title": "Переподготовка", "kind": "retraining", "hours": 100, "form": "distance",
            "developer_id": r.region["id"], "competency_ids": [f.ict], "federal_registry": true}),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["hours", "registry_id", "registry_included_on"]);
    let fed = program(&app, &r.region, "Федеральная", true, &[&f.ict], "distance").await;
    assert_eq!(fed["registry_id"], "ФР-2025-0412");
    program(&app, &r.region, "Региональная", false, &[&f.assessment], "in_person").await;
    let teacher_token = app.token(Role::Teacher, Some(&r.school_a), Some(&teacher(&app, &r.school_a, "Петрова").await));
    let by_comp = app.get(&format!("/api/v1/programs?competency_id={}", f.ict), &teacher_token).await;
    assert_eq!(by_comp.status, 200);
    let titles: Vec<&str> =
        by_comp.body["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Федеральная"]);
    let regional = app.get("/api/v1/programs?federal_registry=false", &teacher_token).await;
    assert_eq!(regional.body["items"][0]["title"], "Региональная");
    let valid = json!({"title": "x", "kind": "qualification_upgrade", "hours": 16, "form": "distance", "developer_id": r.region["id"]});
    app.post("/api/v1/programs", &teacher_token, &valid).await.assert_problem(403);
    let etag = app.get(&format!("/api/v1/programs/{}", id(&fed)), &app.admin).await.etag();
    let p = app.patch(&format!("/api/v1/programs/{}", id(&fed)), &app.admin, &etag, &json!({"hours": 72})).await;
    assert_eq!((p.status, p.body["hours"].as_i64(), p.body["version"].as_i64()), (200, Some(72), Some(2)));
}

#[tokio::test]
async fn a_route_built_on_suggestions_goes_from_draft_to_completed_and_a_repeat_diagnostic_closes_its_deficit() {
    let app = spawn_app().await;
    let (r, f, t, tu) = setup(&app).await;
    program(&app, &r.region, "Региональный курс по обоим", false, &[&f.ict, &f.assessment], "blended").await;
    let fed = program(&app, &r.region, "Федеральный курс ИКТ", true, &[&f.ict], "distance").await;
    program(&app, &r.region, "Не по дефицитам", true, &[], "distance").await;

    let operator = app.token(Role::Operator, Some(&r.region), None);
    let s = app.get(&format!("/api/v1/routes/suggestions?person_id={t}"), &operator).await;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.body["open_deficits"].as_array().unwrap().len(), 2);
    let items = s.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "a programme covering no deficit is not suggested");
    assert_eq!(items[0]["id"], fed["id"], "federal registry first");
    assert_eq!(items[0]["kind"], "program");
    assert!(items[0]["reason"].as_str().unwrap().contains("федеральный реестр"), "{}", items[0]["reason"]);
    assert!(items[1]["reason"].as_str().unwrap().contains("2 из 2"));
    let en = app
        .send(
            "GET",
            &format!("/api/v1/routes/suggestions?person_id={t}"),
            Some(&operator),
            None,
            &[("accept-language", "en")],
        )
        .await;
    assert!(en.body["items"][0]["reason"].as_str().unwrap().starts_with("Covers 1 of 2"));

    let created = app.post("/api/v1/routes", &operator, &route_body(&t, &tu, &f, Some(&fed))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route = id(&created.body);
    assert_eq!((created.body["status"].as_str(), created.body["progress"].as_u64()), (Some("draft"), Some(0)));
    assert_eq!(created.body["allowed_actions"], json!(["request_review", "approve", "cancel"]));
    let step = created.body["steps"][0]["id"].as_str().unwrap().to_owned();

    let tutor_token = app.token(Role::Tutor, Some(&r.region), Some(&tu));
    let own = app.token(Role::Teacher, Some(&r.school_a), Some(&t));
    let approved = action(&app, &route, "approve", &tutor_token, "\"1\"").await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.body["approved_by"], "test-tutor");
    let started = action(&app, &route, "start", &own, &approved.etag()).await;
    assert_eq!(started.body["status"], "in_progress", "{}", started.text);

    let ev_url = format!("/api/v1/routes/{route}/steps/{step}/evidence");
    let ev = app.post(&ev_url, &own, &json!({"kind": "certificate", "description": "Удостоверение № 0412", "url": "https://example.org/cert.pdf"})).await;
    assert_eq!(ev.status, 201, "{}", ev.text);
    assert_eq!(ev.body["status"], "submitted");
    let review_url = format!("/api/v1/routes/{route}/evidence/{}/review", id(&ev.body));
    app.post(&review_url, &own, &json!({"decision": "accepted"})).await.assert_problem(403);
    let accepted = app.post(&review_url, &tutor_token, &json!({"decision": "accepted", "comment": "Принято"})).await;
    assert_eq!(accepted.body["status"], "accepted", "{}", accepted.text);
    app.post(&review_url, &tutor_token, &json!({"decision": "rejected"})).await.assert_problem(409);

    let early = app.send("POST", &format!("/api/v1/routes/{route}/complete"), Some(&tutor_token),
        Some(&json!({"transfer": [{"form": "master_class", "held_on": "2026-04-10", "description": "Мастер-класс"}]})),
        &[("if-match", &started.etag())]).await;
    early.assert_problem(409);
    let mut steps = started.body["steps"].clone();
    steps[0]["status"] = json!("done");
    let done =
        app.patch(&format!("/api/v1/routes/{route}"), &tutor_token, &started.etag(), &json!({"steps": steps})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["progress"], 100);
    assert_eq!(done.body["steps"][0]["id"], step.as_str(), "step ids survive edits");

    let no_transfer = app
        .send(
            "POST",
            &format!("/api/v1/routes/{route}/complete"),
            Some(&tutor_token),
            Some(&json!({"transfer": []})),
            &[("if-match", &done.etag())],
        )
        .await;
    no_transfer.assert_problem(422);
    assert_eq!(no_transfer.error_fields(), vec!["transfer"]);
    let repeat = campaign(&app, &r.region, &[&f.ict], "2026-10-01", "2026-11-20").await;
    let completed = app.send("POST", &format!("/api/v1/routes/{route}/complete"), Some(&tutor_token),
        Some(&json!({"transfer": [{"form": "master_class", "held_on": "2026-04-10", "description": "Мастер-класс для МО района"}],
                     "repeat_diagnostic_on": "2026-10-15", "repeat_campaign_id": repeat["id"]})),
        &[("if-match", &done.etag())]).await;
    assert_eq!(completed.status, 200, "{}", completed.text);
    assert_eq!(completed.body["status"], "completed");
    assert_eq!(completed.body["transfer"][0]["form"], "master_class");
    assert_eq!(completed.body["allowed_actions"], json!(["reopen"]));
    app.patch(&format!("/api/v1/routes/{route}"), &operator, &completed.etag(), &json!({"period_end": "2026-12-30"}))
        .await
        .assert_problem(409);
    app.post(&ev_url, &own, &json!({"kind": "report", "description": "ещё"})).await.assert_problem(409);
    let log = app.get(&format!("/api/v1/routes/{route}/evidence"), &own).await;
    assert_eq!(log.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(log.body["items"][0]["status"], "accepted");

    let before = app.get(&format!("/api/v1/routes/{route}"), &own).await;
    assert_eq!(before.body["deficits"][0]["status"], "open");
    record(&app, &repeat, json!([{"person_id": t, "competency_id": f.ict, "score": 85, "assessed_on": "2026-11-01"}]))
        .await;
    let after = app.get(&format!("/api/v1/routes/{route}"), &own).await;
    assert_eq!(after.body["deficits"][0]["status"], "closed", "{}", after.text);
    assert_eq!(after.body["deficits"][0]["closed_on"], "2026-11-01");
    assert_eq!(after.body["deficits"][0]["closed_by_campaign_id"], repeat["id"]);
    assert_eq!(after.body["version"], completed.body["version"], "a completed route stays frozen");
}

#[tokio::test]
async fn the_route_workflow_rejects_wrong_transitions_stale_versions_and_strangers() {
    let app = spawn_app().await;
    let (r, f, t, tu) = setup(&app).await;
    let other_tutor = tutor(&app, &r, "Другая").await;
    let operator = app.token(Role::Operator, Some(&r.region), None);
    let created = app.post("/api/v1/routes", &operator, &route_body(&t, &tu, &f, None)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route = id(&created.body);
    let early = action(&app, &route, "start", &operator, "\"1\"").await;
    early.assert_problem(409);
    assert_eq!(early.body["allowed"], json!(["request_review", "approve", "cancel"]), "{}", early.text);
    action(&app, &route, "approve", &operator, "\"7\"").await.assert_problem(412);
    app.send("POST", &format!("/api/v1/routes/{route}/approve"), Some(&operator), None, &[]).await.assert_problem(428);
    let stranger = app.token(Role::Tutor, Some(&r.region), Some(&other_tutor));
    action(&app, &route, "approve", &stranger, "\"1\"").await.assert_problem(404);
    let own = app.token(Role::Teacher, Some(&r.school_a), Some(&t));
    action(&app, &route, "approve", &own, "\"1\"").await.assert_problem(403);

    let overlap = app.post("/api/v1/routes", &operator, &route_body(&t, &tu, &f, None)).await;
    overlap.assert_problem(409);
    assert_eq!(overlap.error_fields(), vec!["period_start"]);
    let mut body = route_body(&t, &t, &f, None);
    body["period_start"] = json!("2027-01-01");
    body["period_end"] = json!("2027-12-31");
    body["deficit_competency_ids"] = json!([f.ict, id(&r.region)]);
    body["steps"][0]["competency_ids"] = json!([f.assessment]);
    let bad = app.post("/api/v1/routes", &operator, &body).await;
    bad.assert_problem(422);
    assert_eq!(
        bad.error_fields(),
        vec!["tutor_id", "deficit_competency_ids[1]", "steps[0].competency_ids[0]", "steps[0].planned_start"]
    );
    let cancelled = action(&app, &route, "cancel", &operator, "\"1\"").await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.text);
    let again = app.post("/api/v1/routes", &operator, &route_body(&t, &tu, &f, None)).await;
    assert_eq!(again.status, 201, "a cancelled route frees its period: {}", again.text);
}

#[tokio::test]
async fn a_tutor_sees_the_routes_and_persons_they_tutor_and_a_teacher_only_their_own() {
    let app = spawn_app().await;
    let (r, f, t, tu) = setup(&app).await;
    let b = teacher(&app, &r.school_b, "Кузнецова").await;
    let operator = app.token(Role::Operator, Some(&r.region), None);
    let created = app.post("/api/v1/routes", &operator, &route_body(&t, &tu, &f, None)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route = id(&created.body);

    let tutor_token = app.token(Role::Tutor, Some(&r.region), Some(&tu));
    let mine = app.get("/api/v1/routes", &tutor_token).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1, "{}", mine.text);
    assert_eq!(app.get(&format!("/api/v1/persons/{t}"), &tutor_token).await.status, 200, "a tutor sees their tutee");
    app.get(&format!("/api/v1/persons/{b}"), &tutor_token).await.assert_problem(404);
    assert_eq!(app.get(&format!("/api/v1/persons/{t}/deficits"), &tutor_token).await.status, 200);
    let results = app.get(&format!("/api/v1/diagnostics/{}/results", id(&f.campaign)), &tutor_token).await;
    assert_eq!(results.body["items"].as_array().unwrap().len(), 2);

    let teacher_b = app.token(Role::Teacher, Some(&r.school_b), Some(&b));
    app.get(&format!("/api/v1/routes/{route}"), &teacher_b).await.assert_problem(404);
    assert_eq!(app.get("/api/v1/routes", &teacher_b).await.body["items"].as_array().unwrap().len(), 0);
    let own = app.token(Role::Teacher, Some(&r.school_a), Some(&t));
    assert_eq!(app.get(&format!("/api/v1/routes/{route}"), &own).await.status, 200);
    let org_b = app.token(Role::Organization, Some(&r.school_b), None);
    app.get(&format!("/api/v1/routes/{route}"), &org_b).await.assert_problem(404);
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    assert_eq!(
        app.get(&format!("/api/v1/routes?person_id={t}"), &mun_a).await.body["items"].as_array().unwrap().len(),
        1
    );
    let analyst = app.token(Role::Analyst, None, None);
    app.get("/api/v1/routes", &analyst).await.assert_problem(403);

    let cancelled = action(&app, &route, "cancel", &operator, "\"1\"").await;
    assert_eq!(cancelled.status, 200);
    app.get(&format!("/api/v1/persons/{t}"), &tutor_token).await.assert_problem(404);
}

/// A route in progress of a teacher of school A, for the cross-scope matrix.
pub(crate) async fn route_in_school_a(app: &TestApp, r: &Region) -> String {
    let f = framework(app, r).await;
    let t = teacher(app, &r.school_a, "Маршрутова").await;
    record(
        app,
        &f.campaign,
        json!([{"person_id": t, "competency_id": f.ict, "score": 10, "assessed_on": "2025-10-01"}]),
    )
    .await;
    let tu = tutor(app, r, "Сопровождающая").await;
    let created = app.post("/api/v1/routes", &app.admin, &route_body(&t, &tu, &f, None)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route = id(&created.body);
    let approved = action(app, &route, "approve", &app.admin, "\"1\"").await;
    let started = action(app, &route, "start", &app.admin, &approved.etag()).await;
    assert_eq!(started.status, 200, "{}", started.text);
    route
}

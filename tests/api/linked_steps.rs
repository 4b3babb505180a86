//! Linked route steps (issue 17 item 1): an `event` step references the person's registration,
//! an `internship` step a place at a site (capacity respected), a `mentoring` step the pair whose
//! mentee she is; they take their dates and completion from those records. Review transitions
//! (`request_review`, `reopen`), the reviewer's rating, the tutor shown on the route.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::diagnostics::{Framework, framework, record, teacher};

struct World {
    r: Region,
    f: Framework,
    teacher: String,
    tutor: String,
    event: String,
    registration: Value,
    site: String,
    pair: String,
    program: String,
}

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let r = app.post(path, &app.admin, &body).await;
    assert_eq!(r.status, 201, "{path}: {}", r.text);
    r.body
}

/// A teacher with a deficit in ICT, her tutor, a held event she is registered for, a site whose
/// period is over (one place), a closed mentoring pair whose mentee she is, and a programme.
async fn world(app: &TestApp) -> World {
    let r = app.seed_region().await;
    let f = framework(app, &r).await;
    let t = teacher(app, &r.school_a, "Иванова").await;
    record(
        app,
        &f.campaign,
        json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]),
    )
    .await;
    let tutor = id(&app
        .create_person(json!({"surname": "Тьюторова", "first_name": "Ольга", "position": "Тьютор ЦНППМ",
            "organization_id": r.region["id"], "roles": ["tutor"]}))
        .await);
    let event = id(&post(app, "/api/v1/events", json!({"title": "Семинар «Цифровой урок»", "kind": "seminar",
        "level": "regional", "held_on": "2026-04-10", "organizer_id": r.region["id"], "capacity": 5, "competency_ids": [f.ict]}))
    .await);
    let registration = post(app, &format!("/api/v1/events/{event}/participants"), json!({"person_id": t})).await;
    let site = id(&post(
        app,
        "/api/v1/internship-sites",
        json!({"organization_id": r.school_a["id"], "theme": "Цифровой урок",
        "competency_ids": [f.ict], "capacity": 1, "period_start": "2026-05-01", "period_end": "2026-05-31",
        "selection_decision": "Приказ № 45"}),
    )
    .await);
    let mentor = id(&app
        .create_person(json!({"surname": "Наставникова", "first_name": "Мария", "organization_id": r.school_a["id"], "roles": ["mentor"]}))
        .await);
    let pair = id(&post(app, "/api/v1/mentoring-pairs", json!({"mentor_id": mentor, "mentee_id": t, "form": "peer",
        "period_start": "2026-02-01", "period_end": "2026-03-01", "organization_id": r.school_a["id"], "competency_ids": [f.ict]}))
    .await);
    let program = id(&post(app, "/api/v1/programs", json!({"title": "Цифровая дидактика", "kind": "qualification_upgrade",
        "hours": 36, "form": "distance", "developer_id": r.region["id"], "audience": "учителя", "competency_ids": [f.ict],
        "federal_registry": false}))
    .await);
    World { r, f, teacher: t, tutor, event, registration, site, pair, program }
}

fn step(w: &World, activity: &str, link: Option<(&str, &str)>) -> Value {
    let mut s = json!({"title": format!("Шаг {activity}"), "competency_ids": [w.f.ict], "activity": activity,
        "expected_result": "Открытый урок", "reporting_form": "report"});
    if let Some((field, value)) = link {
        s[field] = json!(value);
    }
    // Only links to an event, a site or a pair carry dates.
    if !matches!(link, Some(("event_id" | "internship_site_id" | "mentoring_pair_id", _))) {
        s["planned_start"] = json!("2026-06-01");
        s["planned_end"] = json!("2026-06-30");
    }
    s
}

fn route(w: &World, person: &str, steps: Vec<Value>) -> Value {
    json!({"person_id": person, "tutor_id": w.tutor, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "diagnostic_ids": [w.f.campaign["id"]], "deficit_competency_ids": [w.f.ict], "steps": steps})
}

fn every_kind(w: &World) -> Vec<Value> {
    vec![
        step(w, "program", Some(("program_id", &w.program))),
        step(w, "event", Some(("event_id", &w.event))),
        step(w, "internship", Some(("internship_site_id", &w.site))),
        step(w, "mentoring", Some(("mentoring_pair_id", &w.pair))),
        step(w, "self_education", None),
    ]
}

async fn action(app: &TestApp, route: &str, name: &str, token: &str, etag: &str) -> rsnms_tests::Reply {
    app.send("POST", &format!("/api/v1/routes/{route}/{name}"), Some(token), None, &[("if-match", etag)]).await
}

fn statuses(route: &Value) -> Vec<String> {
    route["steps"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap().to_owned()).collect()
}

/// Submits evidence for a step and accepts it with a rating.
async fn accepted_evidence(app: &TestApp, route: &str, step: &Value) {
    let sub = app
        .post(
            &format!("/api/v1/routes/{route}/steps/{}/evidence", id(step)),
            &app.admin,
            &json!({"kind": "report", "description": "Отчёт о выполнении"}),
        )
        .await;
    assert_eq!(sub.status, 201, "{}", sub.text);
    let review = app
        .post(
            &format!("/api/v1/routes/{route}/evidence/{}/review", id(&sub.body)),
            &app.admin,
            &json!({"decision": "accepted", "rating": 5}),
        )
        .await;
    assert_eq!(review.status, 200, "{}", review.text);
    assert_eq!(review.body["rating"], 5);
}

#[tokio::test]
async fn a_route_with_every_step_kind_takes_dates_and_completions_from_the_linked_records() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let created = app.post("/api/v1/routes", &app.admin, &route(&w, &w.teacher, every_kind(&w))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route_id = id(&created.body);
    let steps = &created.body["steps"];
    assert_eq!(
        (steps[1]["event_id"].as_str(), steps[1]["planned_start"].as_str()),
        (Some(w.event.as_str()), Some("2026-04-10"))
    );
    assert_eq!(
        (steps[2]["planned_start"].as_str(), steps[2]["planned_end"].as_str()),
        (Some("2026-05-01"), Some("2026-05-31"))
    );
    assert_eq!(
        (steps[3]["planned_start"].as_str(), steps[3]["planned_end"].as_str()),
        (Some("2026-02-01"), Some("2026-03-01"))
    );

    // Nothing progresses before the route runs, however finished the records are.
    let as_teacher = app.token(Role::Teacher, Some(&w.r.school_a), Some(&w.teacher));
    let review = action(&app, &route_id, "request_review", &as_teacher, &created.etag()).await;
    assert_eq!((review.status, review.body["status"].as_str()), (200, Some("in_review")), "{}", review.text);
    assert_eq!(review.body["allowed_actions"], json!(["approve", "reopen", "cancel"]));
    assert_eq!(statuses(&review.body), ["planned"; 5]);
    let approved = action(&app, &route_id, "approve", &app.admin, &review.etag()).await;
    let started = action(&app, &route_id, "start", &app.admin, &approved.etag()).await;
    assert_eq!(started.status, 200, "{}", started.text);
    // The placement is over and the pair closed; the event is not attended yet.
    assert_eq!(statuses(&started.body), ["planned", "planned", "done", "done", "planned"]);
    assert_eq!(started.body["progress"], 40);

    let reg_url = format!("/api/v1/events/{}/participants/{}", w.event, id(&w.registration));
    let current = app.get(&reg_url, &app.admin).await;
    let attended = app.patch(&reg_url, &app.admin, &current.etag(), &json!({"status": "attended"})).await;
    assert_eq!(attended.status, 200, "{}", attended.text);
    let read = app.get(&format!("/api/v1/routes/{route_id}"), &as_teacher).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(statuses(&read.body), ["planned", "done", "done", "done", "planned"]);
    assert_eq!(read.body["progress"], 60);
    // The teacher sees her tutor: name, position, organisation; no personal contacts.
    assert_eq!(read.body["tutor"]["id"], json!(w.tutor));
    assert!(read.body["tutor"]["full_name"].as_str().unwrap().starts_with("Тьюторова Ольга"), "{}", read.text);
    assert_eq!(read.body["tutor"]["position"], "Тьютор ЦНППМ");
    assert_eq!(read.body["tutor"]["organization_id"], w.r.region["id"]);

    // The programme and self-education need accepted evidence (the default policy).
    accepted_evidence(&app, &route_id, &read.body["steps"][0]).await;
    accepted_evidence(&app, &route_id, &read.body["steps"][4]).await;
    let mut steps = read.body["steps"].clone();
    steps[0]["status"] = json!("done");
    steps[4]["status"] = json!("done");
    let done =
        app.patch(&format!("/api/v1/routes/{route_id}"), &app.admin, &read.etag(), &json!({"steps": steps})).await;
    assert_eq!((done.status, done.body["progress"].as_u64()), (200, Some(100)), "{}", done.text);
    let completed = app
        .send("POST", &format!("/api/v1/routes/{route_id}/complete"), Some(&app.admin),
            Some(&json!({"transfer": [{"form": "master_class", "held_on": "2026-10-01", "description": "Мастер-класс"}]})),
            &[("if-match", &done.etag())])
        .await;
    assert_eq!((completed.status, completed.body["status"].as_str()), (200, Some("completed")), "{}", completed.text);
    assert_eq!(statuses(&completed.body), ["done"; 5]);
    assert_eq!(completed.body["allowed_actions"], json!(["reopen"]));

    // A finished route's 409 says what is still allowed; reopening puts it back in progress.
    let cancel = action(&app, &route_id, "cancel", &app.admin, &completed.etag()).await;
    cancel.assert_problem(409);
    assert_eq!(cancel.body["allowed"], json!(["reopen"]), "{}", cancel.text);
    let reopen = action(&app, &route_id, "reopen", &as_teacher, &completed.etag()).await;
    reopen.assert_problem(403);
    let reopened = action(&app, &route_id, "reopen", &app.admin, &completed.etag()).await;
    assert_eq!((reopened.status, reopened.body["status"].as_str()), (200, Some("in_progress")), "{}", reopened.text);
    assert_eq!(reopened.body["progress"], 100);
    let versions = app.get(&format!("/api/v1/routes/{route_id}/versions"), &app.admin).await;
    let actions: Vec<&str> =
        versions.body["items"].as_array().unwrap().iter().map(|v| v["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["create", "request_review", "approve", "start", "update", "complete", "reopen"],
        "{}",
        versions.text
    );
}

fn refused_422(reply: &rsnms_tests::Reply, fields: &[&str]) {
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), fields, "{}", reply.text);
}

#[tokio::test]
async fn a_linked_step_is_refused_naming_the_field_when_its_record_is_missing_foreign_or_full() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let other = teacher(&app, &w.r.school_a, "Петрова").await;
    record(
        &app,
        &w.f.campaign,
        json!([{"person_id": other, "competency_id": w.f.ict, "score": 30, "assessed_on": "2025-10-01"}]),
    )
    .await;
    let post = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/routes", &app.admin, &body).await }
    };
    // Links of another activity, unknown records.
    refused_422(
        &post(route(&w, &w.teacher, vec![step(&w, "mentoring", Some(("internship_site_id", &w.site)))])).await,
        &["steps[0].internship_site_id", "steps[0].planned_start", "steps[0].planned_end"],
    );
    refused_422(
        &post(route(&w, &w.teacher, vec![step(&w, "internship", Some(("internship_site_id", &w.event)))])).await,
        &["steps[0].internship_site_id", "steps[0].planned_start", "steps[0].planned_end"],
    );
    // Another teacher is neither registered for the event nor the mentee of the pair.
    refused_422(
        &post(route(&w, &other, vec![step(&w, "event", Some(("event_id", &w.event)))])).await,
        &["steps[0].event_id"],
    );
    refused_422(
        &post(route(&w, &other, vec![step(&w, "mentoring", Some(("mentoring_pair_id", &w.pair)))])).await,
        &["steps[0].mentoring_pair_id"],
    );
    // The site has one place: the first placement takes it, the second is a 409 naming the step.
    let first = post(route(&w, &w.teacher, vec![step(&w, "internship", Some(("internship_site_id", &w.site)))])).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let full = post(route(&w, &other, vec![step(&w, "internship", Some(("internship_site_id", &w.site)))])).await;
    full.assert_problem(409);
    assert_eq!(full.error_fields(), vec!["steps[0].internship_site_id".to_owned()], "{}", full.text);
    assert_eq!(full.body["allowed"], json!([]));
    // A cancelled route frees the place.
    let cancelled = action(&app, &id(&first.body), "cancel", &app.admin, &first.etag()).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    let placed = post(route(&w, &other, vec![step(&w, "internship", Some(("internship_site_id", &w.site)))])).await;
    assert_eq!(placed.status, 201, "{}", placed.text);

    // A linked step is done by its record, not by hand: the event is not attended yet.
    let r = post(route(&w, &w.teacher, vec![step(&w, "event", Some(("event_id", &w.event)))])).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let route_id = id(&r.body);
    let approved = action(&app, &route_id, "approve", &app.admin, &r.etag()).await;
    let started = action(&app, &route_id, "start", &app.admin, &approved.etag()).await;
    let mut steps = started.body["steps"].clone();
    steps[0]["status"] = json!("done");
    let by_hand =
        app.patch(&format!("/api/v1/routes/{route_id}"), &app.admin, &started.etag(), &json!({"steps": steps})).await;
    by_hand.assert_problem(409);
    assert_eq!(by_hand.error_fields(), vec!["steps[0].status".to_owned()], "{}", by_hand.text);
    assert_eq!(by_hand.body["allowed"], json!(["in_progress", "skipped"]));

    // A rating is 1…5.
    let sub = app
        .post(
            &format!("/api/v1/routes/{route_id}/steps/{}/evidence", id(&started.body["steps"][0])),
            &app.admin,
            &json!({"kind": "report", "description": "Отчёт"}),
        )
        .await;
    assert_eq!(sub.status, 201, "{}", sub.text);
    let bad = app
        .post(
            &format!("/api/v1/routes/{route_id}/evidence/{}/review", id(&sub.body)),
            &app.admin,
            &json!({"decision": "accepted", "rating": 6}),
        )
        .await;
    refused_422(&bad, &["rating"]);

    // Only a draft goes to review; a route in review is approved or reopened as a draft.
    let wrong = action(&app, &route_id, "request_review", &app.admin, &started.etag()).await;
    wrong.assert_problem(409);
    assert_eq!(wrong.body["allowed"], json!(["complete", "cancel"]));
}

#[tokio::test]
async fn concurrent_placements_beyond_a_sites_capacity_leave_exactly_capacity_placed() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let site = id(&post(
        &app,
        "/api/v1/internship-sites",
        json!({"organization_id": w.r.school_a["id"], "theme": "Формирующее оценивание",
        "competency_ids": [w.f.ict], "capacity": 2, "period_start": "2026-06-01", "period_end": "2026-06-30",
        "selection_decision": "Приказ № 46"}),
    )
    .await);
    let mut people = Vec::new();
    for i in 0..6 {
        let p = teacher(&app, &w.r.school_a, &format!("Стажёрова{i}")).await;
        record(
            &app,
            &w.f.campaign,
            json!([{"person_id": p, "competency_id": w.f.ict, "score": 40, "assessed_on": "2025-10-01"}]),
        )
        .await;
        people.push(p);
    }
    let bodies: Vec<Value> = people
        .iter()
        .map(|p| route(&w, p, vec![step(&w, "internship", Some(("internship_site_id", &site)))]))
        .collect();
    let replies =
        futures_util::future::join_all(bodies.iter().map(|b| app.post("/api/v1/routes", &app.admin, b))).await;
    let placed = replies.iter().filter(|r| r.status == 201).count();
    let full: Vec<&rsnms_tests::Reply> = replies.iter().filter(|r| r.status == 409).collect();
    assert_eq!((placed, full.len()), (2, 4), "{:?}", replies.iter().map(|r| (r.status, &r.text)).collect::<Vec<_>>());
    for r in full {
        assert_eq!(r.error_fields(), vec!["steps[0].internship_site_id".to_owned()], "{}", r.text);
    }
    // Nothing half-written: the refused routes do not exist.
    let listed = app.get("/api/v1/routes?limit=100", &app.admin).await;
    let with_site = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["steps"].as_array().unwrap().iter().any(|s| s["internship_site_id"] == json!(site)))
        .count();
    assert_eq!(with_site, 2, "{}", listed.text);
}

#[tokio::test]
async fn the_federal_routes_export_takes_step_completions_from_the_linked_records_as_the_route_shows_them() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Event (not attended yet), placement (over), pair (closed), self-education (needs evidence).
    let steps = vec![
        step(&w, "event", Some(("event_id", &w.event))),
        step(&w, "internship", Some(("internship_site_id", &w.site))),
        step(&w, "mentoring", Some(("mentoring_pair_id", &w.pair))),
        step(&w, "self_education", None),
    ];
    let created = app.post("/api/v1/routes", &app.admin, &route(&w, &w.teacher, steps)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route_id = id(&created.body);
    let approved = action(&app, &route_id, "approve", &app.admin, &created.etag()).await;
    let started = action(&app, &route_id, "start", &app.admin, &approved.etag()).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let reg_url = format!("/api/v1/events/{}/participants/{}", w.event, id(&w.registration));
    let current = app.get(&reg_url, &app.admin).await;
    let attended = app.patch(&reg_url, &app.admin, &current.etag(), &json!({"status": "attended"})).await;
    assert_eq!(attended.status, 200, "{}", attended.text);

    // Hand count: 3 of 4 steps done by their records, 75 %.
    let integration = app.token(Role::Integration, None, None);
    let res = app.get("/api/v1/exports/federal/routes?period_from=2026-01-01&period_to=2026-12-31", &integration).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let exported = res.body["routes"].as_array().unwrap().iter().find(|r| r["id"] == json!(route_id)).unwrap();
    let statuses: Vec<&str> =
        exported["steps"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["done", "done", "done", "planned"]);
    assert_eq!(exported["progress_percent"], 75);
    let shown = app.get(&format!("/api/v1/routes/{route_id}"), &app.admin).await;
    assert_eq!(shown.body["progress"], exported["progress_percent"], "the export and the route agree");
}

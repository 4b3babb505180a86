//! Approval that holds (issue 17 item 2): a route needs steps to be approved, started and
//! completed; a changed plan of an approved or running route goes back for approval; steps
//! progress only in a running route and are done only with the accepted evidence their activity
//! needs. Each refusal names the field and the actions still allowed.

use rsnms_domain::development::iom::EvidencePolicy;
use rsnms_tests::{TestApp, fresh_database_url, id, spawn_app, spawn_with, test_settings};
use serde_json::{Value, json};

use crate::diagnostics::{campaign, framework, record, teacher};

struct Setup {
    body: Value,
    region: Value,
    other_competency: String,
}

async fn setup(app: &TestApp) -> Setup {
    let r = app.seed_region().await;
    let f = framework(app, &r).await;
    let t = teacher(app, &r.school_a, "Иванова").await;
    record(
        app,
        &f.campaign,
        json!([{"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]),
    )
    .await;
    let tu = id(&app
        .create_person(json!({"surname": "Тьюторова", "first_name": "Ольга", "organization_id": r.region["id"], "roles": ["tutor"]}))
        .await);
    let step = json!({"title": "Самообразование", "competency_ids": [f.ict], "activity": "self_education",
        "planned_start": "2026-02-01", "planned_end": "2026-03-01", "expected_result": "Открытый урок",
        "reporting_form": "open_lesson"});
    let body = json!({"person_id": t, "tutor_id": tu, "period_start": "2026-01-01", "period_end": "2026-12-31",
        "diagnostic_ids": [f.campaign["id"]], "deficit_competency_ids": [f.ict], "steps": [step]});
    Setup { body, region: r.region.clone(), other_competency: f.assessment.clone() }
}

async fn action(app: &TestApp, route: &str, name: &str, etag: &str) -> rsnms_tests::Reply {
    app.send("POST", &format!("/api/v1/routes/{route}/{name}"), Some(&app.admin), None, &[("if-match", etag)]).await
}

async fn complete(app: &TestApp, route: &str, etag: &str) -> rsnms_tests::Reply {
    app.send(
        "POST",
        &format!("/api/v1/routes/{route}/complete"),
        Some(&app.admin),
        Some(&json!({"transfer": [{"form": "master_class", "held_on": "2026-10-01", "description": "Мастер-класс"}]})),
        &[("if-match", etag)],
    )
    .await
}

fn with_status(route: &Value, status: &str) -> Value {
    let mut steps = route["steps"].clone();
    steps[0]["status"] = json!(status);
    json!({"steps": steps})
}

fn refused(reply: &rsnms_tests::Reply, field: &str, allowed: Value) {
    reply.assert_problem(409);
    assert_eq!(reply.error_fields(), vec![field.to_owned()], "{}", reply.text);
    assert_eq!(reply.body["allowed"], allowed, "{}", reply.text);
}

#[tokio::test]
async fn an_approved_route_holds_its_plan_and_steps_progress_only_when_running_with_accepted_evidence() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let mut done_at_birth = s.body.clone();
    done_at_birth["steps"][0]["status"] = json!("done");
    refused(
        &app.post("/api/v1/routes", &app.admin, &done_at_birth).await,
        "steps[0].status",
        json!(["request_review", "approve", "cancel"]),
    );

    let created = app.post("/api/v1/routes", &app.admin, &s.body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route = id(&created.body);
    let url = format!("/api/v1/routes/{route}");
    let draft_done = app.patch(&url, &app.admin, &created.etag(), &with_status(&created.body, "done")).await;
    refused(&draft_done, "steps[0].status", json!(["request_review", "approve", "cancel"]));

    let approved = action(&app, &route, "approve", &created.etag()).await;
    assert_eq!(approved.body["status"], "approved", "{}", approved.text);
    // Emptying an approved route sends it back to a draft, which cannot be approved without steps.
    let emptied = app.patch(&url, &app.admin, &approved.etag(), &json!({"steps": []})).await;
    assert_eq!((emptied.status, emptied.body["status"].as_str()), (200, Some("draft")), "{}", emptied.text);
    assert_eq!(emptied.body["approved_by"], Value::Null);
    refused(&action(&app, &route, "approve", &emptied.etag()).await, "steps", json!(["cancel"]));
    refused(
        &action(&app, &route, "start", &emptied.etag()).await,
        "status",
        json!(["request_review", "approve", "cancel"]),
    );
    let replanned = app.patch(&url, &app.admin, &emptied.etag(), &json!({"steps": s.body["steps"]})).await;
    assert_eq!(replanned.status, 200, "{}", replanned.text);
    let approved = action(&app, &route, "approve", &replanned.etag()).await;
    let started = action(&app, &route, "start", &approved.etag()).await;
    assert_eq!(started.body["status"], "in_progress", "{}", started.text);

    // A running route whose plan changes goes back for approval too; progress alone does not.
    let mut moved = started.body["steps"].clone();
    moved[0]["planned_end"] = json!("2026-04-01");
    let back = app.patch(&url, &app.admin, &started.etag(), &json!({"steps": moved})).await;
    assert_eq!(back.body["status"], "draft", "{}", back.text);
    let approved = action(&app, &route, "approve", &back.etag()).await;
    let started = action(&app, &route, "start", &approved.etag()).await;
    let going = app.patch(&url, &app.admin, &started.etag(), &with_status(&started.body, "in_progress")).await;
    assert_eq!((going.status, going.body["status"].as_str()), (200, Some("in_progress")), "{}", going.text);

    let no_evidence = app.patch(&url, &app.admin, &going.etag(), &with_status(&going.body, "done")).await;
    refused(&no_evidence, "steps[0].status", json!(["planned", "skipped"]));
    let step = going.body["steps"][0]["id"].as_str().unwrap().to_owned();
    let ev_url = format!("{url}/steps/{step}/evidence");
    let ev = app.post(&ev_url, &app.admin, &json!({"kind": "open_lesson", "description": "Конспект урока"})).await;
    assert_eq!(ev.status, 201, "{}", ev.text);
    let review = format!("{url}/evidence/{}/review", id(&ev.body));
    app.post(&review, &app.admin, &json!({"decision": "rejected"})).await;
    let rejected_only = app.patch(&url, &app.admin, &going.etag(), &with_status(&going.body, "done")).await;
    refused(&rejected_only, "steps[0].status", json!(["planned", "skipped"]));
    refused(&complete(&app, &route, &going.etag()).await, "steps", json!(["cancel"]));

    let ev = app.post(&ev_url, &app.admin, &json!({"kind": "open_lesson", "description": "Видеозапись урока"})).await;
    let accepted = app
        .post(&format!("{url}/evidence/{}/review", id(&ev.body)), &app.admin, &json!({"decision": "accepted"}))
        .await;
    assert_eq!(accepted.body["status"], "accepted", "{}", accepted.text);
    let done = app.patch(&url, &app.admin, &going.etag(), &with_status(&going.body, "done")).await;
    assert_eq!((done.status, done.body["progress"].as_u64()), (200, Some(100)), "{}", done.text);
    // The repeat diagnostic must measure one of the route's deficits.
    let elsewhere = campaign(&app, &s.region, &[&s.other_competency], "2026-10-01", "2026-11-20").await;
    let off_loop = app
        .send(
            "POST",
            &format!("{url}/complete"),
            Some(&app.admin),
            Some(
                &json!({"transfer": [{"form": "master_class", "held_on": "2026-10-01", "description": "Мастер-класс"}],
                         "repeat_campaign_id": elsewhere["id"]}),
            ),
            &[("if-match", &done.etag())],
        )
        .await;
    off_loop.assert_problem(422);
    assert_eq!(off_loop.error_fields(), vec!["repeat_campaign_id"]);
    let completed = complete(&app, &route, &done.etag()).await;
    assert_eq!(completed.body["status"], "completed", "{}", completed.text);
    refused(&action(&app, &route, "cancel", &completed.etag()).await, "status", json!(["reopen"]));

    // Every version is kept, with who and when; refused changes left none.
    let versions = app.get(&format!("{url}/versions"), &app.admin).await;
    assert_eq!(versions.status, 200, "{}", versions.text);
    let items = versions.body["items"].as_array().unwrap();
    let actions: Vec<(&str, &str)> =
        items.iter().map(|v| (v["action"].as_str().unwrap(), v["status"].as_str().unwrap())).collect();
    assert_eq!(
        actions,
        vec![
            ("create", "draft"),
            ("approve", "approved"),
            ("replan", "draft"),
            ("update", "draft"),
            ("approve", "approved"),
            ("start", "in_progress"),
            ("replan", "draft"),
            ("approve", "approved"),
            ("start", "in_progress"),
            ("update", "in_progress"),
            ("update", "in_progress"),
            ("complete", "completed"),
        ]
    );
    assert_eq!(items[1]["steps"].as_array().unwrap().len(), 1, "the first approved plan is kept");
    assert_eq!(items[2]["steps"], json!([]));
    assert!(
        items.iter().all(|v| v["recorded_by"].as_str().is_some_and(|s| !s.is_empty()) && v["recorded_at"].is_string())
    );
    assert_eq!(items[6]["steps"][0]["planned_end"], "2026-04-01");
    assert_eq!(items.last().unwrap()["version"], completed.body["version"]);
    let stranger = app.token(rsnms_domain::auth::Role::Teacher, None, Some(&id(&created.body)));
    app.get(&format!("{url}/versions"), &stranger).await.assert_problem(404);
}

#[tokio::test]
async fn a_route_whose_steps_are_all_skipped_does_not_complete() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let created = app.post("/api/v1/routes", &app.admin, &s.body).await;
    let route = id(&created.body);
    let approved = action(&app, &route, "approve", &created.etag()).await;
    let started = action(&app, &route, "start", &approved.etag()).await;
    let skipped = app
        .patch(&format!("/api/v1/routes/{route}"), &app.admin, &started.etag(), &with_status(&started.body, "skipped"))
        .await;
    assert_eq!(skipped.status, 200, "{}", skipped.text);
    refused(&complete(&app, &route, &skipped.etag()).await, "steps", json!(["cancel"]));
}

#[tokio::test]
async fn activities_configured_without_evidence_are_done_on_the_tutors_word() {
    let mut settings = test_settings(&fresh_database_url().await);
    settings.route_evidence = EvidencePolicy::parse("program, internship").unwrap();
    let app = spawn_with(settings).await;
    let s = setup(&app).await;
    let created = app.post("/api/v1/routes", &app.admin, &s.body).await;
    let route = id(&created.body);
    let approved = action(&app, &route, "approve", &created.etag()).await;
    let started = action(&app, &route, "start", &approved.etag()).await;
    let done = app
        .patch(&format!("/api/v1/routes/{route}"), &app.admin, &started.etag(), &with_status(&started.body, "done"))
        .await;
    assert_eq!((done.status, done.body["progress"].as_u64()), (200, Some(100)), "{}", done.text);
    assert!(EvidencePolicy::parse("programme").is_err(), "an unknown activity is refused at start-up");
}

#[tokio::test]
async fn a_tutor_is_assigned_only_within_the_territory_she_serves() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let r_b = app.get("/api/v1/organizations?limit=500", &app.admin).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "МБОУ «Кабанская СОШ»")
        .cloned()
        .unwrap();
    let far = id(&app
        .create_person(
            json!({"surname": "Дальняя", "first_name": "Ольга", "organization_id": r_b["id"], "roles": ["tutor"]}),
        )
        .await);
    let mut body = s.body.clone();
    body["tutor_id"] = json!(far);
    let refused = app.post("/api/v1/routes", &app.admin, &body).await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), vec!["tutor_id"]);
    assert_eq!(refused.body["errors"][0]["code"], "outside_territory");
    let regional = app.post("/api/v1/routes", &app.admin, &s.body).await;
    assert_eq!(regional.status, 201, "a regional tutor serves the whole region: {}", regional.text);
}

#[tokio::test]
async fn a_too_long_step_text_is_a_422_naming_the_step_field_even_under_a_stale_version() {
    let app = spawn_app().await;
    let s = setup(&app).await;
    let created = app.post("/api/v1/routes", &app.admin, &s.body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let route = id(&created.body);
    let mut steps = created.body["steps"].clone();
    steps[0]["expected_result"] = json!("ы".repeat(2001));
    let patch = json!({"steps": steps});
    for etag in ["W/\"999\"", created.etag().as_str()] {
        let r = app
            .send("PATCH", &format!("/api/v1/routes/{route}"), Some(&app.admin), Some(&patch), &[("if-match", etag)])
            .await;
        r.assert_problem(422);
        assert_eq!(r.error_fields(), vec!["steps[0].expected_result".to_owned()], "{}", r.text);
    }
    steps[0]["expected_result"] = json!("ы".repeat(2000));
    let r = app
        .send(
            "PATCH",
            &format!("/api/v1/routes/{route}"),
            Some(&app.admin),
            Some(&json!({"steps": steps})),
            &[("if-match", created.etag().as_str())],
        )
        .await;
    assert_eq!(r.status, 200, "2000 characters are allowed: {}", r.text);
}

//! Route templates applied to a group of teachers (issue 17 item 7): each teacher gets her own
//! draft route from the template, or her own refusal naming the field.

use rsnms_domain::auth::Role;
use rsnms_tests::{id, spawn_app};
use serde_json::{Value, json};

use crate::diagnostics::{framework, record, teacher};

#[tokio::test]
async fn a_template_applied_to_a_group_gives_each_teacher_her_own_draft_route_or_her_own_refusal() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let t1 = teacher(&app, &r.school_a, "Иванова").await;
    let t2 = teacher(&app, &r.school_a, "Смирнова").await;
    let at_level = teacher(&app, &r.school_a, "Отличникова").await;
    let elsewhere = teacher(&app, &r.school_b, "Кузнецова").await;
    record(
        &app,
        &f.campaign,
        json!([{"person_id": t1, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
               {"person_id": t2, "competency_id": f.ict, "score": 30, "assessed_on": "2025-10-01"},
               {"person_id": at_level, "competency_id": f.ict, "score": 95, "assessed_on": "2025-10-01"},
               {"person_id": elsewhere, "competency_id": f.ict, "score": 20, "assessed_on": "2025-10-01"}]),
    )
    .await;
    let tutor = id(&app
        .create_person(json!({"surname": "Тьюторова", "first_name": "Ольга", "organization_id": r.region["id"], "roles": ["tutor"]}))
        .await);
    let step = |title: &str, activity: &str| {
        json!({"title": title, "competency_ids": [f.ict], "activity": activity, "planned_start": "2026-02-01",
            "planned_end": "2026-03-31", "expected_result": "Открытый урок", "reporting_form": "open_lesson"})
    };
    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);

    // The plan's shape is checked when the template is written.
    let mut stray = step("Чужой шаг", "self_education");
    stray["competency_ids"] = json!([f.assessment]);
    let bad = app
        .post(
            "/api/v1/route-templates",
            &municipal,
            &json!({"title": "План", "deficit_competency_ids": [f.ict], "steps": [stray]}),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["steps[0].competency_ids[0]".to_owned()], "{}", bad.text);
    let as_teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&t1));
    let body = json!({"title": "Цифровая дидактика: базовый план", "deficit_competency_ids": [f.ict],
        "steps": [step("Самообразование: ИКТ", "self_education"), step("Стажировка в школе-лидере", "internship")]});
    app.post("/api/v1/route-templates", &as_teacher, &body).await.assert_problem(403);
    let created = app.post("/api/v1/route-templates", &municipal, &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let template = id(&created.body);
    let read = app.get(&format!("/api/v1/route-templates/{template}"), &municipal).await;
    assert_eq!((read.status, read.body["steps"].as_array().map(Vec::len)), (200, Some(2)), "{}", read.text);

    let apply = json!({"person_ids": [t1, at_level, elsewhere, t2], "tutor_id": tutor, "period_start": "2026-01-01",
        "period_end": "2026-12-31", "diagnostic_ids": [f.campaign["id"]]});
    let url = format!("/api/v1/route-templates/{template}/apply");
    let res = app.send("POST", &url, Some(&municipal), Some(&apply), &[("idempotency-key", "group-1")]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["created"].as_u64(), res.body["refused"].as_u64()), (Some(2), Some(2)), "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    let outcome: Vec<(&str, u64)> =
        items.iter().map(|i| (i["person_id"].as_str().unwrap(), i["status"].as_u64().unwrap())).collect();
    assert_eq!(
        outcome,
        vec![(t1.as_str(), 201), (at_level.as_str(), 422), (elsewhere.as_str(), 422), (t2.as_str(), 201)]
    );
    let fields = |i: &Value| -> Vec<String> {
        i["problem"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(fields(&items[1]), ["deficit_competency_ids[0]"], "no open deficit: {}", items[1]);
    assert!(fields(&items[2]).contains(&"person_id".to_owned()), "outside the municipality: {}", items[2]);
    for (i, person) in [(0, &t1), (3, &t2)] {
        let route = &items[i]["route"];
        assert_eq!((route["person_id"].as_str(), route["status"].as_str()), (Some(person.as_str()), Some("draft")));
        let titles: Vec<&str> =
            route["steps"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Самообразование: ИКТ", "Стажировка в школе-лидере"]);
    }
    assert_ne!(items[0]["route"]["steps"][0]["id"], items[3]["route"]["steps"][0]["id"], "each her own steps");

    // A retry with the key replays the answer; nothing is created twice.
    let again = app.send("POST", &url, Some(&municipal), Some(&apply), &[("idempotency-key", "group-1")]).await;
    assert_eq!((again.status, &again.body), (200, &res.body), "{}", again.text);
    let listed = app.get(&format!("/api/v1/routes?person_id={t1}"), &app.admin).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1, "{}", listed.text);
    // Without the key, the teachers who have their route are refused (overlapping period).
    let twice = app
        .post(
            &url,
            &municipal,
            &json!({"person_ids": [t1], "tutor_id": tutor, "period_start": "2026-01-01",
        "period_end": "2026-12-31", "diagnostic_ids": [f.campaign["id"]]}),
        )
        .await;
    assert_eq!(twice.status, 200, "{}", twice.text);
    assert_eq!(twice.body["items"][0]["status"], 409);
    assert_eq!(twice.body["items"][0]["problem"]["errors"][0]["field"], "period_start", "{}", twice.text);

    // Request-wide mistakes create nothing.
    let none = app.post(&url, &municipal, &json!({"person_ids": [], "tutor_id": tutor})).await;
    none.assert_problem(422);
    let mut named = none.error_fields();
    named.sort();
    assert_eq!(named, ["period_end", "period_start", "person_ids"], "{}", none.text);
    let dup = app
        .post(
            &url,
            &municipal,
            &json!({"person_ids": [t1, t1], "tutor_id": tutor, "period_start": "2026-01-01",
        "period_end": "2026-12-31"}),
        )
        .await;
    dup.assert_problem(422);
    assert_eq!(dup.error_fields(), vec!["person_ids[1]".to_owned()], "{}", dup.text);
    app.post(&url, &as_teacher, &apply).await.assert_problem(403);
}

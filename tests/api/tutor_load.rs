//! Tutors around a route (issue 17 item 4): those who assign tutors see the tutors serving the
//! person's territory with each one's load; teachers and tutors do not.

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::diagnostics::{framework, record, teacher};

async fn tutor(app: &TestApp, org: &Value, surname: &str) -> String {
    id(&app
        .create_person(json!({"surname": surname, "first_name": "Ольга", "position": "Тьютор",
            "organization_id": org["id"], "roles": ["tutor"]}))
        .await)
}

#[tokio::test]
async fn assigners_see_the_tutors_of_the_teachers_territory_least_loaded_first_and_teachers_do_not() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let (t1, t2) = (teacher(&app, &r.school_a, "Иванова").await, teacher(&app, &r.school_a, "Смирнова").await);
    record(
        &app,
        &f.campaign,
        json!([{"person_id": t1, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
               {"person_id": t2, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"}]),
    )
    .await;
    let regional = tutor(&app, &r.region, "Регионова").await;
    let local = tutor(&app, &r.school_a, "Местная").await;
    let elsewhere = tutor(&app, &r.school_b, "Чужая").await;
    let route = |person: &str, tutor: &str| {
        json!({"person_id": person, "tutor_id": tutor, "period_start": "2026-01-01", "period_end": "2026-12-31",
            "diagnostic_ids": [f.campaign["id"]], "deficit_competency_ids": [f.ict], "steps": []})
    };
    // The regional tutor tutors one live route (t1) and one cancelled route (t2); the local one none.
    let live = app.post("/api/v1/routes", &app.admin, &route(&t1, &regional)).await;
    assert_eq!(live.status, 201, "{}", live.text);
    let gone = app.post("/api/v1/routes", &app.admin, &route(&t2, &regional)).await;
    assert_eq!(gone.status, 201, "{}", gone.text);
    let cancel = app
        .send(
            "POST",
            &format!("/api/v1/routes/{}/cancel", id(&gone.body)),
            Some(&app.admin),
            None,
            &[("if-match", &gone.etag())],
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.text);
    // A tutor of another municipality is refused on a route, and is no candidate either.
    let refused = app.post("/api/v1/routes", &app.admin, &route(&t2, &elsewhere)).await;
    refused.assert_problem(422);

    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    let res = app.get(&format!("/api/v1/routes/tutor-candidates?person_id={t2}"), &municipal).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let got: Vec<(String, u64)> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["active_routes"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, vec![(local.clone(), 0), (regional.clone(), 1)]);
    let first = &res.body["items"][0];
    assert_eq!(
        (first["position"].as_str(), first["organization_id"].as_str()),
        (Some("Тьютор"), r.school_a["id"].as_str())
    );
    assert!(first.get("email").is_none() && first.get("phone").is_none() && first.get("snils").is_none());

    // Not for teachers nor tutors; the person must be named and in the caller's scope.
    let as_teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&t1));
    app.get(&format!("/api/v1/routes/tutor-candidates?person_id={t1}"), &as_teacher).await.assert_problem(403);
    let as_tutor = app.token(Role::Tutor, Some(&r.region), Some(&regional));
    app.get(&format!("/api/v1/routes/tutor-candidates?person_id={t1}"), &as_tutor).await.assert_problem(403);
    let missing = app.get("/api/v1/routes/tutor-candidates", &municipal).await;
    missing.assert_problem(422);
    assert_eq!(missing.body["errors"][0]["field"], "person_id", "{}", missing.text);
    let other = app.token(Role::Municipal, Some(&r.mun_b), None);
    let outside = app.get(&format!("/api/v1/routes/tutor-candidates?person_id={t1}"), &other).await;
    outside.assert_problem(422);
    assert_eq!(outside.body["errors"][0]["field"], "person_id", "{}", outside.text);

    // The teacher sees her tutor on her route: name, position, organisation and its work contacts.
    let mine = app.get(&format!("/api/v1/routes/{}", id(&live.body)), &as_teacher).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body["tutor"]["id"], json!(regional));
    assert_eq!(mine.body["tutor"]["position"], "Тьютор");
    assert_eq!(mine.body["tutor"]["organization_id"], r.region["id"]);
}

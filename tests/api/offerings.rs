//! Events, internship sites and mentoring pairs: the means of closing deficits besides
//! programmes, and how suggestions rank them.

use rsnms_domain::auth::Role;
use rsnms_tests::{id, spawn_app};
use serde_json::json;

use crate::diagnostics::{framework, record, teacher};

#[tokio::test]
async fn events_are_checked_listed_by_level_and_suggested_when_upcoming() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let bad = app.post("/api/v1/events", &app.admin, &json!({"title": "Семинар", "kind": "seminar", "level": "regional", "held_on": "2026-12-01", "organizer_id": r.region["id"], "participants": -3})).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["participants"]);
    let regional = app
        .post("/api/v1/events", &app.admin, &json!({"title": "Региональный семинар", "kind": "seminar", "level": "regional", "held_on": "2099-03-10", "organizer_id": r.region["id"], "competency_ids": [f.ict], "participants": 120}))
        .await;
    assert_eq!(regional.status, 201, "{}", regional.text);
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let municipal = app
        .post("/api/v1/events", &mun_a, &json!({"title": "Муниципальный круглый стол", "kind": "round_table", "level": "municipal", "held_on": "2020-03-10", "organizer_id": r.mun_a["id"], "competency_ids": [f.ict]}))
        .await;
    assert_eq!(municipal.status, 201, "{}", municipal.text);
    let foreign = app
        .post("/api/v1/events", &mun_a, &json!({"title": "Чужое", "kind": "webinar", "level": "municipal", "held_on": "2026-03-10", "organizer_id": r.mun_b["id"]}))
        .await;
    foreign.assert_problem(422);
    assert_eq!(foreign.error_fields(), vec!["organizer_id"]);
    let teacher_token = app.token(Role::Teacher, Some(&r.school_a), Some(&teacher(&app, &r.school_a, "Петрова").await));
    let listed = app.get("/api/v1/events?level=regional&from=2026-01-01", &teacher_token).await;
    assert_eq!(listed.status, 200);
    let titles: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["Региональный семинар"]);
    let etag = regional.etag();
    let patched = app
        .patch(&format!("/api/v1/events/{}", id(&regional.body)), &app.admin, &etag, &json!({"participants": 140}))
        .await;
    assert_eq!((patched.status, patched.body["participants"].as_i64()), (200, Some(140)));

    let site = app
        .post("/api/v1/internship-sites", &app.admin, &json!({"organization_id": r.school_a["id"], "theme": "Цифровой урок", "competency_ids": [f.ict, f.assessment], "capacity": 12, "period_start": "2099-01-10", "period_end": "2099-05-30", "selection_decision": "Приказ № 45"}))
        .await;
    assert_eq!(site.status, 201, "{}", site.text);
    assert_eq!(site.body["capacity"], 12);
    let bad_site = app
        .post("/api/v1/internship-sites", &app.admin, &json!({"organization_id": r.school_a["id"], "theme": "x", "capacity": 0, "period_start": "2026-05-01", "period_end": "2026-01-01"}))
        .await;
    bad_site.assert_problem(422);
    assert_eq!(bad_site.error_fields(), vec!["capacity"]);
    app.post("/api/v1/internship-sites", &mun_a, &json!({"organization_id": r.school_a["id"], "theme": "x", "capacity": 3, "period_start": "2026-01-01", "period_end": "2026-05-01"}))
        .await
        .assert_problem(403);

    let t = teacher(&app, &r.school_a, "Иванова").await;
    record(
        &app,
        &f.campaign,
        json!([
            {"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
            {"person_id": t, "competency_id": f.assessment, "score": 40, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    // A mentor of the same municipality at level in ИКТ; one in another municipality is not suggested.
    let near = id(&app
        .create_person(json!({"surname": "Наставникова", "first_name": "Вера", "organization_id": r.school_a["id"], "roles": ["mentor"]}))
        .await);
    let far = id(&app
        .create_person(json!({"surname": "Дальняя", "first_name": "Нина", "organization_id": r.school_b["id"], "roles": ["mentor"]}))
        .await);
    record(
        &app,
        &f.campaign,
        json!([
            {"person_id": near, "competency_id": f.ict, "score": 95, "assessed_on": "2025-10-01"},
            {"person_id": near, "competency_id": f.assessment, "score": 30, "assessed_on": "2025-10-01"},
            {"person_id": far, "competency_id": f.ict, "score": 95, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    let s = app.get(&format!("/api/v1/routes/suggestions?person_id={t}"), &app.admin).await;
    assert_eq!(s.status, 200, "{}", s.text);
    let kinds: Vec<(&str, &str)> = s.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["kind"].as_str().unwrap(), x["title"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![("internship_site", "Цифровой урок"), ("event", "Региональный семинар"), ("mentor", "Наставникова Вера")],
        "the past event and the far mentor are left out"
    );
    assert_eq!(s.body["items"][2]["covers"], json!([f.ict]));
    assert!(s.body["items"][0]["reason"].as_str().unwrap().contains("мест: 12"));
}

#[tokio::test]
async fn a_mentoring_pair_needs_a_mentor_and_is_seen_by_its_members_and_organisation_only() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mentor = id(&app
        .create_person(json!({"surname": "Наставникова", "first_name": "Вера", "organization_id": r.school_a["id"], "roles": ["mentor", "teacher"]}))
        .await);
    let mentee = teacher(&app, &r.school_a, "Молодая").await;
    let other = teacher(&app, &r.school_a, "Другая").await;
    let org_a = app.token(Role::Organization, Some(&r.school_a), None);
    let bad = app
        .post("/api/v1/mentoring-pairs", &org_a, &json!({"mentor_id": other, "mentee_id": mentee, "form": "mentor_young_specialist", "period_start": "2026-09-01", "period_end": "2026-06-01", "organization_id": r.school_a["id"]}))
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["mentor_id", "period_end"]);
    let pair = app
        .post("/api/v1/mentoring-pairs", &org_a, &json!({"mentor_id": mentor, "mentee_id": mentee, "form": "mentor_young_specialist", "period_start": "2026-09-01", "organization_id": r.school_a["id"]}))
        .await;
    assert_eq!(pair.status, 201, "{}", pair.text);
    let url = format!("/api/v1/mentoring-pairs/{}", id(&pair.body));
    let as_mentee = app.token(Role::Teacher, Some(&r.school_a), Some(&mentee));
    assert_eq!(app.get(&url, &as_mentee).await.status, 200);
    let as_other = app.token(Role::Teacher, Some(&r.school_a), Some(&other));
    app.get(&url, &as_other).await.assert_problem(404);
    let org_b = app.token(Role::Organization, Some(&r.school_b), None);
    app.get(&url, &org_b).await.assert_problem(404);
    assert_eq!(app.get("/api/v1/mentoring-pairs", &org_b).await.body["items"].as_array().unwrap().len(), 0);
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    assert_eq!(
        app.get(&format!("/api/v1/mentoring-pairs?person_id={mentor}"), &mun_a).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let patched = app.patch(&url, &org_a, &pair.etag(), &json!({"form": "peer", "period_end": "2027-06-30"})).await;
    assert_eq!((patched.status, patched.body["form"].as_str()), (200, Some("peer")), "{}", patched.text);
    app.patch(&url, &org_a, &pair.etag(), &json!({"form": "other"})).await.assert_problem(412);
}

/// A mentoring pair of school A, for the cross-scope matrix.
pub(crate) async fn pair_in_school_a(app: &rsnms_tests::TestApp, r: &rsnms_tests::Region) -> String {
    let mentor = id(&app
        .create_person(json!({"surname": "Наставник", "first_name": "А", "organization_id": r.school_a["id"], "roles": ["mentor"]}))
        .await);
    let mentee = teacher(app, &r.school_a, "Подопечная").await;
    let pair = app
        .post("/api/v1/mentoring-pairs", &app.admin, &json!({"mentor_id": mentor, "mentee_id": mentee, "form": "peer", "period_start": "2026-09-01", "organization_id": r.school_a["id"]}))
        .await;
    assert_eq!(pair.status, 201, "{}", pair.text);
    id(&pair.body)
}

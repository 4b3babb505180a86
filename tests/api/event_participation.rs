//! Event participation (issue 17): a registration per event and person with its status,
//! the event's capacity respected, attendance marked by the organiser once the event is held,
//! registrations seen within the scope of the participant and of the event's organiser.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::{diagnostics::teacher, feed_by_role::feed};

async fn event(app: &TestApp, token: &str, organizer: &Value, held_on: &str, capacity: Option<i64>) -> String {
    let r = app
        .post("/api/v1/events", token, &json!({"title": "Семинар по функциональной грамотности", "kind": "seminar", "level": "municipal", "held_on": held_on, "organizer_id": organizer["id"], "capacity": capacity}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["capacity"], json!(capacity));
    id(&r.body)
}

async fn register(app: &TestApp, token: &str, event: &str, person: &str) -> Value {
    let r = app.post(&format!("/api/v1/events/{event}/participants"), token, &json!({"person_id": person})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["status"], "registered");
    r.body
}

fn url(event: &str, registration: &Value) -> String {
    format!("/api/v1/events/{event}/participants/{}", id(registration))
}

async fn set(app: &TestApp, token: &str, event: &str, registration: &Value, status: &str) -> rsnms_tests::Reply {
    let current = app.get(&url(event, registration), &app.admin).await;
    assert_eq!(current.status, 200, "{}", current.text);
    app.patch(&url(event, registration), token, &current.etag(), &json!({"status": status})).await
}

async fn region_with_teachers(app: &TestApp) -> (Region, Vec<String>) {
    let r = app.seed_region().await;
    let mut ts = Vec::new();
    for s in ["Первая", "Вторая", "Третья"] {
        ts.push(teacher(app, &r.school_a, s).await);
    }
    (r, ts)
}

#[tokio::test]
async fn a_full_event_refuses_another_registration_and_a_cancelled_place_is_free_again() {
    let app = spawn_app().await;
    let (r, t) = region_with_teachers(&app).await;
    let e = event(&app, &app.admin, &r.region, "2099-03-10", Some(2)).await;
    let first = register(&app, &app.admin, &e, &t[0]).await;
    register(&app, &app.admin, &e, &t[1]).await;

    let full = app.post(&format!("/api/v1/events/{e}/participants"), &app.admin, &json!({"person_id": t[2]})).await;
    full.assert_problem(409);
    assert_eq!(full.error_fields(), vec!["capacity"], "{}", full.text);

    let twice = app.post(&format!("/api/v1/events/{e}/participants"), &app.admin, &json!({"person_id": t[0]})).await;
    twice.assert_problem(409);
    assert_eq!(
        (twice.error_fields(), twice.body["allowed"].clone()),
        (vec!["person_id".to_owned()], json!(["attended", "absent", "cancelled"])),
        "{}",
        twice.text
    );

    let cancelled = set(&app, &app.admin, &e, &first, "cancelled").await;
    assert_eq!(
        (cancelled.status, cancelled.body["allowed_statuses"].clone()),
        (200, json!(["registered"])),
        "{}",
        cancelled.text
    );
    register(&app, &app.admin, &e, &t[2]).await;
    let renewed = set(&app, &app.admin, &e, &first, "registered").await;
    renewed.assert_problem(409);
    assert_eq!(renewed.error_fields(), vec!["capacity"]);

    let listed = app.get(&format!("/api/v1/events/{e}/participants?status=registered"), &app.admin).await;
    let mut people: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().map(|x| x["person_id"].as_str().unwrap()).collect();
    people.sort_unstable();
    let mut expected = vec![t[1].as_str(), t[2].as_str()];
    expected.sort_unstable();
    assert_eq!(people, expected);

    // An event without capacity has no limit; a capacity below one is refused.
    let open = event(&app, &app.admin, &r.region, "2099-03-11", None).await;
    for p in &t {
        register(&app, &app.admin, &open, p).await;
    }
    let bad = app
        .post("/api/v1/events", &app.admin, &json!({"title": "x", "kind": "seminar", "level": "regional", "held_on": "2099-01-01", "organizer_id": r.region["id"], "capacity": 0}))
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["capacity"]);
}

#[tokio::test]
async fn attendance_is_marked_by_the_organiser_once_the_event_is_held() {
    let app = spawn_app().await;
    let (r, t) = region_with_teachers(&app).await;
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let mun_b = app.token(Role::Municipal, Some(&r.mun_b), None);
    let as_teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&t[0]));

    let ahead = event(&app, &mun_a, &r.mun_a, "2099-03-10", None).await;
    let reg = register(&app, &as_teacher, &ahead, &t[0]).await;
    let early = set(&app, &mun_a, &ahead, &reg, "attended").await;
    early.assert_problem(409);
    assert_eq!(
        (early.error_fields(), early.body["allowed"].clone()),
        (vec!["status".to_owned()], json!(["cancelled"])),
        "{}",
        early.text
    );

    let held = event(&app, &mun_a, &r.mun_a, "2026-01-15", None).await;
    let reg = register(&app, &as_teacher, &held, &t[0]).await;
    set(&app, &as_teacher, &held, &reg, "attended").await.assert_problem(403);
    set(&app, &mun_b, &held, &reg, "attended").await.assert_problem(404);
    let attended = set(&app, &mun_a, &held, &reg, "attended").await;
    assert_eq!((attended.status, attended.body["status"].as_str()), (200, Some("attended")), "{}", attended.text);
    let late_cancel = set(&app, &as_teacher, &held, &reg, "cancelled").await;
    late_cancel.assert_problem(409);
    assert_eq!(late_cancel.body["allowed"], json!(["absent"]));
    let stale = app.patch(&url(&held, &reg), &mun_a, &reg_etag_of_first_version(), &json!({"status": "absent"})).await;
    stale.assert_problem(412);
    let bad = app.patch(&url(&held, &reg), &mun_a, &attended.etag(), &json!({"status": "present"})).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["status"]);
}

#[tokio::test]
async fn registrations_are_seen_by_the_participant_her_organisation_and_the_organiser_only() {
    let app = spawn_app().await;
    let (r, t) = region_with_teachers(&app).await;
    let mun_b = app.token(Role::Municipal, Some(&r.mun_b), None);
    let e = event(&app, &mun_b, &r.mun_b, "2099-04-01", Some(10)).await;
    let first = app.token(Role::Teacher, Some(&r.school_a), Some(&t[0]));
    let second = app.token(Role::Teacher, Some(&r.school_a), Some(&t[1]));

    let foreign = app.post(&format!("/api/v1/events/{e}/participants"), &first, &json!({"person_id": t[1]})).await;
    foreign.assert_problem(422);
    assert_eq!(foreign.error_fields(), vec!["person_id"]);
    app.post(
        &format!("/api/v1/events/{e}/participants"),
        &app.token(Role::Analyst, None, None),
        &json!({"person_id": t[0]}),
    )
    .await
    .assert_problem(403);
    let own = register(&app, &first, &e, &t[0]).await;
    register(&app, &app.token(Role::Organization, Some(&r.school_a), None), &e, &t[1]).await;

    let count = |token: String| {
        let app = &app;
        let e = e.clone();
        async move {
            let r = app.get(&format!("/api/v1/events/{e}/participants"), &token).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count(first.clone()).await, 1);
    assert_eq!(count(app.token(Role::Teacher, Some(&r.school_a), Some(&t[2]))).await, 0);
    assert_eq!(count(app.token(Role::Organization, Some(&r.school_a), None)).await, 2);
    assert_eq!(count(app.token(Role::Organization, Some(&r.school_b), None)).await, 0);
    assert_eq!(count(mun_b.clone()).await, 2, "the organiser sees every registration");
    assert_eq!(count(app.token(Role::Municipal, Some(&r.mun_a), None)).await, 2);
    app.get(&url(&e, &own), &second).await.assert_problem(404);
    app.get(&format!("/api/v1/events/{e}/participants"), &app.token(Role::Analyst, None, None))
        .await
        .assert_problem(403);
    app.get(&format!("/api/v1/events/{}/participants", uuid_of_nothing()), &app.admin).await.assert_problem(404);

    // The feed: the participant and the organiser receive the events, another school does not.
    let of = |events: Vec<Value>| {
        events.iter().map(|x| x["payload"]["person_id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(of(feed(&app, &first, "event_participant").await), vec![t[0].clone()]);
    assert_eq!(of(feed(&app, &mun_b, "event_participant").await).len(), 2);
    assert!(feed(&app, &app.token(Role::Organization, Some(&r.school_b), None), "event_participant").await.is_empty());
}

fn uuid_of_nothing() -> &'static str {
    "00000000-0000-7000-8000-000000000000"
}

/// The ETag of a registration's first version, stale once it changed.
fn reg_etag_of_first_version() -> String {
    "\"1\"".to_owned()
}

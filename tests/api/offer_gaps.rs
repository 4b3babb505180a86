//! Gaps in the offer (issue 17 item 6): deficits by competency × territory that no current
//! programme, event, internship site or mentor covers, with the analytics' counts.

use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app, spawn_with, test_settings};
use serde_json::{Value, json};

use crate::diagnostics::{framework, record, teacher};

async fn post(app: &TestApp, path: &str, body: Value) -> Value {
    let r = app.post(path, &app.admin, &body).await;
    assert_eq!(r.status, 201, "{path}: {}", r.text);
    r.body
}

/// (competency id, municipality code or null, persons with a deficit) of every gap.
async fn gaps(app: &TestApp, token: &str) -> Vec<(String, Value, Value)> {
    let res = app.get("/api/v1/diagnostics/analytics/gaps?period_from=2025-01-01&period_to=2025-12-31", token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mut out: Vec<(String, Value, Value)> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["competency_id"].as_str().unwrap().to_owned(), c["group_key"].clone(), c["with_deficit"].clone()))
        .collect();
    out.sort_by_key(|g| g.1.to_string());
    out
}

#[tokio::test]
async fn gaps_list_the_deficits_no_current_event_site_mentor_or_programme_covers_in_their_territory() {
    let probe = spawn_app().await;
    let mut settings = test_settings(&probe.database_url);
    settings.min_group_size = 2;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let mut people = Vec::new();
    for (org, name) in [
        (&r.school_a, "А1"),
        (&r.school_a, "А2"),
        (&r.school_a, "А3"),
        (&r.school_b, "Б1"),
        (&r.school_b, "Б2"),
        (&r.region, "Р1"),
        (&r.region, "Р2"),
    ] {
        people.push(teacher(&app, org, name).await);
    }
    // ICT: A 2 of 3 with a deficit, B 2 of 2, the regional level 2 of 2. Assessment: everyone at
    // level (no gap whatever the offer).
    let scores = [40, 30, 90, 20, 25, 10, 15];
    let mut items = Vec::new();
    for (p, s) in people.iter().zip(scores) {
        items.push(json!({"person_id": p, "competency_id": f.ict, "score": s, "assessed_on": "2025-10-01"}));
        items.push(json!({"person_id": p, "competency_id": f.assessment, "score": 95, "assessed_on": "2025-10-01"}));
    }
    record(&app, &f.campaign, Value::Array(items)).await;
    let analyst = app.token(Role::Analyst, None, None);
    let ict = |m: Value, n: u64| (f.ict.clone(), m, json!(n));
    assert_eq!(
        gaps(&app, &analyst).await,
        vec![ict(json!("81606000"), 2), ict(json!("81625000"), 2), ict(Value::Null, 2)],
        "nothing is offered yet"
    );

    // A past event covers nothing; an upcoming one in B covers B only.
    post(
        &app,
        "/api/v1/events",
        json!({"title": "Прошедший семинар", "kind": "seminar", "level": "municipal",
        "held_on": "2025-04-10", "organizer_id": r.mun_a["id"], "competency_ids": [f.ict]}),
    )
    .await;
    post(
        &app,
        "/api/v1/events",
        json!({"title": "Семинар «Цифровой урок»", "kind": "seminar", "level": "municipal",
        "held_on": "2099-04-10", "organizer_id": r.school_b["id"], "competency_ids": [f.ict]}),
    )
    .await;
    assert_eq!(gaps(&app, &analyst).await, vec![ict(json!("81606000"), 2), ict(Value::Null, 2)]);

    // A closed mentoring pair in A covers nothing; an open-ended one does.
    let mentor = id(&app
        .create_person(json!({"surname": "Наставникова", "first_name": "Мария", "organization_id": r.school_a["id"], "roles": ["mentor"]}))
        .await);
    post(&app, "/api/v1/mentoring-pairs", json!({"mentor_id": mentor, "mentee_id": people[0], "form": "peer",
        "period_start": "2025-02-01", "period_end": "2025-03-01", "organization_id": r.school_a["id"], "competency_ids": [f.ict]}))
    .await;
    assert_eq!(gaps(&app, &analyst).await, vec![ict(json!("81606000"), 2), ict(Value::Null, 2)]);
    post(
        &app,
        "/api/v1/mentoring-pairs",
        json!({"mentor_id": mentor, "mentee_id": people[1], "form": "peer",
        "period_start": "2025-02-01", "organization_id": r.school_a["id"], "competency_ids": [f.ict]}),
    )
    .await;
    assert_eq!(gaps(&app, &analyst).await, vec![ict(Value::Null, 2)]);

    // By organisation the same offer leaves the regional authority's own staff uncovered.
    let by_org = app.get("/api/v1/diagnostics/analytics/gaps?group_by=organization", &analyst).await;
    assert_eq!(by_org.status, 200, "{}", by_org.text);
    let keys: Vec<&str> =
        by_org.body["items"].as_array().unwrap().iter().map(|c| c["group_key"].as_str().unwrap()).collect();
    assert_eq!(keys, [r.region["id"].as_str().unwrap()]);

    // A regional programme covers the whole region.
    post(&app, "/api/v1/programs", json!({"title": "Цифровая дидактика", "kind": "qualification_upgrade",
        "hours": 36, "form": "distance", "developer_id": r.region["id"], "audience": "учителя", "competency_ids": [f.ict],
        "federal_registry": false}))
    .await;
    assert_eq!(gaps(&app, &analyst).await, vec![]);

    // Same roles as the analytics; a subject has no territory.
    let teacher_token = app.token(Role::Teacher, Some(&r.school_a), Some(&people[0]));
    app.get("/api/v1/diagnostics/analytics/gaps", &teacher_token).await.assert_problem(403);
    let bad = app.get("/api/v1/diagnostics/analytics/gaps?group_by=subject", &analyst).await;
    bad.assert_problem(422);
    assert_eq!(bad.body["errors"][0]["field"], "group_by", "{}", bad.text);
    let odd = app.get("/api/v1/diagnostics/analytics/gaps?period_from=2025-02-01", &analyst).await;
    odd.assert_problem(422);
}

#[tokio::test]
async fn a_withheld_cell_is_listed_without_counts_and_a_published_one_with_the_analytics_counts() {
    let probe = spawn_app().await;
    let mut settings = test_settings(&probe.database_url);
    settings.min_group_size = 3;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let mut items = Vec::new();
    // A: 4 assessed, 3 with a deficit; B: 1 assessed, at level (withheld); regional: 3 at level.
    for (org, name, score) in [
        (&r.school_a, "А1", 10),
        (&r.school_a, "А2", 20),
        (&r.school_a, "А3", 30),
        (&r.school_a, "А4", 90),
        (&r.school_b, "Б1", 90),
        (&r.region, "Р1", 90),
        (&r.region, "Р2", 90),
        (&r.region, "Р3", 90),
    ] {
        let p = teacher(&app, org, name).await;
        items.push(json!({"person_id": p, "competency_id": f.ict, "score": score, "assessed_on": "2025-10-01"}));
    }
    record(&app, &f.campaign, Value::Array(items)).await;
    let analyst = app.token(Role::Analyst, None, None);
    let analytics =
        app.get("/api/v1/diagnostics/analytics?period_from=2025-01-01&period_to=2025-12-31", &analyst).await;
    let res = app.get("/api/v1/diagnostics/analytics/gaps?period_from=2025-01-01&period_to=2025-12-31", &analyst).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["min_group_size"], 3);
    let cells = res.body["items"].as_array().unwrap();
    for c in cells {
        let same = analytics.body["items"].as_array().unwrap().iter().find(|x| x["group_key"] == c["group_key"]);
        assert_eq!(Some(c), same, "a gap is the analytics' own cell");
    }
    let a = cells.iter().find(|c| c["group_key"] == "81606000").unwrap();
    assert_eq!((a["assessed"].as_u64(), a["with_deficit"].as_u64()), (Some(4), Some(3)));
    let withheld: Vec<&Value> = cells.iter().filter(|c| c["suppressed"] == true).collect();
    assert!(!withheld.is_empty(), "{}", res.text);
    assert!(withheld.iter().all(|c| c["with_deficit"].is_null() && c["assessed"].is_null()));
    assert!(
        !cells.iter().any(|c| c["suppressed"] == false && c["with_deficit"] == 0),
        "no published cell without deficits"
    );
}

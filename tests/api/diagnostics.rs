//! Competency framework, diagnostic campaigns, results, derived deficits and aggregates.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app, spawn_with, test_settings};
use serde_json::{Value, json};

/// A framework with two competencies (in two areas) and a points campaign covering both.
pub(crate) struct Framework {
    pub ict: String,
    pub assessment: String,
    pub campaign: Value,
}

pub(crate) async fn area(app: &TestApp, code: &str, kind: &str) -> Value {
    let r = app
        .post(
            "/api/v1/competencies",
            &app.admin,
            &json!({"node": "area", "area_kind": kind, "code": code, "name": format!("Область {code}")}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

pub(crate) async fn competency(app: &TestApp, area: &Value, code: &str, name: &str) -> Value {
    let r = app
        .post(
            "/api/v1/competencies",
            &app.admin,
            &json!({"node": "competency", "parent_id": area["id"], "code": code, "name": name}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

pub(crate) async fn campaign(app: &TestApp, organizer: &Value, comps: &[&str], from: &str, to: &str) -> Value {
    let r = app
        .post(
            "/api/v1/diagnostics",
            &app.admin,
            &json!({
                "name": format!("Диагностика {from}"), "instrument": "regional_test", "period_start": from, "period_end": to,
                "organizer_id": organizer["id"], "target_group": "teachers",
                "scale": {"kind": "points", "max": 100, "threshold": 60}, "competency_ids": comps
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

pub(crate) async fn framework(app: &TestApp, r: &Region) -> Framework {
    let digital = area(app, "Ц", "digital").await;
    let method = area(app, "М", "methodological").await;
    let ict = id(&competency(app, &digital, "Ц-1", "Использование ИКТ на уроке").await);
    let assessment = id(&competency(app, &method, "М-1", "Формирующее оценивание").await);
    let campaign = campaign(app, &r.region, &[&ict, &assessment], "2025-09-01", "2025-12-31").await;
    Framework { ict, assessment, campaign }
}

pub(crate) async fn teacher(app: &TestApp, org: &Value, surname: &str) -> String {
    id(&app
        .create_person(
            json!({"surname": surname, "first_name": "Анна", "organization_id": org["id"], "roles": ["teacher"]}),
        )
        .await)
}

pub(crate) async fn record(app: &TestApp, campaign: &Value, items: Value) -> Value {
    let r =
        app.post(&format!("/api/v1/diagnostics/{}/results", id(campaign)), &app.admin, &json!({"items": items})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

#[tokio::test]
async fn the_competency_framework_is_a_versioned_tree_and_a_used_competency_is_retired_not_deleted() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let digital = area(&app, "Ц", "digital").await;
    let c = competency(&app, &digital, "Ц-1", "ИКТ").await;
    assert_eq!(c["area_kind"], "digital", "a competency inherits its area's kind");
    assert_eq!(c["version"], 1);
    let p = app
        .patch(&format!("/api/v1/competencies/{}", id(&c)), &app.admin, "\"1\"", &json!({"name": "ИКТ-компетентность"}))
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.body["version"], 2);
    let dup = app
        .post(
            "/api/v1/competencies",
            &app.admin,
            &json!({"node": "competency", "parent_id": digital["id"], "code": "Ц-1", "name": "x"}),
        )
        .await;
    dup.assert_problem(409);
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&teacher(&app, &r.school_a, "Петрова").await));
    app.post(
        "/api/v1/competencies",
        &teacher,
        &json!({"node": "area", "area_kind": "digital", "code": "X", "name": "x"}),
    )
    .await
    .assert_problem(403);
    let tree = app.get("/api/v1/competencies/tree", &teacher).await;
    assert_eq!(tree.status, 200);
    assert_eq!(tree.body["areas"][0]["code"], "Ц");
    assert_eq!(tree.body["areas"][0]["competencies"][0]["name"], "ИКТ-компетентность");

    let area_retire = app
        .send(
            "POST",
            &format!("/api/v1/competencies/{}/retire", id(&digital)),
            Some(&app.admin),
            None,
            &[("if-match", "\"1\"")],
        )
        .await;
    area_retire.assert_problem(409);
    let retired = app
        .send(
            "POST",
            &format!("/api/v1/competencies/{}/retire", id(&c)),
            Some(&app.admin),
            None,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    assert_eq!(retired.body["status"], "retired");
    assert_eq!(retired.body["version"], 3);
    assert_eq!(app.get(&format!("/api/v1/competencies/{}", id(&c)), &app.admin).await.status, 200);
    let tree = app.get("/api/v1/competencies/tree", &app.admin).await;
    assert_eq!(tree.body["areas"][0]["competencies"].as_array().unwrap().len(), 0);
    let all = app.get("/api/v1/competencies/tree?include_retired=true", &app.admin).await;
    assert_eq!(all.body["areas"][0]["competencies"].as_array().unwrap().len(), 1);
    let frozen =
        app.patch(&format!("/api/v1/competencies/{}", id(&c)), &app.admin, "\"3\"", &json!({"name": "y"})).await;
    frozen.assert_problem(409);
    let bad = app
        .post(
            "/api/v1/diagnostics",
            &app.admin,
            &json!({"name": "n", "instrument": "self_assessment", "period_start": "2025-01-01", "period_end": "2025-02-01",
                    "organizer_id": r.region["id"], "target_group": "teachers",
                    "scale": {"kind": "points", "max": 10, "threshold": 6}, "competency_ids": [c["id"], digital["id"]]}),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["competency_ids[0]", "competency_ids[1]"]);
}

#[tokio::test]
async fn a_failing_batch_names_every_failing_item_and_stores_nothing() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let t = teacher(&app, &r.school_a, "Иванова").await;
    let url = format!("/api/v1/diagnostics/{}/results", id(&f.campaign));
    let bad = app
        .post(
            &url,
            &app.admin,
            &json!({"items": [
                {"person_id": t, "competency_id": f.ict, "score": 55, "assessed_on": "2025-10-01"},
                {"person_id": t, "competency_id": f.assessment, "score": 140, "assessed_on": "2025-10-01"},
                {"person_id": t, "competency_id": id(&r.region), "score": 50, "assessed_on": "2025-10-01"},
                {"person_id": t, "competency_id": f.ict, "level": "высокий", "assessed_on": "2026-01-05"}
            ]}),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(
        bad.error_fields(),
        vec!["items[1].score", "items[2].competency_id", "items[3].score", "items[3].level", "items[3].assessed_on"]
    );
    let listed = app.get(&url, &app.admin).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0, "all or nothing");
    let wrong_type = app.post(&url, &app.admin, &json!({"items": [{"person_id": t, "score": "много"}]})).await;
    wrong_type.assert_problem(422);
    assert_eq!(wrong_type.error_fields(), vec!["items[0].score"]);
    // An organisation records only for its own staff.
    let org_b = app.token(Role::Organization, Some(&r.school_b), None);
    let foreign = app
        .post(
            &url,
            &org_b,
            &json!({"items": [{"person_id": t, "competency_id": f.ict, "score": 50, "assessed_on": "2025-10-01"}]}),
        )
        .await;
    foreign.assert_problem(422);
    assert_eq!(foreign.error_fields(), vec!["items[0].person_id"]);
}

#[tokio::test]
async fn results_are_idempotent_on_campaign_person_and_competency_and_a_dry_run_stores_nothing() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let t = teacher(&app, &r.school_a, "Иванова").await;
    let items = json!([
        {"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
        {"person_id": t, "competency_id": f.assessment, "score": 80, "assessed_on": "2025-10-01"}
    ]);
    let url = format!("/api/v1/diagnostics/{}/results", id(&f.campaign));
    let dry = app.post(&url, &app.admin, &json!({"items": items, "dry_run": true})).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!((dry.body["created"].as_u64(), dry.body["dry_run"].as_bool()), (Some(2), Some(true)));
    assert_eq!(app.get(&url, &app.admin).await.body["items"].as_array().unwrap().len(), 0);
    let first = record(&app, &f.campaign, items.clone()).await;
    assert_eq!((first["created"].as_u64(), first["updated"].as_u64()), (Some(2), Some(0)));
    let again = record(&app, &f.campaign, items).await;
    assert_eq!((again["created"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(2)));
    let changed = record(
        &app,
        &f.campaign,
        json!([{"person_id": t, "competency_id": f.ict, "score": 70, "assessed_on": "2025-10-01"}]),
    )
    .await;
    assert_eq!(changed["updated"].as_u64(), Some(1));
    let listed = app.get(&url, &app.admin).await;
    let rows = listed.body["items"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let ict = rows.iter().find(|x| x["competency_id"] == f.ict.as_str()).unwrap();
    assert_eq!(
        (ict["score"].as_f64(), ict["deficit"].as_bool(), ict["version"].as_i64()),
        (Some(70.0), Some(false), Some(2))
    );
    // With results in, the scale is fixed.
    let etag = app.get(&format!("/api/v1/diagnostics/{}", id(&f.campaign)), &app.admin).await.etag();
    let rescale = app
        .patch(
            &format!("/api/v1/diagnostics/{}", id(&f.campaign)),
            &app.admin,
            &etag,
            &json!({"scale": {"threshold": 50}}),
        )
        .await;
    rescale.assert_problem(409);
    let renamed = app
        .patch(&format!("/api/v1/diagnostics/{}", id(&f.campaign)), &app.admin, &etag, &json!({"name": "Срез"}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
}

#[tokio::test]
async fn deficits_come_from_the_latest_result_and_a_later_campaign_at_level_closes_them() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let t = teacher(&app, &r.school_a, "Иванова").await;
    record(
        &app,
        &f.campaign,
        json!([
            {"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
            {"person_id": t, "competency_id": f.assessment, "score": 80, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    let own = app.token(Role::Teacher, Some(&r.school_a), Some(&t));
    let d = app.get(&format!("/api/v1/persons/{t}/deficits"), &own).await;
    assert_eq!(d.status, 200, "{}", d.text);
    let items = d.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["competency_id"], f.ict.as_str());
    assert_eq!(items[0]["status"], "open");
    assert_eq!(items[0]["source"]["campaign_id"], f.campaign["id"]);
    assert_eq!(items[0]["source"]["assessed_on"], "2025-10-01");

    let repeat = campaign(&app, &r.region, &[&f.ict], "2026-03-01", "2026-04-30").await;
    record(&app, &repeat, json!([{"person_id": t, "competency_id": f.ict, "score": 75, "assessed_on": "2026-03-15"}]))
        .await;
    let d = app.get(&format!("/api/v1/persons/{t}/deficits"), &own).await;
    assert_eq!(d.body["items"].as_array().unwrap().len(), 0, "closed by the later campaign");
    let all = app.get(&format!("/api/v1/persons/{t}/deficits?include_closed=true"), &own).await;
    assert_eq!(all.body["items"][0]["status"], "closed");
    assert_eq!(all.body["items"][0]["closed_by"]["campaign_id"], repeat["id"]);
    assert_eq!(all.body["items"][0]["closed_by"]["assessed_on"], "2026-03-15");
}

#[tokio::test]
async fn a_levels_scale_judges_a_deficit_by_the_threshold_level() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let a = area(&app, "К", "communicative").await;
    let c = id(&competency(&app, &a, "К-1", "Диалог с родителями").await);
    let bad = app
        .post("/api/v1/diagnostics", &app.admin, &json!({"name": "Самооценка", "instrument": "self_assessment",
            "period_start": "2025-09-01", "period_end": "2025-09-30", "organizer_id": r.school_a["id"], "target_group": "teachers",
            "scale": {"kind": "levels", "levels": ["низкий", "базовый", "высокий"], "threshold_level": "низкий"}, "competency_ids": [c]}))
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["scale.threshold_level"]);
    let camp = app
        .post("/api/v1/diagnostics", &app.admin, &json!({"name": "Самооценка", "instrument": "self_assessment",
            "period_start": "2025-09-01", "period_end": "2025-09-30", "organizer_id": r.school_a["id"], "target_group": "teachers",
            "scale": {"kind": "levels", "levels": ["низкий", "базовый", "высокий"], "threshold_level": "базовый"}, "competency_ids": [c]}))
        .await;
    assert_eq!(camp.status, 201, "{}", camp.text);
    assert_eq!(camp.body["scale"]["threshold_level"], "базовый");
    let (t1, t2) = (teacher(&app, &r.school_a, "Первая").await, teacher(&app, &r.school_a, "Вторая").await);
    record(
        &app,
        &camp.body,
        json!([
            {"person_id": t1, "competency_id": c, "level": "низкий", "assessed_on": "2025-09-10"},
            {"person_id": t2, "competency_id": c, "level": "базовый", "assessed_on": "2025-09-10"}
        ]),
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/persons/{t1}/deficits"), &app.admin).await.body["items"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        app.get(&format!("/api/v1/persons/{t2}/deficits"), &app.admin).await.body["items"].as_array().unwrap().len(),
        0
    );
}

#[tokio::test]
async fn results_and_deficits_are_scoped_and_every_read_is_audited() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let (a, b) = (teacher(&app, &r.school_a, "Иванова").await, teacher(&app, &r.school_b, "Кузнецова").await);
    record(
        &app,
        &f.campaign,
        json!([
            {"person_id": a, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
            {"person_id": b, "competency_id": f.ict, "score": 30, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    let url = format!("/api/v1/diagnostics/{}/results", id(&f.campaign));
    let own = app.token(Role::Teacher, Some(&r.school_a), Some(&a));
    let mine = app.get(&url, &own).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    let rows = mine.body["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["person_id"], a.as_str());
    app.get(&format!("/api/v1/persons/{b}/deficits"), &own).await.assert_problem(404);
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    assert_eq!(app.get(&url, &mun_a).await.body["items"].as_array().unwrap().len(), 1);
    app.get(&format!("/api/v1/persons/{b}/deficits"), &mun_a).await.assert_problem(404);
    let org_b = app.token(Role::Organization, Some(&r.school_b), None);
    assert_eq!(app.get(&format!("/api/v1/persons/{b}/deficits"), &org_b).await.status, 200);
    let analyst = app.token(Role::Analyst, None, None);
    app.get(&url, &analyst).await.assert_problem(403);
    app.get(&format!("/api/v1/persons/{a}/deficits"), &analyst).await.assert_problem(403);
    let audit =
        app.get("/api/v1/audit?resource_type=diagnostic_result&action=read_personal_data&limit=500", &app.admin).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let reads = audit.body["items"].as_array().unwrap();
    let own_result = rows[0]["id"].as_str().unwrap();
    assert!(
        reads.iter().filter(|x| x["resource_id"] == own_result).count() >= 2,
        "the teacher's list read and the municipality's list read are both audited: {reads:?}"
    );
}

#[tokio::test]
async fn analytics_count_deficits_by_municipality_without_personal_data_and_suppress_small_groups() {
    // A second server over the fresh database of the first, with a smaller minimum group.
    let probe = spawn_app().await;
    let mut settings = test_settings(&probe.database_url);
    settings.min_group_size = 2;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let (a1, a2) = (teacher(&app, &r.school_a, "Иванова").await, teacher(&app, &r.school_a, "Смирнова").await);
    let b1 = teacher(&app, &r.school_b, "Кузнецова").await;
    // Two persons of the regional authority (no municipality): without them the region minus A
    // would give B, so A would be withheld as B's complement.
    let (g1, g2) = (teacher(&app, &r.region, "Петрова").await, teacher(&app, &r.region, "Орлова").await);
    record(
        &app,
        &f.campaign,
        json!([
            {"person_id": a1, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
            {"person_id": a2, "competency_id": f.ict, "score": 90, "assessed_on": "2025-10-01"},
            {"person_id": b1, "competency_id": f.ict, "score": 20, "assessed_on": "2025-10-01"},
            {"person_id": g1, "competency_id": f.ict, "score": 20, "assessed_on": "2025-10-01"},
            {"person_id": g2, "competency_id": f.ict, "score": 20, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    let analyst = app.token(Role::Analyst, None, None);
    let res = app
        .get(
            "/api/v1/diagnostics/analytics?period_from=2025-01-01&period_to=2025-12-31&group_by=municipality",
            &analyst,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["min_group_size"], 2);
    let cells = res.body["items"].as_array().unwrap();
    let a = cells.iter().find(|c| c["group_key"] == "81606000").unwrap();
    assert_eq!(
        (a["assessed"].as_u64(), a["with_deficit"].as_u64(), a["share_percent"].as_f64()),
        (Some(2), Some(1), Some(50.0))
    );
    assert_eq!(a["group_name"], "Бичурский район");
    assert_eq!(a["competency_code"], "Ц-1");
    let b = cells.iter().find(|c| c["group_key"] == "81625000").unwrap();
    assert_eq!(
        (b["suppressed"].as_bool(), b["assessed"].is_null(), b["with_deficit"].is_null()),
        (Some(true), true, true)
    );
    let regional = cells.iter().find(|c| c["group_key"].is_null()).unwrap();
    assert_eq!(regional["suppressed"], true, "B's complement: the smallest other group (2, before A by key)");
    for secret in [&a1, &a2, &b1] {
        assert!(!res.text.contains(secret.as_str()), "no person ids in aggregates");
    }
    assert!(!res.text.contains("Иванова") && !res.text.contains("Кузнецова"));
    let later = app.get("/api/v1/diagnostics/analytics?period_from=2026-01-01", &analyst).await;
    assert_eq!(later.body["items"].as_array().unwrap().len(), 0);
    let by_org = app.get("/api/v1/diagnostics/analytics?group_by=organization", &app.admin).await;
    assert!(by_org.body["items"].as_array().unwrap().iter().any(|c| c["group_name"] == "МАОУ «Бичурская СОШ № 1»"));
    let teacher_token = app.token(Role::Teacher, Some(&r.school_a), Some(&a1));
    app.get("/api/v1/diagnostics/analytics", &teacher_token).await.assert_problem(403);
    let bad = app.get("/api/v1/diagnostics/analytics?group_by=gender", &analyst).await;
    bad.assert_problem(422);
}

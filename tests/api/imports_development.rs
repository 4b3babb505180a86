//! Bulk imports of the development resources: programmes, diagnostic results, events,
//! mentoring pairs and internship sites through `POST /api/v1/imports/{dataset}`.

use rsnms_domain::auth::Role;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::diagnostics::{Framework, framework, teacher};
use crate::imports::{import, snils};

fn ndjson(lines: &[Value]) -> Vec<u8> {
    lines.iter().map(|l| format!("{l}\n")).collect::<String>().into_bytes()
}

fn items(app_reply: &rsnms_tests::Reply) -> Vec<Value> {
    assert_eq!(app_reply.status, 200, "{}", app_reply.text);
    app_reply.body["items"].as_array().unwrap().clone()
}

fn counts(res: &rsnms_tests::Reply) -> (u64, u64, u64, u64) {
    let s = if res.body["summary"].is_object() { &res.body["summary"] } else { &res.body };
    let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
    (n("created"), n("updated"), n("unchanged"), n("rejected"))
}

fn errors(res: &rsnms_tests::Reply) -> Vec<(u64, String, String)> {
    let s = if res.body["summary"].is_object() { &res.body["summary"] } else { &res.body };
    s["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn federal_program(r: &Region, f: &Framework, registry_id: &str, hours: i64) -> Value {
    json!({
        "title": "Формирующее оценивание на уроке", "kind": "qualification_upgrade", "hours": hours,
        "form": "distance", "developer_id": r.region["id"], "competency_ids": [f.assessment],
        "federal_registry": true, "registry_id": registry_id, "registry_included_on": "2025-06-01"
    })
}

async fn results_of(app: &TestApp, f: &Framework) -> Vec<Value> {
    items(&app.get(&format!("/api/v1/diagnostics/{}/results?limit=500", id(&f.campaign)), &app.admin).await)
}

#[tokio::test]
async fn programs_import_from_ndjson_and_csv_and_upsert_by_federal_registry_id() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let body = ndjson(&[federal_program(&r, &f, "ФР-2025-0412", 36)]);
    let first = import(&app, "programs", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(counts(&first), (1, 0, 0, 0), "{}", first.text);

    // CSV: numbers, booleans and list cells typed by the dataset.
    let dev = id(&r.region);
    let csv = format!(
        "title,kind,hours,form,developer_id,federal_registry,competency_ids\n\
         Цифровой урок,qualification_upgrade,72,blended,{dev},false,{};{}\n",
        f.ict, f.assessment
    );
    let second = import(&app, "programs", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(counts(&second), (1, 0, 0, 0), "{}", second.text);
    let all = items(&app.get("/api/v1/programs?limit=500", &app.admin).await);
    assert_eq!(all.len(), 2);
    let digital = all.iter().find(|p| p["title"] == "Цифровой урок").unwrap();
    assert_eq!((digital["hours"].as_i64(), digital["federal_registry"].as_bool()), (Some(72), Some(false)));
    assert_eq!(digital["competency_ids"], json!([f.ict, f.assessment]));

    // Matched by the registry id: the same values are unchanged, new hours an update.
    let same = ndjson(&[federal_program(&r, &f, "ФР-2025-0412", 36)]);
    let again = import(&app, "programs?id_scheme=registry_id", &app.admin, "application/x-ndjson", same).await;
    assert_eq!(counts(&again), (0, 0, 1, 0), "{}", again.text);
    let changed = ndjson(&[json!({"registry_id": "ФР-2025-0412", "hours": 48})]);
    let upd = import(&app, "programs?id_scheme=registry_id", &app.admin, "application/x-ndjson", changed).await;
    assert_eq!(counts(&upd), (0, 1, 0, 0), "{}", upd.text);
    let all = items(&app.get("/api/v1/programs?limit=500", &app.admin).await);
    assert_eq!(all.len(), 2, "matched, not duplicated");
    let federal = all.iter().find(|p| p["registry_id"] == "ФР-2025-0412").unwrap();
    assert_eq!((federal["hours"].as_i64(), federal["version"].as_i64()), (Some(48), Some(2)));

    // By id: a merge patch of the record; the hours rule of the kind still applies.
    let by_id = ndjson(&[json!({"id": digital["id"], "hours": 8})]);
    let bad = import(&app, "programs", &app.admin, "application/x-ndjson", by_id).await;
    bad.assert_problem(422);
    assert_eq!(errors(&bad), vec![(1, "hours".to_owned(), "out_of_range".to_owned())]);

    // Programmes are the region's catalogue: a municipality may not import them.
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let body = ndjson(&[federal_program(&r, &f, "ФР-2025-0999", 36)]);
    import(&app, "programs", &mun_a, "application/x-ndjson", body).await.assert_problem(403);
}

#[tokio::test]
async fn diagnostic_results_import_show_deficits_and_a_reimport_is_unchanged_until_a_value_changes() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let t = teacher(&app, &r.school_a, "Иванова").await;
    let line = |comp: &str, score: f64| json!({"diagnostic_id": f.campaign["id"], "person_id": t, "competency_id": comp, "score": score, "assessed_on": "2025-10-01"});
    let body = ndjson(&[line(&f.ict, 40.0), line(&f.assessment, 80.0)]);
    let first = import(&app, "diagnostic-results", &app.admin, "application/x-ndjson", body.clone()).await;
    assert_eq!(counts(&first), (2, 0, 0, 0), "{}", first.text);
    let own = app.token(Role::Teacher, Some(&r.school_a), Some(&t));
    let deficits = items(&app.get(&format!("/api/v1/persons/{t}/deficits"), &own).await);
    assert_eq!(deficits.len(), 1);
    assert_eq!(deficits[0]["competency_id"], f.ict.as_str());
    assert_eq!(deficits[0]["source"]["campaign_id"], f.campaign["id"]);

    let again = import(&app, "diagnostic-results", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(counts(&again), (0, 0, 2, 0), "{}", again.text);
    let better = ndjson(&[line(&f.ict, 75.0), line(&f.assessment, 80.0)]);
    let upd = import(&app, "diagnostic-results", &app.admin, "application/x-ndjson", better).await;
    assert_eq!(counts(&upd), (0, 1, 1, 0), "{}", upd.text);
    let stored = results_of(&app, &f).await;
    assert_eq!(stored.len(), 2, "idempotent on (campaign, person, competency)");
    let ict = stored.iter().find(|x| x["competency_id"] == f.ict.as_str()).unwrap();
    assert_eq!(
        (ict["score"].as_f64(), ict["deficit"].as_bool(), ict["version"].as_i64()),
        (Some(75.0), Some(false), Some(2))
    );
    assert!(items(&app.get(&format!("/api/v1/persons/{t}/deficits"), &own).await).is_empty());
}

#[tokio::test]
async fn diagnostic_results_import_from_csv_by_snils_and_competency_code() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let (s1, s2) = (snils(11), snils(12));
    for (surname, s) in [("Петрова", &s1), ("Сидорова", &s2)] {
        app.create_person(json!({"surname": surname, "first_name": "Анна", "organization_id": r.school_a["id"], "roles": ["teacher"], "snils": s}))
            .await;
    }
    let campaign = id(&f.campaign);
    // Semicolon-delimited, as spreadsheets save it in Russian locales: a decimal comma.
    let csv = format!(
        "diagnostic_id;person_snils;competency_code;score;assessed_on\n\
         {campaign};{s1};Ц-1;45,5;2025-10-01\n\
         {campaign};{s2};М-1;90;2025-10-02\n"
    );
    let res = import(&app, "diagnostic-results?id_scheme=snils", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(counts(&res), (2, 0, 0, 0), "{}", res.text);
    let stored = results_of(&app, &f).await;
    let low = stored.iter().find(|x| x["competency_id"] == f.ict.as_str()).unwrap();
    assert_eq!((low["score"].as_f64(), low["deficit"].as_bool()), (Some(45.5), Some(true)));

    // `snils` names the person as in the persons dataset; an unknown СНИЛС is named.
    let body = ndjson(&[
        json!({"diagnostic_id": campaign, "snils": s1, "competency_id": f.ict, "score": 45.5, "assessed_on": "2025-10-01"}),
        json!({"diagnostic_id": campaign, "snils": snils(99), "competency_id": f.ict, "score": 50, "assessed_on": "2025-10-01"}),
    ]);
    let res =
        import(&app, "diagnostic-results?id_scheme=snils&atomic=false", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(counts(&res), (0, 0, 1, 1), "{}", res.text);
    assert_eq!(errors(&res), vec![(2, "snils".to_owned(), "not_found".to_owned())]);
}

#[tokio::test]
async fn a_bad_result_line_is_named_an_atomic_import_creates_nothing_and_a_dry_run_writes_nothing() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let t = teacher(&app, &r.school_a, "Иванова").await;
    let good = json!({"diagnostic_id": f.campaign["id"], "person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"});
    let body = ndjson(&[
        good.clone(),
        json!({"diagnostic_id": f.campaign["id"], "person_id": t, "competency_code": "НЕТ-1", "score": 40, "assessed_on": "2025-10-01"}),
        json!({"diagnostic_id": f.campaign["id"], "person_id": t, "competency_id": f.assessment, "score": 140, "assessed_on": "2025-10-01"}),
        json!({"person_id": t, "competency_id": f.assessment, "score": 10, "assessed_on": "2025-10-01"}),
        json!({"diagnostic_id": t, "person_id": t, "competency_id": f.assessment, "score": 10, "assessed_on": "2025-10-01"}),
    ]);
    let res = import(&app, "diagnostic-results", &app.admin, "application/x-ndjson", body.clone()).await;
    res.assert_problem(422);
    assert_eq!(counts(&res), (1, 0, 0, 4));
    assert_eq!(
        errors(&res),
        vec![
            (2, "competency_code".to_owned(), "not_found".to_owned()),
            (3, "score".to_owned(), "out_of_range".to_owned()),
            (4, "diagnostic_id".to_owned(), "required".to_owned()),
            (5, "diagnostic_id".to_owned(), "not_found".to_owned()),
        ]
    );
    assert!(results_of(&app, &f).await.is_empty(), "all or nothing");

    let dry =
        import(&app, "diagnostic-results?dry_run=true", &app.admin, "application/x-ndjson", ndjson(&[good])).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!((counts(&dry), dry.body["committed"].as_bool()), ((1, 0, 0, 0), Some(false)));
    assert!(results_of(&app, &f).await.is_empty(), "a dry run writes nothing");

    let kept = import(&app, "diagnostic-results?atomic=false", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(kept.status, 200, "{}", kept.text);
    assert_eq!(counts(&kept), (1, 0, 0, 4));
    assert_eq!(results_of(&app, &f).await.len(), 1, "the good line is kept");
}

#[tokio::test]
async fn events_mentoring_pairs_and_internship_sites_import_from_ndjson_and_csv_and_match_by_id() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let region = id(&r.region);
    let csv = format!(
        "title,kind,level,held_on,organizer_id,participants,competency_ids\n\
         Региональный семинар,seminar,regional,2099-03-10,{region},120,{}\n",
        f.ict
    );
    let res = import(&app, "events", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(counts(&res), (1, 0, 0, 0), "{}", res.text);
    let event = items(&app.get("/api/v1/events", &app.admin).await)[0].clone();
    assert_eq!((event["participants"].as_i64(), event["level"].as_str()), (Some(120), Some("regional")));
    let body =
        ndjson(&[json!({"id": event["id"], "participants": 120}), json!({"id": event["id"], "participants": 140})]);
    let res = import(&app, "events", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(counts(&res), (0, 1, 1, 0), "{}", res.text);
    assert_eq!(app.get(&format!("/api/v1/events/{}", id(&event)), &app.admin).await.body["participants"], 140);

    let mentor = id(&app
        .create_person(json!({"surname": "Наставникова", "first_name": "Вера", "organization_id": r.school_a["id"], "roles": ["mentor"]}))
        .await);
    let mentee = teacher(&app, &r.school_a, "Молодая").await;
    let org_a = app.token(Role::Organization, Some(&r.school_a), None);
    let pair = json!({"mentor_id": mentor, "mentee_id": mentee, "form": "mentor_young_specialist", "period_start": "2026-09-01", "organization_id": r.school_a["id"], "competency_ids": [f.ict]});
    let res = import(&app, "mentoring-pairs", &org_a, "application/x-ndjson", ndjson(&[pair])).await;
    assert_eq!(counts(&res), (1, 0, 0, 0), "{}", res.text);
    let stored = items(&app.get("/api/v1/mentoring-pairs", &org_a).await)[0].clone();
    let csv = format!("id,form,period_end\n{},peer,2027-06-30\n{},peer,2027-06-30\n", id(&stored), id(&stored));
    let res = import(&app, "mentoring-pairs", &org_a, "text/csv", csv.into_bytes()).await;
    assert_eq!(counts(&res), (0, 1, 1, 0), "{}", res.text);
    let after = app.get(&format!("/api/v1/mentoring-pairs/{}", id(&stored)), &org_a).await;
    assert_eq!((after.body["form"].as_str(), after.body["version"].as_i64()), (Some("peer"), Some(2)));
    let unknown = ndjson(&[json!({"id": mentee, "form": "peer"})]);
    let res = import(&app, "mentoring-pairs", &org_a, "application/x-ndjson", unknown).await;
    assert_eq!(errors(&res), vec![(1, "id".to_owned(), "not_found".to_owned())]);

    let school = id(&r.school_a);
    let csv = format!(
        "organization_id,theme,capacity,period_start,period_end,competency_ids\n\
         {school},Цифровой урок,12,2099-01-10,2099-05-30,{}\n\
         {school},Без мест,0,2099-01-10,2099-05-30,\n",
        f.ict
    );
    let res = import(&app, "internship-sites?atomic=false", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(counts(&res), (1, 0, 0, 1), "{}", res.text);
    assert_eq!(errors(&res), vec![(3, "capacity".to_owned(), "range".to_owned())]);
    let sites = items(&app.get("/api/v1/internship-sites", &app.admin).await);
    assert_eq!((sites.len(), sites[0]["capacity"].as_i64()), (1, Some(12)));
}

#[tokio::test]
async fn a_municipal_token_cannot_import_into_another_municipality() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let in_b = teacher(&app, &r.school_b, "Кабанская").await;
    let in_a = teacher(&app, &r.school_a, "Бичурская").await;

    let result = |p: &str| json!({"diagnostic_id": f.campaign["id"], "person_id": p, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"});
    let res =
        import(&app, "diagnostic-results", &mun_a, "application/x-ndjson", ndjson(&[result(&in_a), result(&in_b)]))
            .await;
    res.assert_problem(422);
    assert_eq!(errors(&res), vec![(2, "person_id".to_owned(), "not_found".to_owned())]);
    assert!(results_of(&app, &f).await.is_empty());
    let ok = import(&app, "diagnostic-results", &mun_a, "application/x-ndjson", ndjson(&[result(&in_a)])).await;
    assert_eq!(counts(&ok), (1, 0, 0, 0), "{}", ok.text);

    let event = |org: &Value| json!({"title": "Круглый стол", "kind": "round_table", "level": "municipal", "held_on": "2026-03-10", "organizer_id": org["id"]});
    let res = import(&app, "events", &mun_a, "application/x-ndjson", ndjson(&[event(&r.mun_a), event(&r.mun_b)])).await;
    res.assert_problem(422);
    assert_eq!(errors(&res), vec![(2, "organizer_id".to_owned(), "not_found".to_owned())]);
    assert!(items(&app.get("/api/v1/events", &app.admin).await).is_empty());

    // A pair of another municipality is not found by id for the caller.
    let mentor = id(&app
        .create_person(json!({"surname": "Наставник", "first_name": "Б", "organization_id": r.school_b["id"], "roles": ["mentor"]}))
        .await);
    let pair = app
        .post("/api/v1/mentoring-pairs", &app.admin, &json!({"mentor_id": mentor, "mentee_id": in_b, "form": "peer", "period_start": "2026-09-01", "organization_id": r.school_b["id"]}))
        .await;
    assert_eq!(pair.status, 201, "{}", pair.text);
    let res = import(
        &app,
        "mentoring-pairs",
        &mun_a,
        "application/x-ndjson",
        ndjson(&[json!({"id": pair.body["id"], "form": "other"})]),
    )
    .await;
    assert_eq!(errors(&res), vec![(1, "id".to_owned(), "not_found".to_owned())]);
    assert_eq!(app.get(&format!("/api/v1/mentoring-pairs/{}", id(&pair.body)), &app.admin).await.body["form"], "peer");

    let site = json!({"organization_id": r.school_a["id"], "theme": "x", "capacity": 3, "period_start": "2026-01-01", "period_end": "2026-05-01"});
    import(&app, "internship-sites", &mun_a, "application/x-ndjson", ndjson(&[site])).await.assert_problem(403);
}

#[tokio::test]
async fn the_published_spec_lists_every_dataset_with_its_id_schemes() {
    let app = spawn_app().await;
    let spec = app.send("GET", "/openapi.json", None, None, &[]).await;
    assert_eq!(spec.status, 200);
    let params = spec.body.pointer("/paths/~1api~1v1~1imports~1{dataset}/post/parameters").unwrap().as_array().unwrap();
    let dataset = params.iter().find(|p| p["name"] == "dataset").unwrap();
    let names: Vec<&str> = dataset["schema"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for name in
        ["organizations", "persons", "programs", "diagnostic-results", "events", "mentoring-pairs", "internship-sites"]
    {
        assert!(names.contains(&name), "{name} missing from {names:?}");
        assert!(dataset["description"].as_str().unwrap().contains(&format!("`{name}`")));
    }
    assert!(dataset["description"].as_str().unwrap().contains("`programs` (id_scheme: id, registry_id)"));
    let unknown = import(&app, "nonsense", &app.admin, "application/x-ndjson", ndjson(&[json!({})])).await;
    unknown.assert_problem(404);
}

#[tokio::test]
async fn a_results_file_with_two_lines_for_one_person_and_competency_is_refused_naming_both_lines() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let t = teacher(&app, &r.school_a, "Иванова").await;
    let line = |comp: &str, score: f64| json!({"diagnostic_id": f.campaign["id"], "person_id": t, "competency_id": comp, "score": score, "assessed_on": "2025-10-01"});
    let body = ndjson(&[line(&f.ict, 40.0), line(&f.assessment, 80.0), line(&f.ict, 90.0)]);
    let res = import(&app, "diagnostic-results", &app.admin, "application/x-ndjson", body.clone()).await;
    res.assert_problem(422);
    assert_eq!(errors(&res), vec![(3, "$".to_owned(), "duplicate".to_owned())], "{}", res.text);
    assert!(res.text.contains("Строка 3 повторяет строку 1"), "both lines are named: {}", res.text);
    assert!(results_of(&app, &f).await.is_empty(), "the last line does not silently win");
    // Kept line by line: the first stands, the repeat is refused, not applied over it.
    let kept = import(&app, "diagnostic-results?atomic=false", &app.admin, "application/x-ndjson", body).await;
    assert_eq!(counts(&kept), (2, 0, 0, 1), "{}", kept.text);
    let stored = results_of(&app, &f).await;
    let ict = stored.iter().find(|x| x["competency_id"] == f.ict.as_str()).unwrap();
    assert_eq!(ict["score"].as_f64(), Some(40.0));
    // The batch endpoint refuses the same pair alike.
    let batch = app
        .post(
            &format!("/api/v1/diagnostics/{}/results", id(&f.campaign)),
            &app.admin,
            &json!({"items": [
                {"person_id": t, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
                {"person_id": t, "competency_id": f.ict, "score": 90, "assessed_on": "2025-10-01"}
            ]}),
        )
        .await;
    batch.assert_problem(422);
    assert_eq!(batch.error_fields(), vec!["items[1]"]);
}

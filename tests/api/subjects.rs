//! Teaching subjects of persons: create, patch, filter, import, and deficits by subject.

use rsnms_domain::auth::Role;
use rsnms_tests::{Reply, TestApp, id, spawn_app, spawn_with, test_settings};
use serde_json::{Value, json};

use crate::diagnostics::{framework, record};

async fn person(app: &TestApp, org: &Value, surname: &str, subjects: Value) -> Value {
    let created = app
        .post(
            "/api/v1/persons",
            &app.admin,
            &json!({"surname": surname, "first_name": "Анна", "organization_id": org["id"], "roles": ["teacher"], "subjects": subjects}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body
}

async fn surnames(app: &TestApp, query: &str) -> Vec<String> {
    let list = app.get(&format!("/api/v1/persons?{query}"), &app.admin).await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.body["items"].as_array().unwrap().iter().map(|p| p["surname"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn teaching_subjects_are_normalised_replaced_by_a_patch_and_filter_the_list() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let ivanova = person(&app, &r.school_a, "Иванова", json!([" Математика ", "физика", "МАТЕМАТИКА", ""])).await;
    assert_eq!(ivanova["subjects"], json!(["математика", "физика"]));
    person(&app, &r.school_a, "Петрова", json!(["русский  язык"])).await;
    person(&app, &r.school_b, "Сидорова", json!([])).await;
    // ?subject=Физика, ?subject=русский%20%20язык, ?subject=химия
    assert_eq!(surnames(&app, "subject=%D0%A4%D0%B8%D0%B7%D0%B8%D0%BA%D0%B0").await, vec!["Иванова"]);
    assert_eq!(
        surnames(&app, "subject=%D1%80%D1%83%D1%81%D1%81%D0%BA%D0%B8%D0%B9%20%20%D1%8F%D0%B7%D1%8B%D0%BA").await,
        vec!["Петрова"]
    );
    assert!(surnames(&app, "subject=%D1%85%D0%B8%D0%BC%D0%B8%D1%8F").await.is_empty(), "nobody teaches химия");
    let path = format!("/api/v1/persons/{}", id(&ivanova));
    let patched =
        app.patch(&path, &app.admin, &format!("\"{}\"", ivanova["version"]), &json!({"subjects": ["Химия"]})).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["subjects"], json!(["химия"]), "a list is replaced whole");
    assert!(surnames(&app, "subject=%D1%84%D0%B8%D0%B7%D0%B8%D0%BA%D0%B0").await.is_empty());
    let cleared = app.patch(&path, &app.admin, &patched.etag(), &json!({"subjects": null})).await;
    assert_eq!(cleared.body["subjects"], json!([]));
    let read = app.get(&path, &app.admin).await;
    assert_eq!(read.body["subjects"], json!([]));
    // Too long, too many: 422 naming the field, nothing stored.
    let long = app
        .post(
            "/api/v1/persons",
            &app.admin,
            &json!({"surname": "Орлова", "first_name": "Вера", "organization_id": r.school_a["id"], "subjects": ["физика", "я".repeat(101)]}),
        )
        .await;
    long.assert_problem(422);
    assert_eq!(long.error_fields(), vec!["subjects[1]"]);
    let many: Vec<String> = (0..21).map(|i| format!("предмет {i}")).collect();
    let too_many = app
        .post(
            "/api/v1/persons",
            &app.admin,
            &json!({"surname": "Орлова", "first_name": "Вера", "organization_id": r.school_a["id"], "subjects": many}),
        )
        .await;
    too_many.assert_problem(422);
    assert_eq!(too_many.error_fields(), vec!["subjects"]);
    assert!(surnames(&app, "name=%D0%9E%D1%80%D0%BB%D0%BE%D0%B2%D0%B0").await.is_empty(), "no Орлова stored");
}

#[tokio::test]
async fn the_persons_import_reads_subjects_from_a_list_column() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let org = id(&r.school_a);
    let csv = format!(
        "surname;first_name;organization_id;subjects\nИванова;Анна;{org};Математика, физика\nПетрова;Ольга;{org};\n"
    );
    let res = crate::imports::import(&app, "persons", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["created"], 2, "{}", res.text);
    let list = app.get(&format!("/api/v1/persons?organization_id={org}"), &app.admin).await;
    let by: Vec<(Value, Value)> =
        list.body["items"].as_array().unwrap().iter().map(|p| (p["surname"].clone(), p["subjects"].clone())).collect();
    assert_eq!(by, vec![(json!("Иванова"), json!(["математика", "физика"])), (json!("Петрова"), json!([]))]);
}

fn cells(res: &Reply) -> Vec<(Value, Value, Value, Value)> {
    let mut v: Vec<_> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["group_key"].clone(), c["assessed"].clone(), c["with_deficit"].clone(), c["suppressed"].clone()))
        .collect();
    v.sort_by_key(|c| c.0.to_string());
    v
}

#[tokio::test]
async fn deficits_by_subject_count_a_teacher_of_two_subjects_in_both_groups_and_suppress_small_ones() {
    let probe = spawn_app().await;
    let mut settings = test_settings(&probe.database_url);
    settings.min_group_size = 2;
    let app = spawn_with(settings).await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let both = id(&person(&app, &r.school_a, "Иванова", json!(["математика", "физика"])).await);
    let maths = id(&person(&app, &r.school_a, "Смирнова", json!(["математика", "информатика"])).await);
    let none = person(&app, &r.school_a, "Кузнецова", json!([])).await;
    let physics_b = id(&person(&app, &r.school_b, "Попова", json!(["Физика"])).await);
    record(
        &app,
        &f.campaign,
        json!([
            {"person_id": both, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"},
            {"person_id": maths, "competency_id": f.ict, "score": 90, "assessed_on": "2025-10-01"},
            {"person_id": id(&none), "competency_id": f.ict, "score": 10, "assessed_on": "2025-10-01"},
            {"person_id": physics_b, "competency_id": f.ict, "score": 20, "assessed_on": "2025-10-01"}
        ]),
    )
    .await;
    let analyst = app.token(Role::Analyst, None, None);
    let res = app.get("/api/v1/diagnostics/analytics?group_by=subject", &analyst).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["group_by"], "subject");
    assert_eq!(
        cells(&res),
        vec![
            (json!("информатика"), json!(null), json!(null), json!(true)),
            (json!("математика"), json!(null), json!(null), json!(true)),
            (json!("физика"), json!(2), json!(2), json!(false)),
            (json!(null), json!(null), json!(null), json!(true)),
        ],
        "Иванова counts in математика and физика; one-person groups are suppressed, and математика with \
         them (disclosure control): the four assessed minus физика and математика would leave nobody \
         for информатика and the group without a subject, so their sizes would be guessed: {}",
        res.text
    );
    for secret in [&both, &maths, &physics_b] {
        assert!(!res.text.contains(secret.as_str()), "no person ids in aggregates");
    }
    // Within municipality A, физика has one teacher left: suppressed the same way.
    let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let scoped = app.get("/api/v1/diagnostics/analytics?group_by=subject", &municipal_a).await;
    let physics = cells(&scoped).into_iter().find(|c| c.0 == "физика").unwrap();
    assert_eq!(physics, (json!("физика"), json!(null), json!(null), json!(true)));
    // A subject added later moves the person into that group.
    let path = format!("/api/v1/persons/{}", id(&none));
    let patched =
        app.patch(&path, &app.admin, &format!("\"{}\"", none["version"]), &json!({"subjects": ["информатика"]})).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let after = app.get("/api/v1/diagnostics/analytics?group_by=subject", &analyst).await;
    let informatics = cells(&after).into_iter().find(|c| c.0 == "информатика").unwrap();
    assert_eq!(informatics, (json!("информатика"), json!(2), json!(1), json!(false)));
    assert!(cells(&after).iter().all(|c| !c.0.is_null()), "nobody is left without a subject");
}

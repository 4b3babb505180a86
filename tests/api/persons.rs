use rsnms_domain::auth::Role;
use rsnms_tests::{id, spawn_app};
use serde_json::json;

fn teacher(org: &serde_json::Value, snils: &str) -> serde_json::Value {
    json!({
        "surname": "Иванова", "first_name": "Анна", "patronymic": "Петровна", "position": "учитель математики",
        "organization_id": org["id"], "roles": ["teacher"], "email": "ivanova@school.example", "phone": "+7 301 221-00-00",
        "snils": snils, "birth_date": "1995-03-14", "hire_date": "2018-09-01"
    })
}

#[tokio::test]
async fn a_person_is_created_with_a_checked_snils_and_a_derived_young_specialist_flag() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let p = app.create_person(teacher(&r.school_a, "112-233-445 95")).await;
    assert_eq!(p["snils"], "112-233-445 95");
    assert_eq!(p["full_name"], "Иванова Анна Петровна");
    assert_eq!(p["young_specialist"], true, "born 1995: under 35 in 2026");
    assert_eq!(p["personal_data_visible"], true);
    let old = app
        .create_person(json!({"surname": "Петров", "first_name": "Пётр", "organization_id": r.school_a["id"], "birth_date": "1970-01-01", "hire_date": "1995-09-01"}))
        .await;
    assert_eq!(old["young_specialist"], false);
    let bad = app.post("/api/v1/persons", &app.admin, &teacher(&r.school_a, "112-233-445 96")).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["snils"]);
}

#[tokio::test]
async fn a_duplicate_snils_is_a_conflict_naming_the_field() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    app.create_person(teacher(&r.school_a, "11223344595")).await;
    let dup = app.post("/api/v1/persons", &app.admin, &teacher(&r.school_b, "112-233-445 95")).await;
    dup.assert_problem(409);
    assert_eq!(dup.error_fields(), vec!["snils"]);
}

#[tokio::test]
async fn missing_required_fields_are_all_named() {
    let app = spawn_app().await;
    let r = app.post("/api/v1/persons", &app.admin, &json!({"email": "x", "roles": ["teacher", "wizard"]})).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["roles[1]"]);
    let r = app.post("/api/v1/persons", &app.admin, &json!({"email": "x"})).await;
    let mut f = r.error_fields();
    f.sort();
    assert_eq!(f, vec!["email", "first_name", "organization_id", "surname"]);
}

#[tokio::test]
async fn personal_data_is_masked_for_a_tutor_and_shown_to_the_person_themselves() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let p = app.create_person(teacher(&r.school_a, "112-233-445 95")).await;
    let own = app.token(Role::Teacher, Some(&r.school_a), Some(p["id"].as_str().unwrap()));
    let mine = app.get(&format!("/api/v1/persons/{}", id(&p)), &own).await;
    assert_eq!(mine.body["snils"], "112-233-445 95");
    let tutor_person = app.create_person(json!({"surname": "Тьюторова", "first_name": "Ольга", "organization_id": r.school_a["id"], "roles": ["tutor"]})).await;
    let tutor = app.token(Role::Tutor, Some(&r.school_a), Some(tutor_person["id"].as_str().unwrap()));
    // A tutor sees only themselves until routes assign persons to them.
    app.get(&format!("/api/v1/persons/{}", id(&p)), &tutor).await.assert_problem(404);
    let org = app.token(Role::Organization, Some(&r.school_a), None);
    let seen = app.get(&format!("/api/v1/persons/{}", id(&p)), &org).await;
    assert_eq!(seen.body["email"], "ivanova@school.example");
    let analyst = app.token(Role::Analyst, None, None);
    app.get(&format!("/api/v1/persons/{}", id(&p)), &analyst).await.assert_problem(403);
    app.get("/api/v1/persons", &analyst).await.assert_problem(403);
}

#[tokio::test]
async fn a_teacher_sees_only_themselves() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let me = app.create_person(teacher(&r.school_a, "112-233-445 95")).await;
    let colleague = app
        .create_person(json!({"surname": "Сидоров", "first_name": "Иван", "organization_id": r.school_a["id"]}))
        .await;
    let t = app.token(Role::Teacher, Some(&r.school_a), Some(me["id"].as_str().unwrap()));
    let list = app.get("/api/v1/persons", &t).await;
    let ids: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![me["id"].as_str().unwrap()]);
    app.get(&format!("/api/v1/persons/{}", id(&colleague)), &t).await.assert_problem(404);
    let patch = app.patch(&format!("/api/v1/persons/{}", id(&me)), &t, "\"1\"", &json!({"position": "завуч"})).await;
    patch.assert_problem(403);
}

#[tokio::test]
async fn the_municipal_methodologist_registry_is_a_filter() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let service = app.create_org(json!({"name": "ММС Бичурского района", "kind": "municipal_methodological_service", "parent_id": r.mun_a["id"]})).await;
    let m = app.create_person(json!({"surname": "Методистова", "first_name": "Мария", "organization_id": service["id"], "roles": ["methodologist", "tutor"]})).await;
    app.create_person(json!({"surname": "Школьная", "first_name": "Ирина", "organization_id": r.school_a["id"], "roles": ["methodologist"]})).await;
    let reg = app
        .get("/api/v1/persons?role=methodologist&organization_kind=municipal_methodological_service", &app.admin)
        .await;
    let items = reg.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], m["id"]);
    assert_eq!(items[0]["roles"], json!(["tutor", "methodologist"]));
}

#[tokio::test]
async fn reads_of_personal_data_are_audited_and_the_audit_is_for_admins() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let p = app.create_person(teacher(&r.school_a, "112-233-445 95")).await;
    let org = app.token(Role::Organization, Some(&r.school_a), None);
    app.get(&format!("/api/v1/persons/{}", id(&p)), &org).await;
    let audit = app.get(&format!("/api/v1/audit?resource_type=person&resource_id={}", id(&p)), &app.admin).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["create", "read_personal_data"]);
    assert_eq!(audit.body["items"][1]["actor_role"], "organization");
    app.get("/api/v1/audit", &org).await.assert_problem(403);
}

#[tokio::test]
async fn a_person_can_be_updated_and_deleted_with_if_match() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let p = app.create_person(teacher(&r.school_a, "112-233-445 95")).await;
    let path = format!("/api/v1/persons/{}", id(&p));
    let etag = app.get(&path, &app.admin).await.etag();
    let up = app
        .patch(&path, &app.admin, &etag, &json!({"position": "заместитель директора", "roles": ["teacher", "manager"]}))
        .await;
    assert_eq!(up.status, 200, "{}", up.text);
    assert_eq!(up.body["roles"], json!(["teacher", "manager"]));
    app.send("DELETE", &path, Some(&app.admin), None, &[("if-match", &etag)]).await.assert_problem(412);
    let del = app.send("DELETE", &path, Some(&app.admin), None, &[("if-match", &up.etag())]).await;
    assert_eq!(del.status, 204);
    app.get(&path, &app.admin).await.assert_problem(404);
}

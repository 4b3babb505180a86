use rsnms_domain::auth::Role;
use rsnms_tests::{id, spawn_app};
use serde_json::json;

#[tokio::test]
async fn a_municipality_neither_sees_nor_changes_another_municipalitys_organisations_or_persons() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let person_a = app.create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"], "snils": "112-233-445 95"})).await;
    let b = app.token(Role::Municipal, Some(&r.mun_b), None);

    let orgs = app.get("/api/v1/organizations", &b).await;
    let ids: Vec<&str> = orgs.body["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&r.school_a["id"].as_str().unwrap()));
    app.get(&format!("/api/v1/organizations/{}", id(&r.school_a)), &b).await.assert_problem(404);
    app.get(&format!("/api/v1/persons/{}", id(&person_a)), &b).await.assert_problem(404);
    assert_eq!(app.get("/api/v1/persons", &b).await.body["items"].as_array().unwrap().len(), 0);

    let before_org = app.get(&format!("/api/v1/organizations/{}", id(&r.school_a)), &app.admin).await;
    let before_person = app.get(&format!("/api/v1/persons/{}", id(&person_a)), &app.admin).await;
    app.patch(
        &format!("/api/v1/organizations/{}", id(&r.school_a)),
        &b,
        &before_org.etag(),
        &json!({"name": "Захвачено"}),
    )
    .await
    .assert_problem(404);
    app.send(
        "POST",
        &format!("/api/v1/organizations/{}/close", id(&r.school_a)),
        Some(&b),
        Some(&json!({"closed_on": "2026-01-01"})),
        &[("if-match", &before_org.etag())],
    )
    .await
    .assert_problem(404);
    app.patch(&format!("/api/v1/persons/{}", id(&person_a)), &b, &before_person.etag(), &json!({"surname": "X"}))
        .await
        .assert_problem(404);
    app.send(
        "DELETE",
        &format!("/api/v1/persons/{}", id(&person_a)),
        Some(&b),
        None,
        &[("if-match", &before_person.etag())],
    )
    .await
    .assert_problem(404);
    // Creating inside A, or moving a person into A, is refused too.
    let inside_a = app
        .post(
            "/api/v1/organizations",
            &b,
            &json!({"name": "X", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .await;
    inside_a.assert_problem(422);
    assert_eq!(inside_a.error_fields(), vec!["parent_id"], "a parent outside the scope does not exist for the caller");
    let into_a = app
        .post("/api/v1/persons", &b, &json!({"surname": "X", "first_name": "Y", "organization_id": r.school_a["id"]}))
        .await;
    into_a.assert_problem(422);
    assert_eq!(into_a.error_fields(), vec!["organization_id"]);

    let after_org = app.get(&format!("/api/v1/organizations/{}", id(&r.school_a)), &app.admin).await;
    let after_person = app.get(&format!("/api/v1/persons/{}", id(&person_a)), &app.admin).await;
    assert_eq!(before_org.body, after_org.body, "nothing changed");
    assert_eq!(before_person.body, after_person.body, "nothing changed");
}

#[tokio::test]
async fn a_municipality_manages_its_own_institutions() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let school = app
        .post(
            "/api/v1/organizations",
            &a,
            &json!({"name": "МБОУ «Новая школа»", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .await;
    assert_eq!(school.status, 201, "{}", school.text);
    let p = app.post("/api/v1/persons", &a, &json!({"surname": "Новикова", "first_name": "Нина", "organization_id": school.body["id"], "snils": "112-233-445 95"})).await;
    assert_eq!(p.status, 201, "{}", p.text);
    assert_eq!(p.body["snils"], "112-233-445 95");
    let etag = school.etag();
    let moved = app
        .patch(&format!("/api/v1/organizations/{}", id(&school.body)), &a, &etag, &json!({"parent_id": r.mun_b["id"]}))
        .await;
    moved.assert_problem(422);
    let escaped = app
        .patch(
            &format!("/api/v1/organizations/{}", id(&school.body)),
            &a,
            &etag,
            &json!({"municipality_code": "81625000"}),
        )
        .await;
    assert!(escaped.status == 403 || escaped.status == 422, "{}", escaped.text);
    assert_eq!(
        app.get(&format!("/api/v1/organizations/{}", id(&school.body)), &app.admin).await.body["municipality_code"],
        "81606000"
    );
}

#[tokio::test]
async fn an_organisation_sees_its_staff_but_not_another_schools() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let a_staff =
        app.create_person(json!({"surname": "А", "first_name": "А", "organization_id": r.school_a["id"]})).await;
    let b_staff =
        app.create_person(json!({"surname": "Б", "first_name": "Б", "organization_id": r.school_b["id"]})).await;
    let t = app.token(Role::Organization, Some(&r.school_a), None);
    let list = app.get("/api/v1/persons", &t).await;
    let ids: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![a_staff["id"].as_str().unwrap()]);
    app.get(&format!("/api/v1/persons/{}", id(&b_staff)), &t).await.assert_problem(404);
    app.get(&format!("/api/v1/organizations/{}", id(&r.school_b)), &t).await.assert_problem(404);
}

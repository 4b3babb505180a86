use rsnms_domain::auth::Role;
use rsnms_tests::{id, spawn_app};
use serde_json::json;

#[tokio::test]
async fn an_institution_inherits_region_municipality_and_time_zone_from_its_parent() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    assert_eq!(r.school_a["region_code"], "03");
    assert_eq!(r.school_a["municipality_code"], "81606000");
    assert_eq!(r.school_a["municipality_name"], "Бичурский район");
    assert_eq!(r.school_a["time_zone"], "Asia/Irkutsk");
    assert_eq!(r.school_a["level"], "institutional");
    assert_eq!(r.mun_a["level"], "municipal");
}

#[tokio::test]
async fn the_default_time_zone_is_moscow() {
    let app = spawn_app().await;
    let o = app.create_org(json!({"name": "ГБУ НАО «НРЦРО»", "kind": "regional_institute", "region_code": "83"})).await;
    assert_eq!(o["time_zone"], "Europe/Moscow");
}

#[tokio::test]
async fn the_hierarchy_rules_are_enforced() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let bad_parent = app
        .post(
            "/api/v1/organizations",
            &app.admin,
            &json!({"name": "X", "kind": "regional_institute", "parent_id": r.school_a["id"], "region_code": "03"}),
        )
        .await;
    bad_parent.assert_problem(422);
    assert_eq!(bad_parent.error_fields(), vec!["parent_id"]);
    let mismatch = app.post("/api/v1/organizations", &app.admin, &json!({"name": "X", "kind": "educational_organization", "parent_id": r.mun_a["id"], "municipality_code": "81625000"})).await;
    mismatch.assert_problem(422);
    assert_eq!(mismatch.error_fields(), vec!["municipality_code"]);
    let level = app
        .post(
            "/api/v1/organizations",
            &app.admin,
            &json!({"name": "X", "kind": "cnppm", "level": "municipal", "region_code": "03"}),
        )
        .await;
    level.assert_problem(422);
    assert_eq!(level.error_fields(), vec!["level"]);
    let no_mun = app
        .post(
            "/api/v1/organizations",
            &app.admin,
            &json!({"name": "X", "kind": "municipal_methodological_service", "region_code": "03"}),
        )
        .await;
    assert_eq!(no_mun.error_fields(), vec!["municipality_code"]);
    let cycle_etag = app.get(&format!("/api/v1/organizations/{}", id(&r.mun_a)), &app.admin).await.etag();
    let service = app
        .create_org(json!({"name": "ММС", "kind": "municipal_methodological_service", "parent_id": r.mun_a["id"]}))
        .await;
    let cycle = app
        .patch(
            &format!("/api/v1/organizations/{}", id(&r.mun_a)),
            &app.admin,
            &cycle_etag,
            &json!({"parent_id": service["id"]}),
        )
        .await;
    cycle.assert_problem(422);
    assert_eq!(cycle.error_fields(), vec!["parent_id"]);
    let other = app
        .post("/api/v1/organizations", &app.admin, &json!({"name": "НКО", "kind": "other", "region_code": "77"}))
        .await;
    assert_eq!(other.error_fields(), vec!["level"]);
    let unknown_parent = app.post("/api/v1/organizations", &app.admin, &json!({"name": "X", "kind": "educational_organization", "parent_id": "01a208e7-1ff3-760b-9f9c-140424bfadde"})).await;
    assert!(unknown_parent.error_fields().contains(&"parent_id".to_owned()));
}

#[tokio::test]
async fn lists_filter_and_page_with_a_link_header() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let schools = app.get("/api/v1/organizations?kind=educational_organization", &app.admin).await;
    assert_eq!(schools.body["items"].as_array().unwrap().len(), 2);
    let in_a = app.get(&format!("/api/v1/organizations?parent_id={}", id(&r.mun_a)), &app.admin).await;
    assert_eq!(in_a.body["items"][0]["id"], r.school_a["id"]);
    let by_name = app.get("/api/v1/organizations?name=%D0%BA%D0%B0%D0%B1%D0%B0%D0%BD%D1%81%D0%BA", &app.admin).await; // "кабанск"
    assert_eq!(by_name.body["items"].as_array().unwrap().len(), 2);
    let mun = app.get("/api/v1/organizations?level=municipal&municipality_code=81625000", &app.admin).await;
    assert_eq!(mun.body["items"].as_array().unwrap().len(), 1);

    let mut seen = Vec::new();
    let mut path = "/api/v1/organizations?limit=2".to_owned();
    loop {
        let page = app.get(&path, &app.admin).await;
        assert_eq!(page.status, 200);
        for o in page.body["items"].as_array().unwrap() {
            seen.push(id(o));
        }
        match page.body["next_cursor"].as_str() {
            Some(_) => {
                let link = page.header("link").expect("link header on a non-last page");
                assert!(link.ends_with("rel=\"next\""));
                path = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
                assert!(path.contains("limit=2"));
            }
            None => {
                assert!(page.header("link").is_none());
                break;
            }
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(sorted.len(), 5, "no row twice");
}

#[tokio::test]
async fn updates_need_a_current_if_match() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let path = format!("/api/v1/organizations/{}", id(&r.school_a));
    let got = app.get(&path, &app.admin).await;
    let etag = got.etag();
    let missing = app.send("PATCH", &path, Some(&app.admin), Some(&json!({"short_name": "СОШ 1"})), &[]).await;
    missing.assert_problem(428);
    let ok = app
        .patch(&path, &app.admin, &etag, &json!({"short_name": "СОШ 1", "contacts": {"phone": "8 (30133) 4-12-34"}}))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["short_name"], "СОШ 1");
    assert_eq!(ok.body["contacts"]["phone"], "+73013341234");
    assert_eq!(ok.body["name"], r.school_a["name"], "a merge patch keeps what it does not name");
    assert_ne!(ok.etag(), etag);
    let stale = app.patch(&path, &app.admin, &etag, &json!({"short_name": "Другое"})).await;
    stale.assert_problem(412);
    let cleared = app.patch(&path, &app.admin, &ok.etag(), &json!({"short_name": null})).await;
    assert_eq!(cleared.status, 200);
    assert!(cleared.body["short_name"].is_null());
    let invalid = app.patch(&path, &app.admin, &cleared.etag(), &json!({"name": null, "inn": "1"})).await;
    invalid.assert_problem(422);
    let mut f = invalid.error_fields();
    f.sort();
    assert_eq!(f, vec!["inn", "name"]);
    assert_eq!(app.get(&path, &app.admin).await.body["name"], r.school_a["name"]);
}

#[tokio::test]
async fn closing_keeps_the_organisation_with_its_date() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let path = format!("/api/v1/organizations/{}", id(&r.school_b));
    let etag = app.get(&path, &app.admin).await.etag();
    let closed = app
        .send(
            "POST",
            &format!("{path}/close"),
            Some(&app.admin),
            Some(&json!({"closed_on": "2026-09-01"})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(closed.body["closed_on"], "2026-09-01");
    let again = app
        .send(
            "POST",
            &format!("{path}/close"),
            Some(&app.admin),
            Some(&json!({"closed_on": "2026-09-02"})),
            &[("if-match", &closed.etag())],
        )
        .await;
    again.assert_problem(409);
    let open = app.get("/api/v1/organizations?closed=false&kind=educational_organization", &app.admin).await;
    assert_eq!(open.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_organisation_account_may_edit_its_contacts_but_not_move_itself() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let t = app.token(Role::Organization, Some(&r.school_a), None);
    let path = format!("/api/v1/organizations/{}", id(&r.school_a));
    let etag = app.get(&path, &t).await.etag();
    let ok = app.patch(&path, &t, &etag, &json!({"contacts": {"email": "school1@bichura.example"}})).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let moved = app
        .patch(
            &path,
            &t,
            &ok.etag(),
            &json!({"short_name": "moved", "parent_id": r.region["id"], "municipality_code": null}),
        )
        .await;
    assert!(moved.status == 403 || moved.status == 422, "{}", moved.text);
    let created = app
        .post(
            "/api/v1/organizations",
            &t,
            &json!({"name": "X", "kind": "educational_organization", "parent_id": r.mun_a["id"]}),
        )
        .await;
    created.assert_problem(403);
}

//! What screens need: conditional reads, counts, sort orders.

use rsnms_tests::{id, spawn_app};

#[tokio::test]
async fn a_single_resource_answers_304_without_a_body_when_its_etag_matches() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let path = format!("/api/v1/organizations/{}", id(&r.school_a));
    let first = app.get(&path, &app.admin).await;
    assert_eq!(first.status, 200);
    let tag = first.etag();
    for header in [tag.clone(), format!("W/{tag}"), format!("\"nope\", {tag}"), "*".to_owned()] {
        let again = app.send("GET", &path, Some(&app.admin), None, &[("if-none-match", &header)]).await;
        assert_eq!(again.status, 304, "If-None-Match: {header}");
        assert!(again.text.is_empty());
        assert_eq!(again.etag(), tag);
    }
    let other = app.send("GET", &path, Some(&app.admin), None, &[("if-none-match", "\"999999\"")]).await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body["id"], r.school_a["id"]);
    // A change makes the old tag stale: the full body comes back.
    let changed = app.patch(&path, &app.admin, &tag, &serde_json::json!({"short_name": "СОШ № 1"})).await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let stale = app.send("GET", &path, Some(&app.admin), None, &[("if-none-match", &tag)]).await;
    assert_eq!(stale.status, 200);
    assert_ne!(stale.etag(), tag);
}

#[tokio::test]
async fn a_list_page_carries_a_weak_etag_that_changes_with_its_rows() {
    let app = spawn_app().await;
    let _ = app.seed_region().await;
    let path = "/api/v1/organizations?limit=10";
    let first = app.get(path, &app.admin).await;
    assert_eq!(first.status, 200);
    let tag = first.etag();
    assert!(tag.starts_with("W/\""), "{tag}");
    let again = app.send("GET", path, Some(&app.admin), None, &[("if-none-match", &tag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    let _ = app.create_org(serde_json::json!({"name": "ГАУ ДПО РБ «БРИОП»", "kind": "regional_institute", "region_code": "03"})).await;
    let after = app.send("GET", path, Some(&app.admin), None, &[("if-none-match", &tag)]).await;
    assert_eq!(after.status, 200);
    assert_ne!(after.etag(), tag);
}

#[tokio::test]
async fn if_none_match_never_hides_an_error_or_a_change() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let foreign = app.token(rsnms_domain::auth::Role::Organization, Some(&r.school_b), None);
    let path = format!("/api/v1/organizations/{}", id(&r.school_a));
    let hidden = app.send("GET", &path, Some(&foreign), None, &[("if-none-match", "*")]).await;
    assert_eq!(hidden.status, 404);
}

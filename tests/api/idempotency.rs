use rsnms_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_first_response_and_creates_nothing_twice() {
    let app = spawn_app().await;
    let body = json!({"name": "ГАУ ДПО РБ «БРИОП»", "kind": "regional_institute", "region_code": "03"});
    let first =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "k-1")]).await;
    assert_eq!(first.status, 201);
    let second =
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "k-1")]).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.header("idempotent-replayed").as_deref(), Some("true"));
    let list = app.get("/api/v1/organizations", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let app = spawn_app().await;
    let a = json!({"name": "A", "kind": "regional_institute", "region_code": "03"});
    let b = json!({"name": "B", "kind": "regional_institute", "region_code": "03"});
    assert_eq!(
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&a), &[("idempotency-key", "k-2")])
            .await
            .status,
        201
    );
    let r = app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&b), &[("idempotency-key", "k-2")]).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["Idempotency-Key"]);
}

#[tokio::test]
async fn keys_belong_to_their_account() {
    let app = spawn_app().await;
    let body = json!({"name": "A", "kind": "regional_institute", "region_code": "03"});
    let op = app.token(rsnms_domain::auth::Role::Operator, None, None);
    assert_eq!(
        app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &[("idempotency-key", "shared")])
            .await
            .status,
        201
    );
    let other =
        app.send("POST", "/api/v1/organizations", Some(&op), Some(&body), &[("idempotency-key", "shared")]).await;
    assert_eq!(other.status, 201);
    assert!(other.header("idempotent-replayed").is_none());
}

#[tokio::test]
async fn concurrent_writers_never_see_database_is_locked() {
    let app = spawn_app().await;
    let mut handles = Vec::new();
    for i in 0..24 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/organizations", app.base);
        let token = app.admin.clone();
        handles.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"name": format!("Организация {i}"), "kind": "regional_methodological_association", "region_code": "03"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), 201);
    }
    assert_eq!(
        app.get("/api/v1/organizations?limit=100", &app.admin).await.body["items"].as_array().unwrap().len(),
        24
    );
}

#[tokio::test]
async fn an_anonymous_request_with_a_malformed_key_is_answered_401_before_the_key_is_checked() {
    let app = spawn_app().await;
    let body = json!({"name": "A", "kind": "regional_institute", "region_code": "03"});
    let bad_key = "a key with spaces";
    let bad_key = [("idempotency-key", bad_key)];
    let anonymous = app.send("POST", "/api/v1/organizations", None, Some(&body), &bad_key).await;
    anonymous.assert_problem(401);
    let import = app.send("POST", "/api/v1/imports/organizations", None, None, &bad_key).await;
    import.assert_problem(401);
    let signed_in = app.send("POST", "/api/v1/organizations", Some(&app.admin), Some(&body), &bad_key).await;
    signed_in.assert_problem(422);
    assert_eq!(signed_in.error_fields(), vec!["Idempotency-Key"]);
}

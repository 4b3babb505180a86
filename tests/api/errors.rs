use rsnms_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn unknown_route_answers_404_problem_json() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/no-such-thing", &app.admin).await;
    r.assert_problem(404);
    assert!(r.body["request_id"].is_string());
    assert_eq!(r.header("x-request-id").as_deref(), r.body["request_id"].as_str());
}

#[tokio::test]
async fn wrong_method_answers_405_with_allow() {
    let app = spawn_app().await;
    let r = app.send("DELETE", "/api/v1/organizations", Some(&app.admin), None, &[]).await;
    r.assert_problem(405);
    let allow = r.header("allow").unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let r = app
        .send("PUT", "/api/v1/organizations/01a208e7-1ff3-760b-9f9c-140424bfadde", Some(&app.admin), None, &[])
        .await;
    r.assert_problem(405);
    assert!(r.header("allow").unwrap().contains("PATCH"));
}

#[tokio::test]
async fn malformed_json_answers_400_with_the_position() {
    let app = spawn_app().await;
    let r = app
        .send("POST", "/api/v1/organizations", Some(&app.admin), None, &[("content-type", "application/json")])
        .await;
    r.assert_problem(400);
    let res = app
        .client
        .post(format!("{}/api/v1/organizations", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .header("accept-language", "en")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("line 1"), "{body}");
}

#[tokio::test]
async fn wrong_content_type_answers_415() {
    let app = spawn_app().await;
    let r = app.send("POST", "/api/v1/organizations", Some(&app.admin), None, &[("content-type", "text/plain")]).await;
    r.assert_problem(415);
}

#[tokio::test]
async fn oversized_body_answers_413_and_creates_nothing() {
    let app = spawn_app().await;
    let big = "я".repeat(70 * 1024);
    let r = app.post("/api/v1/organizations", &app.admin, &json!({"name": big, "kind": "other"})).await;
    r.assert_problem(413);
    let list = app.get("/api/v1/organizations", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn validation_names_every_failing_field_with_json_paths() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/organizations",
            &app.admin,
            &json!({"region_code": "3", "inn": "1234567890", "time_zone": "Mars/Base", "contacts": {"email": "not-an-email", "phone": "12"}}),
        )
        .await;
    r.assert_problem(422);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["contacts.email", "contacts.phone", "inn", "kind", "name", "region_code", "time_zone"]);
}

#[tokio::test]
async fn a_wrongly_typed_field_is_named_by_its_path() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/organizations",
            &app.admin,
            &json!({"name": "X", "kind": "other", "level": "regional", "contacts": {"email": 5}}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["contacts.email"]);
    let r = app.post("/api/v1/organizations", &app.admin, &json!({"name": "X", "kind": "spaceship"})).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["kind"]);
    let r =
        app.post("/api/v1/organizations", &app.admin, &json!({"name": "X", "kind": "other", "colour": "red"})).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["colour"]);
}

#[tokio::test]
async fn messages_are_russian_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let ru = app.post("/api/v1/organizations", &app.admin, &json!({})).await;
    assert_eq!(ru.body["title"], "Ошибка проверки данных");
    let en = app
        .send(
            "POST",
            "/api/v1/organizations",
            Some(&app.admin),
            Some(&json!({})),
            &[("accept-language", "en-GB,en;q=0.9")],
        )
        .await;
    assert_eq!(en.body["title"], "Validation failed");
    assert_eq!(en.body["errors"][0]["message"], "This field is required");
}

#[tokio::test]
async fn missing_or_bad_token_answers_401_with_www_authenticate() {
    let app = spawn_app().await;
    let r = app.send("GET", "/api/v1/organizations", None, None, &[]).await;
    r.assert_problem(401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let r = app.get("/api/v1/organizations", "not.a.token").await;
    r.assert_problem(401);
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_answers_404() {
    let app = spawn_app().await;
    app.get("/api/v1/organizations/42", &app.admin).await.assert_problem(404);
}

#[tokio::test]
async fn invalid_query_parameters_are_named() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/organizations?limit=0&cursor=%%%", &app.admin).await;
    r.assert_problem(422);
    let r = app.get("/api/v1/organizations?kind=spaceship", &app.admin).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["kind"]);
}

#[tokio::test]
async fn cors_allows_the_configured_origin_only() {
    let app = spawn_app().await;
    let ok = app
        .send(
            "OPTIONS",
            "/api/v1/organizations",
            None,
            None,
            &[("origin", "https://frontend.example"), ("access-control-request-method", "POST")],
        )
        .await;
    assert_eq!(ok.header("access-control-allow-origin").as_deref(), Some("https://frontend.example"));
    let get =
        app.send("GET", "/api/v1/organizations", Some(&app.admin), None, &[("origin", "https://evil.example")]).await;
    assert!(get.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn an_undeclared_method_on_a_literal_route_beside_an_id_route_answers_405() {
    let app = spawn_app().await;
    // `/network-requests/stats` is GET only, although `/network-requests/{id}` takes PATCH.
    let r = app.send("PATCH", "/api/v1/network-requests/stats", Some(&app.admin), Some(&json!({})), &[]).await;
    r.assert_problem(405);
    assert!(r.header("allow").unwrap().contains("GET"));
}

#[tokio::test]
async fn a_literal_route_is_never_taken_for_a_parameter_of_the_route_beside_it() {
    let app = spawn_app().await;
    // `/imports/jobs` is GET only; `/imports/{dataset}` takes POST, and its string parameter
    // would accept `jobs`: the literal route wins under every method, before any extractor.
    let r = app.send("POST", "/api/v1/imports/jobs?limit=1", Some(&app.admin), None, &[]).await;
    r.assert_problem(405);
    let allow = r.header("allow").unwrap();
    assert!(allow.contains("GET") && !allow.contains("POST"), "{allow}");
    let listed = app.get("/api/v1/imports/jobs", &app.admin).await;
    assert_eq!(listed.status, 200);
}

use rsnms_tests::spawn_app;

#[test]
fn the_committed_openapi_document_is_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = serde_json::to_string_pretty(&rsnms_http::openapi_json()).unwrap() + "\n";
    assert!(
        committed == generated,
        "openapi/openapi.json is stale. Regenerate it with:\n\n    cargo run -p rsnms -- openapi --out openapi/openapi.json\n"
    );
}

#[test]
fn every_operation_documents_security_and_problem_errors() {
    let doc = rsnms_http::openapi_json();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op.get("security").is_some(), "{method} {path} declares no security");
            assert!(op["operationId"].is_string(), "{method} {path} has no operationId");
            assert!(op["description"].is_string() || op["summary"].is_string(), "{method} {path} has no doc");
            if path.starts_with("/api/") {
                let responses = op["responses"].as_object().unwrap();
                let errors: Vec<_> =
                    responses.iter().filter(|(s, _)| s.starts_with('4') || s.starts_with('5')).collect();
                assert!(!errors.is_empty(), "{method} {path} documents no errors");
                for (status, r) in errors {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_spec_and_the_offline_docs_are_served() {
    let app = spawn_app().await;
    let spec = app.send("GET", "/openapi.json", None, None, &[]).await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.body, rsnms_http::openapi_json());
    let page = app.send("GET", "/docs/", None, None, &[]).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger-ui"), "{}", page.text);
    // Every asset the page loads is served by this binary (no CDN).
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        let r = app.send("GET", asset, None, None, &[]).await;
        assert_eq!(r.status, 200, "{asset}");
    }
    assert!(!page.text.contains("https://"), "the docs page must not load anything from the internet");
}

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

/// utoipa names a component after its type, so two DTOs with one name silently overwrite each
/// other in the document; every schema type must have its own name (or `#[schema(as = …)]`).
#[test]
fn no_two_schemas_share_a_name() {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for (i, line) in lines.iter().enumerate() {
                    let Some(rest) = line
                        .trim_start()
                        .strip_prefix("pub struct ")
                        .or_else(|| line.trim_start().strip_prefix("pub enum "))
                    else {
                        continue;
                    };
                    let attrs = lines[i.saturating_sub(6)..i].join("\n");
                    if !attrs.contains("ToSchema") {
                        continue;
                    }
                    let name = attrs
                        .split("schema(as = ")
                        .nth(1)
                        .map(|s| s.split(')').next().unwrap_or_default().to_owned())
                        .unwrap_or_else(|| {
                            rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default().to_owned()
                        });
                    if !name.is_empty() {
                        out.push((name, path.display().to_string()));
                    }
                }
            }
        }
    }
    let mut names = Vec::new();
    walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../crates")), &mut names);
    assert!(names.len() > 50, "the scan found too few schemas: {}", names.len());
    names.sort();
    let dups: Vec<_> = names
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| format!("{} in {} and {}", w[0].0, w[0].1, w[1].1))
        .collect();
    assert!(dups.is_empty(), "schema names used twice: {dups:?}");
}

//! Input limits on every route that takes a body, generated from the OpenAPI document (the route
//! table): a new route is covered the moment it is registered.

use rsnms_tests::{TestApp, spawn_app};
use serde_json::Value;

/// Every (method, concrete path) that takes a request body, with `{…}` filled by a fresh UUID,
/// and whether it is a streamed import (a JSON array too, with its own size limit).
fn body_routes() -> Vec<(String, String, bool)> {
    let doc = rsnms_http::openapi_json();
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // JSON bodies only: NDJSON/CSV imports are covered in imports.rs.
            if op.pointer("/requestBody/content/application~1json").is_none() {
                continue;
            }
            let streamed = op.pointer("/requestBody/content/application~1x-ndjson").is_some();
            out.push((method.to_uppercase(), concrete(template, op), streamed));
        }
    }
    assert!(out.len() >= 5, "the route table lost its write routes");
    out
}

/// A template with every path parameter filled by a well-formed value of its declared type.
pub fn concrete(template: &str, op: &Value) -> String {
    template
        .split('/')
        .map(|seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            None => seg.to_owned(),
            Some(name) => {
                let schema = op["parameters"]
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["name"] == name && p["in"] == "path"))
                    .map(|p| p["schema"].clone())
                    .unwrap_or(Value::Null);
                if let Some(v) = schema["enum"].get(0).or(schema.get("example")).and_then(|v| v.as_str()) {
                    return v.to_owned();
                }
                match schema["type"].as_str() {
                    Some("integer") => "2025".to_owned(),
                    Some("string") if schema["format"] != "uuid" => "x".to_owned(),
                    _ => "01a208e7-1ff3-760b-9f9c-140424bfadde".to_owned(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn raw(app: &TestApp, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String, String) {
    let res = app
        .client
        .request(method.parse().unwrap(), format!("{}{}", app.base, path))
        .bearer_auth(&app.admin)
        .header("content-type", content_type)
        .header("if-match", "\"1\"")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, ct, res.text().await.unwrap_or_default())
}

fn assert_clean_4xx(what: &str, method: &str, path: &str, got: &(u16, String, String)) {
    assert!((400..500).contains(&got.0), "{what}: {method} {path} answered {} {}", got.0, got.2);
    assert!(got.1.starts_with("application/problem+json"), "{what}: {method} {path} answered {} as {}", got.0, got.1);
    let body: Value = serde_json::from_str(&got.2).unwrap();
    assert_eq!(body["status"].as_u64(), Some(u64::from(got.0)));
}

#[tokio::test]
async fn every_write_route_refuses_bad_bodies_with_problem_json_never_a_5xx() {
    let app = spawn_app().await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes();
    let huge_string = format!("{{\"name\": \"{}\"}}", "ы".repeat(20_000)).into_bytes();
    let huge_array = format!("{{\"roles\": [{}]}}", vec!["\"teacher\""; 5000].join(",")).into_bytes();
    let oversized = vec![b' '; 70 * 1024];
    for (method, path, streamed) in body_routes() {
        let wrong_type = raw(&app, &method, &path, "application/xml", b"<a/>".to_vec()).await;
        assert_clean_4xx("wrong content type", &method, &path, &wrong_type);
        assert_eq!(wrong_type.0, 415, "{method} {path}: wrong content type must be 415");
        for (what, body) in [
            ("invalid UTF-8", vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}']),
            ("deep JSON", deep.clone()),
            ("huge string", huge_string.clone()),
            ("huge array", huge_array.clone()),
            ("not JSON", b"{\"a\": ".to_vec()),
            ("empty", Vec::new()),
        ] {
            let got = raw(&app, &method, &path, "application/json", body).await;
            assert_clean_4xx(what, &method, &path, &got);
        }
        let big = raw(&app, &method, &path, "application/json", oversized.clone()).await;
        assert_clean_4xx("oversized", &method, &path, &big);
        // A streamed import's limit is `RSNMS_IMPORT_MAX_BYTES` (imports.rs tests it).
        if !streamed {
            assert_eq!(big.0, 413, "{method} {path}: oversized body must be 413");
        }
    }
}

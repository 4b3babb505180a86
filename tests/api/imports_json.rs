//! Issue 18.4: a JSON array of records (`application/json`) beside NDJSON and CSV, read element
//! by element with the same limits, an element's index standing for its line.

use serde_json::{Value, json};

use crate::imports::{import, ndjson, person, persons_of};
use crate::imports_exchange::{agreement, parties};

const JSON: &str = "application/json";

fn counts(s: &Value) -> [u64; 4] {
    ["received", "created", "unchanged", "rejected"].map(|k| s[k].as_u64().unwrap())
}

#[tokio::test]
async fn a_json_array_import_creates_what_the_same_ndjson_would_and_streams_in_small_pieces() {
    let app = rsnms_tests::spawn_app().await;
    let r = app.seed_region().await;
    // Strings holding brackets, commas, quotes and escapes must not split an element.
    let mut tricky = person(&r, 2, "Петрова");
    tricky["position"] = json!("учитель [физики], \"старший\" {\\} ]");
    let records = [person(&r, 1, "Иванова"), tricky];
    let body = format!("\u{feff} [\n  {},\r\n  {}\n]\n", records[0], records[1]).into_bytes();
    let res = app.post_chunked("/api/v1/imports/persons?atomic=false", &app.admin, JSON, &body, 7, &[]).await;
    assert_eq!(res.status(), 200);
    let summary: Value = res.json().await.unwrap();
    assert_eq!(counts(&summary), [2, 2, 0, 0], "{summary}");
    assert_eq!(summary["status"], "ok");
    let all = persons_of(&app).await;
    assert_eq!(all.len(), 2);
    let petrova = all.iter().find(|p| p["surname"] == "Петрова").unwrap();
    assert_eq!(petrova["position"], "учитель [физики], \"старший\" {\\} ]");

    // The same records as NDJSON match what the array created: nothing new, nothing changed.
    let res = import(&app, "persons?id_scheme=snils", &app.admin, "application/x-ndjson", ndjson(&records)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 0, 2, 0], "{}", res.text);

    // An empty array is an empty import.
    let res = import(&app, "persons", &app.admin, JSON, b" [ ] ".to_vec()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [0, 0, 0, 0], "{}", res.text);
}

#[tokio::test]
async fn a_malformed_element_is_an_error_of_its_own_index_and_the_other_elements_load() {
    let app = rsnms_tests::spawn_app().await;
    let r = app.seed_region().await;
    let body = format!("[{}, {{\"surname\": }}, 42, {}, ]", person(&r, 1, "Иванова"), person(&r, 4, "Сидорова"));
    let res = import(&app, "persons?atomic=false", &app.admin, JSON, body.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [5, 2, 0, 3], "{}", res.text);
    let errors = res.body["errors"].as_array().unwrap();
    let lines: Vec<_> = errors.iter().map(|e| (e["line"].as_u64().unwrap(), e["code"].as_str().unwrap())).collect();
    assert_eq!(lines, [(2, "malformed"), (3, "malformed"), (5, "malformed")], "{}", res.text);
    let surnames: Vec<_> = persons_of(&app).await.iter().map(|p| p["surname"].as_str().unwrap().to_owned()).collect();
    assert_eq!(surnames.len(), 2);
    assert!(surnames.contains(&"Иванова".to_owned()) && surnames.contains(&"Сидорова".to_owned()));

    // All-or-nothing (the default): the bad element rejects the import and nothing is written.
    let body = format!("[{}, {{\"surname\": }}]", person(&r, 5, "Орлова"));
    let res = import(&app, "persons", &app.admin, JSON, body.into_bytes()).await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(res.body["summary"]["errors"][0]["line"], 2, "{}", res.text);
    assert_eq!(persons_of(&app).await.len(), 2);
}

#[tokio::test]
async fn a_body_that_is_not_one_closed_json_array_is_refused_naming_what_is_wrong() {
    let app = rsnms_tests::spawn_app().await;
    let r = app.seed_region().await;
    let one = person(&r, 1, "Иванова");
    let cases: [(String, &str); 5] = [
        (one.to_string(), "not_an_array"),
        (String::new(), "not_an_array"),
        (format!("{one}\n{one}\n"), "not_an_array"),
        (format!("[{one}"), "unterminated_array"),
        (format!("[{one}] [{one}]"), "text_after_array"),
    ];
    for (body, code) in cases {
        let res = import(&app, "persons", &app.admin, JSON, body.clone().into_bytes()).await;
        assert_eq!(res.status, 422, "{body}: {}", res.text);
        assert_eq!(res.body["errors"][0]["code"], code, "{body}: {}", res.text);
        assert_eq!(res.body["errors"][0]["field"], "$", "{body}: {}", res.text);
        assert!(persons_of(&app).await.is_empty(), "{body}: nothing is written");
    }
    let res = app
        .send(
            "POST",
            "/api/v1/imports/persons",
            Some(&app.admin),
            None,
            &[("content-type", JSON), ("accept-language", "en")],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert!(res.text.contains("JSON array"), "{}", res.text);
}

#[tokio::test]
async fn agreements_load_from_a_json_array_as_from_ndjson() {
    let app = rsnms_tests::spawn_app().await;
    let (r, institute) = parties(&app).await;
    let doc = agreement(&r, &institute, &r.mun_a);
    let body = serde_json::to_vec_pretty(&json!([doc])).unwrap();
    let res = import(&app, "agreements", &app.admin, JSON, body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [1, 1, 0, 0], "{}", res.text);
    let res = import(&app, "agreements?id_scheme=number", &app.admin, "application/x-ndjson", ndjson(&[doc])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [1, 0, 1, 0], "{}", res.text);
}

#[tokio::test]
async fn an_asynchronous_json_array_import_runs_as_a_job_with_element_numbered_errors() {
    let app = rsnms_tests::spawn_app().await;
    let r = app.seed_region().await;
    let body = format!("[{}, {{\"surname\": }}]", person(&r, 1, "Иванова"));
    let res = crate::imports::import_with(
        &app,
        "persons?atomic=false",
        &app.admin,
        JSON,
        body.into_bytes(),
        &[("prefer", "respond-async")],
    )
    .await;
    assert_eq!(res.status, 202, "{}", res.text);
    let location = res.header("location").unwrap();
    let job = crate::import_jobs::until_ended(&app, &location, &app.admin).await.pop().unwrap();
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(counts(&job["summary"]), [2, 1, 0, 1], "{job}");
    assert_eq!(job["summary"]["errors"][0]["line"], 2, "{job}");
    assert_eq!(persons_of(&app).await.len(), 1);
}

//! Agreements as legal documents (issue 16.6, 16.4): targets and values only within the term,
//! amendments that change the term and the appendix, one agreement per number, date and
//! parties, appendix numbers, errors naming the client's fields, the reading rule of the
//! parties, and the version in force in every figure that uses an agreement.

use rsnms_domain::auth::Role;
use rsnms_tests::{Reply, TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::agreements::{buryatia, indicator, load, parties, report_value, target};

async fn amend(app: &TestApp, agreement: &Value, body: &Value) -> Reply {
    let path = format!("/api/v1/agreements/{}", id(agreement));
    let current = app.get(&path, &app.admin).await;
    app.send("POST", &format!("{path}/amendments"), Some(&app.admin), Some(body), &[("if-match", &current.etag())])
        .await
}

fn keys(agreement: &Value) -> Vec<String> {
    agreement["indicators"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn targets_and_values_outside_the_term_are_refused_naming_the_field_the_client_sent() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    // The fixture's term is 25.08.2021–31.12.2024; indicator 1 has targets 2021–2024 (four).
    let mut doc = buryatia(&region, &institute, &region.mun_a);
    doc["indicators"][0]["targets"].as_array_mut().unwrap().push(json!({"year": 2025, "value": 50}));
    let r = app.post("/api/v1/agreements", &app.admin, &doc).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["indicators[0].targets[4].year".to_owned()]);
    assert_eq!(r.body["errors"][0]["code"], "outside_term");

    let a = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    for year in [2020, 2025] {
        let r = report_value(&app, &app.admin, &a, "indicator.1", year, 10.0).await;
        r.assert_problem(422);
        assert_eq!(r.error_fields(), vec!["year".to_owned()], "{year}: {}", r.text);
    }
    assert_eq!(report_value(&app, &app.admin, &a, "indicator.1", 2021, 10.0).await.status, 201);

    // An amendment cannot set a target for 2025 without extending the term; a bad value is named
    // by the amendment's own field, not by the document's internal path.
    let outside = json!({"number": "1", "signed_on": "2024-06-01", "effective_from": "2024-06-01",
        "changes": {"targets": [{"indicator": "indicator.1", "year": 2025, "value": 50},
                                {"indicator": "indicator.3", "year": 2024, "value": -1}]}});
    let r = amend(&app, &a, &outside).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["changes.targets[0].year".to_owned(), "changes.targets[1].value".to_owned()]);
    let en = app
        .send(
            "POST",
            &format!("/api/v1/agreements/{}/amendments", id(&a)),
            Some(&app.admin),
            Some(&outside),
            &[("if-match", &format!("\"{}\"", a["version"])), ("accept-language", "en")],
        )
        .await;
    assert!(en.text.contains("outside the agreement's term"), "{}", en.text);

    // Extended to 2025, the same target is accepted, and so is a value for 2025.
    let extended = json!({"number": "1", "signed_on": "2024-06-01", "effective_from": "2024-06-01",
        "changes": {"valid_until": "2025-12-31", "targets": [{"indicator": "indicator.1", "year": 2025, "value": 50}]}});
    let r = amend(&app, &a, &extended).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let now = app.get(&format!("/api/v1/agreements/{}", id(&a)), &app.admin).await.body;
    assert_eq!(target(&now, "indicator.1", 2025), json!(50));
    assert_eq!(report_value(&app, &app.admin, &now, "indicator.1", 2025, 51.0).await.status, 201);
    let r = report_value(&app, &app.admin, &now, "indicator.1", 2026, 51.0).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["year".to_owned()]);
}

#[tokio::test]
async fn amendments_add_replace_and_remove_indicators_and_each_version_reads_as_of_its_date() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let a = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let path = format!("/api/v1/agreements/{}", id(&a));
    let result3 = indicator(&a, "result.3")["id"].clone();

    // From 2023: result 3 is dropped, result 8 is added (appendix 1), indicator 3 is rewritten.
    let body = json!({"number": "1", "signed_on": "2022-12-20", "effective_from": "2023-01-01",
    "changes": {
        "indicators_removed": ["result.3"],
        "indicators_added": [{"kind": "result", "number": 8, "appendix_number": 1,
            "name": "Количество муниципальных методических служб, включённых в сеть", "unit": "units",
            "accumulation": "per_year", "targets": [{"year": 2023, "value": 2}, {"year": 2024, "value": 3}]}],
        "indicators_replaced": [{"kind": "indicator", "number": 3, "appendix_number": 1,
            "name": "Педагогические работники и управленческие кадры, повысившие уровень мастерства", "unit": "percent",
            "accumulation": "cumulative", "targets": [{"year": 2023, "value": 9}, {"year": 2024, "value": 10}]}]
    }});
    let r = amend(&app, &a, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["changes"]["indicators_removed"], json!(["result.3"]));

    let before = app.get(&format!("{path}?as_of=2022-06-01"), &app.admin).await.body;
    let after = app.get(&format!("{path}?as_of=2023-06-01"), &app.admin).await.body;
    assert!(keys(&before).contains(&"result.3".to_owned()) && !keys(&before).contains(&"result.8".to_owned()));
    assert!(!keys(&after).contains(&"result.3".to_owned()) && keys(&after).contains(&"result.8".to_owned()));
    assert_eq!(indicator(&after, "result.8")["appendix_number"], 1);
    assert_eq!(target(&before, "indicator.3", 2023), json!(8.6));
    assert_eq!(target(&after, "indicator.3", 2023), json!(9));
    assert_eq!(indicator(&after, "indicator.3")["id"], indicator(&before, "indicator.3")["id"]);
    assert!(indicator(&after, "indicator.3")["targets"].as_array().unwrap().iter().all(|t| t["year"] != 2021));

    // A value of result 3 belongs to the years its version was in force; result 8 to the later ones.
    let values = |ind: &Value| format!("{path}/indicators/{}/values", ind.as_str().unwrap());
    let v = |y: i32| json!({"year": y, "value": 60, "source": "отчёт"});
    assert_eq!(app.post(&values(&result3), &app.admin, &v(2022)).await.status, 201);
    let r = app.post(&values(&result3), &app.admin, &v(2023)).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["year".to_owned()]);
    let result8 = indicator(&after, "result.8")["id"].clone();
    app.post(&values(&result8), &app.admin, &v(2022)).await.assert_problem(422);
    assert_eq!(app.post(&values(&result8), &app.admin, &v(2023)).await.status, 201);
    // The reported values of a removed indicator stay readable.
    let listed = app.get(&values(&result3), &app.admin).await;
    assert_eq!(listed.status, 200, "{}", listed.text);

    // Adding a key that exists is a conflict naming the amendment's field; removing an
    // indicator a clause still serves names the removal.
    let dup = json!({"number": "2", "signed_on": "2023-03-01", "effective_from": "2023-03-01",
        "changes": {"indicators_added": [{"kind": "result", "number": 8, "name": "x", "unit": "units", "accumulation": "per_year"}]}});
    let r = amend(&app, &a, &dup).await;
    r.assert_problem(409);
    assert_eq!(r.body["errors"][0]["field"], "changes.indicators_added[0].number", "{}", r.text);
    let referenced = json!({"number": "2", "signed_on": "2023-03-01", "effective_from": "2023-03-01",
        "changes": {"indicators_removed": ["result.1"]}});
    let r = amend(&app, &a, &referenced).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["changes.indicators_removed[0]".to_owned()]);
    assert!(r.text.contains("2.2.7"), "clause 2.2.7 serves result 1: {}", r.text);
}

#[tokio::test]
async fn the_same_agreement_cannot_be_created_twice_and_the_answer_names_the_existing_one() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let doc = buryatia(&region, &institute, &region.mun_a);
    let first = load(&app, &doc).await;
    let again = app.post("/api/v1/agreements", &app.admin, &doc).await;
    again.assert_problem(409);
    assert!(again.text.contains(&id(&first)), "names the existing one: {}", again.text);
    // A draft of the same number, date and parties is the same agreement too.
    let mut draft = doc.clone();
    draft["status"] = json!("draft");
    app.post("/api/v1/agreements", &app.admin, &draft).await.assert_problem(409);
    // Another date, or another municipal party, is another agreement.
    let mut other_date = doc.clone();
    other_date["signed_on"] = json!("2021-09-01");
    other_date["valid_from"] = json!("2021-09-01");
    assert_eq!(app.post("/api/v1/agreements", &app.admin, &other_date).await.status, 201);
    assert_eq!(load(&app, &buryatia(&region, &institute, &region.mun_b)).await["number"], "535");
    let list = app.get("/api/v1/agreements", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn appendix_numbers_are_carried_on_items_and_checked() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let mut doc = buryatia(&region, &institute, &region.mun_a);
    for i in doc["indicators"].as_array_mut().unwrap() {
        i["appendix_number"] = json!(1);
    }
    let a = load(&app, &doc).await;
    let got = app.get(&format!("/api/v1/agreements/{}", id(&a)), &app.admin).await.body;
    assert!(got["indicators"].as_array().unwrap().iter().all(|i| i["appendix_number"] == 1), "{got}");
    doc["number"] = json!("536");
    doc["indicators"][2]["appendix_number"] = json!(0);
    let r = app.post("/api/v1/agreements", &app.admin, &doc).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["indicators[2].appendix_number".to_owned()]);
}

#[tokio::test]
async fn the_three_parties_read_their_agreement_by_their_own_tokens_and_a_non_party_account_does_not() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let a = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let path = format!("/api/v1/agreements/{}", id(&a));

    let readers = [
        ("the institute", app.token(Role::Organization, Some(&institute), None)),
        ("the regional authority", app.token(Role::Organization, Some(&region.region), None)),
        ("the municipal authority, organisation token", app.token(Role::Organization, Some(&region.mun_a), None)),
        ("the municipal authority, municipal token", app.token(Role::Municipal, Some(&region.mun_a), None)),
        ("the region's operator", app.token(Role::Operator, None, None)),
        ("the federal integration", app.token(Role::Integration, None, None)),
    ];
    for (who, token) in &readers {
        let r = app.get(&path, token).await;
        assert_eq!(r.status, 200, "{who}: {}", r.text);
        let list = app.get("/api/v1/agreements", token).await;
        assert_eq!(list.body["items"][0]["id"], a["id"], "{who}: {}", list.text);
        assert_eq!(app.get(&format!("{path}/report?year=2023"), token).await.status, 200, "{who}");
    }
    // The change feed reaches the parties' organisation accounts too (the institute included).
    for (who, token) in &readers[..3] {
        let events = crate::feed_by_role::feed(&app, token, "agreement").await;
        assert!(events.iter().any(|e| e["resource_id"] == a["id"]), "{who} receives the agreement's events");
    }
    let school = app.token(Role::Organization, Some(&region.school_a), None);
    assert!(crate::feed_by_role::feed(&app, &school, "agreement").await.is_empty(), "a school receives none");
    // A municipal account of the party's municipality acting for another organisation (a
    // school), the other municipality, and a school are not parties.
    let outsiders = [
        ("a municipal account of a school in A", app.token(Role::Municipal, Some(&region.school_a), None)),
        ("the municipal authority of B", app.token(Role::Municipal, Some(&region.mun_b), None)),
        ("a school of A", app.token(Role::Organization, Some(&region.school_a), None)),
    ];
    for (who, token) in &outsiders {
        app.get(&path, token).await.assert_problem(404);
        let list = app.get("/api/v1/agreements", token).await;
        assert_eq!(list.status, 200, "{who}: {}", list.text);
        assert_eq!(list.body["items"], json!([]), "{who}");
        report_value(&app, token, &a, "indicator.1", 2023, 10.0).await.assert_problem(if *who == "a school of A" {
            403
        } else {
            404
        });
    }
}

#[tokio::test]
async fn monitoring_uses_the_target_of_the_version_in_force_in_the_year_it_reports() {
    let app = spawn_app().await;
    let w = crate::monitoring::world(&app).await;
    let institute = app
        .create_org(
            json!({"name": "БРИОП", "kind": "regional_institute", "region_code": "03", "parent_id": w.r.region["id"]}),
        )
        .await;
    let a = load(&app, &buryatia(&w.r, &institute, &w.r.mun_a)).await;
    // An amendment effective 01.01.2024 changes the past 2023 target of result 1 (25 → 27) and
    // the 2024 one (35 → 36).
    let body = json!({"number": "1", "signed_on": "2023-12-20", "effective_from": "2024-01-01",
        "changes": {"targets": [{"indicator": "result.1", "year": 2023, "value": 27},
                                {"indicator": "result.1", "year": 2024, "value": 36}]}});
    assert_eq!(amend(&app, &a, &body).await.status, 201);
    let path = format!("/api/v1/agreements/{}", id(&a));
    let latest = app.get(&path, &app.admin).await.body;
    assert_eq!(target(&latest, "result.1", 2023), json!(27), "the latest text");

    let mun_a = app.token(Role::Municipal, Some(&w.r.mun_a), None);
    let target_in = |body: &Value| {
        body["items"].as_array().unwrap().iter().find(|i| i["code"] == "teachers_with_cnppm_route").unwrap()["target"]
            .clone()
    };
    // 2023 is measured against the version in force on 31.12.2023 (the original, 25), as the
    // agreement's own report does; 2024 against the amended one (36).
    let m2023 = app.get("/api/v1/monitoring/indicators?year=2023", &mun_a).await;
    assert_eq!(m2023.status, 200, "{}", m2023.text);
    assert_eq!(target_in(&m2023.body), json!(25.0));
    let own = app.get(&format!("{path}/report?year=2023"), &mun_a).await.body;
    let own_target =
        own["items"].as_array().unwrap().iter().find(|i| i["key"] == "result.1").unwrap()["target"].clone();
    assert_eq!(own_target, json!(25));
    let m2024 = app.get("/api/v1/monitoring/indicators?year=2024", &mun_a).await;
    assert_eq!(target_in(&m2024.body), json!(36.0));
    // The region's report per municipality takes the same targets.
    let report = app.get("/api/v1/monitoring/report?year=2023", &app.admin).await;
    let ma = report.body["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["municipality_code"] == "81606000")
        .unwrap();
    assert_eq!(target_in(&json!({"items": ma["indicators"]})), json!(25.0));
}

#[tokio::test]
async fn an_empty_population_has_no_value_with_its_reason_and_the_html_report_says_no_data() {
    let app = spawn_app().await;
    let w = crate::monitoring::world(&app).await;
    // Municipality C has an authority and a school but not one teacher.
    let mun_c = app
        .create_org(
            json!({"name": "МУ РУО Кижингинского района", "kind": "municipal_authority", "parent_id": w.r.region["id"],
            "municipality_code": "81627000", "municipality_name": "Кижингинский район"}),
        )
        .await;
    app.create_org(
        json!({"name": "МБОУ «Кижингинская СОШ»", "kind": "educational_organization", "parent_id": mun_c["id"]}),
    )
    .await;
    let r = app.get("/api/v1/monitoring/report?year=2023", &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ms = r.body["municipalities"].as_array().unwrap();
    let c = ms.iter().find(|m| m["municipality_code"] == "81627000").expect("C is in the report");
    let share = c["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "teachers_with_cnppm_route").unwrap();
    // 0 teachers: the share has no value (not 0 %), and says why; nothing is withheld.
    assert_eq!(share["value"], Value::Null, "{share}");
    assert_eq!(share["no_data"], "empty_population");
    assert_eq!(share["suppressed"], false);
    assert_eq!(share["denominator"], 0);
    // A: t1 and t2 of the six teachers of A have a ЦНППМ route in 2023 (33.3 %), a value.
    let a = ms.iter().find(|m| m["municipality_code"] == "81606000").unwrap();
    let share_a =
        a["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "teachers_with_cnppm_route").unwrap();
    assert_eq!((share_a["value"].clone(), share_a["no_data"].clone()), (json!(33.3), Value::Null));

    let mun_c_token = app.token(Role::Municipal, Some(&mun_c), None);
    let own = app.get("/api/v1/monitoring/indicators?year=2023", &mun_c_token).await;
    let share =
        own.body["items"].as_array().unwrap().iter().find(|i| i["code"] == "teachers_with_cnppm_route").unwrap();
    assert_eq!((share["value"].clone(), share["no_data"].clone()), (Value::Null, json!("empty_population")));

    let page = app
        .send("GET", "/api/v1/monitoring/report?year=2023", Some(&app.admin), None, &[("accept", "text/html")])
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("нет данных"), "the HTML report says «нет данных»");
}

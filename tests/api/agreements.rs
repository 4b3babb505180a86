//! Tripartite agreements: the Buryatia agreement No. 535 as the fixture, amendments and version
//! history, actual values and attainment, scope.

use rsnms_domain::auth::Role;
use rsnms_persistence::entities::outbox;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("../fixtures/buryatia-535.json");

/// The seeded region plus a regional institute.
pub(crate) async fn parties(app: &TestApp) -> (Region, Value) {
    let region = app.seed_region().await;
    let institute = app
        .create_org(json!({
            "name": "ГАУ ДПО РБ «Бурятский республиканский институт образовательной политики»",
            "kind": "regional_institute",
            "region_code": "03",
            "parent_id": region.region["id"],
        }))
        .await;
    (region, institute)
}

/// The fixture with the parties' organisation ids filled in.
pub(crate) fn buryatia(region: &Region, institute: &Value, municipal: &Value) -> Value {
    let text = FIXTURE
        .replace("{{regional_authority}}", &id(&region.region))
        .replace("{{regional_institute}}", &id(institute))
        .replace("{{municipal_authority}}", &id(municipal));
    serde_json::from_str(&text).unwrap()
}

/// Asserts that `actual` holds everything `expected` holds: objects by their keys (extra keys in
/// `actual` allowed), arrays element by element with the same length, scalars equal.
fn assert_contains(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (k, v) in e {
                let here = format!("{path}.{k}");
                let got = a.get(k).unwrap_or_else(|| panic!("{here} is missing"));
                assert_contains(got, v, &here);
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{path}: lengths differ");
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                assert_contains(x, y, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(actual, expected, "{path} differs"),
    }
}

pub(crate) async fn load(app: &TestApp, doc: &Value) -> Value {
    let r = app.post("/api/v1/agreements", &app.admin, doc).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

pub(crate) fn indicator<'a>(agreement: &'a Value, key: &str) -> &'a Value {
    agreement["indicators"].as_array().unwrap().iter().find(|i| i["key"] == key).unwrap()
}

pub(crate) fn target(agreement: &Value, key: &str, year: i64) -> Value {
    indicator(agreement, key)["targets"].as_array().unwrap().iter().find(|t| t["year"] == year).unwrap()["value"]
        .clone()
}

pub(crate) async fn report_value(
    app: &TestApp,
    token: &str,
    agreement: &Value,
    key: &str,
    year: i32,
    value: f64,
) -> rsnms_tests::Reply {
    let path = format!(
        "/api/v1/agreements/{}/indicators/{}/values",
        id(agreement),
        indicator(agreement, key)["id"].as_str().unwrap()
    );
    app.post(&path, token, &json!({"year": year, "value": value, "source": "мониторинг БРИОП"})).await
}

#[tokio::test]
async fn the_buryatia_agreement_loads_in_one_call_and_round_trips_exactly() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let doc = buryatia(&region, &institute, &region.mun_a);
    let created = load(&app, &doc).await;

    let got = app.get(&format!("/api/v1/agreements/{}", id(&created)), &app.admin).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let mut expected = doc.clone();
    expected.as_object_mut().unwrap().remove("status");
    assert_contains(&got.body, &expected, "$");
    assert_eq!(got.body["indicators"].as_array().unwrap().len(), 10);
    assert_eq!(got.body["clauses"].as_array().unwrap().len(), 49);
    assert_eq!(got.body["revision"], 1);
    assert_eq!(got.body["municipality_code"], "81606000");
    assert_eq!(target(&got.body, "indicator.3", 2022), json!(6.8));
    assert_eq!(target(&got.body, "result.4", 2024), json!(14));
    let clause = |n: &str| got.body["clauses"].as_array().unwrap().iter().find(|c| c["number"] == n).unwrap().clone();
    assert_eq!(
        clause("2.2.19")["text"],
        "осуществляет мониторинг достижения показателей и результатов функционирования единой региональной системы научно-методического сопровождения педагогических работников и управленческих кадров;"
    );
    assert_eq!(clause("3.3.2")["text"], "запрашивать содержание ДПП;");
    assert_eq!(clause("3.3.2")["party"], "municipal_authority");
    // The term ended on 31.12.2024: the status is derived from the dates.
    assert_eq!(got.body["status"], "expired");
    let during = app.get(&format!("/api/v1/agreements/{}?as_of=2023-06-01", id(&created)), &app.admin).await;
    assert_eq!(during.body["status"], "in_force");
    let before = app.get(&format!("/api/v1/agreements/{}?as_of=2021-08-01", id(&created)), &app.admin).await;
    assert_eq!(before.body["status"], "signed");
}

#[tokio::test]
async fn an_amendment_changing_a_2024_target_changes_the_answer_from_its_date_only() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let created = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let path = format!("/api/v1/agreements/{}", id(&created));
    let etag = format!("\"{}\"", created["version"]);

    let amendment = json!({
        "number": "1",
        "signed_on": "2023-12-20",
        "effective_from": "2024-01-01",
        "description": "Изменение планового значения показателя 1 на 2024 год",
        "changes": {"targets": [{"indicator": "indicator.1", "year": 2024, "value": 45}]}
    });
    let r = app
        .send("POST", &format!("{path}/amendments"), Some(&app.admin), Some(&amendment), &[("if-match", &etag)])
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["number"], "1");

    let before = app.get(&format!("{path}?as_of=2023-06-01"), &app.admin).await;
    let after = app.get(&format!("{path}?as_of=2024-02-01"), &app.admin).await;
    assert_eq!(target(&before.body, "indicator.1", 2024), json!(40));
    assert_eq!(target(&after.body, "indicator.1", 2024), json!(45));
    assert_eq!((before.body["revision"].clone(), after.body["revision"].clone()), (json!(1), json!(2)));
    assert_eq!(after.body["amendment"]["number"], "1");
    assert_eq!(after.body["effective_from"], "2024-01-01");
    // The indicator keeps its id across versions.
    assert_eq!(indicator(&before.body, "indicator.1")["id"], indicator(&after.body, "indicator.1")["id"]);

    // The 2024 report measures against the amended target, the 2023 one against the original.
    let r2024 = app.get(&format!("{path}/report?year=2024"), &app.admin).await;
    let r2023 = app.get(&format!("{path}/report?year=2023"), &app.admin).await;
    assert_eq!((r2024.body["revision"].clone(), r2023.body["revision"].clone()), (json!(2), json!(1)));
    assert_eq!(r2024.body["items"][0]["target"], json!(45));

    let versions = app.get(&format!("{path}/versions"), &app.admin).await;
    assert_eq!(versions.status, 200, "{}", versions.text);
    let items = versions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["effective_from"], "2021-08-25");
    assert_eq!(items[1]["amendment"]["changes"]["targets"][0]["value"], 45);
}

#[tokio::test]
async fn a_signed_agreement_is_never_edited_in_place_and_clause_numbers_stay_unique() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let created = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let path = format!("/api/v1/agreements/{}", id(&created));
    let etag = format!("\"{}\"", created["version"]);

    let r = app.patch(&path, &app.admin, &etag, &json!({"subject": "Другой предмет"})).await;
    r.assert_problem(409);
    let route = format!("{path}/amendments");
    assert!(r.body["detail"].as_str().unwrap().contains(&route), "{}", r.text);
    assert_eq!(r.body["allowed"], json!(["amend", "terminate", "report_value"]), "{}", r.text);

    let dup = json!({
        "number": "2", "signed_on": "2022-01-10", "effective_from": "2022-01-10",
        "changes": {"clauses_added": [{"number": "2.2.19", "kind": "obligation", "party": "regional_institute", "text": "дублирует пункт"}]}
    });
    let r = app.send("POST", &route, Some(&app.admin), Some(&dup), &[("if-match", &etag)]).await;
    r.assert_problem(409);
    assert!(r.body["detail"].as_str().unwrap().contains("2.2.19"), "{}", r.text);
    assert_eq!(r.error_fields(), vec!["changes.clauses_added[0].number".to_owned()]);

    // A new clause is inserted in numeric order and the old text stays for earlier dates.
    let add = json!({
        "number": "2", "signed_on": "2022-01-10", "effective_from": "2022-02-01",
        "changes": {
            "clauses_added": [{"number": "2.2.23", "kind": "obligation", "party": "regional_institute", "text": "ведёт реестр наставников;"}],
            "clauses_removed": ["2.2.22"]
        }
    });
    let r = app.send("POST", &route, Some(&app.admin), Some(&add), &[("if-match", &etag)]).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let now = app.get(&format!("{path}?as_of=2022-03-01"), &app.admin).await;
    let numbers: Vec<&str> =
        now.body["clauses"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect();
    let at = numbers.iter().position(|n| *n == "2.2.23").unwrap();
    assert_eq!((numbers[at - 1], numbers[at + 1]), ("2.2.21", "2.3.1"));
    assert!(!numbers.contains(&"2.2.22"));
    let then = app.get(&format!("{path}?as_of=2022-01-15"), &app.admin).await;
    assert!(then.body["clauses"].as_array().unwrap().iter().any(|c| c["number"] == "2.2.22"));

    // The stale ETag is refused; an amendment cannot take effect before the one it amends.
    let late = json!({"number": "3", "signed_on": "2022-01-10", "effective_from": "2022-01-20",
        "changes": {"valid_until": "2025-12-31"}});
    let r = app.send("POST", &route, Some(&app.admin), Some(&late), &[("if-match", &etag)]).await;
    assert_eq!(r.status, 412, "{}", r.text);
    let fresh = format!("\"{}\"", now.body["version"]);
    let r = app.send("POST", &route, Some(&app.admin), Some(&late), &[("if-match", &fresh)]).await;
    r.assert_problem(409);
    assert_eq!(r.error_fields(), vec!["effective_from".to_owned()]);
    assert!(r.body["detail"].as_str().unwrap().contains("2022-02-01"), "{}", r.text);
}

#[tokio::test]
async fn a_draft_changes_in_place_until_it_is_signed() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let mut doc = buryatia(&region, &institute, &region.mun_b);
    let o = doc.as_object_mut().unwrap();
    o.remove("status");
    o.remove("signed_on");
    o.remove("valid_from");
    o.insert("valid_until".into(), json!("2099-12-31"));
    let created = load(&app, &doc).await;
    assert_eq!(created["status"], "draft");
    assert_eq!(created["revision"], Value::Null);
    let path = format!("/api/v1/agreements/{}", id(&created));

    let r =
        app.patch(&path, &app.admin, &format!("\"{}\"", created["version"]), &json!({"place": "г. Улан-Удэ"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["place"], "г. Улан-Удэ");
    assert_eq!(indicator(&r.body, "result.2")["id"], indicator(&created, "result.2")["id"]);

    let sign = app
        .send(
            "POST",
            &format!("{path}/sign"),
            Some(&app.admin),
            Some(&json!({"signed_on": "2025-09-01"})),
            &[("if-match", &r.etag())],
        )
        .await;
    assert_eq!(sign.status, 200, "{}", sign.text);
    assert_eq!(sign.body["status"], "in_force");
    assert_eq!(sign.body["valid_from"], "2025-09-01");
    assert_eq!(sign.body["revision"], 1);

    let again = app
        .send("POST", &format!("{path}/sign"), Some(&app.admin), Some(&json!({})), &[("if-match", &sign.etag())])
        .await;
    again.assert_problem(409);

    let list = app.get("/api/v1/agreements?status=in_force", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["id"], created["id"]);
    let list = app.get("/api/v1/agreements?valid_on=2023-01-01", &app.admin).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 0);

    let t = app
        .send(
            "POST",
            &format!("{path}/terminate"),
            Some(&app.admin),
            Some(&json!({"terminated_on": "2025-10-01", "reason": "по соглашению сторон"})),
            &[("if-match", &sign.etag())],
        )
        .await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["status"], "terminated");
    let earlier = app.get(&format!("{path}?as_of=2025-09-15"), &app.admin).await;
    assert_eq!(earlier.body["status"], "in_force");
}

#[tokio::test]
async fn parties_and_clauses_are_validated_naming_every_failing_field() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    // A school cannot be the municipal party; duplicated clause numbers are named.
    let mut doc = buryatia(&region, &institute, &region.school_a);
    let clauses = doc["clauses"].as_array_mut().unwrap();
    clauses[2]["number"] = json!("2.1.1");
    let r = app.post("/api/v1/agreements", &app.admin, &doc).await;
    r.assert_problem(422);
    assert!(r.error_fields().contains(&"clauses[2].number".to_owned()), "{}", r.text);
    assert!(r.text.contains("2.1.1"), "{}", r.text);

    let mut doc = buryatia(&region, &institute, &region.school_a);
    doc["parties"]["regional_institute"]["organization_id"] = region.region["id"].clone();
    let r = app.post("/api/v1/agreements", &app.admin, &doc).await;
    r.assert_problem(422);
    let fields = r.error_fields();
    assert!(fields.contains(&"parties.municipal_authority.organization_id".to_owned()), "{}", r.text);
    assert!(fields.contains(&"parties.regional_institute.organization_id".to_owned()), "{}", r.text);

    let r = app.post("/api/v1/agreements", &app.admin, &json!({"number": "1"})).await;
    r.assert_problem(422);
    let fields = r.error_fields();
    for f in ["subject", "valid_until", "parties"] {
        assert!(fields.contains(&f.to_owned()), "{f} missing in {}", r.text);
    }
}

#[tokio::test]
async fn a_cumulative_value_below_the_previous_year_is_accepted_but_flagged() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let a = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let municipal = app.token(Role::Municipal, Some(&region.mun_a), None);

    let r = report_value(&app, &municipal, &a, "indicator.1", 2022, 21.0).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["flags"], json!([]));
    assert_eq!(r.body["reporter_role"], "municipal");
    let r = report_value(&app, &municipal, &a, "indicator.1", 2023, 18.5).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["flags"], json!(["cumulative_decrease"]));
    assert_eq!(r.body["value"], json!(18.5));
    // A per-year-free "last value" indicator is not cumulative: no flag.
    let r = report_value(&app, &municipal, &a, "indicator.2", 2022, 1.0).await;
    let r2 = report_value(&app, &municipal, &a, "indicator.2", 2023, 0.0).await;
    assert_eq!((r.status, r2.status), (201, 201));
    assert_eq!(r2.body["flags"], json!([]));

    let list = app
        .get(
            &format!(
                "/api/v1/agreements/{}/indicators/{}/values",
                id(&a),
                indicator(&a, "indicator.1")["id"].as_str().unwrap()
            ),
            &app.admin,
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    let r = report_value(&app, &municipal, &a, "indicator.1", 2099, 50.0).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["year".to_owned()]);
}

#[tokio::test]
async fn a_2023_report_shows_attainment_per_indicator_and_across_the_region() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let a = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let b = load(&app, &buryatia(&region, &institute, &region.mun_b)).await;
    for (key, value) in [("indicator.1", 31.0), ("result.1", 23.0), ("result.4", 5.0)] {
        let r = report_value(&app, &app.admin, &a, key, 2023, value).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    report_value(&app, &app.admin, &b, "indicator.1", 2023, 12.0).await;

    let r = app.get(&format!("/api/v1/agreements/{}/report?year=2023", id(&a)), &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let item = |k: &str| items.iter().find(|i| i["key"] == k).unwrap();
    assert_eq!((item("indicator.1")["target"].clone(), item("indicator.1")["actual"].clone()), (json!(30), json!(31)));
    assert_eq!(item("indicator.1")["attainment"], json!(1.0333));
    assert_eq!(item("indicator.1")["status"], "met");
    assert_eq!(item("result.1")["status"], "at_risk");
    assert_eq!(item("result.4")["status"], "not_met");
    assert_eq!(item("result.4")["attainment"], json!(0.5));
    assert_eq!(item("indicator.3")["target"], json!(8.6));
    assert_eq!(item("indicator.3")["status"], "no_data");
    assert_eq!(r.body["summary"], json!({"met": 1, "at_risk": 1, "not_met": 1, "no_data": 7, "total": 10}));

    // Without the year's own value, the latest quarter counts; a later report of a period wins.
    let path = format!(
        "/api/v1/agreements/{}/indicators/{}/values",
        id(&a),
        indicator(&a, "result.2")["id"].as_str().unwrap()
    );
    for (quarter, value) in [(1, 12.0), (2, 20.0), (2, 24.0)] {
        let r = app
            .post(&path, &app.admin, &json!({"year": 2023, "quarter": quarter, "value": value, "source": "ЦНППМ"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = app.get(&format!("/api/v1/agreements/{}/report?year=2023", id(&a)), &app.admin).await;
    let item = r.body["items"].as_array().unwrap().iter().find(|i| i["key"] == "result.2").unwrap().clone();
    assert_eq!(
        (item["actual"].clone(), item["quarter"].clone(), item["status"].clone()),
        (json!(24), json!(2), json!("at_risk"))
    );

    let r = app.get("/api/v1/agreements/report?year=2023", &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let munis: Vec<&str> =
        r.body["municipalities"].as_array().unwrap().iter().map(|m| m["municipality_code"].as_str().unwrap()).collect();
    assert_eq!(munis, vec!["81606000", "81625000"]);
    let series = r.body["indicators"].as_array().unwrap().iter().find(|s| s["key"] == "indicator.1").unwrap();
    let points: Vec<&str> =
        series["points"].as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert_eq!(points, vec!["met", "not_met"]);
    // A year outside every term has nothing to report.
    let r = app.get("/api/v1/agreements/report?year=2026", &app.admin).await;
    assert_eq!(r.body["municipalities"], json!([]));
    let r = app.get("/api/v1/agreements/report", &app.admin).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["year".to_owned()]);
}

#[tokio::test]
async fn a_municipality_sees_only_its_own_agreements_and_others_are_refused() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let a = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let b = load(&app, &buryatia(&region, &institute, &region.mun_b)).await;
    let municipal_a = app.token(Role::Municipal, Some(&region.mun_a), None);

    let list = app.get("/api/v1/agreements", &municipal_a).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let ids: Vec<&Value> = list.body["items"].as_array().unwrap().iter().map(|i| &i["id"]).collect();
    assert_eq!(ids, vec![&a["id"]]);
    app.get(&format!("/api/v1/agreements/{}", id(&b)), &municipal_a).await.assert_problem(404);
    app.get(&format!("/api/v1/agreements/{}/report?year=2023", id(&b)), &municipal_a).await.assert_problem(404);
    report_value(&app, &municipal_a, &b, "indicator.1", 2023, 10.0).await.assert_problem(404);
    let region_report = app.get("/api/v1/agreements/report?year=2023", &municipal_a).await;
    assert_eq!(region_report.body["municipalities"].as_array().unwrap().len(), 1);

    let operator = app.token(Role::Operator, None, None);
    let all = app.get(&format!("/api/v1/agreements?party_id={}", id(&institute)), &operator).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    let by_muni = app.get("/api/v1/agreements?municipality_code=81625000", &operator).await;
    assert_eq!(by_muni.body["items"][0]["id"], b["id"]);

    let analyst = app.token(Role::Analyst, None, None);
    app.get("/api/v1/agreements", &analyst).await.assert_problem(403);
    app.get(&format!("/api/v1/agreements/{}", id(&a)), &analyst).await.assert_problem(403);
    let aggregate = app.get("/api/v1/agreements/report?year=2023", &analyst).await;
    assert_eq!(aggregate.body["municipalities"].as_array().unwrap().len(), 2, "{}", aggregate.text);

    // A school is no party: it reads none (agreement_documents has the parties' rule).
    let school = app.token(Role::Organization, Some(&region.school_a), None);
    assert_eq!(app.get("/api/v1/agreements", &school).await.body["items"], json!([]));
    let doc = buryatia(&region, &institute, &region.mun_a);
    app.post("/api/v1/agreements", &municipal_a, &doc).await.assert_problem(403);
    app.get("/api/v1/agreements", "not-a-token").await.assert_problem(401);
}

#[tokio::test]
async fn every_agreement_change_is_audited_and_emits_an_outbox_event() {
    let app = spawn_app().await;
    let (region, institute) = parties(&app).await;
    let a = load(&app, &buryatia(&region, &institute, &region.mun_a)).await;
    let amendment = json!({"number": "1", "signed_on": "2022-05-01", "effective_from": "2022-05-01",
        "changes": {"valid_until": "2025-12-31"}});
    let etag = format!("\"{}\"", a["version"]);
    let r = app
        .send(
            "POST",
            &format!("/api/v1/agreements/{}/amendments", id(&a)),
            Some(&app.admin),
            Some(&amendment),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(report_value(&app, &app.admin, &a, "result.2", 2022, 16.0).await.status, 201);

    let events = outbox::Entity::find()
        .filter(outbox::Column::ResourceType.is_in(["agreement", "agreement_indicator_value"]))
        .filter(outbox::Column::MunicipalityCode.eq("81606000"))
        .count(&app.store.db.exec())
        .await
        .unwrap();
    assert_eq!(events, 3);
    let audit = app.get(&format!("/api/v1/audit?resource_type=agreement&resource_id={}", id(&a)), &app.admin).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"create") && actions.contains(&"amend"), "{actions:?}");
}

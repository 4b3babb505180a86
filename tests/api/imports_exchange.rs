//! Import datasets of network requests, agreements and indicator values
//! (`POST /api/v1/imports/{dataset}`): each through its resource's own actions.

use rsnms_domain::auth::Role;
use rsnms_persistence::entities::outbox;
use rsnms_tests::{Region, TestApp, id, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use super::imports::import;

const FIXTURE: &str = include_str!("../fixtures/buryatia-535.json");
const NDJSON: &str = "application/x-ndjson";

fn ndjson(lines: &[Value]) -> Vec<u8> {
    lines.iter().map(|l| format!("{l}\n")).collect::<String>().into_bytes()
}

/// A request from one organisation to another with every NAO §18 item present.
fn request(sender: &Value, addressee: &Value, subject: &str) -> Value {
    json!({
        "sender_organization_id": sender["id"],
        "addressee_organization_id": addressee["id"],
        "reply_contact": "670000, Улан-Удэ, ул. Ленина, 1; info@school.example",
        "author": {"surname": "Иванова", "first_name": "Мария", "patronymic": "Петровна", "position": "методист", "phone": "8 (301) 221-00-00"},
        "subject": subject,
        "body": "Просим предоставить сведения.",
    })
}

fn sent(mut r: Value, on: &str) -> Value {
    r["status"] = json!("sent");
    r["sent_on"] = json!(on);
    r
}

async fn requests_of(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/v1/network-requests?limit=500", &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

fn errors_of(summary: &Value) -> Vec<(u64, String, String)> {
    summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn counts(s: &Value) -> [u64; 5] {
    ["received", "created", "updated", "unchanged", "rejected"].map(|k| s[k].as_u64().unwrap())
}

#[tokio::test]
async fn requests_load_as_drafts_by_default_and_sent_ones_go_through_sending_with_numbers_history_and_events() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[
        request(&r.school_a, &r.school_b, "Черновик"),
        sent(request(&r.school_a, &r.school_b, "О курсах"), "2025-03-03"),
    ]);
    let res = import(&app, "network-requests", &app.admin, NDJSON, body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 2, 0, 0, 0]);

    let all = requests_of(&app).await;
    assert_eq!(all.len(), 2);
    let draft = all.iter().find(|x| x["subject"] == "Черновик").unwrap();
    assert_eq!(draft["status"], "draft");
    assert!(draft["outgoing_number"].is_null());
    let out = all.iter().find(|x| x["subject"] == "О курсах").unwrap();
    assert_eq!(out["status"], "sent");
    assert_eq!(out["sent_on"], "2025-03-03");
    assert_eq!(out["outgoing_number"], "1/2025", "numbered by the sender's numbering for the year sent");
    assert_eq!(out["sender"]["name"], r.school_a["name"], "names fixed on sending");
    let history: Vec<&str> = out["history"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(history, ["create", "send"]);

    let events = outbox::Entity::find()
        .filter(outbox::Column::ResourceType.eq("network_request"))
        .filter(outbox::Column::ResourceId.eq(id(out).parse::<uuid::Uuid>().unwrap()))
        .order_by_asc(outbox::Column::Seq)
        .all(&app.store.db.exec())
        .await
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.payload["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["create", "send"]);
    assert_eq!(events[1].payload["outgoing_number"], "1/2025");

    // Re-importing the sent request by its natural key (sender + outgoing number) changes nothing.
    let mut again = sent(request(&r.school_a, &r.school_b, "О курсах"), "2025-03-03");
    again["outgoing_number"] = json!("1/2025");
    let res = import(&app, "network-requests?id_scheme=outgoing_number", &app.admin, NDJSON, ndjson(&[again])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [1, 0, 0, 1, 0]);
    let after = app.get(&format!("/api/v1/network-requests/{}", id(out)), &app.admin).await;
    assert_eq!(after.body["version"], out["version"]);
    assert_eq!(requests_of(&app).await.len(), 2);
}

#[tokio::test]
async fn a_request_imported_as_sent_without_the_section_18_items_names_every_missing_item_on_its_line() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[
        sent(request(&r.school_a, &r.school_b, "Полный"), "2025-03-03"),
        json!({"sender_organization_id": r.school_a["id"], "status": "sent"}),
    ]);
    let res = import(&app, "network-requests", &app.admin, NDJSON, body).await;
    res.assert_problem(422);
    let s = &res.body["summary"];
    assert_eq!(counts(s), [2, 1, 0, 0, 1]);
    let mut fields: Vec<String> = errors_of(s)
        .into_iter()
        .map(|(line, field, code)| {
            assert_eq!((line, code.as_str()), (2, "mandatory_item_missing"));
            field
        })
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "addressee_organization_id",
            "author.first_name",
            "author.patronymic",
            "author.phone_or_email",
            "author.position",
            "author.surname",
            "reply_contact",
            "subject"
        ]
    );
    assert!(requests_of(&app).await.is_empty(), "all or nothing: neither the draft nor the good line is kept");
}

#[tokio::test]
async fn requests_import_from_csv_and_a_dry_run_writes_nothing() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let csv = format!(
        "sender_organization_id,addressee_organization_id,reply_contact,author.surname,author.first_name,\
         author.patronymic,author.position,author.email,subject,status,sent_on,contains_personal_data\n\
         {a},{b},\"Улан-Удэ, ул. Ленина, 1\",Иванова,Мария,Петровна,методист,ivanova@school.example,О курсах,sent,2025-02-10,нет\n\
         {a},{b},,Петров,,,,,Черновик,,,\n",
        a = id(&r.school_a),
        b = id(&r.school_b)
    );
    let dry = import(&app, "network-requests?dry_run=true", &app.admin, "text/csv", csv.clone().into_bytes()).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(counts(&dry.body), [2, 2, 0, 0, 0]);
    assert_eq!(dry.body["committed"], false);
    assert!(requests_of(&app).await.is_empty(), "a dry run writes nothing");

    let res = import(&app, "network-requests", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 2, 0, 0, 0]);
    let all = requests_of(&app).await;
    let out = all.iter().find(|x| x["status"] == "sent").unwrap();
    assert_eq!(out["author"]["email"], "ivanova@school.example");
    assert_eq!(out["contains_personal_data"], false);
    assert_eq!(out["outgoing_number"], "1/2025");
    let draft = all.iter().find(|x| x["status"] == "draft").unwrap();
    assert_eq!(draft["author"]["surname"], "Петров");
}

#[tokio::test]
async fn a_sent_request_never_changes_by_import_and_outgoing_numbers_are_never_written_by_hand() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut numbered = sent(request(&r.school_a, &r.school_b, "О курсах"), "2025-03-03");
    numbered["outgoing_number"] = json!("7/2025");
    let res = import(&app, "network-requests", &app.admin, NDJSON, ndjson(std::slice::from_ref(&numbered))).await;
    res.assert_problem(422);
    assert_eq!(errors_of(&res.body["summary"]), [(1, "outgoing_number".to_owned(), "number_mismatch".to_owned())]);
    assert!(res.body["summary"]["errors"][0]["message"].as_str().unwrap().contains("1/2025"));
    assert!(requests_of(&app).await.is_empty());

    numbered["outgoing_number"] = json!("1/2025");
    let res = import(&app, "network-requests?id_scheme=outgoing_number", &app.admin, NDJSON, ndjson(&[numbered])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [1, 1, 0, 0, 0]);
    let stored = requests_of(&app).await.pop().unwrap();

    // By id: another subject for a request already sent is the lifecycle's own 409.
    let changed = json!({"id": stored["id"], "subject": "Другая тема"});
    let res = import(&app, "network-requests", &app.admin, NDJSON, ndjson(&[changed])).await;
    res.assert_problem(422);
    assert_eq!(errors_of(&res.body["summary"]), [(1, "status".to_owned(), "conflict".to_owned())]);
    let after = app.get(&format!("/api/v1/network-requests/{}", id(&stored)), &app.admin).await;
    assert_eq!((&after.body["subject"], &after.body["version"]), (&stored["subject"], &stored["version"]));

    // A draft matched by id is merge-patched, then sent on request.
    let draft =
        app.post("/api/v1/network-requests", &app.admin, &json!({"sender_organization_id": r.school_a["id"]})).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let mut complete = sent(request(&r.school_a, &r.school_b, "Дополнили"), "2025-03-04");
    complete["id"] = draft.body["id"].clone();
    let res = import(&app, "network-requests", &app.admin, NDJSON, ndjson(&[complete])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [1, 0, 1, 0, 0]);
    let after = app.get(&format!("/api/v1/network-requests/{}", id(&draft.body)), &app.admin).await;
    assert_eq!((after.body["status"].as_str(), after.body["outgoing_number"].as_str()), (Some("sent"), Some("2/2025")));
}

#[tokio::test]
async fn a_foreign_sender_is_refused_on_its_line_and_atomic_false_keeps_the_good_lines() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let school_a = app.token(Role::Organization, Some(&r.school_a), None);
    let body = ndjson(&[
        request(&r.school_a, &r.school_b, "Свой"),
        request(&r.school_b, &r.school_a, "Чужой"),
        json!({"sender_organization_id": r.school_a["id"], "status": "answered", "sent_on": "2025-01-01"}),
    ]);
    let res = import(&app, "network-requests?atomic=false", &school_a, NDJSON, body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [3, 1, 0, 0, 2]);
    assert_eq!(res.body["committed"], true);
    assert_eq!(
        errors_of(&res.body),
        [
            (2, "sender_organization_id".to_owned(), "not_found".to_owned()),
            (3, "status".to_owned(), "not_importable".to_owned()),
            (3, "sent_on".to_owned(), "not_allowed".to_owned()),
        ]
    );
    let all = requests_of(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["subject"], "Свой");
    let analyst = app.token(Role::Analyst, None, None);
    import(&app, "network-requests", &analyst, NDJSON, ndjson(&[request(&r.school_a, &r.school_b, "x")]))
        .await
        .assert_problem(403);
}

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

/// The Buryatia agreement No. 535 with a municipal party filled in.
pub(crate) fn agreement(region: &Region, institute: &Value, municipal: &Value) -> Value {
    let text = FIXTURE
        .replace("{{regional_authority}}", &id(&region.region))
        .replace("{{regional_institute}}", &id(institute))
        .replace("{{municipal_authority}}", &id(municipal));
    serde_json::from_str(&text).unwrap()
}

async fn agreements_of(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/v1/agreements?limit=500", &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn agreements_load_one_document_per_line_match_by_number_and_change_only_as_the_lifecycle_allows() {
    let app = spawn_app().await;
    let (r, institute) = parties(&app).await;
    let signed = agreement(&r, &institute, &r.mun_a);
    let mut draft = agreement(&r, &institute, &r.mun_b);
    draft["status"] = json!("draft");
    draft["number"] = json!("536");
    draft["signed_on"] = Value::Null;
    let res = import(&app, "agreements", &app.admin, NDJSON, ndjson(&[signed.clone(), draft.clone()])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 2, 0, 0, 0]);
    let all = agreements_of(&app).await;
    assert_eq!(all.len(), 2);
    let stored_signed = all.iter().find(|a| a["number"] == "535").unwrap().clone();
    assert_eq!(stored_signed["status"], "expired", "signed, with a term that ended in 2024");
    assert_eq!(stored_signed["indicator_count"].as_u64(), Some(signed["indicators"].as_array().unwrap().len() as u64));

    // The same documents again, matched by number + municipal party + signing date.
    let res =
        import(&app, "agreements?id_scheme=number", &app.admin, NDJSON, ndjson(&[signed.clone(), draft.clone()])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 0, 0, 2, 0]);

    // A draft changes in place and is signed on request; a signed agreement answers the
    // lifecycle's 409 (amendments only) on its line.
    let mut draft2 = draft.clone();
    draft2["subject"] = json!("Новый предмет соглашения");
    draft2["signed_on"] = Value::Null;
    let mut signed2 = signed.clone();
    signed2["subject"] = json!("Изменённый предмет");
    let res =
        import(&app, "agreements?id_scheme=number&atomic=false", &app.admin, NDJSON, ndjson(&[draft2, signed2])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 0, 1, 0, 1]);
    assert_eq!(errors_of(&res.body), [(2, "status".to_owned(), "conflict".to_owned())]);
    let all = agreements_of(&app).await;
    let d = all.iter().find(|a| a["number"] == "536").unwrap();
    let d = app.get(&format!("/api/v1/agreements/{}", id(d)), &app.admin).await.body;
    assert_eq!((d["subject"].as_str(), d["status"].as_str()), (Some("Новый предмет соглашения"), Some("draft")));
    let s = app.get(&format!("/api/v1/agreements/{}", id(&stored_signed)), &app.admin).await.body;
    assert_eq!((&s["subject"], &s["version"]), (&signed["subject"], &stored_signed["version"]));
}

#[tokio::test]
async fn agreements_refuse_csv_and_other_roles_and_name_every_failing_field_of_a_line() {
    let app = spawn_app().await;
    let (r, institute) = parties(&app).await;
    let csv = "number,subject,valid_until\n535,Предмет,2024-12-31\n";
    let res = import(&app, "agreements", &app.admin, "text/csv", csv.as_bytes().to_vec()).await;
    res.assert_problem(415);
    assert!(res.body["detail"].as_str().unwrap().contains("application/x-ndjson"), "{}", res.text);

    let municipal = app.token(Role::Municipal, Some(&r.mun_a), None);
    import(&app, "agreements", &municipal, NDJSON, ndjson(&[agreement(&r, &institute, &r.mun_a)]))
        .await
        .assert_problem(403);

    // The municipal party is a school (wrong kind); the subject and term are missing.
    let mut bad = agreement(&r, &institute, &r.school_a);
    bad.as_object_mut().unwrap().remove("subject");
    bad.as_object_mut().unwrap().remove("valid_until");
    let good = agreement(&r, &institute, &r.mun_a);
    let res = import(&app, "agreements", &app.admin, NDJSON, ndjson(&[good, bad.clone()])).await;
    res.assert_problem(422);
    let mut fields: Vec<String> = errors_of(&res.body["summary"])
        .into_iter()
        .map(|(line, field, _)| {
            assert_eq!(line, 2);
            field
        })
        .collect();
    fields.sort();
    assert_eq!(fields, ["subject", "valid_until"]);
    bad["subject"] = json!("Предмет");
    bad["valid_until"] = json!("2024-12-31");
    let res = import(&app, "agreements", &app.admin, NDJSON, ndjson(&[bad])).await;
    assert_eq!(
        errors_of(&res.body["summary"]),
        [(1, "parties.municipal_authority.organization_id".to_owned(), "wrong_kind".to_owned())]
    );
    assert!(agreements_of(&app).await.is_empty(), "atomic: the good line is not kept");
}

/// A signed agreement No. 535 for municipality A, loaded through the API.
async fn signed_agreement(app: &TestApp) -> (Region, Value) {
    let (r, institute) = parties(app).await;
    let res = app.post("/api/v1/agreements", &app.admin, &agreement(&r, &institute, &r.mun_a)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    (r, res.body)
}

fn indicator_id(agreement: &Value, key: &str) -> String {
    id(agreement["indicators"].as_array().unwrap().iter().find(|i| i["key"] == key).unwrap())
}

async fn values_of(app: &TestApp, agreement: &Value, key: &str) -> Vec<Value> {
    let path = format!("/api/v1/agreements/{}/indicators/{}/values", id(agreement), indicator_id(agreement, key));
    let r = app.get(&path, &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn indicator_values_load_from_csv_and_ndjson_and_the_same_value_again_is_unchanged() {
    let app = spawn_app().await;
    let (_, a) = signed_agreement(&app).await;
    let csv = "agreement_number;indicator;year;value;source\n\
               535;indicator.1;2022;21,5;мониторинг БРИОП\n\
               535;result.1;2022;16;мониторинг БРИОП\n";
    let dry = import(&app, "indicator-values?dry_run=true", &app.admin, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(counts(&dry.body), [2, 2, 0, 0, 0]);
    assert!(values_of(&app, &a, "indicator.1").await.is_empty(), "a dry run writes nothing");

    let res = import(&app, "indicator-values", &app.admin, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 2, 0, 0, 0]);
    let v = values_of(&app, &a, "indicator.1").await;
    assert_eq!((v.len(), v[0]["value"].as_f64(), v[0]["year"].as_i64()), (1, Some(21.5), Some(2022)));

    let res = import(&app, "indicator-values", &app.admin, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [2, 0, 0, 2, 0], "the same values again are unchanged");
    assert_eq!(values_of(&app, &a, "indicator.1").await.len(), 1, "nothing reported twice");

    // NDJSON by ids: a new value for the period is reported anew (both kept, the later stands).
    let line = json!({"agreement_id": a["id"], "indicator_id": indicator_id(&a, "indicator.1"), "year": 2022,
        "value": 25, "source": "мониторинг БРИОП", "comment": "уточнено"});
    let create_only =
        import(&app, "indicator-values?mode=create", &app.admin, NDJSON, ndjson(std::slice::from_ref(&line))).await;
    assert_eq!(errors_of(&create_only.body["summary"]), [(1, "period".to_owned(), "exists".to_owned())]);
    let res = import(&app, "indicator-values", &app.admin, NDJSON, ndjson(&[line])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [1, 0, 1, 0, 0]);
    let v = values_of(&app, &a, "indicator.1").await;
    assert_eq!(v.iter().map(|x| x["value"].as_f64().unwrap()).collect::<Vec<_>>(), [21.5, 25.0]);
}

#[tokio::test]
async fn a_bad_indicator_value_line_is_named_and_an_atomic_import_reports_nothing() {
    let app = spawn_app().await;
    let (_, a) = signed_agreement(&app).await;
    let csv = "agreement_number,indicator,year,value,source\n\
               535,indicator.1,2022,21,мониторинг\n\
               535,indicator.1,2023,-1,\n\
               ,,20x2,1,мониторинг\n";
    let res = import(&app, "indicator-values", &app.admin, "text/csv", csv.as_bytes().to_vec()).await;
    res.assert_problem(422);
    let s = &res.body["summary"];
    assert_eq!(counts(s), [3, 1, 0, 0, 2]);
    let mut errors = errors_of(s);
    errors.sort();
    assert_eq!(
        errors,
        [
            (3, "source".to_owned(), "required".to_owned()),
            (3, "value".to_owned(), "range".to_owned()),
            (4, "agreement_id".to_owned(), "required".to_owned()),
            (4, "indicator_id".to_owned(), "required".to_owned()),
            (4, "year".to_owned(), "invalid_type".to_owned()),
        ]
    );
    assert!(values_of(&app, &a, "indicator.1").await.is_empty(), "all or nothing");

    let unknown = "agreement_number,indicator,year,value,source\n535,indicator.9,2022,1,мониторинг\n";
    let res = import(&app, "indicator-values", &app.admin, "text/csv", unknown.as_bytes().to_vec()).await;
    assert_eq!(errors_of(&res.body["summary"]), [(2, "indicator".to_owned(), "not_found".to_owned())]);
}

#[tokio::test]
async fn a_municipality_reports_values_for_its_own_agreement_only() {
    let app = spawn_app().await;
    let (r, a) = signed_agreement(&app).await;
    let line = json!({"agreement_number": "535", "indicator": "result.1", "year": 2023, "value": 26, "source": "РУО"});
    let other = app.token(Role::Municipal, Some(&r.mun_b), None);
    let res = import(&app, "indicator-values", &other, NDJSON, ndjson(std::slice::from_ref(&line))).await;
    res.assert_problem(422);
    assert_eq!(errors_of(&res.body["summary"]), [(1, "agreement_number".to_owned(), "not_found".to_owned())]);
    let by_id = json!({"agreement_id": a["id"], "indicator": "result.1", "year": 2023, "value": 26, "source": "РУО"});
    let res = import(&app, "indicator-values", &other, NDJSON, ndjson(&[by_id])).await;
    assert_eq!(errors_of(&res.body["summary"]), [(1, "agreement_id".to_owned(), "not_found".to_owned())]);
    assert!(values_of(&app, &a, "result.1").await.is_empty());

    let own = app.token(Role::Municipal, Some(&r.mun_a), None);
    let res = import(&app, "indicator-values", &own, NDJSON, ndjson(&[line])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(counts(&res.body), [1, 1, 0, 0, 0]);
    let v = values_of(&app, &a, "result.1").await;
    assert_eq!((v.len(), v[0]["reporter_role"].as_str()), (1, Some("municipal")));
    let school = app.token(Role::Organization, Some(&r.school_a), None);
    import(&app, "indicator-values", &school, NDJSON, Vec::new()).await.assert_problem(403);
}

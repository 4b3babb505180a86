//! Personal-data duties, continued (issue 20): the federal exchange's reads follow her basis on
//! every path, diagnostics need their basis, bases come with a person's write and import,
//! retention per category, and depersonalisation reaches every copy of her name.

use rsnms_domain::{
    auth::Role,
    exchange::{ChangeFeed, WebhookRepository},
    personal_data::{self, Retention},
};
use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::{
    diagnostics::{framework, record},
    imports::{import, ndjson, snils},
    network_requests::{action, complete_draft},
    personal_data::{consent, days_after, delivery_bodies, digits, person, today, withdraw},
};

/// Whether a text holds this СНИЛС in either form (formatted or digits only).
fn holds_snils(text: &str, n: u32) -> bool {
    text.contains(&snils(n)) || text.contains(&digits(&snils(n)))
}

async fn touch(app: &TestApp, person: &str) {
    let path = format!("/api/v1/persons/{person}");
    let current = app.get(&path, &app.admin).await;
    let r = app.patch(&path, &app.admin, &current.etag(), &json!({"position": "учитель истории"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A request from school A whose author is `surname` Анна Петровна with this e-mail, sent today.
async fn sent_request(app: &TestApp, from: &Value, to: &Value, surname: &str, email: &str, flagged: bool) -> Value {
    let mut body = complete_draft(from, to);
    body["author"] = json!({
        "surname": surname, "first_name": "Анна", "patronymic": "Петровна", "position": "методист",
        "phone": "8 (301) 221-00-00", "email": email
    });
    body["reply_contact"] = json!(format!("670000, Улан-Удэ, ул. Ленина, 1; {email}"));
    if flagged {
        body["contains_personal_data"] = json!(true);
        body["personal_data_basis"] = json!("п. 2 ч. 1 ст. 6 Федерального закона № 152-ФЗ");
    }
    let draft = app.post("/api/v1/network-requests", &app.admin, &body).await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let sent = action(app, &app.admin, &draft.body, "send", json!({"sent_on": today().to_string()})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    sent.body
}

#[tokio::test]
async fn the_federal_exchange_reads_her_personal_data_in_persons_the_feed_and_webhooks_only_under_her_basis() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let integration = app.token(Role::Integration, None, None);
    let her = person(&app, &r.school_a, "Иванова", 61).await;
    let other = person(&app, &r.school_a, "Петрова", 62).await;
    let federal = consent(&app, &her, "federal_exchange").await;
    let shown = app.get(&format!("/api/v1/persons/{her}"), &integration).await;
    assert_eq!(shown.body["personal_data_visible"], true, "{}", shown.text);
    assert!(holds_snils(&shown.text, 61));

    withdraw(&app, &her, &federal).await;
    let one = app.get(&format!("/api/v1/persons/{her}"), &integration).await;
    assert_eq!((one.status, one.body["id"].as_str()), (200, Some(her.as_str())), "the id stays");
    assert_eq!(one.body["personal_data_visible"], false, "{}", one.text);
    assert!(one.body["email"].is_null() && one.body["birth_date"].is_null() && !holds_snils(&one.text, 61));
    let admin = app.get(&format!("/api/v1/persons/{her}"), &app.admin).await;
    assert!(holds_snils(&admin.text, 61), "the operator's own work is not the federal exchange");
    let list = app.get(&format!("/api/v1/persons?organization_id={}&limit=500", id(&r.school_a)), &integration).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let row = |p: &str| list.body["items"].as_array().unwrap().iter().find(|x| x["id"] == p).cloned().unwrap();
    assert_eq!(row(&her)["personal_data_visible"], false);
    assert_eq!(row(&other)["personal_data_visible"], true, "no basis recorded: the transition");
    assert!(!holds_snils(&list.text, 61) && holds_snils(&list.text, 62));

    // Webhooks: a subscription of the federal side made after the withdrawal; both persons change.
    let sub = app
        .post("/api/v1/webhooks", &integration, &json!({"url": "http://127.0.0.1:9/hook", "event_types": ["person.*"]}))
        .await;
    assert_eq!(sub.status, 201, "{}", sub.text);
    touch(&app, &her).await;
    touch(&app, &other).await;
    let feed = app.get("/api/v1/changes?types=person&limit=500", &integration).await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    let hers: Vec<&Value> =
        feed.body["items"].as_array().unwrap().iter().filter(|e| e["resource_id"] == her.as_str()).collect();
    assert!(!hers.is_empty(), "{}", feed.text);
    assert!(!holds_snils(&feed.text, 61) && holds_snils(&feed.text, 62), "{}", feed.text);
    assert!(!feed.text.contains("t61@school.example") && feed.text.contains("t62@school.example"));

    app.store.changes.publish().await.unwrap();
    app.store.webhooks.fan_out(1000).await.unwrap();
    let copies = delivery_bodies(&app).await;
    assert!(copies.contains(&her) && copies.contains(&other), "{copies}");
    assert!(!holds_snils(&copies, 61) && !copies.contains("t61@school.example"), "{copies}");
    assert!(holds_snils(&copies, 62) && copies.contains("t62@school.example"), "{copies}");
}

#[tokio::test]
async fn diagnostic_results_for_a_person_without_a_diagnostics_basis_are_refused_naming_the_item() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let f = framework(&app, &r).await;
    let her = person(&app, &r.school_a, "Иванова", 63).await;
    let other = person(&app, &r.school_a, "Петрова", 64).await;
    consent(&app, &her, "iom").await;
    let path = format!("/api/v1/diagnostics/{}/results", id(&f.campaign));
    let item = |p: &str| json!({"person_id": p, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"});
    let refused = app.post(&path, &app.admin, &json!({"items": [item(&other), item(&her)]})).await;
    refused.assert_problem(409);
    assert_eq!(refused.error_fields(), ["items[1].person_id"], "{}", refused.text);
    assert!(refused.text.contains("diagnostics"), "the purpose is named: {}", refused.text);
    let en = app
        .send("POST", &path, Some(&app.admin), Some(&json!({"items": [item(&her)]})), &[("Accept-Language", "en")])
        .await;
    assert!(en.text.contains("No basis of processing"), "{}", en.text);
    let stored = app.get(&format!("/api/v1/diagnostics/{}/results?limit=500", id(&f.campaign)), &app.admin).await;
    assert_eq!(stored.body["items"], json!([]), "nothing half-written: {}", stored.text);

    let line = json!({"diagnostic_id": f.campaign["id"], "person_id": her, "competency_id": f.ict, "score": 40, "assessed_on": "2025-10-01"});
    let imported =
        import(&app, "diagnostic-results?atomic=false", &app.admin, "application/x-ndjson", ndjson(&[line])).await;
    let summary = if imported.body["summary"].is_object() { &imported.body["summary"] } else { &imported.body };
    assert_eq!(summary["rejected"], 1, "{}", imported.text);
    assert_eq!(summary["errors"][0]["field"], "person_id", "{}", imported.text);

    consent(&app, &her, "diagnostics").await;
    record(&app, &f.campaign, json!([item(&her), item(&other)])).await;
}

#[tokio::test]
async fn a_person_carries_her_bases_through_create_patch_and_the_import() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let org = r.school_a["id"].as_str().unwrap().to_owned();
    let new = |n: u32, bases: Value| {
        json!({
            "surname": "Иванова", "first_name": "Анна", "organization_id": org, "roles": ["teacher"],
            "snils": snils(n), "processing_bases": bases
        })
    };
    let created = app
        .post(
            "/api/v1/persons",
            &app.admin,
            &new(
                71,
                json!([
                    {"purpose": "federal_exchange", "kind": "consent", "consent_form": "written", "document_ref": "С-1"},
                    {"purpose": "network_requests", "kind": "labour_relationship", "legal_act": "ТК РФ, гл. 14"}
                ]),
            ),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(created.body.get("processing_bases").is_none(), "not echoed: {}", created.text);
    let her = id(&created.body);
    let bases = |p: String| {
        let app = &app;
        async move {
            let b = app.get(&format!("/api/v1/persons/{p}/processing-bases"), &app.admin).await;
            assert_eq!(b.status, 200, "{}", b.text);
            b.body["items"].as_array().unwrap().clone()
        }
    };
    let got = bases(her.clone()).await;
    assert_eq!(got.len(), 2);
    assert_eq!((got[0]["purpose"].as_str(), got[0]["document_ref"].as_str()), (Some("federal_exchange"), Some("С-1")));
    assert_eq!(got[1]["legal_act"], "ТК РФ, гл. 14");

    let bad = app
        .post(
            "/api/v1/persons",
            &app.admin,
            &new(72, json!([{"purpose": "iom", "kind": "consent"}, {"purpose": "nope", "kind": "consent", "consent_form": "other"}])),
        )
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), ["processing_bases[0].consent_form", "processing_bases[1].purpose"], "{}", bad.text);
    let none = app.get(&format!("/api/v1/persons?snils={}", snils(72)), &app.admin).await;
    assert_eq!(none.body["items"], json!([]), "written together or not at all: {}", none.text);

    let current = app.get(&format!("/api/v1/persons/{her}"), &app.admin).await;
    let patched = app
        .patch(
            &format!("/api/v1/persons/{her}"),
            &app.admin,
            &current.etag(),
            &json!({"processing_bases": [{"purpose": "iom", "kind": "consent", "consent_form": "electronic"}]}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(bases(her.clone()).await.len(), 3);

    let csv = format!(
        "surname,first_name,organization_id,snils,roles,basis_federal_exchange,basis_federal_exchange_form,basis_federal_exchange_document,basis_iom,basis_iom_act\n\
         Сидорова,Анна,{org},{},teacher,consent,written,С-2026/7,regional_act,Приказ № 1\n\
         Петрова,Анна,{org},{},teacher,,,,consent,\n",
        snils(73),
        snils(74)
    );
    let res = import(&app, "persons?id_scheme=snils&atomic=false", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["created"].as_u64(), res.body["rejected"].as_u64()), (Some(1), Some(1)), "{}", res.text);
    assert_eq!(res.body["errors"][0]["field"], "processing_bases[0].consent_form", "{}", res.text);
    let found = app.get(&format!("/api/v1/persons?snils={}", snils(73)), &app.admin).await;
    let imported = bases(id(&found.body["items"][0])).await;
    assert_eq!(imported.len(), 2, "{imported:?}");
    let of = |p: &str| imported.iter().find(|b| b["purpose"] == p).cloned().unwrap();
    assert_eq!(
        (of("federal_exchange")["consent_form"].as_str(), of("federal_exchange")["document_ref"].as_str()),
        (Some("written"), Some("С-2026/7"))
    );
    assert_eq!(
        (of("iom")["kind"].as_str(), of("iom")["legal_act"].as_str()),
        (Some("regional_act"), Some("Приказ № 1"))
    );
    let missing = app.get(&format!("/api/v1/persons?snils={}", snils(74)), &app.admin).await;
    assert_eq!(missing.body["items"], json!([]), "the refused line wrote nothing");
}

#[tokio::test]
async fn depersonalisation_reaches_the_author_and_contact_copies_of_her_network_requests_but_not_a_namesakes() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let her = person(&app, &r.school_a, "Иванова", 81).await;
    let mine = sent_request(&app, &r.school_a, &r.school_b, "Иванова", "t81@school.example", false).await;
    let namesake = sent_request(&app, &r.school_b, &r.school_a, "Иванова", "other@school.example", false).await;
    let basis = consent(&app, &her, "iom").await;
    withdraw(&app, &her, &basis).await;
    let repo = app.store.personal_data.as_ref();
    let done = personal_data::run_depersonalisation(repo, days_after(30), 30).await.unwrap();
    assert_eq!(done.iter().map(ToString::to_string).collect::<Vec<_>>(), vec![her.clone()]);

    let got = app.get(&format!("/api/v1/network-requests/{}", id(&mine)), &app.admin).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body["author"]["surname"], personal_data::DEPERSONALISED_SURNAME, "{}", got.text);
    for f in ["patronymic", "email", "phone"] {
        assert!(got.body["author"][f].is_null(), "{f}: {}", got.text);
    }
    assert_eq!(got.body["author"]["position"], "методист");
    assert!(got.body["reply_contact"].is_null(), "it held her e-mail: {}", got.text);
    assert!(!got.text.contains("Иванова") && !got.text.contains("t81@"), "{}", got.text);
    assert_eq!(got.body["outgoing_number"], mine["outgoing_number"], "the request stays");
    let other = app.get(&format!("/api/v1/network-requests/{}", id(&namesake)), &app.admin).await;
    assert_eq!(other.body["author"]["surname"], "Иванова", "another organisation's namesake is not her");

    let feed = app.get("/api/v1/changes?types=network_request&limit=500", &app.admin).await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    for e in feed.body["items"].as_array().unwrap().iter().filter(|e| e["resource_id"] == mine["id"]) {
        let text = e["payload"].to_string();
        assert!(!text.contains("Иванова") && !text.contains("t81@"), "{text}");
    }
}

#[tokio::test]
async fn retention_per_category_lists_what_falls_due_and_strips_request_copies_while_counts_stay_equal() {
    let url = rsnms_tests::fresh_database_url().await;
    let mut settings = rsnms_tests::test_settings(&url);
    settings.min_group_size = 1;
    let app = rsnms_tests::spawn_with(settings).await;
    let r = app.seed_region().await;
    let req = sent_request(&app, &r.school_a, &r.school_b, "Иванова", "t91@school.example", true).await;
    let analyst = app.token(Role::Analyst, None, None);
    let counts = || async {
        let m = app.get("/api/v1/monitoring/indicators?year=2026", &analyst).await;
        assert_eq!(m.status, 200, "{}", m.text);
        let n = app.get("/api/v1/network-requests?limit=500", &app.admin).await;
        (m.body, n.body["items"].as_array().unwrap().len())
    };
    let before = counts().await;
    let period = Retention::default();
    let days = u64::from(period.network_requests_days);
    let category = |report: &Value, c: &str| {
        report["categories"].as_array().unwrap().iter().find(|x| x["category"] == c).cloned().unwrap()
    };

    let now = app.get("/api/v1/personal-data/retention", &app.admin).await;
    assert_eq!(now.status, 200, "{}", now.text);
    assert_eq!(now.body["within_days"], 30);
    let requests = category(&now.body, "network_requests");
    assert_eq!((requests["period_days"].as_u64(), requests["due_count"].as_u64()), (Some(days), Some(0)));
    assert_eq!(requests["upcoming"], json!([]), "{}", now.text);
    let ahead = app
        .get(&format!("/api/v1/personal-data/retention?within_days=30&today={}", days_after(days - 10)), &app.admin)
        .await;
    let requests = category(&ahead.body, "network_requests");
    assert_eq!(requests["upcoming"][0]["id"], req["id"], "{}", ahead.text);
    assert_eq!(requests["upcoming"][0]["due_on"], days_after(days).to_string());
    let audit = category(&ahead.body, "audit");
    assert!(audit["due_count"].as_u64().unwrap() > 0, "today's audit is past its 3 years then: {}", ahead.text);
    app.get("/api/v1/personal-data/retention?within_days=0", &app.admin).await.assert_problem(422);
    let bad = app.get("/api/v1/personal-data/retention?within_days=400", &app.admin).await;
    assert_eq!(bad.error_fields(), ["within_days"], "{}", bad.text);
    app.get("/api/v1/personal-data/retention", &app.token(Role::Operator, None, None)).await.assert_problem(403);

    let repo = app.store.personal_data.as_ref();
    let early = personal_data::run_retention(repo, Some(days_after(days - 1)), &period).await.unwrap();
    assert!(early.network_requests.is_empty(), "not before its period");
    assert!(early.audit_deleted > 0, "the audit's shorter period has run");
    let done = personal_data::run_retention(repo, Some(days_after(days)), &period).await.unwrap();
    assert_eq!(done.network_requests.iter().map(ToString::to_string).collect::<Vec<_>>(), vec![id(&req)]);
    let again = personal_data::run_retention(repo, Some(days_after(days + 1)), &period).await.unwrap();
    assert!(again.network_requests.is_empty(), "once");

    let got = app.get(&format!("/api/v1/network-requests/{}", id(&req)), &app.admin).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert!(got.body["author"]["surname"].is_null() && got.body["author"]["email"].is_null(), "{}", got.text);
    assert_eq!(got.body["author"]["position"], "методист");
    assert!(got.body["body"].is_null() && got.body["reply_contact"].is_null(), "{}", got.text);
    assert!(!got.text.contains("Иванова") && !got.text.contains("t91@"), "{}", got.text);
    assert_eq!(
        (got.body["outgoing_number"].clone(), got.body["status"].clone()),
        (req["outgoing_number"].clone(), req["status"].clone())
    );
    let feed = app.get("/api/v1/changes?types=network_request&limit=500", &app.admin).await;
    assert!(!feed.text.contains("Иванова") && !feed.text.contains("t91@"), "its events too: {}", feed.text);
    assert_eq!(counts().await, before, "aggregates unchanged");
}

//! Webhooks: subscriptions, signed deliveries to a local receiver, retries, disabling, and
//! several server instances delivering each event once.

use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, Ordering},
    },
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use rsnms_domain::auth::Role;
use rsnms_tests::{TestApp, id, spawn_app, spawn_with, test_settings};
use serde_json::{Value, json};
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// A local receiver on 127.0.0.1 that answers with a settable status.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> Self {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(200));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (g, s) = (got.clone(), status.clone());
        let server = HttpServer::new(move || {
            let (g, s) = (g.clone(), s.clone());
            App::new().route(
                "/hook",
                web::post().to(move |req: HttpRequest, body: web::Bytes| {
                    let (g, s) = (g.clone(), s.clone());
                    async move {
                        let headers = req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
                            .collect();
                        g.lock().unwrap().push(Received { headers, body: body.to_vec() });
                        HttpResponse::build(actix_web::http::StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap())
                            .finish()
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url: format!("http://127.0.0.1:{port}/hook"), got, status }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until the receiver holds at least `n` requests.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} requests, expected {n}", self.received().len());
    }
}

fn verify(secret: &str, r: &Received) -> Value {
    let sig = &r.headers["x-rsnms-signature"];
    let (t, v1) = sig.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    assert_eq!(&r.headers["x-rsnms-timestamp"], t);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&r.body);
    mac.verify_slice(&hex::decode(v1).unwrap()).expect("a valid HMAC-SHA256 signature over timestamp.body");
    serde_json::from_slice(&r.body).unwrap()
}

async fn subscribe(app: &TestApp, token: &str, url: &str, types: Value) -> Value {
    let r = app.post("/api/v1/webhooks", token, &json!({"url": url, "event_types": types})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

async fn deliveries(app: &TestApp, sub: &Value) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/webhooks/{}/deliveries?limit=500", id(sub)), &app.admin).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_subscriber_receives_each_event_signed_once_and_the_log_shows_it() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    let sub = subscribe(&app, &app.admin, &rx.url, json!(["organization.*"])).await;
    let secret = sub["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let shown = app.get(&format!("/api/v1/webhooks/{}", id(&sub)), &app.admin).await;
    assert!(shown.body.get("secret").is_none(), "the secret is shown only once");

    let org = app.create_org(json!({"name": "Министерство", "kind": "regional_authority", "region_code": "03"})).await;
    app.create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": org["id"]})).await;
    let got = rx.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let got_after = rx.received();
    assert_eq!(got_after.len(), got.len(), "nothing more: person events are not subscribed");
    assert_eq!(got.len(), 1);
    let body = verify(&secret, &got[0]);
    assert_eq!(body["event_type"], "organization.created");
    assert_eq!(body["resource_id"], org["id"]);
    assert_eq!(body["payload"]["name"], "Министерство");
    assert_eq!(got[0].headers["x-rsnms-delivery"], body["delivery_id"].as_str().unwrap());
    assert_eq!(got[0].headers["x-rsnms-event"], "organization.created");

    let log = deliveries(&app, &sub).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["id"], body["delivery_id"]);
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["last_status_code"], 200);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_the_same_id_then_the_subscription_is_disabled() {
    let app = spawn_app().await;
    let rx = Receiver::start().await;
    rx.status.store(503, Ordering::SeqCst);
    let sub = subscribe(&app, &app.admin, &rx.url, json!(["organization.*"])).await;
    app.create_org(json!({"name": "Министерство", "kind": "regional_authority", "region_code": "03"})).await;
    // The test server makes 3 attempts, 50 ms then 100 ms apart.
    let got = rx.wait_for(3).await;
    let ids: Vec<&String> = got.iter().map(|r| &r.headers["x-rsnms-delivery"]).collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "every retry carries the same delivery id");
    let mut sub_now = Value::Null;
    for _ in 0..100 {
        sub_now = app.get(&format!("/api/v1/webhooks/{}", id(&sub)), &app.admin).await.body;
        if sub_now["active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sub_now["active"], false, "disabled after persistent failure: {sub_now}");
    assert!(sub_now["disabled_reason"].as_str().unwrap().contains("failed after 3 attempts"));
    let log = deliveries(&app, &sub).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_u64()), (Some("failed"), Some(3)));
    assert_eq!(log[0]["last_status_code"], 503);
    assert_eq!(rx.received().len(), 3, "no attempt after giving up");

    // Disabled: new events are not delivered until it is enabled again.
    rx.status.store(200, Ordering::SeqCst);
    app.create_org(json!({"name": "Институт", "kind": "other", "level": "regional", "region_code": "03"})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.received().len(), 3);
    let etag = format!("\"{}\"", sub_now["version"]);
    let en = app
        .send("POST", &format!("/api/v1/webhooks/{}/enable", id(&sub)), Some(&app.admin), None, &[("if-match", &etag)])
        .await;
    assert_eq!(en.status, 200, "{}", en.text);
    assert_eq!(en.body["active"], true);
}

#[tokio::test]
async fn two_server_instances_deliver_every_event_exactly_once() {
    let app = spawn_app().await;
    let second = spawn_with(test_settings(&app.database_url)).await;
    let rx = Receiver::start().await;
    let sub = subscribe(&app, &app.admin, &rx.url, json!(["organization.created"])).await;
    let secret = sub["secret"].as_str().unwrap().to_owned();
    let region =
        app.create_org(json!({"name": "Министерство", "kind": "regional_authority", "region_code": "03"})).await;
    for n in 0..12 {
        let via = if n % 2 == 0 { &app } else { &second };
        let r = via
            .post(
                "/api/v1/organizations",
                &via.admin,
                &json!({"name": format!("Школа {n}"), "kind": "educational_organization", "parent_id": region["id"], "municipality_code": "81606000"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let got = rx.wait_for(13).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = if rx.received().len() > got.len() { rx.received() } else { got };
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for r in &got {
        let body = verify(&secret, r);
        *per_event.entry(body["event_id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(per_event.len(), 13);
    assert!(per_event.values().all(|n| *n == 1), "each event delivered once: {per_event:?}");
}

#[tokio::test]
async fn a_subscription_receives_only_what_its_owner_may_see() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let rx = Receiver::start().await;
    let municipal_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let sub = subscribe(&app, &municipal_a, &rx.url, json!(["person.*"])).await;
    let a = app
        .create_person(json!({"surname": "Иванова", "first_name": "Анна", "organization_id": r.school_a["id"], "snils": "112-233-445 95", "hire_date": "2015-09-01"}))
        .await;
    app.create_person(json!({"surname": "Петров", "first_name": "Пётр", "organization_id": r.school_b["id"]})).await;
    let got = rx.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.received().len(), got.len());
    assert_eq!(got.len(), 1);
    let body = verify(sub["secret"].as_str().unwrap(), &got[0]);
    assert_eq!(body["resource_id"], a["id"]);
    assert_eq!(body["payload"]["snils"], "112-233-445 95", "the municipality may read it");
    assert_eq!(body["payload"]["hire_date"], "2015-09-01");
    // The delivery that carried personal data is the owner's audited read.
    let audit = app.get(&format!("/api/v1/audit?resource_type=person&resource_id={}", id(&a)), &app.admin).await;
    let reads: Vec<&Value> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "read_personal_data" && i["actor_role"] == "municipal")
        .collect();
    assert_eq!(reads.len(), 1, "{}", audit.text);
    assert_eq!(reads[0]["request_id"], format!("webhook:{}", id(&sub)));
    // Another account does not see the subscription.
    let school = app.token(Role::Organization, Some(&r.school_a), None);
    let other = app.get(&format!("/api/v1/webhooks/{}", id(&sub)), &school).await;
    other.assert_problem(404);
}

#[tokio::test]
async fn subscriptions_are_validated_and_refused_to_roles_without_the_right() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let bad =
        app.post("/api/v1/webhooks", &app.admin, &json!({"url": "ftp://example.org/hook", "event_types": []})).await;
    bad.assert_problem(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["event_types", "url"]);
    let bad_type = app
        .post(
            "/api/v1/webhooks",
            &app.admin,
            &json!({"url": "https://example.org/hook", "event_types": ["Person Created"]}),
        )
        .await;
    bad_type.assert_problem(422);
    assert_eq!(bad_type.error_fields(), vec!["event_types[0]"]);
    let teacher = app.token(Role::Teacher, Some(&r.school_a), Some(&uuid::Uuid::now_v7().to_string()));
    let denied =
        app.post("/api/v1/webhooks", &teacher, &json!({"url": "https://example.org/hook", "event_types": ["*"]})).await;
    denied.assert_problem(403);
}

#[tokio::test]
async fn targets_that_point_inward_are_refused_at_subscription_in_every_spelling() {
    // The tests allow-list 127.0.0.0/8 for their receivers; every other inward form is refused.
    let app = spawn_app().await;
    for (url, code) in [
        ("http://2130706433/hook", "ambiguous_host"),
        ("http://0x7f.0.0.1/hook", "ambiguous_host"),
        ("http://0177.0.0.1/hook", "ambiguous_host"),
        ("http://[::ffff:127.0.0.1]/hook", "ambiguous_host"),
        ("https://[::ffff:7f00:1]/hook", "inward_target"),
        ("https://0.0.0.0/hook", "inward_target"),
        ("https://169.254.169.254/latest/meta-data/", "inward_target"),
        ("https://10.0.0.8/hook", "inward_target"),
        ("https://[fd12::1]/hook", "inward_target"),
        ("https://evil@127.0.0.1/hook", "userinfo_refused"),
        ("https://localhost/hook", "inward_target"),
        ("http://localhost:8080/hook", "inward_target"),
        ("http://8.8.8.8/hook", "insecure_scheme"),
    ] {
        let r = app.post("/api/v1/webhooks", &app.admin, &json!({"url": url, "event_types": ["*"]})).await;
        r.assert_problem(422);
        assert_eq!(r.error_fields(), vec!["url"], "{url}");
        assert_eq!(r.body["errors"][0]["code"], code, "{url}: {}", r.text);
    }
    let listed = app.get("/api/v1/webhooks", &app.admin).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 0, "nothing was stored");
}

#[tokio::test]
async fn a_name_that_resolves_inward_is_refused_at_delivery_and_a_checked_one_is_delivered_to_its_address() {
    let rx = Receiver::start().await;
    let port = rx.url.trim_start_matches("http://127.0.0.1:").split('/').next().unwrap().to_owned();
    let mut settings = test_settings(&rsnms_tests::fresh_database_url().await);
    settings.exchange.webhook_hosts = rsnms::exchange::parse_hosts(
        "metadata.test=169.254.169.254,mapped.test=::ffff:127.0.0.1,hook.test=127.0.0.1,split.test=127.0.0.1,split.test=10.0.0.1",
    )
    .unwrap();
    let app = spawn_with(settings).await;
    let inward =
        subscribe(&app, &app.admin, "https://metadata.test/latest/meta-data/", json!(["organization.*"])).await;
    let mapped =
        subscribe(&app, &app.admin, &format!("http://mapped.test:{port}/hook"), json!(["organization.*"])).await;
    let split = subscribe(&app, &app.admin, &format!("http://split.test:{port}/hook"), json!(["organization.*"])).await;
    let good = subscribe(&app, &app.admin, &format!("http://hook.test:{port}/hook"), json!(["organization.*"])).await;
    app.create_org(json!({"name": "Министерство", "kind": "regional_authority", "region_code": "03"})).await;

    let got = rx.wait_for(1).await;
    assert_eq!(verify(good["secret"].as_str().unwrap(), &got[0])["event_type"], "organization.created");
    for sub in [&inward, &mapped, &split] {
        let mut log = Vec::new();
        for _ in 0..100 {
            log = deliveries(&app, sub).await;
            if log.first().is_some_and(|d| d["attempts"].as_u64() >= Some(1)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let d = &log[0];
        assert_ne!(d["status"], "delivered", "{}", sub["url"]);
        assert!(d["last_status_code"].is_null(), "no connection was made: {d}");
        assert!(d["last_error"].as_str().unwrap().starts_with("target refused"), "{d}");
    }
    assert_eq!(rx.received().len(), 1, "only the checked name reached the receiver");
}

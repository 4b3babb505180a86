//! Attacks on sign-in, accounts and tokens (issue 14 items 1–3): each is performed and must fail.

use std::time::{Duration, Instant};

use rsnms::{Harness, ServiceTokenArgs, Settings, service_token};
use rsnms_domain::{
    audit::{AuditFilter, AuditRepository},
    auth::Role,
    page::PageRequest,
    sign_in::SignInPolicy,
};
use rsnms_tests::{Reply, TestApp, fresh_database_url, id, spawn_with, spawn_with_harness, test_settings};
use serde_json::{Value, json};

async fn sign_in(app: &TestApp, login: &str, password: &str, headers: &[(&str, &str)]) -> Reply {
    let body = json!({"grant_type": "password", "username": login, "password": password});
    app.send("POST", "/api/v1/auth/token", None, Some(&body), headers).await
}

async fn refresh(app: &TestApp, token: &str) -> Reply {
    let body = json!({"grant_type": "refresh_token", "refresh_token": token});
    app.send("POST", "/api/v1/auth/token", None, Some(&body), &[]).await
}

/// Creates a user account through the API and returns it.
async fn user(app: &TestApp, login: &str, role: &str, binding: Value) -> Value {
    let mut body = json!({"kind": "user", "login": login, "secret": "correct-horse-battery", "role": role});
    for (k, v) in binding.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let r = app.post("/api/v1/accounts", &app.admin, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

/// Polls `GET /auth/me` until it answers `status`; fails after five seconds.
async fn eventually(app: &TestApp, token: &str, status: u16) {
    let start = Instant::now();
    loop {
        let got = app.get("/api/v1/auth/me", token).await.status;
        if got == status {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still {got}, expected {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn spawn(change: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = test_settings(&fresh_database_url().await);
    change(&mut settings);
    spawn_with(settings).await
}

#[tokio::test]
async fn rotating_junk_bearer_values_or_forwarded_addresses_does_not_escape_the_limits() {
    let app = spawn(|s| {
        s.rate_limit_per_minute = 5;
        s.sign_in_address_per_minute = 2;
    })
    .await;
    // Sign-in: another login, another junk header and a forged X-Forwarded-For (the peer is not
    // a trusted proxy) each time — the address limit holds.
    for n in 0..2 {
        let xff = format!("203.0.113.{n}");
        let headers = [("authorization", "Bearer junk"), ("x-forwarded-for", xff.as_str())];
        let r = sign_in(&app, &format!("nobody-{n}"), "x", &headers).await;
        assert_eq!(r.status, 401, "{}", r.text);
    }
    let r = sign_in(&app, "admin", "admin-password-123", &[("x-forwarded-for", "203.0.113.99")]).await;
    r.assert_problem(429);
    assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Unauthenticated API calls: every junk token counts against the one address (3 so far).
    for n in 0..2 {
        let r = app.get("/api/v1/organizations", &format!("junk-{n}")).await;
        assert_eq!(r.status, 401);
    }
    let r = app.get("/api/v1/organizations", "junk-last").await;
    r.assert_problem(429);
    assert!(r.header("retry-after").is_some());
    // A caller with a valid token is counted under its own subject, not the address.
    assert_eq!(app.get("/api/v1/organizations", &app.admin).await.status, 200);
}

#[tokio::test]
async fn guessing_one_login_from_many_addresses_behind_a_trusted_proxy_is_limited_by_login() {
    let app = spawn(|s| {
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        s.sign_in_address_per_minute = 2;
        s.sign_in_login_per_minute = 3;
    })
    .await;
    // Behind the trusted proxy each forwarded address has its own address limit …
    for n in 0..3 {
        let xff = format!("198.51.100.{n}");
        let r = sign_in(&app, "admin", &format!("guess-{n}"), &[("x-forwarded-for", &xff)]).await;
        assert_eq!(r.status, 401, "{}", r.text);
    }
    // … but the login's own limit stops the fourth guess, from a fresh address.
    let r = sign_in(&app, "admin", "guess-4", &[("x-forwarded-for", "198.51.100.200")]).await;
    r.assert_problem(429);
    // And a client spoofing its address in front of the proxy gains nothing: the right-most
    // untrusted address is the one counted.
    let r = sign_in(&app, "other", "x", &[("x-forwarded-for", "10.9.9.9, 198.51.100.0")]).await;
    assert_eq!(r.status, 401);
    let r = sign_in(&app, "other2", "x", &[("x-forwarded-for", "10.9.9.8, 198.51.100.0")]).await;
    r.assert_problem(429);
}

#[tokio::test]
async fn failed_sign_ins_lock_a_login_on_every_instance_and_unknown_logins_alike() {
    let first = spawn(|s| {
        s.sign_in =
            SignInPolicy { free_failures: 2, base_lock_seconds: 60, max_lock_seconds: 600, forget_after_seconds: 3600 };
    })
    .await;
    let mut settings = test_settings(&first.database_url);
    settings.sign_in =
        SignInPolicy { free_failures: 2, base_lock_seconds: 60, max_lock_seconds: 600, forget_after_seconds: 3600 };
    let second = spawn_with(settings).await;
    let mut answers = Vec::new();
    for login in ["admin", "ghost-login"] {
        let mut statuses = Vec::new();
        for n in 0..3 {
            let app = if n % 2 == 0 { &first } else { &second };
            let r = sign_in(app, login, "wrong-password", &[]).await;
            statuses.push((r.status, r.body["type"].clone(), r.body["title"].clone()));
        }
        // Locked on the other instance, even with the right password for the real account.
        let r = sign_in(&second, login, "admin-password-123", &[]).await;
        r.assert_problem(429);
        let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        statuses.push((r.status, r.body["type"].clone(), r.body["title"].clone()));
        answers.push(statuses);
    }
    assert_eq!(answers[0], answers[1], "an unknown login must be answered exactly like a known one");
    assert_eq!(answers[0].iter().map(|a| a.0).collect::<Vec<_>>(), [401, 401, 401, 429]);
    // Every failure is audited, without the login's text.
    let filter = AuditFilter { action: Some("sign_in_failed".into()), ..AuditFilter::default() };
    let page = PageRequest { limit: 100, after: None, ..PageRequest::default() };
    let items = first.store.audit.list(&filter, page).await.unwrap().items;
    assert_eq!(items.len(), 8, "{items:?}");
    assert!(!format!("{items:?}").contains("ghost-login"));
    assert!(items.iter().any(|i| i.details["reason"] == "unknown_login" && i.resource_id.is_none()));
    assert!(items.iter().any(|i| i.details["reason"] == "wrong_secret" && i.resource_id.is_some()));
    assert!(items.iter().any(|i| i.details["reason"] == "locked"));
}

#[tokio::test]
async fn a_disabled_account_loses_its_tokens_on_every_instance_within_seconds() {
    let first = spawn(|_| {}).await;
    let second = spawn_with(test_settings(&first.database_url)).await;
    let op = user(&first, "operator.ivanova", "operator", json!({})).await;
    let signed = sign_in(&first, "operator.ivanova", "correct-horse-battery", &[]).await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    let token = signed.body["access_token"].as_str().unwrap().to_owned();
    let refresh_token = signed.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(second.get("/api/v1/auth/me", &token).await.status, 200, "the other instance caches a good standing");
    let admin =
        sign_in(&first, "admin", "admin-password-123", &[]).await.body["access_token"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/accounts/{}", id(&op));
    let r = first.send("POST", &format!("{path}/disable"), Some(&admin), None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["disabled"], true);
    assert_eq!(first.get("/api/v1/auth/me", &token).await.status, 401, "refused at once where it was disabled");
    eventually(&second, &token, 401).await;
    assert_eq!(sign_in(&second, "operator.ivanova", "correct-horse-battery", &[]).await.status, 401);
    assert_eq!(refresh(&second, &refresh_token).await.status, 401);
    // Enabled again, it signs in; what was revoked stays revoked.
    assert_eq!(first.send("POST", &format!("{path}/enable"), Some(&admin), None, &[]).await.status, 200);
    assert_eq!(sign_in(&second, "operator.ivanova", "correct-horse-battery", &[]).await.status, 200);
    assert_eq!(first.get("/api/v1/auth/me", &token).await.status, 401);
    // Deleted: no token, and gone from the list; an administrator cannot delete herself.
    let signed = sign_in(&first, "operator.ivanova", "correct-horse-battery", &[]).await;
    let token = signed.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(first.send("DELETE", &path, Some(&admin), None, &[]).await.status, 204);
    eventually(&second, &token, 401).await;
    assert_eq!(sign_in(&first, "operator.ivanova", "correct-horse-battery", &[]).await.status, 401);
    assert_eq!(first.get(&path, &admin).await.status, 404);
    let me = first.get("/api/v1/auth/me", &admin).await.body["subject"].as_str().unwrap().to_owned();
    first.send("DELETE", &format!("/api/v1/accounts/{me}"), Some(&admin), None, &[]).await.assert_problem(409);
    // Only administrators manage accounts.
    let region = first.seed_region().await;
    let municipal = first.token(Role::Municipal, Some(&region.mun_a), None);
    first.send("POST", &format!("{path}/enable"), Some(&municipal), None, &[]).await.assert_problem(403);
}

#[tokio::test]
async fn an_account_whose_person_is_deleted_or_organisation_closed_gets_no_token() {
    let app = spawn(|_| {}).await;
    let r = app.seed_region().await;
    let teacher = app
        .create_person(json!({"surname": "Цыренова", "first_name": "Дарима", "organization_id": r.school_a["id"]}))
        .await;
    user(&app, "teacher.tsyrenova", "teacher", json!({"person_id": teacher["id"]})).await;
    user(&app, "school.b", "organization", json!({"organization_id": r.school_b["id"]})).await;
    let t_teacher = sign_in(&app, "teacher.tsyrenova", "correct-horse-battery", &[]).await;
    let t_school = sign_in(&app, "school.b", "correct-horse-battery", &[]).await;
    let (t_teacher, t_school) =
        (t_teacher.body["access_token"].as_str().unwrap(), t_school.body["access_token"].as_str().unwrap());
    assert_eq!(app.get("/api/v1/auth/me", t_teacher).await.status, 200);
    assert_eq!(app.get("/api/v1/auth/me", t_school).await.status, 200);
    let del = app
        .send("DELETE", &format!("/api/v1/persons/{}", id(&teacher)), Some(&app.admin), None, &[("if-match", "\"1\"")])
        .await;
    assert_eq!(del.status, 204, "{}", del.text);
    let close = app
        .send(
            "POST",
            &format!("/api/v1/organizations/{}/close", id(&r.school_b)),
            Some(&app.admin),
            Some(&json!({"closed_on": "2026-09-01"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(close.status, 200, "{}", close.text);
    eventually(&app, t_teacher, 401).await;
    eventually(&app, t_school, 401).await;
    assert_eq!(sign_in(&app, "teacher.tsyrenova", "correct-horse-battery", &[]).await.status, 401);
    assert_eq!(sign_in(&app, "school.b", "correct-horse-battery", &[]).await.status, 401);
}

#[tokio::test]
async fn a_refresh_token_rotates_and_presenting_a_spent_one_revokes_its_whole_family() {
    let app = spawn(|_| {}).await;
    let first = sign_in(&app, "admin", "admin-password-123", &[]).await;
    assert_eq!(first.header("cache-control").as_deref(), Some("no-store"));
    let r1 = first.body["refresh_token"].as_str().unwrap().to_owned();
    let second = refresh(&app, &r1).await;
    assert_eq!(second.status, 200, "{}", second.text);
    let r2 = second.body["refresh_token"].as_str().unwrap().to_owned();
    let t2 = second.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(app.get("/api/v1/auth/me", &t2).await.status, 200);
    // A thief replays the spent token: refused, and the family dies with it.
    refresh(&app, &r1).await.assert_problem(401);
    refresh(&app, &r2).await.assert_problem(401);
    assert_eq!(app.get("/api/v1/auth/me", &t2).await.status, 401, "the family's access tokens die at once");
    // The sign-in's first access token belongs to the same session.
    assert_eq!(app.get("/api/v1/auth/me", first.body["access_token"].as_str().unwrap()).await.status, 401);
    refresh(&app, "not-a-token").await.assert_problem(401);
}

#[tokio::test]
async fn revocation_and_sign_out_end_the_session_and_nothing_else() {
    let app = spawn(|_| {}).await;
    let a = sign_in(&app, "admin", "admin-password-123", &[]).await;
    let b = sign_in(&app, "admin", "admin-password-123", &[]).await;
    let (ta, ra) = (a.body["access_token"].as_str().unwrap(), a.body["refresh_token"].as_str().unwrap());
    let tb = b.body["access_token"].as_str().unwrap();
    // RFC 7009, as a form, with the refresh token.
    let r = app
        .client
        .post(format!("{}/api/v1/auth/revoke", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={ra}&token_type_hint=refresh_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.get("/api/v1/auth/me", ta).await.status, 401);
    refresh(&app, ra).await.assert_problem(401);
    assert_eq!(app.get("/api/v1/auth/me", tb).await.status, 200, "another session is untouched");
    // Unknown tokens are answered 200 (RFC 7009 §2.2).
    assert_eq!(
        app.send("POST", "/api/v1/auth/revoke", None, Some(&json!({"token": "unknown"})), &[]).await.status,
        200
    );
    // Sign-out ends the caller's session.
    assert_eq!(app.send("POST", "/api/v1/auth/sign-out", Some(tb), None, &[]).await.status, 204);
    assert_eq!(app.get("/api/v1/auth/me", tb).await.status, 401);
    refresh(&app, b.body["refresh_token"].as_str().unwrap()).await.assert_problem(401);
}

#[tokio::test]
async fn a_password_changes_only_with_the_current_one_and_ends_every_token() {
    let app = spawn(|_| {}).await;
    let acc = user(&app, "methodist.petrova", "operator", json!({})).await;
    let t = sign_in(&app, "methodist.petrova", "correct-horse-battery", &[]).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong = app
        .post("/api/v1/auth/password", &t, &json!({"current_password": "guess", "new_password": "a-new-long-password"}))
        .await;
    wrong.assert_problem(422);
    assert_eq!(wrong.error_fields(), ["current_password"]);
    let ok = app
        .post(
            "/api/v1/auth/password",
            &t,
            &json!({"current_password": "correct-horse-battery", "new_password": "a-new-long-password"}),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert_eq!(app.get("/api/v1/auth/me", &t).await.status, 401);
    assert_eq!(sign_in(&app, "methodist.petrova", "correct-horse-battery", &[]).await.status, 401);
    let t = sign_in(&app, "methodist.petrova", "a-new-long-password", &[]).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // An administrator's reset ends her tokens too.
    let reset = app
        .post(&format!("/api/v1/accounts/{}/password", id(&acc)), &app.admin, &json!({"secret": "reset-by-the-admin"}))
        .await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(app.get("/api/v1/auth/me", &t).await.status, 401);
    assert_eq!(sign_in(&app, "methodist.petrova", "reset-by-the-admin", &[]).await.status, 200);
}

#[tokio::test]
async fn every_script_has_its_own_service_account_that_can_be_listed_revoked_and_disabled() {
    let app = spawn(|_| {}).await;
    let settings = test_settings(&app.database_url);
    let r = app.seed_region().await;
    let org = |v: &Value| v["id"].as_str().unwrap().parse().ok();
    let args = |client: &str, o: &Value| ServiceTokenArgs {
        client: Some(client.into()),
        role: Some(Role::Municipal),
        organization: org(o),
        ..ServiceTokenArgs::default()
    };
    let ta = service_token(&settings, &app.store, &args("bichura-sync", &r.mun_a)).await.unwrap();
    let tb = service_token(&settings, &app.store, &args("kabansk-sync", &r.mun_b)).await.unwrap();
    let again = service_token(
        &settings,
        &app.store,
        &ServiceTokenArgs { client: Some("bichura-sync".into()), ..Default::default() },
    )
    .await
    .unwrap();
    let (ma, mb, m2) = (
        app.get("/api/v1/auth/me", &ta).await,
        app.get("/api/v1/auth/me", &tb).await,
        app.get("/api/v1/auth/me", &again).await,
    );
    assert_ne!(ma.body["subject"], mb.body["subject"]);
    assert_eq!(ma.body["subject"], m2.body["subject"], "the name is reused, not duplicated");
    // Without --client: a service account named after the role.
    let admin_cli =
        service_token(&settings, &app.store, &ServiceTokenArgs { role: Some(Role::Admin), ..Default::default() })
            .await
            .unwrap();
    let clients = app.get("/api/v1/accounts?kind=client", &admin_cli).await;
    let logins: Vec<&str> =
        clients.body["items"].as_array().unwrap().iter().map(|a| a["login"].as_str().unwrap()).collect();
    assert_eq!(logins, ["bichura-sync", "kabansk-sync", "cli-admin"]);
    assert_eq!(clients.body["items"][0]["id"], ma.body["subject"], "the subject is the service account's id");
    // Two scripts sending the same Idempotency-Key are two callers: neither replays the other's answer.
    let etl =
        |name: &str| ServiceTokenArgs { client: Some(name.into()), role: Some(Role::Admin), ..Default::default() };
    let mut created = Vec::new();
    for (name, org) in [("etl-a", "ГАУ ДПО «Институт А»"), ("etl-b", "ГАУ ДПО «Институт Б»")]
    {
        let t = service_token(&settings, &app.store, &etl(name)).await.unwrap();
        let body = json!({"name": org, "kind": "regional_institute", "region_code": "03"});
        let r =
            app.send("POST", "/api/v1/organizations", Some(&t), Some(&body), &[("idempotency-key", "nightly-1")]).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert!(r.header("idempotent-replayed").is_none());
        created.push(r.body["name"].clone());
    }
    assert_ne!(created[0], created[1]);
    // Revoked: the token stops; a new one works.
    let sa = ma.body["subject"].as_str().unwrap();
    let revoked = app.send("POST", &format!("/api/v1/accounts/{sa}/revoke-tokens"), Some(&admin_cli), None, &[]).await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(app.get("/api/v1/auth/me", &ta).await.status, 401);
    assert_eq!(app.get("/api/v1/auth/me", &tb).await.status, 200);
    let fresh = service_token(
        &settings,
        &app.store,
        &ServiceTokenArgs { client: Some("bichura-sync".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(app.get("/api/v1/auth/me", &fresh).await.status, 200);
    // Disabled: no more tokens.
    assert_eq!(
        app.send("POST", &format!("/api/v1/accounts/{sa}/disable"), Some(&admin_cli), None, &[]).await.status,
        200
    );
    assert_eq!(app.get("/api/v1/auth/me", &fresh).await.status, 401);
    assert!(
        service_token(
            &settings,
            &app.store,
            &ServiceTokenArgs { client: Some("bichura-sync".into()), ..Default::default() }
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn a_token_whose_subject_is_no_account_is_refused() {
    let settings = test_settings(&fresh_database_url().await);
    let app = spawn_with_harness(settings, Harness { accept_unbound_tokens: false }).await;
    app.get("/api/v1/auth/me", &app.admin).await.assert_problem(401);
    let forged_account = app.token(Role::Admin, None, None);
    assert_eq!(app.get("/api/v1/organizations", &forged_account).await.status, 401);
}

#[tokio::test]
async fn the_generated_first_password_goes_to_a_file_only_its_owner_can_read() {
    let dir = std::env::temp_dir().join(format!("rsnms-admin-{}", uuid::Uuid::now_v7()));
    let file = dir.join("admin-password.txt");
    let app = spawn(|s| {
        s.admin_password = None;
        s.admin_password_file = Some(file.clone());
    })
    .await;
    let password = std::fs::read_to_string(&file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(sign_in(&app, "admin", password.trim(), &[]).await.status, 200);
    std::fs::remove_dir_all(&dir).ok();
}

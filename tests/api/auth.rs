use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use rsnms_domain::auth::Role;
use rsnms_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn the_administrator_gets_a_token_with_json_or_a_form() {
    let app = spawn_app().await;
    let r = app
        .send(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({"grant_type": "password", "username": "admin", "password": "admin-password-123"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["token_type"], "Bearer");
    let token = r.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/organizations", &token).await.status, 200);

    let form = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=password&username=admin&password=admin-password-123")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 200);
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_answers_401() {
    let app = spawn_app().await;
    for body in [
        json!({"grant_type": "password", "username": "admin", "password": "wrong"}),
        json!({"grant_type": "password", "username": "nobody", "password": "admin-password-123"}),
    ] {
        app.send("POST", "/api/v1/auth/token", None, Some(&body), &[]).await.assert_problem(401);
    }
    let r = app.send("POST", "/api/v1/auth/token", None, Some(&json!({"grant_type": "password"})), &[]).await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["username", "password"]);
}

#[tokio::test]
async fn an_api_client_gets_a_token_with_client_credentials_and_its_scope() {
    let app = spawn_app().await;
    let region = app.seed_region().await;
    let r = app
        .post(
            "/api/v1/accounts",
            &app.admin,
            &json!({"kind": "client", "login": "mun-a-script", "secret": "a-long-client-secret", "role": "municipal", "organization_id": region.mun_a["id"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.body.get("secret").is_none() && !r.text.contains("a-long-client-secret"));
    let t = app.send("POST", "/api/v1/auth/token", None, Some(&json!({"grant_type": "client_credentials", "client_id": "mun-a-script", "client_secret": "a-long-client-secret"})), &[]).await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["role"], "municipal");
    let token = t.body["access_token"].as_str().unwrap();
    let list = app.get("/api/v1/organizations", token).await;
    let names: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[tokio::test]
async fn only_administrators_create_accounts() {
    let app = spawn_app().await;
    let region = app.seed_region().await;
    let op = app.token(Role::Operator, None, None);
    let r = app
        .post(
            "/api/v1/accounts",
            &op,
            &json!({"kind": "user", "login": "x", "secret": "twelve-chars-min", "role": "admin"}),
        )
        .await;
    r.assert_problem(403);
    let r = app
        .post(
            "/api/v1/accounts",
            &app.admin,
            &json!({"kind": "user", "login": "m", "secret": "twelve-chars-min", "role": "municipal"}),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(r.error_fields(), vec!["organization_id"]);
    let _ = region;
}

fn claims(overrides: serde_json::Value) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    let mut c = json!({"sub": "x", "role": "admin", "iss": "rsnms", "aud": "rsnms-api", "exp": now + 600, "iat": now, "jti": "j"});
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

const SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123";

#[tokio::test]
async fn tokens_that_break_any_rule_are_refused() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let good = encode(&Header::new(Algorithm::HS256), &claims(json!({})), &EncodingKey::from_secret(SECRET)).unwrap();
    assert_eq!(app.get("/api/v1/organizations", &good).await.status, 200, "the control token must pass");
    let bad_claims = [
        json!({"exp": now - 3600}),
        json!({"nbf": now + 3600}),
        json!({"iat": now + 3600}),
        json!({"aud": "someone-else"}),
        json!({"iss": "someone-else"}),
        json!({"exp": null}),
        json!({"iat": null}),
        json!({"iss": null}),
        json!({"aud": null}),
        json!({"sub": null}),
        json!({"role": "root"}),
        json!({"role": "municipal"}),
    ];
    for c in bad_claims {
        let t = encode(&Header::new(Algorithm::HS256), &claims(c.clone()), &EncodingKey::from_secret(SECRET)).unwrap();
        let r = app.get("/api/v1/organizations", &t).await;
        assert_eq!(r.status, 401, "accepted a token with {c}");
    }
    let wrong_key = encode(
        &Header::new(Algorithm::HS256),
        &claims(json!({})),
        &EncodingKey::from_secret(b"another-secret-another-secret-0000"),
    )
    .unwrap();
    assert_eq!(app.get("/api/v1/organizations", &wrong_key).await.status, 401);
    let hs512 = encode(&Header::new(Algorithm::HS512), &claims(json!({})), &EncodingKey::from_secret(SECRET)).unwrap();
    assert_eq!(app.get("/api/v1/organizations", &hs512).await.status, 401);
    // alg: none — header and payload with an empty signature.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none =
        format!("{}.{}.", b64.encode(br#"{"alg":"none","typ":"JWT"}"#), b64.encode(claims(json!({})).to_string()));
    assert_eq!(app.get("/api/v1/organizations", &none).await.status, 401);
    let rs_header = format!(
        "{}.{}.{}",
        b64.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64.encode(claims(json!({})).to_string()),
        b64.encode(b"sig")
    );
    assert_eq!(app.get("/api/v1/organizations", &rs_header).await.status, 401);
    for garbage in ["", "a.b", "a.b.c.d", "....", "eyJ.eyJ.sig"] {
        assert_eq!(app.get("/api/v1/organizations", garbage).await.status, 401, "accepted {garbage:?}");
    }
}

#[tokio::test]
async fn me_describes_the_token_without_touching_the_database() {
    let app = spawn_app().await;
    let region = app.seed_region().await;
    let t = app.token(Role::Municipal, Some(&region.mun_a), None);
    let me = app.get("/api/v1/auth/me", &t).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["role"], "municipal");
    assert_eq!(me.body["organization_id"], region.mun_a["id"]);
    assert_eq!(me.body["municipality_code"], "81606000");
    app.send("GET", "/api/v1/auth/me", None, None, &[]).await.assert_problem(401);
}

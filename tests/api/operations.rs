use rsnms_tests::spawn_app;

#[tokio::test]
async fn liveness_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    assert_eq!(app.send("GET", "/health/live", None, None, &[]).await.status, 200);
    let ready = app.send("GET", "/health/ready", None, None, &[]).await;
    assert_eq!(ready.status, 200);
    app.get("/api/v1/organizations", &app.admin).await;
    let m = app.send("GET", "/metrics", None, None, &[]).await;
    assert_eq!(m.status, 200);
    assert!(
        m.text.contains("rsnms_http_requests_total{method=\"GET\",route=\"/api/v1/organizations\",status=\"200\"} 1"),
        "{}",
        m.text
    );
}

#[tokio::test]
async fn callers_past_the_rate_limit_get_429_with_retry_after() {
    let url = rsnms_tests::spawn_app().await.database_url;
    let mut settings = rsnms_tests::test_settings(&url);
    settings.rate_limit_per_minute = 3;
    let app = rsnms_tests::spawn_with(settings).await;
    for remaining in ["2", "1", "0"] {
        let r = app.get("/api/v1/organizations", &app.admin).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(r.header("ratelimit-remaining").as_deref(), Some(remaining));
    }
    let limited = app.get("/api/v1/organizations", &app.admin).await;
    limited.assert_problem(429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Another caller has its own window; probes are never limited.
    let op = app.token(rsnms_domain::auth::Role::Operator, None, None);
    assert_eq!(app.get("/api/v1/organizations", &op).await.status, 200);
    assert_eq!(app.send("GET", "/health/ready", None, None, &[]).await.status, 200);
}

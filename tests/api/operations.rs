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

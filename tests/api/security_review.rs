//! Adversarial review of the surfaces of issue 22 (stored attachments, employments, retention):
//! what an attacker holding a valid account tries, and what the server must answer.

use rsnms_domain::{
    auth::Role,
    personal_data::{self, Retention},
};
use rsnms_tests::{Reply, TestApp, download, files, id, pdf, rows, spawn_app, upload};
use serde_json::{Value, json};

use crate::{
    network_requests::{action, complete_draft},
    personal_data::{days_after, today},
};

async fn draft(app: &TestApp, token: &str, body: &Value) -> Value {
    let d = app.post("/api/v1/network-requests", token, body).await;
    assert_eq!(d.status, 201, "{}", d.text);
    d.body
}

#[tokio::test]
async fn a_file_name_carrying_a_path_control_characters_or_direction_marks_is_refused_naming_filename() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    let bad_names = [
        ("content-disposition", "attachment; filename*=UTF-8''evil%0D%0AX-Injected%3A%201.pdf"),
        ("content-disposition", "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"),
        ("content-disposition", "attachment; filename=\"..\\\\boot.ini\""),
        ("content-disposition", "attachment; filename*=UTF-8''report%E2%80%AEfdp.exe"),
        ("content-disposition", "attachment; filename*=UTF-8''a%00b.pdf"),
        ("content-disposition", "attachment; filename*=UTF-8''.."),
    ];
    for (h, v) in bad_names {
        let up = upload(&app, &sender, &files(&d), "application/pdf", &pdf(200, 0), &[(h, v)]).await;
        up.assert_problem(422);
        assert_eq!(up.error_fields(), vec!["filename"], "{v}: {}", up.text);
    }
    let by_query =
        upload(&app, &sender, &format!("{}?filename=..%2Fx.pdf", files(&d)), "application/pdf", &pdf(200, 0), &[])
            .await;
    by_query.assert_problem(422);
    assert_eq!(by_query.error_fields(), vec!["filename"]);
    let long = format!("{}?filename={}.pdf", files(&d), "я".repeat(252));
    upload(&app, &sender, &long, "application/pdf", &pdf(200, 0), &[]).await.assert_problem(422);
    // The same rule holds for attachment metadata in the request's JSON.
    let mut body = complete_draft(&r.school_a, &r.school_b);
    body["attachments"] =
        json!([{"name": "a\r\nb.pdf", "media_type": "application/pdf", "size": 10, "sha256": "0".repeat(64)}]);
    let meta = app.post("/api/v1/network-requests", &sender, &body).await;
    meta.assert_problem(422);
    assert!(meta.error_fields().iter().any(|f| f.starts_with("attachments[0].name")), "{}", meta.text);
    assert_eq!(rows(&app, "attachments").await, 0);
    assert_eq!(rows(&app, "blobs").await, 0);

    // A name with quotes, spaces and Cyrillic is kept and served as a download, never inline.
    let ok = upload(
        &app,
        &sender,
        &files(&d),
        "application/pdf",
        &pdf(200, 0),
        &[(
            "content-disposition",
            "attachment; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%22%D0%B8%D1%82%D0%BE%D0%B3%22.pdf",
        )],
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(ok.body["name"], "отчёт \"итог\".pdf");
    let (status, headers, _) = download(&app, &sender, ok.body["content_url"].as_str().unwrap(), &[]).await;
    assert_eq!(status, 200);
    let cd = headers["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert_eq!(cd.matches('"').count(), 2, "the ASCII name holds no quote of its own: {cd}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn markup_declared_as_a_document_is_refused_and_text_is_served_as_a_nosniff_download() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    let q = format!("{}?filename=x.pdf", files(&d));
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>";
    let spoofed = upload(&app, &sender, &q, "application/pdf", html, &[]).await;
    spoofed.assert_problem(422);
    assert_eq!(spoofed.error_fields(), vec!["Content-Type"]);
    upload(&app, &sender, &q, "text/html", html, &[]).await.assert_problem(415);
    upload(&app, &sender, &q, "image/svg+xml", b"<svg onload=alert(1)/>", &[]).await.assert_problem(415);
    // Markup that passes as text is served as text, as an attachment, never sniffed.
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let up = upload(&app, &sender, &format!("{}?filename=x.svg", files(&d)), "text/plain", svg, &[]).await;
    if up.status == 201 {
        let (status, headers, got) = download(&app, &sender, up.body["content_url"].as_str().unwrap(), &[]).await;
        assert_eq!((status, got.as_slice()), (200, svg.as_slice()));
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain"));
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
    } else {
        up.assert_problem(422);
    }
}

#[tokio::test]
async fn abusive_ranges_get_the_whole_file_a_clamped_part_or_416_never_an_error() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    let bytes = pdf(1000, 0);
    let up = upload(&app, &sender, &format!("{}?filename=a.pdf", files(&d)), "application/pdf", &bytes, &[]).await;
    assert_eq!(up.status, 201, "{}", up.text);
    let url = up.body["content_url"].as_str().unwrap().to_owned();
    // Several ranges, overlapping or not, reversed, malformed, other units, numbers past u64:
    // the whole file (RFC 9110 lets a server ignore Range).
    for range in [
        "bytes=0-9,5-20",
        "bytes=0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0",
        "bytes=9-3",
        "bytes=abc",
        "bytes=--5",
        "bytes=-",
        "items=0-9",
        "bytes=0-99999999999999999999999",
        "bytes=1-2-3",
    ] {
        let (status, headers, got) = download(&app, &sender, &url, &[("range", range)]).await;
        assert_eq!(status, 200, "{range}");
        assert_eq!(got, bytes, "{range}");
        assert!(headers.get("content-range").is_none(), "{range}");
    }
    // Beyond the end, or an empty suffix: 416 naming the size.
    for range in ["bytes=1000-", "bytes=18446744073709551615-", "bytes=-0", "bytes=5000-6000"] {
        let (status, headers, _) = download(&app, &sender, &url, &[("range", range)]).await;
        assert_eq!(status, 416, "{range}");
        assert_eq!(headers["content-range"], "bytes */1000", "{range}");
    }
    // A huge end or suffix is clamped to the content.
    let (status, headers, got) = download(&app, &sender, &url, &[("range", "bytes=990-18446744073709551615")]).await;
    assert_eq!((status, got.as_slice()), (206, &bytes[990..]));
    assert_eq!(headers["content-range"], "bytes 990-999/1000");
    let (status, headers, got) = download(&app, &sender, &url, &[("range", "bytes=-18446744073709551615")]).await;
    assert_eq!((status, got), (206, bytes.clone()));
    assert_eq!(headers["content-range"], "bytes 0-999/1000");
}

#[tokio::test]
async fn the_retention_of_a_request_holding_personal_data_removes_its_stored_files_too() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let mut body = complete_draft(&r.school_a, &r.school_b);
    body["contains_personal_data"] = json!(true);
    body["personal_data_basis"] = json!("п. 2 ч. 1 ст. 6 Федерального закона № 152-ФЗ");
    let flagged = draft(&app, &sender, &body).await;
    let plain = draft(&app, &sender, &complete_draft(&r.school_a, &r.school_b)).await;
    let list = pdf(3000, 0);
    let up =
        upload(&app, &sender, &format!("{}?filename=spisok.pdf", files(&flagged)), "application/pdf", &list, &[]).await;
    assert_eq!(up.status, 201, "{}", up.text);
    let url = up.body["content_url"].as_str().unwrap().to_owned();
    let other =
        upload(&app, &sender, &format!("{}?filename=plan.pdf", files(&plain)), "application/pdf", &pdf(500, 0), &[])
            .await;
    assert_eq!(other.status, 201, "{}", other.text);
    let flagged = action(&app, &sender, &flagged, "send", json!({"sent_on": today().to_string()})).await;
    assert_eq!(flagged.status, 200, "{}", flagged.text);
    let got = action(
        &app,
        &addressee,
        &flagged.body,
        "receive",
        json!({"incoming_number": "вх-7", "received_on": today().to_string()}),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let reply = upload(
        &app,
        &addressee,
        &format!("{}?part=reply&filename=otvet.txt", files(&got.body)),
        "text/plain",
        "Иванова Анна, СНИЛС 112-233-445 95".as_bytes(),
        &[],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(download(&app, &addressee, &url, &[]).await.0, 200);

    let period = Retention::default();
    let days = u64::from(period.network_requests_days);
    let done =
        personal_data::run_retention(app.store.personal_data.as_ref(), Some(days_after(days)), &period).await.unwrap();
    assert!(done.network_requests.iter().any(|x| x.to_string() == id(&flagged.body)), "{done:?}");

    for token in [&sender, &addressee, &app.admin] {
        let (status, _, bytes) = download(&app, token, &url, &[]).await;
        assert_eq!(status, 404, "the letter's file is gone");
        assert!(!bytes.windows(4).any(|w| w == b"%PDF"));
        let listed = app.get(&files(&flagged.body), token).await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        assert_eq!(listed.body["items"], json!([]), "{}", listed.text);
    }
    assert_eq!(download(&app, &addressee, reply.body["content_url"].as_str().unwrap(), &[]).await.0, 404);
    // The contents are deleted, not only unlinked; a request without personal data keeps its file.
    assert_eq!(rows(&app, "attachments").await, 1);
    assert_eq!(rows(&app, "blobs").await, 1);
    assert_eq!(download(&app, &sender, other.body["content_url"].as_str().unwrap(), &[]).await.0, 200);
}

async fn person(app: &TestApp, org: &Value, surname: &str) -> String {
    id(&app
        .create_person(
            json!({"surname": surname, "first_name": "Анна", "organization_id": org["id"], "roles": ["teacher"]}),
        )
        .await)
}

async fn put_periods(app: &TestApp, token: &str, person: &str, periods: Value) -> Reply {
    let current = app.get(&format!("/api/v1/persons/{person}"), &app.admin).await;
    assert_eq!(current.status, 200, "{}", current.text);
    app.send(
        "PUT",
        &format!("/api/v1/persons/{person}/employments"),
        Some(token),
        Some(&json!({ "periods": periods })),
        &[("if-match", &current.etag())],
    )
    .await
}

#[tokio::test]
async fn an_organisation_cannot_place_its_teacher_into_another_organisations_current_staff() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let school_a = app.token(Role::Organization, Some(&r.school_a), None);
    let mun_a = app.token(Role::Municipal, Some(&r.mun_a), None);
    let t = person(&app, &r.school_a, "Учительница").await;
    let elsewhere = |end: Option<&str>| json!([{"organization_id": r.school_b["id"], "category": "teacher", "started_on": "2020-09-01", "ended_on": end}]);
    for token in [&school_a, &mun_a] {
        for end in [None, Some("2999-12-31")] {
            let refused = put_periods(&app, token, &t, elsewhere(end)).await;
            refused.assert_problem(422);
            assert_eq!(refused.error_fields(), vec!["periods[0].organization_id"], "{}", refused.text);
        }
    }
    let english = app
        .send(
            "PUT",
            &format!("/api/v1/persons/{t}/employments"),
            Some(&school_a),
            Some(&json!({ "periods": elsewhere(None) })),
            &[
                ("if-match", &app.get(&format!("/api/v1/persons/{t}"), &app.admin).await.etag()),
                ("accept-language", "en"),
            ],
        )
        .await;
    assert!(english.text.contains("within your scope"), "{}", english.text);
    let stored = app.get(&format!("/api/v1/persons/{t}/employments"), &app.admin).await;
    assert_eq!(stored.body["periods"], json!([]), "nothing stored");

    // A past period elsewhere (she moved in) and a current one at home are hers to record.
    let history = json!([
        {"organization_id": r.school_b["id"], "category": "teacher", "started_on": "2018-09-01", "ended_on": "2020-08-31"},
        {"organization_id": r.school_a["id"], "category": "teacher", "started_on": "2020-09-01"}
    ]);
    let ok = put_periods(&app, &school_a, &t, history).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // The region's administration records a current period anywhere (a second post).
    let admin = put_periods(&app, &app.admin, &t, elsewhere(None)).await;
    assert_eq!(admin.status, 200, "{}", admin.text);
}

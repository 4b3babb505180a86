//! Stored attachments (issue 22 item 5): upload, download with ranges, content addressing,
//! limits, scope and personal data, idempotent retries.

use rsnms_domain::{attachments::Limits, auth::Role};
use rsnms_tests::{Reply, TestApp, download, files, id, pdf, rows, spawn_app, spawn_with, test_settings, upload};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::network_requests::{action, complete_draft};

fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    v.extend([0u8; 64]);
    v
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A draft from school A to school B, created by school A.
async fn draft(app: &TestApp, r: &rsnms_tests::Region, sender: &str) -> Value {
    let d = app.post("/api/v1/network-requests", sender, &complete_draft(&r.school_a, &r.school_b)).await;
    assert_eq!(d.status, 201, "{}", d.text);
    d.body
}

async fn with_limits(per_file: u64, per_parent: u64) -> TestApp {
    let url = rsnms_tests::fresh_database_url().await;
    let mut settings = test_settings(&url);
    settings.attachments = Limits { per_file, per_parent };
    spawn_with(settings).await
}

#[tokio::test]
async fn an_uploaded_letter_comes_back_byte_for_byte_with_the_checksum_the_server_computed() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &r, &sender).await;
    let bytes = pdf(5000, 1);
    let up = upload(
        &app,
        &sender,
        &files(&d),
        "application/pdf",
        &bytes,
        &[("content-disposition", "attachment; filename*=UTF-8''%D0%BF%D0%B8%D1%81%D1%8C%D0%BC%D0%BE.pdf")],
    )
    .await;
    assert_eq!(up.status, 201, "{}", up.text);
    assert_eq!(up.body["sha256"], sha256(&bytes));
    assert_eq!(up.body["size"], 5000);
    assert_eq!(up.body["name"], "письмо.pdf");
    assert_eq!(up.body["part"], "request");
    assert_eq!(up.body["media_type"], "application/pdf");
    let url = up.body["content_url"].as_str().unwrap().to_owned();
    assert_eq!(up.header("location").as_deref(), Some(url.as_str()));

    let (status, headers, got) = download(&app, &sender, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(sha256(&got), sha256(&bytes));
    assert_eq!(got, bytes);
    assert_eq!(headers["etag"].to_str().unwrap(), format!("\"{}\"", sha256(&bytes)));
    assert_eq!(headers["accept-ranges"], "bytes");
    assert_eq!(headers["content-type"], "application/pdf");
    let cd = headers["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("attachment"), "{cd}");
    assert!(cd.contains("filename*=UTF-8''%D0%BF%D0%B8%D1%81%D1%8C%D0%BC%D0%BE.pdf"), "{cd}");

    // The tag is the checksum: a client holding the file asks again for nothing.
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, body) = download(&app, &sender, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());

    let list = app.get(&files(&d), &sender).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["sha256"], sha256(&bytes));
}

#[tokio::test]
async fn a_file_whose_bytes_are_not_of_its_declared_type_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &r, &sender).await;
    let q = format!("{}?filename=scan.pdf", files(&d));
    let mismatch = upload(&app, &sender, &q, "application/pdf", &png(), &[]).await;
    mismatch.assert_problem(422);
    assert_eq!(mismatch.error_fields(), vec!["Content-Type"]);
    assert!(mismatch.text.contains("image/png"), "the problem names what the bytes are: {}", mismatch.text);
    let english = upload(&app, &sender, &q, "application/pdf", &png(), &[("accept-language", "en")]).await;
    assert!(english.text.contains("does not match the declared type application/pdf"), "{}", english.text);

    let not_allowed = upload(&app, &sender, &q, "application/x-msdownload", b"MZ\x90\x00", &[]).await;
    not_allowed.assert_problem(415);
    let nameless = upload(&app, &sender, &files(&d), "application/pdf", &pdf(100, 0), &[]).await;
    nameless.assert_problem(422);
    assert_eq!(nameless.error_fields(), vec!["filename"]);

    assert_eq!(rows(&app, "blobs").await, 0);
    assert_eq!(rows(&app, "attachments").await, 0);
    // A PNG declared as PNG is taken.
    let ok = upload(&app, &sender, &format!("{}?filename=scan.png", files(&d)), "image/png", &png(), &[]).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413_and_nothing_is_stored() {
    let app = with_limits(64 * 1024, 1024 * 1024).await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &r, &sender).await;
    let q = format!("{}?filename=big.pdf", files(&d));
    let big = pdf(64 * 1024 + 1, 2);
    // Declared by Content-Length: refused before reading.
    upload(&app, &sender, &q, "application/pdf", &big, &[]).await.assert_problem(413);
    // Streamed without a length: refused while it streams.
    let res = app.post_chunked(&q, &sender, "application/pdf", &big, 8 * 1024, &[]).await;
    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(rows(&app, "blobs").await, 0);
    assert_eq!(rows(&app, "attachments").await, 0);
    // Exactly the limit is taken.
    let fits = upload(&app, &sender, &q, "application/pdf", &pdf(64 * 1024, 2), &[]).await;
    assert_eq!(fits.status, 201, "{}", fits.text);
}

#[tokio::test]
async fn the_files_of_one_request_are_limited_in_all() {
    let app = with_limits(64 * 1024, 100 * 1024).await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &r, &sender).await;
    let q = format!("{}?filename=part.pdf", files(&d));
    let first = upload(&app, &sender, &q, "application/pdf", &pdf(60 * 1024, 3), &[]).await;
    assert_eq!(first.status, 201, "{}", first.text);
    upload(&app, &sender, &q, "application/pdf", &pdf(60 * 1024, 4), &[]).await.assert_problem(413);
    let streamed = app.post_chunked(&q, &sender, "application/pdf", &pdf(60 * 1024, 5), 4096, &[]).await;
    assert_eq!(streamed.status().as_u16(), 413);
    assert_eq!(rows(&app, "blobs").await, 1);
    assert_eq!(rows(&app, "attachments").await, 1);
    // Another request has its own budget.
    let other = draft(&app, &r, &sender).await;
    let ok = upload(
        &app,
        &sender,
        &format!("{}?filename=part.pdf", files(&other)),
        "application/pdf",
        &pdf(60 * 1024, 4),
        &[],
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.text);
}

#[tokio::test]
async fn a_foreign_organisation_gets_404_for_the_download_and_the_list() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let foreign_school = app
        .create_org(
            json!({"name": "МБОУ «Сухинская СОШ»", "kind": "educational_organization", "parent_id": r.mun_b["id"]}),
        )
        .await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let foreign = app.token(Role::Organization, Some(&foreign_school), None);
    let d = draft(&app, &r, &sender).await;
    let up =
        upload(&app, &sender, &format!("{}?filename=a.pdf", files(&d)), "application/pdf", &pdf(300, 5), &[]).await;
    assert_eq!(up.status, 201, "{}", up.text);
    let url = up.body["content_url"].as_str().unwrap().to_owned();
    // A draft is the sender's alone.
    assert_eq!(download(&app, &addressee, &url, &[]).await.0, 404);
    let sent = action(&app, &sender, &d, "send", json!({"sent_on": "2025-10-30"})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let (status, _, got) = download(&app, &addressee, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(got, pdf(300, 5));
    let (status, headers, body) = download(&app, &foreign, &url, &[]).await;
    assert_eq!(status, 404);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    assert!(!body.windows(4).any(|w| w == b"%PDF"));
    app.get(&files(&d), &foreign).await.assert_problem(404);
    // A sent letter is no longer changed: its files neither.
    let late =
        upload(&app, &sender, &format!("{}?filename=b.pdf", files(&d)), "application/pdf", &pdf(300, 6), &[]).await;
    late.assert_problem(409);
}

#[tokio::test]
async fn the_reply_files_are_attached_by_the_addressee_before_it_replies() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let addressee = app.token(Role::Organization, Some(&r.school_b), None);
    let d = draft(&app, &r, &sender).await;
    let sent = action(&app, &sender, &d, "send", json!({"sent_on": "2025-10-30"})).await;
    let got = action(
        &app,
        &addressee,
        &sent.body,
        "receive",
        json!({"incoming_number": "вх-1", "received_on": "2025-10-31"}),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let q = format!("{}?part=reply&filename=otvet.txt", files(&d));
    upload(&app, &sender, &q, "text/plain", "Ответ".as_bytes(), &[]).await.assert_problem(403);
    let up = upload(&app, &addressee, &q, "text/plain; charset=utf-8", "Сведения прилагаем.".as_bytes(), &[]).await;
    assert_eq!(up.status, 201, "{}", up.text);
    assert_eq!(up.body["part"], "reply");
    let list = app.get(&files(&d), &sender).await;
    assert_eq!(list.body["items"][0]["part"], "reply");
    let bad =
        upload(&app, &addressee, &format!("{}?part=answer&filename=a.txt", files(&d)), "text/plain", b"x", &[]).await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), vec!["part"]);
}

#[tokio::test]
async fn a_range_request_returns_exactly_those_bytes() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &r, &sender).await;
    let bytes = pdf(1000, 7);
    let up = upload(&app, &sender, &format!("{}?filename=a.pdf", files(&d)), "application/pdf", &bytes, &[]).await;
    let url = up.body["content_url"].as_str().unwrap().to_owned();

    let (status, headers, got) = download(&app, &sender, &url, &[("range", "bytes=100-199")]).await;
    assert_eq!(status, 206);
    assert_eq!(headers["content-range"], "bytes 100-199/1000");
    assert_eq!(got, bytes[100..200]);
    let (status, headers, got) = download(&app, &sender, &url, &[("range", "bytes=-10")]).await;
    assert_eq!(status, 206);
    assert_eq!(headers["content-range"], "bytes 990-999/1000");
    assert_eq!(got, bytes[990..]);
    let (status, _, got) = download(&app, &sender, &url, &[("range", "bytes=995-")]).await;
    assert_eq!(status, 206);
    assert_eq!(got, bytes[995..]);
    let (status, headers, _) = download(&app, &sender, &url, &[("range", "bytes=1000-")]).await;
    assert_eq!(status, 416);
    assert_eq!(headers["content-range"], "bytes */1000");
    // `If-Range` naming another content: the whole file.
    let (status, _, got) =
        download(&app, &sender, &url, &[("range", "bytes=0-9"), ("if-range", &format!("\"{}\"", "0".repeat(64)))])
            .await;
    assert_eq!(status, 200);
    assert_eq!(got, bytes);
}

#[tokio::test]
async fn identical_content_is_stored_once_and_deleted_with_its_last_reference() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let (one, two) = (draft(&app, &r, &sender).await, draft(&app, &r, &sender).await);
    let bytes = pdf(2000, 9);
    let a = upload(&app, &sender, &format!("{}?filename=a.pdf", files(&one)), "application/pdf", &bytes, &[]).await;
    let b = upload(&app, &sender, &format!("{}?filename=b.pdf", files(&two)), "application/pdf", &bytes, &[]).await;
    assert_eq!((a.status, b.status), (201, 201));
    assert_eq!(a.body["sha256"], b.body["sha256"]);
    assert_ne!(a.body["id"], b.body["id"]);
    assert_eq!(rows(&app, "blobs").await, 1);
    assert_eq!(rows(&app, "attachments").await, 2);

    let del = app.send("DELETE", &format!("{}/{}", files(&one), id(&a.body)), Some(&sender), None, &[]).await;
    assert_eq!(del.status, 204, "{}", del.text);
    assert_eq!(rows(&app, "blobs").await, 1, "the other request still refers to it");
    let (status, _, got) = download(&app, &sender, b.body["content_url"].as_str().unwrap(), &[]).await;
    assert_eq!((status, got), (200, bytes.clone()));
    assert_eq!(download(&app, &sender, a.body["content_url"].as_str().unwrap(), &[]).await.0, 404);

    let del = app.send("DELETE", &format!("{}/{}", files(&two), id(&b.body)), Some(&sender), None, &[]).await;
    assert_eq!(del.status, 204, "{}", del.text);
    assert_eq!(rows(&app, "blobs").await, 0, "deleted with its last reference");
    assert_eq!(rows(&app, "attachments").await, 0);
}

#[tokio::test]
async fn an_upload_retried_with_its_idempotency_key_is_stored_once() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let d = draft(&app, &r, &sender).await;
    let q = format!("{}?filename=a.pdf", files(&d));
    let bytes = pdf(3000, 11);
    let first = upload(&app, &sender, &q, "application/pdf", &bytes, &[("idempotency-key", "upload-1")]).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = upload(&app, &sender, &q, "application/pdf", &bytes, &[("idempotency-key", "upload-1")]).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(rows(&app, "attachments").await, 1);
    // The same key with other bytes is another request.
    let other = upload(&app, &sender, &q, "application/pdf", &pdf(3000, 12), &[("idempotency-key", "upload-1")]).await;
    other.assert_problem(422);
    assert_eq!(other.error_fields(), vec!["Idempotency-Key"]);
    assert_eq!(rows(&app, "attachments").await, 1);
}

#[tokio::test]
async fn files_of_a_request_holding_personal_data_are_shown_only_to_those_who_may_and_each_read_is_audited() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let sender = app.token(Role::Organization, Some(&r.school_a), None);
    let mut body = complete_draft(&r.school_a, &r.school_b);
    body["contains_personal_data"] = json!(true);
    body["personal_data_basis"] = json!("п. 2 ч. 1 ст. 6 Федерального закона № 152-ФЗ");
    let d = app.post("/api/v1/network-requests", &sender, &body).await;
    assert_eq!(d.status, 201, "{}", d.text);
    let up = upload(
        &app,
        &sender,
        &format!("{}?filename=spisok.pdf", files(&d.body)),
        "application/pdf",
        &pdf(400, 13),
        &[],
    )
    .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let url = up.body["content_url"].as_str().unwrap().to_owned();
    let audit_path =
        format!("/api/v1/audit?resource_type=network_request&resource_id={}&action=read_personal_data", id(&d.body));
    let reads = |r: Reply| r.body["items"].as_array().map_or(0, Vec::len);
    let before = reads(app.get(&audit_path, &app.admin).await);

    // The authority above sees the request, not its personal data.
    let above = app.token(Role::Municipal, Some(&r.mun_a), None);
    assert_eq!(app.get(&format!("/api/v1/network-requests/{}", id(&d.body)), &above).await.status, 200);
    assert_eq!(download(&app, &above, &url, &[]).await.0, 404);
    let list = app.get(&files(&d.body), &above).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"], json!([]));
    assert_eq!(reads(app.get(&audit_path, &app.admin).await), before);

    let (status, _, _) = download(&app, &sender, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(reads(app.get(&audit_path, &app.admin).await), before + 1, "the party's download is audited");
}

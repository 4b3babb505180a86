//! Issue 18: what an import wrote, per line — `results=lines` in the summary, streamed as
//! NDJSON with `Accept: application/x-ndjson`, kept with an asynchronous job — and the
//! offending value of every line error, masked where it is personal data.

use rsnms_tests::{TestApp, id, spawn_app};
use serde_json::{Value, json};

use crate::{
    import_jobs::{submit, until_ended},
    imports::{import, import_with, ndjson, person, snils},
};

const NDJSON: &str = "application/x-ndjson";

/// `(line, result, id)` of a summary's or a stream's line results.
fn lines_of(items: &[Value]) -> Vec<(u64, String, Option<String>)> {
    items
        .iter()
        .map(|l| {
            (l["line"].as_u64().unwrap(), l["result"].as_str().unwrap().to_owned(), l["id"].as_str().map(str::to_owned))
        })
        .collect()
}

async fn get_person(app: &TestApp, id: &str) -> Value {
    let res = app.get(&format!("/api/v1/persons/{id}"), &app.admin).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

#[tokio::test]
async fn per_line_results_name_the_ids_get_returns_for_created_updated_unchanged_and_rejected_lines() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[person(&r, 1, "Иванова"), person(&r, 2, "Петрова")]);
    let first = import(&app, "persons?id_scheme=snils&results=lines", &app.admin, NDJSON, body).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["options"]["results"], "lines");
    let created = lines_of(first.body["lines"].as_array().unwrap());
    assert_eq!(created.iter().map(|l| (l.0, l.1.as_str())).collect::<Vec<_>>(), [(1, "created"), (2, "created")]);
    assert_eq!(first.body["lines_truncated"], false);
    let ivanova = created[0].2.clone().unwrap();
    assert_eq!(get_person(&app, &ivanova).await["surname"], "Иванова");
    assert_eq!(get_person(&app, created[1].2.as_deref().unwrap()).await["surname"], "Петрова");

    // Again with one change, one repeat and one bad line: updated, unchanged, rejected.
    let mut changed = person(&r, 1, "Иванова");
    changed["position"] = json!("учитель физики");
    let mut bad = person(&r, 3, "Сидорова");
    bad["snils"] = json!("112-233-445 96");
    let body = ndjson(&[changed, person(&r, 2, "Петрова"), bad]);
    let again = import(&app, "persons?id_scheme=snils&results=lines&atomic=false", &app.admin, NDJSON, body).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let lines = lines_of(again.body["lines"].as_array().unwrap());
    assert_eq!(
        lines,
        [
            (1, "updated".to_owned(), Some(ivanova.clone())),
            (2, "unchanged".to_owned(), created[1].2.clone()),
            (3, "rejected".to_owned(), None)
        ]
    );
    assert_eq!(get_person(&app, &ivanova).await["position"], "учитель физики");

    // Without the option the summary has no lines; an unknown value is refused naming it.
    let plain = import(&app, "persons?id_scheme=snils", &app.admin, NDJSON, ndjson(&[person(&r, 1, "Иванова")])).await;
    assert!(plain.body.get("lines").is_none(), "{}", plain.text);
    let wrong = import(&app, "persons?results=all", &app.admin, NDJSON, Vec::new()).await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.text.contains("results"), "{}", wrong.text);
}

#[tokio::test]
async fn results_stream_as_ndjson_one_object_a_line_then_the_summary() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let mut bad = person(&r, 3, "Сидорова");
    bad["snils"] = json!("112-233-445 96");
    let mut records: Vec<Value> = (1..=5).map(|n| person(&r, n + 10, "Орлова")).collect();
    records.insert(2, bad);
    let res = import_with(
        &app,
        "persons?id_scheme=snils&atomic=false",
        &app.admin,
        NDJSON,
        ndjson(&records),
        &[("accept", NDJSON)],
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.header("content-type").unwrap().starts_with(NDJSON));
    let objects: Vec<Value> = res.text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), 7, "six lines, then the summary: {}", res.text);
    let (summary, lines) = objects.split_last().unwrap();
    let lines = lines_of(lines);
    assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(lines[2].1, "rejected");
    for (line, result, id) in lines.iter().filter(|l| l.0 != 3) {
        assert_eq!(result, "created", "line {line}");
        get_person(&app, id.as_deref().unwrap()).await;
    }
    assert_eq!((summary["created"].as_u64(), summary["rejected"].as_u64()), (Some(5), Some(1)), "{summary}");
    assert_eq!(summary["status"], "warning");
    assert!(summary.get("lines").is_none(), "the summary does not repeat the lines");
    assert_eq!(summary["errors"][0]["value"], "***-***-*** 96", "{summary}");

    // All-or-nothing with a rejected line: still 200 (the stream began), the summary says error.
    let mut bad = person(&r, 30, "Сидорова");
    bad["snils"] = json!("112-233-445 96");
    let res =
        import_with(&app, "persons", &app.admin, NDJSON, ndjson(&[person(&r, 31, "Ким"), bad]), &[("accept", NDJSON)])
            .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let last: Value = serde_json::from_str(res.text.lines().last().unwrap()).unwrap();
    assert_eq!((last["status"].as_str(), last["committed"].as_bool()), (Some("error"), Some(false)), "{last}");
}

#[tokio::test]
async fn every_line_error_carries_its_value_masked_where_it_is_personal_data() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let long = "Я".repeat(300);
    let csv = format!(
        "surname,first_name,organization_id,snils,roles,birth_date\n\
         Иванова,Анна,{0},112-233-445 96,teacher,1990-01-01\n\
         Петрова,Мария,{0},{1},teacher,31.02.1990\n\
         {long},Ольга,{0},{2},teacher,\n\
         Кузнецова,Ольга,not-a-uuid,{3},teacher,\n",
        id(&r.school_a),
        snils(2),
        snils(3),
        snils(4)
    );
    let res = import(&app, "persons?atomic=false", &app.admin, "text/csv", csv.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["rejected"].as_u64(), Some(4), "{}", res.text);
    let errors = res.body["errors"].as_array().unwrap();
    let value = |line: u64, field: &str| {
        errors
            .iter()
            .find(|e| e["line"] == line && e["field"] == field)
            .unwrap_or_else(|| panic!("no error on line {line} field {field}: {}", res.text))["value"]
            .clone()
    };
    assert_eq!(value(2, "snils"), "***-***-*** 96");
    assert_eq!(value(3, "birth_date"), "***");
    assert_eq!(value(4, "surname"), "***");
    assert_eq!(value(5, "organization_id"), "not-a-uuid");
    assert!(!res.text.contains("31.02.1990") && !res.text.contains(&long), "{}", res.text);
    for e in errors {
        assert!(e["code"].is_string() && e["message"].is_string() && e["field"].is_string(), "{e}");
    }

    // A person named by СНИЛС in a reference is masked too.
    let pairs = ndjson(&[
        json!({"mentor_id": snils(77), "mentee_id": snils(78), "organization_id": r.school_a["id"], "start_date": "2025-09-01"}),
    ]);
    let res = import(&app, "mentoring-pairs?person_id_scheme=snils", &app.admin, NDJSON, pairs).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let errors = res.body["summary"]["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    for e in errors.iter().filter(|e| e["field"] == "mentor_id" || e["field"] == "mentee_id") {
        assert!(e["value"].as_str().unwrap().starts_with("***"), "{e}");
    }
    assert!(!res.text.contains(&snils(77)), "{}", res.text);
}

#[tokio::test]
async fn an_async_job_keeps_its_line_results_with_its_summary() {
    let app = spawn_app().await;
    let r = app.seed_region().await;
    let body = ndjson(&[person(&r, 1, "Иванова"), person(&r, 2, "Петрова")]);
    let res = submit(&app, "persons?results=lines", &app.admin, body, &[]).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["options"]["results"], "lines");
    let job = until_ended(&app, &res.header("location").unwrap(), &app.admin).await.pop().unwrap();
    assert_eq!(job["status"], "succeeded", "{job}");
    let lines = lines_of(job["summary"]["lines"].as_array().unwrap());
    assert_eq!(lines.len(), 2, "{job}");
    for (_, result, id) in &lines {
        assert_eq!(result, "created");
        get_person(&app, id.as_deref().unwrap()).await;
    }
}

#[tokio::test]
async fn a_large_ndjson_import_with_an_idempotency_key_streams_its_results_and_a_retry_replays_the_same_answer() {
    use futures_util::StreamExt;
    let app = spawn_app().await;
    let r = app.seed_region().await;
    // More lines than two chunks of the engine (2 000 each): the first chunk's results are
    // answered while the rest of the body is still on its way.
    let total = 4_600_u32;
    let head = 4_100_u32;
    let line = |n: u32| format!("{}\n", person(&r, 100 + n, "Стримова"));
    let body: Vec<u8> = (1..=total).flat_map(|n| line(n).into_bytes()).collect();
    let split = (1..=head).map(|n| line(n).len()).sum::<usize>();
    let key = [("idempotency-key", "stream-2026-12-06"), ("accept", NDJSON)];
    let path = "persons?id_scheme=snils&atomic=false";

    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Result<Vec<u8>, std::io::Error>>();
    tx.send(Ok(body[..split].to_vec())).unwrap();
    let rx = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    let mut req = app
        .client
        .post(format!("{}/api/v1/imports/{path}", app.base))
        .bearer_auth(&app.admin)
        .header("content-type", NDJSON)
        .body(reqwest::Body::wrap_stream(rx));
    for (k, v) in key {
        req = req.header(k, v);
    }
    let res = tokio::time::timeout(std::time::Duration::from_secs(120), req.send())
        .await
        .expect("the answer begins before the body ends")
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers().get("content-length").is_none(), "a streamed answer: {:?}", res.headers());
    assert_eq!(res.headers()["transfer-encoding"], "chunked");
    let mut chunks = res.bytes_stream();
    let first = tokio::time::timeout(std::time::Duration::from_secs(120), chunks.next())
        .await
        .expect("the first results arrive while the body is still open")
        .unwrap()
        .unwrap();
    let first_line: Value = serde_json::from_slice(first.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!((first_line["line"].as_u64(), first_line["result"].as_str()), (Some(1), Some("created")));
    // Only now the rest of the body.
    tx.send(Ok(body[split..].to_vec())).unwrap();
    drop(tx);
    let mut answer = first.to_vec();
    while let Some(chunk) = chunks.next().await {
        answer.extend_from_slice(&chunk.unwrap());
    }
    let text = String::from_utf8(answer).unwrap();
    let objects: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), total as usize + 1, "every line, then the summary");
    let summary = objects.last().unwrap();
    assert_eq!((summary["created"].as_u64(), summary["status"].as_str()), (Some(u64::from(total)), Some("ok")));

    // The retry with the same key and body: the same answer, replayed, nothing created twice.
    let again = import_with(&app, path, &app.admin, NDJSON, body.clone(), &key).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert!(again.header("content-type").unwrap_or_default().starts_with(NDJSON));
    assert_eq!(again.text, text, "the replay is the first answer");
    let count = app.get("/api/v1/persons?name=Стримова&limit=1&count=exact", &app.admin).await;
    assert_eq!(count.body["count"].as_u64(), Some(u64::from(total)), "{}", count.text);
    // The same key with another body is still refused.
    let other = import_with(&app, path, &app.admin, NDJSON, body[..split].to_vec(), &key).await;
    assert_eq!(other.status, 422, "{}", other.text);
}

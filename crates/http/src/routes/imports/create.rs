use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{StatusCode, header},
    post,
    web::{self, Bytes},
};
use futures_util::{Stream, StreamExt};
use rsnms_domain::{
    Msg,
    auth::Ctx,
    exchange::{ImportJob, ImportJobRepository, ImportOptions, ImportSummary, LineResult, Unit, jobs::NewImportJob},
};
use uuid::Uuid;

use super::{
    ImportLimit,
    dto::{ImportQuery, ImportSummaryView},
};
use crate::{
    AppState,
    auth::{Auth, RequestId},
    extract::Params,
    imports::{
        self, Dataset, ImportFailure, engine,
        reader::{Format, Lines, Records},
    },
    openapi::CreateErrors,
    problem::{ApiError, ApiResult, Lang},
    routes::import_jobs::ImportJobView,
};

/// Header carrying the SHA-256 of an imported body.
const BODY_SHA256: &str = "import-body-sha256";
/// RFC 7240: which preference was honoured.
const PREFERENCE_APPLIED: &str = "preference-applied";

fn format_of(req: &HttpRequest) -> Result<(Format, &'static encoding_rs::Encoding), ApiError> {
    let unsupported = || ApiError::unsupported_media_type("application/x-ndjson, text/csv, application/json");
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).ok_or_else(unsupported)?;
    let m: mime::Mime = ct.parse().map_err(|_| unsupported())?;
    let format = match (m.type_().as_str(), m.subtype().as_str()) {
        ("application", "x-ndjson" | "ndjson" | "jsonl" | "x-jsonlines") => Format::Ndjson,
        ("text", "csv") => Format::Csv,
        ("application", "json") => Format::Json,
        _ => return Err(unsupported()),
    };
    let encoding = imports::charset(m.get_param(mime::CHARSET).as_ref().map(|c| c.as_str()))?;
    Ok((format, encoding))
}

/// The problem of an all-or-nothing import with a rejected record (the summary goes with it).
pub fn rejection(rejected: u64) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "import-rejected",
        Msg::new("Загрузка отклонена", "Import rejected"),
        Msg::new(
            format!("Записей с ошибками: {rejected}; ничего не записано (atomic=true)"),
            format!("{rejected} records failed; nothing was written (atomic=true)"),
        ),
    )
}

/// Whether the request asks to be answered before the work is done (RFC 7240 `respond-async`).
fn prefers_async(req: &HttpRequest) -> bool {
    req.headers()
        .get_all("prefer")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("respond-async"))
}

/// Bytes per stored piece of an asynchronous import's body.
const PIECE_BYTES: usize = 256 * 1024;

/// Stores a body in pieces as it streams in; returns its size.
async fn store_body<S, E>(jobs: &dyn ImportJobRepository, id: Uuid, lines: &mut Lines<S>) -> Result<u64, ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut seq = 0;
    let mut piece = Vec::with_capacity(PIECE_BYTES);
    while let Some(chunk) = lines.next_chunk().await? {
        piece.extend_from_slice(&chunk);
        if piece.len() >= PIECE_BYTES {
            jobs.append(id, seq, std::mem::replace(&mut piece, Vec::with_capacity(PIECE_BYTES))).await?;
            seq += 1;
        }
    }
    if !piece.is_empty() {
        jobs.append(id, seq, piece).await?;
    }
    Ok(lines.bytes_read())
}

/// Stores the body of an asynchronous import and queues the job; nothing is left behind when
/// the body cannot be received whole (too large, cut off).
async fn submit<S, E>(
    jobs: &dyn ImportJobRepository,
    ctx: &Ctx,
    job: NewImportJob,
    lines: &mut Lines<S>,
) -> Result<ImportJob, ApiError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let id = jobs.open(ctx, job).await?;
    match store_body(jobs, id, lines).await {
        Ok(size) => Ok(jobs.enqueue(ctx, id, size, &lines.digest()).await?),
        Err(e) => {
            if let Err(d) = jobs.discard(id).await {
                tracing::warn!(error = %d, job = %id, "an incomplete import body was not removed");
            }
            Err(e)
        }
    }
}

/// NDJSON, the media type of a streamed answer.
const NDJSON: &str = "application/x-ndjson";

/// Whether the answer is asked as NDJSON (`Accept: application/x-ndjson`): every line's result
/// as it goes, then the summary.
fn wants_ndjson(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|m| m.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case(NDJSON))
}

/// One NDJSON line of a value.
fn ndjson_line(value: &impl serde::Serialize) -> Bytes {
    let mut line = serde_json::to_vec(value).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

/// Line results in flight between the import and the streamed answer, in chunks (a few chunks
/// of at most [`engine::CHUNK`] lines: memory stays bounded whatever the body's size).
const STREAM_CHUNKS: usize = 4;

/// The observer of a streamed import: hands every chunk's line results to the answer.
struct Streamer {
    tx: tokio::sync::mpsc::Sender<Bytes>,
}

#[async_trait::async_trait]
impl engine::Observer for Streamer {
    async fn progress(&self, _: &ImportSummary) -> Result<(), ImportFailure> {
        Ok(())
    }

    async fn before_commit(&self, _: &dyn Unit, _: &ImportSummary, _: bool) -> Result<(), ImportFailure> {
        Ok(())
    }

    fn streams_lines(&self) -> bool {
        true
    }

    async fn lines(&self, results: Vec<LineResult>) -> Result<(), ImportFailure> {
        let mut out = Vec::with_capacity(results.len() * 64);
        for r in results {
            out.extend_from_slice(&ndjson_line(&super::dto::LineResultView::from(r)));
        }
        // The client went away: the run stops, rolled back.
        self.tx.send(Bytes::from(out)).await.map_err(|_| ImportFailure::Unreadable)
    }
}

/// The last NDJSON line of an import: its summary, or the problem that stopped it.
fn last_line(
    dataset: &dyn Dataset,
    opts: &ImportOptions,
    run: Result<ImportSummary, ImportFailure>,
    lang: Lang,
) -> Bytes {
    match run {
        Ok(mut summary) => {
            summary.lines.clear();
            let mut view = ImportSummaryView::new(dataset.name(), summary, opts.dry_run, lang).with_options(opts);
            view.lines = None;
            view.lines_truncated = None;
            ndjson_line(&view)
        }
        Err(e) => ndjson_line(&ApiError::from(e).problem(lang, None)),
    }
}

/// Runs an import answering NDJSON as it goes: every line's result, then the summary (200 at
/// once; a failure of the whole run is the last line, a problem object). With an
/// `Idempotency-Key` it streams all the same: the one idempotency mechanism records the answer
/// on its way (bounded) and stores it when it ends.
async fn answer_ndjson<S, E>(
    state: web::Data<AppState>,
    ctx: Ctx,
    dataset: &'static dyn Dataset,
    mut opts: ImportOptions,
    mut records: Records<S>,
    lang: Lang,
) -> ApiResult<HttpResponse>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin + 'static,
    E: 'static,
{
    opts.line_results = true;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(STREAM_CHUNKS);
    let work = async move {
        let streamer = Streamer { tx: tx.clone() };
        let run = engine::run_observed(
            state.units.as_ref(),
            dataset,
            &ctx,
            &opts,
            &mut records,
            &streamer,
            ImportSummary::default(),
        )
        .await;
        drop(streamer);
        tx.send(last_line(dataset, &opts, run, lang)).await.ok();
    };
    // The answer is the channel's chunks; the import runs as the answer is polled (and stops,
    // rolled back, when the client goes away).
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
    let run = futures_util::stream::once(work).filter_map(|()| std::future::ready(None::<Bytes>));
    let body = futures_util::stream::select(chunks, run).map(Ok::<_, std::io::Error>);
    Ok(HttpResponse::Ok().content_type(NDJSON).streaming(body))
}

/// The response to an import: the summary (200), or for an all-or-nothing import with a
/// rejected record a problem (422) carrying the same summary.
fn render(req: &HttpRequest, view: ImportSummaryView, lang: Lang) -> (StatusCode, &'static str, Vec<u8>) {
    if view.committed || view.dry_run {
        return (StatusCode::OK, "application/json", serde_json::to_vec(&view).unwrap_or_default());
    }
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let problem = rejection(view.rejected);
    let body = serde_json::json!({
        "type": format!("https://rsnms.ru/problems/{}", problem.kind),
        "title": lang.pick(&problem.title),
        "status": problem.status.as_u16(),
        "detail": lang.pick(&problem.detail),
        "request_id": request_id,
        "summary": view,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, "application/problem+json", serde_json::to_vec(&body).unwrap_or_default())
}

/// Import a dataset (загрузка данных).
///
/// Datasets: organisations, persons, programmes (ДПП), diagnostic results, methodological
/// events, mentoring pairs and internship sites (the `dataset` parameter lists their names).
/// The body streams — `application/x-ndjson` (one JSON object per line, the resource's write
/// shape plus `id` for matching) or `text/csv` (a header row naming the same fields, nested ones
/// dotted as `contacts.phone`, list cells separated by `;` — or by `,` when the delimiter is
/// `;`) or `application/json` (one array of the NDJSON objects, read element by element, an
/// element's 1-based index standing for its line); UTF-8, or Windows-1251 with `charset=windows-1251`. Every record goes through the same
/// rules, scope checks, audit and change events as the API. All-or-nothing by default (one
/// transaction; a 422 problem carrying the summary when a record fails); `atomic=false` keeps
/// the good records; `dry_run=true` writes nothing. With `Idempotency-Key` a retry replays the
/// first summary and creates nothing twice.
///
/// With `Prefer: respond-async` (RFC 7240) the body is stored in the database as it streams
/// (the same size limit) and the answer is 202 with `Location: /api/v1/imports/jobs/{id}`,
/// `Preference-Applied: respond-async` and the queued job; a worker of any instance runs it by
/// the same rules, as the submitter, and the job shows its progress, then the summary (or the
/// problem). With `Idempotency-Key` a retry answers the same 202 and never makes a second job.
#[utoipa::path(
    tag = "imports",
    params(
        ("dataset" = String, Path, description = "The dataset (the published spec lists every one)"),
        ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the first summary (or job) is replayed"),
        ("Prefer" = Option<String>, Header, description = "`respond-async`: store the body, answer 202 at once and run the import in the background")
    ),
    request_body(
        description = "NDJSON lines, CSV rows or one JSON array of records (read element by element; an element's index is its line)",
        content(
            (String = "application/x-ndjson", example = "{\"surname\":\"Иванова\",\"first_name\":\"Анна\",\"organization_id\":\"0190…\",\"snils\":\"112-233-445 95\"}"),
            (String = "text/csv", example = "surname,first_name,organization_id,snils,roles\nИванова,Анна,0190…,112-233-445 95,teacher;mentor"),
            (String = "application/json", example = "[{\"surname\":\"Иванова\",\"first_name\":\"Анна\",\"organization_id\":\"0190…\",\"snils\":\"112-233-445 95\"}]")
        )
    ),
    responses(
        (status = 200, description = "Imported (or a dry run): the summary; with `Accept: application/x-ndjson` every line's result (`LineResultView`) as it goes, then the summary (its `status` tells the outcome)",
         content(
            (ImportSummaryView = "application/json"),
            (String = "application/x-ndjson", example = "{\"line\":1,\"result\":\"created\",\"id\":\"0190…\"}\n{\"dataset\":\"persons\",\"status\":\"ok\",…}")
         )),
        (status = 202, description = "With `Prefer: respond-async`: the body is stored and the job queued", body = ImportJobView,
         headers(
            ("Location" = String, description = "`/api/v1/imports/jobs/{id}`: the job"),
            ("Preference-Applied" = String, description = "`respond-async`")
         )),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/imports/{dataset}")]
pub async fn create_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    Auth(ctx): Auth,
    dataset: web::Path<String>,
    Params(q): Params<ImportQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let dataset = imports::find(&dataset)?;
    rsnms_domain::exchange::authorize_import(&ctx, dataset.writers())?;
    let opts = imports::options(dataset, &q.raw())?;
    let (format, encoding) = format_of(&req)?;
    imports::accept_format(dataset, format)?;
    let limit = req.app_data::<ImportLimit>().map_or(super::DEFAULT_IMPORT_MAX_BYTES, |l| l.0);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(usize::try_from(limit).unwrap_or(usize::MAX)));
    }
    let lang = Lang::from_header(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let mut records = Records::for_dataset(Lines::new(payload, encoding, limit), format, dataset);

    if prefers_async(&req) {
        let job = NewImportJob {
            dataset: dataset.name().to_owned(),
            options: opts.clone(),
            format: format.as_str().to_owned(),
            charset: encoding.name().to_ascii_lowercase(),
        };
        let job = submit(state.import_jobs.as_ref(), &ctx, job, records.lines()).await?;
        let location = format!("/api/v1/imports/jobs/{}", job.id);
        let digest = job.body_sha256.clone();
        let body = serde_json::to_vec(&ImportJobView::new(job, lang)).unwrap_or_default();
        let headers = vec![
            (header::CONTENT_TYPE.to_string(), "application/json".to_owned()),
            (header::LOCATION.to_string(), location),
            (PREFERENCE_APPLIED.to_owned(), "respond-async".to_owned()),
            (BODY_SHA256.to_owned(), digest),
        ];
        let mut res = HttpResponse::Accepted();
        for h in headers {
            res.insert_header(h);
        }
        return Ok(res.body(body));
    }

    if wants_ndjson(&req) {
        return answer_ndjson(state, ctx, dataset, opts, records, lang).await;
    }
    let summary = engine::run(state.units.as_ref(), dataset, &ctx, &opts, &mut records).await?;
    let view = ImportSummaryView::new(dataset.name(), summary, opts.dry_run, lang).with_options(&opts);
    let digest = records.lines().digest();
    let (status, content_type, body) = render(&req, view, lang);
    Ok(HttpResponse::build(status).content_type(content_type).insert_header((BODY_SHA256, digest)).body(body))
}

//! `Idempotency-Key` on every POST — the one mechanism, for JSON bodies and streamed imports
//! alike: the key is claimed for (method, path, query) as a lease held while the request runs;
//! the body is hashed as it streams to the handler (never buffered here), and the first response
//! is stored with that hash and replayed for a retry with the same body. A streamed answer
//! (an NDJSON import's line results) is streamed to the client as it is made, the lease held
//! until its end, and recorded on the way with bounded memory: whole up to [`RECORD_MAX`]
//! bytes, else its last line (the summary). The same key with
//! another request is a 422, a retry while the first run is alive a 409; a retry after the first
//! run died finds its stored response, or the change it committed (303 to the resource, the
//! change is not made again), or nothing committed (the request runs, once). See
//! `docs/API-DESIGN.md` ("Idempotency").

use std::{
    cell::RefCell,
    pin::Pin,
    rc::Rc,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use actix_web::{
    Error, HttpMessage, HttpResponse,
    body::{BodySize, BoxBody, MessageBody, to_bytes},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::{Method, StatusCode, header},
    middleware::Next,
    web::{self, Bytes},
};
use futures_util::{Stream, StreamExt};
use rsnms_domain::{
    FieldError, Msg,
    idempotency::{Claim, Committed, IdempotencyStore, KeyHold, StoredResponse},
};
use sha2::{Digest, Sha256};

use crate::{auth::TokenIssuer, problem::ApiError, routes::imports::ImportLimit, routing::RouteTable};

const KEY: &str = "idempotency-key";

/// Longest `Idempotency-Key` (the published spec states it: `openapi::finalize`).
pub const KEY_MAX_LEN: usize = 255;

/// The characters of an `Idempotency-Key`: visible ASCII, as a JSON Schema pattern.
pub const KEY_PATTERN: &str = "^[!-~]+$";

/// Whether a header value is a key this API accepts: 1–[`KEY_MAX_LEN`] visible ASCII characters
/// ([`KEY_PATTERN`]).
pub fn is_valid_key(k: &str) -> bool {
    (1..=KEY_MAX_LEN).contains(&k.len()) && k.chars().all(|c| c.is_ascii_graphic())
}
const REPLAYED: &str = "idempotent-replayed";
/// Response headers stored with a response and replayed with it.
const KEPT_HEADERS: [&str; 5] = ["content-type", "location", "etag", "preference-applied", "import-body-sha256"];
/// Largest body hashed for a replay when no import limit is configured.
const DEFAULT_DRAIN_LIMIT: u64 = 1024 * 1024 * 1024;
/// Largest streamed answer stored whole for a replay; a longer one is stored as its last line
/// (an NDJSON import's summary), marked by the header [`PARTIAL`].
pub const RECORD_MAX: usize = 1024 * 1024;
/// Header of a replayed streamed answer that was longer than [`RECORD_MAX`]: `last-line`.
const PARTIAL: &str = "idempotent-replay-partial";

/// Where a test makes the server "crash" with a key held (inert unless the test-only setting
/// `RSNMS_TEST_IDEMPOTENCY_FAULT` names a key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The key is claimed, then the run dies before the handler runs.
    BeforeRun(String),
    /// The handler runs (its change commits), then the run dies before the response is stored.
    AfterRun(String),
}

impl Fault {
    /// Parses `before:<key>` or `after:<key>`.
    pub fn parse(v: &str) -> Option<Self> {
        match v.split_once(':')? {
            ("before", k) => Some(Self::BeforeRun(k.to_owned())),
            ("after", k) => Some(Self::AfterRun(k.to_owned())),
            _ => None,
        }
    }
}

/// The key store and how long a claim's lease lasts (renewed every third of it while the
/// request runs).
#[derive(Clone)]
pub struct Keys {
    /// The store.
    pub store: Arc<dyn IdempotencyStore>,
    /// The lease.
    pub lease: Duration,
    /// A fault to inject once (tests only).
    pub fault: Option<Fault>,
    /// Whether the fault was injected already.
    pub fault_fired: Arc<std::sync::atomic::AtomicBool>,
}

impl Keys {
    /// Whether to inject `fault` now (the first time only).
    fn inject(&self, fault: Fault) -> bool {
        self.fault.as_ref() == Some(&fault) && !self.fault_fired.swap(true, std::sync::atomic::Ordering::SeqCst)
    }
}

fn bad_key() -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "Idempotency-Key",
        "invalid_idempotency_key",
        Msg::new(
            "Ключ идемпотентности — от 1 до 255 видимых символов ASCII",
            "An idempotency key is 1–255 visible ASCII characters",
        ),
    )])
}

fn key_reused() -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "Idempotency-Key",
        "idempotency_key_reused",
        Msg::new("Ключ уже использован с другим запросом", "The key was already used with a different request"),
    )])
}

fn in_progress() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency-in-progress",
        Msg::new("Запрос выполняется", "Request in progress"),
        Msg::new(
            "Запрос с этим ключом ещё выполняется; повторите позже",
            "A request with this key is still running; retry later",
        ),
    )
    .with_header(header::RETRY_AFTER, "1")
}

fn crashed() -> ApiError {
    ApiError::from(rsnms_domain::DomainError::Unavailable("injected idempotency fault".into()))
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut b = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
    for (n, v) in stored.headers {
        b.insert_header((n, v));
    }
    b.insert_header((REPLAYED, "true"));
    b.body(stored.body)
}

/// The item path of a changed resource, when the API has one: `/api/v1/<type>s/{id}`, or for a
/// resource nested under another `/api/v1/<parent>s/<type>s/{id}` (`import_job` →
/// `/api/v1/imports/jobs/{id}`).
fn item_path(routes: Option<&RouteTable>, done: &Committed) -> Option<String> {
    let (routes, kind, id) = (routes?, done.resource_type.as_deref()?, done.resource_id?);
    let plural = |k: &str| [format!("{k}s"), k.strip_suffix('y').map(|k| format!("{k}ies")).unwrap_or_default()];
    let flat = plural(&kind.replace('_', "-"));
    let nested =
        kind.split_once('_').map(|(parent, child)| plural(child).map(|c| format!("{parent}s/{c}"))).unwrap_or_default();
    flat.into_iter()
        .chain(nested)
        .filter(|p| !p.is_empty())
        .map(|p| format!("/api/v1/{p}/{id}"))
        .find(|path| routes.allowed(path).is_some_and(|m| m.iter().any(|m| m == "GET")))
}

/// The answer to a retry whose first run committed but never stored its response: 303 See
/// Other to the resource it changed, naming it in the body too.
fn done(routes: Option<&RouteTable>, committed: Committed) -> HttpResponse {
    let location = item_path(routes, &committed);
    let body = serde_json::json!({
        "type": "https://rsnms.ru/problems/idempotency-response-lost",
        "title": "Request already carried out",
        "status": 303,
        "detail": "The first request with this key committed its change, but its response was lost; it is not carried out again",
        "resource_type": committed.resource_type,
        "resource_id": committed.resource_id,
    });
    let mut b = HttpResponse::SeeOther();
    if let Some(l) = location {
        b.insert_header((header::LOCATION, l));
    }
    b.insert_header((REPLAYED, "true")).json(body)
}

/// The request body as it streams to the handler, hashed on the way.
struct Tap {
    source: Payload,
    hasher: Sha256,
    read: u64,
    ended: bool,
}

#[derive(Clone)]
struct Tapped(Rc<RefCell<Tap>>);

impl Stream for Tapped {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut tap = self.0.borrow_mut();
        match tap.source.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                tap.hasher.update(&chunk);
                tap.read += chunk.len() as u64;
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) => {
                tap.ended = true;
                Poll::Ready(None)
            }
            other => other,
        }
    }
}

impl Tapped {
    fn new(source: Payload) -> Self {
        Self(Rc::new(RefCell::new(Tap { source, hasher: Sha256::new(), read: 0, ended: false })))
    }

    fn ended(&self) -> bool {
        self.0.borrow().ended
    }

    /// Reads what the handler left of the body (up to `limit` bytes in all); the body's SHA-256
    /// when it was read whole.
    async fn finish(mut self, limit: u64) -> Option<String> {
        while !self.0.borrow().ended {
            match self.next().await {
                Some(Ok(_)) if self.0.borrow().read <= limit => {}
                Some(_) => return None,
                None => break,
            }
        }
        Some(hex::encode(self.0.borrow().hasher.clone().finalize()))
    }
}

/// Renews a lease every third of it until dropped.
struct Renewal(actix_web::rt::task::JoinHandle<()>);

impl Renewal {
    fn start(keys: &Keys, hold: KeyHold) -> Self {
        let (store, lease) = (keys.store.clone(), keys.lease);
        Self(actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(lease / 3).await;
                match store.renew(&hold, lease).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!(error = %e, "idempotency lease not renewed"),
                }
            }
        }))
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn release(keys: &Keys, hold: &KeyHold) {
    // When the database is away the key stays held: its lease ends it.
    if let Err(e) = keys.store.release(hold).await {
        tracing::warn!(error = %e, "idempotency key not released; it frees itself when its lease ends");
    }
}

/// The headers of a response kept with it for a replay.
fn kept_headers(headers: &header::HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|n| headers.get(*n).and_then(|v| v.to_str().ok()).map(|v| ((*n).to_owned(), v.to_owned())))
        .collect()
}

/// A streamed answer being recorded as it goes to the client: whole while it is at most
/// [`RECORD_MAX`] bytes, and always its last line. Holds the key's lease until the answer ends;
/// an answer that never ends (the client went away, the stream failed) frees the key (a run
/// that committed keeps it: a retry learns what it did).
struct Recording {
    keys: Keys,
    hold: Option<KeyHold>,
    request: Tapped,
    limit: u64,
    status: u16,
    headers: Vec<(String, String)>,
    whole: Option<Vec<u8>>,
    tail: Vec<u8>,
    tail_lost: bool,
    _renewal: Renewal,
}

impl Recording {
    fn record(&mut self, chunk: &[u8]) {
        if let Some(w) = &mut self.whole {
            if w.len() + chunk.len() <= RECORD_MAX {
                w.extend_from_slice(chunk);
            } else {
                self.whole = None;
            }
        }
        if self.tail_lost {
            return;
        }
        self.tail.extend_from_slice(chunk);
        let end = self.tail.len() - usize::from(self.tail.last() == Some(&b'\n'));
        if let Some(pos) = self.tail[..end].iter().rposition(|b| *b == b'\n') {
            self.tail.drain(..=pos);
        }
        if self.tail.len() > RECORD_MAX {
            // A last line longer than the bound is not kept: nothing to replay.
            self.tail = Vec::new();
            self.tail_lost = true;
        }
    }

    /// The answer ended: stores it for a replay (or frees the key when it cannot be replayed).
    async fn finish(mut self) {
        let Some(hold) = self.hold.take() else { return };
        let request_sha256 = self.request.clone().finish(self.limit).await;
        let mut headers = std::mem::take(&mut self.headers);
        let body = match self.whole.take() {
            Some(whole) => Some(whole),
            None if !self.tail_lost => {
                headers.push((PARTIAL.to_owned(), "last-line".to_owned()));
                Some(std::mem::take(&mut self.tail))
            }
            None => None,
        };
        match (request_sha256, body) {
            (Some(request_sha256), Some(body)) => {
                let stored = StoredResponse { status: self.status, headers, body, request_sha256 };
                if let Err(e) = self.keys.store.complete(&hold, &stored).await {
                    tracing::warn!(error = %e, "idempotent response not stored");
                }
            }
            _ => release(&self.keys, &hold).await,
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        if let Some(hold) = self.hold.take() {
            let keys = self.keys.clone();
            actix_web::rt::spawn(async move { release(&keys, &hold).await });
        }
    }
}

/// The body of a streamed answer, handed on chunk by chunk and recorded on the way.
fn recorded(body: BoxBody, recording: Recording) -> BoxBody {
    let chunks = futures_util::stream::unfold((body, Some(recording)), |(mut body, recording)| async move {
        let mut recording = recording?;
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await {
            Some(Ok(chunk)) => {
                recording.record(&chunk);
                Some((Ok(chunk), (body, Some(recording))))
            }
            // The answer failed: dropping the recording frees the key.
            Some(Err(e)) => Some((Err(e), (body, None))),
            None => {
                recording.finish().await;
                None
            }
        }
    });
    BoxBody::new(actix_web::body::BodyStream::new(chunks))
}

/// The subject of a valid bearer token (an identity provider's, as the rate limiter verified it).
fn subject(req: &ServiceRequest) -> Option<String> {
    if let Some(v) = req.extensions().get::<crate::auth::Verified>() {
        return Some(v.actor.subject.clone());
    }
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_owned()))?;
    req.app_data::<web::Data<TokenIssuer>>().and_then(|i| i.verify(&token).ok()).map(|a| a.subject)
}

/// The idempotency middleware.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Most requests carry no key: they pass before anything is looked up or cloned.
    let key = match req.headers().get(KEY) {
        Some(v) if req.method() == Method::POST => v.to_str().map(str::to_owned),
        _ => return next.call(req).await.map(ServiceResponse::map_into_boxed_body),
    };
    let keys = req.app_data::<web::Data<Keys>>().cloned();
    // The subject owns the key; an unauthenticated request goes on and is answered 401 (or runs
    // without the key on a public route) before any check of the key.
    let (Some(keys), Some(subject)) = (keys, subject(&req)) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key {
        Ok(k) if is_valid_key(&k) => k,
        _ => return Ok(req.error_response(bad_key())),
    };
    let mut h = Sha256::new();
    for part in [req.method().as_str(), req.path(), req.query_string()] {
        h.update(part);
        h.update([0]);
    }
    let fingerprint = hex::encode(h.finalize());
    let claim = match keys.store.claim(&subject, &key, &fingerprint, keys.lease).await {
        Ok(c) => c,
        Err(e) => return Ok(req.error_response(ApiError::from(e))),
    };
    let limit = req.app_data::<ImportLimit>().map_or(DEFAULT_DRAIN_LIMIT, |l| l.0);
    let body = Tapped::new(req.take_payload());
    req.set_payload(Payload::from(Box::pin(body.clone()) as Pin<Box<dyn Stream<Item = _>>>));
    let hold = match claim {
        Claim::Mismatch => return Ok(req.error_response(key_reused())),
        Claim::InProgress => return Ok(req.error_response(in_progress())),
        Claim::Done(committed) => {
            let routes = req.app_data::<web::Data<RouteTable>>().cloned();
            return Ok(req.into_response(done(routes.as_ref().map(|r| r.get_ref()), committed)));
        }
        Claim::Replay(stored) => {
            let sha = body.finish(limit).await;
            let same = stored.request_sha256.is_empty() || sha.as_deref() == Some(stored.request_sha256.as_str());
            return Ok(if same { req.into_response(replay(stored)) } else { req.error_response(key_reused()) });
        }
        Claim::Acquired(hold) => hold,
    };
    if keys.inject(Fault::BeforeRun(key.clone())) {
        return Ok(req.error_response(crashed()));
    }
    req.extensions_mut().insert(hold.clone());
    let renewal = Renewal::start(&keys, hold.clone());
    let res = next.call(req).await;
    let res = match res {
        Ok(r) => r.map_into_boxed_body(),
        Err(e) => {
            release(&keys, &hold).await;
            return Err(e);
        }
    };
    if keys.inject(Fault::AfterRun(key)) {
        return Ok(res.error_response(crashed()));
    }
    let status = res.status();
    if status.is_server_error() || status == StatusCode::UNAUTHORIZED {
        drop(renewal);
        release(&keys, &hold).await;
        return Ok(res);
    }
    if status.is_client_error() && !body.ended() {
        // Refused before the body was read (a wrong media type, a role): nothing changed, and
        // a body of up to a gigabyte is not read only to be hashed.
        drop(renewal);
        release(&keys, &hold).await;
        return Ok(res);
    }
    if matches!(res.response().body().size(), BodySize::Stream) {
        // A streamed answer (the request's work goes on while it streams): handed on as it
        // comes, recorded on the way, stored at its end.
        let (http_req, response) = res.into_parts();
        let (head, out) = response.into_parts();
        let recording = Recording {
            keys: Keys::clone(&keys),
            hold: Some(hold),
            request: body,
            limit,
            status: status.as_u16(),
            headers: kept_headers(head.headers()),
            whole: Some(Vec::new()),
            tail: Vec::new(),
            tail_lost: false,
            _renewal: renewal,
        };
        return Ok(ServiceResponse::new(http_req, head.set_body(recorded(out, recording))));
    }
    drop(renewal);
    let Some(request_sha256) = body.finish(limit).await else {
        // The body was not read whole: nothing to compare a retry with.
        release(&keys, &hold).await;
        return Ok(res);
    };
    let (http_req, response) = res.into_parts();
    let (head, out) = response.into_parts();
    let bytes = to_bytes(out).await.unwrap_or_default();
    let headers = kept_headers(head.headers());
    let stored = StoredResponse { status: status.as_u16(), headers, body: bytes.to_vec(), request_sha256 };
    if let Err(e) = keys.store.complete(&hold, &stored).await {
        tracing::warn!(error = %e, "idempotent response not stored");
    }
    let rebuilt = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, rebuilt))
}

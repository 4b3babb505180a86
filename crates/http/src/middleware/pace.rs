//! Slow clients: a minimum rate for request bodies. A client that sends its body slowly — a
//! byte every few seconds — would hold a connection (and, for an import, a transaction) open for
//! as long as it likes. The rule is Kestrel's: after a grace period, the body must keep arriving
//! at `min_rate` bytes per second on average. Only the time the server *waits for the client*
//! counts — the time between asking for the next piece and receiving it — so a handler that
//! stops reading while it writes (the importer does, chunk by chunk) is never blamed for its own
//! pauses. The heads of requests have their own limit, actix's `client_request_timeout`
//! ([`Pace::head_timeout`], set by the server).
//!
//! A body cut off so is answered 408 (problem+json, `Connection: close`), whatever the handler
//! made of the read error (400, an import's summary): the middleware knows the cause.

use std::{
    cell::Cell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use actix_web::{
    Error, HttpMessage,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::StatusCode,
    middleware::Next,
    web::{self, Bytes},
};
use futures_util::Stream;
use rsnms_domain::Msg;

use crate::problem::ApiError;

/// Limits on how slowly a client may send a request.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// `RSNMS_REQUEST_HEAD_TIMEOUT_MS`: the whole request head must arrive within this time
    /// (default 5 s; actix answers 408 and closes).
    pub head_timeout: Duration,
    /// `RSNMS_BODY_MIN_BYTES_PER_SECOND`: the least average rate of a body once the grace period
    /// is over (default 1024; 0 turns the check off).
    pub body_min_rate: u64,
    /// `RSNMS_BODY_GRACE_MS`: waiting time a body is allowed before the rate counts (default 10 s).
    pub body_grace: Duration,
}

impl Default for Pace {
    fn default() -> Self {
        Self { head_timeout: Duration::from_secs(5), body_min_rate: 1024, body_grace: Duration::from_secs(10) }
    }
}

/// A body stream that fails when the client falls under the minimum rate.
struct Paced {
    inner: Payload,
    pace: Pace,
    received: u64,
    waited: Duration,
    waiting_since: Option<Instant>,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    cut: Rc<Cell<bool>>,
}

impl Paced {
    /// Waiting time allowed so far: the grace plus the time the bytes received were worth.
    fn allowed(&self) -> Duration {
        self.pace.body_grace + Duration::from_secs_f64(self.received as f64 / self.pace.body_min_rate as f64)
    }
}

impl Stream for Paced {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.cut.get() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(item) => {
                if let Some(since) = this.waiting_since.take() {
                    this.waited += since.elapsed();
                }
                this.timer = None;
                if let Some(Ok(bytes)) = &item {
                    this.received += bytes.len() as u64;
                }
                Poll::Ready(item)
            }
            Poll::Pending => {
                let since = *this.waiting_since.get_or_insert_with(Instant::now);
                if this.timer.is_none() {
                    let left = this.allowed().saturating_sub(this.waited);
                    this.timer = Some(Box::pin(tokio::time::sleep_until((since + left).into())));
                }
                match this.timer.as_mut().map(|t| t.as_mut().poll(cx)) {
                    Some(Poll::Ready(())) => {
                        this.cut.set(true);
                        this.timer = None;
                        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the request body arrives too slowly",
                        )))))
                    }
                    _ => Poll::Pending,
                }
            }
        }
    }
}

fn too_slow() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request-timeout",
        Msg::new("Слишком медленный запрос", "Request too slow"),
        Msg::new(
            "Тело запроса поступает слишком медленно; соединение закрыто",
            "The request body arrived too slowly; the connection is closed",
        ),
    )
}

/// Wraps every request body in the minimum-rate check (the limits come from `web::Data<Pace>`).
pub async fn pace(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limits) = req.app_data::<web::Data<Pace>>().map(|p| *p.get_ref()).filter(|p| p.body_min_rate > 0) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let cut = Rc::new(Cell::new(false));
    let inner = req.take_payload();
    if !matches!(inner, Payload::None) {
        let paced = Paced {
            inner,
            pace: limits,
            received: 0,
            waited: Duration::ZERO,
            waiting_since: None,
            timer: None,
            cut: cut.clone(),
        };
        req.set_payload(Payload::from(Box::pin(paced) as actix_http::BoxedPayloadStream));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    if !cut.get() {
        return Ok(res);
    }
    let mut res = res.error_response(too_slow());
    res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    Ok(res)
}

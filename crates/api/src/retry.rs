//! Sending a request again, once, when the database connection was lost under it (a
//! failover, a restart of PostgreSQL, a connection ended by the database): the one
//! place where this is decided, wrapped around the whole application.
//!
//! Only requests that change nothing when sent twice are sent again: reads (`GET`,
//! `HEAD`, `OPTIONS`) and the API's idempotent writes, `PUT` (a booking, attendance, the
//! calendar: the same state however often it is set) and `DELETE` (a closure removed by
//! the lost attempt answers 404 the second time). A `POST` is never sent again, as the
//! lost connection may have committed it: it answers 503 with `Retry-After` and the
//! client decides. A request is sent again only when its answer was the 503 of an
//! interrupted statement ([`Interrupted`], set by [`crate::error::ApiError::Unavailable`]),
//! never for a saturated or read-only database, and after a short pause in which the
//! pool replaces its broken connections. The request sent again keeps its
//! [`Arrival`], so its deadlines are judged as the first attempt's were.

use std::rc::Rc;
use std::time::Duration;

use actix_http::Request;
use actix_service::{IntoServiceFactory, Service, ServiceFactory};
use actix_web::dev::{AppConfig, Payload, RequestHead, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, Method};
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpMessage;
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;

use crate::startup::Arrival;

/// Marks the answer to a request whose database statement was interrupted by a lost
/// connection: the same request, sent again, runs on a new connection.
pub struct Interrupted;

/// How long the server waits before sending a request again: time for the pool to open
/// new connections (a PostgreSQL failover is usually over within it).
const PAUSE: Duration = Duration::from_millis(250);

/// Largest body kept to send a request again; longer ones are not sent again. Above the
/// JSON limit of every request of the API.
const MAX_BODY: u64 = 256 * 1024;

/// The application (`App`), with requests sent again as the module says.
pub struct Retrying<F>(F);

impl<F> Retrying<F> {
    pub fn new(app: impl IntoServiceFactory<F, Request>) -> Retrying<F>
    where
        F: ServiceFactory<Request>,
    {
        Retrying(app.into_factory())
    }
}

impl<F, B> ServiceFactory<Request> for Retrying<F>
where
    F: ServiceFactory<
        Request,
        Config = AppConfig,
        Response = ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    F::Service: 'static,
    F::Future: 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Config = AppConfig;
    type Service = RetryingService<F::Service>;
    type InitError = F::InitError;
    type Future = LocalBoxFuture<'static, Result<Self::Service, Self::InitError>>;

    fn new_service(&self, config: AppConfig) -> Self::Future {
        let app = self.0.new_service(config);
        Box::pin(async move { Ok(RetryingService(Rc::new(app.await?))) })
    }
}

pub struct RetryingService<S>(Rc<S>);

impl<S, B> Service<Request> for RetryingService<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse<B>, actix_web::Error>>;

    fn poll_ready(
        &self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&self, mut request: Request) -> Self::Future {
        let app = Rc::clone(&self.0);
        Box::pin(async move {
            if !idempotent(request.head()) {
                return app.call(request).await;
            }
            let body = match read(request.take_payload()).await {
                Ok(body) => body,
                Err(err) => {
                    // The application answers the broken body as it would have.
                    *request.payload() = Payload::Stream {
                        payload: Box::pin(futures_util::stream::once(async { Err(err) })),
                    };
                    return app.call(request).await;
                }
            };
            let head = request.head().clone();
            *request.payload() = Payload::from(body.clone());
            let answer = app.call(request).await?;
            if !answer.response().extensions().contains::<Interrupted>() {
                return Ok(answer);
            }
            let arrival = answer.request().extensions().get::<Arrival>().copied();
            drop(answer);
            actix_web::rt::time::sleep(PAUSE).await;
            let mut again = Request::with_payload(Payload::from(body));
            *again.head_mut() = head;
            if let Some(arrival) = arrival {
                again.extensions_mut().insert(arrival);
            }
            let answer = app.call(again).await?;
            crate::operations::metrics::request_sent_again(answer.status().as_u16());
            tracing::info!(
                method = %answer.request().method(),
                status = answer.status().as_u16(),
                "request sent again after a lost database connection"
            );
            Ok(answer)
        })
    }
}

/// Whether sending the request twice changes nothing more than sending it once, and its
/// body is short enough to keep.
fn idempotent(head: &RequestHead) -> bool {
    let method = [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::PUT,
        Method::DELETE,
    ]
    .contains(&head.method);
    let length = head.headers.get(header::CONTENT_LENGTH);
    let kept = match length.and_then(|v| v.to_str().ok()?.parse::<u64>().ok()) {
        Some(length) => length <= MAX_BODY,
        // No length: no body, unless it comes in chunks of unknown total.
        None => length.is_none() && !head.headers.contains_key(header::TRANSFER_ENCODING),
    };
    method && kept
}

async fn read(mut payload: Payload) -> Result<Bytes, PayloadError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        body.extend_from_slice(&chunk?);
    }
    Ok(body.freeze())
}

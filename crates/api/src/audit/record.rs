//! Recording every change the comune's staff make, around the whole `/api/v1` scope, so
//! that no endpoint can forget it: after the handler, a request that is not a read
//! (`POST`, `PUT`, `PATCH`, `DELETE`), made by a logged-in user whose role
//! `model::audit::recorded` names, and answered with success (2xx: a refused request
//! changed nothing), becomes one row of `audit_events`: who (id, name and role then),
//! when (the server clock), what (the operationId, the route and its ids), the family
//! it concerns, the JSON body as sent ("after", secrets omitted by `model::audit::redact`;
//! a file body is recorded as `(file)` with the query's details) and, when the handler
//! attached it through a [`Trail`], the record as it was before.
//!
//! The row is written right after the handler's own transaction, not inside it: a
//! failure to write it is logged and the user still gets the answer of the change made.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::LazyLock;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde::Serialize;
use serde_json::{Map, Value};
use sportello_model::{audit, paths};

use super::entity::audit_event;
use crate::auth::Principal;
use crate::startup::AppState;

/// The largest JSON body kept for the log (the API's JSON limit is below it).
const MAX_BODY: u64 = 256 * 1024;

/// What a handler adds to its request's row: the record as it was before the change,
/// and the family the change concerns when the route does not say it. Ask for it as an
/// argument (`trail: Trail`) and call [`Trail::before`] with the record read before
/// changing it: one line.
#[derive(Clone, Default)]
pub struct Trail(Rc<RefCell<Attached>>);

#[derive(Default)]
struct Attached {
    before: Option<Value>,
    family: Option<i64>,
}

impl Trail {
    /// The record (any serialisable value: a DTO, a form) as it was before the change.
    pub fn before(&self, record: &impl Serialize) {
        self.0.borrow_mut().before = serde_json::to_value(record).ok().map(audit::redact);
    }

    /// The family (its guardian's user id) the change concerns.
    pub fn family(&self, guardian_id: i64) {
        self.0.borrow_mut().family = Some(guardian_id);
    }
}

impl FromRequest for Trail {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Trail, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trail = req.extensions().get::<Trail>().cloned();
        std::future::ready(Ok(trail.unwrap_or_else(|| {
            let trail = Trail::default();
            req.extensions_mut().insert(trail.clone());
            trail
        })))
    }
}

/// The body as the log keeps it.
enum Sent {
    Nothing,
    Json(Bytes),
    /// JSON too long or of unknown length to keep.
    NotKept,
    /// A file (any body that is not JSON).
    File,
}

/// The middleware: see the module.
pub async fn record(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let sent = if [Method::GET, Method::HEAD, Method::OPTIONS].contains(req.method()) {
        None
    } else {
        Some(keep_body(&mut req).await)
    };
    let res = next.call(req).await?;
    if let Some(sent) = sent {
        if res.status().is_success() {
            write(res.request(), res.status().as_u16(), sent).await;
        }
    }
    Ok(res)
}

/// Reads a JSON body to keep it, and gives it back to the handler as it came.
async fn keep_body(req: &mut ServiceRequest) -> Sent {
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    match length {
        None if !req.headers().contains_key(header::TRANSFER_ENCODING) => return Sent::Nothing,
        Some(0) => return Sent::Nothing,
        _ if !json => return Sent::File,
        Some(length) if length <= MAX_BODY => {}
        _ => return Sent::NotKept,
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        match chunk {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(err) => {
                // The handler answers the broken body as it would have.
                req.set_payload(Payload::Stream {
                    payload: Box::pin(futures_util::stream::once(async { Err(err) })),
                });
                return Sent::NotKept;
            }
        }
    }
    let body = body.freeze();
    req.set_payload(Payload::from(body.clone()));
    Sent::Json(body)
}

/// The operationId of every route of the document, by method and path.
static OPERATIONS: LazyLock<HashMap<(String, String), String>> = LazyLock::new(|| {
    let document = serde_json::to_value(crate::openapi::document()).unwrap_or_default();
    let mut operations = HashMap::new();
    for (path, items) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in items.as_object().into_iter().flatten() {
            if let Some(id) = operation["operationId"].as_str() {
                operations.insert((method.to_uppercase(), path.clone()), id.to_owned());
            }
        }
    }
    operations
});

/// "After": the JSON body, or the query's details with a file body.
fn after(req: &HttpRequest, sent: Sent) -> Option<Value> {
    let query: Map<String, Value> =
        web::Query::<BTreeMap<String, String>>::from_query(req.query_string())
            .map(|q| {
                q.into_inner()
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect()
            })
            .unwrap_or_default();
    let value = match sent {
        Sent::Json(body) => serde_json::from_slice(&body).ok()?,
        Sent::NotKept => Value::String(audit::TOO_LARGE.into()),
        Sent::File => {
            let mut details = query;
            details.insert("file".into(), Value::String(audit::FILE.into()));
            Value::Object(details)
        }
        Sent::Nothing if query.is_empty() => return None,
        Sent::Nothing => Value::Object(query),
    };
    Some(audit::redact(value))
}

async fn write(req: &HttpRequest, status: u16, sent: Sent) {
    let Some(principal) = req.extensions().get::<Principal>().cloned() else {
        return;
    };
    if !audit::recorded(principal.role) {
        return;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return;
    };
    let pattern = req.match_pattern().unwrap_or_else(|| req.path().to_owned());
    let route = pattern
        .strip_prefix(paths::BASE)
        .unwrap_or(&pattern)
        .to_owned();
    let method = req.method().as_str().to_owned();
    let operation = OPERATIONS
        .get(&(method.clone(), route.clone()))
        .cloned()
        .unwrap_or_else(|| format!("{method} {route}"));
    let target: BTreeMap<&str, &str> = req.match_info().iter().collect();
    let (before, attached_family) = req
        .extensions()
        .get::<Trail>()
        .map(|trail| {
            let attached = trail.0.borrow();
            (attached.before.clone(), attached.family)
        })
        .unwrap_or_default();
    let family = attached_family.or_else(|| family_of_route(&route, &target));
    let row = audit_event::ActiveModel {
        ente_id: Set(principal.ente_id),
        at: Set(state.now()),
        actor_id: Set(principal.user_id),
        actor_name: Set(principal.name.clone()),
        actor_role: Set(principal.role),
        operation: Set(operation),
        method: Set(method),
        route: Set(route),
        target: Set(serde_json::to_string(&target).unwrap_or_default()),
        family_id: Set(family),
        before: Set(before.map(|v| v.to_string())),
        after: Set(after(req, sent).map(|v| v.to_string())),
        status: Set(i32::from(status)),
        ..Default::default()
    };
    if let Err(err) = row.insert(&state.db).await {
        tracing::error!(
            error = %err,
            user = principal.user_id,
            route = %req.path(),
            "the Registro attività could not record a change that was made"
        );
    }
}

/// The family a route names: its `{guardian_id}`, or the `{id}` of a family's page.
fn family_of_route(route: &str, target: &BTreeMap<&str, &str>) -> Option<i64> {
    let id = target.get("guardian_id").or_else(|| {
        route
            .starts_with("/families/{id}")
            .then(|| target.get("id"))
            .flatten()
    })?;
    id.parse().ok()
}

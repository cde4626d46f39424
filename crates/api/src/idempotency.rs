//! `Idempotency-Key` on every POST of a logged-in caller (person or API client), around
//! the whole `/api/v1` scope, so that no endpoint can forget it: the first request with
//! a key claims the key (a unique row per user and key) and its answer is kept; the same
//! request sent again with the same key within [`KEEP_HOURS`] gets that answer again
//! (`Idempotent-Replayed: true`) without running twice; the same key with another
//! request (method, address or body) is 422; while the first is still on its way, 409.
//!
//! Only answers about the request itself are kept (a success, or a refusal of its
//! content: 400, 404, 413, 415); after any other (no login, no permission, a conflict,
//! too many requests, our failure) the key is released, so the retry runs.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use futures_util::StreamExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::startup::AppState;

/// Longest key accepted.
pub const IDEMPOTENCY_KEY_MAX_CHARS: usize = 255;
/// Hours a key and its answer are kept.
pub const KEEP_HOURS: i64 = 24;
/// Largest body a keyed request may have (the uploads' limit is below it).
const MAX_BODY: usize = 32 * 1024 * 1024;
const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";

pub mod idempotency_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub key: String,
        /// SHA-256 of the method, the address and the body.
        pub request_hash: String,
        /// The answer kept; none while the first request is on its way.
        pub status: Option<i32>,
        pub content_type: Option<String>,
        pub body: Option<Vec<u8>>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    crate::db::entity_basics!();
}

/// Whether an answer is about the request itself, so that the same request would get it
/// again: kept for the retries.
fn kept(status: StatusCode) -> bool {
    status.is_success()
        || [
            StatusCode::BAD_REQUEST,
            StatusCode::NOT_FOUND,
            StatusCode::PAYLOAD_TOO_LARGE,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ]
        .contains(&status)
}

/// A problem answer, as the handlers give it.
fn refuse(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let (req, _) = req.into_parts();
    ServiceResponse::new(req, error.error_response())
}

/// The middleware: see the module.
pub async fn idempotent(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().map(str::to_owned));
    let Some(key) = key.filter(|_| req.method() == Method::POST) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match key {
        Ok(key) if (1..=IDEMPOTENCY_KEY_MAX_CHARS).contains(&key.len()) => key,
        _ => {
            return Ok(refuse(
                req,
                ApiError::BadRequest(format!(
                    "L'intestazione Idempotency-Key deve contenere da 1 a {IDEMPOTENCY_KEY_MAX_CHARS} caratteri stampabili."
                )),
            ))
        }
    };
    // Without a valid login the handler refuses the request as it would anyway.
    let Ok(principal) = req.extract::<Principal>().await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(ApiError::internal("application state missing").into());
    };
    let body = match read_body(&mut req).await {
        Ok(body) => body,
        Err(error) => return Ok(refuse(req, error)),
    };
    let hash = request_hash(req.method(), &req.uri().to_string(), &body);
    req.set_payload(Payload::from(body));

    let claimed = match claim(&state, principal.user_id, &key, &hash).await {
        Ok(claimed) => claimed,
        Err(error) => return Ok(refuse(req, error)),
    };
    let row = match claimed {
        Claim::Mine(row) => row,
        Claim::Answered(answer) => {
            let (req, _) = req.into_parts();
            return Ok(ServiceResponse::new(req, answer));
        }
        Claim::Refused(error) => return Ok(refuse(req, error)),
    };
    let res = next.call(req).await?;
    let status = res.status();
    let (req, res) = res.into_parts();
    let headers = res.headers().clone();
    let body = match to_bytes(res.into_body()).await {
        Ok(body) => body,
        Err(_) => {
            release(&state, row.id).await;
            return Err(ApiError::internal("answer body unreadable").into());
        }
    };
    if kept(status) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut answered: idempotency_key::ActiveModel = row.into();
        answered.status = Set(Some(i32::from(status.as_u16())));
        answered.content_type = Set(content_type);
        answered.body = Set(Some(body.to_vec()));
        if let Err(err) = answered.update(&state.db).await {
            tracing::error!(cause = %err, "the answer of an Idempotency-Key was not kept");
        }
    } else {
        release(&state, row.id).await;
    }
    let mut answer = HttpResponse::build(status);
    for (name, value) in &headers {
        answer.append_header((name.clone(), value.clone()));
    }
    Ok(ServiceResponse::new(req, answer.body(body)))
}

/// The whole body, given back to the handler afterwards.
async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::BadRequest(
            "Il corpo della richiesta è troppo grande per una richiesta con Idempotency-Key."
                .into(),
        )
    };
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::BadRequest("Il corpo della richiesta non è arrivato per intero.".into())
        })?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn request_hash(method: &Method, uri: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(uri.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

enum Claim {
    /// The key is this request's: run it.
    Mine(idempotency_key::Model),
    /// The same request was answered: this is the answer.
    Answered(HttpResponse),
    /// Another request with this key, or the first one still on its way.
    Refused(ApiError),
}

/// Claims the key for this request, or says what the earlier request with it decides.
async fn claim(state: &AppState, user_id: i64, key: &str, hash: &str) -> Result<Claim, ApiError> {
    let now = state.now();
    let expired = now - time::Duration::hours(KEEP_HOURS);
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::UserId.eq(user_id))
        .filter(idempotency_key::Column::CreatedAt.lt(expired))
        .exec(&state.db)
        .await?;
    let row = idempotency_key::ActiveModel {
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        status: Set(None),
        content_type: Set(None),
        body: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    match row.insert(&state.db).await {
        Ok(row) => return Ok(Claim::Mine(row)),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
        Err(err) => return Err(err.into()),
    }
    let Some(earlier) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(user_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(&state.db)
        .await?
    else {
        return Ok(Claim::Refused(ApiError::Conflict(
            "La richiesta con questa Idempotency-Key è appena terminata: inviala di nuovo.".into(),
        )));
    };
    if earlier.request_hash != hash {
        return Ok(Claim::Refused(ApiError::Unprocessable(
            "Questa Idempotency-Key è già stata usata per un'altra richiesta: usa una chiave nuova per ogni operazione.".into(),
        )));
    }
    let Some(status) = earlier
        .status
        .and_then(|s| StatusCode::from_u16(u16::try_from(s).ok()?).ok())
    else {
        return Ok(Claim::Refused(ApiError::Conflict(
            "La stessa richiesta è ancora in corso: attendi la sua risposta.".into(),
        )));
    };
    let mut answer = HttpResponse::build(status);
    if let Some(content_type) = earlier.content_type {
        answer.content_type(content_type);
    }
    answer.insert_header((REPLAYED, "true"));
    Ok(Claim::Answered(
        answer.body(earlier.body.unwrap_or_default()),
    ))
}

/// Releases a key whose request got no answer worth keeping, so that a retry runs.
async fn release(state: &AppState, id: i64) {
    if let Err(err) = idempotency_key::Entity::delete_by_id(id)
        .exec(&state.db)
        .await
    {
        tracing::error!(cause = %err, "an Idempotency-Key was not released");
    }
}

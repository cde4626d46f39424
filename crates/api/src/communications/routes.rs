//! The outbox for the comune's operators (`Action::ManageOutbox`): the messages that did
//! not reach the families, with why, and "send again" for a dead one.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use sportello_model::communications::{OutboxMessage, OutboxStatus};
use sportello_model::limits::RequestLimits;
use sportello_model::{FieldError, Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::outbox;
use crate::auth::{can, Allowed};
use crate::error::ApiResult;
use crate::http::{Paging, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_outbox).service(retry_outbox_message);
}

/// `?status=` of the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only the messages in this state; without it, the ones that did not go: failed
    /// (another attempt planned) and dead (given up).
    pub status: Option<OutboxStatus>,
}

impl RequestLimits for OutboxQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// Invii non riusciti: the comune's messages by state, newest first, with the attempts
/// made and the last error the channel's service gave.
#[utoipa::path(
    tag = "Comunicazioni",
    params(OutboxQuery, PageQuery),
    responses(
        (status = 200, body = Page<OutboxMessage>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageOutbox>,
    query: Query<OutboxQuery>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(outbox::list(&state.db, principal.ente_id, query.status, *paging).await?))
}

/// Invia di nuovo: a dead message is due at once, with all its attempts again. A message
/// that is not dead is refused (409).
#[utoipa::path(
    tag = "Comunicazioni",
    params(("id" = i64, Path, description = "The message")),
    responses(
        (status = 200, body = OutboxMessage),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/outbox/{id}/retry")]
pub async fn retry_outbox_message(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageOutbox>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(outbox::retry(&state.db, principal.ente_id, id.into_inner(), state.now()).await?))
}

//! Comunicazioni: `/my/letters` for families, `/communications` for operators, and the
//! outbox for operators (`Action::ManageOutbox`): the messages that did not reach the
//! families, with why, and "send again" for a dead one.

use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use sportello_model::communications::{OutboxMessage, OutboxStatus};
use sportello_model::forms::{size_refusal, UploadInfo, FILE_NAME_MAX_CHARS};
use sportello_model::letters::{
    AudienceChoices, CommunicationPreview, CommunicationSummary, FamilyChoice, Letter,
    LetterDetail, NewCommunication, UnreadLetters, ATTACHMENT_MAX_BYTES, SEARCH_MAX_CHARS,
};
use sportello_model::limits::{Limits, RequestLimits};
use sportello_model::{FieldError, Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use super::letters::Sender;
use super::{compose, letters, outbox};
use crate::auth::{can, Allowed};
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{created_or_ok, file_response, Json, Paging, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    // `unread` before `{id}`: the fixed path wins.
    cfg.service(unread_letters)
        .service(my_letters)
        .service(open_letter)
        .service(letter_pdf)
        .service(letter_attachment)
        .service(list_communications)
        .service(send_communication)
        .service(preview_communication)
        .service(upload_communication_attachment)
        .service(search_families)
        .service(audience_choices)
        .service(list_outbox)
        .service(retry_outbox_message);
}

// Families.

/// Comunicazioni: the family's letters, newest first (a delegate's: those about the
/// children delegated to them).
#[utoipa::path(
    tag = "Comunicazioni",
    params(PageQuery),
    responses(
        (status = 200, body = Page<Letter>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/my/letters")]
pub async fn my_letters(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadLetters>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(letters::list(&state.db, &principal, *paging).await?))
}

/// How many of the family's letters are unread (the menu's badge).
#[utoipa::path(
    tag = "Comunicazioni",
    responses(
        (status = 200, body = UnreadLetters),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/my/letters/unread")]
pub async fn unread_letters(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadLetters>,
) -> ApiResult<HttpResponse> {
    let unread = letters::unread(&state.db, &principal).await?;
    Ok(HttpResponse::Ok().json(UnreadLetters { unread }))
}

/// A letter with its text and attachment; the first opening marks it read.
#[utoipa::path(
    tag = "Comunicazioni",
    params(("id" = i64, Path, description = "Letter id")),
    responses(
        (status = 200, body = LetterDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/my/letters/{id}")]
pub async fn open_letter(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadLetters>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(letters::open(&state.db, &principal, *id, state.now()).await?))
}

/// Scarica: the letter as PDF.
#[utoipa::path(
    tag = "Comunicazioni",
    params(("id" = i64, Path, description = "Letter id")),
    responses(
        (status = 200, description = "The letter", content_type = "application/pdf"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/my/letters/{id}/pdf")]
pub async fn letter_pdf(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadLetters>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let comune = ente_by_id(&state.db, principal.ente_id).await?.name;
    let (name, pdf) = letters::pdf(&state.db, &principal, *id, &comune).await?;
    Ok(file_response("application/pdf", name, false, pdf))
}

/// The file attached to a letter.
#[utoipa::path(
    tag = "Comunicazioni",
    params(("id" = i64, Path, description = "Letter id")),
    responses(
        (status = 200, description = "The file (PDF, JPEG or PNG)", content(
            (String = "application/pdf"),
            (String = "image/jpeg"),
            (String = "image/png"),
        )),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
    ),
    security(("bearer" = []))
)]
#[get("/my/letters/{id}/attachment")]
pub async fn letter_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::ReadLetters>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let file = letters::attachment(&state.db, &principal, *id).await?;
    Ok(file_response(
        &file.content_type,
        file.file_name,
        false,
        file.content,
    ))
}

// Operators.

/// The communications sent, newest first, with how many families got and read each.
#[utoipa::path(
    tag = "Comunicazioni",
    params(PageQuery),
    responses(
        (status = 200, body = Page<CommunicationSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
)]
#[get("/communications")]
pub async fn list_communications(
    state: web::Data<AppState>,
    principal: Allowed<can::SendCommunications>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(compose::history(&state.db, principal.ente_id, *paging).await?))
}

/// Invia: one letter per family of the audience, each with its e-mail (and SMS when
/// urgent). The same `request_id` sends once: sent again, the answer is 200 with the
/// communication the first request made.
#[utoipa::path(
    tag = "Comunicazioni",
    request_body = NewCommunication,
    responses(
        (status = 201, body = CommunicationSummary),
        (status = 200, body = CommunicationSummary, description = "Already sent with this request id"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
)]
#[post("/communications")]
pub async fn send_communication(
    state: web::Data<AppState>,
    principal: Allowed<can::SendCommunications>,
    body: Json<NewCommunication>,
) -> ApiResult<HttpResponse> {
    let sender = Sender::of(&state.db, &state.config.channel_settings, principal.ente_id).await?;
    let (sent, created) = compose::send(&state.db, &principal, &sender, &body, state.now()).await?;
    Ok(created_or_ok(created, sent))
}

/// Anteprima: the letter as the family will see it and how many families will get it.
#[utoipa::path(
    tag = "Comunicazioni",
    request_body = NewCommunication,
    responses(
        (status = 200, body = CommunicationPreview),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
)]
#[post("/communications/preview")]
pub async fn preview_communication(
    state: web::Data<AppState>,
    principal: Allowed<can::SendCommunications>,
    body: Json<NewCommunication>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(compose::preview(&state.db, principal.ente_id, &body, state.now()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentQuery {
    /// The file's name.
    #[param(max_length = 200)]
    pub name: String,
}

impl RequestLimits for AttachmentQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("name", &self.name, FILE_NAME_MAX_CHARS)
            .errors()
    }
}

/// A file to attach to a communication: the body is the file itself, a PDF, JPEG or PNG
/// (by its content, whatever its name) up to 5 MB.
#[utoipa::path(
    tag = "Comunicazioni",
    params(AttachmentQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, body = UploadInfo),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
)]
#[post("/communications/attachments")]
pub async fn upload_communication_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::SendCommunications>,
    query: Query<AttachmentQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let content = payload
        .to_bytes_limited(ATTACHMENT_MAX_BYTES as usize)
        .await
        .map_err(|_| ApiError::field("file", size_refusal(ATTACHMENT_MAX_BYTES)))?
        .map_err(|_| ApiError::BadRequest("Il file non è arrivato per intero: riprova.".into()))?;
    let saved = compose::attach(
        &state.db,
        &principal,
        &query.name,
        content.to_vec(),
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(saved))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FamilySearch {
    /// Words of the guardian's name, surname or codice fiscale.
    #[param(max_length = 100)]
    pub q: String,
}

impl RequestLimits for FamilySearch {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("q", &self.q, SEARCH_MAX_CHARS)
            .errors()
    }
}

/// Families whose guardian's name or codice fiscale holds every word searched (at most
/// 20), to choose as recipients.
#[utoipa::path(
    tag = "Comunicazioni",
    params(FamilySearch),
    responses(
        (status = 200, body = Vec<FamilyChoice>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
)]
#[get("/communications/families")]
pub async fn search_families(
    state: web::Data<AppState>,
    principal: Allowed<can::SendCommunications>,
    query: Query<FamilySearch>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(compose::search_families(&state.db, principal.ente_id, &query.q).await?))
}

/// What an audience is chosen from: the services, and the schools with their classes of
/// this school year's enrolments.
#[utoipa::path(
    tag = "Comunicazioni",
    responses(
        (status = 200, body = AudienceChoices),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
)]
#[get("/communications/audiences")]
pub async fn audience_choices(
    state: web::Data<AppState>,
    principal: Allowed<can::SendCommunications>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(compose::audience_choices(&state.db, principal.ente_id, state.now()).await?))
}

// The outbox.

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
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
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
    security(("bearer" = []), ("oauth2" = ["communications:write"]))
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

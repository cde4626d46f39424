//! Moduli online: `/forms` and `/form-submissions` for operators, `/my/forms` and
//! `/my/submissions` for families.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use sportello_model::forms::{
    check_sent_range, size_refusal, AcceptRequest, BulkAcceptRequest, BulkOutcome, Decision,
    EnrolmentProposal, FormDefinition, FormDetail, FormOverview, FormSummary, Ranking, StateCount,
    SubmissionAction, SubmissionDetail, SubmissionRequest, SubmissionState, SubmissionSummary,
    UploadInfo, FILE_NAME_MAX_CHARS, KEY_MAX_CHARS, SEARCH_MAX_CHARS, UPLOAD_MAX_BYTES,
};
use sportello_model::limits::SCHOOL_MAX_CHARS;
use sportello_model::limits::{Limits, RequestLimits};
use sportello_model::{dates, rome, FieldError, Page, PageQuery, Problem};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{definitions, ranking, review, submissions};
use crate::audit::record::Trail;
use crate::auth::{can, Allowed};
use crate::communications::letters::Sender;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{file_response, Json, Paging, Query};
use crate::startup::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_forms)
        .service(create_form)
        .service(get_form)
        .service(update_form)
        .service(publish_form)
        .service(close_form)
        .service(new_form_version)
        .service(form_ranking)
        .service(publish_ranking)
        .service(list_submissions)
        .service(submission_counts)
        .service(accept_submissions)
        .service(export_submissions)
        .service(get_submission)
        .service(submission_attachment)
        .service(enrolment_terms)
        .service(accept_submission)
        .service(refuse_submission)
        .service(block_submission)
        .service(to_validate_submission)
        .service(open_forms)
        .service(open_form)
        .service(start_submission)
        .service(my_submissions)
        .service(my_submission)
        .service(save_submission)
        .service(send_submission)
        .service(pay_and_send_submission)
        .service(cancel_submission)
        .service(submission_pdf)
        .service(upload_attachment)
        .service(own_attachment)
        .service(remove_attachment);
}

// Operators: definitions.

/// Every form of the comune, each version, newest window first.
#[utoipa::path(
    tag = "Moduli",
    params(PageQuery),
    responses(
        (status = 200, body = Page<FormOverview>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/forms")]
pub async fn list_forms(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageForms>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(definitions::list(&state.db, principal.ente_id, *paging).await?))
}

/// A new form, as a draft to publish.
#[utoipa::path(
    tag = "Moduli",
    request_body = FormDefinition,
    responses(
        (status = 201, body = FormDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/forms")]
pub async fn create_form(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageForms>,
    body: Json<FormDefinition>,
) -> ApiResult<HttpResponse> {
    let created =
        definitions::create(&state.db, principal.ente_id, body.into_inner(), state.now()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// A form version with its definition and how many submissions it has.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, body = FormDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/forms/{id}")]
pub async fn get_form(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(definitions::detail(&state.db, principal.ente_id, *id).await?))
}

/// Changes a draft, or a published form nobody has filled yet; one with submissions is
/// refused (409): make a new version.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    request_body = FormDefinition,
    responses(
        (status = 200, body = FormDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[put("/forms/{id}")]
pub async fn update_form(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageForms>,
    id: web::Path<i64>,
    body: Json<FormDefinition>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(definitions::update(&state.db, principal.ente_id, *id, body.into_inner()).await?))
}

/// Publishes a draft; the version it replaces closes.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, body = FormDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/forms/{id}/publish")]
pub async fn publish_form(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(definitions::publish(&state.db, principal.ente_id, *id, state.now()).await?))
}

/// Closes a published form before its window ends.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, body = FormDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/forms/{id}/close")]
pub async fn close_form(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(definitions::close(&state.db, principal.ente_id, *id, state.now()).await?))
}

/// A new draft version of a published or closed form, to change and publish in its
/// place.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 201, body = FormDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/forms/{id}/versions")]
pub async fn new_form_version(
    state: web::Data<AppState>,
    principal: Allowed<can::ManageForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let created = definitions::new_version(&state.db, principal.ente_id, *id, state.now()).await?;
    Ok(HttpResponse::Created().json(created))
}

// Operators: graduatorie.

/// A ranking form's graduatoria: as published, or until then as it stands now (points
/// from highest, ties by the time sent); 409 for a form without points.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, body = Ranking),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/forms/{id}/ranking")]
pub async fn form_ranking(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(ranking::get(&state.db, principal.ente_id, *id, rome::today(state.now())).await?))
}

/// Publishes the graduatoria as it stands now: the positions are stored and each family
/// sees its own. Once per form (409 afterwards).
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, body = Ranking),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/forms/{id}/ranking/publish")]
pub async fn publish_ranking(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(ranking::publish(&state.db, principal.ente_id, *id, state.now()).await?))
}

// Operators: submissions.

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionFilter {
    /// Only submissions in this state.
    pub state: Option<SubmissionState>,
    /// Sent on or after this day (`YYYY-MM-DD`).
    #[param(max_length = 10, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub sent_from: Option<String>,
    /// Sent on or before this day (`YYYY-MM-DD`).
    #[param(max_length = 10, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub sent_to: Option<String>,
    /// Only submissions answering this school.
    #[param(max_length = 200)]
    pub school: Option<String>,
    /// Words of the family's or the child's name or of the protocol number.
    #[param(max_length = 100)]
    pub q: Option<String>,
}

impl RequestLimits for SubmissionFilter {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .optional_text("sent_from", self.sent_from.as_deref(), 10)
            .optional_text("sent_to", self.sent_to.as_deref(), 10)
            .optional_text("school", self.school.as_deref(), SCHOOL_MAX_CHARS)
            .optional_text("q", self.q.as_deref(), SEARCH_MAX_CHARS)
            .errors()
    }
}

impl SubmissionFilter {
    fn read(&self) -> ApiResult<review::Filter> {
        let day = |field: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| dates::parse_day(v).map_err(|m| ApiError::field(field, m)))
                .transpose()
        };
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let filter = review::Filter {
            state: self.state,
            sent_from: day("sent_from", &self.sent_from)?,
            sent_to: day("sent_to", &self.sent_to)?,
            school: given(&self.school),
            text: given(&self.q),
        };
        match check_sent_range(filter.sent_from, filter.sent_to) {
            Some(error) => Err(ApiError::Validation(vec![error])),
            None => Ok(filter),
        }
    }
}

/// The sent submissions of a form (drafts are the family's own), in the order they were
/// sent, narrowed by state, day sent, school and words of the names or protocol number.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id"), SubmissionFilter, PageQuery),
    responses(
        (status = 200, body = Page<SubmissionSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/forms/{id}/submissions")]
pub async fn list_submissions(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
    filter: Query<SubmissionFilter>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    let filter = filter.read()?;
    Ok(HttpResponse::Ok().json(
        review::list(
            &state.db,
            principal.ente_id,
            *id,
            filter,
            *paging,
            rome::today(state.now()),
        )
        .await?,
    ))
}

/// How many sent submissions of a form are in each state.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, body = Vec<StateCount>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/forms/{id}/submissions/counts")]
pub async fn submission_counts(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(review::counts(&state.db, principal.ente_id, *id).await?))
}

/// Accetta selezionate: accepts each listed submission of the form as by itself (for a
/// form that enrols, with the band of its ISEE and a new badge) and answers for each
/// whether it was accepted or the Italian reason why not.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    request_body = BulkAcceptRequest,
    responses(
        (status = 200, body = Vec<BulkOutcome>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/forms/{id}/submissions/accept")]
pub async fn accept_submissions(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
    body: Json<BulkAcceptRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        review::accept_many(
            &state.db,
            &principal,
            &sender(&state, &principal).await?,
            *id,
            &body.ids,
            state.now(),
        )
        .await?,
    ))
}

/// The sent submissions of a form as CSV (`;`, UTF-8 with BOM): one column per question.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/forms/{id}/export")]
pub async fn export_submissions(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let (name, body) =
        review::export_csv(&state.db, principal.ente_id, *id, rome::today(state.now())).await?;
    Ok(file_response("text/csv; charset=utf-8", name, false, body))
}

/// A sent submission with its answers, attachments and history.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/form-submissions/{id}")]
pub async fn get_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(review::detail(&state.db, principal.ente_id, *id, rome::today(state.now())).await?))
}

/// A file attached to a submission.
#[utoipa::path(
    tag = "Moduli",
    params(
        ("id" = i64, Path, description = "Submission id"),
        ("upload_id" = i64, Path, description = "Attachment id"),
    ),
    responses(
        (status = 200, description = "The file (PDF, JPEG or PNG)", content(
            (String = "application/pdf"),
            (String = "image/jpeg"),
            (String = "image/png"),
        )),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/form-submissions/{id}/uploads/{upload_id}")]
pub async fn submission_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (id, upload_id) = *path;
    let file = review::attachment(&state.db, principal.ente_id, id, upload_id).await?;
    Ok(file_response(
        &file.content_type,
        file.file_name,
        false,
        file.content,
    ))
}

/// What accepting a submission would enrol: the service's fee bands, the ISEE declared
/// and the terms the operator's form starts from (the band of that ISEE).
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    responses(
        (status = 200, body = EnrolmentProposal),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[get("/form-submissions/{id}/enrolment-terms")]
pub async fn enrolment_terms(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(review::proposal(&state.db, principal.ente_id, *id).await?))
}

/// Accepts a submission; for a form that enrols, creates the child when new and the card
/// for the form's school year with the band, quota and meal price given — those left
/// blank from the band of the ISEE declared — and the badge given, or a new one.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    request_body = AcceptRequest,
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/form-submissions/{id}/accept")]
pub async fn accept_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
    body: Json<AcceptRequest>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    before_decision(&state, &principal, *id, &trail).await?;
    Ok(HttpResponse::Ok().json(
        review::accept(
            &state.db,
            &principal,
            &sender(&state, &principal).await?,
            *id,
            &body,
            state.now(),
        )
        .await?,
    ))
}

/// The comune the family's letter about a decision comes from.
async fn sender(state: &AppState, principal: &crate::auth::Principal) -> ApiResult<Sender> {
    Sender::of(&state.db, &state.config.channel_settings, principal.ente_id).await
}

/// The submission before a decision, with its family, for the Registro attività.
async fn before_decision(
    state: &AppState,
    principal: &crate::auth::Principal,
    id: i64,
    trail: &Trail,
) -> ApiResult<()> {
    let today = rome::today(state.now());
    let (family, before) = review::as_it_is(&state.db, principal.ente_id, id, today).await?;
    trail.family(family);
    trail.before(&before.summary);
    Ok(())
}

async fn decide(
    state: web::Data<AppState>,
    principal: &crate::auth::Principal,
    id: i64,
    action: SubmissionAction,
    body: Json<Decision>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    before_decision(&state, principal, id, &trail).await?;
    Ok(HttpResponse::Ok().json(
        review::decide(
            &state.db,
            principal,
            &sender(&state, principal).await?,
            id,
            action,
            &body,
            state.now(),
        )
        .await?,
    ))
}

/// Refuses a submission with the reason the family reads.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    request_body = Decision,
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/form-submissions/{id}/refuse")]
pub async fn refuse_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
    body: Json<Decision>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    decide(
        state,
        &principal,
        *id,
        SubmissionAction::Refuse,
        body,
        trail,
    )
    .await
}

/// Blocks a submission with the reason the family reads.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    request_body = Decision,
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/form-submissions/{id}/block")]
pub async fn block_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
    body: Json<Decision>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    decide(state, &principal, *id, SubmissionAction::Block, body, trail).await
}

/// Marks a submission "da validare" (waiting for documents) with a note the family reads.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    request_body = Decision,
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []), ("oauth2" = ["forms:write"]))
)]
#[post("/form-submissions/{id}/to-validate")]
pub async fn to_validate_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::ReviewSubmissions>,
    id: web::Path<i64>,
    body: Json<Decision>,
    trail: Trail,
) -> ApiResult<HttpResponse> {
    decide(
        state,
        &principal,
        *id,
        SubmissionAction::AskToValidate,
        body,
        trail,
    )
    .await
}

// Families.

/// Compila: the forms the family may fill now (published, today within the window;
/// for a delegate, the forms that allow delegates).
#[utoipa::path(
    tag = "Moduli",
    responses(
        (status = 200, body = Vec<FormSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/my/forms")]
pub async fn open_forms(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(submissions::open_forms(&state.db, &principal, state.now()).await?))
}

/// A form to fill now; outside its window the answer is 409 with the Italian reason.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    responses(
        (status = 200, body = FormDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[get("/my/forms/{id}")]
pub async fn open_form(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(submissions::open_form(&state.db, &principal, *id, state.now()).await?))
}

/// Starts filling a form: a draft (Salvata) with the answers given so far. For a form
/// that enrols, started for a child enrolled this school year in its service, the
/// questions not answered yet are filled from that card: the same school, the next
/// class, the same diet (a renewal).
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Form id")),
    request_body = SubmissionRequest,
    responses(
        (status = 201, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/my/forms/{id}/submissions")]
pub async fn start_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
    body: Json<SubmissionRequest>,
) -> ApiResult<HttpResponse> {
    let started = submissions::start(
        &state.db,
        &principal,
        *id,
        body.into_inner().answers,
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(started))
}

/// I miei moduli: the family's submissions, drafts and cancelled ones included, with
/// their state and the operator's reason, most recently changed first.
#[utoipa::path(
    tag = "Moduli",
    params(PageQuery),
    responses(
        (status = 200, body = Page<SubmissionSummary>),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/my/submissions")]
pub async fn my_submissions(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    paging: Paging,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(submissions::mine(&state.db, &principal, *paging, state.now()).await?))
}

/// One of the family's submissions with its answers, attachments and history.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
    ),
    security(("bearer" = []))
)]
#[get("/my/submissions/{id}")]
pub async fn my_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(submissions::mine_detail(&state.db, &principal, *id, state.now()).await?))
}

/// Salva: saves the answers of a draft.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    request_body = SubmissionRequest,
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[put("/my/submissions/{id}")]
pub async fn save_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
    body: Json<SubmissionRequest>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        submissions::save(
            &state.db,
            &principal,
            *id,
            body.into_inner().answers,
            state.now(),
        )
        .await?,
    ))
}

/// Invia: sends a draft. Refused (400) with a field error per missing or wrong answer,
/// (409) outside the window, when already sent for the child, or while the family's
/// account of the service the form enrols into is negative (the amount due is in the
/// message).
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A missing or wrong answer: `errors` names each field (`answers.<key>`)"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Outside the window, already sent, or the account to settle first"),
    ),
    security(("bearer" = []))
)]
#[post("/my/submissions/{id}/send")]
pub async fn send_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let comune = ente_by_id(&state.db, principal.ente_id).await?.name;
    Ok(HttpResponse::Ok()
        .json(submissions::send(&state.db, &principal, *id, &comune, state.now()).await?))
}

/// Paga e invia: sends a draft that only the enrolment gate stops (the family's account of
/// the service is negative) with ONE pagoPA notice for exactly the amount due, a recharge
/// of that account. The submission gets its protocol number and waits as «Sospesa per
/// insoluto» (`summary.notice`: number, IUV, amount, `pdf_url` to print it,
/// `checkout_url` to pay it online) until pagoPA's receipt moves it to «Da validare».
/// Asked again, it answers the same submission with the same notice.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A missing or wrong answer: `errors` names each field (`answers.<key>`)"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "Outside the window, already sent, nothing to settle (send it instead), or pagoPA unavailable"),
    ),
    security(("bearer" = []))
)]
#[post("/my/submissions/{id}/pay-and-send")]
pub async fn pay_and_send_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::Pay>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let gateway = crate::payments::routes::gateway(&state)?;
    Ok(HttpResponse::Ok()
        .json(submissions::pay_and_send(&state.db, gateway, &principal, *id, state.now()).await?))
}

/// Cancella: cancels a submission the comune has not processed yet (one waiting for its
/// notice withdraws the notice too).
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/my/submissions/{id}/cancel")]
pub async fn cancel_submission(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        submissions::cancel(
            &state.db,
            state.gateway.as_deref(),
            &principal,
            *id,
            state.now(),
        )
        .await?,
    ))
}

/// Scarica: the copy of a sent submission as PDF.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id")),
    responses(
        (status = 200, description = "The copy of the submission", content_type = "application/pdf"),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[get("/my/submissions/{id}/pdf")]
pub async fn submission_pdf(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let comune = ente_by_id(&state.db, principal.ente_id).await?.name;
    let (name, pdf) = submissions::pdf(&state.db, &principal, *id, &comune).await?;
    Ok(file_response("application/pdf", name, false, pdf))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The key of the form's attachment field (or diet field, for its certificate).
    #[param(max_length = 40)]
    pub field: String,
    /// The file's name.
    #[param(max_length = 200)]
    pub name: String,
}

impl RequestLimits for UploadQuery {
    fn limit_errors(&self) -> Vec<FieldError> {
        Limits::default()
            .text("field", &self.field, KEY_MAX_CHARS)
            .text("name", &self.name, FILE_NAME_MAX_CHARS)
            .errors()
    }
}

/// Attaches a file to a draft: the body is the file itself, a PDF, JPEG or PNG (by its
/// content, whatever its name) within the field's size.
#[utoipa::path(
    tag = "Moduli",
    params(("id" = i64, Path, description = "Submission id"), UploadQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, body = UploadInfo),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[post("/my/submissions/{id}/uploads")]
pub async fn upload_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    id: web::Path<i64>,
    query: Query<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let content = payload
        .to_bytes_limited(UPLOAD_MAX_BYTES as usize)
        .await
        .map_err(|_| ApiError::field("file", size_refusal(UPLOAD_MAX_BYTES)))?
        .map_err(|_| ApiError::BadRequest("Il file non è arrivato per intero: riprova.".into()))?;
    let saved = submissions::attach(
        &state.db,
        &principal,
        *id,
        &query.field,
        &query.name,
        content.to_vec(),
        state.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(saved))
}

/// A file the family attached to one of its submissions.
#[utoipa::path(
    tag = "Moduli",
    params(
        ("id" = i64, Path, description = "Submission id"),
        ("upload_id" = i64, Path, description = "Attachment id"),
    ),
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
#[get("/my/submissions/{id}/uploads/{upload_id}")]
pub async fn own_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (id, upload_id) = *path;
    let file = submissions::attachment(&state.db, &principal, id, upload_id).await?;
    Ok(file_response(
        &file.content_type,
        file.file_name,
        false,
        file.content,
    ))
}

/// Removes a file from a draft; the draft's answers are the family's to change.
#[utoipa::path(
    tag = "Moduli",
    params(
        ("id" = i64, Path, description = "Submission id"),
        ("upload_id" = i64, Path, description = "Attachment id"),
    ),
    responses(
        (status = 200, body = SubmissionDetail),
        (status = 403, response = crate::error::responses::Forbidden),
        (status = 404, response = crate::error::responses::NotFound),
        (status = 409, response = crate::error::responses::Conflict),
    ),
    security(("bearer" = []))
)]
#[delete("/my/submissions/{id}/uploads/{upload_id}")]
pub async fn remove_attachment(
    state: web::Data<AppState>,
    principal: Allowed<can::FillForms>,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (id, upload_id) = *path;
    Ok(HttpResponse::Ok()
        .json(submissions::detach(&state.db, &principal, id, upload_id, state.now()).await?))
}

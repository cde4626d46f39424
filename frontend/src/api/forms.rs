//! Moduli online for families: the forms open now, their drafts (started, saved, with
//! files attached, sent) and their submissions, which they may cancel until the comune
//! processes them.

use gloo_net::http::Method;
use sportello_model::forms::{
    Answers, FormDetail, FormSummary, SubmissionDetail, SubmissionRequest, SubmissionSummary,
    UploadInfo,
};
use sportello_model::{paths, Page};

use super::client::{
    get_authed, get_page_authed, post_authed, post_file_authed, put_authed, write_authed, ApiResult,
};
use crate::session::Session;

/// Compila: the forms the family may fill now.
pub async fn open_forms(session: Session) -> ApiResult<Vec<FormSummary>> {
    get_authed(session, &paths::open_forms(), &[]).await
}

/// A form to fill now, with its questions.
pub async fn open_form(session: Session, id: i64) -> ApiResult<FormDetail> {
    get_authed(session, &paths::open_form(id), &[]).await
}

/// Starts a draft of form `form` with the answers given so far; for a child enrolled
/// this year the server fills in this year's answers.
pub async fn start_submission(
    session: Session,
    form: i64,
    answers: Answers,
) -> ApiResult<SubmissionDetail> {
    post_authed(
        session,
        &paths::start_submission(form),
        Some(&SubmissionRequest { answers }),
    )
    .await
}

/// I miei moduli, newest first.
pub async fn my_submissions(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<SubmissionSummary>> {
    get_page_authed(session, &paths::my_submissions(), page, per_page).await
}

/// One of the family's submissions with its answers and files.
pub async fn my_submission(session: Session, id: i64) -> ApiResult<SubmissionDetail> {
    get_authed(session, &paths::my_submission(id), &[]).await
}

/// Salva: the answers of a draft.
pub async fn save_submission(
    session: Session,
    id: i64,
    answers: Answers,
) -> ApiResult<SubmissionDetail> {
    put_authed(
        session,
        &paths::my_submission(id),
        &SubmissionRequest { answers },
    )
    .await
}

/// Invia: sends a saved draft.
pub async fn send_submission(session: Session, id: i64) -> ApiResult<SubmissionDetail> {
    post_authed(session, &paths::my_submission_send(id), None::<&()>).await
}

/// «Paga e invia»: sends a draft the enrolment gate refuses, with the pagoPA notice of
/// the amount due; it waits «Sospesa per insoluto» until the notice is paid.
pub async fn pay_and_send(session: Session, id: i64) -> ApiResult<SubmissionDetail> {
    post_authed(session, &paths::my_submission_pay_and_send(id), None::<&()>).await
}

/// Cancels a submission the comune has not processed yet.
pub async fn cancel_submission(session: Session, id: i64) -> ApiResult<SubmissionDetail> {
    post_authed(session, &paths::my_submission_cancel(id), None::<&()>).await
}

/// Attaches `file` (named `name`) to the draft `id` for the question `field`.
pub async fn attach_file(
    session: Session,
    id: i64,
    field: &str,
    name: &str,
    file: &web_sys::Blob,
) -> ApiResult<UploadInfo> {
    let query = [("field", field.to_owned()), ("name", name.to_owned())];
    post_file_authed(session, &paths::my_submission_uploads(id), &query, file).await
}

/// Removes the file `upload` from the draft `id`.
pub async fn detach_file(session: Session, id: i64, upload: i64) -> ApiResult<SubmissionDetail> {
    write_authed::<(), _>(
        session,
        Method::DELETE,
        &paths::my_submission_upload(id, upload),
        None,
    )
    .await
}

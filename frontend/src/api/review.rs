//! Moduli online for operators: a form's submissions with filters and counts, one
//! submission with its attachments and history, the decisions on it (one at a time or
//! accepted in bulk) and the CSV export.

use sportello_model::forms::{
    AcceptRequest, BulkAcceptRequest, BulkOutcome, Decision, EnrolmentProposal, FormDetail,
    StateCount, SubmissionDetail, SubmissionSummary,
};
use sportello_model::{paths, Page};

use super::client::{get_authed, get_filtered_page_authed, post_authed, ApiResult, Call};
use super::files::{download, Download, CSV};
use crate::session::Session;

/// What an attachment may be, or the problem.
const ATTACHMENT: &str = "application/pdf, image/jpeg, image/png, application/problem+json";

/// A form version with its definition (its title, its schools).
pub async fn form_definition(session: Session, id: i64) -> ApiResult<FormDetail> {
    get_authed(session, &paths::form(id), &[]).await
}

/// How many sent submissions of the form are in each state.
pub async fn submission_counts(session: Session, form: i64) -> ApiResult<Vec<StateCount>> {
    get_authed(session, &paths::form_submission_counts(form), &[]).await
}

/// A page of the form's sent submissions narrowed by `filter` (`state`, `school`,
/// `sent_from`, `sent_to`, `q`).
pub async fn form_submissions(
    session: Session,
    form: i64,
    filter: &[(&str, String)],
    page: u64,
    per_page: u64,
) -> ApiResult<Page<SubmissionSummary>> {
    get_filtered_page_authed(
        session,
        &paths::form_submissions(form),
        filter,
        page,
        per_page,
    )
    .await
}

/// Accetta selezionate.
pub async fn accept_submissions(
    session: Session,
    form: i64,
    ids: Vec<i64>,
) -> ApiResult<Vec<BulkOutcome>> {
    post_authed(
        session,
        &paths::form_bulk_accept(form),
        Some(&BulkAcceptRequest { ids }),
    )
    .await
}

/// Esporta CSV: every sent submission of the form.
pub async fn export_submissions(session: Session, form: i64) -> ApiResult<Download> {
    let path = paths::form_export(form);
    let call = Call::<()> {
        accept: CSV,
        ..Call::get(&path, &[])
    };
    download(
        session,
        &call,
        &format!("domande-modulo-{form}.csv"),
        "text/csv",
    )
    .await
}

pub async fn review_submission(session: Session, id: i64) -> ApiResult<SubmissionDetail> {
    get_authed(session, &paths::review(id), &[]).await
}

/// A file attached to a submission, named `file_name` unless the server names it.
pub async fn review_attachment(
    session: Session,
    id: i64,
    upload: i64,
    file_name: &str,
) -> ApiResult<Download> {
    let path = paths::review_upload(id, upload);
    let call = Call::<()> {
        accept: ATTACHMENT,
        ..Call::get(&path, &[])
    };
    download(session, &call, file_name, "application/octet-stream").await
}

/// The bands of the service the form enrols into and the terms from the ISEE declared.
pub async fn enrolment_terms(session: Session, id: i64) -> ApiResult<EnrolmentProposal> {
    get_authed(session, &paths::review_terms(id), &[]).await
}

pub async fn accept_submission(
    session: Session,
    id: i64,
    request: &AcceptRequest,
) -> ApiResult<SubmissionDetail> {
    post_authed(session, &paths::review_accept(id), Some(request)).await
}

/// Rifiuta, Blocca or Da validare (`path` says which) with the reason or note.
pub async fn decide_submission(
    session: Session,
    path: &str,
    note: String,
) -> ApiResult<SubmissionDetail> {
    post_authed(session, path, Some(&Decision { note })).await
}

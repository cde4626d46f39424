//! Moduli online for families: their submissions, which they may cancel until the comune
//! processes them.

use sportello_model::forms::{SubmissionDetail, SubmissionSummary};
use sportello_model::{paths, Page};

use super::client::{get_page_authed, post_authed, ApiResult};
use crate::session::Session;

/// I miei moduli, newest first.
pub async fn my_submissions(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<SubmissionSummary>> {
    get_page_authed(session, &paths::my_submissions(), page, per_page).await
}

/// Cancels a submission the comune has not processed yet.
pub async fn cancel_submission(session: Session, id: i64) -> ApiResult<SubmissionDetail> {
    post_authed(session, &paths::my_submission_cancel(id), None::<&()>).await
}

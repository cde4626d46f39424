//! The children registry (Utenti).

use sportello_model::children::{ChildDetail, ChildSummary, Enrolment};
use sportello_model::schools::EnrolmentForm;
use sportello_model::{paths, Page};

use super::client::{get_authed, get_page_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

pub async fn children(session: Session, page: u64, per_page: u64) -> ApiResult<Page<ChildSummary>> {
    get_page_authed(session, &paths::children(), page, per_page).await
}

pub async fn child(session: Session, id: i64) -> ApiResult<ChildDetail> {
    get_authed(session, &paths::child(id), &[]).await
}

/// Adds a card (enrolment) to the child.
pub async fn add_enrolment(
    session: Session,
    child: i64,
    form: &EnrolmentForm,
) -> ApiResult<Enrolment> {
    post_authed(session, &paths::child_enrolments(child), Some(form)).await
}

/// Changes a card of the child.
pub async fn update_enrolment(
    session: Session,
    child: i64,
    id: i64,
    form: &EnrolmentForm,
) -> ApiResult<Enrolment> {
    put_authed(session, &paths::child_enrolment(child, id), form).await
}

/// Ends a card of the child at once.
pub async fn end_enrolment(session: Session, child: i64, id: i64) -> ApiResult<Enrolment> {
    post_authed::<(), _>(session, &paths::child_enrolment_end(child, id), None).await
}

//! Moduli online for operators: the forms they define and publish, and the graduatorie.

use sportello_model::forms::{FormDefinition, FormDetail, FormOverview, Ranking};
use sportello_model::{paths, Page};

use super::client::{get_authed, get_page_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

/// Moduli online for operators: every form and version of the comune.
pub async fn forms(session: Session, page: u64, per_page: u64) -> ApiResult<Page<FormOverview>> {
    get_page_authed(session, &paths::forms(), page, per_page).await
}

pub async fn form(session: Session, id: i64) -> ApiResult<FormDetail> {
    get_authed(session, &paths::form(id), &[]).await
}

/// Saves a new form as a draft.
pub async fn create_form(session: Session, definition: FormDefinition) -> ApiResult<FormDetail> {
    post_authed(session, &paths::forms(), Some(&definition)).await
}

/// Saves the changes of a draft.
pub async fn update_form(
    session: Session,
    id: i64,
    definition: FormDefinition,
) -> ApiResult<FormDetail> {
    put_authed(session, &paths::form(id), &definition).await
}

pub async fn publish_form(session: Session, id: i64) -> ApiResult<FormDetail> {
    post_authed(session, &paths::form_publish(id), None::<&()>).await
}

/// Closes a published form before its window ends.
pub async fn close_form(session: Session, id: i64) -> ApiResult<FormDetail> {
    post_authed(session, &paths::form_close(id), None::<&()>).await
}

/// A draft copy of a published form, to change and publish in its place.
pub async fn new_form_version(session: Session, id: i64) -> ApiResult<FormDetail> {
    post_authed(session, &paths::form_new_version(id), None::<&()>).await
}

pub async fn ranking(session: Session, form: i64) -> ApiResult<Ranking> {
    get_authed(session, &paths::form_ranking(form), &[]).await
}

pub async fn publish_ranking(session: Session, form: i64) -> ApiResult<Ranking> {
    post_authed(session, &paths::form_ranking_publish(form), None::<&()>).await
}

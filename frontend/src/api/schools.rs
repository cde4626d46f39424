//! Scuole e classi: the comune's schools and their classes of each school year.

use sportello_model::paths;
use sportello_model::schools::{School, SchoolClassForm, SchoolDetail, SchoolForm};

use super::client::{get_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

pub async fn office_schools(session: Session) -> ApiResult<Vec<School>> {
    get_authed(session, &paths::office_schools(), &[]).await
}

pub async fn office_school(session: Session, id: i64) -> ApiResult<SchoolDetail> {
    get_authed(session, &paths::office_school(id), &[]).await
}

pub async fn create_school(session: Session, form: &SchoolForm) -> ApiResult<SchoolDetail> {
    post_authed(session, &paths::office_schools(), Some(form)).await
}

pub async fn update_school(
    session: Session,
    id: i64,
    form: &SchoolForm,
) -> ApiResult<SchoolDetail> {
    put_authed(session, &paths::office_school(id), form).await
}

pub async fn create_class(
    session: Session,
    school: i64,
    form: &SchoolClassForm,
) -> ApiResult<SchoolDetail> {
    post_authed(session, &paths::office_school_classes(school), Some(form)).await
}

pub async fn update_class(
    session: Session,
    school: i64,
    id: i64,
    form: &SchoolClassForm,
) -> ApiResult<SchoolDetail> {
    put_authed(session, &paths::office_school_class(school, id), form).await
}

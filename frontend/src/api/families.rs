//! The office's families: search, the family page, the registry import, the edits of a
//! family (guardian, children, delegates).

use gloo_net::http::Method;
use sportello_model::family_edit::{ChildForm, DelegateChildren, DelegateForm, PersonForm};
use sportello_model::registry::{FamilyDetail, FamilyHit, ImportReport};
use sportello_model::{paths, Page};

use super::client::{
    get_authed, get_filtered_page_authed, post_authed, post_text_authed, put_authed, write_authed,
    ApiResult,
};
use crate::session::Session;

/// Families whose guardian's or child's name or codice fiscale, or child's badge, holds
/// every word of `text`.
pub async fn find_families(
    session: Session,
    text: &str,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<FamilyHit>> {
    let filter = [("q", text.to_owned())];
    get_filtered_page_authed(session, &paths::families(), &filter, page, per_page).await
}

pub async fn family(session: Session, guardian_id: i64) -> ApiResult<FamilyDetail> {
    get_authed(session, &paths::family(guardian_id), &[]).await
}

/// The dry run of a registry file (`apply` false: nothing changes) or its import.
pub async fn import_registry(session: Session, csv: &str, apply: bool) -> ApiResult<ImportReport> {
    let path = if apply {
        paths::registry_import()
    } else {
        paths::registry_import_check()
    };
    post_text_authed(session, &path, "text/csv", csv).await
}

/// «Nuova famiglia»: the guardian; the answer is the new family's page.
pub async fn create_family(session: Session, guardian: &PersonForm) -> ApiResult<FamilyDetail> {
    post_authed(session, &paths::families(), Some(guardian)).await
}

pub async fn update_guardian(
    session: Session,
    guardian_id: i64,
    guardian: &PersonForm,
) -> ApiResult<FamilyDetail> {
    put_authed(session, &paths::family(guardian_id), guardian).await
}

/// A new child (`child_id` none) or a correction of one.
pub async fn save_child(
    session: Session,
    guardian_id: i64,
    child_id: Option<i64>,
    child: &ChildForm,
) -> ApiResult<FamilyDetail> {
    match child_id {
        Some(id) => put_authed(session, &paths::family_child(guardian_id, id), child).await,
        None => post_authed(session, &paths::family_children(guardian_id), Some(child)).await,
    }
}

pub async fn add_delegate(
    session: Session,
    guardian_id: i64,
    delegate: &DelegateForm,
) -> ApiResult<FamilyDetail> {
    post_authed(
        session,
        &paths::family_delegates(guardian_id),
        Some(delegate),
    )
    .await
}

/// The children the delegate acts for, or (`None`) none of the family's any more.
pub async fn set_delegate_children(
    session: Session,
    guardian_id: i64,
    delegate_id: i64,
    children: Option<&DelegateChildren>,
) -> ApiResult<FamilyDetail> {
    let path = paths::family_delegate(guardian_id, delegate_id);
    match children {
        Some(children) => put_authed(session, &path, children).await,
        None => write_authed::<(), _>(session, Method::DELETE, &path, None).await,
    }
}

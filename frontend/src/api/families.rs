//! The office's families: search, the family page, the registry import.

use sportello_model::registry::{FamilyDetail, FamilyHit, ImportReport};
use sportello_model::{paths, Page};

use super::client::{get_authed, get_filtered_page_authed, post_text_authed, ApiResult};
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

//! Registro attività: the changes the comune's staff made (administrators), as a page
//! and as CSV.

use sportello_model::audit::{AuditEvent, AuditFilter};
use sportello_model::{paths, Page};

use super::client::{get_filtered_page_authed, ApiResult, Call};
use super::files::{download, Download, CSV};
use crate::session::Session;

/// The query of `filter`: only the filters given.
fn query(filter: &AuditFilter) -> Vec<(&'static str, String)> {
    [
        ("actor", filter.actor.map(|id| id.to_string())),
        ("family", filter.family.map(|id| id.to_string())),
        ("from", filter.from.map(|day| day.to_string())),
        ("to", filter.to.map(|day| day.to_string())),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
    .collect()
}

/// A page of the log, newest first.
pub async fn audit(
    session: Session,
    filter: AuditFilter,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<AuditEvent>> {
    get_filtered_page_authed(session, &paths::audit(), &query(&filter), page, per_page).await
}

/// Scarica CSV: the log of the filters as a file.
pub async fn export_audit(session: Session, filter: AuditFilter) -> ApiResult<Download> {
    let path = paths::audit_csv();
    let params = query(&filter);
    let call = Call::<()> {
        accept: CSV,
        ..Call::get(&path, &params)
    };
    download(session, &call, "registro-attivita.csv", "text/csv").await
}

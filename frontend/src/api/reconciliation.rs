//! Riconciliazione: the comune's flussi di rendicontazione and the differences between
//! them and the receipts (operators).

use sportello_model::reconciliation::{Discrepancy, DiscrepancyKind, FlowImported, FlowSummary};
use sportello_model::{paths, Page};

use super::client::{get_filtered_page_authed, get_page_authed, post_text_authed, ApiResult};
use crate::session::Session;

pub async fn flows(session: Session, page: u64, per_page: u64) -> ApiResult<Page<FlowSummary>> {
    get_page_authed(session, &paths::reconciliation_flows(), page, per_page).await
}

pub async fn discrepancies(
    session: Session,
    kind: DiscrepancyKind,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<Discrepancy>> {
    let filter = [("kind", kind.as_str().to_string())];
    get_filtered_page_authed(
        session,
        &paths::reconciliation_discrepancies(),
        &filter,
        page,
        per_page,
    )
    .await
}

/// Carica flusso: a flusso di rendicontazione as the XML file the comune downloaded. The
/// same flow again answers `created: false` and changes nothing.
pub async fn upload_flow(session: Session, xml: String) -> ApiResult<FlowImported> {
    post_text_authed(
        session,
        &paths::reconciliation_flows(),
        "application/xml",
        &xml,
    )
    .await
}

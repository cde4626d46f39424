//! Detrazione fiscale: a year's summary, «Genera attestazioni» and the CSV (operators).

use sportello_model::paths;
use sportello_model::tax_deduction::{TaxDeductionGenerated, TaxDeductionReport};

use super::client::{get_authed, post_authed, ApiResult, Call};
use super::files::{download, Download, CSV};
use crate::session::Session;

pub async fn tax_deduction_report(session: Session, year: i32) -> ApiResult<TaxDeductionReport> {
    get_authed(session, &paths::tax_deductions(year), &[]).await
}

/// Genera attestazioni: the families whose certificate of the year is new get it.
pub async fn generate_tax_certificates(
    session: Session,
    year: i32,
) -> ApiResult<TaxDeductionGenerated> {
    post_authed(
        session,
        &paths::tax_deduction_certificates(year),
        None::<&()>,
    )
    .await
}

/// Scarica CSV: the year per child.
pub async fn export_tax_deductions(session: Session, year: i32) -> ApiResult<Download> {
    let path = paths::tax_deductions_csv(year);
    let call = Call::<()> {
        accept: CSV,
        ..Call::get(&path, &[])
    };
    download(
        session,
        &call,
        &format!("detrazioni-{year}.csv"),
        "text/csv",
    )
    .await
}

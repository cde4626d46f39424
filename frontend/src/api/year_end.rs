//! Fine anno scolastico: the office's year end (ask ahead, close, credits, refunds) and
//! the family's credits with its choice.

use sportello_model::year_end::{
    CreditChoiceRequest, CreditStatus, FamilyCredit, OfficeCredit, YearEndSummary, YearEndTerms,
};
use sportello_model::{paths, Page};

use super::client::{
    get_authed, get_filtered_page_authed, get_page_authed, post_authed, put_authed, ApiResult,
};
use crate::session::Session;

/// A school year's end, by its first calendar year.
pub async fn year_end(session: Session, year: i32) -> ApiResult<YearEndSummary> {
    get_authed(session, &paths::year_end(year), &[]).await
}

/// The credits of a year, all or of one status.
pub async fn year_end_credits(
    session: Session,
    year: i32,
    status: Option<CreditStatus>,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<OfficeCredit>> {
    let path = paths::year_end_credits(year);
    match status {
        Some(status) => {
            let filter = [("status", status.as_str().to_string())];
            get_filtered_page_authed(session, &path, &filter, page, per_page).await
        }
        None => get_page_authed(session, &path, page, per_page).await,
    }
}

/// «Chiedi in anticipo»: the families of the children leaving.
pub async fn ask_year_end_ahead(
    session: Session,
    year: i32,
    terms: &YearEndTerms,
) -> ApiResult<YearEndSummary> {
    post_authed(session, &paths::year_end_ask_ahead(year), Some(terms)).await
}

/// «Chiudi l'anno».
pub async fn close_school_year(
    session: Session,
    year: i32,
    terms: &YearEndTerms,
) -> ApiResult<YearEndSummary> {
    post_authed(session, &paths::year_end_close(year), Some(terms)).await
}

/// «Registra rimborso»: recorded once however often it is sent.
pub async fn record_year_end_refund(session: Session, id: i64) -> ApiResult<OfficeCredit> {
    post_authed::<(), _>(session, &paths::year_end_refund(id), None).await
}

/// The family's credits left at the end of a year.
pub async fn my_year_end_credits(session: Session) -> ApiResult<Vec<FamilyCredit>> {
    get_authed(session, &paths::family_year_end_credits(), &[]).await
}

/// The family's choice for a credit.
pub async fn choose_year_end_credit(
    session: Session,
    id: i64,
    choice: &CreditChoiceRequest,
) -> ApiResult<FamilyCredit> {
    put_authed(session, &paths::family_year_end_credit(id), choice).await
}
